//! 数据报送: upload a file with progress; a batch's result with its error report.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use chengxin_access::Permission as P;
use chengxin_store::{Batch, BatchState};
use maud::{html, Markup};
use serde::Deserialize;

use super::{api_error_page, dt, enc, gate, render, who};
use crate::auth::Caller;
use crate::pages::{html_response, script};
use crate::routes::input::parse_batch_id;
use crate::AppState;

const SUBMIT_JS: &str = r#"
document.getElementById("upload").addEventListener("click", async function () {
  const btn = this;
  const msg = document.getElementById("upload-msg");
  const bar = document.getElementById("upload-progress");
  const pct = document.getElementById("upload-pct");
  const out = document.getElementById("batch-result");
  const type = document.getElementById("type").value;
  const dept = document.getElementById("dept").value.trim().toUpperCase();
  const input = document.getElementById("file");
  const file = input.files && input.files[0];
  if (!type) { cx.message(msg, "err", "请选择信息类别"); return; }
  if (!/^[0-9A-Z]{18}$/.test(dept)) { cx.message(msg, "err", "请填写 18 位统一社会信用代码（报送部门）"); return; }
  if (!file) { cx.message(msg, "err", "请选择要上传的文件"); input.focus(); return; }
  btn.disabled = true;
  out.hidden = true;
  bar.value = 0; bar.max = 100; pct.textContent = "0%";
  cx.message(msg, "info", "正在上传 " + file.name + " …");
  const url = "/api/v1/batches?type=" + encodeURIComponent(type) + "&dept=" + encodeURIComponent(dept)
    + "&file_name=" + encodeURIComponent(file.name);
  const r = await cx.upload(url, file, function (loaded, total) {
    bar.max = total; bar.value = loaded;
    const p = Math.round(loaded * 100 / total);
    pct.textContent = p + "%";
    if (loaded >= total) cx.message(msg, "info", "上传完成，正在校验入库…");
  });
  btn.disabled = false;
  if (!r.ok) { cx.message(msg, "err", "报送失败：" + cx.error(r.data)); return; }
  bar.value = bar.max; pct.textContent = "100%";
  const batch = r.data.batch;
  cx.message(msg, "ok", r.data.replayed ? "该文件此前已报送过（内容完全相同），以下为原批次结果，未重复入库。" : "报送完成。");
  const f = await fetch("/console/batches/" + batch.id + "?fragment=1", { credentials: "same-origin" });
  out.innerHTML = f.ok ? await f.text() : "";
  out.hidden = false;
  out.focus();
});
"#;

