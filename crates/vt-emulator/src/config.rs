//! Configuration of an emulator: keys, quotas, faults, analysis timing, dataset size.
//!
//! [`EmulatorConfig`] is a plain struct with a [`Default`]; the `vt emulator serve` command
//! fills it from its flags and [`crate::EmulatorBuilder`] fills it from method calls.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use crate::error::ConfigError;
use crate::faults::FaultRule;

/// The premium key every emulator accepts unless [`EmulatorConfig::keys`] is replaced.
pub const DEFAULT_PREMIUM_KEY: &str =
    "0000000000000000000000000000000000000000000000000000000000000001";
/// The public (free-tier) key every emulator accepts unless [`EmulatorConfig::keys`] is
/// replaced.
pub const DEFAULT_PUBLIC_KEY: &str =
    "0000000000000000000000000000000000000000000000000000000000000002";
/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 42;
/// The owner id of the emulator's VT Monitor tree (`vtmonitor-v1://{owner}{path}`).
pub const MONITOR_OWNER: &str = "emulator";
/// Largest request body accepted by `POST /files` and `POST /monitor/items` (32 MB).
pub const DIRECT_UPLOAD_LIMIT: u64 = 32 * 1024 * 1024;
/// Largest request body accepted by an upload URL: a file of 650 MiB (the largest VirusTotal
/// takes, and what vt-api and vt-go allow) plus 64 KiB for the multipart framing around it.
pub const UPLOAD_URL_LIMIT: u64 = 650 * 1024 * 1024 + 64 * 1024;

/// The access tier of an API key: public (4 lookups a minute, no downloads, no Monitor, no
/// intelligence search) or premium (every endpoint, quotas per [`QuotaConfig::premium`]).
/// The model's one notion of tier, shared with the clients.
pub use vt_model::Tier;

/// One API key the emulator accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySpec {
    /// The key itself, sent by clients in `x-apikey` (v3) or `apikey` (v2).
    pub key: String,
    /// What the key may do.
    pub tier: Tier,
    /// The user id the key belongs to (`GET /users/{id}`, comment authors, vote owners).
    pub user_id: String,
}

impl KeySpec {
    /// A key of the given tier; its user id is derived from the tier and the key's first
    /// characters.
    pub fn new(key: impl Into<String>, tier: Tier) -> Self {
        let key = key.into();
        let prefix: String = key
            .chars()
            .rev()
            .take(6)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let user_id = format!("{}-user-{}", tier.as_str(), prefix);
        KeySpec { key, tier, user_id }
    }
}

impl FromStr for KeySpec {
    type Err = ConfigError;

    /// Parses `KEY`, `KEY:public` or `KEY:premium` (a bare key is premium).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (key, tier) = match s.rsplit_once(':') {
            Some((k, "public")) => (k, Tier::Public),
            Some((k, "premium")) => (k, Tier::Premium),
            Some((_, other)) => {
                return Err(ConfigError::Invalid {
                    input: s.to_owned(),
                    reason: format!("unknown tier {other:?} (expected public or premium)"),
                });
            }
            None => (s, Tier::Premium),
        };
        if key.is_empty() || key.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ConfigError::Invalid {
                input: s.to_owned(),
                reason: "an API key must be non-empty and free of whitespace".into(),
            });
        }
        Ok(KeySpec::new(key, tier))
    }
}

/// Request allowances of one tier; `None` means unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QuotaLimits {
    /// Lookups per second window.
    pub per_second: Option<u64>,
    /// Lookups per minute window.
    pub per_minute: Option<u64>,
    /// Lookups per hour window.
    pub per_hour: Option<u64>,
    /// Lookups per day window.
    pub per_day: Option<u64>,
    /// Lookups per month window.
    pub per_month: Option<u64>,
}

impl QuotaLimits {
    /// VirusTotal's public API: 4 a minute, 500 a day, 15,500 a month.
    pub const PUBLIC: QuotaLimits = QuotaLimits {
        per_second: None,
        per_minute: Some(4),
        per_hour: None,
        per_day: Some(500),
        per_month: Some(15_500),
    };
    /// No limit at all (the default for premium keys).
    pub const UNLIMITED: QuotaLimits = QuotaLimits {
        per_second: None,
        per_minute: None,
        per_hour: None,
        per_day: None,
        per_month: None,
    };
}

