//! Government bodies listed as 失信被执行人, tracked case by case until cleared (专项治理 清零):
//! the credit office registers a case (案号, court, body — a government body —, amount, date
//! listed), which tells the body and the office; progress notes move it 未履行 → 部分履行 →
//! 已履行 | 已撤销 (cleared, with the date); the register counts the not-yet-cleared cases per
//! region. Reach: the office its region and below; a body its own cases.

use chengxin_domain::commitments::format_yuan;
use chengxin_domain::intake::RowIssue;
use chengxin_domain::ppp::{check_debtor_step, DebtorState, PppError, DEBTOR_COLUMNS};
use chengxin_domain::regions::RegionTable;
use chengxin_domain::staff::Columns;
use chengxin_store::{DebtorCaseRow, DebtorFilter, DebtorNoteRow, StoreError};
use chrono::{NaiveDate, SubsecRound};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::parties::{gov_body, region_of};
use super::{is_office, office_for, require_any};
use crate::auth::{uscc_region, Caller};
use crate::commitments::{acts_for, amount, date, own_body, text};
use crate::error::{AppError, AppResult, FieldProblem};
use crate::notify::{self, Notice, To};
use crate::App;

/// A new case.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct DebtorCaseRequest {
    /// 案号.
    pub case_no: String,
    /// 执行法院.
    pub court: String,
    /// The listed body: a government body (登记管理部门 1).
    pub body_uscc: String,
    /// Needed when the body is not registered yet.
    pub body_name: Option<String>,
    /// 执行标的, decimal yuan (text).
    #[schema(value_type = String)]
    pub amount: serde_json::Value,
    /// 纳入名单日期 (`YYYY-MM-DD`).
    pub listed_on: String,
    pub note: Option<String>,
}

/// A progress note, and the state it leaves the case in.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct DebtorProgressRequest {
    /// `unperformed`, `partly_performed`, `performed`, `revoked` (or 未履行, 部分履行, 已履行,
    /// 已撤销); the current state for a plain note.
    pub state: Option<String>,
    /// `YYYY-MM-DD`; today when absent.
    pub on: Option<String>,
    pub note: String,
    pub expected_version: i64,
}

/// A note as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DebtorNoteView {
    pub state_name: &'static str,
    pub on: NaiveDate,
    pub note: String,
    pub actor: String,
}

/// A case as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DebtorCaseView {
    pub id: Uuid,
    pub case_no: String,
    pub court: String,
    pub body_uscc: String,
    pub body_name: String,
    pub region: String,
    pub region_name: String,
    /// Decimal yuan.
    pub amount: String,
    pub listed_on: NaiveDate,
    pub state: String,
    pub state_name: &'static str,
    pub cleared: bool,
    pub cleared_on: Option<NaiveDate>,
    pub version: i64,
    pub notes: Vec<DebtorNoteView>,
}

/// One region's line of the register.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DebtorRegisterRow {
    pub region: String,
    pub region_name: String,
    /// Not yet cleared.
    pub open: i64,
    pub cleared: i64,
    /// Decimal yuan of the open cases.
    pub open_amount: String,
}

/// The register (台账) of the caller's region: counts per region and the open cases.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DebtorRegister {
    pub regions: Vec<DebtorRegisterRow>,
    pub open_total: i64,
    pub cases: Vec<DebtorCaseView>,
}

fn region_name(code: &str) -> String {
    RegionTable::national()
        .full_name(code)
        .unwrap_or_else(|| code.to_string())
}

fn state_of(s: &str) -> AppResult<DebtorState> {
    DebtorState::parse(s).map_err(|_| AppError::unavailable(format!("案件状态无法解读：{s}")))
}

fn view(c: &DebtorCaseRow, notes: Vec<DebtorNoteRow>) -> AppResult<DebtorCaseView> {
    let st = state_of(&c.state)?;
    Ok(DebtorCaseView {
        id: c.id,
        case_no: c.case_no.clone(),
        court: c.court.clone(),
        body_uscc: c.body_uscc.clone(),
        body_name: c.body_name.clone(),
        region: c.region.clone(),
        region_name: region_name(&c.region),
        amount: format_yuan(c.amount_fen),
        listed_on: c.listed_on,
        state: st.as_str().into(),
        state_name: st.label(),
        cleared: st.is_cleared(),
        cleared_on: c.cleared_on,
        version: c.version,
        notes: notes
            .into_iter()
            .map(|n| DebtorNoteView {
                state_name: DebtorState::parse(&n.state)
                    .map(DebtorState::label)
                    .unwrap_or("未知"),
                on: n.on_date,
                note: n.note,
                actor: n.actor,
            })
            .collect(),
    })
}

