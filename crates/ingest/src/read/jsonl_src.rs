//! JSON Lines source: one JSON object per line. Headers are the keys of the first object, in
//! their order; later objects may omit keys (empty cells) but not add any.

use std::collections::HashMap;
use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use super::{
    check_headers, field_too_long, number_text, precision_lost, row_too_long, Format, Input,
    RawRow, ReadOptions, Table, UTF8_BOM,
};
use crate::error::{codes, ReadError, ReadIssue, RowError};

/// A JSON object with its keys in document order (serde_json's own map sorts them unless the
/// workspace-wide `preserve_order` feature is on, which we do not want to impose).
struct OrderedObject(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for OrderedObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OrderedObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedObject, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Value>()? {
                    out.push((k, v));
                }
                Ok(OrderedObject(out))
            }
        }
        d.deserialize_map(V)
    }
}

enum Line {
    Ok,
    TooLong,
}

pub(crate) struct JsonlSource {
    input: Input,
    opts: ReadOptions,
    buf: Vec<u8>,
    /// Number of the line last read.
    line: u64,
    headers: Vec<String>,
    index: HashMap<String, usize>,
    /// The first object, yielded as the first row.
    first: Option<Result<RawRow, ReadIssue>>,
}

pub(crate) fn open(input: Input, opts: &ReadOptions) -> Result<Table, ReadError> {
    let mut src = JsonlSource {
        input,
        opts: opts.clone(),
        buf: Vec::new(),
        line: 0,
        headers: Vec::new(),
        index: HashMap::new(),
        first: None,
    };
    loop {
        match src.next_line().map_err(|e| ReadError::io(&e))? {
            None => {
                return Err(ReadError::new(
                    codes::EMPTY_FILE,
                    "文件为空：没有找到任何 JSON 对象",
                ))
            }
            Some(Line::TooLong) => {
                return Err(ReadError::new(
                    codes::JSONL_BAD_FIRST_LINE,
                    format!(
                        "第{}行（第一条记录）过长（上限{}字节）",
                        src.line, opts.max_row_bytes
                    ),
                ))
            }
            Some(Line::Ok) => {}
        }
        if src.line == 1 && src.buf.starts_with(UTF8_BOM) {
            src.buf.drain(..UTF8_BOM.len());
        }
        if src.buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let obj = src.parse().map_err(|e| {
            ReadError::new(
                codes::JSONL_BAD_FIRST_LINE,
                format!("第{}行（第一条记录）：{}", e.row, e.message),
            )
        })?;
        let keys: Vec<String> = obj.0.iter().map(|(k, _)| k.clone()).collect();
        let trimmed: Vec<String> = keys.iter().map(|k| k.trim().to_string()).collect();
        if trimmed.len() > opts.max_columns {
            return Err(super::too_many_columns(trimmed.len(), opts));
        }
        let headers = check_headers(trimmed, opts, "任何字段")?;
        if headers.len() != keys.len() {
            return Err(ReadError::new(
                codes::EMPTY_HEADER,
                "第一条记录有空的字段名",
            ));
        }
        src.index = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), i))
            .collect();
        src.headers = headers.clone();
        let line = src.line;
        src.first = Some(src.to_row(line, obj));
        return Ok(Table {
            format: Format::Jsonl,
            encoding: "jsonl",
            headers,
            source: super::Source::Jsonl(Box::new(src)),
            done: false,
        });
    }
}

impl JsonlSource {
    /// Reads the next line into `buf` (without the line break); `None` at the end.
    fn next_line(&mut self) -> std::io::Result<Option<Line>> {
        self.buf.clear();
        let mut started = false;
        let mut too_long = false;
        loop {
            let chunk = self.input.fill()?;
            if chunk.is_empty() {
                if !started {
                    return Ok(None);
                }
                break;
            }
            started = true;
            let (take, found) = match chunk.iter().position(|b| *b == b'\n') {
                Some(i) => (i, true),
                None => (chunk.len(), false),
            };
            if !too_long {
                if self.buf.len() + take > self.opts.max_row_bytes {
                    too_long = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(&chunk[..take]);
                }
            }
            self.input.consume(take + usize::from(found));
            if found {
                break;
            }
        }
        self.line += 1;
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        Ok(Some(if too_long { Line::TooLong } else { Line::Ok }))
    }

