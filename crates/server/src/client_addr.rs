//! The client's address of a request: the socket peer, or — when the peer is one of the
//! configured trusted reverse proxies (`CHENGXIN_TRUSTED_PROXIES`) — the address the proxies
//! name in `X-Forwarded-For` (`chengxin_access::TrustedProxies`). Resolved once per request by
//! `auth::authenticate`, kept as the [`ClientAddr`] extension (the flood limits read it) and as
//! the caller's `ip` (sessions, audit events).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request};
use chengxin_access::TrustedProxies;

/// The client's address (`None` only without a socket peer: requests made in-process).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

/// The client's address of `req` (see the module docs).
pub fn resolve(req: &Request, proxies: &TrustedProxies) -> ClientAddr {
    let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>() else {
        return ClientAddr(None);
    };
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok());
    ClientAddr(Some(proxies.client_address(peer.ip(), forwarded)))
}
