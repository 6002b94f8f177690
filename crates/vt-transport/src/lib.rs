//! # vt-transport
//!
//! A tower HTTP stack for the VirusTotal API. It knows HTTP, quotas and VirusTotal's error
//! codes, not endpoints: `vt-api` builds `http::Request<VtBody>`s and parses the responses;
//! this crate moves them, keeping within the quota by itself and riding out transient
//! failures. Every piece is an ordinary tower layer that can be used alone or replaced.
//!
//! ## The stack, outside in
//!
//! ```text
//!  Transport (BoxCloneSyncService: Clone + Send + Sync, cheap to clone)
//!  ├─ your layers (TransportBuilder::layer; the last added is the outermost)
//!  ├─ TraceLayer          one span per logical request: method, redacted URL, status,
//!  │                      attempts, latency, bytes
//!  ├─ AuthLayer           x-apikey (sensitive header); v2 paths also get ?apikey=
//!  ├─ UserAgentLayer      "<app>; vt-rs/<ver>; gzip"
//!  ├─ RetryLayer          RetryPolicy: backoff + full jitter, quota-aware, retry budget
//!  ├─ GlobalConcurrencyLimit  tower's: at most 16 attempts in flight (default), one
//!  │                      semaphore shared by every clone
//!  ├─ RateLimitLayer      local windows (default `public`: 4/min), FIFO, fail fast on
//!  │                      a spent day/month budget
//!  ├─ ClassifyLayer       buffers ≤ 64 KiB error bodies, attaches ApiErrorInfo,
//!  │                      boxes bodies into ResponseBody
//!  ├─ FollowRedirect      tower-http + RedirectPolicy: ≤ 10 hops, loops are errors,
//!  │                      x-apikey never crosses origins
//!  ├─ Decompression       tower-http: sends Accept-Encoding: gzip, decodes by
//!  │                      Content-Encoding (never assumed)
//!  ├─ TimeoutLayer        response-header timeout (from the end of the upload) and idle
//!  │                      timeouts on request and response bodies
//!  └─ inner service       HttpTransport (hyper-util pooled client, TLS of the `tls` module, with
//!                         verification always on, HTTP/2 by ALPN, proxies) or your fake
//! ```
//!
//! Why this order:
//!
//! * **Auth and User-Agent above Retry**: set once; every retry clones the headers.
//! * **Retry above the rate limiter**: every attempt, retries included, waits for and takes
//!   a limiter slot, because the server counts retries against the quota too.
//! * **Concurrency above the rate limiter**: a request takes its slot only when it can be
//!   sent at once, so admissions and sends coincide (otherwise a backlog could burst more
//!   than N requests into one window).
//! * **Classify under Retry**: a 429 means "wait a bit" (`TooManyRequestsError`) or "the
//!   quota is spent" (`QuotaExceededError`), and only the JSON body tells which; a retry
//!   policy sees only what the layer below returns, so the layer below reads the body.
//! * **Redirects under the limiter**: following a download to its signed URL costs no
//!   quota; **under Classify**: the error code read is the final response's.
//! * **Timeouts at the bottom**: per attempt (per redirect hop); the wait for a limiter
//!   slot or a backoff never counts as a timeout.
//!
//! ## Behaviour worth knowing
//!
//! * **HTTP errors are responses.** A 4xx/5xx comes back as `Ok(response)` (after retries)
//!   with an [`ApiErrorInfo`] extension (`status`, `code`, `message`, `retry_after`) and the
//!   body intact. [`TransportError`] is for everything else (connect, TLS, proxy, timeout,
//!   broken connection, body, spent local budget, redirect loop, bad request).
//! * **Retries**: see [`retry`] for the full table. In short: connect errors for any method;
//!   lost connections and timeouts for idempotent methods; 429 `TooManyRequestsError`, 503,
//!   502, 504 (idempotent) with exponential backoff and full jitter; 429
//!   `QuotaExceededError` once, after the minute window has rolled (61 s, or `Retry-After`
//!   when sent), and a second one in a row is returned (the day or month is spent); never
//!   400/401/403/404/409/424. One-shot streaming bodies are never sent twice. The
//!   [`Attempts`] extension says how many tries a response took.
//! * **Rate limits**: [`RateLimitSpec`] parses `public`, `premium:N`, `none`, `20/s`,
//!   `4/min,500/day`, `1000/month`. Second/minute/hour windows are rolling (never more than N
//!   in any interval of that length); day and month are calendar budgets that reset at
//!   00:00 UTC. `public` is 4/min only: VirusTotal's 500/day is not enforced locally unless
//!   you add `,500/day`, because a local counter cannot see other programs using the key or
//!   earlier runs; the server stays the judge. The default of [`TransportBuilder`] is
//!   `public`: set `premium:N` or `none` for premium keys and local emulators.
//! * **Timeouts**: connect (10 s), response headers (120 s, counted from the moment the
//!   request body is fully sent) and idle (60 s without a body frame). There is no total
//!   timeout, so a slow 600 MB upload or download survives as long as it moves.
//! * **Secrets**: the key is held in a `SecretString`, sent in a header marked sensitive,
//!   and never in `Debug`, `Display`, errors or traces; URLs that are logged or put in
//!   errors go through [`redact_url`]. Redirects to another origin lose `x-apikey`.
//! * **Proxies**: `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY` (and lower case) by
//!   default, or [`TransportBuilder::proxy`]; `https://` goes through a CONNECT tunnel,
//!   `http://` is sent to the proxy in absolute form.
//! * **Bodies**: response bodies are [`ResponseBody`] streams whose errors are boxed
//!   [`TransportError`]s (`err.downcast::<TransportError>()`).
//!
//! ## Examples
//!
//! The default transport:
//!
//! ```no_run
//! use tower::ServiceExt;
//! use vt_transport::{RateLimitSpec, TransportBuilder, VtBody};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let transport = TransportBuilder::new()
//!     .api_key(std::env::var("VT_API_KEY")?)
//!     .user_agent("my-scanner/1.0")
//!     .rate_limit("premium:1000".parse::<RateLimitSpec>()?)
//!     .build()?;
//! let request = http::Request::get("https://www.virustotal.com/api/v3/files/44d88612fea8a8f36de82e1278abb02f")
//!     .body(VtBody::empty())?;
//! let response = transport.clone().oneshot(request).await?;
//! if let Some(info) = response.extensions().get::<vt_transport::ApiErrorInfo>() {
//!     eprintln!("VirusTotal said {}: {}", info.status, info.message);
//! }
//! # Ok(()) }
//! ```
//!
//! Adding a custom layer (here one that adds a header; any tower layer whose service keeps
//! the transport's request, response and error types fits):
//!
//! ```
//! use tower::ServiceBuilder;
//! use vt_transport::{RateLimitSpec, TransportBuilder};
//!
//! # fn main() -> Result<(), vt_transport::TransportError> {
//! let builder = TransportBuilder::new()
//!     .rate_limit(RateLimitSpec::none())
//!     .layer(tower::util::MapRequestLayer::new(|mut req: http::Request<vt_transport::VtBody>| {
//!         req.headers_mut().insert("x-tool", http::HeaderValue::from_static("my-scanner"));
//!         req
//!     }));
//! # let _ = builder;
//! # Ok(()) }
//! ```
//!
//! Swapping the inner service (a fake for tests; the same layers run on top of it):
//!
//! ```
//! use std::convert::Infallible;
//! use bytes::Bytes;
//! use http_body_util::Full;
//! use tower::ServiceExt;
//! use vt_transport::{RateLimitSpec, TransportBuilder, VtBody};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let fake = tower::service_fn(|req: http::Request<VtBody>| async move {
//!     assert_eq!(req.headers()["x-apikey"], "test-key");
//!     Ok::<_, Infallible>(
//!         http::Response::builder()
//!             .status(404)
//!             .body(Full::new(Bytes::from_static(
//!                 br#"{"error": {"code": "NotFoundError", "message": "no such file"}}"#,
//!             )))
//!             .unwrap(),
//!     )
//! });
//! let transport = TransportBuilder::new()
//!     .api_key("test-key")
//!     .rate_limit(RateLimitSpec::none())
//!     .build_with(fake)?;
//! let request = http::Request::get("https://www.virustotal.com/api/v3/files/abc")
//!     .body(VtBody::empty())?;
//! let response = transport.oneshot(request).await?;
//! let info = response.extensions().get::<vt_transport::ApiErrorInfo>().unwrap();
//! assert_eq!(info.code, Some(vt_model::ErrorCode::NotFound));
//! # Ok(()) }
//! ```
//!
//! To wrap a `Transport` in layers after it is built, use `tower::ServiceBuilder` and
//! [`Transport::from_service`] to erase the type again. [`TransportBuilder::into_layer`]
//! gives the whole stack as one [`TransportLayer`] to put over any inner service.
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod auth;
pub mod body;
mod builder;
mod calendar;
pub mod classify;
pub mod error;
pub mod http;
pub mod rate_limit;
mod redact;
pub mod redirect;
pub mod retry;
pub mod timeout;
pub mod tls;
pub mod trace;
mod user_agent;

pub use auth::{ApiKey, AuthLayer};
pub use body::{BodyFactory, BoxError, ResponseBody, VtBody};
pub use builder::{Transport, TransportBuilder, TransportLayer};
pub use classify::{ApiErrorInfo, ClassifyLayer};
pub use error::{RedirectError, TimeoutKind, TransportError};
pub use http::{HttpTransport, ProxyConfig};
pub use rate_limit::{
    Admission, RateLimitLayer, RateLimitSpec, RateLimitSpecError, RateLimitStatus, RateLimitStore,
    RateLimiter, RateWindow, StoreFuture, StoreSlot,
};
pub use redact::redact_url;
pub use redirect::RedirectPolicy;
pub use retry::{Attempts, RetryConfig, RetryLayer, RetryPolicy};
pub use timeout::TimeoutLayer;
pub use tls::TLS_BACKEND;
pub use trace::TraceLayer;
pub use user_agent::{UserAgentLayer, user_agent_string};
