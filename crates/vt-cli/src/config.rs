//! Configuration: the API key and the effective settings (the config file itself is
//! [`crate::config_file`]).
//!
//! Precedence, for every setting: command-line flag > environment variable > config file >
//! default. The config file is TOML at `--config PATH`, `VT_CONFIG`, or
//! `$XDG_CONFIG_HOME/vt/config.toml` (`~/.config/vt/config.toml` without XDG_CONFIG_HOME):
//!
//! ```toml
//! api_key = "..."          # or: api_key_file = "/path/to/key"
//! base_url = "https://www.virustotal.com"
//! format = "json"          # human | json | ndjson | yaml | csv
//! tier = "premium"         # public | premium: the default rate limit and the v2 batch size
//! rate_limit = "public"    # public | premium:N | none | 20/s | 4/min,500/day
//! fleet = "redis://10.0.0.5:6379/0"   # share the rate limit with other vt processes
//! concurrency = 4
//! timeout = 300            # seconds
//! retries = 3
//! proxy = "http://proxy:3128"
//! http2 = true             # HTTP/2 prior knowledge on plain http:// (the emulator)
//! max_age = "24h"          # answers from the local report cache younger than this are used
//! cache = true             # false: no report cache; "redis://HOST:PORT/DB": keep it in Redis
//! cache_path = "/path/to/cache.sqlite3"
//! ```
//!
//! A key is never read from a file (config file or key file) that group or others can read:
//! `vt` stops with exit code 2 and says `chmod 600 PATH`.

use std::fmt;
use std::io::{self, BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::ArgMatches;
use clap::parser::ValueSource;

use crate::cli::{Format, GlobalArgs};
use crate::config_file::{
    ConfigFile, Source, check_private, default_config_path, load_config_file,
};
use crate::exit::{CliError, Exit};

use vt_api::Tier;
/// Default requests in flight for batches.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// Default per-request timeout, in seconds.
pub const DEFAULT_TIMEOUT_SECS: u64 = 300;
/// Default retries of transient failures.
pub const DEFAULT_RETRIES: u32 = 3;

/// The API key: never printed (its `Debug` and `Display` are redacted).
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Validates a key read from somewhere: not empty, no whitespace or control characters.
    pub fn parse(raw: &str, origin: &str) -> Result<ApiKey, CliError> {
        let key = raw.trim();
        if key.is_empty() {
            return Err(CliError::usage(format!("{origin}: the API key is empty")));
        }
        if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(CliError::usage(format!(
                "{origin}: the API key contains spaces or control characters"
            )));
        }
        Ok(ApiKey(key.to_owned()))
    }

    /// The key itself, to hand to the client.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The effective settings of one run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The config file consulted (whether or not it exists).
    pub config_path: Option<PathBuf>,
    /// Whether that file exists.
    pub config_exists: bool,
    /// The key, when one is configured (checked for file permissions).
    pub api_key: Result<(ApiKey, Source, String), KeyProblem>,
    /// API host.
    pub base_url: (String, Source),
    /// Output format.
    pub format: (Format, Source),
    /// The key's tier.
    pub tier: (Tier, Source),
    /// Rate limit spec (parsed when the client is built); the tier's when not set.
    pub rate_limit: (String, Source),
    /// Concurrency.
    pub concurrency: (usize, Source),
    /// Per-request timeout.
    pub timeout: (Duration, Source),
    /// Retries.
    pub retries: (u32, Source),
    /// Proxy.
    pub proxy: Option<(String, Source)>,
    /// HTTP/2 with prior knowledge on plain `http://` (`--http2`).
    pub http2: (bool, Source),
    /// No progress, no summaries.
    pub quiet: bool,
    /// The report cache.
    pub cache: crate::cache_config::CacheSettings,
    /// The Redis of a fleet sharing the rate limit (`--fleet`), checked when resolved.
    pub fleet: Option<(vt_redis::FleetUrl, Source)>,
}

