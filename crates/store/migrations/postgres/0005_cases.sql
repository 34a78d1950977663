-- The closed loop (闭环) of joint punishments/rewards: one case per list entry and
-- implementing department — distributed, signed for, applied, reported back — each step with a
-- deadline in working days. The case itself is the domain's `Case` as JSON.
CREATE TABLE cases (
    id          TEXT PRIMARY KEY,
    entry_id    UUID NOT NULL REFERENCES list_entries (id),
    department  TEXT NOT NULL,
    step        TEXT NOT NULL,
    next_due    DATE,
    lifted      BOOLEAN NOT NULL,
    state       JSONB NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    version     BIGINT NOT NULL
);
CREATE INDEX cases_entry ON cases (entry_id);
CREATE INDEX cases_open ON cases (department, lifted, next_due);
