//! Flood limits on what anyone may do without logging in (issue 16 point 5): anonymous filing
//! (complaints, objections), evidence uploads, 报告验真, tracking-number look-ups, logins and
//! the public's credit-report downloads,
//! each limited per client address and for all clients together
//! ([`chengxin_access::ClientLimiter`]). The HTTP layer names the class of each route (the
//! route table) and the client's address (behind trusted proxies only from
//! `X-Forwarded-For`); [`Flood::admit`] answers a refusal as [`AppError::Limited`] (code
//! `rate_limited`, a Chinese message, when to retry).
//!
//! The evidence quotas by size are elsewhere: per application in the credit-rights rules
//! (`[evidence] max_total_bytes`, `max_files`), per day for the whole platform in
//! [`FloodSettings::evidence_bytes_per_day`] (checked by `rights::evidence`).
//!
//! The defaults are far above what honest users of a city's portal do — several people share
//! an address behind a carrier's or an office's NAT — and far below a flood.

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chengxin_access::{ClientLimit, ClientLimiter, LimitRefusal, LimitScope};

use crate::error::{AppError, AppResult};

/// What kind of anonymous request a route is, for the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FloodClass {
    /// Filing a complaint or an objection (投诉举报, 异议申诉).
    Filing,
    /// Uploading an evidence file (证明材料).
    Evidence,
    /// Verifying a credit report (报告验真).
    Verify,
    /// Looking up or withdrawing an application by tracking number (办件查询).
    Tracking,
    /// Logging in.
    Login,
    /// Downloading an organisation's public credit report from the portal (each one is
    /// issued, signed and kept).
    Report,
}

impl FloodClass {
    pub const ALL: [FloodClass; 6] = [
        FloodClass::Filing,
        FloodClass::Evidence,
        FloodClass::Verify,
        FloodClass::Tracking,
        FloodClass::Login,
        FloodClass::Report,
    ];

