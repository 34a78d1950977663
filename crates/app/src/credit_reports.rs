//! Credit reports (信用报告): building a subject's report as of now from the store, signing and
//! rendering it (`chengxin-report`), keeping the issued report, and verifying a report by its
//! number and 验证码 or from an uploaded PDF (报告验真).
//!
//! What a report shows is public information only: 行政许可 and 行政处罚 records and other 失信
//! records currently published (status `published`, within their publication period, not
//! recognised as tolerable error, of a type disclosed to the public), and memberships of
//! public lists (in publicity or effective). A person is identified by the masked ID number,
//! never the clear one.

use chengxin_domain::catalog::{Catalog, Disclosure, RecordClass, Severity};
use chengxin_domain::codes::id_number;
use chengxin_domain::lists::{EntryStatus, JointCatalog, ListEntry};
use chengxin_domain::records::{Record, RecordStatus};
use chengxin_domain::subjects::Subject;
use chengxin_report::{
    CreditReport, ReportError, ReportSubject, Section, SignedReport, SigningKey, SubjectKind,
    Table, VerifyingKey,
};
use chengxin_store::{CreditReportRow, ListEntryFilter, Store, StoreError};
use chrono::{DateTime, FixedOffset, NaiveDate, Timelike, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};

/// Prefix of report numbers: `XYBG-YYYYMMDD-XXXXXXXX`.
pub const REPORT_NO_PREFIX: &str = "XYBG";
/// Random characters at the end of a report number (Crockford base32: 40 bits).
const RANDOM_LEN: usize = 8;
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Longest cell text taken from a record's field (the report allows 2,000 characters).
const MAX_CELL_CHARS: usize = 500;

pub const SECTION_LICENSES: &str = "行政许可信息";
pub const SECTION_PENALTIES: &str = "行政处罚信息";
pub const SECTION_OTHER_NEGATIVE: &str = "其他失信信息";
pub const SECTION_LISTS: &str = "列入信用名单情况";

/// China Standard Time.
fn cst() -> AppResult<FixedOffset> {
    FixedOffset::east_opt(8 * 3600).ok_or_else(|| AppError::unavailable("时区无效"))
}

/// A new report number for `day`: `XYBG-20250602-7K3M9QXD`.
pub fn new_report_no(day: NaiveDate) -> String {
    use rand::Rng as _;
    let mut rng = rand::rngs::OsRng;
    let tail: String = (0..RANDOM_LEN)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    format!("{REPORT_NO_PREFIX}-{}-{tail}", day.format("%Y%m%d"))
}

/// A report number as typed (trimmed, upper-cased), `None` if it cannot be one.
pub fn clean_report_no(input: &str) -> Option<String> {
    let s = input.trim().to_ascii_uppercase();
    let ok = !s.is_empty()
        && s.len() <= chengxin_report::MAX_REPORT_NO_LEN
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some(s)
}

/// A field of a record as cell text: strings as they are, numbers and booleans printed,
/// control characters (other than line breaks) replaced, long text shortened.
fn cell(fields: &serde_json::Map<String, serde_json::Value>, name: &str) -> String {
    let raw = match fields.get(name) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(serde_json::Value::Bool(b)) => if *b { "是" } else { "否" }.to_string(),
        _ => String::new(),
    };
    clean_text(&raw)
}

fn clean_text(raw: &str) -> String {
    let mut out: String = raw
        .trim()
        .chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .take(MAX_CELL_CHARS)
        .collect();
    if raw.trim().chars().count() > MAX_CELL_CHARS {
        out.push('…');
    }
    out
}

fn or_dash(s: String) -> String {
    if s.trim().is_empty() {
        "—".into()
    } else {
        s
    }
}

fn date_cell(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "—".into())
}

/// The deciding authority of a record: its `authority` field, else the source department.
fn authority(r: &Record) -> String {
    let a = cell(&r.fields, "authority");
    if a.is_empty() {
        r.source_dept.clone()
    } else {
        a
    }
}

/// Whether a record is shown in a report issued on `today`.
fn currently_published(r: &Record, class: RecordClass, today: NaiveDate) -> bool {
    r.status == RecordStatus::Published
        && !(class == RecordClass::Negative && r.tolerated)
        && r.publish_until.is_none_or(|u| u >= today)
}

