//! The Rust release train: which stable release was current on a day, and when a release came
//! out. Stable releases have shipped every six weeks, on a Thursday, since 1.1 (2015-06-25);
//! the schedule has never slipped, so the calendar is arithmetic, not a table to keep up to
//! date (<https://doc.rust-lang.org/book/appendix-07-nightly-rust.html>).

use jiff::civil::{Date, date};

/// A stable Rust release, by its minor number (`1.85` is `RustMinor(85)`): what `rust-version`
/// and toolchain pins are compared by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct RustMinor(pub u32);

impl RustMinor {
    /// `1.85`, `1.85.1` or `1` as a minor release; `None` for anything else or a 2.x.
    pub fn parse(s: &str) -> Option<RustMinor> {
        let mut parts = s.trim().split('.');
        if parts.next()? != "1" {
            return None;
        }
        let minor = parts.next().unwrap_or("0").parse().ok()?;
        Some(RustMinor(minor))
    }

    /// The day this release reached stable.
    pub fn released(self) -> Date {
        if self.0 == 0 {
            return date(2015, 5, 15);
        }
        FIRST_TRAIN
            .checked_add(jiff::Span::new().days(i64::from(self.0 - 1) * CYCLE_DAYS))
            .unwrap_or(Date::MAX)
    }

    /// The newest stable release on `day` (1.0 before the train started).
    pub fn stable_on(day: Date) -> RustMinor {
        let days = (day - FIRST_TRAIN).get_days();
        if days < 0 {
            return RustMinor(0);
        }
        RustMinor(1 + u32::try_from(i64::from(days) / CYCLE_DAYS).unwrap_or(u32::MAX - 1))
    }

    /// Releases between `self` and a newer `other` (0 when `other` is not newer).
    pub fn releases_to(self, other: RustMinor) -> u32 {
        other.0.saturating_sub(self.0)
    }
}

impl std::fmt::Display for RustMinor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "1.{}", self.0)
    }
}

/// Rust 1.1, the first release of the six-week train.
const FIRST_TRAIN: Date = date(2015, 6, 25);
/// Days between two stable releases.
pub const CYCLE_DAYS: i64 = 42;

/// The day of an RFC 3339 timestamp such as the index's `pubtime` (`2025-03-07T20:11:47Z`), in
/// UTC; `None` when it is not one.
pub fn day_of(timestamp: &str) -> Option<Date> {
    timestamp
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
        .or_else(|| timestamp.get(..10)?.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calendar_matches_the_published_release_dates() {
        // From the release notes (RELEASES.md of rust-lang/rust).
        for (minor, day) in [
            (0, date(2015, 5, 15)),
            (1, date(2015, 6, 25)),
            (31, date(2018, 12, 6)),
            (56, date(2021, 10, 21)),
            (58, date(2022, 1, 13)),
            (70, date(2023, 6, 1)),
            (80, date(2024, 7, 25)),
            (85, date(2025, 2, 20)),
            (88, date(2025, 6, 26)),
        ] {
            assert_eq!(RustMinor(minor).released(), day, "1.{minor}");
            assert_eq!(RustMinor::stable_on(day), RustMinor(minor));
            if minor > 0 {
                assert_eq!(
                    RustMinor::stable_on(day.yesterday().unwrap()),
                    RustMinor(minor - 1)
                );
            }
        }
    }

    #[test]
    fn versions_and_timestamps_parse() {
        assert_eq!(RustMinor::parse("1.85"), Some(RustMinor(85)));
        assert_eq!(RustMinor::parse("1.58.1"), Some(RustMinor(58)));
        assert_eq!(RustMinor::parse("2.0"), None);
        assert_eq!(RustMinor::parse("stable"), None);
        assert_eq!(RustMinor(70).releases_to(RustMinor(85)), 15);
        assert_eq!(RustMinor(85).releases_to(RustMinor(70)), 0);
        assert_eq!(day_of("2025-03-07T20:11:47Z"), Some(date(2025, 3, 7)));
        assert_eq!(day_of("2025-03-07T23:30:00-02:00"), Some(date(2025, 3, 8)));
        assert_eq!(day_of("yesterday"), None);
    }
}
