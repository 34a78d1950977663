//! Subjects (主体), employments (任职) and sealed identities.

use async_trait::async_trait;
use chengxin_domain::subjects::{Employment, Subject, SubjectKind};
use chrono::NaiveDate;
use sqlx::types::Json;
use sqlx::Row;
use uuid::Uuid;

use super::kernel::{append, begin_write, commit, DbRow, Tx};
use super::{bad_row, blank, dec, enc, escape_like, Db, Inner, UuidCol, VISIBLE};
use crate::changelog::{now, state_digest};
use crate::error::{Result, StoreError};
use crate::{
    NewEmployment, NewSubject, SubjectFilter, SubjectPage, SubjectSearch, SubjectStore,
    SubjectUpdate,
};

pub(super) fn subject_from_row(row: &DbRow) -> Result<Subject> {
    let kind: String = row.try_get("kind")?;
    Ok(Subject {
        id: dec(row.try_get("id")?),
        kind: SubjectKind::parse(&kind).ok_or_else(|| bad_row("主体类型", &kind))?,
        name: row.try_get("name")?,
        uscc: row.try_get("uscc")?,
        id_hash: row.try_get("id_hash")?,
        id_masked: row.try_get("id_masked")?,
        region: row.try_get("region")?,
        parent_id: row.try_get::<Option<UuidCol>, _>("parent_id")?.map(dec),
        former_names: row.try_get::<Json<Vec<String>>, _>("former_names")?.0,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        version: row.try_get("version")?,
    })
}

pub(super) fn employment_from_row(row: &DbRow) -> Result<Employment> {
    Ok(Employment {
        id: dec(row.try_get("id")?),
        person_id: dec(row.try_get("person_id")?),
        body_id: dec(row.try_get("body_id")?),
        post: row.try_get("post")?,
        principal: row.try_get("principal")?,
        start_date: row.try_get("start_date")?,
        end_date: row.try_get("end_date")?,
        created_at: row.try_get("created_at")?,
    })
}

pub(super) async fn write_subject(tx: &mut Tx<'_>, s: &Subject, insert: bool) -> Result<()> {
    let sql = if insert {
        "INSERT INTO subjects (kind, name, uscc, id_hash, id_masked, region, parent_id, former_names, \
         created_at, updated_at, version, id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    } else {
        "UPDATE subjects SET kind = $1, name = $2, uscc = $3, id_hash = $4, id_masked = $5, region = $6, \
         parent_id = $7, former_names = $8, created_at = $9, updated_at = $10, version = $11 WHERE id = $12"
    };
    sqlx::query(sql)
        .bind(s.kind.as_str())
        .bind(&s.name)
        .bind(&s.uscc)
        .bind(&s.id_hash)
        .bind(&s.id_masked)
        .bind(&s.region)
        .bind(s.parent_id.map(enc))
        .bind(Json(&s.former_names))
        .bind(s.created_at)
        .bind(s.updated_at)
        .bind(s.version)
        .bind(enc(s.id))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The logged state of a subject: the subject itself, or — for one a batch created — the
/// subject with that batch, so the column that hides it while the batch is open is covered by
/// the change log like the rest of the row.
pub(super) fn subject_digest(s: &Subject, batch_id: Option<Uuid>) -> Result<String> {
    #[derive(serde::Serialize)]
    struct InBatch<'a> {
        #[serde(flatten)]
        subject: &'a Subject,
        batch_id: Uuid,
    }
    match batch_id {
        None => state_digest(s),
        Some(batch_id) => state_digest(&InBatch {
            subject: s,
            batch_id,
        }),
    }
}

/// The digest `verify` recomputes from a stored subject row.
pub(super) fn subject_row_digest(row: &DbRow) -> Result<String> {
    let batch = row.try_get::<Option<UuidCol>, _>("batch_id")?.map(dec);
    subject_digest(&subject_from_row(row)?, batch)
}

/// The logged state of a sealed identity: a digest of the sealed text (never the number).
pub(super) fn identity_digest(sealed: &str) -> Result<String> {
    state_digest(&sealed)
}

