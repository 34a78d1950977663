//! API tokens for departments and external systems (PRODUCT.md §10: "API push with
//! per-department tokens"), and per-token rate limits.
//!
//! A token is `cxt_` followed by 32 random bytes in lower-case base32 (52 characters): 256
//! bits, only `[a-z2-7_]`, so a double-click selects all of it and no character needs
//! escaping in a header or a shell. It is shown once when issued. The database keeps:
//! - the SHA-256 (hex) of the whole token, to look it up by equality — a plain hash suffices
//!   because the token is random with 256 bits, there is nothing to brute-force;
//! - a public prefix (`cxt_` + 8 characters) to name the token in lists and logs;
//! - its [`TokenScope`]: permissions (only [`Permission::token_grantable`] ones), region,
//!   acting body and a mandatory expiry; and its revocation time.
//!
//! Flow per request: [`hash_token`] the presented value, load the [`ApiToken`] by hash,
//! [`ApiToken::check`] (revoked / expired), [`ApiToken::authorize`] the permission and target,
//! and [`RateLimiter::check`] keyed by the token's prefix.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rand::rngs::OsRng;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use crate::error::AccessError;
use crate::jurisdiction::{Region, Target};
use crate::roles::Permission;
use crate::totp::base32_encode;

/// Prefix of every API token.
pub const TOKEN_PREFIX: &str = "cxt_";
/// Characters of the token (after `cxt_`) kept as its public prefix.
pub const PUBLIC_PREFIX_CHARS: usize = 8;
/// Longest lifetime of a token, in days: every token expires, at the latest after a year
/// (plus a day, so a yearly renewal on the same date works).
pub const MAX_TOKEN_LIFETIME_DAYS: i64 = 366;
/// Requests per second a token makes when its issuer named no rate (bursts of as many).
pub const DEFAULT_TOKEN_RATE: u32 = 200;
/// Highest rate a token may be given.
pub const MAX_TOKEN_RATE: u32 = 1_000_000;
/// Parties a token may check per day (China time) when its issuer named no quota.
pub const DEFAULT_TOKEN_DAILY_QUOTA: u64 = 100_000;
/// Highest daily quota a token may be given.
pub const MAX_TOKEN_DAILY_QUOTA: u64 = 1_000_000_000;

/// A secret string (API token, session id, one-time password) that must not end up in logs:
/// `Debug` shows only its first characters, and the memory is wiped on drop.
///
/// Deliberately not `PartialEq`: compare tokens with [`token_matches`] (constant time).
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wrap a secret.
    pub fn new(s: String) -> Self {
        Secret(s)
    }

    /// The secret in clear, to show once or send once.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown: String = self.0.chars().take(4).collect();
        write!(f, "Secret({shown}…<redacted>)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// SHA-256 of `s`, lower-case hex.
pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// `prefix` + 32 random bytes in lower-case base32.
pub(crate) fn random_secret(prefix: &str) -> Result<Secret, AccessError> {
    let mut bytes = [0u8; 32];
    OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|_| AccessError::RandomFailed)?;
    let s = format!("{prefix}{}", base32_encode(&bytes).to_ascii_lowercase());
    bytes.zeroize();
    Ok(Secret(s))
}

/// A freshly generated token: the plaintext to show once, and what to store.
#[derive(Debug)]
pub struct IssuedToken {
    /// Show once to the person creating the token, then forget.
    pub plaintext: Secret,
    /// SHA-256 hex of the plaintext: store and look up by it.
    pub hash: String,
    /// `cxt_` + 8 characters, to identify the token in lists and logs.
    pub public_prefix: String,
}

const TOKEN_BODY_LEN: usize = 52;

/// Generate a new random token.
pub fn generate_token() -> Result<IssuedToken, AccessError> {
    let plaintext = random_secret(TOKEN_PREFIX)?;
    let hash = sha256_hex(plaintext.expose());
    let public_prefix = public_prefix(plaintext.expose()).ok_or(AccessError::RandomFailed)?;
    Ok(IssuedToken {
        plaintext,
        hash,
        public_prefix,
    })
}

fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_PREFIX.len() + TOKEN_BODY_LEN
        && token.starts_with(TOKEN_PREFIX)
        && token
            .bytes()
            .skip(TOKEN_PREFIX.len())
            .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
}

