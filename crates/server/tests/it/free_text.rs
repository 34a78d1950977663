//! Issue 16 point 2: a 居民身份证号 typed into 违法事实 (or any free-text field) was served in
//! clear by `GET /api/v1/records/{id}` and `/api/v1/portal/subjects/{id}`; only the pages
//! masked it. Now free text is masked at intake (import rows, corrections, notes) by the one
//! masker, the text as given sealed beside the record and opened only for
//! `personal_data_decrypt` holders with a purpose, query-logged; records stored before are
//! repaired once, logged.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chengxin_access::Role;
use chengxin_domain::codes::id_number;
use chengxin_domain::subjects::SubjectKind;
use chengxin_store::{AuditFilter, NewSubject, PublishedFilter};
use chengxin_testkit::{assert_log_verifies, both_backends, import_row, Cred, TestApp};
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

/// 溧阳市市场监督管理局 (320481).
const LIYANG_MARKET: &str = "11320481MB0000035Y";
/// A 溧阳 enterprise.
const COMPANY: &str = "91320481MA1MY3B539";

/// A valid ID number from its first 17 digits.
fn id(body: &str) -> String {
    format!("{body}{}", id_number::check_char(body).unwrap())
}

async fn gov_body(t: &TestApp, name: &str, uscc: &str) {
    t.store
        .create_subject(
            "test",
            NewSubject {
                kind: Some(SubjectKind::GovBody),
                name: name.into(),
                uscc: Some(uscc.into()),
                region: uscc.get(2..8).map(String::from),
                ..Default::default()
            },
        )
        .await
        .unwrap();
}

/// One 行政处罚 row of 溧阳's regulator against `COMPANY`, with these 违法事实 and 处罚内容,
/// decided ten days ago (uploads are dated by the real clock).
fn penalty_csv(doc: &str, facts: &str, content: &str) -> Vec<u8> {
    let decided = chengxin_store::clock::today_in_china() - chrono::Days::new(10);
    let valid = decided + chrono::Months::new(6);
    let public = decided + chrono::Months::new(12);
    format!(
        "行政相对人名称,行政相对人类别,行政相对人代码_1(统一社会信用代码),行政处罚决定书文号,违法行为类型,违法事实,处罚依据,处罚类别,处罚内容,处罚决定日期,处罚有效期,公示截止期,处罚机关,处罚机关统一社会信用代码,数据来源单位,数据来源单位统一社会信用代码\n\
         溧阳某食品有限公司,法人及非法人组织,{COMPANY},{doc},食品安全,{facts},《中华人民共和国食品安全法》第一百二十四条,罚款,{content},{decided},{valid},{public},溧阳市市场监督管理局,{LIYANG_MARKET},溧阳市市场监督管理局,{LIYANG_MARKET}\n"
    )
    .into_bytes()
}

