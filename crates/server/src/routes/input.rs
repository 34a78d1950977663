//! Turning rejected request parts into the API's errors, shared by the route modules: one
//! code and one Chinese wording for each kind of bad input.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

pub fn json_error(e: JsonRejection) -> AppError {
    AppError::invalid("invalid_json", format!("请求体错误：{}", e.body_text()))
}

pub fn query_error(e: QueryRejection) -> AppError {
    AppError::invalid("invalid_query", format!("查询参数错误：{}", e.body_text()))
}

pub fn parse_id(s: &str) -> AppResult<Uuid> {
    Uuid::parse_str(s).map_err(|_| AppError::invalid("invalid_id", format!("“{s}”不是合法的编号")))
}

/// [`parse_id`] of a batch (the message names it).
pub fn parse_batch_id(s: &str) -> AppResult<Uuid> {
    Uuid::parse_str(s)
        .map_err(|_| AppError::invalid("invalid_id", format!("“{s}”不是合法的批次编号")))
}
