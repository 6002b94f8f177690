//! Starting, serving and stopping an emulator.

use std::collections::HashMap;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;
use vt_model::ErrorCode;

use crate::clock::Clock;
use crate::config::{
    AnalysisTiming, ClockMode, DatasetConfig, EmulatorConfig, KeySpec, QuotaConfig, Tier,
};
use crate::dataset::{self, Dataset};
use crate::error::StartError;
use crate::faults::{FaultKind, FaultPlan, FaultRule};
use crate::http::body::{CountingBody, CutBody, RespBody, SlowBody, empty, full};
use crate::http::multipart::BodyReader;
use crate::http::reply::{JSON, Reply};
use crate::quota::Quotas;
use crate::routes::{self, Access, Caller, Req, Route};
use crate::state::Shared;
use crate::stats::{LoggedRequest, Stats, StatsSnapshot, redact};
use crate::store::Store;

/// Builds an emulator step by step (each method sets one field of [`EmulatorConfig`]).
///
/// ```no_run
/// # async fn demo() -> Result<(), vt_emulator::StartError> {
/// use vt_emulator::{AnalysisTiming, Emulator, FaultKind, FaultRule};
/// let emu = Emulator::builder()
///     .seed(7)
///     .analysis(AnalysisTiming::IMMEDIATE)
///     .fault(FaultRule::new(FaultKind::Transient, 0.1))
///     .start()
///     .await?;
/// println!("{}", emu.base_url());
/// emu.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct EmulatorBuilder {
    config: EmulatorConfig,
}

impl EmulatorBuilder {
    /// The dataset seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }
    /// The port (0: a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.config.port = port;
        self
    }
    /// Adds a key (the default keys stay).
    pub fn key(mut self, key: impl Into<String>, tier: Tier) -> Self {
        self.config.keys.push(KeySpec::new(key, tier));
        self
    }
    /// Replaces the accepted keys.
    pub fn keys(mut self, keys: Vec<KeySpec>) -> Self {
        self.config.keys = keys;
        self
    }
    /// Quotas.
    pub fn quotas(mut self, quotas: QuotaConfig) -> Self {
        self.config.quotas = quotas;
        self
    }
    /// Adds a fault rule.
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.config.faults.rules.push(rule);
        self
    }
    /// The fault seed (default: the dataset seed).
    pub fn fault_seed(mut self, seed: u64) -> Self {
        self.config.faults.seed = Some(seed);
        self
    }
    /// Analysis timing.
    pub fn analysis(mut self, timing: AnalysisTiming) -> Self {
        self.config.analysis = timing;
        self
    }
    /// Number of generated files.
    pub fn files(mut self, n: usize) -> Self {
        self.config.dataset.files = n;
        self
    }
    /// Uses [`DatasetConfig::small`] (faster start-up), keeping any `load_dir`.
    pub fn small_dataset(mut self) -> Self {
        let load_dir = self.config.dataset.load_dir.take();
        self.config.dataset = DatasetConfig {
            load_dir,
            ..DatasetConfig::small()
        };
        self
    }
    /// Loads real documents from `dir` too.
    pub fn load_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.config.dataset.load_dir = Some(dir.into());
        self
    }
    /// The clock.
    pub fn clock(mut self, mode: ClockMode) -> Self {
        self.config.clock = mode;
        self
    }
    /// A fixed delay before every answer ([`EmulatorConfig::latency`]).
    pub fn latency(mut self, latency: Duration) -> Self {
        self.config.latency = latency;
        self
    }
    /// Where uploads are stored.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.config.data_dir = Some(dir.into());
        self
    }
    /// Any other setting.
    pub fn configure(mut self, f: impl FnOnce(&mut EmulatorConfig)) -> Self {
        f(&mut self.config);
        self
    }
    /// The configuration so far.
    pub fn config(&self) -> &EmulatorConfig {
        &self.config
    }
    /// Binds, generates the dataset and starts serving.
    pub async fn start(self) -> Result<EmulatorHandle, StartError> {
        Emulator::from_config(self.config).start().await
    }
}

/// A VirusTotal emulator, not yet started.
#[derive(Debug, Clone)]
pub struct Emulator {
    config: EmulatorConfig,
}

impl Emulator {
    /// A builder starting from [`EmulatorConfig::default`].
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// An emulator with this configuration.
    pub fn from_config(config: EmulatorConfig) -> Self {
        Emulator { config }
    }

