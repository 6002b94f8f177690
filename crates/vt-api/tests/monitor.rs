//! `/monitor` endpoints.

mod common;

use common::{Fake, fixture, http_client};
use futures_util::{StreamExt, TryStreamExt};
use httpmock::prelude::*;
use serde_json::json;
use vt_api::{DownloadOptions, MonitorFilter, MonitorTag, UploadOptions};
use vt_model::MonitorItemId;

/// `vtmonitor-v1://acme/folder/file.exe`: has `/`-free base64 but `=` padding.
const ID: &str = "dnRtb25pdG9yLXYxOi8vYWNtZS9mb2xkZXIvZmlsZS5leGU=";
const ID_IN_PATH: &str = "dnRtb25pdG9yLXYxOi8vYWNtZS9mb2xkZXIvZmlsZS5leGU%3D";

fn id() -> MonitorItemId {
    ID.parse().unwrap()
}

#[test]
fn filters_render_as_the_api_expects() {
    assert_eq!(MonitorFilter::path("/").to_string(), "path:/");
    assert_eq!(MonitorFilter::Item(id()).to_string(), format!("item:{ID}"));
    let tags = MonitorFilter::tags([
        MonitorTag::NewDetections,
        MonitorTag::SwappedDetections,
        MonitorTag::parse("increasing-detections"),
        MonitorTag::parse("Kaspersky"),
    ]);
    assert_eq!(
        tags.to_string(),
        "tag:new-detections swapped-detections increasing-detections Kaspersky"
    );
    assert_eq!(
        MonitorTag::parse("solved-detections"),
        MonitorTag::SolvedDetections
    );
    assert_eq!(
        MonitorTag::parse("decreasing-detections"),
        MonitorTag::DecreasingDetections
    );
    assert_eq!(MonitorTag::parse("detected"), MonitorTag::Detected);
}

#[tokio::test]
async fn list_with_typed_and_raw_filters() {
    let server = MockServer::start_async().await;
    let tagged = server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/monitor/items").query_param("filter", "tag:detected new-detections");
            then.status(200).body(json!({"data": [
                {"type": "monitor_item", "id": ID, "attributes": {"path": "/folder/file.exe", "item_type": "file", "tags": ["detected"]}}
            ]}).to_string());
        })
        .await;
    let by_path = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/monitor/items")
                .query_param("filter", "path:/folder/");
            then.status(200)
                .body(format!(r#"{{"data": [{}]}}"#, fixture_item()));
        })
        .await;
    let client = http_client(&server.base_url());
    let items: Vec<_> = client
        .monitor()
        .items_filtered(&MonitorFilter::tags([
            MonitorTag::Detected,
            MonitorTag::NewDetections,
        ]))
        .try_collect()
        .await
        .unwrap();
    tagged.assert_async().await;
    assert_eq!(
        items[0].attributes.path.as_deref(),
        Some("/folder/file.exe")
    );
    let items: Vec<_> = client
        .monitor()
        .items()
        .filter("path:/folder/")
        .try_collect()
        .await
        .unwrap();
    by_path.assert_async().await;
    assert_eq!(items[0].object_type, "monitoritem");
    let err = client
        .monitor()
        .items_filtered(&MonitorFilter::path("folder"))
        .try_next()
        .await
        .unwrap_err();
    assert!(err.is_invalid_input());
}

fn fixture_item() -> String {
    common::fixture_json("monitor_item/DOCS_EXAMPLE_monitor_item_stat.json")["data"].to_string()
}

