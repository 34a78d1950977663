//! 政务诚信监测评价 (issue 20): the ranking of a level for a period (with the change against the
//! previous period and last year, the XLSX export, publication), a target's breakdown with the
//! explanation drill-down (total → dimension → indicator → source values → items, each linked),
//! and the warnings — all within the caller's reach. The rules are `chengxin_app::evaluation`.

use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use chengxin_access::Permission as P;
use chengxin_app::evaluation as svc;
use chengxin_domain::evaluation::{Period, PeriodKind, TargetKind};
use maud::html;
use serde::Deserialize;

use super::{api_error_page, gate, render};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::pages::script;
use crate::AppState;

fn may(c: &Caller) -> bool {
    c.has(P::ReportsRead) || c.has(P::EvaluationsRun)
}

#[derive(Debug, Default, Deserialize)]
pub struct PageParams {
    pub period: Option<String>,
    pub kind: Option<String>,
    pub indicator: Option<String>,
}

const PUBLISH_JS: &str = r#"
(function () {
  const b = document.getElementById("eval-publish");
  if (!b) return;
  const msg = document.getElementById("eval-msg");
  b.addEventListener("click", async () => {
    const r = await cx.api("POST", "/api/v1/evaluation/runs/" + b.dataset.run + "/publish", { version: Number(b.dataset.version) });
    if (r.ok) { cx.message(msg, "ok", "已发布"); setTimeout(() => location.reload(), 700); }
    else cx.message(msg, "err", cx.error(r.data));
  });
  const c = document.getElementById("eval-compute");
  if (c) c.addEventListener("click", async () => {
    const r = await cx.api("POST", "/api/v1/evaluation/runs", { period: c.dataset.period, note: "控制台计算" });
    if (r.ok) { cx.message(msg, "ok", "已计算（第 " + r.data.run_version + " 版）"); setTimeout(() => location.reload(), 700); }
    else cx.message(msg, "err", cx.error(r.data));
  });
})();
"#;

fn signed(v: Option<f64>) -> String {
    match v {
        Some(x) if x > 0.0 => format!("+{x:.2}"),
        Some(x) => format!("{x:.2}"),
        None => "—".into(),
    }
}

/// `/console/evaluation`.
pub async fn ranking(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    Query(q): Query<PageParams>,
) -> Response {
    let v = match gate(&state, &caller, &uri, may).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let period = q
        .period
        .clone()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| {
            Period::containing(PeriodKind::Month, state.today())
                .previous()
                .to_string()
        });
    let kind = q.kind.clone().unwrap_or_else(|| "county".into());
    let view = svc::ranking(&state, &caller, None, Some(&period), &kind).await;
    let runner = caller.has(P::EvaluationsRun);
    let system = svc::system().ok();
    let dashboard = match &view {
        Ok(rv) if !rv.lines.is_empty() => {
            Some(super::evaluation_dashboard::dashboard(&state, &caller, rv).await)
        }
        _ => None,
    };
    let body = html! {
        p.lead { "政务诚信监测评价：每个地区和政府部门每期的得分均可逐项追溯到指标、数据来源和具体记录。" }
        form.filters method="get" action="/console/evaluation" {
            label for="ev-period" { "评价期间" }
            input #ev-period name="period" type="text" value=(period) placeholder="2026-11 / 2026-Q3 / 2026";
            label for="ev-kind" { "层级" }
            select #ev-kind name="kind" {
                @for k in TargetKind::ALL {
                    option value=(k.as_str()) selected[k.as_str() == kind] { (k.label()) }
                }
            }
            button type="submit" { "查看" }
            " " a href="/console/evaluation/warnings" { "预警信息" }
        }
        div #eval-msg hidden aria-live="polite" {}
        @match &view {
            Ok(rv) => {
                section.card {
                    h2 { (Period::label(rv.run.period.parse().unwrap_or(Period::Year(2000)))) " · " (rv.kind_label) "排名" }
                    p.hint {
                        "第 " (rv.run.run_version) " 版，指标体系 " (rv.run.system_version) "，数据截至 " (rv.run.as_of) "，"
                        @if rv.run.published { span.tag.ok { "已发布" } } @else { span.tag.warn { "未发布" } }
                        " · " a #eval-xlsx href={ "/api/v1/evaluation/ranking.xlsx?run=" (rv.run.id) "&kind=" (rv.kind) } download { "导出 XLSX" }
                    }
                    @if runner {
                        p {
                            @if !rv.run.published {
                                button #eval-publish type="button" data-run=(rv.run.id) data-version=(rv.run.version) { "发布本版结果" }
                                " "
                            }
                            button.secondary #eval-compute type="button" data-period=(rv.run.period) { "重新计算（生成新版本）" }
                        }
                    }
                    @if rv.lines.is_empty() { p.hint #eval-empty { "本层级暂无评价对象。" } }
                    @else {
                        div.table-wrap { table #eval-ranking {
                            thead { tr {
                                th { "名次" } th { "评价对象" } th { "得分" } th { "等次" } th { "较上期" } th { "较上年同期" }
                                @if let Some(s) = &system { @for d in &s.dimensions { th { (d.name) } } }
                            } }
                            tbody { @for l in &rv.lines { tr {
                                td data-label="名次" { (l.rank) " / " (l.rank_of) }
                                td data-label="评价对象" { a href={ "/console/evaluation/targets/" (l.target) "?period=" (rv.run.period) } { (l.name) } }
                                td data-label="得分" { (format!("{:.2}", l.score)) }
                                td data-label="等次" { (l.grade) }
                                td data-label="较上期" { (signed(l.change)) }
                                td data-label="较上年同期" { (signed(l.change_year)) }
                                @if let Some(s) = &system { @for d in &s.dimensions {
                                    td data-label=(d.name) { (l.dimensions.get(&d.code).and_then(|x| x.as_f64()).map(|x| format!("{x:.2}")).unwrap_or_default()) }
                                } }
                            } } }
                        } }
                    }
                }
            }
            Err(_) => {
                section.card {
                    p.hint #eval-none { (period) " 尚未计算。" }
                    @if runner { button #eval-compute type="button" data-period=(period) { "计算本期" } }
                }
            }
        }
        @if let Some(d) = &dashboard { (d) }
        (script(PUBLISH_JS))
    };
    render(&caller, &v, "政务诚信评价", "/console/evaluation", body)
}

