//! PPP 项目 (issue 18): the projects within reach (a body's own, the credit office's region)
//! with the form to register one, and one project with its stages, each stage's government-side
//! responsible persons (ID numbers masked), the move to the next stage, and its breaches with
//! 责任回溯 (the stage's responsible person and the body's principal on the breach date). Forms
//! post to the JSON API (`/api/v1/ppp-projects…`); the rules stay in `chengxin_app::ppp`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use chengxin_access::Permission as P;
use chengxin_app::ppp::{ListParams, ProjectView};
use chengxin_domain::ppp::Stage;
use maud::{html, Markup};

use super::{actions_script, api_error_page, gate, msg_box, render};
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
  const f = document.getElementById("ppp-new");
  if (!f) return;
  const msg = document.getElementById("ppp-msg");
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = {
      name: f.name.value, gov_uscc: f.gov_uscc.value, gov_name: f.gov_name.value || null,
      implementing_uscc: f.implementing_uscc.value, implementing_name: f.implementing_name.value,
      private_uscc: f.private_uscc.value, private_name: f.private_name.value,
      contract_no: f.contract_no.value || null, amount: f.amount.value || null,
      identified_on: f.identified_on.value };
    const r = await cx.api("POST", "/api/v1/ppp-projects", body);
    if (r.ok) { cx.message(msg, "ok", "已登记，编号 " + r.data.no); setTimeout(() => { location.href = "/console/ppp/" + r.data.id; }, 700); }
    else cx.message(msg, "err", cx.error(r.data));
  });
})();
"#;