impl FromStr for QuotaLimits {
    type Err = ConfigError;

    /// Parses `unlimited` or a comma-separated list of `N/<window>` with window `s`/`second`,
    /// `min`/`minute`, `h`/`hour`, `d`/`day`, `mo`/`month`; unlisted windows are unlimited.
    ///
    /// ```
    /// use vt_emulator::QuotaLimits;
    /// let q: QuotaLimits = "4/min,500/day,15500/month".parse().unwrap();
    /// assert_eq!(q, QuotaLimits::PUBLIC);
    /// assert_eq!("unlimited".parse::<QuotaLimits>().unwrap(), QuotaLimits::UNLIMITED);
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |reason: String| ConfigError::Invalid {
            input: s.to_owned(),
            reason,
        };
        let mut q = QuotaLimits::UNLIMITED;
        if matches!(s.trim(), "unlimited" | "none") {
            return Ok(q);
        }
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (n, window) = part
                .split_once('/')
                .ok_or_else(|| bad(format!("{part:?} is not N/<window>")))?;
            let n: u64 = n
                .trim()
                .parse()
                .map_err(|_| bad(format!("{n:?} is not a whole number")))?;
            let slot = match window.trim() {
                "s" | "sec" | "second" => &mut q.per_second,
                "min" | "minute" => &mut q.per_minute,
                "h" | "hour" => &mut q.per_hour,
                "d" | "day" => &mut q.per_day,
                "mo" | "month" => &mut q.per_month,
                w => {
                    return Err(bad(format!(
                        "unknown window {w:?} (second, minute, hour, day, month)"
                    )));
                }
            };
            *slot = Some(n);
        }
        Ok(q)
    }
}

/// The length of each quota window. Shorten them to compress time in tests (for example a
/// "day" of two seconds). Windows are fixed and aligned on multiples of their length since
/// the Unix epoch of the emulator's clock, so with real lengths the day resets at 00:00 UTC;
/// the month is a fixed 30-day window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaWindows {
    /// Length of the "second" window.
    pub second: Duration,
    /// Length of the "minute" window.
    pub minute: Duration,
    /// Length of the "hour" window.
    pub hour: Duration,
    /// Length of the "day" window.
    pub day: Duration,
    /// Length of the "month" window.
    pub month: Duration,
}

impl Default for QuotaWindows {
    fn default() -> Self {
        QuotaWindows {
            second: Duration::from_secs(1),
            minute: Duration::from_secs(60),
            hour: Duration::from_secs(3600),
            day: Duration::from_secs(86_400),
            month: Duration::from_secs(30 * 86_400),
        }
    }
}

impl QuotaWindows {
    /// Every window divided by `factor` (at least one millisecond each): `scaled(43_200)` makes
    /// a day last two seconds.
    pub fn scaled(factor: u32) -> Self {
        let d = QuotaWindows::default();
        let f = factor.max(1);
        let s = |x: Duration| (x / f).max(Duration::from_millis(1));
        QuotaWindows {
            second: s(d.second),
            minute: s(d.minute),
            hour: s(d.hour),
            day: s(d.day),
            month: s(d.month),
        }
    }
}

/// Quotas of both tiers and the window lengths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaConfig {
    /// Limits of public keys (default [`QuotaLimits::PUBLIC`]).
    pub public: QuotaLimits,
    /// Limits of premium keys (default [`QuotaLimits::UNLIMITED`]).
    pub premium: QuotaLimits,
    /// Window lengths.
    pub windows: QuotaWindows,
}

impl Default for QuotaConfig {
    fn default() -> Self {
        QuotaConfig {
            public: QuotaLimits::PUBLIC,
            premium: QuotaLimits::UNLIMITED,
            windows: QuotaWindows::default(),
        }
    }
}

