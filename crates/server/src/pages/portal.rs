//! The public portal (信用门户): no login; only public information, personal data masked.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, MethodRouter};
use maud::html;

use super::{html_response, layout, page, visitor, Section, PORTAL_NAV};
use crate::auth::Caller;
use crate::routes::table::RouteSpec;
use crate::AppState;

pub fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    vec![page("/", get(home))]
}

/// 首页: figures, the search box, announcements.
pub async fn home(State(state): State<AppState>, caller: Caller) -> Response {
    let v = visitor(&state, &caller).await;
    let subjects = state.store.count_subjects().await.unwrap_or(0);
    let records = state.store.count_records().await.unwrap_or(0);
    html_response(
        StatusCode::OK,
        layout(
            "信用信息公示平台",
            Section::Portal,
            PORTAL_NAV,
            "/",
            &v,
            html! {
                form.card.search role="search" action="/portal/search" method="get" {
                    label for="q" { "信用查询（名称、统一社会信用代码，支持繁体、全角和部分名称）" }
                    input #q type="search" name="q" placeholder="请输入主体名称或统一社会信用代码" required;
                    button type="submit" { "查询" }
                }
                div.grid {
                    div.card.figure { div.n { (super::thousands(subjects)) } div.l { "信用主体" } }
                    div.card.figure { div.n { (super::thousands(records)) } div.l { "信用信息" } }
                }
            },
        ),
    )
}
