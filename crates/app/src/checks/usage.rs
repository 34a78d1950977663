//! The daily check quota of API tokens (issue 16 point 1): parties are counted in memory on the
//! hot path — no database round-trip per check — and added to the store's `token_usage`
//! counter about once a second ([`UsageMeter::sync`], a background job), which also reads back
//! what other server processes counted. A token's first check of the day in a process reads
//! its count once. So processes over one database share one quota, within about a second, and
//! a restart does not reset it (at most the last second's count is lost).

use std::collections::HashMap;
use std::sync::Mutex;

use chengxin_access::AccessError;
use chengxin_store::Store;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

#[derive(Debug, Default, Clone, Copy)]
struct Count {
    /// The store's total when last read.
    stored: u64,
    /// Being added to the store right now.
    in_flight: u64,
    /// Counted here since.
    pending: u64,
}

impl Count {
    fn total(self) -> u64 {
        self.stored
            .saturating_add(self.in_flight)
            .saturating_add(self.pending)
    }
}

/// Parties checked per token and day (China time).
#[derive(Debug, Default)]
pub struct UsageMeter {
    counts: Mutex<HashMap<(Uuid, NaiveDate), Count>>,
}

fn unavailable() -> AppError {
    AppError::Unavailable("核查额度计数不可用".into())
}

/// Milliseconds until the next midnight in China (when a daily quota starts again), at least
/// one second.
pub fn until_china_midnight_ms(now: DateTime<Utc>) -> u64 {
    let china = chrono::Duration::hours(8);
    let local = now.naive_utc() + china;
    let next = local
        .date()
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or(local);
    u64::try_from((next - local).num_milliseconds())
        .unwrap_or(0)
        .max(1000)
}

impl UsageMeter {
    /// Count `n` parties for the token on `day`, unless the day's total would pass `quota`
    /// (`daily_quota_exceeded`, to retry after midnight in China). Nothing is counted when
    /// refused.
    pub async fn take(
        &self,
        store: &dyn Store,
        token: Uuid,
        day: NaiveDate,
        quota: u64,
        n: u64,
    ) -> AppResult<()> {
        let key = (token, day);
        let known = self
            .counts
            .lock()
            .map_err(|_| unavailable())?
            .contains_key(&key);
        if !known {
            // Once per token and day in this process: what other processes (or this one
            // before a restart) counted.
            let stored = store.add_token_usage(token, day, 0).await?;
            let stored = u64::try_from(stored).unwrap_or(0);
            let mut counts = self.counts.lock().map_err(|_| unavailable())?;
            let c = counts.entry(key).or_default();
            c.stored = c.stored.max(stored);
        }
        let mut counts = self.counts.lock().map_err(|_| unavailable())?;
        let c = counts.entry(key).or_default();
        if c.total().saturating_add(n) > quota {
            return Err(AccessError::DailyQuotaExceeded {
                quota,
                retry_after_ms: until_china_midnight_ms(chengxin_store::clock::now()),
            }
            .into());
        }
        c.pending += n;
        Ok(())
    }

    /// Add what was counted here to the store and read back every counted token's total;
    /// days before `today` are forgotten once written. On failure the counts stay, to be
    /// added next time.
    pub async fn sync(&self, store: &dyn Store, today: NaiveDate) -> AppResult<()> {
        let due: Vec<((Uuid, NaiveDate), u64)> = {
            let mut counts = self.counts.lock().map_err(|_| unavailable())?;
            counts
                .iter_mut()
                .map(|(k, c)| {
                    c.in_flight += c.pending;
                    c.pending = 0;
                    (*k, c.in_flight)
                })
                .collect()
        };
        let mut failed = None;
        for ((token, day), delta) in due {
            let added = i64::try_from(delta).unwrap_or(i64::MAX);
            match store.add_token_usage(token, day, added).await {
                Ok(total) => {
                    let mut counts = self.counts.lock().map_err(|_| unavailable())?;
                    if day < today {
                        counts.remove(&(token, day));
                    } else if let Some(c) = counts.get_mut(&(token, day)) {
                        c.stored = u64::try_from(total).unwrap_or(0);
                        c.in_flight = c.in_flight.saturating_sub(delta);
                    }
                }
                Err(e) => {
                    let mut counts = self.counts.lock().map_err(|_| unavailable())?;
                    if let Some(c) = counts.get_mut(&(token, day)) {
                        c.pending += c.in_flight;
                        c.in_flight = 0;
                    }
                    failed.get_or_insert(e);
                }
            }
        }
        match failed {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midnight_in_china() {
        // 2025-06-02 15:30 UTC is 23:30 in China: half an hour to go.
        let t = DateTime::parse_from_rfc3339("2025-06-02T15:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(until_china_midnight_ms(t), 30 * 60 * 1000);
        // 16:00 UTC is midnight: a full day.
        let t = DateTime::parse_from_rfc3339("2025-06-02T16:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(until_china_midnight_ms(t), 24 * 3600 * 1000);
    }
}
