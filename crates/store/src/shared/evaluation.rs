//! Evaluation runs, scores, indicator results, warnings, imported figures and indicator system
//! versions: a run is saved in one transaction (its scores, items and warnings as group
//! entries of the change log), a published run is never written again.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::Row;
use uuid::Uuid;

use super::kernel::{append, begin_write, commit, entry, DbRow, PendingLog};
use super::notifications::insert_notifications_tx;
use super::{dec, enc, escape_like, Db, Inner, UuidCol};
use crate::changelog::{micros, state_digest};
use crate::error::{Result, StoreError};
use crate::{
    EvalHistoryPoint, EvalImportRow, EvalItemRow, EvalRunRow, EvalRunSave, EvalScoreFilter,
    EvalScoreRow, EvalSystemRow, EvalWarningRow, EvaluationStore, NotificationRow,
};

pub(super) fn system_from_row(r: &DbRow) -> Result<EvalSystemRow> {
    Ok(EvalSystemRow {
        version: r.try_get("version")?,
        name: r.try_get("name")?,
        digest: r.try_get("digest")?,
        text: r.try_get("text")?,
        loaded_by: r.try_get("loaded_by")?,
        loaded_at: r.try_get("loaded_at")?,
    })
}

pub(super) fn run_from_row(r: &DbRow) -> Result<EvalRunRow> {
    Ok(EvalRunRow {
        id: dec(r.try_get("id")?),
        period: r.try_get("period")?,
        period_kind: r.try_get("period_kind")?,
        system_version: r.try_get("system_version")?,
        run_version: r.try_get("run_version")?,
        published: r.try_get("published")?,
        published_at: r.try_get("published_at")?,
        published_by: r.try_get("published_by")?,
        as_of: r.try_get("as_of")?,
        note: r.try_get("note")?,
        targets: r.try_get("targets")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        version: r.try_get("version")?,
    })
}

pub(super) fn score_from_row(r: &DbRow) -> Result<EvalScoreRow> {
    Ok(EvalScoreRow {
        id: dec(r.try_get("id")?),
        run_id: dec(r.try_get("run_id")?),
        target: r.try_get("target")?,
        target_kind: r.try_get("target_kind")?,
        target_name: r.try_get("target_name")?,
        region: r.try_get("region")?,
        rank_group: r.try_get("rank_group")?,
        score: r.try_get("score")?,
        grade: r.try_get("grade")?,
        rank: r.try_get("rank")?,
        rank_of: r.try_get("rank_of")?,
        dimensions: r.try_get("dimensions")?,
        unscored: r.try_get("unscored")?,
        packed: r.try_get("packed")?,
    })
}

/// The change-log entity covering a run's packed score rows (one entry per run).
pub(super) const RUN_SCORES: &str = "evaluation_run_scores";

/// Feeds one packed score row into a run's digest: every stored value, each length-prefixed
/// (floats by their bits), so that any change to any value changes the digest.
fn feed_score(h: &mut Sha256, s: &EvalScoreRow) {
    let mut field = |b: &[u8]| {
        h.update((b.len() as u64).to_le_bytes());
        h.update(b);
    };
    field(s.id.as_bytes());
    field(s.run_id.as_bytes());
    field(s.target.as_bytes());
    field(s.target_kind.as_bytes());
    field(s.target_name.as_bytes());
    field(s.region.as_bytes());
    field(s.rank_group.as_bytes());
    field(&s.score.to_bits().to_le_bytes());
    field(s.grade.as_bytes());
    field(&s.rank.to_le_bytes());
    field(&s.rank_of.to_le_bytes());
    field(s.dimensions.as_bytes());
    field(&s.unscored.to_le_bytes());
    field(s.packed.as_deref().unwrap_or("").as_bytes());
}

