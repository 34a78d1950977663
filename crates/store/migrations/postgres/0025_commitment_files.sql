-- Evidence files of commitments (issue 18): type checked by content (PDF, JPEG, PNG, OFD),
-- bytes kept with their SHA-256; the row (with the SHA-256 recomputed from the bytes) is
-- change-logged (`commitment_file`) and covered by verify. Keep in step with the other
-- backend.
CREATE TABLE commitment_files (
    id             UUID PRIMARY KEY,
    commitment_id  UUID NOT NULL REFERENCES commitments (id),
    milestone_id   UUID,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    size           BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    uploaded_by    TEXT NOT NULL,
    at             TIMESTAMPTZ NOT NULL,
    content        BYTEA NOT NULL
);
CREATE INDEX commitment_files_of ON commitment_files (commitment_id, at);
