//! Staff console (工作台): login with the second factor, then pages by role.

use axum::routing::MethodRouter;

use crate::routes::table::RouteSpec;
use crate::AppState;

pub fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    Vec::new()
}
