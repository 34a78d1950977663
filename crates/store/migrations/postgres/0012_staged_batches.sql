-- Batches are imported in chunks, each a short write transaction, and published by a last
-- short one (`shared/batches.rs`). Until then their rows are staged: stored and logged, but
-- invisible to every reader.
--
-- state: importing (chunks being written, rows hidden) → committed (published), or
-- importing → failing (abandoned: staged rows being removed, still hidden) → failed (none
-- left). Existing batches were committed in one transaction.
ALTER TABLE batches ADD COLUMN state TEXT NOT NULL DEFAULT 'committed';
-- The open batches, whose rows readers leave out: a handful at most, found through this index
-- (the readers' filter names the same condition, so the planner uses it).
CREATE INDEX batches_open ON batches (id) WHERE state IN ('importing', 'failing');
-- One import at a time: imports wait for each other (as they did on the log head), other
-- writes do not wait for them.
CREATE UNIQUE INDEX batches_one_importing ON batches (state) WHERE state = 'importing';

-- The batch that created a subject: hidden while that batch is open. NULL for subjects
-- created one by one. Covered by the subject's digest when set.
ALTER TABLE subjects ADD COLUMN batch_id UUID;

-- Corrections a batch will make to existing records, staged until the batch is published
-- (the record itself does not change before): the corrected record as JSON, and the version
-- it corrects (a record changed meanwhile fails the batch rather than losing that change).
CREATE TABLE batch_corrections (
    batch_id     UUID NOT NULL REFERENCES batches (id),
    record_id    UUID NOT NULL REFERENCES records (id),
    base_version BIGINT NOT NULL,
    record       JSONB NOT NULL,
    -- Its free texts as given, sealed (see `record_texts`, migration 0014), when any held an
    -- ID number: put beside the record when the batch is published.
    texts_sealed TEXT,
    PRIMARY KEY (batch_id, record_id)
);

-- Removing an abandoned batch's subjects checks the foreign key `subjects.parent_id` for each
-- one: without an index, a scan of every subject per removed subject (30 s per 500 on a
-- million-row import).
CREATE INDEX subjects_parent ON subjects (parent_id) WHERE parent_id IS NOT NULL;
