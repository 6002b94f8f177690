//! The real HTTP client against httpmock and raw sockets on 127.0.0.1.

mod common;

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{body_text, get};
use http_body_util::BodyExt;
use httpmock::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tower::ServiceExt;
use vt_model::ErrorCode;
use vt_transport::{
    ApiErrorInfo, ProxyConfig, RateLimitSpec, RedirectError, RetryConfig, TimeoutKind,
    TransportBuilder, TransportError, VtBody,
};

const KEY: &str = "k3y-under-test";

fn builder() -> TransportBuilder {
    TransportBuilder::new()
        .api_key(KEY)
        .rate_limit(RateLimitSpec::none())
        .proxy_config(ProxyConfig::Disabled)
        .retry(RetryConfig::disabled())
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

#[tokio::test]
async fn sends_key_user_agent_and_accept_encoding() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/files/abc")
                .header("x-apikey", KEY)
                .header("accept-encoding", "gzip")
                .header_matches("user-agent", "^my-tool/1.0; vt-rs/[0-9.]+; gzip$");
            then.status(200).body("{}");
        })
        .await;
    let t = builder().user_agent("my-tool/1.0").build().unwrap();
    let resp = t
        .oneshot(get(&server.url("/api/v3/files/abc")))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    m.assert_async().await;
}

#[tokio::test]
async fn gzip_and_identity_bodies_are_decoded_by_content_encoding() {
    let server = MockServer::start_async().await;
    let json = br#"{"data": {"id": "abc", "type": "file"}}"#;
    server
        .mock_async(|when, then| {
            when.path("/gz");
            then.status(200)
                .header("content-encoding", "gzip")
                .body(gzip(json));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/plain");
            then.status(200).body(&json[..]);
        })
        .await;
    // VirusTotal sometimes sends its 429 uncompressed: it must still be read.
    server
        .mock_async(|when, then| {
            when.path("/quota");
            then.status(429)
                .header("content-type", "application/json")
                .body(r#"{"error": {"code": "QuotaExceededError", "message": "Quota exceeded"}}"#);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/quota-gz");
            then.status(429)
                .header("content-encoding", "gzip")
                .body(gzip(
                    br#"{"error": {"code": "TooManyRequestsError", "message": "slow down"}}"#,
                ));
        })
        .await;
    let t = builder().build().unwrap();
    for path in ["/gz", "/plain"] {
        let resp = t.clone().oneshot(get(&server.url(path))).await.unwrap();
        assert!(resp.headers().get("content-encoding").is_none());
        assert_eq!(body_text(resp).await.as_bytes(), json, "{path}");
    }
    let resp = t.clone().oneshot(get(&server.url("/quota"))).await.unwrap();
    let info = resp.extensions().get::<ApiErrorInfo>().unwrap();
    assert_eq!(info.code, Some(ErrorCode::QuotaExceeded));
    assert_eq!(info.message, "Quota exceeded");
    let resp = t.oneshot(get(&server.url("/quota-gz"))).await.unwrap();
    let info = resp.extensions().get::<ApiErrorInfo>().unwrap().clone();
    assert_eq!(info.code, Some(ErrorCode::TooManyRequests));
    assert!(body_text(resp).await.contains("slow down"));
}

#[tokio::test]
async fn large_bodies_stream_through_unbuffered_and_intact() {
    let server = MockServer::start_async().await;
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let big2 = big.clone();
    server
        .mock_async(move |when, then| {
            when.path("/big");
            then.status(200).body(big2.clone());
        })
        .await;
    let t = builder().build().unwrap();
    let resp = t.oneshot(get(&server.url("/big"))).await.unwrap();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(bytes.len(), big.len());
    assert!(bytes == big);
}

#[tokio::test]
async fn redirects_are_followed_and_the_key_stays_on_its_origin() {
    let api = MockServer::start_async().await;
    let storage = MockServer::start_async().await;
    let same = api
        .mock_async(|when, then| {
            when.path("/api/v3/files/abc/download")
                .header("x-apikey", KEY);
            then.status(302)
                .header("location", "/api/v3/files/abc/download2");
        })
        .await;
    let target = storage.url("/signed/abc?sig=xyz");
    let to_storage = api
        .mock_async(move |when, then| {
            when.path("/api/v3/files/abc/download2")
                .header("x-apikey", KEY);
            then.status(302).header("location", target.as_str());
        })
        .await;
    let signed = storage
        .mock_async(|when, then| {
            when.path("/signed/abc")
                .query_param("sig", "xyz")
                .header_missing("x-apikey");
            then.status(200).body("MZ binary");
        })
        .await;
    let leaked = storage
        .mock_async(|when, then| {
            when.header_exists("x-apikey");
            then.status(418);
        })
        .await;
    let t = builder().build().unwrap();
    let resp = t
        .oneshot(get(&api.url("/api/v3/files/abc/download")))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(body_text(resp).await, "MZ binary");
    same.assert_async().await;
    to_storage.assert_async().await;
    signed.assert_async().await;
    assert_eq!(leaked.calls_async().await, 0);
}

#[tokio::test]
async fn redirect_loops_and_long_chains_end_in_errors() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/a");
            then.status(302).header("location", "/b");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/b");
            then.status(307).header("location", "/a");
        })
        .await;
    for i in 0..5 {
        let next = format!("/chain{}", i + 1);
        server
            .mock_async(move |when, then| {
                when.path(format!("/chain{i}"));
                then.status(301).header("location", next.as_str());
            })
            .await;
    }
    let t = builder().max_redirects(3).build().unwrap();
    let err = t.clone().oneshot(get(&server.url("/a"))).await.unwrap_err();
    assert!(
        matches!(
            err,
            TransportError::Redirect {
                kind: RedirectError::Loop,
                ..
            }
        ),
        "{err:?}"
    );
    let err = t.oneshot(get(&server.url("/chain0"))).await.unwrap_err();
    assert!(
        matches!(
            err,
            TransportError::Redirect {
                kind: RedirectError::TooMany { limit: 3 },
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_explicit_proxy_receives_plain_http_requests_in_absolute_form() {
    let proxy = MockServer::start_async().await;
    let m = proxy
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/files/abc")
                .header("host", "vt.invalid")
                .header("proxy-authorization", "Basic dXNlcjpwYXNz")
                .header("x-apikey", KEY);
            then.status(200).body("via proxy");
        })
        .await;
    let t = builder()
        .proxy(format!("http://user:pass@{}", proxy.address()))
        .build()
        .unwrap();
    let resp = t
        .oneshot(get("http://vt.invalid/api/v3/files/abc"))
        .await
        .unwrap();
    assert_eq!(body_text(resp).await, "via proxy");
    m.assert_async().await;
}

/// Runs `env_proxy_child` in a child process with `HTTP_PROXY` set, so the variable never
/// touches this process (tests run in parallel threads).
#[tokio::test]
async fn the_proxy_is_read_from_the_environment() {
    let proxy = MockServer::start_async().await;
    let m = proxy
        .mock_async(|when, then| {
            when.path("/api/v3/ping").header("host", "vt.invalid");
            then.status(200).body("env proxy");
        })
        .await;
    let exe = std::env::current_exe().unwrap();
    let url = format!("http://{}", proxy.address());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(exe)
            .args(["--exact", "env_proxy_child", "--ignored", "--nocapture"])
            .env("HTTP_PROXY", &url)
            .env_remove("http_proxy")
            .env_remove("ALL_PROXY")
            .env_remove("all_proxy")
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .env_remove("REQUEST_METHOD")
            .env("VT_TRANSPORT_PROXY_CHILD", "1")
            .output()
    })
    .await
    .unwrap()
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1 passed"), "{stdout}");
    m.assert_async().await;
}

