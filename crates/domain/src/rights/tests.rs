use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn rules() -> &'static RightsRules {
    RightsRules::default_checked().unwrap()
}

fn ctx<'a>(today: &str, facts: Option<&'a TargetFacts>) -> StepContext<'a> {
    StepContext {
        rules: rules(),
        calendar: WorkCalendar::official(),
        today: d(today),
        now: d(today).and_hms_opt(4, 0, 0).unwrap().and_utc(),
        actor: "tester",
        facts,
    }
}

fn facts(decision: &str, sev: Severity) -> TargetFacts {
    TargetFacts {
        decision_date: d(decision),
        severity: Some(sev),
        status: Some(RecordStatus::Published),
        active: true,
        list_min_months: None,
    }
}

fn new_app<'a>(kind: AppKind, f: &'a TargetFacts) -> NewApplication<'a> {
    NewApplication {
        kind,
        target: Target::Record(Uuid::nil()),
        subject_id: None,
        subject_name: "某某公司".into(),
        department: "11320400014000000X".into(),
        applicant: Applicant {
            name: "张三".into(),
            is_subject: true,
            account: None,
            contact_sealed: None,
        },
        reasons: "已整改完毕".into(),
        commitment: true,
        tracking_no: tracking_no(kind, d("2025-06-02"), [7; 8]),
        facts: f,
        barred_until: None,
    }
}

#[test]
fn shipped_rules_parse_and_version_by_date() {
    let r = rules();
    assert_eq!(
        r.repair_on(d("2025-06-02")).unwrap().id,
        "ndrc-order-58-2023"
    );
    assert_eq!(
        r.repair_on(d("2026-03-31")).unwrap().id,
        "ndrc-order-58-2023"
    );
    assert_eq!(
        r.repair_on(d("2026-04-01")).unwrap().id,
        "ndrc-order-36-2025"
    );
    assert_eq!(
        r.repair_on(d("2020-01-01")).unwrap_err().code(),
        "no_rule_version"
    );
    // 轻微: 58号 does not publish; 36号 allows at most 3 months where a sector requires it.
    let old = r.repair_on(d("2025-01-01")).unwrap();
    let new = r.repair_on(d("2026-06-01")).unwrap();
    assert_eq!(old.publication_end(d("2025-01-10"), Severity::Minor), None);
    assert_eq!(
        new.publication_end(d("2026-05-10"), Severity::Minor),
        Some(d("2026-08-09"))
    );
    // 一般 3 months–1 year, 严重 1–3 years, counted from the decision date.
    assert_eq!(
        new.earliest_repair(d("2026-05-10"), Severity::General),
        d("2026-08-10")
    );
    assert_eq!(
        new.earliest_repair(d("2026-05-10"), Severity::Major),
        d("2026-08-10")
    );
    assert_eq!(
        new.earliest_repair(d("2026-05-10"), Severity::Severe),
        d("2027-05-10")
    );
    assert_eq!(
        new.publication_end(d("2026-05-10"), Severity::Severe),
        Some(d("2029-05-09"))
    );
    // Month ends clamp (chrono): 2025-11-30 + 3 months = 2026-02-28.
    assert_eq!(
        old.earliest_repair(d("2025-11-30"), Severity::General),
        d("2026-02-28")
    );
}

#[test]
fn bad_rules_are_refused() {
    assert_eq!(
        RightsRules::parse("version = 1").unwrap_err().code(),
        "rights_rules_invalid"
    );
    let broken = DEFAULT_RULES_TOML.replace(
        "levels.serious = { published = true, min_months = 12, max_months = 36",
        "levels.serious = { published = true, min_months = 48, max_months = 36",
    );
    assert!(RightsRules::parse(&broken).is_err());
}

