//! 统计与时效: the 双公示 7-working-day timeliness per department for a month, 归集量 per
//! department and month with a bar chart, both exportable to XLSX.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chengxin_access::Permission as P;
use chengxin_app::reports::Volume;
use chengxin_domain::reports::TimelinessReport;
use chrono::{Datelike, NaiveDate};
use maud::{html, Markup};
use serde::Deserialize;

use super::{api_error_page, gate, render};
use crate::auth::Caller;
use crate::AppState;

/// Months shown in the 归集量 table and chart.
const VOLUME_MONTHS: u32 = 12;

#[derive(Debug, Deserialize, Default)]
pub struct StatsQuery {
    /// `YYYY-MM`; this month when absent.
    pub month: Option<String>,
}

/// The first day of the month asked for (this month's when absent or malformed).
fn month_of(q: &StatsQuery, today: NaiveDate) -> NaiveDate {
    q.month
        .as_deref()
        .and_then(|m| NaiveDate::parse_from_str(&format!("{}-01", m.trim()), "%Y-%m-%d").ok())
        .or_else(|| today.with_day(1))
        .unwrap_or(today)
}

fn month_end(first: NaiveDate) -> NaiveDate {
    first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(first)
}

/// What the page and the export show.
struct Stats {
    month: NaiveDate,
    timeliness: TimelinessReport,
    volume: Volume,
    names: Vec<(String, String)>,
}

impl Stats {
    /// A department by name (its USCC when the name is unknown).
    fn dept(&self, code: &str) -> String {
        self.names
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| code.to_string())
    }
}

async fn load(state: &AppState, caller: &Caller, q: &StatsQuery) -> chengxin_app::AppResult<Stats> {
    let month = month_of(q, state.today());
    let timeliness =
        chengxin_app::reports::timeliness_for(state, caller, month, month_end(month), None).await?;
    let volume = chengxin_app::reports::volume_for(state, caller, month, VOLUME_MONTHS).await?;
    Ok(Stats {
        month,
        timeliness,
        volume,
        names: super::admin::body_choices(state),
    })
}

fn rate(r: Option<f64>) -> String {
    r.map(|r| format!("{:.1}%", r * 100.0))
        .unwrap_or_else(|| "—".into())
}

/// A step of 1, 2 or 5 × 10ⁿ giving at most five steps up to `max`.
fn nice_step(max: u64) -> u64 {
    let mut step = 1u64;
    loop {
        for m in [1u64, 2, 5] {
            let s = step.saturating_mul(m);
            if max.div_ceil(s.max(1)) <= 5 {
                return s.max(1);
            }
        }
        step = step.saturating_mul(10);
    }
}

/// A bar chart of the monthly totals, axes labelled at even steps.
fn chart(v: &Volume) -> Markup {
    let max = v.totals.iter().copied().max().unwrap_or(0);
    let step = nice_step(max.max(1));
    let top = max.max(1).div_ceil(step) * step;
    let (w, h, left, bottom, pad) = (640.0_f64, 240.0_f64, 48.0_f64, 36.0_f64, 12.0_f64);
    let plot_h = h - bottom - pad;
    let n = v.months.len().max(1) as f64;
    let slot = (w - left - pad) / n;
    let y = |c: u64| pad + plot_h - plot_h * (c as f64) / (top as f64);
    let ticks: Vec<u64> = (0..=top / step).map(|i| i * step).collect();
    html! {
        svg.chart #volume-chart viewBox=(format!("0 0 {w} {h}")) role="img" aria-labelledby="volume-chart-title" {
            title #volume-chart-title { "各月归集量（条）" }
            @for t in &ticks {
                line.grid x1=(left) x2=(w - pad) y1=(y(*t)) y2=(y(*t)) {}
                text.axis x=(left - 6.0) y=(y(*t) + 4.0) text-anchor="end" { (t) }
            }
            line.axis-line x1=(left) x2=(left) y1=(pad) y2=(pad + plot_h) {}
            @for (i, (m, c)) in v.months.iter().zip(&v.totals).enumerate() {
                @let x = left + slot * i as f64;
                rect.bar x=(x + slot * 0.15) y=(y(*c)) width=(slot * 0.7) height=(pad + plot_h - y(*c)) {
                    title { (m) "：" (c) " 条" }
                }
                text.axis x=(x + slot / 2.0) y=(h - bottom + 16.0) text-anchor="middle" { (m.get(5..).unwrap_or(m)) "月" }
            }
        }
    }
}

