//! 更正 — correcting a record's content.
//!
//! A correction names the fields it changes — a *patch*: English field name → new value (text,
//! or a number taken as its text; `null` or an empty text clears an optional field) — and
//! changes those only: every field it does not name stays exactly as stored.
//!
//! The corrected record is then checked against its catalog type exactly like an imported row
//! ([`intake::validate_stored`]: required fields, lengths, dates, numbers, allowed values,
//! identifier codes, the decision date, the 双公示 cross-field rules). ID numbers are stored
//! masked only, so a stored masked number the patch leaves alone is taken as it is; a number
//! the patch gives is checked in full and stored masked.
//!
//! What a correction refuses (nothing is changed):
//! - an empty patch (`correction_empty`);
//! - a field the type does not have (`correction_unknown_field`);
//! - the fields that identify the record or its subject — the document number (with the
//!   submitting department and the type, the record's source key) and the subject's USCC, ID
//!   number, 证件类型 and 行政相对人类别, which link the record to its subject
//!   (`correction_identity_field`). A record filed under the wrong subject or number is a
//!   different record: it is revoked and submitted again, never silently moved to another
//!   subject. (Giving such a field its current value is not a change and is accepted.) The
//!   subject's *name* is content and may be corrected;
//! - a patch that changes nothing (`correction_no_change`);
//! - a result that breaks the type's rules, with every problem named by field
//!   (`correction_invalid`).
//!
//! The record's severity (失信程度) is a recognition of its own and is kept; when the decision
//! date or a field the publication rule reads (公示截止期, 有效期至) changes, the end of
//! publication is computed again from the corrected content, as for an import.
//!
//! [`Correction::changes`] lists each changed field with its value before and after, as stored
//! (ID numbers masked, in free text too): the record's history keeps it. A free-text field
//! given with an ID number is stored masked; its text as given is in
//! [`Correction::clear_texts`], for the caller to seal.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{entry_status, free_text, Record};
use crate::catalog::{FieldDef, FieldType, FieldValues, PublicationRule, RecordType, Severity};
use crate::codes::RegionLookup;
use crate::intake;

/// One field changed by a correction: its stored value before and after (`None`: empty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// English field name.
    pub field: String,
    #[serde(default)]
    pub before: Option<Value>,
    #[serde(default)]
    pub after: Option<Value>,
}

/// One problem of a corrected record, by field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldIssue {
    /// English field name (`None` for a problem of the whole record).
    pub field: Option<String>,
    /// The catalog's Chinese title of the field.
    pub title: Option<String>,
    /// Stable snake_case code (the import's code for the same problem).
    pub code: &'static str,
    /// Chinese message.
    pub message: String,
}

/// Why a correction is refused. Nothing is changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CorrectionError {
    #[error("更正须指明要更正的字段及其更正后的内容")]
    Empty,
    #[error("信息类型“{type_name}”没有以下字段，不能更正：{}", .names.join("、"))]
    UnknownFields {
        type_name: String,
        names: Vec<String>,
    },
    #[error("{}标识本记录或其信用主体，不能通过更正修改；如确有错误，请撤销该记录后按正确信息重新报送", quoted(.titles))]
    IdentityFields { titles: Vec<String> },
    #[error("更正后的内容与现有记录相同，没有需要更正的字段")]
    NoChange,
    #[error("更正后的记录不符合“{type_name}”的要求，未作任何修改：{}", issue_list(.issues))]
    Invalid {
        type_name: String,
        issues: Vec<FieldIssue>,
    },
}

impl CorrectionError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "correction_empty",
            Self::UnknownFields { .. } => "correction_unknown_field",
            Self::IdentityFields { .. } => "correction_identity_field",
            Self::NoChange => "correction_no_change",
            Self::Invalid { .. } => "correction_invalid",
        }
    }

    /// The problems by field (an invalid result; empty for the other refusals).
    pub fn issues(&self) -> &[FieldIssue] {
        match self {
            Self::Invalid { issues, .. } => issues,
            _ => &[],
        }
    }
}

