//! Issuing a report (signed, rendered, kept) and handing out its PDF: staff holding
//! `reports_issue` within their jurisdiction, or a subject account holding `credit_report_own`
//! for its own body. Every issue and download is query-logged.

use chengxin_access::Permission;
use chengxin_domain::subjects::Subject;
use chengxin_report::{CreditReport, EntryProof, ReportError, SignedReport, SigningKey};
use chengxin_store::{CreditReportRow, Store, StoreError};
use chrono::{DateTime, FixedOffset, NaiveDate, Timelike, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::content::{report_subject, sections_and_records};
use super::{clean_report_no, new_report_no};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

/// China Standard Time.
fn cst() -> AppResult<FixedOffset> {
    FixedOffset::east_opt(8 * 3600).ok_or_else(|| AppError::unavailable("时区无效"))
}

/// How reports are signed and printed.
pub struct IssueSettings<'a> {
    pub key: &'a SigningKey,
    /// 出具机构.
    pub issuer: &'a str,
    /// The portal's verification page; the QR code points at `<url>?no=…&code=…`.
    pub verify_url: &'a str,
    /// Signs the tree head the report is issued under (issue 21); `None`: no proof bundle.
    pub heads: Option<&'a chengxin_store::heads::Publisher>,
}

/// The records' latest change-log entries and their inclusion proofs in a head signed now.
async fn proofs(
    store: &dyn Store,
    heads: &chengxin_store::heads::Publisher,
    records: &[Uuid],
) -> AppResult<(String, Vec<EntryProof>)> {
    // The entries first, then the head: a head signed after the read covers every entry read,
    // even when a record changes meanwhile (its newer entry is simply not the one proved).
    let ids: Vec<String> = records.iter().map(Uuid::to_string).collect();
    let latest = store.latest_entries("record", &ids).await?;
    heads.publish(store).await?;
    let head = store.latest_tree_head().await?.ok_or_else(|| {
        AppError::unavailable("变更日志尚无签名树头，暂不能出具附带存证证明的信用报告")
    })?;
    let mut entries = Vec::with_capacity(ids.len());
    for id in &ids {
        let Some(seq) = latest.get(id).copied() else {
            return Err(AppError::unavailable(format!(
                "记录 {id} 在变更日志中没有条目，无法出具存证证明"
            )));
        };
        let p = store.inclusion_proof(seq, head.size).await?;
        entries.push(EntryProof {
            entity_type: "record".into(),
            entity_id: id.clone(),
            seq,
            entry_hash: p.entry_hash,
            leaf_index: p.leaf_index,
            path: p.path.iter().map(hex::encode).collect(),
        });
    }
    Ok((head.note, entries))
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
    let (sections, records) = sections_and_records(store, subject, today).await?;
    let proofs = match settings.heads {
        Some(heads) => Some((heads.public_key(), proofs(store, heads, &records).await?)),
        None => None,
    };
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
        let bundle = proofs.as_ref().map(|(log_key, (head, entries))| {
            chengxin_report::bind(
                &signed,
                settings.key,
                log_key,
                head.clone(),
                entries.clone(),
            )
        });
        let pdf = chengxin_report::render_pdf_with_proofs(&signed, bundle.as_ref(), &url)
            .map_err(report_error)?;
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

/// How this deployment signs and prints reports: the key, the office's full name and the
/// absolute verification address (`public_url_missing` without it).
fn settings_of(app: &App) -> AppResult<IssueSettings<'_>> {
    let key = app.report_key.as_ref().ok_or_else(no_key)?;
    Ok(IssueSettings {
        key,
        issuer: app.report_issuer(),
        verify_url: app.report_verify_url()?,
        heads: app.heads.as_deref(),
    })
}

