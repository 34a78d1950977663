//! A body's outbound webhook: address, signing secret (sealed, shown never again), on/off,
//! and the deliveries made to it with their status and last error.

use chengxin_access::Permission;
use chengxin_store::{DeliveryRow, WebhookRow};
use chrono::SubsecRound;
use serde::{Deserialize, Serialize};

use crate::auth::{uscc_region, Caller};
use crate::error::{AppError, AppResult};
use crate::App;

/// The settings form.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct WebhookRequest {
    /// The body (USCC); the caller's own when absent.
    pub body: Option<String>,
    /// `http://…` (the government network's gateway or OA system).
    pub url: String,
    /// The signing secret (at least 16 characters); kept as it is when absent on a change.
    pub secret: Option<String>,
    pub enabled: bool,
    /// The version shown (absent for a first setting).
    pub expected_version: Option<i64>,
}

/// A delivery as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeliveryView {
    pub id: uuid::Uuid,
    /// `pending`, `delivered`, `failed`.
    pub status: String,
    /// 待发送/已送达/发送失败.
    pub status_name: &'static str,
    pub attempts: i32,
    pub next_attempt_at: chrono::DateTime<chrono::Utc>,
    pub last_error: Option<String>,
    pub last_status: Option<i32>,
    pub title: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A body's webhook and its recent deliveries.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WebhookView {
    pub body: String,
    pub url: Option<String>,
    pub enabled: bool,
    pub version: Option<i64>,
    pub deliveries: Vec<DeliveryView>,
}

pub fn status_name(s: &str) -> &'static str {
    match s {
        "pending" => "待发送",
        "delivered" => "已送达",
        "failed" => "发送失败",
        _ => "未知",
    }
}

/// Whose webhook the caller asks about: its own body's, or — the credit office — a body of
/// its region. Another's is "not found".
fn body_for(caller: &Caller, body: Option<&str>) -> AppResult<String> {
    let own = caller
        .body
        .as_deref()
        .map(|b| b.trim().to_ascii_uppercase())
        .filter(|b| !b.is_empty());
    let body = match (body.map(|b| b.trim().to_ascii_uppercase()), own.clone()) {
        (Some(b), _) if !b.is_empty() => b,
        (_, Some(o)) => o,
        _ => {
            return Err(AppError::invalid(
                "body_required",
                "请指定单位（统一社会信用代码）：当前账号不属于任何单位",
            ))
        }
    };
    if caller.is_anonymous() {
        return Err(AppError::unauthorized("login_required", "需要登录"));
    }
    let is_own = own.as_deref() == Some(body.as_str())
        && (caller.has(Permission::AssignmentsHandle)
            || caller.has(Permission::CasesHandle)
            || caller.has(Permission::CommitmentsManage));
    if is_own
        || caller.reaches_in_line(
            Permission::CommitmentsManage,
            &uscc_region(&body),
            Some(&body),
        )
    {
        Ok(body)
    } else {
        Err(AppError::NotFound)
    }
}

/// The webhook settings of a body (the secret never shown).
pub async fn view(app: &App, caller: &Caller, body: Option<&str>) -> AppResult<WebhookView> {
    let body = body_for(caller, body)?;
    let hook = app.store.webhook(&body).await?;
    let rows = app.store.deliveries(&body, 50).await?;
    let deliveries = rows.iter().map(delivery_view).collect();
    Ok(WebhookView {
        url: hook.as_ref().map(|h| h.url.clone()),
        enabled: hook.as_ref().is_some_and(|h| h.enabled),
        version: hook.as_ref().map(|h| h.version),
        body,
        deliveries,
    })
}

fn delivery_view(d: &DeliveryRow) -> DeliveryView {
    let title = serde_json::from_str::<serde_json::Value>(&d.payload)
        .ok()
        .and_then(|v| v.get("title").and_then(|t| t.as_str()).map(str::to_string))
        .unwrap_or_default();
    DeliveryView {
        id: d.id,
        status_name: status_name(&d.status),
        status: d.status.clone(),
        attempts: d.attempts,
        next_attempt_at: d.next_attempt_at,
        last_error: d.last_error.clone(),
        last_status: d.last_status,
        title,
        created_at: d.created_at,
    }
}

/// Set (or change) a body's webhook.
pub async fn put(app: &App, caller: &Caller, req: WebhookRequest) -> AppResult<WebhookView> {
    let body = body_for(caller, req.body.as_deref())?;
    let url = req.url.trim().to_string();
    chengxin_domain::notify::check_url(&url)
        .map_err(|m| AppError::invalid("webhook_url_invalid", format!("推送地址无效：{m}")))?;
    if url.starts_with("https://") {
        return Err(AppError::invalid(
            "webhook_https_unsupported",
            "推送地址暂只支持 http://（请经政务外网或内网网关转发至 https 地址）",
        ));
    }
    let old = app.store.webhook(&body).await?;
    let secret_sealed = match (req.secret.as_deref().map(str::trim), &old) {
        (Some(s), _) if !s.is_empty() => {
            if s.chars().count() < 16 || s.chars().count() > 200 {
                return Err(AppError::invalid(
                    "webhook_secret_invalid",
                    "签名密钥须为 16 至 200 个字符",
                ));
            }
            app.pii
                .seal_bound(s, &format!("webhook:{body}"))
                .map_err(AppError::unavailable)?
        }
        (_, Some(o)) => o.secret_sealed.clone(),
        (_, None) => {
            return Err(AppError::invalid(
                "webhook_secret_required",
                "首次设置推送地址时须填写签名密钥（至少 16 个字符）",
            ))
        }
    };
    let row = WebhookRow {
        body_uscc: body.clone(),
        url,
        secret_sealed,
        enabled: req.enabled,
        updated_by: caller.actor.clone(),
        updated_at: chengxin_store::clock::now().trunc_subsecs(6),
        version: old.as_ref().map_or(1, |o| o.version + 1),
    };
    let expected = match (&old, req.expected_version) {
        (None, _) => None,
        (Some(o), None) => Some(o.version),
        (Some(_), Some(v)) => Some(v),
    };
    app.store.put_webhook(&caller.actor, &row, expected).await?;
    view(app, caller, Some(&body)).await
}

/// The signing secret of a body's webhook, opened (for the delivery job only).
pub(crate) fn secret_of(app: &App, hook: &WebhookRow) -> AppResult<String> {
    app.pii
        .open_bound(&hook.secret_sealed, &format!("webhook:{}", hook.body_uscc))
        .map_err(AppError::unavailable)
}
