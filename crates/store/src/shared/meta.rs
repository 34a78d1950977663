//! Migrations, the loaded catalog and key/value settings.

use crate::LogStore;
use async_trait::async_trait;
use chengxin_domain::catalog::Catalog;
use sqlx::types::Json;
use sqlx::Row;
use std::collections::HashMap;

use super::kernel::{append, begin_write, commit, DbRow};
use super::Inner;
use crate::changelog::{now, state_digest, LogSigner};
use crate::error::{Result, StoreError};
use crate::{Backend, CatalogTypeRow, MetaRow, MetaStore, MigrateReport};

pub(super) fn catalog_type_from_row(row: &DbRow) -> Result<CatalogTypeRow> {
    Ok(CatalogTypeRow {
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        catalog_version: row.try_get("catalog_version")?,
        digest: row.try_get("digest")?,
        definition: row.try_get::<Json<serde_json::Value>, _>("definition")?.0,
        updated_at: row.try_get("updated_at")?,
    })
}

pub(super) fn meta_from_row(row: &DbRow) -> Result<MetaRow> {
    Ok(MetaRow {
        key: row.try_get("key")?,
        value: row.try_get("value")?,
    })
}

#[async_trait]
impl MetaStore for Inner {
    fn backend(&self) -> Backend {
        super::BACKEND
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }

    async fn migrate(
        &self,
        catalog: &Catalog,
        signer: &LogSigner,
        actor: &str,
    ) -> Result<MigrateReport> {
        super::MIGRATOR.run(&self.pool).await?;
        let mut report = MigrateReport {
            backend: Some(super::BACKEND),
            signing_key_id: signer.key_id(),
            ..Default::default()
        };
        report.subjects_indexed = super::search::backfill(self).await?;
        let existing: HashMap<String, CatalogTypeRow> = self
            .catalog_types()
            .await?
            .into_iter()
            .map(|t| (t.code.clone(), t))
            .collect();
        let (mut tx, mut head) = begin_write(self).await?;
        let key_id = signer.key_id();
        let known: Option<String> =
            sqlx::query_scalar("SELECT key_id FROM signing_keys WHERE key_id = $1")
                .bind(&key_id)
                .fetch_optional(&mut *tx)
                .await?;
        if known.is_none() {
            sqlx::query(
                "INSERT INTO signing_keys (key_id, public_key, created_at) VALUES ($1, $2, $3)",
            )
            .bind(&key_id)
            .bind(hex::encode(signer.verifying_key().as_bytes()))
            .bind(now())
            .execute(&mut *tx)
            .await?;
        }
        let version = catalog.version().to_string();
        for t in catalog.types() {
            let definition = serde_json::to_value(t)
                .map_err(|e| StoreError::Invalid(format!("目录类型无法序列化：{e}")))?;
            let digest = state_digest(&definition)?;
            let row = CatalogTypeRow {
                code: t.code.clone(),
                name: t.name.clone(),
                catalog_version: version.clone(),
                digest,
                definition,
                updated_at: now(),
            };
            let action = match existing.get(&row.code) {
                Some(old) if old.digest == row.digest => {
                    report.catalog_types_unchanged += 1;
                    continue;
                }
                Some(_) => {
                    report.catalog_types_updated += 1;
                    "update"
                }
                None => {
                    report.catalog_types_added += 1;
                    "create"
                }
            };
            let sql = if action == "create" {
                "INSERT INTO catalog_types (name, catalog_version, digest, definition, updated_at, code) \
                 VALUES ($1, $2, $3, $4, $5, $6)"
            } else {
                "UPDATE catalog_types SET name = $1, catalog_version = $2, digest = $3, definition = $4, \
                 updated_at = $5 WHERE code = $6"
            };
            sqlx::query(sql)
                .bind(&row.name)
                .bind(&row.catalog_version)
                .bind(&row.digest)
                .bind(Json(&row.definition))
                .bind(row.updated_at)
                .bind(&row.code)
                .execute(&mut *tx)
                .await?;
            append(
                &mut tx,
                &mut head,
                actor,
                "catalog_type",
                &row.code,
                action,
                Some(state_digest(&row)?),
            )
            .await?;
        }
        report.list_entries_backfilled =
            super::lists::backfill_recognisers(&mut tx, &mut head, actor).await?;
        commit(tx, head).await?;
        self.checkpoint(signer).await?;
        Ok(report)
    }

    async fn is_migrated(&self) -> Result<bool> {
        match sqlx::query("SELECT seq FROM log_head WHERE id = 1")
            .fetch_optional(&self.pool)
            .await
        {
            Ok(row) => Ok(row.is_some()),
            Err(e) => match StoreError::from(e) {
                StoreError::NotMigrated => Ok(false),
                other => Err(other),
            },
        }
    }

    async fn catalog_types(&self) -> Result<Vec<CatalogTypeRow>> {
        let rows = sqlx::query("SELECT * FROM catalog_types ORDER BY code")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(catalog_type_from_row).collect()
    }

    async fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn set_meta(&self, actor: &str, key: &str, value: &str) -> Result<()> {
        let (mut tx, mut head) = begin_write(self).await?;
        let old: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
        let sql = match old {
            Some(v) if v == value => return Ok(()),
            Some(_) => "UPDATE meta SET value = $2 WHERE key = $1",
            None => "INSERT INTO meta (key, value) VALUES ($1, $2)",
        };
        sqlx::query(sql)
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        let row = MetaRow {
            key: key.to_string(),
            value: value.to_string(),
        };
        append(
            &mut tx,
            &mut head,
            actor,
            "meta",
            key,
            "set",
            Some(state_digest(&row)?),
        )
        .await?;
        commit(tx, head).await
    }
}
