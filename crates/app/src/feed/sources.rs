//! The lower instances this instance pulls from (`CHENGXIN_FEED_SOURCES`: a TOML file, or the
//! TOML text itself), each with its address, token, trusted log key and expected region.

use chengxin_store::heads::VerifyingKey;
use serde::Deserialize;

use crate::error::{AppError, AppResult};

/// One lower instance, as configured.
#[derive(Debug, Clone)]
pub struct FeedSource {
    /// Its name, as records' provenance shows it (`溧阳市`).
    pub name: String,
    /// `http://host:port` of its API.
    pub url: String,
    /// Its `feed_read` token for this instance.
    pub token: String,
    /// The public key its tree heads are signed with (`chengxin keys`, hex).
    pub key: VerifyingKey,
    /// The region it may send records of.
    pub region: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    name: String,
    url: String,
    token: String,
    public_key: String,
    region: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    source: Vec<RawSource>,
    /// Seconds between pulls (default 10).
    interval_secs: Option<u64>,
    /// Entries per page asked for (default 500, at most 1000).
    page_size: Option<i64>,
}

/// The configured sources and the pull interval.
#[derive(Debug, Clone, Default)]
pub struct FeedSources {
    pub sources: Vec<FeedSource>,
    pub interval_secs: u64,
    /// Entries per page asked for.
    pub page_size: i64,
}

fn bad(message: String) -> AppError {
    AppError::NotConfigured {
        code: "feed_sources_invalid",
        message,
    }
}

impl FeedSources {
    /// Parse the TOML: `interval_secs = 10`, `page_size = 500` and `[[source]]` tables with `name`, `url`,
    /// `token`, `public_key` (hex) and `region`.
    pub fn parse(text: &str) -> AppResult<Self> {
        let raw: RawFile =
            toml::from_str(text).map_err(|e| bad(format!("下级平台配置无法解读：{e}")))?;
        let mut sources = Vec::with_capacity(raw.source.len());
        for s in raw.source {
            let bytes: [u8; 32] = hex::decode(s.public_key.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| bad(format!("下级平台“{}”的公钥不是 64 位十六进制", s.name)))?;
            let key = VerifyingKey::from_bytes(&bytes)
                .map_err(|_| bad(format!("下级平台“{}”的公钥无效", s.name)))?;
            if !s.url.starts_with("http://") {
                return Err(bad(format!(
                    "下级平台“{}”的地址须以 http:// 开头（HTTPS 由隧道或代理提供）",
                    s.name
                )));
            }
            if s.region.len() != 6 || !s.region.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad(format!("下级平台“{}”的地区代码无效", s.name)));
            }
            if sources.iter().any(|o: &FeedSource| o.name == s.name) {
                return Err(bad(format!("下级平台“{}”重复配置", s.name)));
            }
            sources.push(FeedSource {
                name: s.name,
                url: s.url.trim_end_matches('/').to_string(),
                token: s.token,
                key,
                region: s.region,
            });
        }
        Ok(Self {
            sources,
            interval_secs: raw.interval_secs.unwrap_or(10).max(1),
            page_size: raw
                .page_size
                .unwrap_or(super::DEFAULT_PAGE)
                .clamp(1, super::MAX_PAGE),
        })
    }

    /// `CHENGXIN_FEED_SOURCES`: a file path, or the TOML text itself (when it holds `[[source]]`).
    pub fn load(value: &str) -> AppResult<Self> {
        if value.contains("[[source]]") {
            return Self::parse(value);
        }
        let text = std::fs::read_to_string(value)
            .map_err(|e| bad(format!("无法读取下级平台配置 {value}：{e}")))?;
        Self::parse(&text)
    }
}
