//! Record import (归集): read a submitted file, map its columns onto the catalog type,
//! validate row by row, and store the good rows and the rejected ones in one batch.
//!
//! Reading and validating run on a blocking thread; the database writes run on the async
//! side; chunks flow between them through a bounded channel, so memory stays flat with file
//! size and both cores are busy. Each chunk is written in its own short transaction, staged
//! (invisible) until the batch is published at the end, so other writes go on meanwhile. Any
//! fatal problem (unreadable file, truncated upload, database failure) aborts the batch: it is
//! failed and what it staged removed, so nothing of it is ever seen.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chengxin_access::PiiCipher;
use chengxin_domain::catalog::{Catalog, RecordType};
use chengxin_domain::codes::{id_number, uscc};
use chengxin_domain::intake;
use chengxin_domain::regions::RegionTable;
use chengxin_domain::subjects::{IdHasher, SubjectKind};
use chengxin_ingest::read::{open_reader, ReadOptions};
use chengxin_store::{
    Batch, BatchState, BatchWriter, ImportRow, NewBatch, RejectedRow, RowFields, RowOutcome, Store,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};

/// Rows validated per chunk sent to the writer.
const CHUNK_ROWS: usize = 2000;

#[derive(Debug, Clone)]
pub struct ImportRequest {
    pub type_code: String,
    /// USCC of the submitting department.
    pub source_dept: String,
    pub file_name: Option<String>,
    pub sheet: Option<String>,
    /// Publication time to record when backfilling from an older platform.
    pub published_at: Option<DateTime<Utc>>,
    pub actor: String,
    pub today: NaiveDate,
    /// Who may submit in whose name (授权代报); `None`: the shipped delegations. A row whose
    /// deciding authority is neither `source_dept` nor a body it is authorised for is rejected
    /// (`authority_not_authorised`).
    pub delegations: Option<Arc<chengxin_domain::authority::Delegations>>,
    /// How many rejected rows are kept, and when the file is judged the wrong one.
    pub rejects: intake::rejects::RejectLimits,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    pub batch: Batch,
    /// The identical file was imported before: nothing changed, the earlier batch is returned.
    pub replayed: bool,
    pub format: String,
    pub encoding: String,
    pub elapsed_ms: u128,
    pub rows_per_sec: f64,
}

/// One chunk of work from the reading thread.
pub(crate) enum Msg {
    Start {
        headers: Vec<String>,
        unknown_columns: Vec<String>,
        format: String,
        encoding: String,
    },
    Rows {
        good: Vec<(ImportRow, Vec<String>)>,
        bad: Vec<RejectedRow>,
    },
    Fatal(AppError),
}

fn file_error(code: &'static str, message: impl Into<String>) -> AppError {
    AppError::invalid(code, message)
}

/// SHA-256 of a file, streamed.
fn sha256_file(path: &std::path::Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h)?;
    Ok(hex::encode(h.finalize()))
}

fn kind_for(hint: Option<SubjectKind>, uscc: Option<&str>, has_id: bool) -> SubjectKind {
    if let Some(k) = hint {
        return k;
    }
    match uscc.map(|u| u.as_bytes()) {
        Some([b'1', b'1', ..]) => SubjectKind::GovBody,
        Some([b'1', ..]) => SubjectKind::Institution,
        Some([b'5', ..]) => SubjectKind::SocialOrg,
        Some(_) => SubjectKind::Enterprise,
        None if has_id => SubjectKind::Individual,
        None => SubjectKind::Enterprise,
    }
}

