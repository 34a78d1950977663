//! Validating one row, step by step: fields, codes, document number and date, subject,
//! deciding authority, severity, publication, digest and the stored fields.

use super::*;

/// A row's cells after step 1, by field index: `None` where the cell was rejected (already
/// reported).
type RowValues = [Option<FieldValue>];

/// The parsed value of field `i`, if it was accepted.
fn value_at(values: &RowValues, i: usize) -> Option<&FieldValue> {
    values.get(i).and_then(Option::as_ref)
}

/// The enum code of field `i`, if it is an accepted enum value.
fn enum_code_at(values: &RowValues, i: Option<usize>) -> Option<&str> {
    match i.and_then(|i| value_at(values, i)) {
        Some(FieldValue::Enum(c)) => Some(c.as_str()),
        _ => None,
    }
}

/// What the row's code checks share: the type, the file's columns, the (memoised) regions and
/// today's date.
struct RowContext<'a> {
    rt: &'a RecordType,
    map: &'a ColumnMap,
    regions: &'a dyn RegionLookup,
    today: NaiveDate,
}

/// The subject of a row as found by step 4 (`name` is `None` when it was rejected).
struct SubjectParts {
    name: Option<String>,
    uscc: Option<String>,
    id_number: Option<String>,
    id_type: Option<String>,
    kind_hint: Option<SubjectKind>,
}

/// Validates one row against `rt`, with the [`ColumnMap`] of its file.
///
/// `today` bounds decision dates and ID-number birth dates. Cells beyond the mapped columns
/// are ignored; a row whose cells are all blank (report columns aside) gives the single issue
/// `empty_row`. Otherwise every problem of the row is returned.
pub fn validate_row(
    rt: &RecordType,
    map: &ColumnMap,
    row: u64,
    cells: &[String],
    regions: &dyn RegionLookup,
    today: NaiveDate,
) -> Result<ValidRow, Vec<RowIssue>> {
    let n = rt.fields.len();
    if map.type_code != rt.code || map.field_cols.len() != n {
        return Err(vec![RowIssue {
            column: None,
            code: "column_map_mismatch",
            message: format!(
                "列映射是为信息类型“{}”建立的，不能用于校验“{}”",
                map.type_code, rt.code
            ),
        }]);
    }
    let is_empty = cells
        .iter()
        .enumerate()
        .all(|(i, c)| map.roles.get(i) == Some(&Role::Report) || is_blank(c));
    if is_empty {
        return Err(vec![RowIssue {
            column: None,
            code: "empty_row",
            message: "空行：该行没有任何数据".into(),
        }]);
    }

    let mut issues: Vec<RowIssue> = Vec::new();
    let mut warnings: Vec<RowIssue> = Vec::new();
    let mut memo_guard = map.memo.try_lock().ok();
    let mut memo = memo_guard.as_deref_mut();
    if let Some(m) = memo.as_deref_mut() {
        m.bind(regions);
    }
    let (region_memo, last_uscc) = match memo {
        Some(m) => (Some(&m.regions), Some(&mut m.last_uscc)),
        None => (None, None),
    };
    let regions = MemoRegions {
        inner: regions,
        memo: region_memo,
    };
    let ctx = RowContext {
        rt,
        map,
        regions: &regions,
        today,
    };

    // 1. Every field through the catalog's parser.
    let values = parse_fields(rt, map, cells, &mut issues);
    let subject_category = enum_code_at(&values, map.kind);
    // 2. Identifier codes.
    let classes = check_codes(
        &ctx,
        &values,
        subject_category,
        last_uscc,
        &mut issues,
        &mut warnings,
    );
    // 3. Document number and decision date.
    let doc_no = document_number(rt, map, &values, &mut issues);
    let decision_date = decision_date(rt, map, &values, today, &mut issues);
    // 4. The subject.
    let subject = resolve_subject(rt, map, &values, &classes, subject_category, &mut issues);
    // 4b. The deciding authority, against the submitter.
    if let Some(issue) = authority_issue(rt, map, &values, &classes, decision_date) {
        issues.push(issue);
    }
    // 5. Severity cell.
    let explicit_severity = severity_cell(map, cells, &mut issues);

    let (Some(doc_no), Some(decision_date), Some(name), true) =
        (doc_no, decision_date, subject.name, issues.is_empty())
    else {
        return Err(issues);
    };

    // 6. Severity and publication, from the fields the rules read.
    let (severity, publication) =
        severity_and_publication(rt, map, &values, explicit_severity, decision_date);
    // 7. Digest, in catalog order.
    let content_digest = row_digest(rt, map, &values, decision_date, severity);
    // 8. Fields as JSON, moving the strings; personal numbers masked, and ID numbers in free
    // text (the name included) masked with the text as given kept apart.
    let mut clear_texts = ClearTexts::default();
    let fields = stored_fields(rt, values, classes, &mut clear_texts);
    let name = match id_number::mask_in_text(&name) {
        std::borrow::Cow::Borrowed(_) => name,
        std::borrow::Cow::Owned(masked) => masked,
    };

    Ok(ValidRow {
        row,
        doc_no,
        decision_date,
        subject: SubjectRef {
            name,
            uscc: subject.uscc,
            id_number: subject.id_number,
            id_type: subject.id_type,
            kind_hint: subject.kind_hint,
        },
        severity,
        publication,
        fields,
        clear_texts,
        content_digest,
        warnings,
    })
}

