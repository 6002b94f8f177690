//! Retry policy on a paused clock over an in-process fake service.

mod common;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use common::{Fake, api_error, body_text, get, respond};
use http::Request;
use http_body_util::{BodyExt, Full};
use tower::ServiceExt;
use vt_model::ErrorCode;
use vt_transport::{
    ApiErrorInfo, Attempts, BodyFactory, RateLimitSpec, RetryConfig, TimeoutKind, Transport,
    TransportBuilder, TransportError, VtBody,
};

const URL: &str = "https://www.virustotal.com/api/v3/files/abc";

fn transport(fake: &Fake, retry: RetryConfig) -> Transport {
    TransportBuilder::new()
        .api_key("test-key")
        .rate_limit(RateLimitSpec::none())
        .retry(retry)
        .build_with(fake.service())
        .unwrap()
}

fn gaps(fake: &Fake) -> Vec<Duration> {
    let seen = fake.seen();
    seen.windows(2).map(|w| w[1].at - w[0].at).collect()
}

#[tokio::test(start_paused = true)]
async fn backoff_is_jittered_within_doubling_ceilings_and_grows() {
    let config = RetryConfig::default()
        .max_attempts(5)
        .base_delay(Duration::from_secs(1))
        .max_delay(Duration::from_secs(60));
    let mut sums = [Duration::ZERO; 4];
    let mut all_first_gaps = Vec::new();
    for _ in 0..40 {
        let fake = Fake::new(|_, _| api_error(503, "TransientError"));
        let t = transport(&fake, config.clone());
        let resp = t.oneshot(get(URL)).await.unwrap();
        assert_eq!(resp.status(), 503);
        let gaps = gaps(&fake);
        assert_eq!(gaps.len(), 4);
        for (i, gap) in gaps.iter().enumerate() {
            let ceiling = config.backoff_ceiling(i as u32 + 1);
            assert!(
                *gap <= ceiling,
                "retry {} waited {gap:?} > {ceiling:?}",
                i + 1
            );
            sums[i] += *gap;
        }
        all_first_gaps.push(gaps[0]);
    }
    // Jitter: the waits are not all the same.
    all_first_gaps.sort();
    all_first_gaps.dedup();
    assert!(all_first_gaps.len() > 30, "{all_first_gaps:?}");
    // Growth: on average each wait is longer than the one before (ceilings 1, 2, 4, 8 s).
    for w in sums.windows(2) {
        assert!(w[1] > w[0], "{sums:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn attempts_stop_at_the_limit_and_the_last_response_is_returned() {
    let fake = Fake::new(|_, _| api_error(503, "TransientError"));
    let t = transport(&fake, RetryConfig::default().max_attempts(3));
    let resp = t.oneshot(get(URL)).await.unwrap();
    assert_eq!(fake.count(), 3);
    assert_eq!(resp.extensions().get::<Attempts>(), Some(&Attempts(3)));
    let info = resp.extensions().get::<ApiErrorInfo>().unwrap().clone();
    assert_eq!(info.code, Some(ErrorCode::Transient));
    assert_eq!(info.message, "TransientError happened");
    // The buffered error body is handed on intact.
    assert!(body_text(resp).await.contains("TransientError"));
}

#[tokio::test(start_paused = true)]
async fn transient_errors_then_success() {
    let fake = Fake::new(|n, _| match n {
        0 => api_error(503, "TransientError"),
        1 => api_error(429, "TooManyRequestsError"),
        2 => api_error(504, "DeadlineExceededError"),
        3 => respond(502, "<html>bad gateway</html>"),
        _ => respond(200, r#"{"data": {}}"#),
    });
    let t = transport(&fake, RetryConfig::default().max_attempts(6));
    let resp = t.oneshot(get(URL)).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(fake.count(), 5);
    assert_eq!(resp.extensions().get::<Attempts>(), Some(&Attempts(5)));
}

#[tokio::test(start_paused = true)]
async fn errors_that_will_not_change_are_never_retried() {
    for (status, code) in [
        (400, "BadRequestError"),
        (400, "InvalidArgumentError"),
        (400, "NotAvailableYet"),
        (401, "WrongCredentialsError"),
        (401, "AuthenticationRequiredError"),
        (403, "ForbiddenError"),
        (404, "NotFoundError"),
        (409, "AlreadyExistsError"),
        (424, "FailedDependencyError"),
        (503, "SomeBrandNewError"),
    ] {
        let fake = Fake::new(move |_, _| api_error(status, code));
        let t = transport(&fake, RetryConfig::default());
        let resp = t.oneshot(get(URL)).await.unwrap();
        assert_eq!(resp.status(), status);
        assert_eq!(fake.count(), 1, "{status} {code} was retried");
        let info = resp.extensions().get::<ApiErrorInfo>().unwrap();
        assert_eq!(info.code, Some(ErrorCode::parse(code)));
    }
}

#[tokio::test(start_paused = true)]
async fn a_quota_exceeded_storm_ends_after_two_tries_a_minute_apart() {
    let fake = Fake::new(|_, _| api_error(429, "QuotaExceededError"));
    let t = transport(&fake, RetryConfig::default().max_attempts(10));
    let resp = t.oneshot(get(URL)).await.unwrap();
    // Documented: 1 try + `max_quota_retries` (1); the second QuotaExceededError in a row
    // means the day or month is spent.
    assert_eq!(fake.count(), 2);
    assert_eq!(resp.status(), 429);
    let info = resp.extensions().get::<ApiErrorInfo>().unwrap();
    assert_eq!(info.code, Some(ErrorCode::QuotaExceeded));
    let gap = gaps(&fake)[0];
    assert!(gap >= Duration::from_secs(61), "{gap:?}");
    assert!(gap <= Duration::from_secs(62), "{gap:?}");
}

#[tokio::test(start_paused = true)]
async fn quota_exceeded_honours_retry_after_and_recovers() {
    let fake = Fake::new(|n, _| {
        if n == 0 {
            let mut r = api_error(429, "QuotaExceededError")?;
            r.headers_mut().insert("retry-after", "7".parse().unwrap());
            Ok(r)
        } else {
            respond(200, "{}")
        }
    });
    let t = transport(&fake, RetryConfig::default());
    let resp = t.oneshot(get(URL)).await.unwrap();
    assert_eq!(resp.status(), 200);
    let gap = gaps(&fake)[0];
    assert!(
        gap >= Duration::from_secs(7) && gap <= Duration::from_secs(8),
        "{gap:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_beyond_the_bound_is_not_waited_for() {
    let fake = Fake::new(|_, _| {
        let mut r = api_error(429, "TooManyRequestsError")?;
        r.headers_mut()
            .insert("retry-after", "86400".parse().unwrap());
        Ok(r)
    });
    let t = transport(&fake, RetryConfig::default());
    let resp = t.oneshot(get(URL)).await.unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(fake.count(), 1);
}

#[tokio::test(start_paused = true)]
async fn v2_204_is_a_spent_quota() {
    let fake = Fake::new(|_, _| {
        Ok(http::Response::builder()
            .status(204)
            .body(Full::new(Bytes::new()))
            .unwrap())
    });
    let t = transport(&fake, RetryConfig::default());
    let resp = t
        .oneshot(get(
            "https://www.virustotal.com/vtapi/v2/file/report?resource=abc",
        ))
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(fake.count(), 2);
    let info = resp.extensions().get::<ApiErrorInfo>().unwrap();
    assert_eq!(info.code, Some(ErrorCode::QuotaExceeded));
    // The key went into the v2 query string, and nowhere into what vt-api built.
    let seen = fake.seen();
    assert_eq!(
        seen[0].uri.query(),
        Some("apikey=test-key&resource=abc"),
        "{:?}",
        seen[0].uri
    );
}

fn stream_body() -> VtBody {
    let chunks = futures_util::stream::iter(vec![
        Ok::<_, std::io::Error>(http_body::Frame::data(Bytes::from_static(b"part1-"))),
        Ok(http_body::Frame::data(Bytes::from_static(b"part2"))),
    ]);
    VtBody::from_stream(http_body_util::StreamBody::new(chunks), Some(11))
}

#[tokio::test(start_paused = true)]
async fn one_shot_streams_are_sent_once_and_replayable_ones_again() {
    let fake = Fake::new(|_, _| api_error(503, "TransientError"));
    let t = transport(&fake, RetryConfig::default());
    let req = Request::post(URL).body(stream_body()).unwrap();
    let resp = t.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), 503);
    assert_eq!(fake.count(), 1);
    assert_eq!(fake.seen()[0].body, "part1-part2");

    let fake = Fake::new(|n, _| {
        if n < 2 {
            api_error(503, "TransientError")
        } else {
            respond(200, "{}")
        }
    });
    let t = transport(&fake, RetryConfig::default());
    let make: BodyFactory = Arc::new(|| {
        Full::new(Bytes::from_static(b"file bytes"))
            .map_err(|e| match e {})
            .boxed_unsync()
    });
    let req = Request::post(URL)
        .body(VtBody::replayable_stream(make, Some(10)))
        .unwrap();
    let resp = t.oneshot(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let bodies: Vec<_> = fake.seen().into_iter().map(|s| s.body).collect();
    assert_eq!(bodies, vec![Bytes::from_static(b"file bytes"); 3]);
}

#[tokio::test(start_paused = true)]
async fn connection_losses_are_retried_for_gets_but_not_for_posts() {
    let reset = |_: usize, _: &common::Seen| -> Result<_, vt_transport::BoxError> {
        Err(Box::new(std::io::Error::from(
            std::io::ErrorKind::ConnectionReset,
        )))
    };
    let fake = Fake::new(reset);
    let t = transport(&fake, RetryConfig::default().max_attempts(4));
    let err = t.clone().oneshot(get(URL)).await.unwrap_err();
    assert!(matches!(err, TransportError::Io { .. }), "{err:?}");
    assert_eq!(fake.count(), 4);

    let fake = Fake::new(reset);
    let t = transport(&fake, RetryConfig::default().max_attempts(4));
    let req = Request::post(URL).body(VtBody::from_bytes("x")).unwrap();
    let err = t.oneshot(req).await.unwrap_err();
    assert!(matches!(err, TransportError::Io { .. }));
    assert_eq!(
        fake.count(),
        1,
        "a POST that may have been processed was re-sent"
    );

    // A connect failure never reached the server: even a POST is re-sent.
    let fake = Fake::new(|n, _| {
        if n == 0 {
            Err(Box::new(TransportError::Timeout {
                kind: TimeoutKind::Connect,
            }))
        } else {
            respond(200, "{}")
        }
    });
    let t = transport(&fake, RetryConfig::default());
    let req = Request::post(URL).body(VtBody::from_bytes("x")).unwrap();
    assert_eq!(t.oneshot(req).await.unwrap().status(), 200);
    assert_eq!(fake.count(), 2);
}

#[tokio::test(start_paused = true)]
async fn disabled_retries_send_once() {
    let fake = Fake::new(|_, _| api_error(503, "TransientError"));
    let t = transport(&fake, RetryConfig::disabled());
    assert_eq!(t.oneshot(get(URL)).await.unwrap().status(), 503);
    assert_eq!(fake.count(), 1);
}

#[tokio::test(start_paused = true)]
async fn error_bodies_beyond_the_buffer_limit_are_passed_on_whole() {
    let big = format!(
        r#"{{"error": {{"code": "TransientError", "message": "{}"}}}}"#,
        "x".repeat(100_000)
    );
    let expected = big.clone();
    let fake = Fake::new(move |_, _| respond(503, &big));
    let t = transport(&fake, RetryConfig::disabled());
    let resp = t.oneshot(get(URL)).await.unwrap();
    let info = resp.extensions().get::<ApiErrorInfo>().unwrap().clone();
    assert_eq!(info.code, None, "a truncated body must not be parsed");
    assert_eq!(body_text(resp).await, expected);
}