/// How the subject is named and identified in the report. Persons get the masked ID number
/// (masked again here should a clear one ever reach `id_masked`).
pub fn report_subject(s: &Subject) -> AppResult<ReportSubject> {
    let kind = SubjectKind::parse(s.kind.as_str())
        .ok_or_else(|| AppError::unavailable(format!("未知的主体类别“{}”", s.kind.as_str())))?;
    let code = if kind.is_person() {
        s.id_masked
            .as_deref()
            .map(|m| {
                if m.contains('*') {
                    m.to_string()
                } else {
                    id_number::mask(m)
                }
            })
            .unwrap_or_default()
    } else {
        s.uscc.clone().unwrap_or_default()
    };
    Ok(ReportSubject {
        name: clean_text(&s.name),
        code: if code.trim().is_empty() {
            "未登记".into()
        } else {
            code
        },
        kind,
    })
}

fn table(headers: &[&str], rows: Vec<Vec<String>>) -> Table {
    Table {
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows,
    }
}

/// Keeps at most the report's row limit, saying so in the note.
fn section(title: &str, note: String, mut t: Table) -> Section {
    let max = chengxin_report::MAX_ROWS;
    let note = if t.rows.len() > max {
        let n = t.rows.len();
        t.rows.truncate(max);
        format!("{note}（共 {n} 条，仅列出最近的 {max} 条）")
    } else {
        note
    };
    Section {
        title: title.into(),
        note: Some(note),
        table: t,
    }
}

/// The sections of a subject's report as of `today`.
pub async fn sections(
    store: &dyn Store,
    subject: &Subject,
    today: NaiveDate,
) -> AppResult<Vec<Section>> {
    let catalog = Catalog::default_checked().map_err(AppError::unavailable)?;
    let mut records = store.records_of_subject(subject.id).await?;
    records.sort_by(|a, b| {
        b.decision_date
            .cmp(&a.decision_date)
            .then_with(|| a.doc_no.cmp(&b.doc_no))
    });
    let (mut licenses, mut penalties, mut others) = (Vec::new(), Vec::new(), Vec::new());
    for r in &records {
        let Some(rt) = catalog.get(&r.type_code) else {
            continue;
        };
        if rt.disclosure != Disclosure::Public || !currently_published(r, rt.class, today) {
            continue;
        }
        match r.type_code.as_str() {
            "admin_license" => licenses.push(vec![
                r.doc_no.clone(),
                or_dash(cell(&r.fields, "decision_doc_name")),
                or_dash(cell(&r.fields, "license_content")),
                or_dash(authority(r)),
                date_cell(Some(r.decision_date)),
                or_dash(cell(&r.fields, "valid_to")),
            ]),
            "admin_penalty" => penalties.push(vec![
                r.doc_no.clone(),
                or_dash(cell(&r.fields, "violation_type")),
                or_dash(cell(&r.fields, "penalty_content")),
                or_dash(authority(r)),
                date_cell(Some(r.decision_date)),
                date_cell(r.publish_until),
            ]),
            _ if rt.class == RecordClass::Negative => others.push(vec![
                rt.name.clone(),
                r.doc_no.clone(),
                date_cell(Some(r.decision_date)),
                r.severity
                    .as_deref()
                    .and_then(Severity::parse)
                    .map(|s| s.label().to_string())
                    .unwrap_or_else(|| "—".into()),
                or_dash(authority(r)),
                date_cell(r.publish_until),
            ]),
            _ => {}
        }
    }
    let joint = JointCatalog::default_checked().map_err(AppError::unavailable)?;
    let entries = store
        .list_entries(&ListEntryFilter {
            subject_id: Some(subject.id),
            limit: Some(10_000),
            ..Default::default()
        })
        .await?;
    let mut lists = Vec::new();
    for row in entries {
        if row.status != EntryStatus::Publicity.code()
            && row.status != EntryStatus::Effective.code()
        {
            continue;
        }
        let Some(def) = joint.list(&row.list_code) else {
            continue;
        };
        if def.disclosure != Disclosure::Public {
            continue;
        }
        let e: ListEntry = serde_json::from_value(row.entry).map_err(AppError::unavailable)?;
        if e.effective_until.is_some_and(|u| u < today) {
            continue;
        }
        let from = match e.status {
            EntryStatus::Effective => e.effective_from,
            _ => e.publicity_from,
        };
        lists.push(vec![
            def.name.clone(),
            e.status.label().to_string(),
            or_dash(clean_text(&e.recognised_by)),
            or_dash(clean_text(&e.basis)),
            date_cell(from),
            e.effective_until
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| {
                    if e.status == EntryStatus::Effective {
                        "至移出之日".into()
                    } else {
                        "—".into()
                    }
                }),
        ]);
    }
    let asof = today.format("%Y年%m月%d日");
    Ok(vec![
        section(
            SECTION_LICENSES,
            format!("截至{asof}处于公示期内的行政许可信息。"),
            table(
                &[
                    "许可决定文书号",
                    "文书名称",
                    "许可内容",
                    "许可机关",
                    "许可决定日期",
                    "有效期至",
                ],
                licenses,
            ),
        ),
        section(
            SECTION_PENALTIES,
            format!("截至{asof}处于公示期内的行政处罚信息（不含经认定的容错纠错情形）。"),
            table(
                &[
                    "处罚决定文书号",
                    "违法行为类型",
                    "处罚内容",
                    "处罚机关",
                    "处罚决定日期",
                    "公示截止日期",
                ],
                penalties,
            ),
        ),
        section(
            SECTION_OTHER_NEGATIVE,
            format!("截至{asof}处于公示期内、依法向社会公开的其他失信信息。"),
            table(
                &[
                    "信息类型",
                    "文书号",
                    "决定日期",
                    "失信程度",
                    "认定部门",
                    "公示截止日期",
                ],
                others,
            ),
        ),
        section(
            SECTION_LISTS,
            format!("截至{asof}处于公示期或有效期内、依法向社会公开的信用名单。"),
            table(
                &[
                    "名单名称",
                    "状态",
                    "认定部门",
                    "依据",
                    "列入（公示）日期",
                    "有效期至",
                ],
                lists,
            ),
        ),
    ])
}

