use std::collections::HashMap;
use std::time::Instant;

use super::*;
use crate::catalog::Catalog;
use crate::codes::org_code;
use crate::regions::RegionTable;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn today() -> NaiveDate {
    d(2025, 6, 30)
}

fn rt(code: &str) -> &'static RecordType {
    Catalog::default_checked().unwrap().get(code).unwrap()
}

fn regions() -> &'static RegionTable {
    let t = RegionTable::national();
    assert!(t.get("320402").is_some(), "national table must know 320402");
    t
}

/// A valid USCC: department+category, region, 8-character organisation body.
fn make_uscc(prefix: &str, region: &str, org8: &str) -> String {
    let org = format!("{org8}{}", org_code::check_char(org8).unwrap());
    let body = format!("{prefix}{region}{org}");
    let code = format!("{body}{}", uscc::check_char(&body).unwrap());
    assert!(uscc::parse(&code, regions()).is_ok(), "{code}");
    code
}

/// A valid ID number.
fn make_id(region: &str, birth: &str, seq: &str) -> String {
    let body = format!("{region}{birth}{seq}");
    let id = format!("{body}{}", id_number::check_char(&body).unwrap());
    assert!(id_number::parse(&id, regions(), today()).is_ok());
    id
}

fn company_uscc() -> String {
    make_uscc("91", "320402", "MA1MY3B5")
}

fn authority_uscc() -> String {
    make_uscc("11", "320402", "01414000")
}

fn person_id() -> String {
    make_id("320402", "19800101", "123")
}

fn titles(rt: &RecordType) -> Vec<String> {
    rt.fields.iter().map(|f| f.title.clone()).collect()
}

/// Cells in header order from `(field name, value)` pairs.
fn cells_for(rt: &RecordType, headers: &[String], values: &[(&str, String)]) -> Vec<String> {
    headers
        .iter()
        .map(|h| match rt.resolve_column(h) {
            Some(f) => values
                .iter()
                .find(|(n, _)| *n == f.name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
            None => String::new(),
        })
        .collect()
}

fn penalty_values() -> Vec<(&'static str, String)> {
    let auth = authority_uscc();
    vec![
        ("subject_name", "常州某某科技有限公司".into()),
        ("subject_category", "法人及非法人组织".into()),
        ("uscc", company_uscc()),
        ("legal_rep", "张三".into()),
        ("legal_rep_id_type", "身份证".into()),
        ("legal_rep_id_no", person_id()),
        ("decision_doc_no", "常天市监处罚〔2025〕12号".into()),
        ("violation_type", "虚假宣传".into()),
        (
            "violation_facts",
            "当事人在其网店发布含有虚假内容的广告，欺骗、误导消费者。".into(),
        ),
        (
            "penalty_basis",
            "《中华人民共和国广告法》第五十五条第一款".into(),
        ),
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
    ]
}

fn license_values() -> Vec<(&'static str, String)> {
    let auth = authority_uscc();
    vec![
        ("subject_name", "李四".into()),
        ("subject_category", "自然人".into()),
        ("id_type", "01".into()),
        ("id_no", person_id()),
        ("decision_doc_name", "食品经营许可决定书".into()),
        ("decision_doc_no", "常天食经许〔2025〕88号".into()),
        ("license_category", "普通".into()),
        ("certificate_name", "食品经营许可证".into()),
        ("license_no", "JY13204020012345".into()),
        (
            "license_content",
            "预包装食品销售（不含冷藏冷冻食品）".into(),
        ),
        ("decision_date", "2025/5/20".into()),
        ("valid_from", "2025-05-20".into()),
        ("valid_to", "2099/12/31".into()),
        ("authority", "常州市天宁区行政审批局".into()),
        ("authority_uscc", auth.clone()),
        ("status", "有效".into()),
        ("source_unit", "常州市天宁区行政审批局".into()),
        ("source_unit_uscc", auth),
    ]
}

fn set(values: &mut Vec<(&'static str, String)>, name: &'static str, v: &str) {
    match values.iter_mut().find(|(n, _)| *n == name) {
        Some(slot) => slot.1 = v.to_string(),
        None => values.push((name, v.to_string())),
    }
}

fn run(rt: &RecordType, values: &[(&str, String)]) -> Result<ValidRow, Vec<RowIssue>> {
    let headers = titles(rt);
    let (map, _) = map_columns(rt, &headers).unwrap();
    validate_row(
        rt,
        &map,
        2,
        &cells_for(rt, &headers, values),
        regions(),
        today(),
    )
}

fn issue_codes(issues: &[RowIssue]) -> Vec<&'static str> {
    issues.iter().map(|i| i.code).collect()
}

fn only_issue(rt: &RecordType, values: &[(&str, String)]) -> RowIssue {
    let issues = run(rt, values).unwrap_err();
    assert_eq!(issues.len(), 1, "{issues:#?}");
    issues.into_iter().next().unwrap()
}

// ---------------------------------------------------------------------------------------
// Mapping
// ---------------------------------------------------------------------------------------

#[test]
fn mapping_shuffled_english_names_and_bracket_variants() {
    let rt = rt("admin_penalty");
    let mut headers = titles(rt);
    headers.reverse();
    headers.swap(3, 17);
    for h in headers.iter_mut() {
        if h == "罚款金额（万元）" {
            *h = "罚款金额(万元)".into();
        } else if h == "处罚机关" {
            *h = "authority".into();
        } else if h == "处罚决定日期" {
            *h = "\u{FEFF}处罚决定日期 ".into();
        } else if h == "行政相对人代码_1(统一社会信用代码)" {
            *h = "行政相对人代码＿1（统一社会信用代码）".into();
        }
    }
    let (map, report) = map_columns(rt, &headers).unwrap();
    assert!(report.unknown_columns.is_empty());
    assert_eq!(report.mapped.len(), rt.fields.len());
    assert!(report
        .mapped
        .contains(&("罚款金额(万元)".to_string(), "fine_amount".to_string())));
    assert_eq!(map.column_of(rt, "authority"), Some("authority"));
    assert_eq!(map.column_of(rt, "fine_amount"), Some("罚款金额(万元)"));

    // The same content validates identically whatever the order and spelling of columns.
    let values = penalty_values();
    let shuffled = validate_row(
        rt,
        &map,
        7,
        &cells_for(rt, &headers, &values),
        regions(),
        today(),
    )
    .unwrap();
    let canonical = run(rt, &values).unwrap();
    assert_eq!(shuffled.content_digest, canonical.content_digest);
    assert_eq!(shuffled.fields, canonical.fields);
    assert_eq!(shuffled.row, 7);
}

#[test]
fn missing_required_columns_are_all_listed() {
    let rt = rt("admin_penalty");
    let headers: Vec<String> = titles(rt)
        .into_iter()
        .filter(|t| !["行政处罚决定书文号", "处罚决定日期", "数据来源单位"].contains(&t.as_str()))
        .collect();
    let err = map_columns(rt, &headers).unwrap_err();
    assert_eq!(err.code(), "missing_required_columns");
    assert_eq!(
        err,
        MappingError::MissingRequiredColumns {
            titles: vec![
                "行政处罚决定书文号".into(),
                "处罚决定日期".into(),
                "数据来源单位".into()
            ]
        }
    );
    let msg = err.to_string();
    assert!(
        msg.contains("“行政处罚决定书文号”、“处罚决定日期”、“数据来源单位”"),
        "{msg}"
    );

    // Optional columns may be missing.
    let headers: Vec<String> = titles(rt)
        .into_iter()
        .filter(|t| t != "备注" && t != "罚款金额（万元）")
        .collect();
    assert!(map_columns(rt, &headers).is_ok());
    // No header at all: every required column is missing.
    let err = map_columns(rt, &[]).unwrap_err();
    let MappingError::MissingRequiredColumns { titles: missing } = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        missing.len(),
        rt.fields.iter().filter(|f| f.required).count()
    );
}

