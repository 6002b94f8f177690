//! UTC calendar arithmetic for the rate limiter's day and month windows and for error
//! messages (no time zone database needed: VirusTotal's quotas reset at 00:00 UTC). HTTP
//! dates (`Retry-After`) are parsed by `httpdate` in [`crate::classify`].
//!
//! A module of its own so that the error type and the rate limiter both use it without
//! importing each other.

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
}
