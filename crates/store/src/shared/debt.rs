//! 地方政府债务 (issue 20): a file's positions in one transaction — unchanged rows skipped, a
//! changed row a new version — with the notifications the use case built; keyset listing.

use std::collections::HashSet;

use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

use super::kernel::{begin_write, commit, entry, DbRow, PendingLog, Tx};
use super::notifications::insert_notifications_tx;
use super::{dec, enc, escape_like, Db, Inner};
use crate::changelog::{micros, now, state_digest};
use crate::error::{Result, StoreError};
use crate::{
    DebtFilter, DebtPositionRow, DebtPut, DebtPutCounts, DebtStore, DebtVersionRow, NotificationRow,
};

pub(super) fn position_from_row(r: &DbRow) -> Result<DebtPositionRow> {
    Ok(DebtPositionRow {
        id: dec(r.try_get("id")?),
        region: r.try_get("region")?,
        year: r.try_get("year")?,
        general_fen: r.try_get("general_fen")?,
        special_fen: r.try_get("special_fen")?,
        hidden_fen: r.try_get("hidden_fen")?,
        capacity_fen: r.try_get("capacity_fen")?,
        source: r.try_get("source")?,
        updated_by: r.try_get("updated_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

pub(super) fn version_from_row(r: &DbRow) -> Result<DebtVersionRow> {
    Ok(DebtVersionRow {
        id: dec(r.try_get("id")?),
        position_id: dec(r.try_get("position_id")?),
        version: r.try_get("version")?,
        general_fen: r.try_get("general_fen")?,
        special_fen: r.try_get("special_fen")?,
        hidden_fen: r.try_get("hidden_fen")?,
        capacity_fen: r.try_get("capacity_fen")?,
        source: r.try_get("source")?,
        actor: r.try_get("actor")?,
        at: r.try_get("at")?,
    })
}

fn check(p: &DebtPut) -> Result<()> {
    if p.general_fen < 0
        || p.special_fen < 0
        || p.hidden_fen.is_some_and(|h| h < 0)
        || p.capacity_fen <= 0
    {
        return Err(StoreError::Invalid(
            "债务余额不能为负，综合财力须大于零".into(),
        ));
    }
    if p.region.len() < 6 || !p.region.bytes().all(|b| b.is_ascii_digit()) {
        return Err(StoreError::Invalid(format!("地区代码“{}”无效", p.region)));
    }
    Ok(())
}

fn same(row: &DebtPositionRow, p: &DebtPut) -> bool {
    row.general_fen == p.general_fen
        && row.special_fen == p.special_fen
        && row.hidden_fen == p.hidden_fen
        && row.capacity_fen == p.capacity_fen
}

async fn insert_version(
    tx: &mut Tx<'_>,
    log: &mut PendingLog,
    pos: &DebtPositionRow,
    actor: &str,
) -> Result<()> {
    let v = DebtVersionRow {
        id: Uuid::now_v7(),
        position_id: pos.id,
        version: pos.version,
        general_fen: pos.general_fen,
        special_fen: pos.special_fen,
        hidden_fen: pos.hidden_fen,
        capacity_fen: pos.capacity_fen,
        source: pos.source.clone(),
        actor: actor.to_string(),
        at: pos.updated_at,
    };
    sqlx::query(
        "INSERT INTO debt_position_versions (id, position_id, version, general_fen, special_fen, \
         hidden_fen, capacity_fen, source, actor, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(enc(v.id))
    .bind(enc(v.position_id))
    .bind(v.version)
    .bind(v.general_fen)
    .bind(v.special_fen)
    .bind(v.hidden_fen)
    .bind(v.capacity_fen)
    .bind(&v.source)
    .bind(&v.actor)
    .bind(v.at)
    .execute(&mut **tx)
    .await?;
    log.push(entry(
        "debt_position_version",
        v.id.to_string(),
        "create",
        state_digest(&v)?,
    ));
    Ok(())
}

#[async_trait]
impl DebtStore for Inner {
    async fn put_debt_positions(
        &self,
        actor: &str,
        rows: &[DebtPut],
        notifications: &[NotificationRow],
    ) -> Result<DebtPutCounts> {
        let mut seen = HashSet::new();
        for p in rows {
            check(p)?;
            if !seen.insert((p.region.clone(), p.year)) {
                return Err(StoreError::Invalid(format!(
                    "地区 {} {} 年度的债务数据重复",
                    p.region, p.year
                )));
            }
        }
        let mut counts = DebtPutCounts::default();
        let (mut tx, mut head) = begin_write(self).await?;
        let mut log = PendingLog::default();
        let t = micros(now());
        for p in rows {
            let found = sqlx::query("SELECT * FROM debt_positions WHERE region = $1 AND year = $2")
                .bind(&p.region)
                .bind(p.year)
                .fetch_optional(&mut *tx)
                .await?;
            let (pos, action) = match found {
                Some(r) => {
                    let old = position_from_row(&r)?;
                    if same(&old, p) {
                        counts.unchanged += 1;
                        continue;
                    }
                    let pos = DebtPositionRow {
                        general_fen: p.general_fen,
                        special_fen: p.special_fen,
                        hidden_fen: p.hidden_fen,
                        capacity_fen: p.capacity_fen,
                        source: p.source.clone(),
                        updated_by: actor.to_string(),
                        updated_at: t,
                        version: old.version + 1,
                        ..old.clone()
                    };
                    let done = sqlx::query(
                        "UPDATE debt_positions SET general_fen = $1, special_fen = $2, \
                         hidden_fen = $3, capacity_fen = $4, source = $5, updated_by = $6, \
                         updated_at = $7, version = $8 WHERE id = $9 AND version = $10",
                    )
                    .bind(pos.general_fen)
                    .bind(pos.special_fen)
                    .bind(pos.hidden_fen)
                    .bind(pos.capacity_fen)
                    .bind(&pos.source)
                    .bind(&pos.updated_by)
                    .bind(pos.updated_at)
                    .bind(pos.version)
                    .bind(enc(pos.id))
                    .bind(old.version)
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() != 1 {
                        return Err(StoreError::Duplicate(
                            "债务数据已被他人修改，请重新导入".into(),
                        ));
                    }
                    counts.updated += 1;
                    (pos, "update")
                }
                None => {
                    let pos = DebtPositionRow {
                        id: Uuid::now_v7(),
                        region: p.region.clone(),
                        year: p.year,
                        general_fen: p.general_fen,
                        special_fen: p.special_fen,
                        hidden_fen: p.hidden_fen,
                        capacity_fen: p.capacity_fen,
                        source: p.source.clone(),
                        updated_by: actor.to_string(),
                        created_at: t,
                        updated_at: t,
                        version: 1,
                    };
                    sqlx::query(
                        "INSERT INTO debt_positions (id, region, year, general_fen, special_fen, \
                         hidden_fen, capacity_fen, source, updated_by, created_at, updated_at, \
                         version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                    )
                    .bind(enc(pos.id))
                    .bind(&pos.region)
                    .bind(pos.year)
                    .bind(pos.general_fen)
                    .bind(pos.special_fen)
                    .bind(pos.hidden_fen)
                    .bind(pos.capacity_fen)
                    .bind(&pos.source)
                    .bind(&pos.updated_by)
                    .bind(pos.created_at)
                    .bind(pos.updated_at)
                    .bind(pos.version)
                    .execute(&mut *tx)
                    .await?;
                    counts.created += 1;
                    (pos, "create")
                }
            };
            log.push(entry(
                "debt_position",
                pos.id.to_string(),
                action,
                state_digest(&pos)?,
            ));
            insert_version(&mut tx, &mut log, &pos, actor).await?;
        }
        counts.notified = insert_notifications_tx(&mut tx, &mut log, notifications)
            .await?
            .len() as u64;
        log.flush(&mut tx, &mut head, actor).await?;
        commit(tx, head).await?;
        Ok(counts)
    }

    async fn debt_positions(&self, f: &DebtFilter) -> Result<Vec<DebtPositionRow>> {
        let mut q = sqlx::QueryBuilder::<Db>::new("SELECT * FROM debt_positions WHERE 1 = 1");
        if let Some(p) = f.region_prefix.as_deref().filter(|p| !p.is_empty()) {
            q.push(" AND region LIKE ")
                .push_bind(format!("{}%", escape_like(p)))
                .push(" ESCAPE '\\'");
        }
        if let Some(y) = f.year {
            q.push(" AND year = ").push_bind(y);
        }
        if let Some((r, y)) = &f.after {
            q.push(" AND (region > ")
                .push_bind(r.clone())
                .push(" OR (region = ")
                .push_bind(r.clone())
                .push(" AND year > ")
                .push_bind(*y)
                .push("))");
        }
        q.push(" ORDER BY region, year LIMIT ")
            .push_bind(f.limit.clamp(1, 1000));
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(position_from_row).collect()
    }

    async fn debt_positions_of(&self, regions: &[String]) -> Result<Vec<DebtPositionRow>> {
        let mut out = Vec::new();
        for part in regions.chunks(500) {
            let mut q =
                sqlx::QueryBuilder::<Db>::new("SELECT * FROM debt_positions WHERE region IN (");
            let mut sep = q.separated(", ");
            for r in part {
                sep.push_bind(r.clone());
            }
            q.push(") ORDER BY region, year");
            let rows = q.build().fetch_all(&self.pool).await?;
            for r in &rows {
                out.push(position_from_row(r)?);
            }
        }
        Ok(out)
    }

    async fn debt_versions(&self, region: &str, year: i32) -> Result<Vec<DebtVersionRow>> {
        let rows = sqlx::query(
            "SELECT v.* FROM debt_position_versions v JOIN debt_positions p ON p.id = v.position_id \
             WHERE p.region = $1 AND p.year = $2 ORDER BY v.version",
        )
        .bind(region)
        .bind(year)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(version_from_row).collect()
    }
}
