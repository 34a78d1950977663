//! Accounts, login sessions and API tokens: the state `chengxin-access` rules over.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;
use sqlx::Row;
use uuid::Uuid;

use super::kernel::{append, begin_write, commit, finish_versioned, DbRow, Tx};
use super::{dec, enc, Inner, UuidCol};
use crate::changelog::state_digest;
use crate::error::{Result, StoreError};
use crate::{
    Account, AccountChange, AccountStore, GrantAccount, RoleGrant, SessionRow, SessionStore,
    TokenRow,
};

pub(super) fn account_from_row(r: &DbRow) -> Result<Account> {
    Ok(Account {
        id: dec(r.try_get("id")?),
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        roles: r.try_get::<Json<Vec<String>>, _>("roles")?.0,
        region: r.try_get("region")?,
        body: r.try_get("body")?,
        password_hash: r.try_get("password_hash")?,
        password_history: r.try_get::<Json<Vec<String>>, _>("password_history")?.0,
        totp_secret: r.try_get("totp_secret")?,
        totp_last_step: r.try_get("totp_last_step")?,
        failures: r.try_get("failures")?,
        locked_until: r.try_get("locked_until")?,
        must_change_password: r.try_get("must_change_password")?,
        disabled: r.try_get("disabled")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

pub(super) fn token_from_row(r: &DbRow) -> Result<TokenRow> {
    Ok(TokenRow {
        id: dec(r.try_get("id")?),
        name: r.try_get("name")?,
        public_prefix: r.try_get("public_prefix")?,
        hash: r.try_get("hash")?,
        scope: r.try_get::<Json<serde_json::Value>, _>("scope")?.0,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        revoked_at: r.try_get("revoked_at")?,
        version: r.try_get("version")?,
    })
}

pub(super) fn grant_from_row(r: &DbRow) -> Result<RoleGrant> {
    Ok(RoleGrant {
        id: dec(r.try_get("id")?),
        account_id: dec(r.try_get("account_id")?),
        username: r.try_get("username")?,
        region: r.try_get("region")?,
        roles_before: r.try_get::<Json<Vec<String>>, _>("roles_before")?.0,
        roles: r.try_get::<Json<Vec<String>>, _>("roles")?.0,
        privileged: r.try_get::<Json<Vec<String>>, _>("privileged")?.0,
        requested_by: r.try_get("requested_by")?,
        requested_by_account: r
            .try_get::<Option<UuidCol>, _>("requested_by_account")?
            .map(dec),
        requested_at: r.try_get("requested_at")?,
        status: r.try_get("status")?,
        decided_by: r.try_get("decided_by")?,
        decided_by_account: r
            .try_get::<Option<UuidCol>, _>("decided_by_account")?
            .map(dec),
        decided_at: r.try_get("decided_at")?,
        note: r.try_get("note")?,
        version: r.try_get("version")?,
    })
}

pub(super) fn session_from_row(r: &DbRow) -> Result<SessionRow> {
    Ok(SessionRow {
        id_hash: r.try_get("id_hash")?,
        account_id: dec(r.try_get("account_id")?),
        csrf: r.try_get("csrf")?,
        created_at: r.try_get("created_at")?,
        last_seen: r.try_get("last_seen")?,
        ip: r.try_get("ip")?,
    })
}

pub(super) async fn write_account(
    db: &Inner,
    actor: &str,
    a: &Account,
    expected: Option<i64>,
) -> Result<()> {
    let (mut tx, head) = begin_write(db).await?;
    let done = execute_account(&mut tx, a, expected).await?;
    finish_versioned(
        tx,
        head,
        done,
        expected,
        actor,
        "account",
        &a.id.to_string(),
        state_digest(a)?,
    )
    .await
}

/// Read an account, change it and write it back inside one write transaction: writes are
/// serialised by the change-log head, so concurrent changes (parallel failed logins) each
/// see the one before — none is lost to a version conflict.
pub(super) async fn modify_account(
    db: &Inner,
    actor: &str,
    id: Uuid,
    change: &AccountChange,
) -> Result<Account> {
    let (mut tx, head) = begin_write(db).await?;
    let row = sqlx::query("SELECT * FROM accounts WHERE id = $1")
        .bind(enc(id))
        .fetch_optional(&mut *tx)
        .await?;
    let Some(mut a) = row.as_ref().map(account_from_row).transpose()? else {
        return Err(StoreError::NotFound {
            entity: "账号",
            id: id.to_string(),
        });
    };
    let expected = a.version;
    change(&mut a);
    a.id = id;
    a.version = expected + 1;
    let done = execute_account(&mut tx, &a, Some(expected)).await?;
    finish_versioned(
        tx,
        head,
        done,
        Some(expected),
        actor,
        "account",
        &a.id.to_string(),
        state_digest(&a)?,
    )
    .await?;
    Ok(a)
}

async fn execute_account(tx: &mut Tx<'_>, a: &Account, expected: Option<i64>) -> Result<u64> {
    let sql = if expected.is_none() {
        "INSERT INTO accounts (username, display_name, roles, region, body, password_hash, password_history, \
         totp_secret, totp_last_step, failures, locked_until, must_change_password, disabled, created_at, \
         updated_at, version, id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
    } else {
        "UPDATE accounts SET username = $1, display_name = $2, roles = $3, region = $4, body = $5, \
         password_hash = $6, password_history = $7, totp_secret = $8, totp_last_step = $9, failures = $10, \
         locked_until = $11, must_change_password = $12, disabled = $13, created_at = $14, updated_at = $15, \
         version = $16 WHERE id = $17 AND version = $18"
    };
    let q = sqlx::query(sql)
        .bind(&a.username)
        .bind(&a.display_name)
        .bind(Json(&a.roles))
        .bind(&a.region)
        .bind(&a.body)
        .bind(&a.password_hash)
        .bind(Json(&a.password_history))
        .bind(&a.totp_secret)
        .bind(a.totp_last_step)
        .bind(a.failures)
        .bind(a.locked_until)
        .bind(a.must_change_password)
        .bind(a.disabled)
        .bind(a.created_at)
        .bind(a.updated_at)
        .bind(a.version)
        .bind(enc(a.id));
    let q = match expected {
        Some(v) => q.bind(v),
        None => q,
    };
    let done = q.execute(&mut **tx).await.map_err(|e| match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Invalid(format!("用户名“{}”已存在", a.username))
        }
        e => e.into(),
    })?;
    Ok(done.rows_affected())
}

/// A grant and, when given, its account in one write transaction (each its own log entry).
async fn save_grant(
    db: &Inner,
    actor: &str,
    g: &RoleGrant,
    expected: Option<i64>,
    account: Option<GrantAccount<'_>>,
) -> Result<()> {
    let (mut tx, mut head) = begin_write(db).await?;
    if let Some(GrantAccount {
        account: a,
        expected_version,
    }) = account
    {
        if execute_account(&mut tx, a, expected_version).await? != 1 {
            return Err(StoreError::Conflict {
                expected: expected_version.unwrap_or(0),
                current: -1,
            });
        }
        let action = if expected_version.is_none() {
            "create"
        } else {
            "update"
        };
        let id = a.id.to_string();
        append(
            &mut tx,
            &mut head,
            actor,
            "account",
            &id,
            action,
            Some(state_digest(a)?),
        )
        .await?;
    }
    let sql = if expected.is_none() {
        "INSERT INTO role_grants (account_id, username, region, roles_before, roles, privileged, \
         requested_by, requested_by_account, requested_at, status, decided_by, decided_by_account, \
         decided_at, note, version, id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    } else {
        "UPDATE role_grants SET account_id = $1, username = $2, region = $3, roles_before = $4, \
         roles = $5, privileged = $6, requested_by = $7, requested_by_account = $8, \
         requested_at = $9, status = $10, decided_by = $11, decided_by_account = $12, \
         decided_at = $13, note = $14, version = $15 WHERE id = $16 AND version = $17"
    };
    let q = sqlx::query(sql)
        .bind(enc(g.account_id))
        .bind(&g.username)
        .bind(&g.region)
        .bind(Json(&g.roles_before))
        .bind(Json(&g.roles))
        .bind(Json(&g.privileged))
        .bind(&g.requested_by)
        .bind(g.requested_by_account.map(enc))
        .bind(g.requested_at)
        .bind(&g.status)
        .bind(&g.decided_by)
        .bind(g.decided_by_account.map(enc))
        .bind(g.decided_at)
        .bind(&g.note)
        .bind(g.version)
        .bind(enc(g.id));
    let q = match expected {
        Some(v) => q.bind(v),
        None => q,
    };
    if q.execute(&mut *tx).await?.rows_affected() != 1 {
        return Err(StoreError::Conflict {
            expected: expected.unwrap_or(0),
            current: -1,
        });
    }
    let action = if expected.is_none() {
        "create"
    } else {
        "update"
    };
    append(
        &mut tx,
        &mut head,
        actor,
        "role_grant",
        &g.id.to_string(),
        action,
        Some(state_digest(g)?),
    )
    .await?;
    commit(tx, head).await
}

pub(super) async fn write_token(
    db: &Inner,
    actor: &str,
    t: &TokenRow,
    expected: Option<i64>,
) -> Result<()> {
    let (mut tx, head) = begin_write(db).await?;
    let sql = if expected.is_none() {
        "INSERT INTO api_tokens (name, public_prefix, hash, scope, created_by, created_at, revoked_at, version, id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    } else {
        "UPDATE api_tokens SET name = $1, public_prefix = $2, hash = $3, scope = $4, created_by = $5, \
         created_at = $6, revoked_at = $7, version = $8 WHERE id = $9 AND version = $10"
    };
    let q = sqlx::query(sql)
        .bind(&t.name)
        .bind(&t.public_prefix)
        .bind(&t.hash)
        .bind(Json(&t.scope))
        .bind(&t.created_by)
        .bind(t.created_at)
        .bind(t.revoked_at)
        .bind(t.version)
        .bind(enc(t.id));
    let q = match expected {
        Some(v) => q.bind(v),
        None => q,
    };
    let done = q.execute(&mut *tx).await?.rows_affected();
    finish_versioned(
        tx,
        head,
        done,
        expected,
        actor,
        "api_token",
        &t.id.to_string(),
        state_digest(t)?,
    )
    .await
}

#[async_trait]
impl AccountStore for Inner {
    async fn create_account(&self, actor: &str, a: &Account) -> Result<()> {
        write_account(self, actor, a, None).await
    }

    async fn update_account(&self, actor: &str, a: &Account, expected_version: i64) -> Result<()> {
        write_account(self, actor, a, Some(expected_version)).await
    }

    async fn modify_account(
        &self,
        actor: &str,
        id: Uuid,
        change: &AccountChange,
    ) -> Result<Account> {
        modify_account(self, actor, id, change).await
    }

    async fn account(&self, id: Uuid) -> Result<Option<Account>> {
        sqlx::query("SELECT * FROM accounts WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(account_from_row)
            .transpose()
    }

    async fn account_by_username(&self, username: &str) -> Result<Option<Account>> {
        sqlx::query("SELECT * FROM accounts WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(account_from_row)
            .transpose()
    }

    async fn accounts(&self) -> Result<Vec<Account>> {
        sqlx::query("SELECT * FROM accounts ORDER BY username")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(account_from_row)
            .collect()
    }

    async fn count_accounts(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn create_token(&self, actor: &str, t: &TokenRow) -> Result<()> {
        write_token(self, actor, t, None).await
    }

    async fn update_token(&self, actor: &str, t: &TokenRow, expected_version: i64) -> Result<()> {
        write_token(self, actor, t, Some(expected_version)).await
    }

    async fn token(&self, id: Uuid) -> Result<Option<TokenRow>> {
        sqlx::query("SELECT * FROM api_tokens WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(token_from_row)
            .transpose()
    }

    async fn token_by_hash(&self, hash: &str) -> Result<Option<TokenRow>> {
        sqlx::query("SELECT * FROM api_tokens WHERE hash = $1")
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(token_from_row)
            .transpose()
    }

    async fn tokens(&self) -> Result<Vec<TokenRow>> {
        sqlx::query("SELECT * FROM api_tokens ORDER BY created_at")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(token_from_row)
            .collect()
    }

    async fn save_grant(
        &self,
        actor: &str,
        g: &RoleGrant,
        expected_version: Option<i64>,
        account: Option<GrantAccount<'_>>,
    ) -> Result<()> {
        save_grant(self, actor, g, expected_version, account).await
    }

    async fn grant(&self, id: Uuid) -> Result<Option<RoleGrant>> {
        sqlx::query("SELECT * FROM role_grants WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(grant_from_row)
            .transpose()
    }

    async fn grants(&self) -> Result<Vec<RoleGrant>> {
        sqlx::query("SELECT * FROM role_grants ORDER BY requested_at DESC, id DESC")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(grant_from_row)
            .collect()
    }

    async fn add_token_usage(&self, token_id: Uuid, day: NaiveDate, parties: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO token_usage (token_id, day, parties) VALUES ($1, $2, $3) \
             ON CONFLICT (token_id, day) DO UPDATE SET parties = token_usage.parties + excluded.parties \
             RETURNING parties",
        )
        .bind(enc(token_id))
        .bind(day)
        .bind(parties.max(0))
        .fetch_one(&self.pool)
        .await?)
    }
}

#[async_trait]
impl SessionStore for Inner {
    async fn create_session(&self, s: &SessionRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, account_id, csrf, created_at, last_seen, ip) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&s.id_hash)
        .bind(enc(s.account_id))
        .bind(&s.csrf)
        .bind(s.created_at)
        .bind(s.last_seen)
        .bind(&s.ip)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn session(&self, id_hash: &str) -> Result<Option<SessionRow>> {
        sqlx::query("SELECT * FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(session_from_row)
            .transpose()
    }

    async fn touch_session(&self, id_hash: &str, at: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen = $1 WHERE id_hash = $2")
            .bind(at)
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_sessions_of(&self, account_id: Uuid, keep: Option<&str>) -> Result<u64> {
        Ok(
            sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND id_hash <> $2")
                .bind(enc(account_id))
                .bind(keep.unwrap_or(""))
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
    }
}
