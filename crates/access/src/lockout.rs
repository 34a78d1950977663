//! Login lockout (登录失败处理): after 5 consecutive failed logins an account is locked for
//! 15 minutes (等级保护 level 3 asks for "limits on failed logins and automatic logout").
//!
//! [`LoginGuard`] is the state to store with the account (two columns). It is pure: the
//! caller passes the time and persists the result. The order at login is:
//!
//! 1. [`LoginGuard::check`] — while locked, refuse *before* looking at the password, so that
//!    even the right password gets no answer and an attacker learns nothing;
//! 2. verify password and second factor;
//! 3. [`LoginGuard::on_failure`] or [`LoginGuard::on_success`], then store the guard.
//!
//! Attempts made while locked are refused by step 1 and do not extend the lock: extending it
//! would let anyone keep a colleague locked out forever.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::AccessError;

/// How many failures lock an account, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LockoutPolicy {
    /// Consecutive failures that lock the account. Default 5.
    pub max_failures: u32,
    /// Lock duration in seconds. Default 900 (15 minutes).
    pub lock_secs: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy {
            max_failures: 5,
            lock_secs: 15 * 60,
        }
    }
}

/// The account is locked until `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locked {
    pub until: DateTime<Utc>,
}

impl From<Locked> for AccessError {
    fn from(l: Locked) -> Self {
        AccessError::Locked { until: l.until }
    }
}

/// Failed-login state of one account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginGuard {
    /// Consecutive failures since the last success or the end of the last lock.
    pub failures: u32,
    /// Set while (and after) the account is locked.
    pub locked_until: Option<DateTime<Utc>>,
}

impl LoginGuard {
    /// `Err(Locked)` while the account is locked.
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), Locked> {
        match self.locked_until {
            Some(until) if now < until => Err(Locked { until }),
            _ => Ok(()),
        }
    }

    /// Whether the account is locked at `now`.
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.check(now).is_err()
    }

    /// Record a failed login. Returns `Some(Locked)` when this failure locks the account.
    /// While locked, nothing changes (see the module docs).
    pub fn on_failure(&mut self, now: DateTime<Utc>, policy: &LockoutPolicy) -> Option<Locked> {
        if let Some(until) = self.locked_until {
            if now < until {
                return None;
            }
            // The lock has run out: start counting afresh.
            self.locked_until = None;
            self.failures = 0;
        }
        self.failures = self.failures.saturating_add(1);
        if self.failures >= policy.max_failures.max(1) {
            let until = now + Duration::seconds(policy.lock_secs.max(0));
            self.locked_until = Some(until);
            self.failures = 0;
            return Some(Locked { until });
        }
        None
    }

    /// Record a successful login: the failure count starts again. Does not lift an active
    /// lock (a success while locked means the caller skipped [`LoginGuard::check`]).
    pub fn on_success(&mut self, now: DateTime<Utc>) {
        self.failures = 0;
        if self.locked_until.is_some_and(|u| now >= u) {
            self.locked_until = None;
        }
    }

    /// An administrator's unlock.
    pub fn unlock(&mut self) {
        *self = LoginGuard::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn five_failures_lock_for_fifteen_minutes() {
        let p = LockoutPolicy::default();
        let mut g = LoginGuard::default();
        for i in 0..4 {
            assert!(g.check(t(i)).is_ok());
            assert_eq!(g.on_failure(t(i), &p), None);
        }
        assert_eq!(g.failures, 4);
        let locked = g.on_failure(t(10), &p).unwrap();
        assert_eq!(locked.until, t(10 + 900));
        assert_eq!(g.check(t(11)), Err(Locked { until: t(910) }));
        assert!(g.is_locked(t(909)));
        assert!(!g.is_locked(t(910)));
        assert_eq!(AccessError::from(locked).code(), "account_locked");
    }

    #[test]
    fn attempts_while_locked_do_not_extend_the_lock() {
        let p = LockoutPolicy::default();
        let mut g = LoginGuard::default();
        for i in 0..5 {
            g.on_failure(t(i), &p);
        }
        let until = g.locked_until.unwrap();
        for i in 5..50 {
            assert!(g.check(t(i)).is_err(), "the right password is refused too");
            assert_eq!(g.on_failure(t(i), &p), None);
        }
        assert_eq!(g.locked_until, Some(until));
        // After the lock: one failure does not lock again, the count restarted.
        assert!(g.check(until).is_ok());
        assert_eq!(g.on_failure(until, &p), None);
        assert_eq!(g.failures, 1);
        assert_eq!(g.locked_until, None);
    }

    #[test]
    fn success_resets_the_count() {
        let p = LockoutPolicy::default();
        let mut g = LoginGuard::default();
        for i in 0..4 {
            g.on_failure(t(i), &p);
        }
        g.on_success(t(5));
        assert_eq!(g, LoginGuard::default());
        for i in 0..4 {
            assert_eq!(g.on_failure(t(10 + i), &p), None);
        }
        assert!(g.check(t(20)).is_ok());
        // A success while locked does not unlock.
        g.on_failure(t(21), &p);
        g.on_success(t(22));
        assert!(g.is_locked(t(23)));
        g.unlock();
        assert!(!g.is_locked(t(23)));
    }

    #[test]
    fn configurable_and_storable() {
        let p = LockoutPolicy {
            max_failures: 3,
            lock_secs: 60,
        };
        let mut g = LoginGuard::default();
        g.on_failure(t(0), &p);
        g.on_failure(t(1), &p);
        assert_eq!(g.on_failure(t(2), &p), Some(Locked { until: t(62) }));
        let json = serde_json::to_string(&g).unwrap();
        let back: LoginGuard = serde_json::from_str(&json).unwrap();
        assert_eq!(back, g);
        // Degenerate settings neither panic nor lock forever.
        let zero = LockoutPolicy {
            max_failures: 0,
            lock_secs: -5,
        };
        let mut g = LoginGuard::default();
        assert_eq!(g.on_failure(t(0), &zero), Some(Locked { until: t(0) }));
        assert!(g.check(t(0)).is_ok());
    }
}
