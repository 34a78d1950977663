-- Portal content (issue 17): announcements (通知公告, kind `announcement`) and policy pages
-- (政策法规, kind `policy`), written by holders of PortalManage as drafts and then published
-- (or withdrawn). Every version is change-logged (`portal_page`). Keep in step with the
-- other backend.
CREATE TABLE portal_pages (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    status        TEXT NOT NULL,
    published_at  TEXT,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       INTEGER NOT NULL
);
CREATE INDEX portal_pages_kind ON portal_pages (kind, status, published_at);