/// How reports are signed and printed.
pub struct IssueSettings<'a> {
    pub key: &'a SigningKey,
    /// 出具机构.
    pub issuer: &'a str,
    /// The portal's verification page; the QR code points at `<url>?no=…&code=…`.
    pub verify_url: &'a str,
}

/// An issued report.
pub struct Issued {
    pub row: CreditReportRow,
    pub signed: SignedReport,
}

fn report_error(e: ReportError) -> AppError {
    match e {
        ReportError::InvalidReport(_) => AppError::invalid("invalid_report", e.to_string()),
        other => AppError::unavailable(other),
    }
}

/// Build the subject's report as of now, sign it, render the PDF and keep it.
pub async fn issue(
    store: &dyn Store,
    settings: &IssueSettings<'_>,
    actor: &str,
    subject: &Subject,
    today: NaiveDate,
) -> AppResult<Issued> {
    let now = chengxin_store::changelog::now();
    // Whole seconds: what is printed, signed and stored is the same instant on both backends.
    let issued_at: DateTime<Utc> = now.with_nanosecond(0).unwrap_or(now);
    let shown = issued_at.with_timezone(&cst()?);
    let report_subject = report_subject(subject)?;
    let sections = sections(store, subject, today).await?;
    // A clash of 40 random bits on one day is all but impossible; retried all the same.
    let mut last = None;
    for _ in 0..3 {
        let report = CreditReport {
            report_no: new_report_no(shown.date_naive()),
            issued_at: shown,
            issuer: settings.issuer.to_string(),
            subject: report_subject.clone(),
            sections: sections.clone(),
        };
        let signed = chengxin_report::sign(&report, settings.key).map_err(report_error)?;
        let url = format!(
            "{}?no={}&code={}",
            settings.verify_url, report.report_no, signed.verification_code
        );
        let pdf = chengxin_report::render_pdf(&signed, &url).map_err(report_error)?;
        let row = CreditReportRow {
            report_no: report.report_no.clone(),
            subject_id: subject.id,
            issued_at,
            issued_by: actor.to_string(),
            key_id: signed.key_id.clone(),
            content_sha256: signed.content_sha256_hex.clone(),
            verification_code: signed.verification_code.clone(),
            signed: serde_json::to_value(&signed).map_err(AppError::unavailable)?,
            pdf_sha256: hex::encode(Sha256::digest(&pdf)),
            pdf,
        };
        match store.create_credit_report(actor, &row).await {
            Ok(()) => return Ok(Issued { row, signed }),
            Err(StoreError::Duplicate(m)) => last = Some(StoreError::Duplicate(m)),
            Err(e) => return Err(e.into()),
        }
    }
    Err(last
        .map(AppError::from)
        .unwrap_or_else(|| AppError::unavailable("无法生成报告编号")))
}

