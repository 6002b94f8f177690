//! [`RateLimitSpec`]: what the local limiter allows, parsed from text like `4/min,500/day`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The length of a rate-limit window.
///
/// Second, minute and hour windows are *rolling*: never more than N requests in any interval of
/// that length. Day and month windows are *calendar* budgets that reset at 00:00 UTC (on the
/// first of the month for months), as VirusTotal's own quotas do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RateWindow {
    /// One second, rolling.
    Second,
    /// One minute, rolling.
    Minute,
    /// One hour, rolling.
    Hour,
    /// One UTC calendar day.
    Day,
    /// One UTC calendar month.
    Month,
}

impl RateWindow {
    /// Whether the window is a calendar budget (day, month) rather than a rolling window.
    pub fn is_calendar(self) -> bool {
        matches!(self, RateWindow::Day | RateWindow::Month)
    }

    /// The length of a rolling window (`None` for calendar windows).
    pub fn rolling_length(self) -> Option<Duration> {
        match self {
            RateWindow::Second => Some(Duration::from_secs(1)),
            RateWindow::Minute => Some(Duration::from_secs(60)),
            RateWindow::Hour => Some(Duration::from_secs(3600)),
            RateWindow::Day | RateWindow::Month => None,
        }
    }

    fn unit(self) -> &'static str {
        match self {
            RateWindow::Second => "s",
            RateWindow::Minute => "min",
            RateWindow::Hour => "hour",
            RateWindow::Day => "day",
            RateWindow::Month => "month",
        }
    }

    fn parse_unit(s: &str) -> Option<RateWindow> {
        Some(match s {
            "s" | "sec" | "second" | "seconds" => RateWindow::Second,
            "m" | "min" | "minute" | "minutes" => RateWindow::Minute,
            "h" | "hour" | "hours" => RateWindow::Hour,
            "d" | "day" | "days" => RateWindow::Day,
            "mo" | "month" | "months" => RateWindow::Month,
            _ => return None,
        })
    }
}

impl fmt::Display for RateWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RateWindow::Second => "second",
            RateWindow::Minute => "minute",
            RateWindow::Hour => "hour",
            RateWindow::Day => "day",
            RateWindow::Month => "month",
        })
    }
}

/// One limit: at most `count` requests per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limit {
    /// How many requests (at least 1).
    pub count: u32,
    /// Per which window.
    pub window: RateWindow,
}

/// The local limiter's configuration: zero or more [`Limit`]s that all apply at once.
///
/// Text forms ([`FromStr`]), combinable with commas:
///
/// | text | meaning |
/// |---|---|
/// | `public` | 4 per minute, VirusTotal's public-API rate. The 500/day budget is **not** added: a local day counter cannot see other programs sharing the key or earlier runs, so the server stays the judge; add `,500/day` to enforce it locally too. |
/// | `premium:N` | N per minute |
/// | `none` | no local limit |
/// | `N/s`, `N/min`, `N/hour`, `N/day`, `N/month` | N per window (also `sec`, `second`, `m`, `minute`, `h`, `d`, `mo`, plurals) |
///
/// ```
/// use vt_transport::{RateLimitSpec, RateWindow};
/// let spec: RateLimitSpec = "public,500/day".parse().unwrap();
/// assert_eq!(spec.to_string(), "4/min,500/day");
/// assert_eq!(spec.limit_for(RateWindow::Day), Some(500));
/// assert!("none".parse::<RateLimitSpec>().unwrap().is_unlimited());
/// let err = "4/fortnight".parse::<RateLimitSpec>().unwrap_err();
/// assert!(err.to_string().contains("4/fortnight"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RateLimitSpec {
    limits: Vec<Limit>,
}

impl RateLimitSpec {
    /// No local limit.
    pub fn none() -> Self {
        RateLimitSpec::default()
    }

    /// The public API's rate: 4 requests per minute (see the type docs about the day budget).
    pub fn public() -> Self {
        RateLimitSpec::none().with(4, RateWindow::Minute)
    }

    /// A premium key's rate: `per_minute` requests per minute.
    pub fn premium(per_minute: u32) -> Self {
        RateLimitSpec::none().with(per_minute.max(1), RateWindow::Minute)
    }

    /// Adds (or, for a window already present, replaces) a limit. A count of 0 is raised to 1.
    pub fn with(mut self, count: u32, window: RateWindow) -> Self {
        let count = count.max(1);
        match self.limits.iter_mut().find(|l| l.window == window) {
            Some(l) => l.count = count,
            None => self.limits.push(Limit { count, window }),
        }
        self.limits.sort_by_key(|l| l.window);
        self
    }

    /// The limits, shortest window first.
    pub fn limits(&self) -> &[Limit] {
        &self.limits
    }