/// How fast analyses move from `queued` through `in-progress` to `completed`.
///
/// An analysis is `completed` as soon as **either** it has been polled (`GET
/// /analyses/{id}`) `polls_to_complete` times before, **or** `time_to_complete` has passed on
/// the emulator's clock. Before that its first poll answers `queued` and later polls
/// `in-progress` (as does any poll after half of `time_to_complete`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnalysisTiming {
    /// Number of polls answered with a non-final status; `0` completes on the first poll.
    pub polls_to_complete: u32,
    /// Time after which the analysis is complete regardless of polls; `None` disables it.
    pub time_to_complete: Option<Duration>,
}

impl Default for AnalysisTiming {
    fn default() -> Self {
        AnalysisTiming {
            polls_to_complete: 2,
            time_to_complete: Some(Duration::from_secs(10)),
        }
    }
}

impl AnalysisTiming {
    /// Analyses are complete on their first poll.
    pub const IMMEDIATE: AnalysisTiming = AnalysisTiming {
        polls_to_complete: 0,
        time_to_complete: None,
    };
}

impl FromStr for AnalysisTiming {
    type Err = ConfigError;

    /// Parses `immediate`, or `polls=<n>` and/or `time=<duration>` separated by commas
    /// (`time=none` disables the time criterion).
    ///
    /// ```
    /// use std::time::Duration;
    /// use vt_emulator::AnalysisTiming;
    /// let t: AnalysisTiming = "polls=3,time=2s".parse().unwrap();
    /// assert_eq!(t, AnalysisTiming { polls_to_complete: 3, time_to_complete: Some(Duration::from_secs(2)) });
    /// assert_eq!("immediate".parse::<AnalysisTiming>().unwrap(), AnalysisTiming::IMMEDIATE);
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |reason: String| ConfigError::Invalid {
            input: s.to_owned(),
            reason,
        };
        if s.trim() == "immediate" {
            return Ok(AnalysisTiming::IMMEDIATE);
        }
        let mut t = AnalysisTiming {
            polls_to_complete: u32::MAX,
            time_to_complete: None,
        };
        let mut any = false;
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            any = true;
            match part.split_once('=') {
                Some(("polls", n)) => {
                    t.polls_to_complete = n
                        .trim()
                        .parse()
                        .map_err(|_| bad(format!("polls={n:?} is not a whole number")))?;
                }
                Some(("time", "none")) => t.time_to_complete = None,
                Some(("time", d)) => {
                    t.time_to_complete = Some(crate::faults::parse_duration(d.trim())?)
                }
                _ => {
                    return Err(bad(format!(
                        "{part:?}: expected immediate, polls=<n> or time=<duration>"
                    )));
                }
            }
        }
        if !any {
            return Err(bad("empty analysis timing".into()));
        }
        Ok(t)
    }
}

/// The size of the generated dataset and an optional directory of real documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetConfig {
    /// Number of generated files (besides EICAR and loaded ones).
    pub files: usize,
    /// Number of generated URLs.
    pub urls: usize,
    /// Number of generated domains.
    pub domains: usize,
    /// Number of generated IP addresses.
    pub ip_addresses: usize,
    /// A directory searched recursively for `*.json` documents; every object with `type`,
    /// `id` and `attributes` of type file, url, domain or ip_address is added (single objects
    /// and collection items alike).
    pub load_dir: Option<PathBuf>,
}

impl Default for DatasetConfig {
    fn default() -> Self {
        DatasetConfig {
            files: 100,
            urls: 50,
            domains: 40,
            ip_addresses: 40,
            load_dir: None,
        }
    }
}

impl DatasetConfig {
    /// A smaller dataset that starts faster (debug-build tests): 30 files, 30 URLs, 30
    /// domains, 30 IP addresses; the first generated file still has 25 contacted domains.
    pub fn small() -> Self {
        DatasetConfig {
            files: 30,
            urls: 30,
            domains: 30,
            ip_addresses: 30,
            load_dir: None,
        }
    }
}

/// Fault injection: rules and the seed of their own random sequence.
///
/// Every request to `/api/v3`, `/vtapi/v2` or an upload URL gets a sequence number `n` (in
/// arrival order) and one uniform draw `u = hash(seed, n)` in `[0, 1)`. The rules whose path
/// prefix matches are walked in order, adding up their rates; the first rule whose running
/// total exceeds `u` fires. The same seed and request sequence inject the same faults at the
/// same places. Faults replacing the answer (503, 429, dropped connection) come before the key
/// and quota checks and cost no quota; the others alter a real answer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FaultConfig {
    /// Seed of the fault sequence; `None` uses [`EmulatorConfig::seed`].
    pub seed: Option<u64>,
    /// The rules, tried in order; their rates add up (see [`FaultConfig`]).
    pub rules: Vec<FaultRule>,
}

