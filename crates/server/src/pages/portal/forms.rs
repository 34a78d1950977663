//! Forms that post to the JSON API: objection (异议申诉), tracking (办件查询), report
//! verification (报告验真); and the explanatory repair and complaint pages.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::html;
use serde::Deserialize;
use uuid::Uuid;

use super::{day, portal_page, record_authority, record_subject_code, shown_fields, type_name};
use crate::auth::Caller;
use crate::pages::{script, visitor};
use crate::AppState;

type QueryResult<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

#[derive(Debug, Default, Deserialize)]
pub struct ObjectionParams {
    pub record: Option<String>,
}

const OBJECTION_JS: &str = r#"
(function () {
  const form = document.getElementById("objection-form");
  const out = document.getElementById("result");
  const btn = document.getElementById("submit-objection");
  let filed = null;
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const name = document.getElementById("applicant_name").value.trim();
    const contact = document.getElementById("contact").value.trim();
    const reasons = document.getElementById("reasons").value.trim();
    if (!name) { cx.message(out, "err", "请填写申请人名称"); return; }
    if (reasons.length < 2) { cx.message(out, "err", "请填写异议理由（至少 2 个字）"); return; }
    btn.disabled = true;
    const r = await cx.api("POST", "/api/v1/objections", {
      target_kind: "record", target_id: form.dataset.record, reasons: reasons,
      applicant_name: name, contact: contact || null
    });
    if (!r.ok) {
      btn.disabled = false;
      cx.message(out, "err", "提交失败：" + cx.error(r.data));
      return;
    }
    filed = r.data;
    out.className = "notice ok";
    out.setAttribute("role", "status");
    out.hidden = false;
    out.textContent = "";
    const p1 = document.createElement("p");
    p1.append("异议已提交。查询编号：");
    const no = document.createElement("strong"); no.id = "tracking-no"; no.textContent = filed.tracking_no;
    p1.append(no, "，查询码：");
    const code = document.createElement("strong"); code.id = "access-code"; code.textContent = filed.access_code;
    p1.append(code);
    const p2 = document.createElement("p");
    p2.textContent = "请妥善保存查询编号和查询码：查询码只显示这一次，凭两者可查询办理进度、查看答复和补充证明材料。"
      + (filed.due ? "受理期限：" + filed.due + "。" : "");
    const p3 = document.createElement("p");
    const a = document.createElement("a");
    a.href = "/portal/track?no=" + encodeURIComponent(filed.tracking_no);
    a.textContent = "查询办理进度";
    p3.append(a);
    out.append(p1, p2, p3);
    form.querySelectorAll("input, textarea, button").forEach((el) => { el.disabled = true; });
    document.getElementById("evidence-box").hidden = false;
  });
  const up = document.getElementById("upload-evidence");
  const upOut = document.getElementById("evidence-result");
  up.addEventListener("click", async () => {
    const input = document.getElementById("evidence");
    if (!filed) return;
    if (!input.files.length) { cx.message(upOut, "err", "请选择要上传的文件"); return; }
    up.disabled = true;
    let done = 0;
    for (const f of input.files) {
      const r = await cx.api("POST", "/api/v1/track/" + encodeURIComponent(filed.tracking_no)
        + "/evidence?name=" + encodeURIComponent(f.name), f, { "X-Access-Code": filed.access_code });
      if (!r.ok) {
        up.disabled = false;
        cx.message(upOut, "err", "“" + f.name + "”上传失败：" + cx.error(r.data));
        return;
      }
      done += 1;
    }
    up.disabled = false;
    input.value = "";
    cx.message(upOut, "ok", "已上传 " + done + " 个证明材料。");
  });
})();
"#;

