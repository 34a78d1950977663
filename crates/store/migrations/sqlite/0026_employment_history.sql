-- Employment history imported from the personnel department (issue 18): the principal
-- (主要负责人) flag, and the indexes of 责任回溯 — "who held a post at this body on this day"
-- reads one body's periods in start order, "where is this person now" one person's. Keep in
-- step with the other backend.
ALTER TABLE employments ADD COLUMN principal INTEGER NOT NULL DEFAULT 0;
DROP INDEX employments_body;
CREATE INDEX employments_body_day ON employments (body_id, start_date, end_date, principal, post);
CREATE UNIQUE INDEX employments_period ON employments (person_id, body_id, post, start_date);