    /// Binds `config.bind:config.port`, generates the dataset and serves until shut down.
    pub async fn start(self) -> Result<EmulatorHandle, StartError> {
        let config = self.config;
        let addr = SocketAddr::new(config.bind, config.port);
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;
        let base_url = format!("http://{local}");

        let (data_dir, owned_dir) = match &config.data_dir {
            Some(d) => (d.clone(), false),
            None => {
                let n = crate::rng::mix64(
                    std::process::id() as u64
                        ^ u64::from(local.port())
                        ^ Clock::new(ClockMode::System).now_ms(),
                );
                (
                    std::env::temp_dir().join(format!("vt-emulator-{}-{n:08x}", local.port())),
                    true,
                )
            }
        };
        std::fs::create_dir_all(&data_dir).map_err(|source| StartError::DataDir {
            path: data_dir.clone(),
            source,
        })?;

        let mut store = Store::default();
        let generated = dataset::generate(&mut store, &base_url, config.seed, &config.dataset);
        let mut ds = generated.dataset;
        ds.monitor_items = dataset::generate_monitor(&mut store, &base_url, config.seed);
        if let Some(dir) = &config.dataset.load_dir {
            dataset::load_dir(&mut store, &mut ds, &base_url, dir).map_err(|source| {
                StartError::LoadDir {
                    path: dir.clone(),
                    source,
                }
            })?;
        }

        store.feed_pool = crate::feeds::FeedPool::of(&store.objects, &store.contents);

        let keys = config
            .keys
            .iter()
            .map(|k| (k.key.clone(), k.clone()))
            .collect();
        let fault_seed = config.faults.seed.unwrap_or(config.seed);
        let shared = Arc::new(Shared {
            base_url: base_url.clone(),
            clock: Clock::new(config.clock),
            store: RwLock::new(store),
            keys,
            quotas: Quotas::new(config.quotas),
            faults: FaultPlan::new(fault_seed, config.faults.rules.clone()),
            fault_seq: AtomicU64::new(0),
            stats: Arc::new(Stats::new(config.request_log_capacity)),
            data_dir: data_dir.clone(),
            upload_seq: AtomicU64::new(0),
            shutdown: Notify::new(),
            config,
        });

        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(serve(
            listener,
            shared.clone(),
            rx,
            owned_dir.then_some(data_dir),
        ));
        Ok(EmulatorHandle {
            base_url,
            addr: local,
            shared,
            dataset: Arc::new(ds),
            stop: Some(tx),
            task: Some(task),
        })
    }
}

/// A running emulator. Dropping it stops the server (without waiting); prefer
/// [`EmulatorHandle::shutdown`].
#[derive(Debug)]
pub struct EmulatorHandle {
    base_url: String,
    addr: SocketAddr,
    shared: Arc<Shared>,
    dataset: Arc<Dataset>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl EmulatorHandle {
    /// `http://127.0.0.1:<port>` (what vt-py calls `host`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
    /// `http://127.0.0.1:<port>/api/v3`.
    pub fn api_url(&self) -> String {
        format!("{}/api/v3", self.base_url)
    }
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// What was known at start-up.
    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }
    /// The emulator's clock (advance it to roll quota windows or finish analyses).
    pub fn clock(&self) -> &Clock {
        &self.shared.clock
    }
    /// The configuration it runs with.
    pub fn config(&self) -> &EmulatorConfig {
        &self.shared.config
    }
    /// The first configured key of `tier`.
    pub fn key(&self, tier: Tier) -> Option<&str> {
        self.shared
            .config
            .keys
            .iter()
            .find(|k| k.tier == tier)
            .map(|k| k.key.as_str())
    }
    /// Re-analyses the VT Monitor file at `path` (every file when `None`) at the emulator's
    /// clock: with `engines`, those indices of [`FILE_ENGINES`](crate::FILE_ENGINES) flag
    /// it; without, one more engine than before. Returns the updated items (the same as
    /// `POST /_emulator/monitor/rescan`), or why nothing was done (no such file, a folder).
    pub fn rescan_monitor(
        &self,
        path: Option<&str>,
        engines: Option<&[usize]>,
    ) -> Result<Vec<serde_json::Value>, String> {
        crate::monitor_rescan::rescan(&self.shared, path, engines)
    }
    /// Counters and the request log.
    pub fn stats(&self) -> StatsSnapshot {
        self.shared.stats.snapshot()
    }
    /// Clears counters, the request log and quota usage (objects stay).
    pub fn reset_stats(&self) {
        self.shared.stats.reset();
        self.shared.quotas.reset();
    }
    /// Resolves when the server stops by itself: after `POST /_emulator/shutdown` (or if the
    /// server task ends unexpectedly). Use [`EmulatorHandle::shutdown`] to stop it from Rust.
    pub async fn wait(&mut self) {
        if let Some(task) = self.task.as_mut() {
            let _ = task.await;
            self.task = None;
        }
    }
    /// Stops accepting, lets in-flight requests finish (up to 5 s), removes the temporary
    /// data directory.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for Dropped {}

async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stop: oneshot::Receiver<()>,
    remove_dir: Option<PathBuf>,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.keep_alive(true);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                shared
                    .stats
                    .connections
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let shared = shared.clone();
                let svc = service_fn(move |req| handle(shared.clone(), req));
                let conn = builder.serve_connection(TokioIo::new(stream), svc);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
            _ = &mut stop => break,
            _ = shared.shutdown.notified() => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(5), graceful.shutdown()).await;
    if let Some(dir) = remove_dir {
        let _ = tokio::fs::remove_dir_all(&dir).await;
    }
}