#[tokio::test]
#[ignore = "run by the_proxy_is_read_from_the_environment in a child process"]
async fn env_proxy_child() {
    if std::env::var_os("VT_TRANSPORT_PROXY_CHILD").is_none() {
        // Run directly (`--ignored`) rather than by the parent test: nothing to check.
        return;
    }
    let t = TransportBuilder::new()
        .rate_limit(RateLimitSpec::none())
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let resp = t
        .oneshot(get("http://vt.invalid/api/v3/ping"))
        .await
        .unwrap();
    assert_eq!(body_text(resp).await, "env proxy");
}

#[tokio::test]
async fn slow_response_headers_time_out() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/slow");
            then.status(200).delay(Duration::from_secs(3)).body("late");
        })
        .await;
    let t = builder()
        .response_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = t.oneshot(get(&server.url("/slow"))).await.unwrap_err();
    assert!(
        matches!(
            err,
            TransportError::Timeout {
                kind: TimeoutKind::Response
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
}

/// A server that sends headers and part of the body, then stalls.
async fn stalling_server() -> (String, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/stall", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let _ = sock
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789")
                    .await;
                tokio::time::sleep(Duration::from_secs(30)).await;
            });
        }
    });
    (url, task)
}

#[tokio::test]
async fn a_stalled_body_fails_with_an_idle_timeout() {
    let (url, server) = stalling_server().await;
    let t = builder()
        .idle_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let resp = t.oneshot(get(&url)).await.unwrap();
    assert_eq!(resp.status(), 200);
    let err = resp.into_body().collect().await.unwrap_err();
    let err = err.downcast::<TransportError>().unwrap();
    assert!(
        matches!(
            *err,
            TransportError::Timeout {
                kind: TimeoutKind::Idle
            }
        ),
        "{err:?}"
    );
    server.abort();
}

