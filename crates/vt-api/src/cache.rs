//! A report cache: answers VirusTotal already gave, kept so that the same lookup does not cost
//! quota twice.
//!
//! The cache sits here, in the client, not in the transport: only this crate knows which
//! endpoints answer with a stable report (an object, a relationship page, a completed
//! analysis, a v2 report) and which must always go to VirusTotal (uploads, downloads, writes,
//! quotas, analyses still running, private scanning). The store itself is a
//! [`ReportCache`] you hand to [`ClientBuilder::cache`](crate::ClientBuilder::cache): the
//! `vt-cache` crate has one on SQLite, shared safely by several processes on one machine, and
//! the `vt-redis` crate one in Redis, shared by a fleet of machines on one key.
//!
//! What is stored is the answer's status and body exactly as received, so a cached answer
//! decodes (and prints) byte for byte like a fresh one. Entries are namespaced by
//! [`ReportCache::namespace`] of the API key (a keyed digest: the key itself is never stored),
//! because what a key may see differs between keys.
//!
//! Freshness is decided when reading, by the [`CachePolicy`] of the client: an answer older
//! than [`CachePolicy::max_age`] (or, for a not-found answer, older than
//! [`CachePolicy::not_found_max_age`]) is asked again and replaced.
//!
//! [`observe`] tells whether (and how old) the answers a future used came from the cache.

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use vt_transport::ResponseBody;

use crate::answer::{collect_limited, error_from_parts, error_from_response};
pub use crate::body_codec::{BodyCodec, BodyCodecError, compress_body, decompress_body};
use crate::error::{Error, Result};
use crate::request::{ApiRequest, Target};
use crate::service::ErasedService;

/// An error of a cache store (the client logs it and carries on without the cache).
pub type CacheError = Box<dyn std::error::Error + Send + Sync>;

/// One stored answer: its HTTP status, its body as received, and when it was received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedAnswer {
    /// HTTP status (200, or 404 for a not-found answer).
    pub status: u16,
    /// The body, byte for byte as VirusTotal sent it.
    pub body: Bytes,
    /// When it was received.
    pub stored_at: SystemTime,
}

impl CachedAnswer {
    /// How old the answer is at `now` (zero if it claims to come from the future).
    pub fn age(&self, now: SystemTime) -> Duration {
        now.duration_since(self.stored_at).unwrap_or_default()
    }
}

/// A store of answers (see the module docs). Implementations must be safe to call from several
/// threads. [`get`](ReportCache::get), [`stored`](ReportCache::stored) and
/// [`flush`](ReportCache::flush) may block (the client calls them on tokio's blocking pool);
/// [`put`](ReportCache::put) is called on the task that received the answer, so it must
/// return quickly: queue the write and do it elsewhere (as `vt-cache`'s store does, committing
/// in batches on its own thread).
pub trait ReportCache: Send + Sync + fmt::Debug + 'static {
    /// The namespace of entries made with `api_key`: a keyed digest of it (for example
    /// HMAC-SHA256 with a secret of the store), never the key itself.
    fn namespace(&self, api_key: &str) -> String;

    /// The answer stored for `key` in `namespace`, whatever its age.
    fn get(
        &self,
        namespace: &str,
        key: &str,
    ) -> std::result::Result<Option<CachedAnswer>, CacheError>;

    /// The answers stored for each of `keys` in `namespace`, in their order: what
    /// [`get`](ReportCache::get) gives for each. The client reads the lookups waiting at one
    /// moment through one call, so a store may read them all in one transaction (SQLite: one
    /// read lock and one snapshot instead of one per key). The default calls `get` for each.
    fn get_many(
        &self,
        namespace: &str,
        keys: &[String],
    ) -> Vec<std::result::Result<Option<CachedAnswer>, CacheError>> {
        keys.iter().map(|key| self.get(namespace, key)).collect()
    }

    /// The status and storage time of the answer stored for `key` in `namespace`, whatever
    /// its age, without reading the body or counting it as a use (what a planner asks: "would
    /// the cache answer this?"). The default reads it through [`get`](ReportCache::get).
    fn stored(
        &self,
        namespace: &str,
        key: &str,
    ) -> std::result::Result<Option<(u16, SystemTime)>, CacheError> {
        Ok(self
            .get(namespace, key)?
            .map(|answer| (answer.status, answer.stored_at)))
    }

    /// Stores (or replaces) the answer for `key` in `namespace`: quickly, without waiting for
    /// slow storage (a store may queue it; [`get`](ReportCache::get) must then see it at once,
    /// and [`flush`](ReportCache::flush) write it).
    fn put(
        &self,
        namespace: &str,
        key: &str,
        answer: &CachedAnswer,
    ) -> std::result::Result<(), CacheError>;

    /// Writes whatever [`put`](ReportCache::put) queued and waits until it is stored (the
    /// client's [`Client::flush_cache`](crate::Client::flush_cache) calls it; a program should before it exits). The
    /// default does nothing, for stores that write at once.
    fn flush(&self) -> std::result::Result<(), CacheError> {
        Ok(())
    }
}

