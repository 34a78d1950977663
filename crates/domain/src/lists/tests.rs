use super::*;

fn cat() -> &'static JointCatalog {
    JointCatalog::default_checked().unwrap()
}

fn cal() -> &'static WorkCalendar {
    WorkCalendar::official_checked().unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn list(code: &str) -> &'static ListDef {
    cat().list(code).unwrap()
}

fn proposal() -> Proposal {
    Proposal {
        subject_key: "11320000000000000X".to_string(),
        subject_name: "某县某局".to_string(),
        standard: "拒不履行生效判决，情节严重".to_string(),
        basis: "江苏2023 §二(四)".to_string(),
        recognised_by: "某县发展和改革局".to_string(),
        recognised_by_uscc: None,
        evidence: vec!["rec-1".to_string()],
    }
}

fn entry_hit(list: &str, status: EntryStatus) -> Hit {
    Hit::ListEntry {
        list: list.to_string(),
        status,
        mitigation: None,
    }
}

fn record_hit(type_code: &str, severity: Severity, tolerated: bool) -> Hit {
    Hit::Record {
        type_code: type_code.to_string(),
        severity,
        tolerated,
    }
}

fn codes(a: &Assessment) -> Vec<&str> {
    a.measures.iter().map(|m| m.code.as_str()).collect()
}

// ------------------------------------------------------------------------------------------------
// Shipped data
// ------------------------------------------------------------------------------------------------

#[test]
fn shipped_files_load_and_validate() {
    let c = cat();
    assert!(!c.lists_version().is_empty());
    assert!(!c.measures_version().is_empty());
    assert_eq!(c.lists().len(), 5);
    assert_eq!(c.scenarios().len(), 11);
    assert_eq!(c.departments().len(), 10);
    assert_eq!(c.measures().len(), 15);
    for code in [
        "red_list",
        "serious_dishonest",
        "watch_list",
        "court_dishonest_debtor",
    ] {
        assert!(c.list(code).is_some(), "{code}");
    }
    assert_eq!(list("red_list").kind, ListKind::Reward);
    assert_eq!(list("watch_list").kind, ListKind::Watch);
    let court = list("court_dishonest_debtor");
    assert!(court.imported && court.source.is_some() && !court.objections_allowed);
    assert_eq!(
        court.catalog_type.as_deref(),
        Some("dishonest_judgment_debtor")
    );
    assert_eq!(list("red_list").publicity_working_days, 7);
    // Every measure named by the seeds is in the catalog.
    for name in [
        "书面说明原因并限期整改",
        "取消参加各类荣誉评选资格",
        "公开通报批评",
        "追究主要负责人责任",
        "限制评优评先",
        "取消报考资格/不予录用",
        "限制参与政府采购和招标投标",
        "行政审批绿色通道",
        "容缺受理",
    ] {
        assert!(c.measures().iter().any(|m| m.name == name), "{name}");
    }
    assert!(c.measures().iter().any(|m| m.name.starts_with("优先安排")));
    for s in [
        "awards",
        "honours",
        "procurement",
        "bidding",
        "civil_service",
        "fiscal_funds",
        "project_investment",
        "reform_pilot",
        "admin_approval",
    ] {
        assert!(c.scenario(s).is_some(), "{s}");
    }
    // Parsing afresh gives the same thing.
    assert_eq!(&JointCatalog::default_catalog().unwrap(), c);
    // Every list has at least one measure.
    for l in c.lists() {
        assert!(c.measures_for_list(&l.code).next().is_some(), "{}", l.code);
    }
}

fn parse_with(lists: &str, measures: &str) -> Result<JointCatalog, ListsError> {
    JointCatalog::parse(lists, measures, Some(Catalog::default_checked().unwrap()))
}

#[test]
fn validation_errors() {
    let (l, m) = (DEFAULT_LISTS_TOML, DEFAULT_MEASURES_TOML);
    let check = |lists: String, measures: String, code: &str| {
        let e = parse_with(&lists, &measures).unwrap_err();
        assert_eq!(e.code(), code, "{e}");
        assert!(has_chinese(&e.to_string()), "{e}");
    };
    check(
        l.replace("code = \"watch_list\"", "code = \"red_list\""),
        m.to_string(),
        "duplicate_code",
    );
    check(
        l.replace("code = \"watch_list\"", "code = \"Watch-List\""),
        m.to_string(),
        "invalid_code",
    );
    check(
        l.replace("name = \"重点关注名单\"", "name = \"Watch list\""),
        m.to_string(),
        "missing_chinese_name",
    );
    check(
        l.replace(
            "source = \"最高人民法院失信被执行人名单（中国执行信息公开网）\"",
            "",
        ),
        m.to_string(),
        "invalid_list",
    );
    check(
        l.replace(
            "catalog_type = \"dishonest_judgment_debtor\"",
            "catalog_type = \"no_such_type\"",
        ),
        m.to_string(),
        "unknown_reference",
    );
    check(
        l.to_string(),
        m.replace(
            "{ code = \"civil_service\", verdict = \"intercept\" }",
            "{ code = \"no_such_scenario\", verdict = \"intercept\" }",
        ),
        "unknown_reference",
    );
    check(
        l.to_string(),
        m.replacen(
            "lists = [\"red_list\"]",
            "lists = [\"red_list\", \"no_such_list\"]",
            1,
        ),
        "unknown_reference",
    );
    // An incentive cannot intercept, a punishment cannot "pass".
    check(
        l.to_string(),
        m.replacen(
            "{ code = \"admin_approval\", verdict = \"pass\" }",
            "{ code = \"admin_approval\", verdict = \"intercept\" }",
            1,
        ),
        "invalid_measure",
    );
    check(
        l.to_string(),
        m.replace(
            "{ code = \"civil_service\", verdict = \"intercept\" }",
            "{ code = \"civil_service\", verdict = \"pass\" }",
        ),
        "invalid_measure",
    );
    check(
        l.to_string(),
        m.replace("sign_working_days = 2", "sign_working_days = 0"),
        "invalid_closed_loop",
    );
    check(
        l.to_string(),
        m.replace(
            "code = \"honours\"\nname = \"荣誉评选\"",
            "code = \"awards\"\nname = \"荣誉评选\"",
        ),
        "duplicate_code",
    );
    check("version = 1".to_string(), m.to_string(), "lists_syntax");
    check(l.to_string(), "[[measures]]".to_string(), "measures_syntax");
    // Without a catalog, record types are not checked.
    assert!(JointCatalog::parse(
        &l.replace(
            "catalog_type = \"dishonest_judgment_debtor\"",
            "catalog_type = \"no_such_type\""
        ),
        m,
        None
    )
    .is_ok());
}

