use super::*;

fn national() -> &'static RegionTable {
    RegionTable::national_checked().expect("shipped table parses")
}

#[test]
fn shipped_file_parses_with_enough_codes() {
    let t = national();
    let current_counties = t
        .iter()
        .filter(|r| r.level == RegionLevel::County && r.current)
        .count();
    assert!(current_counties > 3000, "{current_counties}");
    // Without the 市辖区 summary codes: the real county-level divisions (about 2 840).
    let real = t
        .iter()
        .filter(|r| r.level == RegionLevel::County && r.current && !r.is_summary())
        .count();
    assert!((2800..3000).contains(&real), "{real}");
    let historical = t.iter().filter(|r| !r.current).count();
    assert!(historical > 3000, "{historical}");
    assert!(t.len() > 7000);
    assert_eq!(RegionTable::national().len(), t.len());
    let provinces = t
        .iter()
        .filter(|r| r.level == RegionLevel::Province && r.current)
        .count();
    assert!(provinces >= 34, "{provinces}");
}

#[test]
fn current_and_historical_codes() {
    let t = national();
    let jintan_city = t.get("320482").expect("320482");
    assert_eq!(jintan_city.name, "金坛市");
    assert!(!jintan_city.current);
    assert_eq!(jintan_city.level, RegionLevel::County);
    assert_eq!(jintan_city.parent.as_deref(), Some("320400"));
    let h = t.history("320482").expect("history");
    assert_eq!((h.since, h.until), (Some(1995), Some(2014)));
    let jintan = t.get("320413").expect("320413");
    assert_eq!(jintan.name, "金坛区");
    assert!(jintan.current);
    assert_eq!(t.history("320413").and_then(|h| h.since), Some(2015));
    let liyang = t.get("320481").expect("320481");
    assert_eq!(liyang.name, "溧阳市");
    assert!(liyang.current);
    let shixiaqu = t.get("320401").expect("320401");
    assert_eq!(shixiaqu.name, "市辖区");
    assert!(shixiaqu.is_summary());
    // Abolished in the 1980s/90s and still resolvable.
    let miyun = t.get("110228").expect("110228");
    assert_eq!(miyun.name, "密云县");
    assert!(!miyun.current);
    assert!(t
        .get("110118")
        .is_some_and(|r| r.current && r.name == "密云区"));
    // A code reused for another name: the latest name is kept, the old one noted.
    let dongli = t.get("120110").expect("120110");
    assert_eq!(dongli.name, "东丽区");
    assert!(t
        .history("120110")
        .is_some_and(|h| h.note.contains("东郊区")));
    // Changes after 2020.
    assert!(t
        .get("659012")
        .is_some_and(|r| r.current && r.name == "白杨市"));
    assert!(t.get("610322").is_some_and(|r| !r.current));
    assert!(t
        .get("610305")
        .is_some_and(|r| r.current && r.name == "凤翔区"));
    assert!(t.get("999999").is_none());
}

#[test]
fn directly_administered_county_level_cities() {
    let t = national();
    let xiantao = t.get("429004").expect("429004");
    assert_eq!(xiantao.name, "仙桃市");
    assert_eq!(xiantao.parent.as_deref(), Some("429000"));
    let codes: Vec<&str> = t.chain("429004").iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["420000", "429000", "429004"]);
    assert_eq!(t.full_name("429004").as_deref(), Some("湖北省仙桃市"));
    assert!(t.is_within("429004", "420000"));
    assert!(!t.is_within("429004", "420100"));
}

#[test]
fn chain_and_full_name() {
    let t = national();
    let codes: Vec<&str> = t.chain("320402").iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["320000", "320400", "320402"]);
    assert_eq!(t.full_name("320402").as_deref(), Some("江苏省常州市天宁区"));
    assert_eq!(t.full_name("320482").as_deref(), Some("江苏省常州市金坛市"));
    assert_eq!(t.full_name("110101").as_deref(), Some("北京市东城区"));
    assert_eq!(t.full_name("320000").as_deref(), Some("江苏省"));
    assert_eq!(t.full_name("320401").as_deref(), Some("江苏省常州市市辖区"));
    assert_eq!(t.full_name("000000"), None);
    assert!(t.chain("000000").is_empty());
    assert_eq!(t.chain("320000").len(), 1);
}