/// Default age beyond which a cached report is asked again: one day.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(24 * 3600);
/// Default age beyond which a cached not-found answer is asked again: one hour.
pub const DEFAULT_NOT_FOUND_MAX_AGE: Duration = Duration::from_secs(3600);

/// How the client uses its cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachePolicy {
    /// Cached reports older than this are asked again ([`DEFAULT_MAX_AGE`]).
    pub max_age: Duration,
    /// Cached not-found answers older than this (or than `max_age`, whichever is shorter)
    /// are asked again ([`DEFAULT_NOT_FOUND_MAX_AGE`]).
    pub not_found_max_age: Duration,
    /// Never answer from the cache, but store fresh answers (`--refresh`).
    pub refresh: bool,
}

impl Default for CachePolicy {
    fn default() -> Self {
        CachePolicy {
            max_age: DEFAULT_MAX_AGE,
            not_found_max_age: DEFAULT_NOT_FOUND_MAX_AGE,
            refresh: false,
        }
    }
}

/// The kinds of answers that may be cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cacheable {
    /// A file, URL, domain or IP address report (`/files/{id}`, ...).
    Object,
    /// A relationship page of one of those (`/files/{id}/{relationship}`, ...).
    Relationship,
    /// An analysis (`/analyses/{id}`), stored only once completed.
    Analysis,
    /// A v2 file report (`/vtapi/v2/file/report`).
    V2Report,
}

/// The object collections whose reports are cached.
const COLLECTIONS: [&str; 4] = ["files", "urls", "domains", "ip_addresses"];
/// Sub-paths of objects that are not relationship pages (or must never be cached).
const NOT_RELATIONSHIPS: [&str; 4] = ["download", "download_url", "analyse", "votes_stats"];

/// Whether (and as what) the answer to `request` may be cached: `GET`s of object reports,
/// relationship pages, analyses and v2 file reports; nothing else (uploads, downloads, writes,
/// quotas, users, searches, Monitor, private scanning are never cached).
pub fn cacheable(request: &ApiRequest) -> Option<Cacheable> {
    if request.method() != Method::GET {
        return None;
    }
    match request.target() {
        Target::V3(path) => {
            let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
            match segments.as_slice() {
                [collection, id] if COLLECTIONS.contains(collection) => {
                    (!id.is_empty() && !id.ends_with("upload_url")).then_some(Cacheable::Object)
                }
                [collection, id, rel] | [collection, id, "relationships", rel]
                    if COLLECTIONS.contains(collection)
                        && !id.is_empty()
                        && !id.ends_with("upload_url")
                        && !rel.is_empty()
                        && !NOT_RELATIONSHIPS.contains(rel) =>
                {
                    Some(Cacheable::Relationship)
                }
                ["analyses", id] if !id.is_empty() => Some(Cacheable::Analysis),
                _ => None,
            }
        }
        Target::V2(path) if path == "/file/report" => Some(Cacheable::V2Report),
        _ => None,
    }
}

/// A cache attached to a client: the store, the namespace of the client's key, the policy.
#[derive(Clone)]
pub(crate) struct AttachedCache {
    pub(crate) store: Arc<dyn ReportCache>,
    pub(crate) namespace: Arc<str>,
    pub(crate) policy: CachePolicy,
    /// The API key, only to keep requests and answers that contain it out of the store
    /// (never shown by `Debug`).
    pub(crate) api_key: Arc<str>,
    /// Lookups waiting for the store, read in turn by one blocking task.
    pub(crate) reads: Arc<ReadQueue>,
}

/// A lookup waiting for the store, and where its answer goes.
type PendingRead = (
    String,
    tokio::sync::oneshot::Sender<std::result::Result<Option<CachedAnswer>, CacheError>>,
);

