//! Feeds: the wire format (httpmock), resuming by cursor, missing and late packages, damage.

mod common;

use std::io::Write as _;
use std::time::Duration;

use common::{KEY, http_client};
use futures_util::{StreamExt, TryStreamExt};
use httpmock::prelude::*;
use serde_json::json;
use vt_api::feeds::FeedEnd;
use vt_api::{DownloadOptions, Error};
use vt_model::{AnyObject, FeedCursor, FeedKind, FeedMinute};

fn bz2(text: &str) -> Vec<u8> {
    let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap()
}

fn minute(s: &str) -> FeedMinute {
    s.parse().unwrap()
}

fn file_line(id: &str) -> String {
    json!({"type": "file", "id": id, "attributes": {"size": 10},
           "context_attributes": {"submitter": {"country": "ES"}}})
    .to_string()
}

/// Serves package `minute` of `feed` as the API does: a 302 to the bzip2 file.
async fn serve_package(server: &MockServer, feed: &str, minute: &str, lines: &[String]) {
    let file = format!("/storage/{feed}/{minute}.bz2");
    let body = bz2(&(lines.join("\n") + "\n"));
    let redirect = server.url(&file);
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/api/v3/feeds/{feed}/{minute}"))
                .header("x-apikey", KEY);
            then.status(302).header("location", redirect);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(file);
            then.status(200).body(body);
        })
        .await;
}

async fn serve_error(server: &MockServer, feed: &str, minute: &str, status: u16, code: &str) {
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/api/v3/feeds/{feed}/{minute}"));
            then.status(status)
                .body(json!({"error": {"code": code, "message": "x"}}).to_string());
        })
        .await;
}

fn ids(items: &[AnyObject]) -> Vec<String> {
    items.iter().map(|o| o.id_str().to_owned()).collect()
}

#[tokio::test]
async fn a_range_follows_redirects_and_types_the_items() {
    let server = MockServer::start_async().await;
    serve_package(
        &server,
        "files",
        "200102030405",
        &[file_line("a"), file_line("b")],
    )
    .await;
    serve_package(&server, "files", "200102030406", &[file_line("c")]).await;
    let client = http_client(&server.base_url());
    let mut feed = client
        .feeds()
        .stream(FeedKind::Files, FeedCursor::at(minute("200102030405")))
        .end(FeedEnd::At(minute("200102030406")));
    let first = feed.try_next().await.unwrap().unwrap();
    let AnyObject::File(file) = &first else {
        panic!("not a file: {first:?}")
    };
    assert_eq!(file.attributes.size, Some(10));
    assert_eq!(
        file.context_attributes.as_ref().unwrap()["submitter"]["country"],
        "ES"
    );
    assert_eq!(feed.cursor().to_string(), "200102030405-1");
    let rest: Vec<AnyObject> = (&mut feed).try_collect().await.unwrap();
    assert_eq!(ids(&rest), ["b", "c"]);
    // After the last package the cursor is the start of the next one.
    assert_eq!(feed.cursor().to_string(), "200102030407-0");
}

#[tokio::test]
async fn the_other_feeds_use_their_paths() {
    let server = MockServer::start_async().await;
    let line = json!({"type": "file_behaviour", "id": "abc_Zenbox", "attributes": {}}).to_string();
    serve_package(&server, "file-behaviours", "200102030405", &[line]).await;
    let ip = json!({"type": "ip_address", "id": "10.0.0.1", "attributes": {}}).to_string();
    serve_package(&server, "ip_addresses", "200102030405", &[ip]).await;
    let client = http_client(&server.base_url());
    for (kind, expected) in [
        (FeedKind::FileBehaviours, "abc_Zenbox"),
        (FeedKind::IpAddresses, "10.0.0.1"),
    ] {
        let items: Vec<AnyObject> = client
            .feeds()
            .stream(kind, FeedCursor::at(minute("200102030405")))
            .end(FeedEnd::At(minute("200102030405")))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(ids(&items), [expected]);
    }
}

