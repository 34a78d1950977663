//! 12345 hotline import: the hotline's work-order export (CSV or XLSX; 工单编号, 来电时间,
//! 诉求内容, 诉求类型, 涉及单位, 区域, 办理单位, 办结时间, 回访满意度 …, with the usual header
//! aliases) becomes complaint work items (type `complaint`), raw tickets included — not only
//! those the hotline already verified. Idempotent by 工单编号: a row imported again with the
//! same content changes nothing (`unchanged`); a 工单编号 already imported with other content
//! is a row error (`ticket_changed`) and the stored ticket is kept — never silently
//! overwritten (a corrected ticket is handled on the item, by a note or a step). Each row
//! problem is a Chinese message with a stable code, and the other rows go on: unknown body
//! (`body_unknown`), a region outside the importer's (`region_out_of_reach`), a 区域 that is
//! not the body's (`region_mismatch`), a date in the future (`date_in_future`), control
//! characters (`control_characters`), a 工单编号 twice in the file with different content
//! (`ticket_duplicate_in_file`) … Text is stored as given (ID numbers masked): pages escape
//! it, XLSX exports neutralise formulas. The caller's name and telephone are sealed
//! (`PiiCipher`): shown only to those who may decrypt personal data.
//!
//! Fast path: rows are checked in memory, the tickets already imported read 500 at a time,
//! and new ones written 5,000 per transaction (`COPY` on PostgreSQL, multi-row INSERTs on
//! SQLite) with one group entry in the change log (`WorkItemStore::import_hotline`): the item,
//! its parties and the ticket row — no `open` event row, the timeline derives that step from
//! the ticket ([`opened`]).

use std::collections::HashMap;

use chengxin_access::Permission;
use chengxin_domain::calendar::WorkCalendar;
use chengxin_domain::regions::RegionTable;
use chengxin_domain::work::{stage_due, WorkItem, WorkType};
use chengxin_ingest::read::{open_bytes, ReadOptions};
use chengxin_ingest::ReadIssue;
use chengxin_store::{HotlineImport, HotlineTicketRow, SubjectFilter, WorkItemRow, WorkPartyRow};
use chrono::{NaiveDate, NaiveDateTime, SubsecRound};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

mod columns;
mod opened;

use super::{is_office, types};
use crate::auth::{uscc_region, Caller};
use crate::error::{AppError, AppResult};
use crate::App;
pub use columns::parse_time;
use columns::{cell, column_map, region_of, Col};
pub(crate) use opened::timeline;

/// The work-item type hotline tickets open.
pub const KIND: &str = "complaint";
/// New tickets per transaction.
const CHUNK: usize = 5_000;
/// Most row errors listed in a report (the count is always exact).
pub const MAX_ERRORS_LISTED: usize = 1_000;
/// The largest export accepted (bytes).
pub const MAX_FILE_BYTES: usize = 200 * 1024 * 1024;

/// One row refused.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HotlineRowError {
    /// The row number a person sees (the header is row 1).
    pub row: u64,
    pub ticket_no: String,
    pub code: String,
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct HotlineReport {
    /// Data rows read.
    pub rows: usize,
    /// Complaint items opened.
    pub created: usize,
    /// Rows already imported with the same content (and repeats within the file).
    pub unchanged: usize,
    /// Rows refused.
    pub failed: usize,
    /// The first [`MAX_ERRORS_LISTED`] refusals.
    pub errors: Vec<HotlineRowError>,
}

/// A row refused: code and message.
struct Refusal(&'static str, String);

fn refuse(code: &'static str, msg: impl Into<String>) -> Refusal {
    Refusal(code, msg.into())
}

fn clean(s: &str, what: &str, max: usize) -> Result<String, Refusal> {
    let t = chengxin_domain::codes::id_number::mask_in_text(s.trim()).into_owned();
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(refuse("control_characters", format!("{what}含有控制字符")));
    }
    if t.chars().count() > max {
        return Err(refuse(
            "field_too_long",
            format!("{what}过长（最多 {max} 个字）"),
        ));
    }
    Ok(t)
}

