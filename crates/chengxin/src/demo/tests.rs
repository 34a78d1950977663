//! Tests of the demo data set: determinism, sizes, valid codes and fields, loading once.

use super::gen::{date, normalized, plus_days};
use super::*;
use chengxin_domain::catalog::Catalog;
use chengxin_domain::codes::id_number;
use chengxin_domain::codes::{classify, CodeKind};
use chengxin_domain::regions::RegionTable;
use chrono::Datelike;
use std::collections::BTreeMap;
use std::collections::BTreeSet;

fn today() -> NaiveDate {
    date(2026, 3, 16)
}

fn data() -> DemoData {
    build(today()).unwrap()
}

#[test]
fn deterministic() {
    let a = data();
    let b = data();
    assert!(a == b, "two builds differ");
    // A different day keeps the subjects (only dates near the end and statuses may move).
    // Another day gives the same subjects (only employment-derived regions may move).
    let c = build(date(2027, 5, 1)).unwrap();
    assert_eq!(a.subjects.len(), c.subjects.len());
    for (x, y) in a.subjects.iter().zip(&c.subjects) {
        assert_eq!(
            (&x.name, &x.uscc, &x.id_masked),
            (&y.name, &y.uscc, &y.id_masked)
        );
        assert_eq!(x.id_number, y.id_number);
    }
}

#[test]
fn sizes() {
    let d = data();
    let count = |k: SubjectKind| d.subjects.iter().filter(|s| s.kind == k).count();
    assert_eq!(count(SubjectKind::CivilServant), 60);
    assert_eq!(count(SubjectKind::Enterprise), 80);
    assert_eq!(count(SubjectKind::SocialOrg), 10);
    assert!(count(SubjectKind::GovBody) >= 60);
    assert!(count(SubjectKind::Institution) >= 5);
    assert!(
        (300..=400).contains(&d.records.len()),
        "{}",
        d.records.len()
    );
    println!(
        "subjects {} employments {} records {}",
        d.subjects.len(),
        d.employments.len(),
        d.records.len()
    );
}

#[test]
fn regions_exist() {
    let t = RegionTable::national();
    for code in ["320400", "320481", "320412"] {
        assert!(t.get(code).is_some_and(|r| r.current), "{code}");
    }
    assert_eq!(t.full_name("320481").as_deref(), Some("江苏省常州市溧阳市"));
}

#[test]
fn codes_are_valid() {
    let d = data();
    let regions = RegionTable::national();
    let mut seen = BTreeSet::new();
    for s in &d.subjects {
        if let Some(code) = &s.uscc {
            let r = classify(code, regions, today());
            assert!(r.valid, "{} {code}: {:?}", s.name, r.reason);
            assert_eq!(r.kind, CodeKind::Uscc, "{code}");
            assert!(r.warnings.is_empty(), "{code}: {:?}", r.warnings);
            assert!(code.starts_with(match s.kind {
                SubjectKind::GovBody => "11",
                SubjectKind::Institution => "12",
                SubjectKind::Enterprise => "9",
                SubjectKind::SocialOrg => "5",
                _ => "?",
            }));
            assert_eq!(&code[2..8], s.region, "{}", s.name);
            assert!(seen.insert(code.clone()));
        }
        if let Some(id) = &s.id_number {
            let r = classify(id, regions, today());
            assert!(r.valid, "{}: {:?}", s.name, r.reason);
            assert_eq!(r.kind, CodeKind::IdNumber);
            let year: i32 = id[6..10].parse().unwrap();
            assert!((1965..=1998).contains(&year));
            assert_eq!(s.id_masked.as_deref(), Some(id_number::mask(id).as_str()));
            assert!(seen.insert(id.clone()));
        }
        assert!(s.uscc.is_some() != s.id_number.is_some(), "{}", s.name);
    }
    let names: BTreeSet<&str> = d.subjects.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names.len(), d.subjects.len(), "subject names are unique");
}

