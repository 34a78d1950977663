-- 我的报送批次 (issue 17): a department's batches newest first, and what each batch published
-- (its records' publication at import, counted by batch).
CREATE INDEX batches_dept_time ON batches (source_dept, submitted_at);
CREATE INDEX records_batch ON records (batch_id) WHERE batch_id IS NOT NULL;