#[test]
fn duplicate_field_columns_are_refused() {
    let rt = rt("admin_penalty");
    let mut headers = titles(rt);
    headers.push("fine_amount".into());
    headers.push("罚款金额(万元)".into());
    headers.push("失信程度".into());
    headers.push("失信严重程度".into());
    let err = map_columns(rt, &headers).unwrap_err();
    assert_eq!(err.code(), "duplicate_field_columns");
    let MappingError::DuplicateFieldColumns { duplicates } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(duplicates.len(), 2);
    assert_eq!(duplicates[0].field, "fine_amount");
    assert_eq!(
        duplicates[0].headers,
        vec!["罚款金额（万元）", "fine_amount", "罚款金额(万元)"]
    );
    assert_eq!(duplicates[1].field, "severity");
    assert!(err.to_string().contains("“罚款金额（万元）”对应"));
}

#[test]
fn legacy_columns_reject_the_file_with_reasons() {
    let rt = rt("admin_penalty");
    let mut headers = titles(rt);
    headers.push("处罚名称".into());
    headers.push("地方编码".into());
    headers.push("fine_amount".into()); // also a duplicate: legacy wins
    let err = map_columns(rt, &headers).unwrap_err();
    assert_eq!(err.code(), "legacy_columns");
    let MappingError::LegacyColumns { columns } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(columns.len(), 2);
    assert_eq!(columns[0].header, "处罚名称");
    assert_eq!(columns[0].reason, rt.legacy_column("处罚名称").unwrap());
    let msg = err.to_string();
    assert!(msg.contains("旧标准") && msg.contains("地方编码") && msg.contains("违法事实"));
}

#[test]
fn unknown_columns_reported_and_report_columns_ignored() {
    let rt = rt("admin_penalty");
    let mut headers = titles(rt);
    headers.insert(0, "序号".into());
    headers.push("".into());
    headers.push("错误原因".into());
    headers.push(" 原行号 ".into());
    headers.push("严重程度".into());
    let (map, report) = map_columns(rt, &headers).unwrap();
    let blank = format!("第{}列（空列名）", rt.fields.len() + 2);
    assert_eq!(report.unknown_columns, vec!["序号".to_string(), blank]);
    assert_eq!(report.ignored_report_columns, vec!["错误原因", " 原行号 "]);
    assert_eq!(report.severity_column.as_deref(), Some("严重程度"));
    assert_eq!(map.severity_column(), Some("严重程度"));

    // A resubmitted report row: the extra columns are ignored, the data validates.
    let mut values = penalty_values();
    set(&mut values, "penalty_category", "警告");
    let mut cells = cells_for(rt, &headers, &values);
    let n = cells.len();
    cells[0] = "1".into();
    cells[n - 3] = "“处罚决定日期”不是有效的日期".into();
    cells[n - 2] = "12".into();
    cells[n - 1] = "严重".into();
    let row = validate_row(rt, &map, 3, &cells, regions(), today()).unwrap();
    assert_eq!(row.severity, Some(Severity::Severe));
    assert!(!row.fields.contains_key("错误原因"));

    // Only report columns filled in: still an empty row.
    let mut cells = vec![String::new(); n];
    cells[n - 3] = "空行".into();
    cells[n - 2] = "9".into();
    let issues = validate_row(rt, &map, 9, &cells, regions(), today()).unwrap_err();
    assert_eq!(issue_codes(&issues), vec!["empty_row"]);
}

