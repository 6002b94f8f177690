//! `vt cache stats|prune|clear|check|path`: the report cache (the local file, or this key's
//! entries in the Redis of `--cache redis://...`).

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;

use crate::cache_config::CacheStore;
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

/// Runs `vt cache ...` (local; no key needed, except for a Redis cache, whose entries are
/// named by the key's digest).
pub fn run(ctx: &Context, cmd: CacheCommand) -> CliResult<Exit> {
    let settings = &ctx.settings.cache;
    if let Some((url, _)) = &settings.redis {
        return run_redis(ctx, cmd, url);
    }
    if let CacheCommand::Path = cmd {
        let path = settings.file().ok_or_else(|| {
            CliError::usage("no cache path: set HOME, XDG_CACHE_HOME or --cache-path")
        })?;
        let _ = writeln!(std::io::stdout(), "{}", path.display());
        return Ok(Exit::Ok);
    }
    let CacheStore::File(store) = settings.open_required()? else {
        return Err(CliError::usage("the cache is not a file"));
    };
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

/// `vt cache ...` with `--cache redis://...`: this key's entries in that Redis.
fn run_redis(ctx: &Context, cmd: CacheCommand, url: &vt_redis::FleetUrl) -> CliResult<Exit> {
    let say = |text: String| {
        if !ctx.settings.quiet {
            let _ = writeln!(std::io::stderr(), "vt: {text}");
        }
    };
    match cmd {
        CacheCommand::Path => {
            let _ = writeln!(std::io::stdout(), "{url}");
            return Ok(Exit::Ok);
        }
        CacheCommand::Prune => {
            say(format!(
                "Redis at {url} expires cache entries by itself (each after --max-age, \
                 not-found answers sooner; bound its memory with maxmemory and an LRU policy): \
                 nothing to prune"
            ));
            return Ok(Exit::Ok);
        }
        _ => {}
    }
    let key = ctx.settings.require_key()?;
    let CacheStore::Redis(store) = ctx.settings.cache.open_required()? else {
        return Err(CliError::usage("the cache is not in Redis"));
    };
    let namespace = vt_api::ReportCache::namespace(&store, key.expose());
    let failed = |e: vt_redis::RedisCacheError| CliError::new(Exit::Transport, e.to_string());
    match cmd {
        CacheCommand::Stats => {
            let s = store.stats(&namespace).map_err(failed)?;
            let value = json!({
                "type": "vt_cache",
                "id": url.to_string(),
                "attributes": {
                    "url": url.to_string(),
                    "key_prefix": vt_redis::RedisCache::key_prefix(&namespace),
                    "enabled": ctx.settings.cache.enabled.0,
                    "max_age_seconds": ctx.settings.cache.max_age.0.as_secs(),
                    "entries": s.entries,
                    "not_found_entries": s.not_found,
                    "bytes": s.bytes,
                    "oldest_entry_date": unix(s.oldest),
                    "newest_entry_date": unix(s.newest),
                }
            });
            print_one(ctx, &value)
        }
        CacheCommand::Clear => {
            let removed = store.clear(&namespace).map_err(failed)?;
            say(format!(
                "removed {removed} entries of this key from the cache in Redis at {url}"
            ));
            Ok(Exit::Ok)
        }
        CacheCommand::Check => {
            // Connecting asked Redis for PING; entries are checked as they are read.
            let _ = writeln!(std::io::stdout(), "ok");
            Ok(Exit::Ok)
        }
        CacheCommand::Path | CacheCommand::Prune => Ok(Exit::Ok),
    }
}
