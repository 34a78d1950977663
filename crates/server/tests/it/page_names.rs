//! Names, not codes (issue 17), on both backends: every console and portal page of the route
//! table that each role can open, on data like the demo city's (records of an enterprise and a
//! civil servant, a commendation, a blacklist entry, the court's list with its closed-loop
//! cases — one sent to the finance bureau —, an objection, an issued report), shows no catalog
//! type code, list or department code, role code, status code or UUID in its visible text.
//! A code may stand beside its name only inside an element marked as a code: `<code>` or an
//! element of class `code`. And every `<td>` of a staff table carries a `data-label` (the
//! tables turn into cards on phones).

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chengxin_access::Role;
use chengxin_app::lists::{refresh_imported, SourceRow, COURT_LIST};
use chengxin_domain::records::RecordStatus;
use chengxin_store::{NewRecord, RowOutcome};
use chengxin_testkit::*;
use chrono::NaiveDate;
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

const COMPANY: &str = "91320412MA1MXK2L83";
const SAMR: &str = "11320400MB00000002";
/// 常州市财政局 (`data/measures/bodies.toml`).
const FINANCE: &str = "11320400MB0000019Y";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn get(t: &TestApp, uri: &str, cred: &Cred) -> (StatusCode, String) {
    let mut req = Request::builder().uri(uri).header("accept", "text/html");
    if let Cred::Session { cookie, .. } = cred {
        req = req.header("cookie", format!("cx_session={cookie}"));
    }
    let resp = t
        .app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let html = resp.headers().get("content-type").is_some_and(|c| {
        c.to_str()
            .map(|c| c.starts_with("text/html"))
            .unwrap_or(false)
    });
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    if !html {
        return (status, String::new());
    }
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Elements with no end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('<')
        .trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Whether an element is marked as a code shown beside its name.
fn is_code(tag: &str, name: &str) -> bool {
    if name == "code" {
        return true;
    }
    let Some(i) = tag.find("class=\"") else {
        return false;
    };
    tag[i + 7..]
        .split('"')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .any(|c| c == "code")
}

/// The text a person reads on the page, outside code elements, scripts and styles: one
/// string per text node.
fn visible_text(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    // Open elements: (name, marked as a code).
    let mut stack: Vec<(String, bool)> = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        if !stack.iter().any(|(_, c)| *c) && !text.trim().is_empty() {
            out.push(text.replace("&amp;", "&"));
        }
        let from = &rest[lt..];
        if from.starts_with("<!--") {
            rest = from.find("-->").map(|e| &from[e + 3..]).unwrap_or("");
            continue;
        }
        let Some(gt) = from.find('>') else { break };
        let tag = &from[..=gt];
        rest = &from[gt + 1..];
        let name = tag_name(tag);
        if name.is_empty() {
            continue;
        }
        if tag.starts_with("</") {
            if let Some(pos) = stack.iter().rposition(|(n, _)| *n == name) {
                stack.truncate(pos);
            }
            continue;
        }
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            rest = rest.find(&close).map(|e| &rest[e..]).unwrap_or("");
            continue;
        }
        if VOID.contains(&name.as_str()) || tag.ends_with("/>") || tag.starts_with("<!") {
            continue;
        }
        stack.push((name.clone(), is_code(tag, &name)));
    }
    out
}

fn is_uuid(w: &str) -> bool {
    let parts: Vec<&str> = w.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The codes a person must never read where a name belongs.
fn forbidden() -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    let catalog = chengxin_domain::catalog::Catalog::default_checked().unwrap();
    set.extend(catalog.types().iter().map(|t| t.code.clone()));
    let joint = chengxin_domain::lists::JointCatalog::default_checked().unwrap();
    set.extend(joint.lists().iter().map(|l| l.code.clone()));
    set.extend(joint.departments().iter().map(|d| d.code.clone()));
    set.extend(Role::ALL.iter().map(|r| r.as_str().to_string()));
    set.extend(
        chengxin_domain::records::RecordStatus::ALL
            .iter()
            .map(|s| s.as_str().to_string()),
    );
    set.extend(
        chengxin_domain::lists::EntryStatus::ALL
            .iter()
            .map(|s| s.code().to_string()),
    );
    set.extend(
        chengxin_domain::rights::AppState::ALL
            .iter()
            .map(|s| s.code().to_string()),
    );
    set.extend(
        chengxin_domain::rights::AppKind::ALL
            .iter()
            .map(|s| s.code().to_string()),
    );
    set.extend(
        chengxin_domain::lists::CaseStep::ALL
            .iter()
            .map(|s| s.code().to_string()),
    );
    set
}

