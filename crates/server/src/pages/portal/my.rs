//! The enterprise's own pages on the portal (信用主体): 企业登录 (not the staff login),
//! 我的信用档案 — its full archive, applications and their progress, the repair form, its own
//! credit report — and the public's credit report of an organisation (as 信用中国 offers it
//! from an archive page). A subject's session opens none of the console.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chengxin_access::Permission as P;
use chengxin_domain::lists::{EntryStatus, JointCatalog, ListEntry};
use chengxin_domain::records::RecordHistoryEntry;
use chengxin_domain::rights::Application;
use maud::html;
use serde::Deserialize;
use uuid::Uuid;

use super::{day, enc, portal_error, portal_page, region_name, subject_code, type_name};
use crate::auth::Caller;
use crate::pages::{html_response, layout, script, visitor, Section, PORTAL_NAV};
use crate::AppState;

/// Where a subject lands after logging in.
pub const MY_ARCHIVE: &str = "/portal/my";

#[derive(Debug, Deserialize, Default)]
pub struct NextParam {
    pub next: Option<String>,
}

/// Only this site's portal pages: `/portal/…` (never `//host`), else the archive.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with("/portal/")
                && !n.contains("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control)
                && n.len() <= 256 =>
        {
            n.to_string()
        }
        _ => MY_ARCHIVE.to_string(),
    }
}

const LOGIN_JS: &str = r#"
(function () {
  const form = document.getElementById("login-form");
  const msg = document.getElementById("login-msg");
  const change = document.getElementById("change-form");
  const next = document.getElementById("login-page").dataset.next || "/portal/my";
  function setCsrf(token) {
    let m = document.querySelector('meta[name="csrf-token"]');
    if (!m) { m = document.createElement("meta"); m.name = "csrf-token"; document.head.appendChild(m); }
    m.content = token;
  }
  let target = next;
  if (form) form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    const btn = document.getElementById("login");
    const body = {
      username: document.getElementById("username").value.trim(),
      password: document.getElementById("password").value,
      totp: null,
    };
    if (!body.username) { cx.message(msg, "err", "请输入账号"); document.getElementById("username").focus(); return; }
    if (!body.password) { cx.message(msg, "err", "请输入密码"); document.getElementById("password").focus(); return; }
    btn.disabled = true;
    cx.message(msg, "info", "正在登录…");
    const r = await cx.api("POST", "/api/v1/session", body);
    btn.disabled = false;
    if (!r.ok) {
      let text = cx.error(r.data);
      if (r.data && /totp/.test(r.data.code || "")) text = "该账号为工作人员账号，请从“工作人员登录”进入工作台。";
      else if (r.status === 423) text = "账号已被临时锁定：" + text;
      cx.message(msg, "err", text);
      return;
    }
    setCsrf(r.data.csrf_token);
    const roles = (r.data.account && r.data.account.roles) || [];
    if (!roles.every(function (x) { return x === "subject"; })) target = "/console";
    if (r.data.account && r.data.account.must_change_password) {
      document.getElementById("current_password").value = body.password;
      document.getElementById("current-wrap").hidden = true;
      form.hidden = true;
      change.hidden = false;
      cx.message(msg, "info", "首次登录或密码已重置：请先设置新密码。");
      document.getElementById("new_password").focus();
      return;
    }
    cx.message(msg, "ok", "登录成功，正在进入我的信用档案…");
    location.href = target;
  });
  if (change) change.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    const btn = document.getElementById("change-password");
    const body = {
      current: document.getElementById("current_password").value,
      new: document.getElementById("new_password").value,
    };
    if (!body.new) { cx.message(msg, "err", "请输入新密码"); return; }
    btn.disabled = true;
    const r = await cx.api("POST", "/api/v1/session/password", body);
    btn.disabled = false;
    if (!r.ok) { cx.message(msg, "err", cx.error(r.data)); return; }
    cx.message(msg, "ok", "密码已修改，正在进入…");
    location.href = target;
  });
})();
"#;

