//! 投诉举报 on the portal, filed as a complaint work item (`/api/v1/portal/complaints`): the
//! body complained of picked from the list (or typed, or by its USCC), evidence files (type
//! and size checked before and by the server, errors beside their fields), a printable
//! receipt with the number and the one-time access code. Complaints filed before keep their
//! old tracking numbers (办件查询 reads both).

use axum::extract::State;
use axum::response::Response;
use maud::html;

use super::portal_page;
use crate::auth::Caller;
use crate::pages::{script, visitor};
use crate::AppState;

const COMPLAINT_JS: &str = r#"
(function () {
  const form = document.getElementById("complaint-form");
  const out = document.getElementById("complaint-result");
  const btn = document.getElementById("submit-complaint");
  const maxBytes = Number(form.dataset.maxBytes || 0);
  const maxFiles = Number(form.dataset.maxFiles || 0);
  const kinds = /\.(pdf|jpe?g|png|ofd)$/i;
  // Errors beside their fields: each field has an element `err-<field>`.
  const fields = { body: "about", content: "complaint_content", complainant: "complainant",
    contact: "complaint_contact", evidence: "complaint_evidence" };
  function clear() {
    for (const f of Object.keys(fields)) {
      const e = document.getElementById("err-" + f); e.textContent = ""; e.hidden = true;
      document.getElementById(fields[f]).removeAttribute("aria-invalid");
    }
  }
  function fieldError(f, msg) {
    const e = document.getElementById("err-" + f); e.textContent = msg; e.hidden = false;
    document.getElementById(fields[f]).setAttribute("aria-invalid", "true");
    document.getElementById(fields[f]).focus();
  }
  function fieldOf(code) {
    if (/^(body_|uscc_|about_)/.test(code)) return "body";
    if (/^(content_|required)/.test(code)) return "content";
    if (/^contact/.test(code)) return "contact";
    if (/^(file_|empty_file|too_many_files|invalid_file_name|evidence)/.test(code)) return "evidence";
    return null;
  }
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clear();
    const about = document.getElementById("about").value.trim();
    const aboutUscc = document.getElementById("about_uscc").value.trim();
    const content = document.getElementById("complaint_content").value.trim();
    const name = document.getElementById("complainant").value.trim();
    const contact = document.getElementById("complaint_contact").value.trim();
    const files = Array.from(document.getElementById("complaint_evidence").files);
    if (!about && !aboutUscc) { fieldError("body", "请选择或填写被投诉单位"); return; }
    if (content.length < 2) { fieldError("content", "请填写投诉事项（至少 2 个字）"); return; }
    if (!name) { fieldError("complainant", "请填写投诉人姓名或名称"); return; }
    if (maxFiles && files.length > maxFiles) { fieldError("evidence", "证据材料最多 " + maxFiles + " 个"); return; }
    for (const f of files) {
      if (!kinds.test(f.name)) { fieldError("evidence", "“" + f.name + "”不是 PDF、JPG、PNG 或 OFD 文件"); return; }
      if (maxBytes && f.size > maxBytes) { fieldError("evidence", "“" + f.name + "”超过 " + Math.floor(maxBytes / 1048576) + " MB"); return; }
    }
    btn.disabled = true;
    const r = await cx.api("POST", "/api/v1/portal/complaints", {
      about: about || null, about_uscc: aboutUscc || null, content: content,
      complainant: name, contact: contact || null
    });
    if (!r.ok) {
      btn.disabled = false;
      const code = r.data && r.data.code ? r.data.code : "";
      const msg = cx.error(r.data);
      const f = fieldOf(code);
      if (f) { fieldError(f, msg); } else { cx.message(out, "err", "提交失败：" + msg); }
      return;
    }
    const filed = r.data;
    const failed = [];
    for (const f of files) {
      const u = await cx.api("POST", "/api/v1/portal/complaints/" + encodeURIComponent(filed.no)
        + "/evidence?name=" + encodeURIComponent(f.name), f, { "X-Access-Code": filed.access_code });
      if (!u.ok) failed.push("“" + f.name + "”：" + cx.error(u.data));
    }
    form.hidden = true;
    const receipt = document.getElementById("complaint-receipt");
    document.getElementById("receipt-no").textContent = filed.no;
    document.getElementById("receipt-code").textContent = filed.access_code;
    document.getElementById("receipt-body").textContent = filed.body_name;
    document.getElementById("receipt-date").textContent = filed.filed_on;
    document.getElementById("receipt-due").textContent = filed.due_on || "—";
    document.getElementById("receipt-files").textContent = files.length
      ? (files.length - failed.length) + " 个" : "无";
    document.getElementById("receipt-track").href = "/portal/track?no=" + encodeURIComponent(filed.no);
    receipt.hidden = false;
    if (failed.length) {
      cx.message(out, "err", "投诉已受理，但以下证据材料未能上传（可凭查询编号和查询码在办件查询中补充）：" + failed.join("；"));
    }
    receipt.focus();
  });
  document.getElementById("print-receipt").addEventListener("click", () => window.print());
})();
"#;