/// For `verify`: the digest of every run's packed score rows (read in id order, as saved),
/// handed to `row` as (run id, digest).
pub(super) async fn verify_packed_scores(
    tx: &mut super::kernel::Tx<'_>,
    row: &mut (dyn FnMut(&str, &str) + Send),
) -> Result<()> {
    use futures_util::TryStreamExt;
    let mut runs: std::collections::BTreeMap<String, Sha256> = Default::default();
    let mut rows =
        sqlx::query("SELECT * FROM evaluation_scores WHERE packed IS NOT NULL ORDER BY id")
            .fetch(&mut **tx);
    while let Some(r) = rows.try_next().await? {
        match score_from_row(&r) {
            Ok(s) => feed_score(runs.entry(s.run_id.to_string()).or_default(), &s),
            // A row that no longer decodes was edited behind the platform's back.
            Err(_) => {
                let run = r
                    .try_get::<UuidCol, _>("run_id")
                    .map(|u| dec(u).to_string())
                    .unwrap_or_else(|_| "<无法解读的主键>".to_string());
                runs.entry(run).or_default().update(b"\0undecodable");
            }
        }
    }
    drop(rows);
    for (run, h) in runs {
        row(&run, &hex::encode(h.finalize()));
    }
    Ok(())
}

pub(super) fn item_from_row(r: &DbRow) -> Result<EvalItemRow> {
    Ok(EvalItemRow {
        id: dec(r.try_get("id")?),
        run_id: dec(r.try_get("run_id")?),
        target: r.try_get("target")?,
        indicator: r.try_get("indicator")?,
        dimension: r.try_get("dimension")?,
        value: r.try_get("value")?,
        points: r.try_get("points")?,
        weight: r.try_get("weight")?,
        status: r.try_get("status")?,
        note: r.try_get("note")?,
        inputs: r.try_get("inputs")?,
    })
}

