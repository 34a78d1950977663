//! The caller's own session: who is logged in, logging out, changing one's password.
//! (Logging in is `accounts::login`.)

use crate::accounts::{self, AccountView};
use crate::auth::{Caller, Via};
use crate::error::{AppError, AppResult};
use crate::App;

/// Who is calling: actor, roles, region, body, a token's permissions and, for a session,
/// the account.
pub async fn whoami(app: &App, caller: &Caller) -> AppResult<serde_json::Value> {
    let account = match caller.account_id() {
        Some(id) => app.store.account(id).await?.map(|a| AccountView::from(&a)),
        None => None,
    };
    Ok(serde_json::json!({
        "actor": caller.actor,
        "roles": caller.roles,
        "region": caller.scope.region,
        "body": caller.body,
        "token_permissions": caller.token_permissions,
        "account": account,
    }))
}

/// End the caller's session on the server (audited); nothing to do for other callers.
pub async fn logout(app: &App, caller: &Caller) -> AppResult<()> {
    if let Via::Session { session_hash, .. } = &caller.via {
        app.store.delete_session(session_hash).await?;
        app.store
            .audit(&[caller.audit("auth", "logout", "ok")])
            .await?;
    }
    Ok(())
}

/// Change the logged-in account's own password (policy: length, classes, no reuse of the
/// last five).
pub async fn change_password(
    app: &App,
    caller: &Caller,
    current: &str,
    new: &str,
) -> AppResult<()> {
    let id = caller
        .account_id()
        .ok_or_else(|| AppError::forbidden("account_required", "只有登录账号才能修改密码"))?;
    let keep = match &caller.via {
        Via::Session { session_hash, .. } => Some(session_hash.as_str()),
        _ => None,
    };
    accounts::change_password(
        app.store.as_ref(),
        &app.auth,
        id,
        current,
        new,
        caller.ip.clone(),
        keep,
    )
    .await
}
