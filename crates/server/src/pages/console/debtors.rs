//! 失信被执行人（政府机关）专项治理 (issue 18): the register of the caller's region — cases not
//! yet cleared per region, the open cases — with the form to register a case, and one case with
//! its progress notes and the form to report progress or clear it. Forms post to the JSON API
//! (`/api/v1/debtor-cases…`); the rules stay in `chengxin_app::ppp::debtors`.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use chengxin_access::Permission as P;
use chengxin_app::ppp::debtors;
use chengxin_domain::ppp::DebtorState;
use maud::html;

use super::{actions_script, api_error_page, gate, msg_box, render, who};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::pages::script;
use crate::routes::input::parse_id;
use crate::AppState;

fn may(c: &Caller) -> bool {
    c.has(P::CommitmentsManage) || c.has(P::AssignmentsHandle)
}

const NEW_JS: &str = r#"
(function () {
  const f = document.getElementById("debtor-new");
  if (!f) return;
  const msg = document.getElementById("debtor-msg");
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { case_no: f.case_no.value, court: f.court.value, body_uscc: f.body_uscc.value,
      body_name: f.body_name.value || null, amount: f.amount.value, listed_on: f.listed_on.value,
      note: f.note.value || null };
    const r = await cx.api("POST", "/api/v1/debtor-cases", body);
    if (r.ok) { cx.message(msg, "ok", "已登记"); setTimeout(() => { location.href = "/console/debtors/" + r.data.id; }, 700); }
    else cx.message(msg, "err", cx.error(r.data));
  });
})();
"#;

fn state_tag(cleared: bool, name: &str) -> maud::Markup {
    html! { span class=(if cleared { "tag ok" } else { "tag warn" }) { (name) } }
}

