//! 承诺公示 (issue 18): public commitments (乡镇/街道公开承诺, 服务承诺, 统计诚信承诺, 信用承诺)
//! with each milestone's fulfilment status, searchable by the promisor's name.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use chengxin_app::commitments::CommitmentView;
use maud::{html, Markup};
use serde::Deserialize;

use super::{portal_page, unavailable};
use crate::auth::Caller;
use crate::pages::visitor;
use crate::AppState;

/// Query of the page.
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    pub q: Option<String>,
    pub page: Option<i64>,
}

fn tag(state: &str, name: &str) -> Markup {
    let class = match state {
        "fulfilled" | "kept" => "tag ok",
        "overdue" => "tag warn",
        "breached" => "tag err",
        _ => "tag muted",
    };
    html! { span class=(class) { (name) } }
}

/// One public commitment as a card (also in a subject's archive).
pub(crate) fn card(c: &CommitmentView) -> Markup {
    html! {
        article.card.commitment id={ "commitment-" (c.no) } {
            div.record-head {
                span.doc { "承诺编号：" (c.no) }
                span.date { "承诺日期：" (c.promised_on) }
                (tag(&c.state, c.state_name))
            }
            h3 { (c.title) }
            dl.kv {
                dt { "承诺主体" } dd.promisor { (c.promisor_name) }
                dt { "类别" } dd { (c.kind_name) }
                dt { "承诺内容" } dd { (c.content) }
                dt { "依据" } dd { (c.legal_basis) }
            }
            div.table-wrap { table {
                thead { tr { th scope="col" { "履行节点" } th scope="col" { "兑现期限" } th scope="col" { "履行情况" } } }
                tbody {
                    @for m in &c.milestones {
                        tr {
                            td data-label="履行节点" { (m.title) }
                            td data-label="兑现期限" { (m.due) }
                            td data-label="履行情况" { (tag(&m.state, m.state_name)) }
                        }
                    }
                }
            } }
        }
    }
}

/// `/portal/commitments`.
pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<Params>, QueryRejection>,
) -> Response {
    let v = visitor(&state, &caller).await;
    let p = q.map(|Query(q)| q).unwrap_or_default();
    let name = p.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let rows = match chengxin_app::commitments::public_list(&state, name, None, p.page.unwrap_or(1))
        .await
    {
        Ok(r) => r,
        Err(e) => return unavailable(&v, e),
    };
    portal_page(
        &v,
        "承诺公示",
        "/portal/commitments",
        html! {
            p.lead { "乡镇（街道）公开承诺、服务承诺、统计诚信承诺和市场主体信用承诺及其履行情况，接受社会监督。对未履行承诺的，可通过“投诉举报”反映。" }
            form.search method="get" action="/portal/commitments" role="search" {
                label for="pc-q" { "承诺主体、承诺名称或编号" }
                input #pc-q name="q" type="search" maxlength="50" value=(name.unwrap_or_default());
                button type="submit" { "查询" }
            }
            @if rows.is_empty() {
                div.notice.info #no-commitments { "没有符合条件的公示承诺。" }
            }
            @for c in &rows { (card(c)) }
        },
    )
}
