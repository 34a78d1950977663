//! `chengxin bench work-items`: the work-item queues and the daily deadline sweep over N items
//! (issue 19: first page of a queue over 1,000,000 items in at most 100 ms; the sweep over
//! 1,000,000 open items in at most 10 s; SQLite and PostgreSQL). The items (five types, 60
//! owner bodies in six districts of 常州, four in five open, due over the 1,000 days around
//! today) are written straight into a scratch database, marked as yesterday's sweep left them;
//! then each queue's first page (the store query and the page's parties, as the use case reads
//! them) is timed 20 times, and today's sweep, then a second one (idempotent: nothing sent).
//! Last, with `--hotline N`, a generated 12345 export of N rows (60 bodies of 常州 by code and
//! name, one in a hundred rows repeated) is imported through the use case as the city's credit
//! office, then imported again (idempotent: nothing created).

use std::path::Path;
use std::time::Instant;

use chengxin_domain::calendar::WorkCalendar;
use chengxin_domain::work::{stage_due, WorkTypes};
use chengxin_store::bench::{BenchWorkItem, ScratchFile, ScratchSchema, WorkFixture};
use chengxin_store::WorkFilter;
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use uuid::Uuid;

const REGIONS: [&str; 6] = ["320402", "320404", "320411", "320412", "320413", "320481"];
const KINDS: [(&str, &str); 5] = [
    ("audit_finding", "rectifying"),
    ("inspection_finding", "rectifying"),
    ("finance_finding", "rectifying"),
    ("npc_suggestion", "handling"),
    ("cppcc_proposal", "handling"),
];

#[derive(Debug, Default, Serialize)]
pub struct QueueTiming {
    pub queue: String,
    pub rows: usize,
    pub p50_ms: f64,
    pub max_ms: f64,
}

#[derive(Debug, Default, Serialize)]
pub struct BackendReport {
    pub backend: String,
    pub items: u64,
    pub open_items: u64,
    pub load_seconds: f64,
    pub queues: Vec<QueueTiming>,
    pub sweep_seconds: f64,
    pub looked_at: usize,
    pub reminders: usize,
    pub escalations: usize,
    pub notifications: usize,
    pub failed: usize,
    pub second_sweep_seconds: f64,
    pub second_sweep_notifications: usize,
    pub hotline_rows: u64,
    pub hotline_seconds: f64,
    pub hotline_rows_per_second: f64,
    pub hotline_created: usize,
    pub hotline_again_seconds: f64,
    pub hotline_again_rows_per_second: f64,
    pub hotline_again_created: usize,
}

#[derive(Debug, Default, Serialize)]
pub struct WorkItemsReport {
    pub backends: Vec<BackendReport>,
}

fn body(n: u64) -> (String, String) {
    let region = REGIONS[usize::try_from(n % 6).unwrap_or(0)];
    (format!("11{region}MB{:07}X", n % 60), region.to_string())
}

fn items(
    from: u64,
    to: u64,
    today: NaiveDate,
    types: &WorkTypes,
    cal: &WorkCalendar,
) -> anyhow::Result<(Vec<BenchWorkItem>, u64)> {
    let yesterday = today - Duration::days(1);
    let mut out = Vec::new();
    let mut open = 0;
    for n in from..to {
        let (kind, state) = KINDS[usize::try_from(n % 5).unwrap_or(0)];
        let t = types.get(kind).map_err(|e| anyhow::anyhow!("{e}"))?;
        let (owner, region) = body(n);
        let off = i64::try_from(n.wrapping_mul(7919) % 1000).unwrap_or(0) - 399;
        let deadline = today + Duration::days(off);
        let opened_on = deadline - Duration::days(90);
        let closed = n % 5 == 4;
        let (due_on, stage, next) = if closed {
            (None, 0, None)
        } else {
            open += 1;
            let (s, next) = stage_due(t, deadline, 0, yesterday, cal)?;
            (Some(deadline), s.map_or(0, |s| s.number()), next)
        };
        out.push(BenchWorkItem {
            id: Uuid::now_v7(),
            n,
            kind,
            state: if closed { "closed" } else { state },
            owner,
            region,
            issuer: Some("11320400MB000006X2".into()),
            opened_on,
            deadline,
            due_on,
            closed_on: closed.then_some(deadline),
            remind_stage: stage,
            next_remind_on: next,
        });
    }
    Ok((out, open))
}

