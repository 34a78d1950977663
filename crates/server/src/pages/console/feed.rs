//! 逐级归集 (issue 21): `/console/feed` — each lower instance this one pulls from: how far its
//! change log has been received (cursor), how far behind it is (lag), the last signed head held
//! of it (this instance is its witness) and the last error. Reads through `chengxin_app::feed`.

use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use chengxin_access::Permission as P;
use maud::html;

use super::{api_error_page, gate, render};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;

fn may(c: &Caller) -> bool {
    c.has(P::ReportsRead)
}

fn state_label(s: &str) -> &'static str {
    match s {
        "ok" => "正常",
        "failed" => "已拒收",
        "new" => "尚未接收",
        _ => "未知",
    }
}

pub async fn page(State(state): State<AppState>, caller: Caller, uri: Uri) -> Response {
    let v = match gate(&state, &caller, &uri, may).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let links = match chengxin_app::feed::links(&state, &caller).await {
        Ok(l) => l,
        Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
    };
    let received = match chengxin_app::feed::received(&state, &caller, 50).await {
        Ok(r) => r,
        Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
    };
    let body = html! {
        h1 { "逐级归集" }
        p { "本平台从下级平台拉取其变更日志：每页附签名树头与一致性证明，本平台逐页验证后入库，同时作为下级平台日志的见证方。" }
        @if links.is_empty() {
            p { "未配置下级平台（CHENGXIN_FEED_SOURCES）。" }
        } @else {
            table {
                thead { tr {
                    th { "下级平台" } th { "地区" } th { "状态" } th { "已接收至" }
                    th { "滞后（条）" } th { "持有的签名树头" } th { "已接收记录" } th { "最近错误" } th { "更新时间" }
                } }
                tbody {
                    @for l in &links {
                        tr {
                            td { (l.name) }
                            td { (chengxin_domain::regions::RegionTable::national().full_name(&l.region).unwrap_or_else(|| l.region.clone())) }
                            td { (state_label(&l.state)) }
                            td { "第 " (l.applied) " 条" }
                            td { ((l.sender_size - l.applied).max(0)) }
                            td {
                                @if l.head_size > 0 {
                                    (l.head_size) " 条，树根 " code { (l.head_root.get(..16).unwrap_or_default()) "…" }
                                } @else { "—" }
                            }
                            td { (l.records) }
                            td {
                                @match (&l.error_code, &l.error) {
                                    (Some(code), Some(msg)) => { (msg) "（" code { (code) } "）" }
                                    _ => { "—" }
                                }
                            }
                            td { (l.updated_at.get(..19).unwrap_or_default().replace('T', " ")) " UTC" }
                        }
                    }
                }
            }
        }
        @if !received.is_empty() {
            h2 { "最近接收的记录" }
            table {
                thead { tr { th { "主体" } th { "文书号" } th { "决定日期" } th { "状态" } th { "来源" } } }
                tbody {
                    @for r in &received {
                        tr {
                            td { (r.subject_name) }
                            td { (r.doc_no) }
                            td { (r.decision_date) }
                            td { (chengxin_app::feed::status_label(&r.status)) }
                            td { "来源：" (r.origin) @if r.link != r.origin { "（经" (r.link) "）" } }
                        }
                    }
                }
            }
        }
    };
    render(&caller, &v, "逐级归集", "/console/feed", body)
}
