//! Batch submission (报送): who may submit for which department, spooling the upload to disk
//! and importing it as one batch; reading a batch and the error report of its rejected rows.

use std::path::PathBuf;

use chengxin_access::Permission;
use chengxin_domain::catalog::Catalog;
use chengxin_domain::codes::id_number;
use chengxin_domain::intake;
use chengxin_store::{Batch, RejectedRow};
use serde::Serialize;
use tokio::io::AsyncWriteExt;
use utoipa::ToSchema;

use crate::auth::{uscc_region, Caller};
use crate::error::{AppError, AppResult};
use crate::imports::{self, ImportRequest, ImportSummary};
use crate::App;

/// Largest accepted upload.
pub const MAX_UPLOAD_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// The department (USCC, upper-cased) a caller submits for: a department submits as itself;
/// a caller without a body (e.g. the credit office) for departments within its jurisdiction.
pub fn submitting_dept(caller: &Caller, dept: &str) -> AppResult<String> {
    let dept = dept.trim().to_ascii_uppercase();
    match caller.body.as_deref() {
        Some(body) if body.eq_ignore_ascii_case(&dept) => {}
        Some(_) => {
            return Err(AppError::forbidden(
                "dept_mismatch",
                "只能以本单位名义报送（dept 须为本单位统一社会信用代码）",
            ))
        }
        None => caller.require_at(Permission::RecordsSubmit, &uscc_region(&dept))?,
    }
    Ok(dept)
}

/// What a submitted file is.
#[derive(Debug, Clone)]
pub struct Submission {
    /// Catalog type code, e.g. `admin_penalty`.
    pub type_code: String,
    /// The submitting department, as [`submitting_dept`] returned it.
    pub dept: String,
    /// Original file name (helps tell CSV from XLSX).
    pub file_name: Option<String>,
    /// XLSX sheet to read (default: the first).
    pub sheet: Option<String>,
}

/// Spool files' names begin with this.
const SPOOL_PREFIX: &str = "upload-";

/// The upload folder, readable by the server's user only (0700 on Unix): spooled files carry
/// clear ID numbers until they are imported.
async fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    tokio::fs::create_dir_all(dir).await?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tokio::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).await?;
    }
    Ok(())
}

/// Remove spool files a crash left behind (not touched for ten minutes: a file another server
/// sharing the folder is still receiving is left alone). Run at start; returns how many went.
pub async fn clean_spool(app: &App) -> AppResult<usize> {
    let dir = &app.upload_dir;
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return Ok(0);
    };
    let stale = chengxin_store::clock::now() - chrono::Duration::minutes(10);
    let mut removed = 0;
    while let Some(e) = entries.next_entry().await.map_err(AppError::unavailable)? {
        let name = e.file_name();
        if !name.to_string_lossy().starts_with(SPOOL_PREFIX) {
            continue;
        }
        let old = e
            .metadata()
            .await
            .and_then(|m| m.modified())
            .is_ok_and(|t| chrono::DateTime::<chrono::Utc>::from(t) < stale);
        if old && tokio::fs::remove_file(e.path()).await.is_ok() {
            removed += 1;
        }
    }
    // Pre-checked files past their expiry too.
    removed += crate::precheck::clean_expired(app).await?;
    Ok(removed)
}

/// A file being received: spooled to the upload folder, at most [`MAX_UPLOAD_BYTES`],
/// removed however the submission ends.
pub struct Upload {
    path: PathBuf,
    file: Option<tokio::fs::File>,
    size: u64,
}

impl Drop for Upload {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Upload {
    /// A new, empty spool file in the upload folder.
    pub async fn begin(app: &App) -> AppResult<Self> {
        let dir = app.upload_dir.clone();
        private_dir(&dir)
            .await
            .map_err(|e| AppError::unavailable(format!("无法创建上传目录：{e}")))?;
        let path = dir.join(format!("{SPOOL_PREFIX}{}", uuid::Uuid::now_v7().simple()));
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        let file = options
            .open(&path)
            .await
            .map_err(|e| AppError::unavailable(format!("无法写入上传文件：{e}")))?;
        Ok(Self {
            path,
            file: Some(file),
            size: 0,
        })
    }