/// `/portal/complaint`: 投诉举报 — filed online as a work item, answered with a receipt.
pub async fn complaint(State(state): State<AppState>, caller: Caller) -> Response {
    let v = visitor(&state, &caller).await;
    let bodies = chengxin_app::work::public::pickable_bodies(&state)
        .await
        .unwrap_or_default();
    let (max_bytes, max_files) = state
        .rights_rules()
        .map(|r| (r.evidence.max_file_bytes, r.evidence.max_files))
        .unwrap_or((10 * 1024 * 1024, 10));
    portal_page(
        &v,
        "投诉举报",
        "",
        html! {
            section.card {
                h2 { "受理范围" }
                p { "政府机关、事业单位及其工作人员在招商引资、政府采购、合同履约、政务服务等方面的失信行为，如不兑现政策承诺、拖欠账款、拒不执行生效判决等。投诉举报经查实的，将作为失信信息依法记入被投诉单位的信用档案；查实拖欠账款的，记入拖欠账款台账。对本平台公示信息有异议的，请使用" a href="/portal/objection" { "异议申诉" } "。" }
            }
            form.card #complaint-form novalidate data-max-bytes=(max_bytes) data-max-files=(max_files) {
                h2 { "提交投诉举报" }
                label for="about" { "被投诉单位 " span.req aria-hidden="true" { "*" } }
                input #about type="text" name="about" maxlength="200" list="complaint-bodies" autocomplete="off" placeholder="输入单位名称，从列表中选择" aria-describedby="err-body";
                datalist #complaint-bodies {
                    @for (_, name) in &bodies { option value=(name) {} }
                }
                label for="about_uscc" { "被投诉单位统一社会信用代码（选填）" }
                input #about_uscc type="text" name="about_uscc" maxlength="18" autocomplete="off" placeholder="列表中没有该单位时填写 18 位代码";
                div.field-error #err-body role="alert" hidden {}
                div.hint { "投诉举报转交被投诉单位所在地的信用办办理。" }
                label for="complaint_content" { "投诉事项 " span.req aria-hidden="true" { "*" } }
                textarea #complaint_content name="content" maxlength="4000" required rows="6" placeholder="请说明时间、经过、涉及的承诺或合同，以及您的诉求" aria-describedby="err-content" {}
                div.field-error #err-content role="alert" hidden {}
                label for="complaint_evidence" { "证据材料（选填）" }
                input #complaint_evidence type="file" multiple accept=".pdf,.jpg,.jpeg,.png,.ofd,application/pdf,image/jpeg,image/png" aria-describedby="err-evidence";
                div.hint { "支持 PDF、JPG、PNG、OFD，单个文件不超过 " (max_bytes / 1024 / 1024) " MB，最多 " (max_files) " 个。" }
                div.field-error #err-evidence role="alert" hidden {}
                label for="complainant" { "投诉人姓名或名称 " span.req aria-hidden="true" { "*" } }
                input #complainant type="text" name="complainant" maxlength="100" required autocomplete="name" aria-describedby="err-complainant";
                div.field-error #err-complainant role="alert" hidden {}
                label for="complaint_contact" { "联系方式" }
                input #complaint_contact type="text" name="contact" maxlength="100" autocomplete="tel" placeholder="手机号码或电子邮箱" aria-describedby="err-contact";
                div.field-error #err-contact role="alert" hidden {}
                div.hint { "姓名和联系方式加密保存，不会公开，仅经授权并说明事由后可由信用办查看。" }
                p { button #submit-complaint type="submit" { "提交" } }
            }
            section.card.receipt #complaint-receipt hidden tabindex="-1" aria-labelledby="h-receipt" {
                h2 #h-receipt { "投诉举报受理回执" }
                dl.kv {
                    dt { "查询编号" } dd { strong #receipt-no {} }
                    dt { "查询码" } dd { strong #receipt-code {} }
                    dt { "被投诉单位" } dd #receipt-body {}
                    dt { "提交日期" } dd #receipt-date {}
                    dt { "办理期限" } dd #receipt-due {}
                    dt { "证据材料" } dd #receipt-files {}
                }
                p { "请妥善保存查询编号和查询码（查询码只显示这一次）。凭两者可在“办件查询”中查看办理进度和答复，并对答复作出评价。" }
                p.no-print {
                    button #print-receipt type="button" { "打印回执" }
                    " "
                    a #receipt-track href="/portal/track" { "查询办理进度" }
                }
            }
            div #complaint-result hidden aria-live="polite" {}
            (script(COMPLAINT_JS))
        },
    )
}
