-- Issue 21: the change log as the leaves of an RFC 6962 Merkle tree (leaf i = change-log entry
-- seq i+1, leaf hash SHA-256(0x00 || entry hash)). Keep in step with the other backend.
--
-- merkle_nodes: every complete, aligned subtree of level >= 1 (node (level, idx) covers leaves
-- [idx*2^level, (idx+1)*2^level)); leaves themselves are read from change_log. Derived data,
-- not change-logged: recomputable from change_log at any time, and a wrong node only yields
-- proofs that fail at the client (`verify --against` cross-checks them).
CREATE TABLE merkle_nodes (
    level INTEGER NOT NULL,
    idx   INTEGER NOT NULL,
    hash  BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;

-- How many leaves merkle_nodes covers (all complete subtrees ending at or before it).
CREATE TABLE merkle_state (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size INTEGER NOT NULL
);
INSERT INTO merkle_state (id, size) VALUES (1, 0);

-- Signed tree heads (C2SP checkpoints), as also appended to the heads file outside the
-- database. Like log_checkpoints: signatures over the log, checked by verify, not entities.
CREATE TABLE merkle_heads (
    size INTEGER PRIMARY KEY,
    root TEXT NOT NULL,
    note TEXT NOT NULL,
    at   TEXT NOT NULL
);
