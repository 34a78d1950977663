//! 消息中心 (issue 18): the caller's inbox (its account's, its body's and — the credit office —
//! its region's items; unread first in weight, each with a link to the item), and 消息推送 — a
//! body's webhook settings with the status and last error of each delivery.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use chengxin_access::Permission as P;
use maud::html;
use serde::Deserialize;

use super::{actions_script, api_error_page, dt, gate, is_staff, msg_box, render};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::pages::script;
use crate::AppState;

/// `/console/inbox`.
pub async fn inbox(State(state): State<AppState>, caller: Caller, uri: Uri) -> Response {
    let v = match gate(&state, &caller, &uri, is_staff).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let items = match chengxin_app::notify::inbox(&state, &caller, false).await {
        Ok(i) => i,
        Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
    };
    let unread = items.iter().filter(|i| !i.read).count();
    let body = html! {
        p.lead { "到期提醒、逾期督办、违约告知、联合奖惩办理提醒等消息。发给本单位的消息同时推送至本单位设置的接收地址（见“消息推送”）。" }
        p #unread-line { "未读消息 " strong #unread-count { (unread) } " 条" }
        (msg_box("inbox-msg"))
        @if items.is_empty() {
            p.hint #inbox-empty { "暂无消息。" }
        } @else {
            div.table-wrap { table #inbox {
                thead { tr { th { "时间" } th { "接收" } th { "标题" } th { "内容" } th { "状态" } } }
                tbody {
                    @for i in &items {
                        tr class=(if i.read { "read" } else { "unread" }) {
                            td data-label="时间" { (dt(&i.created_at)) }
                            td data-label="接收" { (i.to) }
                            td data-label="标题" {
                                @if let Some(l) = &i.link { a href=(l) { (i.title) } } @else { (i.title) }
                            }
                            td data-label="内容" { (i.body) }
                            td data-label="状态" {
                                @if i.read { span.tag.muted { "已读" } } @else {
                                    span.tag.warn { "未读" } " "
                                    button type="button" data-api={ "/api/v1/notifications/" (i.id) "/read" }
                                        data-out="inbox-msg" data-done="已标记为已读" { "标记已读" }
                                }
                            }
                        }
                    }
                }
            } }
        }
        (actions_script())
    };
    render(&caller, &v, "消息中心", "/console/inbox", body)
}

/// Query of the webhook page.
#[derive(Debug, Default, Deserialize)]
pub struct BodyQuery {
    pub body: Option<String>,
}

fn may_webhook(c: &Caller) -> bool {
    c.has(P::CommitmentsManage) || c.has(P::AssignmentsHandle) || c.has(P::CasesHandle)
}

const HOOK_JS: &str = r#"
(function () {
  const f = document.getElementById("hook-form");
  const msg = document.getElementById("hook-msg");
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { body: f.body.value, url: f.url.value, enabled: f.enabled.checked };
    if (f.secret.value) body.secret = f.secret.value;
    if (f.version.value) body.expected_version = Number(f.version.value);
    const r = await cx.api("POST", "/api/v1/webhook", body);
    if (r.ok) { cx.message(msg, "ok", "已保存"); setTimeout(() => location.reload(), 600); }
    else cx.message(msg, "err", cx.error(r.data));
  });
})();
"#;

/// `/console/webhook`.
pub async fn webhook(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    q: Result<Query<BodyQuery>, QueryRejection>,
) -> Response {
    let v = match gate(&state, &caller, &uri, may_webhook).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let body_q = q.body.as_deref().filter(|b| !b.trim().is_empty());
    if body_q.is_none() && caller.body.is_none() {
        let body = html! {
            p.lead { "消息推送按单位设置。请输入单位的统一社会信用代码：" }
            form method="get" action="/console/webhook" {
                label for="wh-body" { "单位统一社会信用代码" }
                input #wh-body name="body" type="text" maxlength="18" required;
                button type="submit" { "查看" }
            }
        };
        return render(&caller, &v, "消息推送", "/console/webhook", body);
    }
    let view = match chengxin_app::notify::webhook::view(&state, &caller, body_q).await {
        Ok(w) => w,
        Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
    };
    let name = state
        .store
        .subject_by_uscc(&view.body)
        .await
        .ok()
        .flatten()
        .map(|s| s.name)
        .unwrap_or_else(|| view.body.clone());
    let body = html! {
        p.lead {
            "发给本单位的消息以 JSON 经 HTTP POST 推送至下列地址（政务网内的 OA 系统或短信网关），请求头 "
            code { "X-Chengxin-Signature: sha256=…" } " 为以签名密钥对请求体计算的 HMAC-SHA256；失败自动重试（30 秒起逐次加倍，最多 8 次）。"
        }
        section.card {
            h2 { (name) }
            div #hook-msg hidden aria-live="polite" {}
            form #hook-form {
                input type="hidden" name="body" value=(view.body);
                input type="hidden" name="version" value=(view.version.map(|v| v.to_string()).unwrap_or_default());
                div { label for="wh-url" { "接收地址（http://）" } input #wh-url name="url" type="url" maxlength="500" value=(view.url.clone().unwrap_or_default()) required; }
                div { label for="wh-secret" { "签名密钥（16 个字符以上；已设置时留空表示不变）" } input #wh-secret name="secret" type="password" maxlength="200" autocomplete="new-password"; }
                div { label { input name="enabled" type="checkbox" checked[view.enabled || view.url.is_none()]; " 启用推送" } }
                button type="submit" { "保存" }
            }
        }
        h2 { "推送记录" }
        @if view.deliveries.is_empty() {
            p.hint #no-deliveries { "暂无推送记录。" }
        } @else {
            div.table-wrap { table #deliveries {
                thead { tr { th { "时间" } th { "消息" } th { "状态" } th { "尝试次数" } th { "下次尝试" } th { "最近错误" } } }
                tbody {
                    @for d in &view.deliveries {
                        tr {
                            td data-label="时间" { (dt(&d.created_at)) }
                            td data-label="消息" { (d.title) }
                            td data-label="状态" { (d.status_name) }
                            td data-label="尝试次数" { (d.attempts) }
                            td data-label="下次尝试" { @if d.status == "pending" { (dt(&d.next_attempt_at)) } @else { "—" } }
                            td data-label="最近错误" { (d.last_error.clone().unwrap_or_else(|| "—".into())) }
                        }
                    }
                }
            } }
        }
        (script(HOOK_JS))
    };
    render(&caller, &v, "消息推送", "/console/webhook", body)
}