/// `/console/statistics`.
pub async fn statistics(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    q: Result<Query<StatsQuery>, QueryRejection>,
) -> Response {
    let v = match gate(&state, &caller, &uri, |c| c.has(P::ReportsRead)).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let s = match load(&state, &caller, &q).await {
        Ok(s) => s,
        Err(e) => return api_error_page(&caller, &v, &e.into()),
    };
    let month = s.month.format("%Y-%m").to_string();
    let t = &s.timeliness;
    let types = chengxin_domain::catalog::Catalog::default_checked().ok();
    let type_name = |c: &str| -> String {
        types
            .and_then(|cat| cat.get(c))
            .map(|t| t.name.clone())
            .unwrap_or_else(|| c.to_string())
    };
    let body = html! {
        form.card.filters method="get" action="/console/statistics" {
            div { label for="s-month" { "统计月份" } input #s-month type="month" name="month" value=(month); }
            div.buttons {
                button type="submit" { "查看" }
                a.button.secondary #stats-export href=(format!("/console/statistics/export.xlsx?month={month}")) download { "导出 XLSX" }
            }
        }
        h2 { "双公示信息公示时效（" (month) "）" }
        p.hint { "行政许可、行政处罚决定作出之日起 " (t.deadline_working_days) " 个工作日内公示为按时（按法定节假日日历计算）；统计截至 " (t.as_of) "。" }
        div.table-wrap { table #timeliness-table {
            thead { tr { th { "报送部门" } th { "决定数" } th { "按时公示" } th { "逾期" } th { "未到期未公示" } th { "按时率" } } }
            tbody {
                @if t.departments.is_empty() { tr { td colspan="6" { "本月没有行政许可、行政处罚决定。" } } }
                @for d in &t.departments {
                    tr {
                        td data-label="报送部门" { (s.dept(&d.source_dept)) }
                        td data-label="决定数" { (d.total) }
                        td data-label="按时公示" { (d.on_time) }
                        td data-label="逾期" { @if d.late > 0 { span.due-late { (d.late) } } @else { "0" } }
                        td data-label="未到期未公示" { (d.pending) }
                        td data-label="按时率" { (rate(d.rate)) }
                    }
                }
            }
            tfoot { tr #timeliness-total {
                th { "合计" } td { (t.total.total) } td { (t.total.on_time) } td { (t.total.late) } td { (t.total.pending) } td { (rate(t.total.rate)) }
            } }
        } }
        @if !t.late.is_empty() {
            h3 { "逾期公示的记录" }
            div.table-wrap { table #late-table {
                thead { tr { th { "报送部门" } th { "类别" } th { "决定文书号" } th { "决定日期" } th { "公示期限" } th { "公示日期" } th { "用时（工作日）" } } }
                tbody {
                    @for l in &t.late {
                        tr {
                            td { (s.dept(&l.source_dept)) }
                            td { (type_name(&l.type_code)) }
                            td { a href=(format!("/console/records/{}", l.record_id)) { (l.doc_no) } }
                            td { (l.decision_date) }
                            td { (l.deadline) }
                            td { @match l.published_on { Some(p) => (p), None => span.due-late { "尚未公示" } } }
                            td { (l.working_days) }
                        }
                    }
                }
            } }
        }
        h2 { "归集量（按部门、按月）" }
        p.hint { "各部门报送入库的信用信息条数，按决定（认定）日期所在月份统计，截至 " (month) " 的 " (VOLUME_MONTHS) " 个月。" }
        (chart(&s.volume))
        div.table-wrap { table #volume-table {
            thead { tr { th { "报送部门" } @for m in &s.volume.months { th { (m) } } th { "合计" } } }
            tbody {
                @if s.volume.departments.is_empty() { tr { td colspan=(s.volume.months.len() + 2) { "没有记录。" } } }
                @for (d, counts) in &s.volume.departments {
                    tr {
                        td { (s.dept(d)) }
                        @for c in counts { td { (c) } }
                        td { (counts.iter().sum::<u64>()) }
                    }
                }
            }
            tfoot { tr #volume-total {
                th { "合计" } @for c in &s.volume.totals { td { (c) } } td { (s.volume.totals.iter().sum::<u64>()) }
            } }
        } }
    };
    render(&caller, &v, "统计与时效", "/console/statistics", body)
}