#[async_trait]
impl SubjectStore for Inner {
    async fn create_subject(&self, actor: &str, s: NewSubject) -> Result<Subject> {
        let kind = s
            .kind
            .ok_or_else(|| StoreError::Invalid("主体类型不能为空".into()))?;
        if blank(&s.name) {
            return Err(StoreError::Invalid("主体名称不能为空".into()));
        }
        let (mut tx, mut head) = begin_write(self).await?;
        if let Some(uscc) = &s.uscc {
            let dup: Option<UuidCol> =
                sqlx::query_scalar("SELECT id FROM subjects WHERE uscc = $1")
                    .bind(uscc)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(id) = dup {
                return Err(StoreError::Duplicate(format!(
                    "统一社会信用代码 {uscc} 已登记为主体 {}",
                    dec(id)
                )));
            }
        }
        if let Some(h) = &s.id_hash {
            let dup: Option<UuidCol> =
                sqlx::query_scalar("SELECT id FROM subjects WHERE id_hash = $1")
                    .bind(h)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(id) = dup {
                // The ID number itself is never echoed back.
                return Err(StoreError::Duplicate(format!(
                    "该身份证号已登记为主体 {}",
                    dec(id)
                )));
            }
        }
        let t = now();
        let subject = Subject {
            id: Uuid::now_v7(),
            kind,
            name: s.name.trim().to_string(),
            uscc: s.uscc,
            id_hash: s.id_hash,
            id_masked: s.id_masked,
            region: s.region,
            parent_id: s.parent_id,
            former_names: s.former_names,
            created_at: t,
            updated_at: t,
            version: 1,
        };
        write_subject(&mut tx, &subject, true).await?;
        super::search::insert(&mut tx, &[super::search::Indexed::of(&subject)]).await?;
        append(
            &mut tx,
            &mut head,
            actor,
            "subject",
            &subject.id.to_string(),
            "create",
            Some(state_digest(&subject)?),
        )
        .await?;
        commit(tx, head).await?;
        Ok(subject)
    }

