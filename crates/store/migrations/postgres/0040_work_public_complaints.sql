-- Issue 19, part three: complaints filed on the portal are complaint work items. Per item the
-- filing's public side — the access code's hash (with the item's number it opens the
-- complainant's view: timeline, reply, rating), the complainant's name and contact sealed
-- (PiiCipher, bound to the item) — and the evidence files' bytes (their descriptions are
-- work_item_files rows). Both change-logged (`work_public_filing`, `work_item_content`) and
-- covered by verify. Keep in step with the other backend.
CREATE TABLE work_public_filings (
    item_id         UUID PRIMARY KEY REFERENCES work_items (id),
    access_hash     TEXT NOT NULL,
    name_sealed     TEXT NOT NULL,
    contact_sealed  TEXT,
    account         TEXT,
    filed_at        TIMESTAMPTZ NOT NULL
);

-- The bytes of an evidence file uploaded with a portal complaint (type checked by content).
CREATE TABLE work_item_contents (
    file_id  UUID PRIMARY KEY REFERENCES work_item_files (id),
    item_id  UUID NOT NULL REFERENCES work_items (id),
    kind     TEXT NOT NULL,
    content  BYTEA NOT NULL
);
CREATE INDEX work_item_contents_item ON work_item_contents (item_id);
