//! [`RedisCache`]: the report cache of `vt-api` kept in Redis, shared by a fleet.
//!
//! Every member of a fleet that uses the same Redis database and API key reads and writes
//! the same entries, so a hash any member has looked up costs the others no quota.
//!
//! - **Keys**: `vt:cache:{<digest>}:<request URL>`, where `<digest>` is the keyed digest of
//!   the API key that also names the fleet's rate-limit windows (`vt:fleet:{<digest>}:...`):
//!   every member computes it alike, and the key itself never goes to Redis.
//! - **Values**: `VTC2`, the HTTP status (2 bytes), the time it was received (milliseconds
//!   since the Unix epoch, 8 bytes, big-endian), the body's codec (1 byte,
//!   [`BodyCodec::id`]), then the body, LZ4-compressed when that saves space
//!   ([`vt_api::cache::compress_body`]: a report keeps about a third of its size): read
//!   back byte for byte, so a cached answer prints exactly like a fresh one. A value that
//!   does not read so (foreign, damaged, or of another format) is a miss.
//! - **Expiry**: each entry is written with `SET ... PX`, so Redis drops it itself: a report
//!   after [`RedisCacheOptions::ttl`], a not-found answer after
//!   [`RedisCacheOptions::not_found_ttl`] (counted from when it was received). Run the server
//!   with `maxmemory` and an LRU policy (`allkeys-lru`, or `volatile-lru` when the fleet's
//!   windows share the database) to bound its size.
//! - **Written behind**: [`put`](ReportCache::put) queues the answer and returns at once;
//!   one writer thread sends what is queued as one pipeline. Reads through this store see
//!   queued answers at once. [`RedisCache::flush`] waits until the queue is sent.
//! - **Never in the way**: a lookup waits at most [`RedisCacheOptions::timeout`] for Redis.
//!   Any failure (refused, timed out, a bad answer) is a miss for lookups and a dropped write
//!   for answers, said once by a `tracing` warning per outage; for
//!   [`RedisCacheOptions::retry_after`] after a failure Redis is not asked at all, so a lost
//!   Redis costs a run one timeout now and then, not one per lookup. The run goes on with
//!   VirusTotal's answers: never a crash, never a wrong answer.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use vt_api::cache::{
    BodyCodec, CacheError, CachedAnswer, ReportCache, compress_body, decompress_body,
};

use crate::store::{namespace, redact_error};
use crate::url::FleetUrl;

/// How long a lookup waits for Redis by default before it counts as a miss.
pub const DEFAULT_CACHE_TIMEOUT: Duration = Duration::from_millis(250);
/// How long Redis is left alone after a failure, by default.
pub const DEFAULT_CACHE_RETRY_AFTER: Duration = Duration::from_secs(5);
/// The marker at the start of every value.
const MAGIC: &[u8; 4] = b"VTC2";
/// Bytes before the body: the marker, the status, the time received, the body's codec.
const HEADER: usize = 4 + 2 + 8 + 1;
/// Past this many bytes of queued bodies, further answers are not stored (a `put` never
/// waits for Redis).
const MAX_QUEUED_BYTES: usize = 64 << 20;
/// At most this many answers in one pipeline.
const BATCH_ROWS: usize = 512;
/// Keys asked per `SCAN` step (stats, clear).
const SCAN_COUNT: usize = 1000;
/// At most this many keys in one `MGET` (`get_many`).
const MGET_KEYS: usize = 256;
/// Idle connections kept for lookups.
const MAX_IDLE_READERS: usize = 16;

/// Settings of a [`RedisCache`].
#[derive(Debug, Clone, Copy)]
pub struct RedisCacheOptions {
    /// Expiry of a stored report, from when it was received (default one day, `vt-api`'s
    /// default `max_age`; `vt` uses `--max-age`). An answer older than this is not written.
    pub ttl: Duration,
    /// Expiry of a stored not-found answer (default one hour; never longer than `ttl`).
    pub not_found_ttl: Duration,
    /// How long a lookup (and each pipeline) waits for Redis (default 250 ms).
    pub timeout: Duration,
    /// How long connecting may take at start and for the maintenance commands (default 3 s).
    pub connect_timeout: Duration,
    /// After a failure, how long Redis is not asked (default 5 s).
    pub retry_after: Duration,
}

