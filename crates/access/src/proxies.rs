//! The client's address behind a reverse proxy (issue 16 point 5). Limits, sessions and the
//! audit trail name the client by its address; a client can write any `X-Forwarded-For` it
//! likes, so the header is believed only when the socket peer is one of the configured
//! [`TrustedProxies`] (default: none — the socket peer is the client).
//!
//! With trusted proxies, the header is read from the right (each proxy appends the address it
//! received the request from): trusted hops are skipped, and the first address that is not a
//! trusted proxy is the client. Whatever lies left of it was written by the client itself and
//! is ignored; an entry that is not an address ends the walk at the last trusted hop.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// One network: an address and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed: addresses and networks
/// (`10.0.0.5`, `192.168.10.0/24`, `fd00::/8`). Empty by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Net>);

/// A trusted-proxy list that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("受信任的反向代理地址“{0}”无效（应为 IP 地址或 地址/前缀长度，以逗号分隔）")]
pub struct ProxyListError(pub String);

impl TrustedProxies {
    /// No proxy is trusted: the socket peer is the client.
    pub fn none() -> Self {
        TrustedProxies(Vec::new())
    }

    /// Parses a comma-separated list of addresses and networks; blank means none.
    pub fn parse(list: &str) -> Result<Self, ProxyListError> {
        let mut out = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let bad = || ProxyListError(item.to_string());
            let (addr, prefix) = match item.split_once('/') {
                Some((a, p)) => (a, Some(p)),
                None => (item, None),
            };
            let addr = IpAddr::from_str(addr.trim())
                .map_err(|_| bad())?
                .to_canonical();
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let prefix = match prefix {
                Some(p) => p.trim().parse::<u8>().map_err(|_| bad())?,
                None => max,
            };
            if prefix > max {
                return Err(bad());
            }
            out.push(Net { addr, prefix });
        }
        Ok(TrustedProxies(out))
    }

    /// Whether no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `ip` is a trusted proxy.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client's address: the socket `peer`, unless the peer is a trusted proxy — then the
    /// right-most address of the `X-Forwarded-For` values (in the order received) that is not
    /// a trusted proxy (see the module docs).
    pub fn client_address<'a>(
        &self,
        peer: IpAddr,
        forwarded_for: impl IntoIterator<Item = &'a str>,
    ) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = forwarded_for
            .into_iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Some(ip) = parse_hop(hop) else {
                break;
            };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:80`,
/// `[2001:db8::1]:443`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    IpAddr::from_str(hop)
        .ok()
        .or_else(|| SocketAddr::from_str(hop).ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn parses_addresses_and_networks() {
        let t = TrustedProxies::parse(" 10.0.0.5, 192.168.10.0/24 ,fd00::/8").unwrap();
        assert!(t.trusts(ip("10.0.0.5")));
        assert!(!t.trusts(ip("10.0.0.6")));
        assert!(t.trusts(ip("192.168.10.77")));
        assert!(!t.trusts(ip("192.168.11.1")));
        assert!(t.trusts(ip("fd12::1")));
        assert!(t.trusts(ip("::ffff:10.0.0.5")));
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        assert!(TrustedProxies::parse("0.0.0.0/0")
            .unwrap()
            .trusts(ip("8.8.8.8")));
        for bad in [
            "10.0.0",
            "10.0.0.0/33",
            "::/129",
            "proxy.local",
            "10.0.0.1/x",
        ] {
            assert!(TrustedProxies::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn untrusted_peers_are_the_client_whatever_they_claim() {
        let none = TrustedProxies::none();
        assert_eq!(
            none.client_address(ip("203.0.113.9"), ["198.51.100.1"]),
            ip("203.0.113.9")
        );
        let t = TrustedProxies::parse("10.0.0.5").unwrap();
        assert_eq!(
            t.client_address(ip("203.0.113.9"), ["198.51.100.1"]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn trusted_proxies_name_the_client_and_client_written_entries_are_ignored() {
        let t = TrustedProxies::parse("10.0.0.0/24").unwrap();
        // One proxy.
        assert_eq!(
            t.client_address(ip("10.0.0.5"), ["198.51.100.1"]),
            ip("198.51.100.1")
        );
        // The client wrote its own header; the proxy appended the real address.
        assert_eq!(
            t.client_address(ip("10.0.0.5"), ["1.1.1.1, 2.2.2.2, 198.51.100.1"]),
            ip("198.51.100.1")
        );
        // Two proxies, in two header lines.
        assert_eq!(
            t.client_address(ip("10.0.0.5"), ["198.51.100.1", "10.0.0.7"]),
            ip("198.51.100.1")
        );
        // Ports and brackets.
        assert_eq!(
            t.client_address(ip("10.0.0.5"), ["[2001:db8::1]:443"]),
            ip("2001:db8::1")
        );
        // Garbage stops the walk at the last trusted hop; no header: the proxy itself.
        assert_eq!(
            t.client_address(ip("10.0.0.5"), ["198.51.100.1, unknown, 10.0.0.7"]),
            ip("10.0.0.7")
        );
        assert_eq!(
            t.client_address(ip("10.0.0.5"), std::iter::empty()),
            ip("10.0.0.5")
        );
    }
}
