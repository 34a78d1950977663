-- Subject search, second shape (issue 17: 10,000,000 subjects, p99 ≤ 50 ms). Derived data,
-- rebuilt from `subjects` by `migrate` (its backfill indexes every subject without a row).
-- - Each indexed subject gets a small integer key `sk` and a `rank`: the length of its
--   current folded name.
-- - A posting list is `(gram, rank, sk)`: read in key order it gives the shortest names first
--   (the closest matches: an exact name before the names containing it), so the first page
--   of any query is the head of one posting list, never a sort of all matches. Grams compare
--   bytewise (`COLLATE "C"`): equality is all a gram needs, and it is the cheapest.
-- - `gram_counts`: each gram's posting count (and how many are persons), kept with every
--   write, so a one- or two-character query's honest total is one row.
DROP TABLE subject_grams;
DROP TABLE subject_search;
CREATE TABLE subject_search (
    sk         BIGINT PRIMARY KEY,
    subject_id UUID NOT NULL UNIQUE,
    rank       INTEGER NOT NULL,
    person     BOOLEAN NOT NULL,
    folded     TEXT NOT NULL
);
CREATE TABLE subject_grams (
    gram   TEXT COLLATE "C" NOT NULL,
    rank   INTEGER NOT NULL,
    sk     BIGINT NOT NULL,
    person BOOLEAN NOT NULL,
    PRIMARY KEY (gram, rank, sk) INCLUDE (person)
);
CREATE TABLE gram_counts (
    gram    TEXT COLLATE "C" PRIMARY KEY,
    total   BIGINT NOT NULL,
    persons BIGINT NOT NULL
);
