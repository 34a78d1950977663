use chrono::NaiveDate;

use super::*;
use crate::catalog::Catalog;

const LIYANG_MARKET: &str = "11320481MB0000035Y";
const WUJIN_MARKET: &str = "11320412MB00000351";
const CITY_OFFICE: &str = "11320400MB00000002";
const LIYANG_HR: &str = "11320481MB00000274";
const LIYANG_GOV: &str = "11320481MB00000199";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn penalty(on: &str) -> Decision<'static> {
    Decision::Record {
        type_code: "admin_penalty",
        decided: d(on),
    }
}

fn parse(text: &str) -> Result<Delegations, AuthorityError> {
    Delegations::parse(text, Catalog::default_checked().unwrap())
}

#[test]
fn shipped_delegations_load() {
    let s = Delegations::default_checked().unwrap();
    assert!(s.all().len() >= 4);
    assert_eq!(s.name_of(LIYANG_GOV), Some("溧阳市人民政府"));
    assert_eq!(s.name_of(LIYANG_HR), Some("溧阳市人力资源和社会保障局"));
}

#[test]
fn itself_always_other_never_without_a_delegation() {
    let none = Delegations::none();
    assert_eq!(
        standing(
            &none,
            LIYANG_MARKET,
            &LIYANG_MARKET.to_lowercase(),
            penalty("2025-03-01")
        ),
        Some(Standing::Itself)
    );
    assert_eq!(
        standing(&none, LIYANG_MARKET, WUJIN_MARKET, penalty("2025-03-01")),
        None
    );
    // The shipped file authorises no county department for another county.
    let shipped = Delegations::default_checked().unwrap();
    assert_eq!(
        standing(shipped, LIYANG_MARKET, WUJIN_MARKET, penalty("2025-03-01")),
        None
    );
}

#[test]
fn delegations_by_body_region_type_and_date() {
    let shipped = Delegations::default_checked().unwrap();
    // 人社局 for the government's commendations, and nothing else.
    let commendation = Decision::Record {
        type_code: "commendation",
        decided: d("2025-03-01"),
    };
    assert!(matches!(
        standing(shipped, LIYANG_HR, LIYANG_GOV, commendation),
        Some(Standing::Delegated(_))
    ));
    assert_eq!(
        standing(shipped, LIYANG_HR, LIYANG_GOV, penalty("2025-03-01")),
        None
    );
    assert_eq!(
        standing(
            shipped,
            LIYANG_HR,
            LIYANG_GOV,
            Decision::Recognition {
                on: d("2025-03-01")
            }
        ),
        None,
        "a delegation restricted to types does not cover list recognitions"
    );
    // The city's credit office for every body of the city, of every type.
    for body in [LIYANG_MARKET, WUJIN_MARKET, LIYANG_GOV] {
        assert!(standing(shipped, CITY_OFFICE, body, penalty("2025-03-01")).is_some());
        assert!(standing(
            shipped,
            CITY_OFFICE,
            body,
            Decision::Recognition {
                on: d("2025-03-01")
            }
        )
        .is_some());
    }
    assert_eq!(
        standing(
            shipped,
            CITY_OFFICE,
            "91320500MA1MXXXX0D",
            penalty("2025-03-01")
        ),
        None,
        "苏州's bodies are not the city's"
    );

    // Dates bound a delegation (e.g. the day a 乡镇 received its powers).
    let text = format!(
        "version = \"t\"\n[[delegations]]\nsubmitter = \"{LIYANG_MARKET}\"\nname = \"溧阳市综合行政执法局\"\n\
         basis = \"赋权决定\"\nbodies = [{{ uscc = \"{LIYANG_GOV}\", name = \"溧阳市天目湖镇人民政府\" }}]\n\
         from = \"2024-01-01\"\nuntil = \"2024-12-31\"\n"
    );
    let t = parse(&text).unwrap();
    assert!(standing(&t, LIYANG_MARKET, LIYANG_GOV, penalty("2024-06-01")).is_some());
    assert!(standing(&t, LIYANG_MARKET, LIYANG_GOV, penalty("2023-12-31")).is_none());
    assert!(standing(&t, LIYANG_MARKET, LIYANG_GOV, penalty("2025-01-01")).is_none());
}

