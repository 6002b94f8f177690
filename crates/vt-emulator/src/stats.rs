//! Counters behind `GET /_emulator/stats` and [`crate::EmulatorHandle::stats`].

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use serde::Serialize;

/// One request as the log remembers it: never the key, and `apikey` parameters redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoggedRequest {
    /// Sequence number of the request (from 1).
    pub seq: u64,
    /// HTTP method.
    pub method: String,
    /// Path and query, with any `apikey` value replaced by `REDACTED`.
    pub path: String,
    /// The route template (`GET /api/v3/files/{id}`).
    pub route: String,
    /// Response status (0 when the connection was dropped).
    pub status: u16,
    /// Tier of the key used (`public`, `premium`), if a known key was sent.
    pub tier: Option<String>,
    /// The fault injected, if any.
    pub fault: Option<String>,
    /// When the request arrived: microseconds since the emulator started (a monotonic
    /// clock, not the emulator's API clock), so clients' request rates can be checked.
    pub at_us: u64,
}

/// A snapshot of the emulator's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatsSnapshot {
    /// Requests seen (including `/_emulator` ones).
    pub requests_total: u64,
    /// Route template → status → count.
    pub requests: BTreeMap<String, BTreeMap<u16, u64>>,
    /// Fault name → count.
    pub faults: BTreeMap<String, u64>,
    /// Request body bytes read.
    pub bytes_in: u64,
    /// Response body bytes written (after compression).
    pub bytes_out: u64,
    /// Files received through uploads.
    pub uploads: u64,
    /// The largest chunk of a multipart request body held in memory at once (uploads are
    /// streamed to disk, so this stays around one network read however big the file).
    pub max_buffered_bytes: u64,
    /// TCP connections accepted (how many a client opened: one per request in flight with
    /// HTTP/1.1 keep-alive).
    pub connections: u64,
    /// The latest requests, oldest first.
    pub request_log: Vec<LoggedRequest>,
}

impl StatsSnapshot {
    /// Requests to `route` answered with `status`.
    pub fn count(&self, route: &str, status: u16) -> u64 {
        self.requests
            .get(route)
            .and_then(|m| m.get(&status))
            .copied()
            .unwrap_or(0)
    }

    /// Requests answered with `status`, any route.
    pub fn count_status(&self, status: u16) -> u64 {
        self.requests.values().filter_map(|m| m.get(&status)).sum()
    }

    /// Faults of this kind name injected.
    pub fn fault_count(&self, name: &str) -> u64 {
        self.faults.get(name).copied().unwrap_or(0)
    }
}

#[derive(Debug, Default)]
struct Tables {
    requests: BTreeMap<String, BTreeMap<u16, u64>>,
    faults: BTreeMap<String, u64>,
    log: VecDeque<LoggedRequest>,
}

/// Live counters.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) seq: AtomicU64,
    pub(crate) bytes_in: AtomicU64,
    pub(crate) bytes_out: AtomicU64,
    pub(crate) uploads: AtomicU64,
    pub(crate) max_buffered: AtomicU64,
    pub(crate) connections: AtomicU64,
    capacity: usize,
    origin: Option<Instant>,
    tables: Mutex<Tables>,
}

impl Stats {
    pub(crate) fn new(capacity: usize) -> Self {
        Stats {
            capacity,
            origin: Some(Instant::now()),
            ..Stats::default()
        }
    }

    /// Microseconds since these counters were created (the `at_us` of a logged request).
    pub(crate) fn elapsed_us(&self) -> u64 {
        self.origin
            .map(|o| u64::try_from(o.elapsed().as_micros()).unwrap_or(u64::MAX))
            .unwrap_or(0)
    }

    pub(crate) fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub(crate) fn buffered(&self, n: usize) {
        self.max_buffered.fetch_max(n as u64, Ordering::Relaxed);
    }

    pub(crate) fn record(&self, entry: LoggedRequest) {
        let mut t = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        *t.requests
            .entry(entry.route.clone())
            .or_default()
            .entry(entry.status)
            .or_default() += 1;
        if let Some(f) = &entry.fault {
            *t.faults.entry(f.clone()).or_default() += 1;
        }
        if self.capacity > 0 {
            if t.log.len() >= self.capacity {
                t.log.pop_front();
            }
            t.log.push_back(entry);
        }
    }

    pub(crate) fn snapshot(&self) -> StatsSnapshot {
        let t = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        StatsSnapshot {
            requests_total: self.seq.load(Ordering::Relaxed),
            requests: t.requests.clone(),
            faults: t.faults.clone(),
            bytes_in: self.bytes_in.load(Ordering::Relaxed),
            bytes_out: self.bytes_out.load(Ordering::Relaxed),
            uploads: self.uploads.load(Ordering::Relaxed),
            max_buffered_bytes: self.max_buffered.load(Ordering::Relaxed),
            connections: self.connections.load(Ordering::Relaxed),
            request_log: t.log.iter().cloned().collect(),
        }
    }

    pub(crate) fn reset(&self) {
        let mut t = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        *t = Tables::default();
        self.bytes_in.store(0, Ordering::Relaxed);
        self.bytes_out.store(0, Ordering::Relaxed);
        self.uploads.store(0, Ordering::Relaxed);
        self.max_buffered.store(0, Ordering::Relaxed);
        self.connections.store(0, Ordering::Relaxed);
    }
}

/// `path?query` with every `apikey=` value replaced.
pub(crate) fn redact(path_and_query: &str) -> String {
    let Some((path, query)) = path_and_query.split_once('?') else {
        return path_and_query.to_owned();
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("apikey") => format!("{k}=REDACTED"),
            _ => kv.to_owned(),
        })
        .collect();
    format!("{path}?{}", parts.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_keys() {
        assert_eq!(
            redact("/vtapi/v2/file/report?apikey=SECRET&resource=x"),
            "/vtapi/v2/file/report?apikey=REDACTED&resource=x"
        );
        assert_eq!(redact("/a?APIKEY=s"), "/a?APIKEY=REDACTED");
        assert_eq!(redact("/a"), "/a");
    }
}
