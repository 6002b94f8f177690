//! The SQLite store.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use hmac::{Hmac, Mac};
use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};
use sha2::Sha256;
use vt_api::cache::{BodyCodec, CacheError, CachedAnswer, ReportCache, decompress_body};

use crate::open::{OpenError, move_aside, prepare_dir, prepare_file};
use crate::table::{BUSY_TIMEOUT, millis, prune_to_bound};
use crate::write_behind::WriteBehind;

/// An opened store, and whether a bad file had to be moved aside first.
#[derive(Debug)]
pub struct Opened {
    /// The store.
    pub cache: SqliteCache,
    /// Where a corrupt or foreign file at the store's path was moved, with why: report it in
    /// one line.
    pub moved_aside: Option<(PathBuf, String)>,
}

/// Default bound of the bytes kept (keys and stored, compressed bodies): 256 MiB (least
/// recently used entries go first).
pub const DEFAULT_MAX_BYTES: u64 = 256 << 20;
/// The format marker of a vt-cache store (in its `meta` table).
const FORMAT: &str = "vt-cache/2";
/// The format before bodies were compressed; upgraded in place when opened.
const FORMAT_1: &str = "vt-cache/1";
/// Connections kept for lookups (each lookup takes one, so lookups on several threads do not
/// wait for each other: SQLite's WAL mode lets readers run at once).
const MAX_IDLE_READERS: usize = 16;
/// Bytes of the file a reader maps into memory: pages are read in place, without a `pread`
/// and a copy each (a report's body spans several pages).
const READER_MMAP_BYTES: u64 = 256 << 20;
/// A read refreshes an entry's last use at most this often (saves a write per hit).
const TOUCH_GRANULARITY_MS: i64 = 60_000;

/// Every store has this schema since format 2. The small columns come before the body, so
/// that the size bound and `vt cache stats` never read the bodies; `codec` says how the body
/// is kept ([`vt_api::cache::BodyCodec`], its `id`); `size` counts the bytes kept (key and stored body).
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE reports (
    ns TEXT NOT NULL,
    key TEXT NOT NULL,
    status INTEGER NOT NULL,
    codec INTEGER NOT NULL,
    stored_at INTEGER NOT NULL,
    used_at INTEGER NOT NULL,
    size INTEGER NOT NULL,
    body BLOB NOT NULL,
    UNIQUE (ns, key)
);
CREATE INDEX reports_used_size ON reports (used_at, size);
";

/// Upgrades a format 1 store (table `entries`, bodies as is) in place: its rows move to
/// `reports` unchanged (codec raw), so nothing cached is lost. A `vt` of format 1 still
/// running on the file then finds no `entries` table (its lookups fail as cache errors,
/// never as wrong answers), and one started later moves the file aside as foreign.
const UPGRADE_FROM_1: &str = "
INSERT INTO reports (ns, key, status, codec, stored_at, used_at, size, body)
    SELECT ns, key, status, 0, stored_at, used_at, size, body FROM entries;
DROP TABLE entries;
UPDATE meta SET value = 'vt-cache/2' WHERE key = 'format';
";

/// Counts and sizes of a store (`vt cache stats`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Entries.
    pub entries: u64,
    /// Of which not-found answers.
    pub not_found: u64,
    /// Bytes of keys and bodies as kept (bodies compressed, see the crate docs).
    pub bytes: u64,
    /// Bytes on disk (the database and its write-ahead log).
    pub file_bytes: u64,
    /// The size bound.
    pub max_bytes: u64,
    /// Distinct API keys (namespaces).
    pub namespaces: u64,
    /// When the oldest entry was stored.
    pub oldest: Option<SystemTime>,
    /// When the newest entry was stored.
    pub newest: Option<SystemTime>,
}

/// A report store in one SQLite file (see the crate docs).
///
/// Writes are **write-behind**: [`put`](ReportCache::put) queues the answer and returns; one
/// writer thread commits queued answers in batches (every few milliseconds, or every few
/// hundred answers), each batch one transaction. Reads through this store see queued answers
/// at once; other processes see them once committed. [`flush`](SqliteCache::flush) waits for
/// the queue to be written, and dropping the store flushes it. A process killed before a
/// flush loses at most the answers of the last few milliseconds (never the file's
/// consistency): they are asked again next time.
#[derive(Debug)]
pub struct SqliteCache {
    path: PathBuf,
    /// The connection of the maintenance commands (stats, prune, clear, check).
    conn: Mutex<Connection>,
    /// Idle connections for lookups (`get`, `stored`), opened on demand.
    readers: Mutex<Vec<Connection>>,
    salt: Vec<u8>,
    max_bytes: Arc<AtomicU64>,
    /// Declared after `conn`: dropped (flushed, its thread joined) after the reader closes.
    writer: WriteBehind,
}

