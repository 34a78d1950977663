//! 重点任务分工: the task table (data, `chengxin_domain::work::tasks`), each unit's quarterly
//! progress report (每季度报送: text and attachments' descriptions), the reminder before a
//! quarter ends and the overdue flag after it (the daily job, [`remind`], through
//! [`crate::notify`]), and the overview per task and per unit for the leadership group, also
//! as XLSX (formula-neutralised).
//!
//! Reach: the credit office of the table's region sees the whole table; a unit sees the tasks
//! it leads or cooperates on, and reports for itself only.

use std::collections::HashMap;

use chengxin_access::Permission;
use chengxin_domain::work::tasks::{
    remind_on, report_status, KeyTask, Quarter, ReportStatus, TaskTable, TaskUnit,
};
use chengxin_domain::work::MAX_TEXT;
use chengxin_store::{Store, SubjectFilter, TaskReportRow};
use chrono::{NaiveDate, SubsecRound};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::steps::check_attachments;
use super::{is_office, own_body, text, Attachment};
use crate::auth::{uscc_region, Caller};
use crate::error::{AppError, AppResult};
use crate::notify::{self, Notice, To};
use crate::App;

/// The actor of the reminders.
pub const ACTOR: &str = "system:work_tasks";

/// The shipped table (`work_types_invalid` if the file is broken).
pub fn table() -> AppResult<&'static TaskTable> {
    TaskTable::shipped().map_err(|e| AppError::invalid(e.code(), e.to_string()))
}

/// A unit's USCC: as the table gives it, else the registered body of its name.
async fn resolve(
    store: &dyn Store,
    cache: &mut HashMap<String, Option<String>>,
    u: &TaskUnit,
) -> AppResult<Option<String>> {
    if let Some(c) = &u.uscc {
        return Ok(Some(c.trim().to_ascii_uppercase()));
    }
    if let Some(c) = cache.get(&u.name) {
        return Ok(c.clone());
    }
    let found = store
        .list_subjects(&SubjectFilter {
            name_exact: Some(u.name.clone()),
            limit: 2,
            ..Default::default()
        })
        .await?;
    let code = match found.as_slice() {
        [one] => one.uscc.clone(),
        _ => None,
    };
    cache.insert(u.name.clone(), code.clone());
    Ok(code)
}

/// A progress report.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ReportRequest {
    /// The task's code.
    pub task: String,
    /// `2026Q4`; the current quarter when absent.
    pub quarter: Option<String>,
    pub text: String,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// One unit on one task in a quarter.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitLine {
    pub name: String,
    pub uscc: Option<String>,
    /// 牵头单位 (else 配合单位).
    pub lead: bool,
    /// `reported`, `reported_late`, `pending`, `overdue`.
    #[schema(value_type = String)]
    pub status: ReportStatus,
    pub status_name: String,
    pub reported_on: Option<NaiveDate>,
    pub text: Option<String>,
    pub files: usize,
}

/// One task in a quarter.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskLine {
    pub code: String,
    pub name: String,
    pub basis: String,
    pub period: String,
    pub units: Vec<UnitLine>,
    pub reported: usize,
    pub overdue: usize,
}

/// One unit over the quarter's tasks.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitSummary {
    pub name: String,
    pub tasks: usize,
    pub reported: usize,
    pub pending: usize,
    pub overdue: usize,
}

/// The overview of a quarter.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskOverview {
    pub quarter: String,
    pub quarter_label: String,
    /// Reports are due by this day.
    pub due_on: NaiveDate,
    pub tasks: Vec<TaskLine>,
    pub units: Vec<UnitSummary>,
}

fn quarter_of(s: Option<&str>, today: NaiveDate) -> AppResult<Quarter> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Quarter::of(today)),
        Some(q) => Quarter::parse(q).ok_or_else(|| {
            AppError::invalid(
                "quarter_invalid",
                format!("“{q}”不是有效的季度（如 2026Q4）"),
            )
        }),
    }
}

/// Whether the caller sees the whole table (the office of its region).
fn sees_all(caller: &Caller, t: &TaskTable) -> bool {
    is_office(caller) && caller.reaches(Permission::SupervisionManage, &t.region)
}

