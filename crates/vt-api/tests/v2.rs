//! The v2 file report: single, batches split at the limit and merged in input order, 204.

mod common;

use common::{Fake, fixture, http_client};
use futures_util::StreamExt;
use httpmock::prelude::*;
use serde_json::json;
use vt_model::V2ResponseCode;

fn found(resource: &str) -> serde_json::Value {
    json!({"response_code": 1, "resource": resource, "positives": 1, "total": 2, "scans": {}})
}

#[tokio::test]
async fn a_single_report_over_http_with_allinfo() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/vtapi/v2/file/report")
                .query_param("resource", "99017f6eebbac24f351415dd410d522d")
                .query_param("allinfo", "true")
                .query_param("apikey", common::KEY);
            then.status(200)
                .body(fixture("v2_file_report/v2_pw_report.json"));
        })
        .await;
    let client = http_client(&server.base_url());
    let r = client
        .v2()
        .file_report("99017f6eebbac24f351415dd410d522d", true)
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(r.response_code, Some(V2ResponseCode::Found));
}

#[tokio::test]
async fn batches_are_split_at_the_limit_and_merged_back_in_input_order() {
    // The fake answers each batch in reverse order, as a JSON array (or an object for one).
    let fake = Fake::new(|seen| {
        let resources = seen.query_value("resource").unwrap();
        let list: Vec<&str> = resources.split(',').collect();
        if list.len() == 1 {
            return (200, found(list[0]).to_string());
        }
        let answers: Vec<_> = list.iter().rev().map(|r| found(r)).collect();
        (200, serde_json::Value::Array(answers).to_string())
    });
    let client = fake.client();
    let resources: Vec<String> = (0..10).map(|i| format!("{i:032x}")).collect();
    let reports = client.v2().file_reports(&resources, false).await.unwrap();
    let echoed: Vec<_> = reports
        .iter()
        .map(|r| r.resource.clone().unwrap())
        .collect();
    assert_eq!(echoed, resources);
    let sizes: Vec<usize> = fake
        .requests()
        .iter()
        .map(|r| r.query_value("resource").unwrap().split(',').count())
        .collect();
    assert_eq!(sizes, vec![4, 4, 2], "public limit: 4 per request");

    let private = client.with_v2_batch_limit(25);
    let fake_count = fake.count();
    let reports = private.v2().file_reports(&resources, false).await.unwrap();
    assert_eq!(reports.len(), 10);
    assert_eq!(fake.count(), fake_count + 1);
}

#[tokio::test]
async fn a_204_is_a_quota_error_and_earlier_batches_are_kept() {
    let fake = Fake::new(|seen| {
        let resources = seen.query_value("resource").unwrap();
        if resources.starts_with("bad") {
            return (204, String::new());
        }
        let answers: Vec<_> = resources.split(',').map(found).collect();
        (200, serde_json::Value::Array(answers).to_string())
    });
    let client = fake.client();
    let resources: Vec<String> = ["a1", "a2", "a3", "a4", "bad1", "b2", "c1"]
        .map(|r| format!("{r:0<32}"))
        .into();
    let mut batches = Box::pin(client.v2().file_report_batches(&resources, false));
    let first = batches.next().await.unwrap().unwrap();
    assert_eq!(first.len(), 4);
    let err = batches.next().await.unwrap().unwrap_err();
    assert!(err.is_quota(), "{err}");
    assert_eq!(err.status(), Some(http::StatusCode::NO_CONTENT));
    assert!(
        batches.next().await.is_none(),
        "the stream ends after an error"
    );
    assert_eq!(fake.count(), 2);
    let err = client
        .v2()
        .file_reports(&resources, false)
        .await
        .unwrap_err();
    assert!(err.is_quota());
    assert!(
        client
            .v2()
            .file_report("a,b", false)
            .await
            .unwrap_err()
            .is_invalid_input()
    );
}

#[tokio::test]
async fn a_bad_resource_in_a_later_chunk_fails_before_the_first_request() {
    let fake = Fake::new(|seen| {
        let resources = seen.query_value("resource").unwrap();
        let answers: Vec<_> = resources.split(',').map(found).collect();
        (200, serde_json::Value::Array(answers).to_string())
    });
    let client = fake.client();
    let mut resources: Vec<String> = (0..9).map(|i| format!("{i:032x}")).collect();
    resources.push("not-a-hash".into());
    let mut batches = Box::pin(client.v2().file_report_batches(&resources, false));
    let err = batches.next().await.unwrap().unwrap_err();
    assert!(err.is_invalid_input(), "{err}");
    assert!(err.to_string().contains("not-a-hash"), "{err}");
    assert!(batches.next().await.is_none());
    assert_eq!(fake.count(), 0, "nothing sent, no quota spent");
}

#[tokio::test]
async fn an_answer_without_the_report_is_its_own_error() {
    let fake = Fake::new(|_| (200, "[]".to_owned()));
    let client = fake.client();
    let err = client
        .v2()
        .file_report("44d88612fea8a8f36de82e1278abb02f", false)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, vt_api::Error::MissingReport { resource } if resource == "44d88612fea8a8f36de82e1278abb02f"),
        "{err:?}"
    );
    assert!(!err.is_invalid_input());
}

#[tokio::test]
async fn the_real_batch_fixture_decodes() {
    let body = fixture("v2_file_report/v2_msticpy_batch_3.json");
    let fake = Fake::new(move |_| (200, body.clone()));
    let doc: serde_json::Value = common::fixture_json("v2_file_report/v2_msticpy_batch_3.json");
    let resources: Vec<String> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["resource"].as_str().unwrap().to_string())
        .collect();
    let client = fake.client();
    let reports = client.v2().file_reports(&resources, false).await.unwrap();
    assert_eq!(reports.len(), 3);
    for (r, want) in reports.iter().zip(&resources) {
        assert_eq!(r.resource.as_deref(), Some(want.as_str()));
    }
}