/// `/console/debtors`.
pub async fn register(State(state): State<AppState>, caller: Caller, uri: Uri) -> Response {
    let v = match gate(&state, &caller, &uri, may).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let office = caller.has(P::CommitmentsManage);
    let (reg, cases) = if office {
        match debtors::register(&state, &caller).await {
            Ok(r) => (Some(r), Vec::new()),
            Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
        }
    } else {
        match debtors::list(&state, &caller, &Default::default()).await {
            Ok(c) => (None, c),
            Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
        }
    };
    let today = state.today();
    let shown = reg.as_ref().map(|r| &r.cases).unwrap_or(&cases);
    // The list only where the form that uses it is shown.
    let bodies = if office {
        super::pickers::gov_bodies(&state, &caller).await
    } else {
        Vec::new()
    };
    let body = html! {
        p.lead { "政府机关被列为失信被执行人的案件逐案跟踪，直至履行完毕或撤销（清零）。新纳入名单的案件自动通知该机关和信用办。" }
        @if let Some(r) = &reg {
            section.card {
                h2 { "未清零案件 " span #debtor-open-total { (r.open_total) } " 件" }
                div.table-wrap { table #debtor-register {
                    thead { tr { th { "地区" } th { "未清零" } th { "已清零" } th { "未清零标的（元）" } } }
                    tbody { @for row in &r.regions { tr {
                        td data-label="地区" { (row.region_name) }
                        td data-label="未清零" { (row.open) }
                        td data-label="已清零" { (row.cleared) }
                        td data-label="未清零标的（元）" { (row.open_amount) }
                    } } }
                } }
            }
        }
        h2 { @if office { "未清零案件" } @else { "本单位案件" } }
        @if shown.is_empty() { p.hint #no-debtors { "暂无案件。" } }
        @else {
            div.table-wrap { table #debtor-cases {
                thead { tr { th { "案号" } th { "执行法院" } th { "被执行人" } th { "执行标的（元）" } th { "纳入日期" } th { "状态" } } }
                tbody { @for c in shown { tr {
                    td data-label="案号" { a href={ "/console/debtors/" (c.id) } { (c.case_no) } }
                    td data-label="执行法院" { (c.court) }
                    td data-label="被执行人" { (c.body_name) }
                    td data-label="执行标的（元）" { (c.amount) }
                    td data-label="纳入日期" { (c.listed_on) }
                    td data-label="状态" { (state_tag(c.cleared, c.state_name)) }
                } } }
            } }
        }
        @if office {
            section.card {
                h2 { "登记失信被执行人案件" }
                div #debtor-msg hidden aria-live="polite" {}
                (super::pickers::body_list("gov-bodies", &bodies))
                form #debtor-new {
                    div { label for="dc-no" { "案号" } input #dc-no name="case_no" type="text" maxlength="100" placeholder="（2024）苏0412执1234号" required; }
                    div { label for="dc-court" { "执行法院" } input #dc-court name="court" type="text" maxlength="200" required; }
                    div { label for="dc-b" { "被执行机关（输入名称查找并选择）" } input #dc-b name="body_uscc" type="search" list="gov-bodies" autocomplete="off" maxlength="200" required; }
                    div { label for="dc-bn" { "被执行机关名称（尚未登记为信用主体时填写）" } input #dc-bn name="body_name" type="text" maxlength="200"; }
                    div { label for="dc-a" { "执行标的（元）" } input #dc-a name="amount" type="text" inputmode="decimal" required; }
                    div { label for="dc-d" { "纳入名单日期" } input #dc-d name="listed_on" type="date" value=(today) required; }
                    div { label for="dc-n" { "情况说明（可选）" } input #dc-n name="note" type="text" maxlength="2000"; }
                    button type="submit" { "登记" }
                }
            }
            (script(NEW_JS))
        }
    };
    render(&caller, &v, "失信被执行人治理", "/console/debtors", body)
}

/// `/console/debtors/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let v = match gate(&state, &caller, &uri, may).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let c = match parse_id(&id) {
        Ok(id) => debtors::get(&state, &caller, id).await,
        Err(e) => Err(e),
    };
    let c = match c {
        Ok(c) => c,
        Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
    };
    let office = caller.has(P::CommitmentsManage);
    let body = html! {
        p { a href="/console/debtors" { "← 返回台账" } }
        section.card {
            h2 { (c.case_no) " " (state_tag(c.cleared, c.state_name)) }
            dl.kv {
                dt { "执行法院" } dd { (c.court) }
                dt { "被执行人" } dd { (c.body_name) "（" (c.body_uscc) "）" }
                dt { "地区" } dd { (c.region_name) }
                dt { "执行标的" } dd { (c.amount) " 元" }
                dt { "纳入名单日期" } dd { (c.listed_on) }
                @if let Some(d) = c.cleared_on { dt { "清零日期" } dd { (d) } }
            }
        }
        h2 { "履行进展" }
        div.table-wrap { table #debtor-notes {
            thead { tr { th { "日期" } th { "状态" } th { "进展情况" } th { "登记人" } } }
            tbody { @for n in &c.notes { tr {
                td data-label="日期" { (n.on) }
                td data-label="状态" { (n.state_name) }
                td data-label="进展情况" { (n.note) }
                td data-label="登记人" { (who(&n.actor)) }
            } } }
        } }
        @if !c.cleared {
            h2 { "报告进展" }
            (msg_box("debtor-action-msg"))
            label for="dp-state" { "状态" }
            select #dp-state {
                @for s in DebtorState::ALL {
                    @if office || !s.is_cleared() { option value=(s.as_str()) selected[s.as_str() == c.state] { (s.label()) } }
                }
            }
            label for="dp-on" { "日期" } input #dp-on type="date";
            label for="dp-note" { "进展情况" } textarea #dp-note rows="2" {}
            button type="button" data-api={ "/api/v1/debtor-cases/" (c.id) "/progress" }
                data-body=(serde_json::json!({"expected_version": c.version}).to_string())
                data-fields="state=dp-state,on=dp-on,note=dp-note" data-out="debtor-action-msg" data-done="已登记进展" { "登记" }
            (actions_script())
        }
    };
    render(
        &caller,
        &v,
        &format!("失信被执行人案件 {}", c.case_no),
        "/console/debtors",
        body,
    )
}
