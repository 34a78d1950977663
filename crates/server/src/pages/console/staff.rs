//! 任职与诚信档案 (issue 18): importing employment history and training records (a file, with
//! every wrong row listed), 责任回溯 (pick a body from a search, enter a day: its principal and
//! the post's holders, ID numbers masked, and where each is now), and the civil servant's
//! 诚信档案 (look up by the ID number as typed — posted to the API, hashed there, never in a
//! URL — then view it with the stated purpose and download the signed PDF).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use chengxin_access::Permission as P;
use chengxin_app::staff::{self, Holder, IntegrityFile, Responsibility};
use chengxin_domain::subjects::SubjectKind;
use maud::{html, Markup};
use serde::Deserialize;

use super::{api_error_page, enc, gate, msg_box, render};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::pages::script;
use crate::AppState;

const IMPORT_JS: &str = r#"
document.querySelectorAll("[data-import]").forEach(function (btn) {
  btn.addEventListener("click", async function () {
    const kind = btn.dataset.import;
    const input = document.getElementById(kind + "-file");
    const msg = document.getElementById(kind + "-msg");
    const list = document.getElementById(kind + "-problems");
    const file = input.files && input.files[0];
    list.hidden = true; list.innerHTML = "";
    if (!file) { cx.message(msg, "err", "请选择要上传的文件"); input.focus(); return; }
    btn.disabled = true;
    cx.message(msg, "info", "正在上传并校验 " + file.name + " …");
    const url = "/api/v1/" + kind + "/import?file_name=" + encodeURIComponent(file.name);
    const r = await cx.upload(url, file, function () {});
    btn.disabled = false;
    if (!r.ok) {
      cx.message(msg, "err", "未导入：" + cx.error(r.data));
      const ps = (r.data && r.data.problems) || [];
      ps.forEach(function (p) {
        const li = document.createElement("li");
        li.textContent = (p.title ? "【" + p.title + "】" : "") + p.message; li.dataset.code = p.code;
        list.appendChild(li);
      });
      list.hidden = ps.length === 0;
      return;
    }
    const d = r.data;
    cx.message(msg, "ok", "导入完成：共 " + d.rows + " 行，新增 " + d.created + " 条，更新 " + d.updated
      + " 条，未变 " + d.unchanged + " 条，新登记人员 " + d.persons_created + " 人。");
  });
});
"#;

/// `/console/staff`: import employment history and training records.
pub async fn imports(State(state): State<AppState>, caller: Caller, uri: Uri) -> Response {
    let v = match gate(&state, &caller, &uri, |c| c.has(P::RecordsSubmit)).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let employment = chengxin_domain::staff::employment::template_headers().join("、");
    let training = chengxin_domain::staff::training::template_headers().join("、");
    let form = |kind: &str, title: &str, cols: &str, note: &str| {
        html! {
            section.card {
                h2 { (title) }
                p.hint { "CSV（UTF-8 或 GB18030）或 XLSX 文件，表头：" (cols) "。" (note) }
                label for=(format!("{kind}-file")) { "选择文件" }
                input id=(format!("{kind}-file")) type="file" accept=".csv,.xlsx,.txt";
                button type="button" data-import=(kind) { "上传并导入" }
                (msg_box(&format!("{kind}-msg")))
                ul.problems id=(format!("{kind}-problems")) hidden {}
            }
        }
    };
    let body = html! {
        p.hint { "只能导入本账号所在地区单位的记录。文件中任何一行有错，整个文件都不导入，并逐行列出错误（身份证号以脱敏形式显示）；改正后重新提交即可，重复提交不会重复登记。" }
        (form("employments", "任职记录（人事部门）", &employment,
            "是否主要负责人填“是”或“否”；在任的终止日期留空。同一单位同一时间只能有一名主要负责人。"))
        (form("trainings", "诚信教育培训记录", &training, "学时可有一位小数。"))
        (script(IMPORT_JS))
    };
    render(&caller, &v, "任职与培训导入", "/console/staff", body)
}

