-- The platform's daily evidence quota (issue 16 point 5) sums the sizes of the evidence files
-- stored since midnight: this index answers it without reading the files' content.
CREATE INDEX evidence_files_created ON evidence_files (created_at, size);
