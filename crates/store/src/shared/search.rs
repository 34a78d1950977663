//! Subject search for Chinese names (issue 17): a CJK gram index kept beside `subjects`.
//!
//! Why grams in plain tables rather than FTS5 / GIN / a search library: the same two tables
//! and the same SQL serve both backends (no FTS5 tokenizer to ship, no `pg_trgm`, which
//! cannot serve two-character queries, no second store to keep in step with transactions);
//! the posting list of a gram is the B-tree range `(gram, *)` of the primary key, written in
//! the same transaction as the subject, so a search never sees a subject its transaction has
//! not committed, and a voided batch takes its grams with it.
//!
//! - `subject_search (subject_id, folded)`: the subject's name and former names, each folded
//!   by `search_fold`, joined by a space.
//! - `subject_grams (gram, subject_id, person)`: every unigram and bigram of those folded
//!   names (`person` so that the portal's count of bodies is read from the key alone).
//!
//! A one-character query reads its unigram's posting list; a longer one reads the posting
//! lists of its two rarest bigrams (rarity probed with capped counts) and confirms with the
//! folded text containing the folded query, so the results and the count are exact.
//! Derived data: not in the change log (`verify` covers the subjects they come from).

use chengxin_domain::names::{query_grams, search_fold, search_grams, subject_grams};
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
/// A gram probe counts at most this many postings.
const PROBE_CAP: i64 = 1000;

/// What the index keeps of one subject.
pub(super) struct Indexed {
    id: Uuid,
    person: bool,
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
            text: chengxin_domain::names::subject_search_text(names()),
            grams: subject_grams(names()),
        }
    }
}

/// Index subjects that have no index rows yet.
pub(super) async fn insert(tx: &mut Tx<'_>, items: &[Indexed]) -> Result<()> {
    insert_texts(tx, items).await?;
    insert_postings(tx, &postings(items)).await
}

/// The posting rows of these subjects, sorted by the key `(gram, subject_id)`: written in key
/// order, each gram's new postings land side by side at the end of its list (v7 ids grow),
/// so a large sorted write dirties each index page once instead of once per row.
pub(super) fn postings(items: &[Indexed]) -> Vec<(&str, Uuid, bool)> {
    let mut pairs: Vec<(&str, Uuid, bool)> = items
        .iter()
        .flat_map(|i| i.grams.iter().map(move |g| (g.as_str(), i.id, i.person)))
        .collect();
    pairs.sort_unstable();
    pairs
}

impl Indexed {
    /// How many posting rows this subject has.
    pub(super) fn gram_count(&self) -> usize {
        self.grams.len()
    }
}