impl Default for RedisCacheOptions {
    fn default() -> Self {
        RedisCacheOptions {
            ttl: vt_api::cache::DEFAULT_MAX_AGE,
            not_found_ttl: vt_api::cache::DEFAULT_NOT_FOUND_MAX_AGE,
            timeout: DEFAULT_CACHE_TIMEOUT,
            connect_timeout: crate::store::DEFAULT_CONNECT_TIMEOUT,
            retry_after: DEFAULT_CACHE_RETRY_AFTER,
        }
    }
}

impl RedisCacheOptions {
    /// The expiries of a client's [`CachePolicy`](vt_api::CachePolicy): entries live as long
    /// as that client would use them (its `max_age`, and the shorter not-found age), and the
    /// other settings are the defaults.
    pub fn for_policy(policy: &vt_api::CachePolicy) -> Self {
        RedisCacheOptions {
            ttl: policy.max_age,
            not_found_ttl: policy.not_found_max_age.min(policy.max_age),
            ..RedisCacheOptions::default()
        }
    }
}

/// Counts and sizes of one API key's entries ([`RedisCache::stats`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RedisCacheStats {
    /// Entries.
    pub entries: u64,
    /// Of which not-found answers.
    pub not_found: u64,
    /// Bytes of keys and values.
    pub bytes: u64,
    /// When the oldest entry was received.
    pub oldest: Option<SystemTime>,
    /// When the newest entry was received.
    pub newest: Option<SystemTime>,
}

/// Why a maintenance command failed.
#[derive(Debug, thiserror::Error)]
#[error("Redis cache at {url}: {reason}")]
pub struct RedisCacheError {
    /// The address, password hidden.
    pub url: String,
    /// What failed.
    pub reason: String,
}

