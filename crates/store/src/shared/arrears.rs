//! Procurement contracts and the arrears ledger: each write with its change-log entries in the
//! same transaction; a clearance completes the contract's payment milestone and a 失信 record
//! is written in the arrear's own transaction; totals per body, region and month read one
//! covering index.

use async_trait::async_trait;
use chengxin_domain::records::Record;
use chrono::NaiveDate;
use sqlx::Row;
use uuid::Uuid;

use super::kernel::{append, begin_write, commit, entry, DbRow, PendingLog, Tx};
use super::notifications::insert_notifications_tx;
use super::records::create_record_tx;
use super::{dec, enc, escape_like, Db, Inner, UuidCol};
use crate::changelog::{micros, now, state_digest};
use crate::error::{Result, StoreError};
use crate::{
    ArrearChange, ArrearEntry, ArrearFilter, ArrearRow, ArrearStepRow, ArrearStore, ArrearTotal,
    ContractMilestoneRow, ContractRow, NotificationRow,
};

pub(super) fn contract_from_row(r: &DbRow) -> Result<ContractRow> {
    Ok(ContractRow {
        id: dec(r.try_get("id")?),
        no: r.try_get("no")?,
        contract_no: r.try_get("contract_no")?,
        title: r.try_get("title")?,
        purchaser_uscc: r.try_get("purchaser_uscc")?,
        purchaser_name: r.try_get("purchaser_name")?,
        purchaser_subject_id: r
            .try_get::<Option<UuidCol>, _>("purchaser_subject_id")?
            .map(dec),
        region: r.try_get("region")?,
        supplier_uscc: r.try_get("supplier_uscc")?,
        supplier_name: r.try_get("supplier_name")?,
        supplier_sme: r.try_get("supplier_sme")?,
        amount_fen: r.try_get("amount_fen")?,
        signed_on: r.try_get("signed_on")?,
        payment_days: r.try_get("payment_days")?,
        terms_basis: r.try_get("terms_basis")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

pub(super) fn contract_milestone_from_row(r: &DbRow) -> Result<ContractMilestoneRow> {
    Ok(ContractMilestoneRow {
        id: dec(r.try_get("id")?),
        contract_id: dec(r.try_get("contract_id")?),
        seq: r.try_get("seq")?,
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        due_date: r.try_get("due_date")?,
        amount_fen: r.try_get("amount_fen")?,
        state: r.try_get("state")?,
        done_on: r.try_get("done_on")?,
        arrear_id: r.try_get::<Option<UuidCol>, _>("arrear_id")?.map(dec),
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

pub(super) fn arrear_from_row(r: &DbRow) -> Result<ArrearRow> {
    Ok(ArrearRow {
        id: dec(r.try_get("id")?),
        no: r.try_get("no")?,
        source: r.try_get("source")?,
        contract_id: r.try_get::<Option<UuidCol>, _>("contract_id")?.map(dec),
        milestone_id: r.try_get::<Option<UuidCol>, _>("milestone_id")?.map(dec),
        contract_no: r.try_get("contract_no")?,
        contract_name: r.try_get("contract_name")?,
        contract_amount_fen: r.try_get("contract_amount_fen")?,
        debtor_uscc: r.try_get("debtor_uscc")?,
        debtor_name: r.try_get("debtor_name")?,
        debtor_subject_id: r
            .try_get::<Option<UuidCol>, _>("debtor_subject_id")?
            .map(dec),
        region: r.try_get("region")?,
        creditor_uscc: r.try_get("creditor_uscc")?,
        creditor_name: r.try_get("creditor_name")?,
        creditor_sme: r.try_get("creditor_sme")?,
        amount_fen: r.try_get("amount_fen")?,
        paid_fen: r.try_get("paid_fen")?,
        due_date: r.try_get("due_date")?,
        due_month: r.try_get("due_month")?,
        state: r.try_get("state")?,
        reason: r.try_get("reason")?,
        judgment_doc_no: r.try_get("judgment_doc_no")?,
        judgment_on: r.try_get("judgment_on")?,
        cleared_on: r.try_get("cleared_on")?,
        record_id: r.try_get::<Option<UuidCol>, _>("record_id")?.map(dec),
        reported_by: r.try_get("reported_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

pub(super) fn arrear_step_from_row(r: &DbRow) -> Result<ArrearStepRow> {
    Ok(ArrearStepRow {
        id: dec(r.try_get("id")?),
        arrear_id: dec(r.try_get("arrear_id")?),
        action: r.try_get("action")?,
        amount_fen: r.try_get("amount_fen")?,
        on_date: r.try_get("on_date")?,
        actor: r.try_get("actor")?,
        at: r.try_get("at")?,
        note: r.try_get("note")?,
    })
}

async fn insert_step(tx: &mut Tx<'_>, log: &mut PendingLog, s: &ArrearStepRow) -> Result<()> {
    let s = ArrearStepRow {
        at: micros(s.at),
        ..s.clone()
    };
    sqlx::query(
        "INSERT INTO arrear_steps (id, arrear_id, action, amount_fen, on_date, actor, at, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(enc(s.id))
    .bind(enc(s.arrear_id))
    .bind(&s.action)
    .bind(s.amount_fen)
    .bind(s.on_date)
    .bind(&s.actor)
    .bind(s.at)
    .bind(&s.note)
    .execute(&mut **tx)
    .await?;
    log.push(entry(
        "arrear_step",
        s.id.to_string(),
        "create",
        state_digest(&s)?,
    ));
    Ok(())
}

async fn insert_arrear(tx: &mut Tx<'_>, a: &ArrearRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO arrears (id, no, source, contract_id, milestone_id, contract_no, \
         contract_name, contract_amount_fen, debtor_uscc, debtor_name, debtor_subject_id, region, \
         creditor_uscc, creditor_name, creditor_sme, amount_fen, paid_fen, due_date, due_month, \
         state, reason, judgment_doc_no, judgment_on, cleared_on, record_id, reported_by, \
         created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)",
    )
    .bind(enc(a.id))
    .bind(&a.no)
    .bind(&a.source)
    .bind(a.contract_id.map(enc))
    .bind(a.milestone_id.map(enc))
    .bind(&a.contract_no)
    .bind(&a.contract_name)
    .bind(a.contract_amount_fen)
    .bind(&a.debtor_uscc)
    .bind(&a.debtor_name)
    .bind(a.debtor_subject_id.map(enc))
    .bind(&a.region)
    .bind(&a.creditor_uscc)
    .bind(&a.creditor_name)
    .bind(a.creditor_sme)
    .bind(a.amount_fen)
    .bind(a.paid_fen)
    .bind(a.due_date)
    .bind(&a.due_month)
    .bind(&a.state)
    .bind(&a.reason)
    .bind(&a.judgment_doc_no)
    .bind(a.judgment_on)
    .bind(a.cleared_on)
    .bind(a.record_id.map(enc))
    .bind(&a.reported_by)
    .bind(a.created_at)
    .bind(a.updated_at)
    .bind(a.version)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Enter one arrear that no contract milestone links (a complaint's 查实): the row, the
/// ledger's sums and its first step, with their log entries, in the caller's transaction.
pub(super) async fn enter_one_tx(
    tx: &mut Tx<'_>,
    log: &mut PendingLog,
    e: &ArrearEntry,
) -> Result<()> {
    check_arrear(&e.arrear)?;
    if e.arrear.milestone_id.is_some() {
        return Err(StoreError::Invalid(
            "投诉查实登记的拖欠账款不关联合同付款节点".into(),
        ));
    }
    let a = ArrearRow {
        created_at: micros(e.arrear.created_at),
        updated_at: micros(e.arrear.updated_at),
        ..e.arrear.clone()
    };
    insert_arrear(tx, &a).await?;
    move_sums(tx, None, &a).await?;
    log.push(entry(
        "arrear",
        a.id.to_string(),
        "create",
        state_digest(&a)?,
    ));
    insert_step(tx, log, &e.step).await
}

async fn milestone_in(tx: &mut Tx<'_>, id: Uuid) -> Result<ContractMilestoneRow> {
    let row = sqlx::query("SELECT * FROM procurement_milestones WHERE id = $1")
        .bind(enc(id))
        .fetch_one(&mut **tx)
        .await?;
    contract_milestone_from_row(&row)
}

async fn arrear_in(tx: &mut Tx<'_>, id: Uuid) -> Result<ArrearRow> {
    let row = sqlx::query("SELECT * FROM arrears WHERE id = $1")
        .bind(enc(id))
        .fetch_one(&mut **tx)
        .await?;
    arrear_from_row(&row)
}

/// An arrear's part in the totals of its cell (body × month): confirmed count, amount, paid,
/// outstanding, owed count, reported count and amount, cleared count.
fn contribution(a: &ArrearRow) -> [i64; 8] {
    let known = matches!(a.state.as_str(), "confirmed" | "partly_paid" | "cleared");
    let owed = matches!(a.state.as_str(), "confirmed" | "partly_paid");
    let reported = a.state == "reported";
    let k = i64::from(known);
    let o = i64::from(owed);
    let r = i64::from(reported);
    [
        k,
        k * a.amount_fen,
        k * a.paid_fen,
        o * (a.amount_fen - a.paid_fen),
        o,
        r,
        r * a.amount_fen,
        i64::from(a.state == "cleared"),
    ]
}

/// Move the arrear's cell of `arrear_sums` from `old` (none: a new arrear) to `new`.
async fn move_sums(tx: &mut Tx<'_>, old: Option<&ArrearRow>, new: &ArrearRow) -> Result<()> {
    let before = old.map(contribution).unwrap_or([0; 8]);
    let after = contribution(new);
    let mut d = [0i64; 8];
    for i in 0..8 {
        d[i] = after[i] - before[i];
    }
    if old.is_some() && d == [0; 8] {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO arrear_sums (region, debtor_uscc, due_month, debtor_name, confirmed_count, \
         amount_fen, paid_fen, outstanding_fen, owed_count, reported_count, reported_fen, \
         cleared_count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (region, debtor_uscc, due_month) DO UPDATE SET \
         debtor_name = excluded.debtor_name, \
         confirmed_count = arrear_sums.confirmed_count + excluded.confirmed_count, \
         amount_fen = arrear_sums.amount_fen + excluded.amount_fen, \
         paid_fen = arrear_sums.paid_fen + excluded.paid_fen, \
         outstanding_fen = arrear_sums.outstanding_fen + excluded.outstanding_fen, \
         owed_count = arrear_sums.owed_count + excluded.owed_count, \
         reported_count = arrear_sums.reported_count + excluded.reported_count, \
         reported_fen = arrear_sums.reported_fen + excluded.reported_fen, \
         cleared_count = arrear_sums.cleared_count + excluded.cleared_count",
    )
    .bind(&new.region)
    .bind(&new.debtor_uscc)
    .bind(&new.due_month)
    .bind(&new.debtor_name)
    .bind(d[0])
    .bind(d[1])
    .bind(d[2])
    .bind(d[3])
    .bind(d[4])
    .bind(d[5])
    .bind(d[6])
    .bind(d[7])
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn total_from_row(r: &DbRow) -> Result<ArrearTotal> {
    Ok(ArrearTotal {
        debtor_uscc: r.try_get("debtor_uscc")?,
        debtor_name: r.try_get("debtor_name")?,
        region: r.try_get("region")?,
        month: r.try_get("due_month")?,
        count: r.try_get("n")?,
        amount_fen: r.try_get("amount")?,
        paid_fen: r.try_get("paid")?,
        outstanding_fen: r.try_get("outstanding")?,
        owed_count: r.try_get("owed_n")?,
        reported_count: r.try_get("reported_n")?,
        reported_fen: r.try_get("reported")?,
        cleared_count: r.try_get("cleared_n")?,
    })
}

fn check_contract(c: &ContractRow, ms: &[ContractMilestoneRow]) -> Result<()> {
    if c.no.trim().is_empty() || c.title.trim().is_empty() || c.purchaser_uscc.trim().is_empty() {
        return Err(StoreError::Invalid(
            "合同的编号、名称和采购人不能为空".into(),
        ));
    }
    if c.amount_fen < 0 || ms.iter().any(|m| m.amount_fen.is_some_and(|a| a < 0)) {
        return Err(StoreError::Invalid("金额不能为负数".into()));
    }
    if ms.is_empty()
        || ms
            .iter()
            .any(|m| m.contract_id != c.id || m.due_date < c.signed_on)
    {
        return Err(StoreError::Invalid(
            "履约节点不属于该合同或早于签订日期".into(),
        ));
    }
    Ok(())
}

fn check_arrear(a: &ArrearRow) -> Result<()> {
    if a.amount_fen <= 0 || a.paid_fen < 0 || a.paid_fen > a.amount_fen {
        return Err(StoreError::Invalid(
            "拖欠金额须大于零，已付金额不能超过拖欠金额".into(),
        ));
    }
    Ok(())
}

/// The filter's conditions (region, debtor, creditor, state) after `WHERE 1 = 1`.
fn push_filter(
    q: &mut sqlx::QueryBuilder<'_, Db>,
    f: &ArrearFilter,
    debtor_col: &str,
    creditor_col: &str,
) {
    if let Some(p) = f.region_prefix.as_deref().filter(|p| !p.is_empty()) {
        q.push(" AND region LIKE ")
            .push_bind(format!("{}%", escape_like(p)))
            .push(" ESCAPE '\\'");
    }
    if let Some(b) = &f.debtor {
        q.push(format!(" AND {debtor_col} = ")).push_bind(b.clone());
    }
    if let Some(c) = &f.creditor {
        q.push(format!(" AND {creditor_col} = "))
            .push_bind(c.clone());
    }
}

#[async_trait]
impl ArrearStore for Inner {
    async fn create_contract(
        &self,
        actor: &str,
        c: &ContractRow,
        milestones: &[ContractMilestoneRow],
    ) -> Result<()> {
        check_contract(c, milestones)?;
        let c = ContractRow {
            created_at: micros(c.created_at),
            updated_at: micros(c.updated_at),
            ..c.clone()
        };
        let (mut tx, mut head) = begin_write(self).await?;
        sqlx::query(
            "INSERT INTO procurement_contracts (id, no, contract_no, title, purchaser_uscc, \
             purchaser_name, purchaser_subject_id, region, supplier_uscc, supplier_name, \
             supplier_sme, amount_fen, signed_on, payment_days, terms_basis, created_by, \
             created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19)",
        )
        .bind(enc(c.id))
        .bind(&c.no)
        .bind(&c.contract_no)
        .bind(&c.title)
        .bind(&c.purchaser_uscc)
        .bind(&c.purchaser_name)
        .bind(c.purchaser_subject_id.map(enc))
        .bind(&c.region)
        .bind(&c.supplier_uscc)
        .bind(&c.supplier_name)
        .bind(c.supplier_sme)
        .bind(c.amount_fen)
        .bind(c.signed_on)
        .bind(c.payment_days)
        .bind(&c.terms_basis)
        .bind(&c.created_by)
        .bind(c.created_at)
        .bind(c.updated_at)
        .bind(c.version)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            &mut head,
            actor,
            "procurement_contract",
            &c.id.to_string(),
            "create",
            Some(state_digest(&c)?),
        )
        .await?;
        for m in milestones {
            let m = ContractMilestoneRow {
                updated_at: micros(m.updated_at),
                ..m.clone()
            };
            sqlx::query(
                "INSERT INTO procurement_milestones (id, contract_id, seq, kind, title, due_date, \
                 amount_fen, state, done_on, arrear_id, updated_at, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(enc(m.id))
            .bind(enc(m.contract_id))
            .bind(m.seq)
            .bind(&m.kind)
            .bind(&m.title)
            .bind(m.due_date)
            .bind(m.amount_fen)
            .bind(&m.state)
            .bind(m.done_on)
            .bind(m.arrear_id.map(enc))
            .bind(m.updated_at)
            .bind(m.version)
            .execute(&mut *tx)
            .await?;
            append(
                &mut tx,
                &mut head,
                actor,
                "procurement_milestone",
                &m.id.to_string(),
                "create",
                Some(state_digest(&m)?),
            )
            .await?;
        }
        commit(tx, head).await
    }

    async fn contract(&self, id: Uuid) -> Result<Option<ContractRow>> {
        sqlx::query("SELECT * FROM procurement_contracts WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(contract_from_row)
            .transpose()
    }

    async fn contracts(&self, f: &ArrearFilter) -> Result<Vec<ContractRow>> {
        let mut q =
            sqlx::QueryBuilder::<Db>::new("SELECT * FROM procurement_contracts WHERE 1 = 1");
        push_filter(&mut q, f, "purchaser_uscc", "supplier_uscc");
        let limit = if f.limit <= 0 { 50 } else { f.limit.min(1000) };
        q.push(" ORDER BY created_at DESC, id DESC LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(f.offset.max(0));
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(contract_from_row).collect()
    }

    async fn contracts_by_id(&self, ids: &[Uuid]) -> Result<Vec<ContractRow>> {
        let mut out = Vec::new();
        for part in ids.chunks(500) {
            let mut q =
                sqlx::QueryBuilder::<Db>::new("SELECT * FROM procurement_contracts WHERE id IN (");
            let mut sep = q.separated(", ");
            for id in part {
                sep.push_bind(enc(*id));
            }
            q.push(")");
            for r in q.build().fetch_all(&self.pool).await? {
                out.push(contract_from_row(&r)?);
            }
        }
        Ok(out)
    }

    async fn contract_milestones(
        &self,
        contract_ids: &[Uuid],
    ) -> Result<Vec<ContractMilestoneRow>> {
        let mut out = Vec::new();
        for part in contract_ids.chunks(500) {
            let mut q = sqlx::QueryBuilder::<Db>::new(
                "SELECT * FROM procurement_milestones WHERE contract_id IN (",
            );
            let mut sep = q.separated(", ");
            for id in part {
                sep.push_bind(enc(*id));
            }
            q.push(") ORDER BY contract_id, seq");
            for r in q.build().fetch_all(&self.pool).await? {
                out.push(contract_milestone_from_row(&r)?);
            }
        }
        Ok(out)
    }

    async fn complete_contract_milestone(
        &self,
        actor: &str,
        id: Uuid,
        expected_version: i64,
        done_on: NaiveDate,
    ) -> Result<ContractMilestoneRow> {
        let (mut tx, mut head) = begin_write(self).await?;
        let done = sqlx::query(
            "UPDATE procurement_milestones SET state = 'done', done_on = $1, updated_at = $2, \
             version = version + 1 WHERE id = $3 AND version = $4 AND state = 'pending' \
             AND arrear_id IS NULL",
        )
        .bind(done_on)
        .bind(micros(now()))
        .bind(enc(id))
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                expected: expected_version,
                current: -1,
            });
        }
        let stored = milestone_in(&mut tx, id).await?;
        append(
            &mut tx,
            &mut head,
            actor,
            "procurement_milestone",
            &id.to_string(),
            "update",
            Some(state_digest(&stored)?),
        )
        .await?;
        commit(tx, head).await?;
        Ok(stored)
    }

    async fn enter_arrears(
        &self,
        actor: &str,
        entries: &[ArrearEntry],
        notifications: &[NotificationRow],
    ) -> Result<usize> {
        if entries.is_empty() {
            return Ok(0);
        }
        for e in entries {
            check_arrear(&e.arrear)?;
        }
        let (mut tx, mut head) = begin_write(self).await?;
        let mut log = PendingLog::default();
        for e in entries {
            let a = ArrearRow {
                created_at: micros(e.arrear.created_at),
                updated_at: micros(e.arrear.updated_at),
                ..e.arrear.clone()
            };
            if let Some(m) = a.milestone_id {
                let linked = sqlx::query(
                    "UPDATE procurement_milestones SET arrear_id = $1, updated_at = $2, \
                     version = version + 1 WHERE id = $3 AND arrear_id IS NULL \
                     AND state = 'pending'",
                )
                .bind(enc(a.id))
                .bind(a.updated_at)
                .bind(enc(m))
                .execute(&mut *tx)
                .await?;
                if linked.rows_affected() != 1 {
                    return Err(StoreError::Conflict {
                        expected: 0,
                        current: -1,
                    });
                }
            }
            insert_arrear(&mut tx, &a).await?;
            move_sums(&mut tx, None, &a).await?;
            log.push(entry(
                "arrear",
                a.id.to_string(),
                "create",
                state_digest(&a)?,
            ));
            if let Some(m) = a.milestone_id {
                let ms = milestone_in(&mut tx, m).await?;
                log.push(entry(
                    "procurement_milestone",
                    m.to_string(),
                    "arrear",
                    state_digest(&ms)?,
                ));
            }
            insert_step(&mut tx, &mut log, &e.step).await?;
        }
        let stored = insert_notifications_tx(&mut tx, &mut log, notifications).await?;
        if entries.len() == 1 {
            log.flush(&mut tx, &mut head, actor).await?;
        } else {
            let group = format!("arrears:{}", now().format("%Y%m%dT%H%M%S%.6f"));
            log.flush_grouped(&mut tx, &mut head, actor, &group).await?;
        }
        commit(tx, head).await?;
        Ok(stored.len())
    }

    async fn arrear(&self, id: Uuid) -> Result<Option<ArrearRow>> {
        sqlx::query("SELECT * FROM arrears WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(arrear_from_row)
            .transpose()
    }

    async fn arrears(&self, f: &ArrearFilter) -> Result<Vec<ArrearRow>> {
        let mut q = sqlx::QueryBuilder::<Db>::new("SELECT * FROM arrears WHERE 1 = 1");
        push_filter(&mut q, f, "debtor_uscc", "creditor_uscc");
        if let Some(s) = &f.state {
            q.push(" AND state = ").push_bind(s.clone());
        }
        let limit = if f.limit <= 0 { 50 } else { f.limit.min(1000) };
        q.push(" ORDER BY created_at DESC, id DESC LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(f.offset.max(0));
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(arrear_from_row).collect()
    }

    async fn arrear_steps(&self, arrear_id: Uuid) -> Result<Vec<ArrearStepRow>> {
        let rows = sqlx::query("SELECT * FROM arrear_steps WHERE arrear_id = $1 ORDER BY at, id")
            .bind(enc(arrear_id))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(arrear_step_from_row).collect()
    }

    async fn change_arrear(&self, actor: &str, ch: ArrearChange) -> Result<Option<Record>> {
        check_arrear(&ch.arrear)?;
        let a = ch.arrear;
        let (mut tx, mut head) = begin_write(self).await?;
        let old = arrear_in(&mut tx, a.id).await?;
        let record = match ch.record {
            Some(r) => Some(create_record_tx(&mut tx, &mut head, actor, r).await?),
            None => None,
        };
        let done = sqlx::query(
            "UPDATE arrears SET state = $1, paid_fen = $2, reason = $3, judgment_doc_no = $4, \
             judgment_on = $5, cleared_on = $6, record_id = $7, updated_at = $8, version = $9 \
             WHERE id = $10 AND version = $11",
        )
        .bind(&a.state)
        .bind(a.paid_fen)
        .bind(&a.reason)
        .bind(&a.judgment_doc_no)
        .bind(a.judgment_on)
        .bind(a.cleared_on)
        .bind(record.as_ref().map(|r| enc(r.id)).or(a.record_id.map(enc)))
        .bind(micros(a.updated_at))
        .bind(ch.expected_version + 1)
        .bind(enc(a.id))
        .bind(ch.expected_version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                expected: ch.expected_version,
                current: -1,
            });
        }
        let mut log = PendingLog::default();
        let stored = arrear_in(&mut tx, a.id).await?;
        move_sums(&mut tx, Some(&old), &stored).await?;
        log.push(entry(
            "arrear",
            a.id.to_string(),
            "update",
            state_digest(&stored)?,
        ));
        if let Some((m, on)) = ch.milestone_done {
            sqlx::query(
                "UPDATE procurement_milestones SET state = 'done', done_on = $1, updated_at = $2, \
                 version = version + 1 WHERE id = $3 AND state = 'pending'",
            )
            .bind(on)
            .bind(micros(a.updated_at))
            .bind(enc(m))
            .execute(&mut *tx)
            .await?;
            let ms = milestone_in(&mut tx, m).await?;
            log.push(entry(
                "procurement_milestone",
                m.to_string(),
                "update",
                state_digest(&ms)?,
            ));
        }
        insert_step(&mut tx, &mut log, &ch.step).await?;
        insert_notifications_tx(&mut tx, &mut log, &ch.notifications).await?;
        log.flush(&mut tx, &mut head, actor).await?;
        commit(tx, head).await?;
        Ok(record)
    }

    async fn overdue_payments(
        &self,
        today: NaiveDate,
        limit: i64,
    ) -> Result<Vec<ContractMilestoneRow>> {
        let rows = sqlx::query(
            "SELECT * FROM procurement_milestones WHERE kind = 'payment' AND state = 'pending' \
             AND arrear_id IS NULL AND due_date < $1 ORDER BY due_date, id LIMIT $2",
        )
        .bind(today)
        .bind(limit.clamp(1, 100_000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(contract_milestone_from_row).collect()
    }

    async fn arrears_to_record(
        &self,
        due_by: NaiveDate,
        judgment_by: NaiveDate,
        limit: i64,
    ) -> Result<Vec<ArrearRow>> {
        let rows = sqlx::query(
            "SELECT * FROM arrears WHERE record_id IS NULL AND state IN ('confirmed', 'partly_paid') \
             AND (due_date <= $1 OR judgment_on <= $2) ORDER BY due_date, id LIMIT $3",
        )
        .bind(due_by)
        .bind(judgment_by)
        .bind(limit.clamp(1, 100_000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(arrear_from_row).collect()
    }

    async fn arrear_totals(&self, f: &ArrearFilter) -> Result<Vec<ArrearTotal>> {
        if f.creditor.is_none() {
            // The cells kept with every write: a few rows per body, whatever the ledger's size.
            let mut q = sqlx::QueryBuilder::<Db>::new(
                "SELECT region, debtor_uscc, debtor_name, due_month, confirmed_count AS n, \
                 amount_fen AS amount, paid_fen AS paid, outstanding_fen AS outstanding, \
                 owed_count AS owed_n, reported_count AS reported_n, reported_fen AS reported, \
                 cleared_count AS cleared_n FROM arrear_sums \
                 WHERE (confirmed_count <> 0 OR reported_count <> 0)",
            );
            push_filter(&mut q, f, "debtor_uscc", "creditor_uscc");
            let rows = q.build().fetch_all(&self.pool).await?;
            return rows.iter().map(total_from_row).collect();
        }
        // An enterprise's own: the arrears owed to it (by its index), added up.
        let owed = "state IN ('confirmed', 'partly_paid')";
        let known = "state IN ('confirmed', 'partly_paid', 'cleared')";
        let mut q = sqlx::QueryBuilder::<Db>::new(format!(
            "SELECT debtor_uscc, MAX(debtor_name) AS debtor_name, region, due_month, \
             CAST(SUM(CASE WHEN {known} THEN 1 ELSE 0 END) AS BIGINT) AS n, \
             CAST(SUM(CASE WHEN {known} THEN amount_fen ELSE 0 END) AS BIGINT) AS amount, \
             CAST(SUM(CASE WHEN {known} THEN paid_fen ELSE 0 END) AS BIGINT) AS paid, \
             CAST(SUM(CASE WHEN {owed} THEN amount_fen - paid_fen ELSE 0 END) AS BIGINT) AS outstanding, \
             CAST(SUM(CASE WHEN {owed} THEN 1 ELSE 0 END) AS BIGINT) AS owed_n, \
             CAST(SUM(CASE WHEN state = 'reported' THEN 1 ELSE 0 END) AS BIGINT) AS reported_n, \
             CAST(SUM(CASE WHEN state = 'reported' THEN amount_fen ELSE 0 END) AS BIGINT) AS reported, \
             CAST(SUM(CASE WHEN state = 'cleared' THEN 1 ELSE 0 END) AS BIGINT) AS cleared_n \
             FROM arrears WHERE state <> 'rejected'"
        ));
        push_filter(&mut q, f, "debtor_uscc", "creditor_uscc");
        q.push(" GROUP BY region, debtor_uscc, due_month");
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(total_from_row).collect()
    }
}