/// `/portal/login`: 企业登录 — the account of a credit subject (its 统一社会信用代码 bound by
/// the credit office), password only. Staff use 工作人员登录.
pub async fn login(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<NextParam>, QueryRejection>,
) -> Response {
    let next = safe_next(q.as_ref().ok().and_then(|Query(q)| q.next.as_deref()));
    let v = visitor(&state, &caller).await;
    let signed_in = !caller.is_anonymous();
    if signed_in && !caller.must_change_password {
        let to = if v.subject { next } else { "/console".into() };
        return Redirect::to(&to).into_response();
    }
    let must_change = signed_in && caller.must_change_password;
    let body = html! {
        div #login-page data-next=(next) {
            div.card.narrow {
                p.lead { "信用主体（企业、机构）登录后可查看本单位完整信用档案、办理进度，申请信用修复，下载本单位信用报告。" }
                div #login-msg role="alert" hidden aria-live="polite" {}
                form #login-form hidden[must_change] novalidate {
                    label for="username" { "账号" }
                    input #username name="username" type="text" autocomplete="username" required autofocus;
                    label for="password" { "密码" }
                    input #password name="password" type="password" autocomplete="current-password" required;
                    p { button #login type="submit" { "登录" } }
                }
                form #change-form hidden[!must_change] novalidate {
                    @if must_change {
                        div.notice.info role="status" { "您的账号正在使用一次性密码：请先设置新密码。" }
                    }
                    div #current-wrap {
                        label for="current_password" { "当前密码" }
                        input #current_password type="password" autocomplete="current-password";
                    }
                    label for="new_password" { "新密码" }
                    input #new_password type="password" autocomplete="new-password" aria-describedby="pw-hint";
                    p.hint #pw-hint { "至少 12 位，包含大小写字母、数字和符号中的至少三类，且不得与最近 5 次密码相同。" }
                    p { button #change-password type="submit" { "修改密码并继续" } }
                }
            }
            p.hint {
                "账号由信用办为本单位开通（绑定本单位统一社会信用代码），如需开通请联系当地信用办。"
                "政府部门工作人员请使用" a href="/console/login" { "工作人员登录" } "。"
            }
        }
        (script(LOGIN_JS))
    };
    portal_page(&v, "企业登录", "", body)
}

const LOGOUT_JS: &str = r#"
document.getElementById("logout").addEventListener("click", async function () {
  const msg = document.getElementById("logout-msg");
  const r = await cx.api("DELETE", "/api/v1/session");
  if (r.ok || r.status === 401) { location.href = "/"; }
  else { cx.message(msg, "err", cx.error(r.data)); }
});
"#;