/// The public's credit report of an organisation, as 信用中国 offers it from the portal
/// archive: public information only (every report is), issued and kept like any other so
/// that 报告验真 confirms it, query-logged as the public's. A person, or an unknown id, is
/// not found: the portal issues reports on organisations only.
pub async fn issue_public(app: &App, caller: &Caller, subject_id: Uuid) -> AppResult<Issued> {
    let subject = app
        .store
        .subject(subject_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if subject.kind.is_person() {
        return Err(AppError::NotFound);
    }
    let mut e = caller.audit("query", "credit_report_issue_public", "ok");
    e.target = Some(subject_id.to_string());
    e.detail = serde_json::json!({"subject": subject_id});
    let issued = match settings_of(app) {
        Ok(settings) => {
            issue(
                app.store.as_ref(),
                &settings,
                "public",
                &subject,
                app.today(),
            )
            .await
        }
        Err(err) => Err(err),
    };
    match &issued {
        Ok(i) => {
            e.detail = serde_json::json!({
                "subject": subject.id,
                "report_no": i.signed.report.report_no,
                "content_sha256": i.row.content_sha256,
                "pdf_sha256": i.row.pdf_sha256,
            });
        }
        Err(err) => {
            e.outcome = "failed".into();
            e.detail["error"] = serde_json::json!(err.code());
        }
    }
    app.store.audit(&[e]).await?;
    issued
}

/// No signing key configured: reports can be neither issued nor checked from their PDF.
pub(crate) fn no_key() -> AppError {
    AppError::unavailable("未配置信用报告签名密钥")
}

/// The caller's own body is the subject (USCC compared as printed, ignoring case).
fn is_own(caller: &Caller, subject: &Subject) -> bool {
    match (&caller.body, &subject.uscc) {
        (Some(body), Some(uscc)) => {
            let (b, u) = (body.trim(), uscc.trim());
            !b.is_empty() && b.eq_ignore_ascii_case(u)
        }
        _ => false,
    }
}

fn not_own() -> AppError {
    AppError::forbidden("not_own_subject", "只能出具或下载本主体的信用报告")
}

/// Whether the caller may issue a report on `subject` (or download or view one issued on it).
pub fn may_issue(caller: &Caller, subject: &Subject) -> AppResult<()> {
    if caller.has(Permission::ReportsIssue) {
        let region = subject.region.as_deref().unwrap_or("000000");
        return caller
            .require_at(Permission::ReportsIssue, region)
            .map_err(AppError::concealing_item);
    }
    if caller.has(Permission::CreditReportOwn) {
        return if is_own(caller, subject) {
            Ok(())
        } else {
            Err(not_own())
        };
    }
    caller.require(Permission::ReportsIssue)
}

/// Issue a report on a subject as of now for the caller ([`may_issue`]), query-logged with
/// what it holds — refusals and failures too. A subject account learns nothing about other
/// subjects, not even whether they exist.
pub async fn issue_for(app: &App, caller: &Caller, subject_id: Uuid) -> AppResult<Issued> {
    let staff = caller.has(Permission::ReportsIssue);
    let mut e = caller.audit("query", "credit_report_issue", "ok");
    e.target = Some(subject_id.to_string());
    e.detail = serde_json::json!({"subject": subject_id});
    let subject = match app.store.subject(subject_id).await? {
        Some(s) => s,
        None if !staff => {
            e.outcome = "denied".into();
            app.store.audit(&[e]).await?;
            return Err(not_own());
        }
        None => return Err(AppError::NotFound),
    };
    if let Err(err) = may_issue(caller, &subject) {
        if !caller.is_anonymous() {
            e.outcome = "denied".into();
            app.store.audit(&[e]).await?;
        }
        return Err(err);
    }
    let settings = match settings_of(app) {
        Ok(s) => s,
        Err(err) => {
            e.outcome = "failed".into();
            e.detail["error"] = serde_json::json!(err.code());
            app.store.audit(&[e]).await?;
            return Err(err);
        }
    };
    let issued = match issue(
        app.store.as_ref(),
        &settings,
        &caller.actor,
        &subject,
        app.today(),
    )
    .await
    {
        Ok(i) => i,
        Err(err) => {
            e.outcome = "failed".into();
            e.detail["error"] = serde_json::json!(err.code());
            app.store.audit(&[e]).await?;
            return Err(err);
        }
    };
    let report = &issued.signed.report;
    e.detail = serde_json::json!({
        "subject": subject.id,
        "report_no": report.report_no,
        "content_sha256": issued.row.content_sha256,
        "pdf_sha256": issued.row.pdf_sha256,
        "sections": report.sections.iter()
            .map(|s| serde_json::json!({"title": s.title, "rows": s.table.rows.len()}))
            .collect::<Vec<_>>(),
    });
    app.store.audit(&[e]).await?;
    Ok(issued)
}

/// Whether the caller may download or view an issued report, found by its number: the rule
/// of [`may_issue`], and every refusal answers as an unknown number does (a number must not
/// tell whether it was issued, nor on whom).
pub fn may_read_issued(caller: &Caller, subject: &Subject) -> AppResult<()> {
    may_issue(caller, subject).map_err(|_| AppError::NotFound)
}

/// An issued report for download, exactly as issued: same rule as issuing ([`may_issue`]),
/// query-logged. A PDF that is not the one issued (a file edited in the database) is never
/// handed out.
pub async fn download(app: &App, caller: &Caller, report_no: &str) -> AppResult<CreditReportRow> {
    let no = clean_report_no(report_no).ok_or(AppError::NotFound)?;
    let row = app
        .store
        .credit_report(&no)
        .await?
        .ok_or(AppError::NotFound)?;
    let subject = app
        .store
        .subject(row.subject_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut e = caller.audit("query", "credit_report_download", "ok");
    e.target = Some(row.report_no.clone());
    e.detail = serde_json::json!({"subject": subject.id, "report_no": row.report_no});
    if let Err(err) = may_read_issued(caller, &subject) {
        e.outcome = "denied".into();
        app.store.audit(&[e]).await?;
        return Err(err);
    }
    app.store.audit(&[e]).await?;
    if hex::encode(Sha256::digest(&row.pdf)) != row.pdf_sha256 {
        return Err(StoreError::Corrupt(format!(
            "信用报告 {} 的 PDF 与登记的摘要不符",
            row.report_no
        ))
        .into());
    }
    Ok(row)
}
