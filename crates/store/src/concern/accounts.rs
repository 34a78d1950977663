//! Accounts, sessions and API tokens as the store keeps them. The rules (roles, password
//! policy, lockout, token scopes) live in `chengxin-access`; the store only keeps state,
//! versioned and — except for ephemeral sessions — in the change log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A staff or subject account (账号).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    /// Role codes (`credit_office` …), as `chengxin_access::Role` serialises them.
    pub roles: Vec<String>,
    /// GB/T 2260 code of the account's jurisdiction (`000000` = national).
    pub region: String,
    /// The body the account belongs to (USCC), if any.
    pub body: Option<String>,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Earlier password hashes, newest first (for the no-reuse rule).
    pub password_history: Vec<String>,
    /// The TOTP secret, sealed with the personal-data key.
    pub totp_secret: Option<String>,
    /// The last accepted TOTP time step (a code is never accepted twice).
    pub totp_last_step: Option<i64>,
    pub failures: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub must_change_password: bool,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A login session; only the SHA-256 of its id is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRow {
    pub id_hash: String,
    pub account_id: Uuid,
    /// The CSRF token pages echo back on every state-changing request.
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub ip: Option<String>,
}

/// An API token for a department or an external system. Only its hash is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: Uuid,
    pub name: String,
    pub public_prefix: String,
    pub hash: String,
    /// `chengxin_access::TokenScope` as JSON (permissions, region, body, expiry).
    pub scope: serde_json::Value,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub version: i64,
}
