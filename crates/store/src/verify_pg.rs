//! `verify`'s read of the change log on PostgreSQL: one `COPY (SELECT …) TO STDOUT` inside
//! `verify`'s snapshot, its text format parsed in place (no row objects: the fields are cut
//! out of the received bytes, a field is copied only to undo a backslash escape) into the
//! pages of `verify_pipeline`, which hashes them on worker threads and folds them in order.

use futures_util::TryStreamExt;
use sqlx::PgConnection;

use crate::changelog::{ChainChecker, EntryRef};
use crate::error::{Result, StoreError};
use crate::verify_pipeline::{portable_reads, EntryPage, Fast, Pipeline};

const COPY: &str = "COPY (SELECT seq, at, actor, entity_type, entity_id, action, state_digest, \
                    prev_hash, hash, members FROM change_log ORDER BY seq) TO STDOUT";

const FIELDS: usize = 10;

fn bad(what: &str) -> StoreError {
    StoreError::Corrupt(format!("无法解读变更日志的 COPY 输出：{what}"))
}

/// Undo COPY's text-format escapes (`\\`, `\t`, `\n`, `\r`, `\b`, `\f`, `\v`, octal `\NNN`,
/// hex `\xHH`) into `out`.
fn unescape(field: &str, out: &mut String) -> Result<()> {
    out.clear();
    let mut bytes: Vec<u8> = Vec::with_capacity(field.len());
    let b = field.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            bytes.push(b[i]);
            i += 1;
            continue;
        }
        let c = *b.get(i + 1).ok_or_else(|| bad("转义不完整"))?;
        i += 2;
        match c {
            b'b' => bytes.push(0x08),
            b'f' => bytes.push(0x0c),
            b'n' => bytes.push(b'\n'),
            b'r' => bytes.push(b'\r'),
            b't' => bytes.push(b'\t'),
            b'v' => bytes.push(0x0b),
            b'0'..=b'7' => {
                let mut v = u32::from(c - b'0');
                let mut k = 0;
                while k < 2 && i < b.len() && (b'0'..=b'7').contains(&b[i]) {
                    v = v * 8 + u32::from(b[i] - b'0');
                    i += 1;
                    k += 1;
                }
                bytes.push((v & 0xff) as u8);
            }
            b'x' => {
                let mut v = 0u32;
                let mut k = 0;
                while k < 2 && i < b.len() && b[i].is_ascii_hexdigit() {
                    v = v * 16 + char::from(b[i]).to_digit(16).unwrap_or(0);
                    i += 1;
                    k += 1;
                }
                if k == 0 {
                    return Err(bad("十六进制转义不完整"));
                }
                bytes.push((v & 0xff) as u8);
            }
            other => bytes.push(other),
        }
    }
    out.push_str(std::str::from_utf8(&bytes).map_err(|_| bad("转义后不是 UTF-8"))?);
    Ok(())
}

/// One COPY line (without its `\n`) into the page; `scratch` holds unescaped fields.
fn push_line(page: &mut EntryPage, line: &str, scratch: &mut [String; FIELDS]) -> Result<()> {
    let mut parts: [&str; FIELDS] = [""; FIELDS];
    let mut n = 0;
    for part in line.split('\t') {
        if n == FIELDS {
            return Err(bad("字段过多"));
        }
        parts[n] = part;
        n += 1;
    }
    if n != FIELDS {
        return Err(bad("字段过少"));
    }
    let mut escaped = [false; FIELDS];
    for ((part, out), esc) in parts.iter().zip(scratch.iter_mut()).zip(escaped.iter_mut()) {
        if *part != "\\N" && part.contains('\\') {
            unescape(part, out)?;
            *esc = true;
        }
    }
    let field = |i: usize| -> Option<&str> {
        if escaped[i] {
            Some(scratch[i].as_str())
        } else if parts[i] == "\\N" {
            None
        } else {
            Some(parts[i])
        }
    };
    let need = |i: usize| field(i).ok_or_else(|| bad("非空字段为空"));
    let seq: i64 = need(0)?.parse().map_err(|_| bad("序号不是整数"))?;
    page.push(&EntryRef {
        seq,
        at: need(1)?,
        actor: need(2)?,
        entity_type: need(3)?,
        entity_id: need(4)?,
        action: need(5)?,
        state_digest: field(6),
        prev_hash: need(7)?,
        hash: need(8)?,
        members: field(9),
    });
    Ok(())
}

/// Check every entry of the change log, read with `COPY` on `conn` (inside `verify`'s
/// snapshot transaction), into `checker`.
pub(crate) async fn check_entries(
    conn: &mut PgConnection,
    checker: ChainChecker,
) -> Result<ChainChecker> {
    let mut pipeline = Pipeline::start(checker);
    {
        let mut stream = conn.copy_out_raw(COPY).await?;
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
        let mut page = EntryPage::new();
        let mut scratch: [String; FIELDS] = Default::default();
        while let Some(chunk) = stream.try_next().await? {
            buf.extend_from_slice(&chunk);
            let Some(end) = buf.iter().rposition(|b| *b == b'\n') else {
                continue;
            };
            {
                // Lines end at a `\n` byte, never inside a UTF-8 sequence.
                let text = std::str::from_utf8(&buf[..end]).map_err(|_| bad("不是 UTF-8"))?;
                for line in text.split('\n') {
                    push_line(&mut page, line, &mut scratch)?;
                    if page.is_full() {
                        pipeline
                            .send(std::mem::replace(&mut page, EntryPage::new()))
                            .await?;
                    }
                }
            }
            buf.drain(..=end);
        }
        if !buf.is_empty() {
            return Err(bad("最后一行不完整"));
        }
        pipeline.send(page).await?;
    }
    pipeline.finish().await
}

/// `verify`'s hook (called inside its snapshot transaction `conn`).
pub(crate) async fn check_log_entries(
    _store: &crate::postgres::PgStore,
    conn: &mut PgConnection,
    checker: ChainChecker,
) -> Result<Fast> {
    if portable_reads() {
        return Ok(Fast::Unavailable(checker));
    }
    check_entries(conn, checker).await.map(Fast::Checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_escapes_are_undone() {
        let mut out = String::new();
        unescape(r"a\\b\tc\nd\x41\101é", &mut out).unwrap();
        assert_eq!(out, "a\\b\tc\ndAAé");
        assert!(unescape("x\\", &mut out).is_err());
    }

    #[test]
    fn a_line_becomes_an_entry() {
        let mut page = EntryPage::new();
        let mut scratch: [String; FIELDS] = Default::default();
        push_line(
            &mut page,
            "7\t2026-01-01T00:00:00Z\t张三\\t甲\trecord\tid-1\tcreate\t\\N\tp\th\t\\N",
            &mut scratch,
        )
        .unwrap();
        assert_eq!(page.len(), 1);
        assert!(push_line(&mut page, "7\tonly", &mut scratch).is_err());
        assert!(push_line(&mut page, "x\ta\tb\tc\td\te\tf\tg\th\ti", &mut scratch).is_err());
    }
}
