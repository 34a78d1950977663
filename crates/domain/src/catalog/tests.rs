use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn catalog() -> &'static Catalog {
    Catalog::default_checked().unwrap()
}

fn field<'a>(t: &'a RecordType, name: &str) -> &'a FieldDef {
    t.field(name)
        .unwrap_or_else(|| panic!("{}: no field {name}", t.code))
}

// -------------------------------------------------------------------------------------
// The shipped catalog
// -------------------------------------------------------------------------------------

#[test]
fn shipped_catalog_parses() {
    let c = Catalog::default_catalog().unwrap();
    assert!(!c.version().is_empty());
    assert_eq!(c.digest().len(), 64);
    assert_eq!(c.digest(), catalog().digest());
    assert!(c.to_string().contains(c.version()));
}

#[test]
fn shipped_catalog_has_every_type_of_the_brief() {
    let c = catalog();
    let expected = [
        ("admin_license", "行政许可"),
        ("admin_penalty", "行政处罚"),
        ("court_judgment", "司法判决"),
        ("refusal_to_execute", "拒不执行生效判决"),
        ("dishonest_judgment_debtor", "失信被执行人"),
        ("disciplinary_sanction", "政务处分"),
        ("accountability", "问责"),
        ("civil_servant_appraisal", "公务员年度考核"),
        ("commendation", "表彰奖励"),
        ("procurement_performance", "政府采购"),
        ("procurement_arrears", "拖欠账款"),
        ("ppp_breach", "PPP"),
        ("investment_promise_breach", "招商引资"),
        ("commitment_breach", "违背承诺"),
        ("statistical_fraud", "统计"),
        ("complaint_verified", "投诉举报"),
        ("audit_finding", "审计"),
        ("npc_cppcc_proposal", "政协提案"),
    ];
    for (code, name_part) in expected {
        let t = c.get(code).unwrap_or_else(|| panic!("missing {code}"));
        assert!(t.name.contains(name_part), "{code}: {}", t.name);
    }
    assert_eq!(c.types().len(), expected.len());
    assert!(c.get("nope").is_none());
}

const SUBJECT_BLOCK: [&str; 13] = [
    "行政相对人名称",
    "行政相对人类别",
    "行政相对人代码_1(统一社会信用代码)",
    "行政相对人代码_2(工商注册号)",
    "行政相对人代码_3(组织机构代码)",
    "行政相对人代码_4(税务登记号)",
    "行政相对人代码_5(事业单位证书号)",
    "行政相对人代码_6(社会组织登记证号)",
    "法定代表人",
    "法定代表人证件类型",
    "法定代表人证件号码",
    "证件类型",
    "证件号码",
];

fn titles(t: &RecordType) -> Vec<&str> {
    t.fields.iter().map(|f| f.title.as_str()).collect()
}

#[test]
fn penalty_columns_are_exactly_the_national_standard() {
    let t = catalog().get("admin_penalty").unwrap();
    let mut expected: Vec<&str> = SUBJECT_BLOCK.to_vec();
    expected.extend([
        "行政处罚决定书文号",
        "违法行为类型",
        "违法事实",
        "处罚依据",
        "处罚类别",
        "处罚内容",
        "罚款金额（万元）",
        "没收违法所得、没收非法财物的金额（万元）",
        "暂扣或吊销证照名称及编号",
        "处罚决定日期",
        "处罚有效期",
        "公示截止期",
        "处罚机关",
        "处罚机关统一社会信用代码",
        "数据来源单位",
        "数据来源单位统一社会信用代码",
        "备注",
    ]);
    assert_eq!(titles(t), expected);
    assert_eq!(t.class, RecordClass::Negative);
    assert_eq!(t.disclosure, Disclosure::Public);
    assert_eq!(t.publish_within_working_days, Some(7));
    assert_eq!(t.key_field, "decision_doc_no");
    assert_eq!(field(t, &t.key_field).title, "行政处罚决定书文号");
    assert_eq!(field(t, &t.decision_date_field).title, "处罚决定日期");
    assert_eq!(
        field(t, "fine_amount").kind,
        FieldType::Decimal {
            scale: 6,
            allow_negative: false
        }
    );
    let policy = t.severity.as_ref().unwrap();
    assert_eq!(policy.default, Severity::General);
    assert!(policy.per_row);
}

