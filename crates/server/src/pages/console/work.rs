//! 督办事项 (issue 19): the queues — my items, my unit's items, everything in my region —
//! filtered by type, state and overdue, with the XLSX export and the form to open an item; and
//! one item with its bodies, timeline, attachments and the next steps the caller may take as
//! forms. Forms post to the JSON API (`/api/v1/work-items…`); the rules (who takes which step,
//! jurisdiction) stay in `chengxin_app::work`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use chengxin_access::Permission as P;
use chengxin_app::work::{ItemView, Queue, QueueParams};
use maud::{html, Markup};

use super::{actions_script, api_error_page, dt, gate, msg_box, render, who};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::pages::script;
use crate::routes::input::parse_id;
use crate::AppState;

fn may(c: &Caller) -> bool {
    c.has(P::SupervisionManage) || c.has(P::AssignmentsHandle)
}

fn state_tag(v: &ItemView) -> Markup {
    let class = if v.is_final {
        "tag ok"
    } else if v.overdue {
        "tag err"
    } else {
        "tag muted"
    };
    html! {
        span class=(class) { (v.state_name) }
        @if v.overdue { " " span.tag.err { "逾期" } }
    }
}

/// The query string of a queue page with one parameter changed (for links).
fn query(p: &QueueParams, queue: Queue) -> String {
    let mut parts = vec![format!("queue={}", queue.as_str())];
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    if let Some(k) = p.kind.as_deref().filter(|k| !k.is_empty()) {
        parts.push(format!("kind={}", enc(k)));
    }
    if let Some(s) = p.state.as_deref().filter(|s| !s.is_empty()) {
        parts.push(format!("state={}", enc(s)));
    }
    if p.overdue == Some(true) {
        parts.push("overdue=true".into());
    }
    if p.open == Some(true) {
        parts.push("open=true".into());
    }
    parts.join("&")
}

const NEW_JS: &str = r#"
(function () {
  const f = document.getElementById("wi-new");
  if (!f) return;
  const msg = document.getElementById("wi-msg");
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const co = f.co_units.value.split(/[\s,，、]+/).map((x) => x.trim()).filter(Boolean);
    const body = {
      kind: f.kind.value, title: f.title.value, ref_no: f.ref_no.value || null,
      proposer: f.proposer.value || null, owner_uscc: f.owner_uscc.value,
      owner_name: f.owner_name.value || null, issuer_uscc: f.issuer_uscc.value || null,
      issuer_name: f.issuer_name.value || null, co_units: co, content: f.content.value,
      required: f.required.value || null, opened_on: f.opened_on.value || null,
      deadline: f.deadline.value || null };
    const r = await cx.api("POST", "/api/v1/work-items", body);
    if (r.ok) { cx.message(msg, "ok", "已交办，编号 " + r.data.no); setTimeout(() => { location.href = "/console/work/" + r.data.id; }, 700); }
    else cx.message(msg, "err", cx.error(r.data));
  });
})();
"#;

const HOTLINE_JS: &str = r#"
(function () {
  const b = document.getElementById("hl-upload");
  if (!b) return;
  b.addEventListener("click", async function () {
    const input = document.getElementById("hl-file");
    const out = document.getElementById("hl-msg");
    const rep = document.getElementById("hl-report");
    if (!input.files.length) { cx.message(out, "err", "请先选择文件"); return; }
    const file = input.files[0];
    b.disabled = true;
    const r = await fetch("/api/v1/work-items/hotline?name=" + encodeURIComponent(file.name), {
      method: "POST", body: file, credentials: "same-origin",
      headers: { "content-type": "application/octet-stream", "x-csrf-token": document.querySelector('meta[name="csrf-token"]').content } });
    b.disabled = false;
    let d = {}; try { d = await r.json(); } catch (_) {}
    if (!r.ok) { cx.message(out, "err", cx.error(d)); return; }
    cx.message(out, d.failed ? "err" : "ok",
      "读取 " + d.rows + " 行：新建 " + d.created + " 件，未变化 " + d.unchanged + " 行，有误 " + d.failed + " 行");
    rep.textContent = "";
    if (d.errors && d.errors.length) {
      const t = document.createElement("table");
      const head = t.insertRow();
      ["行号", "工单编号", "错误代码", "说明"].forEach(function (h) { const th = document.createElement("th"); th.textContent = h; head.appendChild(th); });
      d.errors.forEach(function (e) {
        const tr = t.insertRow();
        [e.row, e.ticket_no, e.code, e.message].forEach(function (x) { tr.insertCell().textContent = String(x); });
      });
      rep.appendChild(t);
    }
  });
})();
"#;

