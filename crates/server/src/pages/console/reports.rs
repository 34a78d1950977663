//! 信用报告 (issue a report on a subject in reach). A subject's own archive and report are
//! on the portal (`/portal/my`).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use chengxin_access::Permission as P;
use chengxin_domain::subjects::Subject;
use maud::html;
use serde::Deserialize;

use super::{gate, render};
use crate::auth::Caller;
use crate::pages::script;
use crate::AppState;

#[derive(Debug, Deserialize, Default)]
pub struct CreditQuery {
    pub q: Option<String>,
}

const CREDIT_JS: &str = r#"
document.querySelectorAll("[data-pick]").forEach(function (b) {
  b.addEventListener("click", function () {
    const input = document.getElementById("report-subject");
    input.value = b.dataset.pick;
    document.getElementById("report-subject-name").textContent = "已选择：" + b.dataset.name;
    document.getElementById("issue-report").focus();
  });
});
document.getElementById("issue-report").addEventListener("click", async function () {
  const btn = this;
  const msg = document.getElementById("report-msg");
  const out = document.getElementById("report-result");
  const id = document.getElementById("report-subject").value.trim();
  if (!/^[0-9a-fA-F-]{36}$/.test(id)) { cx.message(msg, "err", "请先在上方查找并选择信用主体"); return; }
  btn.disabled = true;
  cx.message(msg, "info", "正在出具信用报告…");
  const r = await cx.api("POST", "/api/v1/credit-reports", { subject_id: id });
  btn.disabled = false;
  if (!r.ok) { cx.message(msg, "err", "出具失败：" + cx.error(r.data)); return; }
  msg.hidden = true;
  document.getElementById("report-no").textContent = r.data.report_no;
  document.getElementById("report-code").textContent = r.data.verification_code;
  document.getElementById("report-time").textContent = r.data.issued_at || "";
  const a = document.getElementById("report-pdf");
  a.href = r.data.pdf_url;
  a.setAttribute("download", r.data.report_no + ".pdf");
  document.getElementById("report-html").href = "/console/reports/credit/" + encodeURIComponent(r.data.report_no);
  out.hidden = false;
  a.focus();
});
"#;

fn subject_code(s: &Subject) -> String {
    s.uscc
        .clone()
        .or_else(|| s.id_masked.clone())
        .unwrap_or_default()
}

/// `/console/reports/credit`: issue a credit report.
pub async fn credit(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    q: Result<Query<CreditQuery>, QueryRejection>,
) -> Response {
    let v = match gate(&state, &caller, &uri, |c| {
        c.has(P::ReportsIssue) || c.has(P::CreditReportOwn)
    })
    .await
    {
        Ok(v) => v,
        Err(r) => return r,
    };
    let staff = caller.has(P::ReportsIssue);
    let text = q
        .ok()
        .and_then(|Query(q)| q.q)
        .unwrap_or_default()
        .trim()
        .to_string();
    // A subject account: its own body.
    let own: Option<Subject> = if staff {
        None
    } else {
        match caller.body.as_deref() {
            Some(b) => state
                .store
                .subject_by_uscc(&b.trim().to_ascii_uppercase())
                .await
                .ok()
                .flatten(),
            None => None,
        }
    };
    let mut found: Vec<Subject> = Vec::new();
    if staff && !text.is_empty() {
        found = super::find_subjects(&state, &text, &caller.region_prefix(), 20).await;
        found.retain(|s| caller.reaches(P::ReportsIssue, s.region.as_deref().unwrap_or("000000")));
    }
    let body = html! {
        @if staff {
            form.card.search role="search" method="get" action="/console/reports/credit" {
                label.sr-only for="q" { "查找信用主体" }
                input #q type="search" name="q" value=(text) placeholder="主体名称或统一社会信用代码";
                button type="submit" { "查找主体" }
            }
            @if !text.is_empty() {
                div.table-wrap { table {
                    thead { tr { th { "名称" } th { "统一社会信用代码 / 证件号码" } th { "所属地区" } th { "操作" } } }
                    tbody {
                        @if found.is_empty() { tr { td colspan="4" { "未找到本辖区内匹配的主体。" } } }
                        @for s in &found {
                            tr {
                                td { (s.name) }
                                td { (subject_code(s)) }
                                td { (crate::pages::portal::region_name(s.region.as_deref())) }
                                td { button.secondary type="button" data-pick=(s.id) data-name=(s.name) { "选择" } }
                            }
                        }
                    }
                } }
            }
        }
        div.card {
            @if !staff {
                @match &own {
                    Some(s) => { p { "为本主体 " strong { (s.name) } "（" (subject_code(s)) "）出具信用报告。" } }
                    None => { div.notice.err { "当前账号未关联信用主体（账号所属单位须为主体的统一社会信用代码），无法出具报告。" } }
                }
            }
            input #report-subject type="hidden"
                value=(own.as_ref().map(|s| s.id.to_string()).unwrap_or_default());
            p.hint #report-subject-name aria-live="polite" {
                @if staff { "请先在上方查找并选择信用主体。" }
            }
            p { button #issue-report type="button" disabled[!staff && own.is_none()] { "出具信用报告" } }
            div #report-msg hidden aria-live="polite" {}
            div #report-result hidden aria-live="polite" {
                div.notice.ok {
                    dl.kv {
                        dt { "报告编号" } dd { strong #report-no {} }
                        dt { "验证码" } dd { strong #report-code {} }
                        dt { "出具时间" } dd #report-time {}
                    }
                    p {
                        a.button #report-pdf href="#" { "下载信用报告（PDF）" }
                        " "
                        a.button.secondary #report-html href="#" { "查看网页版报告" }
                    }
                    p.hint { "报告使用人可凭报告编号和验证码在门户“" a href="/portal/verify" { "报告验真" } "”核验真伪。" }
                }
            }
        }
        p.hint { "信用报告列示出具时公示中的行政许可、行政处罚及其他失信信息和名单情况，经电子签名；每次出具均记入审计日志。" }
        (script(CREDIT_JS))
    };
    render(&caller, &v, "信用报告", "/console/reports/credit", body)
}