/// A report store in Redis, shared by every process using the same Redis database and API
/// key: hand it to [`ClientBuilder::cache`](vt_api::ClientBuilder::cache). Every member of a
/// fleet that uses the same Redis database and API key reads and writes the same entries, so
/// a hash any member has looked up costs the others no quota.
///
/// - **Keys**: `vt:cache:{<digest>}:<request URL>`, where `<digest>` is the keyed digest of
///   the API key that also names the fleet's rate-limit windows (`vt:fleet:{<digest>}:...`):
///   every member computes it alike, and the key itself never goes to Redis.
/// - **Values**: `VTC2`, the HTTP status (2 bytes), the time it was received (milliseconds
///   since the Unix epoch, 8 bytes, big-endian), the body's codec (1 byte), then the body,
///   LZ4-compressed when that saves space: read back byte for byte, so a cached answer
///   prints exactly like a fresh one. A value that does not read so is a miss.
/// - **Expiry**: each entry is written with `SET ... PX`, so Redis drops it itself: a report
///   after [`RedisCacheOptions::ttl`], a not-found answer after
///   [`RedisCacheOptions::not_found_ttl`] (counted from when it was received). Run the server
///   with `maxmemory` and an LRU policy (`allkeys-lru`, or `volatile-lru` when the fleet's
///   windows share the database) to bound its size.
/// - **Written behind**: [`put`](ReportCache::put) queues the answer and returns at once;
///   one writer thread sends what is queued as one pipeline. Reads through this store see
///   queued answers at once. [`RedisCache::flush`] waits until the queue is sent.
/// - **Never in the way**: a lookup waits at most [`RedisCacheOptions::timeout`] for Redis.
///   Any failure (refused, timed out, a bad answer) is a miss for lookups and a dropped write
///   for answers, said once by a `tracing` warning per outage; for
///   [`RedisCacheOptions::retry_after`] after a failure Redis is not asked at all, so a lost
///   Redis costs a run one timeout now and then, not one per lookup. The run goes on with
///   VirusTotal's answers: never a crash, never a wrong answer.
///
/// What is cached (and never: private scanning, uploads, writes, quotas, unfinished analyses,
/// anything holding the key) is decided by `vt-api`'s policy, the same for every store.
///
/// ```no_run
/// # fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
/// use std::sync::Arc;
/// use vt_redis::{FleetUrl, RedisCache, RedisCacheOptions};
///
/// let url: FleetUrl = "redis://10.0.0.5:6379/0".parse()?;
/// let policy = vt_api::CachePolicy::default();
/// let cache = RedisCache::connect(&url, RedisCacheOptions::for_policy(&policy))?;
/// let client = vt_api::Client::builder()
///     .api_key(std::env::var("VT_API_KEY")?)
///     .cache(Arc::new(cache), policy)
///     .build()?;
/// # drop(client); Ok(()) }
/// ```
pub struct RedisCache {
    shared: Arc<Shared>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

struct Shared {
    client: redis::Client,
    url: FleetUrl,
    options: RedisCacheOptions,
    readers: Mutex<Vec<redis::Connection>>,
    queue: Mutex<Queue>,
    /// The writer waits here for work.
    work: Condvar,
    /// `flush` waits here for sends.
    sent: Condvar,
    /// Until when Redis is left alone after a failure.
    down_until: Mutex<Option<Instant>>,
    /// A failure has been reported and Redis has not answered since.
    outage_reported: AtomicBool,
    /// A full queue has been reported.
    queue_full_reported: AtomicBool,
}

#[derive(Default)]
struct Queue {
    /// Answers queued, by Redis key.
    queued: HashMap<String, CachedAnswer>,
    queued_bytes: usize,
    /// Answers the writer is sending now (still visible to reads).
    writing: Arc<HashMap<String, CachedAnswer>>,
    queued_seq: u64,
    done_seq: u64,
    closing: bool,
    stopped: bool,
    /// Answers dropped since the last `flush` (Redis failed, or the queue was full).
    dropped: u64,
}

impl fmt::Debug for RedisCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisCache")
            .field("url", &self.shared.url)
            .field("options", &self.shared.options)
            .finish_non_exhaustive()
    }
}

fn millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The value stored for an answer: its body compressed when that saves space
/// ([`compress_body`]).
fn encode(answer: &CachedAnswer) -> Vec<u8> {
    let (codec, kept) = compress_body(&answer.body);
    let mut value = Vec::with_capacity(HEADER + kept.len());
    value.extend_from_slice(MAGIC);
    value.extend_from_slice(&answer.status.to_be_bytes());
    value.extend_from_slice(&millis(answer.stored_at).to_be_bytes());
    value.push(codec.id());
    value.extend_from_slice(&kept);
    value
}

/// The status and time received of a value (or of its first [`HEADER`] bytes).
fn decode_header(value: &[u8]) -> Option<(u16, SystemTime)> {
    let header = value.get(..HEADER)?;
    if &header[..4] != MAGIC {
        return None;
    }
    let status = u16::from_be_bytes([header[4], header[5]]);
    let mut ms = [0u8; 8];
    ms.copy_from_slice(&header[6..14]);
    let stored_at = UNIX_EPOCH.checked_add(Duration::from_millis(u64::from_be_bytes(ms)))?;
    Some((status, stored_at))
}

/// The answer a value holds; `None` (a miss) for a foreign, damaged or newer value.
fn decode(value: Vec<u8>) -> Option<CachedAnswer> {
    let (status, stored_at) = decode_header(&value)?;
    let body = match BodyCodec::from_id(value[HEADER - 1])? {
        BodyCodec::Raw => Bytes::from(value).split_off(HEADER),
        codec => decompress_body(codec, &value[HEADER..]).ok()?,
    };
    Some(CachedAnswer {
        status,
        body,
        stored_at,
    })
}