/// Packages 0405 (3 items), 0406 (missing), 0407 (2 items): every stop point resumes to the
/// same sequence, nothing read twice, nothing skipped, the missing package skipped.
#[tokio::test]
async fn resuming_by_cursor_reads_nothing_twice_and_skips_nothing() {
    let server = MockServer::start_async().await;
    let first: Vec<String> = ["a", "b", "c"].iter().map(|i| file_line(i)).collect();
    serve_package(&server, "files", "200102030405", &first).await;
    serve_error(&server, "files", "200102030406", 404, "NotFoundError").await;
    serve_package(
        &server,
        "files",
        "200102030407",
        &[file_line("d"), file_line("e")],
    )
    .await;
    let client = http_client(&server.base_url());
    let end = FeedEnd::At(minute("200102030407"));
    let start = FeedCursor::at(minute("200102030405"));
    let all: Vec<AnyObject> = client
        .feeds()
        .stream(FeedKind::Files, start)
        .end(end)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&all), ["a", "b", "c", "d", "e"]);
    for stop in 0..=all.len() {
        let mut feed = client.feeds().stream(FeedKind::Files, start).end(end);
        let mut seen = Vec::new();
        for _ in 0..stop {
            seen.push(feed.try_next().await.unwrap().unwrap().id_str().to_owned());
        }
        let cursor = feed.cursor();
        drop(feed);
        // The cursor survives as text, as a program would save it.
        let resumed: FeedCursor = cursor.to_string().parse().unwrap();
        let rest: Vec<AnyObject> = client
            .feeds()
            .stream(FeedKind::Files, resumed)
            .end(end)
            .try_collect()
            .await
            .unwrap();
        seen.extend(ids(&rest));
        assert_eq!(seen, ids(&all), "stopped after {stop} items at {cursor}");
    }
    // vt-py's examples: after 3 items of 0405 the cursor is 0405-3.
    let mut feed = client.feeds().stream(FeedKind::Files, start).end(end);
    for _ in 0..3 {
        feed.try_next().await.unwrap();
    }
    assert_eq!(feed.cursor().to_string(), "200102030405-3");
}

#[tokio::test]
async fn two_missing_packages_in_a_row_are_an_error() {
    let server = MockServer::start_async().await;
    serve_error(&server, "urls", "200102030405", 404, "NotFoundError").await;
    serve_error(&server, "urls", "200102030406", 404, "NotFoundError").await;
    let client = http_client(&server.base_url());
    let mut feed = client
        .feeds()
        .stream(FeedKind::Urls, FeedCursor::at(minute("200102030405")))
        .end(FeedEnd::Never);
    let err = feed.next().await.unwrap().unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert!(feed.next().await.is_none());
    // A tolerance of 2 reads on past both.
    serve_package(
        &server,
        "urls",
        "200102030407",
        &[json!({"type": "url", "id": "u1", "attributes": {}}).to_string()],
    )
    .await;
    let items: Vec<AnyObject> = client
        .feeds()
        .stream(FeedKind::Urls, FeedCursor::at(minute("200102030405")))
        .missing_tolerance(2)
        .end(FeedEnd::At(minute("200102030407")))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&items), ["u1"]);
}

#[tokio::test]
async fn caught_up_ends_and_a_tail_waits_for_the_next_package() {
    let server = MockServer::start_async().await;
    serve_package(
        &server,
        "domains",
        "200102030405",
        &[json!({"type": "domain", "id": "a.com", "attributes": {}}).to_string()],
    )
    .await;
    let late = server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/feeds/domains/200102030406");
            then.status(400).body(
                json!({"error": {"code": "NotAvailableYet", "message": "later"}}).to_string(),
            );
        })
        .await;
    let client = http_client(&server.base_url());
    let start = FeedCursor::at(minute("200102030405"));
    // Caught up: stops at the first package not available yet.
    let mut feed = client.feeds().stream(FeedKind::Domains, start);
    let items: Vec<AnyObject> = (&mut feed).try_collect().await.unwrap();
    assert_eq!(ids(&items), ["a.com"]);
    assert_eq!(feed.cursor().to_string(), "200102030406-0");
    // A tail waits, asking again, until the package is published.
    let tail = client
        .feeds()
        .stream(FeedKind::Domains, feed.cursor())
        .poll_interval(Duration::from_millis(20))
        .end(FeedEnd::Never);
    let task = tokio::spawn(async move {
        let mut tail = tail;
        tail.try_next()
            .await
            .map(|o| o.map(|o| o.id_str().to_owned()))
    });
    while late.calls_async().await < 2 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    late.delete_async().await;
    serve_package(
        &server,
        "domains",
        "200102030406",
        &[json!({"type": "domain", "id": "b.com", "attributes": {}}).to_string()],
    )
    .await;
    let got = tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(got.as_deref(), Some("b.com"));
}

#[tokio::test]
async fn a_line_that_is_not_json_is_a_typed_error_after_the_good_items() {
    let server = MockServer::start_async().await;
    serve_package(
        &server,
        "files",
        "200102030405",
        &[file_line("a"), "{not json".into(), file_line("c")],
    )
    .await;
    let client = http_client(&server.base_url());
    let mut feed = client
        .feeds()
        .stream(FeedKind::Files, FeedCursor::at(minute("200102030405")))
        .end(FeedEnd::At(minute("200102030405")));
    assert_eq!(feed.try_next().await.unwrap().unwrap().id_str(), "a");
    let err = feed.try_next().await.unwrap_err();
    assert!(
        matches!(&err, Error::FeedLine { package, line: 2, snippet, .. } if package == "files/200102030405" && snippet.starts_with("{not")),
        "{err:?}"
    );
    assert!(err.is_bad_feed_package());
    assert!(feed.next().await.is_none());
    assert_eq!(feed.cursor().to_string(), "200102030405-1");
}

