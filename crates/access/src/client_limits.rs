//! Limits per client address and for all clients together (issue 16 point 5): what anyone may
//! do without logging in — file a complaint or an objection, upload evidence, verify a credit
//! report, look up a tracking number, try a login — is counted per client and in total, so
//! that neither one address nor many can fill the database or exhaust the server.
//!
//! A [`ClientLimit`] is two token buckets ([`Rate`]): one per client, one shared by everybody.
//! A request takes from the client's bucket first and then from the shared one, so a client
//! over its own limit never eats into everybody else's. [`ClientLimiter`] keeps the buckets
//! ([`RateLimiter`]) with bounded memory: at most `max_clients` keys, idle ones (whose bucket is
//! full again, i.e. equal to no bucket at all) are dropped every minute, and when the table is
//! full of active clients, new clients share one overflow bucket — an attacker with many
//! addresses can neither grow the table nor push out the bucket of an address it already
//! emptied. An IPv6 client counts by its /64 (one host or household gets a whole /64).
//!
//! No clock of its own: every call takes `now`.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::AccessError;
use crate::tokens::{Rate, RateLimiter};

/// How often idle clients are forgotten while requests come in.
const PRUNE_EVERY: Duration = Duration::from_secs(60);
/// How often a full table is searched for idle clients (the search visits every key).
const PRUNE_WHEN_FULL: Duration = Duration::from_secs(1);

/// `n` requests per `window`, in bursts of up to `n` (the bucket refills evenly over the
/// window).
pub fn rate_per(n: u32, window: Duration) -> Rate {
    let secs = window.as_secs_f64();
    Rate {
        burst: n,
        per_second: if secs > 0.0 { f64::from(n) / secs } else { 0.0 },
    }
}

/// A limit on one kind of request: per client, and for all clients together.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClientLimit {
    pub per_client: Rate,
    pub global: Rate,
}

impl ClientLimit {
    /// `per_client` and `global` requests per `window` each.
    pub fn per(per_client: u32, global: u32, window: Duration) -> Self {
        ClientLimit {
            per_client: rate_per(per_client, window),
            global: rate_per(global, window),
        }
    }

    /// Parses `20/h,600/h`: the client's limit, then everybody's, each `N/UNIT` with UNIT one
    /// of `s`, `min`, `h`, `d`.
    pub fn parse(text: &str) -> Result<Self, LimitSpecError> {
        let bad = || {
            LimitSpecError(format!(
                "限流设置“{}”格式错误（应为“每客户端次数/单位,全局次数/单位”，单位为 s、min、h 或 d，例如 20/h,600/h）",
                text.trim()
            ))
        };
        let (client, global) = text.split_once(',').ok_or_else(bad)?;
        let one = |s: &str| -> Result<Rate, LimitSpecError> {
            let (n, unit) = s.trim().split_once('/').ok_or_else(bad)?;
            let n: u32 = n.trim().parse().map_err(|_| bad())?;
            let window = match unit.trim() {
                "s" => 1,
                "min" => 60,
                "h" => 3600,
                "d" => 86_400,
                _ => return Err(bad()),
            };
            if n == 0 {
                return Err(bad());
            }
            Ok(rate_per(n, Duration::from_secs(window)))
        };
        Ok(ClientLimit {
            per_client: one(client)?,
            global: one(global)?,
        })
    }
}

/// A limit setting that does not parse (the message says what is expected).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LimitSpecError(pub String);

/// Who counts as one client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientKey {
    V4(std::net::Ipv4Addr),
    /// The first 64 bits of an IPv6 address.
    V6Net(u64),
    /// No address known (a request without a socket peer: only in-process tests).
    Unknown,
    /// New clients while the table is full of active ones.
    Overflow,
}

impl ClientKey {
    /// The key of a client address (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn of(addr: Option<IpAddr>) -> Self {
        match addr.map(|a| a.to_canonical()) {
            Some(IpAddr::V4(a)) => ClientKey::V4(a),
            Some(IpAddr::V6(a)) => ClientKey::V6Net((u128::from(a) >> 64) as u64),
            None => ClientKey::Unknown,
        }
    }
}

/// Which bucket refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitScope {
    /// The client's own.
    Client,
    /// Everybody's together.
    Global,
}

/// A refused request: which limit, and when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitRefusal {
    pub scope: LimitScope,
    pub retry_after_ms: u64,
}

impl LimitRefusal {
    /// Whole seconds to wait (at least 1, at most a day), for a `Retry-After` header.
    pub fn retry_after_secs(&self) -> u64 {
        self.retry_after_ms.div_ceil(1000).clamp(1, 86_400)
    }
}

/// The buckets of one [`ClientLimit`]. Not synchronised: keep it behind a `Mutex`.
#[derive(Debug, Clone)]
pub struct ClientLimiter {
    limit: ClientLimit,
    clients: RateLimiter<ClientKey>,
    global: RateLimiter<()>,
    max_clients: usize,
    last_prune: Option<Instant>,
}

impl ClientLimiter {
    /// A limiter tracking at most `max_clients` clients (plus the overflow bucket).
    pub fn new(limit: ClientLimit, max_clients: usize) -> Self {
        ClientLimiter {
            limit,
            clients: RateLimiter::new(limit.per_client),
            global: RateLimiter::new(limit.global),
            max_clients: max_clients.max(1),
            last_prune: None,
        }
    }

    /// The limit applied.
    pub fn limit(&self) -> ClientLimit {
        self.limit
    }

