//! 拟认定 picks the recognising body from a searchable list (issue 17), on both backends: the
//! form lists the bodies in the office's reach by name with their USCC beside, no code to
//! type; a body picked (`名称 USCC`) or typed by its exact name is stored with both; a name
//! not in the list is refused in Chinese; a body outside the office's reach is not offered.

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_testkit::*;
use serde_json::json;

/// 常州市武进区人力资源和社会保障局 (`data/authority/delegations.toml`).
const WUJIN_HR: &str = "11320412MB00000276";
const COMPANY: &str = "91320412MA1MXK2L83";

async fn picker(t: TestApp) {
    t.import(WUJIN_HR, vec![import_row(2, "武进罚1", "2025-03-03")])
        .await;
    let office = t.session_for(Role::CreditOffice, "320412", None).await;
    let (s, page) = t.call("GET", "/console/lists", &office, None).await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap().to_string();
    assert!(page.contains("<datalist id=\"p-body-list\">"), "{page}");
    assert!(
        page.contains(&format!(
            "value=\"常州市武进区人力资源和社会保障局 {WUJIN_HR}\""
        )),
        "{page}"
    );
    assert!(page.contains("list=\"p-body-list\""));
    // 溧阳's bodies are not the 武进 office's to pick.
    assert!(!page.contains("溧阳市人民政府"), "{page}");
    let form = |body: &str, list: &str| {
        json!({"list": list, "subject": COMPANY, "standard": "拒不履行法定义务",
            "basis": "《江苏省社会信用条例》第三十条", "recognised_by_uscc": body,
            "evidence": "武进罚1"})
    };
    // Picked from the list.
    let (s, v) = t
        .call(
            "POST",
            "/console/lists/propose",
            &office,
            Some(form(
                &format!("常州市武进区人力资源和社会保障局 {WUJIN_HR}"),
                "serious_dishonest",
            )),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let row = t
        .store
        .list_entry(v["id"].as_str().unwrap().parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.entry["recognised_by"],
        "常州市武进区人力资源和社会保障局"
    );
    assert_eq!(row.entry["recognised_by_uscc"], WUJIN_HR);
    // Typed by its exact name.
    let (s, v) = t
        .call(
            "POST",
            "/console/lists/propose",
            &office,
            Some(form("常州市武进区人力资源和社会保障局", "watch_list")),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let row = t
        .store
        .list_entry(v["id"].as_str().unwrap().parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.entry["recognised_by_uscc"], WUJIN_HR);
    // A name that is not a listed body.
    let (s, v) = t
        .call(
            "POST",
            "/console/lists/propose",
            &office,
            Some(form("武进某局", "serious_dishonest")),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["code"], "recognising_body_code_required");
    assert!(v["message"].as_str().unwrap().contains("从列表中选择"));
    t.cleanup().await;
}
both_backends!(the_recognising_body_is_picked_by_name, picker);