#[test]
fn broken_files_are_refused_with_the_entry_and_reason() {
    let entry = |extra: &str| {
        format!(
            "version = \"1\"\n[[delegations]]\nsubmitter = \"{LIYANG_HR}\"\nname = \"溧阳市人社局\"\nbasis = \"依据\"\n{extra}\n"
        )
    };
    let ok = entry(&format!(
        "bodies = [{{ uscc = \"{LIYANG_GOV}\", name = \"溧阳市人民政府\" }}]"
    ));
    assert!(parse(&ok).is_ok());
    for (text, code) in [
        ("version = \"1\"\nextra = 1\n".to_string(), "delegations_syntax"),
        ("version = \" \"\n".to_string(), "delegations_missing_version"),
        (entry(""), "invalid_delegation"),
        (ok.replace(LIYANG_HR, "11320481MB0000027X"), "invalid_delegation"),
        (ok.replace("basis = \"依据\"", "basis = \" \""), "invalid_delegation"),
        (ok.replace(LIYANG_GOV, LIYANG_HR), "invalid_delegation"),
        (ok.replace(LIYANG_GOV, WUJIN_MARKET), "delegation_out_of_region"),
        (entry("regions = [\"320400\"]"), "delegation_out_of_region"),
        (entry("regions = [\"320499\"]"), "invalid_delegation"),
        (
            entry(&format!(
                "bodies = [{{ uscc = \"{LIYANG_GOV}\", name = \"甲\" }}, {{ uscc = \"{LIYANG_GOV}\", name = \"乙\" }}]"
            )),
            "duplicate_delegation",
        ),
        (format!("{ok}types = [\"no_such_type\"]\n"), "delegation_unknown_type"),
        (
            format!("{ok}from = \"2025-01-01\"\nuntil = \"2024-01-01\"\n"),
            "invalid_delegation",
        ),
    ] {
        let e = parse(&text).unwrap_err();
        assert_eq!(e.code(), code, "{text}\n{e}");
        assert!(!e.to_string().is_empty());
    }
    // The message names the entry and both sides.
    let e = parse(&ok.replace(LIYANG_GOV, WUJIN_MARKET)).unwrap_err();
    let m = e.to_string();
    assert!(
        m.contains("第1项") && m.contains(WUJIN_MARKET) && m.contains("320481"),
        "{m}"
    );
}

#[test]
fn the_refusal_names_both_bodies() {
    let e = NotAuthorised {
        role: "处罚机关".into(),
        authority: Party {
            name: Some("常州市武进区市场监督管理局".into()),
            code: WUJIN_MARKET.into(),
        },
        submitter: Party {
            name: Some("溧阳市市场监督管理局".into()),
            code: LIYANG_MARKET.into(),
        },
    };
    assert_eq!(e.code(), "authority_not_authorised");
    let m = e.to_string();
    for part in [
        "处罚机关",
        "常州市武进区市场监督管理局",
        WUJIN_MARKET,
        "溧阳市市场监督管理局",
        LIYANG_MARKET,
    ] {
        assert!(m.contains(part), "{m}");
    }
}

#[test]
fn scopes_limit_the_types_a_department_submits() {
    let text = r#"
version = "t"
[[scopes]]
submitter = "11320481MB0000035Y"
name = "溧阳市市场监督管理局"
types = ["admin_license", "admin_penalty"]
"#;
    let d = parse(text).unwrap();
    assert!(d.may_submit_type(LIYANG_MARKET, "admin_penalty"));
    assert!(d.may_submit_type(&LIYANG_MARKET.to_lowercase(), "admin_license"));
    assert!(!d.may_submit_type(LIYANG_MARKET, "commendation"));
    // Not listed: every type.
    assert!(d.may_submit_type(WUJIN_MARKET, "commendation"));
    let catalog = Catalog::default_checked().unwrap();
    let offered: Vec<&str> = types_in_scope(catalog, d.scope_of(LIYANG_MARKET))
        .iter()
        .map(|t| t.code.as_str())
        .collect();
    assert_eq!(offered, ["admin_license", "admin_penalty"]);
    // Unknown types and empty lists are refused.
    let bad = text.replace("\"admin_penalty\"", "\"no_such_type\"");
    assert_eq!(parse(&bad).unwrap_err().code(), "delegation_unknown_type");
    let empty = text.replace("[\"admin_license\", \"admin_penalty\"]", "[]");
    assert_eq!(parse(&empty).unwrap_err().code(), "invalid_delegation");
}
