-- Separation of duties (issue 16 point 3): giving an account a role that opens personal data,
-- non-public records or the audit trail, or that manages accounts (or any staff role at
-- national scope), is a grant another person approves. Until then the account does not hold
-- the role. Every grant is change-logged (`role_grant`), requested and decided ones alike, so
-- the auditor and the region's credit office see each one. Keep in step with PostgreSQL.
CREATE TABLE role_grants (
    id                   TEXT PRIMARY KEY,
    account_id           TEXT NOT NULL REFERENCES accounts (id),
    username             TEXT NOT NULL,
    region               TEXT NOT NULL,
    roles_before         TEXT NOT NULL,
    roles                TEXT NOT NULL,
    privileged           TEXT NOT NULL,
    requested_by         TEXT NOT NULL,
    requested_by_account TEXT,
    requested_at         TEXT NOT NULL,
    status               TEXT NOT NULL,
    decided_by           TEXT,
    decided_by_account   TEXT,
    decided_at           TEXT,
    note                 TEXT,
    version              INTEGER NOT NULL
);
CREATE INDEX role_grants_account ON role_grants (account_id);
CREATE INDEX role_grants_status ON role_grants (status, requested_at);