    /// Snake-case name (configuration, logs).
    pub fn as_str(self) -> &'static str {
        match self {
            FloodClass::Filing => "filing",
            FloodClass::Evidence => "evidence",
            FloodClass::Verify => "verify",
            FloodClass::Tracking => "tracking",
            FloodClass::Login => "login",
            FloodClass::Report => "report",
        }
    }

    /// What the user was doing, in Chinese.
    pub fn label_zh(self) -> &'static str {
        match self {
            FloodClass::Filing => "提交投诉举报和异议申诉",
            FloodClass::Evidence => "上传证明材料",
            FloodClass::Verify => "报告验真",
            FloodClass::Tracking => "办件查询",
            FloodClass::Login => "登录",
            FloodClass::Report => "下载信用报告",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The limits, from the server configuration (`CHENGXIN_LIMIT_*`).
#[derive(Debug, Clone, PartialEq)]
pub struct FloodSettings {
    pub filing: ClientLimit,
    pub evidence: ClientLimit,
    pub verify: ClientLimit,
    pub tracking: ClientLimit,
    pub login: ClientLimit,
    pub report: ClientLimit,
    /// Clients tracked per class at most (memory stays bounded whatever the addresses).
    pub max_clients: usize,
    /// Evidence bytes the whole platform accepts per day (China time).
    pub evidence_bytes_per_day: u64,
}

const HOUR: Duration = Duration::from_secs(3600);

impl Default for FloodSettings {
    fn default() -> Self {
        FloodSettings {
            filing: ClientLimit::per(20, 600, HOUR),
            evidence: ClientLimit::per(60, 1200, HOUR),
            verify: ClientLimit::per(300, 6000, HOUR),
            tracking: ClientLimit::per(300, 6000, HOUR),
            login: ClientLimit::per(300, 1800, HOUR),
            report: ClientLimit::per(30, 600, HOUR),
            max_clients: 50_000,
            evidence_bytes_per_day: 2 * 1024 * 1024 * 1024,
        }
    }
}

impl FloodSettings {
    /// The limit of one class.
    pub fn limit(&self, class: FloodClass) -> ClientLimit {
        match class {
            FloodClass::Filing => self.filing,
            FloodClass::Evidence => self.evidence,
            FloodClass::Verify => self.verify,
            FloodClass::Tracking => self.tracking,
            FloodClass::Login => self.login,
            FloodClass::Report => self.report,
        }
    }

    /// Set the limit of one class.
    pub fn set(&mut self, class: FloodClass, limit: ClientLimit) {
        match class {
            FloodClass::Filing => self.filing = limit,
            FloodClass::Evidence => self.evidence = limit,
            FloodClass::Verify => self.verify = limit,
            FloodClass::Tracking => self.tracking = limit,
            FloodClass::Login => self.login = limit,
            FloodClass::Report => self.report = limit,
        }
    }
}

/// The limiters of a running server, one per class.
pub struct Flood {
    limiters: Vec<Mutex<ClientLimiter>>,
}

impl Flood {
    pub fn new(settings: &FloodSettings) -> Self {
        Flood {
            limiters: FloodClass::ALL
                .iter()
                .map(|c| Mutex::new(ClientLimiter::new(settings.limit(*c), settings.max_clients)))
                .collect(),
        }
    }

    /// Count one anonymous request of `class` from `client`; refused with
    /// [`AppError::Limited`] over the client's or everybody's limit.
    pub fn admit(&self, class: FloodClass, client: Option<IpAddr>) -> AppResult<()> {
        let verdict = {
            let mut l = self
                .limiters
                .get(class.index())
                .ok_or_else(|| AppError::Unavailable("限流器不可用".into()))?
                .lock()
                .map_err(|_| AppError::Unavailable("限流器不可用".into()))?;
            l.check(client, Instant::now())
        };
        verdict.map_err(|r| {
            tracing::info!(target: crate::LOG_TARGET,
                class = class.as_str(),
                scope = ?r.scope,
                retry_after_secs = r.retry_after_secs(),
                "anonymous request refused by the flood limits"
            );
            refusal(class, r)
        })
    }
}

/// The answer to a refused request.
fn refusal(class: FloodClass, r: LimitRefusal) -> AppError {
    let secs = r.retry_after_secs();
    let wait = wait_zh(secs);
    let message = match r.scope {
        LimitScope::Client => format!("{}过于频繁，请{wait}后再试", class.label_zh()),
        LimitScope::Global => format!("当前{}的人数过多，请{wait}后再试", class.label_zh()),
    };
    AppError::Limited {
        code: "rate_limited",
        message,
        retry_after_secs: secs,
    }
}

/// A wait in Chinese: seconds, minutes or hours, rounded up.
pub fn wait_zh(secs: u64) -> String {
    match secs {
        0..=59 => format!("{}秒", secs.max(1)),
        60..=3599 => format!("{}分钟", secs.div_ceil(60)),
        _ => format!("{}小时", secs.div_ceil(3600)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_say_what_and_when_in_chinese() {
        let mut s = FloodSettings::default();
        s.set(FloodClass::Filing, ClientLimit::per(2, 100, HOUR));
        let f = Flood::new(&s);
        let a: Option<IpAddr> = "198.51.100.7".parse().ok();
        f.admit(FloodClass::Filing, a).unwrap();
        f.admit(FloodClass::Filing, a).unwrap();
        let e = f.admit(FloodClass::Filing, a).unwrap_err();
        assert_eq!(e.code(), "rate_limited");
        assert_eq!(e.retry_after_secs(), Some(1800));
        assert_eq!(
            e.to_string(),
            "提交投诉举报和异议申诉过于频繁，请30分钟后再试"
        );
        // Another class is counted apart.
        f.admit(FloodClass::Tracking, a).unwrap();
    }

    #[test]
    fn defaults_leave_honest_use_alone() {
        let s = FloodSettings::default();
        // At least 20 an hour from one address (a NAT may hide many people), and room for
        // many such addresses at once.
        for c in FloodClass::ALL {
            let l = s.limit(c);
            assert!(l.per_client.burst >= 20, "{c:?}");
            assert!(l.global.burst >= 6 * l.per_client.burst, "{c:?}");
        }
        assert_eq!(wait_zh(0), "1秒");
        assert_eq!(wait_zh(61), "2分钟");
        assert_eq!(wait_zh(3601), "2小时");
    }
}