fn base_of(req: &Request<Incoming>, shared: &Shared) -> String {
    match req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
    {
        Some(host) if !host.is_empty() && host.bytes().all(|b| b.is_ascii_graphic()) => {
            format!("http://{host}")
        }
        _ => shared.base_url.clone(),
    }
}

fn parse_query(q: Option<&str>) -> Vec<(String, String)> {
    q.map(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    })
    .unwrap_or_default()
}

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<RespBody>, Dropped> {
    let seq = shared.stats.next_seq();
    let at_us = shared.stats.elapsed_us();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map_or_else(|| path.clone(), |p| p.as_str().to_owned());
    let route = Route::classify(&method, &path);
    let access = route.access();
    let template = route.template(&method);
    let base = base_of(&req, &shared);
    let gzip_ok = wants_gzip(req.headers());

    // Faults that replace the answer come first, before keys and quotas.
    let fault = if shared.faults.is_empty() {
        None
    } else if access == Access::Open {
        // Signed downloads fault only by rules that name them (`cut-body=1@/_download`).
        // (Only then do they take a fault sequence number: other faults stay where they were.)
        if path.starts_with("/_download") && shared.faults.targets("/_download") {
            let n = shared.fault_seq.fetch_add(1, Ordering::Relaxed);
            shared.faults.decide_explicit(n, &path)
        } else {
            None
        }
    } else {
        let n = shared.fault_seq.fetch_add(1, Ordering::Relaxed);
        shared.faults.decide(n, &path)
    };

    let (parts, body) = req.into_parts();
    let mut r = Req {
        method: method.clone(),
        path: path.clone(),
        path_and_query: path_and_query.clone(),
        query: parse_query(parts.uri.query()),
        headers: parts.headers,
        body: Some(body),
        caller: None,
        base,
    };

    let latency = if path.starts_with("/_emulator/") {
        Duration::ZERO
    } else {
        shared.config.latency
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if let Some(FaultKind::Latency(d)) = fault {
        tokio::time::sleep(d).await;
    }
    let reply = match fault {
        Some(FaultKind::Transient) => Reply::error(
            ErrorCode::Transient,
            "Transient error, please try again later",
        ),
        Some(FaultKind::TooManyRequests) => {
            Reply::error(ErrorCode::TooManyRequests, "Too many requests")
        }
        Some(FaultKind::DropConnection) => Reply::Drop,
        _ => admit_and_dispatch(&shared, route, access, &mut r).await,
    };

    // A body nobody read (an error before an upload was parsed, a fault): read it, up to
    // 64 MiB, so clients still sending see the answer instead of a reset connection.
    if !matches!(reply, Reply::Drop)
        && let Some(body) = r.body.take()
        && !http_body::Body::is_end_stream(&body)
    {
        let mut reader = BodyReader::new(body, u64::MAX, shared.stats.clone());
        let _ = tokio::time::timeout(Duration::from_secs(60), reader.drain_up_to(64 << 20)).await;
    }

    let status = reply.status();
    shared.stats.record(LoggedRequest {
        seq,
        method: method.to_string(),
        path: redact_keys(redact(&path_and_query), &shared.keys),
        route: template,
        status: if matches!(reply, Reply::Drop) {
            0
        } else {
            status.as_u16()
        },
        tier: r.caller.as_ref().map(|c| c.tier.as_str().to_owned()),
        fault: fault.map(|f| f.name().to_owned()),
        at_us,
    });
    if matches!(reply, Reply::Drop) {
        return Err(Dropped);
    }
    Ok(finish(reply, fault, gzip_ok, &shared))
}

async fn admit_and_dispatch(
    shared: &Arc<Shared>,
    route: Route,
    access: Access,
    r: &mut Req,
) -> Reply {
    match access {
        Access::Open | Access::V2 => {}
        Access::Key | Access::KeyFree | Access::Premium => {
            let Some(key) = r.header("x-apikey") else {
                return Reply::error(
                    ErrorCode::AuthenticationRequired,
                    "X-Apikey header is missing",
                );
            };
            let Some(spec) = shared.keys.get(key) else {
                return Reply::error(ErrorCode::WrongCredentials, "Wrong API key");
            };
            r.caller = Some(Caller::from(spec));
            if access == Access::Premium && spec.tier != Tier::Premium {
                return Reply::forbidden();
            }
            if access != Access::KeyFree
                && shared
                    .quotas
                    .charge(&spec.key, spec.tier, 1, shared.clock.now_ms())
                    .is_err()
            {
                return Reply::error(ErrorCode::QuotaExceeded, "Quota exceeded");
            }
        }
    }
    routes::dispatch(shared, route, r).await
}

/// Replaces any known key appearing in a logged path (`/users/{key}` takes the key itself).
fn redact_keys(mut path: String, keys: &HashMap<String, KeySpec>) -> String {
    for k in keys.keys() {
        if !k.is_empty() && path.contains(k.as_str()) {
            path = path.replace(k.as_str(), "REDACTED");
        }
    }
    path
}

fn wants_gzip(headers: &http::HeaderMap) -> bool {
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let ae = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    ua.contains("gzip")
        && ae.split(',').any(|e| {
            let mut it = e.split(';');
            let name = it.next().unwrap_or("").trim();
            let q0 = it.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !q0
        })
}

fn gzip(data: &[u8]) -> Option<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 4 + 64),
        flate2::Compression::fast(),
    );
    enc.write_all(data).ok()?;
    enc.finish().ok()
}

