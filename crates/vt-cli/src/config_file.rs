//! The config file: its contents ([`ConfigFile`]), where a setting came from ([`Source`]),
//! reading and writing it (mode 0600), and the permission check of files that hold a key.

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cli::Format;
use crate::exit::CliError;
use vt_api::Tier;

/// The config file's contents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// The API key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    /// A file holding the API key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_file: Option<PathBuf>,
    /// API host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Output format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    /// The key's tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    /// Rate limit spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<String>,
    /// Redis of a fleet sharing the rate limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fleet: Option<String>,
    /// Concurrency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<usize>,
    /// Timeout in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    /// Retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<u32>,
    /// Proxy URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// HTTP/2 with prior knowledge on plain `http://`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http2: Option<bool>,
    /// Report cache: largest age of a cached answer used (`24h`, `7d`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<String>,
    /// Report cache on (default) or off, or a Redis URL to keep it in (shared by a fleet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<CacheKey>,
    /// Report cache file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_path: Option<PathBuf>,
}

/// The config key `cache`: `true`/`false`, or where the cache lives (`"redis://HOST:PORT/DB"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CacheKey {
    /// On (the local file) or off.
    On(bool),
    /// A Redis URL (checked when the settings are resolved).
    Url(String),
}

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// Built-in default.
    Default,
    /// The config file.
    ConfigFile,
    /// An environment variable.
    Environment,
    /// A command-line flag.
    Flag,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::Default => "default",
            Source::ConfigFile => "config file",
            Source::Environment => "environment",
            Source::Flag => "flag",
        })
    }
}

/// Refuses files that group or others can read (Unix only).
pub fn check_private(path: &Path) -> Result<(), CliError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path)
            .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?;
        let mode = meta.permissions().mode();
        if mode & 0o044 != 0 {
            return Err(CliError::usage(format!(
                "{} holds an API key but group or others can read it (mode {:o}); \
                 refusing to use it: run `chmod 600 {}`",
                path.display(),
                mode & 0o777,
                path.display()
            )));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// `vt/config.toml` in the user's configuration folder, as `etcetera` finds it: on Windows
/// `%APPDATA%`; elsewhere `$XDG_CONFIG_HOME` (when absolute), else `~/.config`, the home
/// folder coming from `HOME` or, without it, from the user database. `None` only when no home
/// folder can be found at all.
pub fn default_config_path() -> Option<PathBuf> {
    use etcetera::BaseStrategy as _;
    let base = etcetera::choose_base_strategy().ok()?.config_dir();
    Some(base.join("vt").join("config.toml"))
}

/// Reads and parses a config file; `Ok(None)` when it does not exist.
pub fn load_config_file(path: &Path) -> Result<Option<ConfigFile>, CliError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(CliError::usage(format!(
                "config file {}: {e}",
                path.display()
            )));
        }
    };
    let file: ConfigFile = toml::from_str(&text).map_err(|e| {
        let msg = e.message().to_owned();
        CliError::usage(format!("config file {}: {msg}", path.display()))
    })?;
    Ok(Some(file))
}

/// Writes a config file with mode 0600 (its directory 0700 when created).
pub fn write_config_file(path: &Path, file: &ConfigFile) -> Result<(), CliError> {
    let fail = |e: io::Error| CliError::usage(format!("config file {}: {e}", path.display()));
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
        && !dir.exists()
    {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(dir).map_err(fail)?;
    }
    let text = toml::to_string(file).map_err(|e| CliError::usage(format!("config: {e}")))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut out = options.open(path).map_err(fail)?;
    #[cfg(unix)]
    {
        // `mode` only applies to new files: tighten an existing one too.
        use std::os::unix::fs::PermissionsExt;
        out.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(fail)?;
    }
    out.write_all(b"# vt configuration (see `vt --help` and docs/cli.md)\n")
        .map_err(fail)?;
    out.write_all(text.as_bytes()).map_err(fail)?;
    out.sync_all().map_err(fail)?;
    Ok(())
}
