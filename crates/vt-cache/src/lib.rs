//! A report cache for [`vt_api`] on SQLite: one file that several processes (several `vt`
//! runs, your own programs) share safely on one machine.
//!
//! - **Shared safely**: SQLite in WAL mode (`synchronous=NORMAL`) with a busy timeout; writes
//!   are transactions, so two processes writing at once wait for each other and a process
//!   killed mid-write (even by `SIGKILL`) leaves the last committed state.
//! - **Written behind**: `put` queues the answer and returns; one thread per store commits
//!   the queue in batches (every 5 ms or 512 answers, one transaction each), and reads see
//!   queued answers at once. [`SqliteCache::flush`] (and dropping the store) writes what is
//!   queued; a process killed before that loses at most its last few milliseconds of
//!   answers, never the file's consistency.
//! - **Private**: the file is created with mode `0600` in a `0700` directory; a directory that
//!   is world-writable or not writable is refused ([`OpenError::UnsafeDirectory`],
//!   [`OpenError::Unwritable`]). The API key is never stored: entries are namespaced by
//!   HMAC-SHA256 of the key under a random salt kept in the store.
//! - **Compact**: bodies are kept LZ4-compressed when that saves a tenth or more (a report
//!   keeps about a third of its size), which also cuts what SQLite writes twice (log, then
//!   database) on a first run; a damaged body is a read error, never a wrong answer.
//! - **Bounded**: past [`SqliteCache::max_bytes`] of kept bytes (keys and stored bodies), the
//!   least recently used entries are pruned.
//! - **Upgraded in place**: a store of the previous format (`vt-cache/1`, bodies as is) is
//!   upgraded when opened and keeps its answers; a store of a format this version does not
//!   know is moved aside like a foreign file.
//! - **Never a wrong answer**: a file that is not a SQLite database, or a database that is not
//!   a vt-cache store, is moved aside ([`Opened::moved_aside`]) and a fresh store is made;
//!   callers report that in one line and go on.
//!
//! ```
//! use std::sync::Arc;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let opened = vt_cache::SqliteCache::open(dir.path().join("vt/cache.sqlite3"))?;
//! let store: Arc<dyn vt_api::ReportCache> = Arc::new(opened.cache);
//! let client = vt_api::Client::builder()
//!     .api_key("my key")
//!     .cache(store, vt_api::CachePolicy::default())
//!     .build()?;
//! # drop(client);
//! # Ok(()) }
//! ```

#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod open;
mod paths;
mod store;
mod table;
mod write_behind;

pub use open::OpenError;
pub use paths::default_path;
pub use store::{CacheStats, DEFAULT_MAX_BYTES, Opened, SqliteCache};
