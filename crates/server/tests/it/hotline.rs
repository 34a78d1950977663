//! Issue 19, second part, the story on both backends: a 12345 hotline export (CSV, then an
//! XLSX with a changed ticket) imported idempotently as complaint work items — duplicates,
//! unknown bodies, a body outside the importer's region, future dates, control characters and
//! hostile text each a row error with its code (or, for hostile text, stored and escaped);
//! one complaint taken from triage (分办) to a 查实 result that creates the 失信 record
//! 投诉举报查实 about the body, a dissatisfied reply reopened once (and not twice), another
//! complaint found 不属实 and rated 满意; the caller's contact sealed (opened by the credit office
//! with a purpose); 重点任务分工: a quarterly report, reminders before the quarter ends, the overdue flag
//! after it, the overview and its XLSX; a sibling region sees none of it; `verify` passes.
//! (The 政协提案 to satisfaction and the audit finding closed after an overdue reminder are the
//! story of `work_items.rs`.)

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_store::NewSubject;
use chengxin_testkit::*;
use chrono::NaiveDate;
use serde_json::json;

const OWNER: &str = "11320400MC0001015U";
const CO_UNIT: &str = "11320400MC0001023N";
const OFFICE_BODY: &str = "11320400MB0000003B";
const LIYANG: &str = "11320481MC0001058K";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A valid USCC of a 机关 in `region` with organisation code `org8` + its check character.
fn uscc(region: &str, org8: &str) -> String {
    let org = format!(
        "{org8}{}",
        chengxin_domain::codes::org_code::check_char(org8).unwrap()
    );
    let first = format!("11{region}{org}");
    format!(
        "{first}{}",
        chengxin_domain::codes::uscc::check_char(&first).unwrap()
    )
}

async fn subject(t: &TestApp, name: &str, code: &str, region: &str) {
    t.store
        .create_subject(
            "test",
            NewSubject {
                kind: Some(chengxin_domain::subjects::SubjectKind::GovBody),
                name: name.into(),
                uscc: Some(code.into()),
                id_hash: None,
                id_masked: None,
                region: Some(region.into()),
                parent_id: None,
                former_names: Vec::new(),
            },
        )
        .await
        .unwrap();
}

async fn upload(
    t: &TestApp,
    cred: &Cred,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let uri = format!("/api/v1/work-items/hotline?name={name}");
    t.post_bytes(&uri, cred, "application/octet-stream", bytes)
        .await
}

async fn step(
    t: &TestApp,
    cred: &Cred,
    id: &str,
    body: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    t.call(
        "POST",
        &format!("/api/v1/work-items/{id}/steps"),
        cred,
        Some(body),
    )
    .await
}

