//! Who is calling, with what rights: the [`Caller`] every use case takes, and how one is
//! established from a session or an API token (the HTTP layer only extracts the credentials).

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use chengxin_access::password::{HashParams, PasswordPolicy};
use chengxin_access::tokens::{hash_token, token_matches};
use chengxin_access::{
    AccessError, LockoutPolicy, Permission, ProbeSettings, Rate, Region, Role, Scope,
    SessionPolicy, SessionTimes, Target, TokenScope,
};
use chengxin_store::{Account, AuditEvent};
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::App;

/// What authentication needs from a request, taken out of it by the protocol layer.
#[derive(Debug, Clone, Default)]
pub struct RequestInfo {
    /// A state-changing method (anything but GET, HEAD, OPTIONS): sessions must then show
    /// their CSRF token.
    pub unsafe_method: bool,
    /// The CSRF token the request presented (empty when none).
    pub csrf: String,
    pub ip: Option<String>,
    /// The path, recorded with token use.
    pub path: String,
}

/// Security settings, from the server configuration.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub session: SessionPolicy,
    pub lockout: LockoutPolicy,
    pub password: PasswordPolicy,
    pub hash: HashParams,
    /// `Secure` on the session cookie. Only a plain-HTTP development setup turns it off;
    /// browsers accept secure cookies from `http://localhost` anyway.
    pub cookie_secure: bool,
    /// Request rate of a token issued without its own (before rates were per token); a
    /// token's own rate is in its scope, set at issue.
    pub token_rate: Rate,
    /// Daily check quota (parties) of a token issued without its own.
    pub token_daily_quota: u64,
    /// When a burst of near-identical ID numbers is refused as enumeration
    /// (`CHENGXIN_CHECK_PROBE_WINDOW_SECONDS`, `CHENGXIN_CHECK_PROBE_MAX_SIMILAR`).
    pub probes: ProbeSettings,
    /// How long a verified API token is trusted without reading it again (zero: every
    /// request reads it). A token revoked through this server stops at once; revoked through
    /// another process (`chengxin token revoke`, a second server) it stops within this time.
    pub token_cache: std::time::Duration,
    /// Audit events are kept at least this long (days).
    pub audit_retention_days: i64,
    /// `Strict-Transport-Security: max-age=…` on every answer when set (behind a TLS
    /// reverse proxy; `CHENGXIN_HSTS_MAX_AGE`). Off by default: a plain-HTTP setup must not
    /// pin browsers to HTTPS.
    pub hsts_max_age_secs: Option<u64>,
    /// Limits on anonymous requests per client and in total, and the daily evidence quota.
    pub flood: crate::flood::FloodSettings,
    /// Reverse proxies whose `X-Forwarded-For` names the client (default: none).
    pub trusted_proxies: chengxin_access::TrustedProxies,
    /// The secret a scraper presents (`Authorization: Bearer …`) to read `/metrics` on the
    /// main listener; `None`: `/metrics` is served only on its own listen address, if any.
    pub metrics_token: Option<chengxin_access::Secret>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            session: SessionPolicy::default(),
            lockout: LockoutPolicy::default(),
            password: PasswordPolicy::default(),
            hash: HashParams::default(),
            cookie_secure: true,
            token_rate: Rate::per_second(chengxin_access::tokens::DEFAULT_TOKEN_RATE),
            token_daily_quota: chengxin_access::tokens::DEFAULT_TOKEN_DAILY_QUOTA,
            probes: ProbeSettings::default(),
            token_cache: std::time::Duration::from_secs(5),
            audit_retention_days: 180,
            hsts_max_age_secs: None,
            flood: crate::flood::FloodSettings::default(),
            trusted_proxies: chengxin_access::TrustedProxies::none(),
            metrics_token: None,
        }
    }
}

impl AuthSettings {
    /// Whether `presented` is the configured metrics token (their SHA-256 digests compared in
    /// constant time); always false when none is configured.
    pub fn metrics_token_ok(&self, presented: &str) -> bool {
        use sha2::{Digest, Sha256};
        let Some(secret) = &self.metrics_token else {
            return false;
        };
        let a = Sha256::digest(presented.trim().as_bytes());
        let b = Sha256::digest(secret.expose().as_bytes());
        a.iter()
            .zip(b.iter())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
    }
}

/// How the caller authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    Anonymous,
    Session {
        account_id: Uuid,
        session_hash: String,
    },
    Token {
        token_id: Uuid,
        /// Parties the token may check per day (its own quota, else the server's default).
        daily_quota: u64,
    },
}