/// What of `html` shows a code or a UUID where a name belongs.
fn offences(html: &str, codes: &BTreeSet<String>) -> Vec<String> {
    let mut found = Vec::new();
    for text in visible_text(html) {
        // An error code after the sentence, `（bad_request）`: messages end in Chinese.
        for tail in text.split('（').skip(1) {
            if let Some((inner, _)) = tail.split_once('）') {
                if inner.contains('_') && inner.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                {
                    found.push(format!("error code {inner} in “{}”", text.trim()));
                }
            }
        }
        let words = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .filter(|w| !w.is_empty());
        for w in words {
            if is_uuid(w) {
                found.push(format!("UUID {w} in “{}”", text.trim()));
            }
            for part in w.split('-') {
                if codes.contains(part) {
                    found.push(format!("code {part} in “{}”", text.trim()));
                }
            }
        }
    }
    found
}

/// Every `<td>` of the page outside scripts, without a `data-label`.
fn unlabelled_cells(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        let from = &rest[lt..];
        let Some(gt) = from.find('>') else { break };
        let tag = &from[..=gt];
        rest = &from[gt + 1..];
        let name = tag_name(tag);
        if name == "script" && !tag.starts_with("</") {
            rest = rest.find("</script").map(|e| &rest[e..]).unwrap_or("");
            continue;
        }
        if name == "td" && !tag.starts_with("</") && !tag.contains("data-label=") {
            out.push(tag.to_string());
        }
    }
    out
}

struct Ids {
    subject: String,
    record: String,
    entry: String,
    case: String,
    application: String,
    batch: String,
    report: String,
    tracking: String,
}

