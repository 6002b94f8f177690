//! `/comments`, `/search`, `/intelligence/search`, `/metadata` and `/users`.

mod common;

use common::{Fake, fixture, http_client};
use futures_util::TryStreamExt;
use httpmock::prelude::*;
use serde_json::json;
use vt_api::CommentVote;

const CID: &str = "f-275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f-4944a424";

#[tokio::test]
async fn comments_latest_get_vote_delete_and_author() {
    let server = MockServer::start_async().await;
    let latest = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/comments")
                .query_param("filter", "tag:malware")
                .query_param("limit", "2");
            then.status(200)
                .body(fixture("comment/vtx_domain_comments_list.json"));
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/api/v3/comments/{CID}"));
            then.status(200).body(
                json!({"data": {"type": "comment", "id": CID, "attributes": {"text": "x"}}})
                    .to_string(),
            );
        })
        .await;
    let vote = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/api/v3/comments/{CID}/vote"))
                .json_body(json!({"data": "abuse"}));
            then.status(200)
                .body(r#"{"data": {"abuse": 1, "negative": 0, "positive": 0}}"#);
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path(format!("/api/v3/comments/{CID}"));
            then.status(200).body("");
        })
        .await;
    let author = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/api/v3/comments/{CID}/author"));
            then.status(200)
                .body(r#"{"data": {"type": "user", "id": "someone", "attributes": {}}}"#);
        })
        .await;
    let client = http_client(&server.base_url());
    let c = client.comments();
    let got: Vec<_> = c
        .latest()
        .filter("tag:malware")
        .page_size(2)
        .limit(2)
        .try_collect()
        .await
        .unwrap();
    latest.assert_async().await;
    assert!(!got.is_empty());
    assert_eq!(c.get(CID).await.unwrap().id_str(), CID);
    get.assert_async().await;
    let counts = c
        .vote(CID, "abuse".parse::<CommentVote>().unwrap())
        .await
        .unwrap();
    vote.assert_async().await;
    assert_eq!(counts.abuse, Some(1));
    c.delete(CID).await.unwrap();
    delete.assert_async().await;
    let a: Vec<_> = c.related(CID, "author").try_collect().await.unwrap();
    author.assert_async().await;
    assert!(matches!(a[0], vt_model::AnyObject::User(_)));
    assert!(c.get("has space").await.unwrap_err().is_invalid_input());
    assert!("like".parse::<CommentVote>().is_err());
}

#[tokio::test]
async fn search_and_intelligence_search_are_paginated_object_streams() {
    let server = MockServer::start_async().await;
    let basic = server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/search").query_param("query", "github.com");
            then.status(200).body(json!({"data": [{"type": "domain", "id": "github.com", "attributes": {}}], "links": {"self": "x"}}).to_string());
        })
        .await;
    let intel = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/search")
                .query_param("query", "type:peexe p:5+")
                .query_param("order", "first_submission_date-")
                .query_param("descriptors_only", "true")
                .query_param("limit", "3");
            then.status(200)
                .body(fixture("collection/vtx_intel_search_files.json"));
        })
        .await;
    let client = http_client(&server.base_url());
    let hits: Vec<_> = client
        .search()
        .query("github.com")
        .try_collect()
        .await
        .unwrap();
    basic.assert_async().await;
    assert_eq!(hits[0].id_str(), "github.com");
    let mut p = client
        .search()
        .intelligence("type:peexe p:5+")
        .order("first_submission_date-")
        .descriptors_only(true)
        .limit(3);
    let first = p.try_next().await.unwrap().unwrap();
    intel.assert_async().await;
    assert_eq!(first.object_type(), "file");
    assert_eq!(
        p.meta()
            .and_then(|m| m.get("total_hits"))
            .and_then(|v| v.as_u64()),
        Some(96)
    );
    assert!(
        client
            .search()
            .query(" ")
            .try_next()
            .await
            .unwrap_err()
            .is_invalid_input()
    );
}