// ---------------------------------------------------------------------------------------
// Good rows
// ---------------------------------------------------------------------------------------

#[test]
fn good_penalty_row() {
    let rt = rt("admin_penalty");
    let row = run(rt, &penalty_values()).unwrap();
    assert_eq!(row.row, 2);
    assert_eq!(row.doc_no, "常天市监处罚〔2025〕12号");
    assert_eq!(row.decision_date, d(2025, 6, 1));
    assert_eq!(row.subject.name, "常州某某科技有限公司");
    assert_eq!(row.subject.uscc.as_deref(), Some(company_uscc().as_str()));
    assert_eq!(
        row.subject.id_number, None,
        "the legal representative is not the subject"
    );
    assert_eq!(row.subject.kind_hint, Some(SubjectKind::Enterprise));
    assert_eq!(row.severity, Some(Severity::General));
    assert_eq!(row.publication, PublicationEnd::Until(d(2026, 6, 1)));
    assert!(row.warnings.is_empty());
    let f = &row.fields;
    assert_eq!(f["subject_category"], "legal_person");
    assert_eq!(f["fine_amount"], "5");
    assert_eq!(f["decision_date"], "2025-06-01");
    assert_eq!(f["legal_rep_id_type"], "01");
    assert_eq!(f["legal_rep_id_no"], id_number::mask(&person_id()));
    assert_eq!(f["uscc"], company_uscc());
    assert!(
        !f.contains_key("remarks"),
        "empty optional fields are omitted"
    );
    assert!(!f.contains_key("confiscation_amount"));
    assert_eq!(row.content_digest.len(), 64);
    let debug = format!("{row:?}");
    assert!(!debug.contains(&person_id()));
}

#[test]
fn good_license_row_of_a_natural_person() {
    let rt = rt("admin_license");
    let row = run(rt, &license_values()).unwrap();
    let id = person_id();
    assert_eq!(row.doc_no, "常天食经许〔2025〕88号");
    assert_eq!(row.decision_date, d(2025, 5, 20));
    assert_eq!(row.subject.id_number.as_deref(), Some(id.as_str()));
    assert_eq!(row.subject.id_type.as_deref(), Some("01"));
    assert_eq!(row.subject.uscc, None);
    assert_eq!(row.subject.kind_hint, Some(SubjectKind::Individual));
    assert_eq!(row.severity, None);
    assert_eq!(row.publication, PublicationEnd::Never, "2099-12-31 = 长期");
    assert_eq!(row.fields["id_no"], id_number::mask(&id));
    assert_eq!(row.fields["valid_to"], "2099-12-31");
    assert_eq!(row.fields["license_category"], "01");
    assert_eq!(row.fields["status"], "valid");
    // Never in clear in Debug or JSON.
    let debug = format!("{:?} {:?}", row.subject, row);
    assert!(!debug.contains(&id), "{debug}");
    assert!(debug.contains(&id_number::mask(&id)));
    assert!(!serde_json::to_string(&row.fields).unwrap().contains(&id));

    // A licence with an end date is published until then.
    let mut values = license_values();
    set(&mut values, "valid_to", "2030-05-19");
    let row = run(rt, &values).unwrap();
    assert_eq!(row.publication, PublicationEnd::Until(d(2030, 5, 19)));
}

#[test]
fn formula_protected_cells_are_unneutralised() {
    let rt = rt("admin_penalty");
    let mut values = penalty_values();
    set(&mut values, "remarks", "'=SUM(A1)");
    set(&mut values, "violation_type", "'-虚假宣传");
    let row = run(rt, &values).unwrap();
    assert_eq!(row.fields["remarks"], "=SUM(A1)");
    assert_eq!(row.fields["violation_type"], "-虚假宣传");
}

#[test]
fn passport_holder_is_accepted_as_free_text_and_masked() {
    let rt = rt("admin_license");
    let mut values = license_values();
    set(&mut values, "id_type", "护照");
    set(&mut values, "id_no", "e12345678");
    let row = run(rt, &values).unwrap();
    assert_eq!(row.subject.id_number.as_deref(), Some("E12345678"));
    assert_eq!(row.subject.id_type.as_deref(), Some("02"));
    assert_eq!(row.fields["id_no"], "*********");
    assert!(!format!("{row:?}").contains("E12345678"));
}

