//! `/analyses`: get, item, and waiting for completion (paused clock, in-process fake).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{Fake, fixture, http_client};
use httpmock::prelude::*;
use serde_json::json;
use vt_api::WaitOptions;
use vt_model::{AnalysisId, AnalysisStatus};

const ID: &str = "u-dd014af5ed6b38d9130e3f466f850e46d21b951199d53a18ef29ee9341614eaf-1599122231";

fn id() -> AnalysisId {
    ID.parse().unwrap()
}

fn analysis(status: &str) -> String {
    json!({"data": {"type": "analysis", "id": ID, "attributes": {"status": status, "stats": {}, "results": {}}}})
        .to_string()
}

#[tokio::test]
async fn get_keeps_the_envelope_meta_and_item_returns_the_object() {
    let server = MockServer::start_async().await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/api/v3/analyses/{ID}"));
            then.status(200)
                .body(fixture("analysis/vtx_url_analysis_full.json"));
        })
        .await;
    let item = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/api/v3/analyses/{ID}/item"));
            then.status(200).body(fixture("url/vtx_example_com.json"));
        })
        .await;
    let client = http_client(&server.base_url());
    let doc = client.analyses().get(&id()).await.unwrap();
    get.assert_async().await;
    assert_eq!(doc.data.attributes.status, Some(AnalysisStatus::Completed));
    assert!(doc.analysis_meta().is_some_and(|m| m.url_info.is_some()));
    let obj = client.analyses().item(&id()).await.unwrap();
    item.assert_async().await;
    assert!(matches!(obj, vt_model::AnyObject::Url(_)));
}

#[tokio::test(start_paused = true)]
async fn wait_polls_through_queued_in_progress_and_a_503_until_completed() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c2 = calls.clone();
    let fake = Fake::new(move |seen| {
        assert_eq!(seen.path(), format!("/api/v3/analyses/{ID}"));
        match c2.fetch_add(1, Ordering::SeqCst) {
            0 => (200, analysis("queued")),
            1 => (200, analysis("in-progress")),
            2 => (
                503,
                r#"{"error": {"code": "TransientError", "message": "try again"}}"#.into(),
            ),
            _ => (200, analysis("completed")),
        }
    });
    let client = fake.client();
    let start = tokio::time::Instant::now();
    let done = client
        .analyses()
        .wait(&id(), WaitOptions::new())
        .await
        .unwrap();
    assert_eq!(done.data.attributes.status, Some(AnalysisStatus::Completed));
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    // 2 s, then 3 s, then 4.5 s between the polls (virtual time).
    assert_eq!(start.elapsed(), Duration::from_millis(9500));
}

#[tokio::test(start_paused = true)]
async fn wait_gives_up_at_the_timeout_with_the_last_status() {
    let fake = Fake::new(|_| (200, analysis("queued")));
    let client = fake.client();
    let options = WaitOptions::new()
        .timeout(Duration::from_secs(120))
        .intervals(Duration::from_secs(2), Duration::from_secs(30));
    let err = client.analyses().wait(&id(), options).await.unwrap_err();
    match err {
        vt_api::Error::AnalysisTimeout {
            waited,
            last_status,
            ..
        } => {
            assert_eq!(last_status, "queued");
            assert_eq!(waited, Duration::from_secs(120));
        }
        other => panic!("{other:?}"),
    }
    // 0, 2, 5, 9.5, 16.25, 26.375, 41.56, 64.3, 94.3, 120 s.
    assert_eq!(fake.count(), 10);
}

#[tokio::test(start_paused = true)]
async fn wait_stops_at_once_on_an_error_that_will_not_change() {
    let fake = Fake::new(|_| {
        (
            404,
            r#"{"error": {"code": "NotFoundError", "message": "no"}}"#.into(),
        )
    });
    let client = fake.client();
    let err = client
        .analyses()
        .wait(&id(), WaitOptions::new())
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(fake.count(), 1);
}

#[tokio::test(start_paused = true)]
async fn wait_observed_reports_each_unfinished_poll() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c2 = calls.clone();
    let fake = Fake::new(move |_| match c2.fetch_add(1, Ordering::SeqCst) {
        0 => (200, analysis("queued")),
        1 => (200, analysis("in-progress")),
        _ => (200, analysis("completed")),
    });
    let client = fake.client();
    let mut seen = Vec::new();
    client
        .analyses()
        .wait_observed(&id(), WaitOptions::new(), |p| {
            seen.push((p.polls, p.last_status.to_owned(), p.next_poll_in));
        })
        .await
        .unwrap();
    assert_eq!(
        seen,
        vec![
            (1, "queued".to_owned(), Duration::from_secs(2)),
            (2, "in-progress".to_owned(), Duration::from_secs(3)),
        ]
    );
}
