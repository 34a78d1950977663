//! Subject search for Chinese names (issue 17): a CJK gram index kept beside `subjects`.
//!
//! Why grams in plain tables rather than FTS5 / GIN / a search library: the same tables and
//! the same SQL serve both backends (no FTS5 tokenizer to ship, no `pg_trgm`, which cannot
//! serve two-character queries, no second store to keep in step with transactions); the
//! posting list of a gram is a B-tree range of a primary key.
//!
//! - `subject_search (sk, subject_id, rank, person, folded)`: each indexed subject's small
//!   integer key, the length of its folded name (`rank`), and its name and former names, each
//!   folded by `search_fold`, joined by a space.
//! - `subject_grams (gram, rank, sk, person)`: every unigram, bigram and trigram of those
//!   folded names (`chengxin_domain::names::search_grams`).
//!   A posting list read in key order gives the shortest names first (the closest matches:
//!   the exact name before the names that contain it), so a page is the head of one list.
//! - `gram_counts (gram, total, persons)`: each list's length, kept with every write.
//!
//! A query of up to three characters is its own gram: its posting list is the answer and its
//! total is the gram's count (exact, one row). A longer one is read through its rarest
//! trigram (chosen from `gram_counts` in one statement), confirmed with the folded text
//! containing the folded query, so results are exact, and counted up to [`COUNT_CAP`] ("more
//! than" beyond it).
//! Derived data: not in the change log (`verify` covers the subjects they come from).
//!
//! A subject written on its own (the console, the API, a staff import) is indexed in its own
//! transaction. A batch's new subjects are indexed **after** the batch is published
//! ([`queue_batch`], [`index_published`]): some 27 posting rows a subject, spread over the
//! whole gram index, cost more than storing the subject and its record, and an import that
//! waited for them published at a third of its rate. Published, the batch's records count in
//! checks at once; its new subjects are found by a name search shortly after (BENCHMARKS.md
//! gives the catch-up rate), and the search pages say how many are still waiting ([`pending`]).
//! The index therefore only ever holds visible subjects.

use std::collections::BTreeMap;

use chengxin_domain::names::{query_grams, search_fold, search_grams, subject_grams, GRAM_MAX};
use chengxin_domain::subjects::{Subject, SubjectKind};
use sqlx::{QueryBuilder, Row};
use uuid::Uuid;

use super::kernel::{begin_write, commit, Tx};
use super::subjects::subject_from_row;
use super::{dec, enc, escape_like, Db, Inner, UuidCol, VISIBLE};
use crate::error::Result;
use crate::{SubjectPage, SubjectSearch};

/// Rows per multi-row statement (two binds each).
const ROWS: usize = 1000;
/// A longer query's matches are counted up to this many (then "more than").
pub const COUNT_CAP: i64 = 10_000;

/// What the index keeps of one subject.
pub(super) struct Indexed {
    id: Uuid,
    person: bool,
    /// The length of the folded current name: shorter names come first in a posting list.
    rank: i64,
    text: String,
    grams: Vec<String>,
}

impl Indexed {
    pub(super) fn of(s: &Subject) -> Self {
        Self::from_names(s.id, s.kind.is_person(), &s.name, &s.former_names)
    }

    fn from_names(id: Uuid, person: bool, name: &str, former: &[String]) -> Self {
        let names = || std::iter::once(name).chain(former.iter().map(String::as_str));
        Self {
            id,
            person,
            rank: search_fold(name).chars().count() as i64,
            text: chengxin_domain::names::subject_search_text(names()),
            grams: subject_grams(names()),
        }
    }
}

