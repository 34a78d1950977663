//! The 失信 record an arrear becomes (catalog type `procurement_arrears` 拖欠账款, subject the
//! debtor body): its fields checked against the catalog as an import row is, its severity from
//! the rules (overdue beyond the limit, or a court judgment unpaid) and its publication period
//! from the type.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::ArrearsError;
use crate::catalog::{FieldValue, FieldValues, RecordType, Severity};
use crate::commitments::{format_yuan, BreachRecord};
use crate::records::entry_status;

/// What the record says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrearsFacts {
    pub debtor_name: String,
    pub debtor_uscc: String,
    pub creditor_name: String,
    pub creditor_uscc: Option<String>,
    /// The arrear's number (its document number as a record: one record per arrear).
    pub arrear_no: String,
    pub contract_no: String,
    pub contract_name: Option<String>,
    pub contract_amount_fen: i64,
    pub due: NaiveDate,
    pub amount_fen: i64,
    pub paid_fen: i64,
    /// `unpaid` or `partly_paid`.
    pub status: &'static str,
    pub finding_body: String,
    pub finding_date: NaiveDate,
    /// Why (逾期超过规定期限 / 生效判决未履行), in the remarks.
    pub reason: String,
    pub severity: Severity,
}

fn clip(s: &str, max: usize) -> String {
    s.trim().chars().take(max).collect()
}

/// The record of an arrear under `rt` (the rules' record type), as of `today`.
pub fn arrears_record(
    rt: &RecordType,
    f: &ArrearsFacts,
    today: NaiveDate,
) -> Result<BreachRecord, ArrearsError> {
    let mut raw: BTreeMap<&str, String> = BTreeMap::new();
    raw.insert("debtor_name", clip(&f.debtor_name, 200));
    raw.insert("debtor_uscc", f.debtor_uscc.clone());
    raw.insert("creditor_name", clip(&f.creditor_name, 200));
    if let Some(c) = &f.creditor_uscc {
        raw.insert("creditor_uscc", c.clone());
    }
    raw.insert("contract_no", clip(&f.contract_no, 100));
    if let Some(n) = &f.contract_name {
        raw.insert("contract_name", clip(n, 200));
    }
    raw.insert("contract_amount", format_yuan(f.contract_amount_fen));
    raw.insert("agreed_payment_date", f.due.format("%Y-%m-%d").to_string());
    raw.insert("amount_due", format_yuan(f.amount_fen));
    raw.insert("amount_paid", format_yuan(f.paid_fen));
    raw.insert(
        "arrears_amount",
        format_yuan((f.amount_fen - f.paid_fen).max(0)),
    );
    raw.insert("arrears_status", f.status.to_string());
    raw.insert("finding_body", clip(&f.finding_body, 200));
    raw.insert(
        "finding_date",
        f.finding_date.format("%Y-%m-%d").to_string(),
    );
    raw.insert(
        "remarks",
        clip(&format!("拖欠账款编号 {}；{}", f.arrear_no, f.reason), 512),
    );
    let mut values = FieldValues::new();
    let mut fields = serde_json::Map::new();
    for (k, v) in &raw {
        if v.trim().is_empty() {
            continue;
        }
        let def = rt.field(k).ok_or_else(|| {
            ArrearsError::Record(format!("失信信息类型 {} 没有字段 {k}", rt.code))
        })?;
        let value = def
            .parse_value(v)
            .map_err(|e| ArrearsError::Record(format!("{}.{k}：{e}", rt.code)))?;
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
            return Err(ArrearsError::Record(format!(
                "{} 缺少必填字段 {}",
                rt.code, def.name
            )));
        }
    }
    let severity = rt.row_severity(Some(f.severity), &values);
    let (status, publish_until) = entry_status(
        rt.publish_until(f.finding_date, Some(f.severity), &values),
        rt.disclosure,
        f.finding_date,
        today,
    );
    Ok(BreachRecord {
        type_code: rt.code.clone(),
        doc_no: clip(&f.arrear_no, 100),
        decision_date: f.finding_date,
        subject_name: clip(&f.debtor_name, 200),
        fields,
        severity,
        status,
        publish_until,
    })
}