/// The public prefix of a token (`cxt_` + 8 characters), `None` if it is not a token.
pub fn public_prefix(token: &str) -> Option<String> {
    well_formed(token).then(|| {
        token
            .chars()
            .take(TOKEN_PREFIX.len() + PUBLIC_PREFIX_CHARS)
            .collect()
    })
}

/// The stored form (SHA-256 hex) of a presented token, after checking its format, so that
/// garbage never reaches the database. Leading and trailing whitespace is ignored.
pub fn hash_token(presented: &str) -> Result<String, AccessError> {
    let t = presented.trim();
    if well_formed(t) {
        Ok(sha256_hex(t))
    } else {
        Err(AccessError::TokenMalformed)
    }
}

/// Whether a presented token matches a stored hash, compared in constant time.
pub fn token_matches(presented: &str, stored_hash: &str) -> bool {
    let Ok(h) = hash_token(presented) else {
        return false;
    };
    h.as_bytes().ct_eq(stored_hash.trim().as_bytes()).into()
}

/// What a token may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenScope {
    /// Granted permissions (each must be [`Permission::token_grantable`]).
    pub permissions: BTreeSet<Permission>,
    /// The region the token reaches (this region and below).
    pub region: Region,
    /// The body the token acts as (the source department of what it submits). Not a filter:
    /// the region limits what it reaches.
    pub body: Option<String>,
    /// When the token stops working. Mandatory.
    pub expires_at: DateTime<Utc>,
    /// Requests per second (bursts of as many). Set at issue; tokens issued before limits
    /// were per token have none and get the server's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_per_second: Option<u32>,
    /// Parties the token may check per day (China time). Set at issue like the rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_quota: Option<u64>,
}

impl TokenScope {
    /// Check a scope before issuing a token at `now`: at least one permission, all
    /// grantable, expiry in the future and within [`MAX_TOKEN_LIFETIME_DAYS`].
    pub fn validate(&self, now: DateTime<Utc>) -> Result<(), AccessError> {
        if self.permissions.is_empty() {
            return Err(AccessError::TokenNoPermission);
        }
        if let Some(p) = self.permissions.iter().find(|p| !p.token_grantable()) {
            return Err(AccessError::TokenPermissionNotGrantable { permission: *p });
        }
        let max = now + chrono::Duration::days(MAX_TOKEN_LIFETIME_DAYS);
        if self.expires_at <= now || self.expires_at > max {
            return Err(AccessError::TokenLifetime {
                max_days: MAX_TOKEN_LIFETIME_DAYS,
            });
        }
        let rate_ok = self
            .rate_per_second
            .is_none_or(|r| (1..=MAX_TOKEN_RATE).contains(&r));
        let quota_ok = self
            .daily_quota
            .is_none_or(|q| (1..=MAX_TOKEN_DAILY_QUOTA).contains(&q));
        if !rate_ok || !quota_ok {
            return Err(AccessError::TokenLimitInvalid {
                max_rate: MAX_TOKEN_RATE,
                max_quota: MAX_TOKEN_DAILY_QUOTA,
            });
        }
        Ok(())
    }

    /// The token's request rate: its own, else `default` (tokens issued before limits were
    /// per token).
    pub fn rate(&self, default: Rate) -> Rate {
        self.rate_per_second.map_or(default, Rate::per_second)
    }

    /// Parties the token may check per day: its own quota, else `default`.
    pub fn quota(&self, default: u64) -> u64 {
        self.daily_quota.unwrap_or(default)
    }
}