/// A server that accepts connections and drops them at once; counts them.
async fn resetting_server() -> (String, Arc<AtomicUsize>, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/reset", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    let task = tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            c.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 1024];
            let _ = sock.read(&mut buf).await;
            drop(sock);
        }
    });
    (url, count, task)
}

#[tokio::test]
async fn dropped_connections_are_retried_for_gets_only() {
    let retry = RetryConfig::default()
        .max_attempts(3)
        .base_delay(Duration::from_millis(5));
    let (url, count, server) = resetting_server().await;
    let t = builder().retry(retry.clone()).build().unwrap();
    let err = t.oneshot(get(&url)).await.unwrap_err();
    assert!(matches!(err, TransportError::Io { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(count.load(Ordering::SeqCst), 3);
    server.abort();

    let (url, count, server) = resetting_server().await;
    let t = builder().retry(retry).build().unwrap();
    let req = http::Request::post(&url)
        .body(VtBody::from_bytes("{\"data\": 1}"))
        .unwrap();
    let err = t.oneshot(req).await.unwrap_err();
    assert!(matches!(err, TransportError::Io { .. }), "{err:?}");
    assert_eq!(count.load(Ordering::SeqCst), 1);
    server.abort();
}

#[tokio::test]
async fn refused_connections_are_connect_errors() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    drop(listener);
    let t = builder().build().unwrap();
    let err = t.oneshot(get(&url)).await.unwrap_err();
    assert!(matches!(err, TransportError::Connect { .. }), "{err:?}");
    assert!(err.is_retryable() && err.is_never_sent());
}

#[tokio::test]
async fn relative_urls_are_invalid_requests() {
    let t = builder().build().unwrap();
    let err = t.oneshot(get("/api/v3/files/abc")).await.unwrap_err();
    assert!(
        matches!(err, TransportError::InvalidRequest { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn uploads_stream_with_their_length() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/files")
                .header("content-length", "11")
                .body("part1-part2");
            then.status(200).body("{}");
        })
        .await;
    let chunks = futures_util::stream::iter(vec![
        Ok::<_, std::io::Error>(http_body::Frame::data(bytes::Bytes::from_static(b"part1-"))),
        Ok(http_body::Frame::data(bytes::Bytes::from_static(b"part2"))),
    ]);
    let body = VtBody::from_stream(http_body_util::StreamBody::new(chunks), Some(11));
    let req = http::Request::post(server.url("/api/v3/files"))
        .header("content-length", "11")
        .body(body)
        .unwrap();
    let t = builder()
        .response_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    assert_eq!(t.oneshot(req).await.unwrap().status(), 200);
    m.assert_async().await;
}

#[tokio::test]
async fn https_goes_through_a_connect_tunnel_and_proxy_refusals_are_proxy_errors() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 4096];
        let n = sock.read(&mut buf).await.unwrap();
        let _ = sock
            .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n")
            .await;
        String::from_utf8_lossy(&buf[..n]).into_owned()
    });
    let t = builder()
        .proxy(format!("http://user:pass@{addr}"))
        .build()
        .unwrap();
    let err = t
        .oneshot(get("https://www.virustotal.com/api/v3/files/abc"))
        .await
        .unwrap_err();
    assert!(matches!(err, TransportError::Proxy { .. }), "{err:?}");
    assert!(!err.is_retryable());
    let head = server.await.unwrap();
    assert!(
        head.starts_with("CONNECT www.virustotal.com:443 HTTP/1.1\r\n"),
        "{head}"
    );
    assert!(
        head.to_ascii_lowercase()
            .contains("proxy-authorization: basic dxnlcjpwyxnz"),
        "{head}"
    );
    assert!(
        !head.contains(KEY),
        "the key went to the proxy in clear: {head}"
    );
}

#[tokio::test]
async fn tls_failures_are_tls_errors() {
    // An https:// URL pointed at a plain-HTTP server: the handshake cannot succeed.
    let server = MockServer::start_async().await;
    let url = format!("https://{}/api/v3/files/abc", server.address());
    let t = builder().build().unwrap();
    let err = t.oneshot(get(&url)).await.unwrap_err();
    assert!(matches!(err, TransportError::Tls { .. }), "{err:?}");
    assert!(!err.is_retryable());
}
