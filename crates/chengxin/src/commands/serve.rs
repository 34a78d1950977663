//! `chengxin serve`: migrate, optionally load the demo, build the check index, start the
//! background jobs and serve HTTP until SIGINT/SIGTERM.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crate::commands::demo::load_demo;
use crate::config::Config;
use crate::error::CliError;
use crate::setup::{delegations_from_env, id_hasher, open_and_migrate};
use chengxin_app::jobs::Jobs;

/// A province's own credit-rights rules (`CHENGXIN_RIGHTS_RULES=<file>`), checked at start-up:
/// a broken file stops the server rather than falling back silently.
fn rights_rules_from_env() -> anyhow::Result<Option<Arc<chengxin_domain::rights::RightsRules>>> {
    let Ok(path) = std::env::var("CHENGXIN_RIGHTS_RULES") else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        CliError::new(
            "rights_rules_unreadable",
            format!("无法读取权益保护规则文件 {path}：{e}"),
        )
    })?;
    let rules = chengxin_domain::rights::RightsRules::parse(&text)
        .map_err(|e| CliError::new(e.code(), format!("{path}：{e}")))?;
    tracing::info!(target: crate::LOG_TARGET, path = %path, version = %rules.version, "credit-rights rules loaded");
    Ok(Some(Arc::new(rules)))
}

/// This deployment's implementing departments (`CHENGXIN_DEPARTMENT_BODIES=<file>`), checked
/// against the measures catalog at start-up: a broken file stops the server.
fn department_bodies_from_env(
) -> anyhow::Result<Option<Arc<chengxin_domain::lists::bodies::DepartmentBodies>>> {
    let Ok(path) = std::env::var("CHENGXIN_DEPARTMENT_BODIES") else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        CliError::new(
            "department_bodies_unreadable",
            format!("无法读取实施部门对照表 {path}：{e}"),
        )
    })?;
    let joint = chengxin_domain::lists::JointCatalog::default_checked().map_err(CliError::from)?;
    let bodies = chengxin_domain::lists::bodies::DepartmentBodies::parse(&text, joint)
        .map_err(|e| CliError::new(e.code(), format!("{path}：{e}")))?;
    tracing::info!(target: crate::LOG_TARGET, path = %path, version = %bodies.version, "implementing departments loaded");
    Ok(Some(Arc::new(bodies)))
}

/// This deployment's indicator system (`CHENGXIN_EVALUATION_INDICATORS=<file>`), checked at
/// start-up: a broken file stops the server with its line and the reason.
fn evaluation_indicators_from_env() -> anyhow::Result<()> {
    let Ok(path) = std::env::var("CHENGXIN_EVALUATION_INDICATORS") else {
        return Ok(());
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        CliError::new(
            "indicator_file_unreadable",
            format!("无法读取政务诚信评价指标体系文件 {path}：{e}"),
        )
    })?;
    let system = chengxin_domain::evaluation::IndicatorSystem::parse(&text)
        .map_err(|e| CliError::new(e.code(), format!("{path}：{e}")))?;
    tracing::info!(target: crate::LOG_TARGET, path = %path, version = %system.version, "evaluation indicator system loaded");
    chengxin_app::evaluation::install_system(system);
    Ok(())
}

/// The absolute address of the portal's report-verification page: from `CHENGXIN_PUBLIC_URL`
/// (checked: `public_url_invalid`); required outside `--demo` (`public_url_missing`) — a credit
/// office finds the missing setting when it deploys, not when the first printed report cannot
/// be verified. The demo uses its own listen address.
fn report_verify_url(cfg: &Config, demo: bool) -> Result<String, CliError> {
    let url =
        match (&cfg.public_url, demo) {
            (Some(u), _) => u.clone(),
            (None, true) => format!("http://{}", cfg.listen),
            (None, false) => return Err(CliError::new(
                "public_url_missing",
                "未设置 CHENGXIN_PUBLIC_URL（门户的公网地址，例如 https://xy.example.gov.cn）：\
                 信用报告上的验真地址和二维码须为完整网址，否则纸质报告无法核验。\
                 请设置后再启动（演示环境可使用 --demo）",
            )),
        };
    chengxin_app::credit_reports::verify_address(&url).map_err(CliError::from)
}

async fn bind(addr: std::net::SocketAddr) -> Result<tokio::net::TcpListener, CliError> {
    tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        CliError::new(
            "listen_failed",
            format!("无法监听 {addr}：{e}（端口可能已被占用）"),
        )
    })
}

