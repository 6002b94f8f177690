//! Test support shared by the vt-rs test suites (never published; a dev-dependency only).
//!
//! [`Fake`] is an in-process fake HTTP server: a `tower::Service` that records every request
//! it is sent ([`Seen`]) and answers from a script, with no socket. vt-transport's tests put
//! it under the layer stack; vt-api's tests put a `Client` over it.
//!
//! [`RedisServer`] starts a real `redis-server` on a free loopback port for the fleet tests.
//!
//! ```
//! use vt_test_support::{Fake, respond};
//! let fake = Fake::new(|n, _seen| respond(200, &format!(r#"{{"n": {n}}}"#)));
//! assert_eq!(fake.count(), 0);
//! ```

use std::sync::{Arc, Mutex, PoisonError};

pub mod redis_server;
pub use redis_server::RedisServer;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body::Body;
use http_body_util::{BodyExt, Full};
use tokio::time::Instant;

/// The error type of the fake service (the same as tower's and vt-transport's `BoxError`).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the fake answers: a response, or an error as a connection failure would give.
pub type Answer = Result<Response<Full<Bytes>>, BoxError>;

/// One request as the fake saw it, body collected.
#[derive(Debug, Clone)]
pub struct Seen {
    /// When it arrived (tokio's clock, so paused-clock tests can measure waits).
    pub at: Instant,
    /// The method.
    pub method: http::Method,
    /// The URI as sent.
    pub uri: http::Uri,
    /// The headers as sent.
    pub headers: http::HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

impl Seen {
    /// The URI's path.
    pub fn path(&self) -> &str {
        self.uri.path()
    }

    /// The decoded query parameters, in order.
    pub fn query(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.uri.query().unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// The first value of query parameter `key`.
    pub fn query_value(&self, key: &str) -> Option<String> {
        self.query()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

type Script = Arc<dyn Fn(usize, &Seen) -> Answer + Send + Sync>;

/// An in-process fake HTTP server: records requests and answers the n-th (0-based) from a
/// script. Clones share the record.
#[derive(Clone)]
pub struct Fake {
    seen: Arc<Mutex<Vec<Seen>>>,
    script: Script,
}

impl Fake {
    /// A fake answering request number `n` (0-based) with `script(n, request)`.
    pub fn new(script: impl Fn(usize, &Seen) -> Answer + Send + Sync + 'static) -> Self {
        Fake {
            seen: Arc::default(),
            script: Arc::new(script),
        }
    }

    /// A fake answering each request with the status and body `handler` gives (no
    /// `Content-Type`, as some VirusTotal answers have none).
    pub fn answering(handler: impl Fn(&Seen) -> (u16, String) + Send + Sync + 'static) -> Self {
        Fake::new(move |_, seen| {
            let (status, body) = handler(seen);
            let mut resp = Response::new(Full::new(Bytes::from(body)));
            *resp.status_mut() = StatusCode::from_u16(status)?;
            Ok(resp)
        })
    }

    /// Every request so far, in arrival order.
    pub fn seen(&self) -> Vec<Seen> {
        self.lock().clone()
    }

    /// How many requests arrived.
    pub fn count(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Seen>> {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The fake as a tower service over requests with any body.
    pub fn service<B>(
        &self,
    ) -> impl tower::Service<
        Request<B>,
        Response = Response<Full<Bytes>>,
        Error = BoxError,
        Future = impl Send + 'static,
    > + Clone
    + Send
    + Sync
    + 'static
    where
        B: Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<BoxError>,
    {
        let this = self.clone();
        tower::service_fn(move |req: Request<B>| {
            let this = this.clone();
            async move {
                let at = Instant::now();
                let (parts, body) = req.into_parts();
                let body = body.collect().await.map_err(Into::into)?.to_bytes();
                let seen = Seen {
                    at,
                    method: parts.method,
                    uri: parts.uri,
                    headers: parts.headers,
                    body,
                };
                let n = {
                    let mut all = this.lock();
                    all.push(seen.clone());
                    all.len() - 1
                };
                (this.script)(n, &seen)
            }
        })
    }
}

/// A JSON answer with `status`.
pub fn respond(status: u16, body: &str) -> Answer {
    Ok(Response::builder()
        .status(StatusCode::from_u16(status)?)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_owned())))?)
}

/// VirusTotal's error body for `code` with `status`.
pub fn api_error(status: u16, code: &str) -> Answer {
    respond(
        status,
        &format!(r#"{{"error": {{"code": "{code}", "message": "{code} happened"}}}}"#),
    )
}