/// Turn a validated row into what the store takes: the clear ID number is hashed and masked
/// here and goes no further; free text that held ID numbers is stored masked, its text as
/// given sealed beside the record.
fn to_import_row(
    v: intake::ValidRow,
    rt: &RecordType,
    source_dept: &str,
    hasher: &IdHasher,
    cipher: &PiiCipher,
    today: NaiveDate,
) -> chengxin_store::Result<ImportRow> {
    let disclosure = rt.disclosure;
    let (status, publish_until) =
        chengxin_domain::records::entry_status(v.publication, disclosure, v.decision_date, today);
    let id = v.subject.id_number.as_deref();
    let region = v
        .subject
        .uscc
        .as_deref()
        .and_then(|u| u.get(2..8))
        .or_else(|| id.and_then(|i| i.get(0..6)))
        .map(String::from);
    let texts_sealed =
        crate::free_text::seal(cipher, source_dept, &rt.code, &v.doc_no, &v.clear_texts)
            .map_err(|e| chengxin_store::StoreError::Invalid(e.to_string()))?;
    Ok(ImportRow {
        row: v.row,
        doc_no: v.doc_no,
        decision_date: v.decision_date,
        subject_kind: kind_for(v.subject.kind_hint, v.subject.uscc.as_deref(), id.is_some()),
        subject_name: v.subject.name,
        subject_id_hash: id.map(|i| hasher.hash(i)),
        subject_id_masked: id.map(id_number::mask),
        // Sealed, bound to the number's keyed hash, for the roles entitled to see it.
        subject_id_sealed: match id {
            Some(i) => Some(
                cipher
                    .seal_bound(i, &hasher.hash(i))
                    .map_err(|e| chengxin_store::StoreError::Invalid(e.to_string()))?,
            ),
            None => None,
        },
        subject_uscc: v.subject.uscc,
        subject_region: region,
        // Serialised here, on the reading thread, once: the writer stores it as-is.
        fields: RowFields::new(&v.fields)?,
        severity: v.severity.map(|s| s.code().to_string()),
        status,
        publish_until,
        content_digest: v.content_digest,
        texts_sealed,
    })
}

/// A rejected row's reasons as kept and reported: the column, the Chinese message and the
/// issue's stable code (so that a program reading the error report can tell them apart).
/// A value echoed in a message (a cell not among a column's allowed values) is masked like
/// free text: the reasons are kept unsealed.
fn issues_to_reasons(issues: Vec<intake::RowIssue>) -> Vec<String> {
    issues
        .into_iter()
        .map(|i| {
            let message = id_number::mask_in_text(&i.message);
            match i.column {
                Some(c) => format!("{c}：{message}〔{}〕", i.code),
                None => format!("{message}〔{}〕", i.code),
            }
        })
        .collect()
}

/// The reading/validating side, on a blocking thread.
fn read_and_validate(
    path: PathBuf,
    rt: RecordType,
    req: ImportRequest,
    hasher: IdHasher,
    submitter: intake::Submitter,
    tx: tokio::sync::mpsc::Sender<Msg>,
) {
    let send = |m: Msg| tx.blocking_send(m).is_ok();
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            send(Msg::Fatal(file_error(
                "io_error",
                format!("无法打开文件：{e}"),
            )));
            return;
        }
    };
    let opts = ReadOptions {
        sheet: req.sheet.clone(),
        ..Default::default()
    };
    let table = match open_reader(file, req.file_name.as_deref(), &opts) {
        Ok(t) => t,
        Err(e) => {
            send(Msg::Fatal(file_error(e.code, e.message)));
            return;
        }
    };
    let (map, mapping) = match intake::map_columns(&rt, &table.headers) {
        // Content digests cover ID numbers: key them so they cannot be brute-forced.
        Ok((map, report)) => (
            map.with_digest_key(&hasher.derive("content-digest"))
                .with_submitter(submitter),
            report,
        ),
        Err(e) => {
            send(Msg::Fatal(file_error(e.code(), e.to_string())));
            return;
        }
    };
    if !send(Msg::Start {
        headers: table.headers.clone(),
        unknown_columns: mapping.unknown_columns.clone(),
        format: table.format.as_str().to_string(),
        encoding: table.encoding.to_string(),
    }) {
        return;
    }
    let regions = RegionTable::national();
    let cipher = PiiCipher::from_id_hasher(&hasher);
    let mut good = Vec::with_capacity(CHUNK_ROWS);
    let mut bad = Vec::new();
    // Time spent waiting for the writer, to tell which side of the pipeline is the slower.
    let started = Instant::now();
    let mut waited = Duration::ZERO;
    let mut send = |m: Msg| {
        let t = Instant::now();
        let ok = send(m);
        waited += t.elapsed();
        ok
    };
    for item in table {
        match item {
            Ok(raw) => {
                match intake::validate_row(&rt, &map, raw.row, &raw.cells, regions, req.today) {
                    Ok(v) => {
                        match to_import_row(v, &rt, &req.source_dept, &hasher, &cipher, req.today) {
                            Ok(row) => good.push((row, raw.cells)),
                            Err(e) => bad.push(RejectedRow {
                                row: raw.row,
                                cells: raw.cells,
                                reasons: vec![e.to_string()],
                            }),
                        }
                    }
                    Err(issues) => bad.push(RejectedRow {
                        row: raw.row,
                        cells: raw.cells,
                        reasons: issues_to_reasons(issues),
                    }),
                }
            }
            Err(chengxin_ingest::error::ReadIssue::Row(e)) => bad.push(RejectedRow {
                row: e.row,
                cells: Vec::new(),
                reasons: vec![e.message],
            }),
            Err(chengxin_ingest::error::ReadIssue::Fatal(e)) => {
                send(Msg::Fatal(file_error(
                    e.code,
                    format!("文件读取中断，整批未入库：{}", e.message),
                )));
                return;
            }
        }
        if good.len() + bad.len()
            >= std::env::var("CHENGXIN_X_CHUNK")
                .ok()
                .and_then(|c| c.parse().ok())
                .unwrap_or(CHUNK_ROWS)
            && !send(Msg::Rows {
                good: std::mem::replace(&mut good, Vec::with_capacity(CHUNK_ROWS)),
                bad: std::mem::take(&mut bad),
            })
        {
            return;
        }
    }
    if !good.is_empty() || !bad.is_empty() {
        send(Msg::Rows { good, bad });
    }
    tracing::debug!(total = ?started.elapsed(), waiting_for_writer = ?waited, "import reader finished");
}