#[test]
fn license_columns_are_exactly_the_national_standard() {
    let t = catalog().get("admin_license").unwrap();
    let mut expected: Vec<&str> = SUBJECT_BLOCK.to_vec();
    expected.extend([
        "行政许可决定文书名称",
        "行政许可决定文书号",
        "许可类别",
        "许可证书名称",
        "许可编号",
        "许可内容",
        "许可决定日期",
        "有效期自",
        "有效期至",
        "许可机关",
        "许可机关统一社会信用代码",
        "当前状态",
        "数据来源单位",
        "数据来源单位统一社会信用代码",
        "备注",
    ]);
    assert_eq!(titles(t), expected);
    assert_eq!(t.class, RecordClass::Basic);
    assert!(t.severity.is_none());
    let cat = field(t, "license_category");
    for (raw, code) in [
        ("01", "01"),
        ("普通", "01"),
        ("02", "02"),
        ("特许", "02"),
        ("03", "03"),
        ("认可", "03"),
        ("04", "04"),
        ("核准", "04"),
        ("05", "05"),
        ("登记", "05"),
        ("06", "06"),
        ("其他", "06"),
        ("6", "06"),
    ] {
        assert_eq!(cat.parse_value(raw), Ok(FieldValue::Enum(code.into())));
    }
    let id_type = field(t, "id_type");
    for (raw, code) in [
        ("身份证", "01"),
        ("护照", "02"),
        ("港澳通行证", "03"),
        ("台湾通行证", "04"),
        ("外国人永久居留身份证", "05"),
    ] {
        assert_eq!(id_type.parse_value(raw), Ok(FieldValue::Enum(code.into())));
    }
    let status = field(t, "status");
    assert_eq!(
        status.parse_value("有效"),
        Ok(FieldValue::Enum("valid".into()))
    );
    assert_eq!(
        status.parse_value("无效"),
        Ok(FieldValue::Enum("invalid".into()))
    );
    let kind = field(t, "subject_category");
    for label in ["法人及非法人组织", "自然人", "个体工商户"] {
        assert!(kind.parse_value(label).is_ok(), "{label}");
    }
    assert_eq!(t.subject.id_type_field.as_deref(), Some("id_type"));
    assert_eq!(t.subject.kind_field.as_deref(), Some("subject_category"));
}

#[test]
fn every_negative_type_has_a_severity_and_every_type_is_consistent() {
    for t in catalog().types() {
        assert_eq!(
            t.severity.is_some(),
            t.class == RecordClass::Negative,
            "{}",
            t.code
        );
        assert!(!t.subject_kinds.is_empty());
        assert!(matches!(
            field(t, &t.decision_date_field).kind,
            FieldType::Date
        ));
        assert!(field(t, &t.key_field).required, "{}", t.code);
        assert!(field(t, &t.decision_date_field).required, "{}", t.code);
        assert!(field(t, &t.subject.name_field).required, "{}", t.code);
        if t.disclosure != Disclosure::Public {
            assert_eq!(
                t.publication,
                PublicationRule::None,
                "{} is not public but published",
                t.code
            );
        }
    }
}

#[test]
fn realistic_fields_of_other_types() {
    let c = catalog();
    let t = c.get("dishonest_judgment_debtor").unwrap();
    for title in [
        "被执行人名称",
        "证件号码/统一社会信用代码",
        "执行法院",
        "执行依据文号",
        "立案时间",
        "案号",
        "失信被执行人行为具体情形",
        "发布时间",
    ] {
        assert!(t.resolve_column(title).is_some(), "{title}");
    }
    assert_eq!(field(t, "subject_code").kind, FieldType::UsccOrId);

    let t = c.get("disciplinary_sanction").unwrap();
    let kinds = field(t, "sanction_type");
    for label in ["警告", "记过", "记大过", "降级", "撤职", "开除"] {
        assert!(kinds.parse_value(label).is_ok(), "{label}");
    }
    assert_eq!(t.subject_kinds, vec![SubjectKind::CivilServant]);
    assert_eq!(t.disclosure, Disclosure::Shared);
    let mut vals = FieldValues::new();
    vals.insert("sanction_type".into(), kinds.parse_value("开除").unwrap());
    assert_eq!(t.row_severity(None, &vals), Some(Severity::Severe));
    vals.insert("sanction_type".into(), kinds.parse_value("警告").unwrap());
    assert_eq!(t.row_severity(None, &vals), Some(Severity::General));

    let t = c.get("civil_servant_appraisal").unwrap();
    let r = field(t, "result");
    for (label, code) in [
        ("优秀", "excellent"),
        ("称职", "competent"),
        ("基本称职", "basically_competent"),
        ("不称职", "incompetent"),
    ] {
        assert_eq!(r.parse_value(label), Ok(FieldValue::Enum(code.into())));
    }

    let t = c.get("procurement_arrears").unwrap();
    for title in [
        "合同编号",
        "合同金额（元）",
        "约定付款日期",
        "拖欠金额（元）",
    ] {
        assert!(t.resolve_column(title).is_some(), "{title}");
    }
    let t = c.get("procurement_performance").unwrap();
    for title in ["合同编号", "约定付款日期", "实际付款日期", "实际验收日期"]
    {
        assert!(t.resolve_column(title).is_some(), "{title}");
    }
}

// -------------------------------------------------------------------------------------
// Column resolution
// -------------------------------------------------------------------------------------