async fn time_queue(
    store: &dyn chengxin_store::Store,
    name: &str,
    f: WorkFilter,
) -> anyhow::Result<QueueTiming> {
    let mut ms = Vec::new();
    let mut rows = 0;
    for _ in 0..20 {
        let t = Instant::now();
        let page = store.work_items(&f).await?;
        let ids: Vec<Uuid> = page.iter().map(|r| r.id).collect();
        store.work_parties(&ids).await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        rows = page.len();
    }
    ms.sort_by(f64::total_cmp);
    Ok(QueueTiming {
        queue: name.into(),
        rows,
        p50_ms: ms[ms.len() / 2],
        max_ms: ms[ms.len() - 1],
    })
}

/// A valid USCC of a 机关 in `region` (organisation code `MB` + six digits + its check).
fn valid_uscc(region: &str, n: u64) -> String {
    use chengxin_domain::codes::{org_code, uscc};
    let org8 = format!("MB{:06}", n % 1_000_000);
    let org = format!("{org8}{}", org_code::check_char(&org8).unwrap_or('0'));
    let first = format!("11{region}{org}");
    let check = uscc::check_char(&first).unwrap_or('0');
    format!("{first}{check}")
}

/// A 12345 export of `rows` rows as CSV: tickets over the 300 days before `today`, about 60
/// bodies of 常州 (by code and name), every hundredth row a repeat of the one before.
fn hotline_csv(rows: u64, today: NaiveDate) -> Vec<u8> {
    let mut out = String::with_capacity(usize::try_from(rows).unwrap_or(0) * 160);
    out.push_str("工单编号,来电时间,诉求内容,诉求类型,涉及单位,涉及单位统一社会信用代码,办理单位,办结时间,回访满意度,来电人,联系电话\n");
    let mut last = String::new();
    for n in 0..rows {
        if n % 100 == 99 {
            out.push_str(&last);
            continue;
        }
        let region = REGIONS[usize::try_from(n % 6).unwrap_or(0)];
        let b = n % 60;
        let day = today - Duration::days(i64::try_from(n % 300).unwrap_or(0) + 1);
        let line = format!(
            "GD{n:09},{day} {:02}:{:02}:00,反映第{b}号单位承诺事项未兑现（工单 {n}）,投诉,常州某局{b},{},常州某局{b},,,市民{n},1380000{:04}\n",
            8 + n % 10,
            n % 60,
            valid_uscc(region, b),
            n % 10_000
        );
        out.push_str(&line);
        last = line;
    }
    out.into_bytes()
}

async fn hotline(
    store: std::sync::Arc<dyn chengxin_store::Store>,
    rows: u64,
    today: NaiveDate,
    report: &mut BackendReport,
) -> anyhow::Result<()> {
    let mut app = chengxin_app::App::new(
        store,
        chengxin_domain::subjects::IdHasher::new([7; 32]),
        std::env::temp_dir(),
        chengxin_app::auth::AuthSettings::default(),
    );
    app.today = Some(today);
    let office = crate::commands::hotline::office("320400")?;
    let csv = hotline_csv(rows, today);
    let t = Instant::now();
    let r = chengxin_app::work::hotline::import(&app, &office, csv.clone(), Some("12345.csv"))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let secs = t.elapsed().as_secs_f64();
    report.hotline_rows = rows;
    report.hotline_seconds = secs;
    report.hotline_rows_per_second = rows as f64 / secs;
    report.hotline_created = r.created;
    anyhow::ensure!(
        r.failed == 0,
        "hotline import refused rows: {:?}",
        r.errors.first()
    );
    let t = Instant::now();
    let again = chengxin_app::work::hotline::import(&app, &office, csv, Some("12345.csv"))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let secs = t.elapsed().as_secs_f64();
    report.hotline_again_seconds = secs;
    report.hotline_again_rows_per_second = rows as f64 / secs;
    report.hotline_again_created = again.created;
    Ok(())
}

