//! A submitted row as shown to those who may not see the personal data in it — the rejected
//! rows of a batch read by anyone but the body that submitted them: ID numbers masked, column
//! by column, by the one masker.

use super::*;

/// How one column of a submitted file is masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellMask {
    /// A column of ID numbers (证件号码): the whole cell masked ([`id_number::mask`]), valid
    /// or not — a mistyped number is still a person's.
    Number,
    /// A column of USCCs or ID numbers: a valid USCC kept, anything else masked as a number.
    UsccOrNumber,
    /// Any other column: ID numbers in it masked ([`id_number::mask_in_text`]).
    Text,
}

impl CellMask {
    /// The cell as shown.
    pub fn apply(self, cell: &str) -> String {
        if is_blank(cell) {
            return cell.to_string();
        }
        match self {
            CellMask::Number => id_number::mask(cell),
            CellMask::UsccOrNumber => {
                let code = cell.trim().to_ascii_uppercase();
                if uscc::has_valid_check_char(&code) && !id_number::looks_like_id(&code) {
                    cell.to_string()
                } else {
                    id_number::mask(cell)
                }
            }
            CellMask::Text => id_number::mask_in_text(cell).into_owned(),
        }
    }
}

/// How each column of a file with these headers is masked (a column not of the type, or a
/// type not in the catalog: as text).
pub fn cell_masks(rt: Option<&RecordType>, headers: &[String]) -> Vec<CellMask> {
    headers
        .iter()
        .map(
            |h| match rt.and_then(|rt| rt.resolve_column(h)).map(|f| &f.kind) {
                Some(FieldType::IdNumber) => CellMask::Number,
                Some(FieldType::UsccOrId) => CellMask::UsccOrNumber,
                _ => CellMask::Text,
            },
        )
        .collect()
}

/// A submitted row's cells masked by `masks` (cells beyond them: as text).
pub fn mask_cells(masks: &[CellMask], cells: &[String]) -> Vec<String> {
    cells
        .iter()
        .enumerate()
        .map(|(i, c)| masks.get(i).copied().unwrap_or(CellMask::Text).apply(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn submitted_rows_are_masked_column_by_column() {
        let rt = Catalog::default_checked()
            .unwrap()
            .get("admin_license")
            .unwrap();
        let headers: Vec<String> = ["行政相对人名称", "证件号码", "许可内容", "未知列"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let masks = cell_masks(Some(rt), &headers);
        assert_eq!(masks[0], CellMask::Text);
        assert_eq!(masks[1], CellMask::Number);
        assert_eq!(masks[3], CellMask::Text);
        // 320412199001011231 is valid; ...232 has a wrong check character: still a person's.
        let cells: Vec<String> = [
            "张三",
            "320412199001011232",
            "经营者320412199001011231食品经营",
            "",
            "多余",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let shown = mask_cells(&masks, &cells);
        assert_eq!(
            shown,
            [
                "张三",
                "3204**********1232",
                "经营者3204**********1231食品经营",
                "",
                "多余"
            ]
        );
        assert_eq!(
            CellMask::UsccOrNumber.apply("91320412MA1MXK2L83"),
            "91320412MA1MXK2L83"
        );
        assert_eq!(
            CellMask::UsccOrNumber.apply("320412199001011231"),
            "3204**********1231"
        );
        // Without the type every column is text.
        assert_eq!(cell_masks(None, &headers), vec![CellMask::Text; 4]);
    }
}
