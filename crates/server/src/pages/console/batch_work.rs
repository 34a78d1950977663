//! A department clerk's pages (issue 17): the templates card of 数据报送, the pre-check
//! result, 我的报送批次 (the history) and a batch's records.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use chengxin_access::Permission as P;
use chengxin_app::batch_history::{self, HistoryItem};
use chengxin_app::precheck::Precheck;
use chengxin_app::templates::TypeOffer;
use chengxin_store::BatchState;
use maud::{html, Markup};
use serde::Deserialize;

use super::{api_error_page, dt, enc, gate, render};
use crate::auth::Caller;
use crate::pages::html_response;
use crate::routes::input::parse_batch_id;
use crate::AppState;

/// The templates card: each type the department may submit with its template's download
/// link (for a caller without a body, the department typed in the form is added by script).
pub fn templates_card(offers: &[TypeOffer], dept: Option<&str>) -> Markup {
    html! {
        div.card #templates {
            h2 { "报送模板" }
            p.hint {
                "以下为本单位报送范围内的信息类别。模板第一个工作表为国家“双公示”等标准列名（标红为必填列），"
                "第二个工作表“填写说明”逐列说明含义、格式、可选值和示例；填好后可直接上传预检。"
            }
            div.table-wrap { table #template-list {
                thead { tr { th { "信息类别" } th { "列数（必填）" } th { "模板" } } }
                tbody {
                    @if offers.is_empty() { tr { td colspan="3" { "本单位没有可报送的信息类别，请联系信用办。" } } }
                    @for o in offers {
                        @let href = match dept {
                            Some(d) => format!("/api/v1/batches/templates/{}?dept={}", enc(&o.code), enc(d)),
                            None => format!("/api/v1/batches/templates/{}", enc(&o.code)),
                        };
                        tr {
                            td data-label="信息类别" { (o.name) }
                            td data-label="列数（必填）" { (o.columns) "（" (o.required) "）" }
                            td data-label="模板" {
                                a.template-link href=(href) data-type=(o.code) download { "下载 XLSX 模板" }
                            }
                        }
                    }
                }
            } }
        }
    }
}

/// What a pre-check found, with the button that confirms it.
pub fn precheck_view(p: &Precheck) -> Markup {
    let counts: [(&str, u64, &str); 5] = [
        ("将新增", p.added, "pc-added"),
        ("将更正", p.corrected, "pc-corrected"),
        ("无变化", p.unchanged, "pc-unchanged"),
        ("将退回", p.rejected, "pc-rejected"),
        ("将新建主体", p.subjects_new, "pc-subjects"),
    ];
    let accepted = p.added + p.corrected;
    html! {
        div.card #precheck-view {
            h2 { "预检结果（尚未入库）" }
            dl.kv {
                dt { "信息类别" } dd { (p.type_name) }
                @if let Some(f) = &p.file_name { dt { "文件" } dd { (f) "（" (p.format) "，" (p.encoding) "）" } }
                dt { "数据行数" } dd #pc-rows { (p.rows) }
                dt { "有效期至" } dd { (dt(&p.expires_at)) "（过期须重新上传预检）" }
            }
            div.counts {
                @for (label, n, id) in counts {
                    div.count.bad[id == "pc-rejected" && n > 0] {
                        div.n id=(id) { (n) }
                        div.l { (label) }
                    }
                }
            }
            @if p.unlinked > 0 {
                p.hint { "其中 " (p.unlinked) " 条未填写主体代码，入库后进入待关联队列。" }
            }
            @if p.replay_of.is_some() {
                div.notice.info #pc-replay { "该文件此前已报送过（内容完全相同）：确认后不会重复入库，将显示原批次结果。" }
            }
            @if !p.unknown_columns.is_empty() {
                div.notice.info { "以下列不在目录中，将被忽略：" (p.unknown_columns.join("、")) }
            }
            @if !p.corrections.is_empty() {
                h3 { "将更正的记录（同一文书号、内容不同）" }
                div.table-wrap { table #pc-corrections {
                    thead { tr { th { "行号" } th { "文书号" } th { "变化的列" } } }
                    tbody {
                        @for c in &p.corrections {
                            tr {
                                td data-label="行号" { (c.row) }
                                td data-label="文书号" { (c.doc_no) }
                                td data-label="变化的列" { (c.columns.join("、")) }
                            }
                        }
                    }
                } }
                @if p.corrected > p.corrections.len() as u64 {
                    p.hint { "仅列出前 " (p.corrections.len()) " 条。" }
                }
            }
            @if p.rejected > 0 {
                h3 { "将退回的行" }
                @if !p.reject_reasons.is_empty() {
                    div.table-wrap { table #pc-reasons {
                        thead { tr { th { "问题" } th { "行数" } } }
                        tbody {
                            @for r in p.reject_reasons.iter().take(20) {
                                tr { td data-label="问题" { (r.message) } td.num data-label="行数" { (r.rows) } }
                            }
                        }
                    } }
                }
                div.table-wrap { table #pc-rejects {
                    thead { tr { th { "行号" } th { "原因" } } }
                    tbody {
                        @for r in &p.rejects {
                            tr {
                                td data-label="行号" { (r.row) }
                                td data-label="原因" { (r.reasons.join("；")) }
                            }
                        }
                    }
                } }
                p.hint { "证件号码已遮蔽。可以修改文件后重新预检；也可以确认入库，退回的行入库后可下载错误报告修改后重新报送。" }
            }
            @if accepted == 0 && p.replay_of.is_none() {
                div.notice.info { "本文件没有需要新增或更正的记录。" }
            }
            p {
                button #confirm type="button" data-id=(p.id) { "确认入库" }
                " "
                a href="/console/submit" { "放弃，重新选择文件" }
            }
        }
    }
}

