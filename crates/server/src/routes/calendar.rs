//! The working-day calendar as run-time data: what it covers, and loading a year's schedule.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

use super::input::json_error;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;
use chengxin_app::calendar::{self, CalendarOverview, LoadReport};

/// The years the calendar in effect covers (shipped and loaded), and how long it still covers.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "calendar",
    responses((status = 200, body = CalendarOverview)))]
pub async fn overview(State(state): State<AppState>) -> ApiResult<Json<CalendarOverview>> {
    Ok(Json(
        calendar::overview(state.store.as_ref(), state.today()).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoadCalendar {
    /// The file's name (kept with the loaded years).
    pub source: String,
    /// The file's text: TOML in the shipped format (`data/calendar/cn-holidays.toml`), one or
    /// more `[[years]]`, each holiday and make-up day naming its notice.
    pub content: String,
    /// Replace covered years whose content differs (otherwise refused).
    #[serde(default)]
    pub replace: bool,
}

/// Load a year's official holiday schedule (administrators): validated, change-logged, in
/// effect at once; running deadlines counted provisionally are counted again and their
/// owners told.
#[utoipa::path(post, path = "/api/v1/calendar/years", tag = "calendar",
    request_body = LoadCalendar,
    responses((status = 200, body = LoadReport), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn load(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<LoadCalendar>, JsonRejection>,
) -> ApiResult<Json<LoadReport>> {
    let Json(body) = body.map_err(json_error)?;
    Ok(Json(
        calendar::upload(&state, &caller, &body.source, &body.content, body.replace).await?,
    ))
}