/// A checked row (before the store is asked).
struct Ticket {
    row: u64,
    no: String,
    digest: String,
    called_at: NaiveDateTime,
    content: String,
    category: String,
    title: String,
    body: (String, String),
    handling_unit: String,
    co: Option<(String, String)>,
    concluded_at: Option<String>,
    satisfaction: Option<String>,
    contact: Option<String>,
}

/// Bodies by name or code, looked up once per import.
struct Bodies<'a> {
    app: &'a App,
    by_name: HashMap<String, Result<(String, String), Refusal>>,
    by_code: HashMap<String, Option<String>>,
}

impl Bodies<'_> {
    async fn by_code(&mut self, code: &str) -> AppResult<Option<String>> {
        if let Some(n) = self.by_code.get(code) {
            return Ok(n.clone());
        }
        let delegations = self.app.delegations()?;
        let name = crate::authority::body_name(self.app.store.as_ref(), &delegations, code).await?;
        self.by_code.insert(code.to_string(), name.clone());
        Ok(name)
    }

    async fn by_name(&mut self, name: &str) -> AppResult<Result<(String, String), Refusal>> {
        if let Some(r) = self.by_name.get(name) {
            return Ok(match r {
                Ok(b) => Ok(b.clone()),
                Err(Refusal(c, m)) => Err(Refusal(c, m.clone())),
            });
        }
        let found = self
            .app
            .store
            .list_subjects(&SubjectFilter {
                name_exact: Some(name.to_string()),
                limit: 3,
                ..Default::default()
            })
            .await?;
        let mut codes: Vec<String> = found
            .into_iter()
            .filter(|s| s.name == name)
            .filter_map(|s| s.uscc)
            .collect();
        if codes.is_empty() {
            let delegations = self.app.delegations()?;
            for d in delegations.all() {
                if d.name == name {
                    codes.push(d.submitter.clone());
                }
                codes.extend(
                    d.bodies
                        .iter()
                        .filter(|b| b.name == name)
                        .map(|b| b.uscc.clone()),
                );
            }
        }
        codes.sort();
        codes.dedup();
        let r = match codes.as_slice() {
            [one] => Ok((one.clone(), name.to_string())),
            [] => Err(refuse(
                "body_unknown",
                format!("涉及单位“{name}”未登记，请填写其统一社会信用代码或先登记该单位"),
            )),
            _ => Err(refuse(
                "body_ambiguous",
                format!("涉及单位“{name}”对应多个单位，请填写其统一社会信用代码"),
            )),
        };
        self.by_name.insert(
            name.to_string(),
            match &r {
                Ok(b) => Ok(b.clone()),
                Err(Refusal(c, m)) => Err(Refusal(c, m.clone())),
            },
        );
        Ok(r)
    }
}