/// Why no key is available.
#[derive(Debug, Clone)]
pub enum KeyProblem {
    /// None configured anywhere.
    Missing,
    /// One is configured but could not be used.
    Unusable {
        /// Exit code.
        exit: Exit,
        /// The one-line message.
        message: String,
    },
}

impl KeyProblem {
    /// The error a command needing the key reports.
    pub fn to_error(&self) -> CliError {
        match self {
            KeyProblem::Missing => CliError::new(
                Exit::Auth,
                "no API key: set VT_API_KEY, pass --api-key-file PATH, or run `vt config init`",
            ),
            KeyProblem::Unusable { exit, message } => CliError::new(*exit, message.clone()),
        }
    }
}

impl Settings {
    /// Resolves the settings from the parsed flags (with their sources) and the config file.
    /// With `creating` (`vt config init`), a `--config` file that does not exist is fine.
    pub fn resolve(
        args: &GlobalArgs,
        matches: &ArgMatches,
        creating: bool,
    ) -> Result<Settings, CliError> {
        let (config_path, file, config_exists) = config_file_of(args, creating)?;
        let base_url = base_url(args, matches, &file)?;
        let tier = or_default(
            first_set(matches, "tier", args.tier, file.tier),
            Tier::default,
        );
        let rate_limit = or_default(
            first_set(
                matches,
                "rate_limit",
                args.rate_limit.clone(),
                file.rate_limit.clone(),
            ),
            || default_rate_limit(tier.0).to_owned(),
        );
        let format = output_format(args, matches, &file);
        let concurrency = concurrency(args, matches, &file, &config_path)?;
        let timeout = timeout(args, matches, &file)?;
        let retries = or_default(
            first_set(matches, "retries", args.retries, file.retries),
            || DEFAULT_RETRIES,
        );
        let proxy = first_set(matches, "proxy", args.proxy.clone(), file.proxy.clone());
        let http2 = match matches.value_source("http2") {
            Some(ValueSource::CommandLine | ValueSource::EnvVariable) => {
                (args.http2, source_of(matches, "http2"))
            }
            _ => or_default(file.http2.map(|on| (on, Source::ConfigFile)), || false),
        };
        let fleet = fleet(args, matches, &file)?;
        let api_key = resolve_key(args, matches, &file, config_path.as_deref());
        let cache = crate::cache_config::CacheSettings::resolve(args, matches, &file)?;
        Ok(Settings {
            config_path,
            config_exists,
            api_key,
            base_url,
            format,
            tier,
            rate_limit,
            concurrency,
            timeout,
            retries,
            proxy,
            http2,
            quiet: args.quiet,
            cache,
            fleet,
        })
    }

    /// The API key, or the error to report when a command needs one.
    pub fn require_key(&self) -> Result<&ApiKey, CliError> {
        match &self.api_key {
            Ok((key, _, _)) => Ok(key),
            Err(problem) => Err(problem.to_error()),
        }
    }