impl RedisCache {
    /// Connects to `url` and checks that Redis answers `PING` within
    /// [`RedisCacheOptions::connect_timeout`] (fails with an error saying `unreachable`
    /// otherwise), then starts the writer thread. Blocks: call it from synchronous code or
    /// `tokio::task::spawn_blocking`.
    pub fn connect(url: &FleetUrl, options: RedisCacheOptions) -> Result<Self, RedisCacheError> {
        let unreachable = |reason: String| RedisCacheError {
            url: url.to_string(),
            reason: format!("unreachable: {reason}"),
        };
        let client = redis::Client::open(url.connection_url())
            .map_err(|e| unreachable(redact_error(&e, url)))?;
        let shared = Arc::new(Shared {
            client,
            url: url.clone(),
            options,
            readers: Mutex::new(Vec::new()),
            queue: Mutex::new(Queue::default()),
            work: Condvar::new(),
            sent: Condvar::new(),
            down_until: Mutex::new(None),
            outage_reported: AtomicBool::new(false),
            queue_full_reported: AtomicBool::new(false),
        });
        let mut con = shared
            .open(options.connect_timeout, options.connect_timeout)
            .map_err(|e| unreachable(redact_error(&e, url)))?;
        redis::cmd("PING")
            .query::<String>(&mut con)
            .map_err(|e| unreachable(redact_error(&e, url)))?;
        shared.give_back(con);
        let writer_side = shared.clone();
        let writer = std::thread::Builder::new()
            .name("vt-redis-cache-writer".into())
            .spawn(move || Writer(writer_side).run())
            .map_err(|e| unreachable(format!("cannot start the cache writer thread: {e}")))?;
        Ok(RedisCache {
            shared,
            writer: Mutex::new(Some(writer)),
        })
    }

    /// Where the store is (password hidden by its `Display`).
    pub fn url(&self) -> &FleetUrl {
        &self.shared.url
    }

    /// The settings.
    pub fn options(&self) -> &RedisCacheOptions {
        &self.shared.options
    }

    /// The prefix of every Redis key of `namespace`'s entries (`vt:cache:{digest}:`).
    pub fn key_prefix(namespace: &str) -> String {
        format!("vt:cache:{{{namespace}}}:")
    }

