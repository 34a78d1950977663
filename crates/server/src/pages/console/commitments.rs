//! 承诺管理 (issue 18): the commitments within reach (a body's own, the credit office's region)
//! with the form to register one, and one commitment with its milestones, the breach
//! procedure's steps as forms (兑现, 依法变更并补偿, 违约告知, 情况说明, 违约认定), its history and
//! evidence files. Forms post to the JSON API (`/api/v1/commitments…`); the rules (who takes
//! which step, jurisdiction) stay in `chengxin_app::commitments`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use chengxin_access::Permission as P;
use chengxin_app::commitments::{CommitmentView, ListParams, MilestoneView};
use chengxin_domain::commitments::ChangeGround;
use maud::{html, Markup};

use super::{actions_script, api_error_page, dt, enc, gate, msg_box, render, who};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::pages::script;
use crate::routes::input::parse_id;
use crate::AppState;

fn may(c: &Caller) -> bool {
    c.has(P::CommitmentsManage) || c.has(P::AssignmentsHandle)
}

fn state_tag(state: &str, name: &str) -> Markup {
    let class = match state {
        "fulfilled" | "kept" => "tag ok",
        "overdue" => "tag warn",
        "breached" => "tag err",
        _ => "tag muted",
    };
    html! { span class=(class) { (name) } }
}

const NEW_JS: &str = r#"
(function () {
  const f = document.getElementById("cm-new");
  if (!f) return;
  const msg = document.getElementById("cm-msg");
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const milestones = f.milestones.value.split("\n").map((l) => l.trim()).filter(Boolean).map((l) => {
      const [title, due, amount] = l.split(/[|｜]/).map((x) => (x || "").trim());
      const m = { title: title };
      if (due) m.due = due;
      if (amount) m.amount = amount;
      return m;
    });
    const person = f.promisor_id_number.value.trim();
    const body = {
      kind: f.kind.value, title: f.title.value, promisor_uscc: person ? "" : f.promisor_uscc.value,
      promisor_id_number: person || null,
      promisor_name: f.promisor_name.value || null, counterparty_name: f.counterparty_name.value,
      counterparty_uscc: f.counterparty_uscc.value || null, content: f.content.value,
      legal_basis: f.legal_basis.value, amount: f.amount.value || null,
      promised_on: f.promised_on.value, milestones: milestones };
    const r = await cx.api("POST", "/api/v1/commitments", body);
    if (r.ok) { cx.message(msg, "ok", "已登记，编号 " + r.data.no); setTimeout(() => { location.href = "/console/commitments/" + r.data.id; }, 700); }
    else cx.message(msg, "err", cx.error(r.data));
  });
})();
"#;