#[test]
fn repair_refused_before_minimum_and_allowed_after() {
    let f = facts("2025-01-15", Severity::General);
    let c = ctx("2025-04-14", None);
    let e = file(new_app(AppKind::Repair, &f), &c).unwrap_err();
    assert_eq!(
        e,
        RightsError::PeriodNotReached {
            earliest: d("2025-04-15")
        }
    );
    assert!(e.to_string().contains("2025-04-15"));
    let c = ctx("2025-04-15", None);
    let app = file(new_app(AppKind::Repair, &f), &c).unwrap();
    assert_eq!(app.state, AppState::Submitted);
    assert_eq!(app.rule_version, "ndrc-order-58-2023");
    // Filed after 2026-04-01: judged by 令第36号.
    let c = ctx("2026-04-01", None);
    assert_eq!(
        file(new_app(AppKind::Repair, &f), &c).unwrap().rule_version,
        "ndrc-order-36-2025"
    );
    // Severe: one year.
    let f = facts("2025-01-15", Severity::Severe);
    assert_eq!(
        file(new_app(AppKind::Repair, &f), &ctx("2025-12-31", None))
            .unwrap_err()
            .code(),
        "repair_period_not_reached"
    );
    assert!(file(new_app(AppKind::Repair, &f), &ctx("2026-01-15", None)).is_ok());
}

#[test]
fn repair_preconditions() {
    let f = facts("2024-01-15", Severity::General);
    let c = ctx("2025-06-03", None);
    let mut n = new_app(AppKind::Repair, &f);
    n.commitment = false;
    assert_eq!(file(n, &c).unwrap_err().code(), "commitment_missing");
    let mut n = new_app(AppKind::Repair, &f);
    n.barred_until = Some(d("2025-12-31"));
    assert_eq!(file(n, &c).unwrap_err().code(), "repair_barred");
    let mut revoked = facts("2024-01-15", Severity::General);
    revoked.status = Some(RecordStatus::Repaired);
    assert_eq!(
        file(new_app(AppKind::Repair, &revoked), &c)
            .unwrap_err()
            .code(),
        "not_repairable_status"
    );
    let mut positive = facts("2024-01-15", Severity::General);
    positive.severity = None;
    assert_eq!(
        file(new_app(AppKind::Repair, &positive), &c)
            .unwrap_err()
            .code(),
        "not_negative_record"
    );
    let r = rules().repair_on(d("2025-06-03")).unwrap();
    let missing = missing_materials(r, &["application_form".into()]);
    assert!(missing.contains(&"信用修复承诺书".to_string()));
    assert!(!missing.iter().any(|m| m.contains("营业执照")));
    let all: Vec<String> = r.materials.iter().map(|m| m.code.clone()).collect();
    assert!(missing_materials(r, &all).is_empty());
}

