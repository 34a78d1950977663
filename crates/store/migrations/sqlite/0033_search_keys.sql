-- Subject search, second shape (issue 17: 10,000,000 subjects, p99 ≤ 50 ms). Derived data,
-- rebuilt from `subjects` by `migrate` (its backfill indexes every subject without a row).
-- - Each indexed subject gets a small integer key `sk` (posting rows of ~15 bytes instead of
--   ~45 with a text UUID) and a `rank`: the length of its current folded name.
-- - A posting list is `(gram, rank, sk)`: read in key order it gives the shortest names first
--   (the closest matches: an exact name before the names containing it), so the first page
--   of any query is the head of one posting list, never a sort of all matches.
-- - `gram_counts`: each gram's posting count (and how many are persons), kept with every
--   write, so a one- or two-character query's honest total is one row.
DROP TABLE subject_grams;
DROP TABLE subject_search;
CREATE TABLE subject_search (
    sk         INTEGER PRIMARY KEY,
    subject_id TEXT NOT NULL UNIQUE,
    rank       INTEGER NOT NULL,
    person     INTEGER NOT NULL,
    folded     TEXT NOT NULL
);
CREATE TABLE subject_grams (
    gram   TEXT NOT NULL,
    rank   INTEGER NOT NULL,
    sk     INTEGER NOT NULL,
    person INTEGER NOT NULL,
    PRIMARY KEY (gram, rank, sk)
) WITHOUT ROWID;
CREATE TABLE gram_counts (
    gram    TEXT PRIMARY KEY,
    total   INTEGER NOT NULL,
    persons INTEGER NOT NULL
) WITHOUT ROWID;