/// Check one row (everything but what the store knows).
async fn check_row(
    caller: &Caller,
    bodies: &mut Bodies<'_>,
    map: &HashMap<Col, usize>,
    row: u64,
    cells: &[String],
    today: NaiveDate,
) -> AppResult<Result<Ticket, (String, Refusal)>> {
    let no = cell(cells, map, Col::TicketNo).to_string();
    let fail = |r: Refusal| Ok(Err((no.clone(), r)));
    if no.is_empty() {
        return fail(refuse("field_required", "工单编号为空"));
    }
    if no.len() > 40
        || !no
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return fail(refuse(
            "ticket_no_invalid",
            "工单编号只能由字母、数字、“-”和“_”组成，且不超过 40 个字符",
        ));
    }
    let raw_called = cell(cells, map, Col::CalledAt);
    let Some(called_at) = parse_time(raw_called) else {
        return fail(refuse(
            "date_invalid",
            format!("来电时间“{raw_called}”不是有效时间（如 2026-12-01 09:30:00）"),
        ));
    };
    if called_at.date() > today {
        return fail(refuse(
            "date_in_future",
            format!("来电时间 {called_at} 晚于今天（{today}）"),
        ));
    }
    let raw_concluded = cell(cells, map, Col::ConcludedAt);
    let concluded_at = if raw_concluded.is_empty() {
        None
    } else {
        let Some(t) = parse_time(raw_concluded) else {
            return fail(refuse(
                "date_invalid",
                format!("办结时间“{raw_concluded}”不是有效时间"),
            ));
        };
        if t.date() > today {
            return fail(refuse(
                "date_in_future",
                format!("办结时间 {t} 晚于今天（{today}）"),
            ));
        }
        if t < called_at {
            return fail(refuse(
                "date_order",
                format!("办结时间 {t} 早于来电时间 {called_at}"),
            ));
        }
        Some(t.format("%Y-%m-%d %H:%M:%S").to_string())
    };
    let texts = (|| -> Result<_, Refusal> {
        let content = clean(cell(cells, map, Col::Content), "诉求内容", 4000)?;
        if content.is_empty() {
            return Err(refuse("field_required", "诉求内容为空"));
        }
        Ok((
            content,
            clean(cell(cells, map, Col::Category), "诉求类型", 100)?,
            clean(cell(cells, map, Col::Title), "标题", 200)?,
            clean(cell(cells, map, Col::HandlingUnit), "办理单位", 200)?,
            clean(cell(cells, map, Col::Satisfaction), "回访满意度", 50)?,
            clean(cell(cells, map, Col::CallerName), "来电人", 100)?,
            clean(cell(cells, map, Col::Contact), "联系电话", 100)?,
        ))
    })();
    let (content, category, title, handling_unit, satisfaction, caller_name, contact) = match texts
    {
        Ok(t) => t,
        Err(r) => return fail(r),
    };
    // The body: by code when given, else by its registered name.
    let code = cell(cells, map, Col::BodyCode);
    let name = clean(cell(cells, map, Col::Body), "涉及单位", 200);
    let name = match name {
        Ok(n) => n,
        Err(r) => return fail(r),
    };
    let body = if !code.is_empty() {
        let code = match chengxin_domain::codes::uscc::parse(code, RegionTable::national()) {
            Ok(p) => p.code,
            Err(e) => {
                return fail(refuse(
                    "uscc_invalid",
                    format!("涉及单位的统一社会信用代码无效：{e}"),
                ))
            }
        };
        match bodies.by_code(&code).await? {
            Some(n) => (code, n),
            None if !name.is_empty() => (code, name.clone()),
            None => {
                return fail(refuse(
                    "body_unknown",
                    format!("涉及单位（{code}）未登记，请同时填写单位名称"),
                ))
            }
        }
    } else if name.is_empty() {
        return fail(refuse("field_required", "涉及单位为空"));
    } else {
        match bodies.by_name(&name).await? {
            Ok(b) => b,
            Err(r) => return fail(r),
        }
    };
    let region = uscc_region(&body.0);
    let given = cell(cells, map, Col::Region);
    if !given.is_empty() {
        match region_of(given) {
            Some(r) if RegionTable::national().is_within(&region, &r) || r == region => {}
            Some(r) => {
                return fail(refuse(
                    "region_mismatch",
                    format!("区域“{given}”（{r}）与涉及单位所在区域（{region}）不符"),
                ))
            }
            None => {
                return fail(refuse(
                    "region_unknown",
                    format!("区域“{given}”不是有效的行政区划名称或代码"),
                ))
            }
        }
    }
    if !caller.reaches(Permission::SupervisionManage, &region) {
        return fail(refuse(
            "region_out_of_reach",
            format!("涉及单位所在区域（{region}）不在本机构的管辖范围内"),
        ));
    }
    // 办理单位: a registered body becomes a co-handling unit; otherwise kept as the hotline's
    // text.
    let co = if handling_unit.is_empty() || handling_unit == body.1 {
        None
    } else {
        match bodies.by_name(&handling_unit).await? {
            Ok(b) if b.0 != body.0 => Some(b),
            _ => None,
        }
    };
    let mut h = Sha256::new();
    for part in [
        no.as_str(),
        &called_at.format("%Y-%m-%d %H:%M:%S").to_string(),
        &content,
        &category,
        &title,
        &body.0,
        given,
        &handling_unit,
        concluded_at.as_deref().unwrap_or(""),
        &satisfaction,
        &caller_name,
        &contact,
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    let digest = hex::encode(h.finalize());
    let contact = match (caller_name.is_empty(), contact.is_empty()) {
        (true, true) => None,
        _ => Some(format!("{caller_name} {contact}").trim().to_string()),
    };
    let title = if title.is_empty() {
        let head: String = content.chars().take(30).collect();
        if content.chars().count() > 30 {
            format!("{head}…")
        } else {
            head
        }
    } else {
        title
    };
    Ok(Ok(Ticket {
        row,
        no,
        digest,
        called_at,
        content,
        category,
        title,
        body,
        handling_unit,
        co,
        concluded_at,
        satisfaction: Some(satisfaction).filter(|s| !s.is_empty()),
        contact,
    }))
}

