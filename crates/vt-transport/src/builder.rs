//! [`TransportBuilder`], [`TransportLayer`] and [`Transport`]: the layers put together.

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::HeaderValue;
use http::{Request, Response};
use http_body::Body;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::util::BoxCloneSyncService;
use tower::{Layer, Service, ServiceBuilder, ServiceExt};
use tower_http::decompression::DecompressionLayer;

use crate::auth::{ApiKey, AuthLayer};
use crate::body::{BoxError, ResponseBody, VtBody};
use crate::classify::ClassifyLayer;
use crate::error::TransportError;
use crate::http::{HttpSettings, HttpTransport, ProxyConfig};
use crate::rate_limit::{RateLimitLayer, RateLimitSpec, RateLimitStore, RateLimiter};
use crate::redirect::{DEFAULT_MAX_REDIRECTS, RedirectPolicy};
use crate::retry::{RetryConfig, RetryPolicy};
use crate::timeout::TimeoutLayer;
use crate::trace::TraceLayer;
use crate::user_agent::{UserAgentLayer, user_agent_string};

/// The default response-header timeout.
pub const DEFAULT_RESPONSE_TIMEOUT: Duration = Duration::from_secs(120);
/// The default idle (no body progress) timeout.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// The default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default bound on requests in flight at once.
pub const DEFAULT_CONCURRENCY: usize = 16;

type CustomLayer = Arc<dyn Fn(Transport) -> Transport + Send + Sync>;

/// Configures and builds a [`Transport`]. See the [crate docs](crate) for the defaults.
#[derive(Clone)]
pub struct TransportBuilder {
    api_key: Option<SecretString>,
    user_agent: Option<String>,
    rate_limit: RateLimitSpec,
    limiter: Option<RateLimiter>,
    store: Option<Arc<dyn RateLimitStore>>,
    retry: RetryConfig,
    http: HttpSettings,
    response_timeout: Option<Duration>,
    idle_timeout: Option<Duration>,
    concurrency: usize,
    max_redirects: usize,
    custom: Vec<CustomLayer>,
}

impl fmt::Debug for TransportBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "REDACTED"))
            .field("user_agent", &self.user_agent)
            .field("rate_limit", &self.rate_limit.to_string())
            .field("rate_limit_store", &self.store)
            .field("retry", &self.retry)
            .field("http", &self.http)
            .field("response_timeout", &self.response_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("concurrency", &self.concurrency)
            .field("max_redirects", &self.max_redirects)
            .field("custom_layers", &self.custom.len())
            .finish()
    }
}

impl Default for TransportBuilder {
    fn default() -> Self {
        TransportBuilder::new()
    }
}

impl TransportBuilder {
    /// A builder with the defaults: no API key, rate limit `public` (4/min), 5 tries,
    /// connect 10 s, response 120 s, idle 60 s, 16 requests in flight, 10 redirects, proxy
    /// from the environment.
    pub fn new() -> Self {
        TransportBuilder {
            api_key: None,
            user_agent: None,
            rate_limit: RateLimitSpec::public(),
            limiter: None,
            store: None,
            retry: RetryConfig::default(),
            http: HttpSettings {
                connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
                ..HttpSettings::default()
            },
            response_timeout: Some(DEFAULT_RESPONSE_TIMEOUT),
            idle_timeout: Some(DEFAULT_IDLE_TIMEOUT),
            concurrency: DEFAULT_CONCURRENCY,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            custom: Vec::new(),
        }
    }