/// Lookups waiting for the store. Handing each one to tokio's blocking pool on its own costs
/// a thread hand-off (and, with many lookups in flight, many threads) per lookup, more than
/// the read itself; instead the first lookup starts one blocking task that reads every
/// lookup queued meanwhile, and stops when the queue is empty.
#[derive(Debug, Default)]
pub(crate) struct ReadQueue {
    /// The waiting lookups, and whether a task is reading them.
    state: std::sync::Mutex<(Vec<PendingRead>, bool)>,
}

/// Resets a [`ReadQueue`] when its reader unwinds: nobody reads, the waiting lookups fail.
struct ReaderGone(Option<Arc<ReadQueue>>);

impl Drop for ReaderGone {
    fn drop(&mut self) {
        let Some(reads) = self.0.take() else {
            return;
        };
        let mut state = reads
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state.0.clear();
        state.1 = false;
    }
}

impl AttachedCache {
    /// The stored answer for `key` (the store read on tokio's blocking pool, see
    /// [`ReadQueue`]).
    async fn read(&self, key: String) -> std::result::Result<Option<CachedAnswer>, CacheError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let start = {
            let mut state = self
                .reads
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            state.0.push((key, tx));
            !std::mem::replace(&mut state.1, true)
        };
        if start {
            let (store, namespace, reads) = (
                self.store.clone(),
                self.namespace.clone(),
                self.reads.clone(),
            );
            let reader = tokio::task::spawn_blocking(move || {
                // Should a store panic, the lookups still queued fail instead of waiting for
                // a reader that is gone.
                let mut guard = ReaderGone(Some(reads.clone()));
                loop {
                    let batch = {
                        let mut state = reads
                            .state
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        if state.0.is_empty() {
                            state.1 = false;
                            guard.0 = None;
                            return;
                        }
                        std::mem::take(&mut state.0)
                    };
                    let (keys, senders): (Vec<String>, Vec<_>) = batch.into_iter().unzip();
                    let mut answers = store.get_many(&namespace, &keys).into_iter();
                    for sender in senders {
                        let answer = answers.next().unwrap_or_else(|| {
                            Err("the cache store gave fewer answers than keys".into())
                        });
                        let _ = sender.send(answer);
                    }
                }
            });
            drop(reader);
        }
        rx.await
            .unwrap_or_else(|_| Err("the cache reader stopped".into()))
    }
}

impl AttachedCache {
    /// Whether `text` holds the API key (such a request or answer is never stored).
    fn holds_key(&self, text: &[u8]) -> bool {
        let key = self.api_key.as_bytes();
        !key.is_empty() && memchr::memmem::find(text, key).is_some()
    }
}

impl fmt::Debug for AttachedCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttachedCache")
            .field("store", &self.store)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// Whether the answers a future used came from the cache (see [`observe`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheUse {
    /// Answers taken from the cache.
    pub hits: u32,
    /// Cacheable requests sent to VirusTotal.
    pub misses: u32,
    /// Age of the oldest answer taken from the cache.
    pub oldest: Option<Duration>,
}

impl CacheUse {
    /// True when every cacheable answer came from the cache (and there was at least one).
    pub fn all_cached(&self) -> bool {
        self.hits > 0 && self.misses == 0
    }
}

tokio::task_local! {
    static OBSERVED: Cell<CacheUse>;
}

fn note(f: impl FnOnce(&mut CacheUse)) {
    let _ = OBSERVED.try_with(|cell| {
        let mut v = cell.get();
        f(&mut v);
        cell.set(v);
    });
}

/// Runs `future` and tells how the client's cache served it.
///
/// ```
/// # async fn demo() {
/// let (answer, used) = vt_api::cache::observe(async { 42 }).await;
/// assert_eq!(answer, 42);
/// assert!(!used.all_cached());
/// # }
/// ```
pub async fn observe<F: Future>(future: F) -> (F::Output, CacheUse) {
    OBSERVED
        .scope(Cell::new(CacheUse::default()), async move {
            let out = future.await;
            (out, OBSERVED.with(Cell::get))
        })
        .await
}

/// Adds `used` to the [`observe`] scope around the caller: for work that ran on a task of its
/// own (`tokio::spawn` does not carry the scope), observed there and awaited here. Does
/// nothing outside a scope.
///
/// ```
/// # async fn demo() {
/// use vt_api::cache::{CacheUse, observe, record};
/// let used = CacheUse { hits: 1, misses: 0, oldest: None };
/// let ((), seen) = observe(async { record(used) }).await;
/// assert!(seen.all_cached());
/// # }
/// ```
pub fn record(used: CacheUse) {
    note(|u| {
        u.hits += used.hits;
        u.misses += used.misses;
        u.oldest = match (u.oldest, used.oldest) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    });
}

