-- Years of the official working-day calendar loaded at run time (`chengxin calendar load`):
-- one row per year, the year as a JSON document with the fields of one `[[years]]` entry of
-- data/calendar/cn-holidays.toml. The calendar in effect is the shipped file with these years
-- merged in (a loaded year extends the covered years or, when explicitly replaced, takes the
-- place of a shipped one). Every change is in the change log (`calendar_year`).
CREATE TABLE calendar_years (
    year       INTEGER PRIMARY KEY,
    document   JSONB NOT NULL,
    -- The file it was loaded from (its name only).
    source     TEXT NOT NULL,
    loaded_by  TEXT NOT NULL,
    loaded_at  TIMESTAMPTZ NOT NULL
);