#[derive(Debug, Deserialize, Default)]
pub struct ResponsibleQuery {
    /// Search text for the body.
    pub q: Option<String>,
    /// The chosen body's subject id.
    pub body: Option<String>,
    pub day: Option<String>,
    pub post: Option<String>,
}

fn period(h: &chengxin_app::staff::responsible::PostHeld) -> String {
    match h.end_date {
        Some(e) => format!("{} 至 {}", h.start_date, e),
        None => format!("{} 起至今", h.start_date),
    }
}

fn holders_table(id: &str, holders: &[Holder], empty: &str) -> Markup {
    html! {
        div.table-wrap { table id=(id) {
            thead { tr { th { "姓名" } th { "身份证号" } th { "当日职务" } th { "任职期间" } th { "现任职务" } } }
            tbody {
                @if holders.is_empty() { tr { td colspan="5" { (empty) } } }
                @for h in holders {
                    tr {
                        td { (h.name) }
                        td { code { (h.id_masked.as_deref().unwrap_or("未登记")) } }
                        td { (h.held.post) @if h.held.principal { " " span.tag { "主要负责人" } } }
                        td { (period(&h.held)) }
                        td {
                            @if h.now.is_empty() { span.hint { "无在任记录" } }
                            @for n in &h.now {
                                div { (n.body_name) " · " (n.post) }
                            }
                        }
                    }
                }
            }
        } }
    }
}

fn responsibility_card(r: &Responsibility) -> Markup {
    html! {
        section.card #responsibility {
            h2 { (r.body_name) " · " (r.day) " 的责任人" }
            h3 { "主要负责人" }
            (holders_table("principals", &r.principals, "该日无登记的主要负责人。"))
            @if let Some(post) = &r.post {
                h3 { (post) }
                (holders_table("post-holders", &r.holders, "该日无登记的该职务人员。"))
            }
        }
    }
}

/// `/console/staff/responsible`: 责任回溯 — who was responsible for a body on a day.
pub async fn responsible(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    q: Result<Query<ResponsibleQuery>, QueryRejection>,
) -> Response {
    let v = match gate(&state, &caller, &uri, |c| c.has(P::RecordsReadNonpublic)).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let text = q.q.clone().unwrap_or_default().trim().to_string();
    let mut found = Vec::new();
    if !text.is_empty() {
        found = super::find_subjects(&state, &text, &caller.region_prefix(), 30).await;
        found.retain(|s| {
            s.kind == SubjectKind::GovBody
                && caller.reaches(
                    P::RecordsReadNonpublic,
                    s.region.as_deref().unwrap_or("000000"),
                )
        });
    }
    let day_text = q.day.clone().unwrap_or_else(|| state.today().to_string());
    let post = q.post.clone().unwrap_or_default();
    let body_id = q
        .body
        .as_deref()
        .and_then(|b| uuid::Uuid::parse_str(b.trim()).ok());
    let body_name = match body_id {
        Some(id) => state.store.subject(id).await.ok().flatten().map(|s| s.name),
        None => None,
    };
    let mut answer = None;
    let mut problem = None;
    if let (Some(id), Some(_)) = (body_id, q.day.as_deref()) {
        match crate::routes::staff::parse_day(&day_text) {
            Err(e) => problem = Some(e.to_string()),
            Ok(day) => {
                let post = Some(post.as_str()).filter(|p| !p.trim().is_empty());
                match staff::lookup(&state, &caller, id, day, post).await {
                    Ok(r) => answer = Some(r),
                    Err(e) => return api_error_page(&caller, &v, &ApiError(e)),
                }
            }
        }
    }
    let body = html! {
        form.card.search role="search" method="get" action="/console/staff/responsible" {
            label for="q" { "查找机关" }
            input #q type="search" name="q" value=(text) placeholder="机关名称或统一社会信用代码";
            @if let Some(id) = body_id { input type="hidden" name="body" value=(id); }
            input type="hidden" name="day" value=(day_text);
            button type="submit" { "查找" }
        }
        @if !text.is_empty() {
            div.table-wrap { table #bodies {
                thead { tr { th { "机关" } th { "统一社会信用代码" } th { "" } } }
                tbody {
                    @if found.is_empty() { tr { td colspan="3" { "未找到本辖区内匹配的机关。" } } }
                    @for s in &found {
                        tr {
                            td { (s.name) }
                            td { code { (s.uscc.as_deref().unwrap_or("")) } }
                            td { a href=(format!("/console/staff/responsible?body={}&day={}", s.id, enc(&day_text))) { "选择" } }
                        }
                    }
                }
            } }
        }
        form.card method="get" action="/console/staff/responsible" {
            @match &body_name {
                Some(n) => { p { "机关：" strong { (n) } } }
                None => { p.hint { "请先在上方查找并选择机关。" } }
            }
            @if let Some(id) = body_id { input type="hidden" name="body" value=(id); }
            label for="day" { "日期（承诺、合同、付款或违约发生之日）" }
            input #day type="date" name="day" value=(day_text) required;
            label for="post" { "职务（可选，如 分管副主任）" }
            input #post type="text" name="post" value=(post) maxlength="60";
            button type="submit" disabled[body_id.is_none()] { "查询责任人" }
        }
        @if let Some(p) = problem { div.notice.err role="alert" { (p) } }
        @if let Some(r) = &answer { (responsibility_card(r)) }
    };
    render(&caller, &v, "责任回溯", "/console/staff/responsible", body)
}