/// Where the emulator's clock starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClockMode {
    /// The system clock (plus any offset added later through [`crate::Clock::advance`]).
    #[default]
    System,
    /// A frozen clock starting at this Unix time (seconds); it moves only when advanced.
    Manual(u64),
}

/// Everything an emulator needs to start. Plain data with a useful [`Default`]: a premium and
/// a public key ([`DEFAULT_PREMIUM_KEY`], [`DEFAULT_PUBLIC_KEY`]), VirusTotal's quotas with
/// real window lengths, no faults, seed [`DEFAULT_SEED`], a free port on 127.0.0.1.
#[derive(Debug, Clone, PartialEq)]
pub struct EmulatorConfig {
    /// Address to bind (default 127.0.0.1).
    pub bind: IpAddr,
    /// Port to bind; 0 picks a free port.
    pub port: u16,
    /// Seed of the generated dataset (and of faults unless [`FaultConfig::seed`] is set).
    pub seed: u64,
    /// Accepted keys.
    pub keys: Vec<KeySpec>,
    /// Quotas.
    pub quotas: QuotaConfig,
    /// Fault injection.
    pub faults: FaultConfig,
    /// Analysis lifecycle timing.
    pub analysis: AnalysisTiming,
    /// Dataset size and optional real documents.
    pub dataset: DatasetConfig,
    /// Directory for uploaded bytes; `None` creates a fresh directory under the system temp
    /// directory and removes it at shutdown (a given directory is left in place).
    pub data_dir: Option<PathBuf>,
    /// The clock.
    pub clock: ClockMode,
    /// How many entries the request log of `/_emulator/stats` keeps (oldest dropped first).
    pub request_log_capacity: usize,
    /// Largest request body of `POST /files` and `POST /monitor/items` (default
    /// [`DIRECT_UPLOAD_LIMIT`], 32 MB).
    pub direct_upload_limit: u64,
    /// Largest request body of an upload URL (default [`UPLOAD_URL_LIMIT`], 650 MB).
    pub upload_url_limit: u64,
    /// Feeds: availability lag and package size.
    pub feeds: crate::feeds::FeedConfig,
    /// A fixed delay before every answer (default none), as a network round trip to
    /// VirusTotal adds; `/_emulator` control routes answer at once.
    pub latency: Duration,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            seed: DEFAULT_SEED,
            keys: vec![
                KeySpec::new(DEFAULT_PREMIUM_KEY, Tier::Premium),
                KeySpec::new(DEFAULT_PUBLIC_KEY, Tier::Public),
            ],
            quotas: QuotaConfig::default(),
            faults: FaultConfig::default(),
            analysis: AnalysisTiming::default(),
            dataset: DatasetConfig::default(),
            data_dir: None,
            clock: ClockMode::System,
            request_log_capacity: 1000,
            direct_upload_limit: DIRECT_UPLOAD_LIMIT,
            upload_url_limit: UPLOAD_URL_LIMIT,
            feeds: crate::feeds::FeedConfig::default(),
            latency: Duration::ZERO,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_spec_parses_tiers() {
        let k: KeySpec = "abc:public".parse().unwrap();
        assert_eq!((k.key.as_str(), k.tier), ("abc", Tier::Public));
        let k: KeySpec = "abc".parse().unwrap();
        assert_eq!(k.tier, Tier::Premium);
        let k: KeySpec = "a:b:premium".parse().unwrap();
        assert_eq!(k.key, "a:b");
        assert!("abc:gold".parse::<KeySpec>().is_err());
        assert!(":public".parse::<KeySpec>().is_err());
    }

    #[test]
    fn scaled_windows_compress_a_day() {
        let w = QuotaWindows::scaled(43_200);
        assert_eq!(w.day, Duration::from_secs(2));
        assert_eq!(w.second, Duration::from_millis(1));
    }
}