/// Take `action` (with `choice`) and expect it to pass; the item after it.
async fn ok_step(
    t: &TestApp,
    cred: &Cred,
    id: &str,
    action: &str,
    choice: Option<&str>,
) -> serde_json::Value {
    let (_, v) = t
        .call("GET", &format!("/api/v1/work-items/{id}"), cred, None)
        .await;
    let version = v["version"].as_i64().unwrap();
    let (s, v) = step(
        t,
        cred,
        id,
        json!({"action": action, "choice": choice, "text": format!("{action}：情况说明"),
               "expected_version": version}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{action}: {v}");
    v
}

fn codes(report: &serde_json::Value) -> Vec<(String, String)> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["ticket_no"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn story(t: TestApp) {
    let store = t.store.as_ref();
    let nanjing = uscc("320100", "MC000106");
    subject(&t, "常州市测试局", OWNER, "320400").await;
    subject(&t, "常州市测试协办局", CO_UNIT, "320400").await;
    subject(&t, "南京市测试局", &nanjing, "320100").await;
    subject(&t, "溧阳市测试局", LIYANG, "320481").await;
    let office = t
        .session_for(Role::CreditOffice, "320400", Some(OFFICE_BODY))
        .await;
    let owner = t
        .session_for(Role::SubmittingDepartment, "320400", Some(OWNER))
        .await;
    let sibling_office = t.session_for(Role::CreditOffice, "320481", None).await;
    let sibling_body = t
        .session_for(Role::SubmittingDepartment, "320481", Some(LIYANG))
        .await;

    // ---- the export: header aliases (工单号, 被投诉单位, 承办单位), good and bad rows ----
    let csv = format!(
        "工单号,来电时间,诉求内容,诉求类型,被投诉单位,涉及单位统一社会信用代码,区域,承办单位,办结时间,回访满意度,来电人,联系电话\n\
         T001,2025-05-06 09:30:00,该局承诺的企业奖补资金至今未兑现,投诉,常州市测试局,,常州市,,,,张三,13800000001\n\
         T002,2025/05/07 10:00,该局窗口办事推诿,投诉,常州市测试局,,,常州市测试协办局,,,李四,13800000002\n\
         T003,2025-05-08 11:00:00,某局拖欠工程款,投诉,常州市不存在局,,,,,,,\n\
         T004,2025-05-08 12:00:00,南京某局问题,投诉,南京市测试局,{nanjing},,,,,,\n\
         T005,2025-07-01 09:00:00,来自未来的工单,投诉,常州市测试局,,,,,,,\n\
         T006,2025-05-09 09:00:00,\"=HYPERLINK(\"\"http://x\"\")<script>alert(1)</script>\",举报,常州市测试局,,,,,,,\n\
         T001,2025-05-06 09:30:00,该局承诺的企业奖补资金至今未兑现,投诉,常州市测试局,,常州市,,,,张三,13800000001\n\
         T007,2025-05-10 09:00:00,含控制字符\u{7}的内容,投诉,常州市测试局,,,,,,,\n\
         T002,2025-05-07 10:00:00,同一工单号另一内容,投诉,常州市测试局,,,,,,,\n\
         T008,2025-05-10 09:00:00,区域不符,投诉,常州市测试局,,溧阳市,,,,,\n"
    );
    // Only the credit office imports; a body may not.
    let (s, _) = upload(&t, &owner, "12345.csv", csv.clone().into_bytes()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, r) = upload(&t, &office, "12345.csv", csv.clone().into_bytes()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (
            r["rows"].as_u64(),
            r["created"].as_u64(),
            r["unchanged"].as_u64(),
            r["failed"].as_u64()
        ),
        (Some(10), Some(3), Some(1), Some(6)),
        "{r}"
    );
    let mut got = codes(&r);
    got.sort();
    let want: Vec<(String, String)> = [
        ("T002", "ticket_duplicate_in_file"),
        ("T003", "body_unknown"),
        ("T004", "region_out_of_reach"),
        ("T005", "date_in_future"),
        ("T007", "control_characters"),
        ("T008", "region_mismatch"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want, "{r}");
    for e in r["errors"].as_array().unwrap() {
        assert!(!e["message"].as_str().unwrap().is_ascii(), "{e}");
    }
    // Imported again: nothing changes.
    let (_, again) = upload(&t, &office, "12345.csv", csv.clone().into_bytes()).await;
    assert_eq!(
        (
            again["created"].as_u64(),
            again["unchanged"].as_u64(),
            again["failed"].as_u64()
        ),
        (Some(0), Some(4), Some(6)),
        "{again}"
    );
    // An XLSX export where T001 changed: reported, not overwritten; a new ticket T009 comes in.
    let xlsx = chengxin_ingest::report::write_table_xlsx(
        "工单",
        &["工单编号", "来电时间", "诉求内容", "涉及单位", "办理单位"],
        vec![
            vec![
                "T001".into(),
                "2025-05-06 09:30:00".into(),
                "内容被改过".into(),
                "常州市测试局".into(),
                String::new(),
            ],
            vec![
                "T009".into(),
                "2025-05-20 08:00:00".into(),
                "新工单".into(),
                "常州市测试局".into(),
                String::new(),
            ],
        ],
    )
    .unwrap();
    let (s, x) = upload(&t, &office, "12345.xlsx", xlsx).await;
    assert_eq!(s, StatusCode::OK, "{x}");
    assert_eq!(
        (x["created"].as_u64(), x["failed"].as_u64()),
        (Some(1), Some(1)),
        "{x}"
    );
    assert_eq!(
        codes(&x),
        vec![("T001".to_string(), "ticket_changed".to_string())]
    );
    // A file without the needed columns is refused whole.
    let (s, v) = upload(&t, &office, "x.csv", "编号,内容\n1,2\n".as_bytes().to_vec()).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("header_missing")),
        "{v}"
    );

    // Oversized: over the hotline upload's 200 MiB limit, refused as it streams in, with a
    // Chinese message and nothing imported.
    let (s, v) = upload(
        &t,
        &office,
        "big.csv",
        vec![b'a'; chengxin_app::work::hotline::MAX_FILE_BYTES + 1],
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("payload_too_large")),
        "{v}"
    );
    assert!(v["message"].as_str().unwrap().contains("文件过大"), "{v}");

    // The sibling office imports the same file: every 常州 body is out of its reach.
    let (_, r) = upload(&t, &sibling_office, "12345.csv", csv.clone().into_bytes()).await;
    assert_eq!(r["created"].as_u64(), Some(0), "{r}");
    assert!(
        codes(&r)
            .iter()
            .any(|(n, c)| n == "T001" && c == "region_out_of_reach"),
        "{r}"
    );

    // ---- the complaints in the office's queue ----
    let (_, q) = t
        .call(
            "GET",
            "/api/v1/work-items?queue=region&kind=complaint",
            &office,
            None,
        )
        .await;
    let items = q["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 4, "{q}");
    let by_ref = |r: &str| {
        items
            .iter()
            .find(|i| i["ref_no"] == r)
            .unwrap_or_else(|| panic!("{r}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (c1, c2, c6) = (by_ref("T001"), by_ref("T002"), by_ref("T006"));
    let (_, v) = t
        .call("GET", &format!("/api/v1/work-items/{c1}"), &office, None)
        .await;
    assert_eq!(v["state"], "received", "{v}");
    assert_eq!(v["no"], "TS-12345-T001");
    assert_eq!(
        v["deadline"], "2025-05-27",
        "15 working days from 2025-05-06: {v}"
    );
    assert!(
        v["hotline"]["contact"].is_null() && v["hotline"]["has_contact"] == true,
        "never in clear in the view: {v}"
    );
    let (s, v) = t
        .call(
            "POST",
            &format!("/api/v1/work-items/{c1}/complainant"),
            &office,
            Some(json!({"purpose": "回访来电人"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["contact"], "张三 13800000001",
        "the office opens it with a purpose: {v}"
    );
    let (_, v) = t
        .call("GET", &format!("/api/v1/work-items/{c1}"), &owner, None)
        .await;
    assert_eq!(v["hotline"]["has_contact"], true);
    assert!(
        v["hotline"]["contact"].is_null(),
        "sealed for the body: {v}"
    );
    assert!(!v.to_string().contains("13800000001"));
    let (_, v) = t
        .call("GET", &format!("/api/v1/work-items/{c2}"), &office, None)
        .await;
    assert!(
        v["parties"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["party"] == "co"),
        "the 承办单位 is a co-handling unit: {v}"
    );

    // ---- T001: 分办 → 办理 → 查实 (the 失信 record) → 答复 → 不满意 → 重办 → 查实 again → … ----
    let (s, v) = step(
        &t,
        &owner,
        &c1,
        json!({"action": "assign", "text": "x", "expected_version": 1}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_your_step")),
        "{v}"
    );
    ok_step(&t, &office, &c1, "assign", None).await;
    ok_step(&t, &owner, &c1, "progress", None).await;
    let (_, v) = t
        .call("GET", &format!("/api/v1/work-items/{c1}"), &office, None)
        .await;
    let (s, e) = step(
        &t,
        &office,
        &c1,
        json!({"action": "result", "text": "x", "expected_version": v["version"]}),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("work_choice_required"))
    );
    let v = ok_step(&t, &office, &c1, "result", Some("verified")).await;
    assert_eq!(v["state"], "concluded", "{v}");
    let owner_subject = store.subject_by_uscc(OWNER).await.unwrap().unwrap();
    let subject_id = owner_subject.id;
    let records = || async move {
        store
            .records_of_subject(subject_id)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.type_code == "complaint_verified")
            .count()
    };
    assert_eq!(records().await, 1, "查实 records the 失信");
    ok_step(&t, &owner, &c1, "reply", None).await;
    let v = ok_step(&t, &office, &c1, "rate", Some("dissatisfied")).await;
    assert_eq!(v["state"], "dissatisfied");
    let v = ok_step(&t, &office, &c1, "reopen", None).await;
    assert_eq!(
        (v["state"].as_str(), v["reopens"].as_i64()),
        (Some("handling"), Some(1))
    );
    ok_step(&t, &office, &c1, "result", Some("verified")).await;
    assert_eq!(records().await, 1, "once per complaint");
    ok_step(&t, &owner, &c1, "reply", None).await;
    ok_step(&t, &office, &c1, "rate", Some("dissatisfied")).await;
    let (_, v) = t
        .call("GET", &format!("/api/v1/work-items/{c1}"), &office, None)
        .await;
    assert!(
        !v["next_actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["code"] == "reopen"),
        "reopened once only: {v}"
    );
    let (s, e) = step(
        &t,
        &office,
        &c1,
        json!({"action": "reopen", "text": "再办", "expected_version": v["version"]}),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (StatusCode::CONFLICT, Some("work_reopen_limit")),
        "{e}"
    );
    let v = ok_step(&t, &office, &c1, "close", None).await;
    assert_eq!(
        (v["state"].as_str(), v["outcome"].as_str()),
        (Some("closed"), Some("dissatisfied"))
    );

    // ---- T002: 不属实, 满意 ----
    ok_step(&t, &office, &c2, "assign", None).await;
    ok_step(&t, &office, &c2, "result", Some("unfounded")).await;
    ok_step(&t, &owner, &c2, "reply", None).await;
    let v = ok_step(&t, &office, &c2, "rate", Some("satisfied")).await;
    assert_eq!(
        (v["state"].as_str(), v["outcome_name"].as_str()),
        (Some("closed"), Some("满意"))
    );
    assert_eq!(records().await, 1, "不属实 records nothing");

    // ---- hostile text: stored as given, escaped in the page ----
    let (s, html) = t
        .call("GET", &format!("/console/work/{c6}"), &office, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let html = html.as_str().unwrap().to_string();
    assert!(html.contains("投诉举报") && html.contains("T006"), "{html}");
    assert!(!html.contains("<script>alert(1)"), "escaped");
    let (_, html) = t
        .call("GET", &format!("/console/work/{c1}"), &owner, None)
        .await;
    let html = html.as_str().unwrap().to_string();
    assert!(
        html.contains("12345 热线工单") && html.contains("已加密保存"),
        "{html}"
    );
    assert!(!html.contains("13800000001"));
    let (_, html) = t
        .call("GET", &format!("/console/work/{c1}"), &office, None)
        .await;
    let html = html.as_str().unwrap().to_string();
    assert!(!html.contains("13800000001") && html.contains("查看联系方式"));
    let (_, html) = t.call("GET", "/console/work", &office, None).await;
    assert!(html.as_str().unwrap().contains("导入 12345 热线工单"));

    // ---- a sibling region sees none of it ----
    for id in [&c1, &c2, &c6] {
        for cred in [&sibling_office, &sibling_body] {
            let (s, _) = t
                .call("GET", &format!("/api/v1/work-items/{id}"), cred, None)
                .await;
            assert_eq!(s, StatusCode::NOT_FOUND);
        }
    }
    let (_, q) = t
        .call(
            "GET",
            "/api/v1/work-items?queue=region",
            &sibling_office,
            None,
        )
        .await;
    assert_eq!(q["items"].as_array().unwrap().len(), 0, "{q}");

    // ---- 重点任务分工 (2026 Q2) ----
    let fgw = uscc("320400", "MC000201");
    let czj = uscc("320400", "MC000202");
    let bgs = uscc("320400", "MC000203");
    subject(&t, "常州市发展和改革委员会", &fgw, "320400").await;
    subject(&t, "常州市财政局", &czj, "320400").await;
    subject(&t, "常州市人民政府办公室", &bgs, "320400").await;
    let fgw_cred = t
        .session_for(Role::SubmittingDepartment, "320400", Some(&fgw))
        .await;
    let june = t.on_day(d("2026-06-02"));
    let r = chengxin_app::work::tasks::remind(store, d("2026-06-02"))
        .await
        .unwrap();
    assert_eq!(r.reminders, 0, "too early: {r:?}");
    let r = chengxin_app::work::tasks::remind(store, d("2026-06-17"))
        .await
        .unwrap();
    assert!(r.reminders >= 5 && r.notifications >= 5, "{r:?}");
    let again = chengxin_app::work::tasks::remind(store, d("2026-06-18"))
        .await
        .unwrap();
    assert_eq!(again.notifications, 0, "once: {again:?}");
    let report = json!({"task": "gov_commitments_ledger", "quarter": "2026Q2",
        "text": "已建立政府承诺事项台账，梳理承诺 37 项。",
        "attachments": [{"name": "台账.xlsx", "size": 2048, "sha256": "b".repeat(64)}]});
    let (s, v) = june
        .call(
            "POST",
            "/api/v1/work-tasks/reports",
            &fgw_cred,
            Some(report.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["status"].as_str(), v["lead"].as_bool()),
        (Some("reported"), Some(true))
    );
    let (s, v) = june
        .call(
            "POST",
            "/api/v1/work-tasks/reports",
            &fgw_cred,
            Some(report.clone()),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("task_report_exists"))
    );
    let mut bad = report.clone();
    bad["task"] = json!("complaint_channel");
    let (s, v) = june
        .call("POST", "/api/v1/work-tasks/reports", &fgw_cred, Some(bad))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_task_unit")),
        "{v}"
    );
    let mut bad = report.clone();
    bad["quarter"] = json!("2026Q3");
    let (s, v) = june
        .call("POST", "/api/v1/work-tasks/reports", &fgw_cred, Some(bad))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("quarter_in_future")),
        "{v}"
    );
    let mut bad = report.clone();
    bad["text"] = json!(" ");
    bad["task"] = json!("clear_arrears");
    let (s, v) = june
        .call("POST", "/api/v1/work-tasks/reports", &fgw_cred, Some(bad))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("field_required")),
        "{v}"
    );
    // The overview: the office sees every task; the unit its own; the sibling nothing.
    let (s, o) = june
        .call("GET", "/api/v1/work-tasks?quarter=2026Q2", &office, None)
        .await;
    assert_eq!(s, StatusCode::OK, "{o}");
    let ledger = o["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["code"] == "gov_commitments_ledger")
        .unwrap()
        .clone();
    assert_eq!(ledger["reported"], 1, "{ledger}");
    assert_eq!(ledger["units"][0]["status_name"], "已按期报送");
    assert_eq!(ledger["units"][1]["status"], "pending");
    let (_, mine) = june
        .call("GET", "/api/v1/work-tasks?quarter=2026Q2", &fgw_cred, None)
        .await;
    assert!(mine["tasks"].as_array().unwrap().len() < o["tasks"].as_array().unwrap().len());
    let (s, _) = june
        .call(
            "GET",
            "/api/v1/work-tasks?quarter=2026Q2",
            &sibling_office,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = june
        .call("GET", "/api/v1/work-tasks?quarter=Q9", &office, None)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, body) = june
        .call(
            "GET",
            "/api/v1/work-tasks.xlsx?quarter=2026Q2",
            &office,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.as_str().unwrap().starts_with("PK"), "an XLSX (zip)");
    // The same overview as a PDF for the leadership group: it opens, and its text holds
    // every task's name (the characters the PDF's ToUnicode map declares).
    let (_, overview) = june
        .call("GET", "/api/v1/work-tasks?quarter=2026Q2", &office, None)
        .await;
    let pdf = get_raw(&june, "/api/v1/work-tasks.pdf?quarter=2026Q2", &office).await;
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let chars = pdf_chars(&pdf);
    let tasks = overview["tasks"].as_array().unwrap();
    assert!(!tasks.is_empty());
    for k in tasks {
        let name = k["name"].as_str().unwrap();
        assert!(
            name.chars()
                .filter(|c| !c.is_whitespace())
                .all(|c| chars.contains(&c)),
            "{name} is printed"
        );
    }
    let (s, _) = june
        .call(
            "GET",
            "/api/v1/work-tasks.pdf?quarter=2026Q2",
            &sibling_office,
            None,
        )
        .await;
    assert_ne!(s, StatusCode::OK, "not the sibling's");
    let (s, html) = june
        .call("GET", "/console/work/tasks?quarter=2026Q2", &office, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let html = html.as_str().unwrap().to_string();
    for want in [
        "重点任务分工",
        "建立政府守信践诺台账",
        "已按期报送",
        "待报送",
        "导出 XLSX",
    ] {
        assert!(html.contains(want), "{want}");
    }
    let (_, html) = june
        .call("GET", "/console/work/tasks?quarter=2026Q2", &fgw_cred, None)
        .await;
    assert!(
        html.as_str().unwrap().contains("报送本单位进展"),
        "a unit reports from the page"
    );
    // After the quarter: the units that did not report are flagged, once.
    let r = chengxin_app::work::tasks::remind(store, d("2026-07-01"))
        .await
        .unwrap();
    assert!(r.overdue >= 4, "{r:?}");
    let july = t.on_day(d("2026-07-01"));
    let (_, o) = july
        .call("GET", "/api/v1/work-tasks?quarter=2026Q2", &office, None)
        .await;
    let ledger = o["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["code"] == "gov_commitments_ledger")
        .unwrap()
        .clone();
    assert_eq!(ledger["units"][1]["status"], "overdue", "{ledger}");
    assert_eq!(ledger["overdue"], 2, "{ledger}");

    assert_log_verifies(store).await;
    t.cleanup().await;
}

both_backends!(hotline_story, story);

/// The raw bytes of a GET.
async fn get_raw(t: &TestApp, uri: &str, cred: &Cred) -> Vec<u8> {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut req = axum::http::Request::builder().method("GET").uri(uri);
    if let Cred::Session { cookie, csrf } = cred {
        req = req
            .header("cookie", format!("cx_session={cookie}"))
            .header("x-csrf-token", csrf);
    }
    let resp = t
        .app
        .clone()
        .oneshot(req.body(axum::body::Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec()
}

/// The characters a PDF's ToUnicode maps declare (its compressed streams inflated).
fn pdf_chars(pdf: &[u8]) -> std::collections::HashSet<char> {
    use std::io::Read;
    let mut out = std::collections::HashSet::new();
    let mut i = 0;
    while let Some(p) = find(&pdf[i..], b"stream") {
        let mut start = i + p + 6;
        while start < pdf.len() && (pdf[start] == b'\r' || pdf[start] == b'\n') {
            start += 1;
        }
        let Some(end) = find(&pdf[start..], b"endstream") else {
            break;
        };
        let mut text = Vec::new();
        let mut z = flate2::read::ZlibDecoder::new(&pdf[start..start + end]);
        if z.read_to_end(&mut text).is_ok() {
            let text = String::from_utf8_lossy(&text);
            if let Some(b) = text.find("beginbfchar") {
                for line in text[b..].lines() {
                    let hexes: Vec<&str> = line
                        .split(['<', '>'])
                        .filter(|h| !h.trim().is_empty())
                        .collect();
                    if let [_, u] = hexes.as_slice() {
                        let units: Vec<u16> = (0..u.len() / 4)
                            .filter_map(|k| u16::from_str_radix(&u[k * 4..k * 4 + 4], 16).ok())
                            .collect();
                        out.extend(char::decode_utf16(units).filter_map(Result::ok));
                    }
                }
            }
        }
        i = start + end + 9;
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
