//! The write-behind writer: answers are queued in memory and committed by one thread, many
//! per transaction.
//!
//! A lookup must not wait for the disk: [`WriteBehind::put`] queues the answer and returns.
//! One writer thread per store takes everything queued, waits up to [`BATCH_WINDOW`] (or
//! until [`BATCH_ROWS`] answers are queued) for more, and commits the lot in one `IMMEDIATE`
//! transaction on its own connection (WAL mode, `synchronous=NORMAL`): one commit per batch
//! instead of one per answer, and no lock shared with the readers. Reads see queued answers
//! ([`WriteBehind::pending`]) before they are committed.
//!
//! What a crash costs: SQLite applies a transaction whole or not at all, so a process killed
//! (even by `SIGKILL`) leaves the last committed state, never a damaged file. What was queued
//! but not committed (at most one batch window's answers, plus the batch being written) is
//! lost, and asked again next time: the price of a cache, not of the results (`--output`
//! files do not depend on it). With `synchronous=NORMAL` a power loss may also lose the last
//! commits before a checkpoint, never the file's consistency. [`WriteBehind::flush`] (called
//! by [`SqliteCache::flush`](crate::SqliteCache) and when the store is dropped) waits until
//! every answer queued before it is committed.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use rusqlite::{Connection, TransactionBehavior, params};
use vt_api::cache::{CachedAnswer, compress_body};

use crate::table::{BUSY_TIMEOUT, millis, prune_to_bound};

/// How long the writer waits for more answers before it commits a batch.
pub(crate) const BATCH_WINDOW: Duration = Duration::from_millis(5);
/// A batch is committed at once when this many answers are queued.
pub(crate) const BATCH_ROWS: usize = 512;
/// Past this many bytes of queued bodies, `put` waits for the writer (bounded memory).
const MAX_QUEUED_BYTES: usize = 64 << 20;
/// The size bound is checked after this many rows written.
const PRUNE_EVERY_ROWS: u64 = 256;

/// One queued write.
#[derive(Debug, Clone)]
pub(crate) struct QueuedPut {
    pub(crate) answer: CachedAnswer,
    /// When it was queued (its first use), in milliseconds since the epoch.
    pub(crate) used_at: i64,
}

/// Queued writes in the order they came (rows are inserted in that order, so the oldest
/// gets the lowest rowid, as without a queue), found by namespace and key (a later answer
/// for the same key replaces the earlier one in place).
#[derive(Debug, Default)]
struct Puts {
    order: Vec<(String, String, QueuedPut)>,
    index: HashMap<String, HashMap<String, usize>>,
}

impl Puts {
    /// Queues `put`; the one it replaced, if any.
    fn insert(&mut self, namespace: &str, key: &str, put: QueuedPut) -> Option<QueuedPut> {
        let keys = self.index.entry(namespace.to_owned()).or_default();
        match keys.get(key) {
            Some(&i) => Some(std::mem::replace(&mut self.order[i].2, put)),
            None => {
                keys.insert(key.to_owned(), self.order.len());
                self.order.push((namespace.to_owned(), key.to_owned(), put));
                None
            }
        }
    }

    fn get(&self, namespace: &str, key: &str) -> Option<&QueuedPut> {
        let &i = self.index.get(namespace)?.get(key)?;
        self.order.get(i).map(|(_, _, put)| put)
    }
}

#[derive(Debug, Default)]
struct State {
    /// Answers queued and not yet taken by the writer.
    queued: Puts,
    queued_rows: usize,
    queued_bytes: usize,
    /// Answers the writer is committing now (still visible to reads).
    writing: Arc<Puts>,
    /// Entries read (rowid → time of use), to refresh their last use.
    touches: HashMap<i64, i64>,
    /// Sequence number of the last write queued, and of the last one committed (or failed).
    queued_seq: u64,
    done_seq: u64,
    /// Someone waits in `flush`: commit without waiting for the window.
    flush_asked: bool,
    /// The store is being dropped: commit what is left and stop.
    closing: bool,
    /// The writer thread has stopped.
    stopped: bool,
    /// The last failure since the last `flush`.
    failure: Option<String>,
}

