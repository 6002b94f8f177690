//! UTC calendar arithmetic for the day and month windows (no time zone database needed:
//! VirusTotal's quotas reset at 00:00 UTC).

use vt_model::calendar::{civil_from_days, days_from_civil};

const DAY: u64 = 86_400;

/// The index of the UTC day containing `secs` (seconds since the epoch).
pub(crate) fn day_index(secs: u64) -> u64 {
    secs / DAY
}

/// Seconds since the epoch of the next 00:00 UTC after `secs`.
pub(crate) fn next_day_start(secs: u64) -> u64 {
    (day_index(secs) + 1) * DAY
}

/// A number that identifies the UTC month containing `secs` (year * 12 + month - 1).
pub(crate) fn month_index(secs: u64) -> u64 {
    let (y, m, _) = civil_from_days((secs / DAY) as i64);
    (y * 12 + i64::from(m) - 1).max(0) as u64
}

/// Seconds since the epoch of 00:00 UTC on the first day of the month after `secs`.
pub(crate) fn next_month_start(secs: u64) -> u64 {
    let (y, m, _) = civil_from_days((secs / DAY) as i64);
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    (days_from_civil(ny, nm, 1).max(0) as u64) * DAY
}

/// `YYYY-MM-DD HH:MM:SS UTC`.
pub(crate) fn format_utc(secs: u64) -> String {
    let (y, m, d) = civil_from_days((secs / DAY) as i64);
    let rem = secs % DAY;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`, the HTTP-date form of
/// `Retry-After`) to seconds since the epoch.
pub(crate) fn parse_http_date(s: &str) -> Option<u64> {
    let s = s.trim();
    let (_, rest) = s.split_once(", ")?;
    let mut parts = rest.split(' ');
    let day: u32 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':');
    let h: u64 = hms.next()?.parse().ok()?;
    let mi: u64 = hms.next()?.parse().ok()?;
    let se: u64 = hms.next()?.parse().ok()?;
    if parts.next()? != "GMT" || !(1..=31).contains(&day) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if days < 0 {
        return None;
    }
    Some(days as u64 * DAY + h * 3600 + mi * 60 + se)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_boundaries_include_leap_years_and_december() {
        // 2024-02-10 12:00:00 UTC
        let t = 1_707_566_400;
        assert_eq!(format_utc(next_month_start(t)), "2024-03-01 00:00:00 UTC");
        // 2024-12-31 23:59:59 UTC
        let t = 1_735_689_599;
        assert_eq!(format_utc(next_month_start(t)), "2025-01-01 00:00:00 UTC");
        assert_eq!(format_utc(next_day_start(t)), "2025-01-01 00:00:00 UTC");
        assert_ne!(month_index(t), month_index(t + 1));
        assert_eq!(month_index(t - 86_400 * 20), month_index(t));
    }

    #[test]
    fn http_dates_parse_and_junk_does_not() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 PST"), None);
        assert_eq!(parse_http_date("tomorrow"), None);
    }
}
