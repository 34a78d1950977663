//! 重点任务分工: the quarter's progress overview as a PDF for the leadership group (领导小组),
//! besides the XLSX — the same overview ([`super::tasks::overview`], the same reach), printed
//! with the report crate's layout as a plain document (not signed: it is a working paper).

use chengxin_report::{Document, ReportError, Section, Table};
use chrono::FixedOffset;

use super::tasks::overview;
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

fn table(headers: &[&str], rows: Vec<Vec<String>>) -> Table {
    Table {
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows,
    }
}

fn report_error(e: ReportError) -> AppError {
    match e {
        ReportError::InvalidReport(_) => AppError::invalid("invalid_report", e.to_string()),
        other => AppError::unavailable(other),
    }
}

/// The overview of a quarter as a PDF, with its file name.
pub async fn export_pdf(
    app: &App,
    caller: &Caller,
    quarter: Option<&str>,
) -> AppResult<(String, Vec<u8>)> {
    let o = overview(app, caller, quarter).await?;
    let reported: usize = o.tasks.iter().map(|t| t.reported).sum();
    let overdue: usize = o.tasks.iter().map(|t| t.overdue).sum();
    let lines: usize = o.tasks.iter().map(|t| t.units.len()).sum();
    let tasks = Section {
        title: "按任务".into(),
        note: Some(format!(
            "每项任务的牵头单位和配合单位本季度的报送情况；报送截止日期 {}。",
            o.due_on
        )),
        table: table(
            &[
                "任务",
                "实施期限",
                "单位",
                "分工",
                "报送状态",
                "报送日期",
                "进展情况",
            ],
            o.tasks
                .iter()
                .flat_map(|k| {
                    k.units.iter().map(move |u| {
                        vec![
                            k.name.clone(),
                            k.period.clone(),
                            u.name.clone(),
                            if u.lead { "牵头" } else { "配合" }.to_string(),
                            u.status_name.clone(),
                            u.reported_on.map(|d| d.to_string()).unwrap_or_default(),
                            u.text
                                .as_deref()
                                .map(|t| t.chars().take(300).collect())
                                .unwrap_or_default(),
                        ]
                    })
                })
                .collect(),
        ),
    };
    let units = Section {
        title: "按单位".into(),
        note: None,
        table: table(
            &["单位", "承担任务数", "已报送", "待报送", "逾期未报"],
            o.units
                .iter()
                .map(|u| {
                    vec![
                        u.name.clone(),
                        u.tasks.to_string(),
                        u.reported.to_string(),
                        u.pending.to_string(),
                        u.overdue.to_string(),
                    ]
                })
                .collect(),
        ),
    };
    let cst = FixedOffset::east_opt(8 * 3600).ok_or_else(|| AppError::unavailable("时区无效"))?;
    let doc = Document {
        title: "重点任务分工推进情况".into(),
        subtitle: o.quarter_label.clone(),
        issuer: app.report_issuer().to_string(),
        issued_at: chengxin_store::clock::now().with_timezone(&cst),
        facts: vec![
            ("任务数".into(), o.tasks.len().to_string()),
            (
                "报送情况".into(),
                format!("应报 {lines} 项，已报 {reported} 项，逾期未报 {overdue} 项"),
            ),
        ],
        sections: vec![tasks, units],
    };
    let pdf = chengxin_report::render_document(&doc).map_err(report_error)?;
    Ok((format!("重点任务分工进展-{}.pdf", o.quarter), pdf))
}
