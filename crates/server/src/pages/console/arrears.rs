//! 政府采购与拖欠账款 (issue 18): the procurement contracts within reach with the form to
//! register one (payment terms by《保障中小企业款项支付条例》), a contract with its milestones;
//! the arrears ledger with totals per body, region and month, the credit office's form to
//! register an arrear, and one arrear with its steps as forms (确认, 驳回, 付款, 法院判决) and its
//! history. Forms post to the JSON API; the rules stay in `chengxin_app::arrears`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use chengxin_access::Permission as P;
use chengxin_app::arrears::{ArrearListParams, ArrearView, ContractView, TotalLine};
use maud::{html, Markup};

use super::{actions_script, api_error_page, dt, gate, msg_box, render, who};
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
        "cleared" | "done" => "tag ok",
        "reported" | "partly_paid" | "overdue" => "tag warn",
        "confirmed" | "in_ledger" => "tag err",
        _ => "tag muted",
    };
    html! { span class=(class) { (name) } }
}

fn totals_table(id: &str, head: &str, lines: &[TotalLine]) -> Markup {
    html! {
        div.table-wrap { table id=(id) {
            thead { tr { th { (head) } th { "已确认笔数" } th { "金额（元）" } th { "已付（元）" } th { "尚欠（元）" } th { "已清偿笔数" } th { "待确认笔数" } th { "待确认金额（元）" } } }
            tbody {
                @for t in lines {
                    tr {
                        td data-label=(head) { (t.name) }
                        td data-label="已确认笔数" { (t.count) }
                        td data-label="金额（元）" { (t.amount) }
                        td data-label="已付（元）" { (t.paid) }
                        td data-label="尚欠（元）" { (t.outstanding) }
                        td data-label="已清偿笔数" { (t.cleared_count) }
                        td data-label="待确认笔数" { (t.reported_count) }
                        td data-label="待确认金额（元）" { (t.reported_amount) }
                    }
                }
            }
        } }
    }
}

const REGISTER_JS: &str = r#"
(function () {
  const f = document.getElementById("qk-new");
  if (!f) return;
  const msg = document.getElementById("qk-msg");
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = {
      debtor_uscc: f.debtor_uscc.value, debtor_name: f.debtor_name.value || null,
      creditor_uscc: f.creditor_uscc.value, creditor_name: f.creditor_name.value,
      creditor_sme: f.creditor_sme.checked, contract_no: f.contract_no.value,
      contract_name: f.contract_name.value || null, contract_amount: f.contract_amount.value || null,
      amount: f.amount.value, due: f.due.value, note: f.note.value || null };
    const r = await cx.api("POST", "/api/v1/arrears", body);
    if (r.ok) { cx.message(msg, "ok", "已登记，编号 " + r.data.no); setTimeout(() => { location.href = "/console/arrears/" + r.data.id; }, 700); }
    else cx.message(msg, "err", cx.error(r.data));
  });
})();
"#;

