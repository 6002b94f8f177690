//! Timeouts on a paused clock: slow-but-moving uploads survive, the response timeout starts
//! once the upload is sent, stalled bodies fail with an idle timeout.

use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body::Frame;
use http_body_util::{BodyExt, Full, StreamBody};
use tower::ServiceExt;
use vt_transport::{
    BoxError, RateLimitSpec, RetryConfig, TimeoutKind, Transport, TransportBuilder, TransportError,
    VtBody,
};

const URL: &str = "https://www.virustotal.com/api/v3/files";

/// A server that reads the whole request body, then answers after `think`.
fn transport(think: Duration) -> Transport {
    let svc = tower::service_fn(move |req: Request<VtBody>| async move {
        let body = req.into_body().collect().await?.to_bytes();
        tokio::time::sleep(think).await;
        Ok::<_, BoxError>(Response::new(Full::new(Bytes::from(format!(
            "{} bytes",
            body.len()
        )))))
    });
    TransportBuilder::new()
        .rate_limit(RateLimitSpec::none())
        .retry(RetryConfig::disabled())
        .response_timeout(Duration::from_secs(30))
        .idle_timeout(Duration::from_secs(10))
        .build_with(svc)
        .unwrap()
}

/// `n` chunks of 1 KiB, one every `every`.
fn slow_upload(n: u32, every: Duration) -> VtBody {
    let chunks = futures_util::stream::unfold(0u32, move |i| async move {
        if i == n {
            return None;
        }
        tokio::time::sleep(every).await;
        Some((
            Ok::<_, std::io::Error>(Frame::data(Bytes::from(vec![b'x'; 1024]))),
            i + 1,
        ))
    });
    VtBody::from_stream(StreamBody::new(chunks), Some(u64::from(n) * 1024))
}

#[tokio::test(start_paused = true)]
async fn a_slow_upload_that_keeps_moving_outlives_every_timeout() {
    // 20 chunks 9 s apart: 3 minutes in all, far beyond the 30 s response timeout, but never
    // 10 s without progress.
    let t = transport(Duration::from_secs(20));
    let req = Request::post(URL)
        .body(slow_upload(20, Duration::from_secs(9)))
        .unwrap();
    let resp = t.oneshot(req).await.unwrap();
    let text = resp.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(text, "20480 bytes");
}

#[tokio::test(start_paused = true)]
async fn the_response_timeout_counts_from_the_end_of_the_upload() {
    let t = transport(Duration::from_secs(31));
    let req = Request::post(URL)
        .body(slow_upload(5, Duration::from_secs(9)))
        .unwrap();
    let start = tokio::time::Instant::now();
    let err = t.oneshot(req).await.unwrap_err();
    assert!(
        matches!(
            err,
            TransportError::Timeout {
                kind: TimeoutKind::Response
            }
        ),
        "{err:?}"
    );
    // 45 s of upload, then 30 s of waiting.
    assert_eq!(start.elapsed(), Duration::from_secs(75));
}

#[tokio::test(start_paused = true)]
async fn a_stalled_upload_fails_with_an_idle_timeout() {
    let t = transport(Duration::ZERO);
    let stalled = futures_util::stream::pending::<Result<Frame<Bytes>, std::io::Error>>();
    let req = Request::post(URL)
        .body(VtBody::from_stream(StreamBody::new(stalled), Some(10)))
        .unwrap();
    let err = t.oneshot(req).await.unwrap_err();
    assert!(
        matches!(
            err,
            TransportError::Timeout {
                kind: TimeoutKind::Idle
            }
        ),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_large_in_memory_body_read_slowly_is_not_cut_by_the_response_timeout() {
    // The server reads one frame every 5 s: 1 MiB in 64 KiB slices takes 80 s, beyond the
    // 30 s response timeout, which must only start once the body is handed over.
    let svc = tower::service_fn(|req: Request<VtBody>| async move {
        let mut body = req.into_body();
        let mut n = 0;
        while let Some(frame) = body.frame().await {
            n += frame?.into_data().map(|d| d.len()).unwrap_or(0);
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
        Ok::<_, BoxError>(Response::new(Full::new(Bytes::from(n.to_string()))))
    });
    let t = TransportBuilder::new()
        .rate_limit(RateLimitSpec::none())
        .retry(RetryConfig::disabled())
        .response_timeout(Duration::from_secs(30))
        .idle_timeout(Duration::from_secs(10))
        .build_with(svc)
        .unwrap();
    let req = Request::post(URL)
        .body(VtBody::from_bytes(vec![7u8; 1 << 20]))
        .unwrap();
    let resp = t.oneshot(req).await.unwrap();
    assert_eq!(
        resp.into_body().collect().await.unwrap().to_bytes(),
        "1048576"
    );
}