fn quoted(titles: &[String]) -> String {
    titles
        .iter()
        .map(|t| format!("“{t}”"))
        .collect::<Vec<_>>()
        .join("")
}

fn issue_list(issues: &[FieldIssue]) -> String {
    issues
        .iter()
        .map(|i| i.message.as_str())
        .collect::<Vec<_>>()
        .join("；")
}

/// A correction checked and applied to a record's content, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    /// The record's fields after the correction: the stored ones with the named ones replaced
    /// (or removed when cleared).
    pub fields: Map<String, Value>,
    /// Each changed field, before and after, in catalog order (never empty).
    pub changes: Vec<FieldChange>,
    /// The subject's name as the corrected record gives it.
    pub subject_name: String,
    /// The decision date as the corrected record gives it.
    pub decision_date: NaiveDate,
    /// The new end of publication when the correction changed what it is computed from.
    pub publish_until: Option<Option<NaiveDate>>,
    /// The changed free-text fields ([`free_text::is_free_text`]): what was kept of their
    /// earlier text as given goes, [`Correction::clear_texts`] takes its place.
    pub text_fields: Vec<String>,
    /// The changed free-text fields that hold ID numbers, as given (stored masked in
    /// [`Correction::fields`]): to be sealed.
    pub clear_texts: free_text::ClearTexts,
}

/// Why a field may not be corrected, if it may not: the document number and the subject's
/// identifiers (see the module documentation).
pub fn locked_reason(rt: &RecordType, field: &str) -> Option<&'static str> {
    if field == rt.key_field {
        return Some(
            "文书号是记录的来源标识，不能更正；如有误，请撤销该记录后按正确文书号重新报送",
        );
    }
    let s = &rt.subject;
    let identifies = [
        &s.uscc_field,
        &s.id_number_field,
        &s.id_type_field,
        &s.kind_field,
    ]
    .into_iter()
    .any(|f| f.as_deref() == Some(field));
    identifies.then_some("标识信用主体，不能更正；主体有误的，请撤销该记录后重新报送")
}

/// A stored value as the text of a cell (`""` when empty).
pub fn cell_text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Whether a stored value is a masked number (kept as stored by a correction).
fn is_masked(v: &str) -> bool {
    v.contains('*')
}

/// The record's content by field: the stored fields, with the document number, the decision
/// date and the subject's name taken from the record itself where the fields lack them.
fn current_values(rt: &RecordType, record: &Record) -> Map<String, Value> {
    let mut out = record.fields.clone();
    let mut fill = |name: &str, v: String| {
        if !out.contains_key(name) && !v.is_empty() {
            out.insert(name.to_string(), Value::String(v));
        }
    };
    fill(&rt.key_field, record.doc_no.clone());
    fill(
        &rt.decision_date_field,
        record.decision_date.format("%Y-%m-%d").to_string(),
    );
    fill(&rt.subject.name_field, record.subject_name.clone());
    out
}

fn issue_of(rt: &RecordType, i: intake::RowIssue) -> FieldIssue {
    let field = i
        .column
        .as_deref()
        .and_then(|c| rt.fields.iter().find(|f| f.title == c));
    FieldIssue {
        field: field.map(|f| f.name.clone()),
        title: i.column.clone(),
        code: i.code,
        message: match &i.column {
            // Field errors name their field already; the others are given it.
            Some(c) if !i.message.contains(c.as_str()) => format!("“{c}”：{}", i.message),
            _ => i.message,
        },
    }
}

/// The fields the publication rule reads.
fn publication_fields(rt: &RecordType) -> Vec<&str> {
    match &rt.publication {
        PublicationRule::BySeverity {
            deadline_field: Some(f),
            ..
        } => vec![f.as_str()],
        PublicationRule::UntilField { field, .. } => vec![field.as_str()],
        _ => Vec::new(),
    }
}

