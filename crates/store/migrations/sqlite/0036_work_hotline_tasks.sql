-- Issue 19, part two: 12345 hotline tickets imported as complaint work items, and the
-- 重点任务分工 quarterly progress reports (the task table itself is data:
-- data/work/tasks.toml). Both change-logged (`work_hotline_ticket`, `work_task_report`) and
-- covered by verify. Keep in step with the other backend.

-- One row per 工单编号: the item it opened, the digest of the row as imported (a re-import of
-- the same content changes nothing; different content under the same number is reported, not
-- overwritten), the hotline's own fields, and the caller's contact sealed (PiiCipher).
CREATE TABLE work_hotline_tickets (
    ticket_no       TEXT PRIMARY KEY,
    item_id         TEXT NOT NULL REFERENCES work_items (id),
    digest          TEXT NOT NULL,
    called_at       TEXT NOT NULL,
    category        TEXT NOT NULL,
    handling_unit   TEXT NOT NULL,
    concluded_at    TEXT,
    satisfaction    TEXT,
    contact_sealed  TEXT,
    imported_by     TEXT NOT NULL,
    imported_at     TEXT NOT NULL
);
CREATE INDEX work_hotline_tickets_item ON work_hotline_tickets (item_id);

-- 每季度报送: one report per task, quarter (2026Q4) and unit.
CREATE TABLE work_task_reports (
    id           TEXT PRIMARY KEY,
    task_code    TEXT NOT NULL,
    quarter      TEXT NOT NULL,
    unit_uscc    TEXT NOT NULL,
    unit_name    TEXT NOT NULL,
    region       TEXT NOT NULL,
    text         TEXT NOT NULL,
    files        TEXT NOT NULL,
    reported_by  TEXT NOT NULL,
    on_date      TEXT NOT NULL,
    at           TEXT NOT NULL,
    UNIQUE (task_code, quarter, unit_uscc)
);
CREATE INDEX work_task_reports_quarter ON work_task_reports (quarter, task_code);