/// `/console/work`.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    q: Result<Query<QueueParams>, QueryRejection>,
) -> Response {
    let v = match gate(&state, &caller, &uri, may).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let mut params = q.map(|Query(q)| q).unwrap_or_default();
    let office = chengxin_app::work::is_office_caller(&caller);
    if params.queue.as_deref().is_none_or(str::is_empty) {
        params.queue = Some(
            if office {
                Queue::Region
            } else if caller.body.is_some() {
                Queue::Unit
            } else {
                Queue::Mine
            }
            .as_str()
            .to_string(),
        );
    }
    let page = match chengxin_app::work::queue(&state, &caller, &params).await {
        Ok(r) => r,
        Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
    };
    let types = chengxin_app::work::types()
        .map(|t| t.all().to_vec())
        .unwrap_or_default();
    let mut states: Vec<(String, String)> = Vec::new();
    for t in &types {
        for s in &t.states {
            if !states.iter().any(|(c, _)| *c == s.code) {
                states.push((s.code.clone(), s.name.clone()));
            }
        }
    }
    let today = state.today();
    let queues: Vec<Queue> = [Queue::Mine, Queue::Unit, Queue::Region]
        .into_iter()
        .filter(|q| match q {
            Queue::Unit => caller.body.is_some(),
            Queue::Region => office,
            Queue::Mine => true,
        })
        .collect();
    let here = query(&params, page.queue);
    // The list only where the form that uses it is shown.
    let bodies = if office {
        super::pickers::gov_bodies(&state, &caller).await
    } else {
        Vec::new()
    };
    let body = html! {
        p.lead { "人大代表建议、政协委员提案、督查/审计/财政发现问题整改、书面说明原因并限期整改：同一套办理流程，按工作日计算期限，到期前提醒、逾期后督办。" }
        nav.tabs aria-label="事项队列" {
            @for q in &queues {
                a href={ "/console/work?" (query(&params, *q)) } aria-current=[(page.queue == *q).then_some("page")] { (q.label()) }
            }
        }
        form.filters method="get" action="/console/work" {
            input type="hidden" name="queue" value=(page.queue.as_str());
            label for="wi-kind" { "类型" }
            select #wi-kind name="kind" {
                option value="" { "全部" }
                @for t in &types { option value=(t.code) selected[params.kind.as_deref() == Some(t.code.as_str())] { (t.name) } }
            }
            label for="wi-state" { "状态" }
            select #wi-state name="state" {
                option value="" { "全部" }
                @for (c, n) in &states { option value=(c) selected[params.state.as_deref() == Some(c.as_str())] { (n) } }
            }
            label { input type="checkbox" name="overdue" value="true" checked[params.overdue == Some(true)]; "只看逾期" }
            label { input type="checkbox" name="open" value="true" checked[params.open == Some(true)]; "只看未办结" }
            button type="submit" { "查询" }
            a.button.secondary #wi-export href={ "/console/work/export.xlsx?" (here) } download { "导出 XLSX" }
        }
        @if page.items.is_empty() {
            p.hint #no-work-items { "暂无事项。" }
        } @else {
            div.table-wrap { table #work-items {
                thead { tr { th { "编号" } th { "名称" } th { "类型" } th { "主办/整改单位" } th { "期限" } th { "状态" } } }
                tbody {
                    @for i in &page.items {
                        tr {
                            td data-label="编号" { a href={ "/console/work/" (i.id) } { (i.no) } }
                            td data-label="名称" { (i.title) @if let Some(r) = &i.ref_no { div.hint { (r) } } }
                            td data-label="类型" { (i.kind_name) }
                            td data-label="主办/整改单位" { (i.owner_name) }
                            td data-label="期限" { (i.due_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into())) }
                            td data-label="状态" { (state_tag(i)) }
                        }
                    }
                }
            } }
            @if let Some(next) = page.next {
                p { a #wi-next href={ "/console/work?" (here) "&before=" (next) } { "下一页" } }
            }
        }
        @if office {
            section.card {
                h2 { "交办事项" }
                div #wi-msg hidden aria-live="polite" {}
                (super::pickers::body_list("gov-bodies", &bodies))
                form #wi-new {
                    div { label for="wi-k" { "类型" }
                        select #wi-k name="kind" { @for t in &types { option value=(t.code) { (t.name) } } } }
                    div { label for="wi-t" { "名称" } input #wi-t name="title" type="text" maxlength="200" required; }
                    div { label for="wi-r" { "编号（建议号、提案号、文号，可选）" } input #wi-r name="ref_no" type="text" maxlength="100"; }
                    div { label for="wi-p" { "代表/委员（建议、提案必填）" } input #wi-p name="proposer" type="text" maxlength="100"; }
                    div { label for="wi-o" { "主办/整改单位（输入名称查找并选择）" } input #wi-o name="owner_uscc" type="search" list="gov-bodies" autocomplete="off" maxlength="200" required; }
                    div { label for="wi-on" { "主办/整改单位名称（尚未登记时填写）" } input #wi-on name="owner_name" type="text" maxlength="200"; }
                    div { label for="wi-i" { "交办/督查/审计/财政部门（可选，输入名称查找并选择）" } input #wi-i name="issuer_uscc" type="search" list="gov-bodies" autocomplete="off" maxlength="200"; }
                    div { label for="wi-in" { "交办部门名称（尚未登记时填写）" } input #wi-in name="issuer_name" type="text" maxlength="200"; }
                    div { label for="wi-co" { "协办单位统一社会信用代码（多个以逗号分隔）" } input #wi-co name="co_units" type="text"; }
                    div { label for="wi-c" { "内容（建议内容、发现的问题）" } textarea #wi-c name="content" rows="3" required {} }
                    div { label for="wi-rq" { "整改要求（整改类必填）" } textarea #wi-rq name="required" rows="2" {} }
                    div { label for="wi-d" { "交办日期" } input #wi-d name="opened_on" type="date" value=(today); }
                    div { label for="wi-dl" { "期限（整改类逐项设定；建议提案默认三个月）" } input #wi-dl name="deadline" type="date"; }
                    button type="submit" { "交办" }
                }
            }
            (script(NEW_JS))
            section.card #hotline-import {
                h2 { "导入 12345 热线工单" }
                p.hint { "热线工单导出文件（CSV 或 XLSX；列：工单编号、来电时间、诉求内容、诉求类型、涉及单位、区域、办理单位、办结时间、回访满意度、来电人、联系电话，可用常见别名）。按工单编号去重：同一工单再次导入不重复建立；编号相同而内容不同的逐行报错，不覆盖。来电人和联系电话加密保存。" }
                (msg_box("hl-msg"))
                label for="hl-file" { "选择文件" }
                input #hl-file type="file" accept=".csv,.xlsx";
                button type="button" #hl-upload { "导入" }
                div #hl-report {}
            }
            (script(HOTLINE_JS))
        }
        p { a #wi-tasks href="/console/work/tasks" { "重点任务分工与季度报送 →" } }
    };
    render(&caller, &v, "督办事项", "/console/work", body)
}

/// `/console/work/export.xlsx`.
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    q: Result<Query<QueueParams>, QueryRejection>,
) -> Response {
    let v = match gate(&state, &caller, &uri, may).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let params = q.map(|Query(q)| q).unwrap_or_default();
    match chengxin_app::work::export(&state, &caller, &params).await {
        Ok((name, bytes)) => crate::routes::work::xlsx_response(&name, bytes),
        Err(e) => api_error_page(&caller, &v, &ApiError::from(e)),
    }
}

const FILES_JS: &str = r#"
document.querySelectorAll("input[data-evidence]").forEach(function (input) {
  input.addEventListener("change", async function () {
    const out = document.getElementById(input.dataset.evidence);
    const list = [];
    for (const f of input.files) {
      const buf = await f.arrayBuffer();
      const h = await crypto.subtle.digest("SHA-256", buf);
      const hex = Array.from(new Uint8Array(h)).map(function (b) { return b.toString(16).padStart(2, "0"); }).join("");
      list.push({ name: f.name, size: f.size, sha256: hex });
    }
    out.value = JSON.stringify(list);
  });
});
"#;

/// The arrear a complaint's 查实 finds: the inputs composed into the step's `arrear` object
/// (nothing when no contract number is given).
const ARREAR_JS: &str = r#"
(function () {
  const box = document.getElementById("wa-arrear");
  const out = document.getElementById("wa-result-arrear");
  function compose() {
    const o = {};
    box.querySelectorAll("[data-arrear]").forEach(function (el) {
      o[el.dataset.arrear] = el.type === "checkbox" ? el.checked : el.value.trim();
    });
    out.value = o.contract_no ? JSON.stringify(o) : "";
  }
  box.addEventListener("input", compose);
  box.addEventListener("change", compose);
})();
"#;

/// Opening the complainant's sealed name and contact: a purpose, audited.
const REVEAL_JS: &str = r#"
(function () {
  const b = document.getElementById("reveal-complainant");
  if (!b) return;
  b.addEventListener("click", async function () {
    const out = document.getElementById("reveal-msg");
    const purpose = document.getElementById("reveal-purpose").value.trim();
    if (purpose.length < 2) { cx.message(out, "err", "请填写查看事由（至少 2 个字）"); return; }
    b.disabled = true;
    const r = await cx.api("POST", b.dataset.url, { purpose: purpose });
    b.disabled = false;
    if (!r.ok) { cx.message(out, "err", cx.error(r.data)); return; }
    const parts = [];
    if (r.data.name) parts.push(r.data.name);
    parts.push(r.data.contact || "（未留联系方式）");
    document.getElementById("complainant-contact").textContent = parts.join(" ");
    cx.message(out, "ok", "已显示（本次查看已记入审计日志）");
  });
})();
"#;

fn reveal_form(i: &ItemView) -> Markup {
    html! {
        dd #complainant-contact { span.hint { "已加密保存；有权查看个人信息明文的人员说明事由后可查看，查看记入审计日志。" } }
        dt { label for="reveal-purpose" { "查看事由" } }
        dd {
            input #reveal-purpose type="text" maxlength="200" placeholder="例如：回访投诉人";
            " "
            button #reveal-complainant type="button" data-url={ "/api/v1/work-items/" (i.id) "/complainant" } { "查看联系方式" }
            div #reveal-msg hidden {}
        }
    }
}

fn step_forms(i: &ItemView) -> Markup {
    let api = format!("/api/v1/work-items/{}/steps", i.id);
    html! {
        @for a in &i.next_actions {
            @let id = |name: &str| format!("wa-{}-{name}", a.code);
            @let base = serde_json::json!({"action": a.code, "expected_version": i.version}).to_string();
            details.step-form id={ "step-" (a.code) } {
                summary { (a.name) }
                @if !a.choices.is_empty() {
                    label for=(id("choice")) { "结果" }
                    select id=(id("choice")) { @for c in &a.choices { option value=(c.code) { (c.name) } } }
                }
                label for=(id("text")) { "办理情况" @if a.text_required { "（必填）" } }
                textarea id=(id("text")) rows="3" maxlength="4000" {}
                label for=(id("on")) { "办理日期（默认今天）" } input id=(id("on")) type="date";
                label for=(id("files")) { "附件" @if a.evidence_required { "（须附证明材料）" } }
                input id=(id("files")) type="file" multiple data-evidence=(id("att"));
                input id=(id("att")) type="hidden" data-json;
                @let arrear = i.kind == "complaint" && a.code == "result";
                @if arrear {
                    fieldset.arrear-box #wa-arrear {
                        legend { "查实拖欠账款（选填：查实被投诉单位拖欠企业账款时填写，记入拖欠账款台账，待其确认）" }
                        label for="wa-arrear-creditor" { "债权企业统一社会信用代码" } input #wa-arrear-creditor type="text" maxlength="18" data-arrear="creditor_uscc";
                        label for="wa-arrear-creditor-name" { "债权企业名称" } input #wa-arrear-creditor-name type="text" maxlength="200" data-arrear="creditor_name";
                        label for="wa-arrear-contract" { "合同编号" } input #wa-arrear-contract type="text" maxlength="100" data-arrear="contract_no";
                        label for="wa-arrear-amount" { "拖欠金额（元）" } input #wa-arrear-amount type="text" inputmode="decimal" maxlength="20" data-arrear="amount";
                        label for="wa-arrear-due" { "约定付款日期" } input #wa-arrear-due type="date" data-arrear="due";
                        label { input #wa-arrear-sme type="checkbox" data-arrear="creditor_sme"; " 债权企业为中小企业" }
                        input #wa-result-arrear type="hidden" data-json;
                    }
                    (script(ARREAR_JS))
                }
                button type="button" data-api=(api) data-body=(base)
                    data-fields=(format!("choice={},text={},on={},attachments={}{}", id("choice"), id("text"), id("on"), id("att"), if arrear { ",arrear=wa-result-arrear" } else { "" }))
                    data-out="wi-action-msg" data-done={ "已" (a.name) } { (a.name) }
            }
        }
        details.step-form #step-note {
            summary { "添加备注" }
            label for="wa-note-text" { "备注" } textarea #wa-note-text rows="2" maxlength="4000" {}
            button type="button" data-api=(api)
                data-body=(serde_json::json!({"action": "note", "expected_version": i.version}).to_string())
                data-fields="text=wa-note-text" data-out="wi-action-msg" data-done="已添加备注" { "添加备注" }
        }
    }
}

/// `/console/work/{id}`.
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
    let i = match parse_id(&id) {
        Ok(id) => chengxin_app::work::get(&state, &caller, id).await,
        Err(e) => Err(e),
    };
    let i = match i {
        Ok(i) => i,
        Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
    };
    let co: Vec<&str> = i
        .parties
        .iter()
        .filter(|p| p.party == "co")
        .map(|p| p.name.as_str())
        .collect();
    let body = html! {
        p { a href="/console/work" { "← 返回督办事项" } }
        section.card {
            h2 { (i.title) " " (state_tag(&i)) }
            dl.kv {
                dt { "事项编号" } dd #work-item-no { (i.no) }
                dt { "类型" } dd { (i.kind_name) }
                @if let Some(r) = &i.ref_no { dt { (i.number_label.clone().unwrap_or_else(|| "编号".into())) } dd { (r) } }
                @if let Some(p) = &i.proposer { dt { "代表/委员" } dd { (p) } }
                dt { (i.owner_label) } dd { (i.owner_name) }
                @if !co.is_empty() { dt { "协办单位" } dd { (co.join("、")) } }
                dt { (i.issuer_label) } dd { (i.issuer_name) }
                dt { "内容" } dd { (i.content) }
                @if !i.required.is_empty() { dt { "整改要求" } dd { (i.required) } }
                dt { "交办日期" } dd { (i.opened_on) }
                dt { "期限" } dd { (i.deadline) }
                @if let Some(d) = i.due_on { dt { "当前步骤期限" } dd { (d) } }
                @if let Some(r) = &i.reminded { dt { "提醒督办" } dd { (r) } }
                @if i.reopens > 0 { dt { "重新办理" } dd { (i.reopens) " 次" } }
                @if let Some(o) = &i.outcome_name { dt { "办理结果" } dd #work-outcome { (o) } }
            }
        }
        @if let Some(h) = &i.hotline {
            section.card #hotline-ticket {
                h2 { "12345 热线工单" }
                dl.kv {
                    dt { "工单编号" } dd { (h.ticket_no) }
                    dt { "来电时间" } dd { (h.called_at) }
                    @if !h.category.is_empty() { dt { "诉求类型" } dd { (h.category) } }
                    @if !h.handling_unit.is_empty() { dt { "热线办理单位" } dd { (h.handling_unit) } }
                    @if let Some(c) = &h.concluded_at { dt { "热线办结时间" } dd { (c) } }
                    @if let Some(s) = &h.satisfaction { dt { "热线回访满意度" } dd { (s) } }
                    dt { "来电人及联系方式" }
                    @if h.has_contact { (reveal_form(&i)) } @else { dd #hotline-contact { "—" } }
                }
            }
        }
        @if i.filed_online {
            section.card #portal-filing {
                h2 { "网上投诉" }
                dl.kv {
                    dt { "投诉人及联系方式" }
                    (reveal_form(&i))
                }
            }
        }
        @if !i.is_final {
            h2 { "办理" }
            (msg_box("wi-action-msg"))
            @if i.next_actions.is_empty() { p.hint { "当前没有需要您办理的步骤。" } }
            (step_forms(&i))
        }
        h2 { "办理记录" }
        div.table-wrap { table #timeline {
            thead { tr { th { "日期" } th { "步骤" } th { "办理方" } th { "办理人" } th { "状态" } th { "内容" } } }
            tbody {
                @for e in &i.events {
                    tr {
                        td data-label="日期" { (e.on_date) div.hint { (dt(&e.at)) } }
                        td data-label="步骤" { (e.action_name) @if let Some(c) = &e.choice_name { "：" (c) } }
                        td data-label="办理方" { (e.party_name) }
                        td data-label="办理人" { (who(&e.actor)) }
                        td data-label="状态" { (e.to_state_name) }
                        td data-label="内容" { (e.text) }
                    }
                }
            }
        } }
        h2 { "附件" }
        @if i.files.is_empty() { p.hint { "尚无附件。" } }
        ul #work-files {
            @for f in &i.files {
                li {
                    @if i.filed_online { a href={ "/api/v1/work-items/" (i.id) "/files/" (f.id) } download { (f.name) } } @else { (f.name) }
                    " · " (f.size) " 字节 · SHA-256 " code { (f.sha256) } " · " (dt(&f.at))
                }
            }
        }
        (actions_script())
        (script(FILES_JS))
        (script(REVEAL_JS))
    };
    render(
        &caller,
        &v,
        &format!("督办事项 {}", i.no),
        "/console/work",
        body,
    )
}

const TASK_JS: &str = r#"
(function () {
  const f = document.getElementById("task-report");
  if (!f) return;
  const msg = document.getElementById("task-msg");
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    let att = [];
    try { att = JSON.parse(f.attachments.value || "[]"); } catch (_) {}
    const body = { task: f.task.value, quarter: f.quarter.value, text: f.text.value, attachments: att };
    const r = await cx.api("POST", "/api/v1/work-tasks/reports", body);
    if (r.ok) { cx.message(msg, "ok", "已报送"); setTimeout(() => { location.reload(); }, 700); }
    else cx.message(msg, "err", cx.error(r.data));
  });
})();
"#;

/// The quarter of a tasks page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct QuarterQuery {
    pub quarter: Option<String>,
}

fn status_tag(s: chengxin_domain::work::tasks::ReportStatus, name: &str) -> Markup {
    use chengxin_domain::work::tasks::ReportStatus as S;
    let class = match s {
        S::Reported => "tag ok",
        S::ReportedLate => "tag warn",
        S::Pending => "tag muted",
        S::Overdue => "tag err",
    };
    html! { span class=(class) { (name) } }
}

/// `/console/work/tasks`: 重点任务分工 — the quarter's overview per task and per unit, the XLSX
/// export, and the report form for a unit.
pub async fn tasks(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    q: Result<Query<QuarterQuery>, QueryRejection>,
) -> Response {
    let v = match gate(&state, &caller, &uri, may).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let o = match chengxin_app::work::tasks::overview(&state, &caller, q.quarter.as_deref()).await {
        Ok(o) => o,
        Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
    };
    let quarter = chengxin_domain::work::tasks::Quarter::parse(&o.quarter);
    let mine = caller.body.clone();
    let body = html! {
        p { a href="/console/work" { "← 返回督办事项" } }
        p.lead { "重点任务分工：牵头单位和配合单位每季度报送进展（季度最后一日前），季末前提醒，逾期未报送的标记逾期。" }
        form.filters method="get" action="/console/work/tasks" {
            label for="tq" { "季度" }
            input #tq name="quarter" type="text" value=(o.quarter) maxlength="7";
            button type="submit" { "查询" }
            @if let Some(qq) = quarter {
                a.button.secondary href={ "/console/work/tasks?quarter=" (qq.prev()) } { "上一季度" }
                a.button.secondary href={ "/console/work/tasks?quarter=" (qq.next()) } { "下一季度" }
            }
            a.button.secondary #task-export href={ "/api/v1/work-tasks.xlsx?quarter=" (o.quarter) } download { "导出 XLSX" }
            " "
            a.button.secondary #task-export-pdf href={ "/api/v1/work-tasks.pdf?quarter=" (o.quarter) } download { "导出 PDF（领导小组）" }
        }
        h2 { (o.quarter_label) "（报送截止 " (o.due_on) "）" }
        @if o.tasks.is_empty() { p.hint #no-tasks { "本季度没有需要报送的任务。" } }
        @for k in &o.tasks {
            section.card.task id={ "task-" (k.code) } {
                h3 { (k.name) }
                p.hint { (k.period) " · " (k.basis) " · 已报送 " (k.reported) " / " (k.units.len()) @if k.overdue > 0 { " · 逾期 " (k.overdue) } }
                div.table-wrap { table {
                    thead { tr { th { "单位" } th { "分工" } th { "状态" } th { "报送日期" } th { "进展情况" } th { "附件" } } }
                    tbody { @for u in &k.units {
                        tr {
                            td data-label="单位" { (u.name) }
                            td data-label="分工" { @if u.lead { "牵头单位" } @else { "配合单位" } }
                            td data-label="状态" { (status_tag(u.status, &u.status_name)) }
                            td data-label="报送日期" { (u.reported_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into())) }
                            td data-label="进展情况" { (u.text.clone().unwrap_or_default()) }
                            td data-label="附件" { (u.files) }
                        }
                    } }
                } }
            }
        }
        h2 { "按单位汇总" }
        div.table-wrap { table #task-units {
            thead { tr { th { "单位" } th { "任务数" } th { "已报送" } th { "待报送" } th { "逾期" } } }
            tbody { @for u in &o.units {
                tr { td { (u.name) } td { (u.tasks) } td { (u.reported) } td { (u.pending) } td { (u.overdue) } }
            } }
        } }
        @if mine.is_some() {
            @let open: Vec<&chengxin_app::work::tasks::TaskLine> = o.tasks.iter()
                .filter(|k| k.units.iter().any(|u| u.uscc == mine && u.reported_on.is_none()))
                .collect();
            @if !open.is_empty() {
                section.card {
                    h2 { "报送本单位进展" }
                    (msg_box("task-msg"))
                    form #task-report {
                        input type="hidden" name="quarter" value=(o.quarter);
                        div { label for="tr-task" { "任务" }
                            select #tr-task name="task" { @for k in &open { option value=(k.code) { (k.name) } } } }
                        div { label for="tr-text" { "进展情况" } textarea #tr-text name="text" rows="4" maxlength="4000" required {} }
                        div { label for="tr-files" { "附件" } input #tr-files type="file" multiple data-evidence="tr-att"; }
                        input #tr-att name="attachments" type="hidden";
                        button type="submit" { "报送" }
                    }
                }
                (script(TASK_JS))
                (script(FILES_JS))
            }
        }
    };
    render(&caller, &v, "重点任务分工", "/console/work", body)
}
