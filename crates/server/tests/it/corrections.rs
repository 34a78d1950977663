//! 更正 changes the fields it names, and only those (issue 15, point 2). Before, a correction —
//! the console's form and the objection's `check … correct` step alike — *replaced* a record's
//! fields with the JSON object given: correcting 处罚内容 left a published 行政处罚 with nothing
//! else, and a court judgment could be given an `outcome` the catalog does not allow, still
//! shown to the public.
//!
//! Now: the fields not named stay; the corrected record is checked against its catalog type
//! like an imported row (invalid → `correction_invalid` with the problem of each field, the
//! record unchanged); the history keeps each changed field before and after (ID numbers
//! masked); the console offers a form per field of the type, never a JSON text area.

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_app::imports::{import_file, ImportRequest};
use chengxin_domain::codes::id_number;
use chengxin_domain::records::{Record, RecordStatus};
use chengxin_domain::subjects::IdHasher;
use chengxin_testkit::{assert_log_verifies, both_backends, Cred, TestApp};
use serde_json::{json, Value};

/// The submitting department (武进 market regulator's stand-in), a valid USCC.
const DEPT: &str = "11320400MB00000002";
const COMPANY: &str = "91320412MA1MXK2L83";
const GOV_BODY: &str = "11320412MB0000019B";

/// A valid ID number of the company's legal representative (stored masked only).
fn rep_id() -> String {
    let body = "32041219800101123";
    format!("{body}{}", id_number::check_char(body).unwrap())
}

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2025, 6, 2).unwrap()
}

/// Import one file through the real import (mapping, validation, masking) and return the
/// record it created.
async fn import(t: &TestApp, type_code: &str, name: &str, csv: String, uscc: &str) -> Record {
    std::fs::create_dir_all(&t.dir).unwrap();
    let file = t.dir.join(name);
    std::fs::write(&file, csv).unwrap();
    let s = import_file(
        t.store.clone(),
        IdHasher::new([3; 32]),
        file,
        ImportRequest {
            type_code: type_code.into(),
            source_dept: DEPT.into(),
            file_name: Some(name.into()),
            sheet: None,
            published_at: None,
            actor: "test".into(),
            today: today(),
            delegations: None,
            rejects: Default::default(),
        },
    )
    .await
    .unwrap();
    assert_eq!((s.batch.created, s.batch.rejected), (1, 0), "{:?}", s.batch);
    let subject = t.store.subject_by_uscc(uscc).await.unwrap().unwrap();
    let mut records = t.store.records_of_subject(subject.id).await.unwrap();
    assert_eq!(records.len(), 1);
    records.remove(0)
}

/// A published 行政处罚 against the company.
async fn penalty(t: &TestApp) -> Record {
    let csv = format!(
        "行政相对人名称,行政相对人类别,行政相对人代码_1(统一社会信用代码),法定代表人,法定代表人证件类型,法定代表人证件号码,\
         行政处罚决定书文号,违法行为类型,违法事实,处罚依据,处罚类别,处罚内容,罚款金额（万元）,处罚决定日期,处罚有效期,公示截止期,\
         处罚机关,处罚机关统一社会信用代码,数据来源单位,数据来源单位统一社会信用代码\n\
         常州甲公司,法人及非法人组织,{COMPANY},张三,身份证,{id},常武市监罚〔2025〕7号,虚假宣传,在网店发布虚假广告,\
         《中华人民共和国广告法》第五十五条,罚款,罚款人民币伍万元整,5,2025-05-20,2025-11-20,2026-05-20,\
         常州市武进区市场监督管理局,{DEPT},常州市武进区市场监督管理局,{DEPT}\n",
        id = rep_id()
    );
    let r = import(t, "admin_penalty", "penalty.csv", csv, COMPANY).await;
    assert_eq!(r.status, RecordStatus::Published);
    assert!(r.fields.len() > 15, "{:?}", r.fields);
    r
}

