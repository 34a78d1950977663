//! The check benchmark's `--direct` fixture (benchmarks only): subjects, each with one list
//! entry, written straight into a migrated scratch schema with `COPY` — the way to 10,000,000
//! subjects, which an import would take hours to reach. The rows bypass the change log: they
//! are a fixture for the check index, not data (`verify` on such a schema fails, by design).

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgCopyIn, PgPoolCopyExt};
use sqlx::{PgPool, Postgres};
use uuid::Uuid;

use super::copy_escape;
use crate::error::{Result, StoreError};

const COPY_SUBJECTS: &str = "COPY subjects (id, kind, name, uscc, id_hash, id_masked, region, parent_id, former_names, created_at, updated_at, version) FROM STDIN";
const COPY_ENTRIES: &str = "COPY list_entries (id, list_code, subject_id, status, entry, created_at, updated_at, version) FROM STDIN";

/// Secondary indexes dropped before the load and built once after it (as a bulk load would),
/// not row by row.
const SECONDARY_INDEXES: &[(&str, &str)] = &[
    (
        "subjects_name",
        "CREATE INDEX subjects_name ON subjects (name)",
    ),
    (
        "subjects_region",
        "CREATE INDEX subjects_region ON subjects (region)",
    ),
    (
        "list_entries_subject",
        "CREATE INDEX list_entries_subject ON list_entries (subject_id)",
    ),
    (
        "list_entries_list",
        "CREATE INDEX list_entries_list ON list_entries (list_code, status)",
    ),
];

/// `created_at` and `updated_at` of every fixture row.
const STAMP: &str = "2025-01-06 00:00:00+00";

/// Subject rows are sent in pieces of this many bytes; entry rows in twice as many, and each
/// time the entries are sent the subjects' `COPY` is committed first, so that the entries'
/// foreign keys find their subjects.
const SEND_SUBJECTS_AT: usize = 1 << 21;
const SEND_ENTRIES_AT: usize = 1 << 22;

type Copy = PgCopyIn<PoolConnection<Postgres>>;

/// One fixture subject (version 1, no parent, no former names). `None` or empty is NULL.
pub struct FixtureSubject<'a> {
    pub id: Uuid,
    /// `enterprise` or `individual`.
    pub kind: &'a str,
    pub name: &'a str,
    pub uscc: Option<&'a str>,
    pub id_hash: Option<&'a str>,
    pub id_masked: Option<&'a str>,
    pub region: &'a str,
}

/// The subject's list entry (version 1): `entry` is the serialised `ListEntry`.
pub struct FixtureEntry<'a> {
    pub id: Uuid,
    pub list_code: &'a str,
    pub status: &'a str,
    pub entry: &'a str,
}

/// A `COPY` load in progress: [`CheckFixture::start`], [`CheckFixture::push`] each subject,
/// [`CheckFixture::finish`], then [`LoadedFixture::build_indexes`].
pub struct CheckFixture {
    pool: PgPool,
    subjects: Option<Copy>,
    entries: Copy,
    sbuf: String,
    ebuf: String,
    subjects_done: u64,
}

impl CheckFixture {
    /// Connect to the (migrated, empty) schema of `url`, drop the secondary indexes and open
    /// one `COPY` for the subjects and one for the entries.
    pub async fn start(url: &str) -> Result<Self> {
        let pool = PgPool::connect(url).await?;
        for (ix, _) in SECONDARY_INDEXES {
            sqlx::query(&format!("DROP INDEX {ix}"))
                .execute(&pool)
                .await?;
        }
        let subjects = pool.copy_in_raw(COPY_SUBJECTS).await?;
        let entries = pool.copy_in_raw(COPY_ENTRIES).await?;
        Ok(Self {
            pool,
            subjects: Some(subjects),
            entries,
            sbuf: String::with_capacity(SEND_SUBJECTS_AT),
            ebuf: String::with_capacity(SEND_ENTRIES_AT),
            subjects_done: 0,
        })
    }