/// Data like the demo city's.
async fn seed(t: &TestApp) -> Ids {
    let out = t
        .import(
            SAMR,
            vec![import_row(2, "常市监罚〔2025〕1号", "2025-03-03")],
        )
        .await;
    let record = match &out[0] {
        RowOutcome::Created(id) => *id,
        other => panic!("{other:?}"),
    };
    let r = t.store.record(record).await.unwrap().unwrap();
    let company = t
        .store
        .subject(r.subject_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    // A civil servant's penalty.
    let mut person = import_row(3, "常市监罚〔2025〕2号", "2025-03-10");
    person.subject_name = "张三".into();
    person.subject_uscc = None;
    person.subject_id_hash = Some("h-zhangsan".into());
    person.subject_id_masked = Some("320402********1234".into());
    person.subject_kind = chengxin_domain::subjects::SubjectKind::CivilServant;
    t.import(SAMR, vec![person]).await;
    // A commendation.
    let mut fields = serde_json::Map::new();
    for (k, v) in [
        ("subject_name", "常州甲公司"),
        ("award_name", "常州市诚信示范企业"),
        ("award_kind", "credit_award"),
        ("level", "city"),
        ("awarding_body", "常州市人民政府"),
        ("decision_doc_no", "常政发〔2025〕12号"),
        ("award_date", "2025-03-03"),
    ] {
        fields.insert(k.into(), v.into());
    }
    t.store
        .create_record(
            "test",
            NewRecord {
                type_code: "commendation".into(),
                subject_id: Some(company.id),
                subject_name: company.name.clone(),
                doc_no: "常政发〔2025〕12号".into(),
                decision_date: d("2025-03-03"),
                source_dept: SAMR.into(),
                batch_id: None,
                fields,
                severity: None,
                status: RecordStatus::Published,
                publish_until: None,
                content_digest: None,
                published_at: None,
            },
        )
        .await
        .unwrap();
    let entry = blacklist(t.store.as_ref(), &company).await;
    // The court's list: its cases open; the finance bureau's is sent to it.
    let hasher = chengxin_domain::subjects::IdHasher::new([3; 32]);
    refresh_imported(
        t.store.as_ref(),
        &hasher,
        "test",
        COURT_LIST,
        vec![SourceRow {
            row: 2,
            name: "常州市乙建设工程有限公司".into(),
            uscc: Some("91320411MA1MXK2L8L".into()),
            id_number: None,
            case_no: "（2025）苏执100号".into(),
        }],
        d("2025-03-03"),
    )
    .await
    .unwrap();
    let city = t.session_for(Role::CreditOffice, "320400", None).await;
    let (_, cases) = t.call("GET", "/api/v1/cases", &city, None).await;
    let fin = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["department"] == "finance")
        .unwrap_or_else(|| panic!("no finance case: {cases}"))
        .clone();
    let case = fin["id"].as_str().unwrap().to_string();
    let (s, v) = t
        .call(
            "POST",
            &format!("/api/v1/cases/{}/advance", case.replace('/', "%2F")),
            &city,
            Some(json!({"expected_version": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // An objection from the portal.
    let (s, filed) = t
        .call(
            "POST",
            "/api/v1/objections",
            &Cred::None,
            Some(json!({"target_kind": "record", "target_id": record,
                "reasons": "处罚金额录入错误", "applicant_name": "王五"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    // An issued report.
    let (s, rep) = t
        .call(
            "POST",
            "/api/v1/credit-reports",
            &city,
            Some(json!({"subject_id": company.id})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{rep}");
    Ids {
        subject: company.id.to_string(),
        record: record.to_string(),
        entry: entry.id.to_string(),
        case: case.replace('/', "%2F"),
        application: filed["id"].as_str().unwrap().to_string(),
        batch: r.batch_id.unwrap().to_string(),
        report: rep["report_no"].as_str().unwrap().to_string(),
        tracking: filed["tracking_no"].as_str().unwrap().to_string(),
    }
}

/// Every page of the route table with its parameters filled in, and a few with a query.
fn pages(ids: &Ids) -> Vec<String> {
    let mut out = Vec::new();
    for (spec, _) in chengxin_server::table::table() {
        let p = spec.path;
        if spec.method != axum::http::Method::GET
            || !(p == "/" || p.starts_with("/console") || p.starts_with("/portal"))
            || [".csv", ".xlsx", ".pdf"].iter().any(|x| p.ends_with(x))
            || p == "/portal/large-text"
        {
            continue;
        }
        let filled = p
            .replace(
                "/console/batches/{id}",
                &format!("/console/batches/{}", ids.batch),
            )
            .replace(
                "/console/applications/{id}",
                &format!("/console/applications/{}", ids.application),
            )
            .replace(
                "/console/cases/{id}",
                &format!("/console/cases/{}", ids.case),
            )
            .replace(
                "/console/lists/{id}",
                &format!("/console/lists/{}", ids.entry),
            )
            .replace(
                "/console/records/{id}",
                &format!("/console/records/{}", ids.record),
            )
            .replace("{report_no}", &ids.report)
            .replace(
                "/portal/subjects/{id}",
                &format!("/portal/subjects/{}", ids.subject),
            )
            .replace("/portal/lists/{code}", "/portal/lists/serious_dishonest");
        if filled.contains('{') {
            continue;
        }
        out.push(filled);
    }
    out.extend([
        format!(
            "/console/subjects?q=%E5%B8%B8%E5%B7%9E&subject={}",
            ids.subject
        ),
        "/console/reports/credit?q=%E5%B8%B8%E5%B7%9E".to_string(),
        "/console/applications?show=all".to_string(),
        "/portal/search?q=%E5%B8%B8%E5%B7%9E%E7%94%B2".to_string(),
        "/portal/lists/court_dishonest_debtor".to_string(),
        format!("/portal/track?no={}", ids.tracking),
    ]);
    out
}

async fn walk(t: TestApp) {
    let ids = seed(&t).await;
    let roles: Vec<(&str, Cred)> = vec![
        ("公众", Cred::None),
        (
            "信用主体",
            t.session_for(Role::Subject, "320412", Some(COMPANY)).await,
        ),
        (
            "报送部门",
            t.session_for(Role::SubmittingDepartment, "320400", Some(SAMR))
                .await,
        ),
        (
            "信用办",
            t.session_for(Role::CreditOffice, "320400", None).await,
        ),
        (
            "实施部门",
            t.session_for(Role::ImplementingDepartment, "320400", Some(FINANCE))
                .await,
        ),
        (
            "督查评价",
            t.session_for(Role::Supervisor, "320400", None).await,
        ),
        ("审计员", t.session_for(Role::Auditor, "320400", None).await),
        (
            "管理员",
            t.session_for(Role::Administrator, "320400", None).await,
        ),
    ];
    let codes = forbidden();
    let mut problems = Vec::new();
    let mut walked = 0;
    for uri in pages(&ids) {
        for (who, cred) in &roles {
            let (status, html) = get(&t, &uri, cred).await;
            if status != StatusCode::OK || html.is_empty() {
                continue;
            }
            walked += 1;
            for o in offences(&html, &codes) {
                problems.push(format!("{who} {uri}: {o}"));
            }
            if uri.starts_with("/console") {
                for td in unlabelled_cells(&html) {
                    problems.push(format!("{who} {uri}: <td> without data-label: {td}"));
                }
            }
        }
    }
    assert!(walked > 60, "only {walked} pages walked");
    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    t.cleanup().await;
}
both_backends!(no_page_shows_a_code_or_uuid_where_a_name_belongs, walk);

#[test]
fn the_scanner_sees_what_a_person_reads() {
    let codes = forbidden();
    let html = r#"<html><head><title>办件</title><script>const a = "admin_penalty";</script></head>
        <body><p>类型：行政处罚 <code>admin_penalty</code></p><span class="hint code">credit_office</span>
        <p>状态：published</p><a href="/x/0190c3b2-7e1a-7f00-8000-000000000001">0190c3b2-7e1a-7f00-8000-000000000001</a>
        <table><tr><td data-label="名称">甲</td><td>乙</td></tr></table></body></html>"#;
    let found = offences(html, &codes);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("published"), "{found:?}");
    assert!(found[1].contains("UUID"), "{found:?}");
    let err =
        r#"<div class="notice err" data-code="bad_request">日期格式不正确（bad_request）</div>"#;
    assert!(offences(err, &codes)[0].contains("error code bad_request"));
    let ok =
        r#"<div class="notice err" data-code="bad_request">日期格式不正确（应为 年-月-日）</div>"#;
    assert!(offences(ok, &codes).is_empty());
    assert_eq!(unlabelled_cells(html), vec!["<td>".to_string()]);
}
