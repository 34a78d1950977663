//! Notifications (issue 18), built once for every concern: [`send`] is the one use case that
//! reminders, escalations and procedure steps call (commitments now; the closed loop's
//! reminders; supervision and evaluation later). An item goes to an account, a body or a
//! region's credit office, lands in the in-app inbox ([`inbox`], unread counts on the
//! dashboard) and — for a body with a webhook — is POSTed, signed, by the delivery job
//! ([`delivery`]).

pub mod delivery;
pub mod webhook;

use chengxin_access::Permission;
use chengxin_store::{recipient, NotificationRow, Store};
use chrono::SubsecRound;
use serde::Serialize;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

/// Who an item is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum To {
    Account(Uuid),
    /// A body by USCC (its accounts' inbox, its webhook).
    Body(String),
    /// The credit office of a region (GB/T 2260 code).
    Office(String),
}

impl To {
    fn pair(&self) -> (&'static str, String) {
        match self {
            To::Account(id) => (recipient::ACCOUNT, id.to_string()),
            To::Body(u) => (recipient::BODY, u.trim().to_ascii_uppercase()),
            To::Office(r) => (recipient::OFFICE, r.clone()),
        }
    }
}

/// One message to one or more recipients.
#[derive(Debug, Clone)]
pub struct Notice {
    pub to: Vec<To>,
    /// The region the item concerns.
    pub region: String,
    pub topic: &'static str,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    /// Sent at most once per key and recipient (the key is suffixed with the recipient).
    pub once: Option<String>,
}

/// The inbox rows of notices (one per distinct recipient), as the store keeps them: what a
/// use case hands to a store write that sends them in its own transaction.
pub fn rows(notices: &[Notice]) -> Vec<NotificationRow> {
    let now = chengxin_store::clock::now().trunc_subsecs(6);
    let mut out = Vec::new();
    for n in notices {
        let mut seen = std::collections::HashSet::new();
        for to in &n.to {
            if !seen.insert(to.clone()) {
                continue;
            }
            let (kind, who) = to.pair();
            if who.trim().is_empty() {
                continue;
            }
            out.push(NotificationRow {
                id: Uuid::now_v7(),
                recipient_kind: kind.to_string(),
                recipient: who.clone(),
                region: n.region.clone(),
                topic: n.topic.to_string(),
                title: n.title.chars().take(200).collect(),
                body: n.body.chars().take(4000).collect(),
                link: n.link.clone(),
                dedup_key: n.once.as_ref().map(|k| format!("{k}|{kind}:{who}")),
                created_at: now,
                read_at: None,
                read_by: None,
            });
        }
    }
    out
}

/// Send notices: into the inbox of each recipient and, for a body with a webhook, a pending
/// delivery. Idempotent for notices with a key. Returns how many items were stored.
pub async fn send(store: &dyn Store, actor: &str, notices: &[Notice]) -> AppResult<usize> {
    let rows = rows(notices);
    if rows.is_empty() {
        return Ok(0);
    }
    Ok(store.add_notifications(actor, &rows).await?.len())
}

/// The addresses a caller reads: its account, its body, and — holding the credit office's
/// permission — its region's office.
pub fn addresses(caller: &Caller) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(id) = caller.account_id() {
        out.push((recipient::ACCOUNT.to_string(), id.to_string()));
    }
    if let Some(b) = caller
        .body
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty())
    {
        out.push((recipient::BODY.to_string(), b.to_ascii_uppercase()));
    }
    if caller.has(Permission::CommitmentsManage) || caller.has(Permission::CasesManage) {
        out.push((
            recipient::OFFICE.to_string(),
            caller.scope.region.as_str().to_string(),
        ));
    }
    out
}

/// An inbox item as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InboxItem {
    pub id: Uuid,
    pub topic: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub read: bool,
    /// To whom: 本人, 本单位, 信用办.
    pub to: &'static str,
}

fn to_label(kind: &str) -> &'static str {
    match kind {
        "account" => "本人",
        "body" => "本单位",
        _ => "信用办",
    }
}

fn require_staff(caller: &Caller) -> AppResult<()> {
    if caller.is_anonymous() {
        return Err(AppError::unauthorized(
            "login_required",
            "需要登录后才能查看消息",
        ));
    }
    Ok(())
}

/// The caller's inbox, newest first.
pub async fn inbox(app: &App, caller: &Caller, unread_only: bool) -> AppResult<Vec<InboxItem>> {
    require_staff(caller)?;
    let rows = app
        .store
        .inbox(&addresses(caller), unread_only, 200)
        .await?;
    Ok(rows
        .into_iter()
        .map(|n| InboxItem {
            id: n.id,
            to: to_label(&n.recipient_kind),
            topic: n.topic,
            title: n.title,
            body: n.body,
            link: n.link,
            created_at: n.created_at,
            read: n.read_at.is_some(),
        })
        .collect())
}

/// How many unread items the caller has (the dashboard's figure).
pub async fn unread(app: &App, caller: &Caller) -> AppResult<i64> {
    require_staff(caller)?;
    Ok(app.store.unread_count(&addresses(caller)).await?)
}

/// Mark an item read. Someone else's item is "not found".
pub async fn mark_read(app: &App, caller: &Caller, id: Uuid) -> AppResult<bool> {
    require_staff(caller)?;
    let Some(n) = app.store.notification(id).await? else {
        return Err(AppError::NotFound);
    };
    let mine = addresses(caller)
        .iter()
        .any(|(k, r)| *k == n.recipient_kind && *r == n.recipient);
    if !mine {
        return Err(AppError::NotFound);
    }
    Ok(app
        .store
        .mark_read(
            &caller.actor,
            id,
            &caller.actor,
            chengxin_store::clock::now().trunc_subsecs(6),
        )
        .await?)
}
