//! 拖欠账款反映 (issue 18): an enterprise logged in on the portal (企业登录) reports an arrear a
//! government body owes it — it enters the ledger as 企业反映待确认 until the body or the credit
//! office confirms or rejects it — and follows its reports to clearance. Anyone else reads what
//! the statutory payment term is and how to report.

use axum::extract::State;
use axum::response::Response;
use chengxin_access::Permission as P;
use chengxin_app::arrears::ArrearListParams;
use maud::html;

use super::{portal_page, unavailable};
use crate::auth::Caller;
use crate::pages::{script, visitor};
use crate::AppState;

const REPORT_JS: &str = r#"
(function () {
  const f = document.getElementById("pa-new");
  if (!f) return;
  const msg = document.getElementById("pa-msg");
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = {
      debtor_uscc: f.debtor_uscc.value, debtor_name: f.debtor_name.value || null,
      creditor_sme: f.creditor_sme.checked, contract_no: f.contract_no.value,
      contract_name: f.contract_name.value || null, contract_amount: f.contract_amount.value || null,
      amount: f.amount.value, due: f.due.value, signed_on: f.signed_on.value || null,
      note: f.note.value || null };
    const r = await cx.api("POST", "/api/v1/portal/arrears", body);
    if (r.ok) { cx.message(msg, "ok", "已提交，编号 " + r.data.no + "，待欠款单位确认。"); setTimeout(() => { location.reload(); }, 900); }
    else cx.message(msg, "err", cx.error(r.data));
  });
})();
"#;

/// `/portal/arrears`.
pub async fn page(State(state): State<AppState>, caller: Caller) -> Response {
    let v = visitor(&state, &caller).await;
    let terms = chengxin_app::arrears::terms().ok();
    let mine = v.subject && caller.has(P::ArchiveReadOwn);
    let rows = if mine {
        match chengxin_app::arrears::list(&state, &caller, &ArrearListParams::default()).await {
            Ok(r) => r,
            Err(e) => return unavailable(&v, e),
        }
    } else {
        Vec::new()
    };
    let body = html! {
        p.lead { "机关、事业单位拖欠企业货物、工程、服务款项的，企业可在此反映。反映的拖欠账款由欠款单位或当地信用办核实确认；确认后逐笔登记付款直至清偿，逾期超过规定期限仍未支付的，记入欠款单位失信信息。" }
        @if let Some(t) = terms {
            div.notice.info #payment-terms {
                "《" (t.sme.regulation) "》" (t.sme.article) "（" (t.sme.decree) "，" (t.sme.effective) " 起施行）：机关、事业单位从中小企业采购货物、工程、服务，应当自交付之日起 " (t.sme.default_days) " 日内支付款项；以检验或验收合格为付款条件的，自检验或验收合格之日起算；合同另有约定的，付款期限最长不得超过 " (t.sme.max_agreed_days) " 日。" (t.sme.interest_note)
            }
        }
        @if !mine {
            p #arrears-login { "反映拖欠账款请先" a href="/portal/login?next=/portal/arrears" { "企业登录" } "（账号绑定本单位统一社会信用代码）。" }
        } @else {
            h2 { "我反映的拖欠账款" }
            @if rows.is_empty() {
                p.hint #no-arrears { "尚未反映拖欠账款。" }
            } @else {
                div.table-wrap { table #my-arrears {
                    thead { tr { th scope="col" { "编号" } th scope="col" { "欠款单位" } th scope="col" { "合同" } th scope="col" { "金额（元）" } th scope="col" { "尚欠（元）" } th scope="col" { "状态" } } }
                    tbody {
                        @for a in &rows {
                            tr {
                                td data-label="编号" { (a.no) }
                                td data-label="欠款单位" { (a.debtor_name) }
                                td data-label="合同" { (a.contract_name.clone().unwrap_or_else(|| a.contract_no.clone())) }
                                td data-label="金额（元）" { (a.amount) }
                                td data-label="尚欠（元）" { (a.outstanding) }
                                td data-label="状态" { (a.state_name) @if let Some(r) = &a.reason { div.hint { "理由：" (r) } } }
                            }
                        }
                    }
                } }
            }
            section.card {
                h2 { "反映拖欠账款" }
                div #pa-msg hidden aria-live="polite" {}
                form #pa-new {
                    div { label for="pa-du" { "欠款单位统一社会信用代码" } input #pa-du name="debtor_uscc" type="text" maxlength="18" required; }
                    div { label for="pa-dn" { "欠款单位名称" } input #pa-dn name="debtor_name" type="text" maxlength="200"; }
                    div { label for="pa-sme" { "本企业为中小企业（合同订立时）" } input #pa-sme name="creditor_sme" type="checkbox" checked; }
                    div { label for="pa-no" { "合同编号" } input #pa-no name="contract_no" type="text" maxlength="100" required; }
                    div { label for="pa-name" { "合同名称" } input #pa-name name="contract_name" type="text" maxlength="200"; }
                    div { label for="pa-ca" { "合同金额（元）" } input #pa-ca name="contract_amount" type="text" inputmode="decimal"; }
                    div { label for="pa-signed" { "合同签订日期" } input #pa-signed name="signed_on" type="date"; }
                    div { label for="pa-a" { "拖欠金额（元）" } input #pa-a name="amount" type="text" inputmode="decimal" required; }
                    div { label for="pa-due" { "约定付款日期" } input #pa-due name="due" type="date" required; }
                    div { label for="pa-note" { "情况说明" } textarea #pa-note name="note" rows="3" {} }
                    button type="submit" { "提交" }
                }
            }
            (script(REPORT_JS))
        }
    };
    portal_page(&v, "拖欠账款反映", "/portal/arrears", body)
}