#[test]
fn resolve_column_folds_width_brackets_spaces_and_bom() {
    let t = catalog().get("admin_penalty").unwrap();
    let fine = |h: &str| t.resolve_column(h).map(|f| f.name.as_str());
    assert_eq!(fine("罚款金额（万元）"), Some("fine_amount"));
    assert_eq!(fine("罚款金额(万元)"), Some("fine_amount"));
    assert_eq!(fine("\u{feff}罚款金额(万元)"), Some("fine_amount"));
    assert_eq!(fine("  罚款金额 ( 万元 ) "), Some("fine_amount"));
    assert_eq!(fine("fine_amount"), Some("fine_amount"));
    assert_eq!(fine("FINE_AMOUNT"), Some("fine_amount"));
    assert_eq!(fine("ｆｉｎｅ＿ａｍｏｕｎｔ"), Some("fine_amount"));
    assert_eq!(fine("行政相对人代码_1（统一社会信用代码）"), Some("uscc"));
    assert_eq!(
        fine("\u{feff}行政相对人代码＿1 (统一社会信用代码)"),
        Some("uscc")
    );
    assert_eq!(fine("统一社会信用代码"), Some("uscc"));
    assert_eq!(fine("行政处罚决定书文号："), Some("decision_doc_no"));
    assert_eq!(
        fine("没收违法所得、没收非法财物的金额(万元)"),
        Some("confiscation_amount")
    );
    assert_eq!(fine("\u{3000}备注\u{3000}"), Some("remarks"));
    assert_eq!(fine("法定代表人姓名"), Some("legal_rep"));
    assert_eq!(fine("不存在的列"), None);
    assert_eq!(fine(""), None);
    assert_eq!(fine("\u{feff}"), None);
    assert!(field(t, "fine_amount").matches_header("罚款金额(万元)"));
}

#[test]
fn legacy_columns_are_reported_with_a_reason() {
    let t = catalog().get("admin_penalty").unwrap();
    for h in [
        "处罚名称",
        "处罚类别1",
        "处罚类别2",
        "处罚事由",
        "处罚结果",
        "当前状态",
        "地方编码",
        "数据更新时间戳",
        "行政相对人代码_2 (组织机构代码)",
        "行政相对人代码_5（居民身份证号）",
    ] {
        let reason = t.legacy_column(h).unwrap_or_else(|| panic!("{h}"));
        assert!(!reason.is_empty());
        assert!(t.resolve_column(h).is_none(), "{h} resolves");
    }
    assert!(t.legacy_column("处罚类别1：").is_some());
    assert!(t.legacy_column("处罚类别").is_none());
    // 当前状态 is legacy for penalties but a standard licence column.
    let lic = catalog().get("admin_license").unwrap();
    assert!(lic.legacy_column("当前状态").is_none());
    assert_eq!(lic.resolve_column("当前状态").unwrap().name, "status");
    assert!(lic.legacy_column("许可截止期").is_some());
}

#[test]
fn severity_column_and_parse() {
    let t = catalog().get("admin_penalty").unwrap();
    assert!(t.is_severity_column("失信严重程度"));
    assert!(t.is_severity_column(" 严重程度 "));
    assert!(!t.is_severity_column("处罚类别"));
    assert!(!catalog()
        .get("admin_license")
        .unwrap()
        .is_severity_column("失信严重程度"));
    assert_eq!(Severity::parse("严重"), Some(Severity::Severe));
    assert_eq!(Severity::parse("严重失信"), Some(Severity::Severe));
    assert_eq!(Severity::parse("较重"), Some(Severity::Major));
    assert_eq!(Severity::parse(" general "), Some(Severity::General));
    assert_eq!(Severity::parse("轻微"), Some(Severity::Minor));
    assert_eq!(Severity::parse("很严重"), None);
    for s in Severity::ALL {
        assert_eq!(Severity::parse(s.code()), Some(s));
        assert_eq!(Severity::parse(s.label()), Some(s));
    }
}

#[test]
fn penalty_severity_is_derived_from_the_category() {
    let t = catalog().get("admin_penalty").unwrap();
    let cat = field(t, "penalty_category");
    let sev = |c: &str| {
        let mut v = FieldValues::new();
        v.insert("penalty_category".into(), cat.parse_value(c).unwrap());
        t.row_severity(None, &v)
    };
    assert_eq!(sev("警告"), Some(Severity::Minor));
    assert_eq!(sev("警告;罚款"), Some(Severity::General));
    assert_eq!(sev("罚款;吊销许可证件"), Some(Severity::Severe));
    assert_eq!(sev("其他"), Some(Severity::General));
    let mut v = FieldValues::new();
    v.insert("penalty_category".into(), cat.parse_value("警告").unwrap());
    assert_eq!(
        t.row_severity(Some(Severity::Severe), &v),
        Some(Severity::Severe)
    );
    let lic = catalog().get("admin_license").unwrap();
    assert_eq!(lic.row_severity(Some(Severity::Severe), &v), None);
    // per_row = false ignores the explicit severity.
    let dj = catalog().get("dishonest_judgment_debtor").unwrap();
    assert_eq!(
        dj.row_severity(Some(Severity::Minor), &v),
        Some(Severity::Severe)
    );
}

// -------------------------------------------------------------------------------------
// Values
// -------------------------------------------------------------------------------------

fn fd(kind: FieldType, required: bool) -> FieldDef {
    FieldDef {
        name: "x".into(),
        title: "测试列".into(),
        aliases: vec![],
        kind,
        required,
        description: None,
    }
}

fn text(max_len: u32, required: bool) -> FieldDef {
    fd(FieldType::Text { max_len }, required)
}

fn dec(scale: u32) -> FieldDef {
    fd(
        FieldType::Decimal {
            scale,
            allow_negative: false,
        },
        false,
    )
}

