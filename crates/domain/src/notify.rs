//! Notifications' pure rules: the webhook signature (HMAC-SHA256 of the exact body) and the
//! delivery back-off.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header a webhook delivery carries its signature in: `sha256=<hex>`.
pub const SIGNATURE_HEADER: &str = "X-Chengxin-Signature";
/// Attempts before a delivery is given up (`failed`).
pub const MAX_ATTEMPTS: i32 = 8;

/// `sha256=<hex of HMAC-SHA256(secret, body)>`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mut mac) => {
            mac.update(body);
            format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
        }
        // HMAC accepts keys of any length; this arm is never taken.
        Err(_) => String::new(),
    }
}

/// Whether `signature` (`sha256=<hex>`) is the body's under `secret` (constant time).
pub fn verify(secret: &[u8], body: &[u8], signature: &str) -> bool {
    let Some(hex_sig) = signature.strip_prefix("sha256=") else {
        return false;
    };
    let Ok(given) = hex::decode(hex_sig) else {
        return false;
    };
    match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mut mac) => {
            mac.update(body);
            mac.verify_slice(&given).is_ok()
        }
        Err(_) => false,
    }
}

/// Seconds to wait after the `attempts`-th failed attempt: 30 s doubled each time, at most six
/// hours; `None` once [`MAX_ATTEMPTS`] are spent.
pub fn retry_after_secs(attempts: i32) -> Option<i64> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let exp = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    Some((30_i64 << exp).min(6 * 3600))
}

/// Whether a webhook address is acceptable: `http://` or `https://`, a host, no credentials,
/// no spaces or control characters, at most 500 characters.
pub fn check_url(url: &str) -> Result<(), &'static str> {
    let u = url.trim();
    if u.len() > 500 || u.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("地址过长或含有空白、控制字符");
    }
    let rest = u
        .strip_prefix("http://")
        .or_else(|| u.strip_prefix("https://"))
        .ok_or("地址须以 http:// 或 https:// 开头")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.contains('@') {
        return Err("地址须含主机名，且不得包含用户名或密码");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_round_trip_and_tamper() {
        let s = sign(b"secret", b"{\"a\":1}");
        assert!(s.starts_with("sha256=") && s.len() == 7 + 64);
        assert!(verify(b"secret", b"{\"a\":1}", &s));
        assert!(!verify(b"secret", b"{\"a\":2}", &s));
        assert!(!verify(b"other", b"{\"a\":1}", &s));
        assert!(!verify(b"secret", b"{\"a\":1}", "md5=00"));
        // RFC 4231 test case 2.
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn back_off_doubles_and_stops() {
        assert_eq!(retry_after_secs(1), Some(30));
        assert_eq!(retry_after_secs(2), Some(60));
        assert_eq!(retry_after_secs(3), Some(120));
        assert_eq!(retry_after_secs(MAX_ATTEMPTS), None);
        assert!(retry_after_secs(7).is_some_and(|s| s <= 6 * 3600));
    }

    #[test]
    fn urls() {
        assert!(check_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(check_url("https://oa.example.gov.cn/api/notify").is_ok());
        assert!(check_url("ftp://x").is_err());
        assert!(check_url("http://user:pw@host/").is_err());
        assert!(check_url("http:// bad").is_err());
        assert!(check_url("http:///path").is_err());
    }
}