#[derive(Debug, Default)]
struct Queue {
    state: Mutex<State>,
    /// The writer waits here for work.
    work: Condvar,
    /// `flush` and a full queue wait here for commits.
    committed: Condvar,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The queue and its writer thread (see the module docs).
#[derive(Debug)]
pub(crate) struct WriteBehind {
    queue: Arc<Queue>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl WriteBehind {
    /// Opens the writer's own connection to `path` and starts its thread.
    pub(crate) fn start(path: &Path, max_bytes: Arc<AtomicU64>) -> Result<Self, rusqlite::Error> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.execute_batch("PRAGMA synchronous=NORMAL;")?;
        let queue = Arc::new(Queue::default());
        let writer = Writer {
            queue: queue.clone(),
            conn,
            max_bytes,
            rows_since_prune: 0,
        };
        let thread = std::thread::Builder::new()
            .name("vt-cache-writer".into())
            .spawn(move || writer.run())
            .map_err(|e| {
                rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                    Some(format!("cannot start the cache writer thread: {e}")),
                )
            })?;
        Ok(WriteBehind {
            queue,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Queues an answer; waits only when the queue holds more than [`MAX_QUEUED_BYTES`].
    pub(crate) fn put(&self, namespace: &str, key: &str, answer: &CachedAnswer) {
        let mut state = self.queue.lock();
        while state.queued_bytes > MAX_QUEUED_BYTES && !state.stopped {
            self.queue.work.notify_one();
            state = self
                .queue
                .committed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        let put = QueuedPut {
            answer: answer.clone(),
            used_at: millis(SystemTime::now()),
        };
        let bytes = answer.body.len() + key.len();
        let replaced = state.queued.insert(namespace, key, put);
        match replaced {
            Some(old) => {
                state.queued_bytes = state
                    .queued_bytes
                    .saturating_sub(old.answer.body.len() + key.len());
            }
            None => state.queued_rows += 1,
        }
        state.queued_bytes += bytes;
        state.queued_seq += 1;
        if state.queued_rows == 1 || state.queued_rows >= BATCH_ROWS {
            self.queue.work.notify_one();
        }
    }

    /// Queues a refresh of an entry's last use.
    pub(crate) fn touch(&self, rowid: i64, now: i64) {
        let mut state = self.queue.lock();
        state.touches.insert(rowid, now);
        state.queued_seq += 1;
        if state.touches.len() == 1 {
            self.queue.work.notify_one();
        }
    }

    /// The answer queued (or being written) for `key`, if any: what a read must see first.
    pub(crate) fn pending(&self, namespace: &str, key: &str) -> Option<QueuedPut> {
        let state = self.queue.lock();
        [&state.queued, &*state.writing]
            .into_iter()
            .find_map(|puts| puts.get(namespace, key).cloned())
    }

    /// Waits until everything queued before this call is committed; the last failure since
    /// the previous flush, if any.
    pub(crate) fn flush(&self) -> Result<(), String> {
        let mut state = self.queue.lock();
        let target = state.queued_seq;
        while state.done_seq < target && !state.stopped {
            state.flush_asked = true;
            self.queue.work.notify_one();
            state = self
                .queue
                .committed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        match state.failure.take() {
            Some(why) => Err(why),
            None if state.done_seq < target => Err("the cache writer has stopped".into()),
            None => Ok(()),
        }
    }
}

impl Drop for WriteBehind {
    fn drop(&mut self) {
        self.queue.lock().closing = true;
        self.queue.work.notify_one();
        let thread = self
            .thread
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}

/// The writer thread's side.
struct Writer {
    queue: Arc<Queue>,
    conn: Connection,
    max_bytes: Arc<AtomicU64>,
    rows_since_prune: u64,
}

/// However the thread ends, nobody waits for it any more.
impl Drop for Writer {
    fn drop(&mut self) {
        self.queue.lock().stopped = true;
        self.queue.committed.notify_all();
    }
}

impl Writer {
    fn run(mut self) {
        loop {
            let Some((puts, touches, seq)) = self.next_batch() else {
                break;
            };
            let rows = puts.order.len();
            let result = self.commit(&puts, &touches);
            drop(puts);
            let mut state = self.queue.lock();
            state.writing = Arc::default();
            state.done_seq = seq;
            if let Err(e) = &result {
                tracing::warn!(target: "vt_cache", "cache write of {rows} answers failed: {e}");
                state.failure = Some(e.to_string());
            }
            drop(state);
            self.queue.committed.notify_all();
            self.rows_since_prune += rows as u64;
            if self.rows_since_prune >= PRUNE_EVERY_ROWS {
                self.rows_since_prune = 0;
                if let Err(e) =
                    prune_to_bound(&mut self.conn, self.max_bytes.load(Ordering::Relaxed))
                {
                    tracing::warn!(target: "vt_cache", "cache pruning failed: {e}");
                }
            }
        }
    }

    /// Waits for work, lets a batch gather, and takes it (moved to `writing`, so reads still
    /// see it). `None` once the store is closing and nothing is left.
    fn next_batch(&self) -> Option<(Arc<Puts>, HashMap<i64, i64>, u64)> {
        let mut state = self.queue.lock();
        while state.queued_rows == 0 && state.touches.is_empty() {
            if state.closing {
                return None;
            }
            state = self
                .queue
                .work
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        let deadline = Instant::now() + BATCH_WINDOW;
        while state.queued_rows < BATCH_ROWS && !state.flush_asked && !state.closing {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            state = self
                .queue
                .work
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        state.flush_asked = false;
        let puts = Arc::new(std::mem::take(&mut state.queued));
        state.writing = puts.clone();
        state.queued_rows = 0;
        state.queued_bytes = 0;
        let touches = std::mem::take(&mut state.touches);
        Some((puts, touches, state.queued_seq))
    }

    /// One transaction: every answer of the batch, then the refreshed uses.
    fn commit(&mut self, puts: &Puts, touches: &HashMap<i64, i64>) -> Result<(), rusqlite::Error> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO reports (ns, key, status, codec, stored_at, used_at, size, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (ns, key) DO UPDATE SET status = excluded.status,
                     codec = excluded.codec, stored_at = excluded.stored_at,
                     used_at = excluded.used_at, size = excluded.size, body = excluded.body",
            )?;
            for (namespace, key, put) in &puts.order {
                let (codec, stored) = compress_body(&put.answer.body);
                let size = i64::try_from(stored.len() + key.len()).unwrap_or(i64::MAX);
                insert.execute(params![
                    namespace,
                    key,
                    i64::from(put.answer.status),
                    codec.id(),
                    millis(put.answer.stored_at),
                    put.used_at,
                    size,
                    stored
                ])?;
            }
            let mut touch = tx.prepare_cached(
                "UPDATE reports SET used_at = ?1 WHERE rowid = ?2 AND used_at < ?1",
            )?;
            for (rowid, now) in touches {
                touch.execute(params![now, rowid])?;
            }
        }
        tx.commit()
    }
}
