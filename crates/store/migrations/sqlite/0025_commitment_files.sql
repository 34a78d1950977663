-- Evidence files of commitments (issue 18): type checked by content (PDF, JPEG, PNG, OFD),
-- bytes kept with their SHA-256; the row (with the SHA-256 recomputed from the bytes) is
-- change-logged (`commitment_file`) and covered by verify. Keep in step with the other
-- backend.
CREATE TABLE commitment_files (
    id             TEXT PRIMARY KEY,
    commitment_id  TEXT NOT NULL REFERENCES commitments (id),
    milestone_id   TEXT,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    size           INTEGER NOT NULL,
    sha256         TEXT NOT NULL,
    uploaded_by    TEXT NOT NULL,
    at             TEXT NOT NULL,
    content        BLOB NOT NULL
);
CREATE INDEX commitment_files_of ON commitment_files (commitment_id, at);
