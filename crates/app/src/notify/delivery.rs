//! The webhook delivery job: each pending delivery is POSTed as JSON with its HMAC-SHA256
//! signature (`X-Chengxin-Signature: sha256=<hex>`, the secret the body set), and its outcome
//! recorded — `delivered` on a 2xx answer, otherwise tried again after a doubling back-off
//! (30 s, 1 min, 2 min … at most 6 h) until the attempts are spent (`failed`). The last error
//! is kept and shown on the webhook page.
//!
//! The transport is a minimal HTTP/1.1 client over a TCP connection (`http://` only: the
//! platform reaches the OA system or SMS gateway on the government network; TLS is that
//! gateway's).

use std::time::Duration;

use chengxin_domain::notify::{retry_after_secs, sign, SIGNATURE_HEADER};
use chengxin_store::DeliveryRow;
use chrono::SubsecRound;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::error::AppResult;
use crate::App;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryRun {
    pub delivered: usize,
    pub retrying: usize,
    pub failed: usize,
}

const TIMEOUT: Duration = Duration::from_secs(10);

/// Deliver what is due now (at most 100 a run).
pub async fn deliver_due(app: &App) -> AppResult<DeliveryRun> {
    let now = chengxin_store::clock::now().trunc_subsecs(6);
    let due = app.store.due_deliveries(now, 100).await?;
    let mut run = DeliveryRun::default();
    for d in due {
        let outcome = attempt(app, &d).await;
        let mut next = d.clone();
        next.attempts += 1;
        next.updated_at = chengxin_store::clock::now().trunc_subsecs(6);
        match outcome {
            Ok(status) => {
                next.last_status = Some(i32::from(status));
                if (200..300).contains(&status) {
                    next.status = "delivered".into();
                    next.last_error = None;
                    run.delivered += 1;
                } else {
                    next.last_error = Some(format!("对方返回 HTTP {status}"));
                }
            }
            Err(e) => {
                next.last_status = None;
                next.last_error = Some(e);
            }
        }
        if next.status == "pending" {
            match retry_after_secs(next.attempts) {
                Some(s) => {
                    next.next_attempt_at = next.updated_at + chrono::Duration::seconds(s);
                    run.retrying += 1;
                }
                None => {
                    next.status = "failed".into();
                    run.failed += 1;
                }
            }
        }
        app.store.update_delivery("system:webhook", &next).await?;
    }
    Ok(run)
}

async fn attempt(app: &App, d: &DeliveryRow) -> Result<u16, String> {
    let hook = app
        .store
        .webhook(&d.body_uscc)
        .await
        .map_err(|e| format!("读取推送设置失败：{e}"))?
        .ok_or_else(|| "推送设置已删除".to_string())?;
    let secret = super::webhook::secret_of(app, &hook).map_err(|e| e.to_string())?;
    let signature = sign(secret.as_bytes(), d.payload.as_bytes());
    post(&d.url, &d.payload, &signature, &d.id.to_string()).await
}

/// `http://host[:port]/path` → (host, port, path).
pub(crate) fn split_url(url: &str) -> Result<(String, u16, String), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| "仅支持 http:// 地址".to_string())?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => (
            h.to_string(),
            p.parse::<u16>().map_err(|_| format!("端口无效：{p}"))?,
        ),
        _ => (authority.to_string(), 80),
    };
    if host.is_empty() {
        return Err("地址缺少主机名".into());
    }
    Ok((host, port, path.to_string()))
}

/// POST `body` to `url` and return the answer's status code.
pub async fn post(
    url: &str,
    body: &str,
    signature: &str,
    delivery_id: &str,
) -> Result<u16, String> {
    let (host, port, path) = split_url(url)?;
    let connect = tokio::net::TcpStream::connect((host.trim_matches(['[', ']']), port));
    let mut stream = tokio::time::timeout(TIMEOUT, connect)
        .await
        .map_err(|_| "连接超时".to_string())?
        .map_err(|e| format!("无法连接：{e}"))?;
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: chengxin-webhook\r\n\
         Content-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\
         {SIGNATURE_HEADER}: {signature}\r\nX-Chengxin-Delivery: {delivery_id}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    let io = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body.as_bytes()).await?;
        stream.flush().await?;
        let mut buf = Vec::with_capacity(256);
        let mut chunk = [0u8; 256];
        while !buf.windows(2).any(|w| w == b"\r\n") && buf.len() < 8192 {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        Ok::<_, std::io::Error>(buf)
    };
    let buf = tokio::time::timeout(TIMEOUT, io)
        .await
        .map_err(|_| "等待应答超时".to_string())?
        .map_err(|e| format!("发送失败：{e}"))?;
    let line = String::from_utf8_lossy(&buf);
    let status = line
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| "对方应答不是 HTTP".to_string())?;
    Ok(status)
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_split() {
        assert_eq!(
            super::split_url("http://127.0.0.1:9000/hook?x=1").unwrap(),
            ("127.0.0.1".into(), 9000, "/hook?x=1".into())
        );
        assert_eq!(
            super::split_url("http://oa.local").unwrap(),
            ("oa.local".into(), 80, "/".into())
        );
        assert!(super::split_url("https://x").is_err());
    }
}