/// Index subjects that have no index rows yet: their keys, texts, posting rows (sorted by
/// key: written in key order, each gram's new postings land side by side, so a large write
/// dirties each index page once instead of once per row) and the grams' counts.
pub(super) async fn insert(tx: &mut Tx<'_>, items: &[Indexed]) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let last: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(sk), 0) FROM subject_search")
        .fetch_one(&mut **tx)
        .await?;
    let keyed: Vec<(i64, &Indexed)> = items.iter().zip(last + 1..).map(|(i, k)| (k, i)).collect();
    for part in keyed.chunks(ROWS) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO subject_search (sk, subject_id, rank, person, folded) ",
        );
        q.push_values(part, |mut b, (sk, i)| {
            b.push_bind(*sk)
                .push_bind(enc(i.id))
                .push_bind(i.rank)
                .push_bind(i.person)
                .push_bind(i.text.clone());
        });
        q.build().execute(&mut **tx).await?;
    }
    let mut postings: Vec<Posting<'_>> = keyed
        .iter()
        .flat_map(|(sk, i)| {
            i.grams
                .iter()
                .map(move |g| (g.as_str(), i.rank, *sk, i.person))
        })
        .collect();
    postings.sort_unstable();
    super::bulk::insert_postings(tx, &postings).await?;
    add_counts(tx, &postings, 1).await
}

/// A posting row: gram, rank, key, person.
pub(crate) type Posting<'a> = (&'a str, i64, i64, bool);

