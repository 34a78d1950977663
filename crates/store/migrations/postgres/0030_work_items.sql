-- Work items (督办事项, issue 19): one engine for every supervised item — 人大代表建议,
-- 政协委员提案, 督查/审计/财政 findings with 限期整改, the rectification 书面说明原因并限期整改
-- opens — whatever its type (data/work/types.toml). The item (owner body, region, state, the
-- current step's due date and the sweep's marks), the bodies concerned (what a unit's queue
-- reads), its events (timeline) and attachments' descriptions. Every row is change-logged
-- (`work_item`, `work_item_party`, `work_item_event`, `work_item_file`) and covered by verify.
-- Queues page by key (id, a UUIDv7, newest first) on indexes per owner/body, region, state.
-- Keep in step with the other backend.
CREATE TABLE work_items (
    id              UUID PRIMARY KEY,
    no              TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    title           TEXT NOT NULL,
    ref_no          TEXT,
    proposer        TEXT,
    owner_uscc      TEXT NOT NULL,
    owner_name      TEXT NOT NULL,
    region          TEXT NOT NULL,
    issuer_uscc     TEXT,
    issuer_name     TEXT NOT NULL,
    content         TEXT NOT NULL,
    required        TEXT NOT NULL,
    state           TEXT NOT NULL,
    opened_on       DATE NOT NULL,
    deadline        DATE NOT NULL,
    due_on          DATE,
    reopens         INTEGER NOT NULL,
    outcome         TEXT,
    closed_on       DATE,
    remind_stage    INTEGER NOT NULL,
    next_remind_on  DATE,
    handler         TEXT,
    source          TEXT UNIQUE,
    created_by      TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    version         BIGINT NOT NULL
);
CREATE INDEX work_items_owner ON work_items (owner_uscc, id);
CREATE INDEX work_items_region ON work_items (region, id);
CREATE INDEX work_items_state ON work_items (state, id);
CREATE INDEX work_items_kind ON work_items (kind, id);
CREATE INDEX work_items_handler ON work_items (handler, id) WHERE handler IS NOT NULL;
-- The daily sweep reads only what is due.
CREATE INDEX work_items_sweep ON work_items (next_remind_on, id)
    WHERE next_remind_on IS NOT NULL;

CREATE TABLE work_item_parties (
    item_id    UUID NOT NULL REFERENCES work_items (id),
    body_uscc  TEXT NOT NULL,
    body_name  TEXT NOT NULL,
    party      TEXT NOT NULL,
    PRIMARY KEY (body_uscc, item_id, party)
);
CREATE INDEX work_item_parties_of ON work_item_parties (item_id);

CREATE TABLE work_item_events (
    id          UUID PRIMARY KEY,
    item_id     UUID NOT NULL REFERENCES work_items (id),
    action      TEXT NOT NULL,
    choice      TEXT,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    party       TEXT NOT NULL,
    actor       TEXT NOT NULL,
    on_date     DATE NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    text        TEXT NOT NULL
);
CREATE INDEX work_item_events_of ON work_item_events (item_id, at);

CREATE TABLE work_item_files (
    id           UUID PRIMARY KEY,
    item_id      UUID NOT NULL REFERENCES work_items (id),
    event_id     UUID NOT NULL,
    name         TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX work_item_files_of ON work_item_files (item_id, at);
