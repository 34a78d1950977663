//! Working days on the official calendar (statutory holidays and 调休 included).

use chengxin_domain::calendar::WorkCalendar;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use chengxin_access::Permission;
use chengxin_domain::calendar::CalendarDoc;
use chengxin_store::Store;

use crate::auth::Caller;
use crate::context::App;
use crate::error::{AppError, AppResult};
use crate::health::Warning;

/// Most working days [`add`] counts.
pub const MAX_ADD: u32 = 1000;

#[derive(Debug, Serialize, ToSchema)]
pub struct AddResult {
    pub date: NaiveDate,
    pub n: u32,
    /// The n-th working day after `date`.
    pub result: NaiveDate,
    /// Counted over a year whose holidays are not published yet (Monday–Friday): recount when
    /// they are.
    pub provisional: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BetweenResult {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Working days d with from < d <= to (negative when `to` is before `from`).
    pub working_days: i64,
    /// Counted over a year whose holidays are not published yet (Monday–Friday).
    pub provisional: bool,
}

/// The calendar in effect: the shipped years with the years loaded at run time merged in,
/// answering provisionally (Monday–Friday) past them. Read from the store at each use, so a
/// load applies at once, in every process, without a restart.
pub async fn in_effect(store: &dyn Store) -> AppResult<WorkCalendar> {
    // The shipped file must load (it is the base the loaded years merge into).
    WorkCalendar::official_checked()
        .map_err(|e| AppError::unavailable(format!("工作日历数据不可用：{e}")))?;
    Ok(chengxin_store::effective_calendar(store)
        .await?
        .with_provisional_years())
}

/// The n-th working day after `date` (`n` at most [`MAX_ADD`]).
pub async fn add(store: &dyn Store, date: NaiveDate, n: u32) -> AppResult<AddResult> {
    if n > MAX_ADD {
        return Err(AppError::invalid("invalid_query", "n 不能超过 1000"));
    }
    let cal = in_effect(store).await?;
    let result = cal.add_working_days(date, n)?;
    Ok(AddResult {
        date,
        n,
        result,
        provisional: cal.is_provisional(result) || cal.is_provisional(date),
    })
}

/// Working days d with `from` < d <= `to`.
pub async fn between(
    store: &dyn Store,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<BetweenResult> {
    let cal = in_effect(store).await?;
    let working_days = cal.working_days_between(from, to)?;
    Ok(BetweenResult {
        from,
        to,
        working_days,
        provisional: cal.is_provisional(from) || cal.is_provisional(to),
    })
}

/// What loading a year's holiday schedule did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LoadReport {
    /// Years not covered before.
    pub added: Vec<i32>,
    /// Years covered before with different content, replaced as asked.
    pub replaced: Vec<i32>,
    /// Years covered before with the same content: nothing written.
    pub unchanged: Vec<i32>,
    pub first_year: i32,
    pub last_year: i32,
    /// Closed-loop cases whose deadlines moved (their departments are told).
    pub cases_recounted: usize,
    /// Credit-rights applications whose deadline moved (a notice to whoever acts next).
    pub applications_recounted: usize,
    /// List entries in publicity whose window's last day moved (a notice in the audit log).
    pub entries_recounted: usize,
}

/// Load a validated calendar document ([`chengxin_domain::calendar::CalendarDoc::parse`]) as
/// `actor` from the file `source`; then count again every running deadline — those computed
/// provisionally (Monday–Friday) in the added years and any in replaced years — and tell
/// their owners: a case's department by an audit notice, an application's next party by a
/// notice on the application. Applied at once, without a restart, in every process.
pub async fn load(
    store: &dyn Store,
    actor: &str,
    source: &str,
    doc: &chengxin_domain::calendar::CalendarDoc,
    replace: bool,
) -> AppResult<LoadReport> {
    let loaded = chengxin_store::load_calendar(store, actor, source, doc, replace).await?;
    let changed = !loaded.added.is_empty() || !loaded.replaced.is_empty();
    let (cases, applications, entries) = if changed {
        // The calendar the load produced: no second read of the store.
        let cal = loaded.calendar.clone().with_provisional_years();
        (
            recount_cases(store, actor, &cal).await?,
            recount_applications(store, actor, &cal).await?,
            recount_entries(store, actor, &cal).await?,
        )
    } else {
        (0, 0, 0)
    };
    Ok(LoadReport {
        added: loaded.added,
        replaced: loaded.replaced,
        unchanged: loaded.unchanged,
        first_year: loaded.first_year,
        last_year: loaded.last_year,
        cases_recounted: cases,
        applications_recounted: applications,
        entries_recounted: entries,
    })
}

/// Count running cases' deadlines again; one that cannot be is recorded and skipped.
async fn recount_cases(store: &dyn Store, actor: &str, cal: &WorkCalendar) -> AppResult<usize> {
    let joint =
        chengxin_domain::lists::JointCatalog::default_checked().map_err(AppError::unavailable)?;
    let open = store
        .cases(&chengxin_store::CaseFilter {
            open_only: true,
            limit: Some(1_000_000),
            ..Default::default()
        })
        .await?;
    let mut n = 0;
    let mut events = Vec::new();
    for row in &open {
        let recounted =
            crate::cases::case_of(row).and_then(|c| Ok(c.recount(joint.closed_loop(), cal)?));
        let mut e = chengxin_store::AuditEvent::new(actor, "case", "case_deadline_recounted", "ok");
        e.target = Some(row.id.clone());
        match recounted {
            Ok(None) => continue,
            Ok(Some(case)) => {
                let new = crate::cases::row_of(
                    row.entry_id,
                    &case,
                    row.region.clone(),
                    row.version + 1,
                    row.created_at,
                )?;
                match store.write_cases(actor, &[], &[(new, row.version)]).await {
                    Ok(()) => {}
                    // Changed meanwhile: its next step was counted on the new calendar.
                    Err(chengxin_store::StoreError::Conflict { .. }) => continue,
                    Err(err) => return Err(err.into()),
                }
                e.detail = serde_json::json!({
                    "department": row.department, "step": row.step,
                    "due_before": row.next_due, "due": case.next_due,
                    "notice": format!("节假日安排已载入，下一步办理期限重新计算为 {}", case.next_due.map(|d| d.to_string()).unwrap_or_default()),
                });
                n += 1;
            }
            Err(err) => {
                e.action = "case_deadline_recount_failed".into();
                e.outcome = "failed".into();
                e.detail = serde_json::json!({"code": err.code(), "reason": err.to_string()});
            }
        }
        events.push(e);
    }
    // The notices in one write (one group entry in the change log).
    store.audit(&events).await?;
    Ok(n)
}

/// Count running applications' deadlines again, with a notice to whoever acts next.
async fn recount_applications(
    store: &dyn Store,
    actor: &str,
    cal: &WorkCalendar,
) -> AppResult<usize> {
    let open = store
        .applications(&chengxin_store::ApplicationFilter {
            open_only: true,
            limit: Some(1_000_000),
            ..Default::default()
        })
        .await?;
    let mut n = 0;
    for row in &open {
        let Ok(mut application) = crate::rights::app_of(row) else {
            continue;
        };
        let Ok(Some((before, after))) = application.recount_due(cal) else {
            continue;
        };
        if let Some(to) = application.next.clone() {
            application.notices.push(chengxin_domain::rights::Notice {
                at: chengxin_store::clock::now(),
                to,
                text: format!("节假日安排已载入，办理期限由 {before} 重新计算为 {after}"),
            });
        }
        let new = crate::rights::row_of(
            &application,
            row.access_hash.clone(),
            row.version + 1,
            row.created_at,
        )?;
        match store
            .write_application(
                actor,
                &new,
                Some(row.version),
                chengxin_store::TargetChange::None,
            )
            .await
        {
            Ok(_) => n += 1,
            Err(chengxin_store::StoreError::Conflict { .. }) => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(n)
}

/// Count the publicity windows of entries in publicity again; the move is told in the audit
/// log (the portal shows the new last day). One that cannot be counted is recorded and skipped.
async fn recount_entries(store: &dyn Store, actor: &str, cal: &WorkCalendar) -> AppResult<usize> {
    let joint =
        chengxin_domain::lists::JointCatalog::default_checked().map_err(AppError::unavailable)?;
    let mut n = 0;
    let mut events = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .list_entries(&chengxin_store::ListEntryFilter {
                status: Some("publicity".into()),
                after,
                limit: Some(10_000),
                ..Default::default()
            })
            .await?;
        after = page.last().map(|r| r.id);
        for row in &page {
            let mut e = chengxin_store::AuditEvent::new(
                actor,
                "list_entry",
                "entry_publicity_recounted",
                "ok",
            );
            e.target = Some(row.id.to_string());
            let entry: chengxin_domain::lists::ListEntry = match serde_json::from_value(
                row.entry.clone(),
            ) {
                Ok(entry) => entry,
                Err(err) => {
                    e.action = "entry_publicity_recount_failed".into();
                    e.outcome = "failed".into();
                    e.detail =
                        serde_json::json!({"code": "unreadable_entry", "reason": err.to_string()});
                    events.push(e);
                    continue;
                }
            };
            let Some(list) = joint.list(&entry.list) else {
                continue;
            };
            match entry.recount_publicity(list, cal) {
                Ok(None) => continue,
                Ok(Some(next)) => {
                    let Some(subject_id) = row.subject_id else {
                        continue;
                    };
                    let new = crate::lists::entry_row(
                        row.id,
                        subject_id,
                        &next,
                        row.version + 1,
                        row.created_at,
                    )?;
                    match store.update_list_entry(actor, &new, row.version).await {
                        Ok(()) => {}
                        // Changed meanwhile: counted on the new calendar by whoever changed it.
                        Err(chengxin_store::StoreError::Conflict { .. }) => continue,
                        Err(err) => return Err(err.into()),
                    }
                    let until = next
                        .publicity_until
                        .map(|d| d.to_string())
                        .unwrap_or_default();
                    e.detail = serde_json::json!({
                        "list": entry.list, "until_before": entry.publicity_until, "until": next.publicity_until,
                        "notice": format!("节假日安排已载入，公示期截止日重新计算为 {until}"),
                    });
                    n += 1;
                }
                Err(err) => {
                    e.action = "entry_publicity_recount_failed".into();
                    e.outcome = "failed".into();
                    e.detail = serde_json::json!({"code": err.code(), "reason": err.to_string()});
                }
            }
            events.push(e);
        }
        if page.len() < 10_000 {
            break;
        }
    }
    store.audit(&events).await?;
    Ok(n)
}

/// One covered year, as the console page, the API and `chengxin calendar show` list it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YearLine {
    pub year: i32,
    /// `shipped` (compiled into the program) or `loaded` (loaded at run time).
    pub origin: String,
    /// A loaded year that takes the place of a shipped one with different content.
    pub replaces_shipped: bool,
    /// The State Council notices the year follows.
    pub notices: Vec<String>,
    /// Holiday periods (name, first and last day).
    pub holidays: Vec<HolidayLine>,
    /// Weekend days worked (调休上班).
    pub workdays: Vec<NaiveDate>,
    /// For a loaded year: the file's name, who loaded it and when.
    pub source: Option<String>,
    pub loaded_by: Option<String>,
    pub loaded_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HolidayLine {
    pub name: String,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// The calendar in effect: its years and how long it still covers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarOverview {
    pub first_year: Option<i32>,
    pub last_year: Option<i32>,
    pub last_covered: Option<NaiveDate>,
    /// Days from today to the last covered day (negative past it).
    pub days_left: Option<i64>,
    pub years: Vec<YearLine>,
    /// From 60 days before the last covered day: load next year's schedule.
    pub warning: Option<Warning>,
}

/// The years of the calendar in effect on `today`, shipped and loaded.
pub async fn overview(store: &dyn Store, today: NaiveDate) -> AppResult<CalendarOverview> {
    let rows = store.calendar_years().await?;
    let calendar = chengxin_store::effective_calendar(store).await?;
    let shipped = WorkCalendar::official_checked()
        .map_err(|e| AppError::unavailable(format!("工作日历数据不可用：{e}")))?;
    let years: Vec<YearLine> = calendar
        .years()
        .map(|y| {
            let loaded = rows.iter().find(|r| r.year == y.year);
            YearLine {
                year: y.year,
                origin: if loaded.is_some() {
                    "loaded"
                } else {
                    "shipped"
                }
                .into(),
                replaces_shipped: loaded.is_some() && shipped.year(y.year).is_some_and(|s| s != y),
                notices: y.notices.clone(),
                holidays: y
                    .holidays
                    .iter()
                    .map(|h| HolidayLine {
                        name: h.name.clone(),
                        first: h.first,
                        last: h.last,
                    })
                    .collect(),
                workdays: y.workdays.iter().map(|w| w.date).collect(),
                source: loaded.map(|r| r.source.clone()),
                loaded_by: loaded.map(|r| r.loaded_by.clone()),
                loaded_at: loaded.map(|r| r.loaded_at),
            }
        })
        .collect();
    let covered = calendar.covered_years();
    Ok(CalendarOverview {
        first_year: (!years.is_empty()).then(|| *covered.start()),
        last_year: (!years.is_empty()).then(|| *covered.end()),
        last_covered: calendar.last_covered_day(),
        days_left: calendar.days_until_uncovered(today),
        warning: calendar.coverage_warning(today).map(|w| Warning {
            code: w.code().to_string(),
            message: w.message(),
        }),
        years,
    })
}

/// Longest calendar file accepted from an upload (the shipped file for a decade is ~30 KiB).
pub const MAX_UPLOAD_BYTES: usize = 256 * 1024;

/// An administrator (`settings_manage`) loads a year's holiday schedule from an uploaded
/// file's text: validated as strictly as `chengxin calendar load`, then loaded the same way
/// (change-logged, in effect at once, running deadlines counted again).
pub async fn upload(
    app: &App,
    caller: &Caller,
    source: &str,
    text: &str,
    replace: bool,
) -> AppResult<LoadReport> {
    caller.require(Permission::SettingsManage)?;
    if text.len() > MAX_UPLOAD_BYTES {
        return Err(AppError::invalid(
            "calendar_too_large",
            format!(
                "节假日安排文件过大（不超过 {} KiB）",
                MAX_UPLOAD_BYTES / 1024
            ),
        ));
    }
    let source = source
        .rsplit(['/', '\\'])
        .next()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("upload.toml");
    let doc = CalendarDoc::parse(text)?;
    load(app.store.as_ref(), &caller.actor, source, &doc, replace).await
}

/// An item with a deadline, and whether that deadline was counted provisionally (Monday–Friday,
/// over a year whose holidays are not loaded yet: it moves when the year is loaded).
#[derive(Debug, Clone, Serialize)]
pub struct WithDue<T> {
    #[serde(flatten)]
    pub item: T,
    pub due_provisional: bool,
}

/// Mark each item's deadline (`due_of`) provisional or not on the calendar in effect.
pub async fn mark_due<T>(
    store: &dyn Store,
    items: Vec<T>,
    due_of: impl Fn(&T) -> Option<NaiveDate>,
) -> AppResult<Vec<WithDue<T>>> {
    let cal = in_effect(store).await?;
    Ok(items
        .into_iter()
        .map(|item| WithDue {
            due_provisional: due_of(&item).is_some_and(|d| cal.is_provisional(d)),
            item,
        })
        .collect())
}
