//! The public portal (信用门户) over the real router, on both backends: the home page with its
//! figures, 繁简通搜 (Traditional, full-width, partial names, USCC), the public archive with
//! 异议处理中 after an objection, 双公示 paging and filters, 政务失信, the lists, the open-data
//! downloads (CSV with BOM and neutralised cells, XLSX), no clear ID number anywhere, and
//! nothing loaded from another host.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use chengxin_domain::codes::{id_number, uscc};
use chengxin_domain::records::RecordStatus;
use chengxin_domain::subjects::SubjectKind;
use chengxin_store::{ImportRow, NewBatch, RowOutcome};
use chengxin_testkit::*;
use chrono::NaiveDate;
use http_body_util::BodyExt;
use tower::ServiceExt;

const DEPT: &str = "11320400MB0000000X";
const OTHER_DEPT: &str = "11320411MB1234567X";

/// A USCC with the right check character.
fn uscc_of(first17: &str) -> String {
    format!("{first17}{}", uscc::check_char(first17).unwrap())
}

/// An ID number with the right check character.
fn id_of(first17: &str) -> String {
    format!("{first17}{}", id_number::check_char(first17).unwrap())
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn get(t: &TestApp, uri: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let req = Request::builder().uri(uri).body(Body::empty()).unwrap();
    let resp = t.app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, headers, bytes.to_vec())
}

async fn page(t: &TestApp, uri: &str) -> String {
    let (s, h, b) = get(t, uri).await;
    let body = String::from_utf8(b).unwrap();
    assert_eq!(s, StatusCode::OK, "{uri}: {body}");
    assert!(
        h["content-type"].to_str().unwrap().starts_with("text/html"),
        "{uri}"
    );
    no_external(uri, &body);
    body
}

/// Nothing is loaded from or linked to another host.
fn no_external(uri: &str, body: &str) {
    for bad in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "url(http",
        "@import",
    ] {
        assert!(!body.contains(bad), "{uri} contains {bad}");
    }
}

struct Row {
    doc: String,
    decided: &'static str,
    name: String,
    uscc: Option<String>,
    id: Option<String>,
    kind: SubjectKind,
    fields: serde_json::Value,
    severity: Option<&'static str>,
}

async fn import(t: &TestApp, type_code: &str, dept: &str, rows: Vec<Row>) -> Vec<uuid::Uuid> {
    let mut w = t
        .store
        .begin_batch(
            "test",
            NewBatch {
                type_code: type_code.into(),
                source_dept: dept.into(),
                file_name: None,
                file_sha256: uuid::Uuid::now_v7().to_string(),
                format: "csv".into(),
                encoding: "UTF-8".into(),
                published_at: None,
                headers: vec![],
            },
        )
        .await
        .unwrap();
    let rows: Vec<ImportRow> = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let fields = r.fields.as_object().unwrap().clone();
            ImportRow {
                row: i as u64 + 2,
                doc_no: r.doc.clone(),
                decision_date: NaiveDate::parse_from_str(r.decided, "%Y-%m-%d").unwrap(),
                subject_name: r.name.clone(),
                subject_uscc: r.uscc.clone(),
                subject_id_hash: r.id.as_ref().map(|n| t.state.id_hasher.hash(n)),
                subject_id_masked: r.id.as_ref().map(|n| id_number::mask(n)),
                subject_id_sealed: None,
                subject_kind: r.kind,
                subject_region: Some("320412".into()),
                fields: chengxin_store::RowFields::new(&fields).unwrap(),
                severity: r.severity.map(String::from),
                status: RecordStatus::Published,
                publish_until: Some(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()),
                content_digest: format!("c-{}", r.doc),
                texts_sealed: None,
            }
        })
        .collect();
    let out = w.write(rows).await.unwrap();
    w.commit(vec![]).await.unwrap();
    t.index_search().await;
    out.iter()
        .map(|o| match o {
            RowOutcome::Created(id) => *id,
            other => panic!("{other:?}"),
        })
        .collect()
}

