//! The 诚信档案 as a signed PDF for 录用/调任/评优 checks: built like a credit report
//! (`chengxin-report`: signed canonical JSON, the PDF with its QR code and embedded payload),
//! kept in `credit_reports` under a `CXDA-` number so that 报告验真 (number + 验证码, or the
//! PDF itself) works for the receiving department as for any credit report.

use chengxin_report::{CreditReport, ReportError, Section, Table};
use chengxin_store::{CreditReportRow, StoreError};
use chrono::{DateTime, FixedOffset, Timelike, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::file::{admit, build, IntegrityFile};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

/// Prefix of a 诚信档案's number: `CXDA-YYYYMMDD-XXXXXXXX`.
pub const FILE_NO_PREFIX: &str = "CXDA";

/// An issued file: its number, 验证码 and PDF.
pub struct IssuedFile {
    pub report_no: String,
    pub verification_code: String,
    pub pdf: Vec<u8>,
}

fn report_error(e: ReportError) -> AppError {
    match e {
        ReportError::InvalidReport(_) => AppError::invalid("invalid_report", e.to_string()),
        other => AppError::unavailable(other),
    }
}

fn file_no(day: chrono::NaiveDate) -> String {
    // The credit report's number with this prefix: same alphabet, same length.
    let n = crate::credit_reports::new_report_no(day);
    match n.split_once('-') {
        Some((_, rest)) => format!("{FILE_NO_PREFIX}-{rest}"),
        None => n,
    }
}

fn day(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "至今".into())
}

fn table(headers: &[&str], rows: Vec<Vec<String>>) -> Table {
    Table {
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows,
    }
}

/// The file's sections, in the order printed.
pub fn sections(f: &IntegrityFile, as_of: chrono::NaiveDate) -> Vec<Section> {
    vec![
        Section {
            title: "公务员诚信档案".into(),
            note: Some(format!(
                "本档案汇集截至 {as_of} 平台登记的任职经历、涉及本人的信用记录、诚信教育情况和本人承担责任的承诺与失信违约，供录用、调任、评优等审查使用。"
            )),
            table: table(
                &["姓名", "身份证件号码"],
                vec![vec![f.name.clone(), f.id_masked.clone().unwrap_or_else(|| "未登记".into())]],
            ),
        },
        Section {
            title: "任职经历".into(),
            note: None,
            table: table(
                &["单位", "职务/岗位", "主要负责人", "起始日期", "终止日期"],
                f.employments
                    .iter()
                    .map(|e| {
                        vec![
                            e.body_name.clone(),
                            e.post.clone(),
                            if e.principal { "是" } else { "否" }.into(),
                            e.start_date.to_string(),
                            day(e.end_date),
                        ]
                    })
                    .collect(),
            ),
        },
        Section {
            title: "处分、问责、考核及表彰等记录".into(),
            note: None,
            table: table(
                &["信息类型", "类别", "文书号", "决定日期", "状态"],
                f.records
                    .iter()
                    .map(|r| {
                        vec![
                            r.type_name.clone(),
                            r.class.clone(),
                            r.doc_no.clone(),
                            r.decision_date.to_string(),
                            r.status.clone(),
                        ]
                    })
                    .collect(),
            ),
        },
        Section {
            title: "诚信教育".into(),
            note: Some(format!("累计 {} 学时。", f.training_hours)),
            table: table(
                &["课程", "培训日期", "学时", "主办单位"],
                f.trainings
                    .iter()
                    .map(|t| vec![t.course.clone(), t.held_on.to_string(), t.hours.clone(), t.organiser.clone()])
                    .collect(),
            ),
        },
        Section {
            title: "承担责任的承诺与失信违约".into(),
            note: Some("本人任承诺主体主要负责人期间作出、到期或被认定违约的承诺，以及本人任 PPP 项目阶段政府方责任人或政府方主要负责人期间发生的失信违约。".into()),
            table: table(
                &["类别", "编号", "名称", "单位", "事项", "日期", "本人职务"],
                f.responsibilities
                    .iter()
                    .map(|r| {
                        vec![
                            r.kind.clone(),
                            r.item_no.clone(),
                            r.title.clone(),
                            r.body_name.clone(),
                            r.event.clone(),
                            r.day.to_string(),
                            r.role.clone(),
                        ]
                    })
                    .collect(),
            ),
        },
    ]
}

/// Issue a person's 诚信档案 as a signed PDF: same rule as opening it (purpose,
/// `personal_data_decrypt`, jurisdiction — out of reach is 404), query-logged with the
/// number and digests, kept with its change-log entry.
pub async fn issue_file_pdf(
    app: &App,
    caller: &Caller,
    person_id: Uuid,
    purpose: &str,
) -> AppResult<IssuedFile> {
    let person = app.store.subject(person_id).await?;
    let (person, mut e) = admit(app, caller, person, purpose, "integrity_file_pdf").await?;
    let key = app
        .report_key
        .as_ref()
        .ok_or_else(|| AppError::unavailable("未配置信用报告签名密钥"))?;
    let file = build(app, &person).await?;
    let now = chengxin_store::changelog::now();
    let issued_at: DateTime<Utc> = now.with_nanosecond(0).unwrap_or(now);
    let cst = FixedOffset::east_opt(8 * 3600).ok_or_else(|| AppError::unavailable("时区无效"))?;
    let shown = issued_at.with_timezone(&cst);
    let subject = crate::credit_reports::report_subject(&person)?;
    let sections = sections(&file, app.today());
    let verify_url = app.report_verify_url()?.to_string();
    let mut last = None;
    for _ in 0..3 {
        let report = CreditReport {
            report_no: file_no(shown.date_naive()),
            issued_at: shown,
            issuer: app.report_issuer().to_string(),
            subject: subject.clone(),
            sections: sections.clone(),
        };
        let signed = chengxin_report::sign(&report, key).map_err(report_error)?;
        let url = format!(
            "{}?no={}&code={}",
            verify_url, report.report_no, signed.verification_code
        );
        let pdf = chengxin_report::render_pdf(&signed, &url).map_err(report_error)?;
        let row = CreditReportRow {
            report_no: report.report_no.clone(),
            subject_id: person.id,
            issued_at,
            issued_by: caller.actor.clone(),
            key_id: signed.key_id.clone(),
            content_sha256: signed.content_sha256_hex.clone(),
            verification_code: signed.verification_code.clone(),
            signed: serde_json::to_value(&signed).map_err(AppError::unavailable)?,
            pdf_sha256: hex::encode(Sha256::digest(&pdf)),
            pdf,
        };
        match app.store.create_credit_report(&caller.actor, &row).await {
            Ok(()) => {
                e.detail["returned"] = serde_json::json!(1);
                e.detail["report_no"] = serde_json::json!(row.report_no);
                e.detail["content_sha256"] = serde_json::json!(row.content_sha256);
                e.detail["pdf_sha256"] = serde_json::json!(row.pdf_sha256);
                app.store.audit(&[e]).await?;
                return Ok(IssuedFile {
                    report_no: row.report_no,
                    verification_code: row.verification_code,
                    pdf: row.pdf,
                });
            }
            Err(StoreError::Duplicate(m)) => last = Some(StoreError::Duplicate(m)),
            Err(err) => return Err(err.into()),
        }
    }
    Err(last
        .map(AppError::from)
        .unwrap_or_else(|| AppError::unavailable("无法生成档案编号")))
}