/// The catalog type of a request, its submitting department checked (a valid code whose
/// 报送范围 covers the type), and the delegations its rows are checked against.
pub(crate) async fn check_request(
    store: &dyn Store,
    req: &ImportRequest,
) -> AppResult<(RecordType, Arc<chengxin_domain::authority::Delegations>)> {
    let regions = RegionTable::national();
    uscc::parse(&req.source_dept, regions).map_err(|e| {
        AppError::invalid("invalid_dept", format!("报送部门统一社会信用代码无效：{e}"))
    })?;
    let catalog = Catalog::default_checked().map_err(AppError::unavailable)?;
    let rt = catalog.get(&req.type_code).cloned().ok_or_else(|| {
        AppError::invalid(
            "unknown_type",
            format!("信用信息目录中没有类型“{}”", req.type_code),
        )
    })?;
    // Every row's deciding authority is checked against the submitting department, and the
    // type against its 报送范围.
    let delegations = match &req.delegations {
        Some(d) => d.clone(),
        None => crate::authority::shipped_delegations()?,
    };
    crate::authority::require_in_scope(store, &delegations, &req.source_dept, &rt).await?;
    Ok((rt, delegations))
}

/// The reading thread started on a file, past its header: the channel its chunks come
/// through, and what the header said.
pub(crate) struct Reading {
    pub rx: tokio::sync::mpsc::Receiver<Msg>,
    pub reader: tokio::task::JoinHandle<()>,
    pub headers: Vec<String>,
    pub unknown_columns: Vec<String>,
    pub format: String,
    pub encoding: String,
}

/// Start reading and validating `path` for `req` on a blocking thread — the one path both
/// the import and its pre-check take, so both apply the same rules.
pub(crate) async fn start_reading(
    store: &dyn Store,
    hasher: IdHasher,
    path: PathBuf,
    req: &ImportRequest,
    rt: RecordType,
    delegations: Arc<chengxin_domain::authority::Delegations>,
) -> AppResult<Reading> {
    let submitter = crate::authority::submitter(store, delegations, &req.source_dept).await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(4);
    let reader = {
        let req = req.clone();
        tokio::task::spawn_blocking(move || read_and_validate(path, rt, req, hasher, submitter, tx))
    };
    match rx.recv().await {
        Some(Msg::Start {
            headers,
            unknown_columns,
            format,
            encoding,
        }) => Ok(Reading {
            rx,
            reader,
            headers,
            unknown_columns,
            format,
            encoding,
        }),
        Some(Msg::Fatal(e)) => Err(e),
        _ => Err(AppError::unavailable("读取线程意外结束")),
    }
}

