//! One row of the route table (`table`): a route with the access it needs. Its own module so
//! that the table (which lists the API routes and the pages) and the pages (which declare
//! their own rows) do not import each other.

use axum::http::Method;

use crate::auth::Access;

/// One route of the API.
pub struct RouteSpec {
    pub method: Method,
    /// Path template with `{param}` segments.
    pub path: &'static str,
    pub access: Access,
    /// File submissions: no body limit, long timeout.
    pub upload: bool,
    /// The handler cleans its free text itself, item by item (the party names of a check: one
    /// stray character must not refuse a bidding platform's whole batch), so control
    /// characters are not refused up front (`control_chars`).
    pub cleans_text: bool,
    /// Anonymous requests are counted per client and in total (`crate::flood`).
    pub flood: Option<crate::flood::FloodClass>,
}