#[tokio::test]
async fn corrupt_truncated_and_oversized_packages_are_typed_errors() {
    let server = MockServer::start_async().await;
    let good = bz2(&(file_line("a") + "\n").repeat(500));
    let cut = good[..good.len() / 2].to_vec();
    server
        .mock_async(|when, then| {
            when.path("/api/v3/feeds/files/200102030405");
            then.status(200).body(cut);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/api/v3/feeds/files/200102030406");
            then.status(200).body("this is not bzip2");
        })
        .await;
    let bomb = bz2(&"0".repeat(4 << 20));
    server
        .mock_async(|when, then| {
            when.path("/api/v3/feeds/files/200102030407");
            then.status(200).body(bomb);
        })
        .await;
    let client = http_client(&server.base_url());
    let first = |m: &str| {
        client
            .feeds()
            .stream(FeedKind::Files, FeedCursor::at(minute(m)))
            .end(FeedEnd::At(minute(m)))
            .max_line_bytes(1 << 20)
    };
    let result: Result<Vec<AnyObject>, Error> = first("200102030405").try_collect().await;
    let err = result.unwrap_err();
    assert!(
        matches!(&err, Error::FeedPackage { reason, .. } if reason.contains("truncated")),
        "{err}"
    );
    let result: Result<Vec<AnyObject>, Error> = first("200102030406").try_collect().await;
    let err = result.unwrap_err();
    assert!(
        matches!(&err, Error::FeedPackage { reason, .. } if reason.contains("corrupt")),
        "{err}"
    );
    let result: Result<Vec<AnyObject>, Error> = first("200102030407").try_collect().await;
    let err = result.unwrap_err();
    assert!(
        matches!(&err, Error::FeedTooLarge { what: "line", limit, .. } if *limit == 1 << 20),
        "{err}"
    );
}

#[tokio::test]
async fn raw_lines_come_as_received() {
    let server = MockServer::start_async().await;
    let line = r#"{"type":"url","id":"u1","attributes":{"z":1,"a":2.50}}"#.to_owned();
    serve_package(&server, "urls", "200102030405", std::slice::from_ref(&line)).await;
    let client = http_client(&server.base_url());
    let items: Vec<Box<serde_json::value::RawValue>> = client
        .feeds()
        .stream_as(FeedKind::Urls, FeedCursor::at(minute("200102030405")))
        .end(FeedEnd::At(minute("200102030405")))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items[0].get(), line);
}

#[tokio::test]
async fn the_download_url_of_an_item_is_usable_as_is() {
    let server = MockServer::start_async().await;
    let url = server.url("/api/v3/feeds/files/TOKEN123/download");
    let line = json!({"type": "file", "id": "abc", "attributes": {},
                      "context_attributes": {"download_url": url}})
    .to_string();
    serve_package(&server, "files", "200102030405", &[line]).await;
    let download = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/feeds/files/TOKEN123/download")
                .header("x-apikey", KEY);
            then.status(302)
                .header("location", server.url("/signed/abc"));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/signed/abc");
            then.status(200).body("MZ file bytes");
        })
        .await;
    let hourly = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/feeds/urls/hourly/2001020304")
                .header("x-apikey", KEY);
            then.status(200).body("tar.bz2 bytes");
        })
        .await;
    let client = http_client(&server.base_url());
    let item = client
        .feeds()
        .stream(FeedKind::Files, FeedCursor::at(minute("200102030405")))
        .end(FeedEnd::At(minute("200102030405")))
        .try_next()
        .await
        .unwrap()
        .unwrap();
    let link = vt_api::feeds::download_url_of(&item).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("abc");
    let n = client
        .feeds()
        .download_to_path(link, &dest, &DownloadOptions::new())
        .await
        .unwrap();
    assert_eq!(n, 13);
    assert_eq!(std::fs::read(&dest).unwrap(), b"MZ file bytes");
    download.assert_async().await;
    let mut out = Vec::new();
    client
        .feeds()
        .hourly_to_writer(FeedKind::Urls, minute("200102030459"), &mut out)
        .await
        .unwrap();
    assert_eq!(out, b"tar.bz2 bytes");
    hourly.assert_async().await;
    let err = client
        .feeds()
        .hourly_to_writer(FeedKind::FileBehaviours, minute("200102030459"), &mut out)
        .await
        .unwrap_err();
    assert!(err.is_invalid_input());
}

#[tokio::test]
async fn a_404_for_a_minute_not_yet_ended_means_not_available_yet() {
    let server = MockServer::start_async().await;
    let future = server
        .mock_async(|when, then| {
            when.method(GET).path_includes("/api/v3/feeds/files/2999");
            then.status(404)
                .body(json!({"error": {"code": "NotFoundError", "message": "x"}}).to_string());
        })
        .await;
    let client = http_client(&server.base_url());
    let items: Vec<AnyObject> = client
        .feeds()
        .stream(FeedKind::Files, FeedCursor::at(minute("299901010000")))
        .try_collect()
        .await
        .unwrap();
    assert!(items.is_empty());
    // Asked once, then the caught-up stream ended: no skipping on into the future.
    assert_eq!(future.calls_async().await, 1);
}