/// Who is calling, with what rights.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Recorded as the actor of every change and audit event (`account:<username>`,
    /// `token:<prefix>`, `public`).
    pub actor: String,
    pub via: Via,
    /// Roles of an account. Empty for tokens (which carry permissions) and the public.
    pub roles: Vec<Role>,
    pub scope: Scope,
    /// The body (USCC) the caller acts for, if any.
    pub body: Option<String>,
    /// A token's granted permissions.
    pub token_permissions: Option<BTreeSet<Permission>>,
    pub ip: Option<String>,
    /// A one-time password is still in use: only the session routes work until it is
    /// changed.
    pub must_change_password: bool,
}

impl Caller {
    pub fn anonymous(ip: Option<String>) -> Self {
        Self {
            actor: "public".into(),
            via: Via::Anonymous,
            roles: vec![Role::Public],
            scope: Scope::region_only(Region::national()),
            body: None,
            token_permissions: None,
            ip,
            must_change_password: false,
        }
    }

    pub fn is_anonymous(&self) -> bool {
        self.via == Via::Anonymous
    }

    pub fn account_id(&self) -> Option<Uuid> {
        match &self.via {
            Via::Session { account_id, .. } => Some(*account_id),
            _ => None,
        }
    }

    /// Whether the caller holds `p` at all (anywhere).
    pub fn has(&self, p: Permission) -> bool {
        match &self.token_permissions {
            Some(set) => p.token_grantable() && set.contains(&p),
            None => self.roles.iter().any(|r| r.has(p)),
        }
    }

    /// Refuse unless the caller holds `p`: 401 for the public (log in first), 403 otherwise.
    pub fn require(&self, p: Permission) -> AppResult<()> {
        if self.has(p) {
            Ok(())
        } else if self.is_anonymous() {
            Err(AppError::unauthorized(
                "login_required",
                format!("需要登录后才能{}", p.label_zh()),
            ))
        } else {
            Err(AccessError::PermissionDenied { permission: p }.into())
        }
    }

    /// Refuse unless the caller holds at least one of `ps` (401 for the public, 403
    /// otherwise, naming the first).
    pub fn require_any(&self, ps: &[Permission]) -> AppResult<()> {
        if ps.iter().any(|p| self.has(*p)) {
            return Ok(());
        }
        match ps.first() {
            Some(p) => self.require(*p),
            None => Err(AppError::forbidden("permission_denied", "无权访问")),
        }
    }

    /// [`Caller::require`], then whether the item's region (GB/T 2260 code) lies within the
    /// caller's jurisdiction.
    pub fn require_at(&self, p: Permission, region: &str) -> AppResult<()> {
        self.require(p)?;
        let region = Region::parse(region).unwrap_or_else(|_| Region::national());
        let target = Target::region(&region);
        match &self.token_permissions {
            Some(_) => {
                if self.scope.region.contains(&region) {
                    Ok(())
                } else {
                    Err(AccessError::TokenRegionDenied {
                        region: region.as_str().to_owned(),
                    }
                    .into())
                }
            }
            None => Ok(chengxin_access::authorize(
                &self.roles,
                &self.scope,
                p,
                &target,
            )?),
        }
    }

    /// Whether the item's region is within reach for `p` (for filtering lists).
    pub fn reaches(&self, p: Permission, region: &str) -> bool {
        self.require_at(p, region).is_ok()
    }

    /// [`Caller::require_at`] for an item that concerns several regions (a record: its
    /// submitting department's and its deciding authority's; a list entry: its subject's and
    /// its recognising body's): allowed when any of them is within reach, otherwise the
    /// refusal for the first.
    pub fn require_at_any(&self, p: Permission, regions: &[String]) -> AppResult<()> {
        let mut refusal = None;
        for r in regions {
            match self.require_at(p, r) {
                Ok(()) => return Ok(()),
                Err(e) => {
                    refusal.get_or_insert(e);
                }
            }
        }
        match refusal {
            Some(e) => Err(e),
            None => self.require_at(p, chengxin_access::jurisdiction::NATIONAL),
        }
    }

    /// Whether any of the item's regions is within reach for `p` (for filtering lists).
    pub fn reaches_any(&self, p: Permission, regions: &[String]) -> bool {
        self.require_at_any(p, regions).is_ok()
    }

    /// Refuse unless the caller holds `p` and the item lies in line with its jurisdiction: in
    /// the caller's region, in one below it, or in one above it (a city-wide item concerns
    /// every county of the city) — never in a sibling's. Where the permission reaches by
    /// region (the credit office, a token's region), the region decides; where it reaches
    /// only the caller's own body (a department), the item must also be that body's
    /// (`body`: the department it belongs to, e.g. a list entry's recogniser).
    pub fn require_in_line(
        &self,
        p: Permission,
        region: &str,
        body: Option<&str>,
    ) -> AppResult<()> {
        self.require(p)?;
        let item = Region::parse(region).unwrap_or_else(|_| Region::national());
        let mine = &self.scope.region;
        let in_line = mine.contains(&item) || item.contains(mine);
        let by_region = self.token_permissions.is_some()
            || self
                .roles
                .iter()
                .any(|r| r.has(p) && r.reach() == chengxin_access::Reach::Jurisdiction);
        let own_body = match (self.body.as_deref(), body) {
            (Some(m), Some(b)) => !m.trim().is_empty() && m.trim().eq_ignore_ascii_case(b.trim()),
            _ => false,
        };
        if in_line && (by_region || own_body) {
            Ok(())
        } else {
            Err(AccessError::OutOfJurisdiction {
                region: item.as_str().to_owned(),
            }
            .into())
        }
    }