#[test]
fn fields_pass_the_catalog() {
    let d = data();
    let catalog = Catalog::default_checked().unwrap();
    for r in &d.records {
        let rt = catalog.get(&r.type_code).unwrap();
        for (k, v) in &r.fields {
            let def = rt
                .field(k)
                .unwrap_or_else(|| panic!("{} has no {k}", r.type_code));
            let s = v.as_str().unwrap();
            let parsed = def.parse_value(s);
            assert!(
                parsed.is_ok(),
                "{} {} {k}={s}: {parsed:?}",
                r.type_code,
                r.doc_no
            );
            assert_eq!(normalized(&parsed.unwrap()), s, "stored normalised");
        }
        for f in &rt.fields {
            if f.required {
                assert!(r.fields.contains_key(&f.name), "{} {}", r.type_code, f.name);
            }
        }
        assert_eq!(r.fields[&rt.key_field].as_str(), Some(r.doc_no.as_str()));
        assert_eq!(
            r.fields[&rt.decision_date_field].as_str(),
            Some(r.decision_date.to_string().as_str())
        );
        assert_eq!(
            r.fields[&rt.subject.name_field].as_str(),
            Some(r.subject_name.as_str())
        );
        let s = &d.subjects[r.subject];
        assert_eq!(s.name, r.subject_name);
        assert!(
            rt.subject_kinds.contains(&s.kind),
            "{} {}",
            r.type_code,
            s.name
        );
        if let (Some(f), Some(code)) = (&rt.subject.uscc_field, &s.uscc) {
            assert_eq!(r.fields[f].as_str(), Some(code.as_str()));
        }
        assert_eq!(
            r.severity.is_some(),
            rt.severity.is_some(),
            "{}",
            r.type_code
        );
        assert!(d
            .subjects
            .iter()
            .any(|b| b.uscc.as_deref() == Some(r.source_dept.as_str())));
        assert!(r.decision_date < today());
        assert!(r.decision_date >= date(2023, 1, 1));
    }
}

/// A demo record can be corrected: its content passes the checks a correction applies (the
/// import's, ID numbers taken as their stored masks), so a one-field correction in the demo
/// city fails only for what it changes.
#[test]
fn records_pass_the_correction_checks() {
    use chengxin_domain::records::correction::cell_text;
    let d = data();
    let catalog = Catalog::default_checked().unwrap();
    let regions = RegionTable::national();
    for r in &d.records {
        let rt = catalog.get(&r.type_code).unwrap();
        let cells: BTreeMap<String, String> = r
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), cell_text(Some(v))))
            .collect();
        let masked: Vec<&str> = rt
            .fields
            .iter()
            .filter(|f| cells.get(&f.name).is_some_and(|v| v.contains('*')))
            .map(|f| f.name.as_str())
            .collect();
        let checked =
            chengxin_domain::intake::validate_stored(rt, &cells, &masked, regions, today());
        assert!(checked.is_ok(), "{} {}: {checked:?}", r.type_code, r.doc_no);
    }
}

#[test]
fn every_type_has_records() {
    let d = data();
    let catalog = Catalog::default_checked().unwrap();
    let mut per: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &d.records {
        *per.entry(r.type_code.as_str()).or_default() += 1;
    }
    for t in catalog.types() {
        let n = per.get(t.code.as_str()).copied().unwrap_or(0);
        assert!(n >= 5, "{}: {n}", t.code);
    }
    let statuses: BTreeSet<&str> = d.records.iter().map(|r| r.status.as_str()).collect();
    for s in ["published", "expired", "submitted"] {
        assert!(statuses.contains(s), "{s}");
    }
    let published = d
        .records
        .iter()
        .filter(|r| r.status == RecordStatus::Published)
        .count();
    assert!(published * 2 > d.records.len());
    // Records about government bodies and civil servants.
    let about = |code: &str, kind: SubjectKind| {
        d.records
            .iter()
            .filter(|r| r.type_code == code && d.subjects[r.subject].kind == kind)
            .count()
    };
    assert!(about("procurement_arrears", SubjectKind::GovBody) > 0);
    assert!(about("investment_promise_breach", SubjectKind::GovBody) > 0);
    assert!(about("court_judgment", SubjectKind::GovBody) > 0);
    assert!(about("refusal_to_execute", SubjectKind::GovBody) > 0);
    assert!(about("disciplinary_sanction", SubjectKind::CivilServant) > 0);
    assert!(about("civil_servant_appraisal", SubjectKind::CivilServant) > 0);
    // Spring Festival dates are present.
    assert!(d.records.iter().any(|r| r.decision_date.year() == 2025
        && r.decision_date.month() <= 2
        && matches!(r.type_code.as_str(), "admin_license" | "admin_penalty")));
}

