-- Group entries of the change log: one chained entry standing for many entity changes
-- written together (a batch import chunk). `members` lists each entity's action, type, id
-- and state digest; the entry's state_digest is the SHA-256 of that text.
ALTER TABLE change_log ADD COLUMN members TEXT;
