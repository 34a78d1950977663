//! Accounts, logins and API tokens: the rules of `chengxin-access` applied to the store's
//! state, shared by the HTTP API and the CLI (`chengxin admin init`, `account create`,
//! `token issue`).

use std::collections::BTreeSet;

use chengxin_access::password::{
    dummy_verify, generate_one_time_password, hash_password, verify_password,
};
use chengxin_access::roles::check_role_set;
use chengxin_access::session::new_session_id;
use chengxin_access::tokens::{generate_token, DEFAULT_TOKEN_DAILY_QUOTA, DEFAULT_TOKEN_RATE};
use chengxin_access::totp::{self, TotpSecret};
use chengxin_access::{AccessError, LoginGuard, Permission, PiiCipher, Region, Role, TokenScope};
use chengxin_domain::regions::RegionTable;
use chengxin_store::{Account, AuditEvent, SessionRow, Store, TokenRow};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{roles_of, AuthSettings};
use crate::error::{AppError, AppResult};

/// Issuer name shown in authenticator apps.
const TOTP_ISSUER: &str = "诚信平台";

/// A new account as requested by an administrator.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    /// Role codes, e.g. `["credit_office"]`.
    pub roles: Vec<String>,
    /// GB/T 2260 code of the jurisdiction (`000000` = national).
    pub region: String,
    /// USCC of the account's body.
    pub body: Option<String>,
}

/// What an administrator gets back once: the one-time password and, for roles that need a
/// second factor, the TOTP enrolment URI. Neither is stored in clear nor shown again.
#[derive(Serialize, ToSchema)]
pub struct IssuedAccount {
    pub id: Uuid,
    pub username: String,
    pub one_time_password: String,
    pub totp_uri: Option<String>,
}

impl std::fmt::Debug for IssuedAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedAccount")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("one_time_password", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// An account as shown to administrators: no hashes, no secrets.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub region: String,
    pub body: Option<String>,
    pub totp_enrolled: bool,
    pub locked_until: Option<DateTime<Utc>>,
    pub must_change_password: bool,
    pub disabled: bool,
    pub version: i64,
}

impl From<&Account> for AccountView {
    fn from(a: &Account) -> Self {
        Self {
            id: a.id,
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            roles: a.roles.clone(),
            region: a.region.clone(),
            body: a.body.clone(),
            totp_enrolled: a.totp_secret.is_some(),
            locked_until: a.locked_until,
            must_change_password: a.must_change_password,
            disabled: a.disabled,
            version: a.version,
        }
    }
}

fn parse_roles(codes: &[String]) -> AppResult<Vec<Role>> {
    let roles = codes
        .iter()
        .map(|c| {
            Role::parse(c)
                .ok_or_else(|| AppError::invalid("unknown_role", format!("未知的角色“{c}”")))
        })
        .collect::<AppResult<Vec<_>>>()?;
    if roles.is_empty() {
        return Err(AppError::invalid("roles_required", "至少指定一个角色"));
    }
    check_role_set(&roles)?;
    Ok(roles)
}

fn valid_username(u: &str) -> bool {
    (3..=64).contains(&u.chars().count())
        && u.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
}

fn seal_totp(pii: &PiiCipher, account: Uuid, secret: &TotpSecret) -> AppResult<String> {
    pii.seal_bound(&secret.to_base32(), &format!("totp:{account}"))
        .map_err(|e| AppError::Access(e.into()))
}

fn open_totp(pii: &PiiCipher, a: &Account) -> AppResult<Option<TotpSecret>> {
    let Some(sealed) = &a.totp_secret else {
        return Ok(None);
    };
    let b32 = pii
        .open_bound(sealed, &format!("totp:{}", a.id))
        .map_err(|e| AppError::Access(e.into()))?;
    Ok(Some(TotpSecret::from_base32(&b32)?))
}

