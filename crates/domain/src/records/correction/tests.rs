use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::{json, Map, Value};

use super::*;
use crate::catalog::Catalog;
use crate::codes::{id_number, org_code, uscc};
use crate::intake::{map_columns, validate_row};
use crate::records::{Record, RecordStatus};
use crate::regions::RegionTable;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn today() -> NaiveDate {
    d("2025-06-30")
}

fn regions() -> &'static RegionTable {
    RegionTable::national()
}

fn rt(code: &str) -> &'static RecordType {
    Catalog::default_checked().unwrap().get(code).unwrap()
}

fn make_uscc(prefix: &str, region: &str, org8: &str) -> String {
    let org = format!("{org8}{}", org_code::check_char(org8).unwrap());
    let body = format!("{prefix}{region}{org}");
    format!("{body}{}", uscc::check_char(&body).unwrap())
}

fn make_id(region: &str, birth: &str, seq: &str) -> String {
    let body = format!("{region}{birth}{seq}");
    format!("{body}{}", id_number::check_char(&body).unwrap())
}

fn authority() -> String {
    make_uscc("11", "320402", "01414000")
}

/// A record as an import stores it: the row validated, ID numbers masked.
fn stored(type_code: &str, values: &[(&str, String)]) -> Record {
    let rt = rt(type_code);
    let headers: Vec<String> = rt.fields.iter().map(|f| f.title.clone()).collect();
    let (map, _) = map_columns(rt, &headers).unwrap();
    let cells: Vec<String> = rt
        .fields
        .iter()
        .map(|f| {
            values
                .iter()
                .find(|(n, _)| *n == f.name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        })
        .collect();
    let v = validate_row(rt, &map, 1, &cells, regions(), today()).unwrap();
    let at = Utc.with_ymd_and_hms(2025, 6, 2, 8, 0, 0).unwrap();
    Record {
        id: uuid::Uuid::nil(),
        type_code: type_code.into(),
        subject_id: None,
        subject_name: v.subject.name,
        doc_no: v.doc_no,
        decision_date: v.decision_date,
        source_dept: authority(),
        batch_id: None,
        fields: v.fields,
        severity: v.severity.map(|s| s.code().to_string()),
        status: RecordStatus::Published,
        tolerated: false,
        published_at: Some(at),
        publish_until: Some(d("2026-06-01")),
        content_digest: v.content_digest,
        version: 3,
        created_at: at,
        updated_at: at,
    }
}

fn penalty() -> Record {
    let auth = authority();
    stored(
        "admin_penalty",
        &[
            ("subject_name", "常州某某科技有限公司".into()),
            ("subject_category", "法人及非法人组织".into()),
            ("uscc", make_uscc("91", "320402", "MA1MY3B5")),
            ("legal_rep", "张三".into()),
            ("legal_rep_id_type", "身份证".into()),
            ("legal_rep_id_no", make_id("320402", "19800101", "123")),
            ("decision_doc_no", "常天市监处罚〔2025〕12号".into()),
            ("violation_type", "虚假宣传".into()),
            ("violation_facts", "当事人发布虚假广告。".into()),
            ("penalty_basis", "《中华人民共和国广告法》第五十五条".into()),
            ("penalty_category", "罚款".into()),
            ("penalty_content", "罚款人民币伍万元整".into()),
            ("fine_amount", "5".into()),
            ("decision_date", "2025-06-01".into()),
            ("penalty_valid_until", "2025-12-01".into()),
            ("publicity_deadline", "2026-06-01".into()),
            ("authority", "常州市天宁区市场监督管理局".into()),
            ("authority_uscc", auth.clone()),
            ("source_unit", "常州市天宁区市场监督管理局".into()),
            ("source_unit_uscc", auth),
        ],
    )
}

fn judgment() -> Record {
    stored(
        "court_judgment",
        &[
            ("subject_name", "某区人民政府".into()),
            ("subject_uscc", authority()),
            ("litigation_role", "被告".into()),
            ("case_kind", "行政案件".into()),
            ("case_no", "（2025）苏04行初12号".into()),
            ("cause", "行政许可".into()),
            ("court", "常州市中级人民法院".into()),
            ("outcome", "败诉".into()),
            ("judgment_date", "2025-05-20".into()),
        ],
    )
}

fn patch(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn fix(r: &Record, p: Value) -> Result<Correction, CorrectionError> {
    correct(rt(&r.type_code), r, &patch(p), regions(), today())
}

#[test]
fn only_the_named_fields_change() {
    let r = penalty();
    let c = fix(&r, json!({"penalty_content": "罚款人民币贰万元整"})).unwrap();
    assert_eq!(c.fields["penalty_content"], "罚款人民币贰万元整");
    for (k, v) in &r.fields {
        if k != "penalty_content" {
            assert_eq!(c.fields.get(k), Some(v), "{k} kept");
        }
    }
    assert_eq!(c.fields.len(), r.fields.len());
    assert_eq!(
        c.changes,
        vec![FieldChange {
            field: "penalty_content".into(),
            before: Some(json!("罚款人民币伍万元整")),
            after: Some(json!("罚款人民币贰万元整")),
        }]
    );
    assert_eq!(c.subject_name, r.subject_name);
    assert_eq!(c.decision_date, r.decision_date);
    assert_eq!(c.publish_until, None, "the period's inputs did not change");
}

#[test]
fn values_are_normalised_like_an_import_and_numbers_accepted() {
    let r = penalty();
    let c = fix(
        &r,
        json!({"fine_amount": 2.5, "penalty_valid_until": "2025/12/31"}),
    )
    .unwrap();
    assert_eq!(c.fields["fine_amount"], "2.5");
    assert_eq!(c.fields["penalty_valid_until"], "2025-12-31");
    assert_eq!(c.changes.len(), 2);
}

#[test]
fn refusals_have_their_codes() {
    let r = penalty();
    assert_eq!(fix(&r, json!({})).unwrap_err().code(), "correction_empty");
    let e = fix(&r, json!({"penalty_content": "x", "amount": "1", "foo": 1})).unwrap_err();
    assert_eq!(e.code(), "correction_unknown_field");
    assert!(e.to_string().contains("amount") && e.to_string().contains("foo"));
    // The same value is no change.
    let e = fix(&r, json!({"penalty_content": "罚款人民币伍万元整"})).unwrap_err();
    assert_eq!(e.code(), "correction_no_change");
    // Equal once normalised is no change either.
    let e = fix(&r, json!({"fine_amount": "5.000"})).unwrap_err();
    assert_eq!(e.code(), "correction_no_change");
    let e = fix(&r, json!({"penalty_content": ["a"]})).unwrap_err();
    assert_eq!(e.code(), "correction_invalid");
    assert_eq!(e.issues()[0].field.as_deref(), Some("penalty_content"));
}

#[test]
fn identity_fields_are_refused_unless_unchanged() {
    let r = penalty();
    let other = make_uscc("91", "320402", "MA1MY3B6");
    let e = fix(&r, json!({"uscc": other})).unwrap_err();
    assert_eq!(e.code(), "correction_identity_field");
    assert!(e.to_string().contains("统一社会信用代码"), "{e}");
    assert!(e.to_string().contains("撤销"), "{e}");
    let e = fix(&r, json!({"decision_doc_no": "常天市监处罚〔2025〕13号"})).unwrap_err();
    assert_eq!(e.code(), "correction_identity_field");
    let e = fix(&r, json!({"subject_category": "natural_person"})).unwrap_err();
    assert_eq!(e.code(), "correction_identity_field");
    // Given as it is, alongside a real change: accepted, not a change.
    let uscc = r.fields["uscc"].clone();
    let c = fix(
        &r,
        json!({"uscc": uscc, "decision_doc_no": r.doc_no, "remarks": "补充说明"}),
    )
    .unwrap();
    assert_eq!(c.changes.len(), 1);
    assert_eq!(c.changes[0].field, "remarks");
    // The subject's name is content: it may be corrected.
    let c = fix(&r, json!({"subject_name": "常州某某科技股份有限公司"})).unwrap();
    assert_eq!(c.subject_name, "常州某某科技股份有限公司");
    for f in [
        "decision_doc_no",
        "uscc",
        "id_no",
        "id_type",
        "subject_category",
    ] {
        assert!(locked_reason(rt("admin_penalty"), f).is_some(), "{f}");
    }
    assert!(locked_reason(rt("admin_penalty"), "subject_name").is_none());
}

#[test]
fn a_result_that_breaks_the_type_is_refused_with_every_reason() {
    let r = penalty();
    // A required field emptied, a bad date, a bad amount: all named.
    let e = fix(
        &r,
        json!({"penalty_content": null, "penalty_valid_until": "2025-13-01", "fine_amount": "abc"}),
    )
    .unwrap_err();
    assert_eq!(e.code(), "correction_invalid");
    let fields: Vec<_> = e.issues().iter().filter_map(|i| i.field.clone()).collect();
    assert!(fields.contains(&"penalty_content".to_string()), "{e}");
    assert!(fields.contains(&"penalty_valid_until".to_string()), "{e}");
    assert!(fields.contains(&"fine_amount".to_string()), "{e}");
    let codes: Vec<_> = e.issues().iter().map(|i| i.code).collect();
    assert!(codes.contains(&"required"), "{codes:?}");
    let msg = e.to_string();
    assert!(
        msg.contains("处罚内容") && msg.contains("未作任何修改"),
        "{msg}"
    );
    // An empty text clears like null.
    assert_eq!(
        fix(&r, json!({"penalty_content": "  "}))
            .unwrap_err()
            .issues()[0]
            .code,
        "required"
    );
    // A decision in the future.
    let e = fix(&r, json!({"decision_date": "2025-07-01"})).unwrap_err();
    assert_eq!(e.issues()[0].code, "decision_date_in_future");
    assert_eq!(e.issues()[0].field.as_deref(), Some("decision_date"));
}

#[test]
fn a_court_judgment_takes_only_the_catalogs_outcomes() {
    let r = judgment();
    let e = fix(&r, json!({"outcome": "胜诉"})).unwrap_err();
    assert_eq!(e.code(), "correction_invalid");
    assert_eq!(e.issues()[0].code, "invalid_enum");
    assert_eq!(e.issues()[0].field.as_deref(), Some("outcome"));
    assert!(
        e.to_string().contains("败诉"),
        "the allowed values are listed: {e}"
    );
    // A label is stored as its code.
    let c = fix(&r, json!({"outcome": "部分败诉"})).unwrap();
    assert_eq!(c.fields["outcome"], "partly_lost");
    assert_eq!(c.changes[0].before, Some(json!("lost")));
}

#[test]
fn optional_fields_can_be_cleared() {
    let r = penalty();
    let c = fix(&r, json!({"fine_amount": null})).unwrap();
    assert!(!c.fields.contains_key("fine_amount"));
    assert_eq!(c.changes[0].after, None);
    assert_eq!(c.changes[0].before, Some(json!("5")));
}

#[test]
fn masked_numbers_stay_masked() {
    let r = penalty();
    let masked = r.fields["legal_rep_id_no"].as_str().unwrap().to_string();
    assert!(masked.contains('*'));
    // Left alone, the stored mask is taken as it is.
    fix(&r, json!({"legal_rep": "李四"})).unwrap();
    // A new number is checked in full and stored masked; the history keeps masks only.
    let new = make_id("320402", "19850505", "456");
    let c = fix(&r, json!({"legal_rep_id_no": new})).unwrap();
    let after = c.fields["legal_rep_id_no"].as_str().unwrap();
    assert_eq!(after, id_number::mask(&new));
    let text = serde_json::to_string(&c.changes).unwrap();
    assert!(!text.contains(&new), "{text}");
    assert!(text.contains(&masked));
    // A wrong number is refused without being echoed.
    let bad = format!("{}0", &new[..17]);
    let e = fix(&r, json!({"legal_rep_id_no": bad})).unwrap_err();
    assert_eq!(e.code(), "correction_invalid");
    assert!(!e.to_string().contains(&bad), "{e}");
    // The mask itself is no number.
    let e = fix(&r, json!({"legal_rep_id_no": "3204**********0000"})).unwrap_err();
    assert_eq!(e.code(), "correction_invalid");
}

#[test]
fn fields_outside_the_catalog_are_kept() {
    let mut r = penalty();
    r.fields.insert("legacy_note".into(), json!("旧平台迁移"));
    let c = fix(&r, json!({"remarks": "补充"})).unwrap();
    assert_eq!(c.fields["legacy_note"], "旧平台迁移");
}

#[test]
fn a_new_decision_date_moves_the_publication_period() {
    let r = penalty();
    let c = fix(&r, json!({"decision_date": "2025-05-01"})).unwrap();
    assert_eq!(c.decision_date, d("2025-05-01"));
    // 一般: 3–12 months; the deadline field (2026-06-01) is clamped to 2026-05-01.
    assert_eq!(c.publish_until, Some(Some(d("2026-05-01"))));
    let c = fix(&r, json!({"publicity_deadline": "2025-12-01"})).unwrap();
    assert_eq!(c.publish_until, Some(Some(d("2025-12-01"))));
}

#[test]
fn key_date_and_name_come_from_the_record_when_fields_lack_them() {
    let mut r = penalty();
    for k in ["decision_doc_no", "decision_date", "subject_name"] {
        r.fields.remove(k);
    }
    let c = fix(&r, json!({"remarks": "补充"})).unwrap();
    assert!(
        !c.fields.contains_key("decision_doc_no"),
        "only named fields are written"
    );
    assert_eq!(c.decision_date, r.decision_date);
}

#[test]
fn diff_lists_each_changed_field() {
    let a = patch(json!({"a": "1", "b": "2", "c": "3"}));
    let b = patch(json!({"a": "1", "b": "20", "d": "4"}));
    let names: Vec<_> = diff(&a, &b).into_iter().map(|c| c.field).collect();
    assert_eq!(names, ["b", "c", "d"]);
}

#[test]
fn the_form_has_every_field_of_the_type() {
    let r = judgment();
    let f = form(rt("court_judgment"), &r);
    assert_eq!(f.len(), rt("court_judgment").fields.len());
    let outcome = f.iter().find(|x| x.name == "outcome").unwrap();
    assert_eq!(outcome.title, "裁判结果");
    assert_eq!(outcome.value, "lost");
    let FormInput::Select { options } = &outcome.input else {
        panic!("{outcome:?}")
    };
    let values: Vec<_> = options.iter().map(|o| o.value.as_str()).collect();
    assert_eq!(
        values,
        ["lost", "partly_lost", "convicted"],
        "required: no empty choice"
    );
    let case_no = f.iter().find(|x| x.name == "case_no").unwrap();
    assert!(case_no.locked.is_some());
    let p = form(rt("admin_penalty"), &penalty());
    let id = p.iter().find(|x| x.name == "legal_rep_id_no").unwrap();
    assert!(id.masked && id.locked.is_none());
    let fine = p.iter().find(|x| x.name == "fine_amount").unwrap();
    assert_eq!(fine.input, FormInput::Number { integer: false });
    assert_eq!(fine.value, "5");
}

#[test]
fn id_numbers_in_free_text_are_masked_and_kept_apart() {
    let r = penalty();
    let id = make_id("320402", "19900101", "123");
    let facts = format!("当事人（身份证号{id}）发布虚假广告。");
    let c = fix(
        &r,
        json!({"violation_facts": facts, "penalty_content": "罚款"}),
    )
    .unwrap();
    let stored = c.fields["violation_facts"].as_str().unwrap();
    assert_eq!(stored, facts.replace(&id, &id_number::mask(&id)));
    assert_eq!(c.clear_texts.get("violation_facts"), Some(facts.as_str()));
    assert_eq!(c.clear_texts.len(), 1);
    let mut changed = c.text_fields.clone();
    changed.sort();
    assert_eq!(changed, ["penalty_content", "violation_facts"]);
    let history = serde_json::to_string(&c.changes).unwrap();
    assert!(!history.contains(&id), "{history}");
    // The stored masked text, corrected elsewhere, stays as it is.
    let mut r2 = r.clone();
    r2.fields = c.fields.clone();
    let c2 = fix(&r2, json!({"remarks": "补充"})).unwrap();
    assert_eq!(c2.fields["violation_facts"], stored);
    assert!(c2.clear_texts.is_empty());
    assert_eq!(c2.text_fields, ["remarks"]);
}