    /// [`Caller::require_in_line`] as a yes/no (for filtering lists).
    pub fn reaches_in_line(&self, p: Permission, region: &str, body: Option<&str>) -> bool {
        self.require_in_line(p, region, body).is_ok()
    }

    /// The SQL-style prefix of the caller's region (`32` for a province, `3204` for a city,
    /// the full code for a county; empty for national): what a list filter matches on.
    pub fn region_prefix(&self) -> String {
        region_prefix(self.scope.region.as_str())
    }

    pub fn audit(&self, kind: &str, action: &str, outcome: &str) -> AuditEvent {
        let mut e = AuditEvent::new(&self.actor, kind, action, outcome);
        e.ip = self.ip.clone();
        e
    }
}

/// `320000` → `32`, `320400` → `3204`, `320412` → `320412`, `000000` → ``.
pub fn region_prefix(code: &str) -> String {
    let code = code.get(..6).unwrap_or(code);
    if code == "000000" {
        return String::new();
    }
    let mut p = code;
    for _ in 0..2 {
        match p.strip_suffix("00") {
            Some(q) if !q.is_empty() => p = q,
            _ => break,
        }
    }
    p.to_string()
}

/// The region of a body from its USCC (characters 3–8), or national when it has none.
pub fn uscc_region(uscc: &str) -> String {
    uscc.get(2..8)
        .filter(|r| r.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or("000000")
        .to_string()
}

pub fn roles_of(a: &Account) -> Vec<Role> {
    a.roles.iter().filter_map(|r| Role::parse(r)).collect()
}

fn scope_of(a: &Account) -> Scope {
    Scope {
        region: Region::parse(&a.region).unwrap_or_else(|_| Region::national()),
        body: a.body.clone(),
    }
}

/// The caller behind a session id (from the session cookie).
pub async fn session_caller(state: &App, req: &RequestInfo, id: &str) -> AppResult<Caller> {
    let hash = chengxin_access::session::session_id_hash(id);
    let invalid = || AppError::unauthorized("session_invalid", "登录已失效，请重新登录");
    let session = state.store.session(&hash).await?.ok_or_else(invalid)?;
    let now = chengxin_store::changelog::now();
    let times = SessionTimes {
        created_at: session.created_at,
        last_seen_at: session.last_seen,
    };
    if let Err(e) = times.check(now, &state.auth.session) {
        state.store.delete_session(&hash).await?;
        return Err(e.into());
    }
    let account = state
        .store
        .account(session.account_id)
        .await?
        .ok_or_else(invalid)?;
    if account.disabled {
        state.store.delete_session(&hash).await?;
        return Err(invalid());
    }
    if req.unsafe_method && !token_matches_plain(&req.csrf, &session.csrf) {
        return Err(AppError::forbidden(
            "csrf_failed",
            "请求缺少有效的 CSRF 令牌（请刷新页面后重试）",
        ));
    }
    // Activity is recorded at most once a minute: a write per request would be wasteful.
    if now - session.last_seen > chrono::Duration::seconds(60) {
        state.store.touch_session(&hash, now).await?;
    }
    Ok(Caller {
        actor: format!("account:{}", account.username),
        via: Via::Session {
            account_id: account.id,
            session_hash: hash,
        },
        roles: roles_of(&account),
        scope: scope_of(&account),
        body: account.body.clone(),
        token_permissions: None,
        ip: req.ip.clone(),
        must_change_password: account.must_change_password,
    })
}

/// Constant-time comparison of two short secrets of equal format.
fn token_matches_plain(a: &str, b: &str) -> bool {
    use sha2::{Digest, Sha256};
    let (x, y) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    // Comparing digests: the time does not depend on how much of the secret matched.
    x == y && !b.is_empty()
}

/// The caller behind a presented API token (rate-limited; use audited once a minute).
pub async fn token_caller(state: &App, req: &RequestInfo, presented: &str) -> AppResult<Caller> {
    let hash = hash_token(presented)?;
    let row = match state.token_cache.get(&hash, state.auth.token_cache) {
        Some(row) => row,
        None => {
            let row = state
                .store
                .token_by_hash(&hash)
                .await?
                .filter(|t| token_matches(presented, &t.hash))
                .ok_or(AccessError::TokenUnknown)?;
            state.token_cache.put(hash, row.clone());
            row
        }
    };
    let scope: TokenScope =
        serde_json::from_value(row.scope.clone()).map_err(|_| AccessError::TokenUnknown)?;
    let now = chengxin_store::changelog::now();
    if row.revoked_at.is_some() {
        return Err(AccessError::TokenRevoked.into());
    }
    if now >= scope.expires_at {
        return Err(AccessError::TokenExpired {
            at: scope.expires_at,
        }
        .into());
    }
    {
        let mut limiter = state
            .limiter
            .lock()
            .map_err(|_| AppError::Unavailable("限流器不可用".into()))?;
        // The token's own rate, set at issue (the server's default for older tokens).
        limiter.check_with(
            &row.id,
            scope.rate(state.auth.token_rate),
            1,
            Instant::now(),
        )?;
    }
    let caller = Caller {
        actor: format!("token:{}", row.public_prefix),
        via: Via::Token {
            token_id: row.id,
            daily_quota: scope.quota(state.auth.token_daily_quota),
        },
        roles: Vec::new(),
        scope: Scope {
            region: scope.region.clone(),
            body: scope.body.clone(),
        },
        body: scope.body.clone(),
        token_permissions: Some(scope.permissions.clone()),
        ip: req.ip.clone(),
        must_change_password: false,
    };
    // Token use is audited once a minute per token (with the route), not per request.
    let due = {
        let mut seen = state
            .token_use
            .lock()
            .map_err(|_| AppError::Unavailable("审计缓冲不可用".into()))?;
        let last = seen.get(&row.id).copied();
        let due = last.is_none_or(|t: Instant| t.elapsed().as_secs() >= 60);
        if due {
            seen.insert(row.id, Instant::now());
        }
        due
    };
    if due {
        let mut e = caller.audit("token", "token_used", "ok");
        e.target = Some(row.id.to_string());
        e.detail = serde_json::json!({"name": row.name, "path": req.path});
        state.store.audit(&[e]).await?;
    }
    Ok(caller)
}

/// Verified API tokens, so a busy integration (a bidding platform checking every bidder) does
/// not read its token from the database on every request. Entries live `AuthSettings::
/// token_cache`; revoking through this server drops them at once.
#[derive(Default)]
pub struct TokenCache {
    inner: std::sync::Mutex<HashMap<String, (chengxin_store::TokenRow, Instant)>>,
}

impl TokenCache {
    /// At most this many tokens are kept; past it the cache starts afresh.
    const MAX: usize = 10_000;

    fn get(&self, hash: &str, ttl: std::time::Duration) -> Option<chengxin_store::TokenRow> {
        let map = self.inner.lock().ok()?;
        map.get(hash)
            .filter(|(_, at)| at.elapsed() < ttl)
            .map(|(row, _)| row.clone())
    }

    fn put(&self, hash: String, row: chengxin_store::TokenRow) {
        if let Ok(mut map) = self.inner.lock() {
            if map.len() >= Self::MAX {
                map.clear();
            }
            map.insert(hash, (row, Instant::now()));
        }
    }

    /// Forget a token (revoked, or its scope changed).
    pub fn forget(&self, token_id: Uuid) {
        if let Ok(mut map) = self.inner.lock() {
            map.retain(|_, (row, _)| row.id != token_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_cache_expires_and_forgets() {
        let row = |id: Uuid| chengxin_store::TokenRow {
            id,
            name: "招标平台".into(),
            public_prefix: "cxt_abcd".into(),
            hash: "h".into(),
            scope: serde_json::json!({}),
            created_by: "admin".into(),
            created_at: chengxin_store::clock::now(),
            revoked_at: None,
            version: 1,
        };
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let cache = TokenCache::default();
        let ttl = std::time::Duration::from_secs(5);
        assert!(cache.get("ha", ttl).is_none());
        cache.put("ha".into(), row(a));
        cache.put("hb".into(), row(b));
        assert_eq!(cache.get("ha", ttl).map(|r| r.id), Some(a));
        // A zero lifetime turns the cache off.
        assert!(cache.get("ha", std::time::Duration::ZERO).is_none());
        // Revoking through this server forgets the token at once; others stay.
        cache.forget(a);
        assert!(cache.get("ha", ttl).is_none());
        assert_eq!(cache.get("hb", ttl).map(|r| r.id), Some(b));
    }

    #[test]
    fn prefixes() {
        assert_eq!(region_prefix("320000"), "32");
        assert_eq!(region_prefix("320400"), "3204");
        assert_eq!(region_prefix("320412"), "320412");
        assert_eq!(region_prefix("000000"), "");
        assert_eq!(region_prefix("110100"), "1101");
        assert_eq!(uscc_region("11320400MB0000000X"), "320400");
        assert_eq!(uscc_region("bad"), "000000");
    }
}