/// The two tables as a workbook: 公示时效, 归集量 (every cell a string or a number, never a
/// formula).
fn xlsx(s: &Stats) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use chengxin_ingest::report::neutralise;
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_background_color(0xF0F1F3);
    let t = &s.timeliness;
    let ws = wb.add_worksheet();
    ws.set_name("公示时效")?;
    let head = [
        "报送部门",
        "统一社会信用代码",
        "决定数",
        "按时公示",
        "逾期",
        "未到期未公示",
        "按时率",
    ];
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    ws.set_column_width(0, 36)?;
    ws.set_column_width(1, 22)?;
    for (row, d) in (1u32..).zip(t.departments.iter().chain(std::iter::once(&t.total))) {
        let (name, code) = if std::ptr::eq(d, &t.total) {
            ("合计".to_string(), "")
        } else {
            (s.dept(&d.source_dept), d.source_dept.as_str())
        };
        ws.write_string(row, 0, neutralise(&name).into_owned())?;
        ws.write_string(row, 1, neutralise(code).into_owned())?;
        ws.write_number(row, 2, d.total as f64)?;
        ws.write_number(row, 3, d.on_time as f64)?;
        ws.write_number(row, 4, d.late as f64)?;
        ws.write_number(row, 5, d.pending as f64)?;
        ws.write_string(row, 6, rate(d.rate))?;
    }
    let ws = wb.add_worksheet();
    ws.set_name("归集量")?;
    ws.write_string_with_format(0, 0, "报送部门", &bold)?;
    ws.set_column_width(0, 36)?;
    for (i, m) in s.volume.months.iter().enumerate() {
        ws.write_string_with_format(0, i as u16 + 1, m, &bold)?;
    }
    let last = s.volume.months.len() as u16 + 1;
    ws.write_string_with_format(0, last, "合计", &bold)?;
    let total = ("合计".to_string(), s.volume.totals.clone());
    let rows = s
        .volume
        .departments
        .iter()
        .map(|(d, c)| (s.dept(d), c.clone()))
        .chain(std::iter::once(total));
    for (row, (d, counts)) in (1u32..).zip(rows) {
        ws.write_string(row, 0, neutralise(&d).into_owned())?;
        for (i, c) in counts.iter().enumerate() {
            ws.write_number(row, i as u16 + 1, *c as f64)?;
        }
        ws.write_number(row, last, counts.iter().sum::<u64>() as f64)?;
    }
    wb.save_to_buffer()
}

/// `/console/statistics/export.xlsx`.
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    q: Result<Query<StatsQuery>, QueryRejection>,
) -> Response {
    let v = match gate(&state, &caller, &uri, |c| c.has(P::ReportsRead)).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let s = match load(&state, &caller, &q).await {
        Ok(s) => s,
        Err(e) => return api_error_page(&caller, &v, &e.into()),
    };
    let bytes = match xlsx(&s) {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "statistics export failed");
            return (StatusCode::SERVICE_UNAVAILABLE, "系统繁忙，请稍后再试。").into_response();
        }
    };
    let name = format!("statistics-{}.xlsx", s.month.format("%Y-%m"));
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn steps_are_even() {
        assert_eq!(super::nice_step(1), 1);
        assert_eq!(super::nice_step(7), 2);
        assert_eq!(super::nice_step(23), 5);
        assert_eq!(super::nice_step(40), 10);
        assert_eq!(super::nice_step(330), 100);
    }
}
