//! The schema's floor (benchmarks only): the subjects and records an import stored, copied by
//! the backend alone (`INSERT … SELECT`, one transaction) into empty tables with the same
//! indexes and foreign keys — what storing these rows costs before any of our code runs: no
//! parsing, no validation, no look-ups, no change log, no round trips.

use std::path::Path;

use super::{sqlite_err, PgBench};
use crate::error::Result;

/// SQLite: `floor` (a new file; an old one is removed) gets the schema of `db`'s catalog
/// types, subjects and records (tables, indexes, foreign keys), and SQLite copies the rows
/// over in one transaction, with the import's page size and batch cache. Blocking.
pub fn sqlite_floor(db: &Path, floor: &Path) -> Result<()> {
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", floor.display()));
    }
    let conn = rusqlite::Connection::open(floor).map_err(sqlite_err)?;
    conn.execute_batch(
        "PRAGMA page_size = 8192; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
         PRAGMA cache_size = -98304; PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = ON;",
    )
    .map_err(sqlite_err)?;
    conn.execute("ATTACH DATABASE ?1 AS src", [db.to_string_lossy()])
        .map_err(sqlite_err)?;
    let schema: Vec<String> = {
        let mut st = conn
            .prepare(
                "SELECT sql FROM src.sqlite_master WHERE sql IS NOT NULL \
                 AND tbl_name IN ('catalog_types', 'subjects', 'records') \
                 ORDER BY CASE tbl_name WHEN 'catalog_types' THEN 0 WHEN 'subjects' THEN 1 ELSE 2 END, \
                 type DESC",
            )
            .map_err(sqlite_err)?;
        let rows = st
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(sqlite_err)?;
        rows.collect::<Result<_, _>>().map_err(sqlite_err)?
    };
    for sql in &schema {
        conn.execute_batch(sql).map_err(sqlite_err)?;
    }
    conn.execute_batch("INSERT INTO main.catalog_types SELECT * FROM src.catalog_types")
        .map_err(sqlite_err)?;
    conn.execute_batch(
        "BEGIN;
         INSERT INTO main.subjects SELECT * FROM src.subjects;
         INSERT INTO main.records SELECT * FROM src.records;
         COMMIT;",
    )
    .map_err(sqlite_err)?;
    Ok(())
}

impl PgBench {
    /// PostgreSQL: empty copies of subjects and records with their indexes and foreign keys,
    /// filled by `INSERT … SELECT` in one transaction (no text parsing, so a lower bound on
    /// what `COPY` of the same rows costs).
    pub async fn schema_floor(&self) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        for sql in [
            "CREATE TABLE floor_subjects (LIKE subjects INCLUDING ALL)",
            "CREATE TABLE floor_records (LIKE records INCLUDING ALL)",
            "ALTER TABLE floor_records ADD FOREIGN KEY (subject_id) REFERENCES floor_subjects (id)",
            "ALTER TABLE floor_records ADD FOREIGN KEY (type_code) REFERENCES catalog_types (code)",
            "BEGIN",
            "INSERT INTO floor_subjects SELECT * FROM subjects",
            "INSERT INTO floor_records SELECT * FROM records",
            "COMMIT",
        ] {
            sqlx::query(sql).execute(&mut *conn).await?;
        }
        Ok(())
    }
}
