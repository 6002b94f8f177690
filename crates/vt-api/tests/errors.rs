//! How transport and API failures surface as `vt_api::Error` (through the real transport
//! stack over an in-process fake, and over HTTP).

mod common;

use common::{Fake, KEY};
use httpmock::prelude::*;
use vt_api::Client;
use vt_api::transport::RateLimitSpec;

const MD5: &str = "44d88612fea8a8f36de82e1278abb02f";

#[tokio::test]
async fn a_spent_local_day_budget_fails_fast_as_quota_exhausted() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/api/v3/files/{MD5}"));
            then.status(200)
                .body(common::fixture("file/pw_file_find.json"));
        })
        .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .rate_limit("1/day".parse::<RateLimitSpec>().unwrap())
        .build()
        .unwrap();
    client.files().report(&MD5.parse().unwrap()).await.unwrap();
    let err = client
        .files()
        .report(&MD5.parse().unwrap())
        .await
        .unwrap_err();
    assert!(err.is_quota_exhausted(), "{err:?}");
    assert!(err.is_quota());
    assert!(err.is_transport());
    m.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_quota_exceeded_429_is_an_api_quota_error() {
    let fake = Fake::new(|_| (429, common::fixture("error/pw_rate_limit_429.json")));
    let client = fake.client();
    let err = client
        .files()
        .report(&MD5.parse().unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::TOO_MANY_REQUESTS));
    assert!(err.is_quota(), "{err:?}");
    assert!(!err.is_transport());
}

#[tokio::test]
async fn auth_errors_are_recognised() {
    let fake = Fake::new(|_| (401, common::fixture("error/mdb_wrong_key.json")));
    let err = fake
        .client()
        .files()
        .report(&MD5.parse().unwrap())
        .await
        .unwrap_err();
    assert!(err.is_auth(), "{err:?}");
    assert!(!err.is_not_found());
}

#[tokio::test]
async fn bad_identifiers_are_invalid_input_errors() {
    let err: vt_api::Error = "not-a-hash"
        .parse::<vt_model::FileHash>()
        .unwrap_err()
        .into();
    assert!(err.is_invalid_input());
    assert!(err.to_string().contains("not-a-hash"), "{err}");
}

#[tokio::test]
async fn connection_failures_are_transport_errors() {
    // Nothing listens on this port (bound then dropped).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::builder()
        .api_key(KEY)
        .base_url(format!("http://127.0.0.1:{port}"))
        .rate_limit(RateLimitSpec::none())
        .max_retries(0)
        .build()
        .unwrap();
    let err = client
        .files()
        .report(&MD5.parse().unwrap())
        .await
        .unwrap_err();
    assert!(err.is_transport(), "{err:?}");
    assert!(err.transport_error().is_some());
    assert!(!err.to_string().contains(KEY));
}

#[tokio::test(start_paused = true)]
async fn uploads_are_sent_once_while_lookups_are_retried_by_the_transport() {
    let fake = Fake::new(|_| {
        (
            503,
            r#"{"error": {"code": "TransientError", "message": "busy"}}"#.into(),
        )
    });
    let client = fake.client_with_transport(
        Client::builder()
            .rate_limit(RateLimitSpec::none())
            .max_retries(2),
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.bin");
    std::fs::write(&path, "data").unwrap();
    let err = client.files().upload(&path).await.unwrap_err();
    assert_eq!(err.api_code(), Some(&vt_model::ErrorCode::Transient));
    assert_eq!(fake.count(), 1, "a streaming upload is never replayed");
    assert!(fake.requests()[0].headers.contains_key("x-apikey"));

    let err = client
        .files()
        .report(&MD5.parse().unwrap())
        .await
        .unwrap_err();
    assert!(err.is_transient());
    assert_eq!(fake.count(), 1 + 3, "a lookup is tried 1 + 2 times");
}