/// Step 1: every field through the catalog's parser; a rejected cell is reported and gives
/// `None`.
fn parse_fields(
    rt: &RecordType,
    map: &ColumnMap,
    cells: &[String],
    issues: &mut Vec<RowIssue>,
) -> Vec<Option<FieldValue>> {
    let n = rt.fields.len();
    let mut values: Vec<Option<FieldValue>> = Vec::with_capacity(n);
    for (i, f) in rt.fields.iter().enumerate() {
        match map.parse_cell(f, i, map.cell(cells, i)) {
            Ok(v) => values.push(Some(v)),
            Err(e) => {
                issues.push(RowIssue {
                    column: map.issue_column(rt, i),
                    code: e.code(),
                    message: e.to_string(),
                });
                values.push(None);
            }
        }
    }
    values
}

/// Step 2: identifier codes (USCC, ID number, either), verified with the `codes` module; what
/// each code cell turned out to be.
fn check_codes(
    ctx: &RowContext<'_>,
    values: &RowValues,
    subject_category: Option<&str>,
    mut last_uscc: Option<&mut Vec<Option<(String, UsccVerdict)>>>,
    issues: &mut Vec<RowIssue>,
    warnings: &mut Vec<RowIssue>,
) -> Vec<CodeClass> {
    let (rt, map, regions, today) = (ctx.rt, ctx.map, ctx.regions, ctx.today);
    let n = rt.fields.len();
    let value = |i: usize| value_at(values, i);
    let mut classes = vec![CodeClass::NotCode; n];
    for (i, f) in rt.fields.iter().enumerate() {
        let Some(FieldValue::Code(code)) = value(i) else {
            continue;
        };
        let check = map.checks.get(i).copied().unwrap_or(CodeCheck::None);
        match check {
            CodeCheck::None => {}
            CodeCheck::Uscc => {
                if Some(i) == map.uscc
                    && code == INDIVIDUAL_BUSINESS_USCC_PLACEHOLDER
                    && subject_category == Some(KIND_INDIVIDUAL_BUSINESS)
                {
                    classes[i] = CodeClass::Placeholder;
                    continue;
                }
                let slot = last_uscc.as_deref_mut().and_then(|l| l.get_mut(i));
                let verdict = match slot {
                    Some(Some((last, verdict))) if last == code => verdict.clone(),
                    slot => {
                        let verdict = uscc::parse(code, regions)
                            .map(|u| (u.registering_dept, u.category, u.warnings));
                        if let Some(slot) = slot {
                            *slot = Some((code.clone(), verdict.clone()));
                        }
                        verdict
                    }
                };
                match verdict {
                    Ok((dept, category, uscc_warnings)) => {
                        classes[i] = CodeClass::Uscc(dept, category);
                        for w in &uscc_warnings {
                            warnings.push(RowIssue {
                                column: map.issue_column(rt, i),
                                code: w.code(),
                                message: format!("“{}”{w}", f.title),
                            });
                        }
                    }
                    Err(e) => issues.push(RowIssue {
                        column: map.issue_column(rt, i),
                        code: e.code(),
                        message: format!("“{}”不是有效的统一社会信用代码：{e}", f.title),
                    }),
                }
            }
            CodeCheck::IdNumber { id_type } => {
                let resident_card = match id_type.map(value) {
                    // The qualifier was rejected: its own issue is reported; still check
                    // the number as an ID card, the most common case.
                    Some(None) | None => true,
                    Some(Some(FieldValue::Enum(t))) => t == ID_TYPE_RESIDENT_CARD,
                    Some(Some(_)) => true,
                };
                if !resident_card {
                    classes[i] = CodeClass::Personal;
                    continue;
                }
                match id_number::parse(code, regions, today) {
                    Ok(_) => classes[i] = CodeClass::Personal,
                    Err(e) => issues.push(RowIssue {
                        column: map.issue_column(rt, i),
                        code: e.code(),
                        message: format!("“{}”不是有效的居民身份证号码：{e}", f.title),
                    }),
                }
            }
            CodeCheck::UsccOrId => {
                let report = codes::classify(code, regions, today);
                if report.valid {
                    classes[i] = match (report.kind, &report.details) {
                        (CodeKind::Uscc, CodeDetails::Uscc(p)) => CodeClass::Uscc(
                            p.registering_dept.unwrap_or('?'),
                            p.category.unwrap_or('?'),
                        ),
                        _ => CodeClass::Personal,
                    };
                } else {
                    let what = match report.kind {
                        CodeKind::Uscc => "统一社会信用代码",
                        CodeKind::IdNumber => "居民身份证号码",
                        CodeKind::Unknown => "统一社会信用代码或居民身份证号码",
                    };
                    issues.push(RowIssue {
                        column: map.issue_column(rt, i),
                        code: "invalid_uscc_or_id",
                        message: format!(
                            "“{}”不是有效的{what}：{}",
                            f.title,
                            report.reason.as_deref().unwrap_or("格式不正确")
                        ),
                    });
                }
            }
        }
    }
    classes
}

