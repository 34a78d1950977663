-- Issue 18: natural persons as promisors of 信用承诺 (告知承诺). A person's commitment keeps
-- `promisor_uscc` empty and names the person by `promisor_subject_id` (the natural-person
-- subject: keyed hash, masked number, the number sealed) and by the masked number here — the
-- number is never stored in clear on the commitment, so it never reaches pages, exports or the
-- change log from it. Such a commitment is never public (the store refuses it). Keep in step
-- with the other backend.
ALTER TABLE commitments ADD COLUMN promisor_id_masked TEXT;
CREATE INDEX commitments_promisor_subject ON commitments (promisor_subject_id)
    WHERE promisor_subject_id IS NOT NULL;
