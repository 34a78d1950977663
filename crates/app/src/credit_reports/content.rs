//! What a credit report shows: the subject as named in it and its sections (public records
//! currently published, public list memberships), as of a day.

use chengxin_domain::catalog::{Catalog, Disclosure, FieldType, RecordClass, RecordType, Severity};
use chengxin_domain::codes::id_number;
use chengxin_domain::lists::{EntryStatus, JointCatalog, ListEntry};
use chengxin_domain::records::{Record, RecordStatus};
use chengxin_domain::subjects::Subject;
use chengxin_report::{ReportSubject, Section, SubjectKind, Table};
use chengxin_store::{ListEntryFilter, Store};
use chrono::NaiveDate;

use crate::error::{AppError, AppResult};

/// Longest cell text taken from a record's field (the report allows 2,000 characters).
const MAX_CELL_CHARS: usize = 500;

pub const SECTION_LICENSES: &str = "行政许可信息";
pub const SECTION_PENALTIES: &str = "行政处罚信息";
pub const SECTION_OTHER_NEGATIVE: &str = "其他失信信息";
pub const SECTION_LISTS: &str = "列入信用名单情况";
pub const SECTION_POSITIVE: &str = "表彰奖励信息（守信激励）";
pub const SECTION_COMMITMENTS: &str = "信用承诺与公开承诺";

/// A field of a record as cell text: strings as they are, numbers and booleans printed,
/// control characters (other than line breaks) replaced, long text shortened.
fn cell(fields: &serde_json::Map<String, serde_json::Value>, name: &str) -> String {
    let raw = match fields.get(name) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(serde_json::Value::Bool(b)) => if *b { "是" } else { "否" }.to_string(),
        _ => String::new(),
    };
    clean_text(&raw)
}

fn clean_text(raw: &str) -> String {
    let mut out: String = raw
        .trim()
        .chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .take(MAX_CELL_CHARS)
        .collect();
    if raw.trim().chars().count() > MAX_CELL_CHARS {
        out.push('…');
    }
    out
}

fn or_dash(s: String) -> String {
    if s.trim().is_empty() {
        "—".into()
    } else {
        s
    }
}

fn date_cell(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "—".into())
}