    /// Take one request of `client`: from its own bucket, then from everybody's. A request
    /// the client's own bucket refuses takes nothing from everybody's.
    pub fn check(&mut self, client: Option<IpAddr>, now: Instant) -> Result<(), LimitRefusal> {
        let mut key = ClientKey::of(client);
        if self.due(now, PRUNE_EVERY) {
            self.prune(now);
        }
        if !self.clients.contains(&key) && self.clients.len() >= self.max_clients {
            if self.due(now, PRUNE_WHEN_FULL) {
                self.prune(now);
            }
            if self.clients.len() >= self.max_clients {
                key = ClientKey::Overflow;
            }
        }
        let refusal = |scope, e| LimitRefusal {
            scope,
            retry_after_ms: match e {
                AccessError::RateLimited { retry_after_ms } => retry_after_ms,
                _ => u64::MAX,
            },
        };
        self.clients
            .check_with(&key, self.limit.per_client, 1, now)
            .map_err(|e| refusal(LimitScope::Client, e))?;
        self.global
            .check_with(&(), self.limit.global, 1, now)
            .map_err(|e| refusal(LimitScope::Global, e))
    }

    /// Number of clients tracked.
    pub fn clients(&self) -> usize {
        self.clients.len()
    }

    fn due(&self, now: Instant, every: Duration) -> bool {
        self.last_prune
            .is_none_or(|t| now.saturating_duration_since(t) >= every)
    }

    fn prune(&mut self, now: Instant) {
        self.clients.prune(now, self.limit.per_client);
        self.last_prune = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn parses_limits() {
        let l = ClientLimit::parse("20/h, 600/h").unwrap();
        assert_eq!(l.per_client.burst, 20);
        assert!((l.per_client.per_second - 20.0 / 3600.0).abs() < 1e-12);
        assert_eq!(l.global.burst, 600);
        let l = ClientLimit::parse("5/s,100/min").unwrap();
        assert_eq!(l.per_client, rate_per(5, Duration::from_secs(1)));
        assert_eq!(l.global, rate_per(100, Duration::from_secs(60)));
        for bad in ["", "20/h", "20/week,1/h", "0/h,1/h", "x/h,1/h", "20,600"] {
            assert!(ClientLimit::parse(bad).is_err(), "{bad}");
        }
        assert!(ClientLimit::parse("20/h")
            .unwrap_err()
            .to_string()
            .contains("20/h,600/h"));
    }

    #[test]
    fn one_client_is_limited_others_are_not() {
        let t0 = Instant::now();
        let mut l = ClientLimiter::new(ClientLimit::per(3, 100, Duration::from_secs(60)), 100);
        for _ in 0..3 {
            l.check(ip("10.0.0.1"), t0).unwrap();
        }
        let r = l.check(ip("10.0.0.1"), t0).unwrap_err();
        assert_eq!(r.scope, LimitScope::Client);
        // One request back every 20 s.
        assert_eq!(r.retry_after_secs(), 20);
        l.check(ip("10.0.0.2"), t0).unwrap();
        l.check(ip("10.0.0.1"), t0 + Duration::from_secs(20))
            .unwrap();
    }

    #[test]
    fn everybody_together_is_limited_and_refused_clients_take_nothing() {
        let t0 = Instant::now();
        let mut l = ClientLimiter::new(ClientLimit::per(2, 5, Duration::from_secs(60)), 100);
        // One client over its own limit does not use up everybody's.
        for _ in 0..10 {
            let _ = l.check(ip("10.0.0.1"), t0);
        }
        for i in 2..5 {
            l.check(ip(&format!("10.0.0.{i}")), t0).unwrap();
        }
        let r = l.check(ip("10.0.0.9"), t0).unwrap_err();
        assert_eq!(r.scope, LimitScope::Global);
    }

    #[test]
    fn ipv6_counts_by_slash_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(
            ClientKey::of(ip("2001:db8:1:2::1")),
            ClientKey::of(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            ClientKey::of(ip("2001:db8:1:2::1")),
            ClientKey::of(ip("2001:db8:1:3::1"))
        );
        assert_eq!(
            ClientKey::of(ip("::ffff:10.0.0.1")),
            ClientKey::of(ip("10.0.0.1"))
        );
        assert_eq!(ClientKey::of(None), ClientKey::Unknown);
    }

    #[test]
    fn memory_is_bounded_and_emptied_buckets_are_not_pushed_out() {
        let t0 = Instant::now();
        let mut l = ClientLimiter::new(ClientLimit::per(1, 1_000_000, Duration::from_secs(60)), 10);
        l.check(ip("10.0.0.1"), t0).unwrap();
        assert!(l.check(ip("10.0.0.1"), t0).is_err());
        // Many other addresses, all active: the table stops growing...
        for i in 0..1000u32 {
            let a = std::net::Ipv4Addr::from(0x0b00_0000 + i);
            let _ = l.check(Some(a.into()), t0 + Duration::from_millis(u64::from(i)));
        }
        assert!(l.clients() <= 11, "{}", l.clients());
        // ...and the first client is still limited: its bucket was not evicted.
        assert!(l
            .check(ip("10.0.0.1"), t0 + Duration::from_secs(2))
            .is_err());
        // Once idle long enough (bucket full again), clients are forgotten.
        let later = t0 + Duration::from_secs(3600);
        l.check(ip("10.0.0.1"), later).unwrap();
        assert!(l.clients() <= 2, "{}", l.clients());
    }
}
