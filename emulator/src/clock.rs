//! The emulator's clock: the wall clock plus an offset that
//! `POST /_emulator/clock` moves forward, so tests see time pass without
//! sleeping. Everything time-based reads it (`App::now`): STS session
//! expiry, presigned URL expiry, `aws:CurrentTime` / `aws:EpochTime`,
//! creation dates, Kinesis retention and iterator lifetimes, and whatever
//! later needs a "now" (retention dates, lifecycle, TOTP windows).
//!
//! Two kinds of time meet in a request, and they are kept apart:
//! - **the emulator's now** ([`Clock::now`]): wall time plus the offset. AWS's
//!   clock, as far as the emulated account is concerned.
//! - **the client's clock**: a signature's `X-Amz-Date` is written by the
//!   client's real clock, which an advance does not move. So the
//!   15-minute skew check compares it with the wall clock
//!   ([`Clock::wall`]) — otherwise every request signed after an advance
//!   would be `RequestTimeTooSkewed` — and a presigned URL's age is
//!   measured on the emulator's clock from the moment it was signed
//!   ([`Clock::at_client_time`]): the signing time plus the offset in
//!   effect when it was signed. A URL presigned for an hour, then an
//!   advance of an hour and a second, is expired; a URL presigned after a
//!   day's advance is fresh.
//!
//! `X-Amz-Date` has whole seconds, so a URL signed in the same second as
//! an advance is taken as signed before it (the usual test presigns, then
//! advances, then expects the URL expired).

use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

/// The largest total offset: a hundred years, so every date stays printable.
pub const MAX_OFFSET_SECONDS: i64 = 100 * 366 * 24 * 3600;

/// One running emulator's clock.
#[derive(Debug, Default)]
pub struct Clock {
    /// The offset now in effect, in seconds (read on every request).
    offset: AtomicI64,
    /// Every advance since the last reset, oldest first.
    history: Mutex<Vec<Advance>>,
}

/// One advance: from wall time `wall_ns` on, the offset is `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Advance {
    /// Wall time of the advance, in nanoseconds since 1970.
    pub wall_ns: i128,
    /// The total offset from then on, in seconds.
    pub offset: i64,
}

/// What can be wrong with an advance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdvanceError {
    Negative,
    TooFar,
}

impl std::fmt::Display for AdvanceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AdvanceError::Negative => f.write_str("advance_seconds must not be negative: the clock only moves forward"),
            AdvanceError::TooFar => write!(
                f,
                "the clock may be advanced by at most {MAX_OFFSET_SECONDS} seconds in all (about a hundred years)"
            ),
        }
    }
}

impl Clock {
    /// A clock at wall time, or at the advances a state folder kept.
    pub fn with_history(history: Vec<Advance>) -> Self {
        let offset = history.last().map_or(0, |a| a.offset);
        Clock {
            offset: AtomicI64::new(offset),
            history: Mutex::new(history),
        }
    }

    /// The real time, which an advance does not move.
    pub fn wall(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    /// The emulator's now, to the nanosecond.
    pub fn now_precise(&self) -> OffsetDateTime {
        self.wall() + Duration::seconds(self.offset_seconds())
    }

    /// The emulator's now, in whole seconds (as IAM writes dates).
    pub fn now(&self) -> OffsetDateTime {
        let now = self.now_precise();
        now.replace_nanosecond(0).unwrap_or(now)
    }

    /// How far the clock is ahead of the wall clock, in seconds.
    pub fn offset_seconds(&self) -> i64 {
        self.offset.load(Ordering::Relaxed)
    }

    /// Moves the clock `seconds` forward; the new total offset.
    pub fn advance(&self, seconds: i64) -> Result<i64, AdvanceError> {
        if seconds < 0 {
            return Err(AdvanceError::Negative);
        }
        let mut history = self.history();
        let offset = self
            .offset_seconds()
            .checked_add(seconds)
            .filter(|o| *o <= MAX_OFFSET_SECONDS)
            .ok_or(AdvanceError::TooFar)?;
        if seconds > 0 {
            history.push(Advance {
                wall_ns: self.wall().unix_timestamp_nanos(),
                offset,
            });
            self.offset.store(offset, Ordering::Relaxed);
        }
        Ok(offset)
    }

    /// Back to the wall clock (`/_emulator/reset`).
    pub fn reset(&self) {
        let mut history = self.history();
        history.clear();
        self.offset.store(0, Ordering::Relaxed);
    }

    /// The advances since the last reset, oldest first (what `--state-dir` keeps).
    pub fn advances(&self) -> Vec<Advance> {
        self.history().clone()
    }

    /// A time on the client's clock (a signature's date), as the emulator's
    /// clock read at that moment: plus the offset in effect then.
    pub fn at_client_time(&self, client: OffsetDateTime) -> OffsetDateTime {
        client + Duration::seconds(offset_at(&self.history(), client.unix_timestamp_nanos()))
    }

    fn history(&self) -> std::sync::MutexGuard<'_, Vec<Advance>> {
        self.history
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The offset in effect at wall time `wall_ns`: that of the last advance
/// made at or before it.
fn offset_at(history: &[Advance], wall_ns: i128) -> i64 {
    let before = history.partition_point(|a| a.wall_ns <= wall_ns);
    before.checked_sub(1).map_or(0, |i| history[i].offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_advance_moves_now_but_not_the_wall_clock() {
        let clock = Clock::default();
        let before = clock.now();
        assert_eq!(clock.advance(3600), Ok(3600));
        assert_eq!(clock.advance(60), Ok(3660));
        let gap = clock.now() - before;
        assert!(
            gap >= Duration::seconds(3660) && gap < Duration::seconds(3670),
            "{gap}"
        );
        assert!((clock.wall() - before).abs() < Duration::seconds(10));
        clock.reset();
        assert_eq!(clock.offset_seconds(), 0);
        assert!(clock.advances().is_empty());
    }

    #[test]
    fn bad_advances_change_nothing() {
        let clock = Clock::default();
        assert_eq!(clock.advance(-1), Err(AdvanceError::Negative));
        assert_eq!(clock.advance(MAX_OFFSET_SECONDS + 1), Err(AdvanceError::TooFar));
        clock.advance(10).unwrap();
        assert_eq!(clock.advance(i64::MAX), Err(AdvanceError::TooFar));
        assert_eq!(clock.offset_seconds(), 10);
        assert_eq!(clock.advance(0), Ok(10));
        assert_eq!(clock.advances().len(), 1);
    }

    #[test]
    fn client_times_take_the_offset_of_their_moment() {
        let at = |s: i64| OffsetDateTime::from_unix_timestamp(s).unwrap();
        let clock = Clock::with_history(vec![
            Advance {
                wall_ns: 1_000 * 1_000_000_000,
                offset: 50,
            },
            Advance {
                wall_ns: 2_000 * 1_000_000_000 + 500,
                offset: 70,
            },
        ]);
        assert_eq!(clock.offset_seconds(), 70);
        assert_eq!(clock.at_client_time(at(999)), at(999));
        assert_eq!(clock.at_client_time(at(1_000)), at(1_050));
        // Signed in the same second as the second advance: before it.
        assert_eq!(clock.at_client_time(at(2_000)), at(2_050));
        assert_eq!(clock.at_client_time(at(2_001)), at(2_071));
    }
}
