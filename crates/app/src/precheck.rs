//! 预检 (pre-check before import): the clerk uploads a file, the system reads and validates
//! it exactly as the import would — the same reading thread (`imports::start_reading`: the
//! same column mapping, row rules, deciding-authority check and 报送范围) and the same look-ups
//! as the batch writer, read only (`Store::preview_rows`) — and says what the import would do:
//! rows added, corrected (which fields), unchanged, rejected (with reasons, ID numbers masked),
//! new subjects. Nothing is written to the database and nothing is logged in the change log.
//!
//! The file waits in the upload folder (0700; the file 0600) as `precheck-<id>.data`, with a
//! ticket `precheck-<id>.json` saying who uploaded it, for which department and type, and
//! until when ([`TTL`]). The id is 128 random bits; the ticket binds it to the uploading
//! account: for anyone else, an unknown, expired or used id is the same `not_found`.
//! Confirming ([`confirm`]) claims the file once (a rename) and imports it as any upload.

use std::path::{Path, PathBuf};

use chengxin_domain::catalog::RecordType;
use chengxin_domain::codes::id_number;
use chengxin_domain::intake;
use chengxin_store::{ImportRow, PreviewOutcome, RejectedRow, SubjectMatch};
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::batches::{submitting_dept, Submission, Upload};
use crate::error::{AppError, AppResult};
use crate::imports::{self, ImportRequest, ImportSummary, Msg, Reading};
use crate::App;

/// How long a pre-checked file waits for its confirmation.
pub const TTL: chrono::Duration = chrono::Duration::hours(2);

/// Spooled pre-check files begin with this.
const PREFIX: &str = "precheck-";

/// How many corrected and rejected rows the report lists (all are counted).
const LISTED: usize = 50;

/// Who uploaded a pre-checked file, for what, until when.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Ticket {
    actor: String,
    type_code: String,
    dept: String,
    file_name: Option<String>,
    sheet: Option<String>,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    /// What the pre-check found (shown again by [`report`]).
    report: Precheck,
}

/// A corrected row: the record with its source key would change in these columns.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CorrectionLine {
    /// Row number in the file.
    pub row: u64,
    /// 文书号 (the source key with the department).
    pub doc_no: String,
    /// The column titles whose values differ.
    pub columns: Vec<String>,
}

/// What importing the file would do.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct Precheck {
    /// Pass it to `POST /api/v1/batches/precheck/{id}/confirm` (the page does).
    pub id: String,
    /// Until when the file waits for confirmation.
    pub expires_at: DateTime<Utc>,
    pub type_code: String,
    /// The type's Chinese name.
    pub type_name: String,
    pub dept: String,
    pub file_name: Option<String>,
    pub format: String,
    pub encoding: String,
    /// Data rows read.
    pub rows: u64,
    /// New records (of which `unlinked` name no subject code and would wait for linking).
    pub added: u64,
    pub unlinked: u64,
    /// Existing records (same department, type and 文书号) whose content differs.
    pub corrected: u64,
    /// Existing records unchanged.
    pub unchanged: u64,
    /// Rows that would be rejected.
    pub rejected: u64,
    /// Subjects the import would create.
    pub subjects_new: u64,
    /// The first corrected rows with their changed columns.
    pub corrections: Vec<CorrectionLine>,
    /// The first rejected rows, ID numbers masked, with their reasons.
    #[schema(value_type = Vec<Object>)]
    pub rejects: Vec<RejectedRow>,
    /// Every reason, by rows.
    #[schema(value_type = Vec<Object>)]
    pub reject_reasons: Vec<intake::rejects::ReasonCount>,
    /// The file's columns the type does not know (ignored).
    pub unknown_columns: Vec<String>,
    /// The identical file was imported before: confirming returns that batch unchanged.
    pub replay_of: Option<uuid::Uuid>,
}

