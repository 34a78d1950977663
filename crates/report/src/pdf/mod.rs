//! PDF rendering of a signed report: A4, Simplified Chinese, embedded font subset, page
//! header and footer (verification code, QR code, 第 N 页 共 M 页) and the embedded payload.

mod document;
mod font;
mod layout;
mod qr;

pub use document::render_document;

use chrono::{Datelike as _, Timelike as _};
use flate2::write::ZlibEncoder;
use flate2::Compression;
use pdf_writer::types::{ActionType, AnnotationType, TextRenderingMode};
use pdf_writer::{Content, Date, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use sha2::{Digest, Sha256};
use std::io::Write as _;

use self::font::Font;
use self::geometry::*;
use self::layout::{Layout, Op};
use crate::error::ReportError;
use crate::extract::envelope_bytes;
use crate::sign::SignedReport;

/// Page geometry and type sizes, in points.
pub(crate) mod geometry {
    /// A4.
    pub const PAGE_W: f32 = 595.28;
    pub const PAGE_H: f32 = 841.89;
    pub const MARGIN_X: f32 = 50.0;
    pub const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
    /// Top of the body (below the running header).
    pub const CONTENT_TOP: f32 = PAGE_H - 62.0;
    /// Bottom of the body (above the footer).
    pub const CONTENT_BOTTOM: f32 = 108.0;
    /// Ascent of the font's em box, as a fraction of the size (Noto Sans CJK: 0.88).
    pub const ASCENT: f32 = 0.88;

    pub const TITLE_SIZE: f32 = 26.0;
    pub const HEADING_SIZE: f32 = 12.0;
    pub const HEADING_LINE: f32 = 22.0;
    pub const BODY_SIZE: f32 = 9.5;
    pub const BODY_LINE: f32 = 16.0;
    pub const NOTE_SIZE: f32 = 8.5;
    pub const NOTE_LINE: f32 = 13.0;
    pub const TABLE_SIZE: f32 = 9.0;
    pub const TABLE_LINE: f32 = 13.0;
    pub const CELL_PAD_X: f32 = 4.0;
    /// Table columns whose longest line is at most this many ems are never wrapped.
    pub const SHORT_COLUMN: f32 = 7.0;
    /// Rows looked at when choosing column widths.
    pub const WIDTH_SAMPLE_ROWS: usize = 80;
    pub const CELL_PAD_Y: f32 = 3.5;
    pub const KV_SIZE: f32 = 10.0;
    pub const KV_LINE: f32 = 15.0;
    pub const KV_PAD_Y: f32 = 5.0;

    pub const RULE_W: f32 = 0.6;
    pub const RULE_GRAY: f32 = 0.3;
    pub const HEADER_FILL: f32 = 0.91;
    pub const STRIPE_FILL: f32 = 0.97;

    /// What an empty table shows.
    pub const NONE_TEXT: &str = "无";

    /// Footer: QR side, and the rule above the footer.
    pub const QR_SIZE: f32 = 62.0;
    pub const FOOTER_RULE_Y: f32 = 96.0;
}

/// Longest accepted verification URL, in bytes (a QR code at level M holds about 2,300).
pub const MAX_VERIFY_URL_LEN: usize = 1_024;

pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    let mut enc = ZlibEncoder::new(Vec::with_capacity(data.len() / 2), Compression::best());
    // Writing into a Vec cannot fail.
    if enc.write_all(data).is_err() {
        return Vec::new();
    }
    enc.finish().unwrap_or_default()
}

/// The date and time printed on the report.
fn format_time(t: &chrono::DateTime<chrono::FixedOffset>) -> String {
    t.format("%Y年%-m月%-d日 %H:%M").to_string()
}

