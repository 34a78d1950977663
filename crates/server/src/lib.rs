//! Chengxin's HTTP server: JSON API, health, metrics and the OpenAPI document.
//!
//! Handlers take [`AppState`] and work against `Arc<dyn Store>`, so the same router serves
//! from SQLite or PostgreSQL. Errors are one enum ([`error::ApiError`]) mapped to status codes
//! in one `IntoResponse`.

pub mod audit_queue;
pub mod auth;
pub mod error;
pub mod metrics;
pub mod pages;
pub mod routes;
pub mod services;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;

use axum::{Json, Router};
use chengxin_store::Store;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;

use crate::error::{ApiError, AppError};
use crate::metrics::{Metrics, RequestLabels};

/// 出具机构 of credit reports unless configured (`CHENGXIN_REPORT_ISSUER`).
pub const DEFAULT_REPORT_ISSUER: &str = "公共信用信息中心";
/// Verification page of credit reports unless configured (`CHENGXIN_PUBLIC_URL`).
pub const DEFAULT_REPORT_VERIFY_URL: &str = "/portal/verify";

/// Shared state of the server.
pub struct App {
    pub store: Arc<dyn Store>,
    pub metrics: Metrics,
    /// The interim department token (`CHENGXIN_API_TOKEN`); `None` closes protected routes.
    pub api_token: Option<String>,
    /// Keys the hash of ID numbers in imported rows.
    pub id_hasher: chengxin_domain::subjects::IdHasher,
    /// Where uploads are spooled while they are imported.
    pub upload_dir: std::path::PathBuf,
    /// Security settings (sessions, lockout, password policy, token rates).
    pub auth: auth::AuthSettings,
    /// Seals ID numbers and TOTP secrets (key outside the database).
    pub pii: chengxin_access::PiiCipher,
    /// Per-token request rates.
    pub limiter: std::sync::Mutex<chengxin_access::RateLimiter<uuid::Uuid>>,
    /// When each token's use was last audited.
    pub token_use: std::sync::Mutex<std::collections::HashMap<uuid::Uuid, std::time::Instant>>,
    /// Verified API tokens (see `auth::TokenCache`).
    pub token_cache: auth::TokenCache,
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
    /// Buffered query log of high-rate routes (see `audit_queue`).
    pub audit_queue: std::sync::Arc<audit_queue::AuditQueue>,
    /// Signs credit reports (`report-signing.key`, outside the database); `None` refuses to
    /// issue or verify uploaded reports.
    pub report_key: Option<chengxin_report::SigningKey>,
    /// 出具机构 printed on credit reports.
    pub report_issuer: String,
    /// The portal's report-verification page; a report's QR code points at
    /// `<url>?no=<报告编号>&code=<验证码>`.
    pub report_verify_url: String,
}

impl App {
    /// The state with default security settings and the personal-data key derived from the
    /// ID-hash key.
    pub fn new(
        store: Arc<dyn Store>,
        id_hasher: chengxin_domain::subjects::IdHasher,
        upload_dir: std::path::PathBuf,
        auth: auth::AuthSettings,
    ) -> Self {
        Self {
            store,
            metrics: Metrics::default(),
            api_token: None,
            pii: chengxin_access::PiiCipher::from_id_hasher(&id_hasher),
            id_hasher,
            upload_dir,
            limiter: std::sync::Mutex::new(chengxin_access::RateLimiter::new(auth.token_rate)),
            auth,
            token_use: std::sync::Mutex::new(std::collections::HashMap::new()),
            token_cache: auth::TokenCache::default(),
            checks: chengxin_checks::CheckIndex::default(),
            today: None,
            rights_rules: None,
            department_bodies: None,
            audit_queue: std::sync::Arc::new(audit_queue::AuditQueue::default()),
            report_key: None,
            report_issuer: DEFAULT_REPORT_ISSUER.to_string(),
            report_verify_url: DEFAULT_REPORT_VERIFY_URL.to_string(),
        }
    }

    /// The state with the credit-report signing key set.
    pub fn with_report_key(mut self, key: chengxin_report::SigningKey) -> Self {
        self.report_key = Some(key);
        self
    }

    /// The public key credit reports are verified with.
    pub fn report_public_key(&self) -> Option<chengxin_report::VerifyingKey> {
        self.report_key.as_ref().map(|k| k.verifying_key())
    }

    /// The credit-rights rules in force here.
    pub fn rights_rules(&self) -> error::AppResult<&chengxin_domain::rights::RightsRules> {
        match &self.rights_rules {
            Some(r) => Ok(r),
            None => services::rights::rules(),
        }
    }