    /// Append the next piece of the file.
    pub async fn write(&mut self, chunk: &[u8]) -> AppResult<()> {
        self.size += chunk.len() as u64;
        if self.size > MAX_UPLOAD_BYTES {
            return Err(AppError::invalid(
                "upload_too_large",
                "上传文件超过 2 GiB 上限",
            ));
        }
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| AppError::unavailable("上传文件已关闭"))?;
        file.write_all(chunk)
            .await
            .map_err(|e| AppError::unavailable(format!("无法写入上传文件：{e}")))
    }

    /// The whole file is here: move it to `to` (a spool file of its own, same folder) and
    /// return its size. An empty file is refused.
    pub(crate) async fn persist_to(mut self, to: &std::path::Path) -> AppResult<u64> {
        if let Some(mut file) = self.file.take() {
            file.flush().await.map_err(AppError::unavailable)?;
        }
        if self.size == 0 {
            return Err(AppError::invalid("empty_file", "上传的文件为空"));
        }
        tokio::fs::rename(&self.path, to)
            .await
            .map_err(|e| AppError::unavailable(format!("无法保存上传文件：{e}")))?;
        Ok(self.size)
    }

    /// The whole file is here: import it as one batch (an identical file returns the earlier
    /// batch). An empty file is refused.
    pub async fn import(
        mut self,
        app: &App,
        caller: &Caller,
        what: Submission,
    ) -> AppResult<ImportSummary> {
        if let Some(mut file) = self.file.take() {
            file.flush().await.map_err(AppError::unavailable)?;
        }
        if self.size == 0 {
            return Err(AppError::invalid("empty_file", "上传的文件为空"));
        }
        imports::import_file(
            app.store.clone(),
            app.id_hasher.clone(),
            self.path.clone(),
            ImportRequest {
                type_code: what.type_code,
                source_dept: what.dept,
                file_name: what.file_name,
                sheet: what.sheet,
                published_at: None,
                actor: caller.actor.clone(),
                today: chengxin_store::clock::today_in_china(),
                delegations: Some(app.delegations()?),
                rejects: Default::default(),
            },
        )
        .await
    }
}

/// A batch with its counts: the submitting department's business, and that of staff who may
/// read non-public records in its region. Anyone else gets `not_found`, as for an unknown id
/// (siblings never learn that another body's batch exists).
pub async fn read(app: &App, caller: &Caller, id: uuid::Uuid) -> AppResult<Batch> {
    let batch = app.store.batch(id).await?.ok_or(AppError::NotFound)?;
    may_read(caller, &batch).map_err(|_| AppError::NotFound)?;
    Ok(batch)
}

fn may_read(caller: &Caller, batch: &Batch) -> AppResult<()> {
    if caller.body.as_deref() == Some(batch.source_dept.as_str())
        && (caller.has(Permission::RecordsSubmit) || caller.has(Permission::RecordsReadNonpublic))
    {
        return Ok(());
    }
    caller
        .require_at(
            Permission::RecordsReadNonpublic,
            &uscc_region(&batch.source_dept),
        )
        .map_err(AppError::concealing_item)
}

/// Whether the caller is the body that submitted the batch: the department it was submitted
/// for, acting through one of its submitters (an account or a token of that body), or the
/// account or token that uploaded it (a credit office submitting for a department).
pub fn is_submitter(caller: &Caller, batch: &Batch) -> bool {
    let own_body = caller
        .body
        .as_deref()
        .is_some_and(|b| b.trim().eq_ignore_ascii_case(&batch.source_dept))
        && caller.has(Permission::RecordsSubmit);
    own_body || (!caller.is_anonymous() && caller.actor == batch.submitted_by)
}

