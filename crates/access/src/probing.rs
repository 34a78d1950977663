//! Refusing ID-number enumeration (查号枚举) through the check API.
//!
//! A masked number (`3204**********452X`) leaves about 1,700 valid numbers once the check
//! character is taken into account; sending them all and watching which one matches recovers
//! the number. Such a burst has a shape no real caller produces: many *distinct* numbers that
//! share everything a mask shows. [`ProbeGuard`] remembers, per caller and for a window, the
//! numbers it sent under two patterns:
//! - the first four and the last four characters (what a masked number shows: the birth date
//!   and the rest of the region are being enumerated), and
//! - the first fourteen (region and birth date: the sequence number is being enumerated).
//!
//! More than [`ProbeSettings::max_similar`] distinct numbers under one pattern within the
//! window is refused. A bidding platform checking bidders never comes near: the last four
//! characters take about 11,000 values, so twenty thousand different people of one city in a
//! day share a mask pattern by twos at most (it would take some fifty thousand a day, all of
//! one city, to reach twenty by chance once in thousands of days). Numbers are remembered even
//! when their check is refused, so a caller that keeps probing stays refused.
//!
//! Nothing but keyed 64-bit hashes is kept (of the caller with the pattern, and of each
//! number), under a key drawn at random when the guard is made: no ID number, not even a
//! part of one, stays in memory after the call.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::time::{Duration, Instant};

use chengxin_domain::codes::id_number;

/// The thresholds of the enumeration guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeSettings {
    /// How long a caller's numbers are remembered.
    pub window: Duration,
    /// The most distinct numbers sharing one pattern a caller may send within the window.
    pub max_similar: usize,
}

impl Default for ProbeSettings {
    /// A day, twenty numbers: far above what real checks produce (see the module docs), far
    /// below the ~1,700 numbers behind a mask (a patient prober would need months).
    fn default() -> Self {
        Self {
            window: Duration::from_secs(24 * 3600),
            max_similar: 20,
        }
    }
}

/// A refused burst: how many distinct numbers shared the pattern, and one of them masked
/// (for the audit trail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// Distinct numbers under the pattern within the window (this request's included).
    pub similar: usize,
    /// `mask` (first four and last four characters alike) or `prefix` (first fourteen).
    pub pattern: &'static str,
    /// One of the numbers, masked (`3204**********452X`).
    pub masked: String,
}

/// Above this many remembered patterns the guard forgets everything it can.
const MAX_KEYS: usize = 2_000_000;

/// The per-caller memory of recent ID numbers (see the module docs). Not synchronised: keep
/// it behind a `Mutex`. The clock is a parameter.
#[derive(Debug)]
pub struct ProbeGuard {
    settings: ProbeSettings,
    hasher: RandomState,
    /// Keyed hash of (caller, pattern kind, pattern) → numbers seen (keyed hash, last seen).
    seen: HashMap<u64, Vec<(u64, Instant)>>,
    last_sweep: Option<Instant>,
}

impl ProbeGuard {
    pub fn new(settings: ProbeSettings) -> Self {
        Self {
            settings,
            hasher: RandomState::new(),
            seen: HashMap::new(),
            last_sweep: None,
        }
    }

    pub fn settings(&self) -> ProbeSettings {
        self.settings
    }