/// Applies `patch` to `record` (of type `rt`) and checks the result; see the module
/// documentation. `today` bounds the decision date and ID-number birth dates, and decides
/// whether a recomputed publication period is already over.
pub fn correct(
    rt: &RecordType,
    record: &Record,
    patch: &Map<String, Value>,
    regions: &dyn RegionLookup,
    today: NaiveDate,
) -> Result<Correction, CorrectionError> {
    if patch.is_empty() {
        return Err(CorrectionError::Empty);
    }
    let unknown: Vec<String> = patch
        .keys()
        .filter(|k| rt.field(k).is_none())
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(CorrectionError::UnknownFields {
            type_name: rt.name.clone(),
            names: unknown,
        });
    }
    let current = current_values(rt, record);
    let mut cells: BTreeMap<String, String> = current
        .iter()
        .map(|(k, v)| (k.clone(), cell_text(Some(v))))
        .collect();
    let mut named: Vec<&FieldDef> = Vec::new();
    let mut locked = Vec::new();
    let mut issues = Vec::new();
    for f in &rt.fields {
        let Some(v) = patch.get(&f.name) else {
            continue;
        };
        let text = match v {
            Value::String(_) | Value::Number(_) | Value::Null => cell_text(Some(v)),
            _ => {
                issues.push(FieldIssue {
                    field: Some(f.name.clone()),
                    title: Some(f.title.clone()),
                    code: "invalid_value",
                    message: format!("“{}”的值须为文本或数字（清空请给 null）", f.title),
                });
                continue;
            }
        };
        if locked_reason(rt, &f.name).is_some() {
            let now = cells.get(&f.name).map_or("", |s| s.trim());
            if text.trim() != now {
                locked.push(f.title.clone());
            }
            continue;
        }
        cells.insert(f.name.clone(), text);
        named.push(f);
    }
    if !locked.is_empty() {
        return Err(CorrectionError::IdentityFields { titles: locked });
    }
    if !issues.is_empty() {
        return Err(CorrectionError::Invalid {
            type_name: rt.name.clone(),
            issues,
        });
    }
    if named.is_empty() {
        return Err(CorrectionError::NoChange);
    }
    // Masked numbers the patch leaves alone are taken as stored.
    let unchecked: Vec<&str> = rt
        .fields
        .iter()
        .filter(|f| {
            matches!(
                f.kind,
                FieldType::Uscc | FieldType::IdNumber | FieldType::UsccOrId
            )
        })
        .filter(|f| !named.iter().any(|n| n.name == f.name))
        .filter(|f| cells.get(&f.name).is_some_and(|v| is_masked(v)))
        .map(|f| f.name.as_str())
        .collect();
    let valid = intake::validate_stored(rt, &cells, &unchecked, regions, today).map_err(|is| {
        CorrectionError::Invalid {
            type_name: rt.name.clone(),
            issues: is.into_iter().map(|i| issue_of(rt, i)).collect(),
        }
    })?;

    let mut fields = record.fields.clone();
    let mut changes = Vec::new();
    let mut text_fields = Vec::new();
    let mut clear_texts = free_text::ClearTexts::default();
    for f in named {
        let before = current.get(&f.name).cloned();
        let after = valid.fields.get(&f.name).cloned();
        if before == after {
            continue;
        }
        if free_text::is_free_text(rt, &f.name) {
            if let Some(c) = valid.clear_texts.get(&f.name) {
                clear_texts.insert(f.name.clone(), c);
            }
            text_fields.push(f.name.clone());
        }
        match &after {
            Some(v) => fields.insert(f.name.clone(), v.clone()),
            None => fields.remove(&f.name),
        };
        changes.push(FieldChange {
            field: f.name.clone(),
            before,
            after,
        });
    }
    if changes.is_empty() {
        return Err(CorrectionError::NoChange);
    }

    let rule_fields = publication_fields(rt);
    let period_changed = changes
        .iter()
        .any(|c| c.field == rt.decision_date_field || rule_fields.contains(&c.field.as_str()));
    let publish_until = period_changed.then(|| {
        let mut values = FieldValues::new();
        for name in &rule_fields {
            let parsed = rt
                .field(name)
                .and_then(|f| f.parse_value(&cell_text(fields.get(*name))).ok());
            if let Some(v) = parsed {
                values.insert((*name).to_string(), v);
            }
        }
        let severity = record.severity.as_deref().and_then(Severity::parse);
        let end = rt
            .publication
            .publish_until(valid.decision_date, severity, &values);
        entry_status(end, rt.disclosure, valid.decision_date, today).1
    });

    Ok(Correction {
        fields,
        changes,
        subject_name: valid.subject.name,
        decision_date: valid.decision_date,
        publish_until,
        text_fields,
        clear_texts,
    })
}