/// SHA-256 of a file on disk, on a blocking thread.
pub(crate) async fn file_sha256(path: PathBuf) -> AppResult<String> {
    tokio::task::spawn_blocking(move || sha256_file(&path))
        .await
        .map_err(AppError::unavailable)?
        .map_err(|e| file_error("io_error", format!("无法读取文件：{e}")))
}

/// Import a file already on disk (the API spools uploads to a temp file first).
pub async fn import_file(
    store: Arc<dyn Store>,
    hasher: IdHasher,
    path: PathBuf,
    req: ImportRequest,
) -> AppResult<ImportSummary> {
    let started = Instant::now();
    let (rt, delegations) = check_request(store.as_ref(), &req).await?;
    let sha = file_sha256(path.clone()).await?;
    if let Some(prev) = store
        .batch_by_file(&req.type_code, &req.source_dept, &sha)
        .await?
    {
        return Ok(ImportSummary {
            format: prev.format.clone(),
            encoding: prev.encoding.clone(),
            batch: prev,
            replayed: true,
            elapsed_ms: started.elapsed().as_millis(),
            rows_per_sec: 0.0,
        });
    }

    let cipher = PiiCipher::from_id_hasher(&hasher);
    let Reading {
        mut rx,
        reader,
        headers,
        unknown_columns,
        format,
        encoding,
    } = start_reading(store.as_ref(), hasher, path, &req, rt, delegations).await?;
    let mut writer = store
        .begin_batch(
            &req.actor,
            NewBatch {
                type_code: req.type_code.clone(),
                source_dept: req.source_dept.clone(),
                file_name: req.file_name.clone(),
                file_sha256: sha,
                format: format.clone(),
                encoding: encoding.clone(),
                published_at: req.published_at,
                headers,
            },
        )
        .await?;
    let batch = match write_chunks(&mut writer, &mut rx, &cipher, req.rejects).await {
        Ok(()) => {
            reader
                .await
                .map_err(|e| AppError::unavailable(format!("读取线程失败：{e}")))?;
            let t = Instant::now();
            let batch = writer.commit(unknown_columns).await?;
            tracing::debug!(commit = ?t.elapsed(), "import published");
            batch
        }
        Err(e) => {
            // Nothing of the batch was published: fail it, remove what it staged.
            if let Err(clean) = writer.abort().await {
                tracing::warn!(target: crate::LOG_TARGET, error = %clean, "aborted batch not yet cleaned up; the next import will");
            }
            return Err(e);
        }
    };
    let elapsed = started.elapsed();
    let rows = (batch.total + batch.rejected) as f64;
    Ok(ImportSummary {
        batch,
        replayed: false,
        format,
        encoding,
        elapsed_ms: elapsed.as_millis(),
        rows_per_sec: if elapsed.as_secs_f64() > 0.0 {
            rows / elapsed.as_secs_f64()
        } else {
            0.0
        },
    })
}

/// Write the chunks the reading thread sends, each in its own short transaction.
async fn write_chunks(
    writer: &mut Box<dyn BatchWriter>,
    rx: &mut tokio::sync::mpsc::Receiver<Msg>,
    cipher: &PiiCipher,
    limits: intake::rejects::RejectLimits,
) -> AppResult<()> {
    let (mut waited, mut writing, mut rejecting) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut tally = intake::rejects::RejectTally::new(limits);
    loop {
        let t = Instant::now();
        let Some(msg) = rx.recv().await else { break };
        waited += t.elapsed();
        match msg {
            Msg::Rows { good, mut bad } => {
                let rows_read = good.len() + bad.len();
                let (rows, cells): (Vec<ImportRow>, Vec<Vec<String>>) = good.into_iter().unzip();
                let rownos: Vec<u64> = rows.iter().map(|r| r.row).collect();
                let t = Instant::now();
                let outcomes = writer.write(rows).await?;
                writing += t.elapsed();
                for ((o, cells), row) in outcomes.into_iter().zip(cells).zip(rownos) {
                    let reason = match o {
                        RowOutcome::DuplicateInFile => "文书号与本文件中前面的行重复",
                        RowOutcome::NotCorrectable(_) => "该文书号的记录已撤销或已修复，不能再更正",
                        _ => continue,
                    };
                    bad.push(RejectedRow {
                        row,
                        cells,
                        reasons: vec![reason.to_string()],
                    });
                }
                bad.sort_by_key(|r| r.row);
                tally.accepted(rows_read.saturating_sub(bad.len()) as u64);
                // The first rejected rows are kept with every reason; the rest only counted.
                let before = tally.not_kept();
                bad.retain(|r| tally.rejected(&r.reasons));
                writer.count_rejects(tally.not_kept() - before, tally.reasons());
                if !bad.is_empty() {
                    let sealed = bad
                        .into_iter()
                        .map(|r| seal_reject(cipher, writer.id(), r))
                        .collect::<AppResult<Vec<_>>>()?;
                    let t = Instant::now();
                    writer.reject(sealed).await?;
                    rejecting += t.elapsed();
                }
                if let Some(wrong) = tally.wrong_file() {
                    return Err(AppError::invalid("batch_wrong_file", wrong.message()));
                }
            }
            Msg::Fatal(e) => return Err(e),
            Msg::Start { .. } => {}
        }
    }
    tracing::debug!(waiting_for_reader = ?waited, ?writing, ?rejecting, "import chunks written");
    Ok(())
}

