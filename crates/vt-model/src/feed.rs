//! Feeds: the feed types, the minute that names a package and the resume cursor.
//!
//! VirusTotal publishes one package per minute and feed type at
//! `/feeds/{type}/{YYYYMMDDhhmm}` (bzip2-compressed JSON lines), and for some types one per
//! hour at `/feeds/{type}/hourly/{YYYYMMDDhh}`. A [`FeedCursor`] is the official resume
//! point, `YYYYMMDDhhmm-N`: the package's minute and how many of its lines were already read.
//!
//! ```
//! use vt_model::{FeedCursor, FeedKind, FeedMinute};
//! let minute: FeedMinute = "202612030405".parse()?;
//! assert_eq!(minute.next().to_string(), "202612030406");
//! assert_eq!(minute.hour_stamp(), "2026120304");
//! let cursor: FeedCursor = "202612030405-3".parse()?;
//! assert_eq!((cursor.minute, cursor.consumed), (minute, 3));
//! assert_eq!("202612030405".parse::<FeedCursor>()?.to_string(), "202612030405-0");
//! assert_eq!(FeedMinute::parse_time("2026-12-03T05:05:59+01:00")?, minute);
//! assert_eq!("behaviours".parse::<FeedKind>()?.path_name(), "file-behaviours");
//! # Ok::<(), vt_model::IdError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use crate::calendar::{civil_from_days, days_from_civil, days_in_month};
use crate::ids::{IdError, IdKind};

/// The feed types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FeedKind {
    /// `files`: `file` objects with `context_attributes.download_url` and `submitter`.
    Files,
    /// `urls`: `url` objects with `context_attributes.submitter`.
    Urls,
    /// `domains`: `domain` objects.
    Domains,
    /// `ip_addresses`: `ip_address` objects.
    IpAddresses,
    /// `file-behaviours`: `file_behaviour` objects (sandbox reports, id `<sha256>_<sandbox>`).
    FileBehaviours,
}

impl FeedKind {
    /// Every feed type.
    pub const ALL: [FeedKind; 5] = [
        FeedKind::Files,
        FeedKind::Urls,
        FeedKind::Domains,
        FeedKind::IpAddresses,
        FeedKind::FileBehaviours,
    ];

    /// The path segment of the API (`/feeds/{path_name}/...`). The behaviour feed is
    /// `file-behaviours`, as the API's own in-feed links and vt-py spell it.
    pub fn path_name(self) -> &'static str {
        match self {
            FeedKind::Files => "files",
            FeedKind::Urls => "urls",
            FeedKind::Domains => "domains",
            FeedKind::IpAddresses => "ip_addresses",
            FeedKind::FileBehaviours => "file-behaviours",
        }
    }

    /// The short name `vt feed` takes (`files`, `urls`, `domains`, `ips`, `behaviours`).
    pub fn short_name(self) -> &'static str {
        match self {
            FeedKind::Files => "files",
            FeedKind::Urls => "urls",
            FeedKind::Domains => "domains",
            FeedKind::IpAddresses => "ips",
            FeedKind::FileBehaviours => "behaviours",
        }
    }

    /// The `type` of the feed's objects.
    pub fn object_type(self) -> &'static str {
        match self {
            FeedKind::Files => "file",
            FeedKind::Urls => "url",
            FeedKind::Domains => "domain",
            FeedKind::IpAddresses => "ip_address",
            FeedKind::FileBehaviours => "file_behaviour",
        }
    }

    /// Whether the API publishes hourly packages (`.tar.bz2` of the hour's 60 minute files)
    /// for this type: files and URLs (documented), domains and IP addresses (seen in the
    /// API's OpenAPI description); not the behaviour feed.
    pub fn has_hourly(self) -> bool {
        !matches!(self, FeedKind::FileBehaviours)
    }
}

impl fmt::Display for FeedKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.short_name())
    }
}

impl FromStr for FeedKind {
    type Err = IdError;