fn may_see(caller: &Caller, c: &DebtorCaseRow) -> bool {
    acts_for(caller, &c.body_uscc) || office_for(caller, &c.region)
}

async fn load(app: &App, caller: &Caller, id: Uuid) -> AppResult<DebtorCaseRow> {
    require_any(caller)?;
    match app.store.debtor_case(id).await? {
        Some(c) if may_see(caller, &c) => Ok(c),
        _ => Err(AppError::NotFound),
    }
}

fn note_text(s: &str) -> AppResult<String> {
    text(s, "进展情况", 2000)
}

/// Register a case of a government body on the 失信被执行人 list.
pub async fn create(
    app: &App,
    caller: &Caller,
    req: DebtorCaseRequest,
) -> AppResult<DebtorCaseView> {
    require_any(caller)?;
    let case_no = text(&req.case_no, "案号", 100)?;
    let court = text(&req.court, "执行法院", 200)?;
    let amount_fen = amount(&Some(req.amount.clone()))?.ok_or(
        chengxin_domain::commitments::CommitmentError::Required("执行标的金额"),
    )?;
    let listed_on = date(&req.listed_on, "纳入名单日期")?;
    let today = app.today();
    if listed_on > today {
        return Err(PppError::DateInFuture {
            date: listed_on,
            today,
        }
        .into());
    }
    let body_code = super::parties::code(&req.body_uscc, "被执行人", "uscc_invalid")?;
    if !chengxin_domain::commitments::is_government_uscc(&body_code) {
        return Err(PppError::NotGovernment(body_code, "debtor_not_government").into());
    }
    let region = uscc_region(&body_code);
    if !office_for(caller, &region) {
        return Err(AppError::forbidden(
            "not_your_step",
            "失信被执行人案件由本地区信用办登记",
        ));
    }
    let note = match req.note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => note_text(n)?,
        None => format!("纳入失信被执行人名单（{court} {case_no}）"),
    };
    let body = gov_body(
        app,
        caller,
        &body_code,
        req.body_name.as_deref(),
        "被执行人",
        "debtor_not_government",
    )
    .await?;
    let now = chengxin_store::clock::now().trunc_subsecs(6);
    let row = DebtorCaseRow {
        id: Uuid::now_v7(),
        case_no,
        court,
        body_uscc: body_code,
        body_name: body.name.clone(),
        body_subject_id: body.id,
        region: region_of(&body),
        amount_fen,
        listed_on,
        state: DebtorState::Unperformed.as_str().into(),
        cleared_on: None,
        created_by: caller.actor.clone(),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let first = DebtorNoteRow {
        id: Uuid::now_v7(),
        case_id: row.id,
        state: row.state.clone(),
        on_date: listed_on,
        note,
        actor: caller.actor.clone(),
        at: now,
    };
    let notices = [Notice {
        to: vec![To::Body(row.body_uscc.clone()), To::Office(row.region.clone())],
        region: row.region.clone(),
        topic: "debtor_listed",
        title: format!("纳入失信被执行人名单：{}", row.body_name),
        body: format!(
            "{} 因 {}（{}）被纳入失信被执行人名单，执行标的 {} 元。请尽快履行并报告进展，履行完毕后申请删除失信信息。",
            row.body_name,
            row.case_no,
            row.court,
            format_yuan(row.amount_fen)
        ),
        link: Some(format!("/console/debtors/{}", row.id)),
        once: Some(format!("debtor_listed:{}", row.case_no)),
    }];
    app.store
        .create_debtor_case(&caller.actor, &row, &first, &notify::rows(&notices))
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(m) => AppError::conflict("debtor_case_exists", m),
            other => other.into(),
        })?;
    get(app, caller, row.id).await
}

/// One case with its notes.
pub async fn get(app: &App, caller: &Caller, id: Uuid) -> AppResult<DebtorCaseView> {
    let c = load(app, caller, id).await?;
    let notes = app.store.debtor_notes(c.id).await?;
    view(&c, notes)
}

