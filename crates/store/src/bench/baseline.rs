//! The import benchmark's raw baselines (benchmarks only): the rows of the generated file into
//! a bare table with no keys, on the raw backend — what the hardware and driver do before any
//! schema or code of ours.

use std::path::Path;

use super::{copy_escape, sqlite_err, PgBench};
use crate::error::Result;

/// One row as both baselines load it: document number, name, code, decision date, and all
/// the row's cells as JSON.
pub type BareRow = [String; 5];

const BARE_TABLE: &str =
    "CREATE TABLE bare (doc_no TEXT, name TEXT, code TEXT, decision_date TEXT, cells TEXT)";

/// SQLite: prepared inserts into `bare` in a new database file `db`, one transaction
/// (rusqlite, straight on the C API). Returns the rows written. Blocking.
pub fn sqlite_baseline(db: &Path, rows: impl IntoIterator<Item = BareRow>) -> Result<u64> {
    let mut conn = rusqlite::Connection::open(db).map_err(sqlite_err)?;
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
         {BARE_TABLE};"
    ))
    .map_err(sqlite_err)?;
    let tx = conn.transaction().map_err(sqlite_err)?;
    let mut n = 0u64;
    {
        let mut st = tx
            .prepare("INSERT INTO bare VALUES (?1, ?2, ?3, ?4, ?5)")
            .map_err(sqlite_err)?;
        for r in rows {
            st.execute(rusqlite::params![r[0], r[1], r[2], r[3], r[4]])
                .map_err(sqlite_err)?;
            n += 1;
        }
    }
    tx.commit().map_err(sqlite_err)?;
    Ok(n)
}

impl PgBench {
    /// PostgreSQL: `COPY` into `bare`, sent in 1 MiB pieces. Returns the rows written.
    pub async fn copy_baseline(&self, rows: impl IntoIterator<Item = BareRow>) -> Result<u64> {
        sqlx::query(BARE_TABLE).execute(&self.pool).await?;
        let mut conn = self.pool.acquire().await?;
        let mut copy = conn.copy_in_raw("COPY bare FROM STDIN").await?;
        let mut n = 0u64;
        let mut buf = String::with_capacity(1 << 20);
        for r in rows {
            for (i, v) in r.iter().enumerate() {
                if i > 0 {
                    buf.push('\t');
                }
                copy_escape(v, &mut buf);
            }
            buf.push('\n');
            n += 1;
            if buf.len() > (1 << 20) {
                copy.send(std::mem::take(&mut buf).into_bytes()).await?;
            }
        }
        if !buf.is_empty() {
            copy.send(buf.into_bytes()).await?;
        }
        copy.finish().await?;
        Ok(n)
    }
}