#[test]
fn text_values() {
    let f = text(4, true);
    assert_eq!(
        f.parse_value("  常州市 "),
        Ok(FieldValue::Text("常州市".into()))
    );
    assert_eq!(
        f.parse_value("一二三四"),
        Ok(FieldValue::Text("一二三四".into()))
    );
    let e = f.parse_value("一二三四五").unwrap_err();
    assert_eq!(e.code(), "too_long");
    assert!(e.to_string().contains("测试列"));
    let e = f.parse_value("  \u{3000} ").unwrap_err();
    assert_eq!(e.code(), "required");
    assert!(e.to_string().contains("测试列"));
    assert_eq!(text(4, false).parse_value(""), Ok(FieldValue::Empty));
    // Full-width text is kept as written.
    assert_eq!(
        text(10, false).parse_value("（一）"),
        Ok(FieldValue::Text("（一）".into()))
    );
}

#[test]
fn date_values() {
    let f = fd(FieldType::Date, true);
    let ok = d(2025, 1, 24);
    for raw in [
        "2025-01-24",
        "2025/1/24",
        "20250124",
        "2025年1月24日",
        "2025年01月24",
        "2025.01.24",
        "2025-1-24",
        " 2025-01-24 ",
        "２０２５－０１－２４",
        "2025-01-24 00:00:00",
        "2025-01-24T10:30:00",
        "2025/01/24 9:05",
        "2025-01-24 00:00:00.000",
    ] {
        assert_eq!(f.parse_value(raw), Ok(FieldValue::Date(ok)), "{raw}");
    }
    for raw in [
        "2025-02-30",
        "2025-13-01",
        "20250230",
        "2025年2月29日",
        "2025/00/10",
    ] {
        let e = f.parse_value(raw).unwrap_err();
        assert_eq!(e.code(), "impossible_date", "{raw}");
        assert!(e.to_string().contains("测试列"));
    }
    assert_eq!(
        f.parse_value("2024-02-29"),
        Ok(FieldValue::Date(d(2024, 2, 29)))
    );
    for raw in [
        "25-01-24",
        "2025-01/24",
        "2025-01-24x",
        "2025-001-24",
        "2025124",
        "abc",
        "45681",
        "2025-01-24 25:00",
        "2025年1月",
    ] {
        assert_eq!(
            f.parse_value(raw).unwrap_err().code(),
            "invalid_date",
            "{raw}"
        );
    }
    assert_eq!(f.parse_value("").unwrap_err().code(), "required");
}

#[test]
fn decimal_values() {
    let f = dec(6);
    let v = |raw: &str| f.parse_value(raw);
    assert_eq!(v("12.5"), Ok(FieldValue::Decimal("12.5".into())));
    assert_eq!(v("0012.500"), Ok(FieldValue::Decimal("12.5".into())));
    assert_eq!(v("0.000001"), Ok(FieldValue::Decimal("0.000001".into())));
    assert_eq!(v(".5"), Ok(FieldValue::Decimal("0.5".into())));
    assert_eq!(v("3."), Ok(FieldValue::Decimal("3".into())));
    assert_eq!(v("+7"), Ok(FieldValue::Decimal("7".into())));
    assert_eq!(v("0"), Ok(FieldValue::Decimal("0".into())));
    assert_eq!(v("-0"), Ok(FieldValue::Decimal("0".into())));
    assert_eq!(
        v("1,234,567.89"),
        Ok(FieldValue::Decimal("1234567.89".into()))
    );
    assert_eq!(v("１２．５"), Ok(FieldValue::Decimal("12.5".into())));
    assert_eq!(v("1.1234560"), Ok(FieldValue::Decimal("1.123456".into())));
    assert_eq!(v(""), Ok(FieldValue::Empty));
    assert_eq!(v("1.1234567").unwrap_err().code(), "decimal_scale");
    for raw in [
        "1,23", "12,34.5", "1.2.3", "abc", "1e5", ".", "-", "1 000", "¥5", "5元",
    ] {
        assert_eq!(v(raw).unwrap_err().code(), "invalid_decimal", "{raw}");
    }
    assert_eq!(v("-5").unwrap_err().code(), "negative_number");
    assert_eq!(
        v("123456789012345678901").unwrap_err().code(),
        "number_too_large"
    );
    let signed = fd(
        FieldType::Decimal {
            scale: 2,
            allow_negative: true,
        },
        false,
    );
    assert_eq!(
        signed.parse_value("-5.10"),
        Ok(FieldValue::Decimal("-5.1".into()))
    );
    let e = dec(0).parse_value("1.5").unwrap_err();
    assert_eq!(e.code(), "decimal_scale");
    assert!(e.to_string().contains("测试列"));
    assert_eq!(
        dec(0).parse_value("15.00"),
        Ok(FieldValue::Decimal("15".into()))
    );
}

