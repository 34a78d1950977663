-- Chengxin schema, PostgreSQL dialect. Keep in step with migrations/sqlite/0001_init.sql:
-- the shared queries in src/common.rs run unchanged against both.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The single row holding the head of the change-log chain. Writers update it first in every
-- transaction, which serialises appends on both backends.
CREATE TABLE log_head (
    id   SMALLINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT  NOT NULL,
    hash TEXT    NOT NULL
);
INSERT INTO log_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE change_log (
    seq          BIGINT PRIMARY KEY,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    entity_type  TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    action       TEXT NOT NULL,
    state_digest TEXT,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX change_log_entity ON change_log (entity_type, entity_id);

CREATE TABLE signing_keys (
    key_id     TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE log_checkpoints (
    seq       BIGINT PRIMARY KEY,
    hash      TEXT NOT NULL,
    key_id    TEXT NOT NULL REFERENCES signing_keys (key_id),
    signature TEXT NOT NULL,
    at        TIMESTAMPTZ NOT NULL
);

CREATE TABLE catalog_types (
    code            TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    catalog_version TEXT NOT NULL,
    digest          TEXT NOT NULL,
    definition      JSONB NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE subjects (
    id           UUID PRIMARY KEY,
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    uscc         TEXT,
    id_hash      TEXT,
    id_masked    TEXT,
    region       TEXT,
    parent_id    UUID REFERENCES subjects (id),
    former_names JSONB NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    version      BIGINT NOT NULL
);
-- Partial: most subjects have only one of the two codes, and a bulk import should not pay
-- for index entries of NULLs.
CREATE UNIQUE INDEX subjects_uscc ON subjects (uscc) WHERE uscc IS NOT NULL;
CREATE UNIQUE INDEX subjects_id_hash ON subjects (id_hash) WHERE id_hash IS NOT NULL;
CREATE INDEX subjects_name ON subjects (name);
CREATE INDEX subjects_region ON subjects (region);

CREATE TABLE employments (
    id         UUID PRIMARY KEY,
    person_id  UUID NOT NULL REFERENCES subjects (id),
    body_id    UUID NOT NULL REFERENCES subjects (id),
    post       TEXT NOT NULL,
    start_date DATE NOT NULL,
    end_date   DATE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX employments_person ON employments (person_id);
CREATE INDEX employments_body ON employments (body_id);

CREATE TABLE records (
    id             UUID PRIMARY KEY,
    type_code      TEXT NOT NULL REFERENCES catalog_types (code),
    subject_id     UUID REFERENCES subjects (id),
    subject_name   TEXT NOT NULL,
    doc_no         TEXT NOT NULL,
    decision_date  DATE NOT NULL,
    source_dept    TEXT NOT NULL,
    batch_id       UUID,
    fields         JSONB NOT NULL,
    severity       TEXT,
    status         TEXT NOT NULL,
    tolerated      BOOLEAN NOT NULL,
    published_at   TIMESTAMPTZ,
    publish_until  DATE,
    content_digest TEXT NOT NULL,
    version        BIGINT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (source_dept, type_code, doc_no)
);
CREATE INDEX records_subject ON records (subject_id);
CREATE INDEX records_type_date ON records (type_code, decision_date);

CREATE TABLE record_history (
    record_id UUID NOT NULL REFERENCES records (id),
    version   BIGINT NOT NULL,
    action    TEXT NOT NULL,
    status    TEXT NOT NULL,
    fields    JSONB NOT NULL,
    actor     TEXT NOT NULL,
    note      TEXT,
    at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (record_id, version)
);

-- Import batches (报送批次): one per submitted file; rejected rows are kept for the error report.
CREATE TABLE batches (
    id            UUID PRIMARY KEY,
    type_code     TEXT NOT NULL REFERENCES catalog_types (code),
    source_dept   TEXT NOT NULL,
    file_name     TEXT,
    file_sha256   TEXT NOT NULL,
    format        TEXT NOT NULL,
    encoding      TEXT NOT NULL,
    submitted_by  TEXT NOT NULL,
    submitted_at  TIMESTAMPTZ NOT NULL,
    total         BIGINT NOT NULL,
    created       BIGINT NOT NULL,
    corrected     BIGINT NOT NULL,
    duplicates    BIGINT NOT NULL,
    rejected      BIGINT NOT NULL,
    queued        BIGINT NOT NULL,
    subjects_created BIGINT NOT NULL,
    unknown_columns JSONB NOT NULL,
    headers       JSONB NOT NULL
);
CREATE INDEX batches_file ON batches (type_code, source_dept, file_sha256);

CREATE TABLE batch_rejects (
    batch_id UUID NOT NULL REFERENCES batches (id),
    row_no   BIGINT NOT NULL,
    cells    JSONB NOT NULL,
    reasons  JSONB NOT NULL,
    PRIMARY KEY (batch_id, row_no)
);

-- Records whose rows carried only a name: linked to a subject by hand (人工关联).
CREATE TABLE link_queue (
    record_id    UUID PRIMARY KEY REFERENCES records (id),
    subject_name TEXT NOT NULL,
    candidates   JSONB NOT NULL,
    status       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