#[test]
fn enum_codes_round_trip() {
    for k in ListKind::ALL {
        assert_eq!(ListKind::parse(k.code()), Some(k));
        assert!(has_chinese(k.label()));
    }
    for k in MeasureKind::ALL {
        assert_eq!(MeasureKind::parse(k.code()), Some(k));
        assert!(has_chinese(k.label()));
    }
    for v in Verdict::ALL {
        assert_eq!(Verdict::parse(v.code()), Some(v));
        assert!(has_chinese(v.label()));
    }
    assert!(Verdict::Pass < Verdict::Warn && Verdict::Warn < Verdict::Intercept);
    assert_eq!(
        serde_json::to_string(&Verdict::Intercept).unwrap(),
        "\"intercept\""
    );
    for s in EntryStatus::ALL {
        assert_eq!(EntryStatus::parse(s.code()), Some(s));
        assert!(has_chinese(s.label()));
    }
    for r in RemovalReason::ALL {
        assert_eq!(RemovalReason::parse(r.code()), Some(r));
        assert!(has_chinese(r.label()));
    }
    for s in CaseStep::ALL {
        assert_eq!(CaseStep::parse(s.code()), Some(s));
        assert!(has_chinese(s.label()));
    }
    assert_eq!(
        serde_json::to_string(&EntryAction::Remove {
            reason: RemovalReason::SourceRemoved
        })
        .unwrap(),
        r#"{"action":"remove","reason":"source_removed"}"#
    );
}

// ------------------------------------------------------------------------------------------------
// Entry procedure
// ------------------------------------------------------------------------------------------------