async fn upload(t: &TestApp, cred: &Cred, file: Vec<u8>) -> serde_json::Value {
    let Cred::Token(tok) = cred else {
        panic!("a token uploads")
    };
    let req = Request::builder()
        .method("POST")
        .uri(format!(
            "/api/v1/batches?type=admin_penalty&dept={LIYANG_MARKET}&file_name=p.csv"
        ))
        .header("authorization", format!("Bearer {tok}"))
        .header("content-type", "text/csv")
        .body(Body::from(file))
        .unwrap();
    let resp = t.app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

/// A page's HTML (`t.call` gives non-JSON bodies as a string).
async fn page(t: &TestApp, uri: &str, cred: &Cred) -> String {
    let (s, v) = t.call("GET", uri, cred, None).await;
    assert_eq!(s, StatusCode::OK, "{uri}: {v}");
    v.as_str().unwrap().to_string()
}

async fn intake(t: TestApp) {
    gov_body(&t, "溧阳市市场监督管理局", LIYANG_MARKET).await;
    let person = id("32048119900101123");
    let other = id("32048119851212002");
    let facts = format!("当事人员工张三（身份证号{person}）销售过期食品");
    let content = format!("罚款人民币一万元，责令李四（{other}）改正");
    let dept = t
        .token(&["records_submit"], "320481", Some(LIYANG_MARKET))
        .await;
    let v = upload(
        &t,
        &dept,
        penalty_csv("溧市监罚〔2025〕31号", &facts, &content),
    )
    .await;
    assert_eq!(v["batch"]["created"], 1, "{v}");
    let record = t
        .store
        .published_records(&PublishedFilter {
            source_dept: Some(LIYANG_MARKET.into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .remove(0);
    let masked_facts = facts.replace(&person, &id_number::mask(&person));
    let masked_content = content.replace(&other, &id_number::mask(&other));
    // Stored masked: nothing reads the clear text back but the sealed copy.
    assert_eq!(record.fields["violation_facts"], masked_facts);
    assert_eq!(record.fields["penalty_content"], masked_content);

    // The JSON API, to anyone: masked.
    let (s, json) = t
        .call(
            "GET",
            &format!("/api/v1/records/{}", record.id),
            &Cred::None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{json}");
    assert_eq!(json["record"]["fields"]["violation_facts"], masked_facts);
    let subject = record.subject_id.unwrap();
    let (s, archive) = t
        .call(
            "GET",
            &format!("/api/v1/portal/subjects/{subject}"),
            &Cred::None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{archive}");
    assert_eq!(
        archive["records"][0]["record"]["fields"]["penalty_content"],
        masked_content
    );
    for text in [json.to_string(), archive.to_string()] {
        assert!(!text.contains(&person) && !text.contains(&other), "{text}");
    }
    // The pages show the same masked form as the JSON.
    let portal = page(&t, &format!("/portal/subjects/{subject}"), &Cred::None).await;
    assert!(portal.contains(&masked_content), "{portal}");
    let office = t.session_for(Role::CreditOffice, "320481", None).await;
    let console = page(&t, &format!("/console/records/{}", record.id), &office).await;
    assert!(console.contains(&masked_facts), "{console}");
    for html in [&portal, &console] {
        assert!(!html.contains(&person) && !html.contains(&other));
    }

    // The text as given: personal_data_decrypt, in the record's region, with a purpose.
    let open = format!("/api/v1/records/{}/free-text", record.id);
    let purpose = json!({"purpose": "核实违法行为人身份"});
    let (s, v) = t
        .call("POST", &open, &office, Some(json!({"purpose": " "})))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("purpose_required"))
    );
    let (s, v) = t.call("POST", &open, &office, Some(purpose.clone())).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["texts"]["violation_facts"], facts);
    assert_eq!(v["texts"]["penalty_content"], content);
    // Not the submitting department (no decrypt permission), not a sibling county's office,
    // not the public.
    let submitter = t
        .session_for(Role::SubmittingDepartment, "320481", Some(LIYANG_MARKET))
        .await;
    let wujin = t.session_for(Role::CreditOffice, "320412", None).await;
    for (cred, status) in [
        // Its own submitter lacks the permission; out of reach: as if it did not exist.
        (&submitter, StatusCode::FORBIDDEN),
        (&wujin, StatusCode::NOT_FOUND),
        (&Cred::None, StatusCode::UNAUTHORIZED),
    ] {
        let (s, v) = t.call("POST", &open, cred, Some(purpose.clone())).await;
        assert_eq!(s, status, "{v}");
        assert!(!v.to_string().contains(&person));
    }
    // Every opening is in the query log with its purpose, refusals too.
    let logged = t
        .store
        .audit_events(&AuditFilter {
            kind: Some("query".into()),
            action: Some("record_texts_open".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(logged.iter().any(|e| e.outcome == "ok"
        && e.detail["purpose"] == "核实违法行为人身份"
        && e.detail["returned"] == 2
        && e.target.as_deref() == Some(record.id.to_string().as_str())));
    assert!(logged.iter().any(|e| e.outcome == "denied"));

    // A correction typed with an ID number, and its note: stored masked, kept sealed. (The
    // upload was dated by the real clock: corrected on the same day.)
    let third = id("32048120000229004");
    let corrected = format!("经复核，销售过期食品的是员工王五（{third}）");
    let live = t.on_day(chengxin_store::clock::today_in_china());
    let (s, v) = live
        .call(
            "POST",
            &format!("/api/v1/records/{}/transitions", record.id),
            &office,
            Some(json!({
                "action": "correct", "expected_version": record.version,
                "note": format!("据王五身份证{third}复核"),
                "fields": {"violation_facts": corrected},
            })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(!v.to_string().contains(&third), "{v}");
    let (_, json) = t
        .call(
            "GET",
            &format!("/api/v1/records/{}", record.id),
            &Cred::None,
            None,
        )
        .await;
    let masked_third = id_number::mask(&third);
    assert_eq!(
        json["record"]["fields"]["violation_facts"],
        corrected.replace(&third, &masked_third)
    );
    let text = json.to_string();
    for clear in [&person, &other, &third] {
        assert!(!text.contains(clear.as_str()), "history in clear: {text}");
    }
    let (_, v) = t.call("POST", &open, &office, Some(purpose)).await;
    assert_eq!(v["texts"]["violation_facts"], corrected);
    assert_eq!(
        v["texts"]["penalty_content"], content,
        "untouched, still kept"
    );
    let note_path = format!("history.{}.note", record.version + 1);
    assert_eq!(v["texts"][&note_path], format!("据王五身份证{third}复核"));
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}
both_backends!(id_numbers_in_free_text_are_masked_at_intake, intake);

async fn repair(t: TestApp) {
    let dept = "11320412MB00000276";
    let person = id("32041219900101123");
    let other = id("32041219851212002");
    // Records stored before intake masked free text: clear ID numbers in 违法事实, one record
    // also changed since (its history holds them too), one without any.
    let mut a = import_row(2, "武罚1", "2025-03-03");
    let mut b = import_row(3, "武罚2", "2025-03-03");
    let c = import_row(4, "武罚3", "2025-03-03");
    let facts = format!("当事人员工张三（{person}）虚假宣传");
    for row in [&mut a, &mut b] {
        let mut fields = row.fields.to_map().unwrap();
        fields.insert("violation_facts".into(), facts.clone().into());
        row.fields = chengxin_store::RowFields::new(&fields).unwrap();
    }
    let out = t.import(dept, vec![a, b, c]).await;
    let ids: Vec<uuid::Uuid> = out
        .iter()
        .map(|o| match o {
            chengxin_store::RowOutcome::Created(id) => *id,
            other => panic!("{other:?}"),
        })
        .collect();
    let b_now = t.store.record(ids[1]).await.unwrap().unwrap();
    let mut fields = b_now.fields.clone();
    fields.insert(
        "penalty_content".into(),
        format!("罚款，责令李四（{other}）改正").into(),
    );
    let changes = chengxin_domain::records::correction::diff(&b_now.fields, &fields);
    t.store
        .change_record(
            "test",
            chengxin_store::RecordChange {
                id: b_now.id,
                expected_version: b_now.version,
                action: "correct".into(),
                fields: Some(fields),
                note: Some(format!("据{other}更正")),
                changes,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let clear_before = |v: &serde_json::Value| {
        let s = v.to_string();
        s.contains(&person) || s.contains(&other)
    };
    let read = |id: uuid::Uuid| {
        let t = &t;
        async move {
            t.call("GET", &format!("/api/v1/records/{id}"), &Cred::None, None)
                .await
                .1
        }
    };
    assert!(
        clear_before(&read(ids[1]).await),
        "the old data is in clear"
    );
    // A complaint stored before: its reasons in clear.
    let (s, filed) = t
        .call(
            "POST",
            "/api/v1/complaints",
            &Cred::None,
            Some(json!({"about": "常州甲公司", "region": "320412",
                "reasons": "拖欠工资两年", "applicant_name": "孙八"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    let complaint: uuid::Uuid = filed["id"].as_str().unwrap().parse().unwrap();
    let mut row = t.store.application(complaint).await.unwrap().unwrap();
    let old_reasons = format!("拖欠我（{person}）工资两年");
    row.body["reasons"] = old_reasons.clone().into();
    row.version += 1;
    t.store
        .write_application(
            "test",
            &row,
            Some(row.version - 1),
            chengxin_store::TargetChange::None,
        )
        .await
        .unwrap();

    let n = chengxin_app::free_text::repair(t.store.as_ref(), &t.state.pii)
        .await
        .unwrap();
    assert_eq!(
        n, 3,
        "the two records and the complaint that held ID numbers"
    );
    let row = t.store.application(complaint).await.unwrap().unwrap();
    assert_eq!(
        row.body["reasons"],
        old_reasons.replace(&person, &id_number::mask(&person))
    );
    for id in &ids {
        let v = read(*id).await;
        assert!(!clear_before(&v), "{v}");
    }
    let v = read(ids[1]).await;
    let history = v["history"].as_array().unwrap();
    let last = history.last().unwrap();
    assert_eq!(last["action"], chengxin_app::free_text::ACTION);
    assert_eq!(last["actor"], chengxin_app::free_text::ACTOR);
    assert_eq!(
        v["record"]["fields"]["violation_facts"],
        facts.replace(&person, &id_number::mask(&person))
    );
    // The untouched record is as it was.
    assert_eq!(t.store.record(ids[2]).await.unwrap().unwrap().version, 1);
    // The clear texts are kept sealed, for decrypt holders with a purpose.
    let office = t.session_for(Role::CreditOffice, "320412", None).await;
    let (s, v) = t
        .call(
            "POST",
            &format!("/api/v1/records/{}/free-text", ids[1]),
            &office,
            Some(json!({"purpose": "历史数据核查"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["texts"]["violation_facts"], facts);
    assert_eq!(v["texts"]["history.2.note"], format!("据{other}更正"));
    let (s, v) = t
        .call(
            "POST",
            &format!("/api/v1/applications/{complaint}/free-text"),
            &office,
            Some(json!({"purpose": "历史数据核查"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["texts"]["reasons"], old_reasons);
    // Once per database: a second pass does nothing; the pass is audited; the log verifies.
    assert_eq!(
        chengxin_app::free_text::repair(t.store.as_ref(), &t.state.pii)
            .await
            .unwrap(),
        0
    );
    let events = t
        .store
        .audit_events(&AuditFilter {
            action: Some(chengxin_app::free_text::ACTION.into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].detail["records"], 2);
    assert_eq!(events[0].detail["applications"], 1);
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}
both_backends!(stored_free_text_is_masked_once, repair);

async fn complaint(t: TestApp) {
    let person = id("32048119900101123");
    let other = id("32048119851212002");
    let reasons = format!("该公司拖欠我（身份证号{person}）工资两年");
    let (s, filed) = t
        .call(
            "POST",
            "/api/v1/complaints",
            &Cred::None,
            Some(json!({"about": "溧阳某食品有限公司", "about_uscc": COMPANY,
                "reasons": reasons, "applicant_name": "孙八"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    let app_id = filed["id"].as_str().unwrap().to_string();
    let no = filed["tracking_no"].as_str().unwrap().to_string();
    let code = filed["access_code"].as_str().unwrap().to_string();
    let office = t.session_for(Role::CreditOffice, "320481", None).await;
    let uri = format!("/api/v1/applications/{app_id}");
    let (s, v) = t.call("GET", &uri, &office, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["body"]["reasons"],
        reasons.replace(&person, &id_number::mask(&person))
    );
    assert!(!v.to_string().contains(&person), "{v}");
    // The office accepts and answers, the answer typed with an ID number.
    let answer = format!("经核实，已督促该公司向{other}等人补发工资");
    for (step, version) in [
        (json!({"action": "accept", "expected_version": 1}), 1),
        (
            json!({"action": "answer", "expected_version": 2, "reasons": answer}),
            2,
        ),
    ] {
        let (s, v) = t
            .call("POST", &format!("{uri}/actions"), &office, Some(step))
            .await;
        assert_eq!(s, StatusCode::OK, "step at {version}: {v}");
    }
    let (_, v) = t.call("GET", &uri, &office, None).await;
    let text = v.to_string();
    assert!(!text.contains(&person) && !text.contains(&other), "{text}");
    assert!(text.contains(&id_number::mask(&other)), "{text}");
    // The applicant's view (with the access code): masked too.
    let req = Request::builder()
        .uri(format!("/api/v1/track/{no}"))
        .header("x-access-code", &code)
        .body(Body::empty())
        .unwrap();
    let resp = t.app.clone().oneshot(req).await.unwrap();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let mine = String::from_utf8_lossy(&bytes);
    assert!(!mine.contains(&person) && !mine.contains(&other), "{mine}");
    // In clear for personal_data_decrypt with a purpose, query-logged; not for a department.
    let open = format!("{uri}/free-text");
    let (s, v) = t
        .call(
            "POST",
            &open,
            &office,
            Some(json!({"purpose": "核实投诉人身份"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["texts"]["reasons"], reasons);
    assert!(
        v["texts"]
            .as_object()
            .unwrap()
            .iter()
            .any(|(k, x)| k.starts_with("steps.") && *x == answer),
        "{v}"
    );
    let dept = t
        .session_for(Role::SubmittingDepartment, "320481", Some(LIYANG_MARKET))
        .await;
    let (s, v) = t
        .call(
            "POST",
            &open,
            &dept,
            Some(json!({"purpose": "核实投诉人身份"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let logged = t
        .store
        .audit_events(&AuditFilter {
            kind: Some("query".into()),
            action: Some("application_texts_open".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(logged
        .iter()
        .any(|e| e.outcome == "ok" && e.detail["purpose"] == "核实投诉人身份"));
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}
both_backends!(id_numbers_in_complaints_are_masked_at_intake, complaint);
