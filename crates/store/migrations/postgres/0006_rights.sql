-- Credit rights (issue 7): objections, repair applications and tolerance/mitigation decisions.
-- The application itself — applicant (contact sealed), reasons, steps, notices, decision and
-- the rule version applied — is the domain's `Application` as JSON; the columns beside it are
-- what queues, the public tracking page and the 异议处理中 marking query.
CREATE TABLE applications (
    id           UUID PRIMARY KEY,
    tracking_no  TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    target_kind  TEXT NOT NULL,
    target_id    TEXT NOT NULL,
    subject_id   UUID REFERENCES subjects (id),
    department   TEXT NOT NULL,
    state        TEXT NOT NULL,
    due          DATE,
    body         JSONB NOT NULL,
    -- SHA-256 of the applicant's access code (shown once, at filing).
    access_hash  TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    version      BIGINT NOT NULL
);
CREATE INDEX applications_target ON applications (target_id, kind, state);
CREATE INDEX applications_queue ON applications (kind, state, due);
CREATE INDEX applications_subject ON applications (subject_id, kind);

-- Evidence files (证明材料), kept in the database so a backup holds them with their
-- application; their SHA-256 is in the change log.
CREATE TABLE evidence_files (
    id              UUID PRIMARY KEY,
    application_id  UUID NOT NULL REFERENCES applications (id),
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    size            BIGINT NOT NULL,
    sha256          TEXT NOT NULL,
    material        TEXT,
    content         BYTEA NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX evidence_files_application ON evidence_files (application_id);
