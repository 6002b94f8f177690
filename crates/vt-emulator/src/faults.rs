//! Seeded, reproducible fault injection.
//!
//! Every request to `/api/v3`, `/vtapi/v2` or an upload URL gets a sequence number `n`
//! (in arrival order) and one uniform draw `u = hash(seed, n)` in `[0, 1)`. The rules whose
//! path prefix matches are walked in order, adding up their rates; the first rule whose
//! running total exceeds `u` fires. So the total fault probability of a path is the sum of
//! its rules' rates (capped at 1), and the same seed with the same request sequence injects
//! the same faults at the same places.
//!
//! Faults that replace the response (503, 429, dropped connection) are decided before the key
//! and quota checks and cost no quota. The others (latency, slow body, truncated or malformed
//! JSON) alter the real response, which did count.
//!
//! Rules parse from text (`kind[:param]=rate[@/path/prefix]`):
//!
//! ```
//! use vt_emulator::{FaultKind, FaultRule};
//! let r: FaultRule = "transient=0.2@/api/v3/files".parse().unwrap();
//! assert_eq!(r.kind, FaultKind::Transient);
//! assert_eq!(r.path_prefix.as_deref(), Some("/api/v3/files"));
//! let r: FaultRule = "latency:250ms=0.1".parse().unwrap();
//! assert_eq!(r.kind, FaultKind::Latency(std::time::Duration::from_millis(250)));
//! ```

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::error::ConfigError;
use crate::rng::mix64;

/// What goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// 503 `TransientError` (`transient`).
    Transient,
    /// 429 `TooManyRequestsError`, never compressed (`too-many-requests`).
    TooManyRequests,
    /// The connection is closed without a response (`drop`).
    DropConnection,
    /// The response is delayed (`latency:<duration>`, default 200ms).
    Latency(Duration),
    /// The body is sent in 1 KiB chunks with this delay between them (`slow-body:<duration>`,
    /// default 50ms).
    SlowBody(Duration),
    /// A JSON body is cut in half (with a matching `Content-Length`) (`truncated-json`).
    TruncatedJson,
    /// A JSON body is replaced by invalid JSON of the same status (`malformed-json`).
    MalformedJson,
    /// A download's headers promise the whole file (`Content-Length`), half of it is sent,
    /// then the connection is closed (`cut-body`). Only for signed downloads, and only by a
    /// rule whose prefix names them (`cut-body=1@/_download`).
    CutBody,
    /// A feed package whose bzip2 data is corrupted (its first block's CRC; `feed-corrupt`).
    /// Feed faults apply to `/api/v3/feeds/...` packages only and are decided per package
    /// (from the seed and the path, not the request order), so the same package is damaged
    /// the same way every time it is asked for: `feed-corrupt=1@/api/v3/feeds/files/202612030400`.
    FeedCorrupt,
    /// A feed package cut in half (`feed-truncated`).
    FeedTruncated,
    /// A feed package whose second line is not JSON (`feed-not-json`).
    FeedNotJson,
    /// A feed package that is a bzip2 bomb: one 48 MiB line of zeros (`feed-bomb`).
    FeedBomb,
    /// A feed package that is missing: 404 `NotFoundError` (`feed-missing`).
    FeedMissing,
}

impl FaultKind {
    /// The name used in stats and rule text.
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::Transient => "transient",
            FaultKind::TooManyRequests => "too-many-requests",
            FaultKind::DropConnection => "drop",
            FaultKind::Latency(_) => "latency",
            FaultKind::SlowBody(_) => "slow-body",
            FaultKind::TruncatedJson => "truncated-json",
            FaultKind::MalformedJson => "malformed-json",
            FaultKind::CutBody => "cut-body",
            FaultKind::FeedCorrupt => "feed-corrupt",
            FaultKind::FeedTruncated => "feed-truncated",
            FaultKind::FeedNotJson => "feed-not-json",
            FaultKind::FeedBomb => "feed-bomb",
            FaultKind::FeedMissing => "feed-missing",
        }
    }

    /// Whether this fault damages feed packages (decided per package, see
    /// [`FaultKind::FeedCorrupt`]).
    pub fn is_feed_fault(&self) -> bool {
        matches!(
            self,
            FaultKind::FeedCorrupt
                | FaultKind::FeedTruncated
                | FaultKind::FeedNotJson
                | FaultKind::FeedBomb
                | FaultKind::FeedMissing
        )
    }
}