/// A published court judgment against a government body.
async fn judgment(t: &TestApp) -> Record {
    let csv = format!(
        "当事人名称,统一社会信用代码,诉讼地位,案件类型,案号,案由,审理法院,裁判结果,裁判日期\n\
         常州市武进区某局,{GOV_BODY},被告,行政案件,（2025）苏04行初12号,行政许可,常州市中级人民法院,败诉,2025-05-20\n"
    );
    let r = import(t, "court_judgment", "judgment.csv", csv, GOV_BODY).await;
    assert_eq!(r.status, RecordStatus::Published);
    r
}

async fn office(t: &TestApp) -> Cred {
    t.session_for(Role::CreditOffice, "320400", None).await
}

async fn correct(
    t: &TestApp,
    who: &Cred,
    r: &Record,
    version: i64,
    fields: Value,
) -> (StatusCode, Value) {
    t.call(
        "POST",
        &format!("/api/v1/records/{}/transitions", r.id),
        who,
        Some(
            json!({"action": "correct", "expected_version": version, "fields": fields,
                    "note": "文书录入有误"}),
        ),
    )
    .await
}

async fn stored(t: &TestApp, r: &Record) -> Record {
    t.store.record(r.id).await.unwrap().unwrap()
}

/// Every field but `except` is as before.
fn others_kept(before: &Record, after: &Record, except: &[&str]) {
    for (k, v) in &before.fields {
        if !except.contains(&k.as_str()) {
            assert_eq!(after.fields.get(k), Some(v), "{k} was kept");
        }
    }
    for k in after.fields.keys() {
        assert!(
            before.fields.contains_key(k) || except.contains(&k.as_str()),
            "{k} appeared"
        );
    }
}

