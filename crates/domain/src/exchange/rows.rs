//! One row per record, list event or repair decision. Every cell is text; enum codes become
//! their labels; ID numbers of natural persons are masked (`3204**********1234`) wherever they
//! stand — the export leaves the platform, and the national standard's 证件号码 is shown
//! masked on 信用中国 too (docs/EXCHANGE.md: masked unless a sharing agreement says otherwise).

use chrono::NaiveDate;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::catalog::{Disclosure, FieldDef, FieldType, RecordClass, RecordType, Severity};
use crate::codes::{id_number, uscc};
use crate::lists::{EntryEvent, EntryStatus, ListEntry};
use crate::records::RecordStatus;
use crate::rights::{Application, Target};
use crate::subjects::SubjectKind;

/// A field value as exported: enum codes as labels, ID numbers masked (also inside free
/// text), a USCC as it is.
pub fn cell(fd: &FieldDef, v: Option<&Value>) -> String {
    let raw = match v {
        None | Some(Value::Null) => return String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    match &fd.kind {
        FieldType::IdNumber => id_number::mask(&raw),
        FieldType::UsccOrId => code_or_masked(&raw),
        FieldType::Uscc => raw,
        FieldType::Enum { values } => values
            .iter()
            .find(|e| e.code == raw)
            .map(|e| e.label.clone())
            .unwrap_or_else(|| id_number::mask_in_text(&raw).into_owned()),
        _ => id_number::mask_in_text(&raw).into_owned(),
    }
}

/// A USCC as it is; anything else (an ID number) masked.
fn code_or_masked(raw: &str) -> String {
    let n = raw.trim().to_ascii_uppercase();
    if uscc::has_valid_check_char(&n) && !id_number::looks_like_id(&n) {
        n
    } else {
        id_number::mask(raw)
    }
}

/// A record as it stood at the end of the day (its last history entry of that day or before).
#[derive(Debug, Clone, Copy)]
pub struct AsOf<'a> {
    pub id: Uuid,
    pub fields: &'a Map<String, Value>,
    pub status: RecordStatus,
    pub severity: Option<&'a str>,
    pub source_dept: &'a str,
    /// [`record_op`].
    pub op: &'static str,
}

/// What happened to a record that day, as the receiver applies it: 撤销 and 修复 withdraw
/// the row sent before, 新增 is a first sending, anything else replaces it.
pub fn record_op(created_that_day: bool, last_action: &str, status: RecordStatus) -> &'static str {
    match status {
        RecordStatus::Revoked => return "撤销",
        RecordStatus::Repaired => return "修复",
        _ => {}
    }
    if created_that_day {
        return "新增";
    }
    match last_action {
        "publish" => "新增",
        "expire" => "到期",
        "tolerate" => "容错认定",
        "revoke_repair" => "撤销修复",
        _ => "更正",
    }
}

/// A 双公示 row: the type's fields in the catalog's order, then the extra columns. A revoked
/// licence reads 当前状态 = 无效.
pub fn record_row(rt: &RecordType, r: &AsOf<'_>) -> Vec<String> {
    let mut row: Vec<String> = rt
        .fields
        .iter()
        .map(|fd| {
            if r.status == RecordStatus::Revoked && fd.name == "status" {
                if let FieldType::Enum { values } = &fd.kind {
                    if let Some(v) = values.iter().find(|v| v.code == "invalid") {
                        return v.label.clone();
                    }
                }
            }
            cell(fd, r.fields.get(&fd.name))
        })
        .collect();
    row.push(r.op.to_string());
    row.push(r.status.label().to_string());
    row.push(r.id.to_string());
    row
}

/// Whether a catalog type's records go to the 政务失信 file: negative, not 双公示, not
/// limited to authorised queries, about government bodies or institutions.
pub fn is_gov_negative_type(rt: &RecordType) -> bool {
    rt.class == RecordClass::Negative
        && rt.disclosure != Disclosure::Authorised
        && !super::SHUANG_GONGSHI.contains(&rt.code.as_str())
        && rt
            .subject_kinds
            .iter()
            .any(|k| matches!(k, SubjectKind::GovBody | SubjectKind::Institution))
}

fn field_text(rt: &RecordType, fields: &Map<String, Value>, name: &str) -> String {
    rt.fields
        .iter()
        .find(|f| f.name == name)
        .map(|fd| cell(fd, fields.get(name)))
        .unwrap_or_default()
}

