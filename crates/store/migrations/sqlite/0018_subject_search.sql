-- Subject search for Chinese (issue 17): derived from subjects.name and former_names by
-- chengxin_domain::names::{subject_grams, subject_search_text}, written with every subject
-- write and filled for older rows by the store at start (rows with no subject_search row).
-- Derived data: not in the change log; `verify` covers the subjects they come from.
CREATE TABLE subject_search (
    subject_id TEXT PRIMARY KEY,
    folded     TEXT NOT NULL
);
-- Unigrams and bigrams of the folded names (a posting list per gram, clustered by the key).
CREATE TABLE subject_grams (
    gram       TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    -- A natural person (the portal lists bodies only): counted from the key alone.
    person     INTEGER NOT NULL,
    PRIMARY KEY (gram, subject_id)
) WITHOUT ROWID;
