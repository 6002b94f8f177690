//! `/private` endpoints over real HTTP (httpmock on 127.0.0.1): the exact wire format.

mod common;

use common::{KEY, http_client};
use futures_util::TryStreamExt;
use httpmock::prelude::*;
use serde_json::json;
use vt_api::WaitOptions;
use vt_api::private::PrivateScanOptions;
use vt_model::{AnalysisStatus, FileHash, UrlId};

const SHA256: &str = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";
const AID: &str = "ZjEyMzQ1Njc4OTBhYmNkZWYxMjM0NTY3ODkwYWJjZGU6MTcwMDAwMDAwMA==";

fn descriptor() -> String {
    json!({"data": {"type": "private_analysis", "id": AID}}).to_string()
}

#[tokio::test]
async fn a_small_private_upload_posts_multipart_with_its_options_to_private_files() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/private/files")
                .header("x-apikey", KEY)
                .header_includes("content-type", "multipart/form-data; boundary=")
                .body_includes("name=\"password\"\r\n\r\ninfected\r\n")
                .body_includes("name=\"enable_internet\"\r\n\r\nfalse\r\n")
                .body_includes("name=\"retention_period_days\"\r\n\r\n3\r\n")
                .body_includes("name=\"storage_region\"\r\n\r\nEU\r\n")
                .body_includes("name=\"locale\"\r\n\r\nDE_DE\r\n")
                .body_includes(
                    "name=\"file\"; filename=\"s.zip\"\r\nContent-Type: application/octet-stream\r\n\r\nPK\x03\x04zip\r\n",
                );
            then.status(200).body(descriptor());
        })
        .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.zip");
    std::fs::write(&path, b"PK\x03\x04zip").unwrap();
    let client = http_client(&server.base_url());
    let options = PrivateScanOptions::new()
        .password("infected")
        .enable_internet(false)
        .retention_period_days(3)
        .storage_region("EU")
        .locale("DE_DE");
    let d = client.private().upload_with(&path, options).await.unwrap();
    m.assert_async().await;
    assert_eq!(d.get().object_type.as_deref(), Some("private_analysis"));
    assert_eq!(d.get().id_str(), AID);
}

#[tokio::test]
async fn a_private_upload_over_32_mib_goes_to_the_private_upload_url() {
    let server = MockServer::start_async().await;
    let upload_url = format!("{}/_ah/upload/private-xyz", server.base_url());
    let url_mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/private/files/upload_url");
            then.status(200)
                .body(json!({"data": upload_url}).to_string());
        })
        .await;
    let post = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/_ah/upload/private-xyz")
                .header("x-apikey", KEY)
                .header_includes("content-type", "multipart/form-data; boundary=");
            then.status(200).body(descriptor());
        })
        .await;
    let direct = server
        .mock_async(|when, then| {
            when.method(POST).path("/api/v3/private/files");
            then.status(500);
        })
        .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    std::fs::File::create(&path)
        .unwrap()
        .set_len(33 * 1024 * 1024)
        .unwrap();
    let client = http_client(&server.base_url());
    let d = client.private().upload(&path).await.unwrap();
    url_mock.assert_async().await;
    post.assert_async().await;
    assert_eq!(direct.calls_async().await, 0);
    assert_eq!(d.get().id_str(), AID);
}

#[tokio::test]
async fn private_url_scans_are_form_urlencoded_with_their_options() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/private/urls")
                .header("content-type", "application/x-www-form-urlencoded")
                .form_urlencoded_tuple("url", "http://example.com/a?b=1&c=2")
                .form_urlencoded_tuple("sandboxes", "cape_win,zenbox_windows")
                .form_urlencoded_tuple("retention_period_days", "2");
            then.status(200).body(descriptor());
        })
        .await;
    let client = http_client(&server.base_url());
    let options = PrivateScanOptions::new()
        .sandboxes(["cape_win", "zenbox_windows"])
        .retention_period_days(2);
    let d = client
        .private()
        .scan_url_with("http://example.com/a?b=1&c=2", options)
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(d.get().id_str(), AID);
    // File-only options are refused before anything is sent.
    let err = client
        .private()
        .scan_url_with(
            "http://example.com/",
            PrivateScanOptions::new().password("x"),
        )
        .await
        .unwrap_err();
    assert!(err.is_invalid_input());
    assert_eq!(m.calls_async().await, 1);
}

