-- Notifications (issue 18): an in-app inbox per account, per body and per credit office
-- (region), and an outbound webhook per body with its deliveries (each attempt recorded).
-- Every row is change-logged (`notification`, `webhook`, `webhook_delivery`) and covered
-- by verify. Keep in step with the other backend.
CREATE TABLE notifications (
    id              UUID PRIMARY KEY,
    recipient_kind  TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    region          TEXT NOT NULL,
    topic           TEXT NOT NULL,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    link            TEXT,
    dedup_key       TEXT UNIQUE,
    created_at      TIMESTAMPTZ NOT NULL,
    read_at         TIMESTAMPTZ,
    read_by         TEXT
);
CREATE INDEX notifications_inbox ON notifications (recipient_kind, recipient, created_at);

CREATE TABLE webhooks (
    body_uscc       TEXT PRIMARY KEY,
    url             TEXT NOT NULL,
    secret_sealed   TEXT NOT NULL,
    enabled         BOOLEAN NOT NULL,
    updated_by      TEXT NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    version         BIGINT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id               UUID PRIMARY KEY,
    notification_id  UUID NOT NULL REFERENCES notifications (id),
    body_uscc        TEXT NOT NULL,
    url              TEXT NOT NULL,
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL,
    next_attempt_at  TIMESTAMPTZ NOT NULL,
    last_error       TEXT,
    last_status      INTEGER,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_body ON webhook_deliveries (body_uscc, created_at);
