//! 我的报送批次: a department's (or a region's) batches newest first, and what each batch's
//! records entered with (published, not to be published, already past their period).

use super::*;
use crate::{BatchFilter, BatchPublication};

fn push_filter(q: &mut QueryBuilder<'_, Db>, filter: &BatchFilter) {
    match filter {
        BatchFilter::Dept(d) => {
            q.push(" WHERE source_dept = ").push_bind(d.clone());
        }
        BatchFilter::RegionPrefix(p) => {
            q.push(" WHERE substr(source_dept, 3, 6) LIKE ")
                .push_bind(format!("{}%", super::super::escape_like(p)))
                .push(" ESCAPE '\\'");
        }
    }
}

pub(super) async fn page(
    db: &Inner,
    filter: &BatchFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Batch>, i64)> {
    let mut q = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM batches");
    push_filter(&mut q, filter);
    let total: i64 = q.build_query_scalar().fetch_one(&db.pool).await?;
    let mut q = QueryBuilder::<Db>::new("SELECT * FROM batches");
    push_filter(&mut q, filter);
    q.push(" ORDER BY submitted_at DESC, id DESC LIMIT ")
        .push_bind(limit.clamp(1, 200))
        .push(" OFFSET ")
        .push_bind(offset.max(0));
    let rows = q.build().fetch_all(&db.pool).await?;
    let batches = rows
        .iter()
        .map(batch_from_row)
        .collect::<Result<Vec<_>>>()?;
    Ok((batches, total))
}

pub(super) async fn publication(db: &Inner, ids: &[Uuid]) -> Result<Vec<(Uuid, BatchPublication)>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let row = sqlx::query(
            "SELECT \
               COALESCE(SUM(CASE WHEN published_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS published, \
               COALESCE(SUM(CASE WHEN published_at IS NULL AND publish_until IS NOT NULL \
                 AND publish_until <= decision_date THEN 1 ELSE 0 END), 0) AS not_published, \
               COALESCE(SUM(CASE WHEN published_at IS NULL AND (publish_until IS NULL \
                 OR publish_until > decision_date) THEN 1 ELSE 0 END), 0) AS past_period \
             FROM records WHERE batch_id = $1",
        )
        .bind(enc(*id))
        .fetch_one(&db.pool)
        .await?;
        out.push((
            *id,
            BatchPublication {
                published: row.try_get::<i64, _>("published")?,
                not_published: row.try_get::<i64, _>("not_published")?,
                past_period: row.try_get::<i64, _>("past_period")?,
            },
        ));
    }
    Ok(out)
}

/// Only a committed batch's records are shown (an open batch's are staged, invisible).
const COMMITTED: &str =
    "batch_id IN (SELECT id FROM batches WHERE id = $1 AND state = 'committed')";

pub(super) async fn records(
    db: &Inner,
    id: Uuid,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Record>, i64)> {
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM records WHERE batch_id = $1 AND {COMMITTED}"
    ))
    .bind(enc(id))
    .fetch_one(&db.pool)
    .await?;
    let rows = sqlx::query(&format!(
        "SELECT * FROM records WHERE batch_id = $1 AND {COMMITTED} ORDER BY doc_no LIMIT $2 OFFSET $3"
    ))
    .bind(enc(id))
    .bind(limit.clamp(1, 200))
    .bind(offset.max(0))
    .fetch_all(&db.pool)
    .await?;
    let records = rows
        .iter()
        .map(record_from_row)
        .collect::<Result<Vec<_>>>()?;
    Ok((records, total))
}