    /// The settings as a JSON object for `vt config show` (key and proxy password redacted).
    pub fn describe(&self) -> serde_json::Value {
        use serde_json::json;
        let key = match &self.api_key {
            Ok((_, source, origin)) => {
                json!({"value": "<redacted>", "source": source.to_string(), "from": origin})
            }
            Err(KeyProblem::Missing) => json!({"value": null, "source": "unset"}),
            Err(KeyProblem::Unusable { message, .. }) => json!({"value": null, "error": message}),
        };
        let entry = |v: serde_json::Value, s: Source| json!({"value": v, "source": s.to_string()});
        json!({
            "type": "vt_config",
            "id": display_opt(&self.config_path),
            "attributes": {
                "config_file": display_opt(&self.config_path),
                "config_file_exists": self.config_exists,
                "api_key": key,
                "base_url": entry(json!(self.base_url.0), self.base_url.1),
                "format": entry(json!(self.format.0), self.format.1),
                "tier": entry(json!(self.tier.0), self.tier.1),
                "rate_limit": entry(json!(self.rate_limit.0), self.rate_limit.1),
                "fleet": match &self.fleet {
                    Some((url, s)) => entry(json!(url.to_string()), *s),
                    None => json!({"value": null, "source": "unset"}),
                },
                "concurrency": entry(json!(self.concurrency.0), self.concurrency.1),
                "timeout": entry(json!(self.timeout.0.as_secs()), self.timeout.1),
                "retries": entry(json!(self.retries.0), self.retries.1),
                "proxy": match &self.proxy {
                    Some((p, s)) => entry(json!(redact_url_password(p)), *s),
                    None => json!({"value": null, "source": "unset"}),
                },
                "http2": entry(json!(self.http2.0), self.http2.1),
                "cache": entry(json!(self.cache.enabled.0), self.cache.enabled.1),
                "max_age": entry(
                    json!(vt_api::cache::describe_age(self.cache.max_age.0)),
                    self.cache.max_age.1
                ),
                "cache_url": match &self.cache.redis {
                    Some((url, s)) => entry(json!(url.to_string()), *s),
                    None => json!({"value": null, "source": "unset"}),
                },
                "cache_path": match &self.cache.path {
                    Some((p, s)) => entry(json!(p.display().to_string()), *s),
                    None => entry(
                        json!(self.cache.file().map(|p| p.display().to_string())),
                        Source::Default
                    ),
                },
            }
        })
    }
}

fn display_opt(p: &Option<PathBuf>) -> String {
    p.as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "(none)".into())
}

fn source_of(matches: &ArgMatches, id: &str) -> Source {
    match matches.value_source(id) {
        Some(ValueSource::EnvVariable) => Source::Environment,
        Some(ValueSource::CommandLine) => Source::Flag,
        _ => Source::Default,
    }
}

/// A setting from the first place that sets it: the flag or environment variable `id` (clap
/// tells which), then the config file; `None` when neither does.
fn first_set<T>(
    matches: &ArgMatches,
    id: &str,
    flag: Option<T>,
    file: Option<T>,
) -> Option<(T, Source)> {
    match (flag, file) {
        (Some(v), _) => Some((v, source_of(matches, id))),
        (None, Some(v)) => Some((v, Source::ConfigFile)),
        (None, None) => None,
    }
}

/// A setting as [`first_set`] found it, else its default.
fn or_default<T>(set: Option<(T, Source)>, default: impl FnOnce() -> T) -> (T, Source) {
    set.unwrap_or_else(|| (default(), Source::Default))
}

/// The Redis URL of a fleet (`--fleet`, `VT_FLEET`, config key `fleet`), checked before any
/// request.
fn fleet(
    args: &GlobalArgs,
    matches: &ArgMatches,
    file: &ConfigFile,
) -> Result<Option<(vt_redis::FleetUrl, Source)>, CliError> {
    let Some((text, source)) = first_set(matches, "fleet", args.fleet.clone(), file.fleet.clone())
    else {
        return Ok(None);
    };
    let url = text.parse::<vt_redis::FleetUrl>().map_err(|e| {
        let what = match source {
            Source::Environment => "VT_FLEET: ",
            Source::ConfigFile => "config key fleet: ",
            _ => "",
        };
        CliError::usage(format!("{what}{e}"))
            .with_detail("example: --fleet redis://127.0.0.1:6379/0")
    })?;
    Ok(Some((url, source)))
}

/// The API host, checked by the library's rule.
fn base_url(
    args: &GlobalArgs,
    matches: &ArgMatches,
    file: &ConfigFile,
) -> Result<(String, Source), CliError> {
    let set = first_set(
        matches,
        "base_url",
        args.base_url.clone(),
        file.base_url.clone(),
    );
    let base_url = or_default(set, || vt_api::DEFAULT_BASE_URL.to_owned());
    vt_api::check_base_url(&base_url.0)
        .map_err(|e| CliError::usage(format!("base URL: {}", crate::exit::error_chain(&e))))?;
    Ok(base_url)
}