/// Step 3a: the document number (required).
fn document_number(
    rt: &RecordType,
    map: &ColumnMap,
    values: &RowValues,
    issues: &mut Vec<RowIssue>,
) -> Option<String> {
    match value_at(values, map.key) {
        Some(FieldValue::Text(s)) => Some(s.clone()),
        Some(_) => {
            issues.push(required_issue(rt, map, map.key));
            None
        }
        None => None,
    }
}

/// Step 3b: the decision date (required, not in the future, not before 1949-10-01).
fn decision_date(
    rt: &RecordType,
    map: &ColumnMap,
    values: &RowValues,
    today: NaiveDate,
    issues: &mut Vec<RowIssue>,
) -> Option<NaiveDate> {
    match value_at(values, map.date) {
        Some(FieldValue::Date(d)) => {
            let title = rt.fields.get(map.date).map_or("", |f| f.title.as_str());
            if *d > today {
                issues.push(RowIssue {
                    column: map.issue_column(rt, map.date),
                    code: "decision_date_in_future",
                    message: format!("“{title}”{}晚于今天（{}）", iso_date(*d), iso_date(today)),
                });
                None
            } else if *d < EARLIEST_DECISION_DATE {
                issues.push(RowIssue {
                    column: map.issue_column(rt, map.date),
                    code: "decision_date_too_early",
                    message: format!("“{title}”{}早于1949年10月1日", iso_date(*d)),
                });
                None
            } else {
                Some(*d)
            }
        }
        Some(_) => {
            issues.push(required_issue(rt, map, map.date));
            None
        }
        None => None,
    }
}

