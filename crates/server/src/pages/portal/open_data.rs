//! 开放数据: the public 双公示 data as CSV (UTF-8 with BOM, formula-neutralised) and XLSX,
//! personal numbers masked, the latest [`MAX_ROWS`] rows, built in memory.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chengxin_domain::records::Record;
use chengxin_ingest::report::neutralise;
use chengxin_store::PublishedFilter;
use maud::html;

use super::{
    day, field, portal_page, record_authority, record_subject_code, type_name, unavailable,
    SGS_TYPES,
};
use crate::auth::Caller;
use crate::pages::{thousands, visitor};
use crate::AppState;

/// At most this many rows per download (the newest decisions).
pub(crate) const MAX_ROWS: i64 = 10_000;

const HEADERS: [&str; 12] = [
    "信息类别",
    "行政相对人名称",
    "统一社会信用代码/证件号码",
    "决定文书号",
    "决定日期",
    "许可或处罚类别",
    "内容",
    "罚款金额（万元）",
    "有效期至/公示截止期",
    "决定机关",
    "数据来源部门代码",
    "标注",
];

/// One row of the download, every cell already masked.
fn row(r: &Record) -> [String; 12] {
    let (category, content, until) = if r.type_code == "admin_license" {
        (
            field(r, "license_category"),
            field(r, "license_content"),
            field(r, "valid_to"),
        )
    } else {
        (
            field(r, "penalty_category"),
            field(r, "penalty_content"),
            field(r, "publicity_deadline"),
        )
    };
    [
        type_name(&r.type_code),
        r.subject_name.clone(),
        record_subject_code(r),
        chengxin_domain::codes::id_number::mask_in_text(&r.doc_no).into_owned(),
        day(r.decision_date),
        category,
        content,
        field(r, "fine_amount"),
        until,
        record_authority(r),
        r.source_dept.clone(),
        if r.tolerated {
            "容错纠错".into()
        } else {
            String::new()
        },
    ]
}

async fn rows(state: &AppState) -> Result<Vec<Record>, chengxin_store::StoreError> {
    state
        .store
        .published_records(&PublishedFilter {
            type_codes: SGS_TYPES.iter().map(|s| s.to_string()).collect(),
            limit: MAX_ROWS,
            ..Default::default()
        })
        .await
}

fn download(body: Vec<u8>, mime: &'static str, name: &str) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::HeaderName::from_static("x-content-type-options"),
                HeaderValue::from_static("nosniff"),
            ),
        ],
        body,
    )
        .into_response()
}

fn failed(e: impl std::fmt::Display) -> Response {
    tracing::warn!(error = %e, "open data download failed");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        "系统繁忙，请稍后再试。",
    )
        .into_response()
}

/// The CSV bytes: UTF-8 with a BOM (so that Excel reads it), every cell neutralised.
pub(crate) fn csv_bytes(records: &[Record]) -> Result<Vec<u8>, csv::Error> {
    let mut out = Vec::with_capacity(records.len() * 200 + 3);
    out.extend_from_slice(b"\xEF\xBB\xBF");
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(HEADERS)?;
        for r in records {
            let cells = row(r);
            w.write_record(cells.iter().map(|c| neutralise(c).into_owned()))?;
        }
        w.flush()?;
    }
    Ok(out)
}

/// The XLSX bytes: one sheet, every cell a string (never a formula).
pub(crate) fn xlsx_bytes(records: &[Record]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let text = Format::new().set_num_format("@");
    let bold = Format::new()
        .set_bold()
        .set_num_format("@")
        .set_background_color(0xF0F1F3);
    let ws = wb.add_worksheet();
    ws.set_name("双公示")?;
    for (c, h) in HEADERS.iter().enumerate() {
        let col = c as u16;
        ws.set_column_format(col, &text)?;
        ws.set_column_width(col, if c == 6 { 48 } else { 18 })?;
        ws.write_string_with_format(0, col, *h, &bold)?;
    }
    ws.set_freeze_panes(1, 0)?;
    for (i, r) in records.iter().enumerate() {
        let rr = u32::try_from(i + 1).unwrap_or(u32::MAX);
        for (c, cell) in row(r).iter().enumerate() {
            let clipped: String = neutralise(cell).chars().take(32_000).collect();
            ws.write_string(rr, c as u16, clipped)?;
        }
    }
    wb.save_to_buffer()
}

/// `/portal/open-data/shuanggongshi.csv`.
pub async fn csv(State(state): State<AppState>) -> Response {
    match rows(&state).await {
        Ok(r) => match csv_bytes(&r) {
            Ok(b) => download(b, "text/csv; charset=utf-8", "shuanggongshi.csv"),
            Err(e) => failed(e),
        },
        Err(e) => failed(e),
    }
}

/// `/portal/open-data/shuanggongshi.xlsx`.
pub async fn xlsx(State(state): State<AppState>) -> Response {
    let records = match rows(&state).await {
        Ok(r) => r,
        Err(e) => return failed(e),
    };
    match tokio::task::spawn_blocking(move || xlsx_bytes(&records)).await {
        Ok(Ok(b)) => download(
            b,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "shuanggongshi.xlsx",
        ),
        Ok(Err(e)) => failed(e),
        Err(e) => failed(e),
    }
}

/// `/portal/open-data`: what can be downloaded.
pub async fn page(State(state): State<AppState>, caller: Caller) -> Response {
    let v = visitor(&state, &caller).await;
    let total = match state
        .store
        .count_published_records(&PublishedFilter {
            type_codes: SGS_TYPES.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        })
        .await
    {
        Ok(n) => n,
        Err(e) => return unavailable(&v, e),
    };
    portal_page(
        &v,
        "开放数据",
        "/portal/open-data",
        html! {
            p.lead { "本平台向社会公开的信用信息可免费下载使用。下载数据中的自然人证件号码已脱敏处理。" }
            section.card #dataset-sgs aria-labelledby="h-sgs" {
                h2 #h-sgs { "双公示信息（行政许可、行政处罚）" }
                dl.kv {
                    dt { "数据范围" } dd { "公示期内的行政许可和行政处罚信息，按决定日期由近及远" }
                    dt { "当前条数" } dd { (thousands(total)) " 条" @if total > MAX_ROWS { "（下载最近 " (thousands(MAX_ROWS)) " 条）" } }
                    dt { "字段" } dd { (HEADERS.join("、")) }
                    dt { "更新频率" } dd { "实时" }
                }
                p.downloads {
                    a.button #download-csv href="/portal/open-data/shuanggongshi.csv" download="shuanggongshi.csv" { "下载 CSV" }
                    " "
                    a.button.secondary #download-xlsx href="/portal/open-data/shuanggongshi.xlsx" download="shuanggongshi.xlsx" { "下载 Excel（XLSX）" }
                }
                p.hint { "CSV 为 UTF-8 编码（带 BOM），可直接用 Excel 或 WPS 打开。以 = + - @ 开头的单元格前加了单引号，防止被当作公式执行。" }
            }
            section.card aria-labelledby="h-terms" {
                h2 #h-terms { "使用说明" }
                ul {
                    li { "数据以本平台公示内容为准；信息被更正、撤销、修复或公示期满后不再包含在下载数据中。" }
                    li { "使用数据时请注明来源，不得用于违法用途，不得对自然人信息进行再识别。" }
                    li { "批量接口服务请联系信用办。" }
                }
            }
        },
    )
}