const PRECHECK_JS: &str = r#"
(function () {
  const msg = document.getElementById("upload-msg");
  const bar = document.getElementById("upload-progress");
  const pct = document.getElementById("upload-pct");
  const pre = document.getElementById("precheck-result");
  const out = document.getElementById("batch-result");
  const wait = document.getElementById("import-wait");
  function dept() { return document.getElementById("dept").value.trim().toUpperCase(); }
  // A caller without a body names the department: templates are for it.
  document.querySelectorAll("a.template-link").forEach(function (a) {
    a.addEventListener("click", function () {
      const d = dept();
      if (/^[0-9A-Z]{18}$/.test(d)) a.href = "/api/v1/batches/templates/" + encodeURIComponent(a.dataset.type) + "?dept=" + encodeURIComponent(d);
    });
  });
  async function confirmImport(btn) {
    btn.disabled = true;
    wait.hidden = false;
    const started = Date.now();
    const tick = setInterval(function () {
      document.getElementById("import-elapsed").textContent = Math.round((Date.now() - started) / 1000);
    }, 1000);
    cx.message(msg, "info", "已确认，正在分段入库：全部完成前任何一行都不会生效或公示…");
    const r = await cx.api("POST", "/api/v1/batches/precheck/" + encodeURIComponent(btn.dataset.id) + "/confirm");
    clearInterval(tick);
    wait.hidden = true;
    if (!r.ok) {
      btn.disabled = false;
      cx.message(msg, "err", r.status === 404 ? "预检结果已过期或已使用，请重新上传预检。" : "入库失败：" + cx.error(r.data));
      return;
    }
    pre.hidden = true;
    const batch = r.data.batch;
    cx.message(msg, "ok", r.data.replayed ? "该文件此前已报送过（内容完全相同），以下为原批次结果，未重复入库。" : "入库完成。");
    const f = await fetch("/console/batches/" + batch.id + "?fragment=1", { credentials: "same-origin" });
    out.innerHTML = f.ok ? await f.text() : "";
    out.hidden = false;
    out.focus();
  }
  document.getElementById("precheck").addEventListener("click", async function () {
    const btn = this;
    const type = document.getElementById("type").value;
    const d = dept();
    const input = document.getElementById("file");
    const file = input.files && input.files[0];
    if (!type) { cx.message(msg, "err", "请选择信息类别"); return; }
    if (!/^[0-9A-Z]{18}$/.test(d)) { cx.message(msg, "err", "请填写 18 位统一社会信用代码（报送部门）"); return; }
    if (!file) { cx.message(msg, "err", "请选择要上传的文件"); input.focus(); return; }
    btn.disabled = true;
    pre.hidden = true; out.hidden = true;
    bar.value = 0; bar.max = 100; pct.textContent = "0%";
    cx.message(msg, "info", "正在上传 " + file.name + " …");
    const url = "/api/v1/batches/precheck?type=" + encodeURIComponent(type) + "&dept=" + encodeURIComponent(d)
      + "&file_name=" + encodeURIComponent(file.name);
    const r = await cx.upload(url, file, function (loaded, total) {
      bar.max = total; bar.value = loaded;
      pct.textContent = Math.round(loaded * 100 / total) + "%";
      if (loaded >= total) cx.message(msg, "info", "上传完成，正在逐行校验（不入库）…");
    });
    btn.disabled = false;
    if (!r.ok) { cx.message(msg, "err", "预检未通过：" + cx.error(r.data)); return; }
    bar.value = bar.max; pct.textContent = "100%";
    cx.message(msg, "ok", "预检完成，尚未入库：请核对下列结果后确认。");
    const f = await fetch("/console/precheck/" + encodeURIComponent(r.data.id), { credentials: "same-origin" });
    pre.innerHTML = f.ok ? await f.text() : "";
    pre.hidden = false;
    const c = document.getElementById("confirm");
    if (c) c.addEventListener("click", function () { confirmImport(c); });
    pre.focus();
  });
})();
"#;

/// 数据报送: the upload form.
pub async fn submit(State(state): State<AppState>, caller: Caller, uri: Uri) -> Response {
    let v = match gate(&state, &caller, &uri, |c| c.has(P::RecordsSubmit)).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    // The types the department may submit (its 报送范围); a caller without a body submits
    // for departments it names, and is offered every type.
    let offers = chengxin_app::templates::offered(&state, &caller, None)
        .map(|(_, o)| o)
        .unwrap_or_default();
    let types: Vec<(String, String)> = offers
        .iter()
        .map(|o| (o.code.clone(), o.name.clone()))
        .collect();
    let preferred = if types.iter().any(|(c, _)| c == "admin_penalty") {
        "admin_penalty".to_string()
    } else {
        types.first().map(|(c, _)| c.clone()).unwrap_or_default()
    };
    let body = html! {
        div.card {
            div.form-grid {
                div {
                    label for="type" { "信息类别" }
                    select #type name="type" required {
                        option value="" { "请选择…" }
                        @for (code, name) in &types {
                            option value=(code) selected[*code == preferred] { (name) }
                        }
                    }
                }
                div {
                    label for="dept" { "报送部门统一社会信用代码" }
                    input #dept name="dept" type="text" maxlength="18" autocomplete="off"
                        value=(caller.body.clone().unwrap_or_default())
                        readonly[caller.body.is_some()] aria-describedby="dept-hint";
                    p.hint #dept-hint {
                        @if caller.body.is_some() { "以本单位名义报送。" } @else { "信用办可代辖区内部门报送。" }
                    }
                }
            }
            label for="file" { "数据文件" }
            input #file name="file" type="file" accept=".csv,.xlsx,.jsonl,.json,.txt" aria-describedby="file-hint";
            p.hint #file-hint { "支持 CSV（UTF-8 或 GB18030，即 Excel 另存的格式）、XLSX、JSON Lines。同一文件重复报送不会重复入库；有问题的行单独退回，可下载错误报告修改后重新报送。" }
            p {
                button #precheck type="button" { "上传并预检" }
                " "
                button.secondary #upload type="button" { "跳过预检，直接报送" }
            }
            p.hint { "预检只校验、不入库：显示将新增、更正、无变化和退回的行数及将新建的主体数，确认后才入库。" }
            label for="upload-progress" { "上传进度 " span #upload-pct { "0%" } }
            progress #upload-progress max="100" value="0" {}
            div #upload-msg hidden aria-live="polite" {}
        }
        section #precheck-result tabindex="-1" hidden aria-live="polite" {}
        div #import-wait hidden {
            label for="import-progress" { "正在入库 " span #import-elapsed { "0" } " 秒" }
            progress #import-progress {}
        }
        section #batch-result tabindex="-1" hidden aria-live="polite" {}
        p { a href="/console/batches" { "我的报送批次 →" } }
        (super::batch_work::templates_card(&offers, caller.body.as_deref()))
        (script(SUBMIT_JS))
        (script(PRECHECK_JS))
    };
    render(&caller, &v, "数据报送", "/console/submit", body)
}