    /// Waits until every answer [`put`](ReportCache::put) before this call has been sent to
    /// Redis or dropped (a dropped write was said by the outage's one warning, and is asked
    /// again next time: it is not an error here). An error only when the writer thread has
    /// stopped.
    pub fn flush(&self) -> Result<(), RedisCacheError> {
        let mut queue = self.shared.lock_queue();
        let target = queue.queued_seq;
        while queue.done_seq < target && !queue.stopped {
            self.shared.work.notify_one();
            queue = self
                .shared
                .sent
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner);
        }
        let dropped = std::mem::take(&mut queue.dropped);
        if dropped > 0 {
            tracing::debug!(target: "vt_redis::cache", "{dropped} answers were not stored");
        }
        if queue.done_seq < target {
            return Err(self.error("the cache writer has stopped".into()));
        }
        Ok(())
    }

    /// Counts and sizes of `namespace`'s entries (a `SCAN` of its keys).
    pub fn stats(&self, namespace: &str) -> Result<RedisCacheStats, RedisCacheError> {
        let _ = self.flush();
        let mut con = self.maintenance_connection()?;
        let mut stats = RedisCacheStats::default();
        self.scan(&mut con, namespace, |con, keys| {
            let mut pipe = redis::pipe();
            for key in keys {
                pipe.cmd("GETRANGE").arg(key).arg(0).arg(HEADER - 1);
                pipe.cmd("STRLEN").arg(key);
            }
            let replies: Vec<redis::Value> = pipe.query(con)?;
            for (key, pair) in keys.iter().zip(replies.chunks(2)) {
                let [head, len] = pair else { continue };
                let head: Vec<u8> = redis::from_redis_value(head.clone()).unwrap_or_default();
                let len: u64 = redis::from_redis_value(len.clone()).unwrap_or(0);
                if len == 0 {
                    continue; // expired meanwhile
                }
                stats.entries += 1;
                stats.bytes += len + key.len() as u64;
                if let Some((status, at)) = decode_header(&head) {
                    stats.not_found += u64::from(status == 404);
                    stats.oldest = Some(stats.oldest.map_or(at, |o| o.min(at)));
                    stats.newest = Some(stats.newest.map_or(at, |n| n.max(at)));
                }
            }
            Ok(())
        })?;
        Ok(stats)
    }

    /// Removes every entry of `namespace` (other keys' entries stay); how many went.
    pub fn clear(&self, namespace: &str) -> Result<u64, RedisCacheError> {
        let _ = self.flush();
        let mut con = self.maintenance_connection()?;
        let mut removed = 0u64;
        self.scan(&mut con, namespace, |con, keys| {
            removed += redis::cmd("UNLINK").arg(keys).query::<u64>(con)?;
            Ok(())
        })?;
        Ok(removed)
    }

    fn error(&self, reason: String) -> RedisCacheError {
        RedisCacheError {
            url: self.shared.url.to_string(),
            reason,
        }
    }

    fn maintenance_connection(&self) -> Result<redis::Connection, RedisCacheError> {
        let t = self.shared.options.connect_timeout;
        self.shared
            .open(t, t)
            .map_err(|e| self.error(redact_error(&e, &self.shared.url)))
    }

    /// Calls `each` with every batch of `namespace`'s keys.
    fn scan(
        &self,
        con: &mut redis::Connection,
        namespace: &str,
        mut each: impl FnMut(&mut redis::Connection, &[Vec<u8>]) -> redis::RedisResult<()>,
    ) -> Result<(), RedisCacheError> {
        let pattern = format!("{}*", RedisCache::key_prefix(namespace));
        let mut cursor: u64 = 0;
        loop {
            let (next, keys): (u64, Vec<Vec<u8>>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(SCAN_COUNT)
                .query(con)
                .map_err(|e| self.error(redact_error(&e, &self.shared.url)))?;
            if !keys.is_empty() {
                each(con, &keys).map_err(|e| self.error(redact_error(&e, &self.shared.url)))?;
            }
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }
}

impl Drop for RedisCache {
    fn drop(&mut self) {
        self.shared.lock_queue().closing = true;
        self.shared.work.notify_one();
        let writer = self
            .writer
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(writer) = writer {
            let _ = writer.join();
        }
    }
}

impl Shared {
    fn lock_queue(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn open(&self, connect: Duration, answer: Duration) -> redis::RedisResult<redis::Connection> {
        let con = self.client.get_connection_with_timeout(connect)?;
        con.set_read_timeout(Some(answer))?;
        con.set_write_timeout(Some(answer))?;
        Ok(con)
    }

    fn give_back(&self, con: redis::Connection) {
        let mut readers = self.readers.lock().unwrap_or_else(PoisonError::into_inner);
        if readers.len() < MAX_IDLE_READERS {
            readers.push(con);
        }
    }

    /// Whether Redis is being left alone after a failure.
    fn resting(&self) -> bool {
        let mut down = self
            .down_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match *down {
            Some(until) if Instant::now() < until => true,
            Some(_) => {
                *down = None;
                false
            }
            None => false,
        }
    }

    /// Notes a failure: Redis is left alone for a while; the first failure of an outage is
    /// said once.
    fn failed(&self, what: &str, err: &redis::RedisError) {
        *self
            .down_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner) =
            Some(Instant::now() + self.options.retry_after);
        if !self.outage_reported.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                target: "vt_redis::cache",
                "Redis cache at {} failed ({what}: {}); going on without it (asked again every {:?})",
                self.url,
                redact_error(err, &self.url),
                self.options.retry_after
            );
        }
    }

    /// Notes that Redis answered.
    fn answered(&self) {
        if self.outage_reported.swap(false, Ordering::Relaxed) {
            tracing::info!(target: "vt_redis::cache", "Redis cache at {} answers again", self.url);
        }
    }

    /// Runs `command` on an idle lookup connection (opening one if none is idle); `None` on
    /// any failure (said once) or while resting.
    fn with_reader<T>(
        &self,
        what: &str,
        command: impl Fn(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Option<T> {
        if self.resting() {
            return None;
        }
        let idle = self
            .readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let fresh = || {
            let mut con = self.open(self.options.timeout, self.options.timeout)?;
            command(&mut con).map(|v| (v, con))
        };
        let result = match idle {
            Some(mut con) => match command(&mut con) {
                Ok(v) => Ok((v, con)),
                // An idle connection may have been closed meanwhile (Redis restarted, the
                // server's idle timeout): asked once more on a new one.
                Err(e) if e.is_io_error() || e.is_connection_dropped() => {
                    self.readers
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .clear();
                    fresh()
                }
                Err(e) => Err(e),
            },
            None => fresh(),
        };
        match result {
            Ok((value, con)) => {
                self.answered();
                self.give_back(con);
                Some(value)
            }
            Err(e) => {
                // The connection may hold a late answer: it is not reused.
                self.failed(what, &e);
                None
            }
        }
    }

    fn pending(&self, key: &str) -> Option<CachedAnswer> {
        let queue = self.lock_queue();
        queue
            .queued
            .get(key)
            .or_else(|| queue.writing.get(key))
            .cloned()
    }
}

/// The writer thread's side.
struct Writer(Arc<Shared>);

/// However the thread ends, nobody waits for it any more.
impl Drop for Writer {
    fn drop(&mut self) {
        self.0.lock_queue().stopped = true;
        self.0.sent.notify_all();
    }
}

impl Writer {
    fn run(self) {
        let mut con: Option<redis::Connection> = None;
        while let Some((batch, seq)) = self.next_batch() {
            let sent = self.send(&mut con, &batch);
            let mut queue = self.0.lock_queue();
            queue.writing = Arc::default();
            queue.done_seq = seq;
            if !sent {
                queue.dropped += batch.len() as u64;
            }
            drop(queue);
            self.0.sent.notify_all();
        }
    }

    /// Waits for work and takes everything queued (moved to `writing`, so reads still see
    /// it). `None` once the store is closing and nothing is left.
    fn next_batch(&self) -> Option<(Arc<HashMap<String, CachedAnswer>>, u64)> {
        let mut queue = self.0.lock_queue();
        while queue.queued.is_empty() {
            if queue.closing {
                return None;
            }
            queue = self
                .0
                .work
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner);
        }
        let batch = Arc::new(std::mem::take(&mut queue.queued));
        queue.queued_bytes = 0;
        queue.writing = batch.clone();
        Some((batch, queue.queued_seq))
    }

    /// Sends `batch` as pipelines of `SET key value PX ttl`; false when it was dropped.
    fn send(
        &self,
        con: &mut Option<redis::Connection>,
        batch: &HashMap<String, CachedAnswer>,
    ) -> bool {
        let shared = &self.0;
        if shared.resting() {
            *con = None;
            return false;
        }
        let now = SystemTime::now();
        let entries: Vec<(&String, &CachedAnswer, u64)> = batch
            .iter()
            .filter_map(|(key, answer)| {
                let ttl = if answer.status == 404 {
                    shared.options.not_found_ttl.min(shared.options.ttl)
                } else {
                    shared.options.ttl
                };
                let left = ttl.checked_sub(answer.age(now))?;
                let ms = u64::try_from(left.as_millis()).unwrap_or(u64::MAX);
                (ms > 0).then_some((key, answer, ms))
            })
            .collect();
        for chunk in entries.chunks(BATCH_ROWS) {
            let mut pipe = redis::pipe();
            for (key, answer, ms) in chunk {
                pipe.cmd("SET")
                    .arg(key.as_str())
                    .arg(encode(answer))
                    .arg("PX")
                    .arg(*ms)
                    .ignore();
            }
            let fresh = || {
                let mut c = shared.open(shared.options.timeout, shared.options.timeout)?;
                pipe.query::<()>(&mut c).map(|()| c)
            };
            let result = match con.take() {
                Some(mut c) => match pipe.query::<()>(&mut c) {
                    Ok(()) => Ok(c),
                    // Closed meanwhile (Redis restarted): sent once more on a new connection
                    // (`SET` twice is the same entry).
                    Err(e) if e.is_io_error() || e.is_connection_dropped() => fresh(),
                    Err(e) => Err(e),
                },
                None => fresh(),
            };
            match result {
                Ok(c) => {
                    shared.answered();
                    *con = Some(c);
                }
                Err(e) => {
                    shared.failed("write", &e);
                    return false;
                }
            }
        }
        true
    }
}

