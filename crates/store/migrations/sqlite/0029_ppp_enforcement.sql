-- PPP projects and government bodies listed as 失信被执行人 (issue 18): the project (its
-- government party a body by USCC, the implementing body, the social capital party, amounts in
-- 分), the stages entered in order, the government-side responsible person of each stage
-- (persons by subject id: the ID number hashed and sealed as for employment history), the
-- breaches recorded (each became a 失信 record); the 失信被执行人 cases of bodies with their
-- progress notes until cleared. Every row is change-logged (`ppp_project`, `ppp_stage`,
-- `ppp_responsible`, `ppp_breach`, `debtor_case`, `debtor_case_note`) and covered by verify.
-- Keep in step with the other backend.
CREATE TABLE ppp_projects (
    id                     TEXT PRIMARY KEY,
    no                     TEXT NOT NULL UNIQUE,
    name                   TEXT NOT NULL,
    gov_uscc               TEXT NOT NULL,
    gov_name               TEXT NOT NULL,
    gov_subject_id         TEXT NOT NULL,
    implementing_uscc      TEXT NOT NULL,
    implementing_name      TEXT NOT NULL,
    private_uscc           TEXT NOT NULL,
    private_name           TEXT NOT NULL,
    contract_no            TEXT,
    amount_fen             INTEGER,
    region                 TEXT NOT NULL,
    stage                  TEXT NOT NULL,
    created_by             TEXT NOT NULL,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL,
    version                INTEGER NOT NULL
);
CREATE INDEX ppp_projects_region ON ppp_projects (region, created_at);
CREATE INDEX ppp_projects_gov ON ppp_projects (gov_uscc);

CREATE TABLE ppp_stages (
    id          TEXT PRIMARY KEY,
    project_id  TEXT NOT NULL REFERENCES ppp_projects (id),
    stage       TEXT NOT NULL,
    started_on  TEXT NOT NULL,
    note        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE UNIQUE INDEX ppp_stages_of ON ppp_stages (project_id, stage);

CREATE TABLE ppp_responsibles (
    id          TEXT PRIMARY KEY,
    project_id  TEXT NOT NULL REFERENCES ppp_projects (id),
    stage       TEXT NOT NULL,
    person_id   TEXT NOT NULL REFERENCES subjects (id),
    post        TEXT NOT NULL,
    from_date   TEXT NOT NULL,
    to_date     TEXT,
    at          TEXT NOT NULL
);
CREATE INDEX ppp_responsibles_of ON ppp_responsibles (project_id, stage, from_date);
CREATE INDEX ppp_responsibles_person ON ppp_responsibles (person_id);

CREATE TABLE ppp_breaches (
    id           TEXT PRIMARY KEY,
    project_id   TEXT NOT NULL REFERENCES ppp_projects (id),
    stage        TEXT NOT NULL,
    occurred_on  TEXT NOT NULL,
    finding      TEXT NOT NULL,
    doc_no       TEXT NOT NULL,
    amount_fen   INTEGER,
    record_id    TEXT NOT NULL,
    actor        TEXT NOT NULL,
    at           TEXT NOT NULL
);
CREATE INDEX ppp_breaches_of ON ppp_breaches (project_id, occurred_on);

CREATE TABLE debtor_cases (
    id               TEXT PRIMARY KEY,
    case_no          TEXT NOT NULL UNIQUE,
    court            TEXT NOT NULL,
    body_uscc        TEXT NOT NULL,
    body_name        TEXT NOT NULL,
    body_subject_id  TEXT NOT NULL,
    region           TEXT NOT NULL,
    amount_fen       INTEGER NOT NULL,
    listed_on        TEXT NOT NULL,
    state            TEXT NOT NULL,
    cleared_on       TEXT,
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    version          INTEGER NOT NULL
);
CREATE INDEX debtor_cases_region ON debtor_cases (region, state);
CREATE INDEX debtor_cases_body ON debtor_cases (body_uscc);

CREATE TABLE debtor_case_notes (
    id        TEXT PRIMARY KEY,
    case_id   TEXT NOT NULL REFERENCES debtor_cases (id),
    state     TEXT NOT NULL,
    on_date   TEXT NOT NULL,
    note      TEXT NOT NULL,
    actor     TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX debtor_case_notes_of ON debtor_case_notes (case_id, at);
