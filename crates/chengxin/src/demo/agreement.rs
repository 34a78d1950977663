//! The demo city agrees with itself (issue 15, "done when"): for every enterprise, the public
//! archive, the credit report and a public check name the same adverse records and list
//! entries; the 双公示 timeliness report counts every record the departments submitted. On
//! both backends, over the real router.

use std::collections::BTreeSet;

use chengxin_domain::subjects::IdHasher;
use chengxin_store::SubjectFilter;
use chengxin_testkit::{both_backends, Cred, TestApp};

use super::gen::date;

fn doc_nos(v: &serde_json::Value, path: &[&str]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Some(items) = v.as_array() {
        for it in items {
            let mut x = it;
            for p in path {
                x = &x[*p];
            }
            if let Some(s) = x.as_str() {
                out.insert(s.to_string());
            }
        }
    }
    out
}

async fn story(t: TestApp) {
    let today = date(2026, 3, 16);
    let d = t.on_day(today);
    super::load(d.store.as_ref(), &IdHasher::new([9; 32]), today)
        .await
        .unwrap();
    d.state.checks.build(d.store.as_ref()).await.unwrap();
    let public = d.token(&["checks_run"], "320400", None).await;
    let catalog = chengxin_domain::catalog::Catalog::default_checked().unwrap();
    let subjects = d
        .store
        .list_subjects(&SubjectFilter {
            kind: Some(chengxin_domain::subjects::SubjectKind::Enterprise),
            region_prefix: None,
            name_contains: None,
            name_exact: None,
            limit: 10_000,
            offset: 0,
        })
        .await
        .unwrap();
    assert!(subjects.len() >= 50, "{}", subjects.len());
    let (mut compared, mut with_adverse, mut with_entries) = (0, 0, 0);
    let mut disagreements = Vec::new();
    for s in &subjects {
        let Some(uscc) = &s.uscc else { continue };
        // The public archive: adverse records (negative classes) and list entries.
        let (archive_status, archive) = d
            .call(
                "GET",
                &format!("/api/v1/portal/subjects/{}", s.id),
                &Cred::None,
                None,
            )
            .await;
        let archived: BTreeSet<String> = if archive_status.as_u16() == 200 {
            archive["records"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| {
                    let code = r["record"]["type_code"].as_str().unwrap_or("");
                    catalog
                        .get(code)
                        .is_some_and(|t| t.class == chengxin_domain::catalog::RecordClass::Negative)
                        && !r["record"]["tolerated"].as_bool().unwrap_or(false)
                })
                .filter_map(|r| r["record"]["doc_no"].as_str().map(String::from))
                .collect()
        } else {
            BTreeSet::new()
        };
        // The credit report's penalty and other-negative sections.
        let sections = chengxin_app::credit_reports::content::sections(d.store.as_ref(), s, today)
            .await
            .unwrap();
        let mut reported = BTreeSet::new();
        let mut reported_lists = 0;
        for sec in &sections {
            if sec.title == chengxin_app::credit_reports::content::SECTION_LISTS {
                reported_lists = sec.table.rows.len();
            }
            let col = match sec.title.as_str() {
                chengxin_app::credit_reports::content::SECTION_PENALTIES => 0,
                chengxin_app::credit_reports::content::SECTION_OTHER_NEGATIVE => 1,
                _ => continue,
            };
            for row in &sec.table.rows {
                reported.insert(row[col].clone());
            }
        }
        // A public check (an external platform's token).
        let (st, v) = d
            .call(
                "POST",
                "/api/v1/checks",
                &public,
                Some(serde_json::json!({"scenario": "bidding", "parties": [{"uscc": uscc}]})),
            )
            .await;
        assert_eq!(st.as_u16(), 200, "{v}");
        let mut checked = BTreeSet::new();
        let mut checked_entries = BTreeSet::new();
        for m in v["results"][0]["matches"].as_array().unwrap() {
            checked.extend(doc_nos(&m["records"], &["doc_no"]));
            checked_entries.extend(doc_nos(&m["entries"], &["id"]));
        }
        let archived_entries = if archive_status.as_u16() == 200 {
            doc_nos(&archive["list_entries"], &["id"])
        } else {
            BTreeSet::new()
        };
        compared += 1;
        with_adverse += usize::from(!archived.is_empty());
        with_entries += usize::from(!archived_entries.is_empty());
        if archived != reported || archived != checked {
            disagreements.push(format!(
                "{} {}: records: archive {archived:?} report {reported:?} check {checked:?}",
                s.name, uscc
            ));
        }
        if archived_entries != checked_entries || archived_entries.len() != reported_lists {
            disagreements.push(format!(
                "{} {}: list entries: archive {archived_entries:?} report {reported_lists} check {checked_entries:?}",
                s.name, uscc
            ));
        }
    }
    assert!(compared >= 50);
    // Not vacuous: the demo city has enterprises with adverse records and list entries.
    assert!(
        with_adverse >= 5,
        "{with_adverse} enterprises with adverse records"
    );
    assert!(
        with_entries >= 3,
        "{with_entries} enterprises on public lists"
    );
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));

    // The 双公示 timeliness report counts every license and penalty the departments
    // submitted in the period — each once, as on time, late or not yet published.
    let data = super::build(today).unwrap();
    let (from, to) = (date(2024, 1, 1), today);
    let report = chengxin_app::reports::timeliness(d.store.as_ref(), from, to, None, today)
        .await
        .unwrap();
    let submitted = data
        .records
        .iter()
        .filter(|r| {
            chengxin_app::reports::SHUANG_GONGSHI_TYPES.contains(&r.type_code.as_str())
                && (from..=to).contains(&r.decision_date)
        })
        .count() as u64;
    assert!(submitted > 20, "{submitted}");
    assert_eq!(report.total.total, submitted, "{:?}", report.total);
    assert_eq!(
        report.total.on_time + report.total.late + report.total.pending,
        report.total.total
    );
    let by_dept: u64 = report.departments.iter().map(|x| x.total).sum();
    assert_eq!(by_dept, report.total.total);
    t.cleanup().await;
}

both_backends!(demo_city_agrees, story);
