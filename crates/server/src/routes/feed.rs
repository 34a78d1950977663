//! The change feed for the upper-level instance (逐级归集, issue 21; `chengxin_app::feed`,
//! docs/FEED.md): a `feed_read` token scoped to this instance's region.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::input::query_error;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;
use chengxin_app::feed::{self, FeedPage};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// The last entry the receiver applied (0 at first).
    pub after: i64,
    /// Entries per page (1–1000, default 500).
    pub limit: Option<i64>,
    /// The size of the last signed head of this instance the receiver holds: the page carries
    /// the consistency proof from it.
    pub known: Option<u64>,
}

/// A page of this instance's change feed under its latest signed tree head: the entries after
/// the cursor, the content of the records they changed, and the consistency proofs (from the
/// page's end and from the receiver's last head to the page's head).
#[utoipa::path(get, path = "/api/v1/feed", tag = "feed", params(FeedParams),
    security(("bearer" = [])),
    responses((status = 200, body = FeedPage), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<FeedParams>, QueryRejection>,
) -> ApiResult<Json<FeedPage>> {
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(
        feed::page(&state, &caller, q.after, q.limit, q.known).await?,
    ))
}