#[test]
fn integer_values() {
    let f = fd(
        FieldType::Integer {
            allow_negative: false,
        },
        true,
    );
    assert_eq!(f.parse_value("2024"), Ok(FieldValue::Integer(2024)));
    assert_eq!(f.parse_value("2024.0"), Ok(FieldValue::Integer(2024)));
    assert_eq!(f.parse_value("+12"), Ok(FieldValue::Integer(12)));
    assert_eq!(f.parse_value("２０２４"), Ok(FieldValue::Integer(2024)));
    assert_eq!(f.parse_value("12.5").unwrap_err().code(), "invalid_integer");
    assert_eq!(f.parse_value("x").unwrap_err().code(), "invalid_integer");
    assert_eq!(f.parse_value("-1").unwrap_err().code(), "negative_number");
    assert_eq!(
        f.parse_value("99999999999999999999").unwrap_err().code(),
        "number_too_large"
    );
    assert_eq!(f.parse_value("").unwrap_err().code(), "required");
    let s = fd(
        FieldType::Integer {
            allow_negative: true,
        },
        false,
    );
    assert_eq!(s.parse_value("-3"), Ok(FieldValue::Integer(-3)));
}

#[test]
fn enum_values() {
    let f = fd(
        FieldType::Enum {
            values: vec![
                EnumValue {
                    code: "01".into(),
                    label: "身份证".into(),
                    aliases: vec!["居民身份证".into()],
                },
                EnumValue {
                    code: "A".into(),
                    label: "甲".into(),
                    aliases: vec![],
                },
            ],
        },
        false,
    );
    assert_eq!(f.parse_value("01"), Ok(FieldValue::Enum("01".into())));
    assert_eq!(f.parse_value("1"), Ok(FieldValue::Enum("01".into())));
    assert_eq!(f.parse_value("００１"), Ok(FieldValue::Enum("01".into())));
    assert_eq!(f.parse_value(" 身份证 "), Ok(FieldValue::Enum("01".into())));
    assert_eq!(
        f.parse_value("居民身份证"),
        Ok(FieldValue::Enum("01".into()))
    );
    assert_eq!(f.parse_value("a"), Ok(FieldValue::Enum("A".into())));
    assert_eq!(f.parse_value("甲"), Ok(FieldValue::Enum("A".into())));
    assert_eq!(f.parse_value(""), Ok(FieldValue::Empty));
    let e = f.parse_value("护照").unwrap_err();
    assert_eq!(e.code(), "invalid_enum");
    assert!(e.to_string().contains("测试列"));
    assert!(e.to_string().contains("01 身份证"));
    assert_eq!(f.parse_value("2").unwrap_err().code(), "invalid_enum");
}

#[test]
fn code_values_are_only_normalised() {
    for kind in [FieldType::Uscc, FieldType::IdNumber, FieldType::UsccOrId] {
        let f = fd(kind, true);
        assert_eq!(
            f.parse_value(" 91320400mA1ｘ２ "),
            Ok(FieldValue::Code("91320400MA1X2".into()))
        );
        assert_eq!(f.parse_value("").unwrap_err().code(), "required");
    }
    assert_eq!(FieldValue::Code("X".into()).as_str(), Some("X"));
    assert!(FieldValue::Empty.is_empty());
}

// -------------------------------------------------------------------------------------
// Publication
// -------------------------------------------------------------------------------------

#[test]
fn general_penalty_publication_and_repair() {
    let t = catalog().get("admin_penalty").unwrap();
    let none = FieldValues::new();
    let decided = d(2025, 1, 31);
    assert_eq!(
        t.publication
            .publish_until(decided, Some(Severity::General), &none),
        PublicationEnd::Until(d(2026, 1, 31))
    );
    assert_eq!(
        t.publication
            .repairable_from(decided, Some(Severity::General)),
        Some(d(2025, 4, 30))
    );
    // None counts as 一般.
    assert_eq!(
        t.publication.publish_until(decided, None, &none),
        PublicationEnd::Until(d(2026, 1, 31))
    );
    // Severe: 1–3 years.
    assert_eq!(
        t.publication
            .publish_until(decided, Some(Severity::Severe), &none),
        PublicationEnd::Until(d(2028, 1, 31))
    );
    assert_eq!(
        t.publication
            .repairable_from(decided, Some(Severity::Severe)),
        Some(d(2026, 1, 31))
    );
    // Minor: not published, repairable at once.
    assert_eq!(
        t.publication
            .publish_until(decided, Some(Severity::Minor), &none),
        PublicationEnd::NotPublished
    );
    assert_eq!(
        t.publication
            .repairable_from(decided, Some(Severity::Minor)),
        Some(decided)
    );
    // Leap day.
    assert_eq!(
        t.publication
            .publish_until(d(2024, 2, 29), Some(Severity::General), &none),
        PublicationEnd::Until(d(2025, 2, 28))
    );
}

#[test]
fn penalty_deadline_column_is_clamped_to_the_window() {
    let t = catalog().get("admin_penalty").unwrap();
    let decided = d(2025, 1, 31);
    let with = |date: NaiveDate| {
        let mut v = FieldValues::new();
        v.insert("publicity_deadline".into(), FieldValue::Date(date));
        t.publication
            .publish_until(decided, Some(Severity::General), &v)
    };
    assert_eq!(with(d(2025, 9, 1)), PublicationEnd::Until(d(2025, 9, 1)));
    assert_eq!(with(d(2025, 2, 1)), PublicationEnd::Until(d(2025, 4, 30)));
    assert_eq!(with(d(2099, 12, 31)), PublicationEnd::Until(d(2026, 1, 31)));
    // Through the type: severity derived from the category.
    let mut v = FieldValues::new();
    v.insert(
        "penalty_category".into(),
        FieldValue::Text("吊销许可证件".into()),
    );
    assert_eq!(
        t.publish_until(decided, None, &v),
        PublicationEnd::Until(d(2028, 1, 31))
    );
    assert_eq!(t.repairable_from(decided, None, &v), Some(d(2026, 1, 31)));
}

