//! `client.intelligence()`: search (paging, cap, order, descriptors, snippets), and ZIP
//! bundles (create with and without password, wait with progress, download through the
//! temporary file) against httpmock: the exact wire format.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{fixture, http_client};
use futures_util::TryStreamExt;
use httpmock::prelude::*;
use serde_json::json;
use vt_api::{DownloadOptions, WaitOptions};
use vt_model::{AnyObject, FileHash, SearchContext, ZipFileStatus};

const SHA: &str = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";
const MD5: &str = "44d88612fea8a8f36de82e1278abb02f";

fn fast() -> WaitOptions {
    WaitOptions::new()
        .intervals(Duration::from_millis(5), Duration::from_millis(10))
        .timeout(Duration::from_secs(5))
}

#[tokio::test]
async fn search_sends_query_order_descriptors_and_caps_pages_at_300() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/search")
                .query_param("query", "type:peexe p:5+")
                .query_param("order", "positives-")
                .query_param("descriptors_only", "true")
                .query_param("limit", "300")
                .query_param_missing("cursor")
                .header("x-apikey", common::KEY);
            then.status(200).body(
                json!({"data": [{"type": "file", "id": SHA}], "meta": {"cursor": "Q1VSMQ=="}})
                    .to_string(),
            );
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/search")
                .query_param("cursor", "Q1VSMQ==")
                .query_param("limit", "300");
            then.status(200)
                .body(json!({"data": [{"type": "url", "id": "u1"}], "meta": {}}).to_string());
        })
        .await;
    let client = http_client(&server.base_url());
    let mut hits = client
        .intelligence()
        .search("type:peexe p:5+")
        .order("positives-")
        .descriptors_only(true)
        .page_size(1000);
    let got: Vec<AnyObject> = (&mut hits).try_collect().await.unwrap();
    first.assert_async().await;
    second.assert_async().await;
    assert_eq!(got.len(), 2);
    assert!(matches!(got[0], AnyObject::File(_)));
    assert!(matches!(got[1], AnyObject::Url(_)));
    assert!(hits.is_exhausted());
}

#[tokio::test]
async fn search_with_a_limit_asks_only_for_what_is_wanted_and_resumes_at_a_cursor() {
    let server = MockServer::start_async().await;
    let page = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/search")
                .query_param("query", "tag:peexe")
                .query_param("cursor", "start-here")
                .query_param("limit", "3");
            then.status(200)
                .body(fixture("collection/vtx_intel_search_files.json"));
        })
        .await;
    let client = http_client(&server.base_url());
    let mut hits = client
        .intelligence()
        .search("tag:peexe")
        .start_at("start-here")
        .limit(3);
    let got: Vec<AnyObject> = (&mut hits).try_collect().await.unwrap();
    page.assert_async().await;
    assert!(!got.is_empty() && got.len() <= 3);
}

#[tokio::test]
async fn content_search_hits_carry_their_context_and_snippets_decode() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/intelligence/search");
            then.status(200).body(
                json!({"data": [{"type": "file", "id": SHA, "attributes": {"size": 3},
                    "context_attributes": {"confidence": 0.75, "match_in_subfile": true,
                        "snippet": "L3NuaXA="}}],
                    "meta": {"ignored_substrings": ["abc"]}})
                .to_string(),
            );
        })
        .await;
    let snippet = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/search/snippets/L3NuaXA%3D");
            then.status(200)
                .body(json!({"data": ["00000000: 41 \u{1c}42\u{1d} AB"]}).to_string());
        })
        .await;
    let client = http_client(&server.base_url());
    let mut hits = client.intelligence().search("content:\"AB\"");
    let hit = hits.try_next().await.unwrap().unwrap();
    let context = SearchContext::of(&hit).unwrap();
    assert_eq!(context.confidence, Some(0.75));
    assert_eq!(context.match_in_subfile, Some(true));
    assert_eq!(hits.meta().unwrap()["ignored_substrings"][0], "abc");
    let blocks = client
        .intelligence()
        .snippet(context.snippet.as_deref().unwrap())
        .await
        .unwrap();
    snippet.assert_async().await;
    assert!(blocks[0].contains('\u{1c}'));
}

#[tokio::test]
async fn bad_queries_and_refused_cursors() {
    let server = MockServer::start_async().await;
    let refused = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/search")
                .query_param("cursor", "stale");
            then.status(400).body(
                r#"{"error": {"code": "InvalidArgumentError", "message": "Invalid cursor"}}"#,
            );
        })
        .await;
    let client = http_client(&server.base_url());
    for q in [
        "",
        "   ",
        &"a".repeat(vt_api::intelligence::MAX_QUERY_CHARS + 1),
        "a\nb",
    ] {
        let err = client
            .intelligence()
            .search(q)
            .try_next()
            .await
            .unwrap_err();
        assert!(err.is_invalid_input(), "{q:?}: {err}");
    }
    let err = client
        .intelligence()
        .search("p:1+")
        .start_at("stale")
        .try_next()
        .await
        .unwrap_err();
    refused.assert_async().await;
    assert_eq!(err.api_code().unwrap().as_str(), "InvalidArgumentError");
    assert!(vt_api::intelligence::check_cursor("has space").is_err());
    assert!(vt_api::intelligence::check_cursor("").is_err());
}

