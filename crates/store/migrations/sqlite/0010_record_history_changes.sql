-- A correction's changed fields, each before and after (JSON list of {field, before, after},
-- values as stored: ID numbers masked). NULL for entries that change no field (and for
-- entries written before corrections kept it).
ALTER TABLE record_history ADD COLUMN changes TEXT;