/// `/console/ppp`.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    q: Result<Query<ListParams>, QueryRejection>,
) -> Response {
    let v = match gate(&state, &caller, &uri, may).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let params = q.map(|Query(q)| q).unwrap_or_default();
    let rows = match chengxin_app::ppp::list(&state, &caller, &params).await {
        Ok(r) => r,
        Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
    };
    let today = state.today();
    let bodies = super::pickers::gov_bodies(&state, &caller).await;
    let body = html! {
        p.lead { "政府和社会资本合作（PPP）项目：识别、准备、采购、执行、移交五个阶段依次推进，每个阶段登记政府方责任人及其任职起止日期。政府方失信违约经信用办认定后自动记入该机关的失信信息，并可回溯违约当日的阶段责任人和单位主要负责人。" }
        form.filters method="get" action="/console/ppp" {
            label for="ppp-q" { "项目名称" }
            input #ppp-q name="q" type="search" value=(params.q.clone().unwrap_or_default());
            button type="submit" { "查询" }
        }
        @if rows.is_empty() {
            p.hint #no-ppp { "暂无 PPP 项目。" }
        } @else {
            div.table-wrap { table #ppp-projects {
                thead { tr { th { "编号" } th { "项目名称" } th { "政府方" } th { "社会资本方" } th { "总投资（元）" } th { "当前阶段" } } }
                tbody {
                    @for p in &rows {
                        tr {
                            td data-label="编号" { a href={ "/console/ppp/" (p.id) } { (p.no) } }
                            td data-label="项目名称" { (p.name) }
                            td data-label="政府方" { (p.gov_name) }
                            td data-label="社会资本方" { (p.private_name) }
                            td data-label="总投资（元）" { (p.amount.clone().unwrap_or_else(|| "—".into())) }
                            td data-label="当前阶段" { (p.stage_name) }
                        }
                    }
                }
            } }
        }
        section.card {
            h2 { "登记 PPP 项目" }
            div #ppp-msg hidden aria-live="polite" {}
            (super::pickers::body_list("gov-bodies", &bodies))
            form #ppp-new {
                div { label for="pp-n" { "项目名称" } input #pp-n name="name" type="text" maxlength="200" required; }
                div { label for="pp-g" { "政府方（机关，输入名称查找并选择）" }
                    input #pp-g name="gov_uscc" type="search" list="gov-bodies" autocomplete="off" maxlength="200" value=(caller.body.clone().unwrap_or_default()) required; }
                div { label for="pp-gn" { "政府方名称（尚未登记为信用主体时填写）" } input #pp-gn name="gov_name" type="text" maxlength="200"; }
                div { label for="pp-i" { "项目实施机构（输入名称查找并选择）" } input #pp-i name="implementing_uscc" type="search" list="gov-bodies" autocomplete="off" maxlength="200" required; }
                div { label for="pp-in" { "项目实施机构名称" } input #pp-in name="implementing_name" type="text" maxlength="200" required; }
                div { label for="pp-p" { "社会资本方统一社会信用代码" } input #pp-p name="private_uscc" type="text" maxlength="18" required; }
                div { label for="pp-pn" { "社会资本方名称" } input #pp-pn name="private_name" type="text" maxlength="200" required; }
                div { label for="pp-c" { "PPP 合同编号（可选）" } input #pp-c name="contract_no" type="text" maxlength="100"; }
                div { label for="pp-a" { "总投资（元，可选）" } input #pp-a name="amount" type="text" inputmode="decimal" placeholder="例如 560000000.00"; }
                div { label for="pp-d" { "识别阶段开始日期" } input #pp-d name="identified_on" type="date" value=(today) required; }
                button type="submit" { "登记" }
            }
        }
        (script(NEW_JS))
    };
    render(&caller, &v, "PPP 项目", "/console/ppp", body)
}

fn stage_options() -> Markup {
    html! { @for s in Stage::ALL { option value=(s.as_str()) { (s.label()) } } }
}

fn forms(p: &ProjectView, office: bool) -> Markup {
    let next = Stage::parse(&p.stage).ok().and_then(Stage::next);
    let base = |extra: serde_json::Value| extra.to_string();
    html! {
        (msg_box("ppp-action-msg"))
        @if let Some(n) = next {
            details {
                summary { "进入下一阶段：" (n.label()) }
                label for="adv-on" { "阶段开始日期" } input #adv-on type="date";
                label for="adv-note" { "说明" } input #adv-note type="text" maxlength="1000";
                button type="button" data-api={ "/api/v1/ppp-projects/" (p.id) "/stages" }
                    data-body=(base(serde_json::json!({"stage": n.as_str(), "expected_version": p.version})))
                    data-fields="on=adv-on,note=adv-note" data-out="ppp-action-msg" data-done="已进入下一阶段" { "确认进入" (n.label()) "阶段" }
            }
        }
        details {
            summary { "登记或变更阶段责任人" }
            p.hint { "同一阶段同一时间只有一名政府方责任人：登记新的责任人时，前任未结束的任职期间自动截止到前一日。身份证号仅用于识别人员，不会明文保存或显示。" }
            label for="rs-stage" { "阶段" } select #rs-stage { (stage_options()) }
            label for="rs-id" { "身份证号" } input #rs-id type="text" maxlength="18" autocomplete="off";
            label for="rs-name" { "姓名" } input #rs-name type="text" maxlength="60";
            label for="rs-post" { "职务" } input #rs-post type="text" maxlength="60";
            label for="rs-from" { "起始日期" } input #rs-from type="date";
            label for="rs-to" { "终止日期（可空）" } input #rs-to type="date";
            button type="button" data-api={ "/api/v1/ppp-projects/" (p.id) "/responsibles" } data-body="{}"
                data-fields="stage=rs-stage,id_number=rs-id,name=rs-name,post=rs-post,from=rs-from,to=rs-to"
                data-out="ppp-action-msg" data-done="已登记责任人" { "登记责任人" }
        }
        @if office {
            details {
                summary { "认定政府方失信违约" }
                label for="br-on" { "违约日期" } input #br-on type="date";
                label for="br-finding" { "违约情形" } textarea #br-finding rows="2" {}
                label for="br-doc" { "认定文书号" } input #br-doc type="text" maxlength="100";
                label for="br-amt" { "涉及金额（元，可选）" } input #br-amt type="text" inputmode="decimal";
                label for="br-sev" { "失信程度" }
                select #br-sev { option value="" { "按类型默认" } option value="general" { "一般" } option value="major" { "较重" } option value="severe" { "严重" } }
                button type="button" data-api={ "/api/v1/ppp-projects/" (p.id) "/breaches" } data-body="{}"
                    data-fields="occurred_on=br-on,finding=br-finding,doc_no=br-doc,amount=br-amt,severity=br-sev"
                    data-confirm="认定后将自动记入政府方的失信信息，确定？" data-out="ppp-action-msg" data-done="已认定并记入失信信息" { "认定违约" }
            }
        }
    }
}

/// `/console/ppp/{id}`.
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
    let p = match parse_id(&id) {
        Ok(id) => chengxin_app::ppp::get(&state, &caller, id).await,
        Err(e) => Err(e),
    };
    let p = match p {
        Ok(p) => p,
        Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
    };
    let mut traced = Vec::new();
    for b in &p.breaches {
        traced.push(
            chengxin_app::ppp::responsibility(&state, &caller, p.id, b.id)
                .await
                .ok(),
        );
    }
    let office = caller.has(P::CommitmentsManage);
    let body = html! {
        p { a href="/console/ppp" { "← 返回项目列表" } }
        section.card {
            h2 { (p.name) " " span.tag.muted { (p.stage_name) "阶段" } }
            dl.kv {
                dt { "项目编号" } dd #ppp-no { (p.no) }
                dt { "政府方" } dd { (p.gov_name) "（" (p.gov_uscc) "）" }
                dt { "项目实施机构" } dd { (p.implementing_name) }
                dt { "社会资本方" } dd { (p.private_name) "（" (p.private_uscc) "）" }
                @if let Some(c) = &p.contract_no { dt { "合同编号" } dd { (c) } }
                @if let Some(a) = &p.amount { dt { "总投资" } dd { (a) " 元" } }
            }
        }
        h2 { "项目阶段" }
        div.table-wrap { table #ppp-stages {
            thead { tr { th { "阶段" } th { "开始日期" } th { "结束日期" } th { "说明" } } }
            tbody { @for s in &p.stages { tr {
                td data-label="阶段" { (s.stage_name) }
                td data-label="开始日期" { (s.started_on) }
                td data-label="结束日期" { (s.ended_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into())) }
                td data-label="说明" { (s.note) }
            } } }
        } }
        h2 { "政府方责任人" }
        @if p.responsibles.is_empty() { p.hint { "尚未登记责任人。" } }
        @else {
            div.table-wrap { table #ppp-responsibles {
                thead { tr { th { "阶段" } th { "姓名" } th { "身份证号" } th { "职务" } th { "起始日期" } th { "终止日期" } } }
                tbody { @for r in &p.responsibles { tr {
                    td data-label="阶段" { (r.stage_name) }
                    td data-label="姓名" { (r.name) }
                    td data-label="身份证号" { (r.id_masked.clone().unwrap_or_default()) }
                    td data-label="职务" { (r.post) }
                    td data-label="起始日期" { (r.from) }
                    td data-label="终止日期" { (r.to.map(|d| d.to_string()).unwrap_or_else(|| "至今".into())) }
                } } }
            } }
        }
        h2 { "失信违约记录" }
        @if p.breaches.is_empty() { p.hint { "无失信违约记录。" } }
        @else {
            div.table-wrap { table #ppp-breaches {
                thead { tr { th { "违约日期" } th { "阶段" } th { "违约情形" } th { "认定文书号" } th { "责任回溯" } } }
                tbody { @for (b, t) in p.breaches.iter().zip(&traced) { tr {
                    td data-label="违约日期" { (b.occurred_on) }
                    td data-label="阶段" { (b.stage_name) }
                    td data-label="违约情形" { (b.finding) div { a href={ "/console/records/" (b.record_id) } { "查看失信信息" } } }
                    td data-label="认定文书号" { (b.doc_no) }
                    td data-label="责任回溯" {
                        @if let Some(t) = t {
                            @for h in &t.stage_holders { div { "阶段责任人：" (h.name) "（" (h.post) "）" } }
                            @for h in &t.body.principals { div { "单位主要负责人：" (h.name) "（" (h.held.post) "）" } }
                            @if t.stage_holders.is_empty() && t.body.principals.is_empty() { span.hint { "当日无登记的责任人" } }
                        }
                    }
                } } }
            } }
        }
        h2 { "办理" }
        (forms(&p, office))
        (actions_script())
    };
    render(
        &caller,
        &v,
        &format!("PPP 项目 {}", p.no),
        "/console/ppp",
        body,
    )
}