#[test]
fn objection_workflow_and_deadlines_across_holidays() {
    let f = facts("2025-01-15", Severity::General);
    // Filed on 2025-09-30 (Tuesday before the National Day holiday, 10-01..10-08;
    // 09-28 and 10-11 are make-up working days): accept within 2 working days → 10-10.
    let c = ctx("2025-09-30", None);
    let mut app = file(new_app(AppKind::Objection, &f), &c).unwrap();
    assert_eq!(app.due, Some(d("2025-10-10")));
    assert!(app.objection_pending());
    assert_eq!(app.next, Some(Party::CreditOffice));
    // Accept on 10-10: check within 5 working days: 10-11 (Sat, make-up), 13, 14, 15, 16.
    let c = ctx("2025-10-10", None);
    assert_eq!(app.apply(&AppAction::Accept, &c).unwrap(), Effect::None);
    assert_eq!(app.state, AppState::Accepted);
    assert_eq!(app.due, Some(d("2025-10-16")));
    assert!(matches!(app.next, Some(Party::Department(_))));
    // Illegal: answer before the check; approve is for repairs.
    assert_eq!(
        app.apply(
            &AppAction::Answer {
                reasons: "答复".into()
            },
            &c
        )
        .unwrap_err()
        .code(),
        "illegal_transition"
    );
    assert!(app
        .apply(
            &AppAction::Approve {
                reasons: "同意".into()
            },
            &c
        )
        .is_err());
    // A correction needs the new fields.
    let check = AppAction::Check {
        finding: Finding::Correct,
        reasons: "罚款金额录入有误".into(),
        fields: None,
    };
    assert_eq!(app.apply(&check, &c).unwrap_err().code(), "fields_required");
    // … at least one field: an empty patch corrects nothing.
    let check = AppAction::Check {
        finding: Finding::Correct,
        reasons: "罚款金额录入有误".into(),
        fields: Some(serde_json::Map::new()),
    };
    assert_eq!(app.apply(&check, &c).unwrap_err().code(), "fields_required");
    let mut fields = serde_json::Map::new();
    fields.insert("amount".into(), serde_json::json!("2000"));
    let check = AppAction::Check {
        finding: Finding::Correct,
        reasons: "罚款金额录入有误".into(),
        fields: Some(fields.clone()),
    };
    assert_eq!(
        app.apply(&check, &c).unwrap(),
        Effect::CorrectRecord(fields)
    );
    assert!(!app.objection_pending());
    let e = app
        .apply(
            &AppAction::Answer {
                reasons: "x".into(),
            },
            &c,
        )
        .unwrap_err();
    assert_eq!(e.code(), "reasons_required");
    app.apply(
        &AppAction::Answer {
            reasons: "已更正".into(),
        },
        &c,
    )
    .unwrap();
    assert_eq!(app.state, AppState::Answered);
    assert_eq!(app.decision.as_ref().unwrap().outcome, "corrected");
    assert!(app.state.is_final());
    assert!(app.apply(&AppAction::Withdraw, &c).is_err());
    // Every step notified the applicant.
    let to_applicant = app
        .notices
        .iter()
        .filter(|n| n.to == Party::Applicant)
        .count();
    assert_eq!(to_applicant, 3);
    assert_eq!(app.steps.len(), 4);
}

#[test]
fn objection_refuse_withdraw_and_list_entries() {
    let f = facts("2025-01-15", Severity::General);
    let c = ctx("2025-06-03", None);
    let mut app = file(new_app(AppKind::Objection, &f), &c).unwrap();
    app.apply(
        &AppAction::Refuse {
            reasons: "非本平台信息".into(),
        },
        &c,
    )
    .unwrap();
    assert_eq!(app.state, AppState::Refused);
    assert!(app.apply(&AppAction::Accept, &c).is_err());

    let mut app = file(new_app(AppKind::Objection, &f), &c).unwrap();
    app.apply(&AppAction::Withdraw, &c).unwrap();
    assert_eq!(app.state, AppState::Withdrawn);

    let mut n = new_app(AppKind::Objection, &f);
    n.target = Target::ListEntry(Uuid::nil());
    let mut app = file(n, &c).unwrap();
    app.apply(&AppAction::Accept, &c).unwrap();
    let correct = AppAction::Check {
        finding: Finding::Correct,
        reasons: "理由充分".into(),
        fields: Some(serde_json::Map::new()),
    };
    assert_eq!(
        app.apply(&correct, &c).unwrap_err().code(),
        "cannot_correct_list_entry"
    );
    let upheld = AppAction::Check {
        finding: Finding::Revoke,
        reasons: "认定依据不足".into(),
        fields: None,
    };
    assert_eq!(app.apply(&upheld, &c).unwrap(), Effect::RemoveEntryUpheld);
}