struct Fixture {
    company: String,
    company_uscc: String,
    company_id: uuid::Uuid,
    gov_id: uuid::Uuid,
    person_id: uuid::Uuid,
    person_record: uuid::Uuid,
    id_number: String,
}

const COMPANY: &str = "常州市建设工程有限公司";
const GOV: &str = "常州市武进区人力资源和社会保障局";

async fn fixture(t: &TestApp) -> Fixture {
    let company_uscc = uscc_of("91320412MA1PT0RT0");
    let gov_uscc = uscc_of("11320412014000123");
    let id = id_of("32041219800101123");
    // 25 licences of the company, one a day in January 2025.
    let licences = (1..=25)
        .map(|n| Row {
            doc: format!("常许〔2025〕{n}号"),
            decided: Box::leak(format!("2025-01-{n:02}").into_boxed_str()),
            name: COMPANY.into(),
            uscc: Some(company_uscc.clone()),
            id: None,
            kind: SubjectKind::Enterprise,
            fields: serde_json::json!({
                "decision_doc_name": "建筑业企业资质证书",
                "license_category": "01",
                "license_content": format!("建筑工程施工总承包三级（第{n}项）"),
                "authority": "常州市住房和城乡建设局",
                "valid_to": "2030-01-01",
            }),
            severity: None,
        })
        .collect();
    let ids = import(t, "admin_license", DEPT, licences).await;
    let company_id = t
        .store
        .record(ids[0])
        .await
        .unwrap()
        .unwrap()
        .subject_id
        .unwrap();
    // A penalty of the company from another department, with a formula-like content.
    import(
        t,
        "admin_penalty",
        OTHER_DEPT,
        vec![Row {
            doc: "武市监罚〔2025〕9号".into(),
            decided: "2025-03-03",
            name: COMPANY.into(),
            uscc: Some(company_uscc.clone()),
            id: None,
            kind: SubjectKind::Enterprise,
            fields: serde_json::json!({
                "penalty_category": "罚款",
                "penalty_content": "=HYPERLINK(\"x\")罚款五千元",
                "authority": "常州市武进区市场监督管理局",
            }),
            severity: Some("general"),
        }],
    )
    .await;
    // A person penalised; the clear number only in free text (it must never come out).
    let person = import(
        t,
        "admin_penalty",
        DEPT,
        vec![Row {
            doc: "常罚〔2025〕77号".into(),
            decided: "2025-02-10",
            name: "王某某".into(),
            uscc: None,
            id: Some(id.clone()),
            kind: SubjectKind::Individual,
            fields: serde_json::json!({
                "subject_category": "natural_person",
                "id_type": "01",
                "id_no": id_number::mask(&id),
                "penalty_category": "警告",
                "penalty_content": format!("当事人王某某（身份证号{id}）无证经营，予以警告"),
                "authority": "常州市城市管理局",
            }),
            severity: Some("general"),
        }],
    )
    .await;
    let person_record = person[0];
    let person_id = t
        .store
        .record(person_record)
        .await
        .unwrap()
        .unwrap()
        .subject_id
        .unwrap();
    // A government body that lost an administrative case.
    let gov = import(
        t,
        "court_judgment",
        DEPT,
        vec![Row {
            doc: "（2025）苏0412行初15号".into(),
            decided: "2025-04-08",
            name: GOV.into(),
            uscc: Some(gov_uscc),
            id: None,
            kind: SubjectKind::GovBody,
            fields: serde_json::json!({
                "litigation_role": "defendant",
                "case_kind": "administrative",
                "cause": "劳动保障行政确认",
                "court": "常州市武进区人民法院",
                "outcome": "lost",
                "judgment_summary": "撤销被告作出的工伤认定决定",
            }),
            severity: Some("general"),
        }],
    )
    .await;
    let gov_id = t
        .store
        .record(gov[0])
        .await
        .unwrap()
        .unwrap()
        .subject_id
        .unwrap();
    Fixture {
        company: COMPANY.into(),
        company_uscc,
        company_id,
        gov_id,
        person_id,
        person_record,
        id_number: id,
    }
}