/// A progress note (and state) on a case. The body reports progress (部分履行); the credit
/// office also clears the case (已履行, 已撤销).
pub async fn progress(
    app: &App,
    caller: &Caller,
    id: Uuid,
    req: DebtorProgressRequest,
) -> AppResult<DebtorCaseView> {
    let c = load(app, caller, id).await?;
    if c.version != req.expected_version {
        return Err(StoreError::Conflict {
            expected: req.expected_version,
            current: c.version,
        }
        .into());
    }
    let state = state_of(&c.state)?;
    let to = match req
        .state
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => DebtorState::parse(s)?,
        None => state,
    };
    let office = office_for(caller, &c.region);
    if to.is_cleared() && !office {
        return Err(AppError::forbidden(
            "not_your_step",
            "案件清零（已履行、已撤销）由本地区信用办确认",
        ));
    }
    let today = app.today();
    let on = match req.on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(d) => date(d, "进展日期")?,
        None => today,
    };
    let cleared = check_debtor_step(state, c.listed_on, to, on, today)?;
    let note = note_text(&req.note)?;
    let now = chengxin_store::clock::now().trunc_subsecs(6);
    let mut row = c.clone();
    row.state = to.as_str().into();
    row.cleared_on = cleared;
    row.updated_at = now;
    let n = DebtorNoteRow {
        id: Uuid::now_v7(),
        case_id: c.id,
        state: row.state.clone(),
        on_date: on,
        note,
        actor: caller.actor.clone(),
        at: now,
    };
    let notices: Vec<Notice> = if to != state {
        vec![Notice {
            to: vec![To::Body(c.body_uscc.clone()), To::Office(c.region.clone())],
            region: c.region.clone(),
            topic: "debtor_progress",
            title: format!("失信被执行人案件{}：{}", to.label(), c.case_no),
            body: format!(
                "{} 的案件 {} 状态改为“{}”（{on}）。",
                c.body_name,
                c.case_no,
                to.label()
            ),
            link: Some(format!("/console/debtors/{}", c.id)),
            once: None,
        }]
    } else {
        Vec::new()
    };
    app.store
        .change_debtor_case(
            &caller.actor,
            &row,
            req.expected_version,
            &n,
            &notify::rows(&notices),
        )
        .await?;
    get(app, caller, id).await
}

/// List filters.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DebtorListParams {
    /// Only the not-yet-cleared cases.
    pub open: Option<bool>,
    pub page: Option<i64>,
}

/// The cases within reach, newest listing first.
pub async fn list(
    app: &App,
    caller: &Caller,
    p: &DebtorListParams,
) -> AppResult<Vec<DebtorCaseView>> {
    require_any(caller)?;
    let office = is_office(caller);
    let body = own_body(caller);
    if !office && body.is_none() {
        return Ok(Vec::new());
    }
    let f = DebtorFilter {
        region_prefix: office.then(|| caller.region_prefix()),
        body: if office { None } else { body },
        open_only: p.open.unwrap_or(false),
        limit: 100,
        offset: (p.page.unwrap_or(1).max(1) - 1) * 100,
    };
    let rows = app.store.debtor_cases(&f).await?;
    rows.iter()
        .filter(|c| may_see(caller, c))
        .map(|c| view(c, Vec::new()))
        .collect()
}

/// The register of the caller's reach: counts of not-yet-cleared cases per region, and the
/// open cases — the credit office's region and below; a body's own cases.
pub async fn register(app: &App, caller: &Caller) -> AppResult<DebtorRegister> {
    require_any(caller)?;
    let regions: Vec<DebtorRegisterRow> = if is_office(caller) {
        app.store
            .debtor_counts(&caller.region_prefix())
            .await?
            .into_iter()
            .filter(|c| office_for(caller, &c.region))
            .map(|c| DebtorRegisterRow {
                region_name: region_name(&c.region),
                region: c.region,
                open: c.open,
                cleared: c.cleared,
                open_amount: format_yuan(c.open_amount_fen),
            })
            .collect()
    } else {
        // A body: its own cases, counted here (a handful).
        let all = list(app, caller, &DebtorListParams::default()).await?;
        let mut out: Vec<DebtorRegisterRow> = Vec::new();
        let mut amounts: Vec<i64> = Vec::new();
        for c in &all {
            let i = match out.iter().position(|r| r.region == c.region) {
                Some(i) => i,
                None => {
                    out.push(DebtorRegisterRow {
                        region: c.region.clone(),
                        region_name: c.region_name.clone(),
                        open: 0,
                        cleared: 0,
                        open_amount: String::new(),
                    });
                    amounts.push(0);
                    out.len() - 1
                }
            };
            if c.cleared {
                out[i].cleared += 1;
            } else {
                out[i].open += 1;
                let fen = chengxin_domain::commitments::parse_yuan(&c.amount).unwrap_or(0);
                amounts[i] = amounts[i].saturating_add(fen);
            }
        }
        for (r, a) in out.iter_mut().zip(&amounts) {
            r.open_amount = format_yuan(*a);
        }
        out
    };
    let open_total = regions.iter().map(|r| r.open).sum();
    let cases = list(
        app,
        caller,
        &DebtorListParams {
            open: Some(true),
            page: None,
        },
    )
    .await?;
    Ok(DebtorRegister {
        regions,
        open_total,
        cases,
    })
}

