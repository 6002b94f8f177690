//! The report cache's settings (`--max-age`, `--no-cache`, `--refresh`, `--cache-path`,
//! `--cache redis://...` and their environment variables and config keys) and opening the
//! store for a run.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::ArgMatches;
use clap::parser::ValueSource;

use crate::cli::GlobalArgs;
use crate::config_file::{CacheKey, ConfigFile, Source};
use crate::exit::{CliError, Exit};

/// The default `--max-age`.
pub const DEFAULT_MAX_AGE: Duration = vt_api::cache::DEFAULT_MAX_AGE;

/// The cache settings of a run.
#[derive(Debug, Clone)]
pub struct CacheSettings {
    /// Whether the cache is used (on unless `--no-cache`, `VT_NO_CACHE` or `cache = false`).
    pub enabled: (bool, Source),
    /// Answers younger than this are used.
    pub max_age: (Duration, Source),
    /// Ask again and store the new answer.
    pub refresh: bool,
    /// The store's file, when one was chosen (flag, environment or config file).
    pub path: Option<(PathBuf, Source)>,
    /// The Redis the cache lives in instead of the file (`--cache`, `VT_CACHE`, config key
    /// `cache = "redis://..."`), checked when resolved.
    pub redis: Option<(vt_redis::FleetUrl, Source)>,
}

/// The store of a run: the local file or a fleet's Redis.
#[derive(Debug)]
pub enum CacheStore {
    /// The SQLite file.
    File(Box<vt_cache::SqliteCache>),
    /// A Redis shared by a fleet.
    Redis(vt_redis::RedisCache),
}

fn source_of(matches: &ArgMatches, id: &str) -> Source {
    match matches.value_source(id) {
        Some(ValueSource::EnvVariable) => Source::Environment,
        Some(ValueSource::CommandLine) => Source::Flag,
        _ => Source::Default,
    }
}

impl CacheSettings {
    /// Resolves the settings: flag > environment > config file > default.
    pub fn resolve(
        args: &GlobalArgs,
        matches: &ArgMatches,
        file: &ConfigFile,
    ) -> Result<CacheSettings, CliError> {
        let max_age = match (&args.max_age, &file.max_age) {
            (Some(text), _) => {
                let src = source_of(matches, "max_age");
                let what = if src == Source::Environment {
                    "VT_MAX_AGE"
                } else {
                    "--max-age"
                };
                (
                    parse_duration(text).map_err(|e| usage(what, text, &e))?,
                    src,
                )
            }
            (None, Some(text)) => (
                parse_duration(text).map_err(|e| usage("config key max_age", text, &e))?,
                Source::ConfigFile,
            ),
            (None, None) => (DEFAULT_MAX_AGE, Source::Default),
        };
        let enabled = if args.no_cache {
            (false, source_of(matches, "no_cache"))
        } else {
            match file.cache {
                Some(CacheKey::On(on)) => (on, Source::ConfigFile),
                Some(CacheKey::Url(_)) => (true, Source::ConfigFile),
                None => (true, Source::Default),
            }
        };
        let redis_text = match (&args.cache_url, &file.cache) {
            (Some(text), _) => Some((text.clone(), source_of(matches, "cache_url"))),
            (None, Some(CacheKey::Url(text))) => Some((text.clone(), Source::ConfigFile)),
            _ => None,
        };
        let redis = match redis_text {
            Some((text, source)) => {
                let url = text.parse::<vt_redis::FleetUrl>().map_err(|e| {
                    let what = match source {
                        Source::Environment => "VT_CACHE",
                        Source::ConfigFile => "config key cache",
                        _ => "--cache",
                    };
                    CliError::usage(format!(
                        "{what}: invalid cache URL `{}`: {}",
                        e.input, e.reason
                    ))
                    .with_detail("example: --cache redis://127.0.0.1:6379/0")
                })?;
                Some((url, source))
            }
            None => None,
        };
        let path = match (&args.cache_path, &file.cache_path) {
            (Some(p), _) => Some((p.clone(), source_of(matches, "cache_path"))),
            (None, Some(p)) => Some((p.clone(), Source::ConfigFile)),
            (None, None) => None,
        };
        if let Some((p, _)) = &path
            && (p.as_os_str().is_empty() || p.is_dir())
        {
            return Err(CliError::usage(format!(
                "cache path {:?}: must be a file path, not a directory",
                p.display().to_string()
            )));
        }
        Ok(CacheSettings {
            enabled,
            max_age,
            refresh: args.refresh,
            path,
            redis,
        })
    }

    /// The store's file: the chosen one, or the default under the XDG cache directory.
    pub fn file(&self) -> Option<PathBuf> {
        match &self.path {
            Some((p, _)) => Some(p.clone()),
            None => vt_cache::default_path(),
        }
    }

    /// The library's policy for these settings.
    pub fn policy(&self) -> vt_api::CachePolicy {
        vt_api::CachePolicy {
            max_age: self.max_age.0,
            not_found_max_age: vt_api::cache::DEFAULT_NOT_FOUND_MAX_AGE,
            refresh: self.refresh,
        }
    }