/// The age of an answer shown to people: `42s`, `5m`, `3h`, `2d`.
pub fn describe_age(age: Duration) -> String {
    let s = age.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86400),
    }
}

/// Whether an analysis body says `completed`.
fn analysis_completed(body: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Doc {
        data: Data,
    }
    #[derive(serde::Deserialize)]
    struct Data {
        attributes: Attributes,
    }
    #[derive(serde::Deserialize)]
    struct Attributes {
        status: Option<String>,
    }
    serde_json::from_slice::<Doc>(body)
        .is_ok_and(|d| d.data.attributes.status.as_deref() == Some("completed"))
}

fn response_from(status: StatusCode, body: Bytes) -> Result<Response<ResponseBody>> {
    if status.is_success() {
        let body = Full::new(body)
            .map_err(|never| match never {})
            .boxed_unsync();
        let mut response = Response::new(body);
        *response.status_mut() = status;
        Ok(response)
    } else {
        Err(error_from_parts(status, &body))
    }
}

impl CachePolicy {
    /// Whether a stored answer of `status` that is `age` old is fresh enough to be used
    /// (never with [`refresh`](CachePolicy::refresh)).
    pub fn accepts(&self, status: u16, age: Duration) -> bool {
        let limit = if status == 404 {
            self.max_age.min(self.not_found_max_age)
        } else {
            self.max_age
        };
        !self.refresh && age <= limit && StatusCode::from_u16(status).is_ok()
    }
}

/// For each request, whether `cache` would answer it now without sending it (see
/// [`Client::cache_would_answer`](crate::Client::cache_would_answer)).
pub(crate) async fn would_answer(
    cache: &AttachedCache,
    requests: &[ApiRequest],
    base_url: &str,
) -> Vec<Option<Duration>> {
    if cache.policy.refresh {
        return vec![None; requests.len()];
    }
    let cache = cache.clone();
    let keys: Vec<Option<String>> = requests
        .iter()
        .map(|r| {
            cacheable(r)?;
            let key = r.url(base_url);
            (!cache.holds_key(key.as_bytes())).then_some(key)
        })
        .collect();
    let count = keys.len();
    let answers = tokio::task::spawn_blocking(move || {
        let now = SystemTime::now();
        keys.into_iter()
            .map(|key| {
                let (status, stored_at) = cache.store.stored(&cache.namespace, &key?).ok()??;
                let age = now.duration_since(stored_at).unwrap_or_default();
                cache.policy.accepts(status, age).then_some(age)
            })
            .collect::<Vec<_>>()
    })
    .await;
    answers.unwrap_or_else(|_| vec![None; count])
}

