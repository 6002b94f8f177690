//! Where the store lives by default.

use std::path::PathBuf;

/// `$XDG_CACHE_HOME/vt/cache.sqlite3`, or `~/.cache/vt/cache.sqlite3` without
/// `XDG_CACHE_HOME`; `None` when neither that nor `HOME` is set.
pub fn default_path() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").filter(|v| !v.is_empty())?).join(".cache"),
    };
    Some(base.join("vt").join("cache.sqlite3"))
}