    /// Which departments act in which implementing-department roles here.
    pub fn department_bodies(
        &self,
    ) -> error::AppResult<&chengxin_domain::lists::bodies::DepartmentBodies> {
        match &self.department_bodies {
            Some(b) => Ok(b),
            None => chengxin_domain::lists::bodies::DepartmentBodies::default_checked()
                .map_err(|e| error::AppError::Unavailable(e.to_string())),
        }
    }

    /// Today in China — the date deadlines and periods are counted in.
    pub fn today(&self) -> chrono::NaiveDate {
        self.today
            .unwrap_or_else(chengxin_store::clock::today_in_china)
    }
}

pub type AppState = Arc<App>;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Chengxin 诚信 API",
        description = "政务诚信信息系统接口。Errors are `{code, message}`: a stable snake_case code and a Chinese message."
    ),
    paths(
        routes::health::healthz,
        routes::health::readyz,
        routes::health::metrics,
        routes::health::log_head,
        routes::reference::catalog,
        routes::reference::catalog_type,
        routes::reference::validate_codes,
        routes::reference::workdays_add,
        routes::reference::workdays_between,
        routes::records::get_record,
        routes::records::transition,
        routes::records::timeliness,
        routes::records::link_queue,
        routes::records::link,
        routes::batches::submit,
        routes::batches::get_batch,
        routes::batches::errors,
        routes::session::login,
        routes::session::whoami,
        routes::session::logout,
        routes::session::change_password,
        routes::admin::list_accounts,
        routes::admin::create_account,
        routes::admin::account_action,
        routes::admin::list_tokens,
        routes::admin::issue_token,
        routes::admin::revoke_token,
        routes::audit::list,
        routes::audit::export,
        routes::subjects::identity,
        routes::checks::check,
        routes::cases::list,
        routes::cases::advance,
        routes::cases::feedback,
        routes::checks::outcome,
        routes::lists::propose,
        routes::lists::act,
        routes::lists::get_entry,
        routes::rights::file_objection,
        routes::rights::file_repair,
        routes::rights::file_complaint,
        routes::rights::track,
        routes::rights::add_evidence,
        routes::rights::withdraw,
        routes::rights::queue,
        routes::rights::get_application,
        routes::rights::act,
        routes::rights::evidence,
        routes::rights::tolerance,
        routes::rights::mitigation,
        routes::rights::public_archive,
        routes::rights::own_archive,
        routes::credit_reports::issue,
        routes::credit_reports::pdf,
        routes::credit_reports::verify,
    ),
    components(schemas(error::ErrorBody)),
    modifiers(&SecurityAddon)
)]
pub struct ApiDoc;

/// Declares the bearer-token scheme protected routes use.
struct SecurityAddon;

impl utoipa::Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document, generated from the handlers' annotations.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub(crate) async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}

async fn not_found() -> ApiError {
    AppError::NotFound.into()
}

/// Count and time every routed request by its route template.
async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let resp = next.run(req).await;
    let labels = RequestLabels {
        method,
        route,
        status: resp.status().as_u16(),
    };
    state.metrics.requests.get_or_create(&labels).inc();
    state
        .metrics
        .latency
        .get_or_create(&labels)
        .observe(start.elapsed().as_secs_f64());
    resp
}

pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let track_layer = middleware::from_fn_with_state(state.clone(), track);
    // Built from the route table only: every route carries its access rule.
    let mut api = Router::new();
    let mut uploads = Router::new();
    for (spec, handler) in routes::table::table() {
        let access = spec.access;
        let handler = handler.route_layer(middleware::from_fn(move |req: Request, next: Next| {
            auth::require(access, req, next)
        }));
        if spec.upload {
            uploads = uploads.route(spec.path, handler);
        } else {
            api = api.route(spec.path, handler);
        }
    }
    // Ordinary requests: small bodies, short timeout.
    let api = api
        .route_layer(track_layer.clone())
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            16 * 1024 * 1024,
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ));
    // File submissions: streamed to disk with their own size cap, and time to import.
    let uploads = uploads
        .route_layer(track_layer)
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(3600),
        ));
    Router::new()
        .merge(api)
        .merge(uploads)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), auth::authenticate))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            // The span carries the method, the path and the request id — never the query
            // string, which could carry personal data.
            TraceLayer::new_for_http().make_span_with(|req: &Request| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// Serve on an already-bound listener until `shutdown` resolves, then drain in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