#[derive(Debug, Deserialize)]
pub struct BatchParams {
    /// `1`: only the result block (the submit page inserts it after an upload).
    pub fragment: Option<String>,
}

/// The result block of a batch: counts, the rejected count, the error report (as submitted
/// for the submitting body, masked for anyone else — with a purpose form for those who may
/// open it, see `chengxin_app::batches::error_rows`).
pub fn batch_view(caller: &Caller, b: &Batch, dept_name: Option<&str>) -> Markup {
    let own = chengxin_app::batches::is_submitter(caller, b);
    let may_open = !own && caller.has(P::PersonalDataDecrypt);
    if b.state != BatchState::Committed {
        let (state, note) = match b.state {
            BatchState::Importing => (
                "正在导入",
                "本批次正在分段入库，全部完成前其中任何一行都不会生效或公示。请稍后刷新本页。",
            ),
            _ => (
                "导入中断",
                "本批次导入中断，已作废，其中任何一行都未生效。请重新报送该文件。",
            ),
        };
        return html! {
            div.card {
                h2 { "批次结果" }
                dl.kv {
                    dt { "批次编号" } dd #batch-no title=(b.id) { (batch_no(b.id, &b.submitted_at)) }
                    dt { "状态" } dd #batch-state { (state) }
                    dt { "报送时间" } dd { (dt(&b.submitted_at)) }
                }
                div.notice.info { (note) }
            }
        };
    }
    let counts: [(&str, i64, &str); 6] = [
        ("总行数", b.total, "count-total"),
        ("新增", b.created, "count-created"),
        ("更正", b.corrected, "count-corrected"),
        ("重复", b.duplicates, "count-duplicates"),
        ("退回", b.rejected, "rejected-count"),
        ("待关联", b.queued, "count-queued"),
    ];
    html! {
        div.card {
            h2 { "批次结果" }
            dl.kv {
                dt { "批次编号" } dd #batch-no title=(b.id) { (batch_no(b.id, &b.submitted_at)) }
                dt { "信息类别" } dd {
                    (chengxin_domain::catalog::Catalog::default_checked()
                        .ok()
                        .and_then(|c| c.get(&b.type_code))
                        .map(|t| t.name.clone())
                        .unwrap_or_else(|| b.type_code.clone()))
                }
                dt { "报送部门" } dd {
                    @if let Some(n) = dept_name { (n) " " span.hint { "（" (b.source_dept) "）" } }
                    @else { (b.source_dept) }
                }
                @if let Some(f) = &b.file_name { dt { "文件" } dd { (f) "（" (b.format) "，" (b.encoding) "）" } }
                dt { "报送人" } dd { (who(&b.submitted_by)) }
                dt { "报送时间" } dd { (dt(&b.submitted_at)) }
            }
            div.counts {
                @for (label, n, id) in counts {
                    div.count.bad[id == "rejected-count" && n > 0] {
                        div.n id=(id) { (n) }
                        div.l { (label) }
                    }
                }
            }
            @if b.subjects_created > 0 {
                p.hint { "新建信用主体 " (b.subjects_created) " 个。" }
            }
            @if !b.unknown_columns.is_empty() {
                div.notice.info { "以下列不在目录中，已忽略：" (b.unknown_columns.join("、")) }
            }
            @if b.rejected > 0 {
                div.notice.err {
                    "有 " (b.rejected) " 行未通过校验，未入库。请下载错误报告（含每行原因），修改后重新报送："
                    " " a #error-report href=(format!("/api/v1/batches/{}/errors", b.id)) download { "下载错误报告（CSV）" }
                    " · " a href=(format!("/api/v1/batches/{}/errors?format=xlsx", b.id)) download { "XLSX 格式" }
                }
                @if b.rejects_not_kept > 0 {
                    p.hint #rejects-not-kept {
                        "错误报告列出前 " (b.rejected - b.rejects_not_kept) " 行；其余 " (b.rejects_not_kept)
                        " 行只计数，不保留明细。请先按下表改正常见问题后重新报送。"
                    }
                }
                @if !b.reject_reasons.is_empty() {
                    table #reject-reasons {
                        thead { tr { th { "问题" } th { "行数" } } }
                        tbody {
                            @for r in b.reject_reasons.iter().take(20) {
                                tr { td { (r.message) } td.num { (r.rows) } }
                            }
                        }
                    }
                }
                @if !own {
                    p.hint #errors-masked { "错误报告仅向报送单位提供原样数据；您下载的报告中证件号码已遮蔽。" }
                }
                @if may_open {
                    form.form-grid method="get" action=(format!("/api/v1/batches/{}/errors", b.id)) {
                        div {
                            label for="errors-purpose" { "查看原样数据的用途（将记入查询日志）" }
                            input #errors-purpose name="purpose" type="text" required minlength="2" maxlength="200";
                        }
                        div {
                            label for="errors-format" { "格式" }
                            select #errors-format name="format" {
                                option value="csv" { "CSV" }
                                option value="xlsx" { "XLSX" }
                            }
                        }
                        div { button type="submit" { "下载原样错误报告" } }
                    }
                }
            } @else {
                div.notice.ok { "全部行均已通过校验。" }
            }
            @if b.queued > 0 {
                p.hint { "有 " (b.queued) " 条记录未能自动关联信用主体，已进入" a href="/console/link-queue" { "待关联队列" } "。" }
            }
            p.hint { "本批次结果的固定链接：" a href=(format!("/console/batches/{}", enc(&b.id.to_string()))) { "本批次结果" } }
        }
    }
}