#[tokio::test]
async fn private_analyses_are_polled_on_the_private_path_until_completed() {
    let server = MockServer::start_async().await;
    let queued = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/api/v3/private/analyses/{}", AID.replace('=', "%3D")));
            then.status(200).body(
                json!({"data": {"type": "private_analysis", "id": AID,
                    "attributes": {"status": "queued", "pending_stages": ["sandbox"],
                        "sandbox_status": {"Zenbox": {"status": "running", "in_progress_percent": 10}}}},
                    "meta": {"file_info": {"sha256": SHA256, "size": 3}}})
                .to_string(),
            );
        })
        .await;
    let client = http_client(&server.base_url());
    let id = AID.parse().unwrap();
    let doc = client.private().analysis(&id).await.unwrap();
    assert_eq!(
        doc.data.get().attributes.status,
        Some(AnalysisStatus::Queued)
    );
    assert_eq!(
        doc.data.get().attributes.sandbox_status.as_ref().unwrap()["Zenbox"].in_progress_percent,
        Some(10)
    );
    assert_eq!(
        doc.analysis_meta()
            .unwrap()
            .file_info
            .unwrap()
            .sha256
            .as_deref(),
        Some(SHA256)
    );
    let options = WaitOptions::new()
        .intervals(
            std::time::Duration::from_millis(10),
            std::time::Duration::from_millis(10),
        )
        .timeout(std::time::Duration::from_millis(100));
    let err = client
        .private()
        .wait(&id, options.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, vt_api::Error::AnalysisTimeout { last_status, .. } if last_status == "queued"),
        "{err}"
    );
    queued.delete_async().await;
    let done = server
        .mock_async(|when, then| {
            when.method(GET).path(format!(
                "/api/v3/private/analyses/{}",
                AID.replace('=', "%3D")
            ));
            then.status(200).body(
                json!({"data": {"type": "private_analysis", "id": AID,
                    "attributes": {"status": "completed"}}})
                .to_string(),
            );
        })
        .await;
    let doc = client.private().wait(&id, options).await.unwrap();
    done.assert_async().await;
    assert!(
        doc.data
            .get()
            .attributes
            .status
            .as_ref()
            .unwrap()
            .is_completed()
    );
}

#[tokio::test]
async fn private_reports_lists_and_rescans_use_the_private_paths() {
    let server = MockServer::start_async().await;
    let file = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/api/v3/private/files/{SHA256}"));
            then.status(200).body(
                json!({"data": {"type": "private_file", "id": SHA256,
                    "attributes": {"size": 3, "sandbox_verdicts": {"Zenbox": {"category": "malicious"}}}}})
                .to_string(),
            );
        })
        .await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/private/files")
                .query_param("limit", "40");
            then.status(200).body(
                json!({"data": [{"type": "private_file", "id": SHA256, "attributes": {}}],
                       "meta": {"count": 1}})
                .to_string(),
            );
        })
        .await;
    let rescan = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/api/v3/private/files/{SHA256}/analyse"))
                .query_param("disable_sandbox", "true")
                .query_param("interaction_timeout", "120");
            then.status(200).body(descriptor());
        })
        .await;
    let url_id = UrlId::from_url("http://example.com/").unwrap();
    let url_path = format!("/api/v3/private/urls/{}", url_id.as_str());
    let url = server
        .mock_async(move |when, then| {
            when.method(GET).path(url_path.clone());
            then.status(200).body(
                json!({"data": {"type": "private_url", "id": "x", "attributes": {"url": "http://example.com/"}}})
                    .to_string(),
            );
        })
        .await;
    let client = http_client(&server.base_url());
    let p = client.private();
    let hash: FileHash = SHA256.parse().unwrap();
    let report = p.file(&hash).await.unwrap();
    assert_eq!(report.get().object_type, "private_file");
    assert!(report.get().attributes.sandbox_verdicts.is_some());
    let raw = p.file_json(&hash).await.unwrap();
    assert!(raw.get().contains("private_file"));
    assert_eq!(file.calls_async().await, 2);
    let all: Vec<_> = p.files().try_collect().await.unwrap();
    list.assert_async().await;
    assert_eq!(all.len(), 1);
    p.reanalyse(
        &hash,
        PrivateScanOptions::new()
            .disable_sandbox(true)
            .interaction_timeout(120),
    )
    .await
    .unwrap();
    rescan.assert_async().await;
    let u = p.url(&url_id).await.unwrap();
    url.assert_async().await;
    assert_eq!(
        u.get().attributes.url.as_deref(),
        Some("http://example.com/")
    );
}

#[tokio::test]
async fn a_public_key_gets_the_apis_403_as_a_typed_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/api/v3/private/files/{SHA256}"));
            then.status(403).body(
                r#"{"error": {"code": "ForbiddenError", "message": "You are not authorized to perform the requested operation"}}"#,
            );
        })
        .await;
    let client = http_client(&server.base_url());
    let err = client
        .private()
        .file(&SHA256.parse().unwrap())
        .await
        .unwrap_err();
    assert!(err.is_auth(), "{err}");
    assert_eq!(err.status(), Some(http::StatusCode::FORBIDDEN));
}
