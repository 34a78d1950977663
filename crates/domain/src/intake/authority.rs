//! Step 4b: the deciding authority a row names must be its submitter or a body the submitter
//! is authorised for ([`crate::authority`]).

use std::sync::Arc;

use super::*;
use crate::authority::{standing, Decision, Delegations, NotAuthorised, Party};

/// Who submits a file: checked against the deciding authority of each row.
#[derive(Debug, Clone)]
pub struct Submitter {
    /// The submitting department's USCC (upper-cased).
    pub uscc: String,
    /// Its name, when known (for messages).
    pub name: Option<String>,
    /// The delegations in force.
    pub delegations: Arc<Delegations>,
}

impl ColumnMap {
    /// Checks every row's deciding authority (for types that name it by code) against the
    /// submitting department: a row naming another body than the submitter, and not one it
    /// is authorised for, gets the issue `authority_not_authorised`.
    pub fn with_submitter(mut self, submitter: Submitter) -> Self {
        self.submitter = Some(Arc::new(submitter));
        self
    }
}

/// The issue of a row whose deciding authority the submitter may not act for (nothing when
/// the map has no submitter, the type names no authority by code, or the cell is empty or
/// already rejected).
pub(super) fn authority_issue(
    rt: &RecordType,
    map: &ColumnMap,
    values: &[Option<FieldValue>],
    classes: &[CodeClass],
    decided: Option<NaiveDate>,
) -> Option<RowIssue> {
    let submitter = map.submitter.as_deref()?;
    let (code_at, name_at) = map.authority?;
    // An invalid code has its own issue already.
    let (Some(Some(FieldValue::Code(code))), Some(CodeClass::Uscc(..))) =
        (values.get(code_at), classes.get(code_at))
    else {
        return None;
    };
    // Without a valid decision date (already reported) a dated delegation cannot be judged:
    // say nothing more then; otherwise dates do not matter.
    let dated = || {
        submitter
            .delegations
            .of_submitter(&submitter.uscc)
            .any(|d| d.from.is_some() || d.until.is_some())
    };
    let decided = match decided {
        Some(d) => d,
        None if dated() => return None,
        None => EARLIEST_DECISION_DATE,
    };
    let decision = Decision::Record {
        type_code: &rt.code,
        decided,
    };
    if standing(&submitter.delegations, &submitter.uscc, code, decision).is_some() {
        return None;
    }
    let name = match name_at.and_then(|i| values.get(i)) {
        Some(Some(FieldValue::Text(t))) => Some(t.clone()),
        _ => None,
    };
    let e = NotAuthorised {
        role: rt.authority_role().to_string(),
        authority: Party {
            name,
            code: code.trim().to_ascii_uppercase(),
        },
        submitter: Party {
            name: submitter.name.clone().or_else(|| {
                submitter
                    .delegations
                    .name_of(&submitter.uscc)
                    .map(String::from)
            }),
            code: submitter.uscc.clone(),
        },
    };
    Some(RowIssue {
        column: map.issue_column(rt, code_at),
        code: e.code(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::regions::RegionTable;

    const LIYANG_MARKET: &str = "11320481MB0000035Y";
    const WUJIN_MARKET: &str = "11320412MB00000351";
    const LIYANG_HR: &str = "11320481MB00000274";
    const LIYANG_GOV: &str = "11320481MB00000199";

    fn rt(code: &str) -> &'static RecordType {
        Catalog::default_checked().unwrap().get(code).unwrap()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
    }

    fn submitter(uscc: &str) -> Submitter {
        Submitter {
            uscc: uscc.into(),
            name: None,
            delegations: Arc::new(Delegations::default_checked().unwrap().clone()),
        }
    }

    /// One 行政处罚 row decided by `authority`, validated for `by`.
    fn penalty(by: Option<&str>, authority: &str, date: &str) -> Result<ValidRow, Vec<RowIssue>> {
        let headers: Vec<String> = [
            "行政相对人名称",
            "行政相对人类别",
            "行政相对人代码_1(统一社会信用代码)",
            "行政处罚决定书文号",
            "违法行为类型",
            "违法事实",
            "处罚依据",
            "处罚类别",
            "处罚内容",
            "处罚决定日期",
            "处罚有效期",
            "公示截止期",
            "处罚机关",
            "处罚机关统一社会信用代码",
            "数据来源单位",
            "数据来源单位统一社会信用代码",
        ]
        .map(String::from)
        .to_vec();
        let rt = rt("admin_penalty");
        let (map, _) = map_columns(rt, &headers).unwrap();
        let map = match by {
            Some(u) => map.with_submitter(submitter(u)),
            None => map,
        };
        let cells: Vec<String> = [
            "溧阳某某食品有限公司",
            "法人及非法人组织",
            "91320481MA1MY3B539",
            "溧市监罚〔2025〕1号",
            "食品安全",
            "销售过期食品",
            "《中华人民共和国食品安全法》第一百二十四条",
            "罚款",
            "罚款人民币一万元",
            date,
            "2025-12-01",
            "2026-06-01",
            "常州市武进区市场监督管理局",
            authority,
            "溧阳市市场监督管理局",
            LIYANG_MARKET,
        ]
        .map(String::from)
        .to_vec();
        validate_row(rt, &map, 2, &cells, RegionTable::national(), today())
    }

    #[test]
    fn a_row_in_another_authoritys_name_is_refused_naming_both() {
        let issues = penalty(Some(LIYANG_MARKET), WUJIN_MARKET, "2025-03-01").unwrap_err();
        let issue = issues
            .iter()
            .find(|i| i.code == "authority_not_authorised")
            .unwrap_or_else(|| panic!("{issues:?}"));
        assert_eq!(issue.column.as_deref(), Some("处罚机关统一社会信用代码"));
        for part in [
            "处罚机关",
            "常州市武进区市场监督管理局",
            WUJIN_MARKET,
            LIYANG_MARKET,
        ] {
            assert!(issue.message.contains(part), "{}", issue.message);
        }
        // Other problems of the row are reported with it.
        let issues = penalty(Some(LIYANG_MARKET), WUJIN_MARKET, "2035-03-01").unwrap_err();
        let codes: Vec<&str> = issues.iter().map(|i| i.code).collect();
        assert!(codes.contains(&"authority_not_authorised"), "{codes:?}");
        assert!(codes.contains(&"decision_date_in_future"), "{codes:?}");
    }

    #[test]
    fn its_own_name_or_a_delegation_passes_and_no_submitter_checks_nothing() {
        let ok = penalty(Some(LIYANG_MARKET), LIYANG_MARKET, "2025-03-01");
        assert!(ok.is_ok(), "{ok:?}");
        // The city's credit office submits for any body of the city.
        assert!(penalty(Some("11320400MB00000002"), WUJIN_MARKET, "2025-03-01").is_ok());
        // 人社局 is authorised for the government's commendations, not its penalties.
        let issues = penalty(Some(LIYANG_HR), LIYANG_GOV, "2025-03-01").unwrap_err();
        assert!(issues.iter().any(|i| i.code == "authority_not_authorised"));
        assert!(penalty(None, WUJIN_MARKET, "2025-03-01").is_ok());
    }

    #[test]
    fn an_invalid_authority_code_is_reported_once() {
        let issues = penalty(Some(LIYANG_MARKET), "11320412MB0000035X", "2025-03-01").unwrap_err();
        assert_eq!(
            issues
                .iter()
                .filter(|i| i.column.as_deref() == Some("处罚机关统一社会信用代码"))
                .count(),
            1,
            "{issues:?}"
        );
        assert!(!issues.iter().any(|i| i.code == "authority_not_authorised"));
    }
}