#[derive(Debug, Deserialize, Default)]
pub struct FileQuery {
    /// The person's subject id (after the look-up).
    pub person: Option<String>,
    pub purpose: Option<String>,
}

const FILE_JS: &str = r#"
const lookup = document.getElementById("file-lookup");
if (lookup) lookup.addEventListener("submit", async function (ev) {
  ev.preventDefault();
  const msg = document.getElementById("file-msg");
  const number = document.getElementById("id-number");
  const purpose = document.getElementById("purpose").value.trim();
  if (purpose.length < 2) { cx.message(msg, "err", "请填写查询目的"); return; }
  cx.message(msg, "info", "正在查询…");
  const r = await cx.api("POST", "/api/v1/integrity-files/lookup", { id_number: number.value, purpose: purpose });
  number.value = "";
  if (!r.ok) {
    cx.message(msg, "err", r.status === 404 ? "未找到该人员，或该人员不在您的管辖范围内。" : "查询失败：" + cx.error(r.data));
    return;
  }
  location.href = "/console/staff/file?person=" + encodeURIComponent(r.data.person_id)
    + "&purpose=" + encodeURIComponent(purpose);
});
const pdf = document.getElementById("file-pdf");
if (pdf) pdf.addEventListener("click", async function () {
  const msg = document.getElementById("pdf-msg");
  pdf.disabled = true;
  cx.message(msg, "info", "正在生成签名 PDF…");
  const resp = await fetch("/api/v1/integrity-files/" + pdf.dataset.person + "/pdf", {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": cx.csrf() },
    body: JSON.stringify({ purpose: pdf.dataset.purpose }),
  });
  pdf.disabled = false;
  if (!resp.ok) { let d = null; try { d = await resp.json(); } catch (_) {} cx.message(msg, "err", "生成失败：" + cx.error(d)); return; }
  const no = resp.headers.get("x-report-no") || "诚信档案";
  const code = resp.headers.get("x-verification-code") || "";
  const blob = await resp.blob();
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = no + ".pdf";
  document.body.appendChild(a); a.click(); a.remove();
  cx.message(msg, "ok", "已生成：档案编号 " + no + "，验证码 " + code + "。接收单位可在门户“报告验真”核验。");
});
"#;

