//! Accounts, logins and API tokens: the rules of `chengxin-access` applied to the store's
//! state, shared by the HTTP API and the CLI (`chengxin admin init`, `account create`,
//! `token issue`).

use std::collections::BTreeSet;

use chengxin_access::password::{
    dummy_verify, generate_one_time_password, hash_password, verify_password,
};
use chengxin_access::roles::{check_role_set, roles_needing_approval};
use chengxin_access::session::new_session_id;
use chengxin_access::tokens::{generate_token, DEFAULT_TOKEN_DAILY_QUOTA, DEFAULT_TOKEN_RATE};
use chengxin_access::totp::{self, TotpSecret};
use chengxin_access::{AccessError, LoginGuard, Permission, PiiCipher, Region, Role, TokenScope};
use chengxin_domain::regions::RegionTable;
use chengxin_store::{Account, AuditEvent, GrantAccount, RoleGrant, SessionRow, Store, TokenRow};
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
    /// The roles the account holds now.
    pub roles: Vec<String>,
    /// The grant of the roles that wait for a second person's approval (separation of
    /// duties): until it is approved the account does not hold them.
    pub pending_grant: Option<GrantView>,
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

/// A credit subject's account (信用主体, for an enterprise's 企业登录) is bound to the subject's
/// 统一社会信用代码: required, valid (check character), and of a subject on the platform —
/// its archive is what the account opens. Other roles' bodies are kept as given.
async fn subject_body(
    store: &dyn Store,
    roles: &[Role],
    body: Option<String>,
) -> AppResult<Option<String>> {
    if !roles.contains(&Role::Subject) {
        return Ok(body);
    }
    let code = body
        .map(|b| b.trim().to_ascii_uppercase())
        .filter(|b| !b.is_empty())
        .ok_or_else(|| {
            AppError::invalid(
                "subject_account_body_required",
                "信用主体账号须绑定该主体的统一社会信用代码（所属单位）",
            )
        })?;
    if code.len() != 18 || !chengxin_domain::codes::uscc::has_valid_check_char(&code) {
        return Err(AppError::invalid(
            "subject_account_body_invalid",
            format!("“{code}”不是有效的统一社会信用代码（18 位，校验位须正确）"),
        ));
    }
    if store.subject_by_uscc(&code).await?.is_none() {
        return Err(AppError::invalid(
            "subject_account_body_unknown",
            format!("平台中没有统一社会信用代码为“{code}”的信用主体，无法为其开通账号"),
        ));
    }
    Ok(Some(code))
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

/// Who asks for an account or a role change, for the separation of duties.
#[derive(Debug, Clone)]
pub struct Requester {
    /// Recorded as the actor (`account:alice`, `cli:account-create`).
    pub actor: String,
    /// The requesting account (none at the server's command line).
    pub account: Option<Uuid>,
    pub ip: Option<String>,
    /// The server's command line: roles are given at once, without a second person, and the
    /// grant is recorded as `break_glass` so the auditor and the credit office see it.
    pub break_glass: bool,
}

impl Requester {
    /// The server's command line (shell access to the server is the trust anchor).
    pub fn command_line(actor: &str) -> Self {
        Self {
            actor: actor.to_string(),
            account: None,
            ip: None,
            break_glass: true,
        }
    }

    fn of(caller: &crate::auth::Caller) -> Self {
        Self {
            actor: caller.actor.clone(),
            account: caller.account_id(),
            ip: caller.ip.clone(),
            break_glass: false,
        }
    }

    fn audit(&self, kind: &str, action: &str) -> AuditEvent {
        let mut e = AuditEvent::new(&self.actor, kind, action, "ok");
        e.ip = self.ip.clone();
        e
    }
}

/// A role grant as administrators, the credit office and the auditor see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantView {
    pub id: Uuid,
    pub account_id: Uuid,
    pub username: String,
    pub region: String,
    /// The roles the account held when the grant was asked for.
    pub roles_before: Vec<String>,
    /// The roles it holds once approved.
    pub roles: Vec<String>,
    /// The roles that need the approval.
    pub privileged: Vec<String>,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    /// `pending`, `approved`, `refused`, `break_glass`.
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub version: i64,
}