    /// The count configured for `window`, if any.
    pub fn limit_for(&self, window: RateWindow) -> Option<u32> {
        self.limits
            .iter()
            .find(|l| l.window == window)
            .map(|l| l.count)
    }

    /// Whether no limit is configured.
    pub fn is_unlimited(&self) -> bool {
        self.limits.is_empty()
    }
}

impl fmt::Display for RateLimitSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.limits.is_empty() {
            return f.write_str("none");
        }
        for (i, l) in self.limits.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}/{}", l.count, l.window.unit())?;
        }
        Ok(())
    }
}

/// A rate-limit text that could not be parsed; names the input and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid rate limit `{input}`: {reason}")]
pub struct RateLimitSpecError {
    /// The whole text given.
    pub input: String,
    /// What is wrong with it.
    pub reason: String,
}

impl FromStr for RateLimitSpec {
    type Err = RateLimitSpecError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let fail = |reason: String| RateLimitSpecError {
            input: input.to_owned(),
            reason,
        };
        let mut spec = RateLimitSpec::none();
        let mut seen = Vec::new();
        if input.trim().is_empty() {
            return Err(fail(
                "empty; expected e.g. `public`, `premium:1000`, `none` or `4/min,500/day`".into(),
            ));
        }
        for part in input.split(',') {
            let part = part.trim();
            let lower = part.to_ascii_lowercase();
            let added: Vec<Limit> = if lower == "public" {
                RateLimitSpec::public().limits
            } else if lower == "none" {
                Vec::new()
            } else if let Some(n) = lower.strip_prefix("premium:") {
                let n = parse_count(n.trim())
                    .map_err(|why| fail(format!("premium rate `{part}`: {why}")))?;
                vec![Limit {
                    count: n,
                    window: RateWindow::Minute,
                }]
            } else if let Some((n, unit)) = lower.split_once('/') {
                let count =
                    parse_count(n.trim()).map_err(|why| fail(format!("`{part}`: {why}")))?;
                let window = RateWindow::parse_unit(unit.trim()).ok_or_else(|| {
                    fail(format!(
                        "unknown window `{}` in `{part}` (use s, min, hour, day or month)",
                        unit.trim()
                    ))
                })?;
                vec![Limit { count, window }]
            } else if part.is_empty() {
                return Err(fail("empty item between commas".into()));
            } else {
                return Err(fail(format!(
                    "`{part}` is not `public`, `premium:N`, `none` or `N/window`"
                )));
            };
            for l in added {
                if seen.contains(&l.window) {
                    return Err(fail(format!("the {} window is given twice", l.window)));
                }
                seen.push(l.window);
                spec = spec.with(l.count, l.window);
            }
        }
        Ok(spec)
    }
}

fn parse_count(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(0) => Err("the count must be at least 1 (use `none` for no limit)".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{s}` is not a whole number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_and_custom_specs_parse() {
        let p: RateLimitSpec = "public".parse().unwrap();
        assert_eq!(p, RateLimitSpec::public());
        assert_eq!(p.limit_for(RateWindow::Minute), Some(4));
        assert_eq!(p.limit_for(RateWindow::Day), None);
        let p: RateLimitSpec = "premium:1000".parse().unwrap();
        assert_eq!(p.limit_for(RateWindow::Minute), Some(1000));
        let p: RateLimitSpec = "20/s".parse().unwrap();
        assert_eq!(p.limit_for(RateWindow::Second), Some(20));
        let p: RateLimitSpec = "500/day, 4/min ,15500/month".parse().unwrap();
        assert_eq!(p.to_string(), "4/min,500/day,15500/month");
        assert_eq!(p.to_string().parse::<RateLimitSpec>().unwrap(), p);
        assert!("none".parse::<RateLimitSpec>().unwrap().is_unlimited());
        assert_eq!(
            "1000/month"
                .parse::<RateLimitSpec>()
                .unwrap()
                .limits()
                .len(),
            1
        );
    }

    #[test]
    fn bad_specs_name_the_input_and_the_problem() {
        for (input, needle) in [
            ("", "empty"),
            ("4/fortnight", "unknown window `fortnight`"),
            ("x/min", "`x` is not a whole number"),
            ("0/min", "at least 1"),
            ("premium:", "premium rate"),
            ("4/min,5/min", "minute window is given twice"),
            ("public,4/min", "given twice"),
            ("fast", "`fast` is not"),
            ("4/min,,1/day", "empty item"),
        ] {
            let err = input.parse::<RateLimitSpec>().unwrap_err();
            let text = err.to_string();
            assert!(text.contains(&format!("`{input}`")), "{text}");
            assert!(text.contains(needle), "{input}: {text}");
        }
    }
}
