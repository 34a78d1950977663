-- Accounts, sessions, API tokens and the audit trail (issue 5). Keep in step with the
-- SQLite dialect.

CREATE TABLE accounts (
    id               UUID PRIMARY KEY,
    username         TEXT NOT NULL UNIQUE,
    display_name     TEXT NOT NULL,
    roles            JSONB NOT NULL,
    region           TEXT NOT NULL,
    body             TEXT,
    password_hash    TEXT NOT NULL,
    password_history JSONB NOT NULL,
    totp_secret      TEXT,
    totp_last_step   BIGINT,
    failures         BIGINT NOT NULL,
    locked_until     TIMESTAMPTZ,
    must_change_password BOOLEAN NOT NULL,
    disabled         BOOLEAN NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    version          BIGINT NOT NULL
);

-- Ephemeral authentication state: not credit data, so not in the change log (logins and
-- logouts are in the audit trail). Only a hash of the session id is stored.
CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    account_id UUID NOT NULL REFERENCES accounts (id),
    csrf       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen  TIMESTAMPTZ NOT NULL,
    ip         TEXT
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE api_tokens (
    id            UUID PRIMARY KEY,
    name          TEXT NOT NULL,
    public_prefix TEXT NOT NULL,
    hash          TEXT NOT NULL UNIQUE,
    scope         JSONB NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    revoked_at    TIMESTAMPTZ,
    version       BIGINT NOT NULL
);

-- The audit trail (审计日志) and query log (查询留痕): one row per event, each chained in the
-- change log.
CREATE TABLE audit_events (
    id       UUID PRIMARY KEY,
    at       TIMESTAMPTZ NOT NULL,
    actor    TEXT NOT NULL,
    kind     TEXT NOT NULL,
    action   TEXT NOT NULL,
    target   TEXT,
    outcome  TEXT NOT NULL,
    ip       TEXT,
    detail   JSONB NOT NULL
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_actor ON audit_events (actor, at);

-- A person's ID number, sealed (AEAD, key outside the database): only entitled roles can
-- have it opened, every opening is query-logged. Kept apart from `subjects` so ordinary
-- subject reads never carry it.
CREATE TABLE subject_identities (
    subject_id UUID PRIMARY KEY REFERENCES subjects (id),
    sealed     TEXT NOT NULL
);