fn from_millis(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

/// Why a file cannot be used as a store: not SQLite, damaged, or another program's database.
fn is_bad_file(err: &rusqlite::Error) -> bool {
    matches!(
        err.sqlite_error_code(),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
    )
}

/// Whether `tx`'s database has a table `name`.
fn table_exists(tx: &rusqlite::Transaction<'_>, name: &str) -> Result<bool, rusqlite::Error> {
    tx.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [name],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

/// What opening found.
enum Attempt {
    Ready(Connection, Vec<u8>),
    Bad(String),
}

fn try_open(path: &Path) -> Result<Attempt, rusqlite::Error> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let attempt = (|| -> Result<Attempt, rusqlite::Error> {
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Ok(Attempt::Bad(format!("journal mode {mode} instead of wal")));
        }
        conn.execute_batch("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;")?;
        let mut conn = conn;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let tables: i64 = tx.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )?;
        let salt = if tables == 0 {
            tx.execute_batch(SCHEMA)?;
            let salt: [u8; 32] = rand::random();
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('format', ?1), ('salt', ?2)",
                params![FORMAT, salt.to_vec()],
            )?;
            salt.to_vec()
        } else {
            let format: Option<String> = if table_exists(&tx, "meta")? {
                tx.query_row("SELECT value FROM meta WHERE key = 'format'", [], |r| {
                    r.get(0)
                })
                .optional()?
            } else {
                None
            };
            match format.as_deref() {
                Some(FORMAT) if table_exists(&tx, "reports")? => {}
                Some(FORMAT_1) if table_exists(&tx, "entries")? => {
                    tx.execute_batch(SCHEMA)?;
                    tx.execute_batch(UPGRADE_FROM_1)?;
                }
                Some(other) if other.starts_with("vt-cache/") => {
                    return Ok(Attempt::Bad(format!(
                        "not a {FORMAT} store (format {other}, from another version of vt-cache)"
                    )));
                }
                _ => {
                    return Ok(Attempt::Bad(
                        "not a vt cache (another program's database)".into(),
                    ));
                }
            }
            let salt: Option<Vec<u8>> = tx
                .query_row("SELECT value FROM meta WHERE key = 'salt'", [], |r| {
                    r.get(0)
                })
                .optional()?;
            match salt {
                Some(s) if s.len() >= 16 => s,
                _ => return Ok(Attempt::Bad("the store has no salt".into())),
            }
        };
        tx.commit()?;
        Ok(Attempt::Ready(conn, salt))
    })();
    match attempt {
        Err(e) if is_bad_file(&e) => Ok(Attempt::Bad(e.to_string())),
        other => other,
    }
}