fn file_view(f: &IntegrityFile, purpose: &str) -> Markup {
    html! {
        section.card #integrity-file {
            h2 { (f.name) " 的诚信档案" }
            p { "身份证号：" code { (f.id_masked.as_deref().unwrap_or("未登记")) } }
            button #file-pdf type="button" data-person=(f.person_id) data-purpose=(purpose) { "下载签名 PDF" }
            (msg_box("pdf-msg"))
            h3 { "任职经历" }
            div.table-wrap { table #file-employments {
                thead { tr { th { "单位" } th { "职务/岗位" } th { "任职期间" } } }
                tbody {
                    @if f.employments.is_empty() { tr { td colspan="3" { "无登记的任职记录。" } } }
                    @for e in &f.employments {
                        tr {
                            td { (e.body_name) }
                            td { (e.post) @if e.principal { " " span.tag { "主要负责人" } } }
                            td { (period(e)) }
                        }
                    }
                }
            } }
            h3 { "处分、问责、考核及表彰等记录" }
            div.table-wrap { table #file-records {
                thead { tr { th { "信息类型" } th { "类别" } th { "文书号" } th { "决定日期" } th { "状态" } } }
                tbody {
                    @if f.records.is_empty() { tr { td colspan="5" { "无涉及本人的信用记录。" } } }
                    @for r in &f.records {
                        tr {
                            td { a href=(format!("/console/records/{}", r.id)) { (r.type_name) } }
                            td { (r.class) } td { (r.doc_no) } td { (r.decision_date) } td { (r.status) }
                        }
                    }
                }
            } }
            h3 { "诚信教育（累计 " (f.training_hours) " 学时）" }
            div.table-wrap { table #file-trainings {
                thead { tr { th { "课程" } th { "培训日期" } th { "学时" } th { "主办单位" } } }
                tbody {
                    @if f.trainings.is_empty() { tr { td colspan="4" { "无登记的培训记录。" } } }
                    @for t in &f.trainings {
                        tr { td { (t.course) } td { (t.held_on) } td { (t.hours) } td { (t.organiser) } }
                    }
                }
            } }
            h3 { "承担责任的承诺与失信违约" }
            div.table-wrap { table #file-responsibilities {
                thead { tr { th { "类别" } th { "编号" } th { "名称" } th { "单位" } th { "事项" } th { "日期" } th { "本人职务" } } }
                tbody {
                    @if f.responsibilities.is_empty() { tr { td colspan="7" { "无本人承担责任的承诺或失信违约。" } } }
                    @for r in &f.responsibilities {
                        tr {
                            td data-label="类别" { (r.kind) }
                            td data-label="编号" { (r.item_no) }
                            td data-label="名称" { (r.title) }
                            td data-label="单位" { (r.body_name) }
                            td data-label="事项" { @if r.breach { span.tag.err { (r.event) } } @else { (r.event) } }
                            td data-label="日期" { (r.day) }
                            td data-label="本人职务" { (r.role) }
                        }
                    }
                }
            } }
        }
    }
}

/// `/console/staff/file`: look a civil servant up by ID number, view the 诚信档案.
pub async fn file(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    q: Result<Query<FileQuery>, QueryRejection>,
) -> Response {
    let v = match gate(&state, &caller, &uri, |c| c.has(P::PersonalDataDecrypt)).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let mut shown = None;
    if let (Some(p), Some(purpose)) = (q.person.as_deref(), q.purpose.as_deref()) {
        let Ok(id) = uuid::Uuid::parse_str(p.trim()) else {
            return api_error_page(&caller, &v, &ApiError(chengxin_app::AppError::NotFound));
        };
        match staff::open_file(&state, &caller, id, purpose).await {
            Ok(f) => shown = Some((f, purpose.trim().to_string())),
            Err(e) => return api_error_page(&caller, &v, &ApiError(e)),
        }
    }
    let body = html! {
        form.card #file-lookup autocomplete="off" {
            p.hint { "按身份证号查询公务员诚信档案。身份证号仅用于本次查询，不在地址栏、日志中出现；每次查阅均记录查询目的（查询留痕）。" }
            label for="id-number" { "身份证号" }
            input #id-number type="text" inputmode="text" maxlength="18" autocomplete="off" spellcheck="false" required;
            label for="purpose" { "查询目的" }
            input #purpose type="text" maxlength="100" placeholder="如：拟录用人员考察、干部调任审查、评优评先审查" required;
            button type="submit" { "查询" }
            (msg_box("file-msg"))
        }
        @if let Some((f, purpose)) = &shown { (file_view(f, purpose)) }
        (script(FILE_JS))
    };
    render(&caller, &v, "公务员诚信档案", "/console/staff/file", body)
}
