//! `chengxin admin init`, `chengxin account create`, `chengxin token issue`: the operator's
//! way in on a fresh installation (shell access to the server is the trust anchor). Secrets
//! are printed once, on stdout, and never logged.
//!
//! The command line is the break-glass path of the separation of duties: a role that needs a
//! second person's approval in the console (credit office, auditor, administrator, any role
//! at national scope) is given at once here, recorded as a `break_glass` grant and announced
//! in the audit trail, where the auditor and the region's credit office see it.

use std::process::ExitCode;
use std::sync::Arc;

use chengxin_access::PiiCipher;
use chengxin_app::accounts::{self, NewAccount, NewToken};
use chengxin_app::AppError;
use chengxin_store::Store;
use clap::{Args, Subcommand};

use crate::config::Config;
use crate::setup::open_and_migrate;

#[derive(Subcommand, Debug)]
pub enum AdminOp {
    /// First run: create the administrator `admin` with a one-time password and a TOTP
    /// secret, printed once. Refused when an administrator exists.
    Init,
}

#[derive(Subcommand, Debug)]
pub enum AccountOp {
    /// Create an account; prints its one-time password (and TOTP enrolment URI) once.
    Create(AccountArgs),
    /// List accounts (no secrets).
    List,
}

#[derive(Args, Debug)]
pub struct AccountArgs {
    #[arg(long)]
    pub username: String,
    #[arg(long, default_value = "")]
    pub display_name: String,
    /// Comma-separated role codes: credit_office, submitting_department, auditor …
    #[arg(long, value_delimiter = ',')]
    pub roles: Vec<String>,
    /// GB/T 2260 code of the jurisdiction (000000 = national).
    #[arg(long)]
    pub region: String,
    /// USCC of the account's body.
    #[arg(long)]
    pub body: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum TokenOp {
    /// Issue an API token for a department or external system; printed once.
    Issue(TokenArgs),
    /// Revoke an API token by its id (as `token issue` printed it); at once for this
    /// database's servers, within the token cache time for running ones.
    Revoke {
        /// The token's id.
        id: uuid::Uuid,
    },
    /// List API tokens (no hashes): scope, rate and daily quota in force, revocation.
    List,
}

#[derive(Args, Debug)]
pub struct TokenArgs {
    #[arg(long)]
    pub name: String,
    /// Comma-separated permission codes, e.g. records_submit
    #[arg(long, value_delimiter = ',')]
    pub permissions: Vec<String>,
    #[arg(long)]
    pub region: String,
    /// USCC of the body the token acts for.
    #[arg(long)]
    pub body: Option<String>,
    /// Lifetime in days (at most 366).
    #[arg(long, default_value_t = 90)]
    pub days: i64,
    /// Requests per second the token may make (bursts of as many; default 200).
    #[arg(long)]
    pub rate: Option<u32>,
    /// Parties the token may check per day, China time (default 100000).
    #[arg(long)]
    pub daily_quota: Option<u64>,
}

fn api(e: AppError) -> anyhow::Error {
    anyhow::Error::new(crate::error::CliError::from(e))
}

fn pii(cfg: &Config) -> anyhow::Result<PiiCipher> {
    Ok(PiiCipher::from_id_hasher(&crate::setup::id_hasher(cfg)?))
}

pub async fn admin(cfg: &Config, store: Arc<dyn Store>, op: &AdminOp) -> anyhow::Result<()> {
    match op {
        AdminOp::Init => {
            let issued = accounts::admin_init(store.as_ref(), &cfg.auth, &pii(cfg)?)
                .await
                .map_err(api)?;
            println!("管理员账号已创建（以下内容只显示这一次，请妥善保管）：");
            println!("  用户名：{}", issued.username);
            println!("  一次性密码：{}", issued.one_time_password);
            if let Some(uri) = &issued.totp_uri {
                println!("  动态口令（TOTP）绑定地址：{uri}");
            }
            println!("首次登录后须立即修改密码。");
            Ok(())
        }
    }
}

pub async fn account(cfg: &Config, store: Arc<dyn Store>, op: &AccountOp) -> anyhow::Result<()> {
    match op {
        AccountOp::Create(a) => {
            let issued = accounts::create_account(
                store.as_ref(),
                &cfg.auth,
                &pii(cfg)?,
                "cli:account-create",
                NewAccount {
                    username: a.username.clone(),
                    display_name: if a.display_name.is_empty() {
                        a.username.clone()
                    } else {
                        a.display_name.clone()
                    },
                    roles: a.roles.clone(),
                    region: a.region.clone(),
                    body: a.body.clone(),
                },
            )
            .await
            .map_err(api)?;
            println!(
                "{}",
                serde_json::json!({
                    "id": issued.id,
                    "username": issued.username,
                    "one_time_password": issued.one_time_password,
                    "totp_uri": issued.totp_uri,
                })
            );
            let privileged = a
                .roles
                .iter()
                .filter_map(|r| chengxin_access::Role::parse(r.trim()))
                .any(|r| r.grant_needs_approval());
            if privileged || a.region.trim() == chengxin_access::jurisdiction::NATIONAL {
                eprintln!(
                    "注意：经服务器命令行（应急通道）直接授予的特权角色或全国范围账号，未经第二人审批；\
                     已记入审计日志，审计员和本地区信用办可在“特权角色授予”中看到。"
                );
            }
            Ok(())
        }
        AccountOp::List => {
            for a in store.accounts().await? {
                println!(
                    "{}",
                    serde_json::to_string(&accounts::AccountView::from(&a))?
                );
            }
            Ok(())
        }
    }
}

pub async fn token(cfg: &Config, store: Arc<dyn Store>, op: &TokenOp) -> anyhow::Result<()> {
    match op {
        TokenOp::Issue(t) => {
            let issued = accounts::issue_token(
                store.as_ref(),
                "cli:token-issue",
                NewToken {
                    name: t.name.clone(),
                    permissions: t.permissions.clone(),
                    region: t.region.clone(),
                    body: t.body.clone(),
                    days: t.days,
                    rate_per_second: t.rate,
                    daily_quota: t.daily_quota,
                },
            )
            .await
            .map_err(api)?;
            println!(
                "{}",
                serde_json::json!({
                    "id": issued.id,
                    "token": issued.token,
                    "public_prefix": issued.public_prefix,
                    "expires_at": issued.expires_at,
                    "rate_per_second": issued.rate_per_second,
                    "daily_quota": issued.daily_quota,
                })
            );
            Ok(())
        }
        TokenOp::List => {
            for t in store.tokens().await? {
                let (rate, quota) = accounts::token_limits(&t, &cfg.auth);
                println!(
                    "{}",
                    serde_json::json!({
                        "id": t.id, "name": t.name, "public_prefix": t.public_prefix,
                        "scope": t.scope, "rate_per_second": rate, "daily_quota": quota,
                        "created_by": t.created_by, "created_at": t.created_at,
                        "revoked_at": t.revoked_at,
                    })
                );
            }
            Ok(())
        }
        TokenOp::Revoke { id } => {
            let t = accounts::revoke_token(store.as_ref(), "cli:token-revoke", *id)
                .await
                .map_err(api)?;
            println!(
                "{}",
                serde_json::json!({
                    "id": t.id,
                    "public_prefix": t.public_prefix,
                    "revoked_at": t.revoked_at,
                })
            );
            Ok(())
        }
    }
}

/// `chengxin admin …`: migrate, then run the operation.
pub(crate) async fn admin_command(cfg: &Config, op: &AdminOp) -> anyhow::Result<ExitCode> {
    let store = open_and_migrate(cfg).await?;
    admin(cfg, store, op).await?;
    Ok(ExitCode::SUCCESS)
}

/// `chengxin account …`: migrate, then run the operation.
pub(crate) async fn account_command(cfg: &Config, op: &AccountOp) -> anyhow::Result<ExitCode> {
    let store = open_and_migrate(cfg).await?;
    account(cfg, store, op).await?;
    Ok(ExitCode::SUCCESS)
}

/// `chengxin token …`: migrate, then run the operation.
pub(crate) async fn token_command(cfg: &Config, op: &TokenOp) -> anyhow::Result<ExitCode> {
    let store = open_and_migrate(cfg).await?;
    token(cfg, store, op).await?;
    Ok(ExitCode::SUCCESS)
}
