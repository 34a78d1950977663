-- 政务诚信监测评价 (issue 20): indicator system versions, evaluation runs (a recomputation is a
-- new run version; a published run never changes), scores per target, indicator results with
-- their source values, warnings, imported figures. Every row is change-logged
-- (`evaluation_system`, `evaluation_run`, `evaluation_score`, `evaluation_item`,
-- `evaluation_warning`, `evaluation_import`) and covered by verify. Keep in step with the other
-- backend.
CREATE TABLE evaluation_systems (
    version    TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    digest     TEXT NOT NULL,
    text       TEXT NOT NULL,
    loaded_by  TEXT NOT NULL,
    loaded_at  TEXT NOT NULL
);

CREATE TABLE evaluation_runs (
    id              TEXT PRIMARY KEY,
    period          TEXT NOT NULL,
    period_kind     TEXT NOT NULL,
    system_version  TEXT NOT NULL REFERENCES evaluation_systems (version),
    run_version     INTEGER NOT NULL,
    published       INTEGER NOT NULL,
    published_at    TEXT,
    published_by    TEXT,
    as_of           TEXT NOT NULL,
    note            TEXT NOT NULL,
    targets         INTEGER NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    version         INTEGER NOT NULL,
    UNIQUE (period, run_version)
);

CREATE TABLE evaluation_scores (
    id           TEXT PRIMARY KEY,
    run_id       TEXT NOT NULL REFERENCES evaluation_runs (id),
    target       TEXT NOT NULL,
    target_kind  TEXT NOT NULL,
    target_name  TEXT NOT NULL,
    region       TEXT NOT NULL,
    rank_group   TEXT NOT NULL,
    score        REAL NOT NULL,
    grade        TEXT NOT NULL,
    rank         INTEGER NOT NULL,
    rank_of      INTEGER NOT NULL,
    dimensions   TEXT NOT NULL,
    unscored     INTEGER NOT NULL,
    UNIQUE (run_id, target)
);
CREATE INDEX evaluation_scores_target ON evaluation_scores (target, run_id);

CREATE TABLE evaluation_items (
    id         TEXT PRIMARY KEY,
    run_id     TEXT NOT NULL REFERENCES evaluation_runs (id),
    target     TEXT NOT NULL,
    indicator  TEXT NOT NULL,
    dimension  TEXT NOT NULL,
    value      REAL,
    points     REAL NOT NULL,
    weight     REAL NOT NULL,
    status     TEXT NOT NULL,
    note       TEXT,
    inputs     TEXT NOT NULL
);
CREATE INDEX evaluation_items_of ON evaluation_items (run_id, target);

CREATE TABLE evaluation_warnings (
    id           TEXT PRIMARY KEY,
    run_id       TEXT,
    period       TEXT NOT NULL,
    target       TEXT NOT NULL,
    target_name  TEXT NOT NULL,
    region       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    message      TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX evaluation_warnings_region ON evaluation_warnings (region, created_at);

CREATE TABLE evaluation_imports (
    id           TEXT PRIMARY KEY,
    indicator    TEXT NOT NULL,
    target       TEXT NOT NULL,
    period       TEXT NOT NULL,
    value        REAL NOT NULL,
    provider     TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    row_no       INTEGER NOT NULL,
    imported_by  TEXT NOT NULL,
    imported_at  TEXT NOT NULL,
    version      INTEGER NOT NULL,
    UNIQUE (indicator, target, period)
);
CREATE INDEX evaluation_imports_period ON evaluation_imports (period);