/// Add (`sign` 1) or take away (`sign` -1) these postings from their grams' counts.
async fn add_counts(tx: &mut Tx<'_>, postings: &[Posting<'_>], sign: i64) -> Result<()> {
    let mut counts: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for (g, _, _, person) in postings {
        let c = counts.entry(g).or_default();
        c.0 += sign;
        c.1 += sign * i64::from(*person);
    }
    let counts: Vec<_> = counts.into_iter().collect();
    for part in counts.chunks(ROWS) {
        let mut q = QueryBuilder::<Db>::new("INSERT INTO gram_counts (gram, total, persons) ");
        q.push_values(part, |mut b, (g, (total, persons))| {
            b.push_bind(g.to_string())
                .push_bind(*total)
                .push_bind(*persons);
        });
        q.push(
            " ON CONFLICT (gram) DO UPDATE SET total = gram_counts.total + excluded.total, \
             persons = gram_counts.persons + excluded.persons",
        );
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Remove the index rows of these subjects (their grams found from their folded text, so each
/// posting is deleted through the primary key) and take them from the counts.
pub(super) async fn remove(tx: &mut Tx<'_>, ids: &[Uuid]) -> Result<()> {
    for part in ids.chunks(ROWS) {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT sk, rank, person, folded FROM subject_search WHERE subject_id IN (",
        );
        let mut sep = q.separated(", ");
        for id in part {
            sep.push_bind(enc(*id));
        }
        q.push(")");
        let rows = q.build().fetch_all(&mut **tx).await?;
        let mut owned: Vec<(String, i64, i64, bool)> = Vec::new();
        let mut keys = Vec::with_capacity(rows.len());
        for r in &rows {
            let sk: i64 = r.try_get("sk")?;
            let rank = i64::from(r.try_get::<i32, _>("rank")?);
            let person: bool = r.try_get("person")?;
            let folded: String = r.try_get("folded")?;
            let mut grams: Vec<String> = folded.split(' ').flat_map(search_grams).collect();
            grams.sort();
            grams.dedup();
            owned.extend(grams.into_iter().map(|g| (g, rank, sk, person)));
            keys.push(sk);
        }
        let postings: Vec<Posting<'_>> = owned
            .iter()
            .map(|(g, rank, sk, person)| (g.as_str(), *rank, *sk, *person))
            .collect();
        for chunk in postings.chunks(ROWS) {
            let mut q =
                QueryBuilder::<Db>::new("DELETE FROM subject_grams WHERE (gram, rank, sk) IN (");
            let mut sep = q.separated(", ");
            for (g, rank, sk, _) in chunk {
                sep.push("(")
                    .push_bind_unseparated(g.to_string())
                    .push_unseparated(", ")
                    .push_bind_unseparated(*rank)
                    .push_unseparated(", ")
                    .push_bind_unseparated(*sk)
                    .push_unseparated(")");
            }
            q.push(")");
            q.build().execute(&mut **tx).await?;
        }
        add_counts(tx, &postings, -1).await?;
        for chunk in keys.chunks(ROWS) {
            let mut q = QueryBuilder::<Db>::new("DELETE FROM subject_search WHERE sk IN (");
            let mut sep = q.separated(", ");
            for sk in chunk {
                sep.push_bind(*sk);
            }
            q.push(")");
            q.build().execute(&mut **tx).await?;
        }
    }
    Ok(())
}

/// Re-index one subject (after a rename).
pub(super) async fn replace(tx: &mut Tx<'_>, s: &Subject) -> Result<()> {
    remove(tx, &[s.id]).await?;
    insert(tx, &[Indexed::of(s)]).await
}

/// Index the visible subjects that have no index rows (all of them after migration 0033
/// rebuilt the index), walking `subjects` once in id order in chunks of their own
/// transactions; how many were indexed. Not the staged subjects of a batch still open
/// (another process's import): they are indexed once it is published.
pub(super) async fn backfill(db: &Inner) -> Result<usize> {
    let mut done = 0;
    let mut after: Option<Uuid> = None;
    loop {
        let mut q = QueryBuilder::<Db>::new(format!(
            "SELECT id, kind, name, former_names FROM subjects s WHERE NOT EXISTS \
             (SELECT 1 FROM subject_search f WHERE f.subject_id = s.id) AND {VISIBLE}"
        ));
        if let Some(a) = after {
            q.push(" AND s.id > ").push_bind(enc(a));
        }
        q.push(" ORDER BY s.id LIMIT 5000");
        let rows = q.build().fetch_all(&db.pool).await?;
        if rows.is_empty() {
            return Ok(done);
        }
        let items = rows
            .iter()
            .map(indexed_from_row)
            .collect::<Result<Vec<_>>>()?;
        after = items.last().map(|i| i.id);
        let (mut tx, head) = begin_write(db).await?;
        // Indexed meanwhile by another writer (a rename): skipped.
        let mut fresh = Vec::with_capacity(items.len());
        for i in items {
            let known: Option<i64> =
                sqlx::query_scalar("SELECT sk FROM subject_search WHERE subject_id = $1")
                    .bind(enc(i.id))
                    .fetch_optional(&mut *tx)
                    .await?;
            if known.is_none() {
                fresh.push(i);
            }
        }
        insert(&mut tx, &fresh).await?;
        commit(tx, head).await?;
        done += fresh.len();
    }
}

/// Queue the new subjects of a batch being published (in its publishing transaction).
pub(super) async fn queue_batch(tx: &mut Tx<'_>, batch: Uuid, subjects: i64) -> Result<()> {
    if subjects > 0 {
        sqlx::query(
            "INSERT INTO search_pending (batch_id, after_id, remaining) VALUES ($1, NULL, $2)",
        )
        .bind(enc(batch))
        .bind(subjects)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// One step of the indexer: up to `step` new subjects of the oldest published batch still
/// waiting, indexed in one transaction with the batch's place moved on. How many were indexed;
/// 0 when nothing waits. Subjects already indexed (renamed meanwhile) are skipped; subjects
/// gone are simply not found. Resumable: a crash loses at most the step under way.
pub(super) async fn index_published(db: &Inner, step: i64) -> Result<usize> {
    loop {
        let (mut tx, head) = begin_write(db).await?;
        let Some(row) =
            sqlx::query("SELECT batch_id, after_id FROM search_pending ORDER BY batch_id LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?
        else {
            return Ok(0);
        };
        let batch: Uuid = dec(row.try_get::<UuidCol, _>("batch_id")?);
        let after: Option<UuidCol> = row.try_get("after_id")?;
        let mut q = QueryBuilder::<Db>::new(
            "SELECT id, kind, name, former_names FROM subjects s WHERE batch_id = ",
        );
        q.push_bind(enc(batch));
        if let Some(a) = after {
            q.push(" AND id > ").push_bind(a);
        }
        // The batch's own index walk only: an anti-join against `subject_search` in the same
        // statement let PostgreSQL plan a scan of the whole index (about 1 s a step at 1 M).
        // The few already indexed (renamed meanwhile) are dropped below by their key.
        q.push(" ORDER BY id LIMIT ").push_bind(step.max(1));
        let rows = q.build().fetch_all(&mut *tx).await?;
        if rows.is_empty() {
            sqlx::query("DELETE FROM search_pending WHERE batch_id = $1")
                .bind(enc(batch))
                .execute(&mut *tx)
                .await?;
            commit(tx, head).await?;
            continue;
        }
        let items = rows
            .iter()
            .map(indexed_from_row)
            .collect::<Result<Vec<_>>>()?;
        let last = items.last().map(|i| i.id).unwrap_or_default();
        let walked = items.len();
        let known = already_indexed(&mut tx, &items).await?;
        let fresh: Vec<Indexed> = items
            .into_iter()
            .filter(|i| !known.contains(&i.id))
            .collect();
        insert(&mut tx, &fresh).await?;
        sqlx::query(
            "UPDATE search_pending SET after_id = $1, \
             remaining = CASE WHEN remaining > $2 THEN remaining - $2 ELSE 0 END WHERE batch_id = $3",
        )
        .bind(enc(last))
        .bind(walked as i64)
        .bind(enc(batch))
        .execute(&mut *tx)
        .await?;
        commit(tx, head).await?;
        if !fresh.is_empty() {
            return Ok(fresh.len());
        }
    }
}

/// Which of `items` already have index rows, read by the unique `subject_id` key in chunks.
async fn already_indexed(
    tx: &mut Tx<'_>,
    items: &[Indexed],
) -> Result<std::collections::HashSet<Uuid>> {
    let mut known = std::collections::HashSet::new();
    for chunk in items.chunks(1000) {
        let mut q =
            QueryBuilder::<Db>::new("SELECT subject_id FROM subject_search WHERE subject_id IN (");
        let mut sep = q.separated(", ");
        for i in chunk {
            sep.push_bind(enc(i.id));
        }
        q.push(")");
        for r in q.build().fetch_all(&mut **tx).await? {
            known.insert(dec(r.try_get::<UuidCol, _>("subject_id")?));
        }
    }
    Ok(known)
}

/// How many new subjects of published batches are not yet searchable.
pub(super) async fn pending(db: &Inner) -> Result<i64> {
    Ok(
        sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(remaining), 0) AS BIGINT) FROM search_pending",
        )
        .fetch_one(&db.pool)
        .await?,
    )
}

fn indexed_from_row(r: &<Db as sqlx::Database>::Row) -> Result<Indexed> {
    let former: sqlx::types::Json<Vec<String>> = r.try_get("former_names")?;
    let kind: String = r.try_get("kind")?;
    Ok(Indexed::from_names(
        dec(r.try_get("id")?),
        SubjectKind::parse(&kind).is_some_and(SubjectKind::is_person),
        &r.try_get::<String, _>("name")?,
        &former.0,
    ))
}

/// The gram a query is read through (the query itself, or its rarest trigram, from
/// `gram_counts` in one statement) and that gram's count among the subjects asked for. `None` when a gram has
/// no posting at all (nothing can match).
async fn chosen_gram(db: &Inner, s: &SubjectSearch, folded: &str) -> Result<Option<(String, i64)>> {
    let grams = query_grams(folded);
    let mut q =
        QueryBuilder::<Db>::new("SELECT gram, total, persons FROM gram_counts WHERE gram IN (");
    let mut sep = q.separated(", ");
    for g in &grams {
        sep.push_bind(g.clone());
    }
    q.push(")");
    let rows = q.build().fetch_all(&db.pool).await?;
    if rows.len() < grams.len() {
        return Ok(None);
    }
    let mut best: Option<(String, i64)> = None;
    for r in &rows {
        let total: i64 = r.try_get("total")?;
        let persons: i64 = r.try_get("persons")?;
        let n = match (s.bodies_only, s.persons_only) {
            (true, _) => total - persons,
            (false, true) => persons,
            (false, false) => total,
        };
        if best.as_ref().is_none_or(|(_, b)| n < *b) {
            best = Some((r.try_get("gram")?, n));
        }
    }
    Ok(best.filter(|(_, n)| *n > 0))
}

/// The FROM and WHERE of a search read through `gram`.
fn push_from_where(q: &mut QueryBuilder<'_, Db>, s: &SubjectSearch, folded: &str, gram: &str) {
    let filtered = s.kind.is_some() || s.region_prefix.is_some();
    q.push(" FROM subject_grams g JOIN subject_search f ON f.sk = g.sk");
    if filtered {
        q.push(" JOIN subjects s ON s.id = f.subject_id");
    }
    q.push(" WHERE g.gram = ").push_bind(gram.to_string());
    if s.bodies_only {
        q.push(" AND NOT g.person");
    } else if s.persons_only {
        q.push(" AND g.person");
    }
    // Up to three characters are their own gram: the posting list is the answer.
    if folded.chars().count() > GRAM_MAX {
        q.push(" AND f.folded LIKE ")
            .push_bind(format!("%{}%", escape_like(folded)))
            .push(" ESCAPE '\\'");
    }
    if let Some(k) = s.kind {
        q.push(" AND s.kind = ").push_bind(k.as_str());
    }
    if let Some(p) = &s.region_prefix {
        q.push(" AND s.region LIKE ")
            .push_bind(format!("{}%", escape_like(p)))
            .push(" ESCAPE '\\'");
    }
}

/// A search: the page (shortest names first), and the total when `count`.
pub(super) async fn search(db: &Inner, s: &SubjectSearch, count: bool) -> Result<SubjectPage> {
    let folded = search_fold(&s.text);
    let mut page = SubjectPage {
        folded: folded.clone(),
        index_pending: pending(db).await?,
        ..Default::default()
    };
    if folded.is_empty() {
        return Ok(page);
    }
    let Some((gram, listed)) = chosen_gram(db, s, &folded).await? else {
        return Ok(page);
    };
    if count {
        let exact_list =
            folded.chars().count() <= GRAM_MAX && s.kind.is_none() && s.region_prefix.is_none();
        page.total = if exact_list {
            listed
        } else {
            let mut q = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM (SELECT 1");
            push_from_where(&mut q, s, &folded, &gram);
            q.push(" LIMIT ").push_bind(COUNT_CAP + 1).push(") t");
            let n: i64 = q
                .build_query_scalar()
                .persistent(super::LOOKUPS_PERSISTENT)
                .fetch_one(&db.pool)
                .await?;
            page.more_than = n > COUNT_CAP;
            n.min(COUNT_CAP)
        };
        if page.total == 0 {
            return Ok(page);
        }
    }
    let limit = if s.limit <= 0 { 50 } else { s.limit.min(1000) };
    let mut q = QueryBuilder::<Db>::new("SELECT f.subject_id");
    push_from_where(&mut q, s, &folded, &gram);
    q.push(" ORDER BY g.rank, g.sk LIMIT ").push_bind(limit);
    q.push(" OFFSET ").push_bind(s.offset.max(0));
    // Planned for this gram and pattern each time on PostgreSQL: a cached generic plan, made
    // without knowing how long the gram's list is, read `subject_search` by the pattern first
    // (~300 ms for a full name at 1,000,000 subjects, BENCHMARKS.md) instead of the list.
    let ids: Vec<UuidCol> = q
        .build_query_scalar()
        .persistent(super::LOOKUPS_PERSISTENT)
        .fetch_all(&db.pool)
        .await?;
    if ids.is_empty() {
        return Ok(page);
    }
    let mut q = QueryBuilder::<Db>::new("SELECT * FROM subjects WHERE id IN (");
    let mut sep = q.separated(", ");
    for id in &ids {
        sep.push_bind(*id);
    }
    q.push(")");
    let rows = q.build().fetch_all(&db.pool).await?;
    let mut found: std::collections::HashMap<Uuid, Subject> = rows
        .iter()
        .map(subject_from_row)
        .map(|r| r.map(|s| (s.id, s)))
        .collect::<Result<_>>()?;
    page.subjects = ids
        .into_iter()
        .filter_map(|id| found.remove(&dec(id)))
        .collect();
    Ok(page)
}