/// The folded text rows of these subjects (what a removal reads their grams back from).
pub(super) async fn insert_texts(tx: &mut Tx<'_>, items: &[Indexed]) -> Result<()> {
    for part in items.chunks(ROWS) {
        let mut q = QueryBuilder::<Db>::new("INSERT INTO subject_search (subject_id, folded) ");
        q.push_values(part, |mut b, i| {
            b.push_bind(enc(i.id)).push_bind(i.text.clone());
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Posting rows, in the order given (sorted by [`postings`]): the backend's bulk path
/// (multi-row INSERTs on SQLite, `COPY` on PostgreSQL).
pub(super) async fn insert_postings(tx: &mut Tx<'_>, pairs: &[(&str, Uuid, bool)]) -> Result<()> {
    super::bulk::insert_postings(tx, pairs).await
}

/// Remove the index rows of these subjects (their grams found from their folded text, so each
/// is deleted through the primary key).
pub(super) async fn remove(tx: &mut Tx<'_>, ids: &[Uuid]) -> Result<()> {
    for part in ids.chunks(ROWS) {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT subject_id, folded FROM subject_search WHERE subject_id IN (",
        );
        let mut sep = q.separated(", ");
        for id in part {
            sep.push_bind(enc(*id));
        }
        q.push(")");
        let rows = q.build().fetch_all(&mut **tx).await?;
        let mut pairs: Vec<(String, Uuid)> = Vec::new();
        for r in &rows {
            let id = dec(r.try_get::<UuidCol, _>("subject_id")?);
            let folded: String = r.try_get("folded")?;
            let mut grams: Vec<String> = folded.split(' ').flat_map(search_grams).collect();
            grams.sort();
            grams.dedup();
            pairs.extend(grams.into_iter().map(|g| (g, id)));
        }
        for chunk in pairs.chunks(ROWS) {
            let mut q =
                QueryBuilder::<Db>::new("DELETE FROM subject_grams WHERE (gram, subject_id) IN (");
            let mut sep = q.separated(", ");
            for (g, id) in chunk {
                sep.push("(")
                    .push_bind_unseparated(g.clone())
                    .push_unseparated(", ")
                    .push_bind_unseparated(enc(*id))
                    .push_unseparated(")");
            }
            q.push(")");
            q.build().execute(&mut **tx).await?;
        }
        let mut q = QueryBuilder::<Db>::new("DELETE FROM subject_search WHERE subject_id IN (");
        let mut sep = q.separated(", ");
        for id in part {
            sep.push_bind(enc(*id));
        }
        q.push(")");
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Re-index one subject (after a rename).
pub(super) async fn replace(tx: &mut Tx<'_>, s: &Subject) -> Result<()> {
    remove(tx, &[s.id]).await?;
    insert(tx, &[Indexed::of(s)]).await
}

/// Index the subjects that have no index rows (rows written before migration 0018), in
/// chunks of their own transactions; how many were indexed. Not the staged subjects of a batch
/// still open (another process's import): their writer indexes them before it publishes.
pub(super) async fn backfill(db: &Inner) -> Result<usize> {
    let mut done = 0;
    loop {
        let rows = sqlx::query(&format!(
            "SELECT id, kind, name, former_names FROM subjects s WHERE NOT EXISTS \
             (SELECT 1 FROM subject_search f WHERE f.subject_id = s.id) AND {VISIBLE} LIMIT 5000"
        ))
        .fetch_all(&db.pool)
        .await?;
        if rows.is_empty() {
            return Ok(done);
        }
        let mut items = Vec::with_capacity(rows.len());
        for r in &rows {
            let former: sqlx::types::Json<Vec<String>> = r.try_get("former_names")?;
            let kind: String = r.try_get("kind")?;
            items.push(Indexed::from_names(
                dec(r.try_get("id")?),
                SubjectKind::parse(&kind).is_some_and(SubjectKind::is_person),
                &r.try_get::<String, _>("name")?,
                &former.0,
            ));
        }
        let (mut tx, head) = begin_write(db).await?;
        insert(&mut tx, &items).await?;
        commit(tx, head).await?;
        done += items.len();
    }
}

/// The grams a query is read through: its unigram, or its two rarest bigrams. `None` when a
/// bigram has no posting at all (nothing can match).
async fn chosen_grams(db: &Inner, folded: &str) -> Result<Option<Vec<String>>> {
    let grams = query_grams(folded);
    if grams.len() <= 2 {
        return Ok(Some(grams));
    }
    let mut counted = Vec::with_capacity(grams.len());
    for g in grams {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM subject_grams WHERE gram = $1 LIMIT $2) t",
        )
        .bind(&g)
        .bind(PROBE_CAP)
        .fetch_one(&db.pool)
        .await?;
        if n == 0 {
            return Ok(None);
        }
        counted.push((n, g));
    }
    counted.sort();
    Ok(Some(counted.into_iter().take(2).map(|(_, g)| g).collect()))
}

fn push_where(q: &mut QueryBuilder<'_, Db>, s: &SubjectSearch, folded: &str, grams: &[String]) {
    q.push(" WHERE ").push(VISIBLE);
    for g in grams {
        q.push(" AND s.id IN (SELECT subject_id FROM subject_grams WHERE gram = ")
            .push_bind(g.clone())
            .push(")");
    }
    // Two characters are their own bigram: the posting list is the answer.
    if folded.chars().count() > 2 {
        q.push(" AND EXISTS (SELECT 1 FROM subject_search f WHERE f.subject_id = s.id AND f.folded LIKE ")
            .push_bind(format!("%{}%", escape_like(folded)))
            .push(" ESCAPE '\\')");
    }
    if let Some(k) = s.kind {
        q.push(" AND s.kind = ").push_bind(k.as_str());
    }
    if s.bodies_only {
        q.push(" AND s.kind NOT IN ('civil_servant', 'individual')");
    }
    if s.persons_only {
        q.push(" AND s.kind IN ('civil_servant', 'individual')");
    }
    if let Some(p) = &s.region_prefix {
        q.push(" AND s.region LIKE ")
            .push_bind(format!("{}%", escape_like(p)))
            .push(" ESCAPE '\\'");
    }
}

/// A search: the page, and the total when `count`.
pub(super) async fn search(db: &Inner, s: &SubjectSearch, count: bool) -> Result<SubjectPage> {
    let folded = search_fold(&s.text);
    let mut page = SubjectPage {
        folded: folded.clone(),
        ..Default::default()
    };
    if folded.is_empty() {
        return Ok(page);
    }
    let Some(grams) = chosen_grams(db, &folded).await? else {
        return Ok(page);
    };
    if count {
        let plain = grams.len() == 1
            && folded.chars().count() <= 2
            && s.kind.is_none()
            && s.region_prefix.is_none()
            && !s.persons_only;
        let open: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM batches WHERE state IN ('importing', 'failing'))",
        )
        .fetch_one(&db.pool)
        .await?;
        page.total = if plain && !open {
            // The posting list's length, from the primary key alone.
            let sql = if s.bodies_only {
                "SELECT COUNT(*) FROM subject_grams WHERE gram = $1 AND NOT person"
            } else {
                "SELECT COUNT(*) FROM subject_grams WHERE gram = $1"
            };
            sqlx::query_scalar(sql)
                .bind(&grams[0])
                .fetch_one(&db.pool)
                .await?
        } else {
            let mut q = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM subjects s");
            push_where(&mut q, s, &folded, &grams);
            q.build_query_scalar().fetch_one(&db.pool).await?
        };
        if page.total == 0 {
            return Ok(page);
        }
    }
    let limit = if s.limit <= 0 { 50 } else { s.limit.min(1000) };
    let mut q = QueryBuilder::<Db>::new("SELECT s.* FROM subjects s");
    push_where(&mut q, s, &folded, &grams);
    q.push(" ORDER BY s.name, s.id LIMIT ").push_bind(limit);
    q.push(" OFFSET ").push_bind(s.offset.max(0));
    let rows = q.build().fetch_all(&db.pool).await?;
    page.subjects = rows.iter().map(subject_from_row).collect::<Result<_>>()?;
    Ok(page)
}
