//! Dates as VirusTotal writes them: `YYYYMMDD` engine updates, v2's `YYYY-MM-DD HH:MM:SS`.

use vt_model::calendar::civil_from_days;

/// `YYYYMMDD` (UTC), the `engine_update` format.
pub(crate) fn ymd(epoch: u64) -> String {
    let (y, m, d) = civil_from_days((epoch / 86_400) as i64);
    format!("{y:04}{m:02}{d:02}")
}

/// `YYYY-MM-DD HH:MM:SS` (UTC), the v2 `scan_date` format.
pub(crate) fn datetime(epoch: u64) -> String {
    let (y, m, d) = civil_from_days((epoch / 86_400) as i64);
    let s = epoch % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_format_like_v2() {
        assert_eq!(datetime(1_273_894_724), "2010-05-15 03:38:44");
        assert_eq!(ymd(1_700_000_000), "20231114");
    }
}
