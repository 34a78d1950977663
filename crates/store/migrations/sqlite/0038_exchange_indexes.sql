-- The national export (issue 21) reads what changed on one day: record history entries, list
-- entries and repair applications by time, instead of scanning the tables.
CREATE INDEX record_history_at ON record_history (at);
CREATE INDEX list_entries_updated ON list_entries (updated_at);
CREATE INDEX applications_kind_updated ON applications (kind, updated_at);
