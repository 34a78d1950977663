//! 门户内容: announcements (通知公告) and policy pages (政策法规) for holders of
//! `PortalManage` — write a draft, edit it, publish it, withdraw it. Writes go to
//! `POST /api/v1/portal/pages` and `…/{id}/actions`; every version is change-logged.

use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use chengxin_access::Permission as P;
use chengxin_app::portal_pages::{kind_name, status_name, KINDS};
use maud::html;

use super::{api_error_page, dt, gate, render};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::pages::script;
use crate::AppState;

const PORTAL_JS: &str = r#"
(function () {
  const msg = document.getElementById("pp-msg");
  const show = (r, ok) => {
    if (r.ok) { cx.message(msg, "ok", ok); setTimeout(() => location.reload(), 600); }
    else cx.message(msg, "err", cx.error(r.data));
  };
  document.getElementById("pp-new").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = e.target;
    const r = await cx.api("POST", "/api/v1/portal/pages", {
      kind: f.kind.value, title: f.title.value, body: f.body.value });
    show(r, "草稿已保存，发布后公众可见");
  });
  document.querySelectorAll("button[data-action]").forEach((b) => {
    b.addEventListener("click", async () => {
      const id = b.dataset.id;
      const body = { action: b.dataset.action, expected_version: Number(b.dataset.version) };
      if (b.dataset.action === "edit") {
        const f = document.getElementById("pp-edit-" + id);
        body.title = f.querySelector("input").value;
        body.body = f.querySelector("textarea").value;
      }
      const r = await cx.api("POST", "/api/v1/portal/pages/" + id + "/actions", body);
      show(r, b.dataset.action === "publish" ? "已发布" : b.dataset.action === "withdraw" ? "已撤回" : "已保存");
    });
  });
})();
"#;

/// `/console/portal`.
pub async fn page(State(state): State<AppState>, caller: Caller, uri: Uri) -> Response {
    let v = match gate(&state, &caller, &uri, |c| c.has(P::PortalManage)).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let pages = match chengxin_app::portal_pages::all(&state, &caller).await {
        Ok(p) => p,
        Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
    };
    let body = html! {
        p.lead { "通知公告和政策法规先保存为草稿，发布后才在门户显示；每次修改、发布、撤回均记入变更日志。" }
        div #pp-msg hidden aria-live="polite" {}
        section.card {
            h2 { "新建内容" }
            form #pp-new {
                div { label for="pp-kind" { "类别" }
                    select #pp-kind name="kind" { @for (k, n) in KINDS { option value=(k) { (n) } } } }
                div { label for="pp-title" { "标题" } input #pp-title name="title" type="text" maxlength="100" required; }
                div { label for="pp-body" { "正文" } textarea #pp-body name="body" rows="6" required {} }
                button type="submit" { "保存草稿" }
            }
        }
        h2 { "全部内容" }
        @if pages.is_empty() {
            p.hint { "尚无门户内容。" }
        } @else {
            div.table-wrap { table #portal-pages {
                thead { tr { th { "类别" } th { "标题" } th { "状态" } th { "更新" } th { "操作" } } }
                tbody {
                    @for p in &pages {
                        tr {
                            td data-label="类别" { (kind_name(&p.kind)) }
                            td data-label="标题" {
                                (p.title)
                                details {
                                    summary { "修改" }
                                    div #{ "pp-edit-" (p.id) } {
                                        label for={ "pp-t-" (p.id) } { "标题" }
                                        input #{ "pp-t-" (p.id) } type="text" value=(p.title) maxlength="100";
                                        label for={ "pp-b-" (p.id) } { "正文" }
                                        textarea #{ "pp-b-" (p.id) } rows="6" { (p.body) }
                                        button type="button" data-action="edit" data-id=(p.id) data-version=(p.version) { "保存修改" }
                                    }
                                }
                            }
                            td data-label="状态" { (status_name(&p.status)) }
                            td data-label="更新" { (dt(&p.updated_at)) }
                            td.actions data-label="操作" {
                                @if p.status == "published" {
                                    a href={ "/portal/notices/" (p.id) } { "查看" } " "
                                    button type="button" data-action="withdraw" data-id=(p.id) data-version=(p.version) { "撤回" }
                                } @else {
                                    button type="button" data-action="publish" data-id=(p.id) data-version=(p.version) { "发布" }
                                }
                            }
                        }
                    }
                }
            } }
        }
        (script(PORTAL_JS))
    };
    render(&caller, &v, "门户内容", "/console/portal", body)
}