/// `/console/precheck/{id}`: a pre-check's result (the caller's own, not expired).
pub async fn precheck(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let v = match gate(&state, &caller, &uri, |c| c.has(P::RecordsSubmit)).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    match chengxin_app::precheck::report(&state, &caller, &id).await {
        Ok(p) => html_response(StatusCode::OK, precheck_view(&p)),
        Err(e) => api_error_page(&caller, &v, &e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct PageParams {
    pub page: Option<i64>,
}

fn page_of(q: Result<Query<PageParams>, QueryRejection>) -> i64 {
    q.ok().and_then(|Query(q)| q.page).unwrap_or(1).max(1)
}

fn pager(base: &str, page: i64, total: i64, per_page: i64) -> Markup {
    let pages = ((total + per_page - 1) / per_page).max(1);
    html! {
        @if pages > 1 {
            nav.pager aria-label="分页" {
                @if page > 1 { a rel="prev" href=(format!("{base}?page={}", page - 1)) { "上一页" } }
                span.info { "第 " (page) " / " (pages) " 页，共 " (total) " 条" }
                @if page < pages { a rel="next" href=(format!("{base}?page={}", page + 1)) { "下一页" } }
            }
        }
    }
}

/// What a batch's records entered with, in words.
fn publication(i: &HistoryItem) -> Markup {
    let p = &i.publication;
    html! {
        @if i.batch.state != BatchState::Committed {
            span.hint { "—" }
        } @else {
            @if i.public {
                span.pub-published { "已公示 " (p.published) " 条" }
            } @else {
                span.pub-published { "已生效（政务共享，不向社会公开） " (p.published) " 条" }
            }
            @if p.past_period > 0 {
                br; span.pub-past { "入库时已过公示期、未公示 " (p.past_period) " 条" }
            }
            @if p.not_published > 0 {
                br; span.pub-none { "依规不公示（如轻微处罚） " (p.not_published) " 条" }
            }
        }
    }
}

/// `/console/batches`: 我的报送批次.
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    q: Result<Query<PageParams>, QueryRejection>,
) -> Response {
    let v = match gate(&state, &caller, &uri, |c| {
        c.has(P::RecordsSubmit) || c.has(P::RecordsReadNonpublic)
    })
    .await
    {
        Ok(v) => v,
        Err(r) => return r,
    };
    let h = match batch_history::history(&state, &caller, page_of(q)).await {
        Ok(h) => h,
        Err(e) => return api_error_page(&caller, &v, &e.into()),
    };
    let body = html! {
        p.hint {
            @if h.own_body { "本单位报送的全部批次，最新在前。" } @else { "辖区内各部门报送的批次，最新在前。" }
            " 数字可点击：新增、更正查看入库的记录，退回下载错误报告。"
            " " a href="/console/submit" { "报送新文件 →" }
        }
        div.table-wrap { table #batch-history {
            thead { tr {
                th { "报送时间" } th { "文件" } th { "信息类别" }
                @if !h.own_body { th { "报送部门" } }
                th { "状态" } th { "新增 / 更正 / 退回" } th { "公示情况" }
            } }
            tbody {
                @if h.items.is_empty() {
                    tr { td colspan="7" { "还没有报送批次。" } }
                }
                @for i in &h.items {
                    @let b = &i.batch;
                    @let records = format!("/console/batches/{}/records", b.id);
                    tr.batch-row data-batch=(b.id) {
                        td.nowrap data-label="报送时间" { a href=(format!("/console/batches/{}", b.id)) { (dt(&b.submitted_at)) } }
                        td data-label="文件" { (b.file_name.clone().unwrap_or_else(|| "（未命名）".into())) }
                        td data-label="信息类别" { (i.type_name) }
                        @if !h.own_body {
                            td data-label="报送部门" { (i.dept_name.clone().unwrap_or_else(|| b.source_dept.clone())) }
                        }
                        td data-label="状态" {
                            @if b.state == BatchState::Committed { span.tag.ok { (i.state_label) } }
                            @else { span.tag.bad { (i.state_label) } }
                        }
                        td data-label="新增 / 更正 / 退回" {
                            a.n-created href=(records) { (b.created) } " / "
                            a.n-corrected href=(records) { (b.corrected) } " / "
                            @if b.rejected > 0 && b.state == BatchState::Committed {
                                a.n-rejected href=(format!("/api/v1/batches/{}/errors?format=xlsx", b.id)) download { (b.rejected) }
                            } @else {
                                span.n-rejected { (b.rejected) }
                            }
                            @if b.duplicates > 0 { br; span.hint { "无变化 " (b.duplicates) } }
                        }
                        td data-label="公示情况" { (publication(i)) }
                    }
                }
            }
        } }
        (pager("/console/batches", h.page, h.total, h.per_page))
    };
    render(&caller, &v, "我的报送批次", "/console/batches", body)
}

/// `/console/batches/{id}/records`: the records a batch created or corrected.
pub async fn records(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path(id): Path<String>,
    q: Result<Query<PageParams>, QueryRejection>,
) -> Response {
    let v = match gate(&state, &caller, &uri, |c| {
        c.has(P::RecordsSubmit) || c.has(P::RecordsReadNonpublic)
    })
    .await
    {
        Ok(v) => v,
        Err(r) => return r,
    };
    let page = page_of(q);
    let read = match parse_batch_id(&id) {
        Ok(id) => batch_history::records(&state, &caller, id, page).await,
        Err(e) => Err(e),
    };
    let (b, records, total) = match read {
        Ok(r) => r,
        Err(e) => return api_error_page(&caller, &v, &e.into()),
    };
    let body = html! {
        p {
            a href="/console/batches" { "← 我的报送批次" } " · "
            a href=(format!("/console/batches/{}", b.id)) { "批次结果" }
        }
        p.hint { (dt(&b.submitted_at)) " 报送的 " (b.file_name.clone().unwrap_or_default()) "：本批次新增或更正、目前仍以本批次为准的记录 " (total) " 条。" }
        div.table-wrap { table #batch-records {
            thead { tr { th { "文书号" } th { "信用主体" } th { "决定日期" } th { "状态" } th { "公示截止" } } }
            tbody {
                @if records.is_empty() { tr { td colspan="5" { "没有记录。" } } }
                @for r in &records {
                    tr {
                        td data-label="文书号" { a href=(format!("/console/records/{}", r.id)) { (r.doc_no) } }
                        td data-label="信用主体" { (chengxin_domain::codes::id_number::mask_in_text(&r.subject_name)) }
                        td.nowrap data-label="决定日期" { (r.decision_date) }
                        td data-label="状态" { (r.status.label()) }
                        td.nowrap data-label="公示截止" {
                            (r.publish_until.map(|d| d.to_string()).unwrap_or_else(|| "—".into()))
                        }
                    }
                }
            }
        } }
        (pager(&format!("/console/batches/{}/records", b.id), page, total, batch_history::PER_PAGE))
    };
    render(&caller, &v, "批次记录", "/console/batches", body)
}