pub(crate) async fn run(mut cfg: Config, demo: bool) -> anyhow::Result<ExitCode> {
    // Limits, trusted proxies and the metrics token: a bad value stops the server first.
    crate::config::serving_from_env(&mut cfg.auth)?;
    // Credit reports carry an absolute verification address and QR code: without the
    // portal's public address the server does not start (outside --demo), before touching
    // anything.
    let verify_url = report_verify_url(&cfg, demo)?;
    // Bind first: a second server on the same port fails before touching the database.
    let listener = bind(cfg.listen).await?;
    let metrics_listener = match cfg.metrics_listen {
        Some(a) => Some(bind(a).await?),
        None => None,
    };
    let store = open_and_migrate(&cfg).await?;
    if demo {
        load_demo(&cfg, &store).await?;
    }
    let signer = Arc::new(cfg.key_dir().signer_or_create()?);
    // Tree heads: one now, then with every checkpoint, into the heads file outside the database
    // (and one under each credit report issued, whose proofs it carries).
    let heads = Arc::new(crate::setup::publisher(&cfg, signer.clone())?);
    let mut app = chengxin_server::App::new(
        store.clone(),
        id_hasher(&cfg)?,
        cfg.data_dir.join("uploads"),
        cfg.auth.clone(),
    )
    .with_report_key(cfg.key_dir().report_key_or_create()?)
    .with_log_key(signer.verifying_key());
    app.report_issuer = cfg.report_issuer.clone();
    app.report_verify_url = Some(verify_url);
    app.site = Arc::new(chengxin_app::SiteIdentity::from_lookup(|k| {
        std::env::var(k).ok()
    }));
    app.rights_rules = rights_rules_from_env()?;
    app.department_bodies = department_bodies_from_env()?;
    app.delegations = delegations_from_env()?;
    evaluation_indicators_from_env()?;
    app.heads = Some(heads.clone());
    let state = chengxin_server::AppState::new(app);
    // The check index: built now, then kept current by tailing the change log every second
    // (so several servers over one PostgreSQL agree within about a second).
    let started = std::time::Instant::now();
    state
        .checks
        .build(store.as_ref())
        .await
        .map_err(CliError::from)?;
    tracing::info!(target: crate::LOG_TARGET,
        subjects = state.checks.size(),
        ms = started.elapsed().as_millis() as u64,
        "check index built"
    );
    // Spool files a crash left behind carry clear ID numbers: removed before serving.
    match chengxin_app::batches::clean_spool(&state).await {
        Ok(0) => {}
        Ok(n) => {
            tracing::info!(target: crate::LOG_TARGET, files = n, "leftover upload spool files removed")
        }
        Err(e) => tracing::warn!(target: crate::LOG_TARGET, error = %e, "upload spool not cleaned"),
    }
    // Free text stored before intake masked ID numbers: masked once per database, before
    // serving (a no-op once `migrate` or an earlier start did it).
    match chengxin_app::free_text::repair(store.as_ref(), &state.pii).await {
        Ok(0) => {}
        Ok(n) => {
            tracing::info!(target: crate::LOG_TARGET, records = n, "ID numbers in free text masked, clear text sealed")
        }
        Err(e) => {
            tracing::warn!(target: crate::LOG_TARGET, error = %e, "masking ID numbers in stored free text failed; retried at the next start")
        }
    }
    let audit_writer = tokio::spawn(state.audit_queue.clone().run(store.clone()));
    // Tail the change log into the check index, end publication periods as they run out,
    // record closed-loop reminders, purge old audit events, sign the chain head (see
    // `chengxin_app::jobs`).
    // A database older than the heads file (rolled back, or restored from a backup) is served
    // but never signed over: the error repeats until an operator looks (`verify --against`).
    if let Err(e) = heads.publish(store.as_ref()).await {
        tracing::error!(target: crate::LOG_TARGET, error = %e, "tree head not signed");
        eprintln!("警告：{e}");
    }
    let mut jobs = Jobs::start(state.clone(), signer.clone(), Some(heads.clone()));
    // The national platform's daily export (issue 21), when a directory is configured.
    if let Some(dir) = std::env::var_os("CHENGXIN_EXPORT_DIR").filter(|d| !d.is_empty()) {
        let signer = chengxin_app::exchange::national::ExportSigner {
            signer: signer.clone(),
            origin: heads.origin().to_string(),
        };
        jobs = jobs.with(chengxin_app::jobs::spawn_national_export(
            store.clone(),
            signer,
            dir.into(),
        ));
    }
    // 逐级归集 (issue 21, docs/FEED.md): pull the configured lower instances.
    let feed_pull = crate::commands::feed::sources()?
        .map(|sources| chengxin_app::feed::spawn_pull(store.clone(), Arc::new(sources)));
    tracing::info!(target: crate::LOG_TARGET, listen = %cfg.listen, backend = ?store.backend(), "chengxin serving");
    eprintln!("诚信 Chengxin 已启动：http://{}/", cfg.listen);
    // `/metrics` on its own address (the monitoring network): stops with the main server.
    let metrics_server = metrics_listener.map(|l| {
        tracing::info!(target: crate::LOG_TARGET, listen = %cfg.metrics_listen.map(|a| a.to_string()).unwrap_or_default(), "metrics listener");
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(e) = chengxin_server::serve_metrics(l, state).await {
                tracing::error!(target: crate::LOG_TARGET, error = %e, "metrics listener failed");
            }
        })
    });
    chengxin_server::serve(listener, state.clone(), shutdown_signal()).await?;
    if let Some(m) = metrics_server {
        m.abort();
    }
    jobs.stop();
    if let Some(f) = feed_pull {
        f.abort();
    }
    // Lose no query log: the writer writes what is still queued, then stops.
    state.audit_queue.stop();
    match tokio::time::timeout(Duration::from_secs(30), audit_writer).await {
        Ok(_) => {}
        Err(_) => tracing::error!(target: crate::LOG_TARGET,
            queued = state.audit_queue.len(),
            "query log not flushed at shutdown (database unavailable)"
        ),
    }
    store.checkpoint(&signer).await?;
    if let Err(e) = heads.publish(store.as_ref()).await {
        tracing::error!(target: crate::LOG_TARGET, error = %e, "tree head not signed");
    }
    tracing::info!(target: crate::LOG_TARGET, "chengxin stopped");
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!(target: crate::LOG_TARGET, "shutdown requested; draining requests");
}
