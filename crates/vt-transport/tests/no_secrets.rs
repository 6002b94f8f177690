//! The API key appears in no log line, error message or `Debug` output, even at TRACE level
//! and for v2 requests that carry it in the query string.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::get;
use httpmock::prelude::*;
use tower::ServiceExt;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;
use vt_transport::{ApiErrorInfo, ProxyConfig, RateLimitSpec, RetryConfig, TransportBuilder};

const KEY: &str = "SeCrEtKeY0123456789abcdef";
const PROXY_PASSWORD: &str = "pr0xyPa55";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

fn report(out: &mut String, what: &str, err: &dyn std::error::Error) {
    out.push_str(&format!("{what}: {err} / {err:?}\n"));
    let mut src = err.source();
    while let Some(e) = src {
        out.push_str(&format!("  caused by: {e} / {e:?}\n"));
        src = e.source();
    }
}

#[tokio::test]
async fn the_api_key_appears_nowhere() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::FULL)
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let api = MockServer::start_async().await;
    let other = MockServer::start_async().await;
    api.mock_async(|when, then| {
        when.path("/api/v3/files/abc");
        then.status(401)
            .header("content-type", "application/json")
            .body(r#"{"error": {"code": "WrongCredentialsError", "message": "Wrong API key"}}"#);
    })
    .await;
    let elsewhere = other.url("/landing");
    api.mock_async(move |when, then| {
        when.path("/vtapi/v2/file/report");
        then.status(302).header("location", elsewhere.as_str());
    })
    .await;
    other
        .mock_async(|when, then| {
            when.path("/landing");
            then.status(503).body("try later");
        })
        .await;
    // A (hypothetical) server that echoes the key into its redirects, in a loop.
    let echo = format!("/vtapi/v2/loop?again=1&apikey={KEY}");
    api.mock_async(move |when, then| {
        when.path("/vtapi/v2/loop");
        then.status(302).header("location", echo.as_str());
    })
    .await;
    api.mock_async(|when, then| {
        when.path("/slow");
        then.status(200).delay(Duration::from_secs(2));
    })
    .await;

    let builder = TransportBuilder::new()
        .api_key(KEY)
        .rate_limit(RateLimitSpec::none())
        .proxy_config(ProxyConfig::Disabled)
        .response_timeout(Duration::from_millis(200))
        .retry(
            RetryConfig::default()
                .max_attempts(2)
                .base_delay(Duration::from_millis(1)),
        );
    let mut out = format!("{builder:?}\n");
    let t = builder.clone().build().unwrap();
    out.push_str(&format!("{t:?}\n"));

    let resp = t
        .clone()
        .oneshot(get(&api.url("/api/v3/files/abc")))
        .await
        .unwrap();
    let info = resp.extensions().get::<ApiErrorInfo>().unwrap();
    out.push_str(&format!("{:?} {info:?}\n", resp.headers()));

    let resp = t
        .clone()
        .oneshot(get(&api.url("/vtapi/v2/file/report?resource=abc")))
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    out.push_str(&format!("{resp:?}\n"));

    let err = t
        .clone()
        .oneshot(get(&api.url("/vtapi/v2/loop")))
        .await
        .unwrap_err();
    report(&mut out, "loop", &err);
    assert!(err.to_string().contains("apikey=REDACTED"), "{err}");

    // Some endpoints take the key itself as a path segment (`/users/{key}/...`).
    let resp = t
        .clone()
        .oneshot(get(&api.url(format!("/api/v3/users/{KEY}/overall_quotas"))))
        .await
        .unwrap();
    out.push_str(&format!("{:?}\n", resp.status()));

    let err = t.clone().oneshot(get(&api.url("/slow"))).await.unwrap_err();
    report(&mut out, "timeout", &err);

    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed_url = format!(
        "http://{}/vtapi/v2/file/report",
        closed.local_addr().unwrap()
    );
    drop(closed);
    let err = t.clone().oneshot(get(&closed_url)).await.unwrap_err();
    report(&mut out, "refused", &err);

    let proxied = builder
        .proxy(format!("http://user:{PROXY_PASSWORD}@127.0.0.1:1"))
        .build()
        .unwrap();
    out.push_str(&format!("{proxied:?}\n"));
    let err = proxied
        .oneshot(get(
            "https://www.virustotal.com/vtapi/v2/file/report?resource=x",
        ))
        .await
        .unwrap_err();
    report(&mut out, "proxy", &err);

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    if std::env::var_os("VT_TRANSPORT_SHOW_LOGS").is_some() {
        eprintln!("{logs}\n{out}");
    }
    assert!(
        logs.contains("vt_transport.request"),
        "no spans captured:\n{logs}"
    );
    assert!(
        logs.contains("apikey=REDACTED"),
        "v2 URLs not logged redacted:\n{logs}"
    );
    assert!(logs.contains("retrying"), "{logs}");
    for secret in [KEY, PROXY_PASSWORD] {
        assert!(!logs.contains(secret), "secret in the logs:\n{logs}");
        assert!(
            !out.contains(secret),
            "secret in errors or Debug output:\n{out}"
        );
    }
}
