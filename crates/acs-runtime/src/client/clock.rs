//! The request time: the local clock, moved by what a service said about its own.
//!
//! A service that refuses a request's timestamp (`InvalidTimeStamp*`) and sends its own time
//! in `Date` was not asked to do anything: the client learns the offset and sends the request
//! again, once. A correction is bounded ([`ClockCorrection`]): a hostile or broken server could
//! otherwise make the client sign every later request for a time years away, handing whoever
//! reads them signatures valid then.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::config::ClockCorrection;
use crate::error::ClockSkew;
use crate::sign;

/// Seconds to add to the local clock for request timestamps, learned from services.
#[derive(Debug, Default)]
pub(crate) struct ClockOffset(AtomicI64);

/// What the client does about a refused timestamp.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Correction {
    /// The offset is learned: send the request again.
    Applied { offset_seconds: i64 },
    /// The difference is too large (or correcting is off): the refusal stands, with why.
    Refused(ClockSkew),
    /// The service's time is within [`NO_DIFFERENCE`] of the request's: correcting would not
    /// change the answer, so the refusal stands and the request is not sent again.
    Unchanged,
}

/// A change of the request time smaller than this cannot be why a timestamp was refused (the
/// services accept requests minutes old), so it is no reason to send a request again.
const NO_DIFFERENCE: Duration = Duration::from_secs(60);

impl ClockOffset {
    /// The request timestamp (`2024-01-02T03:04:05Z`): the local clock moved by the learned
    /// offset, formatted once per second per thread.
    pub(crate) fn timestamp(&self) -> String {
        thread_local! {
            static LAST: std::cell::RefCell<(u64, String)> = const { std::cell::RefCell::new((u64::MAX, String::new())) };
        }
        let seconds = u64::try_from(
            seconds_since_epoch(SystemTime::now()).saturating_add(self.0.load(Ordering::Relaxed)),
        )
        .unwrap_or(0);
        LAST.with_borrow_mut(|(at, text)| {
            if *at != seconds {
                *at = seconds;
                *text = sign::format_timestamp(seconds);
            }
            text.clone()
        })
    }

    /// Seconds since the Unix epoch for request times: the local clock moved by the learned
    /// offset (the OSS and SLS date headers').
    pub(crate) fn unix_time(&self) -> u64 {
        u64::try_from(
            seconds_since_epoch(SystemTime::now()).saturating_add(self.0.load(Ordering::Relaxed)),
        )
        .unwrap_or(0)
    }

    /// Learns the offset to `server_time` when `policy` allows it.
    pub(crate) fn correct(&self, server_time: SystemTime, policy: ClockCorrection) -> Correction {
        let offset = seconds_since_epoch(server_time) - seconds_since_epoch(SystemTime::now());
        let current = self.0.load(Ordering::Relaxed);
        if offset.abs_diff(current) < NO_DIFFERENCE.as_secs() {
            return Correction::Unchanged;
        }
        match policy {
            ClockCorrection::Within(limit) if offset.unsigned_abs() <= limit.as_secs() => {
                self.0.store(offset, Ordering::Relaxed);
                Correction::Applied {
                    offset_seconds: offset,
                }
            }
            ClockCorrection::Within(limit) => Correction::Refused(ClockSkew {
                offset_seconds: offset,
                limit_seconds: Some(limit.as_secs()),
            }),
            ClockCorrection::Off => Correction::Refused(ClockSkew {
                offset_seconds: offset,
                limit_seconds: None,
            }),
        }
    }
}

fn seconds_since_epoch(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |elapsed| {
        i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
    })
}

/// An HTTP `Date` (`Tue, 01 Dec 2026 15:38:57 GMT`, RFC 9110's IMF-fixdate).
pub(crate) fn parse_http_date(text: &str) -> Option<SystemTime> {
    let mut parts = text.split_whitespace();
    let (_weekday, day, month, year, clock, zone) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if zone != "GMT" || parts.next().is_some() {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == month)? as u8 + 1;
    let date = time::Date::from_calendar_date(
        year.parse().ok()?,
        time::Month::try_from(month).ok()?,
        day.parse().ok()?,
    )
    .ok()?;
    let mut hms = clock.split(':').map(|n| n.parse::<u8>().ok());
    let clock = time::Time::from_hms(hms.next()??, hms.next()??, hms.next()??).ok()?;
    let seconds = time::PrimitiveDateTime::new(date, clock)
        .assume_utc()
        .unix_timestamp();
    Some(UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_parse() {
        let parsed = parse_http_date("Tue, 01 Dec 2026 15:38:57 GMT").unwrap();
        assert_eq!(seconds_since_epoch(parsed), 1_796_139_537);
        assert_eq!(parse_http_date("Tue, 01 Dec 2026 15:38:57 +0000"), None);
        assert_eq!(parse_http_date("yesterday"), None);
    }

    #[test]
    fn corrections_are_bounded() {
        let offset = ClockOffset::default();
        let day = Duration::from_secs(86_400);
        let policy = ClockCorrection::Within(day);
        let hour_ahead = SystemTime::now() + Duration::from_secs(3600);
        assert!(matches!(
            offset.correct(hour_ahead, policy),
            Correction::Applied { offset_seconds } if (3590..=3610).contains(&offset_seconds)
        ));
        let year_ahead = SystemTime::now() + 365 * day;
        let Correction::Refused(skew) = offset.correct(year_ahead, policy) else {
            panic!("a year is past the limit");
        };
        assert_eq!(skew.limit_seconds, Some(86_400));
        assert!(skew.to_string().contains("ahead of"), "{skew}");
        // The refused correction did not move the clock.
        assert!((3590..=3610).contains(&offset.0.load(Ordering::Relaxed)));
        // The learned offset again, or the local time with it: nothing would change.
        assert_eq!(offset.correct(hour_ahead, policy), Correction::Unchanged);
        let fresh = ClockOffset::default();
        assert_eq!(
            fresh.correct(SystemTime::now(), policy),
            Correction::Unchanged
        );
        assert!(matches!(
            fresh.correct(hour_ahead, ClockCorrection::Off),
            Correction::Refused(ClockSkew {
                limit_seconds: None,
                ..
            })
        ));
    }
}