/// Step 4: the subject: its name, its identifiers and its kind, with the 双公示 cross-field
/// rules of the 行政相对人类别.
fn resolve_subject(
    rt: &RecordType,
    map: &ColumnMap,
    values: &RowValues,
    classes: &[CodeClass],
    subject_category: Option<&str>,
    issues: &mut Vec<RowIssue>,
) -> SubjectParts {
    let value = |i: usize| value_at(values, i);
    let enum_code = |i: Option<usize>| enum_code_at(values, i);
    let name = match value(map.name) {
        Some(FieldValue::Text(s)) => Some(s.clone()),
        Some(_) => {
            issues.push(required_issue(rt, map, map.name));
            None
        }
        None => None,
    };
    let class_of = |i: Option<usize>| i.map_or(CodeClass::NotCode, |i| classes[i]);
    let is_empty_field = |i: Option<usize>| i.and_then(value).is_some_and(FieldValue::is_empty);
    let code_of = |i: Option<usize>| match i.and_then(value) {
        Some(FieldValue::Code(c)) => Some(c.clone()),
        _ => None,
    };
    let uscc_class = class_of(map.uscc);
    let found_uscc = match uscc_class {
        CodeClass::Uscc(d, c) => code_of(map.uscc).map(|code| (code, d, c)),
        _ => None,
    };
    let found_id = match class_of(map.id_no) {
        CodeClass::Personal => code_of(map.id_no),
        _ => None,
    };
    let id_type_code = enum_code(map.id_type).map(str::to_string);

    let mut subject_uscc = None;
    let mut subject_id = None;
    let kind_hint = match subject_category {
        Some(KIND_LEGAL_PERSON) => {
            if is_empty_field(map.uscc) || map.uscc.is_none() {
                issues.push(RowIssue {
                    column: map.uscc.and_then(|i| map.issue_column(rt, i)),
                    code: "uscc_required",
                    message: "行政相对人类别为“法人及非法人组织”时，统一社会信用代码为必填项"
                        .into(),
                });
            }
            found_uscc.and_then(|(code, d, c)| {
                subject_uscc = Some(code);
                kind_from_uscc(d, c)
            })
        }
        Some(KIND_INDIVIDUAL_BUSINESS) => {
            let no_uscc = is_empty_field(map.uscc)
                || map.uscc.is_none()
                || uscc_class == CodeClass::Placeholder;
            let has_reg_no = map
                .business_reg_no
                .and_then(value)
                .is_some_and(|v| !v.is_empty());
            if no_uscc && !has_reg_no {
                let column = map.uscc.and_then(|i| map.issue_column(rt, i));
                let (code, message) = if map.business_reg_no.is_some() {
                    (
                        "uscc_or_business_reg_no_required",
                        "行政相对人类别为“个体工商户”时，统一社会信用代码为必填项；\
                         暂无统一社会信用代码的，须填写工商注册号（代码_2）",
                    )
                } else {
                    (
                        "uscc_required",
                        "行政相对人类别为“个体工商户”时，统一社会信用代码为必填项",
                    )
                };
                issues.push(RowIssue {
                    column,
                    code,
                    message: message.into(),
                });
            }
            if let Some((code, _, _)) = found_uscc {
                subject_uscc = Some(code);
            }
            Some(SubjectKind::Enterprise)
        }
        Some(KIND_NATURAL_PERSON) => {
            if let Some(t) = map.id_type {
                if is_empty_field(Some(t)) {
                    issues.push(RowIssue {
                        column: map.issue_column(rt, t),
                        code: "id_type_required",
                        message: "行政相对人类别为“自然人”时，证件类型为必填项".into(),
                    });
                }
            }
            if is_empty_field(map.id_no) || map.id_no.is_none() {
                issues.push(RowIssue {
                    column: map.id_no.and_then(|i| map.issue_column(rt, i)),
                    code: "id_number_required",
                    message: "行政相对人类别为“自然人”时，证件号码为必填项".into(),
                });
            }
            subject_id = found_id;
            Some(person_kind(rt))
        }
        _ => {
            // No category column (or a catalog with other category codes): infer.
            let from_uscc = found_uscc.and_then(|(code, d, c)| {
                subject_uscc = Some(code);
                kind_from_uscc(d, c)
            });
            let had_id = found_id.is_some();
            subject_id = found_id;
            let only_kind = match rt.subject_kinds.as_slice() {
                [only] => Some(*only),
                _ => None,
            };
            if from_uscc.is_some() {
                from_uscc
            } else if had_id && subject_uscc.is_none() {
                Some(person_kind(rt))
            } else {
                only_kind
            }
        }
    };
    if let Some(k) = kind_hint {
        if !rt.subject_kinds.contains(&k) {
            let allowed: Vec<&str> = rt.subject_kinds.iter().map(|k| k.label()).collect();
            issues.push(RowIssue {
                column: map.kind.and_then(|i| map.issue_column(rt, i)),
                code: "subject_kind_not_allowed",
                message: format!(
                    "信用主体类别“{}”不是“{}”适用的主体类别（{}）",
                    k.label(),
                    rt.name,
                    allowed.join("、")
                ),
            });
        }
    }
    let subject_id_type = subject_id.as_ref().and(id_type_code);
    SubjectParts {
        name,
        uscc: subject_uscc,
        id_number: subject_id,
        id_type: subject_id_type,
        kind_hint,
    }
}

