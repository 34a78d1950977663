//! What most commands share: opening and migrating the store, the keyed ID hasher, signing
//! the chain head, and the day and date parsing rules.

use std::sync::Arc;

use chengxin_domain::catalog::Catalog;
use chengxin_domain::subjects::IdHasher;
use chengxin_store::Store;
use chrono::NaiveDate;

use crate::config::Config;
use crate::error::CliError;

/// Today in China Standard Time: deadlines and publication days are counted in it.
pub(crate) use chengxin_store::clock::today_in_china as china_today;

pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, CliError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        CliError::new(
            "invalid_date",
            format!("日期“{s}”格式错误，应为 YYYY-MM-DD"),
        )
    })
}

/// Open the store, create keys on first run, apply migrations and load the catalog.
pub(crate) async fn open_and_migrate(cfg: &Config) -> anyhow::Result<Arc<dyn Store>> {
    tracing::info!(target: crate::LOG_TARGET, db = %chengxin_store::redact_url(&cfg.db_url), "opening database");
    let store = chengxin_store::open(&cfg.db_url).await?;
    let catalog = Catalog::default_checked().map_err(CliError::from)?;
    // The work-item types (data/work/types.toml): a broken file stops the start here.
    chengxin_app::work::check_types().map_err(|e| CliError::new(e.code(), e.to_string()))?;
    let signer = cfg.key_dir().signer_or_create()?;
    let report = store.migrate(catalog, &signer, "system:migrate").await?;
    tracing::info!(target: crate::LOG_TARGET, ?report, "database migrated");
    Ok(store)
}

pub(crate) fn id_hasher(cfg: &Config) -> anyhow::Result<IdHasher> {
    let key = match &cfg.id_hash_key {
        Some(hex) => chengxin_store::keys::parse_hex32(hex.trim())
            .ok_or_else(|| CliError::new("key_error", "CHENGXIN_ID_HASH_KEY 应为64位十六进制"))?,
        None => cfg.key_dir().id_hash_key_or_create()?,
    };
    Ok(IdHasher::new(key))
}

/// Sign the chain head, then sign a tree head and append it to the heads file. A log that is
/// not consistent with the file's last head (rolled back, restored, or another database) is
/// not signed over: the write itself is done, so the command warns (`head_refused`) rather
/// than fails, and `chengxin verify --against` shows what happened.
pub(crate) async fn checkpoint(cfg: &Config, store: &Arc<dyn Store>) -> anyhow::Result<()> {
    if let Some(signer) = cfg.key_dir().signer()? {
        store.checkpoint(&signer).await?;
        if let Err(e) = publisher(cfg, Arc::new(signer))?
            .publish(store.as_ref())
            .await
        {
            tracing::error!(target: crate::LOG_TARGET, error = %e, "tree head not signed");
            eprintln!("警告（head_refused）：{e}");
        }
    }
    Ok(())
}

/// Signs tree heads into this deployment's heads file (see `chengxin_store::heads`).
pub(crate) fn publisher(
    cfg: &Config,
    signer: Arc<chengxin_store::LogSigner>,
) -> anyhow::Result<chengxin_store::heads::Publisher> {
    let origin = cfg.log_origin(&signer);
    Ok(chengxin_store::heads::Publisher::new(
        signer,
        origin,
        chengxin_store::heads::HeadsFile::new(cfg.heads_file()),
    )?)
}

/// This deployment's delegations (授权代报, `CHENGXIN_AUTHORITY_DELEGATIONS=<file>`), checked
/// against the catalog: a broken file stops the command with the entry and the reason.
/// `None`: the shipped file.
pub(crate) fn delegations_from_env(
) -> anyhow::Result<Option<Arc<chengxin_domain::authority::Delegations>>> {
    let Ok(path) = std::env::var("CHENGXIN_AUTHORITY_DELEGATIONS") else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        CliError::new(
            "delegations_unreadable",
            format!("无法读取授权代报配置 {path}：{e}"),
        )
    })?;
    let catalog = Catalog::default_checked().map_err(CliError::from)?;
    let delegations = chengxin_domain::authority::Delegations::parse(&text, catalog)
        .map_err(|e| CliError::new(e.code(), format!("{path}：{e}")))?;
    tracing::info!(target: crate::LOG_TARGET, path = %path, version = %delegations.version, "authority delegations loaded");
    Ok(Some(Arc::new(delegations)))
}