    /// Accepts the short names and the API's path names (`ip_addresses`, `file-behaviours`,
    /// `file_behaviours`).
    fn from_str(s: &str) -> Result<Self, IdError> {
        Ok(match s {
            "files" => FeedKind::Files,
            "urls" => FeedKind::Urls,
            "domains" => FeedKind::Domains,
            "ips" | "ip_addresses" => FeedKind::IpAddresses,
            "behaviours" | "file-behaviours" | "file_behaviours" => FeedKind::FileBehaviours,
            _ => {
                return Err(IdError::new(
                    IdKind::FeedKind,
                    s,
                    "expected files, urls, domains, ips or behaviours",
                ));
            }
        })
    }
}

/// The UTC minute that names a per-minute feed package (`YYYYMMDDhhmm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FeedMinute {
    /// Minutes since 1970-01-01 00:00 UTC.
    minutes: i64,
}

/// First minute of year 10000: stamps have four year digits.
const END_MINUTES: i64 = 253_402_300_800 / 60;

impl FeedMinute {
    /// The minute containing `secs` seconds since the Unix epoch (UTC).
    pub fn from_unix_secs(secs: u64) -> FeedMinute {
        let minutes = i64::try_from(secs / 60).unwrap_or(END_MINUTES - 1);
        FeedMinute {
            minutes: minutes.min(END_MINUTES - 1),
        }
    }

    /// The minute from a count of minutes since the Unix epoch, if it has a four-digit year.
    pub fn from_unix_minutes(minutes: i64) -> Option<FeedMinute> {
        (0..END_MINUTES)
            .contains(&minutes)
            .then_some(FeedMinute { minutes })
    }

    /// Minutes since the Unix epoch.
    pub fn unix_minutes(self) -> i64 {
        self.minutes
    }

    /// Seconds since the Unix epoch of the minute's start.
    pub fn unix_secs(self) -> u64 {
        u64::try_from(self.minutes).unwrap_or(0) * 60
    }

    /// The following minute (saturating at 9999-12-31 23:59).
    pub fn next(self) -> FeedMinute {
        FeedMinute {
            minutes: (self.minutes + 1).min(END_MINUTES - 1),
        }
    }

    /// This minute moved by `minutes` (negative: back), if still a four-digit year.
    pub fn offset(self, minutes: i64) -> Option<FeedMinute> {
        Self::from_unix_minutes(self.minutes.checked_add(minutes)?)
    }

    /// The hourly package's stamp of this minute (`YYYYMMDDhh`).
    pub fn hour_stamp(self) -> String {
        let mut s = self.to_string();
        s.truncate(10);
        s
    }

    /// The start of this minute's hour.
    pub fn hour_start(self) -> FeedMinute {
        FeedMinute {
            minutes: self.minutes - self.minutes.rem_euclid(60),
        }
    }

    /// Parses a time given by a person: `YYYYMMDDhhmm` (UTC, the API's own form) or RFC 3339
    /// (`2026-12-03T04:05:00Z`, `2026-12-03T05:05:00+01:00`, fractional seconds allowed, `t`,
    /// `z` and a space accepted as RFC 3339 allows). Seconds are dropped: the package is the
    /// minute's.
    pub fn parse_time(text: &str) -> Result<FeedMinute, IdError> {
        if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
            return text.parse();
        }
        parse_rfc3339(text)
    }
}

impl fmt::Display for FeedMinute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.minutes.div_euclid(1440);
        let in_day = self.minutes.rem_euclid(1440);
        let (y, m, d) = civil_from_days(days);
        write!(f, "{y:04}{m:02}{d:02}{:02}{:02}", in_day / 60, in_day % 60)
    }
}

impl FromStr for FeedMinute {
    type Err = IdError;