impl From<&RoleGrant> for GrantView {
    fn from(g: &RoleGrant) -> Self {
        Self {
            id: g.id,
            account_id: g.account_id,
            username: g.username.clone(),
            region: g.region.clone(),
            roles_before: g.roles_before.clone(),
            roles: g.roles.clone(),
            privileged: g.privileged.clone(),
            requested_by: g.requested_by.clone(),
            requested_at: g.requested_at,
            status: g.status.clone(),
            decided_by: g.decided_by.clone(),
            decided_at: g.decided_at,
            note: g.note.clone(),
            version: g.version,
        }
    }
}

fn codes(roles: &[Role]) -> Vec<String> {
    roles.iter().map(|r| r.as_str().to_string()).collect()
}

/// A new grant of `roles` (of which `privileged` need the approval) to `account`, whose roles
/// are `before` now.
fn new_grant(
    by: &Requester,
    account: &Account,
    before: &[Role],
    roles: &[Role],
    privileged: &[Role],
    now: DateTime<Utc>,
) -> RoleGrant {
    RoleGrant {
        id: Uuid::now_v7(),
        account_id: account.id,
        username: account.username.clone(),
        region: account.region.clone(),
        roles_before: codes(before),
        roles: codes(roles),
        privileged: codes(privileged),
        requested_by: by.actor.clone(),
        requested_by_account: by.account,
        requested_at: now,
        status: if by.break_glass {
            "break_glass"
        } else {
            "pending"
        }
        .to_string(),
        decided_by: by.break_glass.then(|| by.actor.clone()),
        decided_by_account: None,
        decided_at: by.break_glass.then_some(now),
        note: None,
        version: 1,
    }
}

/// The audit event announcing a grant (to the auditor; the grant itself is listed for the
/// auditor and the region's credit office).
fn grant_event(by: &Requester, g: &RoleGrant, action: &str) -> AuditEvent {
    let mut e = by.audit("account", action);
    e.target = Some(g.account_id.to_string());
    e.detail = serde_json::json!({
        "grant": g.id, "username": g.username, "region": g.region, "roles": g.roles,
        "privileged": g.privileged, "roles_before": g.roles_before, "status": g.status,
        "requested_by": g.requested_by,
    });
    e
}

/// Create an account with a one-time password (to be changed at first login) and, when a
/// role requires it, a TOTP secret. This is the server's command line (`chengxin account
/// create`, break glass): every role is given at once, and a privileged one is recorded as a
/// `break_glass` grant and announced. Administrators go through [`create_account_by`].
pub async fn create_account(
    store: &dyn Store,
    settings: &AuthSettings,
    pii: &PiiCipher,
    actor: &str,
    req: NewAccount,
) -> AppResult<IssuedAccount> {
    create(store, settings, pii, &Requester::command_line(actor), req).await
}