/// One fault rule.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    /// The fault.
    pub kind: FaultKind,
    /// Its probability per matching request, in `[0, 1]`.
    pub rate: f64,
    /// Only requests whose path starts with this prefix; `None` matches every faultable path.
    pub path_prefix: Option<String>,
}

impl FaultRule {
    /// A rule for every path.
    pub fn new(kind: FaultKind, rate: f64) -> Self {
        FaultRule {
            kind,
            rate,
            path_prefix: None,
        }
    }

    /// Restricts the rule to paths starting with `prefix`.
    pub fn on(mut self, prefix: impl Into<String>) -> Self {
        self.path_prefix = Some(prefix.into());
        self
    }
}

impl fmt::Display for FaultRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind.name())?;
        match self.kind {
            FaultKind::Latency(d) | FaultKind::SlowBody(d) => write!(f, ":{}ms", d.as_millis())?,
            _ => {}
        }
        write!(f, "={}", self.rate)?;
        if let Some(p) = &self.path_prefix {
            write!(f, "@{p}")?;
        }
        Ok(())
    }
}

/// Parses `250ms`, `2s` or a bare number of milliseconds.
pub fn parse_duration(s: &str) -> Result<Duration, ConfigError> {
    let bad = |reason: &str| ConfigError::Invalid {
        input: s.to_owned(),
        reason: reason.to_owned(),
    };
    let (num, mult) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000)
    } else {
        (s, 1)
    };
    let n: u64 = num
        .trim()
        .parse()
        .map_err(|_| bad("expected a duration such as 250ms or 2s"))?;
    Ok(Duration::from_millis(n.saturating_mul(mult)))
}

impl FromStr for FaultRule {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |reason: String| ConfigError::Invalid {
            input: s.to_owned(),
            reason,
        };
        let (spec, prefix) = match s.split_once('@') {
            Some((a, p)) if p.starts_with('/') => (a, Some(p.to_owned())),
            Some(_) => return Err(bad("the path prefix after @ must start with /".into())),
            None => (s, None),
        };
        let (kind_text, rate_text) = spec
            .split_once('=')
            .ok_or_else(|| bad("expected kind[:param]=rate[@/prefix]".into()))?;
        let rate: f64 = rate_text
            .trim()
            .parse()
            .map_err(|_| bad(format!("rate {rate_text:?} is not a number")))?;
        if !(0.0..=1.0).contains(&rate) {
            return Err(bad(format!("rate {rate} is outside 0..=1")));
        }
        let (name, param) = match kind_text.split_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (kind_text, None),
        };
        let dur = |default: u64| -> Result<Duration, ConfigError> {
            param.map_or(Ok(Duration::from_millis(default)), parse_duration)
        };
        let kind = match name.trim() {
            "transient" | "503" => FaultKind::Transient,
            "too-many-requests" | "429" => FaultKind::TooManyRequests,
            "drop" => FaultKind::DropConnection,
            "latency" => FaultKind::Latency(dur(200)?),
            "slow-body" => FaultKind::SlowBody(dur(50)?),
            "truncated-json" => FaultKind::TruncatedJson,
            "malformed-json" => FaultKind::MalformedJson,
            "cut-body" => FaultKind::CutBody,
            "feed-corrupt" => FaultKind::FeedCorrupt,
            "feed-truncated" => FaultKind::FeedTruncated,
            "feed-not-json" => FaultKind::FeedNotJson,
            "feed-bomb" => FaultKind::FeedBomb,
            "feed-missing" => FaultKind::FeedMissing,
            other => {
                return Err(bad(format!(
                    "unknown fault {other:?} (expected transient, too-many-requests, drop, latency, slow-body, truncated-json, malformed-json, cut-body or feed-corrupt, feed-truncated, feed-not-json, feed-bomb, feed-missing)"
                )));
            }
        };
        Ok(FaultRule {
            kind,
            rate,
            path_prefix: prefix,
        })
    }
}

