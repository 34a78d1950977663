//! 信用报告（网页版）: an issued report shown as HTML, rendered from the stored signed report
//! (never recomputed), with its number, issue time, 验证码 and QR code, a link to the PDF as
//! issued and a print-friendly layout. Who may see it is exactly who may download the PDF;
//! every view is in the query log like a download.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use chengxin_access::Permission as P;
use chengxin_report::SignedReport;
use chengxin_store::StoreError;
use maud::{html, Markup};
use qrcode::{Color, EcLevel, QrCode};

use super::{api_error_page, enc, gate, render};
use crate::auth::Caller;
use crate::error::{ApiError, AppError};
use crate::AppState;
use chengxin_app::credit_reports::{clean_report_no, may_read_issued, stored_signed};
use chengxin_domain::codes::id_number::mask_in_text;

/// Quiet zone around the QR symbol, in modules (the standard asks for 4).
const QUIET: usize = 4;
/// Chinese ordinals of the sections (一、二、…), as in the PDF.
const ORDINALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

fn ordinal(i: usize) -> String {
    ORDINALS
        .get(i)
        .map(|s| s.to_string())
        .unwrap_or_else(|| (i + 1).to_string())
}

/// The QR code of `text` as an inline SVG: one path of unit squares (horizontal runs of dark
/// modules merged) on a white background, scaled by the viewBox. `None` if the text does not
/// fit in a QR symbol.
fn qr_svg(text: &str) -> Option<Markup> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let dark: Vec<bool> = code
        .to_colors()
        .into_iter()
        .map(|c| c == Color::Dark)
        .collect();
    let is_dark = |x: usize, y: usize| dark.get(y * width + x).copied().unwrap_or(false);
    let mut d = String::new();
    for y in 0..width {
        let mut x = 0;
        while x < width {
            if is_dark(x, y) {
                let start = x;
                while x < width && is_dark(x, y) {
                    x += 1;
                }
                d.push_str(&format!(
                    "M{} {}h{}v1h-{}z",
                    start + QUIET,
                    y + QUIET,
                    x - start,
                    x - start
                ));
            } else {
                x += 1;
            }
        }
    }
    let side = width + 2 * QUIET;
    Some(html! {
        svg.qr xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {side} {side}"))
            width="148" height="148" shape-rendering="crispEdges" role="img"
            aria-label="报告验真二维码" {
            rect width=(side) height=(side) fill="#fff" {}
            path d=(d) fill="#000" {}
        }
    })
}

/// A cell's text: line breaks kept, anything that looks like an ID number masked (pages never
/// show one in clear, whatever a record's field held).
fn cell_text(s: &str) -> Markup {
    let masked = mask_in_text(s).into_owned();
    html! {
        @for (i, line) in masked.split('\n').enumerate() {
            @if i > 0 { br; }
            (line)
        }
    }
}

/// A `YYYY-MM-DD` cell (kept on one line, also when printed).
fn is_date(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() && s.len() == 10
}