/// `/console/evaluation/targets/{target}`.
pub async fn target(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path(target): Path<String>,
    Query(q): Query<PageParams>,
) -> Response {
    let v = match gate(&state, &caller, &uri, may).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let e = match svc::explain(
        &state,
        &caller,
        None,
        q.period.as_deref(),
        &target,
        q.indicator.as_deref(),
    )
    .await
    {
        Ok(e) => e,
        Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
    };
    let body = html! {
        p { a href={ "/console/evaluation?period=" (e.period) } { "← 返回排名" } }
        section.card {
            h2 #eval-target { (e.target_name) " · " (e.period_label) }
            p {
                "得分 " strong #eval-score { (format!("{:.2}", e.score)) } " / " (e.total)
                "，等次 " strong { (e.grade) } "，同级第 " (e.rank) " 名（共 " (e.rank_of) "）"
                "，第 " (e.run_version) " 版" @if e.published { "（已发布）" } @else { "（未发布）" }
            }
            p { a #eval-report-pdf href={ "/api/v1/evaluation/runs/" (e.run_id) "/targets/" (e.target) "/report.pdf" } download { "下载签名的评价报告（PDF）" } }
            @if let Some(s) = &e.scaling { p.hint { (s) } }
            @if let Some(d) = &e.deduction {
                div #eval-deduction {
                    p {
                        "扣减政务诚信得分：指标得分 " (format!("{:.2}", d.before)) "，扣减 "
                        strong { (format!("{:.2}", d.points)) } " 分（每条在效名单扣 "
                        (chengxin_app::evaluation::DEDUCTION_POINTS) " 分，最低为 0）"
                    }
                    @if let Some(n) = &d.note { p.hint { (n) } }
                    @if !d.entries.is_empty() { ul { @for en in &d.entries { li {
                        a href=(en.link) { (en.list_name) }
                        @if let Some(f) = en.effective_from { "，" (f) " 起生效" }
                        "，扣 " (en.points) " 分"
                    } } } }
                }
            }
            div.table-wrap { table #eval-dimensions {
                thead { tr { th { "维度" } th { "满分" } th { "得分" } th { "失分" } } }
                tbody { @for d in &e.dimensions { tr {
                    td data-label="维度" { (d.name) } td data-label="满分" { (d.weight) }
                    td data-label="得分" { (format!("{:.2}", d.points)) } td data-label="失分" { (format!("{:.2}", d.lost)) }
                } } }
            } }
        }
        @for i in &e.indicators {
            details.card id={ "ind-" (i.code) } open[i.lost > 0.0] {
                summary {
                    (i.code) " " (i.name) "：" (format!("{:.2}", i.points)) " / " (i.weight)
                    @if i.lost > 0.0 { " （失 " (format!("{:.2}", i.lost)) " 分）" }
                    @if i.status != "ok" { " " span.tag.warn { @if i.status == "no_data" { "无数据" } @else { "计算出错" } } }
                }
                @if let Some(n) = &i.note { p.hint { (n) } }
                p { "数值：" (i.value.map(|x| format!("{x:.2}")).unwrap_or_else(|| "—".into())) " " (i.unit) }
                p { "公式：" code { (i.formula) } }
                p { (i.scoring) }
                ul { @for inp in &i.inputs { li {
                    (inp.label) "（" code { (inp.name) } "）：" (inp.value.map(|x| format!("{x}")).unwrap_or_else(|| "—".into()))
                    @if let Some(n) = inp.now { " " span.tag.warn { "数据已更正，当前为 " (n) } }
                } } }
                @if !i.items.is_empty() {
                    div.table-wrap { table.eval-items {
                        thead { tr { th { "来源" } th { "单位" } th { "事项" } th { "日期" } th { "情况" } } }
                        tbody { @for it in &i.items { tr {
                            td data-label="来源" { (it.family_name) }
                            td data-label="单位" { (it.body_name) }
                            td data-label="事项" { @if let Some(l) = &it.link { a href=(l) { (it.title) } } @else { (it.title) } }
                            td data-label="日期" { (it.on) }
                            td data-label="情况" { (tag_label(&it.tag)) }
                        } } }
                    } }
                    @if i.items_total > i.items.len() { p.hint { "共 " (i.items_total) " 项，仅列出前 " (i.items.len()) " 项。" } }
                }
            }
        }
    };
    render(&caller, &v, "政务诚信评价", "/console/evaluation", body)
}

