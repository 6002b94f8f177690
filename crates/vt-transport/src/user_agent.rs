//! [`UserAgentLayer`]: a `User-Agent` on every request that does not set its own.

use std::task::{Context, Poll};

use http::Request;
use http::header::{HeaderValue, USER_AGENT};
use tower::{Layer, Service};

/// The User-Agent this crate sends: `<app>; vt-rs/<version>; gzip`, or `vt-rs/<version>; gzip`
/// without an app name. The trailing `gzip` is what VirusTotal's front end looks for before it
/// compresses responses (vt-py and vt-go do the same).
///
/// ```
/// let ua = vt_transport::user_agent_string(Some("my-scanner/2.1"));
/// assert!(ua.starts_with("my-scanner/2.1; vt-rs/"));
/// assert!(ua.ends_with("; gzip"));
/// ```
pub fn user_agent_string(app: Option<&str>) -> String {
    let ours = concat!("vt-rs/", env!("CARGO_PKG_VERSION"), "; gzip");
    match app.map(str::trim).filter(|a| !a.is_empty()) {
        Some(app) => format!("{app}; {ours}"),
        None => ours.to_owned(),
    }
}

/// Sets `User-Agent` on requests that have none.
#[derive(Clone, Debug)]
pub struct UserAgentLayer {
    value: HeaderValue,
}

impl UserAgentLayer {
    /// A layer that sends `value`.
    pub fn new(value: HeaderValue) -> Self {
        UserAgentLayer { value }
    }
}

impl<S> Layer<S> for UserAgentLayer {
    type Service = UserAgent<S>;

    fn layer(&self, inner: S) -> UserAgent<S> {
        UserAgent {
            inner,
            value: self.value.clone(),
        }
    }
}

/// The service made by [`UserAgentLayer`].
#[derive(Clone, Debug)]
pub struct UserAgent<S> {
    inner: S,
    value: HeaderValue,
}

impl<S, B> Service<Request<B>> for UserAgent<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> S::Future {
        req.headers_mut()
            .entry(USER_AGENT)
            .or_insert_with(|| self.value.clone());
        self.inner.call(req)
    }
}