#[test]
fn individual_business_and_inferred_kinds() {
    let rt = rt("admin_penalty");
    // 个体工商户 with a USCC.
    let mut values = penalty_values();
    set(&mut values, "subject_category", "个体工商户");
    set(&mut values, "uscc", &make_uscc("92", "320402", "L0000001"));
    let row = run(rt, &values).unwrap();
    assert_eq!(row.subject.kind_hint, Some(SubjectKind::Enterprise));
    assert!(row.subject.uscc.is_some());

    // Placeholder plus 工商注册号.
    set(&mut values, "uscc", INDIVIDUAL_BUSINESS_USCC_PLACEHOLDER);
    set(&mut values, "business_reg_no", "320402600123456");
    let row = run(rt, &values).unwrap();
    assert_eq!(row.subject.uscc, None);
    assert_eq!(row.fields["uscc"], INDIVIDUAL_BUSINESS_USCC_PLACEHOLDER);

    // Placeholder without 工商注册号.
    set(&mut values, "business_reg_no", "");
    let issue = only_issue(rt, &values);
    assert_eq!(issue.code, "uscc_or_business_reg_no_required");
    // The placeholder is no USCC for an organisation.
    set(&mut values, "subject_category", "法人");
    assert_eq!(only_issue(rt, &values).code, "uscc_bad_check_char");

    // Legal persons by USCC category.
    for (prefix, kind) in [
        ("11", SubjectKind::GovBody),
        ("12", SubjectKind::Institution),
        ("51", SubjectKind::SocialOrg),
        ("52", SubjectKind::SocialOrg),
        ("93", SubjectKind::Enterprise),
    ] {
        let mut values = penalty_values();
        set(
            &mut values,
            "uscc",
            &make_uscc(prefix, "320402", "12345678"),
        );
        assert_eq!(run(rt, &values).unwrap().subject.kind_hint, Some(kind));
    }
}

#[test]
fn types_without_a_category_column_infer_the_kind() {
    let rt = rt("refusal_to_execute");
    let base = |code: (&'static str, String)| {
        vec![
            ("subject_name", "某某区人民政府".to_string()),
            code,
            ("court", "常州市天宁区人民法院".into()),
            ("enforcement_case_no", "（2024）苏0402执123号".into()),
            ("basis_doc_no", "（2023）苏0402民初45号".into()),
            ("obligation", "支付工程款".into()),
            ("performance", "全部未履行".into()),
            ("filing_date", "2024-01-10".into()),
            ("finding_date", "2025-03-01".into()),
        ]
    };
    let row = run(rt, &base(("subject_uscc", authority_uscc()))).unwrap();
    assert_eq!(row.subject.kind_hint, Some(SubjectKind::GovBody));
    assert_eq!(row.severity, Some(Severity::Severe));
    assert_eq!(row.publication, PublicationEnd::Never);

    // A person: only civil servants are allowed by this type.
    let row = run(rt, &base(("subject_id_no", person_id()))).unwrap();
    assert_eq!(row.subject.kind_hint, Some(SubjectKind::CivilServant));
    assert_eq!(row.subject.id_number, Some(person_id()));

    // An enterprise is not a subject of this type.
    let issue = only_issue(rt, &base(("subject_uscc", company_uscc())));
    assert_eq!(issue.code, "subject_kind_not_allowed");
    assert!(issue.message.contains("企业"), "{}", issue.message);
}

#[test]
fn uscc_or_id_fields() {
    let rt = rt("dishonest_judgment_debtor");
    let base = |code: &str| {
        vec![
            ("subject_name", "王五".to_string()),
            ("subject_code", code.to_string()),
            ("court", "常州市天宁区人民法院".into()),
            ("basis_doc_no", "（2023）苏0402民初45号".into()),
            ("obligation", "支付货款".into()),
            ("performance", "部分未履行".into()),
            (
                "dishonest_conduct",
                "有履行能力而拒不履行生效法律文书确定义务".into(),
            ),
            ("filing_date", "2024-01-10".into()),
            ("case_no", "（2024）苏0402执99号".into()),
            ("publish_date", "2025-03-01".into()),
        ]
    };
    let id = person_id();
    let row = run(rt, &base(&id)).unwrap();
    assert_eq!(row.subject.id_number.as_deref(), Some(id.as_str()));
    assert_eq!(row.subject.uscc, None);
    assert_eq!(row.subject.kind_hint, Some(SubjectKind::Individual));
    assert_eq!(row.fields["subject_code"], id_number::mask(&id));

    let u = company_uscc();
    let row = run(rt, &base(&u)).unwrap();
    assert_eq!(row.subject.uscc.as_deref(), Some(u.as_str()));
    assert_eq!(row.subject.id_number, None);
    assert_eq!(row.subject.kind_hint, Some(SubjectKind::Enterprise));
    assert_eq!(row.fields["subject_code"], u);

    // A bad ID number: reason without the number.
    let mut bad = id.clone();
    bad.replace_range(17.., if id.ends_with('1') { "2" } else { "1" });
    let issue = only_issue(rt, &base(&bad));
    assert_eq!(issue.code, "invalid_uscc_or_id");
    assert!(issue.message.contains("校验码"), "{}", issue.message);
    assert!(!issue.message.contains(&bad));
    assert_eq!(only_issue(rt, &base("12345")).code, "invalid_uscc_or_id");
}

// ---------------------------------------------------------------------------------------
// Issues
// ---------------------------------------------------------------------------------------

