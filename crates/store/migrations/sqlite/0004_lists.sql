-- List entries (红名单、黑名单、重点关注名单、失信被执行人 …, issue 6). The entry itself — standard,
-- basis, recognising department, evidence, dates and its procedure history — is the domain's
-- `ListEntry` as JSON; the columns beside it are what queries and the check index need.
CREATE TABLE list_entries (
    id          TEXT PRIMARY KEY,
    list_code   TEXT NOT NULL,
    subject_id  TEXT REFERENCES subjects (id),
    status      TEXT NOT NULL,
    entry       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL
);
CREATE INDEX list_entries_subject ON list_entries (subject_id);
CREATE INDEX list_entries_list ON list_entries (list_code, status);