    /// Remember the caller's ID numbers (normalised: trimmed, upper case; anything but a
    /// well-formed 18-character number with a valid check character is ignored) and refuse
    /// when, with those of the window, more than `max_similar` distinct ones share a pattern.
    pub fn admit<'a>(
        &mut self,
        caller: &str,
        numbers: impl IntoIterator<Item = &'a str>,
        now: Instant,
    ) -> Result<(), Probe> {
        self.sweep(now);
        let window = self.settings.window;
        let max = self.settings.max_similar;
        let mut worst: Option<Probe> = None;
        for n in numbers {
            let b = n.as_bytes();
            if b.len() != 18 || !n.is_ascii() || !id_number::has_valid_check_char(n) {
                continue;
            }
            let fingerprint = self.hasher.hash_one(b);
            let (Some(head), Some(tail), Some(prefix)) = (b.get(..4), b.get(14..), b.get(..14))
            else {
                continue;
            };
            let keys = [
                ("mask", self.hasher.hash_one((caller, 0u8, head, tail))),
                ("prefix", self.hasher.hash_one((caller, 1u8, prefix))),
            ];
            for (pattern, key) in keys {
                let seen = self.seen.entry(key).or_default();
                seen.retain(|(_, t)| now.saturating_duration_since(*t) < window);
                match seen.iter_mut().find(|(f, _)| *f == fingerprint) {
                    Some(entry) => entry.1 = now,
                    None => seen.push((fingerprint, now)),
                }
                // One past the limit is enough to decide; the oldest go first.
                if seen.len() > max + 1 {
                    let extra = seen.len() - (max + 1);
                    seen.drain(..extra);
                }
                if seen.len() > max && worst.as_ref().is_none_or(|w| seen.len() > w.similar) {
                    worst = Some(Probe {
                        similar: seen.len(),
                        pattern,
                        masked: id_number::mask(n),
                    });
                }
            }
        }
        match worst {
            Some(p) => Err(p),
            None => Ok(()),
        }
    }

    /// Forget patterns not seen within the window (once per window), and everything when
    /// the memory is past its bound.
    fn sweep(&mut self, now: Instant) {
        let window = self.settings.window;
        let due = self
            .last_sweep
            .is_none_or(|t| now.saturating_duration_since(t) >= window);
        if due || self.seen.len() > MAX_KEYS {
            self.seen.retain(|_, v| {
                v.iter()
                    .any(|(_, t)| now.saturating_duration_since(*t) < window)
            });
            self.last_sweep = Some(now);
        }
        if self.seen.len() > MAX_KEYS {
            self.seen.clear();
        }
    }

    /// Patterns remembered.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every valid number behind `3204**********452X` for a county and birth years.
    fn behind_mask(region: &str, years: std::ops::Range<i32>) -> Vec<String> {
        let mut out = Vec::new();
        for y in years {
            for day in 0..366 {
                let Some(d) = chrono::NaiveDate::from_yo_opt(y, day + 1) else {
                    continue;
                };
                let body = format!("{region}{}452", d.format("%Y%m%d"));
                if id_number::check_char(&body) == Some('X') {
                    out.push(format!("{body}X"));
                }
            }
        }
        out
    }

    #[test]
    fn a_mask_enumeration_is_refused_real_checks_are_not() {
        let start = Instant::now();
        let mut g = ProbeGuard::new(ProbeSettings::default());
        let numbers = behind_mask("320481", 1960..2005);
        assert!(numbers.len() > 1000, "{}", numbers.len());
        // In one request.
        let p = g
            .admit("token:cxt_aaaa", numbers.iter().map(String::as_str), start)
            .unwrap_err();
        assert_eq!(p.pattern, "mask");
        assert!(p.similar > 20);
        assert!(p.masked.starts_with("3204**********"), "{}", p.masked);
        // Across requests of twenty: the second is refused, and stays refused.
        let mut g = ProbeGuard::new(ProbeSettings::default());
        let chunks: Vec<&[String]> = numbers.chunks(20).collect();
        assert!(g
            .admit("c", chunks[0].iter().map(String::as_str), start)
            .is_ok());
        // The same numbers again are not new.
        assert!(g
            .admit("c", chunks[0].iter().map(String::as_str), start)
            .is_ok());
        assert!(g
            .admit("c", chunks[1].iter().map(String::as_str), start)
            .is_err());
        let later = start + Duration::from_secs(600);
        assert!(g
            .admit("c", chunks[2][..1].iter().map(String::as_str), later)
            .is_err());
        // Another caller is not affected; after the window the caller starts afresh.
        assert!(g
            .admit("d", chunks[3].iter().map(String::as_str), later)
            .is_ok());
        let much_later = later + Duration::from_secs(24 * 3600 + 1);
        assert!(g
            .admit("c", chunks[4].iter().map(String::as_str), much_later)
            .is_ok());
        assert!(g.len() <= 2 * 20 + 2, "swept: {}", g.len());
    }

    #[test]
    fn sequence_enumeration_is_refused() {
        let mut g = ProbeGuard::new(ProbeSettings::default());
        let numbers: Vec<String> = (0..1000)
            .filter_map(|s| {
                let body = format!("32048119900101{s:03}");
                id_number::check_char(&body).map(|c| format!("{body}{c}"))
            })
            .collect();
        let p = g
            .admit("c", numbers.iter().map(String::as_str), Instant::now())
            .unwrap_err();
        assert_eq!(p.pattern, "prefix");
    }

    #[test]
    fn a_bidding_platform_is_never_refused() {
        // 20,000 different people of one city in a day: pseudo-random counties, birth dates
        // and sequence numbers.
        let start = Instant::now();
        let mut g = ProbeGuard::new(ProbeSettings::default());
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        let counties = ["320402", "320404", "320411", "320412", "320413", "320481"];
        let mut batch = Vec::new();
        for i in 0..20_000u64 {
            let c = counties[next(counties.len() as u64) as usize];
            let d = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap()
                + chrono::Duration::days(next(365 * 55) as i64);
            let body = format!("{c}{}{:03}", d.format("%Y%m%d"), next(1000));
            let n = format!("{body}{}", id_number::check_char(&body).unwrap());
            batch.push(n);
            if batch.len() == 500 {
                let at = start + Duration::from_secs(i * 4);
                assert!(g.admit("p", batch.iter().map(String::as_str), at).is_ok());
                batch.clear();
            }
        }
        // Malformed input is ignored, not counted.
        assert!(g
            .admit("p", ["", "x", "320481199001014521", "３２０４"], start)
            .is_ok());
    }
}