fn pdf_date(t: &chrono::DateTime<chrono::FixedOffset>) -> Date {
    let offset = t.offset().local_minus_utc();
    let hours = (offset / 3600).clamp(-23, 23) as i8;
    let minutes = ((offset.abs() % 3600) / 60) as u8;
    Date::new(t.year().clamp(0, 9999) as u16)
        .month(t.month() as u8)
        .day(t.day() as u8)
        .hour(t.hour() as u8)
        .minute(t.minute() as u8)
        .second(t.second().min(59) as u8)
        .utc_offset_hour(hours)
        .utc_offset_minute(minutes)
}

/// The URL without its query, for printing.
fn printable_url(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// Truncates `text` with “…” to fit `max_w`.
fn fit(layout: &mut Layout<'_, '_>, text: &str, size: f32, max_w: f32) -> String {
    if layout.width(text, size) <= max_w {
        return text.to_owned();
    }
    let mut out = String::new();
    let ell = layout.width("…", size);
    let mut w = 0.0;
    for c in text.chars() {
        let cw = layout.font.char_width(c, size);
        if w + cw + ell > max_w {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// Lays out the body pages.
fn body(l: &mut Layout<'_, '_>, signed: &SignedReport) {
    let r = &signed.report;
    // Title block.
    let title = "信用报告";
    let spacing = 10.0;
    let tw = l.font.text_width(title, TITLE_SIZE, spacing) - spacing;
    let y = PAGE_H - 88.0;
    l.text(
        (PAGE_W - tw) / 2.0,
        y,
        TITLE_SIZE,
        title,
        true,
        0.0,
        spacing,
    );
    let no_line = format!("报告编号：{}", r.report_no);
    let nw = l.width(&no_line, BODY_SIZE);
    l.text(
        (PAGE_W - nw) / 2.0,
        y - 26.0,
        BODY_SIZE,
        &no_line,
        false,
        0.2,
        0.0,
    );
    let rule_y = y - 40.0;
    l.hline(MARGIN_X, PAGE_W - MARGIN_X, rule_y, 1.6, 0.0);
    l.hline(MARGIN_X, PAGE_W - MARGIN_X, rule_y - 3.0, 0.5, 0.0);
    l.y = rule_y - 18.0;

    // Subject block.
    let widths = [100.0, 150.0, 80.0, CONTENT_W - 330.0];
    l.key_values(
        &widths,
        &[
            vec![("主体名称", r.subject.name.clone(), 3)],
            vec![
                (r.subject.kind.code_label(), r.subject.code.clone(), 1),
                ("主体类别", r.subject.kind.label().to_owned(), 1),
            ],
            vec![
                ("出具机构", r.issuer.clone(), 1),
                ("出具时间", format_time(&r.issued_at), 1),
            ],
        ],
    );
    l.y -= 20.0;

    for (i, section) in r.sections.iter().enumerate() {
        l.section(i + 1, section);
        l.y -= 18.0;
    }

    // Statement.
    let statements = [
        format!(
            "本报告依据{}归集的公共信用信息生成，反映截至出具时间的信息记录情况。",
            r.issuer
        ),
        "本报告经出具机构数字签名，签名数据随本文件保存。扫描页脚二维码或登录核验页面，输入报告编号和验证码，可核验报告真伪；报告内容与核验结果不一致的，以核验结果为准。".to_owned(),
        "信用主体对报告内容有异议的，可向出具机构提出异议申请。".to_owned(),
    ];
    l.ensure(HEADING_LINE + 3.0 * BODY_LINE);
    let y = Layout::baseline(l.y, HEADING_SIZE, HEADING_LINE);
    l.text(MARGIN_X, y, HEADING_SIZE, "报告说明", true, 0.0, 0.0);
    l.y -= HEADING_LINE;
    for (i, s) in statements.iter().enumerate() {
        let num = format!("{}. ", i + 1);
        let indent = l.width("0. ", BODY_SIZE);
        let lines = l.wrap(s, BODY_SIZE, CONTENT_W - indent);
        for (k, line) in lines.iter().enumerate() {
            l.ensure(BODY_LINE);
            let y = Layout::baseline(l.y, BODY_SIZE, BODY_LINE);
            if k == 0 {
                l.text(MARGIN_X, y, BODY_SIZE, &num, false, 0.15, 0.0);
            }
            l.text(MARGIN_X + indent, y, BODY_SIZE, line, false, 0.15, 0.0);
            l.y -= BODY_LINE;
        }
    }

    // Issuer and date, right-aligned, as an official document closes.
    l.y -= 18.0;
    l.ensure(2.0 * BODY_LINE + 4.0);
    let issuer = fit(l, &r.issuer, 11.0, CONTENT_W);
    let date = r.issued_at.format("%Y年%-m月%-d日").to_string();
    for (text, size) in [(issuer, 11.0), (date, 11.0)] {
        let w = l.width(&text, size);
        let y = Layout::baseline(l.y, size, BODY_LINE + 2.0);
        l.text(PAGE_W - MARGIN_X - w, y, size, &text, false, 0.0, 0.0);
        l.y -= BODY_LINE + 2.0;
    }
}

/// Adds the running header (pages after the first) and the footer to every page.
fn furniture(l: &mut Layout<'_, '_>, signed: &SignedReport, verify_url: &str) {
    let r = &signed.report;
    let total = l.pages.len();
    let header_left = fit(
        l,
        &format!("信用报告　{}", r.subject.name),
        8.0,
        CONTENT_W * 0.6,
    );
    let header_right = format!("报告编号：{}", r.report_no);
    let right_w = l.width(&header_right, 8.0);
    let url_line = fit(
        l,
        &format!("核验网址：{}", printable_url(verify_url)),
        7.5,
        CONTENT_W - QR_SIZE - 12.0,
    );
    let note =
        "本报告经数字签名。扫描右侧二维码或访问核验网址，输入报告编号和验证码，可核验本报告真伪。";
    let note_lines = l.wrap(note, 7.5, CONTENT_W - QR_SIZE - 12.0);
    let code_line = format!("验证码：{}", signed.verification_code);

    let mut pages = std::mem::take(&mut l.pages);
    for (i, page) in pages.iter_mut().enumerate() {
        let mut ops = Vec::new();
        if i > 0 {
            let y = PAGE_H - 42.0;
            ops.push(text_op(MARGIN_X, y, 8.0, &header_left, 0.35));
            ops.push(text_op(
                PAGE_W - MARGIN_X - right_w,
                y,
                8.0,
                &header_right,
                0.35,
            ));
            ops.push(Op::Line {
                x1: MARGIN_X,
                y1: y - 6.0,
                x2: PAGE_W - MARGIN_X,
                y2: y - 6.0,
                width: 0.5,
                gray: 0.5,
            });
        }
        ops.push(Op::Line {
            x1: MARGIN_X,
            y1: FOOTER_RULE_Y,
            x2: PAGE_W - MARGIN_X,
            y2: FOOTER_RULE_Y,
            width: 0.5,
            gray: 0.5,
        });
        let qr_y = FOOTER_RULE_Y - 6.0 - QR_SIZE;
        ops.push(Op::Qr {
            x: PAGE_W - MARGIN_X - QR_SIZE + 4.0,
            y: qr_y,
            size: QR_SIZE,
        });
        let mut y = FOOTER_RULE_Y - 18.0;
        ops.push(Op::Text {
            x: MARGIN_X,
            y,
            size: 10.0,
            text: code_line.clone(),
            bold: true,
            gray: 0.0,
            spacing: 0.0,
        });
        y -= 14.0;
        for line in &note_lines {
            ops.push(text_op(MARGIN_X, y, 7.5, line, 0.3));
            y -= 11.0;
        }
        ops.push(text_op(MARGIN_X, y, 7.5, &url_line, 0.3));
        let page_no = format!("第 {} 页 共 {} 页", i + 1, total);
        let pw = l.width(&page_no, 8.5);
        ops.push(text_op((PAGE_W - pw) / 2.0, 30.0, 8.5, &page_no, 0.2));
        page.extend(ops);
    }
    l.pages = pages;
}

fn text_op(x: f32, y: f32, size: f32, text: &str, gray: f32) -> Op {
    Op::Text {
        x,
        y,
        size,
        text: text.to_owned(),
        bold: false,
        gray,
        spacing: 0.0,
    }
}

/// The content stream of one page.
fn page_content(font: &mut Font<'_>, ops: &[Op]) -> Vec<u8> {
    let mut c = Content::new();
    for op in ops {
        match op {
            Op::Text {
                x,
                y,
                size,
                text,
                bold,
                gray,
                spacing,
            } => {
                let glyphs = font.encode(text);
                c.begin_text();
                c.set_font(Name(b"F1"), *size);
                c.set_fill_gray(*gray);
                if *bold {
                    // Synthetic bold: fill and stroke the outlines.
                    c.set_text_rendering_mode(TextRenderingMode::FillStroke);
                    c.set_stroke_gray(*gray);
                    c.set_line_width(size * 0.035);
                } else {
                    c.set_text_rendering_mode(TextRenderingMode::Fill);
                }
                c.set_char_spacing(*spacing);
                c.set_text_matrix([1.0, 0.0, 0.0, 1.0, *x, *y]);
                c.show(Str(&glyphs));
                c.end_text();
            }
            Op::Rect {
                x,
                y,
                w,
                h,
                fill,
                stroke,
            } => {
                if let Some(g) = fill {
                    c.set_fill_gray(*g);
                    c.rect(*x, *y, *w, *h);
                    c.fill_nonzero();
                }
                if let Some((width, g)) = stroke {
                    c.set_line_width(*width);
                    c.set_stroke_gray(*g);
                    c.rect(*x, *y, *w, *h);
                    c.stroke();
                }
            }
            Op::Line {
                x1,
                y1,
                x2,
                y2,
                width,
                gray,
            } => {
                c.set_line_width(*width);
                c.set_stroke_gray(*gray);
                c.move_to(*x1, *y1);
                c.line_to(*x2, *y2);
                c.stroke();
            }
            Op::Qr { x, y, size } => {
                c.save_state();
                c.transform([*size, 0.0, 0.0, *size, *x, *y]);
                c.x_object(Name(b"QR"));
                c.restore_state();
            }
        }
    }
    c.finish().into_vec()
}

/// Renders a signed report as an A4 PDF in Simplified Chinese.
///
/// Every page has the verification code and a QR code of `verify_url` (the caller builds it,
/// e.g. `https://host/portal/verify?no=…&code=…`; at most [`MAX_VERIFY_URL_LEN`] bytes), and
/// the signed payload is embedded as a file for [`crate::extract_signed`]. The output is
/// deterministic: the same input gives the same bytes.
pub fn render_pdf(signed: &SignedReport, verify_url: &str) -> Result<Vec<u8>, ReportError> {
    render_pdf_with_proofs(signed, None, verify_url)
}

/// [`render_pdf`] with the report's proof bundle embedded beside the signed report (issue 21,
/// see [`crate::ProofBundle`]).
pub fn render_pdf_with_proofs(
    signed: &SignedReport,
    proofs: Option<&crate::ProofBundle>,
    verify_url: &str,
) -> Result<Vec<u8>, ReportError> {
    signed.report.validate()?;
    if verify_url.trim().is_empty() {
        return Err(ReportError::InvalidVerifyUrl("网址为空".into()));
    }
    if verify_url.len() > MAX_VERIFY_URL_LEN {
        return Err(ReportError::InvalidVerifyUrl(format!(
            "网址过长（最多 {MAX_VERIFY_URL_LEN} 字节）"
        )));
    }
    if verify_url.chars().any(char::is_control) {
        return Err(ReportError::InvalidVerifyUrl("网址含有控制字符".into()));
    }
    let qr = qr::Qr::new(verify_url)?;
    let payload = envelope_bytes(signed, proofs)?;

    let mut font = Font::embedded()?;
    let mut layout = Layout::new(&mut font);
    body(&mut layout, signed);
    furniture(&mut layout, signed, verify_url);
    let pages = std::mem::take(&mut layout.pages);
    drop(layout);

    let mut next = 1i32;
    let mut alloc = move || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog_id = alloc();
    let tree_id = alloc();
    let font_id = alloc();
    let qr_id = alloc();
    let file_id = alloc();
    let spec_id = alloc();
    let info_id = alloc();
    let page_ids: Vec<(Ref, Ref, Ref)> =
        pages.iter().map(|_| (alloc(), alloc(), alloc())).collect();

    let mut pdf = Pdf::new();
    pdf.set_version(1, 7);
    let r = &signed.report;
    let file_name = format!("chengxin-report-{}.json", r.report_no);

    {
        let mut catalog = pdf.catalog(catalog_id);
        catalog.pages(tree_id);
        catalog.lang(TextStr("zh-CN"));
        catalog
            .names()
            .embedded_files()
            .names()
            .insert(Str(file_name.as_bytes()), spec_id);
    }
    pdf.pages(tree_id)
        .kids(page_ids.iter().map(|p| p.0))
        .count(page_ids.len() as i32);

    let qr_side = qr.side() as f32;
    let qr_content = deflate(&qr.content());
    let mut form = pdf.form_xobject(qr_id, &qr_content);
    form.bbox(Rect::new(0.0, 0.0, qr_side, qr_side)).matrix([
        1.0 / qr_side,
        0.0,
        0.0,
        1.0 / qr_side,
        0.0,
        0.0,
    ]);
    form.filter(Filter::FlateDecode);
    form.finish();

    for (ops, (page_id, content_id, link_id)) in pages.iter().zip(&page_ids) {
        let mut page = pdf.page(*page_id);
        page.parent(tree_id)
            .media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .contents(*content_id)
            .annotations([*link_id]);
        {
            let mut res = page.resources();
            res.fonts().pair(Name(b"F1"), font_id);
            res.x_objects().pair(Name(b"QR"), qr_id);
        }
        page.finish();

        let data = deflate(&page_content(&mut font, ops));
        pdf.stream(*content_id, &data).filter(Filter::FlateDecode);

        // The QR code is also a link to the verification page.
        let qr_rect = ops.iter().find_map(|op| match op {
            Op::Qr { x, y, size } => Some(Rect::new(*x, *y, x + size, y + size)),
            _ => None,
        });
        let mut link = pdf.annotation(*link_id);
        link.subtype(AnnotationType::Link)
            .rect(qr_rect.unwrap_or(Rect::new(0.0, 0.0, 0.0, 0.0)))
            .border(0.0, 0.0, 0.0, None);
        link.action()
            .action_type(ActionType::Uri)
            .uri(Str(verify_url.as_bytes()));
        link.finish();
    }

    let date = pdf_date(&r.issued_at);
    pdf.embedded_file(file_id, &payload)
        .subtype(Name(b"application#2Fjson"))
        .params()
        .size(payload.len() as i32)
        .modification_date(date);
    pdf.file_spec(spec_id)
        .path(Str(file_name.as_bytes()))
        .unic_file(TextStr(&file_name))
        .description(TextStr(
            "信用报告签名数据（报告内容、数字签名、密钥标识、验证码）",
        ))
        .embedded_file_with_unicode(file_id);

    let title = format!("信用报告 {}", r.report_no);
    pdf.document_info(info_id)
        .title(TextStr(&title))
        .author(TextStr(&r.issuer))
        .subject(TextStr(&r.subject.name))
        .creator(TextStr("诚信 Chengxin"))
        .producer(TextStr("chengxin-report"))
        .creation_date(date);

    font.write(&mut pdf, font_id, &mut alloc)?;

    let id = Sha256::digest(&payload);
    pdf.set_file_id((id[..16].to_vec(), id[..16].to_vec()));
    Ok(pdf.finish())
}