/// `/console/arrears`: totals and the ledger.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    q: Result<Query<ArrearListParams>, QueryRejection>,
) -> Response {
    let v = match gate(&state, &caller, &uri, may).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let params = q.map(|Query(q)| q).unwrap_or_default();
    let rows = match chengxin_app::arrears::list(&state, &caller, &params).await {
        Ok(r) => r,
        Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
    };
    let totals = match chengxin_app::arrears::totals(&state, &caller, params.body.as_deref()).await
    {
        Ok(t) => t,
        Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
    };
    let office = caller.has(P::CommitmentsManage);
    let states = [
        ("reported", "企业反映待确认"),
        ("confirmed", "已确认"),
        ("partly_paid", "部分清偿"),
        ("cleared", "已清偿"),
        ("rejected", "不属实（驳回）"),
    ];
    // The list only where the form that uses it is shown.
    let bodies = if office {
        super::pickers::gov_bodies(&state, &caller).await
    } else {
        Vec::new()
    };
    let body = html! {
        p.lead { "拖欠账款台账：合同付款逾期自动登记，企业可在信用门户反映（待欠款单位或信用办确认），付款逐笔登记直至清偿。逾期超过规定期限或法院判决后仍未支付的，自动记入欠款单位失信信息。" }
        p { a href="/console/procurement" { "政府采购合同" } }
        section.card {
            h2 { "合计" }
            dl.kv #arrears-total {
                dt { "已确认笔数" } dd { (totals.total.count) }
                dt { "金额" } dd { (totals.total.amount) " 元" }
                dt { "已付" } dd { (totals.total.paid) " 元" }
                dt { "尚欠" } dd #total-outstanding { (totals.total.outstanding) " 元" }
                dt { "待确认" } dd { (totals.total.reported_count) " 笔，" (totals.total.reported_amount) " 元" }
            }
            h3 { "按欠款单位" } (totals_table("totals-body", "欠款单位", &totals.by_body))
            h3 { "按地区" } (totals_table("totals-region", "地区", &totals.by_region))
            h3 { "按月份（约定付款日期）" } (totals_table("totals-month", "月份", &totals.by_month))
        }
        form.filters method="get" action="/console/arrears" {
            label for="qk-state" { "状态" }
            select #qk-state name="state" {
                option value="" { "全部" }
                @for (code, name) in states { option value=(code) selected[params.state.as_deref() == Some(code)] { (name) } }
            }
            button type="submit" { "查询" }
        }
        @if rows.is_empty() {
            p.hint #no-arrears { "暂无拖欠账款。" }
        } @else {
            div.table-wrap { table #arrears {
                thead { tr { th { "编号" } th { "欠款单位" } th { "债权人" } th { "合同" } th { "金额（元）" } th { "尚欠（元）" } th { "约定付款日期" } th { "状态" } } }
                tbody {
                    @for a in &rows {
                        tr {
                            td data-label="编号" { a href={ "/console/arrears/" (a.id) } { (a.no) } }
                            td data-label="欠款单位" { (a.debtor_name) }
                            td data-label="债权人" { (a.creditor_name) }
                            td data-label="合同" { (a.contract_name.clone().unwrap_or_else(|| a.contract_no.clone())) }
                            td data-label="金额（元）" { (a.amount) }
                            td data-label="尚欠（元）" { (a.outstanding) }
                            td data-label="约定付款日期" { (a.due) @if a.days_overdue > 0 { div.hint { "逾期 " (a.days_overdue) " 日" } } }
                            td data-label="状态" { (state_tag(&a.state, a.state_name)) }
                        }
                    }
                }
            } }
        }
        @if office {
            section.card {
                h2 { "登记拖欠账款" }
                p.hint { "信用办根据 12345 热线、专项治理排查等登记的拖欠账款直接记为“已确认”。" }
                div #qk-msg hidden aria-live="polite" {}
                (super::pickers::body_list("gov-bodies", &bodies))
                form #qk-new {
                    div { label for="qk-du" { "欠款单位（输入名称查找并选择）" } input #qk-du name="debtor_uscc" type="search" list="gov-bodies" autocomplete="off" maxlength="200" required; }
                    div { label for="qk-dn" { "欠款单位名称（尚未登记为信用主体时填写）" } input #qk-dn name="debtor_name" type="text" maxlength="200"; }
                    div { label for="qk-cu" { "债权人统一社会信用代码" } input #qk-cu name="creditor_uscc" type="text" maxlength="18" required; }
                    div { label for="qk-cn" { "债权人名称" } input #qk-cn name="creditor_name" type="text" maxlength="200" required; }
                    div { label for="qk-sme" { "债权人为中小企业" } input #qk-sme name="creditor_sme" type="checkbox" checked; }
                    div { label for="qk-no" { "合同编号" } input #qk-no name="contract_no" type="text" maxlength="100" required; }
                    div { label for="qk-name" { "合同名称" } input #qk-name name="contract_name" type="text" maxlength="200"; }
                    div { label for="qk-ca" { "合同金额（元）" } input #qk-ca name="contract_amount" type="text" inputmode="decimal"; }
                    div { label for="qk-a" { "拖欠金额（元）" } input #qk-a name="amount" type="text" inputmode="decimal" required; }
                    div { label for="qk-due" { "约定付款日期" } input #qk-due name="due" type="date" required; }
                    div { label for="qk-note" { "情况说明" } textarea #qk-note name="note" rows="2" {} }
                    button type="submit" { "登记" }
                }
            }
            (script(REGISTER_JS))
        }
    };
    render(&caller, &v, "拖欠账款", "/console/arrears", body)
}

fn step_forms(a: &ArrearView, office: bool, debtor: bool) -> Markup {
    let base = |action: &str| {
        serde_json::json!({"action": action, "expected_version": a.version}).to_string()
    };
    let api = format!("/api/v1/arrears/{}/steps", a.id);
    let acts = office || debtor;
    html! {
        div.step-forms {
            @if a.state == "reported" && acts {
                button type="button" data-api=(api) data-body=(base("confirm")) data-out="qk-action-msg"
                    data-confirm="确认该笔拖欠属实？" data-done="已确认" { "确认属实" }
                details {
                    summary { "驳回（不属实）" }
                    label for="qk-reason" { "驳回理由" } textarea #qk-reason rows="2" {}
                    button type="button" data-api=(api) data-body=(base("reject"))
                        data-fields="reason=qk-reason" data-out="qk-action-msg" data-done="已驳回" { "驳回" }
                }
            }
            @if matches!(a.state.as_str(), "confirmed" | "partly_paid") && acts {
                details {
                    summary { "登记付款" }
                    label for="qk-pay" { "付款金额（元）" } input #qk-pay type="text" inputmode="decimal";
                    label for="qk-pay-on" { "付款日期" } input #qk-pay-on type="date";
                    button type="button" data-api=(api) data-body=(base("pay"))
                        data-fields="amount=qk-pay,on=qk-pay-on" data-out="qk-action-msg" data-done="已登记付款" { "登记付款" }
                }
            }
            @if matches!(a.state.as_str(), "reported" | "confirmed" | "partly_paid") && office {
                details {
                    summary { "登记法院判决" }
                    label for="qk-doc" { "判决书文号" } input #qk-doc type="text" maxlength="100";
                    label for="qk-doc-on" { "判决日期" } input #qk-doc-on type="date";
                    button type="button" data-api=(api) data-body=(base("judgment"))
                        data-fields="doc_no=qk-doc,on=qk-doc-on" data-out="qk-action-msg" data-done="已登记法院判决" { "登记判决" }
                }
            }
        }
    }
}

/// `/console/arrears/{id}`.
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
    let a = match parse_id(&id) {
        Ok(id) => chengxin_app::arrears::get(&state, &caller, id).await,
        Err(e) => Err(e),
    };
    let a = match a {
        Ok(a) => a,
        Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
    };
    let office = caller.has(P::CommitmentsManage);
    let debtor = caller
        .body
        .as_deref()
        .is_some_and(|b| b.eq_ignore_ascii_case(&a.debtor_uscc));
    let body = html! {
        p { a href="/console/arrears" { "← 返回拖欠账款台账" } }
        section.card {
            h2 { "拖欠账款 " (a.no) " " (state_tag(&a.state, a.state_name)) }
            dl.kv {
                dt { "来源" } dd { (a.source_name) }
                dt { "欠款单位" } dd #debtor { (a.debtor_name) "（" (a.debtor_uscc) "）" }
                dt { "债权人" } dd { (a.creditor_name) @if a.creditor_sme { "（中小企业）" } }
                dt { "合同" } dd { (a.contract_name.clone().unwrap_or_default()) " " (a.contract_no) }
                @if let Some(c) = a.contract_id { dt { "采购合同" } dd { a href={ "/console/procurement/" (c) } { "查看合同" } } }
                dt { "合同金额" } dd { (a.contract_amount) " 元" }
                dt { "拖欠金额" } dd { (a.amount) " 元" }
                dt { "已付" } dd { (a.paid) " 元" }
                dt { "尚欠" } dd #outstanding { (a.outstanding) " 元" }
                dt { "约定付款日期" } dd { (a.due) @if a.days_overdue > 0 { "（逾期 " (a.days_overdue) " 日）" } }
                @if let Some(r) = &a.reason { dt { "驳回理由" } dd { (r) } }
                @if let Some(j) = &a.judgment_doc_no { dt { "法院判决" } dd { (j) " " (a.judgment_on.map(|d| d.to_string()).unwrap_or_default()) } }
                @if let Some(c) = a.cleared_on { dt { "清偿日期" } dd { (c) } }
                @if let Some(r) = a.record_id { dt { "失信信息" } dd { a href={ "/console/records/" (r) } { "已记入欠款单位失信信息" } } }
            }
        }
        (msg_box("qk-action-msg"))
        (step_forms(&a, office, debtor))
        h2 { "办理记录" }
        div.table-wrap { table #arrear-steps {
            thead { tr { th { "时间" } th { "步骤" } th { "金额（元）" } th { "日期" } th { "办理人" } th { "内容" } } }
            tbody {
                @for s in &a.steps {
                    tr {
                        td data-label="时间" { (dt(&s.at)) }
                        td data-label="步骤" { (s.action_name) }
                        td data-label="金额（元）" { (s.amount.clone().unwrap_or_else(|| "—".into())) }
                        td data-label="日期" { (s.on) }
                        td data-label="办理人" { (who(&s.actor)) }
                        td data-label="内容" { (s.note) }
                    }
                }
            }
        } }
        (actions_script())
    };
    render(
        &caller,
        &v,
        &format!("拖欠账款 {}", a.no),
        "/console/arrears",
        body,
    )
}

const CONTRACT_JS: &str = r#"
(function () {
  const f = document.getElementById("cg-new");
  if (!f) return;
  const msg = document.getElementById("cg-msg");
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const milestones = f.milestones.value.split("\n").map((l) => l.trim()).filter(Boolean).map((l) => {
      const [kind, title, due, amount] = l.split(/[|｜]/).map((x) => (x || "").trim());
      const m = { kind: kind, title: title };
      if (due) m.due = due;
      if (amount) m.amount = amount;
      return m;
    });
    const days = f.payment_days.value.trim();
    const body = {
      title: f.title.value, contract_no: f.contract_no.value, purchaser_uscc: f.purchaser_uscc.value,
      purchaser_name: f.purchaser_name.value || null, supplier_uscc: f.supplier_uscc.value,
      supplier_name: f.supplier_name.value, supplier_sme: f.supplier_sme.checked,
      amount: f.amount.value, signed_on: f.signed_on.value,
      payment_days: days ? Number(days) : null, milestones: milestones };
    const r = await cx.api("POST", "/api/v1/procurement/contracts", body);
    if (r.ok) { cx.message(msg, "ok", "已登记，编号 " + r.data.no); setTimeout(() => { location.href = "/console/procurement/" + r.data.id; }, 700); }
    else cx.message(msg, "err", cx.error(r.data));
  });
})();
"#;

/// Query of the contract list.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PageQuery {
    pub page: Option<i64>,
}

/// `/console/procurement`: contracts within reach and the form to register one.
pub async fn contracts(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    let v = match gate(&state, &caller, &uri, may).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let page = q.ok().and_then(|Query(q)| q.page).unwrap_or(1);
    let rows = match chengxin_app::arrears::list_contracts(&state, &caller, page).await {
        Ok(r) => r,
        Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
    };
    let terms = chengxin_app::arrears::terms().ok();
    let today = state.today();
    let bodies = super::pickers::gov_bodies(&state, &caller).await;
    let body = html! {
        p.lead { "政府采购合同：采购人为机关、事业单位，按交付、验收、付款节点跟踪履约。付款节点逾期未付的，每日自动记入拖欠账款台账并通知采购人和信用办。" }
        @if let Some(t) = terms {
            div.notice.info #payment-terms {
                "付款期限：《" (t.sme.regulation) "》" (t.sme.article) "（" (t.sme.decree) "修订，" (t.sme.effective) " 起施行）——机关、事业单位从中小企业采购货物、工程、服务，应当自交付之日起 " (t.sme.default_days) " 日内支付款项；以检验或验收合格为付款条件的，自检验或验收合格之日起算；合同另有约定的，付款期限最长不得超过 " (t.sme.max_agreed_days) " 日。"
            }
        }
        p { a href="/console/arrears" { "拖欠账款台账" } }
        @if rows.is_empty() {
            p.hint #no-contracts { "暂无采购合同。" }
        } @else {
            div.table-wrap { table #contracts {
                thead { tr { th { "编号" } th { "合同名称" } th { "采购人" } th { "供应商" } th { "合同金额（元）" } th { "签订日期" } th { "付款期限" } } }
                tbody {
                    @for c in &rows {
                        tr {
                            td data-label="编号" { a href={ "/console/procurement/" (c.id) } { (c.no) } }
                            td data-label="合同名称" { (c.title) }
                            td data-label="采购人" { (c.purchaser_name) }
                            td data-label="供应商" { (c.supplier_name) @if c.supplier_sme { "（中小企业）" } }
                            td data-label="合同金额（元）" { (c.amount) }
                            td data-label="签订日期" { (c.signed_on) }
                            td data-label="付款期限" { (c.payment_days) " 日" }
                        }
                    }
                }
            } }
        }
        section.card {
            h2 { "登记采购合同" }
            div #cg-msg hidden aria-live="polite" {}
            (super::pickers::body_list("gov-bodies", &bodies))
            form #cg-new {
                div { label for="cg-t" { "合同名称" } input #cg-t name="title" type="text" maxlength="200" required; }
                div { label for="cg-no" { "合同编号" } input #cg-no name="contract_no" type="text" maxlength="100" required; }
                div { label for="cg-pu" { "采购人（输入名称查找并选择）" } input #cg-pu name="purchaser_uscc" type="search" list="gov-bodies" autocomplete="off" maxlength="200" value=(caller.body.clone().unwrap_or_default()) required; }
                div { label for="cg-pn" { "采购人名称（尚未登记为信用主体时填写）" } input #cg-pn name="purchaser_name" type="text" maxlength="200"; }
                div { label for="cg-su" { "供应商统一社会信用代码" } input #cg-su name="supplier_uscc" type="text" maxlength="18" required; }
                div { label for="cg-sn" { "供应商名称" } input #cg-sn name="supplier_name" type="text" maxlength="200" required; }
                div { label for="cg-sme" { "供应商为中小企业（合同订立时）" } input #cg-sme name="supplier_sme" type="checkbox" checked; }
                div { label for="cg-a" { "合同金额（元）" } input #cg-a name="amount" type="text" inputmode="decimal" required; }
                div { label for="cg-d" { "签订日期" } input #cg-d name="signed_on" type="date" value=(today) required; }
                div { label for="cg-days" { "约定付款期限（日，可选；中小企业最长 60 日，不填按 30 日）" } input #cg-days name="payment_days" type="number" min="1"; }
                div { label for="cg-m" { "履约节点（每行一个：类型|名称|期限|金额；类型为 交付、验收 或 付款；付款期限不填则按付款期限自验收或交付起算）" }
                    textarea #cg-m name="milestones" rows="4" placeholder="交付|设备到货|2026-03-31|\n验收|到货验收|2026-04-15|\n付款|合同款|  |850000" required {} }
                button type="submit" { "登记" }
            }
        }
        (script(CONTRACT_JS))
    };
    render(&caller, &v, "政府采购合同", "/console/procurement", body)
}

fn contract_body(c: &ContractView) -> Markup {
    html! {
        p { a href="/console/procurement" { "← 返回采购合同列表" } }
        section.card {
            h2 { (c.title) }
            dl.kv {
                dt { "编号" } dd { (c.no) }
                dt { "合同编号" } dd { (c.contract_no) }
                dt { "采购人" } dd { (c.purchaser_name) "（" (c.purchaser_uscc) "）" }
                dt { "供应商" } dd { (c.supplier_name) @if c.supplier_sme { "（中小企业）" } }
                dt { "合同金额" } dd { (c.amount) " 元" }
                dt { "签订日期" } dd { (c.signed_on) }
                dt { "付款期限" } dd #terms-basis { (c.payment_days) " 日：" (c.terms_basis) }
            }
        }
        h2 { "履约节点" }
        (msg_box("cg-action-msg"))
        div.table-wrap { table #contract-milestones {
            thead { tr { th { "序号" } th { "类型" } th { "节点" } th { "期限" } th { "金额（元）" } th { "状态" } th { "办理" } } }
            tbody {
                @for m in &c.milestones {
                    tr {
                        td data-label="序号" { (m.seq) }
                        td data-label="类型" { (m.kind_name) }
                        td data-label="节点" { (m.title) }
                        td data-label="期限" { (m.due) }
                        td data-label="金额（元）" { (m.amount.clone().unwrap_or_else(|| "—".into())) }
                        td data-label="状态" { (state_tag(&m.state, m.state_name))
                            @if let Some(d) = m.done_on { div.hint { "完成于 " (d) } }
                            @if let Some(a) = m.arrear_id { div { a href={ "/console/arrears/" (a) } { "查看拖欠账款" } } } }
                        td.actions data-label="办理" {
                            @if matches!(m.state.as_str(), "pending" | "overdue") {
                                button type="button" data-api={ "/api/v1/procurement/contracts/" (c.id) "/milestones" }
                                    data-body=(serde_json::json!({"milestone_id": m.id, "expected_version": m.version}).to_string())
                                    data-out="cg-action-msg" data-done="已登记完成" { "登记完成" }
                            }
                        }
                    }
                }
            }
        } }
        (actions_script())
    }
}

/// `/console/procurement/{id}`.
pub async fn contract(
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
        Ok(id) => chengxin_app::arrears::get_contract(&state, &caller, id).await,
        Err(e) => Err(e),
    };
    let c = match c {
        Ok(c) => c,
        Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
    };
    render(
        &caller,
        &v,
        &format!("采购合同 {}", c.no),
        "/console/procurement",
        contract_body(&c),
    )
}