/// `/portal/objection?record={id}`: the objection form for a public record.
pub async fn objection(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryResult<ObjectionParams>,
) -> Response {
    let v = visitor(&state, &caller).await;
    let param = q.ok().and_then(|Query(p)| p.record);
    let record = match param.as_deref().map(str::trim).map(Uuid::parse_str) {
        Some(Ok(id)) => match state.store.record(id).await {
            Ok(r) => r.filter(chengxin_app::records::is_public),
            Err(e) => return super::unavailable(&v, e),
        },
        _ => None,
    };
    let rules = state.rights_rules().ok().map(|r| r.objection.clone());
    portal_page(
        &v,
        "异议申诉",
        "/portal/objection",
        html! {
            p.lead {
                "对本平台公示的信用信息有异议的（如信息错误、遗漏或已过公示期仍在公示），可在线提出异议。"
                "异议处理期间，该信息标注“异议处理中”。"
                @if let Some(r) = &rules {
                    "信用办在 " (r.accept_working_days) " 个工作日内决定是否受理，受理后由数据来源单位在 "
                    (r.check_working_days) " 个工作日内核查，核查后 " (r.answer_working_days) " 个工作日内答复。"
                }
            }
            @match &record {
                None => {
                    @if param.is_some() {
                        div.notice.err role="alert" #no-record { "未找到可提出异议的公示信息：该信息不存在、已不在公示期或不向社会公开。" }
                    }
                    section.card {
                        h2 { "如何提出异议" }
                        ol {
                            li { "在" a href="/portal/search" { "信用查询" } "中找到信用主体，打开其信用档案；" }
                            li { "在有异议的信息下点击“对此信息提出异议”；" }
                            li { "填写申请人、联系方式和理由并提交，保存好查询编号和查询码；" }
                            li { "凭查询编号在" a href="/portal/track" { "办件查询" } "查看进度和答复。" }
                        }
                        p.hint { "信用主体对本单位非公开信息有异议的，请登录后在“我的信用档案”中提出（" a href="/portal/login" { "企业登录" } "）。" }
                    }
                }
                Some(r) => {
                    section.card #record-summary aria-labelledby="h-record" {
                        h2 #h-record { "异议信息" }
                        dl.kv {
                            dt { "信息类型" } dd { (type_name(&r.type_code)) }
                            dt { "主体名称" } dd {
                                @if let Some(s) = r.subject_id { a href={ "/portal/subjects/" (s) } { (r.subject_name) } } @else { (r.subject_name) }
                            }
                            @let code = record_subject_code(r);
                            @if !code.is_empty() { dt { "代码/证件号码" } dd.code { (code) } }
                            dt { "决定文书号" } dd { (chengxin_domain::codes::id_number::mask_in_text(&r.doc_no).into_owned()) }
                            dt { "决定日期" } dd { (day(r.decision_date)) }
                            @for (t, val) in shown_fields(r).into_iter().take(4) {
                                dt { (t) } dd { (super::clip(&val, 200)) }
                            }
                            @let auth = record_authority(r);
                            @if !auth.is_empty() { dt { "决定机关" } dd { (auth) } }
                        }
                    }
                    form.card #objection-form data-record=(r.id) novalidate {
                        h2 { "填写异议" }
                        label for="applicant_name" { "申请人名称 " span.req aria-hidden="true" { "*" } }
                        input #applicant_name type="text" name="applicant_name" maxlength="100" required autocomplete="name";
                        div.hint { "个人填写姓名，单位填写单位全称。" }
                        label for="contact" { "联系方式" }
                        input #contact type="text" name="contact" maxlength="100" autocomplete="tel" placeholder="手机号码或电子邮箱";
                        div.hint { "用于告知处理结果；加密保存，不会公开。" }
                        label for="reasons" { "异议理由 " span.req aria-hidden="true" { "*" } }
                        textarea #reasons name="reasons" maxlength="2000" required rows="6" placeholder="请说明哪项信息有误、正确情况是什么，以及依据" {}
                        p { button #submit-objection type="submit" { "提交异议" } }
                    }
                    div #result hidden aria-live="polite" {}
                    section.card #evidence-box hidden aria-labelledby="h-evidence" {
                        h2 #h-evidence { "补充证明材料（可选）" }
                        label for="evidence" { "选择文件" }
                        input #evidence type="file" multiple accept=".pdf,.jpg,.jpeg,.png,.ofd,application/pdf,image/jpeg,image/png";
                        div.hint {
                            "支持 PDF、JPG、PNG、OFD"
                            @if let Ok(rr) = state.rights_rules() {
                                "，单个文件不超过 " (rr.evidence.max_file_bytes / 1024 / 1024) " MB，最多 " (rr.evidence.max_files) " 个，合计不超过 " (rr.evidence.max_total_bytes / 1024 / 1024) " MB"
                            }
                            "。"
                        }
                        p { button #upload-evidence type="button" { "上传材料" } }
                        div #evidence-result hidden aria-live="polite" {}
                    }
                    (script(OBJECTION_JS))
                }
            }
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct TrackParams {
    pub no: Option<String>,
}

const TRACK_JS: &str = r#"
(function () {
  const form = document.getElementById("track-form");
  const out = document.getElementById("track-result");
  function row(dl, k, v) {
    if (v === null || v === undefined || v === "") return;
    const dt = document.createElement("dt"); dt.textContent = k;
    const dd = document.createElement("dd"); dd.textContent = v;
    dl.append(dt, dd);
    return dd;
  }
  const outcomes = { corrected: "予以更正", revoked: "予以撤销", kept: "维持原信息", repaired: "准予修复",
    rejected: "不予修复", refused: "不予受理" };
  // A complaint filed on the work-item engine (TS-20261207-3A7F21): its own view.
  function el(tag, text, id) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (id) e.id = id;
    return e;
  }
  async function runComplaint(no, code) {
    const headers = code ? { "X-Access-Code": code } : {};
    const r = await cx.api("GET", "/api/v1/portal/complaints/" + encodeURIComponent(no), undefined, headers);
    if (!r.ok) {
      cx.message(out, "err", r.status === 404 ? "未找到该查询编号，请核对后再试。" : "查询失败：" + cx.error(r.data));
      return;
    }
    const t = r.data;
    out.className = "notice info";
    out.setAttribute("role", "status");
    out.hidden = false;
    out.textContent = "";
    const dl = el("dl"); dl.className = "kv";
    row(dl, "查询编号", t.no);
    row(dl, "事项", t.kind_name);
    row(dl, "被投诉单位", t.body_name);
    const st = row(dl, "办理状态", t.state_name);
    st.id = "track-state";
    row(dl, "办理期限", t.due_on);
    row(dl, "提交日期", t.filed_on);
    out.append(dl);
    if (code && !t.opened) {
      const p = el("p", "查询码不正确：仅显示办理进度。"); p.className = "hint";
      out.append(p);
    }
    if (!t.opened) return;
    out.append(el("h2", "办理过程"));
    const ol = el("ol", undefined, "track-timeline"); ol.className = "timeline";
    for (const s of t.timeline) {
      const li = el("li");
      li.append(el("strong", s.on_date + " " + s.step));
      if (s.result) li.append("：" + s.result);
      if (s.text) { const q = el("div", s.text); q.className = "hint"; li.append(q); }
      ol.append(li);
    }
    out.append(ol);
    if (t.evidence.length) { const d2 = el("dl"); d2.className = "kv"; row(d2, "已交证据材料", t.evidence.join("、")); out.append(d2); }
    const msg = el("div", undefined, "track-action-result"); msg.hidden = true;
    if (t.can_rate) {
      const f = el("form", undefined, "rate-form"); f.className = "card";
      f.append(el("h2", "对答复作出评价"));
      for (const [v, label] of [["satisfied", "满意"], ["basically_satisfied", "基本满意"], ["dissatisfied", "不满意"]]) {
        const lab = el("label"); const inp = el("input"); inp.type = "radio"; inp.name = "rating"; inp.value = v;
        lab.append(inp, " " + label); f.append(lab);
      }
      const ta = el("textarea", undefined, "rate-text"); ta.maxLength = 2000; ta.rows = 3; ta.placeholder = "评价意见（选填）";
      f.append(ta);
      const b = el("button", "提交评价", "submit-rating"); b.type = "submit"; f.append(b);
      f.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const picked = f.querySelector("input[name=rating]:checked");
        if (!picked) { cx.message(msg, "err", "请选择满意、基本满意或不满意"); return; }
        b.disabled = true;
        const x = await cx.api("POST", "/api/v1/portal/complaints/" + encodeURIComponent(no) + "/rating",
          { choice: picked.value, text: ta.value.trim() }, headers);
        if (!x.ok) { b.disabled = false; cx.message(msg, "err", "评价失败：" + cx.error(x.data)); return; }
        run();
      });
      out.append(f);
    }
    if (t.can_add_evidence) {
      const f = el("div"); f.className = "card";
      f.append(el("h2", "补充证据材料"));
      const inp = el("input", undefined, "track-evidence"); inp.type = "file";
      inp.accept = ".pdf,.jpg,.jpeg,.png,.ofd,application/pdf,image/jpeg,image/png";
      const b = el("button", "上传", "upload-track-evidence"); b.type = "button";
      b.addEventListener("click", async () => {
        if (!inp.files.length) { cx.message(msg, "err", "请选择要上传的文件"); return; }
        const file = inp.files[0];
        b.disabled = true;
        const x = await cx.api("POST", "/api/v1/portal/complaints/" + encodeURIComponent(no)
          + "/evidence?name=" + encodeURIComponent(file.name), file, headers);
        b.disabled = false;
        if (!x.ok) { cx.message(msg, "err", "“" + file.name + "”上传失败：" + cx.error(x.data)); return; }
        run();
      });
      f.append(inp, " ", b);
      out.append(f);
    }
    out.append(msg);
  }
  async function run() {
    const no = document.getElementById("tracking_no").value.trim().toUpperCase();
    const code = document.getElementById("access_code").value.trim();
    if (!no) { cx.message(out, "err", "请输入查询编号"); return; }
    if (/^[A-Z]+-/.test(no)) { await runComplaint(no, code); return; }
    const headers = code ? { "X-Access-Code": code } : {};
    const r = await cx.api("GET", "/api/v1/track/" + encodeURIComponent(no), undefined, headers);
    if (!r.ok) {
      cx.message(out, "err", r.status === 404 ? "未找到该查询编号，请核对后再试。" : "查询失败：" + cx.error(r.data));
      return;
    }
    const t = r.data.tracking;
    out.className = "notice info";
    out.setAttribute("role", "status");
    out.hidden = false;
    out.textContent = "";
    const dl = document.createElement("dl"); dl.className = "kv";
    row(dl, "查询编号", t.tracking_no);
    row(dl, "事项", t.kind_label);
    const st = row(dl, "办理状态", t.state_label);
    st.id = "track-state";
    row(dl, "下一步", t.next_step || "办理完毕");
    row(dl, "办理期限", t.due);
    row(dl, "提交日期", t.filed_on);
    out.append(dl);
    const view = r.data.applicant_view;
    if (code && !view) {
      const p = document.createElement("p"); p.className = "hint";
      p.textContent = "查询码不正确：仅显示办理进度。";
      out.append(p);
    }
    if (view) {
      const h = document.createElement("h2"); h.textContent = "答复与通知";
      out.append(h);
      const d2 = document.createElement("dl"); d2.className = "kv";
      row(d2, "主体", view.subject_name);
      if (view.decision) {
        row(d2, "处理结果", outcomes[view.decision.outcome] || view.decision.outcome);
        row(d2, "理由", view.decision.reasons);
      }
      if (view.evidence && view.evidence.length) {
        row(d2, "已交材料", view.evidence.map((e) => e.name).join("、"));
      }
      out.append(d2);
      if (view.notices && view.notices.length) {
        const ul = document.createElement("ul"); ul.id = "track-notices";
        for (const n of view.notices) {
          const li = document.createElement("li");
          // The date in China, not UTC (a notice at 07:00 Beijing time is still that day).
          const day = n.at ? new Date(n.at).toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" }) : "";
          li.textContent = day + " " + n.text;
          ul.append(li);
        }
        out.append(ul);
      }
    }
  }
  form.addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
  // app.js is deferred: it has run by DOMContentLoaded.
  document.addEventListener("DOMContentLoaded", () => {
    if (document.getElementById("tracking_no").value) run();
  });
})();
"#;

