//! [`Client::new`] and [`ClientBuilder`]: a client over the `vt-transport` stack.

use std::time::Duration;

use vt_model::Tier;
use vt_transport::{RateLimitSpec, RetryConfig, TransportBuilder};

use crate::cache::{AttachedCache, CachePolicy, ReportCache};
use crate::client::{Client, DEFAULT_BASE_URL, Settings, clamp_batch};
use crate::error::{Error, Result};
use crate::v2::{PRIVATE_BATCH_LIMIT, PUBLIC_BATCH_LIMIT};

impl Client {
    /// A client for `https://www.virustotal.com` with the transport's defaults: the public
    /// API's rate limit (4 requests a minute), retries of transient failures, timeouts and
    /// proxies from the environment.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), vt_api::Error> {
    /// let client = vt_api::Client::new(std::env::var("VT_API_KEY").unwrap_or_default())?;
    /// # Ok(()) }
    /// ```
    pub fn new(api_key: impl Into<String>) -> Result<Self> {
        Self::builder().api_key(api_key).build()
    }

    /// A builder for everything else (base URL, rate limit, retries, timeouts, proxy, ...).
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }
}

/// Configures a [`Client`] over the `vt-transport` stack.
///
/// ```no_run
/// # fn main() -> Result<(), vt_api::Error> {
/// use std::time::Duration;
/// let client = vt_api::Client::builder()
///     .api_key("...")
///     .base_url("http://127.0.0.1:8080")
///     .tier(vt_api::Tier::Premium) // no client-side rate limit, v2 batches of 25
///     .rate_limit(vt_api::RateLimitSpec::premium(1000))
///     .max_retries(3)
///     .response_timeout(Duration::from_secs(60))
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct ClientBuilder {
    transport: TransportBuilder,
    base_url: String,
    tier: Tier,
    /// Set by [`ClientBuilder::rate_limit`]: the tier's default no longer applies.
    explicit_rate_limit: bool,
    /// Set by [`ClientBuilder::v2_batch_limit`]; the tier's size otherwise.
    v2_batch_limit: Option<usize>,
    max_json_body: usize,
    /// Kept only to name the cache namespace (a keyed digest); redacted in `Debug`.
    key_for_cache: RedactedKey,
    cache: Option<(std::sync::Arc<dyn ReportCache>, CachePolicy)>,
}

/// The API key, never shown by `Debug`.
#[derive(Clone, Default)]
struct RedactedKey(String);

impl std::fmt::Debug for RedactedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientBuilder {
    /// The defaults (see [`Client::new`]); no API key yet.
    pub fn new() -> Self {
        ClientBuilder {
            transport: TransportBuilder::new(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            tier: Tier::Public,
            explicit_rate_limit: false,
            v2_batch_limit: None,
            max_json_body: crate::client::DEFAULT_MAX_JSON_BODY,
            key_for_cache: RedactedKey::default(),
            cache: None,
        }
    }

    /// The API key (sent by the transport as `x-apikey`; never logged).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        let key = key.into();
        self.key_for_cache = RedactedKey(key.clone());
        self.transport = self.transport.api_key(key);
        self
    }

