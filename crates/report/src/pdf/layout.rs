//! Page layout: turns a report into pages of drawing operations (text runs, rules, boxes),
//! breaking lines (CJK anywhere, Latin words whole, 避头尾 punctuation kept off line starts
//! and ends) and pages (table headers repeated, tall rows split).

use std::collections::HashMap;

use super::font::Font;
use super::geometry::*;
use crate::model::Section;

/// One drawing operation, in PDF points (origin bottom left).
#[derive(Debug, Clone)]
pub(crate) enum Op {
    /// A text run; `y` is the baseline.
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
        bold: bool,
        gray: f32,
        spacing: f32,
    },
    /// A rectangle, filled and/or stroked.
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<f32>,
        stroke: Option<(f32, f32)>,
    },
    /// A straight line (width, gray).
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        gray: f32,
    },
    /// The QR code, `size` points square, lower-left corner at (`x`, `y`).
    Qr { x: f32, y: f32, size: f32 },
}

/// Characters that must not start a line (避头).
fn no_line_start(c: char) -> bool {
    "，。、；：？！）》」』】〕〉”’…—·％,.;:?!)]}%".contains(c)
}

/// Characters that must not end a line (避尾).
fn no_line_end(c: char) -> bool {
    "（《「『【〔〈“‘([{".contains(c)
}

/// Characters kept together as one word when they run (Latin words, numbers, codes, URLs).
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_./:@#&=?+%~".contains(c)
}

/// Splits a paragraph into breakable pieces: whole ASCII words, spaces, single characters.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if is_word_char(c) {
            if start.is_none() {
                start = Some(i);
            }
            continue;
        }
        if let Some(s) = start.take() {
            out.push(&text[s..i]);
        }
        out.push(&text[i..i + c.len_utf8()]);
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

/// Page-by-page layout of one document.
pub(crate) struct Layout<'f, 'a> {
    pub(crate) font: &'f mut Font<'a>,
    pub(crate) pages: Vec<Vec<Op>>,
    /// Cursor: the top of the next block.
    pub(crate) y: f32,
}

/// A wrapped table cell.
struct Cell {
    lines: Vec<String>,
}

impl<'f, 'a> Layout<'f, 'a> {
    pub(crate) fn new(font: &'f mut Font<'a>) -> Self {
        Layout {
            font,
            pages: vec![Vec::new()],
            y: CONTENT_TOP,
        }
    }

