//! Security rules of Chengxin accounts, as pure functions and plain data: who may do what
//! (roles, permissions, jurisdiction), how people prove who they are (passwords, lockout,
//! TOTP, sessions), how machines do (API tokens, rate limits), and how personal data is kept
//! unreadable to everyone not entitled to it (sealing).
//!
//! Nothing here touches a database or the network, and the clock is always a parameter, so
//! every rule is unit-tested with explicit times. The only file I/O is reading and creating
//! a key file ([`sealing::PiiCipher::from_key_file`], [`sealing::generate_key_file`]). The
//! store persists the state types ([`lockout::LoginGuard`], [`session::SessionTimes`],
//! [`tokens::ApiToken`], password hashes, sealed values); the server calls the checks.
//!
//! | module | what |
//! |---|---|
//! | [`roles`] | [`Role`], [`Permission`], separation of duties |
//! | [`jurisdiction`] | [`Region`] containment (GB/T 2260), [`Scope`], [`authorize`] |
//! | [`password`] | [`PasswordPolicy`], argon2id hashing, one-time passwords |
//! | [`lockout`] | [`LoginGuard`]: 5 failures lock for 15 minutes |
//! | [`session`] | idle (30 min) and absolute (12 h) session timeouts, session ids |
//! | [`totp`] | RFC 6238 codes, replay protection, `otpauth://` enrolment |
//! | [`client_limits`] | per-client and global limits with bounded memory ([`ClientLimiter`]) |
//! | [`proxies`] | the client's address behind [`TrustedProxies`] (`X-Forwarded-For`) |
//! | [`tokens`] | API tokens (`cxt_…`), scopes with per-token rate and daily quota, token-bucket [`RateLimiter`] |
//! | [`probing`] | [`ProbeGuard`]: refusing bursts of near-identical ID numbers (mask enumeration) |
//! | [`sealing`] | [`PiiCipher`]: XChaCha20-Poly1305 sealing of ID numbers |
//! | [`error`] | [`AccessError`]: stable codes and Chinese messages |
//!
//! A login, as the server will wire it (the store loads and saves the state):
//!
//! ```
//! use chengxin_access::*;
//! use chrono::{DateTime, Utc};
//!
//! # fn main() -> Result<(), AccessError> {
//! let now: DateTime<Utc> = DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
//! let params = HashParams::insecure_for_tests(); // HashParams::default() in production
//! let stored = hash_password("Changzhou-2024!", &params)?;
//! let mut guard = LoginGuard::default();
//! let totp = TotpSecret::generate()?;
//! let roles = [Role::CreditOffice];
//!
//! guard.check(now)?; // locked accounts are refused before the password is looked at
//! if !verify_password("Changzhou-2024!", &stored)? {
//!     guard.on_failure(now, &LockoutPolicy::default());
//!     return Err(AccessError::BadCredentials);
//! }
//! if roles::requires_totp(&roles) {
//!     let step = totp::verify(&totp, &totp.code_at(now), now, None)?; // store `step`
//!     # let _ = step;
//! }
//! guard.on_success(now);
//!
//! // Later, per request:
//! let scope = Scope::region_only(Region::parse("320400")?);
//! let subject_region = Region::parse("320402")?;
//! authorize(&roles, &scope, Permission::RecordsReadNonpublic, &Target::region(&subject_region))?;
//! # Ok(())
//! # }
//! ```
//!
//! Every error has a stable snake_case code and a Chinese message, and no error, `Debug`
//! output or log line produced by this crate contains a password, token, key or clear ID
//! number.
#![forbid(unsafe_code)]

pub mod client_limits;
pub mod error;
pub mod jurisdiction;
pub mod lockout;
pub mod password;
pub mod probing;
pub mod proxies;
pub mod roles;
pub mod sealing;
pub mod session;
pub mod tokens;
pub mod totp;

pub use client_limits::{ClientLimit, ClientLimiter, LimitRefusal, LimitScope};
pub use error::{AccessError, SealError};
pub use jurisdiction::{authorize, may_see, Reach, Region, Scope, Target};
pub use lockout::{Locked, LockoutPolicy, LoginGuard};
pub use password::{
    generate_one_time_password, hash_password, verify_password, HashParams, PasswordPolicy,
    PolicyViolation,
};
pub use probing::{Probe, ProbeGuard, ProbeSettings};
pub use proxies::TrustedProxies;
pub use roles::{Permission, Role};
pub use sealing::PiiCipher;
pub use session::{SessionPolicy, SessionTimes};
pub use tokens::{ApiToken, Rate, RateLimiter, Secret, TokenScope};
pub use totp::TotpSecret;