/// The overview of a quarter (the current one when `quarter` is absent).
pub async fn overview(
    app: &App,
    caller: &Caller,
    quarter: Option<&str>,
) -> AppResult<TaskOverview> {
    super::require_any(caller)?;
    let t = table()?;
    let q = quarter_of(quarter, app.today())?;
    let all = sees_all(caller, t);
    let mine = own_body(caller);
    if !all && mine.is_none() {
        return Err(AppError::NotFound);
    }
    let today = app.today();
    let reports: HashMap<(String, String), TaskReportRow> = app
        .store
        .task_reports(Some(&q.to_string()))
        .await?
        .into_iter()
        .map(|r| ((r.task_code.clone(), r.unit_uscc.clone()), r))
        .collect();
    let mut cache = HashMap::new();
    let mut tasks = Vec::new();
    let mut units: Vec<UnitSummary> = Vec::new();
    for k in t.tasks.iter().filter(|k| k.active_in(q)) {
        let mut lines = Vec::new();
        for (u, lead) in k.units() {
            let code = resolve(app.store.as_ref(), &mut cache, u).await?;
            let r = code
                .as_ref()
                .and_then(|c| reports.get(&(k.code.clone(), c.clone())));
            let status = report_status(q, r.map(|r| r.on_date), today);
            lines.push(UnitLine {
                name: u.name.clone(),
                uscc: code,
                lead,
                status,
                status_name: status.label().to_string(),
                reported_on: r.map(|r| r.on_date),
                text: r.map(|r| r.text.clone()),
                files: r.map_or(0, |r| {
                    serde_json::from_str::<Vec<serde_json::Value>>(&r.files).map_or(0, |v| v.len())
                }),
            });
        }
        if !all && !lines.iter().any(|l| l.uscc.is_some() && l.uscc == mine) {
            continue;
        }
        for l in &lines {
            let s = match units.iter_mut().find(|s| s.name == l.name) {
                Some(s) => s,
                None => {
                    units.push(UnitSummary {
                        name: l.name.clone(),
                        tasks: 0,
                        reported: 0,
                        pending: 0,
                        overdue: 0,
                    });
                    units.last_mut().ok_or(AppError::NotFound)?
                }
            };
            s.tasks += 1;
            match l.status {
                ReportStatus::Reported | ReportStatus::ReportedLate => s.reported += 1,
                ReportStatus::Pending => s.pending += 1,
                ReportStatus::Overdue => s.overdue += 1,
            }
        }
        tasks.push(TaskLine {
            code: k.code.clone(),
            name: k.name.clone(),
            basis: k.basis.clone(),
            period: format!("{} 至 {}", k.from.label(), k.to.label()),
            reported: lines
                .iter()
                .filter(|l| {
                    matches!(
                        l.status,
                        ReportStatus::Reported | ReportStatus::ReportedLate
                    )
                })
                .count(),
            overdue: lines
                .iter()
                .filter(|l| l.status == ReportStatus::Overdue)
                .count(),
            units: lines,
        });
    }
    Ok(TaskOverview {
        quarter: q.to_string(),
        quarter_label: q.label(),
        due_on: q.last_day(),
        tasks,
        units,
    })
}

/// Report a quarter's progress on a task, as one of its units.
pub async fn report(app: &App, caller: &Caller, req: ReportRequest) -> AppResult<UnitLine> {
    super::require_any(caller)?;
    let t = table()?;
    let today = app.today();
    let q = quarter_of(req.quarter.as_deref(), today)?;
    let k: &KeyTask = t.get(req.task.trim()).ok_or_else(|| {
        AppError::invalid(
            "task_unknown",
            format!("重点任务分工表中没有任务“{}”", req.task.trim()),
        )
    })?;
    let Some(mine) = own_body(caller) else {
        return Err(AppError::forbidden(
            "not_task_unit",
            "只有该任务的牵头或配合单位可以报送进展",
        ));
    };
    let mut cache = HashMap::new();
    let mut unit = None;
    for (u, lead) in k.units() {
        if resolve(app.store.as_ref(), &mut cache, u).await?.as_deref() == Some(mine.as_str()) {
            unit = Some((u, lead));
        }
    }
    let Some((u, lead)) = unit else {
        return Err(AppError::forbidden(
            "not_task_unit",
            format!("本单位不是任务“{}”的牵头或配合单位", k.name),
        ));
    };
    if !k.active_in(q) {
        return Err(AppError::invalid(
            "quarter_outside_task",
            format!(
                "任务“{}”的报送期间为 {} 至 {}，不含{}",
                k.name,
                k.from.label(),
                k.to.label(),
                q.label()
            ),
        ));
    }
    if q.first_day() > today {
        return Err(AppError::invalid(
            "quarter_in_future",
            format!("{}尚未开始，不能报送", q.label()),
        ));
    }
    let body = text(&req.text, "进展情况", MAX_TEXT, true)?;
    check_attachments(&req.attachments)?;
    let files: Vec<serde_json::Value> = req
        .attachments
        .iter()
        .map(|a| {
            serde_json::json!({
                "name": a.name.trim(),
                "size": a.size,
                "sha256": a.sha256.trim().to_ascii_lowercase(),
            })
        })
        .collect();
    let now = chengxin_store::clock::now().trunc_subsecs(6);
    let row = TaskReportRow {
        id: Uuid::now_v7(),
        task_code: k.code.clone(),
        quarter: q.to_string(),
        unit_uscc: mine.clone(),
        unit_name: u.name.clone(),
        region: uscc_region(&mine),
        text: body.clone(),
        files: serde_json::Value::Array(files.clone()).to_string(),
        reported_by: caller.actor.clone(),
        on_date: today,
        at: now,
    };
    let notice = Notice {
        to: vec![To::Office(t.region.clone())],
        region: t.region.clone(),
        topic: "work_task_report",
        title: format!("重点任务进展报送：{}（{}）", k.name, q.label()),
        body: format!("{}报送了{}“{}”的进展情况。", u.name, q.label(), k.name),
        link: Some(format!("/console/work/tasks?quarter={q}")),
        once: Some(format!("task:{}:{q}:{mine}:report", k.code)),
    };
    let created = app
        .store
        .create_task_report(&caller.actor, &row, &notify::rows(&[notice]))
        .await?;
    if !created {
        return Err(AppError::conflict(
            "task_report_exists",
            format!("本单位已报送{}“{}”的进展", q.label(), k.name),
        ));
    }
    let status = report_status(q, Some(today), today);
    Ok(UnitLine {
        name: u.name.clone(),
        uscc: Some(mine),
        lead,
        status,
        status_name: status.label().to_string(),
        reported_on: Some(today),
        text: Some(body),
        files: files.len(),
    })
}