fn report_body(signed: &SignedReport, verify_url: &str) -> Markup {
    let r = &signed.report;
    let issued = match chrono::FixedOffset::east_opt(8 * 3600) {
        Some(cst) => r
            .issued_at
            .with_timezone(&cst)
            .format("%Y年%m月%d日 %H:%M:%S")
            .to_string(),
        None => r.issued_at.format("%Y-%m-%d %H:%M:%S %:z").to_string(),
    };
    let code = &signed.verification_code;
    let qr_url = format!("{verify_url}?no={}&code={}", enc(&r.report_no), enc(code));
    // The portal page on this site (the QR may carry an absolute address of the portal).
    let portal_url = format!("/portal/verify?no={}&code={}", enc(&r.report_no), enc(code));
    let pdf_url = format!("/api/v1/credit-reports/{}/pdf", enc(&r.report_no));
    let subject_code = if r.subject.kind.is_person() {
        mask_in_text(&r.subject.code).into_owned()
    } else {
        r.subject.code.clone()
    };
    html! {
        article.credit-report #credit-report {
            div.report-actions {
                a.button #report-pdf-link href=(pdf_url) download=(format!("{}.pdf", r.report_no)) {
                    "下载 PDF"
                }
                " "
                a.button.secondary href="/console/reports/credit" { "返回信用报告" }
            }
            div.report-meta {
                dl.kv {
                    dt { "报告编号" } dd { strong #report-no { (r.report_no) } }
                    dt { "出具时间" } dd #report-time { (issued) }
                    dt { "出具机构" } dd #report-issuer { (r.issuer) }
                    dt { "验证码" } dd { strong.code #report-code { (code) } }
                }
                figure.report-qr {
                    @match qr_svg(&qr_url) {
                        Some(svg) => { (svg) }
                        None => { span.hint { "（无法生成二维码）" } }
                    }
                    figcaption { "扫码或凭报告编号和验证码验真" }
                }
            }
            h2 { "信用主体" }
            div.table-wrap { table.report-subject {
                tbody {
                    tr { th scope="row" { "主体名称" } td #report-subject-name { (r.subject.name) } }
                    tr { th scope="row" { (r.subject.kind.code_label()) } td #report-subject-code { (subject_code) } }
                    tr { th scope="row" { "主体类别" } td { (r.subject.kind.label()) } }
                }
            } }
            @for (i, s) in r.sections.iter().enumerate() {
                section.report-section {
                    h2 { (ordinal(i)) "、" (s.title) }
                    @if let Some(note) = &s.note { p.hint { (note) } }
                    @if s.table.is_empty() {
                        p.report-none { "无" }
                    } @else {
                        div.table-wrap { table {
                            thead { tr { @for h in &s.table.headers { th scope="col" { (h) } } } }
                            tbody {
                                @for row in &s.table.rows {
                                    tr { @for c in row {
                                        @if is_date(c) { td.date { (c) } } @else { td { (cell_text(c)) } }
                                    } }
                                }
                            }
                        } }
                    }
                }
            }
            section.report-verify {
                h2 { "报告验真" }
                p {
                    "本报告经出具机构电子签名。报告使用人可扫描上方二维码，或在门户“"
                    a href=(portal_url) { "报告验真" }
                    "”页面输入报告编号 " strong { (r.report_no) } " 和验证码 " strong { (code) }
                    " 核验真伪；也可上传报告 PDF 文件核验。"
                }
                p.hint { "验真地址：" span.url { (qr_url) } }
                p.hint {
                    "本报告列示出具时公示中的信用信息，内容以出具时为准；网页版与同编号的 PDF 版内容一致。"
                }
            }
        }
    }
}

/// `/console/reports/credit/{report_no}`: an issued report as a web page.
pub async fn view(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path(report_no): Path<String>,
) -> Response {
    let v = match gate(&state, &caller, &uri, |c| {
        c.has(P::ReportsIssue) || c.has(P::CreditReportOwn)
    })
    .await
    {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(no) = clean_report_no(&report_no) else {
        return api_error_page(&caller, &v, &ApiError(AppError::NotFound));
    };
    let row = match state.store.credit_report(&no).await {
        Ok(Some(row)) => row,
        Ok(None) => return api_error_page(&caller, &v, &ApiError(AppError::NotFound)),
        Err(e) => return api_error_page(&caller, &v, &e.into()),
    };
    let subject = match state.store.subject(row.subject_id).await {
        Ok(Some(s)) => s,
        Ok(None) => return api_error_page(&caller, &v, &ApiError(AppError::NotFound)),
        Err(e) => return api_error_page(&caller, &v, &e.into()),
    };
    // Same rule as downloading the PDF, and in the query log the same way.
    let mut e = caller.audit("query", "credit_report_view", "ok");
    e.target = Some(row.report_no.clone());
    e.detail = serde_json::json!({"subject": subject.id, "report_no": row.report_no});
    let allowed = may_read_issued(&caller, &subject);
    if allowed.is_err() {
        e.outcome = "denied".into();
    }
    if let Err(err) = state.store.audit(&[e]).await {
        return api_error_page(&caller, &v, &err.into());
    }
    if let Err(err) = allowed {
        return api_error_page(&caller, &v, &err.into());
    }
    // Never show a report whose stored copy does not check out (a row edited in the database).
    let key = state.report_key.as_ref().map(|k| k.verifying_key());
    let Some(signed) = stored_signed(&row, key.as_ref()) else {
        let err: ApiError =
            StoreError::Corrupt(format!("信用报告 {} 的存档未通过完整性核验", row.report_no))
                .into();
        return api_error_page(&caller, &v, &err);
    };
    // The QR as printed on the PDF (the absolute address); the portal's own page otherwise.
    let verify_url = state
        .report_verify_url
        .as_deref()
        .unwrap_or(chengxin_app::REPORT_VERIFY_PATH);
    let body = report_body(&signed, verify_url);
    render(&caller, &v, "信用报告", "/console/reports/credit", body)
}
