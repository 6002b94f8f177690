//! `monitor().poll_detections`: the exact requests (every page of the filter) and the state
//! rule over them; a failed poll leaves the state as it was.

mod common;

use common::http_client;
use httpmock::prelude::*;
use serde_json::json;
use vt_api::monitor_watch::{DetectionChange, WatchState};

fn item(id: &str, path: &str, engines: &[&str]) -> serde_json::Value {
    let results: serde_json::Map<String, serde_json::Value> = engines
        .iter()
        .map(|e| {
            (
                (*e).to_owned(),
                json!({"category": "malicious", "result": "Trojan.X"}),
            )
        })
        .collect();
    json!({"type": "monitor_item", "id": id, "attributes": {
        "path": path, "tags": ["detected"], "last_analysis_date": 1_764_748_800,
        "last_analysis_results": results}})
}

#[tokio::test]
async fn a_poll_reads_every_page_of_the_filter_and_reports_changes_once() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/monitor/items")
                .query_param("filter", "tag:detected")
                .query_param("limit", "40")
                .query_param_missing("cursor");
            then.status(200).body(
                json!({"data": [item("a", "/a.exe", &["E1"])], "meta": {"cursor": "page2"}})
                    .to_string(),
            );
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/monitor/items")
                .query_param("filter", "tag:detected")
                .query_param("cursor", "page2");
            then.status(200)
                .body(json!({"data": [item("b", "/b.exe", &["E2", "E3"])]}).to_string());
        })
        .await;
    let client = http_client(&server.base_url());
    let mut state = WatchState::new(&WatchState::default_filter());
    let events = client.monitor().poll_detections(&mut state).await.unwrap();
    first.assert_async().await;
    second.assert_async().await;
    let seen: Vec<_> = events.iter().map(|e| (e.path.as_str(), e.change)).collect();
    assert_eq!(
        seen,
        [
            ("/a.exe", DetectionChange::Detected),
            ("/b.exe", DetectionChange::Detected)
        ]
    );
    assert_eq!(events[1].detections, 2);
    assert_eq!(events[0].analysis_date, Some(1_764_748_800));
    // The same answers again: nothing new.
    assert!(
        client
            .monitor()
            .poll_detections(&mut state)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(state.polls, 2);
}

#[tokio::test]
async fn a_failed_poll_changes_nothing() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/monitor/items");
            then.status(403).body(
                json!({"error": {"code": "ForbiddenError", "message": "no monitor privilege"}})
                    .to_string(),
            );
        })
        .await;
    let client = http_client(&server.base_url());
    let mut state = WatchState::new(&"tag:Kaspersky".parse().unwrap());
    let before = state.clone();
    let err = client
        .monitor()
        .poll_detections(&mut state)
        .await
        .unwrap_err();
    assert!(err.is_auth(), "{err}");
    assert_eq!(state, before);
    // A state whose filter does not parse is refused before any request.
    let mut bad = WatchState::new(&WatchState::default_filter());
    bad.filter = "tags:oops".into();
    let err = client
        .monitor()
        .poll_detections(&mut bad)
        .await
        .unwrap_err();
    assert!(err.is_invalid_input(), "{err}");
}