#[test]
fn source_keys_are_unique() {
    let d = data();
    let mut keys = BTreeSet::new();
    for r in &d.records {
        assert!(
            keys.insert((r.source_dept.clone(), r.type_code.clone(), r.doc_no.clone())),
            "duplicate {} {}",
            r.type_code,
            r.doc_no
        );
    }
}

#[test]
fn no_clear_id_number_anywhere() {
    let d = data();
    let ids: Vec<&str> = d
        .subjects
        .iter()
        .filter_map(|s| s.id_number.as_deref())
        .collect();
    assert_eq!(ids.len(), 60);
    let mut text = String::new();
    for r in &d.records {
        text.push_str(&serde_json::to_string(&r.fields).unwrap());
        text.push_str(&r.subject_name);
        text.push_str(&r.doc_no);
    }
    for s in &d.subjects {
        text.push_str(&format!("{s:?}"));
    }
    text.push_str(&format!("{:?}", d.employments));
    for id in ids {
        assert!(!text.contains(id));
        // Not even the birth-date middle part next to the region.
        assert!(!text.contains(&id[..14]));
    }
    assert!(text.contains("**********"));
}

#[test]
fn employments_are_consistent() {
    let d = data();
    let mut by_person: BTreeMap<usize, Vec<&DemoEmployment>> = BTreeMap::new();
    for e in &d.employments {
        assert!(d.subjects[e.person].kind == SubjectKind::CivilServant);
        assert!(matches!(
            d.subjects[e.body].kind,
            SubjectKind::GovBody | SubjectKind::Institution
        ));
        assert!(e.start < today());
        by_person.entry(e.person).or_default().push(e);
    }
    assert_eq!(by_person.len(), 60);
    let mut movers = 0;
    for jobs in by_person.values() {
        assert!((1..=3).contains(&jobs.len()));
        for w in jobs.windows(2) {
            assert_eq!(w[0].end, Some(w[1].start.pred_opt().unwrap()));
            assert_ne!(w[0].body, w[1].body);
        }
        assert!(jobs.last().unwrap().end.is_none());
        if jobs.len() > 1 {
            movers += 1;
        }
    }
    assert!(movers >= 15, "{movers}");
    for (i, s) in d.subjects.iter().enumerate() {
        if let Some(p) = s.parent {
            assert!(p < i);
        }
    }
    assert!(d.subjects.iter().any(|s| s.name == "常州市市场监督管理局"
        && s.former_names == vec!["常州市工商行政管理局".to_string()]));
}

#[test]
fn builds_for_any_day() {
    let catalog = Catalog::default_checked().unwrap();
    let mut day = date(2024, 1, 1);
    while day < date(2031, 1, 1) {
        let d = build(day).unwrap();
        for t in catalog.types() {
            let n = d.records.iter().filter(|r| r.type_code == t.code).count();
            assert!(n >= 5, "{day} {}: {n}", t.code);
        }
        assert!(d.records.iter().all(|r| r.decision_date < day));
        assert!(d.employments.iter().all(|e| e.start < day));
        day = plus_days(day, 97);
    }
}

#[test]
fn rejects_a_date_before_the_data() {
    assert!(build(date(2023, 6, 1)).is_err());
}