/// Decides faults.
#[derive(Debug)]
pub(crate) struct FaultPlan {
    seed: u64,
    rules: Vec<FaultRule>,
}

impl FaultPlan {
    pub(crate) fn new(seed: u64, rules: Vec<FaultRule>) -> Self {
        FaultPlan { seed, rules }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The fault for the `n`th faultable request to `path`, if any.
    pub(crate) fn decide(&self, n: u64, path: &str) -> Option<FaultKind> {
        self.decide_among(n, path, false)
    }

    /// Whether some rule's prefix names paths under `prefix` (so those paths draw faults).
    pub(crate) fn targets(&self, prefix: &str) -> bool {
        self.rules.iter().any(|r| {
            r.path_prefix
                .as_deref()
                .is_some_and(|p| p.starts_with(prefix))
        })
    }

    /// [`Self::decide`] for paths that fault only by explicit request (signed downloads):
    /// rules without a path prefix are skipped.
    pub(crate) fn decide_explicit(&self, n: u64, path: &str) -> Option<FaultKind> {
        self.decide_among(n, path, true)
    }

    /// The damage of the feed package at `path` (`/api/v3/feeds/{type}/{minute}`), if a feed
    /// rule matches: drawn from the seed and the path, so it is the same at every request.
    pub(crate) fn feed_damage(&self, path: &str) -> Option<FaultKind> {
        let h = path
            .bytes()
            .fold(self.seed ^ 0xfeed_fa17, |h, b| mix64(h ^ u64::from(b)));
        let u = (h >> 11) as f64 / (1u64 << 53) as f64;
        let mut total = 0.0;
        for rule in self.rules.iter().filter(|r| r.kind.is_feed_fault()) {
            if rule
                .path_prefix
                .as_deref()
                .is_some_and(|p| !path.starts_with(p))
            {
                continue;
            }
            total += rule.rate;
            if u < total {
                return Some(rule.kind);
            }
        }
        None
    }

    fn decide_among(&self, n: u64, path: &str, explicit_only: bool) -> Option<FaultKind> {
        if self.rules.is_empty() {
            return None;
        }
        let u = (mix64(self.seed ^ mix64(n)) >> 11) as f64 / (1u64 << 53) as f64;
        let mut total = 0.0;
        for rule in &self.rules {
            if rule
                .path_prefix
                .as_deref()
                .is_some_and(|p| !path.starts_with(p))
                || (explicit_only && rule.path_prefix.is_none())
                || rule.kind.is_feed_fault()
            {
                continue;
            }
            total += rule.rate;
            if u < total {
                return Some(rule.kind);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_and_print() {
        for text in [
            "transient=0.2",
            "drop=1@/api/v3/files",
            "slow-body:10ms=0.5",
        ] {
            let r: FaultRule = text.parse().unwrap();
            assert_eq!(r.to_string(), text);
        }
        assert!("latency=2".parse::<FaultRule>().is_err());
        assert!("fire=0.1".parse::<FaultRule>().is_err());
        assert!("drop=0.1@files".parse::<FaultRule>().is_err());
    }

    #[test]
    fn rates_hold_and_repeat() {
        let plan = FaultPlan::new(9, vec![FaultRule::new(FaultKind::Transient, 0.2)]);
        let hits: Vec<bool> = (0..10_000)
            .map(|n| plan.decide(n, "/api/v3/x").is_some())
            .collect();
        let count = hits.iter().filter(|h| **h).count();
        assert!((1800..2200).contains(&count), "{count}");
        let again: Vec<bool> = (0..10_000)
            .map(|n| plan.decide(n, "/api/v3/x").is_some())
            .collect();
        assert_eq!(hits, again);
    }

    #[test]
    fn prefixes_restrict_rules() {
        let plan = FaultPlan::new(
            1,
            vec![FaultRule::new(FaultKind::DropConnection, 1.0).on("/api/v3/files")],
        );
        assert_eq!(
            plan.decide(0, "/api/v3/files/x"),
            Some(FaultKind::DropConnection)
        );
        assert_eq!(plan.decide(0, "/api/v3/urls/x"), None);
    }
}