pub(super) fn warning_from_row(r: &DbRow) -> Result<EvalWarningRow> {
    Ok(EvalWarningRow {
        id: dec(r.try_get("id")?),
        run_id: r.try_get::<Option<UuidCol>, _>("run_id")?.map(dec),
        period: r.try_get("period")?,
        target: r.try_get("target")?,
        target_name: r.try_get("target_name")?,
        region: r.try_get("region")?,
        kind: r.try_get("kind")?,
        message: r.try_get("message")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(super) fn import_from_row(r: &DbRow) -> Result<EvalImportRow> {
    Ok(EvalImportRow {
        id: dec(r.try_get("id")?),
        indicator: r.try_get("indicator")?,
        target: r.try_get("target")?,
        period: r.try_get("period")?,
        value: r.try_get("value")?,
        provider: r.try_get("provider")?,
        file_name: r.try_get("file_name")?,
        row_no: r.try_get("row_no")?,
        imported_by: r.try_get("imported_by")?,
        imported_at: r.try_get("imported_at")?,
        version: r.try_get("version")?,
    })
}

/// Rows per multi-row INSERT (kept under both backends' bind limits).
const CHUNK: usize = 400;
/// Score rows per multi-row INSERT (14 binds each: 28,000, under both backends' limits).
const SCORE_CHUNK: usize = 2000;

async fn insert_warnings(
    tx: &mut super::kernel::Tx<'_>,
    log: &mut PendingLog,
    rows: &[EvalWarningRow],
) -> Result<()> {
    for part in rows.chunks(CHUNK) {
        let part: Vec<EvalWarningRow> = part
            .iter()
            .map(|w| EvalWarningRow {
                created_at: micros(w.created_at),
                ..w.clone()
            })
            .collect();
        let mut q = sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO evaluation_warnings (id, run_id, period, target, target_name, region, \
             kind, message, created_at) ",
        );
        q.push_values(&part, |mut b, w| {
            b.push_bind(enc(w.id))
                .push_bind(w.run_id.map(enc))
                .push_bind(w.period.clone())
                .push_bind(w.target.clone())
                .push_bind(w.target_name.clone())
                .push_bind(w.region.clone())
                .push_bind(w.kind.clone())
                .push_bind(w.message.clone())
                .push_bind(w.created_at);
        });
        q.build().execute(&mut **tx).await?;
        for w in &part {
            log.push(entry(
                "evaluation_warning",
                w.id.to_string(),
                "create",
                state_digest(w)?,
            ));
        }
    }
    Ok(())
}

#[async_trait]
impl EvaluationStore for Inner {
    async fn put_eval_system(&self, actor: &str, s: &EvalSystemRow) -> Result<bool> {
        let s = EvalSystemRow {
            loaded_at: micros(s.loaded_at),
            ..s.clone()
        };
        let (mut tx, mut head) = begin_write(self).await?;
        let existing: Option<String> =
            sqlx::query_scalar("SELECT digest FROM evaluation_systems WHERE version = $1")
                .bind(&s.version)
                .fetch_optional(&mut *tx)
                .await?;
        match existing {
            Some(d) if d == s.digest => return Ok(false),
            Some(_) => {
                return Err(StoreError::Invalid(format!(
                    "指标体系版本“{}”已以不同内容载入：修改指标体系须使用新的版本号",
                    s.version
                )))
            }
            None => {}
        }
        sqlx::query(
            "INSERT INTO evaluation_systems (version, name, digest, text, loaded_by, loaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&s.version)
        .bind(&s.name)
        .bind(&s.digest)
        .bind(&s.text)
        .bind(&s.loaded_by)
        .bind(s.loaded_at)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            &mut head,
            actor,
            "evaluation_system",
            &s.version,
            "create",
            Some(state_digest(&s)?),
        )
        .await?;
        commit(tx, head).await?;
        Ok(true)
    }

    async fn eval_system(&self, version: &str) -> Result<Option<EvalSystemRow>> {
        sqlx::query("SELECT * FROM evaluation_systems WHERE version = $1")
            .bind(version)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(system_from_row)
            .transpose()
    }

    async fn save_eval_run(&self, actor: &str, save: EvalRunSave) -> Result<EvalRunRow> {
        let (mut tx, mut head) = begin_write(self).await?;
        let last: Option<i32> =
            sqlx::query_scalar("SELECT MAX(run_version) FROM evaluation_runs WHERE period = $1")
                .bind(&save.run.period)
                .fetch_one(&mut *tx)
                .await?;
        let run = EvalRunRow {
            run_version: last.unwrap_or(0) + 1,
            published: false,
            published_at: None,
            published_by: None,
            created_at: micros(save.run.created_at),
            version: 1,
            ..save.run.clone()
        };
        sqlx::query(
            "INSERT INTO evaluation_runs (id, period, period_kind, system_version, run_version, \
             published, published_at, published_by, as_of, note, targets, created_by, \
             created_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(enc(run.id))
        .bind(&run.period)
        .bind(&run.period_kind)
        .bind(&run.system_version)
        .bind(run.run_version)
        .bind(run.published)
        .bind(run.published_at)
        .bind(&run.published_by)
        .bind(run.as_of)
        .bind(&run.note)
        .bind(run.targets)
        .bind(&run.created_by)
        .bind(run.created_at)
        .bind(run.version)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            &mut head,
            actor,
            "evaluation_run",
            &run.id.to_string(),
            "create",
            Some(state_digest(&run)?),
        )
        .await?;
        let mut log = PendingLog::default();
        let mut scores: Vec<EvalScoreRow> = save
            .scores
            .into_iter()
            .map(|s| EvalScoreRow {
                run_id: run.id,
                ..s
            })
            .collect();
        scores.sort_by_key(|s| s.id);
        let mut packed = Sha256::new();
        let mut any_packed = false;
        for part in scores.chunks(SCORE_CHUNK) {
            let mut q = sqlx::QueryBuilder::<Db>::new(
                "INSERT INTO evaluation_scores (id, run_id, target, target_kind, target_name, \
                 region, rank_group, score, grade, rank, rank_of, dimensions, unscored, packed) ",
            );
            q.push_values(part, |mut b, s| {
                b.push_bind(enc(s.id))
                    .push_bind(enc(run.id))
                    .push_bind(s.target.as_str())
                    .push_bind(s.target_kind.as_str())
                    .push_bind(s.target_name.as_str())
                    .push_bind(s.region.as_str())
                    .push_bind(s.rank_group.as_str())
                    .push_bind(s.score)
                    .push_bind(s.grade.as_str())
                    .push_bind(s.rank)
                    .push_bind(s.rank_of)
                    .push_bind(s.dimensions.as_str())
                    .push_bind(s.unscored)
                    .push_bind(s.packed.as_deref());
            });
            q.build().execute(&mut *tx).await?;
            for s in part {
                if s.packed.is_some() {
                    // Packed rows: one entry for the run (below).
                    feed_score(&mut packed, s);
                    any_packed = true;
                } else {
                    log.push(entry(
                        "evaluation_score",
                        s.id.to_string(),
                        "create",
                        state_digest(s)?,
                    ));
                }
            }
        }
        if any_packed {
            append(
                &mut tx,
                &mut head,
                actor,
                RUN_SCORES,
                &run.id.to_string(),
                "create",
                Some(hex::encode(packed.finalize())),
            )
            .await?;
        }
        for part in save.items.chunks(CHUNK) {
            let mut q = sqlx::QueryBuilder::<Db>::new(
                "INSERT INTO evaluation_items (id, run_id, target, indicator, dimension, value, \
                 points, weight, status, note, inputs) ",
            );
            q.push_values(part, |mut b, i| {
                b.push_bind(enc(i.id))
                    .push_bind(enc(run.id))
                    .push_bind(i.target.clone())
                    .push_bind(i.indicator.clone())
                    .push_bind(i.dimension.clone())
                    .push_bind(i.value)
                    .push_bind(i.points)
                    .push_bind(i.weight)
                    .push_bind(i.status.clone())
                    .push_bind(i.note.clone())
                    .push_bind(i.inputs.clone());
            });
            q.build().execute(&mut *tx).await?;
            for i in part {
                let i = EvalItemRow {
                    run_id: run.id,
                    ..i.clone()
                };
                log.push(entry(
                    "evaluation_item",
                    i.id.to_string(),
                    "create",
                    state_digest(&i)?,
                ));
            }
        }
        let warnings: Vec<EvalWarningRow> = save
            .warnings
            .iter()
            .map(|w| EvalWarningRow {
                run_id: Some(run.id),
                ..w.clone()
            })
            .collect();
        insert_warnings(&mut tx, &mut log, &warnings).await?;
        insert_notifications_tx(&mut tx, &mut log, &save.notifications).await?;
        log.flush_grouped(
            &mut tx,
            &mut head,
            actor,
            &format!("evaluation_run:{}", run.id),
        )
        .await?;
        commit(tx, head).await?;
        Ok(run)
    }

    async fn publish_eval_run(
        &self,
        actor: &str,
        id: Uuid,
        expected_version: i64,
        at: DateTime<Utc>,
    ) -> Result<EvalRunRow> {
        let (mut tx, mut head) = begin_write(self).await?;
        let done = sqlx::query(
            "UPDATE evaluation_runs SET published = $1, published_at = $2, published_by = $3, \
             version = version + 1 WHERE id = $4 AND version = $5 AND published = $6",
        )
        .bind(true)
        .bind(micros(at))
        .bind(actor)
        .bind(enc(id))
        .bind(expected_version)
        .bind(false)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                expected: expected_version,
                current: -1,
            });
        }
        let row = sqlx::query("SELECT * FROM evaluation_runs WHERE id = $1")
            .bind(enc(id))
            .fetch_one(&mut *tx)
            .await?;
        let run = run_from_row(&row)?;
        append(
            &mut tx,
            &mut head,
            actor,
            "evaluation_run",
            &id.to_string(),
            "update",
            Some(state_digest(&run)?),
        )
        .await?;
        commit(tx, head).await?;
        Ok(run)
    }

    async fn eval_run(&self, id: Uuid) -> Result<Option<EvalRunRow>> {
        sqlx::query("SELECT * FROM evaluation_runs WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(run_from_row)
            .transpose()
    }

    async fn eval_runs(&self, period: Option<&str>, limit: i64) -> Result<Vec<EvalRunRow>> {
        let mut q = sqlx::QueryBuilder::<Db>::new("SELECT * FROM evaluation_runs WHERE 1 = 1");
        if let Some(p) = period {
            q.push(" AND period = ").push_bind(p.to_string());
        }
        q.push(" ORDER BY created_at DESC, run_version DESC LIMIT ")
            .push_bind(limit.clamp(1, 1000));
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(run_from_row).collect()
    }

    async fn eval_scores(&self, run_id: Uuid, f: &EvalScoreFilter) -> Result<Vec<EvalScoreRow>> {
        let mut q =
            sqlx::QueryBuilder::<Db>::new("SELECT * FROM evaluation_scores WHERE run_id = ");
        q.push_bind(enc(run_id));
        if let Some(k) = &f.target_kind {
            q.push(" AND target_kind = ").push_bind(k.clone());
        }
        if let Some(t) = &f.target {
            q.push(" AND target = ").push_bind(t.clone());
        }
        if let Some(p) = f.region_prefix.as_deref().filter(|p| !p.is_empty()) {
            q.push(" AND region LIKE ")
                .push_bind(format!("{}%", escape_like(p)))
                .push(" ESCAPE '\\'");
        }
        q.push(" ORDER BY target_kind, rank, target");
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(score_from_row).collect()
    }

    async fn eval_items(&self, run_id: Uuid, target: &str) -> Result<Vec<EvalItemRow>> {
        let rows = sqlx::query(
            "SELECT * FROM evaluation_items WHERE run_id = $1 AND target = $2 ORDER BY indicator",
        )
        .bind(enc(run_id))
        .bind(target)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(item_from_row).collect()
    }

    async fn eval_history(&self, target: &str, period_kind: &str) -> Result<Vec<EvalHistoryPoint>> {
        let rows = sqlx::query(
            "SELECT r.period, r.run_version, r.published, s.score FROM evaluation_scores s \
             JOIN evaluation_runs r ON r.id = s.run_id \
             WHERE s.target = $1 AND r.period_kind = $2 ORDER BY r.period, r.run_version",
        )
        .bind(target)
        .bind(period_kind)
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<(EvalHistoryPoint, bool)> = Vec::new();
        for r in rows {
            let p = EvalHistoryPoint {
                period: r.try_get("period")?,
                run_version: r.try_get("run_version")?,
                score: r.try_get("score")?,
            };
            let published: bool = r.try_get("published")?;
            match out.last_mut() {
                Some((last, last_pub)) if last.period == p.period => {
                    if published || !*last_pub {
                        *last = p;
                        *last_pub = published;
                    }
                }
                _ => out.push((p, published)),
            }
        }
        Ok(out.into_iter().map(|(p, _)| p).collect())
    }

    async fn eval_period_totals(&self, period: &str) -> Result<Vec<(String, f64)>> {
        let runs = self.eval_runs(Some(period), 1000).await?;
        let chosen = runs
            .iter()
            .filter(|r| r.published)
            .max_by_key(|r| r.run_version)
            .or_else(|| runs.iter().max_by_key(|r| r.run_version));
        let Some(run) = chosen else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query("SELECT target, score FROM evaluation_scores WHERE run_id = $1")
            .bind(enc(run.id))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("target")?, r.try_get("score")?)))
            .collect()
    }

    async fn put_eval_imports(&self, actor: &str, rows: &[EvalImportRow]) -> Result<usize> {
        if rows.is_empty() {
            return Ok(0);
        }
        let (mut tx, mut head) = begin_write(self).await?;
        let mut log = PendingLog::default();
        for r in rows {
            let before = sqlx::query(
                "SELECT * FROM evaluation_imports WHERE indicator = $1 AND target = $2 \
                 AND period = $3",
            )
            .bind(&r.indicator)
            .bind(&r.target)
            .bind(&r.period)
            .fetch_optional(&mut *tx)
            .await?;
            let (row, action) = match before.as_ref().map(import_from_row).transpose()? {
                Some(b) => {
                    let row = EvalImportRow {
                        id: b.id,
                        version: b.version + 1,
                        imported_at: micros(r.imported_at),
                        ..r.clone()
                    };
                    sqlx::query(
                        "UPDATE evaluation_imports SET value = $1, provider = $2, \
                         file_name = $3, row_no = $4, imported_by = $5, imported_at = $6, \
                         version = $7 WHERE id = $8",
                    )
                    .bind(row.value)
                    .bind(&row.provider)
                    .bind(&row.file_name)
                    .bind(row.row_no)
                    .bind(&row.imported_by)
                    .bind(row.imported_at)
                    .bind(row.version)
                    .bind(enc(row.id))
                    .execute(&mut *tx)
                    .await?;
                    (row, "update")
                }
                None => {
                    let row = EvalImportRow {
                        version: 1,
                        imported_at: micros(r.imported_at),
                        ..r.clone()
                    };
                    sqlx::query(
                        "INSERT INTO evaluation_imports (id, indicator, target, period, value, \
                         provider, file_name, row_no, imported_by, imported_at, version) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    )
                    .bind(enc(row.id))
                    .bind(&row.indicator)
                    .bind(&row.target)
                    .bind(&row.period)
                    .bind(row.value)
                    .bind(&row.provider)
                    .bind(&row.file_name)
                    .bind(row.row_no)
                    .bind(&row.imported_by)
                    .bind(row.imported_at)
                    .bind(row.version)
                    .execute(&mut *tx)
                    .await?;
                    (row, "create")
                }
            };
            log.push(entry(
                "evaluation_import",
                row.id.to_string(),
                action,
                state_digest(&row)?,
            ));
        }
        log.flush(&mut tx, &mut head, actor).await?;
        commit(tx, head).await?;
        Ok(rows.len())
    }

    async fn eval_imports(&self, period: &str) -> Result<Vec<EvalImportRow>> {
        let rows = sqlx::query(
            "SELECT * FROM evaluation_imports WHERE period = $1 ORDER BY indicator, target",
        )
        .bind(period)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(import_from_row).collect()
    }

    async fn eval_warnings(&self, region_prefix: &str, limit: i64) -> Result<Vec<EvalWarningRow>> {
        let rows = sqlx::query(
            "SELECT * FROM evaluation_warnings WHERE region LIKE $1 ESCAPE '\\' \
             ORDER BY created_at DESC, id LIMIT $2",
        )
        .bind(format!("{}%", escape_like(region_prefix)))
        .bind(limit.clamp(1, 1000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(warning_from_row).collect()
    }

    async fn add_eval_warnings(
        &self,
        actor: &str,
        warnings: &[EvalWarningRow],
        notifications: &[NotificationRow],
    ) -> Result<usize> {
        if warnings.is_empty() {
            return Ok(0);
        }
        let (mut tx, mut head) = begin_write(self).await?;
        let mut log = PendingLog::default();
        // An event warns once: its notification's dedup key decides.
        let ids = insert_notifications_tx(&mut tx, &mut log, notifications).await?;
        if ids.is_empty() && !notifications.is_empty() {
            return Ok(0);
        }
        insert_warnings(&mut tx, &mut log, warnings).await?;
        log.flush(&mut tx, &mut head, actor).await?;
        commit(tx, head).await?;
        Ok(warnings.len())
    }
}
