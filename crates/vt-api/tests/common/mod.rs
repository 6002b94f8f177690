//! Shared test helpers: fixtures, a real HTTP transport to 127.0.0.1, and an in-process fake.
#![allow(dead_code)]

use std::path::PathBuf;

use http::Request;
use vt_api::Client;
use vt_transport::{BoxError, VtBody};

pub const KEY: &str = "test-api-key-0123456789";

/// The real-response corpus (`VT_FIXTURES_DIR`, default `fixtures/vt-json` in the repository).
pub fn fixtures_dir() -> PathBuf {
    match std::env::var_os("VT_FIXTURES_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/vt-json"),
    }
}

/// One fixture document as text.
pub fn fixture(name: &str) -> String {
    let path = fixtures_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// One fixture document as JSON.
pub fn fixture_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(name)).unwrap()
}

/// A client over real HTTP to `base_url` (127.0.0.1) with the production transport
/// (`vt-transport`: auth, retries, classify, redirects, ...), rate limit off.
pub fn http_client(base_url: &str) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(base_url)
        .rate_limit(vt_api::transport::RateLimitSpec::none())
        .build()
        .unwrap()
}

/// A client over a bare hyper-util client that only adds `x-apikey`: any tower service works.
pub fn bare_http_client(base_url: &str) -> Client {
    use hyper_util::client::legacy::Client as HyperClient;
    use hyper_util::rt::TokioExecutor;
    let hyper: HyperClient<_, VtBody> = HyperClient::builder(TokioExecutor::new()).build_http();
    let service = tower::service_fn(move |mut req: Request<VtBody>| {
        let hyper = hyper.clone();
        req.headers_mut()
            .insert("x-apikey", http::HeaderValue::from_static(KEY));
        async move { hyper.request(req).await.map_err(BoxError::from) }
    });
    Client::with_service(service, base_url).unwrap()
}

/// A mock of `route` (`"DELETE /collections/c1"`: a method and a path below `/api/v3`),
/// plus whatever `more` asks of the request (query parameters, headers, a body), that
/// answers 200 with `body` (`""` for an empty answer).
pub async fn answer_ok<'a>(
    server: &'a httpmock::MockServer,
    route: &str,
    more: impl FnOnce(httpmock::When) -> httpmock::When,
    body: &str,
) -> httpmock::Mock<'a> {
    let (method, path) = route.split_once(' ').expect("a route is \"METHOD /path\"");
    let path = format!("/api/v3{path}");
    server
        .mock_async(|when, then| {
            more(when.method(method).path(path));
            then.status(200).body(body);
        })
        .await
}

/// The `more` of [`answer_ok`] that asks nothing more.
pub fn any(when: httpmock::When) -> httpmock::When {
    when
}

/// A mock that answers every request with 500: assert it saw none
/// (`.assert_calls_async(0)`) to show that bad input sent nothing.
pub async fn refuse_every_request(server: &httpmock::MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await
}

pub use vt_test_support::Seen;

/// An in-process fake VirusTotal (vt-test-support's [`vt_test_support::Fake`] answering each
/// request with a status and a body), with clients over it.
#[derive(Clone)]
pub struct Fake(vt_test_support::Fake);

impl Fake {
    pub fn new(handler: impl Fn(&Seen) -> (u16, String) + Send + Sync + 'static) -> Self {
        Fake(vt_test_support::Fake::answering(handler))
    }

    /// A client sending through this fake.
    pub fn client(&self) -> Client {
        Client::with_service(self.0.service::<VtBody>(), "https://fake.example").unwrap()
    }

    /// A client with the whole production transport stack (auth, retries, ...) over this
    /// fake instead of the network.
    pub fn client_with_transport(&self, builder: vt_api::ClientBuilder) -> Client {
        builder
            .base_url("https://fake.example")
            .api_key(KEY)
            .build_with(self.0.service::<VtBody>())
            .unwrap()
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.0.seen()
    }

    pub fn count(&self) -> usize {
        self.0.count()
    }
}
