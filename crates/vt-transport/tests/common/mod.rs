//! Shared helpers: an in-process fake HTTP service that records what it is sent.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use tokio::time::Instant;
use vt_transport::{BoxError, VtBody};

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub at: Instant,
    pub method: http::Method,
    pub uri: http::Uri,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

/// What the fake answers to the n-th request (0-based).
pub type Script =
    Arc<dyn Fn(usize, &Seen) -> Result<Response<Full<Bytes>>, BoxError> + Send + Sync>;

#[derive(Clone)]
pub struct Fake {
    pub seen: Arc<Mutex<Vec<Seen>>>,
    script: Script,
}

impl Fake {
    pub fn new(
        script: impl Fn(usize, &Seen) -> Result<Response<Full<Bytes>>, BoxError> + Send + Sync + 'static,
    ) -> Self {
        Fake {
            seen: Arc::new(Mutex::new(Vec::new())),
            script: Arc::new(script),
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    /// The fake as a tower service (what `build_with` takes).
    pub fn service(
        &self,
    ) -> impl tower::Service<
        Request<VtBody>,
        Response = Response<Full<Bytes>>,
        Error = BoxError,
        Future = impl Send + 'static,
    > + Clone
    + Send
    + Sync
    + 'static {
        let this = self.clone();
        tower::service_fn(move |req: Request<VtBody>| {
            let this = this.clone();
            async move {
                let at = Instant::now();
                let (parts, body) = req.into_parts();
                let body = body.collect().await?.to_bytes();
                let seen = Seen {
                    at,
                    method: parts.method,
                    uri: parts.uri,
                    headers: parts.headers,
                    body,
                };
                let n = {
                    let mut all = this.seen.lock().unwrap();
                    all.push(seen.clone());
                    all.len() - 1
                };
                (this.script)(n, &seen)
            }
        })
    }
}

pub fn respond(status: u16, body: &str) -> Result<Response<Full<Bytes>>, BoxError> {
    Ok(Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_owned())))
        .unwrap())
}

pub fn api_error(status: u16, code: &str) -> Result<Response<Full<Bytes>>, BoxError> {
    respond(
        status,
        &format!(r#"{{"error": {{"code": "{code}", "message": "{code} happened"}}}}"#),
    )
}

pub fn get(url: &str) -> Request<VtBody> {
    Request::get(url).body(VtBody::empty()).unwrap()
}

pub async fn body_text(resp: Response<vt_transport::ResponseBody>) -> String {
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}
