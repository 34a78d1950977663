//! The daily sweep of the ledger: every payment milestone past due and not paid enters the
//! ledger (已确认: the body's own contract says so), telling the body and the credit office;
//! then every owed arrear unpaid beyond the configured limit, or after a court judgment's
//! grace, becomes a 失信 record of the body (catalog type `procurement_arrears`) in the arrear's
//! own transaction. Idempotent: a milestone in the ledger carries its arrear, a recorded arrear
//! its record.

use std::collections::HashMap;

use chengxin_domain::arrears::{
    arrears_record, record_reason, ArrearSource, ArrearsFacts, PaymentTerms, RecordReason,
};
use chengxin_domain::catalog::{Catalog, Severity};
use chengxin_domain::commitments::format_yuan;
use chengxin_store::{
    ArrearChange, ArrearEntry, ArrearRow, ArrearStepRow, ContractRow, NewRecord, NewSubject, Store,
};
use chrono::{Duration, NaiveDate, SubsecRound};
use serde::Serialize;
use uuid::Uuid;

use super::contracts::gov_kind;
use super::view::domain_arrear;
use super::{region_office_name, short_no};
use crate::error::{AppError, AppResult};
use crate::notify::{self, Notice, To};

/// The actor of the sweep's writes.
pub const ACTOR: &str = "system:arrears";
/// Milestones per transaction.
const CHUNK: i64 = 2_000;

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    /// Overdue payments entered into the ledger.
    pub entered: usize,
    /// Arrears that became 失信 records.
    pub recorded: usize,
    /// Inbox items stored.
    pub notifications: usize,
}