#[test]
fn publicity_across_spring_festival_2025() {
    let red = list("red_list");
    // Friday 24 January 2025. Working days after it: Sun 26 Jan (调休上班), Mon 27 Jan, then
    // 春节 28 Jan – 4 Feb, Wed 5, Thu 6, Fri 7, Sat 8 Feb (调休上班), Mon 10 Feb.
    let start = d(2025, 1, 24);
    assert_eq!(
        red.publicity_until(start, cal()).unwrap(),
        Some(d(2025, 2, 10))
    );
    // A plain Monday–Friday count would end on 4 February, in the middle of the holiday.
    assert_ne!(
        red.publicity_until(start, cal()).unwrap(),
        Some(d(2025, 2, 4))
    );

    let e = ListEntry::propose(red, proposal(), d(2025, 1, 23)).unwrap();
    let e = e
        .apply(red, EntryAction::StartPublicity, start, None, cal())
        .unwrap();
    assert_eq!(e.status, EntryStatus::Publicity);
    assert_eq!(e.publicity_until, Some(d(2025, 2, 10)));
    // Not before the window is over.
    let err = e
        .apply(
            red,
            EntryAction::TakeEffect { until: None },
            d(2025, 2, 10),
            None,
            cal(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "publicity_not_over");
    assert!(err.to_string().contains("2025-02-10"));
    assert_eq!(e.due_action(d(2025, 2, 10)), None);
    assert_eq!(
        e.due_action(d(2025, 2, 11)),
        Some(EntryAction::TakeEffect { until: None })
    );
    let e = e
        .apply(
            red,
            EntryAction::TakeEffect { until: None },
            d(2025, 2, 11),
            None,
            cal(),
        )
        .unwrap();
    assert_eq!(e.status, EntryStatus::Effective);
    // 红名单: 24 months.
    assert_eq!(e.effective_until, Some(d(2027, 2, 10)));
    // A year outside the calendar is an error, never a guess.
    let far = ListEntry::propose(red, proposal(), d(2030, 1, 2)).unwrap();
    let err = far
        .apply(red, EntryAction::StartPublicity, d(2030, 1, 2), None, cal())
        .unwrap_err();
    assert_eq!(err.code(), "calendar_year_not_covered");
}

#[test]
fn full_procedure_with_objection_and_expiry() {
    let black = list("serious_dishonest");
    let e = ListEntry::propose(black, proposal(), d(2025, 3, 3)).unwrap();
    assert_eq!(e.status, EntryStatus::Proposed);
    // Publicity is required first.
    let err = e
        .apply(
            black,
            EntryAction::TakeEffect { until: None },
            d(2025, 3, 3),
            None,
            cal(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "publicity_required");
    let e = e
        .apply(
            black,
            EntryAction::StartPublicity,
            d(2025, 3, 3),
            None,
            cal(),
        )
        .unwrap();
    assert_eq!(e.publicity_until, Some(d(2025, 3, 12)));
    // Objection needs its gist.
    let err = e
        .apply(
            black,
            EntryAction::RaiseObjection,
            d(2025, 3, 5),
            None,
            cal(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "reason_required");
    let e = e
        .apply(
            black,
            EntryAction::RaiseObjection,
            d(2025, 3, 5),
            Some("判决已履行完毕"),
            cal(),
        )
        .unwrap();
    assert_eq!(e.objections_pending, 1);
    let err = e
        .apply(
            black,
            EntryAction::TakeEffect { until: None },
            d(2025, 3, 13),
            None,
            cal(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "objection_pending");
    assert_eq!(e.due_action(d(2025, 3, 13)), None);
    // Objections only within the window.
    let err = e
        .apply(
            black,
            EntryAction::RaiseObjection,
            d(2025, 3, 13),
            Some("x"),
            cal(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "publicity_over");
    let e = e
        .apply(
            black,
            EntryAction::DismissObjection,
            d(2025, 3, 13),
            Some("经核查，履行情况不实"),
            cal(),
        )
        .unwrap();
    assert_eq!(e.objections_pending, 0);
    let err = e
        .apply(
            black,
            EntryAction::DismissObjection,
            d(2025, 3, 13),
            Some("x"),
            cal(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "no_pending_objection");
    // The recognising body sets its own end date on this list.
    let err = e
        .apply(
            black,
            EntryAction::TakeEffect {
                until: Some(d(2025, 1, 1)),
            },
            d(2025, 3, 14),
            None,
            cal(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "bad_validity");
    let e = e
        .apply(
            black,
            EntryAction::TakeEffect {
                until: Some(d(2026, 3, 13)),
            },
            d(2025, 3, 14),
            None,
            cal(),
        )
        .unwrap();
    assert_eq!(e.effective_until, Some(d(2026, 3, 13)));
    // Not expired on its last day.
    let err = e
        .apply(
            black,
            EntryAction::Remove {
                reason: RemovalReason::Expired,
            },
            d(2026, 3, 13),
            None,
            cal(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "not_expired");
    assert!(err.to_string().contains("尚未届满"));
    assert_eq!(
        e.due_action(d(2026, 3, 14)),
        Some(EntryAction::Remove {
            reason: RemovalReason::Expired
        })
    );
    let e = e
        .apply(
            black,
            EntryAction::Remove {
                reason: RemovalReason::Expired,
            },
            d(2026, 3, 14),
            None,
            cal(),
        )
        .unwrap();
    assert_eq!(e.status, EntryStatus::Removed);
    assert_eq!(e.removal_reason, Some(RemovalReason::Expired));
    assert_eq!(e.removed_on, Some(d(2026, 3, 14)));
    let actions: Vec<&str> = e.history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "propose",
            "start_publicity",
            "raise_objection",
            "dismiss_objection",
            "take_effect",
            "remove_expired"
        ]
    );
    assert_eq!(e.history[2].note.as_deref(), Some("判决已履行完毕"));
    // Nothing leaves a removed entry.
    for a in [
        EntryAction::StartPublicity,
        EntryAction::RaiseObjection,
        EntryAction::DismissObjection,
        EntryAction::TakeEffect { until: None },
        EntryAction::Remove {
            reason: RemovalReason::Revoked,
        },
        EntryAction::Remove {
            reason: RemovalReason::Repaired,
        },
        EntryAction::Remove {
            reason: RemovalReason::Expired,
        },
    ] {
        let err = e
            .apply(black, a, d(2026, 4, 1), Some("x"), cal())
            .unwrap_err();
        assert_eq!(err.code(), "illegal_entry_transition", "{a:?}");
        assert!(err.to_string().contains("已移出"), "{err}");
    }
}

#[test]
fn illegal_and_guarded_transitions() {
    let red = list("red_list");
    let black = list("serious_dishonest");
    let court = list("court_dishonest_debtor");
    let e = ListEntry::propose(red, proposal(), d(2025, 3, 3)).unwrap();

    // Wrong list.
    let err = e
        .apply(
            black,
            EntryAction::StartPublicity,
            d(2025, 3, 3),
            None,
            cal(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "list_mismatch");
    // Dates go forward.
    let err = e
        .apply(red, EntryAction::StartPublicity, d(2025, 3, 2), None, cal())
        .unwrap_err();
    assert_eq!(err.code(), "date_before_last");
    // Objections only during publicity.
    let err = e
        .apply(
            red,
            EntryAction::RaiseObjection,
            d(2025, 3, 3),
            Some("x"),
            cal(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "illegal_entry_transition");
    assert!(err.to_string().contains("拟列入"));
    // A proposal cannot expire or be repaired.
    for reason in [RemovalReason::Expired, RemovalReason::Repaired] {
        let err = e
            .apply(
                red,
                EntryAction::Remove { reason },
                d(2025, 3, 3),
                Some("x"),
                cal(),
            )
            .unwrap_err();
        assert_eq!(err.code(), "illegal_entry_transition");
    }
    // Source removal only for imported lists.
    let err = e
        .apply(
            red,
            EntryAction::Remove {
                reason: RemovalReason::SourceRemoved,
            },
            d(2025, 3, 3),
            None,
            cal(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "not_imported");
    // Revocation needs a note; a dropped proposal is revoked.
    let err = e
        .apply(
            red,
            EntryAction::Remove {
                reason: RemovalReason::Revoked,
            },
            d(2025, 3, 3),
            Some("  "),
            cal(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "reason_required");
    let dropped = e
        .apply(
            red,
            EntryAction::Remove {
                reason: RemovalReason::Revoked,
            },
            d(2025, 3, 3),
            Some("认定材料不全"),
            cal(),
        )
        .unwrap();
    assert_eq!(dropped.status, EntryStatus::Removed);

    // Red list: validity fixed, no repair.
    let p = e
        .apply(red, EntryAction::StartPublicity, d(2025, 3, 3), None, cal())
        .unwrap();
    let err = p
        .apply(
            red,
            EntryAction::TakeEffect {
                until: Some(d(2026, 1, 1)),
            },
            d(2025, 3, 20),
            None,
            cal(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "validity_fixed");
    let eff = p
        .apply(
            red,
            EntryAction::TakeEffect { until: None },
            d(2025, 3, 20),
            None,
            cal(),
        )
        .unwrap();
    let err = eff
        .apply(
            red,
            EntryAction::Remove {
                reason: RemovalReason::Repaired,
            },
            d(2025, 4, 1),
            Some("x"),
            cal(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "illegal_entry_transition");
    // Publicity cannot start twice.
    let err = p
        .apply(red, EntryAction::StartPublicity, d(2025, 3, 4), None, cal())
        .unwrap_err();
    assert_eq!(err.code(), "illegal_entry_transition");
    // An objection upheld during publicity needs a pending objection.
    let err = p
        .apply(
            red,
            EntryAction::Remove {
                reason: RemovalReason::ObjectionUpheld,
            },
            d(2025, 3, 4),
            Some("x"),
            cal(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "no_pending_objection");
    let o = p
        .apply(
            red,
            EntryAction::RaiseObjection,
            d(2025, 3, 4),
            Some("事迹不实"),
            cal(),
        )
        .unwrap()
        .apply(
            red,
            EntryAction::Remove {
                reason: RemovalReason::ObjectionUpheld,
            },
            d(2025, 3, 6),
            Some("经核实事迹不实"),
            cal(),
        )
        .unwrap();
    assert_eq!(o.removal_reason, Some(RemovalReason::ObjectionUpheld));
    assert_eq!(o.objections_pending, 0);

    // Black list: repair from effective.
    let b = ListEntry::propose(black, proposal(), d(2025, 3, 3))
        .unwrap()
        .apply(
            black,
            EntryAction::StartPublicity,
            d(2025, 3, 3),
            None,
            cal(),
        )
        .unwrap()
        .apply(
            black,
            EntryAction::TakeEffect { until: None },
            d(2025, 3, 13),
            None,
            cal(),
        )
        .unwrap();
    assert_eq!(b.effective_until, Some(d(2028, 3, 12)));
    let r = b
        .apply(
            black,
            EntryAction::Remove {
                reason: RemovalReason::Repaired,
            },
            d(2026, 3, 20),
            Some("信用修复决定书 X修〔2026〕1号"),
            cal(),
        )
        .unwrap();
    assert_eq!(r.removal_reason, Some(RemovalReason::Repaired));

    // Imported list: no hand proposals, no publicity, no objections; removed by the source.
    assert_eq!(
        ListEntry::propose(court, proposal(), d(2025, 3, 3))
            .unwrap_err()
            .code(),
        "imported_list"
    );
    assert_eq!(
        ListEntry::import(red, "k", "n", "x", d(2025, 3, 3))
            .unwrap_err()
            .code(),
        "not_imported"
    );
    let c = ListEntry::import(court, "k", "某公司", "(2025)苏0102执1号", d(2025, 3, 3)).unwrap();
    assert_eq!(c.status, EntryStatus::Effective);
    assert_eq!(c.effective_until, None);
    assert_eq!(c.evidence, ["(2025)苏0102执1号"]);
    let err = c
        .apply(
            court,
            EntryAction::Remove {
                reason: RemovalReason::Expired,
            },
            d(2030, 1, 1),
            None,
            cal(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "not_expired");
    assert!(err.to_string().contains("无固定有效期"));
    let gone = c
        .apply(
            court,
            EntryAction::Remove {
                reason: RemovalReason::SourceRemoved,
            },
            d(2025, 6, 1),
            None,
            cal(),
        )
        .unwrap();
    assert_eq!(gone.removal_reason, Some(RemovalReason::SourceRemoved));
    assert_eq!(gone.history.len(), 2);

    // Missing proposal fields.
    let mut bad = proposal();
    bad.standard = " ".to_string();
    let err = ListEntry::propose(black, bad, d(2025, 3, 3)).unwrap_err();
    assert_eq!(err.code(), "missing_field");
    assert!(err.to_string().contains("认定标准"));

    // A list without a window but taking entries by hand takes effect directly.
    let mut direct = black.clone();
    direct.publicity_working_days = 0;
    direct.objections_allowed = false;
    let e = ListEntry::propose(&direct, proposal(), d(2025, 3, 3)).unwrap();
    assert_eq!(
        e.apply(
            &direct,
            EntryAction::StartPublicity,
            d(2025, 3, 3),
            None,
            cal()
        )
        .unwrap_err()
        .code(),
        "no_publicity"
    );
    let e = e
        .apply(
            &direct,
            EntryAction::TakeEffect { until: None },
            d(2025, 3, 3),
            None,
            cal(),
        )
        .unwrap();
    assert_eq!(e.status, EntryStatus::Effective);
}

#[test]
fn objections_not_allowed_on_lists_without() {
    let mut no_obj = list("serious_dishonest").clone();
    no_obj.objections_allowed = false;
    let e = ListEntry::propose(&no_obj, proposal(), d(2025, 3, 3))
        .unwrap()
        .apply(
            &no_obj,
            EntryAction::StartPublicity,
            d(2025, 3, 3),
            None,
            cal(),
        )
        .unwrap();
    let err = e
        .apply(
            &no_obj,
            EntryAction::RaiseObjection,
            d(2025, 3, 4),
            Some("x"),
            cal(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "objections_not_allowed");
}

// ------------------------------------------------------------------------------------------------
// Assessment
// ------------------------------------------------------------------------------------------------

#[test]
fn assess_black_list_per_scenario() {
    let hits = [entry_hit("serious_dishonest", EntryStatus::Effective)];
    let expect = [
        (
            "procurement",
            Verdict::Intercept,
            "restrict_procurement_bidding",
        ),
        (
            "bidding",
            Verdict::Intercept,
            "restrict_procurement_bidding",
        ),
        ("civil_service", Verdict::Intercept, "bar_recruitment"),
        ("honours", Verdict::Intercept, "bar_honours"),
        ("awards", Verdict::Intercept, "restrict_awards"),
        (
            "fiscal_funds",
            Verdict::Intercept,
            "restrict_funds_projects",
        ),
        (
            "project_investment",
            Verdict::Intercept,
            "restrict_funds_projects",
        ),
        (
            "reform_pilot",
            Verdict::Intercept,
            "restrict_funds_projects",
        ),
        (
            "performance_appraisal",
            Verdict::Warn,
            "appraisal_deduction",
        ),
        ("supervision", Verdict::Warn, "intensified_supervision"),
    ];
    for (scenario, verdict, measure) in expect {
        let a = cat().assess(scenario, &hits).unwrap();
        assert_eq!(a.verdict, verdict, "{scenario}");
        assert!(codes(&a).contains(&measure), "{scenario}: {:?}", codes(&a));
        let m = a.measures.iter().find(|m| m.code == measure).unwrap();
        assert_eq!(m.hits, [0]);
        assert!(m.reason.contains("已列入严重失信主体名单"), "{}", m.reason);
        assert!(!m.basis.is_empty());
        assert!(a.summary().contains(verdict.label()));
    }
    // No measure in 行政审批 for a black list.
    let a = cat().assess("admin_approval", &hits).unwrap();
    assert_eq!(a.verdict, Verdict::Pass);
    assert!(a.measures.is_empty());
    assert_eq!(a.ignored.len(), 1);
    assert!(a.ignored[0].reason.contains("无适用措施"));
    assert!(a.summary().contains("无适用措施"));
    // The court's list works the same in bidding and recruitment.
    let court = [entry_hit("court_dishonest_debtor", EntryStatus::Effective)];
    assert_eq!(
        cat().assess("bidding", &court).unwrap().verdict,
        Verdict::Intercept
    );
    assert_eq!(
        cat().assess("civil_service", &court).unwrap().verdict,
        Verdict::Intercept
    );
    assert_eq!(
        cat().assess("nope", &court).unwrap_err().code(),
        "unknown_scenario"
    );
}

#[test]
fn assess_publicity_gives_at_most_warn() {
    let hits = [entry_hit("serious_dishonest", EntryStatus::Publicity)];
    let a = cat().assess("procurement", &hits).unwrap();
    assert_eq!(a.verdict, Verdict::Warn);
    let m = &a.measures[0];
    assert_eq!(m.code, "restrict_procurement_bidding");
    assert_eq!(m.verdict, Verdict::Warn);
    assert!(m.reason.contains("公示"), "{}", m.reason);
    assert!(m.reason.contains("至多提示"), "{}", m.reason);
    // Proposed and removed entries count for nothing.
    for s in [EntryStatus::Proposed, EntryStatus::Removed] {
        let a = cat()
            .assess("procurement", &[entry_hit("serious_dishonest", s)])
            .unwrap();
        assert_eq!(a.verdict, Verdict::Pass);
        assert!(a.measures.is_empty());
        assert_eq!(a.ignored[0].hit, 0);
    }
}

#[test]
fn assess_waived_and_lightened_entries() {
    let with = |waived: bool| Hit::ListEntry {
        list: "serious_dishonest".to_string(),
        status: EntryStatus::Effective,
        mitigation: Some(EntryMitigation {
            waived,
            decision: "CJ20261123ABCDEFGH".to_string(),
        }),
    };
    // 免于惩戒: not intercepted, but the caller is told, with the decision's number.
    let a = cat().assess("procurement", &[with(true)]).unwrap();
    assert_eq!(a.verdict, Verdict::Warn);
    let m = &a.measures[0];
    assert_eq!(m.verdict, Verdict::Warn);
    assert!(
        m.reason.contains("免于惩戒决定（CJ20261123ABCDEFGH）"),
        "{}",
        m.reason
    );
    assert!(m.reason.contains("不予拦截"), "{}", m.reason);
    // 从轻惩戒: the measure stands, noted.
    let a = cat().assess("procurement", &[with(false)]).unwrap();
    assert_eq!(a.verdict, Verdict::Intercept);
    assert!(a.measures[0]
        .reason
        .contains("从轻惩戒决定 CJ20261123ABCDEFGH"));
    // A waiver on one entry does not cover another entry of the same party.
    let a = cat()
        .assess(
            "procurement",
            &[
                with(true),
                entry_hit("court_dishonest_debtor", EntryStatus::Effective),
            ],
        )
        .unwrap();
    assert_eq!(a.verdict, Verdict::Intercept);
    // A waiver is about punishments: a red-list entry's incentives are not touched.
    let red = Hit::ListEntry {
        list: "red_list".to_string(),
        status: EntryStatus::Effective,
        mitigation: Some(EntryMitigation {
            waived: true,
            decision: "CJ1".to_string(),
        }),
    };
    let plain = cat()
        .assess(
            "procurement",
            &[entry_hit("red_list", EntryStatus::Effective)],
        )
        .unwrap();
    assert_eq!(
        cat().assess("procurement", &[red]).unwrap().verdict,
        plain.verdict
    );
}

#[test]
fn assess_records_and_tolerance() {
    let severe = record_hit("refusal_to_execute", Severity::Severe, false);
    let a = cat()
        .assess("procurement", std::slice::from_ref(&severe))
        .unwrap();
    assert_eq!(a.verdict, Verdict::Intercept);
    assert!(a.measures[0].reason.contains("严重失信记录"));
    assert!(
        a.measures[0].reason.contains("拒不执行"),
        "{}",
        a.measures[0].reason
    );

    // 容错: never counts.
    let tolerated = record_hit("refusal_to_execute", Severity::Severe, true);
    let a = cat().assess("procurement", &[tolerated]).unwrap();
    assert_eq!(a.verdict, Verdict::Pass);
    assert!(a.measures.is_empty());
    assert!(a.ignored[0].reason.contains("容错"));

    // 一般: warn in procurement, intercept in 评优评先 (限制评优评先).
    let general = record_hit("admin_penalty", Severity::General, false);
    assert_eq!(
        cat()
            .assess("procurement", std::slice::from_ref(&general))
            .unwrap()
            .verdict,
        Verdict::Warn
    );
    let a = cat().assess("awards", &[general]).unwrap();
    assert_eq!(a.verdict, Verdict::Intercept);
    assert!(codes(&a).contains(&"restrict_awards"));

    // 轻微: nothing applies.
    let minor = record_hit("admin_penalty", Severity::Minor, false);
    let a = cat().assess("procurement", &[minor]).unwrap();
    assert_eq!(a.verdict, Verdict::Pass);
    assert!(a.ignored[0].reason.contains("轻微"));

    // Several hits on one measure: one entry, both hits, both reasons.
    let a = cat()
        .assess(
            "bidding",
            &[
                entry_hit("court_dishonest_debtor", EntryStatus::Effective),
                record_hit("statistical_fraud", Severity::Severe, false),
                record_hit("admin_penalty", Severity::Severe, true),
            ],
        )
        .unwrap();
    let m = a
        .measures
        .iter()
        .find(|m| m.code == "restrict_procurement_bidding")
        .unwrap();
    assert_eq!(m.hits, [0, 1]);
    assert_eq!(m.reason.matches('；').count(), 1);
    assert_eq!(a.ignored.len(), 1);
    assert_eq!(a.ignored[0].hit, 2);
}

#[test]
fn assess_red_list_and_watch_list() {
    let red = entry_hit("red_list", EntryStatus::Effective);
    let a = cat()
        .assess("admin_approval", std::slice::from_ref(&red))
        .unwrap();
    assert_eq!(a.verdict, Verdict::Pass);
    assert_eq!(codes(&a), ["green_channel", "accept_pending_documents"]);
    assert!(a.measures.iter().all(|m| m.kind == MeasureKind::Incentive));
    assert!(a.measures[0].reason.contains("可享受"));
    let a = cat()
        .assess("fiscal_funds", std::slice::from_ref(&red))
        .unwrap();
    assert_eq!(codes(&a), ["priority_arrangement"]);

    // Red list in publicity: no benefit yet.
    let a = cat()
        .assess(
            "admin_approval",
            &[entry_hit("red_list", EntryStatus::Publicity)],
        )
        .unwrap();
    assert_eq!(a.verdict, Verdict::Pass);
    assert!(a.measures.is_empty());
    assert!(a.ignored[0].reason.contains("尚未生效"));

    // Red and black at once: the incentive is withheld.
    let a = cat()
        .assess(
            "fiscal_funds",
            &[
                red.clone(),
                entry_hit("serious_dishonest", EntryStatus::Effective),
            ],
        )
        .unwrap();
    assert_eq!(a.verdict, Verdict::Intercept);
    assert_eq!(codes(&a), ["restrict_funds_projects"]);
    assert_eq!(a.withheld.len(), 1);
    assert_eq!(a.withheld[0].code, "priority_arrangement");
    assert!(a.withheld[0].reason.contains("暂不适用"));

    // A tolerated record does not withhold the incentive.
    let a = cat()
        .assess(
            "fiscal_funds",
            &[red, record_hit("admin_penalty", Severity::Severe, true)],
        )
        .unwrap();
    assert_eq!(a.verdict, Verdict::Pass);
    assert_eq!(codes(&a), ["priority_arrangement"]);

    // Watch list: warn, never intercept.
    let watch = [entry_hit("watch_list", EntryStatus::Effective)];
    for s in cat().scenarios() {
        let a = cat().assess(&s.code, &watch).unwrap();
        assert!(a.verdict <= Verdict::Warn, "{}", s.code);
    }
    assert_eq!(
        cat().assess("procurement", &watch).unwrap().verdict,
        Verdict::Warn
    );
    assert_eq!(
        cat().assess("supervision", &watch).unwrap().verdict,
        Verdict::Warn
    );

    // Unknown list.
    let a = cat()
        .assess("procurement", &[entry_hit("nope", EntryStatus::Effective)])
        .unwrap();
    assert_eq!(a.verdict, Verdict::Pass);
    assert!(a.ignored[0].reason.contains("未知名单"));
}

// ------------------------------------------------------------------------------------------------
// Refresh
// ------------------------------------------------------------------------------------------------

#[test]
fn refresh_diff() {
    use EntryStatus as S;
    let existing = [
        ("A", S::Effective),
        ("B", S::Effective),
        ("C", S::Removed),
        ("D", S::Removed),
        ("F", S::Removed),
        ("F", S::Effective),
    ];
    let source = ["E", "A", "C", "E", "F"];
    let plan = refresh(&existing, &source);
    assert_eq!(plan.add, ["C", "E"]);
    assert_eq!(plan.keep, ["A", "F"]);
    assert_eq!(plan.remove, ["B"]);

    let empty: RefreshPlan<&str> = refresh(&[], &[]);
    assert!(empty.add.is_empty() && empty.keep.is_empty() && empty.remove.is_empty());
    let all_gone = refresh(&[("A", S::Effective), ("B", S::Removed)], &[]);
    assert_eq!(all_gone.remove, ["A"]);
    assert!(all_gone.add.is_empty());
}

// ------------------------------------------------------------------------------------------------
// Closed loop
// ------------------------------------------------------------------------------------------------

#[test]
fn due_dates_reminders_and_overdue() {
    let cl = cat().closed_loop();
    assert_eq!(cl.working_days(CaseStep::Initiated), 0);
    // From Friday 24 January 2025, across the Spring Festival.
    let due = cl.due_dates(d(2025, 1, 24), cal()).unwrap();
    assert_eq!(due.initiated, d(2025, 1, 24));
    assert_eq!(due.distributed, d(2025, 1, 26)); // Sunday, 调休上班
    assert_eq!(due.signed, d(2025, 2, 5));
    assert_eq!(due.applied, d(2025, 2, 18));
    assert_eq!(due.reported, d(2025, 2, 21));

    assert!(!overdue(CaseStep::Signed, &due, d(2025, 2, 5)));
    assert!(overdue(CaseStep::Signed, &due, d(2025, 2, 6)));
    assert!(!overdue(CaseStep::Initiated, &due, d(2025, 1, 24)));

    let signed = due.signed;
    assert_eq!(
        cl.reminder(signed, d(2025, 1, 24), cal()).unwrap(),
        Reminder::None
    );
    // Holiday days do not count: one working day left on 27 January.
    assert_eq!(
        cl.reminder(signed, d(2025, 1, 27), cal()).unwrap(),
        Reminder::Upcoming {
            working_days_left: 1
        }
    );
    assert_eq!(
        cl.reminder(signed, d(2025, 2, 1), cal()).unwrap(),
        Reminder::Upcoming {
            working_days_left: 1
        }
    );
    assert_eq!(
        cl.reminder(signed, signed, cal()).unwrap(),
        Reminder::DueToday
    );
    assert_eq!(
        cl.reminder(signed, d(2025, 2, 6), cal()).unwrap(),
        Reminder::Overdue {
            working_days_late: 1
        }
    );
    // 6, 7, 8 (调休), 10 February: 4 working days late > 3 → escalate.
    let r = cl.reminder(signed, d(2025, 2, 10), cal()).unwrap();
    assert_eq!(
        r,
        Reminder::Escalate {
            working_days_late: 4
        }
    );
    assert_eq!(r.code(), "escalate");
    assert!(has_chinese(r.label()));
}

#[test]
fn cases_distribution_advance_and_lift() {
    let c = cat();
    let black = list("serious_dishonest");
    let entry = ListEntry::propose(black, proposal(), d(2025, 3, 3))
        .unwrap()
        .apply(
            black,
            EntryAction::StartPublicity,
            d(2025, 3, 3),
            None,
            cal(),
        )
        .unwrap();
    // Not yet effective: no automatic case.
    assert_eq!(
        c.initiate_for_entry("e1", &entry, cal())
            .unwrap_err()
            .code(),
        "entry_not_effective"
    );
    let entry = entry
        .apply(
            black,
            EntryAction::TakeEffect { until: None },
            d(2025, 3, 13),
            None,
            cal(),
        )
        .unwrap();
    let cases = c.initiate_for_entry("e1", &entry, cal()).unwrap();
    let depts: Vec<&str> = cases.iter().map(|c| c.department.as_str()).collect();
    assert!(depts.contains(&"finance"));
    assert!(depts.contains(&"public_resources"));
    assert!(depts.contains(&"credit_office"));
    assert!(!depts.contains(&"government_services"));
    let finance = cases.iter().find(|c| c.department == "finance").unwrap();
    assert_eq!(
        finance.measures,
        ["restrict_procurement_bidding", "restrict_funds_projects"]
    );
    assert_eq!(finance.id, "e1/finance");
    assert_eq!(finance.trigger, CaseTrigger::Automatic);
    assert_eq!(finance.step, CaseStep::Initiated);
    assert_eq!(finance.next_due, Some(d(2025, 3, 14)));
    // Every department named by a measure exists.
    for case in &cases {
        assert!(c.department(&case.department).is_some());
    }

    // Walk the loop. The next due date follows the actual day of the previous step.
    let cl = c.closed_loop();
    let f = finance.advance(d(2025, 3, 14), None, cl, cal()).unwrap();
    assert_eq!(f.step, CaseStep::Distributed);
    assert_eq!(f.next_due, Some(d(2025, 3, 18)));
    assert_eq!(
        f.advance(d(2025, 3, 13), None, cl, cal())
            .unwrap_err()
            .code(),
        "date_before_previous"
    );
    let f = f
        .advance(d(2025, 3, 17), Some("已签收"), cl, cal())
        .unwrap();
    assert_eq!(f.step, CaseStep::Signed);
    assert_eq!(f.next_due, Some(d(2025, 3, 31)));
    assert!(!f.is_overdue(d(2025, 3, 31)));
    assert!(f.is_overdue(d(2025, 4, 1)));
    assert_eq!(
        f.reminder(cl, d(2025, 3, 28), cal()).unwrap(),
        Reminder::Upcoming {
            working_days_left: 1
        }
    );
    let f = f
        .advance(d(2025, 3, 20), Some("已在采购平台设置限制"), cl, cal())
        .unwrap()
        .advance(d(2025, 3, 21), Some("已反馈"), cl, cal())
        .unwrap();
    assert_eq!(f.step, CaseStep::Reported);
    assert_eq!(f.next_due, None);
    assert!(f.report().unwrap().on_time());
    assert_eq!(
        f.advance(d(2025, 3, 22), None, cl, cal())
            .unwrap_err()
            .code(),
        "case_complete"
    );
    assert_eq!(
        f.reminder(cl, d(2025, 6, 1), cal()).unwrap(),
        Reminder::None
    );

    // Manual initiation; unknown list.
    let manual = c
        .initiate_cases("e2", "red_list", CaseTrigger::Manual, d(2025, 3, 3), cal())
        .unwrap();
    assert!(manual.iter().all(|c| c.trigger == CaseTrigger::Manual));
    assert!(manual.iter().any(|c| c.department == "government_services"));
    assert_eq!(
        c.initiate_cases("e3", "nope", CaseTrigger::Manual, d(2025, 3, 3), cal())
            .unwrap_err()
            .code(),
        "unknown_list"
    );

    // The entry is repaired: every case of it is lifted, each department told.
    let mut all = cases.clone();
    all.retain(|c| c.department != "finance");
    all.push(f.clone());
    all.extend(manual.clone());
    let (lifted, notices) = lift_on_removal(&all, "e1", RemovalReason::Repaired, d(2025, 9, 1));
    assert_eq!(notices.len(), cases.len());
    assert!(notices.iter().all(|n| n.message.contains("信用修复")));
    let fin = notices.iter().find(|n| n.department == "finance").unwrap();
    assert_eq!(fin.step, CaseStep::Reported);
    assert_eq!(fin.measures.len(), 2);
    for l in &lifted {
        if l.entry_id == "e1" {
            assert_eq!(l.lifted_on, Some(d(2025, 9, 1)));
            assert_eq!(l.next_due, None);
        } else {
            assert_eq!(l.lifted_on, None);
        }
    }
    // Lifting again tells nobody; a lifted case does not advance.
    let (_, again) = lift_on_removal(&lifted, "e1", RemovalReason::Repaired, d(2025, 9, 2));
    assert!(again.is_empty());
    let open = lifted
        .iter()
        .find(|c| c.entry_id == "e1" && c.step == CaseStep::Initiated)
        .unwrap();
    assert_eq!(
        open.advance(d(2025, 9, 3), None, cl, cal())
            .unwrap_err()
            .code(),
        "case_lifted"
    );
}

#[test]
fn feedback_rate_per_department() {
    let c = cat();
    let cl = c.closed_loop();
    let start = d(2025, 3, 3);
    let open = |entry: &str, dept: &str| {
        c.initiate_cases(
            entry,
            "serious_dishonest",
            CaseTrigger::Manual,
            start,
            cal(),
        )
        .unwrap()
        .into_iter()
        .find(|c| c.department == dept)
        .unwrap()
    };
    let walk = |case: Case, days: &[NaiveDate]| {
        days.iter()
            .fold(case, |c, day| c.advance(*day, None, cl, cal()).unwrap())
    };
    // finance: one reported on time, one reported late, one stuck at 签收 and overdue.
    let f1 = walk(
        open("e1", "finance"),
        &[d(2025, 3, 4), d(2025, 3, 5), d(2025, 3, 10), d(2025, 3, 11)],
    );
    let f2 = walk(
        open("e2", "finance"),
        &[d(2025, 3, 4), d(2025, 3, 5), d(2025, 3, 10), d(2025, 3, 20)],
    );
    let f3 = walk(open("e3", "finance"), &[d(2025, 3, 4)]);
    // public_resources: distributed, not yet due; credit_office: never distributed.
    let p1 = walk(open("e1", "public_resources"), &[d(2025, 4, 1)]);
    let c1 = open("e1", "credit_office");
    // A lifted, unreported case owes nothing.
    let (lifted, _) = lift_on_removal(
        &[walk(open("e4", "finance"), &[d(2025, 3, 4)])],
        "e4",
        RemovalReason::Revoked,
        d(2025, 3, 5),
    );
    let mut cases = vec![f1, f2, f3, p1, c1];
    cases.extend(lifted);

    let today = d(2025, 4, 2);
    let rates = feedback_rate(&cases, today);
    let by_name = |n: &str| rates.iter().find(|r| r.name == n).unwrap().stats;
    let fin = by_name("finance");
    assert_eq!(
        fin,
        FeedbackStats {
            due: 3,
            reported: 2,
            on_time: 1,
            signed_late: 1,
            applied_late: 0,
            reported_late: 1,
        }
    );
    assert!((fin.rate().unwrap() - 2.0 / 3.0).abs() < 1e-9);
    assert!((fin.on_time_rate().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    let pr = by_name("public_resources");
    assert_eq!(pr.due, 0);
    assert_eq!(pr.rate(), None);
    assert!(
        rates.iter().all(|r| r.name != "credit_office"),
        "not distributed: owes nothing yet"
    );
    // 分发 is the credit office's step: p1 was distributed 20 working days late, f1–f3 on the
    // day after initiation (on time); c1 is overdue for distribution.
    let dist = distribution_rate(&cases, today);
    assert_eq!(
        dist,
        DistributionStats {
            due: 6,
            done: 5,
            on_time: 4
        },
        "{cases:#?}"
    );
}

#[test]
fn each_step_has_its_party_and_is_judged_against_its_own_deadline() {
    let c = cat();
    let cl = c.closed_loop();
    let case = c
        .initiate_cases(
            "e9",
            "serious_dishonest",
            CaseTrigger::Automatic,
            d(2025, 3, 3),
            cal(),
        )
        .unwrap()
        .into_iter()
        .find(|c| c.department == "finance")
        .unwrap();
    // The department cannot distribute to itself; the credit office can.
    let e = case
        .take_step(
            StepParty::Department,
            "account:fin",
            d(2025, 3, 4),
            None,
            cl,
            cal(),
        )
        .unwrap_err();
    assert_eq!(e.code(), "not_your_step");
    assert!(
        e.to_string().contains("分发") && e.to_string().contains("信用办"),
        "{e}"
    );
    assert_eq!(
        crate::error::Coded::kind(&e),
        crate::error::ErrorKind::Forbidden
    );
    let body = CaseBody {
        uscc: "11320400MB0000019Y".into(),
        name: "常州市财政局".into(),
    };
    // Distributed three months late, by the system on the day it really happens.
    let late = d(2025, 6, 3);
    let f = case
        .distribute(Some(body.clone()), "system", late, cl, cal())
        .unwrap();
    assert_eq!(f.body, Some(body));
    let ev = f.events.last().unwrap();
    assert_eq!(
        (ev.step, ev.on, ev.by.as_deref()),
        (CaseStep::Distributed, late, Some("system"))
    );
    assert!(ev.late());
    assert_eq!(
        f.late_steps(StepParty::CreditOffice, late),
        [CaseStep::Distributed]
    );
    assert!(
        f.late_steps(StepParty::Department, late).is_empty(),
        "not the department's"
    );
    // The credit office does not sign for the department.
    assert_eq!(
        f.take_step(
            StepParty::CreditOffice,
            "account:office",
            late,
            None,
            cl,
            cal()
        )
        .unwrap_err()
        .code(),
        "not_your_step"
    );
    // Signed a week late, then applied and reported at once: 反馈 is within its own deadline,
    // but the case is not on time — 签收 was late.
    let f = f
        .take_step(
            StepParty::Department,
            "account:fin",
            d(2025, 6, 12),
            None,
            cl,
            cal(),
        )
        .unwrap()
        .take_step(
            StepParty::Department,
            "account:fin",
            d(2025, 6, 12),
            Some("已限制"),
            cl,
            cal(),
        )
        .unwrap()
        .take_step(
            StepParty::Department,
            "account:fin",
            d(2025, 6, 13),
            Some("已反馈"),
            cl,
            cal(),
        )
        .unwrap();
    assert!(f.report().unwrap().on_time(), "反馈 itself was on time");
    assert_eq!(
        f.late_steps(StepParty::Department, d(2025, 6, 13)),
        [CaseStep::Signed]
    );
    let rates = feedback_rate(std::slice::from_ref(&f), d(2025, 6, 13));
    assert_eq!(rates.len(), 1);
    assert_eq!(rates[0].uscc.as_deref(), Some("11320400MB0000019Y"));
    assert_eq!(rates[0].name, "常州市财政局");
    assert_eq!(rates[0].roles, ["finance"]);
    assert_eq!(
        (
            rates[0].stats.reported,
            rates[0].stats.on_time,
            rates[0].stats.signed_late
        ),
        (1, 0, 1)
    );
    assert_eq!(rates[0].stats.on_time_rate(), Some(0.0));
    // A stored case from before (no body, no stamps) still reads.
    let old: Case = serde_json::from_value(serde_json::json!({
        "id": "e/finance", "entry_id": "e", "list": "serious_dishonest", "department": "finance",
        "measures": [], "trigger": "automatic", "step": "initiated",
        "events": [{"step": "initiated", "on": "2025-03-03", "due": null}],
        "next_due": "2025-03-04",
        "planned": {"initiated": "2025-03-03", "distributed": "2025-03-04", "signed": "2025-03-06",
                    "applied": "2025-03-20", "reported": "2025-03-25"},
        "lifted_on": null
    }))
    .unwrap();
    assert_eq!(old.body, None);
}

/// The recognising body is kept by its code (objections and cases reach its region's credit
/// offices): given apart, or as `recognised_by` itself; a bad code is refused.
#[test]
fn recognising_body_by_code_and_region() {
    let l = list("serious_dishonest");
    let on = NaiveDate::from_ymd_opt(2025, 3, 3).unwrap();
    let named = ListEntry::propose(l, proposal(), on).unwrap();
    assert_eq!(
        (
            named.recognised_by_uscc.as_deref(),
            named.recognising_region()
        ),
        (None, None)
    );
    let by_code = ListEntry::propose(
        l,
        Proposal {
            recognised_by: " 常州市武进区市场监督管理局 ".into(),
            recognised_by_uscc: Some("11320412mb00000351".into()),
            ..proposal()
        },
        on,
    )
    .unwrap();
    assert_eq!(by_code.recognised_by, "常州市武进区市场监督管理局");
    assert_eq!(
        by_code.recognised_by_uscc.as_deref(),
        Some("11320412MB00000351")
    );
    assert_eq!(by_code.recognising_region(), Some("320412"));
    let code_only = ListEntry::propose(
        l,
        Proposal {
            recognised_by: "11320412MB00000351".into(),
            ..proposal()
        },
        on,
    )
    .unwrap();
    assert_eq!(code_only.recognising_region(), Some("320412"));
    let e = ListEntry::propose(
        l,
        Proposal {
            recognised_by_uscc: Some("11320412MB0000035X".into()),
            ..proposal()
        },
        on,
    )
    .unwrap_err();
    assert_eq!(e.code(), "invalid_recognising_body");
    // An entry stored before the code was kept reads back without one.
    let mut old = serde_json::to_value(&named).unwrap();
    old.as_object_mut().unwrap().remove("recognised_by_uscc");
    let back: ListEntry = serde_json::from_value(old.clone()).unwrap();
    assert_eq!(
        serde_json::to_value(&back).unwrap(),
        old,
        "same JSON, same digest"
    );
}
