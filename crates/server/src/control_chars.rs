//! Requests carrying control characters are refused before any handler sees them: in the path,
//! the query string, a JSON body or a URL-encoded form (see `chengxin_domain::text` for the rule). File uploads are
//! checked cell by cell by the import (a row error each), not here.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chengxin_domain::text;

use crate::error::{ApiError, AppError};

/// The largest JSON body inspected (larger ones are refused by the body limit anyway).
const MAX_BODY: usize = 16 * 1024 * 1024;

fn refused(c: char) -> Response {
    ApiError(AppError::invalid(
        "control_character",
        format!(
            "请求含有不可见的控制字符（{}），请删除后重试",
            text::codepoint(c)
        ),
    ))
    .into_response()
}

/// The first forbidden control character of a percent-encoded path or query string.
fn in_url_part(s: &str) -> Option<char> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let byte = if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(v) => {
                    i += 3;
                    v
                }
                None => {
                    i += 1;
                    b'%'
                }
            }
        } else {
            i += 1;
            b[i - 1]
        };
        // Bytes below 0x80 are whole ASCII characters in UTF-8.
        if byte < 0x80 && text::is_forbidden(byte as char) {
            return Some(byte as char);
        }
    }
    None
}

/// The first forbidden control character in any string (or key) of a JSON value.
fn in_json(v: &serde_json::Value) -> Option<char> {
    match v {
        serde_json::Value::String(s) => text::control_character(s),
        serde_json::Value::Array(a) => a.iter().find_map(in_json),
        serde_json::Value::Object(m) => m
            .iter()
            .find_map(|(k, v)| text::control_character(k).or_else(|| in_json(v))),
        _ => None,
    }
}

/// The bodies inspected: JSON (the API) and URL-encoded forms (the portal and console).
#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Json,
    Form,
}

fn body_kind(req: &Request) -> Option<BodyKind> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())?
        .trim_start()
        .to_ascii_lowercase();
    if ct.starts_with("application/json") {
        Some(BodyKind::Json)
    } else if ct.starts_with("application/x-www-form-urlencoded") {
        Some(BodyKind::Form)
    } else {
        None
    }
}

/// The middleware: refuse, or pass the request on unchanged.
pub async fn refuse(req: Request, next: Next) -> Response {
    let uri = req.uri();
    if let Some(c) = in_url_part(uri.path()).or_else(|| uri.query().and_then(in_url_part)) {
        return refused(c);
    }
    let Some(kind) = body_kind(&req) else {
        return next.run(req).await;
    };
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        // Too large or broken: answered as the JSON extractor answers a bad body.
        Err(e) => {
            return ApiError(AppError::invalid(
                "invalid_json",
                format!("请求体错误：{e}"),
            ))
            .into_response()
        }
    };
    // A body that does not parse is left to the handler's extractor (and its message).
    let found = match kind {
        BodyKind::Json => serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| in_json(&v)),
        BodyKind::Form => std::str::from_utf8(&bytes).ok().and_then(in_url_part),
    };
    if let Some(c) = found {
        return refused(c);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_parts() {
        assert_eq!(in_url_part("/api/v1/subjects"), None);
        assert_eq!(in_url_part("q=%E5%B8%B8%E5%B7%9E"), None);
        assert_eq!(in_url_part("q=a%00b"), Some('\u{0}'));
        assert_eq!(in_url_part("q=a%1Fb"), Some('\u{1f}'));
        assert_eq!(in_url_part("q=a%7f"), Some('\u{7f}'));
        assert_eq!(in_url_part("q=100%"), None);
        assert_eq!(in_url_part("q=%zz%0"), None);
        assert_eq!(in_url_part("q=a%09b%0A"), None);
    }

    #[test]
    fn json_strings_and_keys() {
        let v = serde_json::json!({"reasons": "理由\u{0}", "n": 1});
        assert_eq!(in_json(&v), Some('\u{0}'));
        let v = serde_json::json!({"k\u{1}": "x"});
        assert_eq!(in_json(&v), Some('\u{1}'));
        let v = serde_json::json!({"list": ["a", "b\nc"], "ok": true});
        assert_eq!(in_json(&v), None);
    }
}
