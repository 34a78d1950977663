-- The search index of a batch's new subjects is written after the batch is published
-- (issue 15 point 9): a published batch with subjects still to index has a row here, with the
-- last subject indexed (its id: the subjects of one batch are read in id order) and how many
-- are left (the lag the console shows). Derived data, like the index: not in the change log.
CREATE TABLE search_pending (
    batch_id  UUID PRIMARY KEY,
    after_id  UUID,
    remaining BIGINT NOT NULL
);
-- The subjects a batch created, in id order (the indexer's walk; v7 ids grow, so an import
-- appends at the end).
CREATE INDEX subjects_batch ON subjects (batch_id, id) WHERE batch_id IS NOT NULL;