    /// The API key sent as `x-apikey` (and as the v2 `apikey` parameter on `/vtapi/v2/`
    /// paths). Held as a `SecretString`; never logged.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(SecretString::from(key.into()));
        self
    }

    /// The application's name for the User-Agent (`<agent>; vt-rs/<version>; gzip`).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = Some(agent.into());
        self
    }

    /// The local rate limit (default [`RateLimitSpec::public`]).
    pub fn rate_limit(mut self, spec: RateLimitSpec) -> Self {
        self.rate_limit = spec;
        self.limiter = None;
        self
    }

    /// Keeps the rate limiter's windows in `store` (for example Redis, shared by a fleet of
    /// processes on one key) instead of this process; the spec stays the one of
    /// [`rate_limit`](Self::rate_limit). An explicit [`rate_limiter`](Self::rate_limiter) wins.
    pub fn rate_limit_store(mut self, store: Arc<dyn RateLimitStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Uses an existing limiter, so several transports share one budget.
    pub fn rate_limiter(mut self, limiter: RateLimiter) -> Self {
        self.rate_limit = limiter.spec().clone();
        self.limiter = Some(limiter);
        self
    }

    /// The retry settings.
    pub fn retry(mut self, config: RetryConfig) -> Self {
        self.retry = config;
        self
    }

    /// Shorthand for the number of retries after the first try (`0` disables retries).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry = self.retry.max_attempts(retries.saturating_add(1));
        self
    }

    /// The TCP connect timeout.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.http.connect_timeout = Some(d);
        self
    }

    /// How long to wait for response headers once the request is sent (`None`: forever).
    pub fn response_timeout(mut self, d: impl Into<Option<Duration>>) -> Self {
        self.response_timeout = d.into();
        self
    }

    /// How long a body may make no progress (`None`: forever). Not a total timeout.
    pub fn idle_timeout(mut self, d: impl Into<Option<Duration>>) -> Self {
        self.idle_timeout = d.into();
        self
    }

    /// Sends everything through this proxy (`http://[user:pass@]host:port`), ignoring the
    /// `*_PROXY` environment variables.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.http.proxy = ProxyConfig::Explicit {
            url: url.into(),
            no_proxy: String::new(),
        };
        self
    }

    /// Sets the proxy configuration in full (environment, explicit with exceptions, or none).
    pub fn proxy_config(mut self, config: ProxyConfig) -> Self {
        self.http.proxy = config;
        self
    }

    /// Speak HTTP/2 with prior knowledge (h2c) on plain `http://` connections: every
    /// request in flight to a host shares one connection instead of one connection each.
    /// Only for a server known to accept it, such as the emulator (`vt-emulator` serves
    /// HTTP/1.1 and h2c on the same port); off by default. `https://` is unaffected (HTTP/2
    /// is negotiated there by ALPN), and so are requests through an HTTP proxy.
    pub fn http2_prior_knowledge(mut self, on: bool) -> Self {
        self.http.http2_prior_knowledge = on;
        self
    }

    /// At most `n` requests in flight at once (`0`: no bound).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n;
        self
    }

    /// At most `n` redirects per request (`0`: redirects are returned, not followed).
    pub fn max_redirects(mut self, n: usize) -> Self {
        self.max_redirects = n;
        self
    }

    /// Wraps the whole stack, built-in layers and the custom layers added before, in `layer`:
    /// the last layer added is the outermost, the first to see a request (tested in
    /// `tests/contract.rs`).
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<Transport> + Send + Sync + 'static,
        L::Service: Service<Request<VtBody>, Response = Response<ResponseBody>, Error = TransportError>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as Service<Request<VtBody>>>::Future: Send + 'static,
    {
        self.custom
            .push(Arc::new(move |t| Transport::from_service(layer.layer(t))));
        self
    }

    /// The layers without an inner service: wrap any HTTP service with
    /// `layer.layer(service)` (or [`TransportBuilder::build_with`]).
    pub fn into_layer(self) -> Result<TransportLayer, TransportError> {
        let api_key = match &self.api_key {
            Some(k) => Some(ApiKey::new(k.expose_secret())?),
            None => None,
        };
        let ua = user_agent_string(self.user_agent.as_deref());
        let user_agent = HeaderValue::from_str(&ua).map_err(|_| TransportError::Config {
            reason: format!("user agent `{ua}` contains characters not allowed in a header"),
        })?;
        let semaphore = (self.concurrency > 0)
            .then(|| Arc::new(Semaphore::new(self.concurrency.min(Semaphore::MAX_PERMITS))));
        Ok(TransportLayer {
            api_key,
            user_agent,
            limiter: match (self.limiter, self.store) {
                (Some(limiter), _) => limiter,
                (None, Some(store)) => RateLimiter::with_store(self.rate_limit, store),
                (None, None) => RateLimiter::new(self.rate_limit),
            },
            retry: RetryPolicy::new(self.retry),
            semaphore,
            timeouts: TimeoutLayer::new(self.response_timeout, self.idle_timeout),
            max_redirects: self.max_redirects,
            custom: self.custom,
        })
    }

    /// Builds the transport over the real HTTP client ([`HttpTransport`]).
    pub fn build(self) -> Result<Transport, TransportError> {
        let mut settings = self.http.clone();
        // An idle connection kept for every request that may be in flight: with fewer, each
        // wave of `concurrency` answers closes the surplus and the next wave opens it again
        // (`cargo xtask bench` row 11: 318 connections for 2,000 lookups 64 at once with 16
        // kept).
        settings.pool_max_idle_per_host = settings.pool_max_idle_per_host.max(self.concurrency);
        let http = HttpTransport::new(&settings)?;
        self.build_with(http)
    }

    /// Builds the same stack over another inner service: a fake for tests, or a different
    /// HTTP client.
    pub fn build_with<S, B>(self, inner: S) -> Result<Transport, TransportError>
    where
        S: Service<Request<VtBody>, Response = Response<B>> + Clone + Send + Sync + 'static,
        S::Error: Into<BoxError>,
        S::Future: Send + 'static,
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        Ok(self.into_layer()?.layer(inner))
    }
}