#[test]
fn licence_is_published_until_its_validity_ends() {
    let t = catalog().get("admin_license").unwrap();
    let decided = d(2025, 3, 1);
    let valid_to = field(t, "valid_to");
    let with = |raw: &str| {
        let mut v = FieldValues::new();
        v.insert("valid_to".into(), valid_to.parse_value(raw).unwrap());
        t.publish_until(decided, None, &v)
    };
    assert_eq!(with("2030/2/28"), PublicationEnd::Until(d(2030, 2, 28)));
    assert_eq!(with("2099/12/31"), PublicationEnd::Never);
    assert_eq!(
        t.publish_until(decided, None, &FieldValues::new()),
        PublicationEnd::Never
    );
    assert_eq!(
        t.repairable_from(decided, None, &FieldValues::new()),
        Some(decided)
    );
}

#[test]
fn other_publication_rules() {
    let none = FieldValues::new();
    let decided = d(2025, 8, 31);
    assert_eq!(
        PublicationRule::FixedMonths { months: 6 }.publish_until(decided, None, &none),
        PublicationEnd::Until(d(2026, 2, 28))
    );
    assert_eq!(
        PublicationRule::WhileInForce.publish_until(decided, None, &none),
        PublicationEnd::Never
    );
    assert_eq!(
        PublicationRule::None.publish_until(decided, None, &none),
        PublicationEnd::NotPublished
    );
    assert_eq!(PublicationRule::None.repairable_from(decided, None), None);
    let not_repairable = PublicationRule::BySeverity {
        periods: SeverityPeriods {
            minor: SeverityPeriod {
                min_months: 0,
                max_months: 0,
                repairable: true,
            },
            general: SeverityPeriod {
                min_months: 3,
                max_months: 12,
                repairable: true,
            },
            major: SeverityPeriod {
                min_months: 6,
                max_months: 24,
                repairable: true,
            },
            severe: SeverityPeriod {
                min_months: 36,
                max_months: 36,
                repairable: false,
            },
        },
        deadline_field: None,
    };
    assert_eq!(
        not_repairable.repairable_from(decided, Some(Severity::Severe)),
        None
    );
    assert_eq!(
        not_repairable.repairable_from(decided, Some(Severity::Major)),
        Some(d(2026, 2, 28))
    );
    let dj = catalog().get("dishonest_judgment_debtor").unwrap();
    assert_eq!(
        dj.publish_until(decided, None, &none),
        PublicationEnd::Never
    );
    assert_eq!(add_months(NaiveDate::MAX, 1), NaiveDate::MAX);
}

// -------------------------------------------------------------------------------------
// Parse errors
// -------------------------------------------------------------------------------------

const MINIMAL: &str = r#"
version = "t1"
title = "测试目录"

[[types]]
code = "t_neg"
name = "测试失信"
name_en = "Test negative"
subject_kinds = ["gov_body", "enterprise"]
class = "negative"
severity = { default = "general", per_row = true, column = { title = "失信严重程度" }, rules = [ { field = "kind", matches = ["a"], severity = "severe" } ] }
disclosure = "public"
key_field = "doc_no"
decision_date_field = "decided"
publication = { rule = "by_severity", deadline_field = "deadline", periods = { minor = { min_months = 0, max_months = 0 }, general = { min_months = 3, max_months = 12 }, major = { min_months = 3, max_months = 12 }, severe = { min_months = 12, max_months = 36 } } }
subject = { name_field = "subject_name", uscc_field = "uscc", id_number_field = "id_no", id_type_field = "kind" }
fields = [
  { name = "subject_name", title = "名称", type = "text", max_len = 100, required = true },
  { name = "uscc", title = "统一社会信用代码", aliases = ["信用代码"], type = "uscc" },
  { name = "id_no", title = "身份证号", type = "id_number" },
  { name = "kind", title = "类别", type = "enum", values = [ { code = "a", label = "甲" }, { code = "b", label = "乙" } ] },
  { name = "doc_no", title = "文号", type = "text", max_len = 50, required = true },
  { name = "decided", title = "决定日期", type = "date", required = true },
  { name = "deadline", title = "公示截止期", type = "date" },
  { name = "amount", title = "金额（万元）", type = "decimal", scale = 6 },
]
legacy_columns = [ { title = "旧列", reason = "旧标准" } ]

[[types]]
code = "t_basic"
name = "测试基础"
name_en = "Test basic"
subject_kinds = ["civil_servant"]
class = "basic"
disclosure = "shared"
key_field = "doc_no"
decision_date_field = "decided"
publication = { rule = "fixed_months", months = 6 }
subject = { name_field = "subject_name" }
fields = [
  { name = "subject_name", title = "姓名", type = "text", max_len = 50, required = true },
  { name = "doc_no", title = "文号", type = "text", max_len = 50, required = true },
  { name = "decided", title = "决定日期", type = "date", required = true },
]
"#;

