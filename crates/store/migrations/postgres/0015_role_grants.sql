-- Separation of duties (issue 16 point 3): giving an account a role that opens personal data,
-- non-public records or the audit trail, or that manages accounts (or any staff role at
-- national scope), is a grant another person approves. Until then the account does not hold
-- the role. Every grant is change-logged (`role_grant`), requested and decided ones alike, so
-- the auditor and the region's credit office see each one. Keep in step with SQLite.
CREATE TABLE role_grants (
    id                   UUID PRIMARY KEY,
    account_id           UUID NOT NULL REFERENCES accounts (id),
    username             TEXT NOT NULL,
    region               TEXT NOT NULL,
    roles_before         JSONB NOT NULL,
    roles                JSONB NOT NULL,
    privileged           JSONB NOT NULL,
    requested_by         TEXT NOT NULL,
    requested_by_account UUID,
    requested_at         TIMESTAMPTZ NOT NULL,
    status               TEXT NOT NULL,
    decided_by           TEXT,
    decided_by_account   UUID,
    decided_at           TIMESTAMPTZ,
    note                 TEXT,
    version              BIGINT NOT NULL
);
CREATE INDEX role_grants_account ON role_grants (account_id);
CREATE INDEX role_grants_status ON role_grants (status, requested_at);
