//! Publishing a batch: its staged corrections applied (each checked against the version it
//! corrects), its final counts and state written, in one last short write transaction.

use super::*;

impl Writer {
    /// Publish the batch: apply its staged corrections, write its final counts and state,
    /// in one short transaction.
    pub(super) async fn publish(&mut self, unknown_columns: Vec<String>) -> Result<Batch> {
        self.still_open()?;
        let batch_id = self.batch.id;
        let group = self.next_group();
        let mut conn = self.connection().await?;
        let (mut tx, mut head) = begin_write_on(&self.db, &mut conn).await?;
        self.still_importing(&mut tx).await?;
        let mut log = PendingLog::default();
        let t = now();
        let mut after: Option<Uuid> = None;
        loop {
            let mut q =
                QueryBuilder::<Db>::new("SELECT * FROM batch_corrections WHERE batch_id = ");
            q.push_bind(enc(batch_id));
            if let Some(a) = after {
                q.push(" AND record_id > ").push_bind(enc(a));
            }
            q.push(" ORDER BY record_id LIMIT ").push_bind(CHUNK as i64);
            let page = q.build().fetch_all(&mut *tx).await?;
            if page.is_empty() {
                break;
            }
            let mut history = Vec::new();
            for row in &page {
                let (_, base_version, mut rec, texts_sealed) = correction_from_row(row)?;
                after = Some(rec.id);
                let current = sqlx::query("SELECT * FROM records WHERE id = $1")
                    .bind(enc(rec.id))
                    .fetch_optional(&mut *tx)
                    .await?
                    .as_ref()
                    .map(record_from_row)
                    .transpose()?;
                let Some(current) = current.filter(|c| c.version == base_version) else {
                    // Changed while the batch was importing: the batch fails rather than
                    // overwrite that change.
                    return Err(StoreError::Conflict {
                        expected: base_version,
                        current: -1,
                    });
                };
                if let Some(b) = base_history(&mut tx, &current).await? {
                    log.push(entry(
                        "record_history",
                        history_id(b.record_id, b.version),
                        "create",
                        state_digest(&b)?,
                    ));
                    history.push(b);
                }
                rec.updated_at = t;
                write_record(&mut tx, &rec, false, base_version).await?;
                if let Some((action, digest)) =
                    super::super::records::put_texts(&mut tx, rec.id, texts_sealed.as_deref())
                        .await?
                {
                    let digest = digest.unwrap_or_else(|| "-".into());
                    log.push(entry("record_text", rec.id.to_string(), action, digest));
                }
                log.push(entry(
                    "record",
                    rec.id.to_string(),
                    "correct",
                    state_digest(&rec)?,
                ));
                let h = RecordHistoryEntry {
                    record_id: rec.id,
                    version: rec.version,
                    action: "correct".into(),
                    status: rec.status,
                    fields: rec.fields.clone(),
                    actor: self.actor.clone(),
                    note: Some(format!("批次 {batch_id} 更正")),
                    at: t,
                    // The file gives the whole row again: every field it changed, before and
                    // after.
                    changes: chengxin_domain::records::correction::diff(
                        &current.fields,
                        &rec.fields,
                    ),
                };
                log.push(entry(
                    "record_history",
                    history_id(rec.id, rec.version),
                    "create",
                    state_digest(&h)?,
                ));
                history.push(h);
                log.push(entry(
                    "batch_correction",
                    correction_id(batch_id, rec.id),
                    "delete",
                    String::new(),
                ));
            }
            insert_history_rows(&mut tx, &history).await?;
        }
        sqlx::query("DELETE FROM batch_corrections WHERE batch_id = $1")
            .bind(enc(batch_id))
            .execute(&mut *tx)
            .await?;
        log.flush_grouped(&mut tx, &mut head, &self.actor, &group)
            .await?;
        let mut batch = self.batch.clone();
        batch.unknown_columns = unknown_columns;
        batch.state = BatchState::Committed;
        write_batch_row(&mut tx, &batch, false).await?;
        // Its new subjects become searchable shortly after (`search::index_published`).
        super::super::search::queue_batch(&mut tx, batch_id, batch.subjects_created).await?;
        append(
            &mut tx,
            &mut head,
            &self.actor,
            "batch",
            &batch_id.to_string(),
            "commit",
            Some(batch_digest(&batch)?),
        )
        .await?;
        commit(tx, head).await?;
        self.finished = true;
        self.checkpointer = None;
        self.conn = None;
        self.batch = batch.clone();
        super::super::shrink_log(&self.db.pool).await;
        Ok(batch)
    }
}
