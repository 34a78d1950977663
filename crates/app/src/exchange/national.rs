//! The national export of one day (China time): 双公示 records with the national standard's
//! columns, 政务失信 records, list events (列入/移出) and repair results that changed that
//! day, as CSV and XLSX per type, with a manifest (per file: type, rows, bytes, SHA-256; the
//! change log's size and root at the end of the day, as a checkpoint signed with the log key)
//! and the manifest's detached signature (docs/EXCHANGE.md).
//!
//! Same day, same bytes: what is exported is the state each item had at the end of the day
//! (a record's last history entry before midnight), read in id order; the files hold no time
//! of the run; the log is cut at the last entry before midnight, not at "now"; Ed25519 signs
//! deterministically.

use std::collections::HashMap;
use std::sync::Arc;

use chengxin_access::Permission;
use chengxin_domain::catalog::Catalog;
use chengxin_domain::exchange::{self as ex, AsOf, ExportKind, ListEvent};
use chengxin_domain::lists::{JointCatalog, ListEntry};
use chengxin_domain::merkle;
use chengxin_domain::records::RecordStatus;
use chengxin_domain::rights::Application;
use chengxin_domain::subjects::SubjectKind;
use chengxin_store::heads::VerifyingKey;
use chengxin_store::{LogSigner, Store};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::{uscc_region, Caller};
use crate::error::{AppError, AppResult};

/// The manifest's format name.
pub const FORMAT: &str = "chengxin-national-export/1";
/// The manifest's file name; its signature is `manifest.json.sig`.
pub const MANIFEST: &str = "manifest.json";
pub const SIGNATURE: &str = "manifest.json.sig";

/// Signs the manifest and the checkpoint it carries: the change log's key and origin.
#[derive(Clone)]
pub struct ExportSigner {
    pub signer: Arc<LogSigner>,
    pub origin: String,
}

impl ExportSigner {
    /// The signer of the server's heads publisher; `None` when this deployment signs no heads.
    pub fn of(app: &crate::App) -> AppResult<Self> {
        let p = app.heads.as_ref().ok_or_else(|| AppError::NotConfigured {
            code: "log_key_missing",
            message: "本实例未配置变更日志签名密钥，无法签署国家平台报送清单".into(),
        })?;
        Ok(Self {
            signer: p.signer().clone(),
            origin: p.origin().to_string(),
        })
    }
}

/// Whose items: everything (the command line, the daily job) or what a caller reaches.
#[derive(Clone, Copy)]
pub enum Scope<'a> {
    All,
    Caller(&'a Caller),
}

impl Scope<'_> {
    fn reaches(&self, region: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Caller(c) => c.reaches(Permission::RecordsReadNonpublic, region),
        }
    }

    fn label(&self) -> String {
        match self {
            Scope::All => "000000".into(),
            Scope::Caller(c) => c.scope.region.as_str().to_string(),
        }
    }
}

/// One file of the manifest.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ManifestFile {
    pub file: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: &'static str,
    pub format: &'static str,
    pub rows: usize,
    pub bytes: usize,
    pub sha256: String,
}

/// The manifest (`manifest.json`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: &'static str,
    /// The day exported (China time).
    pub date: NaiveDate,
    /// The window in UTC, `[from, to)`.
    pub from: String,
    pub to: String,
    /// The region whose items it holds (`000000`: all of this instance's).
    pub region: String,
    /// The change log cut at the end of the day: its size, root and signed checkpoint.
    pub log_origin: String,
    pub log_size: u64,
    pub log_root: String,
    pub checkpoint: String,
    /// How the CSV files are written.
    pub csv: &'static str,
    pub files: Vec<ManifestFile>,
}

/// One type's rows.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: &'static str,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A day's export: the tables, the files, the manifest and its signature.
#[derive(Debug, Clone)]
pub struct NationalExport {
    pub manifest: Manifest,
    /// `manifest.json` as written (pretty JSON, final newline).
    pub manifest_json: String,
    /// `manifest.json.sig`: one C2SP signature line; the manifest, a blank line and this
    /// line form a signed note.
    pub signature: String,
    pub tables: Vec<Table>,
    /// `(file name, bytes)`, CSV and XLSX per type, in the manifest's order.
    pub files: Vec<(String, Vec<u8>)>,
}