/// A token as stored (without its plaintext).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    /// `cxt_` + 8 characters.
    pub public_prefix: String,
    /// SHA-256 hex of the plaintext.
    pub hash: String,
    pub scope: TokenScope,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    /// Issue a token with `scope` at `now`: returns the plaintext (show it once) and the
    /// record to store.
    pub fn issue(scope: TokenScope, now: DateTime<Utc>) -> Result<(Secret, ApiToken), AccessError> {
        scope.validate(now)?;
        let issued = generate_token()?;
        let token = ApiToken {
            public_prefix: issued.public_prefix,
            hash: issued.hash,
            scope,
            created_at: now,
            revoked_at: None,
        };
        Ok((issued.plaintext, token))
    }

    /// Whether `presented` is this token (constant-time).
    pub fn matches(&self, presented: &str) -> bool {
        token_matches(presented, &self.hash)
    }

    /// Revoked or expired tokens fail; revocation is reported first (it is the stronger
    /// statement).
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), AccessError> {
        if self.revoked_at.is_some_and(|r| r <= now) {
            return Err(AccessError::TokenRevoked);
        }
        if now >= self.scope.expires_at {
            return Err(AccessError::TokenExpired {
                at: self.scope.expires_at,
            });
        }
        Ok(())
    }

    /// [`ApiToken::check`], then whether the token may use `permission` on `target`.
    pub fn authorize(
        &self,
        now: DateTime<Utc>,
        permission: Permission,
        target: &Target<'_>,
    ) -> Result<(), AccessError> {
        self.check(now)?;
        // A permission that is not grantable never passes, even if a database edit put it in.
        if !permission.token_grantable() || !self.scope.permissions.contains(&permission) {
            return Err(AccessError::TokenOutOfScope { permission });
        }
        if !self.scope.region.contains(target.region) {
            return Err(AccessError::TokenRegionDenied {
                region: target.region.as_str().to_owned(),
            });
        }
        Ok(())
    }

    /// Revoke at `now` (idempotent: the first revocation time is kept).
    pub fn revoke(&mut self, now: DateTime<Utc>) {
        if self.revoked_at.is_none() {
            self.revoked_at = Some(now);
        }
    }
}

/// A token-bucket rate: up to `burst` requests at once, refilled at `per_second`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub burst: u32,
    pub per_second: f64,
}

impl Rate {
    /// `n` requests per minute, bursts of up to `n`.
    pub fn per_minute(n: u32) -> Self {
        Rate {
            burst: n,
            per_second: f64::from(n) / 60.0,
        }
    }

