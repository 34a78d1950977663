//! Configuration in one struct: command-line flags and `CHENGXIN_*` environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Where the embedded default keeps its database and keys.
pub const DEFAULT_DATA_DIR: &str = "./chengxin-data";

#[derive(Clone)]
pub struct Config {
    /// `sqlite://…` or `postgres://…`.
    pub db_url: String,
    /// Folder for the SQLite file (by default) and the key files.
    pub data_dir: PathBuf,
    /// Hex key for hashing ID numbers; from `CHENGXIN_ID_HASH_KEY`, else the key file.
    pub id_hash_key: Option<String>,
    pub listen: SocketAddr,
    /// Security settings: session idle timeout (`CHENGXIN_SESSION_IDLE_MINUTES`), secure
    /// cookies (`CHENGXIN_COOKIE_SECURE`), audit retention (`CHENGXIN_AUDIT_RETENTION_DAYS`).
    pub auth: chengxin_server::auth::AuthSettings,
    /// 出具机构 printed on credit reports (`CHENGXIN_REPORT_ISSUER`).
    pub report_issuer: Option<String>,
    /// The public address of the portal (`CHENGXIN_PUBLIC_URL`, e.g. `https://xy.example.gov.cn`):
    /// credit reports' QR codes point at its `/portal/verify` page.
    pub public_url: Option<String>,
}

/// Secrets and passwords never reach logs through `Debug`.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("db_url", &chengxin_store::redact_url(&self.db_url))
            .field("data_dir", &self.data_dir)
            .field(
                "id_hash_key",
                &self.id_hash_key.as_ref().map(|_| "<redacted>"),
            )
            .field("listen", &self.listen)
            .field("session_idle_secs", &self.auth.session.idle_secs)
            .field("cookie_secure", &self.auth.cookie_secure)
            .field("report_issuer", &self.report_issuer)
            .field("public_url", &self.public_url)
            .finish()
    }
}

/// Security settings from the environment, with the defaults of `AuthSettings`.
pub fn auth_from_env() -> chengxin_server::auth::AuthSettings {
    let mut a = chengxin_server::auth::AuthSettings::default();
    let num = |k: &str| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.trim().parse::<i64>().ok())
    };
    if let Some(m) = num("CHENGXIN_SESSION_IDLE_MINUTES").filter(|m| *m > 0) {
        a.session.idle_secs = m * 60;
    }
    if let Some(d) = num("CHENGXIN_AUDIT_RETENTION_DAYS") {
        // Never below the 180 days the rules require.
        a.audit_retention_days = d.max(180);
    }
    if let Some(s) = num("CHENGXIN_TOKEN_CACHE_SECONDS").filter(|s| (0..=60).contains(s)) {
        a.token_cache = std::time::Duration::from_secs(s.unsigned_abs());
    }
    if std::env::var("CHENGXIN_COOKIE_SECURE").as_deref() == Ok("false") {
        a.cookie_secure = false;
    }
    // ID-number enumeration through checks: how long a caller's numbers are remembered and
    // how many near-identical ones it may send within that time.
    if let Some(s) = num("CHENGXIN_CHECK_PROBE_WINDOW_SECONDS").filter(|s| *s > 0) {
        a.probes.window = std::time::Duration::from_secs(s.unsigned_abs());
    }
    if let Some(n) = num("CHENGXIN_CHECK_PROBE_MAX_SIMILAR").filter(|n| *n > 0) {
        a.probes.max_similar = usize::try_from(n).unwrap_or(usize::MAX);
    }
    a
}

impl Config {
    pub fn key_dir(&self) -> chengxin_store::keys::KeyDir {
        chengxin_store::keys::KeyDir::new(self.data_dir.join("keys"))
    }

    /// The default database URL for a data dir: a SQLite file inside it.
    pub fn default_db_url(data_dir: &std::path::Path) -> String {
        format!("sqlite://{}", data_dir.join("chengxin.db").display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_secrets() {
        let c = Config {
            db_url: "postgres://u:hunter2@h/db".into(),
            data_dir: "x".into(),
            id_hash_key: Some("00ff".into()),
            listen: "127.0.0.1:8080".parse().unwrap(),
            auth: Default::default(),
            report_issuer: None,
            public_url: None,
        };
        let s = format!("{c:?}");
        assert!(!s.contains("hunter2"));
        assert!(!s.contains("00ff"));
    }
}