    async fn update_subject(
        &self,
        actor: &str,
        id: Uuid,
        expected_version: i64,
        u: SubjectUpdate,
    ) -> Result<Subject> {
        let (mut tx, mut head) = begin_write(self).await?;
        let row = sqlx::query(&format!(
            "SELECT * FROM subjects WHERE id = $1 AND {VISIBLE}"
        ))
        .bind(enc(id))
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "主体",
            id: id.to_string(),
        })?;
        let mut s = subject_from_row(&row)?;
        let batch = row.try_get::<Option<UuidCol>, _>("batch_id")?.map(dec);
        if s.version != expected_version {
            return Err(StoreError::Conflict {
                expected: expected_version,
                current: s.version,
            });
        }
        let renamed = u.name.as_deref().is_some_and(|n| n.trim() != s.name);
        if let Some(name) = u.name {
            let name = name.trim().to_string();
            if name.is_empty() {
                return Err(StoreError::Invalid("主体名称不能为空".into()));
            }
            if name != s.name {
                let old = std::mem::replace(&mut s.name, name);
                if !s.former_names.contains(&old) {
                    s.former_names.push(old);
                }
            }
        }
        if let Some(region) = u.region {
            s.region = Some(region);
        }
        if let Some(parent) = u.parent_id {
            if parent == s.id {
                return Err(StoreError::Invalid("上级主体不能是其自身".into()));
            }
            s.parent_id = Some(parent);
        }
        s.version += 1;
        s.updated_at = now();
        write_subject(&mut tx, &s, false).await?;
        if renamed {
            super::search::replace(&mut tx, &s).await?;
        }
        append(
            &mut tx,
            &mut head,
            actor,
            "subject",
            &s.id.to_string(),
            "update",
            Some(subject_digest(&s, batch)?),
        )
        .await?;
        commit(tx, head).await?;
        Ok(s)
    }

    async fn subject(&self, id: Uuid) -> Result<Option<Subject>> {
        sqlx::query(&format!(
            "SELECT * FROM subjects WHERE id = $1 AND {VISIBLE}"
        ))
        .bind(enc(id))
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(subject_from_row)
        .transpose()
    }

    async fn subject_by_uscc(&self, uscc: &str) -> Result<Option<Subject>> {
        sqlx::query(&format!(
            "SELECT * FROM subjects WHERE uscc = $1 AND {VISIBLE}"
        ))
        .bind(uscc)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(subject_from_row)
        .transpose()
    }

    async fn subject_by_id_hash(&self, id_hash: &str) -> Result<Option<Subject>> {
        sqlx::query(&format!(
            "SELECT * FROM subjects WHERE id_hash = $1 AND {VISIBLE}"
        ))
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(subject_from_row)
        .transpose()
    }

    async fn list_subjects(&self, f: &SubjectFilter) -> Result<Vec<Subject>> {
        if let Some(text) = &f.name_contains {
            let search = SubjectSearch {
                text: text.clone(),
                kind: f.kind,
                region_prefix: f.region_prefix.clone(),
                bodies_only: false,
                persons_only: false,
                limit: if f.limit <= 0 { 100 } else { f.limit },
                offset: f.offset,
            };
            return Ok(super::search::search(self, &search, false).await?.subjects);
        }
        let mut q =
            sqlx::QueryBuilder::<Db>::new(format!("SELECT * FROM subjects WHERE {VISIBLE}"));
        if let Some(k) = f.kind {
            q.push(" AND kind = ").push_bind(k.as_str());
        }
        if let Some(p) = &f.region_prefix {
            q.push(" AND region LIKE ")
                .push_bind(format!("{}%", escape_like(p)));
            q.push(" ESCAPE '\\'");
        }
        if let Some(n) = &f.name_exact {
            q.push(" AND name = ").push_bind(n.clone());
        }
        let limit = if f.limit <= 0 { 100 } else { f.limit.min(1000) };
        q.push(" ORDER BY name, id LIMIT ").push_bind(limit);
        q.push(" OFFSET ").push_bind(f.offset.max(0));
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(subject_from_row).collect()
    }

    async fn search_subjects(&self, q: &SubjectSearch) -> Result<SubjectPage> {
        super::search::search(self, q, true).await
    }

    async fn index_published_subjects(&self, step: i64) -> Result<usize> {
        super::search::index_published(self, step).await
    }

    async fn search_index_pending(&self) -> Result<i64> {
        super::search::pending(self).await
    }

    async fn count_subjects(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(&super::count_visible("subjects"))
            .fetch_one(&self.pool)
            .await?)
    }

    async fn add_employment(&self, actor: &str, e: NewEmployment) -> Result<Employment> {
        if blank(&e.post) {
            return Err(StoreError::Invalid("职务不能为空".into()));
        }
        if let Some(end) = e.end_date {
            if end < e.start_date {
                return Err(StoreError::Invalid("任职结束日期早于开始日期".into()));
            }
        }
        let person = self
            .subject(e.person_id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "人员",
                id: e.person_id.to_string(),
            })?;
        if !person.kind.is_person() {
            return Err(StoreError::Invalid("任职记录的人员必须是自然人主体".into()));
        }
        let body = self
            .subject(e.body_id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "单位",
                id: e.body_id.to_string(),
            })?;
        if body.kind.is_person() {
            return Err(StoreError::Invalid(
                "任职单位必须是机关、事业单位或组织".into(),
            ));
        }
        let emp = Employment {
            id: Uuid::now_v7(),
            person_id: e.person_id,
            body_id: e.body_id,
            post: e.post.trim().to_string(),
            principal: false,
            start_date: e.start_date,
            end_date: e.end_date,
            created_at: now(),
        };
        let (mut tx, mut head) = begin_write(self).await?;
        sqlx::query(
            "INSERT INTO employments (id, person_id, body_id, post, start_date, end_date, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(enc(emp.id))
        .bind(enc(emp.person_id))
        .bind(enc(emp.body_id))
        .bind(&emp.post)
        .bind(emp.start_date)
        .bind(emp.end_date)
        .bind(emp.created_at)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            &mut head,
            actor,
            "employment",
            &emp.id.to_string(),
            "create",
            Some(state_digest(&emp)?),
        )
        .await?;
        commit(tx, head).await?;
        Ok(emp)
    }

    async fn employments_of(&self, person_id: Uuid) -> Result<Vec<Employment>> {
        let rows =
            sqlx::query("SELECT * FROM employments WHERE person_id = $1 ORDER BY start_date, id")
                .bind(enc(person_id))
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(employment_from_row).collect()
    }

    async fn staff_at(&self, body_id: Uuid, day: NaiveDate) -> Result<Vec<Employment>> {
        let rows = sqlx::query(
            "SELECT * FROM employments WHERE body_id = $1 AND start_date <= $2 \
             AND (end_date IS NULL OR end_date >= $2) ORDER BY start_date, id",
        )
        .bind(enc(body_id))
        .bind(day)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(employment_from_row).collect()
    }

    async fn set_subject_identity(
        &self,
        actor: &str,
        subject_id: Uuid,
        sealed: &str,
    ) -> Result<()> {
        let (mut tx, mut head) = begin_write(self).await?;
        sqlx::query("DELETE FROM subject_identities WHERE subject_id = $1")
            .bind(enc(subject_id))
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO subject_identities (subject_id, sealed) VALUES ($1, $2)")
            .bind(enc(subject_id))
            .bind(sealed)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            &mut head,
            actor,
            "subject_identity",
            &subject_id.to_string(),
            "set",
            Some(identity_digest(sealed)?),
        )
        .await?;
        commit(tx, head).await
    }

    async fn subject_identity(&self, subject_id: Uuid) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT sealed FROM subject_identities WHERE subject_id = $1")
                .bind(enc(subject_id))
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}