async fn one_field_story(t: TestApp) {
    let r = penalty(&t).await;
    let office = office(&t).await;
    let (s, v) = correct(
        &t,
        &office,
        &r,
        r.version,
        json!({"penalty_content": "罚款人民币贰万元整"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let after = stored(&t, &r).await;
    assert_eq!(after.version, r.version + 1);
    assert_eq!(after.status, RecordStatus::Published, "still published");
    assert_eq!(after.fields["penalty_content"], "罚款人民币贰万元整");
    others_kept(&r, &after, &["penalty_content"]);
    assert_eq!(
        (&after.subject_name, &after.doc_no, after.decision_date),
        (&r.subject_name, &r.doc_no, r.decision_date)
    );
    assert_eq!(after.publish_until, r.publish_until);

    // The public still sees the whole record; its history shows the change, before and after.
    let (s, v) = t
        .call(
            "GET",
            &format!("/api/v1/records/{}", r.id),
            &Cred::None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["record"]["fields"]["violation_facts"],
        "在网店发布虚假广告"
    );
    let last = v["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "correct");
    assert_eq!(
        last["changes"],
        json!([{"field": "penalty_content", "before": "罚款人民币伍万元整",
                "after": "罚款人民币贰万元整"}]),
        "{last}"
    );
    // The creation entry changed nothing field by field.
    assert!(v["history"][0].get("changes").is_none(), "{v}");

    // An ID number inside the fields stays masked, in the record and in the history.
    let new_id = {
        let body = "32041219850505456";
        format!("{body}{}", id_number::check_char(body).unwrap())
    };
    let masked_before = r.fields["legal_rep_id_no"].as_str().unwrap().to_string();
    assert!(masked_before.contains('*'));
    let (s, v) = correct(
        &t,
        &office,
        &r,
        after.version,
        json!({"legal_rep": "李四", "legal_rep_id_no": new_id}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let text = v.to_string();
    assert!(
        !text.contains(&new_id) && !text.contains(&rep_id()),
        "{text}"
    );
    let history = t.store.record_history(r.id).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.changes.len(), 2);
    let id_change = last
        .changes
        .iter()
        .find(|c| c.field == "legal_rep_id_no")
        .unwrap();
    assert_eq!(id_change.before, Some(json!(masked_before)));
    assert_eq!(id_change.after, Some(json!(id_number::mask(&new_id))));
    let (_, v) = t
        .call(
            "GET",
            &format!("/api/v1/records/{}", r.id),
            &Cred::None,
            None,
        )
        .await;
    assert!(!v.to_string().contains(&new_id), "{v}");

    // A file's correction (the row submitted again, changed) keeps its before/after too.
    let file = t.dir.join("penalty.csv");
    let csv = std::fs::read_to_string(&file)
        .unwrap()
        .replace("罚款人民币伍万元整", "罚款人民币叁万元整");
    std::fs::write(&file, csv).unwrap();
    let s = import_file(
        t.store.clone(),
        IdHasher::new([3; 32]),
        file,
        ImportRequest {
            type_code: "admin_penalty".into(),
            source_dept: DEPT.into(),
            file_name: Some("penalty.csv".into()),
            sheet: None,
            published_at: None,
            actor: "test".into(),
            today: today(),
            delegations: None,
            rejects: Default::default(),
        },
    )
    .await
    .unwrap();
    assert_eq!(s.batch.corrected, 1, "{:?}", s.batch);
    let history = t.store.record_history(r.id).await.unwrap();
    let last = history.last().unwrap();
    let content = last
        .changes
        .iter()
        .find(|c| c.field == "penalty_content")
        .unwrap();
    assert_eq!(content.before, Some(json!("罚款人民币贰万元整")));
    assert_eq!(content.after, Some(json!("罚款人民币叁万元整")));
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}

both_backends!(correcting_one_field_keeps_the_others, one_field_story);

async fn invalid_story(t: TestApp) {
    let office = office(&t).await;
    let j = judgment(&t).await;
    // An outcome the catalog does not allow for a court judgment.
    let (s, v) = correct(&t, &office, &j, j.version, json!({"outcome": "胜诉"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["code"], "correction_invalid", "{v}");
    assert_eq!(v["problems"][0]["field"], "outcome", "{v}");
    assert_eq!(v["problems"][0]["title"], "裁判结果", "{v}");
    assert_eq!(v["problems"][0]["code"], "invalid_enum", "{v}");
    let msg = v["message"].as_str().unwrap();
    assert!(
        msg.contains("裁判结果") && msg.contains("未作任何修改"),
        "{msg}"
    );
    assert_eq!(stored(&t, &j).await, j, "unchanged");

    let p = penalty(&t).await;
    // A required field emptied, with another, valid, change in the same patch.
    let (s, v) = correct(
        &t,
        &office,
        &p,
        p.version,
        json!({"penalty_content": null, "remarks": "补充"}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["code"], "correction_invalid");
    assert_eq!(v["problems"][0]["field"], "penalty_content", "{v}");
    assert_eq!(v["problems"][0]["code"], "required", "{v}");
    // A field the type does not have; an empty patch; the subject's code; the document number.
    for (fields, code) in [
        (json!({"amount": "2000"}), "correction_unknown_field"),
        (json!({}), "correction_empty"),
        (json!({"uscc": GOV_BODY}), "correction_identity_field"),
        (
            json!({"decision_doc_no": "常武市监罚〔2025〕8号"}),
            "correction_identity_field",
        ),
        (
            json!({"penalty_content": "罚款人民币伍万元整"}),
            "correction_no_change",
        ),
        (json!({"decision_date": "2025-07-01"}), "correction_invalid"),
    ] {
        let (s, v) = correct(&t, &office, &p, p.version, fields.clone()).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{fields}: {v}"
        );
    }
    // Nothing changed: same version, same content, no history entry.
    assert_eq!(stored(&t, &p).await, p);
    assert_eq!(t.store.record_history(p.id).await.unwrap().len(), 1);
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}

both_backends!(invalid_corrections_change_nothing, invalid_story);

async fn step(t: &TestApp, who: &Cred, app_id: &str, body: Value) -> (StatusCode, Value) {
    t.call(
        "POST",
        &format!("/api/v1/applications/{app_id}/actions"),
        who,
        Some(body),
    )
    .await
}

/// An objection filed against `r` and accepted by the credit office: (id, version).
async fn accepted_objection(t: &TestApp, r: &Record, office: &Cred) -> (String, i64) {
    let (s, filed) = t
        .call(
            "POST",
            "/api/v1/objections",
            &Cred::None,
            Some(json!({
                "target_kind": "record", "target_id": r.id,
                "reasons": "处罚内容录入错误，应为罚款二万元", "applicant_name": "王五",
                "contact": "13800001111"
            })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    let id = filed["id"].as_str().unwrap().to_string();
    let (s, v) = step(
        t,
        office,
        &id,
        json!({"action": "accept", "expected_version": filed["version"]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    (id, v["version"].as_i64().unwrap())
}

async fn objection_story(t: TestApp) {
    let p = penalty(&t).await;
    let office = office(&t).await;
    let dept = t
        .session_for(Role::SubmittingDepartment, "320400", Some(DEPT))
        .await;
    let (app_id, version) = accepted_objection(&t, &p, &office).await;
    let check = |fields: Value| {
        json!({"action": "check", "finding": "correct", "expected_version": version,
               "reasons": "核实处罚内容录入有误", "fields": fields})
    };
    // Invalid: refused with the same codes; neither the record nor the objection moves.
    for (fields, code) in [
        (json!({"fine_amount": "二万"}), "correction_invalid"),
        (json!({"penalty_content": ""}), "correction_invalid"),
        (json!({"amount": "2"}), "correction_unknown_field"),
        (json!({}), "fields_required"),
    ] {
        let (s, v) = step(&t, &dept, &app_id, check(fields.clone())).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{fields}: {v}"
        );
    }
    let (s, v) = step(&t, &dept, &app_id, check(json!({"fine_amount": "abc"}))).await;
    assert_eq!(v["problems"][0]["field"], "fine_amount", "{s} {v}");
    assert_eq!(stored(&t, &p).await, p);
    let row = t
        .store
        .application(app_id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.state.as_str(), row.version), ("accepted", version));

    // The fields named only.
    let (s, v) = step(
        &t,
        &dept,
        &app_id,
        check(json!({"penalty_content": "罚款人民币贰万元整", "fine_amount": "2"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "checked");
    let after = stored(&t, &p).await;
    assert_eq!(after.version, p.version + 1);
    assert_eq!(after.fields["penalty_content"], "罚款人民币贰万元整");
    assert_eq!(after.fields["fine_amount"], "2");
    others_kept(&p, &after, &["penalty_content", "fine_amount"]);
    let history = t.store.record_history(p.id).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.action, "correct");
    let changed: Vec<_> = last.changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(changed, ["penalty_content", "fine_amount"]);
    assert_eq!(last.changes[1].before, Some(json!("5")));
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}

both_backends!(objection_correct_step_patches_the_record, objection_story);

/// `&amp;` and friends back to text (maud escapes `& < > "`).
fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The value of attribute `name` in one tag's text.
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(unescape(&tag[start..start + len]))
}

/// The tags of a page that carry `marker`, each as its text from `<` to `>`.
fn tags_with<'a>(page: &'a str, marker: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = page[from..].find(marker) {
        let at = from + i;
        let start = page[..at].rfind('<').unwrap();
        let end = at + page[at..].find('>').unwrap();
        out.push(&page[start..=end]);
        from = end;
    }
    out
}

/// The per-field inputs of the correction box `box_id`: (field, original value).
fn form_fields(page: &str, box_id: &str) -> Vec<(String, String)> {
    let start = page
        .find(&format!("id=\"{box_id}\""))
        .unwrap_or_else(|| panic!("no {box_id}"));
    tags_with(&page[start..], "data-field=")
        .into_iter()
        .map(|t| {
            (
                attr(t, "data-field").unwrap(),
                attr(t, "data-original").unwrap_or_default(),
            )
        })
        .collect()
}

async fn console_story(t: TestApp) {
    let p = penalty(&t).await;
    let office = office(&t).await;
    let uri = format!("/console/records/{}", p.id);
    let (s, page) = t.call("GET", &uri, &office, None).await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap().to_string();
    // Never a raw JSON text area.
    assert!(!page.contains("data-json"), "JSON text area still offered");
    assert!(!page.contains("id=\"correct-fields\""));
    // One input per field of the type, labelled with the catalog's title, prefilled.
    let fields = form_fields(&page, "correct-form");
    let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
    for f in [
        "penalty_content",
        "violation_facts",
        "fine_amount",
        "decision_date",
        "remarks",
    ] {
        assert!(names.contains(&f), "{f} in {names:?}");
    }
    // The record's identifiers are shown, not offered.
    for f in ["decision_doc_no", "uscc", "subject_category"] {
        assert!(!names.contains(&f), "{f} is not correctable");
    }
    for title in [
        "处罚内容",
        "违法事实",
        "罚款金额（万元）",
        "处罚决定日期",
        "行政处罚决定书文号",
    ] {
        assert!(page.contains(title), "{title}");
    }
    let original = |n: &str| fields.iter().find(|(f, _)| f == n).unwrap().1.clone();
    assert_eq!(original("penalty_content"), "罚款人民币伍万元整");
    assert_eq!(original("fine_amount"), "5");
    // No ID number in clear anywhere on the page (the form shows the stored mask).
    assert!(!page.contains(&rep_id()));
    assert_eq!(original("legal_rep_id_no"), id_number::mask(&rep_id()));

    // Submitting it as the page's script does: the changed field only.
    let button = tags_with(&page, "data-patch=\"fields=correct-form\"")[0];
    let api = attr(button, "data-api").unwrap();
    let mut body: Value = serde_json::from_str(&attr(button, "data-body").unwrap()).unwrap();
    let edited = [("penalty_content", "罚款人民币贰万元整")];
    let mut patch = serde_json::Map::new();
    for (name, was) in &fields {
        let now = edited
            .iter()
            .find(|(n, _)| n == name)
            .map_or(was.as_str(), |(_, v)| *v);
        if now.trim() != was.trim() {
            patch.insert(name.clone(), json!(now));
        }
    }
    body["fields"] = Value::Object(patch);
    body["note"] = json!("处罚内容录入有误");
    let (s, v) = t.call("POST", &api, &office, Some(body)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let after = stored(&t, &p).await;
    assert_eq!(after.fields["penalty_content"], "罚款人民币贰万元整");
    others_kept(&p, &after, &["penalty_content"]);

    // The history view shows the field before and after.
    let (_, page) = t.call("GET", &uri, &office, None).await;
    let page = page.as_str().unwrap().to_string();
    assert!(
        page.contains("<del>罚款人民币伍万元整</del> → <ins>罚款人民币贰万元整</ins>"),
        "{page}"
    );

    // A court judgment's outcome is a select of the catalog's values.
    let j = judgment(&t).await;
    let (_, page) = t
        .call("GET", &format!("/console/records/{}", j.id), &office, None)
        .await;
    let page = page.as_str().unwrap().to_string();
    let select = tags_with(&page, "data-field=\"outcome\"")[0];
    assert!(select.starts_with("<select"), "{select}");
    for label in ["败诉", "部分败诉", "有罪判决"] {
        assert!(page.contains(&format!(">{label}</option>")), "{label}");
    }

    // The objection's check step offers the same per-field form to the department.
    let dept = t
        .session_for(Role::SubmittingDepartment, "320400", Some(DEPT))
        .await;
    let (app_id, _) = accepted_objection(&t, &after, &office).await;
    let (s, page) = t
        .call(
            "GET",
            &format!("/console/applications/{app_id}"),
            &dept,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap().to_string();
    assert!(!page.contains("data-json"), "JSON text area still offered");
    let fields = form_fields(&page, "check-form");
    assert!(fields
        .iter()
        .any(|(n, v)| n == "penalty_content" && v == "罚款人民币贰万元整"));
    assert!(!page.contains(&rep_id()));
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}

both_backends!(console_correction_form_is_per_field, console_story);
