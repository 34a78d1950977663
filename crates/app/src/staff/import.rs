//! Importing employment history (任职记录) and integrity-training records (诚信教育) from the
//! personnel department: a CSV/XLSX file (the ingest readers) or rows sent to the API, every
//! row checked (`chengxin_domain::staff`), then the whole file written in one transaction —
//! or, with any row wrong, nothing at all and every problem named by row (`staff_rows_rejected`,
//! ID numbers masked). The same file sent again changes nothing (a changed end date or hours
//! update their row). A personnel department or credit office imports only for bodies in its
//! region.

use std::collections::HashMap;

use chengxin_access::Permission;
use chengxin_domain::codes::id_number;
use chengxin_domain::intake::{unneutralise, RowIssue};
use chengxin_domain::regions::RegionTable;
use chengxin_domain::staff::employment::{self, conflicts, Period};
use chengxin_domain::staff::{training, Columns, MAX_IMPORT_ROWS};
use chengxin_domain::subjects::{Subject, SubjectKind};
use chengxin_store::{EmploymentPut, PersonPut, StaffImportCounts, StoreError, TrainingPut};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::within_region;
use crate::auth::{uscc_region, Caller};
use crate::error::{AppError, AppResult, FieldProblem};
use crate::App;

/// Most problems listed in one refusal (the count says how many there were).
const MAX_PROBLEMS: usize = 1000;