#[test]
fn children_and_jurisdiction() {
    let t = national();
    let kids = t.children("320400");
    let codes: Vec<&str> = kids.iter().map(|r| r.code.as_str()).collect();
    for c in ["320401", "320402", "320413", "320481", "320482"] {
        assert!(codes.contains(&c), "{c} in {codes:?}");
    }
    assert!(codes.windows(2).all(|w| w[0] < w[1]));
    assert!(kids.iter().all(|r| r.parent.as_deref() == Some("320400")));
    assert!(t.children("320402").is_empty());
    assert!(t.children("nope").is_empty());
    assert!(t.is_within("320402", "320400"));
    assert!(t.is_within("320402", "320000"));
    assert!(t.is_within("320402", "320402"));
    assert!(
        t.is_within("320482", "320000"),
        "historical codes keep their place"
    );
    assert!(!t.is_within("320402", "320500"));
    assert!(!t.is_within("320400", "320402"));
    assert!(!t.is_within("999999", "320000"));
}

#[test]
fn every_parent_exists_and_fits() {
    let t = national();
    for r in t.iter() {
        match &r.parent {
            None => assert_eq!(r.level, RegionLevel::Province, "{}", r.code),
            Some(p) => {
                let parent = t.get(p).expect("parent exists");
                assert!(parent_fits(&r.code, r.level, p), "{} -> {p}", r.code);
                assert_ne!(parent.level, RegionLevel::County);
            }
        }
    }
}

#[test]
fn current_names_skip_summaries() {
    let t = national();
    let names: Vec<(&str, &str)> = t.current_names().collect();
    assert!(names.contains(&("320413", "金坛区")));
    assert!(!names.iter().any(|(c, _)| *c == "320482"));
    assert!(!names.iter().any(|(_, n)| *n == "市辖区"));
    assert!(names.len() > 3000);
}

#[test]
fn add_local_townships() {
    let mut t = national().clone();
    let before = t.len();
    let town = Region {
        code: "320402001".into(),
        name: "雕庄街道".into(),
        level: RegionLevel::Township,
        parent: Some("320402".into()),
        current: true,
    };
    t.add_local(town.clone()).expect("added");
    assert_eq!(t.len(), before + 1);
    assert_eq!(t.get("320402001"), Some(&town));
    assert_eq!(
        t.full_name("320402001").as_deref(),
        Some("江苏省常州市天宁区雕庄街道")
    );
    assert!(t.is_within("320402001", "320400"));
    assert_eq!(t.children("320402").len(), 1);

    let dup = t.add_local(town.clone()).expect_err("duplicate");
    assert_eq!(dup.code(), "region_duplicate_code");

    let orphan = Region {
        code: "999901001".into(),
        parent: Some("999901".into()),
        ..town.clone()
    };
    let e = t.add_local(orphan).expect_err("unknown parent");
    assert_eq!(e.code(), "region_unknown_parent");
    assert_eq!(e.to_string(), "区划代码999901001的上级代码999901不存在");

    let wrong_parent = Region {
        code: "320402002".into(),
        parent: Some("320481".into()),
        ..town.clone()
    };
    let e = t.add_local(wrong_parent).expect_err("mismatch");
    assert_eq!(e.code(), "region_parent_mismatch");

    let county = Region {
        code: "320499".into(),
        level: RegionLevel::County,
        parent: Some("320400".into()),
        ..town.clone()
    };
    assert_eq!(
        t.add_local(county).expect_err("county").code(),
        "region_not_township"
    );
    let bad = Region {
        code: "32040200x".into(),
        ..town.clone()
    };
    assert_eq!(t.add_local(bad).expect_err("bad").code(), "region_bad_code");
    let no_parent = Region {
        code: "320402003".into(),
        parent: None,
        ..town
    };
    assert_eq!(
        t.add_local(no_parent).expect_err("no parent").code(),
        "region_parent_presence"
    );
}