/// The output format: human on a terminal, JSON otherwise, unless set.
fn output_format(args: &GlobalArgs, matches: &ArgMatches, file: &ConfigFile) -> (Format, Source) {
    or_default(
        first_set(matches, "format", args.format, file.format),
        || {
            if io::stdout().is_terminal() {
                Format::Human
            } else {
                Format::Json
            }
        },
    )
}

/// Requests in flight at once; the flag cannot be 0 (clap checks it), the config file is
/// checked here.
fn concurrency(
    args: &GlobalArgs,
    matches: &ArgMatches,
    file: &ConfigFile,
    config_path: &Option<PathBuf>,
) -> Result<(usize, Source), CliError> {
    if args.concurrency.is_none() && file.concurrency == Some(0) {
        return Err(CliError::usage(format!(
            "config file {}: concurrency must be at least 1",
            display_opt(config_path)
        )));
    }
    let flag = args.concurrency.map(|n| n.get());
    Ok(or_default(
        first_set(matches, "concurrency", flag, file.concurrency),
        || DEFAULT_CONCURRENCY,
    ))
}

/// The per-request timeout, at least one second.
fn timeout(
    args: &GlobalArgs,
    matches: &ArgMatches,
    file: &ConfigFile,
) -> Result<(Duration, Source), CliError> {
    let (secs, source) = or_default(
        first_set(matches, "timeout", args.timeout, file.timeout),
        || DEFAULT_TIMEOUT_SECS,
    );
    if secs == 0 {
        return Err(CliError::usage("--timeout must be at least 1 second"));
    }
    Ok((Duration::from_secs(secs), source))
}

/// The rate limit a tier implies when none is set (what `vt_api::ClientBuilder::tier` sets).
fn default_rate_limit(tier: Tier) -> &'static str {
    match tier {
        Tier::Public => "public",
        Tier::Premium => "none",
    }
}

/// Hides the password of `scheme://user:password@host` URLs.
pub fn redact_url_password(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((userinfo, host)) = rest.split_once('@')
        && let Some((user, _)) = userinfo.split_once(':')
    {
        return format!("{scheme}://{user}:<redacted>@{host}");
    }
    url.to_owned()
}

/// The config file in use (`--config`/`VT_CONFIG`, else the default path), its content and
/// whether it exists; a named file that does not exist is an error, except for `config init`
/// (`creating`), which writes it.
fn config_file_of(
    args: &GlobalArgs,
    creating: bool,
) -> Result<(Option<PathBuf>, ConfigFile, bool), CliError> {
    let (config_path, explicit) = match &args.config {
        Some(p) => (Some(p.clone()), true),
        None => (default_config_path(), false),
    };
    let (file, exists) = match &config_path {
        Some(p) => match load_config_file(p)? {
            Some(f) => (f, true),
            None if explicit && !creating => {
                return Err(CliError::usage(format!(
                    "config file {}: no such file",
                    p.display()
                )));
            }
            None => (ConfigFile::default(), false),
        },
        None => (ConfigFile::default(), false),
    };
    Ok((config_path, file, exists))
}

