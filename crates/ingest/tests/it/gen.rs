use std::collections::{HashMap, HashSet};

use chengxin_domain::catalog::Catalog;
use chengxin_domain::codes::{id_number, uscc, RegionInfo};
use chengxin_ingest::gen::{gen_penalty_csv, penalty_headers, BAD_KINDS, PENALTY_TYPE};
use chengxin_ingest::{open_bytes, ReadOptions};

fn regions() -> HashMap<String, RegionInfo> {
    ["320402", "320404", "320411", "320412", "320413", "320481"]
        .iter()
        .map(|c| {
            (
                c.to_string(),
                RegionInfo {
                    code: c.to_string(),
                    name: c.to_string(),
                    full_name: c.to_string(),
                    current: true,
                },
            )
        })
        .collect()
}

#[test]
fn same_seed_same_bytes() {
    let mut a = Vec::new();
    let mut b = Vec::new();
    let mut c = Vec::new();
    let sa = gen_penalty_csv(&mut a, 2000, 50, 7).unwrap();
    let sb = gen_penalty_csv(&mut b, 2000, 50, 7).unwrap();
    gen_penalty_csv(&mut c, 2000, 50, 8).unwrap();
    assert_eq!(a, b);
    assert_eq!(sa, sb);
    assert_ne!(a, c);
}

#[test]
fn header_is_the_catalog() {
    let mut out = Vec::new();
    gen_penalty_csv(&mut out, 0, 0, 1).unwrap();
    let t = open_bytes(out, Some("p.csv"), &ReadOptions::default()).unwrap();
    let headers = penalty_headers().unwrap();
    assert_eq!(t.headers, headers);
    assert_eq!(headers[0], "行政相对人名称");
    assert_eq!(headers.last().unwrap(), "备注");
    assert_eq!(headers.len(), 30);
}

/// Checks one row; `Err` names what is wrong.
fn check_row(cells: &[String]) -> Result<(), String> {
    let ty = Catalog::default_checked()
        .unwrap()
        .get(PENALTY_TYPE)
        .unwrap();
    let regions = regions();
    for (f, v) in ty.fields.iter().zip(cells) {
        f.parse_value(v)
            .map_err(|e| format!("{}: {e:?}", f.title))?;
        match f.kind {
            chengxin_domain::catalog::FieldType::Uscc if !v.is_empty() => {
                let u = uscc::parse(v, &regions).map_err(|e| format!("{}: {e:?}", f.title))?;
                if !u.warnings.is_empty() {
                    return Err(format!("{}: {:?}", f.title, u.warnings));
                }
            }
            chengxin_domain::catalog::FieldType::IdNumber
                if !v.is_empty() && !id_number::has_valid_check_char(v) =>
            {
                return Err(format!("{}: bad id {v}", f.title));
            }
            _ => {}
        }
    }
    Ok(())
}

#[test]
fn good_rows_pass_every_field_and_counts_match() {
    let mut out = Vec::new();
    let n = 20_000;
    let summary = gen_penalty_csv(&mut out, n, 100, 42).unwrap();
    assert_eq!(summary.rows, n);
    assert_eq!(summary.good + summary.bad, n);
    assert_eq!(summary.bad_by_kind.iter().sum::<u64>(), summary.bad);
    // About 10 %.
    assert!((1500..2500).contains(&summary.bad), "{summary:?}");
    assert!(summary.bad_by_kind.iter().all(|k| *k > 0), "{summary:?}");

    let t = open_bytes(out, Some("p.csv"), &ReadOptions::default()).unwrap();
    let doc_col = t
        .headers
        .iter()
        .position(|h| h == "行政处罚决定书文号")
        .unwrap();
    let mut good = 0;
    let mut bad = 0;
    let mut docs = HashSet::new();
    for item in t {
        let row = item.unwrap();
        assert!(docs.insert(row.cells[doc_col].clone()), "duplicate 文书号");
        match check_row(&row.cells) {
            Ok(()) => good += 1,
            Err(_) => bad += 1,
        }
    }
    assert_eq!(good, summary.good);
    assert_eq!(bad, summary.bad);
}

#[test]
fn all_good_when_no_bad_share() {
    let mut out = Vec::new();
    let summary = gen_penalty_csv(&mut out, 5000, 0, 3).unwrap();
    assert_eq!(summary.bad, 0);
    let t = open_bytes(out, Some("p.csv"), &ReadOptions::default()).unwrap();
    for item in t {
        let row = item.unwrap();
        check_row(&row.cells).unwrap();
    }
    let mut out = Vec::new();
    let summary = gen_penalty_csv(&mut out, 1000, 1000, 3).unwrap();
    assert_eq!(summary.bad, 1000);
    assert_eq!(BAD_KINDS.len(), 4);
}
