use chrono::NaiveDate;
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::catalog::Catalog;
use crate::records::RecordStatus;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn the_day_is_counted_in_china_time() {
    let (from, to) = day_window(d("2026-12-01"));
    assert_eq!(from.to_rfc3339(), "2026-11-30T16:00:00+00:00");
    assert_eq!(to.to_rfc3339(), "2026-12-01T16:00:00+00:00");
}

#[test]
fn shuang_gongshi_files_take_the_national_columns_in_order() {
    let c = Catalog::default_checked().unwrap();
    let penalty = record_columns(c.get("admin_penalty").unwrap());
    for title in [
        "行政相对人名称",
        "行政相对人代码_1(统一社会信用代码)",
        "法定代表人证件号码",
        "证件号码",
        "行政处罚决定书文号",
        "罚款金额（万元）",
        "处罚机关统一社会信用代码",
        "数据来源单位统一社会信用代码",
        "备注",
    ] {
        assert!(penalty.iter().any(|t| t == title), "{title}");
    }
    assert_eq!(
        &penalty[penalty.len() - 3..],
        &RECORD_EXTRA_COLUMNS.map(String::from)[..]
    );
    let license = record_columns(c.get("admin_license").unwrap());
    assert_eq!(license[0], "行政相对人名称");
    assert!(license.iter().any(|t| t == "许可类别"));
}

#[test]
fn id_numbers_are_masked_and_codes_become_labels() {
    let c = Catalog::default_checked().unwrap();
    let rt = c.get("admin_license").unwrap();
    let fields = json!({
        "subject_name": "张三 11010519491231002X",
        "subject_category": "natural_person",
        "id_type": "01",
        "id_no": "11010519491231002X",
        "license_category": "01",
        "status": "valid",
    });
    let fields = fields.as_object().unwrap();
    let id = Uuid::nil();
    let row = record_row(
        rt,
        &AsOf {
            id,
            fields,
            status: RecordStatus::Revoked,
            severity: None,
            source_dept: "",
            op: record_op(false, "revoke", RecordStatus::Revoked),
        },
    );
    let cols = record_columns(rt);
    let at = |t: &str| row[cols.iter().position(|c| c == t).unwrap()].clone();
    assert_eq!(at("证件号码"), "1101**********002X");
    assert_eq!(at("行政相对人名称"), "张三 1101**********002X");
    assert_eq!(at("行政相对人类别"), "自然人");
    assert_eq!(at("证件类型"), "身份证");
    assert_eq!(at("许可类别"), "普通");
    assert_eq!(at("当前状态"), "无效");
    assert_eq!(at("操作类型"), "撤销");
    assert!(!row.concat().contains("11010519491231002X"));
}

#[test]
fn operations() {
    assert_eq!(record_op(true, "create", RecordStatus::Published), "新增");
    assert_eq!(record_op(false, "correct", RecordStatus::Published), "更正");
    assert_eq!(record_op(false, "expire", RecordStatus::Expired), "到期");
    assert_eq!(record_op(true, "repair", RecordStatus::Repaired), "修复");
}

#[test]
fn gov_negative_types_are_about_bodies() {
    let c = Catalog::default_checked().unwrap();
    assert!(!is_gov_negative_type(c.get("admin_penalty").unwrap()));
    assert!(!is_gov_negative_type(c.get("admin_license").unwrap()));
    assert!(c.types().iter().any(is_gov_negative_type));
}