/// `/portal/logout`: ends the session (a button: the API needs the CSRF header).
pub async fn logout(State(state): State<AppState>, caller: Caller) -> Response {
    let v = visitor(&state, &caller).await;
    let body = html! {
        div.card.narrow {
            @if caller.is_anonymous() {
                p { "您当前未登录。" }
                p { a href="/" { "返回首页" } " · " a href="/portal/login" { "企业登录" } }
            } @else {
                p { "确定要退出登录吗？" }
                div #logout-msg hidden aria-live="polite" {}
                p { button #logout type="button" { "退出登录" } " " a.button.secondary href=(MY_ARCHIVE) { "返回我的信用档案" } }
            }
        }
        @if !caller.is_anonymous() { (script(LOGOUT_JS)) }
    };
    portal_page(&v, "退出登录", "", body)
}

const MY_JS: &str = r#"
(function () {
  const issue = document.getElementById("issue-report");
  if (issue) issue.addEventListener("click", async function () {
    const msg = document.getElementById("report-msg");
    issue.disabled = true;
    cx.message(msg, "info", "正在出具信用报告…");
    const r = await cx.api("POST", "/api/v1/credit-reports", { subject_id: issue.dataset.subject });
    issue.disabled = false;
    if (!r.ok) { cx.message(msg, "err", "出具失败：" + cx.error(r.data)); return; }
    msg.hidden = true;
    document.getElementById("report-no").textContent = r.data.report_no;
    document.getElementById("report-code").textContent = r.data.verification_code;
    const a = document.getElementById("report-pdf");
    a.href = r.data.pdf_url;
    a.setAttribute("download", r.data.report_no + ".pdf");
    document.getElementById("report-result").hidden = false;
    a.focus();
  });
  const submit = document.getElementById("repair-submit");
  if (submit) submit.addEventListener("click", async function () {
    const out = document.getElementById("repair-msg");
    const target = document.getElementById("repair-target").value;
    const reasons = document.getElementById("repair-reasons").value.trim();
    const commitment = document.getElementById("repair-commitment").checked;
    if (!target) { cx.message(out, "err", "请选择要修复的信息"); document.getElementById("repair-target").focus(); return; }
    if (reasons.length < 2) { cx.message(out, "err", "请说明失信行为的纠正和义务履行情况"); document.getElementById("repair-reasons").focus(); return; }
    if (!commitment) { cx.message(out, "err", "申请信用修复须作出信用承诺"); document.getElementById("repair-commitment").focus(); return; }
    const parts = target.split(":");
    const body = {
      target_kind: parts[0], target_id: parts[1], reasons: reasons, commitment: commitment,
      applicant_name: document.getElementById("repair-applicant").value.trim() || null,
      contact: document.getElementById("repair-contact").value.trim() || null,
    };
    submit.disabled = true;
    const r = await cx.api("POST", "/api/v1/repairs", body);
    submit.disabled = false;
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
    const link = document.createElement("a"); link.href = "/portal/track?no=" + encodeURIComponent(r.data.tracking_no); link.textContent = "前往办件查询上传证明材料";
    out.appendChild(p); out.appendChild(dl); out.appendChild(link);
  });
})();
"#;

fn str_of(v: &serde_json::Value, k: &str) -> String {
    match v.get(k) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// A history step of a record in Chinese.
fn history_label(action: &str) -> &str {
    match action {
        "create" | "import" => "报送入库",
        "link" => "关联主体",
        other => chengxin_domain::records::RecordAction::parse(other)
            .map(|a| a.label())
            .unwrap_or("变更"),
    }
}

/// A step of an application in Chinese.
fn step_label(action: &str) -> &str {
    match action {
        "file" => "提交申请",
        "accept" => "受理",
        "refuse" => "不予受理",
        "check" => "核查",
        "answer" => "答复",
        "assign" => "转办",
        "approve" => "同意修复",
        "reject" => "不予修复",
        "share" => "共享修复结果",
        "revoke_repair" => "撤销修复",
        "withdraw" => "撤回",
        "evidence" => "补充材料",
        "decide" => "作出决定",
        _ => "办理",
    }
}

/// China time, to the minute.
fn at(t: &chrono::DateTime<chrono::Utc>) -> String {
    match chrono::FixedOffset::east_opt(8 * 3600) {
        Some(o) => t.with_timezone(&o).format("%Y-%m-%d %H:%M").to_string(),
        None => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// `/portal/my`: 我的信用档案 — the subject's own full archive.
pub async fn archive(State(state): State<AppState>, caller: Caller) -> Response {
    let v = visitor(&state, &caller).await;
    if caller.is_anonymous() || caller.must_change_password {
        return Redirect::to(&format!("/portal/login?next={}", enc(MY_ARCHIVE))).into_response();
    }
    // Staff work in the console: 我的信用档案 is a credit subject's.
    if !caller.has(P::ArchiveReadOwn) {
        let to = if v.subject { "/" } else { "/console" };
        return Redirect::to(to).into_response();
    }
    let a = match chengxin_app::rights::own_archive(&state, &caller).await {
        Ok(a) => a,
        Err(e) if e.code() == "no_subject" => {
            return portal_error(&v, StatusCode::OK, "我的信用档案", &e.to_string())
        }
        Err(e) => return super::unavailable(&v, e),
    };
    let subject = match state.store.subject(a.subject_id).await {
        Ok(Some(s)) => s,
        Ok(None) => return super::unavailable(&v, "subject vanished"),
        Err(e) => return super::unavailable(&v, e),
    };
    let joint = JointCatalog::default_checked().ok();
    let list_name = |code: &str| -> String {
        joint
            .and_then(|j| j.list(code))
            .map(|l| l.name.clone())
            .unwrap_or_else(|| "信用名单".into())
    };
    // What may be repaired: negative records still or formerly public, effective entries.
    let mut targets: Vec<(String, String)> = Vec::new();
    for r in &a.records {
        let status = str_of(&r.record, "status");
        let negative = r.record.get("severity").is_some_and(|s| !s.is_null());
        if negative && (status == "published" || status == "expired") {
            targets.push((
                format!("record:{}", str_of(&r.record, "id")),
                format!(
                    "{} {} {}（{}）",
                    str_of(&r.record, "decision_date"),
                    type_name(&str_of(&r.record, "type_code")),
                    str_of(&r.record, "doc_no"),
                    r.status_label
                ),
            ));
        }
    }
    let entries: Vec<(String, String, ListEntry)> = a
        .list_entries
        .iter()
        .filter_map(|e| {
            let entry: ListEntry = serde_json::from_value(e.get("entry")?.clone()).ok()?;
            Some((str_of(e, "id"), str_of(e, "list_code"), entry))
        })
        .collect();
    for (id, code, e) in &entries {
        if e.status == EntryStatus::Effective {
            targets.push((
                format!("list_entry:{id}"),
                format!("名单：{}（{}）", list_name(code), e.status.label()),
            ));
        }
    }
    let apps: Vec<Application> = a
        .applications
        .iter()
        .filter_map(|b| serde_json::from_value(b.clone()).ok())
        .collect();
    let body = html! {
        section.card aria-labelledby="h-basic" {
            h2 #h-basic { "基本信息" }
            dl.kv {
                dt { "名称" } dd #subject-name { (subject.name) }
                dt { "统一社会信用代码" } dd.code #subject-code { (subject_code(&subject)) }
                dt { "主体类别" } dd { (subject.kind.label()) }
                @if subject.region.is_some() {
                    dt { "所属地区" } dd { (region_name(subject.region.as_deref())) }
                }
            }
            p.hint { "本页显示本单位的全部信用信息，包括未向社会公开、已修复、已到期和已撤销的信息及其变更历史；社会公众在" a href=(format!("/portal/subjects/{}", subject.id)) { "公开信用档案" } "中只能看到公示中的信息。" }
            p.actions {
                a.button href="#h-report" { "下载信用报告" } " "
                a.button.secondary href="#h-repair" { "申请信用修复" } " "
                a.button.secondary href="#h-records" { "提出异议" }
            }
        }
        section aria-labelledby="h-records" {
            h2 #h-records { "信用记录（" (a.records.len()) "）" }
            div.table-wrap { table.records {
                thead { tr { th { "决定日期" } th { "信息类别" } th { "文书号" } th { "状态" } th { "公示截止" } th { "变更历史" } th { "操作" } } }
                tbody {
                    @if a.records.is_empty() { tr { td colspan="7" data-label="" { "暂无信用记录。" } } }
                    @for r in &a.records {
                        @let history: Vec<RecordHistoryEntry> = r.record.get("history").and_then(|h| serde_json::from_value(h.clone()).ok()).unwrap_or_default();
                        @let st = str_of(&r.record, "status");
                        tr {
                            td data-label="决定日期" { (str_of(&r.record, "decision_date")) }
                            td data-label="信息类别" { (type_name(&str_of(&r.record, "type_code"))) }
                            td data-label="文书号" { (chengxin_domain::codes::id_number::mask_in_text(&str_of(&r.record, "doc_no")).into_owned()) }
                            td data-label="状态" {
                                @if st == "repaired" { span.tag.ok { (r.status_label) } }
                                @else if st == "published" { span.tag.warn { (r.status_label) } }
                                @else { span.tag.muted { (r.status_label) } }
                                @for an in &r.annotations { " " span.tag.muted { (an) } }
                            }
                            td data-label="公示截止" { (str_of(&r.record, "publish_until")) }
                            td data-label="变更历史" {
                                details {
                                    summary { (history.len()) " 条" }
                                    ul.plain.small {
                                        @for h in &history {
                                            li { (at(&h.at)) " · " (history_label(&h.action)) " → " (h.status.label()) }
                                        }
                                    }
                                }
                            }
                            td data-label="操作" {
                                @if st == "published" {
                                    a href=(format!("/portal/objection?record={}", enc(&str_of(&r.record, "id")))) { "提出异议" }
                                }
                            }
                        }
                    }
                }
            } }
        }
        section aria-labelledby="h-lists" {
            h2 #h-lists { "名单情况" }
            @if entries.is_empty() {
                p.hint #no-entries { "本单位未被列入信用名单。" }
            } @else {
                div.table-wrap { table {
                    thead { tr { th { "名单" } th { "状态" } th { "认定部门" } th { "认定标准" } th { "列入（公示）日期" } th { "有效期至" } } }
                    tbody {
                        @for (_, code, e) in &entries {
                            tr {
                                td data-label="名单" { (list_name(code)) }
                                td data-label="状态" { (e.status.label()) }
                                td data-label="认定部门" { (e.recognised_by) }
                                td data-label="认定标准" { (e.standard) }
                                td data-label="列入（公示）日期" { (e.effective_from.or(e.publicity_from).map(day).unwrap_or_else(|| "—".into())) }
                                td data-label="有效期至" { (e.effective_until.map(day).unwrap_or_else(|| "—".into())) }
                            }
                        }
                    }
                } }
            }
        }
        section aria-labelledby="h-apps" {
            h2 #h-apps { "异议与修复申请" }
            @if apps.is_empty() {
                p.hint #no-applications { "本单位暂无异议或修复申请。" }
            } @else {
                div.table-wrap { table #applications {
                    thead { tr { th { "查询编号" } th { "类型" } th { "状态" } th { "提交日期" } th { "办理期限" } th { "办理进度" } } }
                    tbody {
                        @for ap in &apps {
                            tr {
                                td data-label="查询编号" { a href=(format!("/portal/track?no={}", enc(&ap.tracking_no))) { (ap.tracking_no) } }
                                td data-label="类型" { (ap.kind.label()) }
                                td data-label="状态" { strong { (ap.state.label()) } }
                                td data-label="提交日期" { (day(ap.filed_on)) }
                                td data-label="办理期限" { (ap.due.map(day).unwrap_or_else(|| "—".into())) }
                                td data-label="办理进度" {
                                    details {
                                        summary { (ap.steps.len()) " 步" }
                                        ol.timeline.small {
                                            @for s in &ap.steps {
                                                li { (at(&s.at)) " · " (step_label(&s.action)) " → " (s.state.label()) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                } }
            }
        }
        section aria-labelledby="h-report" {
            h2 #h-report { "下载本单位信用报告" }
            div.card {
                p { "信用报告列示出具时公示中的行政许可、行政处罚、其他失信信息、名单情况和表彰奖励信息，经电子签名，可凭报告编号和验证码在“" a href="/portal/verify" { "报告验真" } "”核验。" }
                p { button #issue-report type="button" data-subject=(subject.id) { "出具并下载信用报告" } }
                div #report-msg hidden aria-live="polite" {}
                div #report-result hidden aria-live="polite" {
                    div.notice.ok {
                        dl.kv {
                            dt { "报告编号" } dd { strong #report-no {} }
                            dt { "验证码" } dd { strong #report-code {} }
                        }
                        p { a.button #report-pdf href="#" { "下载信用报告（PDF）" } }
                    }
                }
            }
        }
        section aria-labelledby="h-repair" {
            h2 #h-repair { "申请信用修复" }
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
                    div { label for="repair-applicant" { "申请人（默认为本单位名称）" } input #repair-applicant type="text" value=(a.name); }
                    div { label for="repair-contact" { "联系电话或邮箱" } input #repair-contact type="text" autocomplete="tel"; }
                }
                label.check { input #repair-commitment type="checkbox"; " 本单位作出信用承诺：所提交材料真实有效，如有虚假愿承担相应责任。" }
                p { button #repair-submit type="button" { "提交修复申请" } }
                div #repair-msg tabindex="-1" hidden aria-live="polite" {}
                p.hint { "修复的条件和所需材料见" a href="/portal/repair" { "信用修复" } "。" }
            }
        }
        (script(MY_JS))
    };
    portal_page(&v, "我的信用档案", "", body)
}

/// `/portal/subjects/{id}/report.pdf`: the public's credit report of an organisation — public
/// information only, issued, signed and kept (so 报告验真 confirms it), limited like the other
/// anonymous routes (`CHENGXIN_LIMIT_REPORT`). A person or an unknown id: not found.
pub async fn public_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Response {
    let v = visitor(&state, &caller).await;
    let not_found = || {
        portal_error(
            &v,
            StatusCode::NOT_FOUND,
            "未找到信用主体",
            "未找到该信用主体，请通过信用查询重新查找。",
        )
    };
    let Ok(id) = Uuid::parse_str(id.trim()) else {
        return not_found();
    };
    match chengxin_app::credit_reports::issue_public(&state, &caller, id).await {
        Ok(issued) => {
            let name = format!("{}.pdf", issued.row.report_no);
            let mut resp = Response::new(Body::from(issued.row.pdf));
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
        Err(chengxin_app::AppError::NotFound) => not_found(),
        Err(e) => {
            let err = crate::error::ApiError(e);
            let status = err.status();
            html_response(
                status,
                layout(
                    "暂不能出具信用报告",
                    Section::Portal,
                    PORTAL_NAV,
                    "",
                    &v,
                    html! {
                        div.notice.err role="alert" #report-error data-code=(err.code()) { (err.to_string()) }
                        p { a href=(format!("/portal/subjects/{id}")) { "返回信用档案" } }
                    },
                ),
            )
        }
    }
}