impl ReportCache for RedisCache {
    /// The keyed digest that also names the fleet's windows (32 hex digits): the same on
    /// every machine, never the key itself.
    fn namespace(&self, api_key: &str) -> String {
        namespace(api_key)
    }

    /// The stored answer, or `None` on a miss, a value that does not read as one, or any
    /// Redis failure (see [`RedisCache`]): never an error.
    fn get(&self, namespace: &str, key: &str) -> Result<Option<CachedAnswer>, CacheError> {
        let key = format!("{}{key}", RedisCache::key_prefix(namespace));
        if let Some(queued) = self.shared.pending(&key) {
            return Ok(Some(queued));
        }
        let value = self.shared.with_reader("read", |con| {
            redis::cmd("GET").arg(&key).query::<Option<Vec<u8>>>(con)
        });
        Ok(value.flatten().and_then(decode))
    }

    /// Answers queued in this process first, then every other key in one round trip (one
    /// pipeline of `MGET`s of up to 256 keys); any Redis failure makes them all misses.
    fn get_many(
        &self,
        namespace: &str,
        keys: &[String],
    ) -> Vec<Result<Option<CachedAnswer>, CacheError>> {
        let prefix = RedisCache::key_prefix(namespace);
        let full: Vec<String> = keys.iter().map(|key| format!("{prefix}{key}")).collect();
        let mut answers: Vec<Option<CachedAnswer>> =
            full.iter().map(|key| self.shared.pending(key)).collect();
        let asked: Vec<usize> = (0..full.len()).filter(|&i| answers[i].is_none()).collect();
        if !asked.is_empty() {
            let values = self.shared.with_reader("read", |con| {
                let mut pipe = redis::pipe();
                for chunk in asked.chunks(MGET_KEYS) {
                    let mut mget = redis::cmd("MGET");
                    for &i in chunk {
                        mget.arg(&full[i]);
                    }
                    pipe.add_command(mget);
                }
                let replies: Vec<Vec<Option<Vec<u8>>>> = pipe.query(con)?;
                Ok(replies.into_iter().flatten().collect::<Vec<_>>())
            });
            if let Some(values) = values {
                for (&i, value) in asked.iter().zip(values) {
                    answers[i] = value.and_then(decode);
                }
            }
        }
        answers.into_iter().map(Ok).collect()
    }