fn resolve_key(
    args: &GlobalArgs,
    matches: &ArgMatches,
    file: &ConfigFile,
    config_path: Option<&Path>,
) -> Result<(ApiKey, Source, String), KeyProblem> {
    let unusable = |e: CliError| KeyProblem::Unusable {
        exit: e.exit,
        message: e.message,
    };
    // Candidates in precedence order: the highest source wins; on a tie, a key beats a key file.
    let mut candidates: Vec<(Source, u8)> = Vec::new();
    if args.api_key.is_some() {
        candidates.push((source_of(matches, "api_key"), 1));
    }
    if args.api_key_file.is_some() {
        candidates.push((source_of(matches, "api_key_file"), 0));
    }
    if file.api_key.is_some() {
        candidates.push((Source::ConfigFile, 1));
    }
    if file.api_key_file.is_some() {
        candidates.push((Source::ConfigFile, 0));
    }
    let Some(&(source, kind)) = candidates.iter().max() else {
        return Err(KeyProblem::Missing);
    };
    let config_name = config_path
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    match (source, kind) {
        (Source::ConfigFile, 1) => {
            if let Some(p) = config_path {
                check_private(p).map_err(unusable)?;
            }
            let raw = file.api_key.as_deref().unwrap_or_default();
            let key =
                ApiKey::parse(raw, &format!("config file {config_name}")).map_err(unusable)?;
            Ok((key, source, format!("config file {config_name}")))
        }
        (Source::ConfigFile, _) => {
            let path = file.api_key_file.clone().unwrap_or_default();
            let key = read_key_file(&path).map_err(unusable)?;
            Ok((key, source, format!("key file {}", path.display())))
        }
        (_, 1) => {
            let raw = args.api_key.as_deref().unwrap_or_default();
            let what = if source == Source::Environment {
                "VT_API_KEY"
            } else {
                "--api-key"
            };
            let key = ApiKey::parse(raw, what).map_err(unusable)?;
            Ok((key, source, what.to_owned()))
        }
        _ => {
            let path = args.api_key_file.clone().unwrap_or_default();
            let key = read_key_file(&path).map_err(unusable)?;
            Ok((key, source, format!("key file {}", path.display())))
        }
    }
}

/// Reads a key file after checking its permissions.
pub fn read_key_file(path: &Path) -> Result<ApiKey, CliError> {
    check_private(path)?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("key file {}: {e}", path.display())))?;
    ApiKey::parse(&text, &format!("key file {}", path.display()))
}

/// Reads the API key: from the terminal without echo (`rpassword`, on Unix and Windows alike)
/// when stdin is a terminal, else one line of stdin (`echo "$KEY" | vt config init`).
pub fn prompt_key() -> Result<ApiKey, CliError> {
    let stdin = io::stdin();
    let line = if stdin.is_terminal() {
        rpassword::prompt_password("VirusTotal API key (input hidden): ")
    } else {
        let mut line = String::new();
        stdin.lock().read_line(&mut line).map(|_| line)
    }
    .map_err(|e| CliError::usage(format!("reading the API key: {e}")))?;
    ApiKey::parse(&line, "the API key typed")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config_file::write_config_file;

    #[test]
    fn keys_are_redacted_in_debug_and_display() {
        let key = ApiKey::parse(" abc123 \n", "t").unwrap();
        assert_eq!(key.expose(), "abc123");
        assert!(!format!("{key:?}{key}").contains("abc123"));
    }

    #[test]
    fn bad_keys_are_refused() {
        assert!(ApiKey::parse("  ", "t").is_err());
        assert!(ApiKey::parse("ab cd", "t").is_err());
    }

    #[test]
    fn proxy_passwords_are_redacted() {
        assert_eq!(
            redact_url_password("http://u:secret@p:3128"),
            "http://u:<redacted>@p:3128"
        );
        assert_eq!(redact_url_password("http://p:3128"), "http://p:3128");
    }

    #[cfg(unix)]
    #[test]
    fn written_config_is_private_and_readable_back() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.toml");
        let cfg = ConfigFile {
            api_key: Some("k".into()),
            ..Default::default()
        };
        write_config_file(&path, &cfg).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(load_config_file(&path).unwrap(), Some(cfg));
        assert!(check_private(&path).is_ok());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = check_private(&path).unwrap_err();
        assert!(
            err.message
                .contains(&format!("chmod 600 {}", path.display())),
            "{}",
            err.message
        );
    }

    #[test]
    fn unknown_config_keys_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "apikey = \"x\"\n").unwrap();
        let err = load_config_file(&path).unwrap_err();
        assert_eq!(err.exit, Exit::Usage);
        assert!(err.message.contains("apikey"), "{}", err.message);
    }
}