impl SqliteCache {
    /// Opens (creating if needed) the store at `path`. A corrupt or foreign file there is
    /// moved aside and a fresh store made ([`Opened::moved_aside`] says so).
    pub fn open(path: impl AsRef<Path>) -> Result<Opened, OpenError> {
        let path = path.as_ref().to_owned();
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => PathBuf::from("."),
        };
        prepare_dir(&dir)?;
        prepare_file(&path)?;
        let sqlite = |source| OpenError::Sqlite {
            path: path.clone(),
            source,
        };
        let mut moved_aside = None;
        let (conn, salt) = match try_open(&path).map_err(sqlite)? {
            Attempt::Ready(conn, salt) => (conn, salt),
            Attempt::Bad(why) => {
                let target = move_aside(&path).map_err(|source| OpenError::Unwritable {
                    dir: dir.clone(),
                    source,
                })?;
                moved_aside = Some((target, why));
                prepare_file(&path)?;
                match try_open(&path).map_err(sqlite)? {
                    Attempt::Ready(conn, salt) => (conn, salt),
                    Attempt::Bad(why) => {
                        return Err(sqlite(rusqlite::Error::SqliteFailure(
                            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                            Some(why),
                        )));
                    }
                }
            }
        };
        let max_bytes = Arc::new(AtomicU64::new(DEFAULT_MAX_BYTES));
        let writer = WriteBehind::start(&path, max_bytes.clone()).map_err(sqlite)?;
        Ok(Opened {
            cache: SqliteCache {
                path,
                conn: Mutex::new(conn),
                readers: Mutex::new(Vec::new()),
                salt,
                max_bytes,
                writer,
            },
            moved_aside,
        })
    }

    /// The store's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The size bound (bytes of keys and bodies as kept, bodies compressed).
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes.load(Ordering::Relaxed)
    }

    /// Sets the size bound ([`DEFAULT_MAX_BYTES`] by default).
    pub fn with_max_bytes(self, bytes: u64) -> Self {
        self.max_bytes.store(bytes, Ordering::Relaxed);
        self
    }

    /// Waits until every answer [`put`](ReportCache::put) before this call is committed to
    /// the file (see [`SqliteCache`]); the last write failure since the previous flush, if
    /// any (a failed batch is dropped: the cache stays consistent, those answers are asked
    /// again next time).
    pub fn flush(&self) -> Result<(), rusqlite::Error> {
        self.writer.flush().map_err(|why| {
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_IOERR),
                Some(why),
            )
        })
    }

    /// Runs `read` on an idle lookup connection (opening one if none is idle).
    fn with_reader<T>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T, rusqlite::Error>,
    ) -> Result<T, rusqlite::Error> {
        let idle = self
            .readers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        let conn = match idle {
            Some(conn) => conn,
            None => {
                let conn = Connection::open(&self.path)?;
                conn.busy_timeout(BUSY_TIMEOUT)?;
                conn.execute_batch(&format!("PRAGMA mmap_size={READER_MMAP_BYTES};"))?;
                conn
            }
        };
        let result = read(&conn);
        let mut readers = self
            .readers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if readers.len() < MAX_IDLE_READERS {
            readers.push(conn);
        }
        result
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Counts and sizes.
    pub fn stats(&self) -> Result<CacheStats, rusqlite::Error> {
        self.flush()?;
        let conn = self.conn();
        let (entries, not_found, bytes, namespaces, oldest, newest) = conn.query_row(
            "SELECT count(*), count(CASE WHEN status = 404 THEN 1 END), total(size),
                    count(DISTINCT ns), min(stored_at), max(stored_at) FROM reports",
            [],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, f64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                ))
            },
        )?;
        let file_len = |p: PathBuf| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let file_bytes = file_len(self.path.clone())
            + file_len(PathBuf::from(format!("{}-wal", self.path.display())));
        Ok(CacheStats {
            entries: u64::try_from(entries).unwrap_or(0),
            not_found: u64::try_from(not_found).unwrap_or(0),
            bytes: bytes as u64,
            file_bytes,
            max_bytes: self.max_bytes(),
            namespaces: u64::try_from(namespaces).unwrap_or(0),
            oldest: oldest.map(from_millis),
            newest: newest.map(from_millis),
        })
    }

    /// Removes reports stored more than `max_age` ago, not-found answers stored more than
    /// `not_found_max_age` ago, then least recently used entries past the size bound. Returns
    /// how many entries went.
    pub fn prune(
        &self,
        max_age: Duration,
        not_found_max_age: Duration,
    ) -> Result<u64, rusqlite::Error> {
        self.flush()?;
        let now = millis(SystemTime::now());
        let age =
            |d: Duration| now.saturating_sub(i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let expired = tx.execute(
            "DELETE FROM reports WHERE stored_at < ?1 OR (status = 404 AND stored_at < ?2)",
            params![age(max_age), age(not_found_max_age.min(max_age))],
        )?;
        tx.commit()?;
        let bounded = prune_to_bound(&mut conn, self.max_bytes())?;
        Ok(expired as u64 + bounded)
    }

    /// Removes every entry (of every key) and shrinks the file.
    pub fn clear(&self) -> Result<u64, rusqlite::Error> {
        self.flush()?;
        let conn = self.conn();
        let removed = conn.execute("DELETE FROM reports", [])?;
        conn.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")?;
        Ok(removed as u64)
    }

    /// SQLite's `PRAGMA integrity_check`: `ok`, or what is wrong.
    pub fn integrity_check(&self) -> Result<String, rusqlite::Error> {
        self.flush()?;
        let conn = self.conn();
        let mut stmt = conn.prepare("PRAGMA integrity_check")?;
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(rows.join("; "))
    }
}

/// A stored body, decoded ([`vt_api::cache::decompress_body`]) straight out of SQLite's page.
fn body_of(codec: i64, value: rusqlite::types::ValueRef<'_>) -> Result<Bytes, rusqlite::Error> {
    let damaged = |why: String| {
        rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
            Some(format!("cached body: {why}")),
        )
    };
    let codec = u8::try_from(codec)
        .ok()
        .and_then(BodyCodec::from_id)
        .ok_or_else(|| damaged(format!("a body in an unknown codec {codec}")))?;
    match value {
        rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => {
            decompress_body(codec, b).map_err(|e| damaged(e.to_string()))
        }
        other => Err(rusqlite::Error::InvalidColumnType(
            3,
            "body".into(),
            other.data_type(),
        )),
    }
}