/// Create an account for `by`: the roles that need a second person's approval
/// ([`roles_needing_approval`]) wait in a pending grant — the account is created without them
/// — unless `by` is the server's command line.
pub async fn create(
    store: &dyn Store,
    settings: &AuthSettings,
    pii: &PiiCipher,
    by: &Requester,
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
    let region = Region::parse_known(&req.region, RegionTable::national())?;
    let req = NewAccount {
        body: subject_body(store, &roles, req.body.clone()).await?,
        ..req
    };
    if store.account_by_username(&username).await?.is_some() {
        return Err(AppError::invalid(
            "username_taken",
            format!("用户名“{username}”已存在"),
        ));
    }
    let privileged = roles_needing_approval(&[], &roles, region.is_national());
    let now_roles: Vec<Role> = if by.break_glass {
        roles.clone()
    } else {
        roles
            .iter()
            .copied()
            .filter(|r| !privileged.contains(r))
            .collect()
    };
    let password = generate_one_time_password()?;
    let now = chengxin_store::changelog::now();
    let id = Uuid::now_v7();
    // The second factor is enrolled now for the roles asked for, approved later or not.
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
        roles: codes(&now_roles),
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
    let grant = (!privileged.is_empty()).then(|| {
        let before = if by.break_glass {
            &[][..]
        } else {
            &now_roles[..]
        };
        new_grant(by, &account, before, &roles, &privileged, now)
    });
    match &grant {
        Some(g) => {
            store
                .save_grant(
                    &by.actor,
                    g,
                    None,
                    Some(GrantAccount {
                        account: &account,
                        expected_version: None,
                    }),
                )
                .await?
        }
        None => store.create_account(&by.actor, &account).await?,
    }
    let mut e = by.audit("account", "account_created");
    e.target = Some(account.id.to_string());
    e.detail = serde_json::json!({
        "username": username, "roles": account.roles, "region": account.region,
        "roles_requested": codes(&roles), "break_glass": by.break_glass,
    });
    let mut events = vec![e];
    if let Some(g) = &grant {
        let action = if by.break_glass {
            "role_grant_break_glass"
        } else {
            "role_grant_requested"
        };
        events.push(grant_event(by, g, action));
    }
    store.audit(&events).await?;
    Ok(IssuedAccount {
        id,
        username,
        one_time_password: password,
        totp_uri,
        roles: account.roles.clone(),
        pending_grant: grant
            .as_ref()
            .filter(|g| g.status == "pending")
            .map(GrantView::from),
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
    create(
        app.store.as_ref(),
        &app.auth,
        &app.pii,
        &Requester::of(caller),
        req,
    )
    .await
}

/// What an administrator's action on an account did: the account as it is now, and the
/// secrets made for it (a one-time password, a new TOTP enrolment URI), shown once.
#[derive(Serialize, ToSchema)]
pub struct AdminChange {
    pub account: AccountView,
    pub one_time_password: Option<String>,
    pub totp_uri: Option<String>,
}

impl std::fmt::Debug for AdminChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminChange")
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

/// [`admin_change`] by an administrator of the account's region (or above), plus
/// `reset_totp` (a new second-factor secret, its enrolment URI returned once, every session
/// of the account ended). Nobody disables, or resets the password or second factor of, its
/// own account (`own_account`): another administrator does.
pub async fn admin_change_by(
    app: &crate::App,
    caller: &crate::auth::Caller,
    id: Uuid,
    action: &str,
) -> AppResult<AdminChange> {
    let mut a = app.store.account(id).await?.ok_or(AppError::NotFound)?;
    if !caller.reaches(Permission::AccountsManage, &a.region) {
        return Err(AppError::NotFound);
    }
    if caller.account_id() == Some(id)
        && matches!(action, "disable" | "reset_password" | "reset_totp")
    {
        return Err(AppError::forbidden(
            "own_account",
            "不能停用本人账号或重置本人的密码、动态验证码：请由另一名管理员办理",
        ));
    }
    if action != "reset_totp" {
        let (a, password) =
            admin_change(app.store.as_ref(), &app.auth, &caller.actor, id, action).await?;
        return Ok(AdminChange {
            account: AccountView::from(&a),
            one_time_password: password,
            totp_uri: None,
        });
    }
    let expected = a.version;
    let secret = TotpSecret::generate()?;
    let uri = totp::otpauth_uri(&secret, TOTP_ISSUER, &a.username);
    a.totp_secret = Some(seal_totp(&app.pii, a.id, &secret)?);
    a.totp_last_step = None;
    a.version += 1;
    a.updated_at = chengxin_store::changelog::now();
    app.store
        .update_account(&caller.actor, &a, expected)
        .await?;
    app.store.delete_sessions_of(a.id, None).await?;
    let mut e = caller.audit("account", "reset_totp", "ok");
    e.target = Some(a.id.to_string());
    app.store.audit(&[e]).await?;
    Ok(AdminChange {
        account: AccountView::from(&a),
        one_time_password: None,
        totp_uri: Some(uri),
    })
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

/// What a role change did: the account as it is now, the grant of the roles that wait for a
/// second person's approval (if any), and a TOTP enrolment URI when the new roles need a
/// second factor the account did not have (shown once).
#[derive(Serialize, ToSchema)]
pub struct RoleChange {
    pub account: AccountView,
    pub pending_grant: Option<GrantView>,
    pub totp_uri: Option<String>,
}

impl std::fmt::Debug for RoleChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoleChange")
            .field("account", &self.account)
            .field("pending_grant", &self.pending_grant)
            .finish_non_exhaustive()
    }
}

/// The account's grant still waiting for approval, if any.
async fn pending_grant_of(store: &dyn Store, account: Uuid) -> AppResult<Option<RoleGrant>> {
    Ok(store
        .grants()
        .await?
        .into_iter()
        .find(|g| g.account_id == account && g.status == "pending"))
}

/// Set an account's roles, by an administrator of its region (or above). Removals and roles
/// that need no approval apply at once; a role that needs a second person's approval
/// ([`roles_needing_approval`]) waits in a pending grant, announced to the auditor and the
/// region's credit office. Nobody changes its own roles.
pub async fn change_roles_by(
    app: &crate::App,
    caller: &crate::auth::Caller,
    id: Uuid,
    roles: &[String],
) -> AppResult<RoleChange> {
    let store = app.store.as_ref();
    let mut a = store.account(id).await?.ok_or(AppError::NotFound)?;
    if !caller.reaches(Permission::AccountsManage, &a.region) {
        return Err(AppError::NotFound);
    }
    if caller.account_id() == Some(a.id) {
        return Err(AppError::forbidden(
            "own_roles",
            "不能更改本人账号的角色，须由另一名管理员办理",
        ));
    }
    let wanted = parse_roles(roles)?;
    if pending_grant_of(store, a.id).await?.is_some() {
        return Err(AppError::invalid(
            "grant_pending",
            "该账号已有待审批的角色授予申请，请待其审批或拒绝后再更改",
        ));
    }
    let by = Requester::of(caller);
    let before = roles_of(&a);
    let national = Region::parse(&a.region).map_or(true, |r| r.is_national());
    let privileged = roles_needing_approval(&before, &wanted, national);
    let now_roles: Vec<Role> = wanted
        .iter()
        .copied()
        .filter(|r| !privileged.contains(r))
        .collect();
    let now = chengxin_store::changelog::now();
    let expected = a.version;
    let mut changed = roles_of(&a) != now_roles;
    a.roles = codes(&now_roles);
    // A second factor for roles that need one, enrolled now (approved later or not).
    let mut totp_uri = None;
    if chengxin_access::roles::requires_totp(&wanted) && a.totp_secret.is_none() {
        let secret = TotpSecret::generate()?;
        totp_uri = Some(totp::otpauth_uri(&secret, TOTP_ISSUER, &a.username));
        a.totp_secret = Some(seal_totp(&app.pii, a.id, &secret)?);
        a.totp_last_step = None;
        changed = true;
    }
    if changed {
        a.version += 1;
        a.updated_at = now;
    }
    let account_write = changed.then_some(GrantAccount {
        account: &a,
        expected_version: Some(expected),
    });
    let grant =
        (!privileged.is_empty()).then(|| new_grant(&by, &a, &now_roles, &wanted, &privileged, now));
    match &grant {
        Some(g) => store.save_grant(&by.actor, g, None, account_write).await?,
        None if changed => store.update_account(&by.actor, &a, expected).await?,
        None => {}
    }
    let mut e = by.audit("account", "roles_changed");
    e.target = Some(a.id.to_string());
    e.detail = serde_json::json!({
        "username": a.username, "roles_before": codes(&before), "roles": a.roles,
        "roles_requested": codes(&wanted),
    });
    let mut events = vec![e];
    if let Some(g) = &grant {
        events.push(grant_event(&by, g, "role_grant_requested"));
    }
    store.audit(&events).await?;
    Ok(RoleChange {
        account: AccountView::from(&a),
        pending_grant: grant.as_ref().map(GrantView::from),
        totp_uri,
    })
}

/// Who may see a grant: an administrator of its region (or above), the region's credit office
/// (which may approve it) and its auditor.
fn sees_grant(caller: &crate::auth::Caller, g: &RoleGrant) -> bool {
    [
        Permission::AccountsManage,
        Permission::GrantsApprove,
        Permission::AuditRead,
    ]
    .iter()
    .any(|p| caller.reaches(*p, &g.region))
}

/// The role grants the caller may see, newest first: pending ones to approve, and the record
/// of those decided or given at the server's command line.
pub async fn grants_by(
    app: &crate::App,
    caller: &crate::auth::Caller,
) -> AppResult<Vec<GrantView>> {
    caller.require_any(&[
        Permission::AccountsManage,
        Permission::GrantsApprove,
        Permission::AuditRead,
    ])?;
    Ok(app
        .store
        .grants()
        .await?
        .iter()
        .filter(|g| sees_grant(caller, g))
        .map(GrantView::from)
        .collect())
}

/// Approve or refuse a pending grant: another administrator or the credit office of the
/// account's region (or above), never the one who asked for it nor the account itself. An
/// approval gives the account the roles, in the same transaction; a grant whose account's
/// roles changed since it was asked for is stale and refused. The one who asked may withdraw
/// (refuse) its own request.
pub async fn decide_grant_by(
    app: &crate::App,
    caller: &crate::auth::Caller,
    id: Uuid,
    approve: bool,
    note: Option<String>,
) -> AppResult<GrantView> {
    let store = app.store.as_ref();
    let mut g = store.grant(id).await?.ok_or(AppError::NotFound)?;
    if !caller.reaches(Permission::GrantsApprove, &g.region) {
        return Err(AppError::NotFound);
    }
    let own_request = (caller.account_id().is_some()
        && caller.account_id() == g.requested_by_account)
        || caller.actor == g.requested_by;
    let own_account = caller.account_id() == Some(g.account_id);
    if approve && (own_request || own_account) {
        let mut e = caller.audit("account", "role_grant_approved", "denied");
        e.target = Some(g.account_id.to_string());
        e.detail = serde_json::json!({"grant": g.id, "reason": "self_approval"});
        store.audit(&[e]).await?;
        return Err(AppError::forbidden(
            "self_approval",
            "不能审批本人提出的或授予本人的角色申请，须由另一名管理员或本地区信用办审批",
        ));
    }
    if g.status != "pending" {
        return Err(AppError::invalid(
            "grant_decided",
            "该角色授予申请已处理，不能再次审批",
        ));
    }
    let expected = g.version;
    let now = chengxin_store::changelog::now();
    g.status = if approve { "approved" } else { "refused" }.to_string();
    g.decided_by = Some(caller.actor.clone());
    g.decided_by_account = caller.account_id();
    g.decided_at = Some(now);
    g.note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    g.version += 1;
    let by = Requester::of(caller);
    if approve {
        let mut a = store
            .account(g.account_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let held: BTreeSet<&str> = a.roles.iter().map(String::as_str).collect();
        let asked: BTreeSet<&str> = g.roles_before.iter().map(String::as_str).collect();
        if held != asked {
            return Err(AppError::invalid(
                "grant_stale",
                "该账号的角色在申请后已变更，此申请已失效：请拒绝后重新申请",
            ));
        }
        let roles = parse_roles(&g.roles)?;
        let account_expected = a.version;
        a.roles = codes(&roles);
        a.version += 1;
        a.updated_at = now;
        store
            .save_grant(
                &by.actor,
                &g,
                Some(expected),
                Some(GrantAccount {
                    account: &a,
                    expected_version: Some(account_expected),
                }),
            )
            .await?;
    } else {
        store
            .save_grant(&by.actor, &g, Some(expected), None)
            .await?;
    }
    let action = if approve {
        "role_grant_approved"
    } else {
        "role_grant_refused"
    };
    let mut e = grant_event(&by, &g, action);
    e.detail["note"] = serde_json::json!(g.note);
    store.audit(&[e]).await?;
    Ok(GrantView::from(&g))
}