fn entry_of(
    c: &ContractRow,
    m: &chengxin_store::ContractMilestoneRow,
    today: NaiveDate,
) -> Option<(ArrearEntry, Notice)> {
    let amount = m.amount_fen.filter(|a| *a > 0)?;
    let now = chengxin_store::clock::now().trunc_subsecs(6);
    let id = Uuid::now_v7();
    let arrear = ArrearRow {
        id,
        no: short_no("QK", today),
        source: ArrearSource::Contract.as_str().into(),
        contract_id: Some(c.id),
        milestone_id: Some(m.id),
        contract_no: c.contract_no.clone(),
        contract_name: Some(c.title.clone()),
        contract_amount_fen: c.amount_fen,
        debtor_uscc: c.purchaser_uscc.clone(),
        debtor_name: c.purchaser_name.clone(),
        debtor_subject_id: c.purchaser_subject_id,
        region: c.region.clone(),
        creditor_uscc: c.supplier_uscc.clone(),
        creditor_name: c.supplier_name.clone(),
        creditor_sme: c.supplier_sme,
        amount_fen: amount,
        paid_fen: 0,
        due_date: m.due_date,
        due_month: m.due_date.format("%Y-%m").to_string(),
        state: ArrearSource::Contract.initial_state().as_str().into(),
        reason: None,
        judgment_doc_no: None,
        judgment_on: None,
        cleared_on: None,
        record_id: None,
        reported_by: ACTOR.into(),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let step = ArrearStepRow {
        id: Uuid::now_v7(),
        arrear_id: id,
        action: "enter".into(),
        amount_fen: Some(amount),
        on_date: today,
        actor: ACTOR.into(),
        at: now,
        note: format!(
            "付款节点“{}”于 {} 到期未付（{}），系统自动记入拖欠账款台账",
            m.title, m.due_date, c.terms_basis
        ),
    };
    let notice = Notice {
        to: vec![To::Body(c.purchaser_uscc.clone()), To::Office(c.region.clone())],
        region: c.region.clone(),
        topic: "arrear_overdue",
        title: format!("合同付款逾期：{}（{} 元）", c.title, format_yuan(amount)),
        body: format!(
            "{}：合同“{}”（{}）的付款节点“{}”应于 {} 前支付 {} 元，至今未付，已记入拖欠账款台账。请立即支付；逾期超过规定期限的，将记入本单位失信信息。",
            c.purchaser_name, c.title, c.contract_no, m.title, m.due_date, format_yuan(amount)
        ),
        link: Some(format!("/console/arrears/{id}")),
        once: Some(format!("arrear-overdue:{}", m.id)),
    };
    Some((ArrearEntry { arrear, step }, notice))
}

/// Sweep the ledger on `today`.
pub async fn sweep(store: &dyn Store, today: NaiveDate) -> AppResult<SweepReport> {
    let mut report = SweepReport::default();
    let terms = PaymentTerms::shipped()?;
    // ---- overdue payments enter the ledger ----
    let mut contracts: HashMap<Uuid, ContractRow> = HashMap::new();
    for _ in 0..100_000 {
        let batch = store.overdue_payments(today, CHUNK).await?;
        if batch.is_empty() {
            break;
        }
        let missing: Vec<Uuid> = batch
            .iter()
            .map(|m| m.contract_id)
            .filter(|id| !contracts.contains_key(id))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        for c in store.contracts_by_id(&missing).await? {
            contracts.insert(c.id, c);
        }
        let mut entries = Vec::new();
        let mut notices = Vec::new();
        for m in &batch {
            if let Some((e, n)) = contracts
                .get(&m.contract_id)
                .and_then(|c| entry_of(c, m, today))
            {
                entries.push(e);
                notices.push(n);
            }
        }
        if entries.is_empty() {
            // Only malformed rows (no amount): nothing more this sweep can do with them.
            break;
        }
        report.entered += entries.len();
        report.notifications += store
            .enter_arrears(ACTOR, &entries, &notify::rows(&notices))
            .await?;
    }
    // ---- beyond the limit, or a judgment unpaid: a 失信 record of the body ----
    let rules = &terms.arrears;
    let due_by = today - Duration::days(i64::from(rules.record_after_days) + 1);
    let judgment_by = today - Duration::days(i64::from(rules.judgment_grace_days) + 1);
    let catalog = Catalog::default_checked().map_err(AppError::unavailable)?;
    let rt = catalog.get(&rules.record_type).ok_or_else(|| {
        AppError::unavailable(format!("目录中没有失信信息类型 {}", rules.record_type))
    })?;
    let mut skipped = std::collections::HashSet::new();
    for _ in 0..100_000 {
        let batch = store.arrears_to_record(due_by, judgment_by, 500).await?;
        let fresh: Vec<&ArrearRow> = batch.iter().filter(|a| !skipped.contains(&a.id)).collect();
        if fresh.is_empty() {
            break;
        }
        for a in fresh {
            skipped.insert(a.id);
            match record_one(store, a, today, rules, rt).await {
                Ok(Some(n)) => {
                    report.recorded += 1;
                    report.notifications += n;
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(target: crate::LOG_TARGET, arrear = %a.id, error = %e, "arrear_record_failed");
                }
            }
        }
    }
    Ok(report)
}

async fn record_one(
    store: &dyn Store,
    a: &ArrearRow,
    today: NaiveDate,
    rules: &chengxin_domain::arrears::ArrearsRules,
    rt: &chengxin_domain::catalog::RecordType,
) -> AppResult<Option<usize>> {
    let d = domain_arrear(a)?;
    let Some(reason) = record_reason(&d, a.due_date, a.judgment_on, today, rules) else {
        return Ok(None);
    };
    let severity = Severity::parse(match reason {
        RecordReason::JudgmentUnpaid => &rules.severity_judgment,
        RecordReason::OverdueBeyondLimit { .. } => &rules.severity_overdue,
    })
    .unwrap_or(Severity::General);
    let finding_body = format!("{}（系统依规则自动认定）", region_office_name(&a.region));
    let describe = reason.describe(rules.record_after_days);
    let br = arrears_record(
        rt,
        &ArrearsFacts {
            debtor_name: a.debtor_name.clone(),
            debtor_uscc: a.debtor_uscc.clone(),
            creditor_name: a.creditor_name.clone(),
            creditor_uscc: Some(a.creditor_uscc.clone()),
            arrear_no: a.no.clone(),
            contract_no: a.contract_no.clone(),
            contract_name: a.contract_name.clone(),
            contract_amount_fen: a.contract_amount_fen,
            due: a.due_date,
            amount_fen: a.amount_fen,
            paid_fen: a.paid_fen,
            status: if a.paid_fen > 0 {
                "partly_paid"
            } else {
                "unpaid"
            },
            finding_body: finding_body.clone(),
            finding_date: today,
            reason: match &a.judgment_doc_no {
                Some(j) if reason == RecordReason::JudgmentUnpaid => format!("{describe}（{j}）"),
                _ => describe.clone(),
            },
            severity,
        },
        today,
    )?;
    // The debtor as a subject (a report named a body not registered yet: registered now).
    let subject_id = match a.debtor_subject_id {
        Some(s) => Some(s),
        None => match store.subject_by_uscc(&a.debtor_uscc).await? {
            Some(s) => Some(s.id),
            None => Some(
                store
                    .create_subject(
                        ACTOR,
                        NewSubject {
                            kind: Some(gov_kind(&a.debtor_uscc)),
                            name: a.debtor_name.clone(),
                            uscc: Some(a.debtor_uscc.clone()),
                            id_hash: None,
                            id_masked: None,
                            region: Some(a.region.clone()),
                            parent_id: None,
                            former_names: Vec::new(),
                        },
                    )
                    .await?
                    .id,
            ),
        },
    };
    let now = chengxin_store::clock::now().trunc_subsecs(6);
    let mut row = a.clone();
    row.updated_at = now;
    let step = ArrearStepRow {
        id: Uuid::now_v7(),
        arrear_id: a.id,
        action: "record".into(),
        amount_fen: Some(d.outstanding()),
        on_date: today,
        actor: ACTOR.into(),
        at: now,
        note: format!("{describe}：记入 {} 失信信息（拖欠账款）", a.debtor_name),
    };
    let notice = Notice {
        to: vec![
            To::Body(a.debtor_uscc.clone()),
            To::Office(a.region.clone()),
            To::Body(a.creditor_uscc.clone()),
        ],
        region: a.region.clone(),
        topic: "arrear_record",
        title: format!("拖欠账款记入失信信息：{}", a.debtor_name),
        body: format!(
            "{} 拖欠 {} 合同“{}”款项尚欠 {} 元，{describe}，已记入该单位失信信息（{finding_body}）。",
            a.debtor_name, a.creditor_name, a.contract_no, format_yuan(d.outstanding())
        ),
        link: Some(format!("/console/arrears/{}", a.id)),
        once: Some(format!("arrear-record:{}", a.id)),
    };
    let notifications = notify::rows(&[notice]);
    let sent = notifications.len();
    store
        .change_arrear(
            ACTOR,
            ArrearChange {
                arrear: row,
                expected_version: a.version,
                step,
                record: Some(NewRecord {
                    type_code: br.type_code,
                    subject_id,
                    subject_name: br.subject_name,
                    doc_no: br.doc_no,
                    decision_date: br.decision_date,
                    source_dept: a.debtor_uscc.clone(),
                    batch_id: None,
                    fields: br.fields,
                    severity: br.severity.map(|s| s.code().to_string()),
                    status: br.status,
                    publish_until: br.publish_until,
                    content_digest: None,
                    published_at: None,
                }),
                milestone_done: None,
                notifications,
            },
        )
        .await?;
    Ok(Some(sent))
}