#[test]
fn every_issue_kind() {
    let p = rt("admin_penalty");
    let l = rt("admin_license");
    let case = |rt: &RecordType, base: fn() -> Vec<(&'static str, String)>, name, v: &str| {
        let mut values = base();
        set(&mut values, name, v);
        only_issue(rt, &values)
    };
    let pv = penalty_values;
    let lv = license_values;

    let i = case(p, pv, "decision_doc_no", "  ");
    assert_eq!(
        (i.code, i.column.as_deref()),
        ("required", Some("行政处罚决定书文号"))
    );
    let i = case(p, pv, "subject_name", "");
    assert_eq!(i.code, "required");
    assert_eq!(
        case(p, pv, "decision_date", "2025-07-01").code,
        "decision_date_in_future"
    );
    let i = case(p, pv, "decision_date", "1949-09-30");
    assert_eq!(i.code, "decision_date_too_early");
    assert!(i.message.contains("1949年10月1日"));
    assert_eq!(
        case(p, pv, "decision_date", "2025-02-30").code,
        "impossible_date"
    );
    assert_eq!(
        case(p, pv, "decision_date", "六月一日").code,
        "invalid_date"
    );
    assert_eq!(case(p, pv, "fine_amount", "五万").code, "invalid_decimal");
    assert_eq!(case(p, pv, "fine_amount", "-5").code, "negative_number");
    assert_eq!(case(p, pv, "fine_amount", "'-5").code, "negative_number");
    assert_eq!(case(p, pv, "subject_category", "公司").code, "invalid_enum");
    assert_eq!(case(p, pv, "remarks", &"长".repeat(513)).code, "too_long");

    let mut u = company_uscc();
    let last = u.pop().unwrap();
    u.push(if last == '1' { '2' } else { '1' });
    let i = case(p, pv, "uscc", &u);
    assert_eq!(i.code, "uscc_bad_check_char");
    assert_eq!(
        i.column.as_deref(),
        Some("行政相对人代码_1(统一社会信用代码)")
    );
    assert!(
        i.message.starts_with(
            "“行政相对人代码_1(统一社会信用代码)”不是有效的统一社会信用代码：第18位校验码"
        ),
        "{}",
        i.message
    );
    assert_eq!(
        case(p, pv, "authority_uscc", "91320402MA1MY3B5").code,
        "uscc_bad_length"
    );
    let bad_region = make_uscc_any_region("91", "999999", "12345678");
    assert_eq!(
        case(p, pv, "authority_uscc", &bad_region).code,
        "uscc_unknown_region"
    );

    let mut id = person_id();
    let last = id.pop().unwrap();
    id.push(if last == '1' { '2' } else { '1' });
    let i = case(l, lv, "id_no", &id);
    assert_eq!(i.code, "id_bad_check_char");
    assert_eq!(i.column.as_deref(), Some("证件号码"));
    assert!(!i.message.contains(&id) && !i.message.contains(&id[..17]));
    let i = case(p, pv, "legal_rep_id_no", &id);
    assert_eq!(
        (i.code, i.column.as_deref()),
        ("id_bad_check_char", Some("法定代表人证件号码"))
    );
    // The legal representative's passport is not checked as an ID card.
    let mut values = pv();
    set(&mut values, "legal_rep_id_type", "02");
    set(&mut values, "legal_rep_id_no", "G1234567");
    assert_eq!(
        run(p, &values).unwrap().fields["legal_rep_id_no"],
        "********"
    );
    let future_birth = make_id_unchecked("320402", "20250701", "123");
    assert_eq!(
        case(l, lv, "id_no", &future_birth).code,
        "id_birth_date_in_future"
    );
    assert_eq!(
        case(l, lv, "id_no", "320402800101123").code,
        "id_legacy_15_digit"
    );

    assert_eq!(case(p, pv, "uscc", "").code, "uscc_required");
    let i = case(l, lv, "id_no", "");
    assert_eq!(
        (i.code, i.column.as_deref()),
        ("id_number_required", Some("证件号码"))
    );
    assert_eq!(case(l, lv, "id_type", "").code, "id_type_required");

    // Severity column.
    let headers: Vec<String> = titles(p)
        .into_iter()
        .chain(["失信严重程度".to_string()])
        .collect();
    let (map, _) = map_columns(p, &headers).unwrap();
    let mut cells = cells_for(p, &headers, &pv());
    *cells.last_mut().unwrap() = "很严重".into();
    let issues = validate_row(p, &map, 5, &cells, regions(), today()).unwrap_err();
    assert_eq!(issue_codes(&issues), vec!["invalid_severity"]);
    assert_eq!(issues[0].column.as_deref(), Some("失信严重程度"));
    *cells.last_mut().unwrap() = "严重失信".into();
    let row = validate_row(p, &map, 5, &cells, regions(), today()).unwrap();
    assert_eq!(row.severity, Some(Severity::Severe));
    // 严重: at least 12 months, so the row's 公示截止期 2026-06-01 stands.
    assert_eq!(row.publication, PublicationEnd::Until(d(2026, 6, 1)));
    *cells.last_mut().unwrap() = "轻微".into();
    let row = validate_row(p, &map, 5, &cells, regions(), today()).unwrap();
    assert_eq!(row.publication, PublicationEnd::NotPublished);

    // Empty row, whatever the whitespace.
    let blank = vec![
        " ".to_string(),
        "\u{3000}".into(),
        "\u{FEFF}".into(),
        String::new(),
    ];
    let issues = validate_row(p, &map, 6, &blank, regions(), today()).unwrap_err();
    assert_eq!(issue_codes(&issues), vec!["empty_row"]);
    let issues = validate_row(p, &map, 6, &[], regions(), today()).unwrap_err();
    assert_eq!(issue_codes(&issues), vec!["empty_row"]);

    // A map of another type.
    let issues = validate_row(l, &map, 6, &cells, regions(), today()).unwrap_err();
    assert_eq!(issue_codes(&issues), vec!["column_map_mismatch"]);
}