fn finish(
    reply: Reply,
    fault: Option<FaultKind>,
    gzip_ok: bool,
    shared: &Shared,
) -> Response<RespBody> {
    let mut builder = Response::builder();
    let (status, body): (StatusCode, RespBody) = match reply {
        Reply::Json(status, mut data) => {
            match fault {
                Some(FaultKind::TruncatedJson) => data = data.slice(..data.len() / 2),
                Some(FaultKind::MalformedJson) => {
                    let mut v = b"{\"data\": <<malformed>> ".to_vec();
                    v.extend_from_slice(&data[..data.len().min(64)]);
                    data = Bytes::from(v);
                }
                _ => {}
            }
            builder = builder.header(header::CONTENT_TYPE, JSON);
            // Never compress a 429: VirusTotal sometimes answers it uncompressed and clients
            // must follow Content-Encoding, not assume.
            if gzip_ok
                && status != StatusCode::TOO_MANY_REQUESTS
                && !data.is_empty()
                && let Some(z) = gzip(&data)
            {
                builder = builder
                    .header(header::CONTENT_ENCODING, "gzip")
                    .header(header::VARY, "Accept-Encoding");
                data = Bytes::from(z);
            }
            let body = match fault {
                Some(FaultKind::SlowBody(d)) => SlowBody::new(data, d).boxed(),
                _ => full(data),
            };
            (status, body)
        }
        Reply::Empty(status) => (status, empty()),
        Reply::Redirect(location) => {
            if let Ok(v) = HeaderValue::from_str(&location) {
                builder = builder.header(header::LOCATION, v);
            }
            (StatusCode::FOUND, empty())
        }
        Reply::Raw {
            body,
            content_type,
            len,
            filename,
        } => {
            builder = builder.header(header::CONTENT_TYPE, content_type);
            if let Some(n) = len {
                builder = builder.header(header::CONTENT_LENGTH, n);
            }
            let body = match fault {
                Some(FaultKind::CutBody) => CutBody::new(body, len.map_or(512, |n| n / 2)).boxed(),
                _ => body,
            };
            if let Some(name) = filename
                && let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
            {
                builder = builder.header(header::CONTENT_DISPOSITION, v);
            }
            (StatusCode::OK, body)
        }
        Reply::Drop => (StatusCode::INTERNAL_SERVER_ERROR, empty()),
    };
    let body = CountingBody::new(body, shared.stats.clone()).boxed();
    builder.status(status).body(body).unwrap_or_else(|_| {
        let mut r = Response::new(empty());
        *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}