/// A field as shown: an enum's Chinese label rather than its code, else [`cell`].
fn shown(
    rt: &RecordType,
    fields: &serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> String {
    let raw = cell(fields, name);
    match rt.field(name).map(|f| &f.kind) {
        Some(FieldType::Enum { values }) => values
            .iter()
            .find(|v| v.code == raw)
            .map(|v| v.label.clone())
            .unwrap_or(raw),
        _ => raw,
    }
}

/// Names of bodies by USCC, looked up once each (a report names bodies, never codes).
#[derive(Default)]
struct BodyNames(std::collections::HashMap<String, Option<String>>);

impl BodyNames {
    async fn name(&mut self, store: &dyn Store, uscc: &str) -> AppResult<Option<String>> {
        if let Some(n) = self.0.get(uscc) {
            return Ok(n.clone());
        }
        let n = store
            .subject_by_uscc(&uscc.trim().to_ascii_uppercase())
            .await?
            .map(|s| clean_text(&s.name));
        self.0.insert(uscc.to_string(), n.clone());
        Ok(n)
    }
}

/// The deciding authority of a record by name: the type's authority name field (处罚机关,
/// 许可机关, 授予机关 …), else the name of the body its code gives, else the source
/// department's name; a code only when no name is known.
async fn authority(
    store: &dyn Store,
    names: &mut BodyNames,
    rt: &RecordType,
    r: &Record,
) -> AppResult<String> {
    let named = rt
        .authority
        .as_ref()
        .and_then(|a| a.name_field.as_deref())
        .map(|f| cell(&r.fields, f))
        .unwrap_or_default();
    if !named.is_empty() {
        return Ok(named);
    }
    if let Some((code, _)) = rt.deciding_authority(&r.fields) {
        if let Some(n) = names.name(store, &code).await? {
            return Ok(n);
        }
    }
    Ok(names
        .name(store, &r.source_dept)
        .await?
        .unwrap_or_else(|| r.source_dept.clone()))
}

/// Whether a record is shown in a report issued on `today`.
fn currently_published(r: &Record, class: RecordClass, today: NaiveDate) -> bool {
    r.status == RecordStatus::Published
        && !(class == RecordClass::Negative && r.tolerated)
        && r.publish_until.is_none_or(|u| u >= today)
}

/// How the subject is named and identified in the report. Persons get the masked ID number
/// (masked again here should a clear one ever reach `id_masked`).
pub fn report_subject(s: &Subject) -> AppResult<ReportSubject> {
    let kind = SubjectKind::parse(s.kind.as_str())
        .ok_or_else(|| AppError::unavailable(format!("未知的主体类别“{}”", s.kind.as_str())))?;
    let code = if kind.is_person() {
        s.id_masked
            .as_deref()
            .map(|m| {
                if m.contains('*') {
                    m.to_string()
                } else {
                    id_number::mask(m)
                }
            })
            .unwrap_or_default()
    } else {
        s.uscc.clone().unwrap_or_default()
    };
    Ok(ReportSubject {
        name: clean_text(&s.name),
        code: if code.trim().is_empty() {
            "未登记".into()
        } else {
            code
        },
        kind,
    })
}

fn table(headers: &[&str], rows: Vec<Vec<String>>) -> Table {
    Table {
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows,
    }
}

/// Keeps at most the report's row limit, saying so in the note.
fn section(title: &str, note: String, mut t: Table) -> Section {
    let max = chengxin_report::MAX_ROWS;
    let note = if t.rows.len() > max {
        let n = t.rows.len();
        t.rows.truncate(max);
        format!("{note}（共 {n} 条，仅列出最近的 {max} 条）")
    } else {
        note
    };
    Section {
        title: title.into(),
        note: Some(note),
        table: t,
    }
}

/// The sections of a subject's report as of `today`.
pub async fn sections(
    store: &dyn Store,
    subject: &Subject,
    today: NaiveDate,
) -> AppResult<Vec<Section>> {
    Ok(sections_and_records(store, subject, today).await?.0)
}

/// [`sections`], and the ids of the records they show (whose change-log entries the report's
/// proof bundle proves, issue 21).
pub async fn sections_and_records(
    store: &dyn Store,
    subject: &Subject,
    today: NaiveDate,
) -> AppResult<(Vec<Section>, Vec<uuid::Uuid>)> {
    let mut shown_records = Vec::new();
    let catalog = Catalog::default_checked().map_err(AppError::unavailable)?;
    let mut records = store.records_of_subject(subject.id).await?;
    records.sort_by(|a, b| {
        b.decision_date
            .cmp(&a.decision_date)
            .then_with(|| a.doc_no.cmp(&b.doc_no))
    });
    let (mut licenses, mut penalties, mut others) = (Vec::new(), Vec::new(), Vec::new());
    let mut positive = Vec::new();
    let mut names = BodyNames::default();
    for r in &records {
        let Some(rt) = catalog.get(&r.type_code) else {
            continue;
        };
        if rt.disclosure != Disclosure::Public || !currently_published(r, rt.class, today) {
            continue;
        }
        let by = authority(store, &mut names, rt, r).await?;
        let before = licenses.len() + penalties.len() + positive.len() + others.len();
        match r.type_code.as_str() {
            "admin_license" => licenses.push(vec![
                r.doc_no.clone(),
                or_dash(shown(rt, &r.fields, "decision_doc_name")),
                or_dash(shown(rt, &r.fields, "license_content")),
                or_dash(by),
                date_cell(Some(r.decision_date)),
                or_dash(shown(rt, &r.fields, "valid_to")),
            ]),
            "admin_penalty" => penalties.push(vec![
                r.doc_no.clone(),
                or_dash(shown(rt, &r.fields, "violation_type")),
                or_dash(shown(rt, &r.fields, "penalty_content")),
                or_dash(by),
                date_cell(Some(r.decision_date)),
                date_cell(r.publish_until),
            ]),
            // 守信激励: commendations and awards in force (positive information).
            _ if rt.class == RecordClass::Positive => positive.push(vec![
                or_dash(
                    ["award_name", "honour_name", "title"]
                        .iter()
                        .map(|f| shown(rt, &r.fields, f))
                        .find(|v| !v.is_empty())
                        .unwrap_or_else(|| rt.name.clone()),
                ),
                or_dash(shown(rt, &r.fields, "award_kind")),
                or_dash(shown(rt, &r.fields, "level")),
                or_dash(by),
                r.doc_no.clone(),
                date_cell(Some(r.decision_date)),
                r.publish_until
                    .filter(|d| d.format("%Y-%m-%d").to_string() != "2099-12-31")
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_else(|| "长期".into()),
            ]),
            _ if rt.class == RecordClass::Negative => others.push(vec![
                rt.name.clone(),
                r.doc_no.clone(),
                date_cell(Some(r.decision_date)),
                r.severity
                    .as_deref()
                    .and_then(Severity::parse)
                    .map(|s| s.label().to_string())
                    .unwrap_or_else(|| "—".into()),
                or_dash(by),
                date_cell(r.publish_until),
            ]),
            _ => {}
        }
        if licenses.len() + penalties.len() + positive.len() + others.len() > before {
            shown_records.push(r.id);
        }
    }
    let joint = JointCatalog::default_checked().map_err(AppError::unavailable)?;
    let entries = store
        .list_entries(&ListEntryFilter {
            subject_id: Some(subject.id),
            limit: Some(10_000),
            ..Default::default()
        })
        .await?;
    let mut lists = Vec::new();
    for row in entries {
        if row.status != EntryStatus::Publicity.code()
            && row.status != EntryStatus::Effective.code()
        {
            continue;
        }
        let Some(def) = joint.list(&row.list_code) else {
            continue;
        };
        if def.disclosure != Disclosure::Public {
            continue;
        }
        let e: ListEntry = serde_json::from_value(row.entry).map_err(AppError::unavailable)?;
        if e.effective_until.is_some_and(|u| u < today) {
            continue;
        }
        let from = match e.status {
            EntryStatus::Effective => e.effective_from,
            _ => e.publicity_from,
        };
        lists.push(vec![
            def.name.clone(),
            e.status.label().to_string(),
            or_dash(clean_text(&e.recognised_by)),
            or_dash(clean_text(&e.basis)),
            date_cell(from),
            e.effective_until
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| {
                    if e.status == EntryStatus::Effective {
                        "至移出之日".into()
                    } else {
                        "—".into()
                    }
                }),
        ]);
    }
    let commitments = match subject.uscc.as_deref() {
        Some(u) => crate::commitments::report::report_rows(store, u, today).await?,
        None => Vec::new(),
    };
    let asof = today.format("%Y年%m月%d日");
    let sections = vec![
        section(
            SECTION_LICENSES,
            format!("截至{asof}处于公示期内的行政许可信息。"),
            table(
                &[
                    "许可决定文书号",
                    "文书名称",
                    "许可内容",
                    "许可机关",
                    "许可决定日期",
                    "有效期至",
                ],
                licenses,
            ),
        ),
        section(
            SECTION_PENALTIES,
            format!("截至{asof}处于公示期内的行政处罚信息（不含经认定的容错纠错情形）。"),
            table(
                &[
                    "处罚决定文书号",
                    "违法行为类型",
                    "处罚内容",
                    "处罚机关",
                    "处罚决定日期",
                    "公示截止日期",
                ],
                penalties,
            ),
        ),
        section(
            SECTION_OTHER_NEGATIVE,
            format!("截至{asof}处于公示期内、依法向社会公开的其他失信信息。"),
            table(
                &[
                    "信息类型",
                    "文书号",
                    "决定日期",
                    "失信程度",
                    "认定部门",
                    "公示截止日期",
                ],
                others,
            ),
        ),
        section(
            SECTION_LISTS,
            format!("截至{asof}处于公示期或有效期内、依法向社会公开的信用名单。"),
            table(
                &[
                    "名单名称",
                    "状态",
                    "认定部门",
                    "依据",
                    "列入（公示）日期",
                    "有效期至",
                ],
                lists,
            ),
        ),
        section(
            SECTION_POSITIVE,
            format!("截至{asof}处于有效期内、依法向社会公开的表彰奖励等守信激励信息。"),
            table(
                &[
                    "表彰奖励名称",
                    "类型",
                    "级别",
                    "授予机关",
                    "表彰决定文号",
                    "授予日期",
                    "有效期至",
                ],
                positive,
            ),
        ),
        section(
            SECTION_COMMITMENTS,
            format!("截至{asof}在承诺公示中公开的信用承诺、公开承诺及其履行状态。"),
            table(&crate::commitments::report::REPORT_HEADERS, commitments),
        ),
    ];
    Ok((sections, shown_records))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_clean() {
        let mut m = serde_json::Map::new();
        m.insert("a".into(), "x\ty\nz".into());
        m.insert("n".into(), serde_json::json!(12.5));
        m.insert("long".into(), "长".repeat(600).into());
        assert_eq!(cell(&m, "a"), "x y\nz");
        assert_eq!(cell(&m, "n"), "12.5");
        assert_eq!(cell(&m, "missing"), "");
        assert_eq!(cell(&m, "long").chars().count(), MAX_CELL_CHARS + 1);
    }
}
