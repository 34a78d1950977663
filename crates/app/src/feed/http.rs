//! A minimal HTTP/1.1 GET (plain `http://`, like the webhooks' client): the feed's only
//! client. HTTPS between instances goes through the deployment's TLS tunnel or proxy.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TIMEOUT: Duration = Duration::from_secs(60);

/// `GET url` with a bearer token: `(status, body)`. A body longer than `max` bytes is an error
/// (`Err(None)`); a connection or protocol failure `Err(Some(reason))`.
pub async fn get(url: &str, token: &str, max: usize) -> Result<(u16, Vec<u8>), Option<String>> {
    let (host, port, path) = crate::notify::delivery::split_url(url).map_err(Some)?;
    let connect = tokio::net::TcpStream::connect((host.trim_matches(['[', ']']), port));
    let mut stream = tokio::time::timeout(TIMEOUT, connect)
        .await
        .map_err(|_| Some("连接超时".to_string()))?
        .map_err(|e| Some(format!("无法连接：{e}")))?;
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: chengxin-feed\r\n\
         Authorization: Bearer {token}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    );
    let io = async {
        stream.write_all(head.as_bytes()).await?;
        stream.flush().await?;
        let mut buf = Vec::with_capacity(64 * 1024);
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
            if buf.len() > max + 64 * 1024 {
                return Ok::<_, std::io::Error>(None);
            }
        }
        Ok(Some(buf))
    };
    let buf = tokio::time::timeout(TIMEOUT, io)
        .await
        .map_err(|_| Some("等待应答超时".to_string()))?
        .map_err(|e| Some(format!("读取失败：{e}")))?
        .ok_or(None)?;
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| Some("对方应答不是 HTTP".to_string()))?;
    let header = String::from_utf8_lossy(&buf[..split]).to_ascii_lowercase();
    let status = header
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| Some("对方应答不是 HTTP".to_string()))?;
    let raw = &buf[split + 4..];
    let body = if header.contains("transfer-encoding: chunked") {
        dechunk(raw).ok_or_else(|| Some("分块应答格式错误".to_string()))?
    } else {
        raw.to_vec()
    };
    if body.len() > max {
        return Err(None);
    }
    Ok((status, body))
}

/// Decode a chunked body.
fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len());
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&raw[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        raw = &raw[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(raw.get(..size)?);
        raw = raw.get(size + 2..)?;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn chunked_bodies_decode() {
        assert_eq!(
            super::dechunk(b"4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n").unwrap(),
            b"Wikipedia"
        );
        assert!(super::dechunk(b"zz\r\n").is_none());
    }
}
