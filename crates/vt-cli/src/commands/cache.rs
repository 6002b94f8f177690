//! `vt cache stats|prune|clear|check|path`: the local report cache.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;

use crate::cli::CacheCommand;
use crate::commands::context::Context;
use crate::commands::printing::print_one;
use crate::exit::{CliError, CliResult, Exit};

fn unix(t: Option<SystemTime>) -> serde_json::Value {
    t.and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(serde_json::Value::Null, |d| json!(d.as_secs()))
}

fn store_error(path: &std::path::Path, e: impl std::fmt::Display) -> CliError {
    CliError::usage(format!("cache file {}: {e}", path.display()))
}

/// Runs `vt cache ...` (local; no key needed).
pub fn run(ctx: &Context, cmd: CacheCommand) -> CliResult<Exit> {
    let settings = &ctx.settings.cache;
    if let CacheCommand::Path = cmd {
        let path = settings.file().ok_or_else(|| {
            CliError::usage("no cache path: set HOME, XDG_CACHE_HOME or --cache-path")
        })?;
        let _ = writeln!(std::io::stdout(), "{}", path.display());
        return Ok(Exit::Ok);
    }
    let store = settings.open_required()?;
    let path = store.path().to_owned();
    let removed = match cmd {
        CacheCommand::Stats => {
            let s = store.stats().map_err(|e| store_error(&path, e))?;
            let value = json!({
                "type": "vt_cache",
                "id": path.display().to_string(),
                "attributes": {
                    "path": path.display().to_string(),
                    "enabled": settings.enabled.0,
                    "max_age_seconds": settings.max_age.0.as_secs(),
                    "entries": s.entries,
                    "not_found_entries": s.not_found,
                    "bytes": s.bytes,
                    "file_bytes": s.file_bytes,
                    "max_bytes": s.max_bytes,
                    "api_keys": s.namespaces,
                    "oldest_entry_date": unix(s.oldest),
                    "newest_entry_date": unix(s.newest),
                }
            });
            return print_one(ctx, &value);
        }
        CacheCommand::Prune => {
            let policy = settings.policy();
            store
                .prune(policy.max_age, policy.not_found_max_age)
                .map_err(|e| store_error(&path, e))?
        }
        CacheCommand::Clear => store.clear().map_err(|e| store_error(&path, e))?,
        CacheCommand::Check => {
            let verdict = store.integrity_check().map_err(|e| store_error(&path, e))?;
            let _ = writeln!(std::io::stdout(), "{verdict}");
            return Ok(if verdict == "ok" {
                Exit::Ok
            } else {
                Exit::ItemsFailed
            });
        }
        CacheCommand::Path => 0,
    };
    if !ctx.settings.quiet {
        let _ = writeln!(
            std::io::stderr(),
            "vt: removed {removed} entries from {}",
            path.display()
        );
    }
    Ok(Exit::Ok)
}