async fn one_backend(
    url: &str,
    backend: &str,
    n_items: u64,
    n_hotline: u64,
) -> anyhow::Result<BackendReport> {
    let store = chengxin_store::open(url).await?;
    let catalog =
        chengxin_domain::catalog::Catalog::default_checked().map_err(|e| anyhow::anyhow!("{e}"))?;
    store
        .migrate(catalog, &chengxin_store::LogSigner::generate(), "bench")
        .await?;
    let today = chengxin_store::clock::today_in_china();
    let types = WorkTypes::shipped().map_err(|e| anyhow::anyhow!("{e}"))?;
    let cal = WorkCalendar::official().clone().with_provisional_years();
    let fixture = WorkFixture::open(url).await?;
    let t = Instant::now();
    let mut n = 0;
    let mut open = 0;
    while n < n_items {
        let to = (n + 20_000).min(n_items);
        let (batch, o) = items(n, to, today, types, &cal)?;
        fixture.load(&batch).await?;
        open += o;
        n = to;
        eprintln!("  {backend}: {n} items");
    }
    fixture.analyze().await?;
    let mut report = BackendReport {
        backend: backend.into(),
        items: n_items,
        open_items: open,
        load_seconds: t.elapsed().as_secs_f64(),
        ..Default::default()
    };
    let page = |f: WorkFilter| WorkFilter { limit: 50, ..f };
    let (owner, _) = body(7);
    for (name, f) in [
        (
            "region 3204 (信用办)",
            page(WorkFilter {
                region_prefix: Some("3204".into()),
                ..Default::default()
            }),
        ),
        (
            "region 320412, 整改中",
            page(WorkFilter {
                region_prefix: Some("320412".into()),
                state: Some("rectifying".into()),
                ..Default::default()
            }),
        ),
        (
            "region 3204, 审计",
            page(WorkFilter {
                region_prefix: Some("3204".into()),
                kind: Some("audit_finding".into()),
                ..Default::default()
            }),
        ),
        (
            "region 3204, 逾期",
            page(WorkFilter {
                region_prefix: Some("3204".into()),
                overdue_on: Some(today),
                ..Default::default()
            }),
        ),
        (
            "unit (one owner body)",
            page(WorkFilter {
                body: Some(owner.clone()),
                ..Default::default()
            }),
        ),
        (
            "unit, open only",
            page(WorkFilter {
                body: Some(owner.clone()),
                open_only: true,
                ..Default::default()
            }),
        ),
    ] {
        let q = time_queue(store.as_ref(), name, f).await?;
        eprintln!(
            "  {backend}: {} p50 {:.2} ms, max {:.2} ms",
            q.queue, q.p50_ms, q.max_ms
        );
        report.queues.push(q);
    }
    let t = Instant::now();
    let r = chengxin_app::work::sweep::sweep(store.as_ref(), today)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    report.sweep_seconds = t.elapsed().as_secs_f64();
    report.looked_at = r.looked_at;
    report.reminders = r.reminders;
    report.escalations = r.escalations;
    report.notifications = r.notifications;
    report.failed = r.failed;
    let t = Instant::now();
    let again = chengxin_app::work::sweep::sweep(store.as_ref(), today)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    report.second_sweep_seconds = t.elapsed().as_secs_f64();
    report.second_sweep_notifications = again.notifications;
    eprintln!(
        "  {backend}: sweep {:.3} s ({} looked at, {} notifications); again {:.3} s",
        report.sweep_seconds, report.looked_at, report.notifications, report.second_sweep_seconds
    );
    if n_hotline > 0 {
        hotline(store.clone(), n_hotline, today, &mut report).await?;
        eprintln!(
            "  {backend}: 12345 import {} rows in {:.2} s ({:.0} rows/s, {} created); again {:.2} s ({:.0} rows/s, {} created)",
            report.hotline_rows,
            report.hotline_seconds,
            report.hotline_rows_per_second,
            report.hotline_created,
            report.hotline_again_seconds,
            report.hotline_again_rows_per_second,
            report.hotline_again_created
        );
    }
    fixture.close().await;
    store.close().await;
    Ok(report)
}

pub async fn run(
    items: u64,
    hotline: u64,
    dir: &Path,
    pg: Option<&str>,
) -> anyhow::Result<WorkItemsReport> {
    let mut report = WorkItemsReport::default();
    let file = ScratchFile::create(dir, "work_items.db")?;
    let url = file.url();
    report
        .backends
        .push(one_backend(url, "sqlite", items, hotline).await?);
    drop(file);
    if let Some(pg) = pg {
        let scratch = ScratchSchema::create(pg).await?;
        let r = one_backend(scratch.url(), "postgres", items, hotline).await;
        scratch.drop_schema().await;
        report.backends.push(r?);
    }
    Ok(report)
}
