//! 信用报告 (issue a report: staff for subjects in reach, a subject for itself) and the
//! subject's own archive (本主体信用档案) with the repair application form.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use chengxin_access::Permission as P;
use chengxin_domain::records::RecordHistoryEntry;
use chengxin_domain::subjects::Subject;
use maud::html;
use serde::Deserialize;

use super::{api_error_page, dt, enc, gate, render, val, who};
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
    input.focus();
  });
});
document.getElementById("issue-report").addEventListener("click", async function () {
  const btn = this;
  const msg = document.getElementById("report-msg");
  const out = document.getElementById("report-result");
  const id = document.getElementById("report-subject").value.trim();
  if (!/^[0-9a-fA-F-]{36}$/.test(id)) { cx.message(msg, "err", "请填写或选择信用主体编号"); return; }
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
                    thead { tr { th { "名称" } th { "代码" } th { "区划" } th { "" } } }
                    tbody {
                        @if found.is_empty() { tr { td colspan="4" { "未找到本辖区内匹配的主体。" } } }
                        @for s in &found {
                            tr {
                                td { (s.name) }
                                td { (subject_code(s)) }
                                td { (s.region.clone().unwrap_or_default()) }
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
            label for="report-subject" { "信用主体编号" }
            input #report-subject type="text" autocomplete="off" spellcheck="false"
                value=(own.as_ref().map(|s| s.id.to_string()).unwrap_or_default())
                readonly[!staff] placeholder="可在上方查找后选择";
            p.hint #report-subject-name {}
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

const ARCHIVE_JS: &str = r#"
document.getElementById("repair-submit").addEventListener("click", async function () {
  const btn = this;
  const out = document.getElementById("repair-msg");
  const target = document.getElementById("repair-target").value;
  const reasons = document.getElementById("repair-reasons").value.trim();
  const commitment = document.getElementById("repair-commitment").checked;
  if (!target) { cx.message(out, "err", "请选择要修复的信息"); return; }
  if (reasons.length < 2) { cx.message(out, "err", "请说明失信行为的纠正和义务履行情况"); return; }
  if (!commitment) { cx.message(out, "err", "申请信用修复须作出信用承诺"); return; }
  const [kind, id] = target.split(":");
  const body = {
    target_kind: kind, target_id: id, reasons: reasons, commitment: commitment,
    applicant_name: document.getElementById("repair-applicant").value.trim() || null,
    contact: document.getElementById("repair-contact").value.trim() || null,
  };
  btn.disabled = true;
  const r = await cx.api("POST", "/api/v1/repairs", body);
  btn.disabled = false;
  if (!r.ok) { cx.message(out, "err", cx.error(r.data)); return; }
  out.className = "notice ok"; out.hidden = false; out.innerHTML = "";
  const p = document.createElement("p");
  p.textContent = "修复申请已提交，请妥善保存查询编号和查询码（查询码只显示这一次），用于查询进度和补充证明材料：";
  const dl = document.createElement("dl"); dl.className = "kv";
  [["查询编号", r.data.tracking_no, "repair-tracking"], ["查询码", r.data.access_code, "repair-code"], ["办理期限", r.data.due || "", "repair-due"]].forEach(function (x) {
    const dt = document.createElement("dt"); dt.textContent = x[0];
    const dd = document.createElement("dd"); const s = document.createElement("strong"); s.id = x[2]; s.textContent = x[1]; dd.appendChild(s);
    dl.appendChild(dt); dl.appendChild(dd);
  });
  const link = document.createElement("a"); link.href = "/portal/track"; link.textContent = "前往办件查询上传证明材料";
  out.appendChild(p); out.appendChild(dl); out.appendChild(link);
});
"#;

/// `/console/archive`: the subject's own full archive and the repair form.
pub async fn archive(State(state): State<AppState>, caller: Caller, uri: Uri) -> Response {
    let v = match gate(&state, &caller, &uri, |c| c.has(P::ArchiveReadOwn)).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let a = match chengxin_app::rights::own_archive(&state, &caller).await {
        Ok(a) => a,
        Err(e) => return api_error_page(&caller, &v, &e.into()),
    };
    let str_of =
        |v: &serde_json::Value, k: &str| -> String { v.get(k).map(val).unwrap_or_default() };
    // What may be repaired: negative records still public, and effective list entries.
    let mut targets: Vec<(String, String)> = Vec::new();
    for r in &a.records {
        let status = str_of(&r.record, "status");
        let negative = r.record.get("severity").is_some_and(|s| !s.is_null());
        if negative && (status == "published" || status == "expired") {
            targets.push((
                format!("record:{}", str_of(&r.record, "id")),
                format!(
                    "{} {}（{}）",
                    str_of(&r.record, "decision_date"),
                    str_of(&r.record, "doc_no"),
                    r.status_label
                ),
            ));
        }
    }
    for e in &a.list_entries {
        if str_of(e, "status") == "effective" {
            targets.push((
                format!("list_entry:{}", str_of(e, "id")),
                format!("名单：{}", str_of(e, "list_code")),
            ));
        }
    }
    let body = html! {
        p { "信用主体：" strong { (a.name) } }
        p.hint { "本页显示本主体的全部信用记录，包括已修复、已到期和已撤销的记录及其变更历史；社会公众在门户只能看到公示中的记录。" }
        h2 { "信用记录" }
        div.table-wrap { table {
            thead { tr { th { "决定日期" } th { "类别" } th { "文书号" } th { "状态" } th { "公示截止" } th { "变更历史" } } }
            tbody {
                @if a.records.is_empty() { tr { td colspan="6" { "暂无信用记录。" } } }
                @for r in &a.records {
                    @let history: Vec<RecordHistoryEntry> = r.record.get("history").and_then(|h| serde_json::from_value(h.clone()).ok()).unwrap_or_default();
                    tr {
                        td { (str_of(&r.record, "decision_date")) }
                        td { (str_of(&r.record, "type_code")) }
                        td { (str_of(&r.record, "doc_no")) }
                        td {
                            @let st = str_of(&r.record, "status");
                            @if st == "repaired" { span.tag.ok { (r.status_label) } }
                            @else if st == "published" { span.tag.warn { (r.status_label) } }
                            @else { span.tag.muted { (r.status_label) } }
                            @for an in &r.annotations { " " span.tag.muted { (an) } }
                        }
                        td { (str_of(&r.record, "publish_until")) }
                        td {
                            details {
                                summary { (history.len()) " 条" }
                                ul.plain.small {
                                    @for h in &history {
                                        li { (dt(&h.at)) " · " (super::history_label(&h.action)) " → " (h.status.label()) " · " (who(&h.actor))
                                            @if let Some(n) = &h.note { " · " (val(&serde_json::Value::String(n.clone()))) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        } }
        @if !a.list_entries.is_empty() {
            h2 { "名单情况" }
            ul.plain {
                @for e in &a.list_entries { li { (str_of(e, "list_code")) " · " (str_of(e, "status")) } }
            }
        }
        @if !a.applications.is_empty() {
            h2 { "本主体的申请" }
            div.table-wrap { table {
                thead { tr { th { "查询编号" } th { "类型" } th { "状态" } th { "期限" } } }
                tbody {
                    @for ap in &a.applications {
                        tr {
                            td { a href=(format!("/portal/track?no={}", enc(&str_of(ap, "tracking_no")))) { (str_of(ap, "tracking_no")) } }
                            td { (chengxin_domain::rights::AppKind::parse(&str_of(ap, "kind")).map(|k| k.label()).unwrap_or("")) }
                            td { (chengxin_domain::rights::AppState::parse(&str_of(ap, "state")).map(|s| s.label()).unwrap_or("")) }
                            td { (str_of(ap, "due")) }
                        }
                    }
                }
            } }
        }
        h2 { "申请信用修复" }
        div.card {
            @if targets.is_empty() {
                p.hint { "当前没有可申请修复的失信信息。" }
            }
            label for="repair-target" { "要修复的信息" }
            select #repair-target {
                option value="" { "请选择…" }
                @for (value, label) in &targets { option value=(value) { (label) } }
            }
            label for="repair-reasons" { "纠正失信行为、履行法定义务的情况" }
            textarea #repair-reasons rows="4" {}
            div.form-grid {
                div { label for="repair-applicant" { "申请人（默认为本主体名称）" } input #repair-applicant type="text" value=(a.name); }
                div { label for="repair-contact" { "联系电话或邮箱" } input #repair-contact type="text" autocomplete="tel"; }
            }
            label.check { input #repair-commitment type="checkbox"; " 本主体作出信用承诺：所提交材料真实有效，如有虚假愿承担相应责任。" }
            p { button #repair-submit type="button" { "提交修复申请" } }
            div #repair-msg tabindex="-1" hidden aria-live="polite" {}
        }
        (script(ARCHIVE_JS))
    };
    render(&caller, &v, "本主体信用档案", "/console/archive", body)
}
