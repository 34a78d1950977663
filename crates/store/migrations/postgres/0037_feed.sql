-- Upward aggregation between instances (issue 21, docs/FEED.md): an upper-level instance pulls
-- the change feed of each lower one. `feed_links`: one row per lower instance — how far it has
-- applied the sender's log (`applied`, the hash of that entry, the Merkle frontier of the
-- sender's tree at that size), the last signed head it holds of the sender (it is the sender's
-- witness), the sender's log size at the last pull (lag), state and the last error.
-- `feed_records`: records received, under their origin (instance name, region, original id).
-- Both change-logged (`feed_link`, `feed_record`) and covered by verify. Keep in step with the
-- other backend.
CREATE TABLE feed_links (
    name          TEXT PRIMARY KEY,
    base_url      TEXT NOT NULL,
    region        TEXT NOT NULL,
    applied       BIGINT NOT NULL,
    last_hash     TEXT NOT NULL,
    frontier      TEXT NOT NULL,
    head_size     BIGINT NOT NULL,
    head_root     TEXT NOT NULL,
    sender_size   BIGINT NOT NULL,
    state         TEXT NOT NULL,
    error_code    TEXT,
    error         TEXT,
    records       BIGINT NOT NULL,
    pages         BIGINT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       BIGINT NOT NULL
);

CREATE TABLE feed_records (
    id            TEXT PRIMARY KEY,
    link          TEXT NOT NULL,
    origin        TEXT NOT NULL,
    origin_region TEXT NOT NULL,
    original_id   TEXT NOT NULL,
    origin_seq    BIGINT NOT NULL,
    type_code     TEXT NOT NULL,
    subject_name  TEXT NOT NULL,
    subject_code  TEXT,
    doc_no        TEXT NOT NULL,
    decision_date TEXT NOT NULL,
    source_dept   TEXT NOT NULL,
    status        TEXT NOT NULL,
    fields        TEXT NOT NULL,
    version       BIGINT NOT NULL
);
CREATE INDEX feed_records_origin ON feed_records (origin, original_id);