/// Marks a rejected row whose cells are kept sealed: the row as submitted may carry ID
/// numbers, which are never stored in clear.
const SEALED_CELLS: &str = "\u{1}sealed:";

fn seal_reject(
    cipher: &PiiCipher,
    batch: uuid::Uuid,
    mut r: RejectedRow,
) -> AppResult<RejectedRow> {
    let json = serde_json::to_string(&r.cells).map_err(AppError::unavailable)?;
    let sealed = cipher
        .seal_bound(&json, &batch.to_string())
        .map_err(|e| AppError::Access(e.into()))?;
    r.cells = vec![format!("{SEALED_CELLS}{sealed}")];
    Ok(r)
}

fn open_reject(
    cipher: &PiiCipher,
    batch: uuid::Uuid,
    cells: Vec<String>,
) -> AppResult<Vec<String>> {
    match cells.as_slice() {
        [one] if one.starts_with(SEALED_CELLS) => {
            let json = cipher
                .open_bound(&one[SEALED_CELLS.len()..], &batch.to_string())
                .map_err(|e| AppError::Access(e.into()))?;
            serde_json::from_str(&json).map_err(AppError::unavailable)
        }
        _ => Ok(cells),
    }
}

/// The rejected rows of a batch as submitted, their cells unsealed: for the caller to show
/// in clear or masked as the reader may see them (`batches::error_rows`), never as they are.
pub async fn submitted_rejects(
    store: &dyn Store,
    cipher: &PiiCipher,
    batch_id: uuid::Uuid,
) -> AppResult<Vec<RejectedRow>> {
    let batch = store.batch(batch_id).await?.ok_or(AppError::NotFound)?;
    if batch.state != BatchState::Committed {
        return Err(AppError::conflict(
            "batch_not_committed",
            "该批次尚未完成导入（或导入已中断），没有错误报告",
        ));
    }
    store
        .batch_rejects(batch_id)
        .await?
        .into_iter()
        .map(|r| {
            Ok(RejectedRow {
                row: r.row,
                cells: open_reject(cipher, batch_id, r.cells)?,
                reasons: r.reasons,
            })
        })
        .collect()
}

/// The error report of a batch: rejected rows with their reasons, as CSV (UTF-8 with BOM)
/// or XLSX, formula-neutralised, ready to fix and resubmit.
pub fn error_report(headers: &[String], rows: Vec<RejectedRow>, xlsx: bool) -> AppResult<Vec<u8>> {
    let rows = rows.into_iter().map(|r| chengxin_ingest::report::ErrorRow {
        row: r.row,
        cells: r.cells,
        reasons: r.reasons,
    });
    if xlsx {
        chengxin_ingest::report::write_error_report_xlsx(headers, rows)
            .map_err(AppError::unavailable)
    } else {
        let mut out = Vec::new();
        chengxin_ingest::report::write_error_report_csv(&mut out, headers, rows)
            .map_err(AppError::unavailable)?;
        Ok(out)
    }
}