const SMALL: &str = "# comment\ncode,name,level,parent,current\n320000,江苏省,province,,true\n320400,常州市,prefecture,320000,true\n320402,天宁区,county,320400,true\n";

#[test]
fn parse_small_table() {
    let t = RegionTable::parse(SMALL).expect("parses");
    assert_eq!(t.len(), 3);
    assert_eq!(t.full_name("320402").as_deref(), Some("江苏省常州市天宁区"));
    assert!(t.history("320402").is_none());
    // Children before parents is fine; CRLF is fine.
    let reordered = "code,current,name,parent,level\r\n320402,true,天宁区,320400,county\r\n320400,true,常州市,320000,prefecture\r\n320000,true,江苏省,,province\r\n";
    let t = RegionTable::parse(reordered).expect("parses");
    assert!(t.is_within("320402", "320000"));
}

#[test]
fn parse_errors_have_lines_and_codes() {
    let cases: &[(&str, &str, Option<usize>)] = &[
        ("", "region_missing_header", None),
        ("code,name,level,parent\n", "region_bad_header", Some(1)),
        ("code,name,level,parent,current,x\n", "region_bad_header", Some(1)),
        (
            "code,name,level,parent,current,code\n",
            "region_bad_header",
            Some(1),
        ),
        (
            "code,name,level,parent,current\n320000,江苏省,province\n",
            "region_field_count",
            Some(2),
        ),
        (
            "code,name,level,parent,current\n32000,江苏省,province,,true\n",
            "region_bad_code",
            Some(2),
        ),
        (
            "code,name,level,parent,current\n320000,江苏省,state,,true\n",
            "region_bad_level",
            Some(2),
        ),
        (
            "code,name,level,parent,current\n320000,江苏省,county,,true\n",
            "region_level_mismatch",
            Some(2),
        ),
        (
            "code,name,level,parent,current\n320000,江苏省,province,,yes\n",
            "region_bad_flag",
            Some(2),
        ),
        (
            "code,name,level,parent,current,since\n320000,江苏省,province,,true,95\n",
            "region_bad_year",
            Some(2),
        ),
        (
            "code,name,level,parent,current\n320000,,province,,true\n",
            "region_empty_name",
            Some(2),
        ),
        (
            "code,name,level,parent,current\n#x\n320000,江苏省,province,,true\n320000,江苏省,province,,true\n",
            "region_duplicate_code",
            Some(4),
        ),
        (
            "code,name,level,parent,current\n320000,江苏省,province,110000,true\n",
            "region_parent_presence",
            Some(2),
        ),
        (
            "code,name,level,parent,current\n320400,常州市,prefecture,,true\n",
            "region_parent_presence",
            Some(2),
        ),
        (
            "code,name,level,parent,current\n320400,常州市,prefecture,320000,true\n",
            "region_unknown_parent",
            Some(2),
        ),
        (
            "code,name,level,parent,current\n320000,江苏省,province,,true\n320402,天宁区,county,330100,true\n",
            "region_parent_mismatch",
            Some(3),
        ),
    ];
    for (csv, code, line) in cases {
        let e = RegionTable::parse(csv).expect_err(csv);
        assert_eq!(e.code(), *code, "{csv}: {e}");
        assert_eq!(e.line(), *line, "{csv}: {e}");
        if let Some(l) = line {
            assert!(e.to_string().starts_with(&format!("行政区划数据第{l}行：")));
        }
    }
    let e = RegionTable::parse("code,name,level,parent,current\n320000,江苏省,province,,yes\n")
        .expect_err("flag");
    assert_eq!(
        e.to_string(),
        "行政区划数据第2行：current 字段应为 true 或 false，实为“yes”"
    );
}

#[test]
fn level_names_round_trip() {
    for l in [
        RegionLevel::Province,
        RegionLevel::Prefecture,
        RegionLevel::County,
        RegionLevel::Township,
    ] {
        assert_eq!(RegionLevel::parse(l.as_str()), Some(l));
    }
}