/// The fields that differ between two versions of a record's content (a file's correction
/// replaces the whole row), by field name.
pub fn diff(before: &Map<String, Value>, after: &Map<String, Value>) -> Vec<FieldChange> {
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter_map(|n| {
            let (b, a) = (before.get(n), after.get(n));
            (b != a).then(|| FieldChange {
                field: n.clone(),
                before: b.cloned(),
                after: a.cloned(),
            })
        })
        .collect()
}

/// How a field is entered on a correction form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FormInput {
    /// Free text of at most `max_len` characters.
    Text { max_len: u32 },
    /// A date (`YYYY-MM-DD`).
    Date,
    /// A number (`integer`: whole numbers only).
    Number { integer: bool },
    /// One of the catalog's values.
    Select { options: Vec<FormOption> },
    /// A USCC or an ID number.
    Code,
}

/// One choice of a select: the stored code and its Chinese label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormOption {
    pub value: String,
    pub label: String,
}

/// One field of a correction form: every field of the record's type, in catalog order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormField {
    pub name: String,
    /// The catalog's Chinese title.
    pub title: String,
    pub input: FormInput,
    pub required: bool,
    /// The current value as text (`""` when empty); masked numbers stay masked.
    pub value: String,
    /// The value is a masked number: to correct it, the full number is entered.
    pub masked: bool,
    /// Why the field cannot be corrected (document number, subject identifiers).
    pub locked: Option<&'static str>,
    /// The catalog's guidance for the field.
    pub description: Option<String>,
}

/// The correction form of a record: each field of its type with its current value.
pub fn form(rt: &RecordType, record: &Record) -> Vec<FormField> {
    let current = current_values(rt, record);
    rt.fields
        .iter()
        .map(|f| {
            let value = cell_text(current.get(&f.name));
            let input = match &f.kind {
                FieldType::Text { max_len } => FormInput::Text { max_len: *max_len },
                FieldType::Date => FormInput::Date,
                FieldType::Decimal { .. } => FormInput::Number { integer: false },
                FieldType::Integer { .. } => FormInput::Number { integer: true },
                FieldType::Enum { values } => {
                    let mut options: Vec<FormOption> = Vec::new();
                    if !f.required || value.is_empty() {
                        options.push(FormOption {
                            value: String::new(),
                            label: "（空）".into(),
                        });
                    }
                    options.extend(values.iter().map(|v| FormOption {
                        value: v.code.clone(),
                        label: v.label.clone(),
                    }));
                    // A stored value outside the catalog's list stays selectable, so the
                    // form shows what is stored (and leaving it alone changes nothing).
                    if !options.iter().any(|o| o.value == value) {
                        options.push(FormOption {
                            value: value.clone(),
                            label: format!("{value}（不在目录取值范围内）"),
                        });
                    }
                    FormInput::Select { options }
                }
                FieldType::Uscc | FieldType::IdNumber | FieldType::UsccOrId => FormInput::Code,
            };
            FormField {
                name: f.name.clone(),
                title: f.title.clone(),
                masked: matches!(input, FormInput::Code) && is_masked(&value),
                input,
                required: f.required,
                value,
                locked: locked_reason(rt, &f.name),
                description: f.description.clone(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
