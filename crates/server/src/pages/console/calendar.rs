//! 节假日日历: the years the working-day calendar covers (shipped with the program or loaded
//! at run time), the coverage warning, and — for administrators — loading a year's schedule
//! from a file (posted to `POST /api/v1/calendar/years`, validated and applied at once).

use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use chengxin_access::Permission as P;
use maud::html;

use super::{api_error_page, dt, gate, is_staff, render};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::pages::script;
use crate::AppState;

const CALENDAR_JS: &str = r#"
document.getElementById("cal-load").addEventListener("click", async function () {
  const btn = this;
  const msg = document.getElementById("cal-msg");
  const input = document.getElementById("cal-file");
  const file = input.files && input.files[0];
  if (!file) { cx.message(msg, "err", "请选择节假日安排文件（TOML）"); input.focus(); return; }
  if (file.size > 256 * 1024) { cx.message(msg, "err", "文件过大：节假日安排文件通常只有几 KB"); return; }
  const replace = document.getElementById("cal-replace").checked;
  btn.disabled = true;
  cx.message(msg, "info", "正在校验并载入 " + file.name + " …");
  const content = await file.text();
  const r = await cx.api("POST", "/api/v1/calendar/years", { source: file.name, content, replace });
  btn.disabled = false;
  if (!r.ok) { cx.message(msg, "err", "载入失败：" + cx.error(r.data)); return; }
  const d = r.data;
  const parts = [];
  if (d.added.length) parts.push("新增 " + d.added.join("、") + " 年");
  if (d.replaced.length) parts.push("替换 " + d.replaced.join("、") + " 年");
  if (d.unchanged.length) parts.push(d.unchanged.join("、") + " 年内容相同，未改动");
  parts.push("重新计算期限：联合奖惩案件 " + d.cases_recounted + " 件，异议与修复 " + d.applications_recounted + " 件，名单公示 " + d.entries_recounted + " 条");
  cx.message(msg, "ok", "已载入，立即生效。" + parts.join("；") + "。");
  setTimeout(function () { location.reload(); }, 1500);
});
"#;

/// 节假日日历 (any staff may look; administrators may load).
pub async fn calendar(State(state): State<AppState>, caller: Caller, uri: Uri) -> Response {
    let v = match gate(&state, &caller, &uri, is_staff).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let o = match chengxin_app::calendar::overview(state.store.as_ref(), state.today()).await {
        Ok(o) => o,
        Err(e) => return api_error_page(&caller, &v, &ApiError(e)),
    };
    let may_load = caller.has(P::SettingsManage);
    let body = html! {
        @if let Some(w) = &o.warning {
            div.notice.warn role="alert" { (w.message) }
        }
        div.card {
            dl.kv {
                dt { "覆盖年份" }
                dd {
                    @match (o.first_year, o.last_year) {
                        (Some(a), Some(b)) => { (a) "–" (b) " 年" }
                        _ => { "无" }
                    }
                }
                dt { "最后覆盖日" }
                dd {
                    @if let Some(d) = o.last_covered { (d) } @else { "—" }
                    @if let Some(n) = o.days_left {
                        @if n >= 0 { "（还有 " (n) " 天）" } @else { span.due-late { "（已超出 " (-n) " 天）" } }
                    }
                }
            }
            p.hint {
                "办理期限按国务院办公厅公布的节假日安排（含调休）计算工作日。"
                "期限落在尚未载入安排的年份时，暂按周一至周五计算并标注“暂定”；"
                "载入该年安排后自动重新计算，并通知相关办理人。"
            }
        }
        h2 { "已覆盖年份" }
        div.table-wrap { table {
            thead { tr { th { "年份" } th { "来源" } th { "节假日" } th { "调休上班" } th { "依据" } } }
            tbody {
                @for y in o.years.iter().rev() {
                    tr {
                        td { (y.year) }
                        td.small {
                            @match (&y.source, &y.loaded_by, &y.loaded_at) {
                                (Some(s), Some(by), Some(at)) => {
                                    span.tag.ok { "运行中载入" } " " (s) "，" (by.strip_prefix("account:").unwrap_or(by)) "，" (dt(at))
                                    @if y.replaces_shipped { "（取代随程序发布的数据）" }
                                }
                                _ => { span.tag { "随程序发布" } }
                            }
                        }
                        td.small {
                            (y.holidays.iter().map(|h| if h.first == h.last {
                                format!("{} {}", h.name, h.first.format("%m-%d"))
                            } else {
                                format!("{} {}–{}", h.name, h.first.format("%m-%d"), h.last.format("%m-%d"))
                            }).collect::<Vec<_>>().join("；"))
                        }
                        td.small { (y.workdays.iter().map(|d| d.format("%m-%d").to_string()).collect::<Vec<_>>().join("、")) }
                        td.small { (y.notices.join("、")) }
                    }
                }
            }
        } }
        @if may_load {
            h2 { "载入节假日安排" }
            div.card {
                p.hint {
                    "国务院办公厅通常在每年 11–12 月公布次年放假安排。按随程序发布的格式"
                    "（data/calendar/cn-holidays.toml，每个假期和调休日注明通知文号）整理成文件后在此载入，"
                    "校验通过即生效，无需重启；每次载入记入防篡改日志。"
                }
                label for="cal-file" { "节假日安排文件（TOML）" }
                input #cal-file name="cal-file" type="file" accept=".toml,.txt";
                p {
                    label { input #cal-replace type="checkbox"; " 替换已覆盖年份中内容不同的数据（更正已发布的安排时勾选）" }
                }
                p { button #cal-load type="button" { "校验并载入" } }
                div #cal-msg hidden aria-live="polite" {}
            }
            (script(CALENDAR_JS))
        }
    };
    render(&caller, &v, "节假日日历", "/console/calendar", body)
}
