//! Accounts, sessions, tokens, audit events and sealed identities: the shared SQL, compiled
//! once per backend like `common.rs` (included with `#[path]` from `sqlite.rs`/`postgres.rs`).

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::Row;
use uuid::Uuid;

use super::common::{append, begin_write, commit, entry, finish_versioned, PendingLog};
use super::{dec, enc, Db};
use crate::changelog::state_digest;
use crate::error::{Result, StoreError};
use crate::{Account, AuditEvent, AuditFilter, SessionRow, TokenRow};

type DbRow = <Db as sqlx::Database>::Row;
type Pool = sqlx::Pool<Db>;

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

pub(super) fn audit_from_row(r: &DbRow) -> Result<AuditEvent> {
    Ok(AuditEvent {
        id: dec(r.try_get("id")?),
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        kind: r.try_get("kind")?,
        action: r.try_get("action")?,
        target: r.try_get("target")?,
        outcome: r.try_get("outcome")?,
        ip: r.try_get("ip")?,
        detail: r.try_get::<Json<serde_json::Value>, _>("detail")?.0,
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
    pool: &Pool,
    actor: &str,
    a: &Account,
    expected: Option<i64>,
) -> Result<()> {
    let (mut tx, head) = begin_write(pool).await?;
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
    let done = q.execute(&mut *tx).await.map_err(|e| match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Invalid(format!("用户名“{}”已存在", a.username))
        }
        e => e.into(),
    })?;
    finish_versioned(
        tx,
        head,
        done.rows_affected(),
        expected,
        actor,
        "account",
        &a.id.to_string(),
        state_digest(a)?,
    )
    .await
}

pub(super) async fn write_token(
    pool: &Pool,
    actor: &str,
    t: &TokenRow,
    expected: Option<i64>,
) -> Result<()> {
    let (mut tx, head) = begin_write(pool).await?;
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

pub(super) async fn audit(pool: &Pool, events: &[AuditEvent]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let (mut tx, mut head) = begin_write(pool).await?;
    let mut log = PendingLog::default();
    for e in events {
        sqlx::query(
            "INSERT INTO audit_events (id, at, actor, kind, action, target, outcome, ip, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(enc(e.id))
        .bind(e.at)
        .bind(&e.actor)
        .bind(&e.kind)
        .bind(&e.action)
        .bind(&e.target)
        .bind(&e.outcome)
        .bind(&e.ip)
        .bind(Json(&e.detail))
        .execute(&mut *tx)
        .await?;
        log.push(entry(
            "audit_event",
            e.id.to_string(),
            "create",
            state_digest(e)?,
        ));
    }
    // One event: an ordinary entry; several (a flush of buffered query logs): one group.
    if events.len() == 1 {
        log.flush(&mut tx, &mut head, "audit").await?;
    } else {
        let group = format!("audit:{}", Uuid::now_v7());
        log.flush_grouped(&mut tx, &mut head, "audit", &group)
            .await?;
    }
    commit(tx, head).await
}

pub(super) async fn audit_events(pool: &Pool, f: &AuditFilter) -> Result<Vec<AuditEvent>> {
    let mut q = sqlx::QueryBuilder::<Db>::new("SELECT * FROM audit_events WHERE 1 = 1");
    if let Some(from) = f.from {
        q.push(" AND at >= ").push_bind(from);
    }
    if let Some(to) = f.to {
        q.push(" AND at < ").push_bind(to);
    }
    if let Some(a) = &f.actor {
        q.push(" AND actor = ").push_bind(a.clone());
    }
    if let Some(k) = &f.kind {
        q.push(" AND kind = ").push_bind(k.clone());
    }
    if let Some(a) = &f.action {
        q.push(" AND action = ").push_bind(a.clone());
    }
    if let Some(t) = &f.target {
        q.push(" AND target = ").push_bind(t.clone());
    }
    q.push(" ORDER BY at DESC, id DESC LIMIT ")
        .push_bind(f.limit.unwrap_or(1000).clamp(1, 100_000));
    q.build()
        .fetch_all(pool)
        .await?
        .iter()
        .map(audit_from_row)
        .collect()
}

pub(super) async fn purge_audit(pool: &Pool, actor: &str, before: DateTime<Utc>) -> Result<u64> {
    let (mut tx, mut head) = begin_write(pool).await?;
    let ids: Vec<super::UuidCol> = sqlx::query_scalar("SELECT id FROM audit_events WHERE at < $1")
        .bind(before)
        .fetch_all(&mut *tx)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    sqlx::query("DELETE FROM audit_events WHERE at < $1")
        .bind(before)
        .execute(&mut *tx)
        .await?;
    let mut log = PendingLog::default();
    for id in &ids {
        log.push(entry(
            "audit_event",
            dec(*id).to_string(),
            "delete",
            String::new(),
        ));
    }
    let group = format!("audit-retention:{}", Uuid::now_v7());
    log.flush_grouped(&mut tx, &mut head, actor, &group).await?;
    commit(tx, head).await?;
    Ok(ids.len() as u64)
}

pub(super) async fn set_subject_identity(
    pool: &Pool,
    actor: &str,
    subject_id: Uuid,
    sealed: &str,
) -> Result<()> {
    let (mut tx, mut head) = begin_write(pool).await?;
    sqlx::query("DELETE FROM subject_identities WHERE subject_id = $1")
        .bind(enc(subject_id))
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO subject_identities (subject_id, sealed) VALUES ($1, $2)")
        .bind(enc(subject_id))
        .bind(sealed)
        .execute(&mut *tx)
        .await?;
    append(
        &mut tx,
        &mut head,
        actor,
        "subject_identity",
        &subject_id.to_string(),
        "set",
        Some(identity_digest(sealed)?),
    )
    .await?;
    commit(tx, head).await
}

/// The logged state of a sealed identity: a digest of the sealed text (never the number).
pub(super) fn identity_digest(sealed: &str) -> Result<String> {
    state_digest(&sealed)
}

pub(super) async fn data_changes(pool: &Pool, f: &AuditFilter) -> Result<Vec<crate::LogEntry>> {
    // `at` is RFC 3339 text with a fixed format (UTC, microseconds): it sorts as time.
    let fmt = |t: DateTime<Utc>| crate::changelog::format_at(t);
    let mut q = sqlx::QueryBuilder::<Db>::new(
        "SELECT * FROM change_log WHERE entity_type <> 'audit_event' AND entity_id NOT LIKE 'audit%'",
    );
    if let Some(from) = f.from {
        q.push(" AND at >= ").push_bind(fmt(from));
    }
    if let Some(to) = f.to {
        q.push(" AND at < ").push_bind(fmt(to));
    }
    if let Some(a) = &f.actor {
        q.push(" AND actor = ").push_bind(a.clone());
    }
    if let Some(a) = &f.action {
        q.push(" AND action = ").push_bind(a.clone());
    }
    q.push(" ORDER BY seq DESC LIMIT ")
        .push_bind(f.limit.unwrap_or(1000).clamp(1, 100_000));
    q.build()
        .fetch_all(pool)
        .await?
        .iter()
        .map(super::common::log_entry_from_row)
        .collect()
}
