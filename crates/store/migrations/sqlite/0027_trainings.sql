-- 诚信教育 (issue 18): integrity training attended by civil servants, imported like
-- employment history; one row per person, course and day (a re-import updates the hours).
-- Change-logged (`training`). Keep in step with the other backend.
CREATE TABLE trainings (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES subjects (id),
    course       TEXT NOT NULL,
    held_on      TEXT NOT NULL,
    hours_tenths INTEGER NOT NULL,
    organiser_id TEXT NOT NULL REFERENCES subjects (id),
    created_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX trainings_key ON trainings (person_id, course, held_on);
