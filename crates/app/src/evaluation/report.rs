//! The signed PDF report of one target (a region, or a body) in one run (issue 20: "exported
//! … as a signed PDF report per region and period"): the total, grade and rank, the change
//! against the previous period and the same period last year, each dimension and each
//! indicator, and the deduction where one applied — built as a `chengxin_report::CreditReport`
//! and signed and rendered exactly like a credit report (Ed25519 over the canonical JSON, the
//! signed payload embedded in the PDF, so `extract_signed` + `verify` check it offline with the
//! deployment's report key). The report number is `PJ-<period>-<random>`; the QR code leads to
//! the portal's published rankings. Not kept: it is issued again from the stored run each time.

use std::collections::HashMap;

use chengxin_domain::subjects::SubjectKind;
use chengxin_report::{CreditReport, ReportSubject, Section, SignedReport, Table};
use chrono::{FixedOffset, Timelike};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

/// A signed, rendered evaluation report.
pub struct EvaluationReport {
    pub file_name: String,
    pub signed: SignedReport,
    pub pdf: Vec<u8>,
}

fn num(v: f64) -> String {
    format!("{v:.2}")
}

fn signed_num(v: Option<f64>) -> String {
    match v {
        Some(v) if v > 0.0 => format!("+{v:.2}"),
        Some(v) => format!("{v:.2}"),
        None => "—".into(),
    }
}

fn table(headers: &[&str], rows: Vec<Vec<String>>) -> Table {
    Table {
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows,
    }
}

fn report_no(period: &str) -> String {
    use rand::Rng as _;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    let tail: String = (0..8)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    format!("PJ-{}-{tail}", period.replace(['-', ' '], ""))
}

/// The report of `target` in run `run_id`, within the caller's reach (else not found).
pub async fn target_report(
    app: &App,
    caller: &Caller,
    run_id: Uuid,
    target: &str,
) -> AppResult<EvaluationReport> {
    super::require_read(caller)?;
    let key = app
        .report_key
        .as_ref()
        .ok_or_else(|| AppError::unavailable("未配置报告签名密钥，暂不能出具评价报告"))?;
    let e = super::explain(app, caller, Some(run_id), None, target, None).await?;
    let store = app.store.as_ref();
    let p: chengxin_domain::evaluation::Period = e.period.parse()?;
    let totals = |rows: Vec<(String, f64)>| -> HashMap<String, f64> { rows.into_iter().collect() };
    let prev = totals(store.eval_period_totals(&p.previous().to_string()).await?)
        .get(target)
        .copied();
    let last = totals(store.eval_period_totals(&p.last_year().to_string()).await?)
        .get(target)
        .copied();
    let diff = |b: Option<f64>| b.map(|b| ((e.score - b) * 100.0).round() / 100.0);
    let mut sections = vec![Section {
        title: "评价总分".into(),
        note: Some(format!(
            "指标体系 {}；第 {} 版{}。{}",
            e.system_version,
            e.run_version,
            if e.published {
                "（已发布）"
            } else {
                "（未发布）"
            },
            e.scaling.clone().unwrap_or_default()
        )),
        table: table(
            &[
                "评价期间",
                "得分",
                "满分",
                "等次",
                "同级排名",
                "上期得分",
                "较上期",
                "较上年同期",
            ],
            vec![vec![
                e.period_label.clone(),
                num(e.score),
                num(e.total),
                e.grade.clone(),
                format!("{} / {}", e.rank, e.rank_of),
                prev.map(num).unwrap_or_else(|| "—".into()),
                signed_num(diff(prev)),
                signed_num(diff(last)),
            ]],
        ),
    }];
    sections.push(Section {
        title: "维度得分".into(),
        note: None,
        table: table(
            &["维度", "满分", "得分", "失分"],
            e.dimensions
                .iter()
                .map(|d| vec![d.name.clone(), num(d.weight), num(d.points), num(d.lost)])
                .collect(),
        ),
    });
    sections.push(Section {
        title: "指标得分".into(),
        note: Some("“无数据”的指标不计入总分，总分按已计分指标的权重折算。".into()),
        table: table(
            &["代码", "指标", "数值", "满分", "得分", "失分", "情况"],
            e.indicators
                .iter()
                .map(|i| {
                    vec![
                        i.code.clone(),
                        i.name.clone(),
                        i.value
                            .map(|v| format!("{v:.2} {}", i.unit))
                            .unwrap_or_else(|| "—".into()),
                        num(i.weight),
                        num(i.points),
                        num(i.lost),
                        match i.status.as_str() {
                            "ok" => "已计分".to_string(),
                            "no_data" => "无数据".to_string(),
                            _ => i.note.clone().unwrap_or_else(|| "计算出错".into()),
                        },
                    ]
                })
                .collect(),
        ),
    });
    if let Some(d) = &e.deduction {
        sections.push(Section {
            title: "扣减政务诚信得分".into(),
            note: Some(format!(
                "指标得分 {}，扣减 {} 分（每条在效名单扣 {} 分）。",
                num(d.before),
                num(d.points),
                super::DEDUCTION_POINTS
            )),
            table: table(
                &["名单", "生效日期", "扣减"],
                d.entries
                    .iter()
                    .map(|en| {
                        vec![
                            en.list_name.clone(),
                            en.effective_from.map(|f| f.to_string()).unwrap_or_default(),
                            num(en.points),
                        ]
                    })
                    .collect(),
            ),
        });
    }
    let cst = FixedOffset::east_opt(8 * 3600).ok_or_else(|| AppError::unavailable("时区无效"))?;
    let now = chengxin_store::clock::now();
    let issued_at = now.with_nanosecond(0).unwrap_or(now).with_timezone(&cst);
    let report = CreditReport {
        report_no: report_no(&e.period),
        issued_at,
        issuer: app.report_issuer().to_string(),
        subject: ReportSubject {
            name: format!("{}（政务诚信监测评价报告）", e.target_name),
            code: e.target.clone(),
            kind: SubjectKind::GovBody,
        },
        sections,
    };
    let signed = chengxin_report::sign(&report, key)
        .map_err(|x| AppError::invalid("invalid_report", x.to_string()))?;
    // The QR code: the portal's published rankings of the period (where configured).
    let url = match app.report_verify_url() {
        Ok(v) => format!(
            "{}/portal/evaluation?period={}",
            v.trim_end_matches("/portal/verify").trim_end_matches('/'),
            e.period
        ),
        Err(_) => format!("/portal/evaluation?period={}", e.period),
    };
    let pdf = chengxin_report::render_pdf(&signed, &url).map_err(AppError::unavailable)?;
    Ok(EvaluationReport {
        file_name: format!("政务诚信评价报告-{}-{}.pdf", e.target, e.period),
        signed,
        pdf,
    })
}
