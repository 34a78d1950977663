-- Free text as submitted (a 居民身份证号 typed into 违法事实, a name, a note) whose ID numbers
-- are stored masked in the record: the text as given, sealed (AEAD, key outside the database,
-- bound to the record's source key), one JSON object of clear texts by field or history path
-- per record. Only personal_data_decrypt holders can have it opened, with a purpose, and every
-- opening is query-logged. Kept apart from `records` so ordinary reads never carry it; every
-- change is in the change log (`record_text`).
CREATE TABLE record_texts (
    record_id UUID PRIMARY KEY REFERENCES records (id),
    sealed    TEXT NOT NULL
);