impl std::fmt::Debug for Precheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Precheck")
            .field("type_code", &self.type_code)
            .field("rows", &self.rows)
            .field("added", &self.added)
            .field("corrected", &self.corrected)
            .field("unchanged", &self.unchanged)
            .field("rejected", &self.rejected)
            .finish_non_exhaustive()
    }
}

fn new_id() -> String {
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// An id as issued: 32 lower-case hex digits (anything else names no file).
fn valid_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn data_path(app: &App, id: &str) -> PathBuf {
    app.upload_dir.join(format!("{PREFIX}{id}.data"))
}

fn ticket_path(app: &App, id: &str) -> PathBuf {
    app.upload_dir.join(format!("{PREFIX}{id}.json"))
}

async fn write_private(path: &Path, bytes: &[u8]) -> AppResult<()> {
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut f = options
        .open(path)
        .await
        .map_err(|e| AppError::unavailable(format!("无法保存预检记录：{e}")))?;
    f.write_all(bytes).await.map_err(AppError::unavailable)?;
    f.flush().await.map_err(AppError::unavailable)
}

/// Remove pre-checked files past their expiry (and leftovers of an interrupted confirmation
/// a day old). Returns how many files went.
pub async fn clean_expired(app: &App) -> AppResult<usize> {
    let Ok(mut entries) = tokio::fs::read_dir(&app.upload_dir).await else {
        return Ok(0);
    };
    let now = chengxin_store::clock::now();
    let mut removed = 0;
    while let Some(e) = entries.next_entry().await.map_err(AppError::unavailable)? {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(PREFIX) else {
            continue;
        };
        let (id, ext) = rest.split_once('.').unwrap_or((rest, ""));
        let expired = match ext {
            "json" => match tokio::fs::read(e.path()).await {
                Ok(b) => match serde_json::from_slice::<Ticket>(&b) {
                    Ok(t) => t.expires_at < now,
                    Err(_) => true,
                },
                Err(_) => false,
            },
            _ => {
                let modified = e
                    .metadata()
                    .await
                    .and_then(|m| m.modified())
                    .map(DateTime::<Utc>::from);
                let ticket_gone = !ticket_path(app, id).exists();
                modified.is_ok_and(|t| {
                    t < now - chrono::Duration::days(1)
                        || (ticket_gone && ext == "data" && t < now - TTL)
                })
            }
        };
        if expired {
            if ext == "json" {
                let _ = tokio::fs::remove_file(data_path(app, id)).await;
            }
            if tokio::fs::remove_file(e.path()).await.is_ok() {
                removed += 1;
            }
        }
    }
    Ok(removed)
}

fn request(app: &App, caller: &Caller, what: &Submission) -> AppResult<ImportRequest> {
    Ok(ImportRequest {
        type_code: what.type_code.clone(),
        source_dept: what.dept.clone(),
        file_name: what.file_name.clone(),
        sheet: what.sheet.clone(),
        published_at: None,
        actor: caller.actor.clone(),
        today: chengxin_store::clock::today_in_china(),
        delegations: Some(app.delegations()?),
        rejects: Default::default(),
    })
}

/// Pre-check an upload: spool it for confirmation and report what importing it would do.
/// A file that cannot be read (or is judged the wrong one) is refused as the import would
/// refuse it, and not kept.
pub async fn precheck(
    app: &App,
    caller: &Caller,
    upload: Upload,
    what: Submission,
) -> AppResult<Precheck> {
    if let Err(e) = clean_expired(app).await {
        tracing::warn!(target: crate::LOG_TARGET, error = %e, "expired pre-checks not cleaned");
    }
    let id = new_id();
    let data = data_path(app, &id);
    upload.persist_to(&data).await?;
    let req = request(app, caller, &what)?;
    let report = match run(app, &req, data.clone()).await {
        Ok(r) => r,
        Err(e) => {
            let _ = tokio::fs::remove_file(&data).await;
            return Err(e);
        }
    };
    let now = chengxin_store::clock::now();
    let report = Precheck {
        id: id.clone(),
        expires_at: now + TTL,
        ..report
    };
    let ticket = Ticket {
        actor: caller.actor.clone(),
        type_code: what.type_code,
        dept: what.dept,
        file_name: what.file_name,
        sheet: what.sheet,
        created_at: now,
        expires_at: now + TTL,
        report,
    };
    let json = serde_json::to_vec(&ticket).map_err(AppError::unavailable)?;
    if let Err(e) = write_private(&ticket_path(app, &id), &json).await {
        let _ = tokio::fs::remove_file(&data).await;
        return Err(e);
    }
    Ok(ticket.report)
}

/// The column title of a field of `rt` (the file's own header when it has the column).
fn title_of(rt: &RecordType, field: &str) -> String {
    if field == "severity" {
        return "失信严重程度".into();
    }
    rt.field(field)
        .map(|f| f.title.clone())
        .unwrap_or_else(|| field.to_string())
}

/// Read and validate the file as the import does, and look its rows up as the writer does.
async fn run(app: &App, req: &ImportRequest, path: PathBuf) -> AppResult<Precheck> {
    let store = app.store.as_ref();
    let (rt, delegations) = imports::check_request(store, req).await?;
    let sha = imports::file_sha256(path.clone()).await?;
    let replay_of = store
        .batch_by_file(&req.type_code, &req.source_dept, &sha)
        .await?
        .map(|b| b.id);
    let Reading {
        mut rx,
        reader,
        headers,
        unknown_columns,
        format,
        encoding,
    } = imports::start_reading(
        store,
        app.id_hasher.clone(),
        path,
        req,
        rt.clone(),
        delegations,
    )
    .await?;
    let masks = intake::cell_masks(Some(&rt), &headers);
    let mut tally = intake::rejects::RejectTally::new(req.rejects);
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut new_subjects: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut p = Precheck {
        id: String::new(),
        expires_at: chengxin_store::clock::now(),
        type_code: rt.code.clone(),
        type_name: rt.name.clone(),
        dept: req.source_dept.clone(),
        file_name: req.file_name.clone(),
        format,
        encoding,
        rows: 0,
        added: 0,
        unlinked: 0,
        corrected: 0,
        unchanged: 0,
        rejected: 0,
        subjects_new: 0,
        corrections: Vec::new(),
        rejects: Vec::new(),
        reject_reasons: Vec::new(),
        unknown_columns,
        replay_of,
    };
    while let Some(msg) = rx.recv().await {
        let (good, mut bad) = match msg {
            Msg::Rows { good, bad } => (good, bad),
            Msg::Fatal(e) => return Err(e),
            Msg::Start { .. } => continue,
        };
        let rows_read = (good.len() + bad.len()) as u64;
        p.rows += rows_read;
        // Same source key twice in one file: the later row is refused (as the writer does).
        let mut fresh: Vec<ImportRow> = Vec::with_capacity(good.len());
        for (row, cells) in good {
            if seen.insert(row.doc_no.clone()) {
                fresh.push(row);
            } else {
                bad.push(RejectedRow {
                    row: row.row,
                    cells,
                    reasons: vec!["文书号与本文件中前面的行重复".into()],
                });
            }
        }
        let previews = store
            .preview_rows(&req.type_code, &req.source_dept, &fresh)
            .await?;
        for (r, pv) in fresh.iter().zip(previews) {
            if pv.subject == SubjectMatch::New {
                let key = match (&r.subject_uscc, &r.subject_id_hash) {
                    (Some(u), _) => format!("u:{u}"),
                    (None, Some(h)) => format!("h:{h}"),
                    (None, None) => continue,
                };
                new_subjects.insert(key);
            }
            match pv.outcome {
                PreviewOutcome::New => {
                    p.added += 1;
                    if pv.subject == SubjectMatch::NoKey {
                        p.unlinked += 1;
                    }
                }
                PreviewOutcome::Correct { changed, .. } => {
                    p.corrected += 1;
                    if p.corrections.len() < LISTED {
                        p.corrections.push(CorrectionLine {
                            row: r.row,
                            doc_no: id_number::mask_in_text(&r.doc_no).into_owned(),
                            columns: changed.iter().map(|f| title_of(&rt, f)).collect(),
                        });
                    }
                }
                PreviewOutcome::Unchanged { .. } => p.unchanged += 1,
                PreviewOutcome::NotCorrectable { .. } => bad.push(RejectedRow {
                    row: r.row,
                    cells: Vec::new(),
                    reasons: vec!["该文书号的记录已撤销或已修复，不能再更正".into()],
                }),
            }
        }
        bad.sort_by_key(|r| r.row);
        tally.accepted(rows_read.saturating_sub(bad.len() as u64));
        for r in bad {
            p.rejected += 1;
            if tally.rejected(&r.reasons) && p.rejects.len() < LISTED {
                p.rejects.push(RejectedRow {
                    row: r.row,
                    cells: intake::mask_cells(&masks, &r.cells),
                    reasons: r
                        .reasons
                        .iter()
                        .map(|x| {
                            id_number::mask_in_text(intake::rejects::reason_text(x)).into_owned()
                        })
                        .collect(),
                });
            }
        }
        if let Some(wrong) = tally.wrong_file() {
            return Err(AppError::invalid("batch_wrong_file", wrong.message()));
        }
    }
    reader
        .await
        .map_err(|e| AppError::unavailable(format!("读取线程失败：{e}")))?;
    p.subjects_new = new_subjects.len() as u64;
    p.reject_reasons = tally.reasons();
    Ok(p)
}

/// The ticket of a pre-check the caller made, not expired; anything else is `not_found`.
async fn ticket(app: &App, caller: &Caller, id: &str) -> AppResult<Ticket> {
    if !valid_id(id) {
        return Err(AppError::NotFound);
    }
    let bytes = tokio::fs::read(ticket_path(app, id))
        .await
        .map_err(|_| AppError::NotFound)?;
    let t: Ticket = serde_json::from_slice(&bytes).map_err(|_| AppError::NotFound)?;
    if t.actor != caller.actor || t.expires_at < chengxin_store::clock::now() {
        return Err(AppError::NotFound);
    }
    Ok(t)
}

/// A pre-check's report again (for the page that shows it): the caller's own, not expired,
/// not yet confirmed; anything else is `not_found`.
pub async fn report(app: &App, caller: &Caller, id: &str) -> AppResult<Precheck> {
    Ok(ticket(app, caller, id).await?.report)
}

/// Confirm a pre-check: import the very file that was pre-checked, once. Another account's,
/// an expired or a used pre-check is `not_found`; the caller must still be allowed to submit
/// for the department.
pub async fn confirm(app: &App, caller: &Caller, id: &str) -> AppResult<ImportSummary> {
    let t = ticket(app, caller, id).await?;
    let dept = submitting_dept(caller, &t.dept)?;
    // Claim the file: the rename succeeds for one confirmation only.
    let claimed = app.upload_dir.join(format!("{PREFIX}{id}.importing"));
    tokio::fs::rename(data_path(app, id), &claimed)
        .await
        .map_err(|_| AppError::NotFound)?;
    let _ = tokio::fs::remove_file(ticket_path(app, id)).await;
    let what = Submission {
        type_code: t.type_code,
        dept,
        file_name: t.file_name,
        sheet: t.sheet,
    };
    let req = request(app, caller, &what);
    let result = match req {
        Ok(req) => {
            imports::import_file(
                app.store.clone(),
                app.id_hasher.clone(),
                claimed.clone(),
                req,
            )
            .await
        }
        Err(e) => Err(e),
    };
    let _ = tokio::fs::remove_file(&claimed).await;
    result
}
