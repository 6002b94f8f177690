//! [`TraceLayer`]: one `tracing` span per logical request, with the URL redacted.
//!
//! The span `vt_transport.request` (level DEBUG) carries `method`, `url` (API keys redacted
//! by [`crate::redact_url`]; headers are never recorded), and, once known,
//! `status`, `attempts`, `latency_ms`, `request_bytes` and `response_bytes` (from
//! `Content-Length` when present). Retries and redirects log events inside it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use futures_util::future::Either;
use http::{Request, Response};
use tower::{Layer, Service};
use tracing::Instrument;

use crate::auth::ApiKey;
use crate::body::VtBody;
use crate::error::TransportError;
use crate::redact::redact_url;
use crate::retry::Attempts;

/// Adds the request span. See the [module docs](self).
#[derive(Clone, Debug, Default)]
pub struct TraceLayer {
    key: Option<ApiKey>,
}

impl TraceLayer {
    /// The layer.
    pub fn new() -> Self {
        TraceLayer::default()
    }

    /// The layer, also masking `key` wherever it appears in a logged URL: some endpoints
    /// take the key itself as a path segment (`/users/{key}/overall_quotas`).
    pub fn redacting(key: Option<ApiKey>) -> Self {
        TraceLayer { key }
    }
}

impl<S> Layer<S> for TraceLayer {
    type Service = Trace<S>;

    fn layer(&self, inner: S) -> Trace<S> {
        Trace {
            inner,
            key: self.key.clone(),
        }
    }
}

/// The service made by [`TraceLayer`].
#[derive(Clone, Debug)]
pub struct Trace<S> {
    inner: S,
    key: Option<ApiKey>,
}

/// The URL as it may be logged: secret query parameters and the key itself masked.
fn loggable_url(uri: &http::Uri, key: Option<&ApiKey>) -> String {
    let url = redact_url(&uri.to_string()).into_owned();
    match key.map(ApiKey::expose) {
        Some(k) if !k.is_empty() && url.contains(k) => url.replace(k, "REDACTED"),
        _ => url,
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B> Service<Request<VtBody>> for Trace<S>
where
    S: Service<Request<VtBody>, Response = Response<B>, Error = TransportError>,
    S::Future: Send + 'static,
{
    type Response = Response<B>;
    type Error = TransportError;
    type Future = Either<S::Future, BoxFuture<Result<Response<B>, TransportError>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<VtBody>) -> Self::Future {
        if !tracing::enabled!(target: "vt_transport", tracing::Level::DEBUG) {
            return Either::Left(self.inner.call(req));
        }
        let span = tracing::debug_span!(
            target: "vt_transport",
            "vt_transport.request",
            method = %req.method(),
            url = %loggable_url(req.uri(), self.key.as_ref()),
            request_bytes = req.body().len(),
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
            response_bytes = tracing::field::Empty,
        );
        let fut = {
            let _enter = span.enter();
            self.inner.call(req)
        };
        let start = Instant::now();
        let record = span.clone();
        Either::Right(Box::pin(
            async move {
                let result = fut.await;
                record.record("latency_ms", start.elapsed().as_millis() as u64);
                match &result {
                    Ok(resp) => {
                        record.record("status", resp.status().as_u16());
                        if let Some(Attempts(n)) = resp.extensions().get::<Attempts>() {
                            record.record("attempts", n);
                        }
                        if let Some(len) = resp
                            .headers()
                            .get(http::header::CONTENT_LENGTH)
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| v.parse::<u64>().ok())
                        {
                            record.record("response_bytes", len);
                        }
                        tracing::debug!(target: "vt_transport", status = resp.status().as_u16(), "response");
                    }
                    Err(e) => {
                        tracing::debug!(target: "vt_transport", error = %e, "request failed");
                    }
                }
                result
            }
            .instrument(span),
        ))
    }
}
