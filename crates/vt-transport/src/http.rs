//! [`HttpTransport`]: the innermost service, hyper 1 over hyper-util's pooled client with
//! TLS (the back end of [`crate::tls`]; verification always on), HTTP/2 by ALPN where the
//! server offers it, and HTTP(S) proxies.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use http::header::PROXY_AUTHORIZATION;
use http::{Request, Response, Uri};
use hyper::body::Incoming;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tower::{Service, ServiceExt};

use crate::body::{BoxError, VtBody};
use crate::error::{ProxyFailure, TransportError};
use crate::redact::redact_url;
use crate::tls::{self, MaybeTls, SharedTlsError, TlsConnector};

/// Where the proxy settings come from.
#[derive(Clone, Default)]
pub enum ProxyConfig {
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (and their lower-case forms)
    /// from the environment, read when the transport is built. Under CGI (`REQUEST_METHOD`
    /// set) the upper-case `HTTP_PROXY` is ignored (the "httpoxy" attack).
    #[default]
    FromEnv,
    /// One proxy for every request except hosts in `no_proxy` (comma-separated, `NO_PROXY`
    /// syntax). The environment is not read.
    Explicit {
        /// The proxy URL, e.g. `http://user:pass@proxy:3128`.
        url: String,
        /// Hosts that bypass the proxy.
        no_proxy: String,
    },
    /// No proxy, whatever the environment says.
    Disabled,
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxyConfig::FromEnv => f.write_str("FromEnv"),
            ProxyConfig::Explicit { url, no_proxy } => f
                .debug_struct("Explicit")
                .field("url", &redact_url(url))
                .field("no_proxy", no_proxy)
                .finish(),
            ProxyConfig::Disabled => f.write_str("Disabled"),
        }
    }
}

impl ProxyConfig {
    /// Builds the matcher, reading variables through `lookup` for [`ProxyConfig::FromEnv`].
    fn matcher(
        &self,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<Matcher>, TransportError> {
        match self {
            ProxyConfig::Disabled => Ok(None),
            ProxyConfig::Explicit { url, no_proxy } => {
                let uri: Uri = url.parse().map_err(|_| TransportError::Config {
                    reason: format!("proxy URL `{}` is not a valid URL", redact_url(url)),
                })?;
                if !matches!(uri.scheme_str(), Some("http") | Some("https")) || uri.host().is_none()
                {
                    return Err(TransportError::Config {
                        reason: format!(
                            "proxy URL `{}` must be http:// or https:// with a host",
                            redact_url(url)
                        ),
                    });
                }
                Ok(Some(
                    Matcher::builder()
                        .all(url.as_str())
                        .no(no_proxy.as_str())
                        .build(),
                ))
            }
            ProxyConfig::FromEnv => {
                let first = |names: &[&str]| {
                    names
                        .iter()
                        .find_map(|n| lookup(n).filter(|v| !v.trim().is_empty()))
                        .unwrap_or_default()
                };
                let cgi = lookup("REQUEST_METHOD").is_some();
                let http = if cgi {
                    first(&["http_proxy"])
                } else {
                    first(&["HTTP_PROXY", "http_proxy"])
                };
                let https = first(&["HTTPS_PROXY", "https_proxy"]);
                let all = first(&["ALL_PROXY", "all_proxy"]);
                if http.is_empty() && https.is_empty() && all.is_empty() {
                    return Ok(None);
                }
                Ok(Some(
                    Matcher::builder()
                        .all(all)
                        .http(http)
                        .https(https)
                        .no(first(&["NO_PROXY", "no_proxy"]))
                        .build(),
                ))
            }
        }
    }
}

/// Settings of the HTTP client.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// TCP connect timeout (per address tried).
    pub connect_timeout: Option<Duration>,
    /// How long an idle pooled connection is kept.
    pub pool_idle_timeout: Duration,
    /// Idle connections kept per host.
    pub pool_max_idle_per_host: usize,
    /// Proxy settings.
    pub proxy: ProxyConfig,
    /// Speak HTTP/2 from the first byte on plain `http://` connections ("prior knowledge",
    /// h2c): every request in flight to a host shares one connection. Only for a server known
    /// to accept it (the emulator does; an HTTP/1.1-only server fails the requests). Off by
    /// default. `https://` is not affected: HTTP/2 is offered there by ALPN and used when the
    /// server picks it. Requests that go through an HTTP proxy stay HTTP/1.1.
    pub http2_prior_knowledge: bool,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            connect_timeout: Some(Duration::from_secs(10)),
            pool_idle_timeout: Duration::from_secs(90),
            pool_max_idle_per_host: 16,
            proxy: ProxyConfig::FromEnv,
            http2_prior_knowledge: false,
        }
    }
}