#[tokio::test]
async fn item_get_details_delete_download_and_relationships() {
    let server = MockServer::start_async().await;
    let base = format!("/api/v3/monitor/items/{ID_IN_PATH}");
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(&base);
            then.status(200)
                .body(fixture("monitor_item/DOCS_EXAMPLE_monitor_item_stat.json"));
        })
        .await;
    let set = server
        .mock_async(|when, then| {
            when.method(PATCH).path(format!("{base}/config")).json_body(
                json!({"data": {"id": ID, "type": "monitor_item", "attributes": {"details": "v1.2 release"}}}),
            );
            then.status(200).body(json!({"data": {"type": "monitor_item", "id": ID, "attributes": {"details": "v1.2 release"}}}).to_string());
        })
        .await;
    let clear = server
        .mock_async(|when, then| {
            when.method(PATCH).path(format!("{base}/config")).json_body(
                json!({"data": {"id": ID, "type": "monitor_item", "attributes": {"details": null}}}),
            );
            then.status(200).body(json!({"data": {"type": "monitor_item", "id": ID, "attributes": {}}}).to_string());
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path(&base);
            then.status(200).body("{}");
        })
        .await;
    let url = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{base}/download_url"));
            then.status(200)
                .body(r#"{"data": "https://storage.example/signed"}"#);
        })
        .await;
    let download = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{base}/download"));
            then.status(200).body("file content");
        })
        .await;
    let analyses = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{base}/analyses"));
            then.status(200).body(json!({"data": [{"type": "monitor_analysis", "id": "abc-1", "attributes": {"detections_count": 2}}]}).to_string());
        })
        .await;
    let owner = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{base}/owner"));
            then.status(200)
                .body(r#"{"data": {"type": "group", "id": "acme", "attributes": {}}}"#);
        })
        .await;
    let comments = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{base}/comments"));
            then.status(200).body(json!({"data": [{"type": "monitor_hash_comment", "id": "abc-Engine", "attributes": {"comment": "FP"}}]}).to_string());
        })
        .await;
    let stats = server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/monitor/statistics");
            then.status(200)
                .body(r#"{"data": {"storage_bytes_count": 1024}}"#);
        })
        .await;
    let client = http_client(&server.base_url());
    let m = client.monitor();
    let item = m.item(&id()).await.unwrap();
    get.assert_async().await;
    assert_eq!(item.attributes.size, Some(8538624));
    let item = m.set_details(&id(), "v1.2 release").await.unwrap();
    set.assert_async().await;
    assert_eq!(item.attributes.details.as_deref(), Some("v1.2 release"));
    m.clear_details(&id()).await.unwrap();
    clear.assert_async().await;
    m.delete(&id()).await.unwrap();
    delete.assert_async().await;
    assert_eq!(
        m.download_url(&id()).await.unwrap(),
        "https://storage.example/signed"
    );
    url.assert_async().await;
    let mut out = Vec::new();
    m.download_to_writer(&id(), &mut out, DownloadOptions::new())
        .await
        .unwrap();
    download.assert_async().await;
    assert_eq!(out, b"file content");
    let a: Vec<_> = m.analyses(&id()).try_collect().await.unwrap();
    analyses.assert_async().await;
    assert_eq!(a[0].attributes.detections_count, Some(2));
    let o = m.owner(&id()).await.unwrap();
    owner.assert_async().await;
    assert_eq!(o.object_type(), "group");
    let c: Vec<_> = m.comments(&id()).try_collect().await.unwrap();
    comments.assert_async().await;
    assert_eq!(c[0].object_type, "monitor_hash_comment");
    assert_eq!(m.statistics().await.unwrap()["storage_bytes_count"], 1024);
    stats.assert_async().await;
}

#[tokio::test]
async fn upload_replace_and_create_folder_through_the_fake_transport() {
    let fake = Fake::new(|_| {
        (
            200,
            json!({"data": {"type": "monitor_item", "id": ID}}).to_string(),
        )
    });
    let client = fake.client();
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("file.exe");
    std::fs::write(&local, "MZ").unwrap();
    let m = client.monitor();
    let d = m
        .upload(&local, "/folder/file.exe", UploadOptions::new())
        .await
        .unwrap();
    assert_eq!(d.id_str(), ID);
    m.replace(&local, &id(), UploadOptions::new())
        .await
        .unwrap();
    m.create_folder("/folder/new/").await.unwrap();
    assert!(
        m.create_folder("/folder/new")
            .await
            .unwrap_err()
            .is_invalid_input()
    );
    assert!(
        m.upload(&local, "/folder/", UploadOptions::new())
            .await
            .unwrap_err()
            .is_invalid_input()
    );
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 3, "invalid paths send nothing");
    let bodies: Vec<String> = reqs
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert!(
        reqs.iter()
            .all(|r| r.path() == "/api/v3/monitor/items" && r.method == http::Method::POST)
    );
    assert!(
        bodies[0].contains("name=\"path\"\r\n\r\n/folder/file.exe\r\n")
            && bodies[0].contains("\r\n\r\nMZ\r\n")
    );
    assert!(bodies[1].contains(&format!("name=\"item\"\r\n\r\n{ID}\r\n")));
    assert!(bodies[2].contains("name=\"path\"\r\n\r\n/folder/new/\r\n"));
    assert!(
        !bodies[2].contains("name=\"file\""),
        "a folder has no file part"
    );
}

#[tokio::test]
async fn walk_lists_a_tree_folder_by_folder() {
    let server = MockServer::start_async().await;
    let item = |path: &str, kind: &str| json!({"type": "monitor_item", "id": path, "attributes": {"path": path, "item_type": kind}});
    let root = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/monitor/items")
                .query_param("filter", "path:/r/");
            then.status(200).json_body(json!({"data": [
                item("/r/a.exe", "file"), item("/r/sub/", "folder")], "meta": {}}));
        })
        .await;
    let sub = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/monitor/items")
                .query_param("filter", "path:/r/sub/");
            then.status(200)
                .json_body(json!({"data": [item("/r/sub/b.dll", "file")], "meta": {}}));
        })
        .await;
    let client = http_client(&server.base_url());
    let items: Vec<_> = client.monitor().walk("/r/").try_collect().await.unwrap();
    let paths: Vec<String> = items
        .iter()
        .map(|i| i.attributes.path.clone().unwrap())
        .collect();
    assert_eq!(paths, ["/r/a.exe", "/r/sub/", "/r/sub/b.dll"]);
    root.assert_async().await;
    sub.assert_async().await;
    let bad: Vec<_> = client.monitor().walk("r/").collect::<Vec<_>>().await;
    assert_eq!(bad.len(), 1);
    assert!(bad[0].as_ref().unwrap_err().is_invalid_input());
}
