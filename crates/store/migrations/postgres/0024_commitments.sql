-- Commitments (承诺, issue 18): the commitment (promisor a body by USCC), its milestones with
-- their state, breach procedure and reminder marks, and the steps taken. A commitment's state
-- is derived from its milestones. Every row is change-logged (`commitment`,
-- `commitment_milestone`, `commitment_step`) and covered by verify. Keep in step with the
-- other backend.
CREATE TABLE commitments (
    id                   UUID PRIMARY KEY,
    no                   TEXT NOT NULL UNIQUE,
    kind                 TEXT NOT NULL,
    title                TEXT NOT NULL,
    promisor_uscc        TEXT NOT NULL,
    promisor_name        TEXT NOT NULL,
    promisor_subject_id  UUID,
    owner_uscc           TEXT NOT NULL,
    region               TEXT NOT NULL,
    supervisor_uscc      TEXT,
    counterparty_name    TEXT NOT NULL,
    counterparty_id      TEXT,
    content              TEXT NOT NULL,
    legal_basis          TEXT NOT NULL,
    amount_fen           BIGINT,
    promised_on          DATE NOT NULL,
    public               BOOLEAN NOT NULL,
    created_by           TEXT NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    version              BIGINT NOT NULL
);
CREATE INDEX commitments_region ON commitments (region, created_at);
CREATE INDEX commitments_promisor ON commitments (promisor_uscc);
CREATE INDEX commitments_owner ON commitments (owner_uscc);

CREATE TABLE commitment_milestones (
    id                UUID PRIMARY KEY,
    commitment_id     UUID NOT NULL REFERENCES commitments (id),
    seq               INTEGER NOT NULL,
    title             TEXT NOT NULL,
    due_date          DATE NOT NULL,
    amount_fen        BIGINT,
    state             TEXT NOT NULL,
    done_on           DATE,
    breach_stage      TEXT NOT NULL,
    explain_due       DATE,
    change_ground     TEXT,
    change_basis      TEXT,
    compensation      TEXT,
    compensation_fen  BIGINT,
    explanation       TEXT,
    finding           TEXT,
    finding_doc_no    TEXT,
    record_id         UUID,
    remind_before     INTEGER NOT NULL,
    reminded_stage    INTEGER NOT NULL,
    next_remind_on    DATE,
    updated_at        TIMESTAMPTZ NOT NULL,
    version           BIGINT NOT NULL
);
CREATE INDEX commitment_milestones_of ON commitment_milestones (commitment_id, seq);
-- The daily sweep reads only what is due: pending milestones by their next look.
CREATE INDEX commitment_milestones_sweep ON commitment_milestones (next_remind_on)
    WHERE next_remind_on IS NOT NULL;

CREATE TABLE commitment_steps (
    id             UUID PRIMARY KEY,
    commitment_id  UUID NOT NULL REFERENCES commitments (id),
    milestone_id   UUID,
    action         TEXT NOT NULL,
    actor          TEXT NOT NULL,
    at             TIMESTAMPTZ NOT NULL,
    note           TEXT NOT NULL
);
CREATE INDEX commitment_steps_of ON commitment_steps (commitment_id, at);