    /// Where to send requests: `https://...` or plain `http://...` (for a local emulator or a
    /// mock server). Default `https://www.virustotal.com`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Your application's name, put first in the `User-Agent`.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.transport = self.transport.user_agent(agent);
        self
    }

    /// The key's tier, which sets two things together: the default client-side rate limit
    /// (public: 4 requests a minute and 500 a day; premium: none, the contract's quotas are
    /// the server's to enforce) and the v2 batch size (4 or 25 resources a request).
    /// [`rate_limit`](Self::rate_limit) and [`v2_batch_limit`](Self::v2_batch_limit) override
    /// either, in any order. Default [`Tier::Public`].
    pub fn tier(mut self, tier: Tier) -> Self {
        self.tier = tier;
        if !self.explicit_rate_limit {
            self.transport = self.transport.rate_limit(match tier {
                Tier::Public => RateLimitSpec::public(),
                Tier::Premium => RateLimitSpec::none(),
            });
        }
        self
    }

    /// The client-side rate limit (`public`, `none`, `premium(n)`, or a spec like
    /// `4/min,500/day`), instead of the tier's default.
    pub fn rate_limit(mut self, spec: RateLimitSpec) -> Self {
        self.explicit_rate_limit = true;
        self.transport = self.transport.rate_limit(spec);
        self
    }

    /// Keeps the rate limiter's windows in `store` instead of this process, so that every
    /// process using the same store and key shares one rate (a fleet; the `vt-redis` crate
    /// has a Redis store). The rate is still the tier's or [`rate_limit`](Self::rate_limit)'s.
    ///
    /// ```no_run
    /// # fn demo(store: std::sync::Arc<dyn vt_api::transport::RateLimitStore>) -> Result<(), vt_api::Error> {
    /// let client = vt_api::Client::builder()
    ///     .api_key("...")
    ///     .rate_limit("20/s".parse().unwrap())
    ///     .rate_limit_store(store)
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn rate_limit_store(
        mut self,
        store: std::sync::Arc<dyn vt_transport::RateLimitStore>,
    ) -> Self {
        self.transport = self.transport.rate_limit_store(store);
        self
    }

    /// The retry configuration.
    pub fn retry(mut self, config: RetryConfig) -> Self {
        self.transport = self.transport.retry(config);
        self
    }

    /// At most this many retries of a request (0 disables retries).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.transport = self.transport.max_retries(retries);
        self
    }

    /// Connection timeout.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.transport = self.transport.connect_timeout(timeout);
        self
    }

    /// Time allowed for the response head (`None` for no limit).
    pub fn response_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.transport = self.transport.response_timeout(timeout);
        self
    }

    /// Time allowed without progress while a body is transferred (`None` for no limit).
    pub fn idle_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.transport = self.transport.idle_timeout(timeout);
        self
    }

    /// An explicit proxy URL (instead of `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.transport = self.transport.proxy(url);
        self
    }

    /// HTTP/2 with prior knowledge on plain `http://` (see
    /// [`TransportBuilder::http2_prior_knowledge`]): for the emulator or another server known
    /// to speak h2c; many requests in flight share one connection.
    pub fn http2_prior_knowledge(mut self, on: bool) -> Self {
        self.transport = self.transport.http2_prior_knowledge(on);
        self
    }

    /// At most `n` requests in flight at once, shared by every clone of the client.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.transport = self.transport.concurrency(n);
        self
    }

    /// Resources per v2 file-report request, instead of the tier's (4 public, 25 premium);
    /// held between 1 and the API's maximum of 25.
    pub fn v2_batch_limit(mut self, limit: usize) -> Self {
        self.v2_batch_limit = Some(clamp_batch(limit));
        self
    }

    /// Largest JSON answer accepted (64 MiB by default).
    pub fn max_json_body(mut self, bytes: usize) -> Self {
        self.max_json_body = bytes;
        self
    }

    /// Answers cacheable lookups (reports, relationship pages, completed analyses, v2
    /// reports) from `store` while they are younger than `policy` allows, and stores fresh
    /// ones (see [`crate::cache`]; the `vt-cache` crate has a SQLite store).
    ///
    /// ```no_run
    /// # fn demo(store: std::sync::Arc<dyn vt_api::ReportCache>) -> Result<(), vt_api::Error> {
    /// let client = vt_api::Client::builder()
    ///     .api_key("...")
    ///     .cache(store, vt_api::CachePolicy::default())
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn cache(mut self, store: std::sync::Arc<dyn ReportCache>, policy: CachePolicy) -> Self {
        self.cache = Some((store, policy));
        self
    }

    /// Gives access to the transport builder for what this builder does not forward (custom
    /// layers, a shared rate limiter, ...).
    pub fn transport(mut self, f: impl FnOnce(TransportBuilder) -> TransportBuilder) -> Self {
        self.transport = f(self.transport);
        self
    }

    /// The client's settings that are not the transport's.
    fn settings(&self) -> Result<Settings> {
        let mut settings = Settings::new(&self.base_url)?;
        settings.v2_batch_limit = self.v2_batch_limit.unwrap_or(match self.tier {
            Tier::Public => PUBLIC_BATCH_LIMIT,
            Tier::Premium => PRIVATE_BATCH_LIMIT,
        });
        settings.max_json_body = self.max_json_body;
        settings.cache = self.cache.as_ref().map(|(store, policy)| AttachedCache {
            namespace: store.namespace(&self.key_for_cache.0).into(),
            api_key: self.key_for_cache.0.as_str().into(),
            store: store.clone(),
            policy: *policy,
            reads: Default::default(),
        });
        Ok(settings)
    }

    /// Builds the client (fails with [`Error::InvalidInput`] on a bad base URL, with
    /// [`Error::Config`] when the TLS or proxy setup fails).
    pub fn build(self) -> Result<Client> {
        let settings = self.settings()?;
        let transport = self
            .transport
            .build()
            .map_err(|e| Error::Config(Box::new(e)))?;
        Ok(Client::from_parts(std::sync::Arc::new(transport), settings))
    }

    /// Builds the client over another inner HTTP service, with all the transport's layers
    /// (auth, retry, rate limit, ...) on top: for tests with an in-process fake.
    pub fn build_with<S, B>(self, inner: S) -> Result<Client>
    where
        S: tower::Service<http::Request<vt_transport::VtBody>, Response = http::Response<B>>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Error: Into<vt_transport::BoxError>,
        S::Future: Send + 'static,
        B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
        B::Error: Into<vt_transport::BoxError>,
    {
        let settings = self.settings()?;
        let transport = self
            .transport
            .build_with(inner)
            .map_err(|e| Error::Config(Box::new(e)))?;
        Ok(Client::from_parts(std::sync::Arc::new(transport), settings))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tier_sets_the_v2_batch_size_and_an_explicit_size_is_capped() {
        let size = |b: ClientBuilder| b.settings().unwrap().v2_batch_limit;
        assert_eq!(size(ClientBuilder::new()), 4);
        assert_eq!(size(ClientBuilder::new().tier(Tier::Premium)), 25);
        assert_eq!(
            size(ClientBuilder::new().tier(Tier::Premium).v2_batch_limit(10)),
            10
        );
        assert_eq!(
            size(ClientBuilder::new().v2_batch_limit(100).tier(Tier::Public)),
            25
        );
        assert_eq!(size(ClientBuilder::new().v2_batch_limit(0)), 1);
    }

    #[test]
    fn the_tier_sets_the_rate_limit_unless_one_is_given() {
        let spec = |b: ClientBuilder| {
            let layer = b.transport.into_layer().unwrap();
            layer.rate_limiter().spec().clone()
        };
        assert_eq!(spec(ClientBuilder::new()), RateLimitSpec::public());
        assert_eq!(
            spec(ClientBuilder::new().tier(Tier::Premium)),
            RateLimitSpec::none()
        );
        let custom: RateLimitSpec = "30/min".parse().unwrap();
        assert_eq!(
            spec(
                ClientBuilder::new()
                    .rate_limit(custom.clone())
                    .tier(Tier::Premium)
            ),
            custom
        );
        assert_eq!(
            spec(
                ClientBuilder::new()
                    .tier(Tier::Premium)
                    .rate_limit(custom.clone())
            ),
            custom
        );
    }
}
