//! A plain document ([`crate::Document`]) in the report's layout: the title block, the facts,
//! the numbered sections, the issuer and date closing it, page numbers — no signature, no
//! verification code, no QR code.

use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, TextStr};
use sha2::{Digest, Sha256};

use super::font::Font;
use super::geometry::*;
use super::layout::{Layout, Op};
use super::{deflate, fit, page_content, pdf_date, text_op};
use crate::error::ReportError;
use crate::model::Document;

fn body(l: &mut Layout<'_, '_>, d: &Document) {
    let size = 20.0;
    let spacing = 2.0;
    let title = fit(l, &d.title, size, CONTENT_W);
    let tw = l.font.text_width(&title, size, spacing) - spacing;
    let y = PAGE_H - 88.0;
    l.text((PAGE_W - tw) / 2.0, y, size, &title, true, 0.0, spacing);
    let mut rule_y = y - 16.0;
    if !d.subtitle.trim().is_empty() {
        let sw = l.width(&d.subtitle, BODY_SIZE + 1.0);
        l.text(
            (PAGE_W - sw) / 2.0,
            y - 24.0,
            BODY_SIZE + 1.0,
            &d.subtitle,
            false,
            0.2,
            0.0,
        );
        rule_y = y - 38.0;
    }
    l.hline(MARGIN_X, PAGE_W - MARGIN_X, rule_y, 1.6, 0.0);
    l.hline(MARGIN_X, PAGE_W - MARGIN_X, rule_y - 3.0, 0.5, 0.0);
    l.y = rule_y - 18.0;
    let mut facts = vec![("出具单位".to_string(), d.issuer.clone())];
    facts.push((
        "出具时间".to_string(),
        d.issued_at.format("%Y-%m-%d %H:%M").to_string(),
    ));
    facts.extend(d.facts.iter().cloned());
    let widths = [100.0, CONTENT_W - 100.0];
    let rows: Vec<Vec<(&str, String, usize)>> = facts
        .iter()
        .map(|(k, v)| vec![(k.as_str(), v.clone(), 1)])
        .collect();
    l.key_values(&widths, &rows);
    l.y -= 20.0;
    for (i, section) in d.sections.iter().enumerate() {
        l.section(i + 1, section);
        l.y -= 18.0;
    }
    l.y -= 18.0;
    l.ensure(2.0 * BODY_LINE + 4.0);
    let issuer = fit(l, &d.issuer, 11.0, CONTENT_W);
    let date = d.issued_at.format("%Y年%-m月%-d日").to_string();
    for text in [issuer, date] {
        let w = l.width(&text, 11.0);
        let y = Layout::baseline(l.y, 11.0, BODY_LINE + 2.0);
        l.text(PAGE_W - MARGIN_X - w, y, 11.0, &text, false, 0.0, 0.0);
        l.y -= BODY_LINE + 2.0;
    }
}

fn furniture(l: &mut Layout<'_, '_>, d: &Document) {
    let total = l.pages.len();
    let header = fit(l, &format!("{}　{}", d.title, d.subtitle), 8.0, CONTENT_W);
    let mut pages = std::mem::take(&mut l.pages);
    for (i, page) in pages.iter_mut().enumerate() {
        if i > 0 {
            let y = PAGE_H - 42.0;
            page.push(text_op(MARGIN_X, y, 8.0, &header, 0.35));
            page.push(Op::Line {
                x1: MARGIN_X,
                y1: y - 6.0,
                x2: PAGE_W - MARGIN_X,
                y2: y - 6.0,
                width: 0.5,
                gray: 0.5,
            });
        }
        let page_no = format!("第 {} 页 共 {} 页", i + 1, total);
        let pw = l.width(&page_no, 8.5);
        page.push(text_op((PAGE_W - pw) / 2.0, 30.0, 8.5, &page_no, 0.2));
    }
    l.pages = pages;
}

/// Renders a plain document as an A4 PDF in Simplified Chinese (deterministic: the same
/// input gives the same bytes).
pub fn render_document(d: &Document) -> Result<Vec<u8>, ReportError> {
    d.validate()?;
    let mut font = Font::embedded()?;
    let mut layout = Layout::new(&mut font);
    body(&mut layout, d);
    furniture(&mut layout, d);
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
    let info_id = alloc();
    let page_ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();

    let mut pdf = Pdf::new();
    pdf.set_version(1, 7);
    {
        let mut catalog = pdf.catalog(catalog_id);
        catalog.pages(tree_id);
        catalog.lang(TextStr("zh-CN"));
    }
    pdf.pages(tree_id)
        .kids(page_ids.iter().map(|p| p.0))
        .count(page_ids.len() as i32);
    for (ops, (page_id, content_id)) in pages.iter().zip(&page_ids) {
        let mut page = pdf.page(*page_id);
        page.parent(tree_id)
            .media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .contents(*content_id);
        page.resources().fonts().pair(Name(b"F1"), font_id);
        page.finish();
        let data = deflate(&page_content(&mut font, ops));
        pdf.stream(*content_id, &data).filter(Filter::FlateDecode);
    }
    let date = pdf_date(&d.issued_at);
    let title = format!("{} {}", d.title, d.subtitle);
    pdf.document_info(info_id)
        .title(TextStr(title.trim()))
        .author(TextStr(&d.issuer))
        .creator(TextStr("诚信 Chengxin"))
        .producer(TextStr("chengxin-report"))
        .creation_date(date);
    font.write(&mut pdf, font_id, &mut alloc)?;
    let mut h = Sha256::new();
    h.update(title.as_bytes());
    h.update(d.issuer.as_bytes());
    h.update(d.issued_at.to_rfc3339().as_bytes());
    let id = h.finalize();
    pdf.set_file_id((id[..16].to_vec(), id[..16].to_vec()));
    Ok(pdf.finish())
}