/// Every layer of the stack, ready to wrap an inner HTTP service. Services made from one
/// `TransportLayer` share its rate limiter, retry budget and concurrency bound.
#[derive(Clone)]
pub struct TransportLayer {
    api_key: Option<ApiKey>,
    user_agent: HeaderValue,
    limiter: RateLimiter,
    retry: RetryPolicy,
    semaphore: Option<Arc<Semaphore>>,
    timeouts: TimeoutLayer,
    max_redirects: usize,
    custom: Vec<CustomLayer>,
}

impl fmt::Debug for TransportLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportLayer")
            .field("api_key", &self.api_key)
            .field("limiter", &self.limiter)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl TransportLayer {
    /// The shared rate limiter.
    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.limiter
    }
}

impl<S, B> Layer<S> for TransportLayer
where
    S: Service<Request<VtBody>, Response = Response<B>> + Clone + Send + Sync + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Service = Transport;

    fn layer(&self, inner: S) -> Transport {
        let inner = inner.map_err(|e| TransportError::from_boxed(e.into()));
        let stack = ServiceBuilder::new()
            .layer(TraceLayer::redacting(self.api_key.clone()))
            .layer(AuthLayer::optional(self.api_key.clone()))
            .layer(UserAgentLayer::new(self.user_agent.clone()))
            .layer(self.retry.clone().layer())
            .option_layer(
                self.semaphore
                    .clone()
                    .map(GlobalConcurrencyLimitLayer::with_semaphore),
            )
            .layer(RateLimitLayer::with_limiter(self.limiter.clone()))
            .layer(ClassifyLayer::new())
            .layer(RedirectPolicy::new(self.max_redirects).layer())
            .layer(DecompressionLayer::new())
            .layer(self.timeouts)
            .service(inner);
        let mut transport = Transport::from_service(stack);
        for custom in &self.custom {
            transport = custom(transport);
        }
        transport
    }
}

/// The finished stack: a cheap-to-clone `tower::Service` from `Request<VtBody>` to
/// `Response<ResponseBody>`. Clones share the rate limiter, retry budget, concurrency bound
/// and connection pool.
#[derive(Clone)]
pub struct Transport {
    inner: BoxCloneSyncService<Request<VtBody>, Response<ResponseBody>, TransportError>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Transport")
    }
}

impl Transport {
    /// A builder with the defaults.
    pub fn builder() -> TransportBuilder {
        TransportBuilder::new()
    }

    /// Erases the type of any service with the transport's request, response and error
    /// types (for example a `Transport` wrapped in more layers).
    pub fn from_service<S>(service: S) -> Transport
    where
        S: Service<Request<VtBody>, Response = Response<ResponseBody>, Error = TransportError>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
        Transport {
            inner: BoxCloneSyncService::new(service),
        }
    }
}

impl Service<Request<VtBody>> for Transport {
    type Response = Response<ResponseBody>;
    type Error = TransportError;
    type Future =
        <BoxCloneSyncService<Request<VtBody>, Response<ResponseBody>, TransportError> as Service<
            Request<VtBody>,
        >>::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<VtBody>) -> Self::Future {
        self.inner.call(req)
    }
}
