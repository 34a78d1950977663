-- Issue 20, figures: a run's indicator results packed into its score rows (one row per target
-- and period: the source values, each indicator's value, points and status, imported figures),
-- covered by one change-log entry per run (`evaluation_run_scores`, the digest of every score
-- row of the run in id order) instead of one per score and per indicator result. Rows written
-- before keep their per-row entries (`packed` NULL) and their `evaluation_items`.
-- And the 双公示 source of one body (the explanation of its points) by its own index.
-- Keep in step with the other backend.
ALTER TABLE evaluation_scores ADD COLUMN packed TEXT;
CREATE INDEX records_source_date ON records (source_dept, decision_date);