/// What the portal shows of a verified report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SectionSummary {
    pub title: String,
    /// Number of entries listed.
    pub rows: usize,
}

/// The answer of 报告验真: `valid` with what the report says, or not with a stable code and a
/// Chinese reason. Nothing about the report is returned unless it is valid.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Verification {
    pub valid: bool,
    /// Why not (`report_unknown`, `report_tampered`, `report_signature_invalid`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_no: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub issued_at: Option<DateTime<FixedOffset>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_name: Option<String>,
    /// USCC, or the masked ID number of a person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_kind: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<SectionSummary>,
    /// Key id of the signing key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
}

impl Verification {
    pub fn invalid(code: &str, reason: impl Into<String>) -> Self {
        Self {
            valid: false,
            code: Some(code.into()),
            reason: Some(reason.into()),
            report_no: None,
            issued_at: None,
            issuer: None,
            subject_name: None,
            subject_code: None,
            subject_kind: None,
            sections: Vec::new(),
            key_id: None,
        }
    }

    pub fn valid(s: &SignedReport) -> Self {
        let r = &s.report;
        Self {
            valid: true,
            code: None,
            reason: None,
            report_no: Some(r.report_no.clone()),
            issued_at: Some(r.issued_at),
            issuer: Some(r.issuer.clone()),
            subject_name: Some(r.subject.name.clone()),
            subject_code: Some(r.subject.code.clone()),
            subject_kind: Some(r.subject.kind.as_str().to_string()),
            sections: r
                .sections
                .iter()
                .map(|s| SectionSummary {
                    title: s.title.clone(),
                    rows: s.table.rows.len(),
                })
                .collect(),
            key_id: Some(s.key_id.clone()),
        }
    }
}

const UNKNOWN_REASON: &str = "报告编号或验证码不正确，未找到对应的信用报告";
const TAMPERED_REASON: &str = "报告内容与出具时的记录不一致，报告可能已被篡改";

fn unknown() -> Verification {
    Verification::invalid("report_unknown", UNKNOWN_REASON)
}

fn tampered(reason: &str) -> Verification {
    Verification::invalid("report_tampered", reason)
}

/// The stored signed report, checked against its own columns and (if given) the key: a row
/// edited in the database is not vouched for (`None`).
pub fn stored_signed(row: &CreditReportRow, key: Option<&VerifyingKey>) -> Option<SignedReport> {
    let signed: SignedReport = serde_json::from_value(row.signed.clone()).ok()?;
    if signed.report.report_no != row.report_no
        || signed.content_sha256_hex != row.content_sha256
        || signed.verification_code != row.verification_code
        || signed.key_id != row.key_id
    {
        return None;
    }
    if let Some(k) = key {
        chengxin_report::verify(&signed, k).ok()?;
    }
    if hex::encode(Sha256::digest(&row.pdf)) != row.pdf_sha256 {
        return None;
    }
    Some(signed)
}

/// 报告验真 by number and 验证码. An unknown number and a wrong code get the same answer, so
/// the portal cannot be used to find out which report numbers exist.
pub async fn verify_by_code(
    store: &dyn Store,
    key: Option<&VerifyingKey>,
    report_no: &str,
    code: &str,
) -> AppResult<Verification> {
    if chengxin_report::normalize_code(code).is_none() {
        return Ok(Verification::invalid(
            "code_malformed",
            "验证码格式不正确（应为16位字母数字，如 ABCD-EFGH-JKMN-PQRS）",
        ));
    }
    let Some(no) = clean_report_no(report_no) else {
        return Ok(unknown());
    };
    let Some(row) = store.credit_report(&no).await? else {
        return Ok(unknown());
    };
    let Some(signed) = stored_signed(&row, key) else {
        // Only someone holding the right code learns that the stored copy is damaged.
        return Ok(if code_matches_row(&row, code) {
            tampered("系统中保存的报告记录未通过完整性核验，请联系出具机构")
        } else {
            unknown()
        });
    };
    if !signed.code_matches(code) {
        return Ok(unknown());
    }
    Ok(Verification::valid(&signed))
}

