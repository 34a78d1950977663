//! Validating a stored record's content as a row of its type: what a correction (更正) is
//! checked with, so a corrected record meets exactly the rules an imported row meets.

use std::collections::BTreeMap;

use super::*;

/// Validates `cells` (by English field name; a missing field is an empty cell) as one row of
/// `rt`, with the same steps as [`validate_row`]: every field through the catalog's parser
/// (required fields, lengths, dates, numbers, allowed enum values), identifier codes checked
/// with the `codes` module, the document number, the decision date (not in the future, not
/// before 1949-10-01), the subject and the 双公示 cross-field rules.
///
/// `unchecked` names code fields whose value is kept as stored, masked (ID numbers are never
/// stored in clear): they are taken as they are, without the check of their digits, which
/// needs the clear number. Issues name the catalog's Chinese title of the field.
pub fn validate_stored(
    rt: &RecordType,
    cells: &BTreeMap<String, String>,
    unchecked: &[&str],
    regions: &dyn RegionLookup,
    today: NaiveDate,
) -> Result<ValidRow, Vec<RowIssue>> {
    let headers: Vec<String> = rt.fields.iter().map(|f| f.title.clone()).collect();
    let (mut map, _) = map_columns(rt, &headers).map_err(|e| {
        vec![RowIssue {
            column: None,
            code: e.code(),
            message: e.to_string(),
        }]
    })?;
    for (i, f) in rt.fields.iter().enumerate() {
        if unchecked.contains(&f.name.as_str()) {
            if let Some(c) = map.checks.get_mut(i) {
                *c = CodeCheck::None;
            }
        }
    }
    let row: Vec<String> = rt
        .fields
        .iter()
        .map(|f| cells.get(&f.name).cloned().unwrap_or_default())
        .collect();
    validate_row(rt, &map, 0, &row, regions, today)
}