    /// Exactly `YYYYMMDDhhmm` (UTC).
    fn from_str(s: &str) -> Result<Self, IdError> {
        let bad = |reason: &str| IdError::new(IdKind::FeedTime, s, reason);
        if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("expected YYYYMMDDhhmm (12 digits, UTC)"));
        }
        let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
        from_parts(
            i64::from(num(0..4)),
            num(4..6),
            num(6..8),
            num(8..10),
            num(10..12),
            0,
        )
        .map_err(|reason| bad(&reason))
    }
}

/// The minute of a UTC date and time, checked field by field.
fn from_parts(
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    offset_minutes: i64,
) -> Result<FeedMinute, String> {
    if !(1970..=9999).contains(&year) {
        return Err(format!("year {year} is out of range (1970-9999)"));
    }
    if !(1..=12).contains(&month) {
        return Err(format!("month {month} does not exist"));
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err(format!("day {day} does not exist in {year}-{month:02}"));
    }
    if hour > 23 {
        return Err(format!("hour {hour} does not exist"));
    }
    if minute > 59 {
        return Err(format!("minute {minute} does not exist"));
    }
    let minutes =
        days_from_civil(year, month, day) * 1440 + i64::from(hour) * 60 + i64::from(minute)
            - offset_minutes;
    FeedMinute::from_unix_minutes(minutes).ok_or_else(|| "out of range (1970-9999)".to_owned())
}

fn parse_rfc3339(text: &str) -> Result<FeedMinute, IdError> {
    let bad = |reason: &str| IdError::new(IdKind::FeedTime, text, reason);
    let expected = "expected YYYYMMDDhhmm (UTC) or RFC 3339 (e.g. 2026-12-03T04:05:00Z)";
    let b = text.as_bytes();
    // YYYY-MM-DDThh:mm:ss then fraction, then Z or ±hh:mm.
    if b.len() < 20 || !text.is_ascii() {
        return Err(bad(expected));
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &text[r];
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let shape_ok = b[4] == b'-'
        && b[7] == b'-'
        && matches!(b[10], b'T' | b't' | b' ')
        && b[13] == b':'
        && b[16] == b':';
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        digits(0..4),
        digits(5..7),
        digits(8..10),
        digits(11..13),
        digits(14..16),
        digits(17..19),
    ) else {
        return Err(bad(expected));
    };
    if !shape_ok {
        return Err(bad(expected));
    }
    if second > 60 {
        return Err(bad(&format!("second {second} does not exist")));
    }
    let mut rest = &text[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return Err(bad("a fraction of a second needs digits after the `.`"));
        }
        rest = &frac[n..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let rb = rest.as_bytes();
            let sign = match rb.first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return Err(bad("expected a time zone: Z or ±hh:mm")),
            };
            let zone_bad = || bad("expected a time zone: Z or ±hh:mm");
            let two = |r: std::ops::Range<usize>| -> Option<u32> {
                let part = rest.get(r)?;
                part.bytes()
                    .all(|c| c.is_ascii_digit())
                    .then(|| part.parse().ok())?
            };
            if rb.len() != 6 || rb[3] != b':' {
                return Err(zone_bad());
            }
            let (Some(oh), Some(om)) = (two(1..3), two(4..6)) else {
                return Err(zone_bad());
            };
            if oh > 23 || om > 59 {
                return Err(zone_bad());
            }
            sign * i64::from(oh * 60 + om)
        }
    };
    from_parts(i64::from(year), month, day, hour, minute, offset).map_err(|r| bad(&r))
}

/// Where a feed reader is: the package's minute and how many of its items were already
/// read (`YYYYMMDDhhmm-N`, the format of VirusTotal's official clients). Resuming from a
/// cursor reads package `minute` again, skips its first `consumed` lines and goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FeedCursor {
    /// The package.
    pub minute: FeedMinute,
    /// Lines of that package already read.
    pub consumed: u64,
}

impl FeedCursor {
    /// The start of package `minute`.
    pub fn at(minute: FeedMinute) -> FeedCursor {
        FeedCursor {
            minute,
            consumed: 0,
        }
    }
}

impl fmt::Display for FeedCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.minute, self.consumed)
    }
}