#[test]
fn repair_workflow_every_transition() {
    let f = facts("2024-01-15", Severity::General);
    let c = ctx("2025-06-03", Some(&f));
    let mut app = file(new_app(AppKind::Repair, &f), &c).unwrap();
    assert_eq!(app.due, Some(d("2025-06-05")));
    app.apply(&AppAction::Accept, &c).unwrap();
    // Review: 10 working days from 2025-06-03 → 2025-06-17.
    assert_eq!(app.due, Some(d("2025-06-17")));
    let reject = AppAction::Reject {
        grounds: vec![],
        reasons: "未缴清罚款".into(),
    };
    assert_eq!(
        app.apply(&reject, &c).unwrap_err().code(),
        "grounds_required"
    );
    let mut other = app.clone();
    other
        .apply(
            &AppAction::Reject {
                grounds: vec![RejectGround::ObligationsUnmet],
                reasons: "未缴清罚款".into(),
            },
            &c,
        )
        .unwrap();
    assert_eq!(other.state, AppState::Rejected);
    assert!(other.notices.last().unwrap().text.contains("法定责任义务"));

    assert_eq!(
        app.apply(
            &AppAction::Approve {
                reasons: "材料齐全".into()
            },
            &c
        )
        .unwrap(),
        Effect::RepairRecord
    );
    assert_eq!(app.state, AppState::Approved);
    assert_eq!(app.due, Some(d("2025-06-06")));
    app.apply(
        &AppAction::Share {
            recipients: vec!["dept-a".into(), "dept-b".into()],
        },
        &c,
    )
    .unwrap();
    assert_eq!(app.state, AppState::Completed);
    assert_eq!(
        app.notices
            .iter()
            .filter(|n| matches!(&n.to, Party::Department(d) if d.starts_with("dept-")))
            .count(),
        2
    );
    assert_eq!(
        app.apply(
            &AppAction::RevokeRepair {
                reasons: "缴款凭证系伪造".into()
            },
            &c
        )
        .unwrap(),
        Effect::UnrepairRecord
    );
    assert_eq!(app.state, AppState::Revoked);
    assert_eq!(app.bars_until, Some(d("2026-06-03")));
    assert!(app.apply(&AppAction::Accept, &c).is_err());
}

#[test]
fn approval_rechecks_eligibility() {
    let f = facts("2025-03-01", Severity::General);
    let c = ctx("2025-06-03", None);
    let mut app = file(new_app(AppKind::Repair, &f), &c).unwrap();
    app.apply(&AppAction::Accept, &c).unwrap();
    // The record was repaired/revoked meanwhile.
    let mut now = f.clone();
    now.status = Some(RecordStatus::Revoked);
    let c2 = ctx("2025-06-04", Some(&now));
    assert_eq!(
        app.apply(
            &AppAction::Approve {
                reasons: "同意修复".into()
            },
            &c2
        )
        .unwrap_err()
        .code(),
        "not_repairable_status"
    );
    assert_eq!(app.state, AppState::Accepted);
}

#[test]
fn decisions_need_basis_and_approver() {
    let c = ctx("2025-06-03", None);
    let base = || NewDecision {
        kind: AppKind::Tolerance,
        target: Target::Record(Uuid::nil()),
        subject_id: None,
        subject_name: "某局".into(),
        department: "x".into(),
        basis: "江苏省容错纠错办法第五条".into(),
        approver: "李四".into(),
        reasons: "先行先试中的失误".into(),
        tracking_no: tracking_no(AppKind::Tolerance, d("2025-06-03"), [1; 8]),
        mitigation: None,
        grounds: vec![],
    };
    let a = decide(base(), &c).unwrap();
    assert_eq!(a.state, AppState::Decided);
    assert_eq!(
        a.decision.as_ref().unwrap().approver.as_deref(),
        Some("李四")
    );
    let mut n = base();
    n.approver = " ".into();
    assert_eq!(decide(n, &c).unwrap_err().code(), "basis_required");
    let mut n = base();
    n.kind = AppKind::Mitigation;
    n.mitigation = Some(MitigationKind::Waive);
    assert_eq!(decide(n, &c).unwrap_err().code(), "grounds_required");
    let mut n = base();
    n.kind = AppKind::Mitigation;
    n.mitigation = Some(MitigationKind::Waive);
    n.grounds = vec![MitigationGround::RecoveredLosses];
    assert_eq!(decide(n, &c).unwrap().decision.unwrap().outcome, "waived");
}