    fn stored(&self, namespace: &str, key: &str) -> Result<Option<(u16, SystemTime)>, CacheError> {
        let key = format!("{}{key}", RedisCache::key_prefix(namespace));
        if let Some(queued) = self.shared.pending(&key) {
            return Ok(Some((queued.status, queued.stored_at)));
        }
        let head = self.shared.with_reader("read", |con| {
            redis::cmd("GETRANGE")
                .arg(&key)
                .arg(0)
                .arg(HEADER - 1)
                .query::<Vec<u8>>(con)
        });
        Ok(head.as_deref().and_then(decode_header))
    }

    /// Queues the answer for the writer thread and returns at once; past 64 MiB of queued
    /// bodies the answer is not stored (said once by a warning).
    fn put(&self, namespace: &str, key: &str, answer: &CachedAnswer) -> Result<(), CacheError> {
        let key = format!("{}{key}", RedisCache::key_prefix(namespace));
        let mut queue = self.shared.lock_queue();
        if queue.queued_bytes > MAX_QUEUED_BYTES || queue.stopped {
            queue.dropped += 1;
            if !self
                .shared
                .queue_full_reported
                .swap(true, Ordering::Relaxed)
            {
                tracing::warn!(
                    target: "vt_redis::cache",
                    "Redis cache at {}: more than {} MiB of answers wait to be written; \
                     further answers are not stored",
                    self.shared.url,
                    MAX_QUEUED_BYTES >> 20
                );
            }
            return Ok(());
        }
        queue.queued_bytes += answer.body.len() + key.len();
        let was_empty = queue.queued.is_empty();
        if let Some(old) = queue.queued.insert(key, answer.clone()) {
            queue.queued_bytes = queue.queued_bytes.saturating_sub(old.body.len());
        }
        queue.queued_seq += 1;
        drop(queue);
        if was_empty {
            self.shared.work.notify_one();
        }
        Ok(())
    }

