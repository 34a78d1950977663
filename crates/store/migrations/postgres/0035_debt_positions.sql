-- Local government debt (地方政府债务, issue 20): one position per region and year — 一般债务余额,
-- 专项债务余额, 隐性债务余额 (NULL: not recorded), 综合财力 — amounts in 分 (the files give 万元);
-- the current version in `debt_positions`, every version (the current one included) in
-- `debt_position_versions`. A re-import of the same figures writes nothing; changed figures are
-- a new version. Every row is change-logged (`debt_position`, `debt_position_version`) and
-- covered by verify. Keep in step with the other backend.
CREATE TABLE debt_positions (
    id            UUID PRIMARY KEY,
    region        TEXT NOT NULL,
    year          INTEGER NOT NULL,
    general_fen   BIGINT NOT NULL,
    special_fen   BIGINT NOT NULL,
    hidden_fen    BIGINT,
    capacity_fen  BIGINT NOT NULL,
    source        TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    version       BIGINT NOT NULL,
    UNIQUE (region, year)
);
CREATE INDEX debt_positions_year ON debt_positions (year, region);

CREATE TABLE debt_position_versions (
    id            UUID PRIMARY KEY,
    position_id   UUID NOT NULL REFERENCES debt_positions (id),
    version       BIGINT NOT NULL,
    general_fen   BIGINT NOT NULL,
    special_fen   BIGINT NOT NULL,
    hidden_fen    BIGINT,
    capacity_fen  BIGINT NOT NULL,
    source        TEXT NOT NULL,
    actor         TEXT NOT NULL,
    at            TIMESTAMPTZ NOT NULL,
    UNIQUE (position_id, version)
);