    pub(crate) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = CONTENT_TOP;
    }

    pub(crate) fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Space left on the current page.
    pub(crate) fn room(&self) -> f32 {
        self.y - CONTENT_BOTTOM
    }

    /// Starts a new page unless `h` points are left.
    pub(crate) fn ensure(&mut self, h: f32) {
        if h > self.room() && self.y < CONTENT_TOP {
            self.new_page();
        }
    }

    pub(crate) fn width(&mut self, text: &str, size: f32) -> f32 {
        self.font.text_width(text, size, 0.0)
    }

    /// Text with its baseline placed so that the em box is centred in a line box of
    /// `line_h` whose top is `top`.
    pub(crate) fn baseline(top: f32, size: f32, line_h: f32) -> f32 {
        top - (line_h - size) / 2.0 - ASCENT * size
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn text(
        &mut self,
        x: f32,
        y: f32,
        size: f32,
        text: &str,
        bold: bool,
        gray: f32,
        spacing: f32,
    ) {
        if text.is_empty() {
            return;
        }
        self.push(Op::Text {
            x,
            y,
            size,
            text: text.to_owned(),
            bold,
            gray,
            spacing,
        });
    }

    pub(crate) fn hline(&mut self, x1: f32, x2: f32, y: f32, width: f32, gray: f32) {
        self.push(Op::Line {
            x1,
            y1: y,
            x2,
            y2: y,
            width,
            gray,
        });
    }

    /// Breaks `text` into lines at most `max_w` wide (`\n` forces a break).
    pub(crate) fn wrap(&mut self, text: &str, size: f32, max_w: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            let mut w = 0.0f32;
            for tok in tokens(para) {
                let tw = self.width(tok, size);
                if w + tw <= max_w + 0.01 {
                    if !(line.is_empty() && tok == " ") {
                        line.push_str(tok);
                        w += tw;
                    }
                    continue;
                }
                if tok == " " {
                    lines.push(std::mem::take(&mut line));
                    w = 0.0;
                    continue;
                }
                if tw > max_w {
                    // A word longer than the line: break it anywhere.
                    for c in tok.chars() {
                        let cw = self.font.char_width(c, size);
                        if w + cw > max_w + 0.01 && !line.is_empty() {
                            lines.push(std::mem::take(&mut line));
                            w = 0.0;
                        }
                        line.push(c);
                        w += cw;
                    }
                    continue;
                }
                // Break before `tok`; carry characters so that no line starts with closing
                // punctuation nor ends with opening punctuation.
                let mut carry = String::new();
                let starts_bad = tok.chars().next().is_some_and(no_line_start);
                if starts_bad && line.chars().count() > 1 {
                    if let Some(c) = line.pop() {
                        carry.insert(0, c);
                    }
                }
                while line.chars().count() > 1 && line.chars().last().is_some_and(no_line_end) {
                    if let Some(c) = line.pop() {
                        carry.insert(0, c);
                    }
                }
                let done = std::mem::take(&mut line);
                lines.push(done.trim_end().to_owned());
                line = carry;
                line.push_str(tok);
                w = self.width(&line, size);
            }
            lines.push(line.trim_end().to_owned());
        }
        if lines.is_empty() {
            lines.push(String::new());
        }
        lines
    }

    /// A wrapped paragraph at the cursor, from `x` with width `w`.
    pub(crate) fn paragraph(
        &mut self,
        x: f32,
        w: f32,
        text: &str,
        size: f32,
        line_h: f32,
        gray: f32,
    ) {
        let lines = self.wrap(text, size, w);
        for line in lines {
            self.ensure(line_h);
            let y = Self::baseline(self.y, size, line_h);
            self.text(x, y, size, &line, false, gray, 0.0);
            self.y -= line_h;
        }
    }

    /// Lines each sampled cell of column `col` takes at width `w` (memoised).
    fn column_lines<'m>(
        &mut self,
        memo: &'m mut HashMap<(usize, u32), Vec<f32>>,
        sample: &[&Vec<String>],
        col: usize,
        w: f32,
    ) -> &'m Vec<f32> {
        let key = (col, (w * 4.0) as u32);
        memo.entry(key).or_insert_with(|| {
            let inner = (w - 2.0 * CELL_PAD_X).max(TABLE_SIZE);
            sample
                .iter()
                .map(|row| {
                    let text = row.get(col).map(String::as_str).unwrap_or("");
                    self.wrap(text, TABLE_SIZE, inner).len() as f32
                })
                .collect()
        })
    }

    /// Column widths for a table `total` wide. Each column has a maximum (its widest line)
    /// and a minimum (its longest unbreakable word, a few characters of header, or the whole
    /// text when it is short). When the maxima don't fit, the width above the minima is
    /// handed out greedily to whichever column shortens the table most per point (measured
    /// by wrapping up to [`WIDTH_SAMPLE_ROWS`] rows), so a long-text column widens only as
    /// far as it pays and short columns stay on one line where they can.
    fn column_widths(&mut self, headers: &[String], rows: &[Vec<String>], total: f32) -> Vec<f32> {
        let n = headers.len();
        if n == 0 {
            return Vec::new();
        }
        let pad = 2.0 * CELL_PAD_X;
        let em = TABLE_SIZE;
        let step = rows.len().div_ceil(WIDTH_SAMPLE_ROWS).max(1);
        let sample: Vec<&Vec<String>> = rows.iter().step_by(step).collect();
        let mut max_w = vec![0.0f32; n];
        let mut word_w = vec![0.0f32; n];
        let mut header_w = vec![0.0f32; n];
        for (i, h) in headers.iter().enumerate() {
            header_w[i] = h
                .split('\n')
                .map(|l| self.width(l, TABLE_SIZE))
                .fold(0.0, f32::max);
            max_w[i] = header_w[i];
        }
        for row in rows {
            for (i, cell) in row.iter().enumerate().take(n) {
                for line in cell.split('\n') {
                    max_w[i] = max_w[i].max(self.width(line, TABLE_SIZE));
                    for tok in tokens(line) {
                        if tok.len() > 1 {
                            word_w[i] = word_w[i].max(self.width(tok, TABLE_SIZE));
                        }
                    }
                }
            }
        }
        let mut minimum = vec![0.0f32; n];
        let mut desired = vec![0.0f32; n];
        for i in 0..n {
            let mut min = header_w[i]
                .min(4.0 * em)
                .max(2.0 * em)
                .max(word_w[i].min(total / 3.0));
            if max_w[i] <= SHORT_COLUMN * em {
                min = min.max(max_w[i]);
            }
            minimum[i] = (min + pad).min(total);
            desired[i] = (max_w[i] + pad + 0.5).max(minimum[i]).min(total);
        }
        let sum_max: f32 = desired.iter().sum();
        let sum_min: f32 = minimum.iter().sum();
        if sum_max <= total {
            // Everything fits on one line: spread the spare width in proportion.
            return desired.iter().map(|d| d * total / sum_max).collect();
        }
        if sum_min >= total {
            return minimum.iter().map(|m| m * total / sum_min).collect();
        }

        // Table height in lines: each row's tallest cell, plus a little for the other cells
        // so that widening helps even before it shortens a row.
        let cost = |cols: &[&Vec<f32>]| -> f32 {
            (0..sample.len())
                .map(|r| {
                    let mut tallest = 0.0f32;
                    let mut sum = 0.0f32;
                    for c in cols {
                        let l = c.get(r).copied().unwrap_or(1.0);
                        tallest = tallest.max(l);
                        sum += l;
                    }
                    tallest + 0.05 * sum
                })
                .sum()
        };
        let mut memo = HashMap::new();
        let mut w = minimum.clone();
        let mut remaining = total - sum_min;
        let mut lines: Vec<Vec<f32>> = (0..n)
            .map(|i| self.column_lines(&mut memo, &sample, i, w[i]).clone())
            .collect();
        let mut current = cost(&lines.iter().collect::<Vec<_>>());
        while remaining > 0.5 {
            let mut best: Option<(f32, usize, f32)> = None; // (gain per point, column, increment)
            for i in 0..n {
                let room = (desired[i] - w[i]).min(remaining);
                if room <= 0.0 {
                    continue;
                }
                for inc in [4.5, 9.0, 18.0, 36.0, 72.0, room] {
                    let inc = f32::min(inc, room);
                    let trial = self.column_lines(&mut memo, &sample, i, w[i] + inc);
                    let cols: Vec<&Vec<f32>> = (0..n)
                        .map(|j| if j == i { trial } else { &lines[j] })
                        .collect();
                    let gain = (current - cost(&cols)) / inc;
                    if gain > 1e-6 && best.is_none_or(|b| gain > b.0) {
                        best = Some((gain, i, inc));
                    }
                }
            }
            let Some((_, i, inc)) = best else { break };
            w[i] += inc;
            remaining -= inc;
            lines[i] = self.column_lines(&mut memo, &sample, i, w[i]).clone();
            current = cost(&lines.iter().collect::<Vec<_>>());
        }
        // Left over (nothing shortens the table any more): to columns still short of their
        // maximum, in proportion to what they lack, then to all in proportion.
        let lack: f32 = (0..n).map(|i| (desired[i] - w[i]).max(0.0)).sum();
        if remaining > 0.0 && lack > 0.0 {
            let give = remaining.min(lack);
            for i in 0..n {
                w[i] += (desired[i] - w[i]).max(0.0) * give / lack;
            }
        }
        let s: f32 = w.iter().sum();
        if s > 0.0 {
            for x in &mut w {
                *x *= total / s;
            }
        }
        w
    }

    fn wrap_cells(&mut self, texts: &[String], widths: &[f32]) -> Vec<Cell> {
        texts
            .iter()
            .zip(widths)
            .map(|(t, w)| Cell {
                lines: self.wrap(t, TABLE_SIZE, (w - 2.0 * CELL_PAD_X).max(TABLE_SIZE)),
            })
            .collect()
    }

    fn row_height(lines: usize) -> f32 {
        lines.max(1) as f32 * TABLE_LINE + 2.0 * CELL_PAD_Y
    }

    /// Draws one table row at the cursor: cells with their first `count` lines.
    fn draw_row(
        &mut self,
        cells: &[Cell],
        widths: &[f32],
        count: usize,
        fill: Option<f32>,
        bold: bool,
        centered: bool,
    ) {
        let h = Self::row_height(count);
        let top = self.y;
        self.push(Op::Rect {
            x: MARGIN_X,
            y: top - h,
            w: CONTENT_W,
            h,
            fill,
            stroke: Some((RULE_W, RULE_GRAY)),
        });
        let mut x = MARGIN_X;
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i > 0 {
                self.push(Op::Line {
                    x1: x,
                    y1: top,
                    x2: x,
                    y2: top - h,
                    width: RULE_W,
                    gray: RULE_GRAY,
                });
            }
            // Centred cells are also centred vertically.
            let shown = cell.lines.len().min(count);
            let offset = if centered {
                (count - shown) as f32 * TABLE_LINE / 2.0
            } else {
                0.0
            };
            for (k, line) in cell.lines.iter().take(count).enumerate() {
                let line_top = top - CELL_PAD_Y - offset - k as f32 * TABLE_LINE;
                let y = Self::baseline(line_top, TABLE_SIZE, TABLE_LINE);
                let lx = if centered {
                    x + (w - self.width(line, TABLE_SIZE)) / 2.0
                } else {
                    x + CELL_PAD_X
                };
                self.text(lx, y, TABLE_SIZE, line, bold, 0.0, 0.0);
            }
            x += w;
        }
        self.y -= h;
    }

    fn section_heading(&mut self, heading: &str) {
        let y = Self::baseline(self.y, HEADING_SIZE, HEADING_LINE);
        self.text(MARGIN_X, y, HEADING_SIZE, heading, true, 0.0, 0.0);
        self.y -= HEADING_LINE;
    }

    /// A numbered section: heading, note, and its table (header repeated on every page it
    /// spans, with a “（续）” heading).
    pub(crate) fn section(&mut self, number: usize, section: &Section) {
        let heading = format!("{}、{}", chinese_number(number), section.title);
        let headers = &section.table.headers;
        let rows = &section.table.rows;
        let widths = self.column_widths(headers, rows, CONTENT_W);
        let header_cells = self.wrap_cells(headers, &widths);
        let header_lines = header_cells
            .iter()
            .map(|c| c.lines.len())
            .max()
            .unwrap_or(1);
        let header_h = Self::row_height(header_lines);
        let first_row_h = match rows.first() {
            Some(r) => {
                let cells = self.wrap_cells(r, &widths);
                Self::row_height(cells.iter().map(|c| c.lines.len()).max().unwrap_or(1)).min(60.0)
            }
            None => Self::row_height(1),
        };
        let note_lines = match &section.note {
            Some(n) => self.wrap(n, NOTE_SIZE, CONTENT_W).len(),
            None => 0,
        };
        // Keep the heading with the note, the table header and a first row.
        self.ensure(HEADING_LINE + note_lines as f32 * NOTE_LINE + 4.0 + header_h + first_row_h);
        self.section_heading(&heading);
        if let Some(note) = &section.note {
            self.paragraph(MARGIN_X, CONTENT_W, note, NOTE_SIZE, NOTE_LINE, 0.35);
        }
        self.y -= 4.0;

        if headers.is_empty() {
            // Nothing to tabulate: a single box reading 无.
            let h = Self::row_height(1);
            self.ensure(h);
            let cells = vec![Cell {
                lines: vec![NONE_TEXT.into()],
            }];
            self.draw_row(&cells, &[CONTENT_W], 1, None, false, true);
            return;
        }

        self.draw_row(
            &header_cells,
            &widths,
            header_lines,
            Some(HEADER_FILL),
            true,
            true,
        );
        if rows.is_empty() {
            let cells = vec![Cell {
                lines: vec![NONE_TEXT.into()],
            }];
            self.draw_row(&cells, &[CONTENT_W], 1, None, false, true);
            return;
        }

        let continue_page = |l: &mut Self, heading: &str| {
            l.new_page();
            l.section_heading(&format!("{heading}（续）"));
            l.y -= 4.0;
            l.draw_row(
                &header_cells,
                &widths,
                header_lines,
                Some(HEADER_FILL),
                true,
                true,
            );
        };

        for (r, row) in rows.iter().enumerate() {
            let mut cells = self.wrap_cells(row, &widths);
            let fill = if r % 2 == 1 { Some(STRIPE_FILL) } else { None };
            let mut fresh = false;
            loop {
                let lines = cells.iter().map(|c| c.lines.len()).max().unwrap_or(1);
                let h = Self::row_height(lines);
                if h <= self.room() + 0.01 {
                    self.draw_row(&cells, &widths, lines, fill, false, false);
                    break;
                }
                let full = CONTENT_TOP - CONTENT_BOTTOM - HEADING_LINE - 4.0 - header_h;
                if !fresh && h <= full {
                    continue_page(self, &heading);
                    fresh = true;
                    continue;
                }
                // Taller than what is left: split the row line-wise.
                let fit = ((self.room() - 2.0 * CELL_PAD_Y) / TABLE_LINE).floor();
                if fit < 1.0 {
                    continue_page(self, &heading);
                    fresh = true;
                    continue;
                }
                let k = fit as usize;
                self.draw_row(&cells, &widths, k, fill, false, false);
                for c in &mut cells {
                    let n = k.min(c.lines.len());
                    c.lines.drain(..n);
                }
                continue_page(self, &heading);
                fresh = true;
            }
        }
    }

    /// A grid of label/value pairs (the subject block): each row is a list of
    /// (label, value, columns spanned by the value) over the column `widths`.
    pub(crate) fn key_values(&mut self, widths: &[f32], rows: &[Vec<(&str, String, usize)>]) {
        for row in rows {
            // Cells as (x, width, text, is_label).
            let mut cells: Vec<(f32, f32, String, bool)> = Vec::new();
            let mut col = 0usize;
            let mut x = MARGIN_X;
            for (label, value, span) in row {
                let lw = widths.get(col).copied().unwrap_or(0.0);
                cells.push((x, lw, (*label).to_owned(), true));
                x += lw;
                col += 1;
                let vw: f32 = widths.iter().skip(col).take(*span).sum();
                cells.push((x, vw, value.clone(), false));
                x += vw;
                col += span;
            }
            let wrapped: Vec<Vec<String>> = cells
                .iter()
                .map(|(_, w, t, _)| self.wrap(t, KV_SIZE, (w - 2.0 * CELL_PAD_X).max(KV_SIZE)))
                .collect();
            let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1);
            let h = lines as f32 * KV_LINE + 2.0 * KV_PAD_Y;
            self.ensure(h);
            let top = self.y;
            for ((x, w, _, is_label), lines_of) in cells.iter().zip(&wrapped) {
                self.push(Op::Rect {
                    x: *x,
                    y: top - h,
                    w: *w,
                    h,
                    fill: if *is_label { Some(HEADER_FILL) } else { None },
                    stroke: Some((RULE_W, RULE_GRAY)),
                });
                let offset = (lines - lines_of.len()) as f32 * KV_LINE / 2.0;
                for (k, line) in lines_of.iter().enumerate() {
                    let line_top = top - KV_PAD_Y - offset - k as f32 * KV_LINE;
                    let y = Self::baseline(line_top, KV_SIZE, KV_LINE);
                    let lx = if *is_label {
                        x + (w - self.width(line, KV_SIZE)) / 2.0
                    } else {
                        x + CELL_PAD_X + 2.0
                    };
                    self.text(lx, y, KV_SIZE, line, *is_label, 0.0, 0.0);
                }
            }
            self.y -= h;
        }
    }
}

