//! The application context: what a use case needs besides its arguments.

use std::sync::Arc;

use chengxin_store::Store;

/// The portal's report-verification page, below the public address (`CHENGXIN_PUBLIC_URL`).
pub const REPORT_VERIFY_PATH: &str = "/portal/verify";

/// The context every use case runs in: the store, the check index, keys, rules and settings.
/// The HTTP server and the command line each hold one.
pub struct App {
    pub store: Arc<dyn Store>,
    /// The interim department token (`CHENGXIN_API_TOKEN`); `None` closes protected routes.
    pub api_token: Option<String>,
    /// Keys the hash of ID numbers in imported rows.
    pub id_hasher: chengxin_domain::subjects::IdHasher,
    /// Where uploads are spooled while they are imported.
    pub upload_dir: std::path::PathBuf,
    /// Security settings (sessions, lockout, password policy, token rates).
    pub auth: crate::auth::AuthSettings,
    /// Seals ID numbers and TOTP secrets (key outside the database).
    pub pii: chengxin_access::PiiCipher,
    /// Per-token request rates.
    pub limiter: std::sync::Mutex<chengxin_access::RateLimiter<uuid::Uuid>>,
    /// Limits on anonymous requests (filing, evidence, 报告验真, tracking, logins).
    pub flood: crate::flood::Flood,
    /// Recent ID numbers per caller of a check, to refuse mask enumeration.
    pub probes: std::sync::Mutex<chengxin_access::ProbeGuard>,
    /// Parties checked per token today (the daily quota), synced with the store.
    pub usage: crate::checks::usage::UsageMeter,
    /// When each token's use was last audited.
    pub token_use: std::sync::Mutex<std::collections::HashMap<uuid::Uuid, std::time::Instant>>,
    /// Verified API tokens (see `crate::auth::TokenCache`).
    pub token_cache: crate::auth::TokenCache,
    /// The check/intercept index (built at start-up, tailing the change log).
    pub checks: chengxin_checks::CheckIndex,
    /// A fixed "today" (tests, rehearsals); `None` = the real date in China.
    pub today: Option<chrono::NaiveDate>,
    /// Credit-rights rules of this deployment (`CHENGXIN_RIGHTS_RULES`); `None` = the shipped
    /// national defaults (`data/rights/rules.toml`).
    pub rights_rules: Option<std::sync::Arc<chengxin_domain::rights::RightsRules>>,
    /// This deployment's implementing departments (`CHENGXIN_DEPARTMENT_BODIES`); the shipped
    /// demo mapping when `None`.
    pub department_bodies: Option<std::sync::Arc<chengxin_domain::lists::bodies::DepartmentBodies>>,
    /// Who may submit in whose name here (`CHENGXIN_AUTHORITY_DELEGATIONS`); the shipped demo
    /// delegations when `None`.
    pub delegations: Option<std::sync::Arc<chengxin_domain::authority::Delegations>>,
    /// Buffered query log of high-rate routes (see `audit_queue`).
    pub audit_queue: std::sync::Arc<crate::audit_queue::AuditQueue>,
    /// Signs credit reports (`report-signing.key`, outside the database); `None` refuses to
    /// issue or verify uploaded reports.
    pub report_key: Option<chengxin_report::SigningKey>,
    /// 出具机构 printed on credit reports (`CHENGXIN_REPORT_ISSUER`); `None`: the office's full
    /// name, the site's 主办单位 ([`App::report_issuer`]).
    pub report_issuer: Option<String>,
    /// The portal's report-verification page, an absolute address built from
    /// `CHENGXIN_PUBLIC_URL` ([`crate::credit_reports::verify_address`]); a report's QR code
    /// points at `<url>?no=<报告编号>&code=<验证码>`. `None`: reports are not issued
    /// (`public_url_missing`) — a printed report must be verifiable from anywhere.
    pub report_verify_url: Option<String>,
    /// Public keys the change log's checkpoints must be signed with (from the key file, never
    /// from the database alone): the auditor's 校验 runs `verify` against them. Empty: the
    /// console refuses to verify.
    pub log_keys: Vec<ed25519_dalek::VerifyingKey>,
    /// The portal's identity (name, 主办单位, filing numbers, contact).
    pub site: Arc<crate::site::SiteIdentity>,
    /// Signs tree heads of the change log into the heads file (issue 21): a credit report is
    /// issued under a fresh head and carries its records' inclusion proofs. `None`: reports
    /// carry no proofs.
    pub heads: Option<Arc<chengxin_store::heads::Publisher>>,
}