/// The item, parties and ticket row of a checked new ticket (its `open` step is derived from
/// the ticket row: [`opened`]).
fn build(
    app: &App,
    t: &WorkType,
    cal: &WorkCalendar,
    caller: &Caller,
    k: Ticket,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<HotlineImport, Refusal> {
    let opened_on = k.called_at.date();
    let w =
        WorkItem::open(t, opened_on, None, cal).map_err(|e| Refusal(e.code(), e.to_string()))?;
    let next = match w.due_on {
        Some(due) => {
            stage_due(t, due, 0, NaiveDate::MIN, cal)
                .map_err(|e| Refusal(e.code(), e.to_string()))?
                .1
        }
        None => None,
    };
    let id = Uuid::now_v7();
    let region = uscc_region(&k.body.0);
    let contact_sealed = match &k.contact {
        Some(c) => Some(
            app.pii
                .seal_bound(c, &format!("hotline:{}", k.no))
                .map_err(|e| Refusal("seal_failed", format!("联系方式无法加密保存：{e}")))?,
        ),
        None => None,
    };
    let item = WorkItemRow {
        id,
        no: format!("{}-12345-{}", t.prefix, k.no),
        kind: t.code.clone(),
        title: k.title.clone(),
        ref_no: Some(k.no.clone()),
        proposer: None,
        owner_uscc: k.body.0.clone(),
        owner_name: k.body.1.clone(),
        region,
        issuer_uscc: None,
        issuer_name: "信用办".into(),
        content: k.content.clone(),
        required: String::new(),
        state: w.state.clone(),
        opened_on,
        deadline: w.deadline,
        due_on: w.due_on,
        reopens: 0,
        outcome: None,
        closed_on: None,
        remind_stage: 0,
        next_remind_on: next,
        handler: None,
        source: Some(format!("12345:{}", k.no)),
        created_by: caller.actor.clone(),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let mut parties = vec![WorkPartyRow {
        item_id: id,
        body_uscc: k.body.0.clone(),
        body_name: k.body.1.clone(),
        party: "owner".into(),
    }];
    if let Some((code, name)) = &k.co {
        parties.push(WorkPartyRow {
            item_id: id,
            body_uscc: code.clone(),
            body_name: name.clone(),
            party: "co".into(),
        });
    }
    let ticket = HotlineTicketRow {
        ticket_no: k.no,
        item_id: id,
        digest: k.digest,
        called_at: k.called_at.format("%Y-%m-%d %H:%M:%S").to_string(),
        category: k.category,
        handling_unit: k.handling_unit,
        concluded_at: k.concluded_at,
        satisfaction: k.satisfaction,
        contact_sealed,
        imported_by: caller.actor.clone(),
        imported_at: now,
    };
    Ok(HotlineImport {
        ticket,
        item,
        parties,
    })
}

impl HotlineReport {
    fn error(&mut self, row: u64, ticket_no: String, r: Refusal) {
        self.failed += 1;
        if self.errors.len() < MAX_ERRORS_LISTED {
            self.errors.push(HotlineRowError {
                row,
                ticket_no,
                code: r.0.to_string(),
                message: r.1,
            });
        }
    }
}

/// Write one chunk of checked tickets: those already imported are compared (same digest:
/// unchanged; other: `ticket_changed`), the new ones written in one transaction.
async fn flush(
    app: &App,
    caller: &Caller,
    t: &WorkType,
    cal: &WorkCalendar,
    pending: &mut Vec<Ticket>,
    report: &mut HotlineReport,
) -> AppResult<()> {
    if pending.is_empty() {
        return Ok(());
    }
    let nos: Vec<String> = pending.iter().map(|k| k.no.clone()).collect();
    let stored: HashMap<String, String> = app
        .store
        .hotline_tickets(&nos)
        .await?
        .into_iter()
        .map(|r| (r.ticket_no, r.digest))
        .collect();
    let now = chengxin_store::clock::now().trunc_subsecs(6);
    let mut rows = Vec::with_capacity(pending.len());
    for k in pending.drain(..) {
        match stored.get(&k.no) {
            Some(d) if *d == k.digest => report.unchanged += 1,
            Some(_) => {
                let (row, no) = (k.row, k.no.clone());
                report.error(
                    row,
                    no.clone(),
                    refuse(
                        "ticket_changed",
                        format!(
                            "工单编号 {no} 已导入，本行内容与已导入的不同；未覆盖已导入的工单（如需更正，请在该投诉事项上记录）"
                        ),
                    ),
                );
            }
            None => {
                let (row, no) = (k.row, k.no.clone());
                match build(app, t, cal, caller, k, now) {
                    Ok(r) => rows.push(r),
                    Err(r) => report.error(row, no, r),
                }
            }
        }
    }
    report.created += app.store.import_hotline(&caller.actor, &rows).await?;
    Ok(())
}

/// Import a 12345 export (`file_name` tells CSV from XLSX with the content) as the credit office
/// `caller`: rows about bodies outside its region are refused.
pub async fn import(
    app: &App,
    caller: &Caller,
    bytes: Vec<u8>,
    file_name: Option<&str>,
) -> AppResult<HotlineReport> {
    caller.require(Permission::SupervisionManage)?;
    if !is_office(caller) {
        return Err(AppError::forbidden(
            "not_office",
            "只有信用办可以导入 12345 热线工单",
        ));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(AppError::invalid(
            "file_too_large",
            format!("文件超过 {} MB", MAX_FILE_BYTES / 1024 / 1024),
        ));
    }
    let table = open_bytes(bytes, file_name, &ReadOptions::default())
        .map_err(|e| AppError::invalid(e.code, e.message))?;
    let map = column_map(&table.headers)?;
    let t = types()?.get(KIND)?;
    let cal = crate::calendar::in_effect(app.store.as_ref()).await?;
    let today = app.today();
    let mut bodies = Bodies {
        app,
        by_name: HashMap::new(),
        by_code: HashMap::new(),
    };
    let mut report = HotlineReport::default();
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut pending: Vec<Ticket> = Vec::new();
    for item in table {
        let raw = match item {
            Ok(r) => r,
            Err(ReadIssue::Row(e)) => {
                report.rows += 1;
                report.error(e.row, String::new(), Refusal(e.code, e.message));
                continue;
            }
            Err(ReadIssue::Fatal(e)) => return Err(AppError::invalid(e.code, e.message)),
        };
        if raw.cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        report.rows += 1;
        let k = match check_row(caller, &mut bodies, &map, raw.row, &raw.cells, today).await? {
            Ok(k) => k,
            Err((no, r)) => {
                report.error(raw.row, no, r);
                continue;
            }
        };
        match seen.get(&k.no) {
            Some(d) if *d == k.digest => {
                report.unchanged += 1;
                continue;
            }
            Some(_) => {
                let no = k.no.clone();
                report.error(
                    k.row,
                    no.clone(),
                    refuse(
                        "ticket_duplicate_in_file",
                        format!("工单编号 {no} 在文件中出现多次且内容不同"),
                    ),
                );
                continue;
            }
            None => {
                seen.insert(k.no.clone(), k.digest.clone());
            }
        }
        pending.push(k);
        if pending.len() >= CHUNK {
            flush(app, caller, t, &cal, &mut pending, &mut report).await?;
        }
    }
    flush(app, caller, t, &cal, &mut pending, &mut report).await?;
    tracing::info!(
        target: crate::LOG_TARGET,
        rows = report.rows,
        created = report.created,
        unchanged = report.unchanged,
        failed = report.failed,
        "hotline_import"
    );
    Ok(report)
}
