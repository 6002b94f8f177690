//! `/domains` and `/ip_addresses` endpoints.

mod common;

use common::{Fake, fixture, http_client};
use futures_util::TryStreamExt;
use httpmock::prelude::*;
use serde_json::json;
use vt_model::{DomainName, IpAddress, Verdict};

#[tokio::test]
async fn domain_report_comments_votes_relationships_reanalyse() {
    let server = MockServer::start_async().await;
    let report = server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/domains/github.com");
            then.status(200).body(fixture("domain/vtx_github_com.json"));
        })
        .await;
    let comments = server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/domains/github.com/comments");
            then.status(200)
                .body(fixture("comment/vtx_domain_comments_list.json"));
        })
        .await;
    let add_comment = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/domains/github.com/comments")
                .json_body(json!({"data": {"type": "comment", "attributes": {"text": "hello"}}}));
            then.status(200).body(r#"{"data": {"type": "comment", "id": "d-github.com-1", "attributes": {"text": "hello"}}}"#);
        })
        .await;
    let votes = server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/domains/github.com/votes");
            then.status(200).body(r#"{"data": []}"#);
        })
        .await;
    let add_vote = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/domains/github.com/votes")
                .body_includes("harmless");
            then.status(200)
                .body(fixture("vote/vtx_add_vote_response.json"));
        })
        .await;
    let resolutions = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/domains/github.com/resolutions")
                .query_param("limit", "10");
            then.status(200)
                .body(fixture("collection/vtx_domain_resolutions.json"));
        })
        .await;
    let rel = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/domains/github.com/relationships/siblings");
            then.status(200)
                .body(fixture("collection/vtx_domain_siblings_empty.json"));
        })
        .await;
    let re = server
        .mock_async(|when, then| {
            when.method(POST).path("/api/v3/domains/github.com/analyse");
            then.status(200)
                .body(fixture("analysis/mdb_rescan_descriptor.json"));
        })
        .await;
    let client = http_client(&server.base_url());
    let d: DomainName = "GitHub.com".parse().unwrap();
    let domains = client.domains();
    let r = domains.report(&d).await.unwrap();
    report.assert_async().await;
    assert_eq!(r.id_str(), "github.com");
    let c: Vec<_> = domains.comments(&d).try_collect().await.unwrap();
    comments.assert_async().await;
    assert!(!c.is_empty());
    domains.add_comment(&d, "hello").await.unwrap();
    add_comment.assert_async().await;
    let v: Vec<_> = domains.votes(&d).try_collect().await.unwrap();
    votes.assert_async().await;
    assert!(v.is_empty());
    domains.add_vote(&d, &Verdict::Harmless).await.unwrap();
    add_vote.assert_async().await;
    let res: Vec<_> = domains
        .related(&d, "resolutions")
        .page_size(10)
        .limit(10)
        .try_collect()
        .await
        .unwrap();
    resolutions.assert_async().await;
    assert!(!res.is_empty());
    let sib: Vec<_> = domains
        .related_descriptors(&d, "siblings")
        .try_collect()
        .await
        .unwrap();
    rel.assert_async().await;
    assert!(sib.is_empty());
    domains.reanalyse(&d).await.unwrap();
    re.assert_async().await;
}

#[tokio::test]
async fn ip_report_and_friends_over_http() {
    let server = MockServer::start_async().await;
    let report = server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/ip_addresses/1.1.1.1");
            then.status(200)
                .body(fixture("ip_address/vtx_1_1_1_1.json"));
        })
        .await;
    let comments = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/ip_addresses/1.1.1.1/comments");
            then.status(200)
                .body(fixture("collection/vtx_ip_comments_empty.json"));
        })
        .await;
    let re = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/ip_addresses/1.1.1.1/analyse");
            then.status(200)
                .body(fixture("analysis/mdb_rescan_descriptor.json"));
        })
        .await;
    let vote = server
        .mock_async(|when, then| {
            when.method(POST).path("/api/v3/ip_addresses/1.1.1.1/votes");
            then.status(200).body(
                r#"{"data":{"attributes":{"date":1,"value":1,"verdict":"harmless"},"id":"i-1.1.1.1-a68784ad","links":{"self":null},"type":"vote"}}"#,
            );
        })
        .await;
    let client = http_client(&server.base_url());
    let ip: IpAddress = "1.1.1.1".parse().unwrap();
    let ips = client.ip_addresses();
    let r = ips.report(&ip).await.unwrap();
    report.assert_async().await;
    assert_eq!(r.attributes.asn, Some(13335));
    let c: Vec<_> = ips.comments(&ip).try_collect().await.unwrap();
    comments.assert_async().await;
    assert!(c.is_empty());
    ips.reanalyse(&ip).await.unwrap();
    re.assert_async().await;
    let v = ips.add_vote(&ip, &Verdict::Harmless).await.unwrap();
    vote.assert_async().await;
    assert_eq!(v.id_str(), "i-1.1.1.1-a68784ad");
}

#[tokio::test]
async fn ipv6_and_relationships_through_the_fake_transport() {
    let fake = Fake::new(|seen| match seen.path() {
        p if p.ends_with("/historical_whois") => (
            200,
            r#"{"data": [{"type": "whois", "id": "w1", "attributes": {}}]}"#.into(),
        ),
        p if p.starts_with("/api/v3/ip_addresses/") => (200, fixture("ip_address/pw_8_8_8_8.json")),
        _ => (200, fixture("domain/pw_virustotal_com.json")),
    });
    let client = fake.client();
    let ip: IpAddress = "2001:db8::1".parse().unwrap();
    client.ip_addresses().report(&ip).await.unwrap();
    let d: DomainName = "virustotal.com".parse().unwrap();
    client.domains().report(&d).await.unwrap();
    let whois: Vec<_> = client
        .domains()
        .related(&d, "historical_whois")
        .try_collect()
        .await
        .unwrap();
    assert!(matches!(whois[0], vt_model::AnyObject::Other(_)));
    let paths: Vec<String> = fake
        .requests()
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "/api/v3/ip_addresses/2001:db8::1",
            "/api/v3/domains/virustotal.com",
            "/api/v3/domains/virustotal.com/historical_whois"
        ]
    );
}