/// `/console/batches/{id}`: an earlier batch's result (or the block alone).
pub async fn batch(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path(id): Path<String>,
    q: Result<Query<BatchParams>, QueryRejection>,
) -> Response {
    let v = match gate(&state, &caller, &uri, |c| {
        c.has(P::RecordsSubmit) || c.has(P::RecordsReadNonpublic)
    })
    .await
    {
        Ok(v) => v,
        Err(r) => return r,
    };
    let read = match parse_batch_id(&id) {
        Ok(id) => chengxin_app::batches::read(&state, &caller, id).await,
        Err(e) => Err(e),
    };
    let b = match read {
        Ok(b) => b,
        Err(e) => return api_error_page(&caller, &v, &e.into()),
    };
    let dept_name = match state.delegations() {
        Ok(d) => chengxin_app::authority::body_name(state.store.as_ref(), &d, &b.source_dept)
            .await
            .ok()
            .flatten(),
        Err(_) => None,
    };
    let fragment = q
        .ok()
        .and_then(|Query(q)| q.fragment)
        .is_some_and(|f| f == "1");
    if fragment {
        return html_response(
            StatusCode::OK,
            batch_view(&caller, &b, dept_name.as_deref()),
        );
    }
    let body = html! {
        p { a href="/console/submit" { "← 返回数据报送" } " · " a href="/console/batches" { "我的报送批次" } }
        section #batch-result { (batch_view(&caller, &b, dept_name.as_deref())) }
    };
    render(&caller, &v, "报送批次", "/console/submit", body)
}

/// A batch's number as people read it (issue 17: no UUID to read or type): the day it was
/// submitted (China time) and the last eight characters of its id, `PC-20261207-3A7F21C0`.
fn batch_no(id: uuid::Uuid, submitted_at: &chrono::DateTime<chrono::Utc>) -> String {
    let day = chrono::FixedOffset::east_opt(8 * 3600)
        .map(|tz| submitted_at.with_timezone(&tz).format("%Y%m%d").to_string())
        .unwrap_or_default();
    let hex = id.simple().to_string().to_ascii_uppercase();
    format!(
        "PC-{day}-{}",
        hex.get(hex.len().saturating_sub(8)..).unwrap_or(&hex)
    )
}
