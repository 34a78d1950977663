-- A case belongs to a region: its subject's (where the measures bite), else the recognising
-- department's when that is a USCC (its division code, characters 3–8). Credit offices and
-- departments see their own region's cases. Existing cases take it from their entry.
ALTER TABLE cases ADD COLUMN region TEXT;
UPDATE cases SET region = COALESCE(
    (SELECT s.region FROM list_entries e JOIN subjects s ON s.id = e.subject_id
     WHERE e.id = cases.entry_id),
    (SELECT CASE WHEN length(json_extract(e.entry, '$.recognised_by')) = 18
                 THEN substr(json_extract(e.entry, '$.recognised_by'), 3, 6) END
     FROM list_entries e WHERE e.id = cases.entry_id)
);
CREATE INDEX cases_region ON cases (region);