/// `/console/commitments`.
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
    let rows = match chengxin_app::commitments::list(&state, &caller, &params).await {
        Ok(r) => r,
        Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
    };
    let kinds = chengxin_app::commitments::kinds()
        .map(|k| k.all().to_vec())
        .unwrap_or_default();
    let today = state.today();
    let bodies = super::pickers::gov_bodies(&state, &caller).await;
    let body = html! {
        p.lead { "政府守信践诺：承诺主体为机关单位（以统一社会信用代码确定，换届和人员变动不影响承诺效力）。每个履行节点到期前提醒，逾期后督办；违约经告知、说明、认定后自动记入承诺主体的失信信息。告知承诺中的信用承诺也可由企业或自然人作出（自然人以居民身份证号码确定，号码只显示遮蔽形式）。" }
        form.filters method="get" action="/console/commitments" {
            label for="cm-q" { "承诺主体、承诺名称或编号" }
            input #cm-q name="q" type="search" value=(params.q.clone().unwrap_or_default());
            label for="cm-kind" { "类别" }
            select #cm-kind name="kind" {
                option value="" { "全部" }
                @for k in &kinds { option value=(k.code) selected[params.kind.as_deref() == Some(k.code.as_str())] { (k.name) } }
            }
            button type="submit" { "查询" }
        }
        @if rows.is_empty() {
            p.hint #no-commitments { "暂无承诺。" }
        } @else {
            div.table-wrap { table #commitments {
                thead { tr { th { "编号" } th { "承诺名称" } th { "类别" } th { "承诺主体" } th { "承诺日期" } th { "履行状态" } } }
                tbody {
                    @for c in &rows {
                        tr {
                            td data-label="编号" { a href={ "/console/commitments/" (c.id) } { (c.no) } }
                            td data-label="承诺名称" { (c.title) }
                            td data-label="类别" { (c.kind_name) }
                            td data-label="承诺主体" { (c.promisor_name) @if let Some(m) = &c.promisor_id_masked { " " span.hint { (m) } } }
                            td data-label="承诺日期" { (c.promised_on) }
                            td data-label="履行状态" { (state_tag(&c.state, c.state_name)) }
                        }
                    }
                }
            } }
        }
        section.card {
            h2 { "登记承诺" }
            div #cm-msg hidden aria-live="polite" {}
            (super::pickers::body_list("gov-bodies", &bodies))
            form #cm-new {
                div { label for="cm-k" { "承诺类别" }
                    select #cm-k name="kind" { @for k in &kinds { option value=(k.code) { (k.name) } } } }
                div { label for="cm-t" { "承诺名称" } input #cm-t name="title" type="text" maxlength="200" required; }
                div { label for="cm-pu" { "承诺主体（输入名称查找并选择）" }
                    input #cm-pu name="promisor_uscc" type="search" list="gov-bodies" autocomplete="off" maxlength="200" value=(caller.body.clone().unwrap_or_default()); }
                div { label for="cm-pid" { "承诺人居民身份证号码（仅信用承诺：自然人作出的承诺填写，此时不填承诺主体；号码只保存加密形式，页面只显示遮蔽形式）" }
                    input #cm-pid name="promisor_id_number" type="text" maxlength="18" autocomplete="off" spellcheck="false"; }
                div { label for="cm-pn" { "承诺主体名称或承诺人姓名（尚未登记为信用主体时填写）" } input #cm-pn name="promisor_name" type="text" maxlength="200"; }
                div { label for="cm-cn" { "相对方名称" } input #cm-cn name="counterparty_name" type="text" maxlength="200" required; }
                div { label for="cm-cu" { "相对方统一社会信用代码（可选）" } input #cm-cu name="counterparty_uscc" type="text" maxlength="18"; }
                div { label for="cm-c" { "承诺内容" } textarea #cm-c name="content" rows="3" required {} }
                div { label for="cm-lb" { "依据（政策文件、合同协议名称及文号）" } input #cm-lb name="legal_basis" type="text" maxlength="2000" required; }
                div { label for="cm-a" { "涉及金额（元，可选）" } input #cm-a name="amount" type="text" inputmode="decimal" placeholder="例如 5000000.00"; }
                div { label for="cm-d" { "承诺日期" } input #cm-d name="promised_on" type="date" value=(today) required; }
                div { label for="cm-m" { "履行节点（每行一个：名称|兑现期限|金额，期限和金额可省略）" }
                    textarea #cm-m name="milestones" rows="4" placeholder="土地交付|2026-06-30|\n奖补资金兑现|2026-12-31|3000000" required {} }
                button type="submit" { "登记" }
            }
        }
        (script(NEW_JS))
    };
    render(&caller, &v, "承诺管理", "/console/commitments", body)
}

fn step_forms(c: &CommitmentView, m: &MilestoneView, office: bool, promisor: bool) -> Markup {
    let base = |action: &str| {
        serde_json::json!({"milestone_id": m.id, "action": action, "expected_version": m.version})
            .to_string()
    };
    let id = |name: &str| format!("m{}-{name}", m.seq);
    let api = format!("/api/v1/commitments/{}/steps", c.id);
    let final_state = matches!(m.state.as_str(), "kept" | "changed" | "breached");
    html! {
        @if !final_state {
            div.step-forms {
                @if matches!(m.state.as_str(), "pending" | "overdue") && m.breach_stage == "none" {
                    details {
                        summary { "确认兑现" }
                        label for=(id("keep-on")) { "兑现日期" } input id=(id("keep-on")) type="date";
                        label for=(id("keep-note")) { "说明" } input id=(id("keep-note")) type="text" maxlength="1000";
                        button type="button" data-api=(api) data-body=(base("keep"))
                            data-fields={ "on=" (id("keep-on")) ",text=" (id("keep-note")) } data-out="cm-action-msg" data-done="已确认兑现" { "确认兑现" }
                    }
                }
                @if m.breach_stage != "decided" {
                    details {
                        summary { "依法变更并补偿" }
                        label for=(id("ground")) { "事由" }
                        select id=(id("ground")) { @for g in ChangeGround::ALL { option value=(g.as_str()) { (g.label()) } } }
                        label for=(id("basis")) { "法律依据" } input id=(id("basis")) type="text" maxlength="2000";
                        label for=(id("comp")) { "补偿情况" } textarea id=(id("comp")) rows="2" {}
                        label for=(id("comp-amt")) { "补偿金额（元）" } input id=(id("comp-amt")) type="text" inputmode="decimal";
                        label for=(id("change-on")) { "变更日期" } input id=(id("change-on")) type="date";
                        button type="button" data-api=(api) data-body=(base("change"))
                            data-fields={ "ground=" (id("ground")) ",basis=" (id("basis")) ",compensation=" (id("comp")) ",compensation_amount=" (id("comp-amt")) ",on=" (id("change-on")) }
                            data-out="cm-action-msg" data-done="已记录依法变更及补偿" { "记录依法变更" }
                    }
                }
                @if m.state == "overdue" && m.breach_stage == "none" && office {
                    button type="button" data-api=(api) data-body=(base("notice")) data-out="cm-action-msg"
                        data-confirm="向承诺主体发出违约告知，要求其在 10 个工作日内说明情况？" data-done="已发出违约告知" { "违约告知" }
                }
                @if m.breach_stage == "noticed" && (promisor || office) {
                    details {
                        summary { "情况说明" }
                        label for=(id("explain")) { "承诺主体的情况说明" } textarea id=(id("explain")) rows="3" {}
                        button type="button" data-api=(api) data-body=(base("explain"))
                            data-fields={ "text=" (id("explain")) } data-out="cm-action-msg" data-done="已提交情况说明" { "提交说明" }
                    }
                }
                @if matches!(m.breach_stage.as_str(), "noticed" | "explained") && office {
                    details {
                        summary { "违约认定" }
                        label for=(id("finding")) { "违约情形" } textarea id=(id("finding")) rows="2" {}
                        label for=(id("doc")) { "认定文书号" } input id=(id("doc")) type="text" maxlength="100";
                        label for=(id("sev")) { "失信程度" }
                        select id=(id("sev")) { option value="" { "按类型默认" } option value="general" { "一般" } option value="major" { "较重" } option value="severe" { "严重" } }
                        button type="button" data-api=(api) data-body=(base("decide"))
                            data-fields={ "finding=" (id("finding")) ",doc_no=" (id("doc")) ",severity=" (id("sev")) }
                            data-confirm="认定违约后将自动记入承诺主体的失信信息，确定？" data-out="cm-action-msg" data-done="已认定违约并记入失信信息" { "认定违约" }
                    }
                }
            }
        }
    }
}

/// `/console/commitments/{id}`.
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
        Ok(id) => chengxin_app::commitments::get(&state, &caller, id).await,
        Err(e) => Err(e),
    };
    let c = match c {
        Ok(c) => c,
        Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
    };
    let office = caller.has(P::CommitmentsManage);
    let own = caller
        .body
        .as_deref()
        .is_some_and(|b| b.eq_ignore_ascii_case(&c.promisor_uscc));
    let body = html! {
        p { a href="/console/commitments" { "← 返回承诺列表" } }
        section.card {
            h2 { (c.title) " " (state_tag(&c.state, c.state_name)) }
            dl.kv {
                dt { "承诺编号" } dd #commitment-no { (c.no) }
                dt { "类别" } dd { (c.kind_name) }
                dt { "承诺主体" } dd #promisor {
                    @if let Some(m) = &c.promisor_id_masked {
                        (c.promisor_name) "（自然人，身份证号码 " (m) "）"
                        @if let Some(sid) = c.promisor_subject_id { " " a href={ "/console/subjects?subject=" (sid) } { "信用档案" } }
                    } @else {
                        (c.promisor_name) "（" (c.promisor_uscc) "）"
                    }
                }
                dt { "相对方" } dd { (c.counterparty_name) }
                dt { "承诺内容" } dd { (c.content) }
                dt { "依据" } dd { (c.legal_basis) }
                @if let Some(a) = &c.amount { dt { "涉及金额" } dd { (a) " 元" } }
                dt { "承诺日期" } dd { (c.promised_on) }
                dt { "是否公示" } dd { @if c.public { "是（门户承诺公示）" } @else if c.promisor_id_masked.is_some() { "否（自然人的信用承诺不在门户公示）" } @else { "否" } }
            }
        }
        h2 { "履行节点" }
        (msg_box("cm-action-msg"))
        div.table-wrap { table #milestones {
            thead { tr { th { "序号" } th { "节点" } th { "兑现期限" } th { "金额（元）" } th { "状态" } th { "违约认定程序" } th { "办理" } } }
            tbody {
                @for m in &c.milestones {
                    tr id={ "milestone-" (m.seq) } {
                        td data-label="序号" { (m.seq) }
                        td data-label="节点" {
                            (m.title)
                            @if let Some(b) = &m.change_basis { div.hint { "依法变更（" (m.change_ground.unwrap_or("")) "）：" (b) } }
                            @if let Some(comp) = &m.compensation { div.hint { "补偿：" (comp) @if let Some(a) = &m.compensation_amount { "（" (a) " 元）" } } }
                            @if let Some(x) = &m.explanation { div.hint { "情况说明：" (x) } }
                            @if let Some(f) = &m.finding { div.hint { "违约情形：" (f) " " (m.finding_doc_no.clone().unwrap_or_default()) } }
                            @if let Some(r) = m.record_id { div { a href={ "/console/records/" (r) } { "查看失信信息" } } }
                        }
                        td data-label="兑现期限" { (m.due) }
                        td data-label="金额（元）" { (m.amount.clone().unwrap_or_else(|| "—".into())) }
                        td data-label="状态" { (state_tag(&m.state, m.state_name)) div.hint { (m.reminded) } }
                        td data-label="违约认定程序" {
                            (m.breach_stage_name)
                            @if let Some(d) = m.explain_due { div.hint { "说明期限：" (d) } }
                        }
                        td.actions data-label="办理" { (step_forms(&c, m, office, own)) }
                    }
                }
            }
        } }
        h2 { "证明材料" }
        @if c.files.is_empty() { p.hint { "尚无证明材料。" } }
        ul {
            @for f in &c.files {
                li { a href={ "/api/v1/commitments/" (c.id) "/files/" (f.id) } { (f.name) } " · " (dt(&f.at))
                    @if let Some(s) = f.milestone_seq { " · 节点 " (s) } }
            }
        }
        p.hint { "上传证明材料（PDF、JPG、PNG、OFD，按内容识别类型）：" }
        input #cm-file type="file" accept=".pdf,.jpg,.jpeg,.png,.ofd";
        button type="button" #cm-upload data-id=(c.id) { "上传" }
        div #cm-file-msg hidden aria-live="polite" {}
        h2 { "办理记录" }
        div.table-wrap { table #steps {
            thead { tr { th { "时间" } th { "步骤" } th { "节点" } th { "办理人" } th { "内容" } } }
            tbody {
                @for s in &c.steps {
                    tr {
                        td data-label="时间" { (dt(&s.at)) }
                        td data-label="步骤" { (s.action_name) }
                        td data-label="节点" { (s.milestone_seq.map(|n| n.to_string()).unwrap_or_else(|| "—".into())) }
                        td data-label="办理人" { (who(&s.actor)) }
                        td data-label="内容" { (s.note) }
                    }
                }
            }
        } }
        (actions_script())
        (script(&format!(r#"
document.getElementById("cm-upload").addEventListener("click", async function () {{
  const input = document.getElementById("cm-file");
  const out = document.getElementById("cm-file-msg");
  if (!input.files.length) {{ cx.message(out, "err", "请先选择文件"); return; }}
  const file = input.files[0];
  const r = await fetch("/api/v1/commitments/{id}/files?name=" + encodeURIComponent(file.name), {{
    method: "POST", body: file, credentials: "same-origin",
    headers: {{ "content-type": "application/octet-stream", "x-csrf-token": document.querySelector('meta[name="csrf-token"]').content }} }});
  if (r.ok) {{ cx.message(out, "ok", "已上传"); setTimeout(function () {{ location.reload(); }}, 600); }}
  else {{ let d = {{}}; try {{ d = await r.json(); }} catch (_) {{}} cx.message(out, "err", cx.error(d)); }}
}});
"#, id = enc(&c.id.to_string()))))
    };
    render(
        &caller,
        &v,
        &format!("承诺 {}", c.no),
        "/console/commitments",
        body,
    )
}
