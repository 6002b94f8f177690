//! Pagination over several pages of real HTTP, resuming from a cursor, and the raw escape
//! hatch.

mod common;

use common::{Fake, http_client};
use futures_util::TryStreamExt;
use httpmock::prelude::*;
use serde_json::json;

fn page(ids: std::ops::Range<u32>, cursor: Option<&str>) -> String {
    let data: Vec<_> = ids
        .map(|i| json!({"type": "comment", "id": format!("c{i}"), "attributes": {"text": format!("t{i}")}}))
        .collect();
    match cursor {
        Some(c) => {
            json!({"data": data, "meta": {"cursor": c}, "links": {"self": "s", "next": "n"}})
        }
        None => json!({"data": data, "links": {"self": "s"}}),
    }
    .to_string()
}

#[tokio::test]
async fn three_pages_then_resume_from_the_cursor() {
    let server = MockServer::start_async().await;
    let p1 = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/comments")
                .query_param("limit", "3")
                .query_param_missing("cursor");
            then.status(200).body(page(0..3, Some("CUR1")));
        })
        .await;
    let p2 = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/comments")
                .query_param("cursor", "CUR1");
            then.status(200).body(page(3..6, Some("CUR2")));
        })
        .await;
    let p3 = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/comments")
                .query_param("cursor", "CUR2");
            then.status(200).body(page(6..8, None));
        })
        .await;
    let client = http_client(&server.base_url());

    let all: Vec<_> = client
        .comments()
        .latest()
        .page_size(3)
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = all.iter().map(|c| c.id_str().to_string()).collect();
    assert_eq!(ids, ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"]);
    p1.assert_async().await;
    p2.assert_async().await;
    p3.assert_async().await;

    // Stop after one page: the cursor says where to go on, and nothing more was fetched than
    // needed.
    let mut first = client.comments().latest().page_size(3).limit(3);
    let got: Vec<_> = (&mut first).try_collect().await.unwrap();
    assert_eq!(got.len(), 3);
    assert_eq!(first.cursor(), Some("CUR1"));
    p1.assert_calls_async(2).await;
    p2.assert_calls_async(1).await;

    let rest: Vec<_> = client
        .comments()
        .latest()
        .page_size(3)
        .start_at(first.cursor().unwrap())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rest.len(), 5);
    assert_eq!(rest[0].id_str(), "c3");
    p1.assert_calls_async(2).await;
}

#[tokio::test]
async fn raw_json_calls_and_raw_pagination() {
    let server = MockServer::start_async().await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/collections/abc")
                .query_param("relationships", "files");
            then.status(200).body(
                r#"{"data": {"type": "collection", "id": "abc", "attributes": {"name": "n"}}}"#,
            );
        })
        .await;
    let post = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/collections")
                .json_body(json!({"data": {"type": "collection"}}));
            then.status(200)
                .body(r#"{"data": {"type": "collection", "id": "new"}}"#);
        })
        .await;
    let patch = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path("/api/v3/collections/abc")
                .json_body(json!({"data": {"attributes": {"name": "m"}}}));
            then.status(200)
                .body(r#"{"data": {"type": "collection", "id": "abc"}}"#);
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/api/v3/collections/abc");
            then.status(200);
        })
        .await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/collections/abc/files")
                .query_param("filter", "x");
            then.status(200)
                .body(r#"{"data": [{"type": "file", "id": "f1"}, {"type": "file", "id": "f2"}]}"#);
        })
        .await;
    let client = http_client(&server.base_url());
    let doc: serde_json::Value = client
        .get_json("/collections/abc?relationships=files")
        .await
        .unwrap();
    get.assert_async().await;
    assert_eq!(doc["data"]["attributes"]["name"], "n");
    let created: vt_model::DataEnvelope<vt_model::RawObject> = client
        .post_json("/collections", &json!({"data": {"type": "collection"}}))
        .await
        .unwrap();
    post.assert_async().await;
    assert_eq!(created.data.id_str(), "new");
    let _: serde_json::Value = client
        .patch_json(
            "/collections/abc",
            &json!({"data": {"attributes": {"name": "m"}}}),
        )
        .await
        .unwrap();
    patch.assert_async().await;
    client.delete("/collections/abc").await.unwrap();
    delete.assert_async().await;
    let files: Vec<vt_model::Descriptor> = client
        .paginate("/collections/abc/files?filter=x")
        .try_collect()
        .await
        .unwrap();
    list.assert_async().await;
    assert_eq!(files.len(), 2);
}

#[tokio::test]
async fn decode_errors_name_the_json_path_and_show_a_snippet() {
    let fake = Fake::new(|_| (200, r#"{"data": [{"type": "file", "id": "x"}]}"#.into()));
    let client = fake.client();
    let err = client
        .files()
        .report(&"44d88612fea8a8f36de82e1278abb02f".parse().unwrap())
        .await
        .unwrap_err();
    match &err {
        vt_api::Error::Decode { path, snippet, .. } => {
            assert_eq!(path, "data");
            assert!(snippet.starts_with(r#"{"data""#));
        }
        other => panic!("{other:?}"),
    }
    let html = Fake::new(|_| (502, "<html>\r\nBad Gateway</html>".into()));
    let err = html
        .client()
        .get_json::<serde_json::Value>("/x")
        .await
        .unwrap_err();
    assert!(
        matches!(err, vt_api::Error::UnexpectedStatus { ref snippet, .. } if snippet.contains("Bad Gateway"))
    );
    assert!(err.is_transient());
}

#[tokio::test]
async fn oversized_json_answers_are_refused() {
    let fake = Fake::new(|_| (200, format!(r#"{{"data": "{}"}}"#, "x".repeat(10_000))));
    let client = fake.client().with_max_json_body(1000);
    let err = client
        .get_json::<serde_json::Value>("/x")
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        vt_api::Error::ResponseTooLarge { limit: 1000 }
    ));
}
