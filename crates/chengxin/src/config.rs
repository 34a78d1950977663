//! Configuration in one struct: command-line flags and `CHENGXIN_*` environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::error::CliError;

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
    /// A second listen address serving only `/metrics` (`--metrics-listen`,
    /// `CHENGXIN_METRICS_LISTEN`), e.g. on the monitoring network or loopback.
    pub metrics_listen: Option<SocketAddr>,
    /// Security settings: session idle timeout (`CHENGXIN_SESSION_IDLE_MINUTES`), secure
    /// cookies (`CHENGXIN_COOKIE_SECURE`), audit retention (`CHENGXIN_AUDIT_RETENTION_DAYS`),
    /// HSTS (`CHENGXIN_HSTS_MAX_AGE`, seconds; off when unset or 0).
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
            .field("metrics_listen", &self.metrics_listen)
            .field("session_idle_secs", &self.auth.session.idle_secs)
            .field("cookie_secure", &self.auth.cookie_secure)
            .field("hsts_max_age_secs", &self.auth.hsts_max_age_secs)
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
    // Behind a TLS-terminating reverse proxy: e.g. 31536000 (a year). Off by default.
    if let Some(s) = num("CHENGXIN_HSTS_MAX_AGE").filter(|s| *s > 0) {
        a.hsts_max_age_secs = Some(s.unsigned_abs());
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

/// What only a serving server reads from the environment, checked at start-up (a value that
/// does not parse stops the server rather than falling back silently):
/// - `CHENGXIN_LIMIT_FILING`, `…_EVIDENCE`, `…_VERIFY`, `…_TRACKING`, `…_LOGIN`: the flood
///   limits on anonymous requests, `per-client,global` as `N/UNIT` (`20/h,600/h`);
/// - `CHENGXIN_EVIDENCE_BYTES_PER_DAY`: the platform's daily evidence quota (`2GiB`, `500MiB`,
///   or bytes);
/// - `CHENGXIN_TRUSTED_PROXIES`: reverse proxies whose `X-Forwarded-For` is believed;
/// - `CHENGXIN_METRICS_TOKEN`: the scraper's secret for `/metrics` (at least 32 characters).
pub fn serving_from_env(a: &mut chengxin_server::auth::AuthSettings) -> Result<(), CliError> {
    use chengxin_app::flood::FloodClass;
    let text = |k: &str| {
        std::env::var(k)
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    for class in FloodClass::ALL {
        let key = format!("CHENGXIN_LIMIT_{}", class.as_str().to_ascii_uppercase());
        if let Some(v) = text(&key) {
            let limit = chengxin_access::ClientLimit::parse(&v)
                .map_err(|e| CliError::new("limit_invalid", format!("{key}：{e}")))?;
            a.flood.set(class, limit);
        }
    }
    if let Some(v) = text("CHENGXIN_EVIDENCE_BYTES_PER_DAY") {
        a.flood.evidence_bytes_per_day = parse_bytes(&v).ok_or_else(|| {
            CliError::new(
                "limit_invalid",
                format!("CHENGXIN_EVIDENCE_BYTES_PER_DAY：“{v}”无效（应为字节数，或带 MiB、GiB 单位，例如 2GiB）"),
            )
        })?;
    }
    if let Some(v) = text("CHENGXIN_TRUSTED_PROXIES") {
        a.trusted_proxies = chengxin_access::TrustedProxies::parse(&v)
            .map_err(|e| CliError::new("trusted_proxies_invalid", e.to_string()))?;
    }
    if let Some(v) = text("CHENGXIN_METRICS_TOKEN") {
        if v.chars().count() < 32 {
            return Err(CliError::new(
                "metrics_token_weak",
                "CHENGXIN_METRICS_TOKEN 至少须有 32 个字符（例如 openssl rand -hex 32 生成）",
            ));
        }
        a.metrics_token = Some(chengxin_access::Secret::new(v));
    }
    Ok(())
}

/// `2GiB`, `500MiB`, `64KiB` or a number of bytes.
fn parse_bytes(v: &str) -> Option<u64> {
    let v = v.trim();
    let (n, unit) = match v.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => (&v[..i], v[i..].trim()),
        None => (v, ""),
    };
    let n: u64 = n.parse().ok()?;
    let mult: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(mult).filter(|b| *b > 0)
}

impl Config {
    pub fn key_dir(&self) -> chengxin_store::keys::KeyDir {
        chengxin_store::keys::KeyDir::new(self.data_dir.join("keys"))
    }

    /// The append-only file of signed tree heads (`CHENGXIN_HEADS_FILE`, by default
    /// `heads.log` in the data dir). Keep a copy where the database's administrators cannot
    /// rewrite it (a witness, the upper-level instance, the auditor).
    pub fn heads_file(&self) -> PathBuf {
        std::env::var("CHENGXIN_HEADS_FILE")
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| self.data_dir.join(chengxin_store::heads::HEADS_FILE))
    }

    /// The origin line (and key name) of the signed tree heads (`CHENGXIN_LOG_ORIGIN`, e.g.
    /// `xy.changzhou.gov.cn/log`); by default one derived from the signing key.
    pub fn log_origin(&self, signer: &chengxin_store::LogSigner) -> String {
        std::env::var("CHENGXIN_LOG_ORIGIN")
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty() && !v.contains(char::is_whitespace) && !v.contains('+'))
            .unwrap_or_else(|| chengxin_store::heads::default_origin(signer))
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
            metrics_listen: None,
            auth: Default::default(),
            report_issuer: None,
            public_url: None,
        };
        let s = format!("{c:?}");
        assert!(!s.contains("hunter2"));
        assert!(!s.contains("00ff"));
    }

    #[test]
    fn byte_sizes() {
        assert_eq!(parse_bytes("2GiB"), Some(2 << 30));
        assert_eq!(parse_bytes("500 MiB"), Some(500 << 20));
        assert_eq!(parse_bytes("1048576"), Some(1 << 20));
        for bad in ["", "0", "2GB", "x", "-1"] {
            assert_eq!(parse_bytes(bad), None, "{bad}");
        }
    }
}