/// The rejected rows of a batch read with [`read`], as the caller may see them.
#[derive(Serialize, ToSchema)]
pub struct ErrorRows {
    pub batch_id: uuid::Uuid,
    /// The file's columns.
    pub headers: Vec<String>,
    /// `true`: ID numbers in the cells and reasons are masked (anyone but the submitting body,
    /// unless it holds `personal_data_decrypt` and states a purpose).
    pub masked: bool,
    /// Each rejected row: its number in the file, its cells, why it was rejected.
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<RejectedRow>,
}

impl std::fmt::Debug for ErrorRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ErrorRows")
            .field("batch_id", &self.batch_id)
            .field("masked", &self.masked)
            .field("rows", &self.rows.len())
            .finish_non_exhaustive()
    }
}

/// The rejected rows of a batch read with [`read`], item by item as the caller may see them:
/// as submitted to the submitting body ([`is_submitter`]); to anyone else with every ID number
/// masked (the ID-number columns whole, free text by the one masker,
/// `chengxin_domain::intake::mask_cells`) — unless the caller states a `purpose` (at least
/// two characters) and holds `personal_data_decrypt` for the batch's region, when the rows go
/// in clear and the reading is query-logged (`batch_errors_open`). A purpose without that
/// permission is refused (and logged) rather than quietly masked.
pub async fn error_rows(
    app: &App,
    caller: &Caller,
    batch: &Batch,
    purpose: Option<&str>,
) -> AppResult<ErrorRows> {
    may_read(caller, batch)?;
    let submitter = is_submitter(caller, batch);
    let purpose = purpose.map(str::trim).filter(|p| !p.is_empty());
    // Anyone else in clear: the permission for the batch's region, a purpose, query-logged.
    let mut logged = None;
    if let (false, Some(purpose)) = (submitter, purpose) {
        if purpose.chars().count() < 2 {
            return Err(chengxin_access::AccessError::PurposeRequired.into());
        }
        let mut e = caller.audit("query", "batch_errors_open", "ok");
        e.target = Some(batch.id.to_string());
        e.detail = serde_json::json!({"purpose": purpose, "batch": batch.id, "returned": 0});
        if let Err(err) = caller.require_at(
            Permission::PersonalDataDecrypt,
            &uscc_region(&batch.source_dept),
        ) {
            // (The batch itself is within reach: may_read above.)
            e.outcome = "denied".into();
            app.store.audit(&[e]).await?;
            return Err(err);
        }
        logged = Some(e);
    }
    let rows = imports::submitted_rejects(app.store.as_ref(), &app.pii, batch.id).await?;
    let masked = !submitter && logged.is_none();
    if let Some(mut e) = logged {
        e.detail["returned"] = serde_json::json!(rows.len());
        app.store.audit(&[e]).await?;
    }
    Ok(ErrorRows {
        batch_id: batch.id,
        headers: batch.headers.clone(),
        masked,
        rows: if masked {
            masked_rows(batch, rows)
        } else {
            rows
        },
    })
}

/// Rows as submitted, masked for those who may not see them.
fn masked_rows(batch: &Batch, rows: Vec<RejectedRow>) -> Vec<RejectedRow> {
    let rt = Catalog::default_checked()
        .ok()
        .and_then(|c| c.get(&batch.type_code));
    let masks = intake::cell_masks(rt, &batch.headers);
    rows.into_iter()
        .map(|r| RejectedRow {
            row: r.row,
            cells: intake::mask_cells(&masks, &r.cells),
            reasons: r
                .reasons
                .iter()
                .map(|x| id_number::mask_in_text(intake::rejects::reason_text(x)).into_owned())
                .collect(),
        })
        .collect()
}

/// The error report of a batch read with [`read`]: its rejected rows as [`error_rows`] gives
/// them to the caller, with a reason column (CSV, or XLSX when `xlsx`), cells Excel would run
/// as formulas neutralised. Also says whether the rows are masked.
pub async fn error_report(
    app: &App,
    caller: &Caller,
    batch: &Batch,
    purpose: Option<&str>,
    xlsx: bool,
) -> AppResult<(Vec<u8>, bool)> {
    let rows = error_rows(app, caller, batch, purpose).await?;
    Ok((
        imports::error_report(&rows.headers, rows.rows, xlsx)?,
        rows.masked,
    ))
}