/// `/portal/track`: progress of a complaint, an objection or a repair by its number.
pub async fn track(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryResult<TrackParams>,
) -> Response {
    let v = visitor(&state, &caller).await;
    let no: String = q
        .ok()
        .and_then(|Query(p)| p.no)
        .unwrap_or_default()
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(40)
        .collect();
    portal_page(
        &v,
        "办件查询",
        "/portal/track",
        html! {
            p.lead { "凭查询编号查询投诉举报、异议申诉、信用修复的办理进度；同时输入查询码，还可查看办理过程、答复和通知，并对投诉举报的答复作出评价。" }
            form.card #track-form {
                label for="tracking_no" { "查询编号" }
                input #tracking_no type="text" name="no" value=(no) maxlength="40" required autocomplete="off" placeholder="例如 YY20250602ABCDEFGH" spellcheck="false";
                label for="access_code" { "查询码（可选）" }
                input #access_code type="password" name="code" maxlength="64" autocomplete="off";
                div.hint { "查询码在提交申请时显示一次。" }
                p { button #track type="submit" { "查询" } }
            }
            div #track-result hidden aria-live="polite" {}
            (script(TRACK_JS))
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct VerifyParams {
    pub no: Option<String>,
    pub code: Option<String>,
}

const VERIFY_JS: &str = r#"
(function () {
  const out = document.getElementById("verify-result");
  function show(r) {
    out.hidden = false;
    out.textContent = "";
    if (r.ok && r.data && r.data.valid) {
      const d = r.data;
      out.className = "notice ok";
      out.setAttribute("role", "status");
      const p = document.createElement("p");
      const s = document.createElement("strong"); s.textContent = "验证通过";
      p.append(s, "：该信用报告由本平台出具，内容未被篡改。");
      const dl = document.createElement("dl"); dl.className = "kv";
      const add = (k, v) => { if (!v) return; const dt = document.createElement("dt"); dt.textContent = k;
        const dd = document.createElement("dd"); dd.textContent = v; dl.append(dt, dd); };
      add("报告编号", d.report_no);
      add("信用主体", d.subject_name);
      add("代码/证件号码", d.subject_code);
      add("出具机构", d.issuer);
      add("出具时间", d.issued_at ? String(d.issued_at).replace("T", " ").slice(0, 19) : "");
      if (d.sections && d.sections.length) add("报告内容", d.sections.map((x) => x.title + " " + x.rows + " 条").join("；"));
      add("存证证明", d.proofs);
      out.append(p, dl);
    } else {
      out.className = "notice err";
      out.setAttribute("role", "alert");
      let why = "报告编号或验证码不正确";
      if (r.ok && r.data && r.data.reason) why = r.data.reason;
      else if (!r.ok) why = cx.error(r.data);
      const p = document.createElement("p");
      const s = document.createElement("strong"); s.textContent = "验证失败";
      p.append(s, "：" + why);
      out.append(p);
    }
  }
  const form = document.getElementById("verify-form");
  async function byCode() {
    const no = document.getElementById("report_no").value.trim();
    const code = document.getElementById("report_code").value.trim();
    if (!no || !code) { out.hidden = false; out.className = "notice err"; out.textContent = "验证失败：请输入报告编号和验证码"; return; }
    show(await cx.api("POST", "/api/v1/credit-reports/verify", { report_no: no, code: code }));
  }
  form.addEventListener("submit", (ev) => { ev.preventDefault(); byCode(); });
  document.getElementById("pdf-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const input = document.getElementById("report_pdf");
    if (!input.files.length) { out.hidden = false; out.className = "notice err"; out.textContent = "验证失败：请选择信用报告 PDF 文件"; return; }
    show(await cx.api("POST", "/api/v1/credit-reports/verify", input.files[0], { "Content-Type": "application/pdf" }));
  });
  // app.js is deferred: it has run by DOMContentLoaded.
  document.addEventListener("DOMContentLoaded", () => {
    if (document.getElementById("report_no").value && document.getElementById("report_code").value) byCode();
  });
})();
"#;

/// `/portal/verify`: 报告验真 by number and code, or by the PDF itself.
pub async fn verify(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryResult<VerifyParams>,
) -> Response {
    let v = visitor(&state, &caller).await;
    let p = q.map(|Query(p)| p).unwrap_or_default();
    let clean = |s: Option<String>| -> String {
        s.unwrap_or_default()
            .trim()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(64)
            .collect()
    };
    let no = clean(p.no);
    let code = clean(p.code);
    portal_page(
        &v,
        "报告验真",
        "/portal/verify",
        html! {
            p.lead { "核验本平台出具的信用报告是否真实、完整：输入报告编号和验证码，或上传报告 PDF 文件。扫描报告上的二维码可直接核验。" }
            div.grid.two {
                form.card #verify-form {
                    h2 { "按编号和验证码核验" }
                    label for="report_no" { "报告编号" }
                    input #report_no type="text" name="no" value=(no) maxlength="64" required autocomplete="off" spellcheck="false";
                    label for="report_code" { "验证码" }
                    input #report_code type="text" name="code" value=(code) maxlength="64" required autocomplete="off" spellcheck="false" placeholder="XXXX-XXXX-XXXX-XXXX";
                    p { button #verify type="submit" { "核验" } }
                }
                form.card #pdf-form {
                    h2 { "上传报告文件核验" }
                    label for="report_pdf" { "信用报告 PDF" }
                    input #report_pdf type="file" accept="application/pdf,.pdf";
                    div.hint { "文件须与出具时完全一致，任何修改都会导致核验失败。" }
                    p { button #verify-pdf type="submit" { "上传并核验" } }
                }
            }
            div #verify-result hidden aria-live="polite" {}
            (script(VERIFY_JS))
        },
    )
}

/// `/portal/repair`: what credit repair is, the rules in force, how to apply.
pub async fn repair(State(state): State<AppState>, caller: Caller) -> Response {
    let v = visitor(&state, &caller).await;
    let today = state.today();
    let rules = state.rights_rules().ok();
    let current = rules.and_then(|r| r.repair_on(today).ok());
    portal_page(
        &v,
        "信用修复",
        "/portal/repair",
        html! {
            p.lead {
                "信用修复是指失信主体在纠正失信行为、履行相关义务后，按规定申请提前停止公示其失信信息。"
                "修复后信息不再向社会公示，但作为历史信息保存。"
            }
            @if let Some(r) = current {
                section.card #repair-rules aria-labelledby="h-rules" {
                    h2 #h-rules { "现行规则" }
                    p { "适用：" strong { (r.title) } "（自 " (day(r.effective_from)) " 起施行）" }
                    div.table-wrap {
                        table {
                            caption.hint { "公示期限自行政处罚等决定作出之日起计算。" }
                            thead { tr { th scope="col" { "失信程度" } th scope="col" { "是否公示" } th scope="col" { "最短公示期" } th scope="col" { "最长公示期" } th scope="col" { "可否修复" } } }
                            tbody {
                                @for (label, l) in [("轻微", r.levels.minor), ("一般（含较重）", r.levels.general), ("严重", r.levels.serious)] {
                                    tr {
                                        th scope="row" { (label) }
                                        td { @if l.published { "公示" } @else { "原则上不公示" } }
                                        td { @if l.min_months == 0 { "—" } @else { (months(l.min_months)) } }
                                        td { @if l.max_months == 0 { "—" } @else { (months(l.max_months)) } }
                                        td { @if l.repairable { "最短公示期满后可申请" } @else { "不可修复" } }
                                    }
                                }
                            }
                        }
                    }
                    h2 { "办理时限" }
                    ul {
                        li { "受理：收到申请后 " (r.accept_working_days) " 个工作日内决定是否受理；" }
                        li { "审核：受理后 " (r.review_working_days) " 个工作日内作出决定；" }
                        li { "结果共享：作出决定后 " (r.share_working_days) " 个工作日内告知数据来源单位和相关部门。" }
                    }
                    p.hint { "工作日按国家法定节假日和调休安排计算。提供虚假材料的，撤销修复决定，" (r.bar_months_after_false_materials) " 个月内不予受理新的修复申请。" }
                    h2 { "申请材料" }
                    ul.materials {
                        @for m in &r.materials {
                            li { (m.label) @if m.required { " " span.tag.warn { "必交" } } @else { " " span.tag.muted { "如有" } } }
                        }
                    }
                }
            }
            @if let Some(all) = rules {
                @if all.repair.len() > 1 {
                    section aria-labelledby="h-versions" {
                        h2 #h-versions { "规则版本" }
                        ul {
                            @for r in &all.repair {
                                li { (r.title) "，自 " (day(r.effective_from)) " 起施行" @if current.is_some_and(|c| c.id == r.id) { " " span.tag.ok { "现行" } } }
                            }
                        }
                        p.hint { "按申请提交之日施行的规则办理。" }
                    }
                }
            }
            section.card aria-labelledby="h-how" {
                h2 #h-how { "如何申请" }
                ol {
                    li { "信用主体使用本单位账号" a href="/portal/login" { "企业登录" } "（账号由信用办开通）；" }
                    li { "在“我的信用档案”中选择要修复的失信信息，填写整改和履行义务情况，作出信用承诺；" }
                    li { "上传证明材料，提交后获得查询编号和查询码；" }
                    li { "凭查询编号在" a href="/portal/track" { "办件查询" } "查看进度和结果。" }
                }
                p { a.button href="/portal/login?next=%2Fportal%2Fmy" { "登录申请信用修复" } }
            }
        },
    )
}

fn months(m: u32) -> String {
    if m.is_multiple_of(12) {
        format!("{} 年", m / 12)
    } else {
        format!("{m} 个月")
    }
}