    /// Connects to the Redis of `--cache` (a blocking connect, bounded by its timeout): exit
    /// 5 when it does not answer, before any request.
    fn connect_redis(&self, url: &vt_redis::FleetUrl) -> Result<vt_redis::RedisCache, CliError> {
        let options = vt_redis::RedisCacheOptions::for_policy(&self.policy());
        let connect = || vt_redis::RedisCache::connect(url, options);
        // Called from the command's async code on the multi-threaded runtime.
        let connected = match tokio::runtime::Handle::try_current() {
            Ok(_) => tokio::task::block_in_place(connect),
            Err(_) => connect(),
        };
        connected.map_err(|e| CliError::new(Exit::Transport, e.to_string()))
    }

    /// Opens the store for a command that needs it (`vt cache ...`): every problem with the
    /// file is exit 2; a Redis that does not answer is exit 5.
    pub fn open_required(&self) -> Result<CacheStore, CliError> {
        if let Some((url, _)) = &self.redis {
            return self.connect_redis(url).map(CacheStore::Redis);
        }
        let path = self.file().ok_or_else(|| {
            CliError::usage("no cache path: set HOME, XDG_CACHE_HOME or --cache-path")
        })?;
        let opened = vt_cache::SqliteCache::open(&path).map_err(open_error)?;
        if let Some((aside, why)) = &opened.moved_aside {
            report_moved_aside(&path, aside, why);
        }
        Ok(CacheStore::File(Box::new(opened.cache)))
    }

    /// Opens the store for a lookup. `Ok(None)` when the cache is off, or when the default
    /// store cannot be used (said in one line; the run goes on without it). A path the user
    /// chose that is unsafe or unwritable is exit 2. A corrupt or foreign file is moved aside,
    /// said in one line, and this run goes on without the cache (the next one starts afresh).
    /// With `--cache redis://...`, a Redis that does not answer is one line and exit 5
    /// before any request (as `--fleet`); lost later, lookups go on without it.
    pub fn open_for_run(&self) -> Result<Option<Arc<dyn vt_api::ReportCache>>, CliError> {
        if !self.enabled.0 {
            return Ok(None);
        }
        if let Some((url, _)) = &self.redis {
            let store = self.connect_redis(url)?;
            tracing::info!("report cache shared through Redis at {url}");
            return Ok(Some(Arc::new(store)));
        }
        let Some(path) = self.file() else {
            return Ok(None);
        };
        match vt_cache::SqliteCache::open(&path) {
            Ok(opened) => match &opened.moved_aside {
                Some((aside, why)) => {
                    report_moved_aside(&path, aside, why);
                    Ok(None)
                }
                None => Ok(Some(Arc::new(opened.cache))),
            },
            Err(e) if self.path.is_some() => Err(open_error(e)),
            Err(e) => {
                let _ = writeln!(
                    std::io::stderr(),
                    "vt: {}; going on without the cache",
                    crate::exit::error_chain(&e)
                );
                Ok(None)
            }
        }
    }
}

fn open_error(e: vt_cache::OpenError) -> CliError {
    CliError::usage(crate::exit::error_chain(&e))
}

fn report_moved_aside(path: &std::path::Path, aside: &std::path::Path, why: &str) {
    let why = why.replace(['\n', '\r'], " ");
    let _ = writeln!(
        std::io::stderr(),
        "vt: cache file {}: unusable ({why}); moved to {}, going on without the cache",
        path.display(),
        aside.display()
    );
}

fn usage(what: &str, text: &str, problem: &str) -> CliError {
    CliError::usage(format!("{what} {text:?}: {problem}"))
        .with_detail("examples: 90s, 30m, 12h, 7d, 2w, 0 (always ask)")
}

/// Parses a duration: a whole number with a unit `s`, `m`, `h`, `d` or `w` (`0` alone is
/// allowed), e.g. `90s`, `30m`, `12h`, `7d`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if t.starts_with('-') {
        return Err("must not be negative".into());
    }
    if t == "0" {
        return Ok(Duration::ZERO);
    }
    let split = t
        .find(|c: char| !c.is_ascii_digit())
        .ok_or("needs a unit (s, m, h, d or w)")?;
    let (number, unit) = t.split_at(split);
    if number.is_empty() {
        return Err("must start with a whole number".into());
    }
    let n: u64 = number.parse().map_err(|_| "the number is too large")?;
    let unit_secs = match unit.trim() {
        "s" | "sec" | "secs" => 1,
        "m" | "min" | "mins" => 60,
        "h" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 604_800,
        other => return Err(format!("unknown unit {other:?} (s, m, h, d or w)")),
    };
    n.checked_mul(unit_secs)
        .filter(|s| *s <= 100 * 365 * 86_400)
        .map(Duration::from_secs)
        .ok_or_else(|| "longer than 100 years".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("12h"), Ok(Duration::from_secs(43_200)));
        assert_eq!(parse_duration(" 7d "), Ok(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("2w"), Ok(Duration::from_secs(1_209_600)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
    }

    #[test]
    fn bad_durations_say_what_is_wrong() {
        assert_eq!(parse_duration("-1h").unwrap_err(), "must not be negative");
        assert!(parse_duration("12").unwrap_err().contains("unit"));
        assert!(parse_duration("h").unwrap_err().contains("whole number"));
        assert!(parse_duration("3x").unwrap_err().contains("unknown unit"));
        assert!(parse_duration("1.5h").unwrap_err().contains("unknown unit"));
        assert!(parse_duration("99999999999999999999d").is_err());
        assert!(parse_duration("").is_err());
    }
}