/// The export of `date` (China time). A day not over yet is refused: its export would still
/// change.
pub async fn export_day(
    store: &dyn Store,
    signer: &ExportSigner,
    scope: Scope<'_>,
    date: NaiveDate,
    today: NaiveDate,
) -> AppResult<NationalExport> {
    if date >= today {
        return Err(AppError::invalid(
            "export_day_not_over",
            format!("{date} 尚未结束（今天是 {today}），只能报送已结束的日期"),
        ));
    }
    let (from, to) = ex::day_window(date);
    export_window(store, signer, scope, date, from, to).await
}

/// The export of what changed in `[from, to)`, labelled `date` (tests cut a window inside
/// today; [`export_day`] passes the whole day).
pub async fn export_window(
    store: &dyn Store,
    signer: &ExportSigner,
    scope: Scope<'_>,
    date: NaiveDate,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<NationalExport> {
    let catalog = Catalog::default_checked()
        .map_err(|e| AppError::Unavailable(format!("信息目录不可用：{e}")))?;
    let mut license = Vec::new();
    let mut penalty = Vec::new();
    let mut gov = Vec::new();
    let mut subject_kinds: HashMap<Uuid, Option<SubjectKind>> = HashMap::new();
    for id in store.records_touched(from, to).await? {
        let Some(rec) = store.record(id).await? else {
            continue;
        };
        if !scope.reaches(&uscc_region(&rec.source_dept)) {
            continue;
        }
        let Some(rt) = catalog.get(&rec.type_code) else {
            continue;
        };
        let is_shuang = ex::SHUANG_GONGSHI.contains(&rec.type_code.as_str());
        if !is_shuang && !ex::is_gov_negative_type(rt) {
            continue;
        }
        if !is_shuang {
            let kind = match rec.subject_id {
                Some(sid) => match subject_kinds.get(&sid) {
                    Some(k) => *k,
                    None => {
                        let k = store.subject(sid).await?.map(|s| s.kind);
                        subject_kinds.insert(sid, k);
                        k
                    }
                },
                None => None,
            };
            if !matches!(kind, Some(SubjectKind::GovBody | SubjectKind::Institution)) {
                continue;
            }
        }
        let history = store.record_history(id).await?;
        let Some(last) = history.iter().rev().find(|h| h.at < to) else {
            continue;
        };
        // Not yet public or shared at the end of the day: nothing to send.
        if last.status == RecordStatus::Submitted {
            continue;
        }
        let created = rec.created_at >= from && rec.created_at < to;
        let asof = AsOf {
            id,
            fields: &last.fields,
            status: last.status,
            severity: rec.severity.as_deref(),
            source_dept: &rec.source_dept,
            op: ex::record_op(created, &last.action, last.status),
        };
        match rec.type_code.as_str() {
            "admin_license" => license.push((id, ex::record_row(rt, &asof))),
            "admin_penalty" => penalty.push((id, ex::record_row(rt, &asof))),
            _ => gov.push((id, ex::gov_negative_row(rt, &asof))),
        }
    }

    let lists = JointCatalog::default_checked()
        .map_err(|e| AppError::Unavailable(format!("名单目录不可用：{e}")))?;
    let mut list_rows = Vec::new();
    let first_day = chengxin_domain::reports::china_date(from);
    for row in store.list_entries_changed_since(from).await? {
        let region = row
            .region
            .clone()
            .or_else(|| row.recognised_by_uscc.as_deref().map(uscc_region))
            .unwrap_or_else(|| "000000".into());
        if !scope.reaches(&region) {
            continue;
        }
        let Ok(entry) = serde_json::from_value::<ListEntry>(row.entry.clone()) else {
            continue;
        };
        let Some(def) = lists.list(&row.list_code) else {
            continue;
        };
        if def.disclosure == chengxin_domain::catalog::Disclosure::Authorised {
            continue;
        }
        for (n, event) in ex::list_events_on(&entry, first_day)
            .into_iter()
            .enumerate()
        {
            let ev = ListEvent {
                entry_id: row.id,
                list_name: &def.name,
                entry: &entry,
                event,
            };
            list_rows.push(((row.id, n), ex::list_event_row(&ev)));
        }
    }

    let mut repair_rows = Vec::new();
    for row in store.repairs_changed_since(from).await? {
        let Ok(app) = serde_json::from_value::<Application>(row.body.clone()) else {
            continue;
        };
        let Some(d) = &app.decision else { continue };
        if d.at < from || d.at >= to {
            continue;
        }
        let region = app
            .region
            .clone()
            .unwrap_or_else(|| uscc_region(&app.department));
        if !scope.reaches(&region) {
            continue;
        }
        if let Some(r) = ex::repair_row(&app) {
            repair_rows.push((row.id, r));
        }
    }

    license.sort_by_key(|a| a.0);
    penalty.sort_by_key(|a| a.0);
    gov.sort_by_key(|a| a.0);
    list_rows.sort_by_key(|a| a.0);
    repair_rows.sort_by_key(|a| a.0);
    let strip = |v: Vec<(Uuid, Vec<String>)>| v.into_iter().map(|(_, r)| r).collect::<Vec<_>>();
    let column_of = |code: &str| {
        catalog
            .get(code)
            .map(ex::record_columns)
            .ok_or_else(|| AppError::Unavailable(format!("信息目录缺少类型 {code}")))
    };
    let tables = vec![
        table(
            ExportKind::AdminLicense,
            column_of("admin_license")?,
            strip(license),
        ),
        table(
            ExportKind::AdminPenalty,
            column_of("admin_penalty")?,
            strip(penalty),
        ),
        table(
            ExportKind::GovNegative,
            ex::gov_negative_columns(),
            strip(gov),
        ),
        table(
            ExportKind::ListEvents,
            ex::list_event_columns(),
            list_rows.into_iter().map(|(_, r)| r).collect(),
        ),
        table(
            ExportKind::Repairs,
            ex::repair_columns(),
            strip(repair_rows),
        ),
    ];

    let (size, root) = log_cut(store, to).await?;
    let checkpoint =
        chengxin_store::heads::sign_checkpoint(&signer.signer, &signer.origin, size, &root);
    let mut files = Vec::new();
    let mut listed = Vec::new();
    for t in &tables {
        let kind = ExportKind::ALL
            .into_iter()
            .find(|k| k.code() == t.kind)
            .unwrap_or(ExportKind::AdminLicense);
        let csv = chengxin_ingest::exchange::write_csv(&t.columns, &t.rows);
        let xlsx = chengxin_ingest::exchange::write_xlsx(kind.label(), &t.columns, &t.rows, date)
            .map_err(|e| AppError::invalid("export_failed", e.message))?;
        for (format, bytes) in [("csv", csv), ("xlsx", xlsx)] {
            let file = format!("{}.{format}", t.kind);
            listed.push(ManifestFile {
                file: file.clone(),
                kind: t.kind,
                name: t.name,
                format,
                rows: t.rows.len(),
                bytes: bytes.len(),
                sha256: hex::encode(Sha256::digest(&bytes)),
            });
            files.push((file, bytes));
        }
    }
    let manifest = Manifest {
        format: FORMAT,
        date,
        from: chengxin_store::changelog::format_at(from),
        to: chengxin_store::changelog::format_at(to),
        region: scope.label(),
        log_origin: signer.origin.clone(),
        log_size: size,
        log_root: hex::encode(root),
        checkpoint,
        csv: "UTF-8 with BOM, CRLF, RFC 4180",
        files: listed,
    };
    let mut manifest_json = serde_json::to_string_pretty(&manifest)
        .map_err(|e| AppError::invalid("export_failed", format!("清单无法写出：{e}")))?;
    manifest_json.push('\n');
    let signature = sign_manifest(signer, &manifest_json);
    Ok(NationalExport {
        manifest,
        manifest_json,
        signature,
        tables,
        files,
    })
}

fn table(kind: ExportKind, columns: Vec<String>, rows: Vec<Vec<String>>) -> Table {
    Table {
        kind: kind.code(),
        name: kind.label(),
        columns,
        rows,
    }
}

/// The change log as of `to`: the number of entries written before it and the Merkle root
/// over them. Entry times only grow along the log (each is stamped under the head's lock),
/// so the cut is found by bisection.
async fn log_cut(store: &dyn Store, to: DateTime<Utc>) -> AppResult<(u64, merkle::Hash)> {
    let cut = chengxin_store::changelog::format_at(to);
    let (len, _) = store.log_head().await?;
    let (mut lo, mut hi) = (0i64, len.max(0));
    while lo < hi {
        let mid = lo + (hi - lo + 1) / 2;
        let before = store
            .log_entries(mid - 1, 1)
            .await?
            .first()
            .is_some_and(|e| e.at < cut);
        if before {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let size = lo as u64;
    store.merkle_sync().await?;
    let root = if size == 0 {
        merkle::empty_root()
    } else {
        store.consistency_proof(size, size).await?.old_root
    };
    Ok((size, root))
}

fn sign_manifest(signer: &ExportSigner, manifest_json: &str) -> String {
    let key = signer.signer.verifying_key();
    let id = merkle::key_id(&signer.origin, key.as_bytes());
    let sig = signer.signer.sign_bytes(manifest_json.as_bytes());
    merkle::signature_line(&signer.origin, id, &sig)
}

/// Check a manifest against its detached signature and a trusted log key: the manifest, a
/// blank line and the signature form a C2SP signed note that `key` must have signed.
pub fn verify_manifest(manifest_json: &str, signature: &str, key: &VerifyingKey) -> AppResult<()> {
    use ed25519_dalek::{Signature, Verifier as _};
    let bad = |m: &str| AppError::invalid("manifest_signature_invalid", m.to_string());
    let note = merkle::parse_note(&format!("{manifest_json}\n{signature}"))
        .map_err(|e| bad(&format!("签名格式错误：{e}")))?;
    if note.text != manifest_json {
        return Err(bad("清单须以换行结束且不含空行"));
    }
    let ok = note.signatures.iter().any(|(name, id, sig)| {
        merkle::key_id(name, key.as_bytes()) == *id
            && Signature::from_slice(sig)
                .is_ok_and(|s| key.verify(note.text.as_bytes(), &s).is_ok())
    });
    if ok {
        Ok(())
    } else {
        Err(bad("清单签名与给定公钥不符或清单已被改动"))
    }
}

/// Write an export into `dir` (created if needed): the files, `manifest.json` and
/// `manifest.json.sig`.
pub fn write_to(export: &NationalExport, dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, bytes) in &export.files {
        std::fs::write(dir.join(name), bytes)?;
    }
    std::fs::write(dir.join(MANIFEST), export.manifest_json.as_bytes())?;
    std::fs::write(dir.join(SIGNATURE), export.signature.as_bytes())
}

/// The JSON variant (`GET /api/v1/exchange/national/{date}`): the caller's items, for a
/// province-level push.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NationalView {
    /// The manifest as signed (`manifest.json`'s text).
    pub manifest: String,
    /// Its detached signature (a C2SP signature line).
    pub signature: String,
    /// Per type: columns and rows.
    #[schema(value_type = Vec<Object>)]
    pub tables: Vec<Table>,
}

/// The national export of `date` for a caller: credit office (or a token) with
/// `records_read_nonpublic`, only the items within its region.
pub async fn national_for(
    app: &crate::App,
    caller: &Caller,
    date: NaiveDate,
) -> AppResult<NationalView> {
    caller.require(Permission::RecordsReadNonpublic)?;
    let signer = ExportSigner::of(app)?;
    let e = export_day(
        app.store.as_ref(),
        &signer,
        Scope::Caller(caller),
        date,
        app.today(),
    )
    .await?;
    Ok(NationalView {
        manifest: e.manifest_json,
        signature: e.signature,
        tables: e.tables,
    })
}
