-- Government as purchaser and payer (政府采购, 拖欠账款; issue 18): procurement contracts whose
-- purchaser is a body (by USCC), their delivery / 验收 / payment milestones, the arrears ledger
-- (per creditor and per body, with partial payments until cleared) and the steps taken on each
-- arrear. Every row is change-logged (`procurement_contract`, `procurement_milestone`,
-- `arrear`, `arrear_step`) and covered by verify. Keep in step with the other backend.
CREATE TABLE procurement_contracts (
    id                   UUID PRIMARY KEY,
    no                   TEXT NOT NULL UNIQUE,
    contract_no          TEXT NOT NULL,
    title                TEXT NOT NULL,
    purchaser_uscc       TEXT NOT NULL,
    purchaser_name       TEXT NOT NULL,
    purchaser_subject_id UUID,
    region               TEXT NOT NULL,
    supplier_uscc        TEXT NOT NULL,
    supplier_name        TEXT NOT NULL,
    supplier_sme         BOOLEAN NOT NULL,
    amount_fen           BIGINT NOT NULL,
    signed_on            DATE NOT NULL,
    payment_days         INTEGER NOT NULL,
    terms_basis          TEXT NOT NULL,
    created_by           TEXT NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    version              BIGINT NOT NULL
);
CREATE INDEX procurement_contracts_region ON procurement_contracts (region, created_at);
CREATE INDEX procurement_contracts_purchaser ON procurement_contracts (purchaser_uscc);

CREATE TABLE procurement_milestones (
    id            UUID PRIMARY KEY,
    contract_id   UUID NOT NULL REFERENCES procurement_contracts (id),
    seq           INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL,
    due_date      DATE NOT NULL,
    amount_fen    BIGINT,
    state         TEXT NOT NULL,
    done_on       DATE,
    arrear_id     UUID,
    updated_at    TIMESTAMPTZ NOT NULL,
    version       BIGINT NOT NULL
);
CREATE INDEX procurement_milestones_of ON procurement_milestones (contract_id, seq);
-- The daily sweep reads only payments still pending and not yet in the ledger, by due date.
CREATE INDEX procurement_milestones_overdue ON procurement_milestones (due_date)
    WHERE kind = 'payment' AND state = 'pending' AND arrear_id IS NULL;

CREATE TABLE arrears (
    id                 UUID PRIMARY KEY,
    no                 TEXT NOT NULL UNIQUE,
    source             TEXT NOT NULL,
    contract_id        UUID,
    milestone_id       UUID UNIQUE,
    contract_no        TEXT NOT NULL,
    contract_name      TEXT,
    contract_amount_fen BIGINT NOT NULL,
    debtor_uscc        TEXT NOT NULL,
    debtor_name        TEXT NOT NULL,
    debtor_subject_id  UUID,
    region             TEXT NOT NULL,
    creditor_uscc      TEXT NOT NULL,
    creditor_name      TEXT NOT NULL,
    creditor_sme       BOOLEAN NOT NULL,
    amount_fen         BIGINT NOT NULL,
    paid_fen           BIGINT NOT NULL,
    due_date           DATE NOT NULL,
    due_month          TEXT NOT NULL,
    state              TEXT NOT NULL,
    reason             TEXT,
    judgment_doc_no    TEXT,
    judgment_on        DATE,
    cleared_on         DATE,
    record_id          UUID,
    reported_by        TEXT NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    version            BIGINT NOT NULL,
    CHECK (amount_fen > 0 AND paid_fen >= 0 AND paid_fen <= amount_fen)
);
CREATE INDEX arrears_debtor ON arrears (debtor_uscc, created_at);
CREATE INDEX arrears_creditor ON arrears (creditor_uscc, created_at);
CREATE INDEX arrears_region ON arrears (region, created_at);
-- The sweep's second look: owed, not yet a 失信 record.
CREATE INDEX arrears_unrecorded ON arrears (due_date)
    WHERE record_id IS NULL AND state IN ('confirmed', 'partly_paid');

CREATE TABLE arrear_steps (
    id          UUID PRIMARY KEY,
    arrear_id   UUID NOT NULL REFERENCES arrears (id),
    action      TEXT NOT NULL,
    amount_fen  BIGINT,
    on_date     DATE NOT NULL,
    actor       TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    note        TEXT NOT NULL
);
CREATE INDEX arrear_steps_of ON arrear_steps (arrear_id, at);


-- Totals per body, region and month: one row per body and month of due date, moved in the same
-- transaction as every arrear write (derived from `arrears`, like the search index: not in the
-- change log; `arrears` is). Confirmed = confirmed, partly paid and cleared; owed = confirmed and
-- partly paid; reported = waiting for the body; rejected ones count nowhere.
CREATE TABLE arrear_sums (
    region           TEXT NOT NULL,
    debtor_uscc      TEXT NOT NULL,
    due_month        TEXT NOT NULL,
    debtor_name      TEXT NOT NULL,
    confirmed_count  BIGINT NOT NULL,
    amount_fen       BIGINT NOT NULL,
    paid_fen         BIGINT NOT NULL,
    outstanding_fen  BIGINT NOT NULL,
    owed_count       BIGINT NOT NULL,
    reported_count   BIGINT NOT NULL,
    reported_fen     BIGINT NOT NULL,
    cleared_count    BIGINT NOT NULL,
    PRIMARY KEY (region, debtor_uscc, due_month)
);