/// Create an account with a one-time password (to be changed at first login) and, when a
/// role requires it, a TOTP secret.
pub async fn create_account(
    store: &dyn Store,
    settings: &AuthSettings,
    pii: &PiiCipher,
    actor: &str,
    req: NewAccount,
) -> AppResult<IssuedAccount> {
    let username = req.username.trim().to_string();
    if !valid_username(&username) {
        return Err(AppError::invalid(
            "invalid_username",
            "用户名须为 3–64 位字母、数字或 . _ - @",
        ));
    }
    let roles = parse_roles(&req.roles)?;
    Region::parse_known(&req.region, RegionTable::national())?;
    if store.account_by_username(&username).await?.is_some() {
        return Err(AppError::invalid(
            "username_taken",
            format!("用户名“{username}”已存在"),
        ));
    }
    let password = generate_one_time_password()?;
    let now = chengxin_store::changelog::now();
    let id = Uuid::now_v7();
    let needs_totp = chengxin_access::roles::requires_totp(&roles);
    let (totp_secret, totp_uri) = if needs_totp {
        let secret = TotpSecret::generate()?;
        let uri = totp::otpauth_uri(&secret, TOTP_ISSUER, &username);
        (Some(seal_totp(pii, id, &secret)?), Some(uri))
    } else {
        (None, None)
    };
    let hash = hash_password(&password, &settings.hash)?;
    let account = Account {
        id,
        username: username.clone(),
        display_name: req.display_name.trim().to_string(),
        roles: roles.iter().map(|r| r.as_str().to_string()).collect(),
        region: req.region.trim().to_string(),
        body: req
            .body
            .map(|b| b.trim().to_string())
            .filter(|b| !b.is_empty()),
        password_hash: hash,
        password_history: Vec::new(),
        totp_secret,
        totp_last_step: None,
        failures: 0,
        locked_until: None,
        must_change_password: true,
        disabled: false,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    store.create_account(actor, &account).await?;
    let mut e = AuditEvent::new(actor, "account", "account_created", "ok");
    e.target = Some(account.id.to_string());
    e.detail =
        serde_json::json!({"username": username, "roles": account.roles, "region": account.region});
    store.audit(&[e]).await?;
    Ok(IssuedAccount {
        id,
        username,
        one_time_password: password,
        totp_uri,
    })
}

/// First run: the administrator account, created only when there is none.
pub async fn admin_init(
    store: &dyn Store,
    settings: &AuthSettings,
    pii: &PiiCipher,
) -> AppResult<IssuedAccount> {
    let exists = store
        .accounts()
        .await?
        .iter()
        .any(|a| roles_of(a).contains(&Role::Administrator));
    if exists {
        return Err(AppError::invalid(
            "admin_exists",
            "管理员账号已存在；如遗失密码，请由另一名管理员重置",
        ));
    }
    create_account(
        store,
        settings,
        pii,
        "cli:admin-init",
        NewAccount {
            username: "admin".into(),
            display_name: "系统管理员".into(),
            roles: vec!["administrator".into()],
            region: "000000".into(),
            body: None,
        },
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// Six-digit TOTP code (roles that require a second factor).
    pub totp: Option<String>,
}

/// A successful login: the session id (set as an HttpOnly cookie, never in the body) and
/// what the page needs.
pub struct LoggedIn {
    pub session_id: String,
    pub csrf: String,
    pub account: Account,
}

/// Check credentials and open a session. Every attempt is audited; five failures in a row
/// lock the account for the configured time, during which even the right password is
/// refused.
pub async fn login(
    store: &dyn Store,
    settings: &AuthSettings,
    pii: &PiiCipher,
    req: &LoginRequest,
    ip: Option<String>,
) -> AppResult<LoggedIn> {
    let now = chengxin_store::changelog::now();
    let actor = format!("account:{}", req.username.trim());
    let audit = |outcome: &str, reason: &str| {
        let mut e = AuditEvent::new(&actor, "auth", "login", outcome);
        e.ip = ip.clone();
        e.detail = serde_json::json!({ "reason": reason });
        e
    };
    let Some(mut account) = store.account_by_username(req.username.trim()).await? else {
        // Same cost as a real check, so timing does not reveal which usernames exist.
        dummy_verify(&req.password, &settings.hash);
        store.audit(&[audit("failed", "unknown_user")]).await?;
        return Err(AccessError::BadCredentials.into());
    };
    let guard = LoginGuard {
        failures: u32::try_from(account.failures).unwrap_or(u32::MAX),
        locked_until: account.locked_until,
    };
    if guard.check(now).is_err() {
        // Answered as a wrong password, so a locked account does not reveal that it exists.
        dummy_verify(&req.password, &settings.hash);
        store.audit(&[audit("denied", "locked")]).await?;
        return Err(AccessError::BadCredentials.into());
    }
    if account.disabled {
        dummy_verify(&req.password, &settings.hash);
        store.audit(&[audit("denied", "disabled")]).await?;
        return Err(AccessError::BadCredentials.into());
    }
    let password_ok = verify_password(&req.password, &account.password_hash)?;
    let second = if !password_ok {
        Err(AccessError::BadCredentials)
    } else if chengxin_access::roles::requires_totp(&roles_of(&account)) {
        match (open_totp(pii, &account)?, req.totp.as_deref()) {
            (None, _) => Err(AccessError::TotpRequired),
            (Some(_), None) => Err(AccessError::TotpRequired),
            (Some(secret), Some(code)) => totp::verify(
                &secret,
                code,
                now,
                account.totp_last_step.and_then(|s| u64::try_from(s).ok()),
            )
            .map(Some),
        }
    } else {
        Ok(None)
    };
    let expected = account.version;
    match second {
        Err(e) => {
            // A missing second factor after a right password is a prompt, not a failure.
            if !(password_ok && matches!(e, AccessError::TotpRequired) && req.totp.is_none()) {
                count_failure(store, settings, &actor, account.id).await?;
            }
            store.audit(&[audit("failed", e.code())]).await?;
            Err(e.into())
        }
        Ok(step) => {
            account.failures = 0;
            account.locked_until = None;
            if let Some(step) = step {
                account.totp_last_step = i64::try_from(step).ok();
            }
            account.version += 1;
            account.updated_at = now;
            match store.update_account(&actor, &account, expected).await {
                Ok(()) => {}
                // Another attempt changed the account meanwhile (parallel guesses): this one
                // counts as a failure, so a burst cannot slip past the counter.
                Err(chengxin_store::StoreError::Conflict { .. }) => {
                    count_failure(store, settings, &actor, account.id).await?;
                    store
                        .audit(&[audit("failed", "concurrent_attempt")])
                        .await?;
                    return Err(AccessError::BadCredentials.into());
                }
                Err(e) => return Err(e.into()),
            }
            let (sid, id_hash) = new_session_id()?;
            let csrf = generate_token()?.plaintext.expose().to_string();
            store
                .create_session(&SessionRow {
                    id_hash,
                    account_id: account.id,
                    csrf: csrf.clone(),
                    created_at: now,
                    last_seen: now,
                    ip: ip.clone(),
                })
                .await?;
            store.audit(&[audit("ok", "")]).await?;
            Ok(LoggedIn {
                session_id: sid.expose().to_string(),
                csrf,
                account,
            })
        }
    }
}

/// Change one's own password: the current one is required (a wrong one counts towards the
/// lockout, like a failed login); the policy and the no-reuse rule apply; every other session
/// of the account ends (`keep`: the caller's own session, if any).
pub async fn change_password(
    store: &dyn Store,
    settings: &AuthSettings,
    account_id: Uuid,
    current: &str,
    new: &str,
    ip: Option<String>,
    keep: Option<&str>,
) -> AppResult<()> {
    let mut account = store.account(account_id).await?.ok_or(AppError::NotFound)?;
    let actor = format!("account:{}", account.username);
    let now = chengxin_store::changelog::now();
    let failed = |reason: &str| {
        let mut e = AuditEvent::new(&actor, "auth", "password_change", "failed");
        e.ip = ip.clone();
        e.detail = serde_json::json!({ "reason": reason });
        e
    };
    let guard = LoginGuard {
        failures: u32::try_from(account.failures).unwrap_or(u32::MAX),
        locked_until: account.locked_until,
    };
    if guard.check(now).is_err() {
        dummy_verify(current, &settings.hash);
        store.audit(&[failed("locked")]).await?;
        return Err(AccessError::BadCredentials.into());
    }
    if !verify_password(current, &account.password_hash)? {
        count_failure(store, settings, &actor, account.id).await?;
        store.audit(&[failed("bad_credentials")]).await?;
        return Err(AccessError::BadCredentials.into());
    }
    let mut recent = vec![account.password_hash.clone()];
    recent.extend(account.password_history.iter().cloned());
    settings
        .password
        .check_change(&account.username, new, &recent)?;
    let expected = account.version;
    account.password_history = recent.into_iter().take(settings.password.history).collect();
    account.password_hash = hash_password(new, &settings.hash)?;
    account.must_change_password = false;
    account.failures = 0;
    account.locked_until = None;
    account.version += 1;
    account.updated_at = now;
    store.update_account(&actor, &account, expected).await?;
    let ended = store.delete_sessions_of(account.id, keep).await?;
    let mut e = AuditEvent::new(&actor, "auth", "password_change", "ok");
    e.ip = ip;
    e.detail = serde_json::json!({ "other_sessions_ended": ended });
    store.audit(&[e]).await?;
    Ok(())
}

/// Count one failed attempt (wrong password or second factor, or a wrong current password)
/// atomically, locking the account when the policy says so.
async fn count_failure(
    store: &dyn Store,
    settings: &AuthSettings,
    actor: &str,
    id: Uuid,
) -> AppResult<()> {
    let now = chengxin_store::changelog::now();
    let policy = settings.lockout;
    store
        .modify_account(actor, id, &move |a: &mut Account| {
            let mut guard = LoginGuard {
                failures: u32::try_from(a.failures).unwrap_or(u32::MAX),
                locked_until: a.locked_until,
            };
            guard.on_failure(now, &policy);
            a.failures = i64::from(guard.failures);
            a.locked_until = guard.locked_until;
            a.updated_at = now;
        })
        .await?;
    Ok(())
}

/// A token request by an administrator.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewToken {
    pub name: String,
    /// Permission codes, e.g. `["records_submit"]`.
    pub permissions: Vec<String>,
    pub region: String,
    /// USCC of the body the token acts for (a submitting department).
    pub body: Option<String>,
    /// Lifetime in days (at most 366).
    pub days: i64,
    /// Requests per second (bursts of as many); 200 when not given.
    #[serde(default)]
    pub rate_per_second: Option<u32>,
    /// Parties the token may check per day (China time); 100,000 when not given.
    #[serde(default)]
    pub daily_quota: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct IssuedToken {
    pub id: Uuid,
    /// Shown once; only its hash is kept.
    pub token: String,
    pub public_prefix: String,
    pub expires_at: DateTime<Utc>,
    /// Requests per second the token may make.
    pub rate_per_second: u32,
    /// Parties it may check per day.
    pub daily_quota: u64,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("id", &self.id)
            .field("public_prefix", &self.public_prefix)
            .finish_non_exhaustive()
    }
}

pub async fn issue_token(store: &dyn Store, actor: &str, req: NewToken) -> AppResult<IssuedToken> {
    if req.name.trim().is_empty() {
        return Err(AppError::invalid(
            "name_required",
            "请为令牌命名（用途或系统名称）",
        ));
    }
    let permissions = req
        .permissions
        .iter()
        .map(|p| {
            Permission::parse(p)
                .ok_or_else(|| AppError::invalid("unknown_permission", format!("未知的权限“{p}”")))
        })
        .collect::<AppResult<BTreeSet<_>>>()?;
    let now = chengxin_store::changelog::now();
    let scope = TokenScope {
        permissions,
        region: Region::parse_known(&req.region, RegionTable::national())?,
        body: req.body.clone().filter(|b| !b.trim().is_empty()),
        expires_at: now + chrono::Duration::days(req.days),
        // Stored on the token, so a listing shows what it was given.
        rate_per_second: Some(req.rate_per_second.unwrap_or(DEFAULT_TOKEN_RATE)),
        daily_quota: Some(req.daily_quota.unwrap_or(DEFAULT_TOKEN_DAILY_QUOTA)),
    };
    scope.validate(now)?;
    let issued = generate_token()?;
    let row = TokenRow {
        id: Uuid::now_v7(),
        name: req.name.trim().to_string(),
        public_prefix: issued.public_prefix.clone(),
        hash: issued.hash.clone(),
        scope: serde_json::to_value(&scope).map_err(AppError::unavailable)?,
        created_by: actor.to_string(),
        created_at: now,
        revoked_at: None,
        version: 1,
    };
    store.create_token(actor, &row).await?;
    let mut e = AuditEvent::new(actor, "token", "token_issued", "ok");
    e.target = Some(row.id.to_string());
    e.detail = serde_json::json!({"name": row.name, "scope": row.scope});
    store.audit(&[e]).await?;
    Ok(IssuedToken {
        id: row.id,
        token: issued.plaintext.expose().to_string(),
        public_prefix: issued.public_prefix,
        expires_at: scope.expires_at,
        rate_per_second: scope.rate_per_second.unwrap_or(DEFAULT_TOKEN_RATE),
        daily_quota: scope.daily_quota.unwrap_or(DEFAULT_TOKEN_DAILY_QUOTA),
    })
}

pub async fn revoke_token(store: &dyn Store, actor: &str, id: Uuid) -> AppResult<TokenRow> {
    let mut t = store.token(id).await?.ok_or(AppError::NotFound)?;
    if t.revoked_at.is_none() {
        let expected = t.version;
        t.revoked_at = Some(chengxin_store::changelog::now());
        t.version += 1;
        store.update_token(actor, &t, expected).await?;
        let mut e = AuditEvent::new(actor, "token", "token_revoked", "ok");
        e.target = Some(id.to_string());
        store.audit(&[e]).await?;
    }
    Ok(t)
}

/// Administrative changes to an account (unlock, disable, enable, reset password).
pub async fn admin_change(
    store: &dyn Store,
    settings: &AuthSettings,
    actor: &str,
    id: Uuid,
    action: &str,
) -> AppResult<(Account, Option<String>)> {
    let mut a = store.account(id).await?.ok_or(AppError::NotFound)?;
    let expected = a.version;
    let mut password = None;
    match action {
        "unlock" => {
            a.failures = 0;
            a.locked_until = None;
        }
        "disable" => a.disabled = true,
        "enable" => a.disabled = false,
        "reset_password" => {
            let p = generate_one_time_password()?;
            a.password_history.insert(0, a.password_hash.clone());
            a.password_history.truncate(settings.password.history);
            a.password_hash = hash_password(&p, &settings.hash)?;
            a.must_change_password = true;
            password = Some(p);
        }
        other => {
            return Err(AppError::invalid(
                "unknown_action",
                format!("未知的账号操作“{other}”"),
            ))
        }
    }
    a.version += 1;
    a.updated_at = chengxin_store::changelog::now();
    store.update_account(actor, &a, expected).await?;
    if matches!(action, "disable" | "reset_password") {
        store.delete_sessions_of(a.id, None).await?;
    }
    let mut e = AuditEvent::new(actor, "account", action, "ok");
    e.target = Some(a.id.to_string());
    store.audit(&[e]).await?;
    Ok((a, password))
}

/// The region of a token's scope (national when it cannot be read).
fn token_region(t: &TokenRow) -> &str {
    t.scope
        .get("region")
        .and_then(|r| r.as_str())
        .unwrap_or("000000")
}

/// The accounts an administrator sees: those of its region and below (no password hashes or
/// secrets).
pub async fn list(app: &crate::App, caller: &crate::auth::Caller) -> AppResult<Vec<AccountView>> {
    Ok(app
        .store
        .accounts()
        .await?
        .iter()
        .filter(|a| caller.reaches(Permission::AccountsManage, &a.region))
        .map(AccountView::from)
        .collect())
}

/// A token's request rate and daily quota in force: its own, else the server's defaults
/// (tokens issued before limits were per token).
pub fn token_limits(t: &TokenRow, settings: &AuthSettings) -> (u32, u64) {
    let own = |k: &str| t.scope.get(k).and_then(serde_json::Value::as_u64);
    let default_rate = settings.token_rate.burst;
    (
        own("rate_per_second")
            .and_then(|r| u32::try_from(r).ok())
            .unwrap_or(default_rate),
        own("daily_quota").unwrap_or(settings.token_daily_quota),
    )
}

/// The API tokens an administrator sees: those scoped to its region and below (hashes are
/// never returned), each with the rate and daily quota in force.
pub async fn token_list(
    app: &crate::App,
    caller: &crate::auth::Caller,
) -> AppResult<Vec<serde_json::Value>> {
    Ok(app
        .store
        .tokens()
        .await?
        .into_iter()
        .filter(|t| caller.reaches(Permission::TokensManage, token_region(t)))
        .map(|t| {
            let (rate, quota) = token_limits(&t, &app.auth);
            serde_json::json!({
                "id": t.id, "name": t.name, "public_prefix": t.public_prefix,
                "scope": t.scope, "created_by": t.created_by, "created_at": t.created_at,
                "revoked_at": t.revoked_at,
                "rate_per_second": rate, "daily_quota": quota,
            })
        })
        .collect())
}

/// [`create_account`] by an administrator: only for its own region and those below it.
pub async fn create_account_by(
    app: &crate::App,
    caller: &crate::auth::Caller,
    req: NewAccount,
) -> AppResult<IssuedAccount> {
    // A malformed region is refused by `create_account` itself, with its own code.
    if let Ok(r) = Region::parse(&req.region) {
        caller.require_at(Permission::AccountsManage, r.as_str())?;
    }
    create_account(app.store.as_ref(), &app.auth, &app.pii, &caller.actor, req).await
}

/// [`admin_change`] by an administrator: an account of another region (a sibling's, or one
/// above) is not found.
pub async fn admin_change_by(
    app: &crate::App,
    caller: &crate::auth::Caller,
    id: Uuid,
    action: &str,
) -> AppResult<(Account, Option<String>)> {
    let a = app.store.account(id).await?.ok_or(AppError::NotFound)?;
    if !caller.reaches(Permission::AccountsManage, &a.region) {
        return Err(AppError::NotFound);
    }
    admin_change(app.store.as_ref(), &app.auth, &caller.actor, id, action).await
}

/// [`issue_token`] by an administrator: only scoped to its own region or one below it.
pub async fn issue_token_by(
    app: &crate::App,
    caller: &crate::auth::Caller,
    req: NewToken,
) -> AppResult<IssuedToken> {
    if let Ok(r) = Region::parse(&req.region) {
        caller.require_at(Permission::TokensManage, r.as_str())?;
    }
    issue_token(app.store.as_ref(), &caller.actor, req).await
}

/// [`revoke_token`] by the caller, and forgotten at once by this process's token cache.
pub async fn revoke(
    app: &crate::App,
    caller: &crate::auth::Caller,
    id: Uuid,
) -> AppResult<TokenRow> {
    // A token of another region (a sibling's, or one above) is not found.
    let t = app.store.token(id).await?.ok_or(AppError::NotFound)?;
    if !caller.reaches(Permission::TokensManage, token_region(&t)) {
        return Err(AppError::NotFound);
    }
    let t = revoke_token(app.store.as_ref(), &caller.actor, id).await?;
    app.token_cache.forget(id);
    Ok(t)
}
