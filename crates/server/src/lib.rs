//! Chengxin's HTTP server: JSON API, health, metrics and the OpenAPI document.
//!
//! Handlers take [`AppState`] and work against `Arc<dyn Store>`, so the same router serves
//! from SQLite or PostgreSQL. Errors are one enum ([`error::ApiError`]) mapped to status codes
//! in one `IntoResponse`.

pub mod auth;
pub mod client_addr;
pub mod control_chars;
pub mod error;
pub mod flood;
pub mod headers;
pub mod metrics;
pub mod pages;
pub mod route_spec;
pub mod routes;
pub mod table;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;

use axum::{Json, Router};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;

use crate::error::{ApiError, AppError};
use crate::metrics::{Metrics, RequestLabels};

pub use chengxin_app::{App, REPORT_VERIFY_PATH};

/// The server's state: the application context and the HTTP metrics. Handlers reach the
/// context's fields directly (`state.store`) through `Deref`.
#[derive(Clone)]
pub struct AppState(Arc<ServerState>);

/// What [`AppState`] holds.
pub struct ServerState {
    pub app: App,
    pub metrics: Metrics,
}

impl AppState {
    pub fn new(app: App) -> Self {
        Self(Arc::new(ServerState {
            app,
            metrics: Metrics::default(),
        }))
    }

    /// The application context (for use cases and background jobs).
    pub fn app(&self) -> &App {
        &self.0.app
    }
}

impl std::ops::Deref for AppState {
    type Target = ServerState;
    fn deref(&self) -> &ServerState {
        &self.0
    }
}

impl AsRef<App> for AppState {
    fn as_ref(&self) -> &App {
        &self.0.app
    }
}

impl std::ops::Deref for ServerState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

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
        routes::tree_log::checkpoint,
        routes::tree_log::inclusion,
        routes::tree_log::consistency,
        routes::reference::catalog,
        routes::reference::catalog_type,
        routes::reference::validate_codes,
        routes::reference::workdays_add,
        routes::reference::workdays_between,
        routes::calendar::overview,
        routes::calendar::load,
        routes::records::get_record,
        routes::records::free_text,
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
        routes::admin::change_roles,
        routes::admin::list_grants,
        routes::admin::decide_grant,
        routes::admin::list_tokens,
        routes::admin::issue_token,
        routes::admin::revoke_token,
        routes::audit::list,
        routes::audit::export,
        routes::audit::verify,
        routes::subjects::identity,
        routes::checks::check,
        routes::cases::list,
        routes::cases::advance,
        routes::cases::feedback,
        routes::checks::outcome,
        routes::lists::propose,
        routes::lists::act,
        routes::lists::get_entry,
        routes::portal_pages::draft,
        routes::portal_pages::act,
        routes::rights::file_objection,
        routes::rights::file_repair,
        routes::rights::file_complaint,
        routes::rights::track,
        routes::rights::add_evidence,
        routes::rights::withdraw,
        routes::rights::queue,
        routes::rights::get_application,
        routes::rights::act,
        routes::rights::free_text,
        routes::rights::evidence,
        routes::rights::tolerance,
        routes::rights::mitigation,
        routes::rights::public_archive,
        routes::rights::own_archive,
        routes::credit_reports::issue,
        routes::credit_reports::pdf,
        routes::credit_reports::verify,
        routes::batch_work::offers,
        routes::batch_work::template,
        routes::batch_work::precheck,
        routes::batch_work::confirm,
        routes::batch_work::history,
        routes::staff::import_employment_file,
        routes::staff::import_employment_rows,
        routes::staff::import_training_file,
        routes::staff::import_training_rows,
        routes::staff::responsible,
        routes::staff::file_lookup,
        routes::staff::file_open,
        routes::staff::file_pdf,
        routes::commitments::create,
        routes::commitments::list,
        routes::commitments::get,
        routes::commitments::step,
        routes::commitments::add_file,
        routes::commitments::file,
        routes::commitments::kinds,
        routes::commitments::public,
        routes::arrears::create_contract,
        routes::arrears::list_contracts,
        routes::arrears::get_contract,
        routes::arrears::complete_milestone,
        routes::arrears::payment_terms,
        routes::arrears::register,
        routes::arrears::report,
        routes::arrears::list,
        routes::arrears::totals,
        routes::arrears::get,
        routes::arrears::step,
        routes::notifications::inbox,
        routes::notifications::read,
        routes::notifications::webhook,
        routes::notifications::set_webhook,
        routes::work::open,
        routes::work::queue,
        routes::work::export,
        routes::work::get,
        routes::work::step,
        routes::work::types,
        routes::work::import_hotline,
        routes::work::task_overview,
        routes::work::task_export,
        routes::work::task_report,
        routes::work_public::file,
        routes::work_public::track,
        routes::work_public::rate,
        routes::work_public::add_evidence,
        routes::work::reveal,
        routes::work::task_pdf,
        routes::work::file,
        routes::ppp::create,
        routes::ppp::list,
        routes::ppp::get,
        routes::ppp::advance,
        routes::ppp::add_responsible,
        routes::ppp::breach,
        routes::ppp::responsible,
        routes::ppp::debtor_create,
        routes::ppp::debtor_list,
        routes::ppp::debtor_register,
        routes::ppp::debtor_get,
        routes::ppp::debtor_progress,
        routes::ppp::debtor_import,
        routes::debt::import,
        routes::debt::list,
        routes::debt::history,
        routes::debt::ratios,
        routes::debt::levels,
        routes::feed::page,
        routes::evaluation::compute,
        routes::evaluation::runs,
        routes::evaluation::publish,
        routes::evaluation::ranking,
        routes::evaluation::ranking_xlsx,
        routes::evaluation::explain,
        routes::evaluation::warnings,
        routes::evaluation::import,
        routes::evaluation::events,
        routes::evaluation::indicators,
        routes::evaluation::grade,
        routes::exchange::national_day,
        routes::evaluation::report_pdf,
    ),
    components(schemas(
        error::ErrorBody,
        chengxin_app::FieldProblem,
        chengxin_app::portal_pages::DraftRequest,
        chengxin_app::portal_pages::PageActionRequest,
        chengxin_app::commitments::CommitmentRequest,
        chengxin_app::commitments::MilestoneInput,
        chengxin_app::commitments::CommitmentStepRequest,
        chengxin_app::notify::webhook::WebhookRequest,
        chengxin_app::work::OpenRequest,
        chengxin_app::work::StepRequest,
        chengxin_app::work::Attachment,
        chengxin_app::work::hotline::HotlineReport,
        chengxin_app::work::hotline::HotlineRowError,
        chengxin_app::work::tasks::ReportRequest,
        chengxin_app::work::tasks::UnitLine,
        chengxin_app::work::tasks::TaskLine,
        chengxin_app::work::tasks::UnitSummary,
        chengxin_app::work::tasks::TaskOverview,
        chengxin_app::arrears::ContractRequest,
        chengxin_app::arrears::ContractMilestoneInput,
        chengxin_app::arrears::MilestoneDone,
        chengxin_app::arrears::ArrearRequest,
        chengxin_app::arrears::ArrearStepRequest,
        chengxin_app::ppp::ProjectRequest,
        chengxin_app::ppp::AdvanceRequest,
        chengxin_app::ppp::ResponsibleInput,
        chengxin_app::ppp::BreachRequest,
        chengxin_app::ppp::DebtorCaseRequest,
        chengxin_app::ppp::DebtorProgressRequest,
        chengxin_app::debt::DebtImportReport,
        chengxin_app::debt::RowProblem,
        chengxin_app::debt::LevelChangeView,
        chengxin_app::debt::DebtPage,
        chengxin_app::debt::DebtPositionView,
        chengxin_app::debt::DebtHistory,
        chengxin_app::debt::RegionDebtRatio,
        chengxin_app::evaluation::ComputeRequest,
        chengxin_app::evaluation::RankingView,
        chengxin_app::evaluation::RankingLine,
        chengxin_app::evaluation::Explanation,
        chengxin_app::evaluation::ImportOutcome,
        routes::evaluation::PublishRequest,
        chengxin_app::exchange::national::NationalView,
        chengxin_app::work::PublicComplaintRequest,
        chengxin_app::work::PublicFiled,
        chengxin_app::work::PublicTrack,
        chengxin_app::work::PublicStep,
        chengxin_app::work::PublicRating,
        chengxin_app::work::ComplainantView,
        chengxin_app::work::ComplaintArrear,
        routes::work::RevealRequest,
        chengxin_app::feed::FeedPage,
        chengxin_app::feed::FeedEntry,
        chengxin_app::feed::FeedState
    )),
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