    /// Add one subject and its entry.
    pub async fn push(&mut self, s: &FixtureSubject<'_>, e: &FixtureEntry<'_>) -> Result<()> {
        let opt = |v: Option<&str>, out: &mut String| match v {
            Some(v) if !v.is_empty() => copy_escape(v, out),
            _ => out.push_str("\\N"),
        };
        let sbuf = &mut self.sbuf;
        sbuf.push_str(&s.id.to_string());
        sbuf.push('\t');
        sbuf.push_str(s.kind);
        sbuf.push('\t');
        copy_escape(s.name, sbuf);
        sbuf.push('\t');
        opt(s.uscc, sbuf);
        sbuf.push('\t');
        opt(s.id_hash, sbuf);
        sbuf.push('\t');
        opt(s.id_masked, sbuf);
        sbuf.push('\t');
        sbuf.push_str(s.region);
        sbuf.push_str("\t\\N\t[]\t");
        sbuf.push_str(STAMP);
        sbuf.push('\t');
        sbuf.push_str(STAMP);
        sbuf.push_str("\t1\n");
        let ebuf = &mut self.ebuf;
        ebuf.push_str(&e.id.to_string());
        ebuf.push('\t');
        ebuf.push_str(e.list_code);
        ebuf.push('\t');
        ebuf.push_str(&s.id.to_string());
        ebuf.push('\t');
        ebuf.push_str(e.status);
        ebuf.push('\t');
        copy_escape(e.entry, ebuf);
        ebuf.push('\t');
        ebuf.push_str(STAMP);
        ebuf.push('\t');
        ebuf.push_str(STAMP);
        ebuf.push_str("\t1\n");
        if self.sbuf.len() > SEND_SUBJECTS_AT {
            let data = std::mem::take(&mut self.sbuf).into_bytes();
            self.subjects()?.send(data).await?;
        }
        if self.ebuf.len() > SEND_ENTRIES_AT {
            // Subjects first: the entries' foreign keys must find them.
            let data = std::mem::take(&mut self.sbuf).into_bytes();
            let mut done = self.subjects.take().ok_or_else(closed)?;
            done.send(data).await?;
            self.subjects_done += done.finish().await?;
            self.subjects = Some(self.pool.copy_in_raw(COPY_SUBJECTS).await?);
            let data = std::mem::take(&mut self.ebuf).into_bytes();
            self.entries.send(data).await?;
        }
        Ok(())
    }

    fn subjects(&mut self) -> Result<&mut Copy> {
        self.subjects.as_mut().ok_or_else(closed)
    }

    /// Send what is left and commit both `COPY`s.
    pub async fn finish(mut self) -> Result<LoadedFixture> {
        let mut subjects = self.subjects.take().ok_or_else(closed)?;
        subjects.send(self.sbuf.into_bytes()).await?;
        let subjects = self.subjects_done + subjects.finish().await?;
        self.entries.send(self.ebuf.into_bytes()).await?;
        let listed = self.entries.finish().await?;
        Ok(LoadedFixture {
            pool: self.pool,
            subjects,
            listed,
        })
    }
}

fn closed() -> StoreError {
    StoreError::Invalid("基准测试数据的 COPY 已结束".into())
}

/// A committed fixture, its secondary indexes still to build.
pub struct LoadedFixture {
    pool: PgPool,
    /// Subject rows written.
    pub subjects: u64,
    /// List entry rows written.
    pub listed: u64,
}

impl LoadedFixture {
    /// Build the secondary indexes and refresh the planner's statistics.
    pub async fn build_indexes(self) -> Result<()> {
        for (_, sql) in SECONDARY_INDEXES {
            sqlx::query(sql).execute(&self.pool).await?;
        }
        for sql in ["ANALYZE subjects", "ANALYZE list_entries"] {
            sqlx::query(sql).execute(&self.pool).await?;
        }
        self.pool.close().await;
        Ok(())
    }
}