/// A 政务失信 row (columns: [`super::gov_negative_columns`]).
pub fn gov_negative_row(rt: &RecordType, r: &AsOf<'_>) -> Vec<String> {
    let subject_uscc = rt
        .subject
        .uscc_field
        .as_deref()
        .map(|f| match r.fields.get(f) {
            Some(Value::String(s)) if !s.trim().is_empty() => code_or_masked(s),
            _ => String::new(),
        })
        .unwrap_or_default();
    let content = rt
        .fields
        .iter()
        .filter_map(|fd| {
            let v = cell(fd, r.fields.get(&fd.name));
            (!v.is_empty()).then(|| format!("{}：{}", fd.title, v))
        })
        .collect::<Vec<_>>()
        .join("；");
    let severity = r
        .severity
        .and_then(Severity::parse)
        .map(|s| s.label().to_string())
        .unwrap_or_default();
    vec![
        field_text(rt, r.fields, &rt.subject.name_field),
        subject_uscc,
        rt.name.clone(),
        field_text(rt, r.fields, &rt.key_field),
        field_text(rt, r.fields, &rt.decision_date_field),
        severity,
        r.source_dept.to_string(),
        content,
        r.op.to_string(),
        r.status.label().to_string(),
        r.id.to_string(),
    ]
}

/// A list event: an entry put on a list (列入: it took effect) or taken off (移出).
#[derive(Debug, Clone, Copy)]
pub struct ListEvent<'a> {
    pub entry_id: Uuid,
    pub list_name: &'a str,
    pub entry: &'a ListEntry,
    pub event: &'a EntryEvent,
}

/// The entry's 列入 and 移出 events of `date`, oldest first.
pub fn list_events_on(entry: &ListEntry, date: NaiveDate) -> Vec<&EntryEvent> {
    entry
        .history
        .iter()
        .filter(|e| e.on == date && event_label(e).is_some())
        .collect()
}

fn event_label(e: &EntryEvent) -> Option<&'static str> {
    match (e.from, e.to) {
        (Some(EntryStatus::Effective), EntryStatus::Effective) => None,
        (_, EntryStatus::Effective) => Some("列入"),
        (Some(EntryStatus::Removed), EntryStatus::Removed) => None,
        (Some(_), EntryStatus::Removed) => Some("移出"),
        _ => None,
    }
}

/// A list event row (columns: [`super::list_event_columns`]).
pub fn list_event_row(ev: &ListEvent<'_>) -> Vec<String> {
    let e = ev.entry;
    let label = event_label(ev.event).unwrap_or_default();
    let reason = match (label, e.removed_on, e.removal_reason) {
        ("移出", Some(on), Some(r)) if on == ev.event.on => r.label().to_string(),
        _ => String::new(),
    };
    vec![
        ev.list_name.to_string(),
        id_number::mask_in_text(&e.subject_name).into_owned(),
        code_or_masked(&e.subject_key),
        id_number::mask_in_text(&e.standard).into_owned(),
        id_number::mask_in_text(&e.basis).into_owned(),
        e.recognised_by.clone(),
        e.recognised_by_uscc.clone().unwrap_or_default(),
        label.to_string(),
        ev.event.on.to_string(),
        reason,
        ev.entry_id.to_string(),
    ]
}

/// A repair decision's outcome in Chinese (`None`: not a repair result).
pub fn repair_label(outcome: &str) -> Option<&'static str> {
    match outcome {
        "repaired" => Some("同意修复"),
        "rejected" => Some("不予修复"),
        "refused" => Some("不予受理"),
        "revoked" => Some("撤销修复"),
        _ => None,
    }
}

/// A repair row (columns: [`super::repair_columns`]); `None` without a repair decision.
pub fn repair_row(a: &Application) -> Option<Vec<String>> {
    let d = a.decision.as_ref()?;
    let outcome = repair_label(&d.outcome)?;
    let target = match a.target {
        Target::Record(_) => "信用记录",
        Target::ListEntry(_) => "名单",
        Target::General => "其他",
    };
    Some(vec![
        a.tracking_no.clone(),
        id_number::mask_in_text(&a.subject_name).into_owned(),
        target.to_string(),
        a.target.id().to_string(),
        a.department.clone(),
        outcome.to_string(),
        id_number::mask_in_text(&d.reasons).into_owned(),
        d.basis
            .as_deref()
            .map(|b| id_number::mask_in_text(b).into_owned())
            .unwrap_or_default(),
        crate::reports::china_date(d.at).to_string(),
        a.id.to_string(),
    ])
}
