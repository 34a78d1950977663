//! Accounts, sessions and API tokens as the store keeps them. The rules (roles, password
//! policy, lockout, token scopes) live in `chengxin-access`; the store only keeps state,
//! versioned and — except for ephemeral sessions — in the change log.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Result;

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

/// A request to give an account roles that need a second person's approval (separation of
/// duties, `chengxin_access::roles::roles_needing_approval`): until approved the account does
/// not hold them. Change-logged like the account itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleGrant {
    pub id: Uuid,
    pub account_id: Uuid,
    /// The account's username and region when the grant was asked for.
    pub username: String,
    pub region: String,
    /// The roles the account held when the grant was asked for: an approval applies only to
    /// that state (else the grant is stale).
    pub roles_before: Vec<String>,
    /// The roles the account holds once the grant is approved.
    pub roles: Vec<String>,
    /// The roles of `roles` that needed the approval.
    pub privileged: Vec<String>,
    pub requested_by: String,
    /// The requesting account (none for the server's command line).
    pub requested_by_account: Option<Uuid>,
    pub requested_at: DateTime<Utc>,
    /// `pending`, `approved`, `refused`, or `break_glass` (given at the server's command line
    /// without approval, recorded so the auditor and the credit office see it).
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_by_account: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub version: i64,
}

/// The account written together with a grant ([`AccountStore::save_grant`]): its new state
/// and the version it must still be at (`None`: a new account).
pub struct GrantAccount<'a> {
    pub account: &'a Account,
    pub expected_version: Option<i64>,
}

/// A change applied to an account read inside a write ([`AccountStore::modify_account`]).
pub type AccountChange = dyn Fn(&mut Account) + Send + Sync;

/// Accounts and access (issue 5): accounts, login sessions, API tokens.
#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn create_account(&self, actor: &str, a: &Account) -> Result<()>;
    /// Write an account's new state if it is still at `expected_version` (the new state
    /// carries `expected_version + 1`).
    async fn update_account(&self, actor: &str, a: &Account, expected_version: i64) -> Result<()>;
    /// Read the account, apply `change` and write it back in one write transaction (version
    /// moved by one): concurrent changes are serialised, none lost (failed-login counting).
    async fn modify_account(
        &self,
        actor: &str,
        id: Uuid,
        change: &AccountChange,
    ) -> Result<Account>;
    async fn account(&self, id: Uuid) -> Result<Option<Account>>;
    async fn account_by_username(&self, username: &str) -> Result<Option<Account>>;
    async fn accounts(&self) -> Result<Vec<Account>>;
    async fn count_accounts(&self) -> Result<i64>;
    async fn create_token(&self, actor: &str, t: &TokenRow) -> Result<()>;
    async fn update_token(&self, actor: &str, t: &TokenRow, expected_version: i64) -> Result<()>;
    async fn token(&self, id: Uuid) -> Result<Option<TokenRow>>;
    async fn token_by_hash(&self, hash: &str) -> Result<Option<TokenRow>>;
    async fn tokens(&self) -> Result<Vec<TokenRow>>;
    /// Write a role grant (new when `expected_version` is `None`) and, in the same
    /// transaction, the account it concerns when given (created with its pending grant,
    /// changed on approval): both or neither.
    async fn save_grant(
        &self,
        actor: &str,
        g: &RoleGrant,
        expected_version: Option<i64>,
        account: Option<GrantAccount<'_>>,
    ) -> Result<()>;
    async fn grant(&self, id: Uuid) -> Result<Option<RoleGrant>>;
    /// Every role grant, newest first.
    async fn grants(&self) -> Result<Vec<RoleGrant>>;
    /// Add `parties` to what the token checked on `day` (China time) and return the day's
    /// total; adding 0 reads it. A counter for the daily quota, not in the change log.
    async fn add_token_usage(&self, token_id: Uuid, day: NaiveDate, parties: i64) -> Result<i64>;
}

/// Login sessions: ephemeral (not in the change log; logins and logouts are audit events).
#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create_session(&self, s: &SessionRow) -> Result<()>;
    async fn session(&self, id_hash: &str) -> Result<Option<SessionRow>>;
    async fn touch_session(&self, id_hash: &str, at: DateTime<Utc>) -> Result<()>;
    async fn delete_session(&self, id_hash: &str) -> Result<()>;
    /// End every session of the account except `keep` (a session id hash).
    async fn delete_sessions_of(&self, account_id: Uuid, keep: Option<&str>) -> Result<u64>;
}
