//! A fresh PostgreSQL schema, or a fresh SQLite file, for one benchmark run (benchmarks only).

use std::path::{Path, PathBuf};

use sqlx::PgPool;
use uuid::Uuid;

use crate::error::{Result, StoreError};

/// A scratch schema `cx_bench_<uuid>`: the admin pool that created it (to drop it
/// afterwards), its name, and the URL that selects it through `search_path`.
pub struct ScratchSchema {
    admin: PgPool,
    name: String,
    url: String,
}

impl ScratchSchema {
    /// Connect to `url` and create a new, empty schema in its database.
    pub async fn create(url: &str) -> Result<Self> {
        let name = format!("cx_bench_{}", Uuid::now_v7().simple());
        let admin = PgPool::connect(url)
            .await
            .map_err(|e| StoreError::Unreachable(e.to_string()))?;
        sqlx::query(&format!("CREATE SCHEMA {name}"))
            .execute(&admin)
            .await?;
        let sep = if url.contains('?') { '&' } else { '?' };
        let url = format!("{url}{sep}options=-c%20search_path%3D{name}");
        Ok(Self { admin, name, url })
    }

    /// The URL whose connections see only this schema.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Drop the schema and everything in it. Best effort: a benchmark's result does not
    /// depend on its cleanup, so a failure here is ignored.
    pub async fn drop_schema(self) {
        let _ = sqlx::query(&format!("DROP SCHEMA {} CASCADE", self.name))
            .execute(&self.admin)
            .await;
    }
}

/// A scratch SQLite file `dir/name` for one benchmark run: any leftover removed when created,
/// removed with its `-wal` and `-shm` files when dropped (also when the run fails).
pub struct ScratchFile {
    path: PathBuf,
    url: String,
}

impl ScratchFile {
    pub fn create(dir: &Path, name: &str) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(name);
        remove_sqlite_files(&path);
        let url = format!("sqlite://{}?mode=rwc", path.display());
        Ok(Self { path, url })
    }

    /// The URL that creates and opens the file.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        remove_sqlite_files(&self.path);
    }
}

fn remove_sqlite_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