#[tokio::test]
async fn metadata_and_users_through_the_fake_transport() {
    let fake = Fake::new(|seen| match seen.path() {
        "/api/v3/metadata" => (
            200,
            json!({"data": {"engines": {"Avast": {}}, "privileges": ["monitor"],
                "relationships": {"file": [{"name": "comments", "description": "c"}]}}})
            .to_string(),
        ),
        "/api/v3/users/someone" => (200, fixture("other/pw_user.json")),
        "/api/v3/users/someone/overall_quotas" => (
            200,
            json!({"data": {"api_requests_daily": {"user": {"allowed": 500, "used": 7}}}})
                .to_string(),
        ),
        "/api/v3/users/someone/api_usage" => (
            200,
            json!({"data": {"daily": {"2026-11-20": {"files": 3}}, "total": {"files": 3}}})
                .to_string(),
        ),
        _ => (
            404,
            r#"{"error": {"code": "NotFoundError", "message": ""}}"#.into(),
        ),
    });
    let client = fake.client();
    let meta = client.metadata().get().await.unwrap();
    assert!(meta.engines.unwrap().contains_key("Avast"));
    let user = client.users().get("someone").await.unwrap();
    assert_eq!(user.object_type, "user");
    let quotas = client.users().quotas("someone").await.unwrap();
    assert!(!quotas.is_empty());
    let overall = client.users().overall_quotas("someone").await.unwrap();
    assert_eq!(
        overall.api_requests_daily.unwrap().user.unwrap().used,
        Some(7)
    );
    let usage = client
        .users()
        .api_usage("someone", Some("20261101"), Some("20261120"))
        .await
        .unwrap();
    assert_eq!(usage.total.unwrap()["files"], 3);
    let last = fake.requests().pop().unwrap();
    assert_eq!(last.query_value("start_date").as_deref(), Some("20261101"));
    assert_eq!(last.query_value("end_date").as_deref(), Some("20261120"));
    let before = fake.count();
    assert!(
        client
            .users()
            .api_usage("someone", Some("2026-11-01"), None)
            .await
            .unwrap_err()
            .is_invalid_input()
    );
    assert_eq!(fake.count(), before, "bad dates send nothing");
}

#[tokio::test]
async fn comments_and_search_through_the_fake_transport() {
    let fake = Fake::new(|seen| match (seen.method.as_str(), seen.path()) {
        ("GET", "/api/v3/comments") => (200, fixture("comment/vtx_url_comments_page.json")),
        ("POST", p) if p.ends_with("/vote") => (
            200,
            r#"{"data": {"positive": 2, "negative": 0, "abuse": 0}}"#.into(),
        ),
        ("DELETE", _) => (200, String::new()),
        ("GET", "/api/v3/search") => (200, fixture("collection/vtx_intel_search_urls_p2.json")),
        _ => (
            404,
            r#"{"error": {"code": "NotFoundError", "message": ""}}"#.into(),
        ),
    });
    let client = fake.client();
    let latest: Vec<_> = client
        .comments()
        .latest()
        .limit(1)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(latest.len(), 1);
    let counts = client
        .comments()
        .vote(CID, CommentVote::Positive)
        .await
        .unwrap();
    assert_eq!(counts.positive, Some(2));
    client.comments().delete(CID).await.unwrap();
    let hits: Vec<_> = client
        .search()
        .query("evil.example")
        .limit(2)
        .try_collect()
        .await
        .unwrap();
    assert!(!hits.is_empty());
    let reqs = fake.requests();
    assert_eq!(reqs[0].query_value("limit").as_deref(), Some("1"));
    assert_eq!(reqs[1].body, r#"{"data":"positive"}"#);
    assert_eq!(reqs[2].method, http::Method::DELETE);
    assert_eq!(
        reqs[3].query_value("query").as_deref(),
        Some("evil.example")
    );
}