type HyperClient = Client<LazyTls, VtBody>;

/// The real network service: `Request<VtBody>` in, `Response<Incoming>` out.
#[derive(Clone)]
pub struct HttpTransport {
    client: HyperClient,
    /// With [`HttpSettings::http2_prior_knowledge`]: the client for plain `http://`
    /// requests that go straight to the server, HTTP/2 only.
    h2c: Option<HyperClient>,
    proxy: Option<Arc<Matcher>>,
}

impl fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpTransport")
            .field("proxy", &self.proxy.is_some())
            .field("http2_prior_knowledge", &self.h2c.is_some())
            .finish()
    }
}

impl HttpTransport {
    /// Builds the client. Fails when the TLS context cannot be created or the proxy URL is
    /// invalid. Building needs no runtime; sending requests needs a tokio runtime.
    pub fn new(settings: &HttpSettings) -> Result<Self, TransportError> {
        Self::with_env(settings, &|name| std::env::var(name).ok())
    }

    /// Like [`HttpTransport::new`], reading proxy variables through `lookup` instead of the
    /// process environment.
    pub fn with_env(
        settings: &HttpSettings,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, TransportError> {
        let proxy = settings.proxy.matcher(lookup)?.map(Arc::new);
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(settings.connect_timeout);
        http.set_keepalive(Some(Duration::from_secs(60)));
        let connector = LazyTls {
            plain: ProxyConnector {
                http,
                proxy: proxy.clone(),
            },
            https: Arc::new(OnceLock::new()),
        };
        let mut builder = Client::builder(TokioExecutor::new());
        builder
            .pool_idle_timeout(settings.pool_idle_timeout)
            .pool_max_idle_per_host(settings.pool_max_idle_per_host)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new());
        let h2c = settings.http2_prior_knowledge.then(|| {
            let mut h2 = builder.clone();
            // Flow-control windows that grow with the link, so large bodies (downloads) are
            // not held to the 64 KiB default window.
            h2.http2_only(true).http2_adaptive_window(true);
            h2.build(connector.clone())
        });
        let client = builder.build(connector);
        Ok(HttpTransport { client, h2c, proxy })
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl Service<Request<VtBody>> for HttpTransport {
    type Response = Response<Incoming>;
    type Error = TransportError;
    type Future = BoxFuture<Result<Response<Incoming>, TransportError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut req: Request<VtBody>) -> Self::Future {
        let uri = req.uri();
        if !matches!(uri.scheme_str(), Some("http") | Some("https")) || uri.host().is_none() {
            let reason = format!(
                "`{}` is not an absolute http:// or https:// URL",
                redact_url(&uri.to_string())
            );
            return Box::pin(async move { Err(TransportError::InvalidRequest { reason }) });
        }
        let plain = uri.scheme_str() == Some("http");
        let intercept = plain
            .then(|| self.proxy.as_ref().and_then(|m| m.intercept(uri)))
            .flatten();
        let proxied = intercept.is_some();
        if let Some(auth) = intercept.as_ref().and_then(|i| i.basic_auth()) {
            let mut auth = auth.clone();
            auth.set_sensitive(true);
            req.headers_mut().insert(PROXY_AUTHORIZATION, auth);
        }
        let client = match &self.h2c {
            Some(h2c) if plain && !proxied => h2c,
            _ => &self.client,
        };
        let fut = client.request(req);
        Box::pin(async move {
            fut.await
                .map_err(|e| TransportError::from_boxed(Box::new(e)))
        })
    }
}

/// Connects directly, through a CONNECT tunnel (https via proxy) or to the proxy itself
/// (http via proxy, where the request goes in absolute form).
#[derive(Clone)]
struct ProxyConnector {
    http: HttpConnector,
    proxy: Option<Arc<Matcher>>,
}

impl Service<Uri> for ProxyConnector {
    type Response = Conn;
    type Error = BoxError;
    type Future = BoxFuture<Result<Conn, BoxError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let http = self.http.clone();
        let intercept = self.proxy.as_ref().and_then(|m| m.intercept(&dst));
        Box::pin(async move {
            match intercept {
                None => {
                    let io = http.oneshot(dst).await?;
                    Ok(Conn { io, proxied: false })
                }
                Some(proxy) if dst.scheme_str() == Some("https") => {
                    let mut tunnel = Tunnel::new(proxy.uri().clone(), http);
                    if let Some(auth) = proxy.basic_auth() {
                        tunnel = tunnel.with_auth(auth.clone());
                    }
                    let io = tunnel
                        .oneshot(dst)
                        .await
                        .map_err(|e| ProxyFailure(Box::new(e)))?;
                    Ok(Conn { io, proxied: false })
                }
                Some(proxy) => {
                    let io = http
                        .oneshot(proxy.uri().clone())
                        .await
                        .map_err(|e| ProxyFailure(Box::new(e)))?;
                    Ok(Conn { io, proxied: true })
                }
            }
        })
    }
}