/// What an import of 失信被执行人 cases did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DebtorImportReport {
    /// Data rows read.
    pub rows: u64,
    /// Cases registered.
    pub created: u64,
}

fn import_issue(column: &str, code: &'static str, message: String) -> RowIssue {
    RowIssue {
        column: Some(column.into()),
        code,
        message,
    }
}

/// Nothing written: every problem, by row.
fn import_rejected(mut problems: Vec<(u64, RowIssue)>) -> AppError {
    problems.sort_by_key(|(row, _)| *row);
    let total = problems.len();
    let first = problems
        .first()
        .map(|(row, i)| format!("第 {row} 行：{}", i.message))
        .unwrap_or_default();
    AppError::InvalidFields {
        code: "debtor_rows_rejected",
        message: format!(
            "共 {total} 处错误，整个文件未导入（没有写入任何一行），请改正后重新提交。{first}"
        ),
        problems: problems
            .into_iter()
            .take(1000)
            .map(|(row, i)| FieldProblem {
                field: Some(format!("第{row}行")),
                title: i.column,
                code: i.code.to_string(),
                message: format!("第 {row} 行：{}", i.message),
            })
            .collect(),
    }
}

/// Import 失信被执行人 cases from a CSV/XLSX file (the court's or the office's list): every row
/// checked (案号 once, court, the body a registered 机关 within the office's region, amount,
/// date listed), then all cases in one transaction — or, with any row wrong, nothing at all
/// and every problem named by row (`debtor_rows_rejected`). The credit office's.
pub async fn import(
    app: &App,
    caller: &Caller,
    input: crate::staff::StaffInput,
) -> AppResult<DebtorImportReport> {
    require_any(caller)?;
    if !is_office(caller) {
        return Err(AppError::forbidden(
            "not_your_step",
            "失信被执行人案件由本地区信用办登记",
        ));
    }
    let mut problems: Vec<(u64, RowIssue)> = Vec::new();
    let (headers, rows) = crate::staff::import::read_input(input, &mut problems)?;
    let cols = Columns::find(&headers, DEBTOR_COLUMNS)
        .map_err(|e| AppError::invalid("debtor_columns_missing", e.to_string()))?;
    let today = app.today();
    let now = chengxin_store::clock::now().trunc_subsecs(6);
    let mut seen: Vec<String> = Vec::new();
    let mut cases: Vec<(DebtorCaseRow, DebtorNoteRow)> = Vec::new();
    for (n, cells) in &rows {
        let n = *n;
        let before = problems.len();
        let case_no = cols.cell(cells, "case_no").trim().to_string();
        if case_no.is_empty() || case_no.chars().count() > 100 {
            problems.push((
                n,
                import_issue(
                    "案号",
                    "debtor_case_no_invalid",
                    "案号不能为空，且不超过 100 个字".into(),
                ),
            ));
        } else if seen.contains(&case_no) {
            problems.push((
                n,
                import_issue(
                    "案号",
                    "debtor_case_exists",
                    format!("案号 {case_no} 在文件中重复"),
                ),
            ));
        }
        let court = cols.cell(cells, "court").trim().to_string();
        if court.is_empty() || court.chars().count() > 200 {
            problems.push((
                n,
                import_issue("执行法院", "field_required", "执行法院不能为空".into()),
            ));
        }
        let amount_fen = match chengxin_domain::commitments::parse_yuan(cols.cell(cells, "amount"))
        {
            Ok(a) => Some(a),
            Err(e) => {
                problems.push((n, import_issue("执行标的（元）", e.code(), e.to_string())));
                None
            }
        };
        let listed_on = match chengxin_domain::staff::parse_day(cols.cell(cells, "listed_on")) {
            Some(d) if d <= today => Some(d),
            _ => {
                problems.push((
                    n,
                    import_issue(
                        "纳入名单日期",
                        "debtor_listed_on_invalid",
                        format!(
                            "纳入名单日期“{}”不是有效日期（应如 2024-11-01），且不能晚于今天",
                            cols.cell(cells, "listed_on")
                        ),
                    ),
                ));
                None
            }
        };
        let raw = cols.cell(cells, "body_uscc").trim().to_ascii_uppercase();
        let body = match super::parties::code(&raw, "被执行人", "uscc_invalid") {
            Err(e) => {
                problems.push((
                    n,
                    import_issue("被执行人统一社会信用代码", "uscc_invalid", e.to_string()),
                ));
                None
            }
            Ok(code) if !chengxin_domain::commitments::is_government_uscc(&code) => {
                problems.push((
                    n,
                    import_issue(
                        "被执行人统一社会信用代码",
                        "debtor_not_government",
                        PppError::NotGovernment(code, "debtor_not_government").to_string(),
                    ),
                ));
                None
            }
            Ok(code) => match app.store.subject_by_uscc(&code).await? {
                Some(s)
                    if matches!(
                        s.kind,
                        chengxin_domain::subjects::SubjectKind::GovBody
                            | chengxin_domain::subjects::SubjectKind::Institution
                    ) =>
                {
                    if office_for(caller, &region_of(&s)) {
                        Some(s)
                    } else {
                        problems.push((
                            n,
                            import_issue(
                                "被执行人统一社会信用代码",
                                "debtor_body_out_of_region",
                                format!("“{}”不在本账号的管辖区域内", s.name),
                            ),
                        ));
                        None
                    }
                }
                Some(s) => {
                    problems.push((
                        n,
                        import_issue(
                            "被执行人统一社会信用代码",
                            "debtor_not_government",
                            PppError::NotGovernment(s.name, "debtor_not_government").to_string(),
                        ),
                    ));
                    None
                }
                None => {
                    problems.push((
                        n,
                        import_issue(
                            "被执行人统一社会信用代码",
                            "debtor_body_unknown",
                            format!("统一社会信用代码 {code} 未登记为信用主体，请先登记该机关"),
                        ),
                    ));
                    None
                }
            },
        };
        if problems.len() > before {
            continue;
        }
        let (Some(body), Some(amount_fen), Some(listed_on)) = (body, amount_fen, listed_on) else {
            continue;
        };
        seen.push(case_no.clone());
        let id = Uuid::now_v7();
        let row = DebtorCaseRow {
            id,
            case_no: case_no.clone(),
            court: court.clone(),
            body_uscc: body.uscc.clone().unwrap_or_default(),
            body_name: body.name.clone(),
            body_subject_id: body.id,
            region: region_of(&body),
            amount_fen,
            listed_on,
            state: DebtorState::Unperformed.as_str().into(),
            cleared_on: None,
            created_by: caller.actor.clone(),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let note = DebtorNoteRow {
            id: Uuid::now_v7(),
            case_id: id,
            state: row.state.clone(),
            on_date: listed_on,
            note: format!("纳入失信被执行人名单（{court} {case_no}，导入）"),
            actor: caller.actor.clone(),
            at: now,
        };
        cases.push((row, note));
    }
    if !problems.is_empty() {
        return Err(import_rejected(problems));
    }
    let notices: Vec<Notice> = cases
        .iter()
        .map(|(c, _)| Notice {
            to: vec![To::Body(c.body_uscc.clone()), To::Office(c.region.clone())],
            region: c.region.clone(),
            topic: "debtor_listed",
            title: format!("纳入失信被执行人名单：{}", c.body_name),
            body: format!(
                "{} 因 {}（{}）被纳入失信被执行人名单，执行标的 {} 元。请尽快履行并报告进展。",
                c.body_name,
                c.case_no,
                c.court,
                format_yuan(c.amount_fen)
            ),
            link: Some(format!("/console/debtors/{}", c.id)),
            once: Some(format!("debtor_listed:{}", c.case_no)),
        })
        .collect();
    app.store
        .create_debtor_cases(&caller.actor, &cases, &notify::rows(&notices))
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(m) => AppError::conflict("debtor_case_exists", m),
            other => other.into(),
        })?;
    let mut e = caller.audit("data", "debtor_case_import", "ok");
    e.detail = serde_json::json!({"rows": rows.len(), "created": cases.len()});
    app.store.audit(&[e]).await?;
    Ok(DebtorImportReport {
        rows: rows.len() as u64,
        created: cases.len() as u64,
    })
}
