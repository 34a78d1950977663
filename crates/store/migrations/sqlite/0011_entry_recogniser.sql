-- A list entry is recognised by a body: its code (统一社会信用代码) and region (GB/T 2260, the
-- code's characters 3–8) are kept beside the entry, so that objections and list-entry
-- jurisdiction reach the credit offices of that region (before, only the body's name was kept,
-- which maps to no region). Both are in the entry's state (change-logged). Existing entries are
-- filled in by `migrate` where the body can be told — its name is a USCC, or the name of exactly
-- one registered body with a code — each such update logged; the others (e.g. entries of the
-- court's imported list) stay without, and fall back to their subject's region.
ALTER TABLE list_entries ADD COLUMN recognised_by_uscc TEXT;
ALTER TABLE list_entries ADD COLUMN region TEXT;
CREATE INDEX list_entries_region ON list_entries (region);