fn err(toml_text: &str) -> CatalogError {
    Catalog::parse(toml_text).unwrap_err()
}

fn mutate(from: &str, to: &str) -> CatalogError {
    assert!(MINIMAL.contains(from), "fixture lacks {from}");
    err(&MINIMAL.replacen(from, to, 1))
}

#[test]
fn minimal_catalog_parses_and_digest_is_stable() {
    let a = Catalog::parse(MINIMAL).unwrap();
    assert_eq!(a.version(), "t1");
    assert_eq!(a.title(), "测试目录");
    assert_eq!(a.types().len(), 2);
    // Formatting and comments do not change the digest …
    let reformatted = format!(
        "# comment\n{}",
        MINIMAL.replace("title = \"测试目录\"", "title   =   \"测试目录\"")
    );
    let b = Catalog::parse(&reformatted).unwrap();
    assert_eq!(a.digest(), b.digest());
    // … content does.
    let c = Catalog::parse(&MINIMAL.replace("months = 6", "months = 7")).unwrap();
    assert_ne!(a.digest(), c.digest());
    let json = a.canonical_json().unwrap();
    assert!(json.starts_with("{\"title\":") || json.starts_with("{\"types\":"));
    assert_eq!(hex::encode(Sha256::digest(json.as_bytes())), a.digest());
}