fn code_matches_row(row: &CreditReportRow, code: &str) -> bool {
    chengxin_report::normalize_code(code).is_some_and(|c| {
        let (a, b) = (c.as_bytes(), row.verification_code.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    })
}

/// Most bytes accepted for an uploaded report.
pub const MAX_PDF_BYTES: usize = 16 * 1024 * 1024;

/// 报告验真 of an uploaded PDF: the embedded signed payload must verify with the report key,
/// its number must be one this system issued with the same content, and the file must be
/// byte for byte the PDF that was issued.
pub async fn verify_pdf(
    store: &dyn Store,
    key: &VerifyingKey,
    pdf: &[u8],
) -> AppResult<Verification> {
    if pdf.is_empty() {
        return Ok(Verification::invalid("report_file_empty", "上传的文件为空"));
    }
    let signed = match chengxin_report::extract_signed(pdf) {
        Ok(s) => s,
        Err(e) => {
            return Ok(match e {
                ReportError::PayloadNotFound => Verification::invalid(
                    "report_payload_missing",
                    "文件中未找到报告签名数据（不是本系统出具的信用报告 PDF，或文件已被改写）",
                ),
                ReportError::UnsupportedPayloadVersion(_) => {
                    Verification::invalid("report_unsupported", e.to_string())
                }
                _ => tampered("文件中的报告签名数据已损坏或不一致，报告可能已被篡改"),
            })
        }
    };
    if let Err(e) = chengxin_report::verify(&signed, key) {
        return Ok(match e {
            ReportError::KeyMismatch { .. } => {
                Verification::invalid("report_key_unknown", "报告不是用本系统的报告签名密钥签发的")
            }
            ReportError::MalformedSignature | ReportError::BadSignature => Verification::invalid(
                "report_signature_invalid",
                "数字签名核验未通过，报告可能已被篡改或并非由本机构出具",
            ),
            _ => tampered(TAMPERED_REASON),
        });
    }
    let Some(no) = clean_report_no(&signed.report.report_no) else {
        return Ok(Verification::invalid(
            "report_unknown",
            "未找到该编号的信用报告",
        ));
    };
    let Some(row) = store.credit_report(&no).await? else {
        return Ok(Verification::invalid(
            "report_unknown",
            "未找到该编号的信用报告",
        ));
    };
    let Some(stored) = stored_signed(&row, Some(key)) else {
        return Ok(tampered(
            "系统中保存的报告记录未通过完整性核验，请联系出具机构",
        ));
    };
    if stored != signed {
        return Ok(tampered(TAMPERED_REASON));
    }
    if hex::encode(Sha256::digest(pdf)) != row.pdf_sha256 {
        return Ok(tampered(
            "文件与出具时的报告 PDF 不一致（文件可能被修改过），请以报告编号和验证码核验或向出具机构索取原件",
        ));
    }
    Ok(Verification::valid(&signed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_numbers() {
        let d = NaiveDate::from_ymd_opt(2025, 6, 2).unwrap();
        let no = new_report_no(d);
        assert!(no.starts_with("XYBG-20250602-"), "{no}");
        assert_eq!(no.len(), "XYBG-20250602-".len() + RANDOM_LEN);
        assert_ne!(new_report_no(d), no);
        assert_eq!(
            clean_report_no(&format!(" {} ", no.to_lowercase())),
            Some(no)
        );
        assert_eq!(clean_report_no("a b"), None);
        assert_eq!(clean_report_no(""), None);
    }

    #[test]
    fn cells_are_clean() {
        let mut m = serde_json::Map::new();
        m.insert("a".into(), "x\ty\nz".into());
        m.insert("n".into(), serde_json::json!(12.5));
        m.insert("long".into(), "长".repeat(600).into());
        assert_eq!(cell(&m, "a"), "x y\nz");
        assert_eq!(cell(&m, "n"), "12.5");
        assert_eq!(cell(&m, "missing"), "");
        assert_eq!(cell(&m, "long").chars().count(), MAX_CELL_CHARS + 1);
    }
}