/// 一, 二, …, 九十九 (section numbers).
pub(crate) fn chinese_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n].to_owned(),
        10..=19 => format!("十{}", if n == 10 { "" } else { DIGITS[n - 10] }),
        20..=99 => format!(
            "{}十{}",
            DIGITS[n / 10],
            match n % 10 {
                0 => "",
                d => DIGITS[d],
            }
        ),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(12), "十二");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(35), "三十五");
        assert_eq!(chinese_number(100), "100");
    }

    #[test]
    fn tokens_keep_words() {
        assert_eq!(
            tokens("许可证 ABC-123 号"),
            vec!["许", "可", "证", " ", "ABC-123", " ", "号"]
        );
    }

    #[test]
    fn wrapping() {
        let mut font = match Font::embedded() {
            Ok(f) => f,
            Err(e) => panic!("{e}"),
        };
        let mut l = Layout::new(&mut font);
        // 10 CJK characters at 10pt are 100pt wide.
        let lines = l.wrap("一二三四五六七八九十", 10.0, 45.0);
        assert_eq!(lines, vec!["一二三四", "五六七八", "九十"]);
        // Closing punctuation never starts a line.
        let lines = l.wrap("一二三四，五六", 10.0, 40.0);
        assert_eq!(lines, vec!["一二三", "四，五六"]);
        // Opening punctuation never ends one.
        let lines = l.wrap("一二三《四五》", 10.0, 40.0);
        assert_eq!(lines[0], "一二三");
        // Forced breaks and empty text.
        assert_eq!(l.wrap("甲\n乙", 10.0, 100.0), vec!["甲", "乙"]);
        assert_eq!(l.wrap("", 10.0, 100.0), vec![""]);
        // A long word is split, nothing is lost.
        let long = "91110000100000000X91110000100000000X";
        let lines = l.wrap(long, 10.0, 60.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), long);
        for line in &lines {
            assert!(l.width(line, 10.0) <= 60.01);
        }
    }
}
