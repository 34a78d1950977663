//! Pickers (issue 17: bodies are picked from a searchable list by name, never typed as codes):
//! a `<datalist>` whose options carry the body's 统一社会信用代码 as their value (what the
//! form sends) and its name as their label (what the operator types to find it; the browser
//! filters on both). An input joins it with `list="…"`.

use maud::{html, Markup};

use crate::auth::Caller;
use crate::AppState;

/// The government bodies in the caller's reach, `(USCC, name)` by name; empty when they
/// cannot be read (the input then still takes a typed code).
pub async fn gov_bodies(state: &AppState, caller: &Caller) -> Vec<(String, String)> {
    chengxin_app::subjects::gov_bodies_in_reach(state, caller)
        .await
        .unwrap_or_default()
}

/// The list itself, once per page: `<datalist id=…>`.
pub fn body_list(id: &str, bodies: &[(String, String)]) -> Markup {
    html! {
        datalist id=(id) {
            @for (code, name) in bodies { option value=(code) label=(name) { (name) } }
        }
    }
}