#[test]
fn parse_error_paths() {
    let cases: Vec<(CatalogError, &str)> = vec![
        (err("version = "), "catalog_syntax"),
        (mutate("type = \"date\", required = true }", "type = \"datum\" }"), "catalog_syntax"),
        (mutate("disclosure = \"public\"", "disclosure = \"public\"\nextra = 1"), "catalog_syntax"),
        (mutate("version = \"t1\"", "version = \" \""), "missing_version"),
        // A misspelt key in a field is not silently ignored.
        (mutate("max_len = 100, required = true", "max_len = 100, requried = true"), "unknown_field_key"),
        (mutate("type = \"date\", required = true }", "type = \"date\", requried = true }"), "unknown_field_key"),
        (mutate("type = \"uscc\" }", "type = \"uscc\", max_len = 18 }"), "unknown_field_key"),
        (err("version = \"1\"\n"), "no_types"),
        (mutate("code = \"t_neg\"", "code = \"T-neg\""), "invalid_type_code"),
        (mutate("code = \"t_basic\"", "code = \"t_neg\""), "duplicate_type_code"),
        (mutate("name_en = \"Test negative\"", "name_en = \"\""), "missing_name"),
        (mutate("subject_kinds = [\"civil_servant\"]", "subject_kinds = []"), "no_subject_kinds"),
        (
            mutate("subject_kinds = [\"gov_body\", \"enterprise\"]", "subject_kinds = [\"gov_body\", \"gov_body\"]"),
            "duplicate_subject_kind",
        ),
        (
            mutate("subject = { name_field = \"subject_name\" }\nfields = [", "subject = { name_field = \"subject_name\" }\nfields = []\nxfields = ["),
            "catalog_syntax",
        ),
        (mutate("name = \"amount\"", "name = \"Amount\""), "invalid_field_name"),
        (mutate("name = \"amount\"", "name = \"deadline\""), "duplicate_column"),
        (mutate("title = \"金额（万元）\"", "title = \"公示截止期\""), "duplicate_column"),
        // Same title after width folding.
        (mutate("title = \"金额（万元）\"", "title = \"公示截止期 \""), "duplicate_column"),
        // An alias colliding with another field's English name.
        (mutate("aliases = [\"信用代码\"]", "aliases = [\"ID_NO\"]"), "duplicate_column"),
        (mutate("aliases = [\"信用代码\"]", "aliases = [\" \"]"), "empty_title"),
        (mutate("title = \"金额（万元）\"", "title = \"\""), "empty_title"),
        // The severity column colliding with a field.
        (mutate("column = { title = \"失信严重程度\" }", "column = { title = \"类别\" }"), "duplicate_column"),
        // A legacy column colliding with a field.
        (mutate("title = \"旧列\"", "title = \"文号\""), "duplicate_column"),
        (mutate("reason = \"旧标准\"", "reason = \"\""), "invalid_legacy_column"),
        (mutate("max_len = 100", "max_len = 0"), "invalid_field_type"),
        (mutate("scale = 6", "scale = 19"), "invalid_field_type"),
        (
            mutate("values = [ { code = \"a\", label = \"甲\" }, { code = \"b\", label = \"乙\" } ]", "values = []"),
            "empty_enum",
        ),
        (mutate("{ code = \"b\", label = \"乙\" }", "{ code = \"b\", label = \"甲\" }"), "duplicate_enum_value"),
        (mutate("{ code = \"b\", label = \"乙\" }", "{ code = \"B\", label = \"乙\", aliases = [\"a\"] }"), "duplicate_enum_value"),
        (mutate("{ code = \"b\", label = \"乙\" }", "{ code = \"\", label = \"乙\" }"), "duplicate_enum_value"),
        (mutate("{ code = \"a\", label = \"甲\" }, { code = \"b\"", "{ code = \"01\", label = \"甲\" }, { code = \"1\""), "duplicate_enum_value"),
        (mutate("key_field = \"doc_no\"", "key_field = \"doc\""), "unknown_field_reference"),
        (mutate("key_field = \"doc_no\"", "key_field = \"decided\""), "field_type_mismatch"),
        (mutate("decision_date_field = \"decided\"", "decision_date_field = \"doc_no\""), "field_type_mismatch"),
        (mutate("decision_date_field = \"decided\"", "decision_date_field = \"nope\""), "unknown_field_reference"),
        (mutate("name_field = \"subject_name\", uscc_field", "name_field = \"who\", uscc_field"), "unknown_field_reference"),
        (mutate("uscc_field = \"uscc\"", "uscc_field = \"id_no\""), "field_type_mismatch"),
        (mutate("id_number_field = \"id_no\"", "id_number_field = \"uscc\""), "field_type_mismatch"),
        (mutate("id_type_field = \"kind\"", "id_type_field = \"doc_no\""), "field_type_mismatch"),
        (mutate("id_type_field = \"kind\"", "id_type_field = \"kind\", kind_field = \"gone\""), "unknown_field_reference"),
        (
            mutate("class = \"negative\"\nseverity = { default = \"general\", per_row = true, column = { title = \"失信严重程度\" }, rules = [ { field = \"kind\", matches = [\"a\"], severity = \"severe\" } ] }", "class = \"negative\""),
            "missing_severity",
        ),
        (mutate("class = \"basic\"", "class = \"basic\"\nseverity = { default = \"general\" }"), "unexpected_severity"),
        (mutate("per_row = true", "per_row = false"), "invalid_severity_policy"),
        (mutate("matches = [\"a\"]", "matches = [\"c\"]"), "invalid_severity_policy"),
        (mutate("matches = [\"a\"]", "matches = []"), "invalid_severity_policy"),
        (mutate("{ field = \"kind\", matches", "{ field = \"decided\", matches"), "field_type_mismatch"),
        (mutate("{ field = \"kind\", matches", "{ field = \"gone\", matches"), "unknown_field_reference"),
        (mutate("column = { title = \"失信严重程度\" }", "column = { title = \" \" }"), "invalid_severity_policy"),
        (mutate("months = 6", "months = 0"), "invalid_publication"),
        (mutate("general = { min_months = 3, max_months = 12 }", "general = { min_months = 13, max_months = 12 }"), "invalid_publication"),
        (mutate("deadline_field = \"deadline\"", "deadline_field = \"doc_no\""), "field_type_mismatch"),
        (
            mutate("publication = { rule = \"fixed_months\", months = 6 }", "publication = { rule = \"until_field\", field = \"doc_no\" }"),
            "field_type_mismatch",
        ),
        (
            mutate("publication = { rule = \"fixed_months\", months = 6 }", "publication = { rule = \"by_severity\", periods = { minor = { min_months = 0, max_months = 0 }, general = { min_months = 3, max_months = 12 }, major = { min_months = 3, max_months = 12 }, severe = { min_months = 12, max_months = 36 } } }"),
            "invalid_publication",
        ),
    ];
    for (i, (e, code)) in cases.iter().enumerate() {
        assert_eq!(e.code(), *code, "case {i}: {e}");
        let msg = e.to_string();
        assert!(!msg.is_empty());
        assert!(
            msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "case {i}: message not Chinese: {msg}"
        );
    }
    // NoFields: a type with an empty field list.
    let no_fields = MINIMAL.replace(
        "fields = [\n  { name = \"subject_name\", title = \"姓名\", type = \"text\", max_len = 50, required = true },\n  { name = \"doc_no\", title = \"文号\", type = \"text\", max_len = 50, required = true },\n  { name = \"decided\", title = \"决定日期\", type = \"date\", required = true },\n]",
        "fields = []",
    );
    assert_ne!(no_fields, MINIMAL);
    assert_eq!(err(&no_fields).code(), "no_fields");
    assert_eq!(
        CatalogError::Serialize("x".into()).code(),
        "catalog_serialize"
    );
}

#[test]
fn normalisation_helpers() {
    assert_eq!(fold_width('（'), '(');
    assert_eq!(fold_width('）'), ')');
    assert_eq!(fold_width('Ａ'), 'A');
    assert_eq!(fold_width('＿'), '_');
    assert_eq!(fold_width('\u{3000}'), ' ');
    assert_eq!(fold_width('【'), '[');
    assert_eq!(fold_width('中'), '中');
    assert_eq!(
        normalize_header("\u{feff} 罚款金额（万元）： "),
        "罚款金额(万元)"
    );
    assert_eq!(normalize_header("Fine_Amount"), "fine_amount");
    assert!(is_snake_case("admin_license"));
    assert!(!is_snake_case("admin__license"));
    assert!(!is_snake_case("_x"));
    assert!(!is_snake_case("x_"));
    assert!(!is_snake_case("1x"));
    assert_eq!(FieldType::UsccOrId.code(), "uscc_or_id");
    assert_eq!(SubjectKind::GovBody.label(), "机关");
    assert_eq!(RecordClass::Negative.label(), "失信");
    assert_eq!(Disclosure::Authorised.code(), "authorised");
}
