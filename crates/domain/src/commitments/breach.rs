//! A recognised breach becomes a 失信 record of the promisor (catalog type of the kind:
//! 招商引资承诺违约, or 违背承诺): its fields checked against the catalog as an import row is,
//! its severity and publication period from the type's rules.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{yuan_to_wan, CommitmentError};
use crate::catalog::{FieldValue, FieldValues, RecordType, Severity};
use crate::records::{entry_status, RecordStatus};

/// What the record says (from the commitment, the milestone and the decision).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreachFacts {
    pub promisor_name: String,
    /// The promisor's USCC; empty when the promisor is a natural person.
    pub promisor_uscc: String,
    /// A natural person's ID number, masked (the record's 承诺人身份证号码; the subject is
    /// found by the person's keyed hash, never by this).
    pub promisor_id_masked: Option<String>,
    pub counterparty_name: String,
    /// USCC or ID number (masked) of the counterparty, if known.
    pub counterparty_id: Option<String>,
    /// The commitment's title (项目名称 / 承诺事项名称).
    pub title: String,
    /// The kind's Chinese name (协议名称 / 承诺类别).
    pub kind_name: String,
    /// The commitment's number (协议编号 / 承诺编号).
    pub commitment_no: String,
    /// The promise and the milestone.
    pub promise: String,
    pub due: NaiveDate,
    /// 违约情形, as the decision states it.
    pub finding: String,
    pub amount_fen: Option<i64>,
    /// 认定机关 (its name), its document number and date.
    pub finding_body: String,
    pub finding_doc_no: String,
    pub finding_date: NaiveDate,
    pub severity: Option<Severity>,
}

/// The record to create: its fields (as stored: text values, dates `YYYY-MM-DD`), severity,
/// status and publication end.
#[derive(Debug, Clone, PartialEq)]
pub struct BreachRecord {
    pub type_code: String,
    pub doc_no: String,
    pub decision_date: NaiveDate,
    pub subject_name: String,
    pub fields: serde_json::Map<String, serde_json::Value>,
    pub severity: Option<Severity>,
    pub status: RecordStatus,
    pub publish_until: Option<NaiveDate>,
}

fn clip(s: &str, max: usize) -> String {
    s.trim().chars().take(max).collect()
}

/// The record of a breach under `rt` (the kind's breach type), as of `today`.
pub fn breach_record(
    rt: &RecordType,
    f: &BreachFacts,
    today: NaiveDate,
) -> Result<BreachRecord, CommitmentError> {
    let mut raw: BTreeMap<&str, String> = BTreeMap::new();
    raw.insert("promisor_name", clip(&f.promisor_name, 200));
    raw.insert("promisor_uscc", f.promisor_uscc.clone());
    if let Some(m) = &f.promisor_id_masked {
        raw.insert("promisor_id_no", m.clone());
    }
    raw.insert("counterparty_name", clip(&f.counterparty_name, 200));
    if let Some(c) = &f.counterparty_id {
        raw.insert("counterparty_uscc", c.clone());
    }
    raw.insert("project_name", clip(&f.title, 200));
    raw.insert("agreement_name", clip(&f.kind_name, 200));
    raw.insert("agreement_no", clip(&f.commitment_no, 100));
    raw.insert("promise", clip(&f.promise, 4000));
    raw.insert("promise_due_date", f.due.format("%Y-%m-%d").to_string());
    raw.insert("breach", clip(&f.finding, 4000));
    if let Some(a) = f.amount_fen {
        raw.insert("amount", yuan_to_wan(a));
    }
    raw.insert("finding_body", clip(&f.finding_body, 200));
    raw.insert("finding_doc_no", clip(&f.finding_doc_no, 100));
    raw.insert(
        "finding_date",
        f.finding_date.format("%Y-%m-%d").to_string(),
    );
    record_from_fields(
        rt,
        &raw,
        &f.finding_doc_no,
        f.finding_date,
        &f.promisor_name,
        f.severity,
        today,
    )
}

/// The record of fields `raw` (stored text values) under `rt`: each value checked against the
/// type as an import row's is, the required ones present, severity and publication from the
/// type's rules. The one path a recognised breach (a commitment's, a PPP project's) takes to
/// become a record.
pub fn record_from_fields(
    rt: &RecordType,
    raw: &BTreeMap<&str, String>,
    doc_no: &str,
    finding_date: NaiveDate,
    subject_name: &str,
    severity_given: Option<Severity>,
    today: NaiveDate,
) -> Result<BreachRecord, CommitmentError> {
    let mut values = FieldValues::new();
    let mut fields = serde_json::Map::new();
    for (k, v) in raw {
        if v.trim().is_empty() {
            continue;
        }
        let def = rt.field(k).ok_or_else(|| {
            CommitmentError::Kinds(format!("失信信息类型 {} 没有字段 {k}", rt.code))
        })?;
        let value = def
            .parse_value(v)
            .map_err(|e| CommitmentError::Kinds(format!("失信信息 {}.{k}：{e}", rt.code)))?;
        let text = match &value {
            FieldValue::Empty => String::new(),
            FieldValue::Text(s)
            | FieldValue::Decimal(s)
            | FieldValue::Enum(s)
            | FieldValue::Code(s) => s.clone(),
            FieldValue::Date(d) => d.format("%Y-%m-%d").to_string(),
            FieldValue::Integer(i) => i.to_string(),
        };
        fields.insert((*k).to_string(), serde_json::Value::String(text));
        values.insert((*k).to_string(), value);
    }
    for def in &rt.fields {
        if def.required && !values.contains_key(&def.name) {
            return Err(CommitmentError::Kinds(format!(
                "失信信息 {} 缺少必填字段 {}",
                rt.code, def.name
            )));
        }
    }
    let severity = rt.row_severity(severity_given, &values);
    let (status, publish_until) = entry_status(
        rt.publish_until(finding_date, severity_given, &values),
        rt.disclosure,
        finding_date,
        today,
    );
    Ok(BreachRecord {
        type_code: rt.code.clone(),
        doc_no: clip(doc_no, 100),
        decision_date: finding_date,
        subject_name: clip(subject_name, 200),
        fields,
        severity,
        status,
        publish_until,
    })
}