    fn flush(&self) -> Result<(), CacheError> {
        RedisCache::flush(self).map_err(Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_status_time_and_body_exactly() {
        let answer = CachedAnswer {
            status: 404,
            body: Bytes::from_static(b"{\"error\": {\"code\": \"NotFoundError\"}}\n\x00\xff"),
            stored_at: UNIX_EPOCH + Duration::from_millis(1_764_000_000_123),
        };
        let value = encode(&answer);
        assert_eq!(&value[..4], b"VTC2");
        assert_eq!(
            value[HEADER - 1],
            BodyCodec::Raw.id(),
            "a short body is kept as is"
        );
        assert_eq!(
            decode_header(&value[..HEADER]),
            Some((404, answer.stored_at))
        );
        assert_eq!(decode(value), Some(answer));
    }

    #[test]
    fn foreign_or_short_values_are_misses() {
        assert_eq!(decode(b"hello, world!!!".to_vec()), None);
        assert_eq!(decode(b"VTC2\x00".to_vec()), None);
        // The format before the codec byte, and a codec this version does not know.
        let mut old = b"VTC1\x00\xc8".to_vec();
        old.extend_from_slice(&[0; 8]);
        old.extend_from_slice(b"{}");
        assert_eq!(decode(old), None);
        let mut newer = encode(&CachedAnswer {
            status: 200,
            body: Bytes::from_static(b"{}"),
            stored_at: UNIX_EPOCH,
        });
        newer[HEADER - 1] = 9;
        assert_eq!(decode(newer), None);
        assert_eq!(decode_header(b""), None);
    }

    #[test]
    fn reports_are_kept_compressed_and_damaged_ones_are_misses() {
        let report = format!(
            "{{\"data\": {{\"attributes\": {{{}}}}}}}",
            (0..60)
                .map(|i| format!(
                    "\"Engine{i}\": {{\"category\": \"undetected\", \"result\": null}}"
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let answer = CachedAnswer {
            status: 200,
            body: Bytes::from(report.clone()),
            stored_at: UNIX_EPOCH + Duration::from_millis(1_764_000_000_123),
        };
        let value = encode(&answer);
        assert_eq!(value[HEADER - 1], BodyCodec::Lz4.id());
        assert!(
            value.len() * 3 < report.len(),
            "{} of {}",
            value.len(),
            report.len()
        );
        assert_eq!(decode(value.clone()), Some(answer));
        assert_eq!(decode(value[..value.len() / 2].to_vec()), None);
    }

    #[test]
    fn keys_are_named_by_the_fleet_digest() {
        let key = "k".repeat(64);
        let prefix = RedisCache::key_prefix(&namespace(&key));
        assert!(prefix.starts_with("vt:cache:{") && prefix.ends_with("}:"));
        assert!(!prefix.contains("kkkk"));
        assert_eq!(prefix.len(), "vt:cache:{}:".len() + 32);
    }
}
