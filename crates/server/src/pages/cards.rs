//! Staff tables become cards on phones (implementing departments and townships work from
//! 政务微信): every `<td>` of a console page carries a `data-label` with its column's header,
//! which the stylesheet shows before the value at narrow widths. Written here, once, on the
//! rendered page — not by script (`app.js` only fills cells added later), so the cards work
//! without it and no page can forget a label. A cell that sets its own `data-label` keeps it;
//! a cell spanning the whole row (a "暂无…" line) gets an empty one, shown without a label.

/// The page with a `data-label` on every `<td>` that has none: the text of its column's
/// `<th>` in the table's `<thead>` (colspans counted), or of the row's own leading `<th>`
/// (a two-column key/value table), else empty.
pub fn label_cells(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut headers: Vec<String> = Vec::new();
    let mut row_head: Option<String> = None;
    let mut in_thead = false;
    let mut col = 0usize;
    // While reading a header cell: its text so far.
    let mut header_text: Option<(String, usize)> = None;
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        let (text, from_lt) = rest.split_at(lt);
        out.push_str(text);
        if let Some((t, _)) = header_text.as_mut() {
            t.push_str(text);
        }
        let Some(gt) = from_lt.find('>') else {
            out.push_str(from_lt);
            return out;
        };
        let tag = &from_lt[..=gt];
        rest = &from_lt[gt + 1..];
        // Scripts and styles are copied as they are.
        let name = tag_name(tag);
        if (name == "script" || name == "style") && !tag.starts_with("</") {
            out.push_str(tag);
            let close = format!("</{name}");
            match rest.find(&close) {
                Some(end) => {
                    out.push_str(&rest[..end]);
                    rest = &rest[end..];
                }
                None => {
                    out.push_str(rest);
                    return out;
                }
            }
            continue;
        }
        let closing = tag.starts_with("</");
        match (name.as_str(), closing) {
            ("table", false) => {
                headers.clear();
                in_thead = false;
            }
            ("thead", false) => {
                in_thead = true;
                headers.clear();
            }
            ("thead", true) => in_thead = false,
            ("tr", false) => {
                col = 0;
                row_head = None;
                if in_thead {
                    headers.clear();
                }
            }
            ("th", false) => header_text = Some((String::new(), span(tag))),
            ("th", true) => {
                if let Some((t, n)) = header_text.take() {
                    let t = plain(&t);
                    if in_thead {
                        for _ in 0..n {
                            headers.push(t.clone());
                        }
                    } else {
                        row_head = Some(t);
                    }
                    col += n;
                }
            }
            ("td", false) => {
                let n = span(tag);
                if !tag.contains("data-label") {
                    let label = if n > 1 && n >= headers.len().max(1) {
                        String::new()
                    } else {
                        headers
                            .get(col)
                            .cloned()
                            .filter(|h| !h.is_empty())
                            .or_else(|| row_head.clone())
                            .unwrap_or_default()
                    };
                    let at = if tag.ends_with("/>") {
                        tag.len() - 2
                    } else {
                        tag.len() - 1
                    };
                    out.push_str(&tag[..at]);
                    out.push_str(" data-label=\"");
                    out.push_str(&label.replace('"', "&quot;"));
                    out.push('"');
                    out.push_str(&tag[at..]);
                    col += n;
                    continue;
                }
                col += n;
            }
            _ => {}
        }
        out.push_str(tag);
    }
    out.push_str(rest);
    out
}

/// The lower-case element name of a tag (`<td class="x">` → `td`, `</th>` → `th`).
fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('<')
        .trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The columns a cell spans (its `colspan`, at least 1).
fn span(tag: &str) -> usize {
    tag.find("colspan=\"")
        .and_then(|i| {
            tag[i + 9..]
                .split('"')
                .next()
                .and_then(|n| n.trim().parse::<usize>().ok())
        })
        .filter(|n| *n >= 1)
        .unwrap_or(1)
}

/// A header's text: tags removed, spaces collapsed (entities kept as escaped).
fn plain(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::label_cells;

    #[test]
    fn cells_get_their_column_headers() {
        let html = r#"<table><thead><tr><th>名称</th><th colspan="2">期限 <span>（工作日）</span></th><th></th></tr></thead><tbody><tr><td>甲</td><td class="x">1</td><td>2</td><td data-label="操作">办理</td></tr><tr><td colspan="4">暂无</td></tr></tbody></table>"#;
        let out = label_cells(html);
        assert!(out.contains(r#"<td data-label="名称">甲</td>"#), "{out}");
        assert!(
            out.contains(r#"<td class="x" data-label="期限 （工作日）">1</td>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<td data-label="期限 （工作日）">2</td>"#),
            "{out}"
        );
        assert!(out.contains(r#"<td data-label="操作">办理</td>"#), "{out}");
        assert!(
            out.contains(r#"<td colspan="4" data-label="">暂无</td>"#),
            "{out}"
        );
    }

    #[test]
    fn key_value_rows_and_scripts() {
        let html = r#"<table><tbody><tr><th scope="row">主体名称</th><td>甲</td></tr></tbody></table><script>if (a<b && c>d) { x = "<td>"; }</script><p>a < b</p>"#;
        let out = label_cells(html);
        assert!(
            out.contains(r#"<td data-label="主体名称">甲</td>"#),
            "{out}"
        );
        assert!(out.contains(r#"x = "<td>";"#), "{out}");
    }
}