const HEADERS: [&str; 9] = [
    "季度",
    "重点任务",
    "报送期间",
    "单位",
    "分工",
    "报送状态",
    "报送日期",
    "进展情况",
    "附件数",
];

/// The overview as an XLSX workbook (one row per task and unit), with its file name.
pub async fn export(
    app: &App,
    caller: &Caller,
    quarter: Option<&str>,
) -> AppResult<(String, Vec<u8>)> {
    let o = overview(app, caller, quarter).await?;
    let mut rows = Vec::new();
    for k in &o.tasks {
        for u in &k.units {
            rows.push(vec![
                o.quarter_label.clone(),
                k.name.clone(),
                k.period.clone(),
                u.name.clone(),
                if u.lead {
                    "牵头单位"
                } else {
                    "配合单位"
                }
                .to_string(),
                u.status_name.clone(),
                u.reported_on.map(|d| d.to_string()).unwrap_or_default(),
                u.text.clone().unwrap_or_default(),
                u.files.to_string(),
            ]);
        }
    }
    let bytes = chengxin_ingest::report::write_table_xlsx("重点任务分工", &HEADERS, rows)
        .map_err(AppError::unavailable)?;
    Ok((format!("重点任务分工进展-{}.xlsx", o.quarter), bytes))
}

/// What the daily reminder did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RemindReport {
    pub reminders: usize,
    pub overdue: usize,
    /// Inbox items stored (a reminder already sent is not sent again).
    pub notifications: usize,
}

/// The day's reminders: from `remind_before_working_days` before a quarter's last day, each
/// unit that has not reported is reminded (once); after it, each unit that did not report is
/// flagged overdue to itself and the office (once per quarter). Idempotent.
pub async fn remind(store: &dyn Store, today: NaiveDate) -> AppResult<RemindReport> {
    let t = table()?;
    let cal = crate::calendar::in_effect(store).await?;
    let mut report = RemindReport::default();
    let mut notices = Vec::new();
    let mut cache = HashMap::new();
    let current = Quarter::of(today);
    let prev = current.prev();
    let remind_from = remind_on(current, t.remind_before_working_days, &cal)?;
    for (q, overdue) in [(current, false), (prev, true)] {
        if !overdue && today < remind_from {
            continue;
        }
        let reported: std::collections::HashSet<(String, String)> = store
            .task_reports(Some(&q.to_string()))
            .await?
            .into_iter()
            .map(|r| (r.task_code, r.unit_uscc))
            .collect();
        for k in t.tasks.iter().filter(|k| k.active_in(q)) {
            for (u, _) in k.units() {
                let Some(code) = resolve(store, &mut cache, u).await? else {
                    continue;
                };
                if reported.contains(&(k.code.clone(), code.clone())) {
                    continue;
                }
                let region = uscc_region(&code);
                if overdue {
                    report.overdue += 1;
                    notices.push(Notice {
                        to: vec![To::Body(code.clone()), To::Office(t.region.clone())],
                        region,
                        topic: "work_task_overdue",
                        title: format!("重点任务逾期未报送：{}（{}）", k.name, q.label()),
                        body: format!(
                            "{}未在 {} 前报送{}“{}”的进展情况，已标记为逾期。",
                            u.name,
                            q.last_day(),
                            q.label(),
                            k.name
                        ),
                        link: Some(format!("/console/work/tasks?quarter={q}")),
                        once: Some(format!("task:{}:{q}:{code}:overdue", k.code)),
                    });
                } else {
                    report.reminders += 1;
                    notices.push(Notice {
                        to: vec![To::Body(code.clone())],
                        region,
                        topic: "work_task_remind",
                        title: format!("重点任务进展报送提醒：{}（{}）", k.name, q.label()),
                        body: format!(
                            "请于 {} 前报送{}“{}”的进展情况。",
                            q.last_day(),
                            q.label(),
                            k.name
                        ),
                        link: Some(format!("/console/work/tasks?quarter={q}")),
                        once: Some(format!("task:{}:{q}:{code}:remind", k.code)),
                    });
                }
            }
        }
    }
    let rows = notify::rows(&notices);
    if !rows.is_empty() {
        report.notifications = store.add_notifications(ACTOR, &rows).await?.len();
    }
    Ok(report)
}
