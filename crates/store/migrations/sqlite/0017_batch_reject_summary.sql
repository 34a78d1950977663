-- A batch keeps a bounded number of rejected rows (issue 16 point 7): those beyond are counted
-- here, and every reason is counted by rows (JSON list of {code, message, rows}, most first).
ALTER TABLE batches ADD COLUMN rejects_not_kept INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN reject_reasons TEXT NOT NULL DEFAULT '[]';