fn make_uscc_any_region(prefix: &str, region: &str, org8: &str) -> String {
    let org = format!("{org8}{}", org_code::check_char(org8).unwrap());
    let body = format!("{prefix}{region}{org}");
    format!("{body}{}", uscc::check_char(&body).unwrap())
}

fn make_id_unchecked(region: &str, birth: &str, seq: &str) -> String {
    let body = format!("{region}{birth}{seq}");
    format!("{body}{}", id_number::check_char(&body).unwrap())
}

#[test]
fn all_issues_of_a_row_are_reported() {
    let p = rt("admin_penalty");
    let mut values = penalty_values();
    set(&mut values, "subject_name", "");
    set(&mut values, "uscc", "");
    set(&mut values, "decision_date", "2030-01-01");
    set(&mut values, "fine_amount", "1.1234567");
    set(&mut values, "publicity_deadline", "明年");
    set(&mut values, "legal_rep_id_no", "110105194912310021");
    set(&mut values, "authority_uscc", "91320402MA1MY3B5XX");
    let issues = run(p, &values).unwrap_err();
    let mut codes = issue_codes(&issues);
    codes.sort_unstable();
    let mut expected = vec![
        "required",
        "uscc_required",
        "decision_date_in_future",
        "decimal_scale",
        "invalid_date",
        "id_bad_check_char",
        "uscc_bad_check_char",
    ];
    expected.sort_unstable();
    assert_eq!(codes, expected, "{issues:#?}");
    // Nothing in clear.
    assert!(!format!("{issues:?}").contains("110105194912310021"));
}

// ---------------------------------------------------------------------------------------
// Digest
// ---------------------------------------------------------------------------------------