    fn parse(&self) -> Result<OrderedObject, RowError> {
        let row = self.line;
        if std::str::from_utf8(&self.buf).is_err() {
            return Err(RowError::new(
                row,
                codes::BAD_ENCODING,
                "本行含有无效的 UTF-8 字节（JSON Lines 文件必须是 UTF-8 编码）",
            ));
        }
        match serde_json::from_slice::<OrderedObject>(&self.buf) {
            Ok(o) => Ok(o),
            Err(e) => {
                if serde_json::from_slice::<IgnoredAny>(&self.buf).is_ok() {
                    Err(RowError::new(
                        row,
                        codes::NOT_AN_OBJECT,
                        "本行是合法的 JSON，但不是对象（应为 {\"列名\": \"值\", …}）",
                    ))
                } else {
                    Err(RowError::new(
                        row,
                        codes::BAD_JSON,
                        format!("本行不是合法的 JSON：第{}个字符附近出错", e.column()),
                    ))
                }
            }
        }
    }

    fn to_row(&self, row: u64, obj: OrderedObject) -> Result<RawRow, ReadIssue> {
        let mut cells = vec![String::new(); self.headers.len()];
        let mut seen = vec![false; self.headers.len()];
        let mut unknown: Vec<String> = Vec::new();
        let mut dups: Vec<String> = Vec::new();
        for (k, v) in obj.0 {
            let Some(&i) = self.index.get(&k) else {
                if !unknown.contains(&k) {
                    unknown.push(k);
                }
                continue;
            };
            if seen[i] {
                dups.push(k);
                continue;
            }
            seen[i] = true;
            let what = format!("字段“{k}”");
            cells[i] = match v {
                Value::Null => String::new(),
                Value::String(s) => s,
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => {
                    if let Some(x) = n.as_u64() {
                        x.to_string()
                    } else if let Some(x) = n.as_i64() {
                        x.to_string()
                    } else {
                        let (text, lost) = number_text(n.as_f64().unwrap_or(f64::NAN), false);
                        if lost {
                            return Err(ReadIssue::Row(precision_lost(row, &what, &text)));
                        }
                        text
                    }
                }
                Value::Array(_) | Value::Object(_) => {
                    return Err(ReadIssue::Row(RowError::new(
                        row,
                        codes::BAD_VALUE,
                        format!("{what}的值是数组或对象，只接受字符串、数字或 null"),
                    )))
                }
            };
            if cells[i].len() > self.opts.max_field_bytes {
                return Err(ReadIssue::Row(field_too_long(
                    row,
                    &what,
                    cells[i].len(),
                    &self.opts,
                )));
            }
        }
        if !dups.is_empty() {
            return Err(ReadIssue::Row(RowError::new(
                row,
                codes::DUPLICATE_KEYS,
                format!("本行重复出现字段：{}", quote_list(&dups)),
            )));
        }
        if !unknown.is_empty() {
            return Err(ReadIssue::Row(RowError::new(
                row,
                codes::UNKNOWN_KEYS,
                format!("本行有第一条记录中没有的字段：{}", quote_list(&unknown)),
            )));
        }
        Ok(RawRow { row, cells })
    }

    pub(crate) fn next_row(&mut self) -> Option<Result<RawRow, ReadIssue>> {
        if let Some(first) = self.first.take() {
            return Some(first);
        }
        loop {
            match self.next_line() {
                Err(e) => return Some(Err(ReadIssue::Fatal(ReadError::io(&e)))),
                Ok(None) => return None,
                Ok(Some(Line::TooLong)) => {
                    return Some(Err(ReadIssue::Row(row_too_long(self.line, &self.opts))))
                }
                Ok(Some(Line::Ok)) => {}
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let row = self.line;
            return Some(match self.parse() {
                Ok(obj) => self.to_row(row, obj),
                Err(e) => Err(ReadIssue::Row(e)),
            });
        }
    }
}

fn quote_list(items: &[String]) -> String {
    let mut out: Vec<String> = items.iter().take(10).map(|k| format!("“{k}”")).collect();
    if items.len() > 10 {
        out.push(format!("等{}个", items.len()));
    }
    out.join("、")
}