#[tokio::test]
async fn loads_into_sqlite_once() {
    use chengxin_store::LogSigner;
    let dir = std::env::temp_dir().join(format!("chengxin-demo-{}", Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("demo.db").display());
    let store = chengxin_store::open(&url).await.unwrap();
    let catalog = Catalog::default_checked().unwrap();
    store
        .migrate(catalog, &LogSigner::generate(), "test")
        .await
        .unwrap();
    let hasher = IdHasher::new([9; 32]);

    // Simulate an interrupted load: part of the data is already there.
    let d = build(today()).unwrap();
    let first = &d.subjects[0];
    store
        .create_subject(
            "test",
            NewSubject {
                kind: Some(first.kind),
                name: first.name.clone(),
                uscc: first.uscc.clone(),
                region: Some(first.region.clone()),
                ..NewSubject::default()
            },
        )
        .await
        .unwrap();

    let report = load(store.as_ref(), &hasher, today()).await.unwrap();
    assert!(!report.already_loaded);
    assert_entries_carry_the_recognising_body(store.as_ref(), &d).await;
    assert_eq!(report.subjects, d.subjects.len());
    assert_eq!(
        store.count_subjects().await.unwrap() as usize,
        report.subjects
    );
    assert_eq!(
        store.count_records().await.unwrap() as usize,
        report.records
    );
    assert_eq!(
        store.meta(META_KEY).await.unwrap().as_deref(),
        Some(DEMO_VERSION)
    );

    // The closed loop is worked up to today, as a credit office and its departments would
    // have: cases reported on time and late, running within their deadlines, and one or two
    // still waiting for 分发 — nothing dated after today, not every case overdue.
    let cases = closed_loop_cases(store.as_ref()).await;
    assert!(cases.len() >= 8, "{}", cases.len());
    {
        use chengxin_domain::lists::{CaseStep, StepParty};
        let t = today();
        assert!(cases.iter().all(|c| c.events.iter().all(|e| e.on <= t)));
        let on_time = |c: &chengxin_domain::lists::Case| {
            c.late_steps(StepParty::Department, t).is_empty()
                && c.late_steps(StepParty::CreditOffice, t).is_empty()
        };
        let reported_on_time = cases
            .iter()
            .filter(|c| c.report().is_some() && on_time(c))
            .count();
        let reported_late = cases
            .iter()
            .filter(|c| c.report().is_some() && !on_time(c))
            .count();
        let running = cases
            .iter()
            .filter(|c| c.report().is_none() && c.is_distributed() && !c.is_overdue(t))
            .count();
        let waiting = cases
            .iter()
            .filter(|c| c.step == CaseStep::Initiated)
            .count();
        assert!(
            reported_on_time > 0 && reported_late > 0 && running > 0 && waiting > 0,
            "on time {reported_on_time}, late {reported_late}, running {running}, waiting {waiting}"
        );
        assert!(cases.iter().filter(|c| c.is_overdue(t)).count() < cases.len() / 2);
        // Sent to the department registered for its role (bodies.toml), where there is one.
        let bodies = chengxin_domain::lists::bodies::DepartmentBodies::default_checked().unwrap();
        let mut sent = 0;
        for row in store.cases(&Default::default()).await.unwrap() {
            let c: chengxin_domain::lists::Case = serde_json::from_value(row.state).unwrap();
            if !c.is_distributed() {
                continue;
            }
            let registered = bodies
                .implementing_body(&c.department, row.region.as_deref())
                .map(|b| b.uscc.as_str());
            assert_eq!(
                c.body.as_ref().map(|b| b.uscc.as_str()),
                registered,
                "{c:?}"
            );
            sent += usize::from(c.body.is_some());
        }
        assert!(sent > 0);
        let rates = chengxin_domain::lists::feedback_rate(&cases, t);
        assert!(rates.iter().any(|r| r.stats.on_time > 0), "{rates:?}");
        assert!(
            rates.iter().any(|r| r.stats.on_time < r.stats.due),
            "{rates:?}"
        );
    }

    // Resume after a "crash" (meta key missing): nothing is duplicated.
    let again = load_without_flag_for_test(store.as_ref(), &hasher).await;
    assert!(again.is_ok());
    assert_eq!(
        store.count_subjects().await.unwrap() as usize,
        report.subjects
    );
    assert_eq!(
        store.count_records().await.unwrap() as usize,
        report.records
    );

    assert_eq!(
        closed_loop_cases(store.as_ref()).await,
        cases,
        "a resumed load leaves the worked cases as they were"
    );

    let second = load(store.as_ref(), &hasher, today()).await.unwrap();
    assert!(second.already_loaded);
    assert_eq!(
        store.count_subjects().await.unwrap() as usize,
        report.subjects
    );
    assert_eq!(
        store.count_records().await.unwrap() as usize,
        report.records
    );

    // Employments are not duplicated either.
    let person = d
        .subjects
        .iter()
        .find(|s| s.kind == SubjectKind::CivilServant)
        .unwrap();
    let stored = store
        .subject_by_id_hash(&hasher.hash(person.id_number.as_deref().unwrap()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.id_masked, person.id_masked);
    let jobs = store.employments_of(stored.id).await.unwrap();
    let idx = d.subjects.iter().position(|s| s == person).unwrap();
    assert_eq!(
        jobs.len(),
        d.employments.iter().filter(|e| e.person == idx).count()
    );
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

async fn closed_loop_cases(store: &dyn Store) -> Vec<chengxin_domain::lists::Case> {
    store
        .cases(&Default::default())
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_value(r.state.clone()).unwrap())
        .collect()
}

/// Test helper: runs the writing part again as if the meta flag had never been set.
async fn load_without_flag_for_test(store: &dyn Store, hasher: &IdHasher) -> Result<DemoReport> {
    store.set_meta("test", META_KEY, "interrupted").await?;
    load(store, hasher, date(2026, 3, 16)).await
}

/// The shipped implementing-department configuration (`data/measures/bodies.toml`) and the demo
/// agree: every department it names is a demo body with that code and name, the credit office
/// included — so an account made for a real demo department sees its cases.
#[test]
fn shipped_department_bodies_are_demo_bodies() {
    let d = data();
    let shipped = chengxin_domain::lists::bodies::DepartmentBodies::default_checked().unwrap();
    assert!(!shipped.bodies().is_empty());
    for b in shipped.bodies() {
        let s = d
            .subjects
            .iter()
            .find(|s| s.uscc.as_deref() == Some(b.uscc.as_str()))
            .unwrap_or_else(|| panic!("{} {} is not a demo subject", b.name, b.uscc));
        assert_eq!(s.name, super::gen::shipped_name(&b.name), "{}", b.uscc);
    }
    assert!(
        shipped
            .bodies()
            .iter()
            .any(|b| b.roles.iter().any(|r| r == "credit_office")),
        "the credit office is among the shipped bodies"
    );
}

/// The shipped delegations (`data/authority/delegations.toml`) name demo bodies: every
/// submitter and every body submitted for is a demo subject with that code and name.
#[test]
fn shipped_delegations_are_demo_bodies() {
    let d = data();
    let shipped = chengxin_domain::authority::Delegations::default_checked().unwrap();
    assert!(!shipped.all().is_empty());
    for del in shipped.all() {
        let named = std::iter::once((&del.name, &del.submitter))
            .chain(del.bodies.iter().map(|b| (&b.name, &b.uscc)));
        for (name, code) in named {
            let s = d
                .subjects
                .iter()
                .find(|s| s.uscc.as_deref() == Some(code.as_str()))
                .unwrap_or_else(|| panic!("{name} {code} is not a demo subject"));
            assert_eq!(s.name, super::gen::shipped_name(name), "{code}");
        }
    }
}

/// Every demo record passes the rule that imports apply: its deciding authority is its
/// submitting department or a body the department is authorised for by the shipped
/// delegations — and some do so through a delegation, so the configuration is exercised.
#[test]
fn demo_records_pass_the_authority_rule() {
    use chengxin_domain::authority::{standing, Decision, Standing};
    let d = data();
    let catalog = Catalog::default_checked().unwrap();
    let shipped = chengxin_domain::authority::Delegations::default_checked().unwrap();
    let (mut own, mut delegated) = (0, 0);
    for r in &d.records {
        let rt = catalog.get(&r.type_code).unwrap();
        let Some((authority, name)) = rt.deciding_authority(&r.fields) else {
            continue;
        };
        let decision = Decision::Record {
            type_code: &r.type_code,
            decided: r.decision_date,
        };
        match standing(shipped, &r.source_dept, &authority, decision) {
            Some(Standing::Itself) => own += 1,
            Some(Standing::Delegated(_)) => delegated += 1,
            None => panic!(
                "{} {}: {:?} ({authority}) submitted by {}",
                r.type_code, r.doc_no, name, r.source_dept
            ),
        }
    }
    assert!(own > 100, "{own}");
    assert!(delegated > 0, "no demo record uses a delegation");
}

/// The demo's list entries carry their recognising body's code, a demo body's (checked after
/// the load of [`loads_into_sqlite_once`]).
async fn assert_entries_carry_the_recognising_body(store: &dyn Store, d: &DemoData) {
    let entries = store
        .list_entries(&chengxin_store::ListEntryFilter::default())
        .await
        .unwrap();
    assert!(!entries.is_empty());
    for e in &entries {
        let code = e
            .recognised_by_uscc
            .as_deref()
            .expect("recognising body's code");
        assert!(d.subjects.iter().any(|s| s.uscc.as_deref() == Some(code)));
        assert_eq!(e.region.as_deref(), code.get(2..8));
    }
}
