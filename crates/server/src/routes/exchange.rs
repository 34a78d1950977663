//! Exchange (issue 21): the national export of one day as JSON, for a province-level push.
//! Thin: the rules are `chengxin_app::exchange::national`.

use axum::extract::{Path, State};
use axum::Json;
use chengxin_app::error::AppError;
use chengxin_app::exchange::national::{self, NationalView};

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;

/// The national platform's incremental export of a day (China time, over): 双公示 with the
/// national standard's columns, 政务失信, list events (列入/移出) and repair results that
/// changed that day, within the caller's region; the manifest as signed with the log key
/// (per type: rows, bytes and SHA-256 of the CSV and XLSX files `chengxin export national`
/// writes; the change log's size and root at the end of the day) and its signature line.
#[utoipa::path(get, path = "/api/v1/exchange/national/{date}", tag = "exchange",
    params(("date" = String, Path, description = "The day, YYYY-MM-DD (China time)")),
    security(("bearer" = [])),
    responses((status = 200, body = NationalView), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 503, body = crate::error::ErrorBody)))]
pub async fn national_day(
    State(state): State<AppState>,
    caller: Caller,
    Path(date): Path<String>,
) -> ApiResult<Json<NationalView>> {
    let date = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").map_err(|_| {
        AppError::invalid(
            "invalid_date",
            format!(
                "日期“{}”格式错误，应为 YYYY-MM-DD",
                date.chars().take(32).collect::<String>()
            ),
        )
    })?;
    Ok(Json(national::national_for(&state, &caller, date).await?))
}
