-- Credit reports (信用报告) as issued: the signed report (`chengxin_report::SignedReport` as
-- JSON), the PDF handed out, and the columns verification looks up. A report is written once
-- and never changed; its row (with the SHA-256 of the PDF bytes) is in the change log, so an
-- edited or replaced PDF is caught by `verify` as well as by the portal's 报告验真.
CREATE TABLE credit_reports (
    report_no          TEXT PRIMARY KEY,
    subject_id         TEXT NOT NULL REFERENCES subjects (id),
    issued_at          TEXT NOT NULL,
    issued_by          TEXT NOT NULL,
    -- Key id of the report-signing key (first 8 bytes of SHA-256 of its public key, hex).
    key_id             TEXT NOT NULL,
    -- SHA-256 of the report's canonical JSON (what is signed).
    content_sha256     TEXT NOT NULL,
    -- 验证码, `XXXX-XXXX-XXXX-XXXX`.
    verification_code  TEXT NOT NULL,
    signed             TEXT NOT NULL,
    pdf_sha256         TEXT NOT NULL,
    pdf                BLOB NOT NULL
);
CREATE INDEX credit_reports_subject ON credit_reports (subject_id, issued_at);