    /// `n` requests per second, bursts of up to `n`.
    pub fn per_second(n: u32) -> Self {
        Rate {
            burst: n,
            per_second: f64::from(n),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Token buckets, one per key (e.g. an API token's public prefix, or a client address for
/// logins). No global state and no clock of its own: every call takes `now`, so tests drive
/// time explicitly and the server passes `Instant::now()`. Not synchronised: keep it behind a
/// `Mutex` (the critical section is a hash lookup and a few float operations).
#[derive(Debug, Clone)]
pub struct RateLimiter<K> {
    default: Rate,
    buckets: HashMap<K, Bucket>,
}

impl<K: Eq + Hash + Clone> RateLimiter<K> {
    /// A limiter applying `default` to keys checked with [`RateLimiter::check`].
    pub fn new(default: Rate) -> Self {
        RateLimiter {
            default,
            buckets: HashMap::new(),
        }
    }

    /// Take one request for `key` at the default rate.
    pub fn check(&mut self, key: &K, now: Instant) -> Result<(), AccessError> {
        self.check_with(key, self.default, 1, now)
    }

    /// Take `cost` requests (e.g. the parties of a batch check) for `key` at `rate` (a
    /// token's own rate). On refusal nothing is taken and the error says when to retry.
    pub fn check_with(
        &mut self,
        key: &K,
        rate: Rate,
        cost: u32,
        now: Instant,
    ) -> Result<(), AccessError> {
        let burst = f64::from(rate.burst);
        let refill = if rate.per_second.is_finite() && rate.per_second > 0.0 {
            rate.per_second
        } else {
            0.0
        };
        let bucket = self.buckets.entry(key.clone()).or_insert(Bucket {
            tokens: burst,
            last: now,
        });
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * refill).min(burst);
        if now > bucket.last {
            bucket.last = now;
        }
        let cost = f64::from(cost);
        if bucket.tokens >= cost {
            bucket.tokens -= cost;
            return Ok(());
        }
        let missing = cost - bucket.tokens;
        let retry_after_ms = if refill > 0.0 && cost <= burst {
            // Float to int casts saturate.
            (missing / refill * 1000.0).ceil() as u64
        } else {
            u64::MAX
        };
        Err(AccessError::RateLimited { retry_after_ms })
    }

    /// Forget keys idle long enough for their bucket to be full again (they would start
    /// full anyway); returns how many were dropped. Call it now and then to bound memory.
    pub fn prune(&mut self, now: Instant, rate: Rate) -> usize {
        let before = self.buckets.len();
        let full_after = if rate.per_second > 0.0 && rate.per_second.is_finite() {
            Duration::from_secs_f64((f64::from(rate.burst) / rate.per_second).min(1e9))
        } else {
            Duration::MAX
        };
        self.buckets
            .retain(|_, b| now.saturating_duration_since(b.last) < full_after);
        before - self.buckets.len()
    }

    /// Whether `key` has a bucket (a key without one starts full).
    pub fn contains(&self, key: &K) -> bool {
        self.buckets.contains_key(key)
    }

    /// Number of keys tracked.
    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    /// Whether no key is tracked.
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
    }

    fn r(code: &str) -> Region {
        Region::parse(code).unwrap()
    }

    const DAY: i64 = 86_400;

    fn scope() -> TokenScope {
        TokenScope {
            permissions: [Permission::RecordsSubmit, Permission::ChecksRun]
                .into_iter()
                .collect(),
            region: r("320400"),
            body: Some("11320400MB0000000X".into()),
            expires_at: t(90 * DAY),
            rate_per_second: Some(5),
            daily_quota: Some(1000),
        }
    }

    #[test]
    fn generated_tokens() {
        let a = generate_token().unwrap();
        let b = generate_token().unwrap();
        let p = a.plaintext.expose();
        assert!(p.starts_with("cxt_"));
        assert_eq!(p.len(), 56);
        assert_ne!(p, b.plaintext.expose());
        assert_eq!(a.hash, sha256_hex(p));
        assert_eq!(a.hash.len(), 64);
        assert_eq!(a.public_prefix.len(), 12);
        assert!(p.starts_with(&a.public_prefix));
        assert_eq!(hash_token(&format!(" {p}\n")).unwrap(), a.hash);
        assert!(token_matches(p, &a.hash));
        assert!(!token_matches(b.plaintext.expose(), &a.hash));
        assert!(!token_matches("cxt_short", &a.hash));
        let debug = format!("{a:?}");
        assert!(!debug.contains(&p[4..]), "{debug}");
        for bad in [
            "",
            "cxt_",
            "Bearer x",
            &p.to_ascii_uppercase(),
            &p[..55],
            &format!("{p}a"),
        ] {
            assert_eq!(
                hash_token(bad).unwrap_err().code(),
                "token_malformed",
                "{bad}"
            );
        }
    }

    #[test]
    fn scope_validation() {
        let now = t(0);
        assert!(scope().validate(now).is_ok());
        let mut s = scope();
        s.permissions.insert(Permission::PersonalDataDecrypt);
        assert_eq!(
            s.validate(now).unwrap_err().code(),
            "token_permission_not_grantable"
        );
        let mut s = scope();
        s.permissions.clear();
        assert_eq!(s.validate(now).unwrap_err().code(), "token_no_permission");
        let mut s = scope();
        s.expires_at = now;
        assert_eq!(
            s.validate(now).unwrap_err().code(),
            "token_lifetime_invalid"
        );
        s.expires_at = t(367 * DAY);
        assert_eq!(
            s.validate(now).unwrap_err().code(),
            "token_lifetime_invalid"
        );
        s.expires_at = t(366 * DAY);
        assert!(s.validate(now).is_ok());
        // Limits: within range, or none (the server's defaults).
        for (rate, quota, ok) in [
            (Some(5), Some(1000), true),
            (None, None, true),
            (Some(0), None, false),
            (Some(MAX_TOKEN_RATE + 1), None, false),
            (None, Some(0), false),
            (None, Some(MAX_TOKEN_DAILY_QUOTA + 1), false),
        ] {
            let mut s = scope();
            s.rate_per_second = rate;
            s.daily_quota = quota;
            match s.validate(now) {
                Ok(()) => assert!(ok, "{rate:?} {quota:?}"),
                Err(e) => {
                    assert!(!ok, "{rate:?} {quota:?}");
                    assert_eq!(e.code(), "token_limit_invalid");
                }
            }
        }
        let mut s = scope();
        assert_eq!(s.rate(Rate::per_second(200)), Rate::per_second(5));
        assert_eq!(s.quota(7), 1000);
        s.rate_per_second = None;
        s.daily_quota = None;
        assert_eq!(s.rate(Rate::per_second(200)), Rate::per_second(200));
        assert_eq!(s.quota(7), 7);
        // A scope stored before limits existed still reads.
        let old = serde_json::json!({"permissions": ["checks_run"], "region": "320400",
            "body": null, "expires_at": "2030-01-01T00:00:00Z"});
        let old: TokenScope = serde_json::from_value(old).unwrap();
        assert_eq!((old.rate_per_second, old.daily_quota), (None, None));
    }

    #[test]
    fn issue_authorize_revoke() {
        let (plain, mut tok) = ApiToken::issue(scope(), t(0)).unwrap();
        assert!(tok.matches(plain.expose()));
        let tianning = r("320402");
        let suzhou = r("320500");
        let here = Target::region(&tianning);
        assert!(tok
            .authorize(t(10), Permission::RecordsSubmit, &here)
            .is_ok());
        assert_eq!(
            tok.authorize(t(10), Permission::RecordsReadShared, &here)
                .unwrap_err()
                .code(),
            "token_out_of_scope"
        );
        assert_eq!(
            tok.authorize(t(10), Permission::RecordsSubmit, &Target::region(&suzhou))
                .unwrap_err()
                .code(),
            "token_region_denied"
        );
        assert_eq!(
            tok.authorize(t(90 * DAY), Permission::RecordsSubmit, &here)
                .unwrap_err()
                .code(),
            "token_expired"
        );
        // A non-grantable permission smuggled into a stored scope still fails.
        let mut forged = tok.clone();
        forged.scope.permissions.insert(Permission::AccountsManage);
        assert!(forged
            .authorize(t(10), Permission::AccountsManage, &here)
            .is_err());
        tok.revoke(t(20));
        tok.revoke(t(30));
        assert_eq!(tok.revoked_at, Some(t(20)));
        assert!(tok.check(t(19)).is_ok());
        assert_eq!(tok.check(t(20)).unwrap_err().code(), "token_revoked");
        let json = serde_json::to_string(&tok).unwrap();
        assert!(!json.contains(plain.expose()));
        let back: ApiToken = serde_json::from_str(&json).unwrap();
        assert_eq!(back, tok);
    }

    #[test]
    fn token_bucket() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let mut rl: RateLimiter<String> = RateLimiter::new(Rate {
            burst: 3,
            per_second: 1.0,
        });
        let k = "cxt_abcdefgh".to_owned();
        for _ in 0..3 {
            assert!(rl.check(&k, at(0)).is_ok());
        }
        let e = rl.check(&k, at(0)).unwrap_err();
        assert_eq!(
            e,
            AccessError::RateLimited {
                retry_after_ms: 1000
            }
        );
        let e = rl.check(&k, at(400)).unwrap_err();
        assert_eq!(
            e,
            AccessError::RateLimited {
                retry_after_ms: 600
            }
        );
        assert!(rl.check(&k, at(1000)).is_ok());
        assert!(rl.check(&k, at(1000)).is_err());
        // Another key has its own bucket.
        assert!(rl.check(&"other".to_owned(), at(1000)).is_ok());
        // Refill is capped at the burst.
        for _ in 0..3 {
            assert!(rl.check(&k, at(100_000)).is_ok());
        }
        assert!(rl.check(&k, at(100_000)).is_err());
        // Batch cost, and a cost above the burst never passes.
        assert!(rl
            .check_with(&k, Rate::per_second(10), 5, at(200_000))
            .is_ok());
        assert_eq!(
            rl.check_with(&k, Rate::per_second(10), 11, at(300_000))
                .unwrap_err(),
            AccessError::RateLimited {
                retry_after_ms: u64::MAX
            }
        );
        // A clock going backwards does not panic or mint tokens.
        assert!(rl
            .check_with(&k, Rate::per_second(10), 10, at(300_000))
            .is_ok());
        assert!(rl.check_with(&k, Rate::per_second(10), 1, at(1)).is_err());
        // Zero or broken rates do not panic.
        let z = Rate {
            burst: 1,
            per_second: f64::NAN,
        };
        assert!(rl.check_with(&"z".to_owned(), z, 1, at(0)).is_ok());
        assert!(rl.check_with(&"z".to_owned(), z, 1, at(5000)).is_err());
        assert_eq!(rl.len(), 3);
        assert_eq!(rl.prune(at(1_000_000), Rate::per_second(10)), 3);
        assert!(rl.is_empty());
        assert_eq!(Rate::per_minute(60).per_second, 1.0);
    }
}
