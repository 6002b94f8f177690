//! [`Timestamp`]: VirusTotal's dates, UTC seconds since the Unix epoch.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// A point in time as VirusTotal writes it: an integer count of seconds since
/// 1970-01-01T00:00:00Z (negative before it). Serializes as that plain integer.
///
/// ```
/// use vt_model::Timestamp;
/// let t: Timestamp = serde_json::from_str("1569495089").unwrap();
/// assert_eq!(t.to_rfc3339(), "2019-09-26T10:51:29Z");
/// assert_eq!(t.to_string(), "2019-09-26T10:51:29Z");
/// assert_eq!(Timestamp::parse_utc("2019-09-26 10:51:29"), Some(t));
/// let back: std::time::SystemTime = t.into();
/// assert_eq!(Timestamp::try_from(back).unwrap(), t);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

/// A [`SystemTime`] too far from the epoch to fit a [`Timestamp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("time is out of the range of a VirusTotal timestamp (i64 seconds since the epoch)")]
pub struct TimestampOutOfRange;

impl Timestamp {
    /// The timestamp `secs` seconds after the epoch.
    pub const fn from_secs(secs: i64) -> Timestamp {
        Timestamp(secs)
    }

    /// Seconds since the epoch.
    pub const fn as_secs(self) -> i64 {
        self.0
    }

    /// The same instant as a [`SystemTime`] (saturating at the platform's limits).
    pub fn to_system_time(self) -> SystemTime {
        let magnitude = Duration::from_secs(self.0.unsigned_abs());
        let moved = if self.0 >= 0 {
            UNIX_EPOCH.checked_add(magnitude)
        } else {
            UNIX_EPOCH.checked_sub(magnitude)
        };
        moved.unwrap_or(UNIX_EPOCH)
    }

    /// The instant (rounded down to the second) of a [`SystemTime`].
    pub fn from_system_time(time: SystemTime) -> Result<Timestamp, TimestampOutOfRange> {
        match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_secs())
                .map(Timestamp)
                .map_err(|_| TimestampOutOfRange),
            Err(before) => {
                let before = before.duration();
                // Round towards minus infinity so that sub-second parts count as a whole second.
                let whole = before.as_secs() + u64::from(before.subsec_nanos() > 0);
                i64::try_from(whole)
                    .map(|s| Timestamp(-s))
                    .map_err(|_| TimestampOutOfRange)
            }
        }
    }

    /// RFC 3339 in UTC with a `Z` suffix, e.g. `2019-09-26T10:51:29Z`.
    pub fn to_rfc3339(self) -> String {
        let days = self.0.div_euclid(86_400);
        let secs_of_day = self.0.rem_euclid(86_400);
        let (year, month, day) = crate::calendar::civil_from_days(days);
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            secs_of_day / 3600,
            secs_of_day % 3600 / 60,
            secs_of_day % 60
        )
    }

    /// Parses a UTC date-time written `YYYY-MM-DD HH:MM:SS` (v2's `scan_date`, Monitor event
    /// timestamps use a `T` instead of the space) or RFC 3339 with a `Z` suffix. Returns `None`
    /// for anything else, including out-of-range fields.
    pub fn parse_utc(text: &str) -> Option<Timestamp> {
        let text = text.strip_suffix('Z').unwrap_or(text);
        let bytes = text.as_bytes();
        if bytes.len() != 19
            || bytes[4] != b'-'
            || bytes[7] != b'-'
            || !matches!(bytes[10], b' ' | b'T')
            || bytes[13] != b':'
            || bytes[16] != b':'
        {
            return None;
        }
        let field = |range: std::ops::Range<usize>| -> Option<i64> {
            let part = text.get(range)?;
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        };
        let (year, month, day) = (field(0..4)?, field(5..7)?, field(8..10)?);
        let (hour, minute, second) = (field(11..13)?, field(14..16)?, field(17..19)?);
        if !(1..=12).contains(&month)
            || day < 1
            || day > i64::from(crate::calendar::days_in_month(year, month as u32))
            || hour > 23
            || minute > 59
            || second > 60
        {
            return None;
        }
        // In range: checked above.
        let days = crate::calendar::days_from_civil(year, month as u32, day as u32);
        Some(Timestamp(
            days * 86_400 + hour * 3600 + minute * 60 + second,
        ))
    }
}

impl fmt::Display for Timestamp {
    /// Formats as [`Timestamp::to_rfc3339`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl From<Timestamp> for SystemTime {
    fn from(t: Timestamp) -> SystemTime {
        t.to_system_time()
    }
}

impl TryFrom<SystemTime> for Timestamp {
    type Error = TimestampOutOfRange;
    fn try_from(time: SystemTime) -> Result<Timestamp, TimestampOutOfRange> {
        Timestamp::from_system_time(time)
    }
}

impl From<i64> for Timestamp {
    fn from(secs: i64) -> Timestamp {
        Timestamp(secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(Timestamp(0).to_rfc3339(), "1970-01-01T00:00:00Z");
        assert_eq!(Timestamp(-1).to_rfc3339(), "1969-12-31T23:59:59Z");
        assert_eq!(Timestamp(951_782_400).to_rfc3339(), "2000-02-29T00:00:00Z");
        assert_eq!(
            Timestamp(1_722_223_215).to_rfc3339(),
            "2024-07-29T03:20:15Z"
        );
    }

    #[test]
    fn parse_is_the_inverse_of_format_over_a_wide_range() {
        let mut t = -5_000_000_000i64;
        while t < 10_000_000_000 {
            let ts = Timestamp(t);
            assert_eq!(Timestamp::parse_utc(&ts.to_rfc3339()), Some(ts), "{t}");
            t += 7_777_777;
        }
    }

    #[test]
    fn parse_rejects_malformed_dates() {
        for bad in [
            "",
            "2019-09-26",
            "2019-13-01 00:00:00",
            "2019-02-29 00:00:00",
            "2019-09-26 24:00:00",
            "2019-09-26x10:51:29",
            "2019-09-26 10:51:2a",
            "+019-09-26 10:51:29",
        ] {
            assert_eq!(Timestamp::parse_utc(bad), None, "{bad:?}");
        }
        assert!(Timestamp::parse_utc("2020-02-29 00:00:00").is_some());
    }

    #[test]
    fn system_time_conversions_round_trip_both_sides_of_the_epoch() {
        for secs in [0, 1, -1, 1_569_495_089, -86_401] {
            let t = Timestamp(secs);
            assert_eq!(Timestamp::try_from(SystemTime::from(t)), Ok(t));
        }
        let just_before = UNIX_EPOCH - Duration::from_millis(1);
        assert_eq!(Timestamp::from_system_time(just_before), Ok(Timestamp(-1)));
    }

    #[test]
    fn serializes_as_a_plain_integer() {
        assert_eq!(serde_json::to_string(&Timestamp(5)).unwrap(), "5");
        assert!(serde_json::from_str::<Timestamp>("\"5\"").is_err());
    }
}