#[test]
fn evidence_checks() {
    let r = &rules().evidence;
    assert_eq!(
        check_evidence(r, "a.pdf", b"%PDF-1.7 x", 0),
        Ok(FileKind::Pdf)
    );
    assert_eq!(
        check_evidence(r, "a.JPG", &[0xFF, 0xD8, 0xFF, 0xE0], 0),
        Ok(FileKind::Jpeg)
    );
    assert_eq!(
        check_evidence(r, "a.exe", b"MZ\x90\x00", 0)
            .unwrap_err()
            .code(),
        "file_type_not_accepted"
    );
    // A script renamed to .pdf is refused by its content.
    assert_eq!(
        check_evidence(r, "a.pdf", b"<script>", 0)
            .unwrap_err()
            .code(),
        "file_type_not_accepted"
    );
    // A real PDF named .png is refused too.
    assert!(check_evidence(r, "a.png", b"%PDF-1.4", 0).is_err());
    assert_eq!(
        check_evidence(r, "a.pdf", b"", 0).unwrap_err().code(),
        "empty_file"
    );
    let big = vec![b'%'; r.max_file_bytes as usize + 1];
    assert_eq!(
        check_evidence(r, "a.pdf", &big, 0).unwrap_err().code(),
        "file_too_large"
    );
    assert_eq!(
        check_evidence(r, "a.pdf", b"%PDF-1.7", r.max_files)
            .unwrap_err()
            .code(),
        "too_many_files"
    );
    // The application's quota counts every file it holds.
    assert_eq!(r.max_total_bytes, 30 * 1024 * 1024);
    assert_eq!(
        check_evidence_total(r, 20 * 1024 * 1024, 10 * 1024 * 1024),
        Ok(())
    );
    assert_eq!(
        check_evidence_total(r, 30 * 1024 * 1024, 1)
            .unwrap_err()
            .code(),
        "evidence_quota_exceeded"
    );
    for bad in ["", "../x.pdf", "a\\b.pdf", "a\nb.pdf"] {
        assert_eq!(
            check_evidence(r, bad, b"%PDF-1.7", 0).unwrap_err().code(),
            "invalid_file_name"
        );
    }
}

#[test]
fn complaint_workflow() {
    let f = facts("2024-01-15", Severity::General);
    let c = ctx("2025-06-03", None);
    let mut n = new_app(AppKind::Complaint, &f);
    n.target = Target::General;
    let mut app = file(n, &c).unwrap();
    assert!(app.tracking_no.starts_with("TS"));
    assert_eq!(app.due, Some(d("2025-06-05")));
    assert!(app
        .apply(
            &AppAction::Answer {
                reasons: "已办结".into()
            },
            &c
        )
        .is_err());
    app.apply(&AppAction::Accept, &c).unwrap();
    assert_eq!(app.next, Some(Party::CreditOffice));
    assert_eq!(app.tracking().next_step.as_deref(), Some("信用办核实办理"));
    // Not a department's check, not an approval.
    let check = AppAction::Check {
        finding: Finding::Keep,
        reasons: "核实".into(),
        fields: None,
    };
    assert_eq!(
        app.apply(&check, &c).unwrap_err().code(),
        "illegal_transition"
    );
    assert_eq!(
        app.apply(
            &AppAction::Answer {
                reasons: "经核实，已督促整改".into()
            },
            &c
        )
        .unwrap(),
        Effect::None
    );
    assert_eq!(app.state, AppState::Answered);
    assert!(app.notices.last().unwrap().text.contains("已督促整改"));
}

#[test]
fn tracking_numbers() {
    let n = tracking_no(
        AppKind::Objection,
        d("2025-06-02"),
        [0, 1, 2, 3, 31, 32, 200, 255],
    );
    assert!(is_tracking_no(&n), "{n}");
    assert!(n.starts_with("YY20250602"));
    assert!(!is_tracking_no("YY2025060"));
    assert!(!is_tracking_no("ZZ20250602ABCDEFGH"));
    assert!(!is_tracking_no("YY20250602abcdefgh"));
    assert!(!is_tracking_no("YY２０250602ABCDEF"));
}

#[test]
fn tracking_reveals_only_progress() {
    let f = facts("2024-01-15", Severity::General);
    let c = ctx("2025-06-03", None);
    let app = file(new_app(AppKind::Repair, &f), &c).unwrap();
    let t = serde_json::to_string(&app.tracking()).unwrap();
    assert!(!t.contains("张三"));
    assert!(!t.contains("某某公司"));
    assert!(!t.contains("已整改"));
    assert!(t.contains("信用办受理审查"));
}