/// The TLS connector, built on the first `https://` connection and shared by clones.
///
/// Building a native TLS connector loads the system's root certificates, a noticeable part of
/// a short run's CPU (`docs/benchmarks.md` has the profile): a client that only talks plain
/// `http://` (the emulator, a local mirror) never pays it.
#[derive(Clone)]
struct LazyTls {
    plain: ProxyConnector,
    https: Arc<OnceLock<Result<TlsConnector<ProxyConnector>, SharedTlsError>>>,
}

impl Service<Uri> for LazyTls {
    type Response = MaybeTls<Conn>;
    type Error = BoxError;
    type Future = BoxFuture<Result<Self::Response, BoxError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        if dst.scheme_str() != Some("https") {
            let plain = self.plain.clone();
            return Box::pin(async move { Ok(tls::plain(plain.oneshot(dst).await?)) });
        }
        let built = self.https.get_or_init(|| {
            tls::connector(self.plain.clone()).map_err(|e| SharedTlsError(Arc::from(e)))
        });
        match built {
            Ok(https) => {
                let https = https.clone();
                Box::pin(async move { https.oneshot(dst).await })
            }
            Err(e) => {
                let e = e.clone();
                Box::pin(async move { Err(Box::new(e) as BoxError) })
            }
        }
    }
}

/// A TCP connection that knows whether it leads to an HTTP proxy.
struct Conn {
    io: TokioIo<TcpStream>,
    proxied: bool,
}

impl Connection for Conn {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.proxied)
    }
}

impl Read for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl Write for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn env_proxies_follow_scheme_and_no_proxy() {
        let m = ProxyConfig::FromEnv
            .matcher(&env(&[
                ("HTTPS_PROXY", "http://secure-proxy:3128"),
                ("http_proxy", "http://plain-proxy:8080"),
                ("NO_PROXY", "internal.example,10.0.0.0/8"),
            ]))
            .unwrap()
            .unwrap();
        let hit = |u: &str| {
            m.intercept(&u.parse().unwrap())
                .map(|i| i.uri().to_string())
        };
        assert_eq!(
            hit("https://www.virustotal.com/api/v3").as_deref(),
            Some("http://secure-proxy:3128/")
        );
        assert_eq!(
            hit("http://example.com/").as_deref(),
            Some("http://plain-proxy:8080/")
        );
        assert_eq!(hit("https://api.internal.example/"), None);
        assert_eq!(hit("http://10.1.2.3/"), None);
    }

    #[test]
    fn cgi_ignores_upper_case_http_proxy_and_no_env_means_no_proxy() {
        let m = ProxyConfig::FromEnv
            .matcher(&env(&[
                ("REQUEST_METHOD", "GET"),
                ("HTTP_PROXY", "http://evil:1"),
            ]))
            .unwrap();
        assert!(m.is_none());
        assert!(ProxyConfig::FromEnv.matcher(&env(&[])).unwrap().is_none());
    }

    #[test]
    fn bad_explicit_proxies_are_config_errors_without_credentials() {
        let cfg = ProxyConfig::Explicit {
            url: "ftp://user:hunter2@proxy".into(),
            no_proxy: String::new(),
        };
        let err = cfg.matcher(&env(&[])).unwrap_err().to_string();
        assert!(err.contains("must be http://"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
        assert!(!format!("{cfg:?}").contains("hunter2"));
    }
}