/// A row as a lookup reads it: rowid, status, body, stored and used times.
type Row = (i64, i64, Bytes, i64, i64);

/// The row stored for `key` in `namespace`, its body decoded.
fn read_row(conn: &Connection, namespace: &str, key: &str) -> Result<Option<Row>, rusqlite::Error> {
    conn.prepare_cached(
        "SELECT rowid, status, codec, body, stored_at, used_at FROM reports WHERE ns = ?1 AND key = ?2",
    )?
    .query_row(params![namespace, key], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            body_of(r.get::<_, i64>(2)?, r.get_ref(3)?)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
        ))
    })
    .optional()
}

impl SqliteCache {
    /// The answer of a row read by a lookup; its last use refreshed (at most once a minute).
    fn answer_of(&self, row: Option<Row>) -> Result<Option<CachedAnswer>, CacheError> {
        let Some((rowid, status, body, stored_at, used_at)) = row else {
            return Ok(None);
        };
        let now = millis(SystemTime::now());
        if now - used_at > TOUCH_GRANULARITY_MS {
            self.writer.touch(rowid, now);
        }
        let status = u16::try_from(status).map_err(|_| format!("stored status {status}"))?;
        Ok(Some(CachedAnswer {
            status,
            body,
            stored_at: from_millis(stored_at),
        }))
    }
}

impl ReportCache for SqliteCache {
    fn namespace(&self, api_key: &str) -> String {
        // HMAC accepts keys of any length: `new_from_slice` cannot fail.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.salt) else {
            return String::from("-");
        };
        mac.update(api_key.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn get(&self, namespace: &str, key: &str) -> Result<Option<CachedAnswer>, CacheError> {
        if let Some(queued) = self.writer.pending(namespace, key) {
            return Ok(Some(queued.answer));
        }
        let row = self.with_reader(|conn| read_row(conn, namespace, key))?;
        self.answer_of(row)
    }

    /// The keys not queued are read in one read transaction: one lock and one snapshot for
    /// the lot (see [`ReportCache::get_many`]).
    fn get_many(
        &self,
        namespace: &str,
        keys: &[String],
    ) -> Vec<Result<Option<CachedAnswer>, CacheError>> {
        let mut answers: Vec<Option<Result<Option<CachedAnswer>, CacheError>>> = keys
            .iter()
            .map(|key| {
                self.writer
                    .pending(namespace, key)
                    .map(|queued| Ok(Some(queued.answer)))
            })
            .collect();
        if answers.iter().any(Option::is_none) {
            let rows = self.with_reader(|conn| {
                let tx = conn.unchecked_transaction()?;
                let rows: Vec<_> = keys
                    .iter()
                    .zip(&answers)
                    .map(|(key, queued)| match queued {
                        Some(_) => Ok(None),
                        None => read_row(&tx, namespace, key),
                    })
                    .collect();
                tx.commit()?;
                Ok(rows)
            });
            match rows {
                Ok(rows) => {
                    for (answer, row) in answers.iter_mut().zip(rows) {
                        if answer.is_none() {
                            *answer =
                                Some(row.map_err(Into::into).and_then(|row| self.answer_of(row)));
                        }
                    }
                }
                Err(e) => {
                    let why = e.to_string();
                    for answer in answers.iter_mut().filter(|a| a.is_none()) {
                        *answer = Some(Err(why.clone().into()));
                    }
                }
            }
        }
        answers
            .into_iter()
            .map(|answer| answer.unwrap_or_else(|| Err("a key was not read".into())))
            .collect()
    }

    fn stored(&self, namespace: &str, key: &str) -> Result<Option<(u16, SystemTime)>, CacheError> {
        if let Some(queued) = self.writer.pending(namespace, key) {
            return Ok(Some((queued.answer.status, queued.answer.stored_at)));
        }
        let row = self.with_reader(|conn| {
            conn.prepare_cached("SELECT status, stored_at FROM reports WHERE ns = ?1 AND key = ?2")?
                .query_row(params![namespace, key], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
                })
                .optional()
        })?;
        let Some((status, stored_at)) = row else {
            return Ok(None);
        };
        let status = u16::try_from(status).map_err(|_| format!("stored status {status}"))?;
        Ok(Some((status, from_millis(stored_at))))
    }

    /// Queues the answer for the writer thread (see [`SqliteCache`]): returns at once unless
    /// more than 64 MiB of answers wait to be written.
    fn put(&self, namespace: &str, key: &str, answer: &CachedAnswer) -> Result<(), CacheError> {
        self.writer.put(namespace, key, answer);
        Ok(())
    }

    fn flush(&self) -> Result<(), CacheError> {
        SqliteCache::flush(self).map_err(Into::into)
    }
}
