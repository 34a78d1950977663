//! Formula protection: undoing the `'` our error reports put before formula-like cells.

pub(super) fn is_formula_trigger(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// Undoes the formula protection of our error reports: a cell that starts with `'` followed
/// (after any further `'`s) by `=`, `+`, `-`, `@`, a tab or a carriage return loses exactly
/// one leading `'`; every other cell is returned unchanged. This is the inverse of the report
/// writer's `neutralise`, which prepends one `'` to exactly those cells.
pub fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest)
            if rest
                .trim_start_matches('\'')
                .starts_with(is_formula_trigger) =>
        {
            rest
        }
        _ => cell,
    }
}