impl App {
    /// The state with default security settings and the personal-data key derived from the
    /// ID-hash key.
    pub fn new(
        store: Arc<dyn Store>,
        id_hasher: chengxin_domain::subjects::IdHasher,
        upload_dir: std::path::PathBuf,
        auth: crate::auth::AuthSettings,
    ) -> Self {
        Self {
            store,
            api_token: None,
            pii: chengxin_access::PiiCipher::from_id_hasher(&id_hasher),
            id_hasher,
            upload_dir,
            limiter: std::sync::Mutex::new(chengxin_access::RateLimiter::new(auth.token_rate)),
            flood: crate::flood::Flood::new(&auth.flood),
            probes: std::sync::Mutex::new(chengxin_access::ProbeGuard::new(auth.probes)),
            usage: crate::checks::usage::UsageMeter::default(),
            auth,
            token_use: std::sync::Mutex::new(std::collections::HashMap::new()),
            token_cache: crate::auth::TokenCache::default(),
            checks: chengxin_checks::CheckIndex::default(),
            today: None,
            rights_rules: None,
            department_bodies: None,
            delegations: None,
            audit_queue: std::sync::Arc::new(crate::audit_queue::AuditQueue::default()),
            report_key: None,
            report_issuer: None,
            report_verify_url: None,
            log_keys: Vec::new(),
            site: Arc::new(crate::site::SiteIdentity::default()),
            heads: None,
        }
    }

    /// The state with the credit-report signing key set.
    pub fn with_report_key(mut self, key: chengxin_report::SigningKey) -> Self {
        self.report_key = Some(key);
        self
    }

    /// The state with the change log's trusted signing key set.
    pub fn with_log_key(mut self, key: ed25519_dalek::VerifyingKey) -> Self {
        self.log_keys = vec![key];
        self
    }

    /// 出具机构 of credit reports: the configured issuer, else the office's full name (主办单位).
    pub fn report_issuer(&self) -> &str {
        self.report_issuer.as_deref().unwrap_or(&self.site.sponsor)
    }

    /// The absolute address of the report-verification page, or `public_url_missing`.
    pub fn report_verify_url(&self) -> crate::error::AppResult<&str> {
        self.report_verify_url
            .as_deref()
            .ok_or_else(crate::credit_reports::public_url_missing)
    }

    /// The public key credit reports are verified with.
    pub fn report_public_key(&self) -> Option<chengxin_report::VerifyingKey> {
        self.report_key.as_ref().map(|k| k.verifying_key())
    }

    /// The credit-rights rules in force here.
    pub fn rights_rules(&self) -> crate::error::AppResult<&chengxin_domain::rights::RightsRules> {
        match &self.rights_rules {
            Some(r) => Ok(r),
            None => crate::rights::rules(),
        }
    }

    /// Which departments act in which implementing-department roles here.
    pub fn department_bodies(
        &self,
    ) -> crate::error::AppResult<&chengxin_domain::lists::bodies::DepartmentBodies> {
        match &self.department_bodies {
            Some(b) => Ok(b),
            None => chengxin_domain::lists::bodies::DepartmentBodies::default_checked()
                .map_err(crate::error::AppError::unavailable),
        }
    }

    /// The delegations in force (授权代报): who may submit in whose name.
    pub fn delegations(
        &self,
    ) -> crate::error::AppResult<std::sync::Arc<chengxin_domain::authority::Delegations>> {
        match &self.delegations {
            Some(d) => Ok(d.clone()),
            None => crate::authority::shipped_delegations(),
        }
    }

    /// Today in China — the date deadlines and periods are counted in.
    pub fn today(&self) -> chrono::NaiveDate {
        self.today
            .unwrap_or_else(chengxin_store::clock::today_in_china)
    }
}