#[tokio::test]
async fn create_zip_sends_hashes_and_password_in_data() {
    let server = MockServer::start_async().await;
    let with = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/intelligence/zip_files")
                .header("content-type", "application/json")
                .json_body(json!({"data": {"hashes": [SHA, MD5], "password": "infected"}}));
            then.status(200).body(
                json!({"data": {"type": "zip_file", "id": "z1", "attributes":
                    {"status": "starting", "progress": 0, "files_ok": 0, "files_error": 0}}})
                .to_string(),
            );
        })
        .await;
    let without = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/intelligence/zip_files")
                .json_body(json!({"data": {"hashes": [MD5]}}));
            then.status(200).body(
                json!({"data": {"type": "zip_file", "id": "z2", "attributes": {"status": "starting"}}})
                    .to_string(),
            );
        })
        .await;
    let client = http_client(&server.base_url());
    let hashes: Vec<FileHash> = [SHA, MD5].iter().map(|h| h.parse().unwrap()).collect();
    let z = client
        .intelligence()
        .create_zip(&hashes, Some("infected"))
        .await
        .unwrap();
    with.assert_async().await;
    assert_eq!(z.id_str(), "z1");
    assert_eq!(z.attributes.status, Some(ZipFileStatus::Starting));
    let z = client
        .intelligence()
        .create_zip(&hashes[1..], None)
        .await
        .unwrap();
    without.assert_async().await;
    assert_eq!(z.id_str(), "z2");
    // Refused locally: no hashes, an empty password.
    assert!(
        client
            .intelligence()
            .create_zip(&[], None)
            .await
            .unwrap_err()
            .is_invalid_input()
    );
    assert!(
        client
            .intelligence()
            .create_zip(&hashes, Some(""))
            .await
            .unwrap_err()
            .is_invalid_input()
    );
}

#[tokio::test]
async fn wait_zip_reports_progress_until_finished_then_downloads_through_a_temp_file() {
    let server = MockServer::start_async().await;
    // httpmock answers the first matching mock: "creating" until it was hit twice.
    let creating = server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/intelligence/zip_files/z1");
            then.status(200).body(
                json!({"data": {"type": "zip_file", "id": "z1", "attributes":
                    {"status": "creating", "progress": 40, "files_ok": 1, "files_error": 0}}})
                .to_string(),
            );
        })
        .await;
    let url = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/zip_files/z1/download_url");
            then.status(200)
                .body(r#"{"data": "https://signed.example/z1.zip"}"#);
        })
        .await;
    let download = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/zip_files/z1/download");
            then.status(200).body("PK\u{3}\u{4}zip bytes");
        })
        .await;
    let client = http_client(&server.base_url());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let server_ref = &server;
    let waiter = client.intelligence();
    let wait = waiter.wait_zip("z1", fast(), move |z| {
        log.lock().unwrap().push((
            z.attributes.status.clone().unwrap(),
            z.attributes.progress_percent(),
        ));
    });
    let flip = async {
        while creating.calls_async().await < 2 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        creating.delete_async().await;
        server_ref
            .mock_async(|when, then| {
                when.method(GET).path("/api/v3/intelligence/zip_files/z1");
                then.status(200).body(
                    json!({"data": {"type": "zip_file", "id": "z1", "attributes":
                        {"status": "finished", "progress": 100, "files_ok": 2, "files_error": 0}}})
                    .to_string(),
                );
            })
            .await;
    };
    let (done, ()) = tokio::join!(wait, flip);
    let done = done.unwrap();
    assert_eq!(done.attributes.files_ok, Some(2));
    let seen = seen.lock().unwrap().clone();
    assert!(seen.len() >= 3, "{seen:?}");
    assert_eq!(seen[0], (ZipFileStatus::Creating, 40));
    assert_eq!(seen.last().unwrap(), &(ZipFileStatus::Finished, 100));

    assert_eq!(
        client.intelligence().zip_download_url("z1").await.unwrap(),
        "https://signed.example/z1.zip"
    );
    url.assert_async().await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out.zip");
    let n = client
        .intelligence()
        .download_zip_to_path("z1", &dest, DownloadOptions::new())
        .await
        .unwrap();
    download.assert_async().await;
    assert_eq!(n, 13);
    assert_eq!(std::fs::read(&dest).unwrap(), b"PK\x03\x04zip bytes");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temp file left"
    );
}

#[tokio::test]
async fn a_zip_that_fails_or_never_finishes_is_a_typed_error_and_leaves_no_file() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/intelligence/zip_files/bad");
            then.status(200).body(
                json!({"data": {"type": "zip_file", "id": "bad", "attributes": {"status": "error-creating"}}})
                    .to_string(),
            );
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/intelligence/zip_files/slow");
            then.status(200).body(
                json!({"data": {"type": "zip_file", "id": "slow", "attributes": {"status": "creating", "progress": 12}}})
                    .to_string(),
            );
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/zip_files/slow/download");
            then.status(404).body(
                r#"{"error": {"code": "NotFoundError", "message": "ZIP file not finished"}}"#,
            );
        })
        .await;
    let client = http_client(&server.base_url());
    let err = client
        .intelligence()
        .wait_zip("bad", fast(), |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(&err, vt_api::Error::ZipFailed { status, .. } if status == "error-creating"),
        "{err}"
    );
    let err = client
        .intelligence()
        .wait_zip("slow", fast().timeout(Duration::from_millis(40)), |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(&err, vt_api::Error::ZipTimeout { last_status, progress: 12, .. } if last_status == "creating"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out.zip");
    let err = client
        .intelligence()
        .download_zip_to_path("slow", &dest, DownloadOptions::new())
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    assert!(
        client
            .intelligence()
            .zip_file("a/b")
            .await
            .unwrap_err()
            .is_invalid_input()
    );
}