impl FromStr for FeedCursor {
    type Err = IdError;

    /// `YYYYMMDDhhmm-N` or `YYYYMMDDhhmm` (as vt-py accepts: `-0`).
    fn from_str(s: &str) -> Result<Self, IdError> {
        let bad = |reason: String| IdError::new(IdKind::FeedCursor, s, reason);
        let (time, count) = match s.split_once('-') {
            Some((t, n)) => (t, Some(n)),
            None => (s, None),
        };
        let minute: FeedMinute = time.parse().map_err(|e: IdError| {
            bad(format!(
                "expected YYYYMMDDhhmm-N (package minute, items read); {}",
                e.reason()
            ))
        })?;
        let consumed = match count {
            None => 0,
            Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                n.parse::<u64>()
                    .map_err(|_| bad(format!("item count {n} is too large")))?
            }
            Some(n) => {
                return Err(bad(format!(
                    "expected YYYYMMDDhhmm-N; {n:?} is not a count of items"
                )));
            }
        };
        Ok(FeedCursor { minute, consumed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_round_trip_and_validate() {
        let m: FeedMinute = "200102030405".parse().unwrap();
        assert_eq!(m.to_string(), "200102030405");
        assert_eq!(m.next().to_string(), "200102030406");
        assert_eq!(
            "200102032359"
                .parse::<FeedMinute>()
                .unwrap()
                .next()
                .to_string(),
            "200102040000"
        );
        assert_eq!(FeedMinute::from_unix_secs(m.unix_secs() + 59), m);
        for bad in [
            "",
            "20010203040",
            "2001020304051",
            "2001-2030405",
            "200113030405",
            "200102300405",
            "200102032405",
            "200102030460",
            "196912312359",
        ] {
            assert!(bad.parse::<FeedMinute>().is_err(), "{bad}");
        }
        assert_eq!(m.hour_start().to_string(), "200102030400");
    }

    #[test]
    fn rfc3339_times() {
        let m = |s: &str| FeedMinute::parse_time(s).map(|m| m.to_string());
        assert_eq!(m("2001-02-03T04:05:06Z").unwrap(), "200102030405");
        assert_eq!(m("2001-02-03t04:05:06.123z").unwrap(), "200102030405");
        assert_eq!(m("2001-02-03 05:05:00+01:00").unwrap(), "200102030405");
        assert_eq!(m("2001-02-03T00:05:00-04:00").unwrap(), "200102030405");
        assert_eq!(m("200102030405").unwrap(), "200102030405");
        for bad in [
            "2001-02-03T04:05:06",
            "2001-02-03T04:05Z",
            "2001-02-30T04:05:06Z",
            "2001-02-03T04:05:06+1:00",
            "2001-02-03T04:05:06+01:60",
            "yesterday",
            "2001-02-03T04:05:06.Z",
            "2001-02-03T04:05:06Zjunk",
        ] {
            assert!(FeedMinute::parse_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cursors_in_the_official_format() {
        let c: FeedCursor = "200102030405-3".parse().unwrap();
        assert_eq!(c.consumed, 3);
        assert_eq!(c.to_string(), "200102030405-3");
        assert_eq!("200102030405".parse::<FeedCursor>().unwrap().consumed, 0);
        for bad in [
            "200102030405-",
            "200102030405-x",
            "200102030405--1",
            "2001020304-3",
            "-3",
            "200102030405-99999999999999999999999",
        ] {
            let err = bad.parse::<FeedCursor>().unwrap_err();
            assert!(err.to_string().contains("feed cursor"), "{err}");
        }
    }

    #[test]
    fn kinds_by_both_names() {
        for kind in FeedKind::ALL {
            assert_eq!(kind.short_name().parse::<FeedKind>().unwrap(), kind);
            assert_eq!(kind.path_name().parse::<FeedKind>().unwrap(), kind);
        }
        assert!("file".parse::<FeedKind>().is_err());
    }
}