/// `Client::send_raw` for a cacheable request with a cache attached: the stored answer when
/// it is fresh enough, else the request sent through `service` and its answer stored when
/// it may be (JSON bodies read up to `json_limit` bytes).
pub(crate) async fn send_cached(
    cache: &AttachedCache,
    kind: Cacheable,
    request: ApiRequest,
    base_url: &str,
    service: &dyn ErasedService,
    json_limit: usize,
) -> Result<Response<ResponseBody>> {
    let key = request.url(base_url);
    if cache.holds_key(key.as_bytes()) {
        // The key typed as an identifier, say: it must never reach the disk.
        let http = request.into_http(base_url)?;
        let response = service.call(http).await.map_err(Error::Transport)?;
        return if response.status().is_success() {
            Ok(response)
        } else {
            Err(error_from_response(response).await)
        };
    }
    let policy = cache.policy;
    if !policy.refresh {
        match cache.read(key.clone()).await {
            Ok(Some(answer)) => {
                let age = answer.age(SystemTime::now());
                let status = StatusCode::from_u16(answer.status).ok();
                if let Some(status) = status.filter(|_| policy.accepts(answer.status, age)) {
                    tracing::info!(
                        target: "vt_api::cache",
                        "cached answer ({} old): {}",
                        describe_age(age),
                        vt_transport::redact_url(&key)
                    );
                    note(|u| {
                        u.hits += 1;
                        u.oldest = Some(u.oldest.map_or(age, |o| o.max(age)));
                    });
                    return response_from(status, answer.body);
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(target: "vt_api::cache", "cache read failed: {e}"),
        }
    }
    note(|u| u.misses += 1);
    let http = request.into_http(base_url)?;
    let response = service.call(http).await.map_err(Error::Transport)?;
    let status = response.status();
    let storable = status == StatusCode::OK || status == StatusCode::NOT_FOUND;
    if !storable {
        return if status.is_success() {
            Ok(response)
        } else {
            Err(error_from_response(response).await)
        };
    }
    let body = collect_limited(response.into_body(), json_limit).await?;
    let keep = if status == StatusCode::NOT_FOUND {
        // Only VirusTotal's own "not found" (not a proxy's 404 page).
        matches!(
            error_from_parts(status, &body),
            Error::Api {
                code: vt_model::ErrorCode::NotFound,
                ..
            }
        )
    } else {
        kind != Cacheable::Analysis || analysis_completed(&body)
    } && !cache.holds_key(&body);
    if keep {
        let answer = CachedAnswer {
            status: status.as_u16(),
            body: body.clone(),
            stored_at: SystemTime::now(),
        };
        // Quick by the trait's contract (a store queues it): the answer is not held back.
        if let Err(e) = cache.store.put(&cache.namespace, &key, &answer) {
            tracing::warn!(target: "vt_api::cache", "cache write failed: {e}");
        }
    }
    response_from(status, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(method: Method, path: &str) -> Option<Cacheable> {
        cacheable(&ApiRequest::new(method, path))
    }

    #[test]
    fn reports_relationships_and_analyses_are_cacheable() {
        assert_eq!(kind(Method::GET, "/files/abc"), Some(Cacheable::Object));
        assert_eq!(kind(Method::GET, "/urls/abc"), Some(Cacheable::Object));
        assert_eq!(kind(Method::GET, "/domains/x.com"), Some(Cacheable::Object));
        assert_eq!(
            kind(Method::GET, "/ip_addresses/1.2.3.4"),
            Some(Cacheable::Object)
        );
        assert_eq!(
            kind(Method::GET, "/files/abc/comments"),
            Some(Cacheable::Relationship)
        );
        assert_eq!(
            kind(Method::GET, "/domains/x.com/relationships/resolutions"),
            Some(Cacheable::Relationship)
        );
        assert_eq!(
            kind(Method::GET, "/analyses/xyz"),
            Some(Cacheable::Analysis)
        );
        let v2 = ApiRequest::to(Method::GET, Target::V2("/file/report".into()));
        assert_eq!(cacheable(&v2), Some(Cacheable::V2Report));
    }

    #[test]
    fn writes_downloads_quotas_and_private_scanning_are_never_cached() {
        assert_eq!(kind(Method::POST, "/files"), None);
        assert_eq!(kind(Method::POST, "/files/abc/votes"), None);
        assert_eq!(kind(Method::POST, "/files/abc/comments"), None);
        assert_eq!(kind(Method::POST, "/files/abc/analyse"), None);
        assert_eq!(kind(Method::GET, "/files/upload_url"), None);
        assert_eq!(kind(Method::GET, "/files/abc/download"), None);
        assert_eq!(kind(Method::GET, "/files/abc/download_url"), None);
        assert_eq!(kind(Method::GET, "/users/me/overall_quotas"), None);
        assert_eq!(kind(Method::GET, "/private/files/abc"), None);
        assert_eq!(kind(Method::GET, "/private/analyses/abc"), None);
        assert_eq!(kind(Method::GET, "/search"), None);
        assert_eq!(kind(Method::GET, "/metadata"), None);
        assert_eq!(kind(Method::GET, "https://x/_ah/upload"), None);
    }

    #[test]
    fn only_completed_analyses_are_kept() {
        assert!(analysis_completed(
            br#"{"data":{"attributes":{"status":"completed","stats":{}}}}"#
        ));
        assert!(!analysis_completed(
            br#"{"data":{"attributes":{"status":"queued"}}}"#
        ));
        assert!(!analysis_completed(b"not json"));
    }

    #[test]
    fn ages_read_like_people_write_them() {
        assert_eq!(describe_age(Duration::from_secs(5)), "5s");
        assert_eq!(describe_age(Duration::from_secs(300)), "5m");
        assert_eq!(describe_age(Duration::from_secs(7200)), "2h");
        assert_eq!(describe_age(Duration::from_secs(3 * 86400)), "3d");
    }
}
