//! Sessions: random identifiers stored hashed, an idle timeout (30 minutes by default) and
//! an absolute lifetime (12 hours: a working day), as 等级保护 level 3 asks for automatic
//! logout.
//!
//! The session id is a bearer secret like an API token: the cookie carries the plaintext,
//! the database only its SHA-256, so a leaked database does not hand out live sessions.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::AccessError;
use crate::tokens::{random_secret, sha256_hex, Secret};

/// Session timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionPolicy {
    /// Idle timeout in seconds. Default 1 800 (30 minutes).
    pub idle_secs: i64,
    /// Absolute lifetime in seconds, however active. Default 43 200 (12 hours).
    pub absolute_secs: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle_secs: 30 * 60,
            absolute_secs: 12 * 3600,
        }
    }
}

/// The times of one session, to store with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTimes {
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

impl SessionTimes {
    /// A session starting at `now`.
    pub fn start(now: DateTime<Utc>) -> Self {
        SessionTimes {
            created_at: now,
            last_seen_at: now,
        }
    }

    /// Whether the session is still alive at `now`.
    pub fn check(&self, now: DateTime<Utc>, policy: &SessionPolicy) -> Result<(), AccessError> {
        if now >= self.created_at + Duration::seconds(policy.absolute_secs) {
            return Err(AccessError::SessionExpired);
        }
        if now >= self.last_seen_at + Duration::seconds(policy.idle_secs) {
            return Err(AccessError::SessionIdle);
        }
        Ok(())
    }

    /// Check, then record activity at `now`.
    pub fn touch(&mut self, now: DateTime<Utc>, policy: &SessionPolicy) -> Result<(), AccessError> {
        self.check(now, policy)?;
        if now > self.last_seen_at {
            self.last_seen_at = now;
        }
        Ok(())
    }
}

/// A new session id: `(plaintext for the cookie, SHA-256 hex to store)`.
pub fn new_session_id() -> Result<(Secret, String), AccessError> {
    let plain = random_secret("cxs_")?;
    let hash = sha256_hex(plain.expose());
    Ok((plain, hash))
}

/// The stored form of a session id presented by a client.
pub fn session_id_hash(plaintext: &str) -> String {
    sha256_hex(plaintext)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn idle_and_absolute_timeouts() {
        let p = SessionPolicy::default();
        let mut s = SessionTimes::start(t(0));
        assert!(s.touch(t(1799), &p).is_ok());
        assert!(s.touch(t(3598), &p).is_ok());
        assert_eq!(
            s.check(t(3598 + 1800), &p).unwrap_err().code(),
            "session_idle_timeout"
        );
        let mut s = SessionTimes::start(t(0));
        let mut now = 0;
        while now + 1000 < 12 * 3600 {
            now += 1000;
            assert!(s.touch(t(now), &p).is_ok());
        }
        assert_eq!(
            s.touch(t(12 * 3600), &p).unwrap_err().code(),
            "session_expired"
        );
        let short = SessionPolicy { idle_secs: 60, ..p };
        let s = SessionTimes::start(t(0));
        assert!(s.check(t(60), &short).is_err());
    }

    #[test]
    fn session_ids() {
        let (plain, hash) = new_session_id().unwrap();
        assert!(plain.expose().starts_with("cxs_"));
        assert_eq!(session_id_hash(plain.expose()), hash);
        assert_eq!(hash.len(), 64);
        assert!(!format!("{plain:?}").contains(&plain.expose()[4..]));
    }
}