/// What is imported: a file as uploaded, or a table (the API's rows, by column title).
pub enum StaffInput {
    File {
        bytes: Vec<u8>,
        file_name: Option<String>,
    },
    Table {
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

/// What an import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffImportReport {
    /// `employment` or `training`.
    pub kind: String,
    /// Data rows read.
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Persons not known before, created with their sealed ID numbers.
    pub persons_created: u64,
}

impl StaffImportReport {
    fn of(kind: &str, rows: u64, c: StaffImportCounts) -> Self {
        Self {
            kind: kind.into(),
            rows,
            created: c.created,
            updated: c.updated,
            unchanged: c.unchanged,
            persons_created: c.persons_created,
        }
    }
}

/// A data row: its number as the file shows it, and its cells.
pub(crate) type NumberedRow = (u64, Vec<String>);

/// The rows of the input: `(row number, cells)`, blank rows left out; problems of reading
/// go to `problems`.
pub(crate) fn read_input(
    input: StaffInput,
    problems: &mut Vec<(u64, RowIssue)>,
) -> AppResult<(Vec<String>, Vec<NumberedRow>)> {
    let (headers, raw): (Vec<String>, Vec<NumberedRow>) = match input {
        StaffInput::Table { headers, rows } => {
            if rows.len() > MAX_IMPORT_ROWS {
                return Err(too_many());
            }
            let rows = rows
                .into_iter()
                .enumerate()
                .map(|(i, r)| (i as u64 + 1, r))
                .collect();
            (headers, rows)
        }
        StaffInput::File { bytes, file_name } => {
            let table = chengxin_ingest::read::open_bytes(
                bytes,
                file_name.as_deref(),
                &chengxin_ingest::read::ReadOptions::default(),
            )
            .map_err(|e| AppError::invalid(e.code, e.message))?;
            let headers = table.headers.clone();
            let mut rows = Vec::new();
            for item in table {
                match item {
                    Ok(r) => {
                        if rows.len() >= MAX_IMPORT_ROWS {
                            return Err(too_many());
                        }
                        rows.push((r.row, r.cells));
                    }
                    Err(chengxin_ingest::error::ReadIssue::Row(e)) => problems.push((
                        e.row,
                        RowIssue {
                            column: None,
                            code: e.code,
                            message: e.message,
                        },
                    )),
                    Err(chengxin_ingest::error::ReadIssue::Fatal(e)) => {
                        return Err(AppError::invalid(e.code, e.message))
                    }
                }
            }
            (headers, rows)
        }
    };
    let rows = raw
        .into_iter()
        .map(|(n, cells)| {
            (
                n,
                cells
                    .iter()
                    .map(|c| unneutralise(c).to_string())
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .collect();
    Ok((headers, rows))
}

fn too_many() -> AppError {
    AppError::invalid(
        "staff_file_too_large",
        format!("文件超过 {MAX_IMPORT_ROWS} 行，请分成多个文件提交"),
    )
}

/// Nothing written: every problem, by row.
fn rejected(mut problems: Vec<(u64, RowIssue)>) -> AppError {
    problems.sort_by_key(|(row, _)| *row);
    let total = problems.len();
    let rows = {
        let mut r: Vec<u64> = problems.iter().map(|(n, _)| *n).collect();
        r.dedup();
        r.len()
    };
    let first = problems
        .first()
        .map(|(row, i)| format!("第 {row} 行：{}", i.message))
        .unwrap_or_default();
    AppError::InvalidFields {
        code: "staff_rows_rejected",
        message: format!(
            "{rows} 行共 {total} 处错误，整个文件未导入（没有写入任何一行），请改正后重新提交。{first}"
        ),
        problems: problems
            .into_iter()
            .take(MAX_PROBLEMS)
            .map(|(row, i)| FieldProblem {
                field: Some(format!("第{row}行")),
                title: i.column,
                code: i.code.to_string(),
                message: format!("第 {row} 行：{}", i.message),
            })
            .collect(),
    }
}

fn row_issue(column: &str, code: &'static str, message: String) -> RowIssue {
    RowIssue {
        column: Some(column.into()),
        code,
        message,
    }
}

/// Bodies by USCC, looked up once each.
struct Bodies(HashMap<String, Option<Subject>>);

impl Bodies {
    async fn get(&mut self, app: &App, uscc: &str) -> AppResult<Option<Subject>> {
        if let Some(s) = self.0.get(uscc) {
            return Ok(s.clone());
        }
        let s = app.store.subject_by_uscc(uscc).await?;
        self.0.insert(uscc.to_string(), s.clone());
        Ok(s)
    }
}

fn body_region(s: &Subject) -> String {
    s.region
        .clone()
        .or_else(|| s.uscc.as_deref().map(uscc_region))
        .unwrap_or_else(|| "000000".into())
}

/// The person behind an ID number, for the sealed identity and a new subject.
pub(crate) fn person_put(
    app: &App,
    number: &str,
    name: &str,
    region: Option<String>,
) -> AppResult<PersonPut> {
    let hash = app.id_hasher.hash(number);
    let sealed = app
        .pii
        .seal_bound(number, &hash)
        .map_err(|e| AppError::Access(e.into()))?;
    Ok(PersonPut {
        id_masked: id_number::mask(number),
        id_hash: hash,
        name: name.to_string(),
        region,
        sealed,
    })
}

fn overlap_error(e: StoreError) -> AppError {
    match e {
        StoreError::Duplicate(m) => AppError::conflict("employment_overlap", m),
        other => other.into(),
    }
}

/// Import employment history. Needs `records_submit`; every body must be a registered 机关
/// within the caller's region.
pub async fn import_employments(
    app: &App,
    caller: &Caller,
    input: StaffInput,
) -> AppResult<StaffImportReport> {
    caller.require(Permission::RecordsSubmit)?;
    let mut problems: Vec<(u64, RowIssue)> = Vec::new();
    let (headers, rows) = read_input(input, &mut problems)?;
    let cols = Columns::find(&headers, employment::COLUMNS)
        .map_err(|e| AppError::invalid(e.code(), e.to_string()))?;
    let today = app.today();
    let regions = RegionTable::national();
    let mut bodies = Bodies(HashMap::new());
    let mut persons: HashMap<String, Option<Subject>> = HashMap::new();
    // (row, body, person key, person put)
    let mut good = Vec::new();
    for (n, cells) in &rows {
        let r = match employment::parse_row(&cols, *n, cells, regions, today) {
            Ok(r) => r,
            Err(issues) => {
                problems.extend(issues.into_iter().map(|i| (*n, i)));
                continue;
            }
        };
        let body = match bodies.get(app, &r.body_uscc).await? {
            None => {
                problems.push((
                    *n,
                    row_issue(
                        "单位统一社会信用代码",
                        "employment_body_unknown",
                        format!(
                            "单位统一社会信用代码 {} 未登记为信用主体，请先登记该单位",
                            r.body_uscc
                        ),
                    ),
                ));
                continue;
            }
            Some(b) if b.kind != SubjectKind::GovBody => {
                problems.push((
                    *n,
                    row_issue(
                        "单位统一社会信用代码",
                        "employment_body_not_government",
                        format!(
                            "“{}”不是机关（主体类别：{}），任职记录只登记政府机关的任职",
                            b.name,
                            b.kind.label()
                        ),
                    ),
                ));
                continue;
            }
            Some(b) => b,
        };
        if !within_region(caller, &body_region(&body)) {
            problems.push((
                *n,
                row_issue(
                    "单位统一社会信用代码",
                    "employment_body_out_of_region",
                    format!(
                        "“{}”不在本账号的管辖区域内，只能导入本地区单位的任职记录",
                        body.name
                    ),
                ),
            ));
            continue;
        }
        let hash = app.id_hasher.hash(&r.id_number);
        let known = match persons.get(&hash) {
            Some(s) => s.clone(),
            None => {
                let s = app.store.subject_by_id_hash(&hash).await?;
                persons.insert(hash.clone(), s.clone());
                s
            }
        };
        let key = match &known {
            Some(s) if !s.kind.is_person() => {
                problems.push((
                    *n,
                    row_issue(
                        "身份证号",
                        "employment_person_not_person",
                        "该身份证号已登记为非自然人主体".into(),
                    ),
                ));
                continue;
            }
            Some(s) => s.id.to_string(),
            None => format!("new:{hash}"),
        };
        let put = EmploymentPut {
            person: person_put(app, &r.id_number, &r.name, body.region.clone())?,
            body_id: body.id,
            post: r.post.clone(),
            principal: r.principal,
            start_date: r.start,
            end_date: r.end,
        };
        good.push((r.row, r.post, r.start, key, put));
    }
    // Overlaps, within the file and with what is stored.
    let mut body_ids: Vec<Uuid> = good.iter().map(|g| g.4.body_id).collect();
    body_ids.sort();
    body_ids.dedup();
    let stored = app.store.employments_at_bodies(&body_ids).await?;
    let period = |key: &str, p: &EmploymentPut| Period {
        person: key.to_string(),
        body: p.body_id.to_string(),
        post: p.post.trim().to_string(),
        principal: p.principal,
        start: p.start_date,
        end: p.end_date,
    };
    let new: Vec<Period> = good.iter().map(|g| period(&g.3, &g.4)).collect();
    let old: Vec<Period> = stored
        .iter()
        .map(|e| Period {
            person: e.person_id.to_string(),
            body: e.body_id.to_string(),
            post: e.post.clone(),
            principal: e.principal,
            start: e.start_date,
            end: e.end_date,
        })
        .collect();
    for (i, c, other) in conflicts(&new, &old) {
        let other = match other {
            Err(j) => format!("第 {} 行", good[j].0),
            Ok(j) => format!(
                "已登记的任职记录（{}，{} 起）",
                stored[j].post, stored[j].start_date
            ),
        };
        problems.push((
            good[i].0,
            row_issue("任职起始日期", c.code(), c.message(&other)),
        ));
    }
    if !problems.is_empty() {
        return Err(rejected(problems));
    }
    let puts: Vec<EmploymentPut> = good.into_iter().map(|g| g.4).collect();
    let counts = app
        .store
        .put_employments(&caller.actor, &puts)
        .await
        .map_err(overlap_error)?;
    let report = StaffImportReport::of("employment", rows.len() as u64, counts);
    audit_import(app, caller, "employment_import", &report).await?;
    Ok(report)
}

async fn audit_import(
    app: &App,
    caller: &Caller,
    action: &str,
    r: &StaffImportReport,
) -> AppResult<()> {
    let mut e = caller.audit("data", action, "ok");
    e.detail = serde_json::json!({
        "rows": r.rows, "created": r.created, "updated": r.updated,
        "unchanged": r.unchanged, "persons_created": r.persons_created,
    });
    app.store.audit(&[e]).await?;
    Ok(())
}

/// Import integrity-training records. Needs `records_submit`; the organiser must be a
/// registered body (机关, 事业单位 such as a party school, …) within the caller's region.
pub async fn import_trainings(
    app: &App,
    caller: &Caller,
    input: StaffInput,
) -> AppResult<StaffImportReport> {
    caller.require(Permission::RecordsSubmit)?;
    let mut problems: Vec<(u64, RowIssue)> = Vec::new();
    let (headers, rows) = read_input(input, &mut problems)?;
    let cols = Columns::find(&headers, training::COLUMNS)
        .map_err(|e| AppError::invalid(e.code(), e.to_string()))?;
    let today = app.today();
    let regions = RegionTable::national();
    let mut bodies = Bodies(HashMap::new());
    let mut puts = Vec::new();
    for (n, cells) in &rows {
        let r = match training::parse_row(&cols, *n, cells, regions, today) {
            Ok(r) => r,
            Err(issues) => {
                problems.extend(issues.into_iter().map(|i| (*n, i)));
                continue;
            }
        };
        let org = match bodies.get(app, &r.organiser_uscc).await? {
            Some(b) if !b.kind.is_person() => b,
            _ => {
                problems.push((
                    *n,
                    row_issue(
                        "主办单位统一社会信用代码",
                        "training_organiser_unknown",
                        format!(
                            "主办单位统一社会信用代码 {} 未登记为单位主体",
                            r.organiser_uscc
                        ),
                    ),
                ));
                continue;
            }
        };
        if !within_region(caller, &body_region(&org)) {
            problems.push((
                *n,
                row_issue(
                    "主办单位统一社会信用代码",
                    "training_organiser_out_of_region",
                    format!(
                        "“{}”不在本账号的管辖区域内，只能导入本地区的培训记录",
                        org.name
                    ),
                ),
            ));
            continue;
        }
        if let Some(s) = app
            .store
            .subject_by_id_hash(&app.id_hasher.hash(&r.id_number))
            .await?
        {
            if !s.kind.is_person() {
                problems.push((
                    *n,
                    row_issue(
                        "身份证号",
                        "training_person_not_person",
                        "该身份证号已登记为非自然人主体".into(),
                    ),
                ));
                continue;
            }
        }
        puts.push(TrainingPut {
            person: person_put(app, &r.id_number, &r.name, org.region.clone())?,
            course: r.course,
            held_on: r.day,
            hours_tenths: i64::from(r.hours_tenths),
            organiser_id: org.id,
        });
    }
    if !problems.is_empty() {
        return Err(rejected(problems));
    }
    let counts = app.store.put_trainings(&caller.actor, &puts).await?;
    let report = StaffImportReport::of("training", rows.len() as u64, counts);
    audit_import(app, caller, "training_import", &report).await?;
    Ok(report)
}
