-- Accounts, sessions, API tokens and the audit trail (issue 5). Keep in step with the
-- PostgreSQL dialect.

CREATE TABLE accounts (
    id               TEXT PRIMARY KEY,
    username         TEXT NOT NULL UNIQUE,
    display_name     TEXT NOT NULL,
    roles            TEXT NOT NULL,
    region           TEXT NOT NULL,
    body             TEXT,
    password_hash    TEXT NOT NULL,
    password_history TEXT NOT NULL,
    totp_secret      TEXT,
    totp_last_step   INTEGER,
    failures         INTEGER NOT NULL,
    locked_until     TEXT,
    must_change_password INTEGER NOT NULL,
    disabled         INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    version          INTEGER NOT NULL
);

-- Ephemeral authentication state: not credit data, so not in the change log (logins and
-- logouts are in the audit trail). Only a hash of the session id is stored.
CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    ip         TEXT
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    public_prefix TEXT NOT NULL,
    hash          TEXT NOT NULL UNIQUE,
    scope         TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT,
    version       INTEGER NOT NULL
);

-- The audit trail (审计日志) and query log (查询留痕): one row per event, each chained in the
-- change log.
CREATE TABLE audit_events (
    id       TEXT PRIMARY KEY,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    kind     TEXT NOT NULL,
    action   TEXT NOT NULL,
    target   TEXT,
    outcome  TEXT NOT NULL,
    ip       TEXT,
    detail   TEXT NOT NULL
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_actor ON audit_events (actor, at);

-- A person's ID number, sealed (AEAD, key outside the database): only entitled roles can
-- have it opened, every opening is query-logged. Kept apart from `subjects` so ordinary
-- subject reads never carry it.
CREATE TABLE subject_identities (
    subject_id TEXT PRIMARY KEY REFERENCES subjects (id),
    sealed     TEXT NOT NULL
);
