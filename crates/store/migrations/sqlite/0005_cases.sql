-- The closed loop (闭环) of joint punishments/rewards: one case per list entry and
-- implementing department — distributed, signed for, applied, reported back — each step with a
-- deadline in working days. The case itself is the domain's `Case` as JSON.
CREATE TABLE cases (
    id          TEXT PRIMARY KEY,
    entry_id    TEXT NOT NULL REFERENCES list_entries (id),
    department  TEXT NOT NULL,
    step        TEXT NOT NULL,
    next_due    TEXT,
    lifted      INTEGER NOT NULL,
    state       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL
);
CREATE INDEX cases_entry ON cases (entry_id);
CREATE INDEX cases_open ON cases (department, lifted, next_due);