/// Step 5: the optional severity cell.
fn severity_cell(
    map: &ColumnMap,
    cells: &[String],
    issues: &mut Vec<RowIssue>,
) -> Option<Severity> {
    let mut explicit_severity = None;
    if let Some(c) = map.severity_col {
        let raw = cells.get(c).map_or("", |s| unneutralise(s));
        if !is_blank(raw) {
            match Severity::parse(raw) {
                Some(s) => explicit_severity = Some(s),
                None => issues.push(RowIssue {
                    column: map.headers.get(c).cloned(),
                    code: "invalid_severity",
                    message: format!(
                        "“{}”的值“{}”不在允许范围内，可选：轻微、一般、较重、严重",
                        map.headers.get(c).map_or("", String::as_str),
                        raw.trim()
                    ),
                }),
            }
        }
    }
    explicit_severity
}

/// Step 6: severity and publication, from the fields the rules read.
fn severity_and_publication(
    rt: &RecordType,
    map: &ColumnMap,
    values: &RowValues,
    explicit_severity: Option<Severity>,
    decision_date: NaiveDate,
) -> (Option<Severity>, PublicationEnd) {
    let value = |i: usize| value_at(values, i);
    let mut rule_values = FieldValues::new();
    for &i in &map.rule_fields {
        if let (Some(f), Some(v)) = (rt.fields.get(i), value(i)) {
            rule_values.insert(f.name.clone(), v.clone());
        }
    }
    let severity = rt.row_severity(explicit_severity, &rule_values);
    let publication = rt
        .publication
        .publish_until(decision_date, severity, &rule_values);
    (severity, publication)
}

/// Step 8: the fields as JSON, moving the strings; personal numbers masked, and so are ID
/// numbers in free text (every text field but the document number, see
/// [`crate::records::free_text`]), whose text as given goes to `clear` under the field's name.
fn stored_fields(
    rt: &RecordType,
    values: Vec<Option<FieldValue>>,
    classes: Vec<CodeClass>,
    clear: &mut ClearTexts,
) -> Map<String, Value> {
    let mut fields = Map::new();
    for ((f, v), class) in rt.fields.iter().zip(values).zip(classes) {
        let json = match v {
            None | Some(FieldValue::Empty) => continue,
            Some(FieldValue::Text(s)) if f.name != rt.key_field => {
                let mut v = Value::String(s);
                clear.mask_value(&f.name, &mut v);
                v
            }
            Some(FieldValue::Text(s) | FieldValue::Decimal(s) | FieldValue::Enum(s)) => {
                Value::String(s)
            }
            Some(FieldValue::Date(d)) => Value::String(iso_date(d)),
            Some(FieldValue::Integer(x)) => Value::from(x),
            Some(FieldValue::Code(s)) => {
                let personal =
                    matches!(f.kind, FieldType::IdNumber) || class == CodeClass::Personal;
                Value::String(if personal { id_number::mask(&s) } else { s })
            }
        };
        fields.insert(f.name.clone(), json);
    }
    fields
}
