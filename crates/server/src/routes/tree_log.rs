//! The change log's Merkle tree: the latest signed tree head and proofs (public; see
//! `chengxin_app::tree_log`).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::input::query_error;
use crate::error::ApiResult;
use crate::AppState;
use chengxin_app::tree_log::{self, ConsistencyView, InclusionView};

/// The latest signed tree head: a C2SP checkpoint (origin, tree size, base64 root) signed as
/// a signed note with the log-signing key. Keep it: `chengxin verify --against` proves later
/// logs consistent with it.
#[utoipa::path(get, path = "/api/v1/log/checkpoint", tag = "log",
    responses((status = 200, content_type = "text/plain", body = String),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn checkpoint(State(state): State<AppState>) -> ApiResult<impl IntoResponse> {
    let note = tree_log::latest_head(&state).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], note))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InclusionParams {
    /// The change-log entry's sequence number (from 1).
    pub seq: i64,
    /// Tree size (default: the latest signed head's).
    pub size: Option<u64>,
}

/// The inclusion proof of a change-log entry in the tree of a given size.
#[utoipa::path(get, path = "/api/v1/log/proof/inclusion", tag = "log", params(InclusionParams),
    responses((status = 200, body = InclusionView), (status = 400, body = crate::error::ErrorBody)))]
pub async fn inclusion(
    State(state): State<AppState>,
    q: Result<Query<InclusionParams>, QueryRejection>,
) -> ApiResult<Json<InclusionView>> {
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(tree_log::inclusion(&state, q.seq, q.size).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyParams {
    /// The older tree size.
    pub from: u64,
    /// The newer tree size (default: the latest signed head's).
    pub to: Option<u64>,
}

/// The consistency proof between two tree sizes (the older tree is a prefix of the newer).
#[utoipa::path(get, path = "/api/v1/log/proof/consistency", tag = "log", params(ConsistencyParams),
    responses((status = 200, body = ConsistencyView), (status = 400, body = crate::error::ErrorBody)))]
pub async fn consistency(
    State(state): State<AppState>,
    q: Result<Query<ConsistencyParams>, QueryRejection>,
) -> ApiResult<Json<ConsistencyView>> {
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(tree_log::consistency(&state, q.from, q.to).await?))
}