/// An unknown address: JSON under `/api`, an HTML page (portal or console) elsewhere.
async fn unknown_address(
    State(state): State<AppState>,
    caller: auth::Caller,
    uri: axum::http::Uri,
) -> Response {
    use axum::response::IntoResponse;
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") {
        return ApiError::from(AppError::NotFound).into_response();
    }
    pages::not_found(&state, &caller, path).await
}

/// Count and time every routed request by its route template.
async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    // Bounded labels: a made-up method must not add a series of its own.
    let method = match req.method().as_str() {
        m @ ("GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS") => m.to_string(),
        _ => "OTHER".to_string(),
    };
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
    for (spec, handler) in table::table() {
        let access = spec.access;
        let mut handler =
            handler.route_layer(middleware::from_fn(move |req: Request, next: Next| {
                auth::require(access, req, next)
            }));
        if !spec.cleans_text {
            handler = handler.route_layer(middleware::from_fn(control_chars::refuse));
        }
        // Outermost: a refused flood costs no more than a counter.
        if let Some(class) = spec.flood {
            handler = handler.route_layer(middleware::from_fn_with_state(
                state.clone(),
                move |State(s): State<AppState>, req: Request, next: Next| {
                    flood::limit(class, s, req, next)
                },
            ));
        }
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
        .fallback(unknown_address)
        .layer(middleware::from_fn_with_state(state.clone(), auth::authenticate))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            headers::security_headers,
        ))
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

/// The router of the separate metrics listener (`chengxin serve --metrics-listen`): only
/// `GET /metrics`, for whoever reaches that address (a monitoring network, loopback).
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route(
            "/metrics",
            axum::routing::get(routes::health::metrics_listener),
        )
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            headers::security_headers,
        ))
        .with_state(state)
}

/// Serve [`metrics_router`] on its own listener (ended by aborting the task).
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    state: AppState,
) -> std::io::Result<()> {
    axum::serve(listener, metrics_router(state)).await
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