fn tag_label(tag: &str) -> &'static str {
    match tag {
        "on_time" => "按期",
        "late" => "逾期",
        "pending" | "open" => "未到期",
        "minor" => "轻微失信",
        "general" => "一般失信",
        "major" => "较重失信",
        "severe" => "严重失信",
        "kept" => "已兑现",
        "changed" => "依法变更",
        "breached" => "违约",
        "overdue" => "逾期未兑现",
        "owed" => "逾期未清偿",
        "cleared" => "已清偿",
        "entered" => "列入名单",
        "green" => "绿色（低风险）",
        "yellow" => "黄色",
        "orange" => "橙色",
        "red" => "红色（高风险）",
        _ => "—",
    }
}

/// `/console/evaluation/warnings`.
pub async fn warnings(State(state): State<AppState>, caller: Caller, uri: Uri) -> Response {
    let v = match gate(&state, &caller, &uri, may).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let rows = match svc::warnings_for(&state, &caller).await {
        Ok(r) => r,
        Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
    };
    let body = html! {
        p { a href="/console/evaluation" { "← 返回排名" } }
        @if rows.is_empty() { p.hint #eval-no-warnings { "暂无预警。" } }
        @else {
            div.table-wrap { table #eval-warnings {
                thead { tr { th { "时间" } th { "期间" } th { "对象" } th { "类型" } th { "内容" } } }
                tbody { @for w in &rows { tr {
                    td data-label="时间" { (w.created_at.format("%Y-%m-%d %H:%M")) }
                    td data-label="期间" { (w.period) }
                    td data-label="对象" { a href={ "/console/evaluation/targets/" (w.target) "?period=" (w.period) } { (w.target_name) } }
                    td data-label="类型" { (kind_label(&w.kind)) }
                    td data-label="内容" { (w.message) }
                } } }
            } }
        }
    };
    render(&caller, &v, "政务诚信预警", "/console/evaluation", body)
}

fn kind_label(k: &str) -> &'static str {
    match k {
        "threshold" => "低于合格线",
        "drop" => "得分骤降",
        "zscore" => "偏离历史水平",
        "debtor" => "新增失信被执行人",
        "breach" => "政务承诺违约",
        _ => "其他",
    }
}