#[test]
fn content_digest_is_canonical() {
    let p = rt("admin_penalty");
    let base = run(p, &penalty_values()).unwrap();

    // Other spellings of the same values.
    let mut values = penalty_values();
    set(&mut values, "decision_date", "2025年6月1日");
    set(&mut values, "fine_amount", "5.000");
    set(&mut values, "subject_category", "法人");
    set(&mut values, "uscc", &company_uscc().to_lowercase());
    set(&mut values, "legal_rep_id_type", "1");
    let same = run(p, &values).unwrap();
    assert_eq!(same.content_digest, base.content_digest);

    // Any change of content changes it.
    for (name, v) in [
        ("fine_amount", "5.1"),
        ("remarks", "补充说明"),
        ("decision_date", "2025-06-02"),
        ("penalty_category", "警告"),
    ] {
        let mut values = penalty_values();
        set(&mut values, name, v);
        let other = run(p, &values).unwrap();
        assert_ne!(other.content_digest, base.content_digest, "{name}");
    }

    // Two persons with the same masked number differ.
    let a = person_id();
    let b = (0..1000)
        .map(|k| {
            make_id_unchecked(
                "320402",
                &format!("1980{:02}{:02}", 1 + k / 28 % 12, 1 + k % 28),
                "123",
            )
        })
        .find(|b| *b != a && id_number::mask(b) == id_number::mask(&a))
        .unwrap();
    let rt = rt("admin_license");
    let mut va = license_values();
    set(&mut va, "id_no", &a);
    let mut vb = license_values();
    set(&mut vb, "id_no", &b);
    let (ra, rb) = (run(rt, &va).unwrap(), run(rt, &vb).unwrap());
    assert_eq!(ra.fields, rb.fields, "same masked fields");
    assert_ne!(ra.content_digest, rb.content_digest);

    // Keyed digest: different from the plain one, stable for the same key.
    let headers = titles(p);
    let cells = cells_for(p, &headers, &penalty_values());
    let (map, _) = map_columns(p, &headers).unwrap();
    let keyed = map.clone().with_digest_key(&[7; 32]);
    let k1 = validate_row(p, &keyed, 1, &cells, regions(), today()).unwrap();
    let k2 = validate_row(p, &keyed, 2, &cells, regions(), today()).unwrap();
    let other_key = map.with_digest_key(&[8; 32]);
    let k3 = validate_row(p, &other_key, 1, &cells, regions(), today()).unwrap();
    assert_eq!(k1.content_digest, k2.content_digest);
    assert_ne!(k1.content_digest, base.content_digest);
    assert_ne!(k1.content_digest, k3.content_digest);
    let debug = format!("{keyed:?}");
    assert!(
        debug.contains("keyed_digest: true") && !debug.contains("7, 7"),
        "{debug}"
    );
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// The report writer's guard (crates/ingest), reproduced to test the round trip.
fn neutralise(cell: &str) -> String {
    if cell
        .trim_start_matches('\'')
        .starts_with(is_formula_trigger)
    {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[test]
fn unneutralise_round_trip() {
    for s in [
        "", "plain", "=1+1", "+86", "-3", "@x", "\tx", "\rx", "'=x", "''=x", "'", "'abc", "a'=b",
        "''", "常州",
    ] {
        assert_eq!(unneutralise(&neutralise(s)), s, "{s:?}");
    }
    assert_eq!(unneutralise("'=SUM(A1)"), "=SUM(A1)");
    assert_eq!(unneutralise("'-5"), "-5");
    assert_eq!(unneutralise("'abc"), "'abc");
    assert_eq!(unneutralise("'"), "'");
}

fn check_fast_paths(rt: &RecordType, map: &ColumnMap, raw: &str) {
    for (i, f) in rt.fields.iter().enumerate() {
        assert_eq!(
            map.parse_cell(f, i, raw),
            f.parse_value(raw),
            "{} {raw:?}",
            f.name
        );
    }
}

#[test]
fn fast_paths_agree_with_parse_value_on_known_cases() {
    for code in [
        "admin_penalty",
        "admin_license",
        "dishonest_judgment_debtor",
    ] {
        let rt = rt(code);
        let (map, _) = map_columns(rt, &titles(rt)).unwrap();
        let spellings = rt.fields.iter().flat_map(|f| match &f.kind {
            FieldType::Enum { values } => values
                .iter()
                .flat_map(|v| {
                    [v.code.clone(), v.label.clone()]
                        .into_iter()
                        .chain(v.aliases.iter().cloned())
                })
                .collect(),
            _ => Vec::new(),
        });
        let fixed = [
            "",
            " ",
            "\u{3000}",
            "\u{FEFF}",
            "\u{FEFF}01",
            " 01 ",
            "1",
            "001",
            "２",
            "Ａ",
            "2025-06-01",
            " 2025-06-01 ",
            "2025-02-30",
            "2025-6-1",
            "2025/06/01",
            "2025-06-01 12:00",
            "0000-01-01",
            "9999-12-31",
            "-2025-06-01",
            "５",
            "91320402ma1my3b5xx",
            " 320402198001011234 ",
            "３２０４",
            "e1234567",
            "身份证",
            "法人 ",
            "自然人",
            "普通",
            "有效",
            "其他",
            "06",
            "6",
            "x",
            "X",
        ];
        for raw in spellings.chain(fixed.iter().map(|s| s.to_string())) {
            check_fast_paths(rt, &map, &raw);
        }
        let long = "长".repeat(5001);
        check_fast_paths(rt, &map, &long);
        check_fast_paths(rt, &map, &"a".repeat(200));
        check_fast_paths(rt, &map, &"长".repeat(200));
        check_fast_paths(rt, &map, &"长".repeat(201));
    }
}

proptest! {
    #[test]
    fn fast_paths_agree_with_parse_value(raw in "[ 0-9a-zA-Z\\-/.年月日法人自然身份证普通有效０-９Ａ-Ｚ\u{3000}\u{FEFF}]{0,24}") {
        for code in ["admin_penalty", "admin_license"] {
            let rt = rt(code);
            let (map, _) = map_columns(rt, &titles(rt)).unwrap();
            check_fast_paths(rt, &map, &raw);
        }
    }
}

#[test]
fn memo_follows_the_region_table() {
    let p = rt("admin_penalty");
    let headers = titles(p);
    let (map, _) = map_columns(p, &headers).unwrap();
    let cells = cells_for(p, &headers, &penalty_values());
    assert!(validate_row(p, &map, 1, &cells, regions(), today()).is_ok());
    // The same map with a table that knows no region: the memo must not answer.
    let empty: HashMap<String, RegionInfo> = HashMap::new();
    let issues = validate_row(p, &map, 1, &cells, &empty, today()).unwrap_err();
    assert!(
        issues.iter().any(|i| i.code == "uscc_unknown_region"),
        "{issues:?}"
    );
    assert!(validate_row(p, &map, 1, &cells, regions(), today()).is_ok());
    // A busy memo (another thread) only costs speed.
    let _held = map.memo.lock().unwrap();
    assert!(validate_row(p, &map, 1, &cells, regions(), today()).is_ok());
}

#[test]
fn column_map_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ColumnMap>();
    assert_send_sync::<ValidRow>();
}

#[test]
fn iso_dates() {
    for date in [d(2025, 1, 5), d(1949, 10, 1), d(2099, 12, 31), d(5, 3, 9)] {
        assert_eq!(iso_date(date), date.format("%Y-%m-%d").to_string());
    }
}

// ---------------------------------------------------------------------------------------
// Benchmark
// ---------------------------------------------------------------------------------------

/// User + system CPU time of the current thread in clock ticks (1/100 s on Linux), so the
/// figure does not depend on what else the machine runs.
fn thread_cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // Fields 14 and 15 of stat(5), counted from the state (field 3) here.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// `cargo test --release -p chengxin-domain intake -- --ignored --nocapture`
#[test]
#[ignore]
fn bench_penalty_rows() {
    const ROWS: usize = 200_000;
    let p = rt("admin_penalty");
    let regions = regions();
    let mut headers = titles(p);
    headers.push("失信严重程度".into());
    let (map, _) = map_columns(p, &headers).unwrap();
    let companies: Vec<String> = (0..500)
        .map(|k| make_uscc("91", "320402", &format!("MA{k:06}")))
        .collect();
    let people: Vec<String> = (0..500)
        .map(|k| {
            make_id(
                "320402",
                &format!("19{:02}0{}1{}", 50 + k % 50, 1 + k % 9, k % 3),
                &format!("{:03}", k % 1000),
            )
        })
        .collect();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| p.resolve_column(h).is_some_and(|f| f.name == name))
            .unwrap()
    };
    let company = cells_for(p, &headers, &penalty_values());
    let mut person_values = penalty_values();
    for (name, v) in [
        ("subject_category", "自然人"),
        ("subject_name", "赵六"),
        ("uscc", ""),
        ("legal_rep", ""),
        ("legal_rep_id_type", ""),
        ("legal_rep_id_no", ""),
        ("id_type", "身份证"),
    ] {
        set(&mut person_values, name, v);
    }
    let person = cells_for(p, &headers, &person_values);
    let (c_uscc, c_id, c_doc, c_fine, c_date) = (
        col("uscc"),
        col("id_no"),
        col("decision_doc_no"),
        col("fine_amount"),
        col("decision_date"),
    );
    let c_sev = headers.len() - 1;
    let mut rows = Vec::with_capacity(ROWS);
    for k in 0..ROWS {
        let mut cells = if k % 5 == 0 {
            let mut c = person.clone();
            c[c_id] = people[k % people.len()].clone();
            c
        } else {
            let mut c = company.clone();
            c[c_uscc] = companies[k % companies.len()].clone();
            c
        };
        cells[c_doc] = format!("常天市监处罚〔2025〕{k}号");
        cells[c_fine] = format!("{}.{}", k % 100, k % 7);
        cells[c_date] = format!("2025-0{}-{:02}", 1 + k % 5, 1 + k % 28);
        cells[c_sev] = ["", "一般", "严重"][k % 3].into();
        rows.push(cells);
    }
    let bytes: usize = rows.iter().flatten().map(String::len).sum();
    let cpu_start = thread_cpu_ticks();
    let start = Instant::now();
    let mut digests = Vec::with_capacity(ROWS);
    for (k, cells) in rows.iter().enumerate() {
        match validate_row(p, &map, k as u64 + 2, cells, regions, today()) {
            Ok(row) => digests.push(row.content_digest),
            Err(issues) => panic!("row {k}: {issues:?}"),
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu = thread_cpu_ticks()
        .zip(cpu_start)
        .map(|(b, a)| (b - a) as f64 / 100.0);
    let ok = digests.len();
    digests.sort_unstable();
    digests.dedup();
    println!(
        "intake: {ROWS} 行政处罚 rows ({:.1} MB of cells) in {secs:.3} s = {:.0} rows/s",
        bytes as f64 / 1e6,
        ROWS as f64 / secs
    );
    if let Some(cpu) = cpu {
        println!(
            "intake: thread CPU time {cpu:.2} s = {:.0} rows/s of CPU",
            ROWS as f64 / cpu
        );
    }
    assert_eq!(ok, ROWS);
    assert_eq!(digests.len(), ROWS);
}

#[test]
fn id_numbers_in_free_text_are_stored_masked_with_the_text_kept_apart() {
    let rt = rt("admin_penalty");
    let id = make_id("320402", "19900101", "123");
    let old = "320402900101123";
    let facts = format!("当事人张三（身份证号{id}，原证号{old}）销售过期食品");
    let mut values = penalty_values();
    set(&mut values, "violation_facts", &facts);
    set(&mut values, "subject_name", &format!("张三{id}"));
    set(
        &mut values,
        "decision_doc_no",
        &format!("常天市监处罚〔2025〕{id}号"),
    );
    let row = run(rt, &values).unwrap();
    let masked = id_number::mask(&id);
    assert_eq!(
        row.fields["violation_facts"],
        facts
            .replace(&id, &masked)
            .replace(old, &id_number::mask(old))
    );
    assert_eq!(row.subject.name, format!("张三{masked}"));
    assert_eq!(row.fields["subject_name"], format!("张三{masked}"));
    assert_eq!(row.clear_texts.get("violation_facts"), Some(facts.as_str()));
    assert_eq!(
        row.clear_texts.get("subject_name"),
        Some(format!("张三{id}").as_str())
    );
    // The document number is the record's source key: kept as submitted.
    assert_eq!(row.doc_no, format!("常天市监处罚〔2025〕{id}号"));
    assert_eq!(row.fields["decision_doc_no"], row.doc_no);
    assert!(row.clear_texts.get("decision_doc_no").is_none());
    // Never in clear in Debug or the stored fields but the document number.
    let debug = format!("{row:?}");
    assert!(!debug.replace(&row.doc_no, "").contains(&id), "{debug}");
    let mut fields = row.fields.clone();
    fields.remove("decision_doc_no");
    assert!(!serde_json::to_string(&fields).unwrap().contains(&id));
    // The digest is over the content as given: another number, another digest.
    let mut other = values.clone();
    set(
        &mut other,
        "violation_facts",
        &facts.replace(&id, &make_id("320402", "19900101", "125")),
    );
    assert_ne!(run(rt, &other).unwrap().content_digest, row.content_digest);
}