async fn portal_story(t: TestApp) {
    let f = fixture(&t).await;

    // Home: figures, search box, the latest 双公示, the chart.
    let home = page(&t, "/").await;
    assert!(home.contains("id=\"q\""), "search box");
    assert!(home.contains("action=\"/portal/search\""));
    assert!(home.contains("信用主体") && home.contains("公示信用信息"));
    // 3 subjects; 25 licences + 2 penalties + 1 judgment published.
    assert!(home.contains("id=\"fig-subjects\">3<"), "{home}");
    assert!(home.contains("id=\"fig-records\">28<"), "{home}");
    assert!(home.contains("<svg class=\"chart\""));
    assert!(home.contains("通知公告"));

    // Search: by USCC exactly, also typed in full width.
    let link = format!(
        "class=\"result\" href=\"/portal/subjects/{}\"",
        f.company_id
    );
    let s = page(&t, &format!("/portal/search?q={}", f.company_uscc)).await;
    assert!(s.contains(&link), "{s}");
    let full_width: String = f
        .company_uscc
        .chars()
        .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
        .collect();
    let s = page(&t, &format!("/portal/search?q={}", enc(&full_width))).await;
    assert!(s.contains(&link), "full width: {s}");
    // By the Traditional-character name, by a partial name, by a partial Traditional name.
    for q in [
        "常州市建設工程有限公司",
        "建设工程",
        "建設工程",
        "常州市建设",
    ] {
        let s = page(&t, &format!("/portal/search?q={}", enc(q))).await;
        assert!(s.contains(&link), "{q}: {s}");
    }
    let s = page(&t, &format!("/portal/search?q={}", enc("不存在的单位"))).await;
    assert!(s.contains("id=\"no-results\""));
    // The person's result shows the masked number only.
    let s = page(&t, &format!("/portal/search?q={}", enc("王某某"))).await;
    assert!(
        s.contains(&format!("/portal/subjects/{}", f.person_id)),
        "{s}"
    );
    assert!(s.contains(&id_number::mask(&f.id_number)));
    // An ID number is not a public search key.
    let s = page(&t, &format!("/portal/search?q={}", f.id_number)).await;
    assert!(!s.contains("class=\"result\""));

    // Archive: grouped records, the objection link, no 异议处理中 yet.
    let a = page(&t, &format!("/portal/subjects/{}", f.company_id)).await;
    assert!(a.contains(&f.company) && a.contains(&f.company_uscc));
    assert!(a.contains("行政许可") && a.contains("行政处罚"));
    assert!(a.contains("/portal/objection?record="));
    assert!(a.contains("对此信息提出异议"));
    assert!(!a.contains("异议处理中"));

    // An objection to the person's record: the archive then shows 异议处理中.
    let form = page(&t, &format!("/portal/objection?record={}", f.person_record)).await;
    for id in [
        "applicant_name",
        "contact",
        "reasons",
        "submit-objection",
        "result",
    ] {
        assert!(form.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(form.contains("常罚〔2025〕77号"));
    let (s, filed) = t
        .call(
            "POST",
            "/api/v1/objections",
            &Cred::None,
            Some(serde_json::json!({
                "target_kind": "record", "target_id": f.person_record,
                "reasons": "身份信息有误", "applicant_name": "王某某", "contact": "13800001111"
            })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    let a = page(&t, &format!("/portal/subjects/{}", f.person_id)).await;
    assert!(
        a.contains("<span class=\"tag warn\">异议处理中</span>"),
        "{a}"
    );
    assert!(a.contains(&id_number::mask(&f.id_number)));
    let no = filed["tracking_no"].as_str().unwrap();
    let tr = page(&t, &format!("/portal/track?no={no}")).await;
    assert!(tr.contains(&format!("value=\"{no}\"")));
    assert!(tr.contains("id=\"track-result\"") && tr.contains("id=\"tracking_no\""));

    // Unknown and non-public records get no form.
    let none = page(
        &t,
        &format!("/portal/objection?record={}", uuid::Uuid::now_v7()),
    )
    .await;
    assert!(none.contains("id=\"no-record\"") && !none.contains("submit-objection"));
    let (s, _, _) = get(&t, &format!("/portal/subjects/{}", uuid::Uuid::now_v7())).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // 双公示: 20 a page, newest first; filters by type, department and dates.
    let p1 = page(&t, "/portal/shuanggongshi?type=admin_license").await;
    assert!(p1.contains("<nav class=\"pager\""));
    assert!(p1.contains("共 25 条"), "{p1}");
    assert!(p1.contains("常许〔2025〕25号") && p1.contains("常许〔2025〕6号"));
    assert!(!p1.contains("常许〔2025〕5号"));
    assert!(p1.contains("page=2"));
    let p2 = page(&t, "/portal/shuanggongshi?type=admin_license&page=2").await;
    assert!(p2.contains("常许〔2025〕5号") && p2.contains("常许〔2025〕1号"));
    assert!(!p2.contains("常许〔2025〕6号"));
    let all = page(&t, "/portal/shuanggongshi").await;
    assert!(all.contains("共 27 条"), "{all}");
    let other = page(&t, &format!("/portal/shuanggongshi?dept={OTHER_DEPT}")).await;
    assert!(other.contains("共 1 条") && other.contains("武市监罚〔2025〕9号"));
    let range = page(
        &t,
        "/portal/shuanggongshi?type=admin_license&from=2025-01-10&to=2025-01-12",
    )
    .await;
    assert!(range.contains("共 3 条"), "{range}");
    let bad = page(&t, "/portal/shuanggongshi?page=abc&from=notadate").await;
    assert!(bad.contains("共 27 条"));

    // 政务失信: the body that lost in court, not the company.
    let g = page(&t, "/portal/government").await;
    assert!(
        g.contains(GOV) && g.contains("（2025）苏0412行初15号"),
        "{g}"
    );
    assert!(g.contains(&format!("/portal/subjects/{}", f.gov_id)));
    assert!(!g.contains(COMPANY));

    // Lists (no entries here, the pages still render).
    let l = page(&t, "/portal/lists").await;
    assert!(l.contains("红名单") && l.contains("/portal/lists/serious_dishonest"));
    assert!(!l.contains("/portal/lists/watch_list"), "shared list shown");
    page(&t, "/portal/lists/red_list").await;
    let (s, _, _) = get(&t, "/portal/lists/watch_list").await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The other pages render with their element ids.
    let v = page(&t, "/portal/verify?no=CR2025&code=ABCD-EFGH").await;
    for id in [
        "report_no",
        "report_code",
        "verify",
        "report_pdf",
        "verify-pdf",
        "verify-result",
    ] {
        assert!(v.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(v.contains("value=\"CR2025\"") && v.contains("value=\"ABCD-EFGH\""));
    let r = page(&t, "/portal/repair").await;
    assert!(r.contains("/console/login") && r.contains("令第58号"));
    page(&t, "/portal/complaint").await;
    let od = page(&t, "/portal/open-data").await;
    assert!(od.contains("/portal/open-data/shuanggongshi.csv"));

    // Downloads: CSV (BOM, neutralised) and XLSX, both without the clear number.
    let (s, h, csv) = get(&t, "/portal/open-data/shuanggongshi.csv").await;
    assert_eq!(s, StatusCode::OK);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
    let csv = String::from_utf8(csv).unwrap();
    assert_eq!(csv.lines().count(), 1 + 27, "{csv}");
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(csv.contains(&id_number::mask(&f.id_number)));
    assert!(!csv.contains(&f.id_number));
    let (s, h, xlsx) = get(&t, "/portal/open-data/shuanggongshi.xlsx").await;
    assert_eq!(s, StatusCode::OK);
    assert!(h["content-type"]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    let table = chengxin_ingest::open_bytes(
        xlsx,
        Some("x.xlsx"),
        &chengxin_ingest::ReadOptions::default(),
    )
    .unwrap();
    assert!(table.headers.iter().any(|h| h == "决定文书号"));
    let rows: Vec<String> = table.map(|r| r.unwrap().cells.join("|")).collect();
    assert_eq!(rows.len(), 27);
    let joined = rows.join("\n");
    assert!(joined.contains("常罚〔2025〕77号"));
    assert!(joined.contains(&id_number::mask(&f.id_number)));
    assert!(!joined.contains(&f.id_number));

    // No page shows the clear ID number.
    for uri in [
        "/".to_string(),
        format!("/portal/search?q={}", enc("王某某")),
        format!("/portal/search?q={}", f.id_number),
        format!("/portal/subjects/{}", f.person_id),
        format!("/portal/objection?record={}", f.person_record),
        "/portal/shuanggongshi".into(),
        "/portal/shuanggongshi?type=admin_penalty".into(),
        "/portal/government".into(),
        "/portal/lists".into(),
        "/portal/open-data".into(),
    ] {
        let body = page(&t, &uri).await;
        assert!(
            !body.contains(&f.id_number),
            "{uri} shows the clear ID number"
        );
    }
    t.cleanup().await;
}

both_backends!(portal, portal_story);

/// 信用查询 at scale (issue 17): the count is every match, not the first page's; pages of 50;
/// 繁/简 and 全角 folded; a natural person with nothing public neither listed nor counted.
async fn portal_search_counts_story(t: TestApp) {
    for n in 1..=60 {
        t.store
            .create_subject(
                "test",
                chengxin_store::NewSubject {
                    kind: Some(SubjectKind::Enterprise),
                    name: format!("常州天宁第{n:02}贸易有限公司"),
                    region: Some("320402".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }
    t.store
        .create_subject(
            "test",
            chengxin_store::NewSubject {
                kind: Some(SubjectKind::Individual),
                name: "天宁王某".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let results = |s: &str| s.matches("class=\"result\"").count();
    for q in ["天宁", "天寧", "天宁第", "贸易有限"] {
        let s = page(&t, &format!("/portal/search?q={}", enc(q))).await;
        assert!(
            s.contains("找到 <span id=\"found-total\">60</span> 个信用主体"),
            "{q}: {s}"
        );
        assert_eq!(results(&s), 50, "{q}");
        assert!(s.contains("第 1 / 2 页"), "{q}");
        assert!(!s.contains("天宁王某"), "{q}");
        assert!(s.contains("id=\"page-next\""), "{q}");
    }
    let s = page(&t, &format!("/portal/search?q={}&page=2", enc("天宁"))).await;
    assert!(s.contains("找到 <span id=\"found-total\">60</span>"), "{s}");
    assert_eq!(results(&s), 10);
    assert!(s.contains("常州天宁第60贸易有限公司"));
    assert!(!s.contains("常州天宁第01贸易有限公司"));
    assert!(s.contains("id=\"page-prev\"") && !s.contains("id=\"page-next\""));
    // One character, a full name in full width, and a query nothing contains.
    let s = page(&t, &format!("/portal/search?q={}", enc("宁"))).await;
    assert!(s.contains("找到 <span id=\"found-total\">60</span>"), "{s}");
    let full: String = "常州天宁第07贸易有限公司"
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                char::from_u32(c as u32 + 0xFEE0).unwrap()
            } else {
                c
            }
        })
        .collect();
    let s = page(&t, &format!("/portal/search?q={}", enc(&full))).await;
    assert!(s.contains("找到 <span id=\"found-total\">1</span>"), "{s}");
    let s = page(&t, &format!("/portal/search?q={}", enc("第1贸"))).await;
    assert!(s.contains("id=\"no-results\""), "{s}");
}

both_backends!(portal_search_counts, portal_search_counts_story);
