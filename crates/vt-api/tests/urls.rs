//! `/urls` endpoints.

mod common;

use common::{Fake, KEY, fixture, http_client};
use futures_util::TryStreamExt;
use httpmock::prelude::*;
use vt_model::{UrlId, Verdict};

const URL: &str = "http://www.somedomain.com/this/is/my/url";
const URL_ID: &str = "aHR0cDovL3d3dy5zb21lZG9tYWluLmNvbS90aGlzL2lzL215L3VybA";

#[tokio::test]
async fn submit_posts_a_form_and_returns_the_analysis_descriptor() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/urls")
                .header("x-apikey", KEY)
                .header("content-type", "application/x-www-form-urlencoded")
                .form_urlencoded_tuple("url", "http://example.com/a%20b?x=1&y=2");
            then.status(200)
                .body(fixture("analysis/vtx_url_analyse_descriptor.json"));
        })
        .await;
    let client = http_client(&server.base_url());
    let d = client
        .urls()
        .submit("http://example.com/a%20b?x=1&y=2")
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(d.type_str(), "analysis");
    assert!(d.id_str().starts_with("u-"));
    // The one URL rule (vt_model::check_url): nothing is sent for these.
    for bad in ["", "http://example.com/a b", "http://"] {
        let err = client.urls().submit(bad).await.unwrap_err();
        assert!(err.is_invalid_input(), "{bad:?}: {err}");
    }
    m.assert_calls_async(1).await;
}

#[tokio::test]
async fn reports_by_url_text_use_the_unpadded_base64url_id() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/api/v3/urls/{URL_ID}"));
            then.status(200).body(fixture("url/vtx_example_com.json"));
        })
        .await;
    let client = http_client(&server.base_url());
    let report = client.urls().report_by_url(URL).await.unwrap();
    m.assert_async().await;
    assert_eq!(report.object_type, "url");
    let by_id = client
        .urls()
        .report(&URL_ID.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(by_id.id, report.id);
    m.assert_calls_async(2).await;
}

#[tokio::test]
async fn network_location_reanalyse_comments_votes_relationships() {
    let server = MockServer::start_async().await;
    let sha: UrlId = "dd014af5ed6b38d9130e3f466f850e46d21b951199d53a18ef29ee9341614eaf"
        .parse()
        .unwrap();
    let base = format!("/api/v3/urls/{sha}");
    let nl = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{base}/network_location"));
            then.status(200)
                .body(fixture("other/vtx_url_network_location.json"));
        })
        .await;
    let re = server
        .mock_async(|when, then| {
            when.method(POST).path(format!("{base}/analyse"));
            then.status(200)
                .body(fixture("analysis/vtx_url_analyse_descriptor.json"));
        })
        .await;
    let comments = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{base}/comments"));
            then.status(200)
                .body(fixture("comment/vtx_url_comments_page.json"));
        })
        .await;
    let votes = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{base}/votes"));
            then.status(200)
                .body(fixture("vote/vtx_url_votes_list.json"));
        })
        .await;
    let vote = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("{base}/votes"))
                .body_includes(r#""verdict":"malicious""#);
            then.status(200)
                .body(fixture("vote/vtx_add_vote_response.json"));
        })
        .await;
    let rel = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("{base}/last_serving_ip_address"));
            then.status(200)
                .body(fixture("ip_address/vtx_url_last_serving_ip.json"));
        })
        .await;
    let client = http_client(&server.base_url());
    let urls = client.urls();
    let loc = urls.network_location(&sha).await.unwrap();
    nl.assert_async().await;
    assert!(matches!(
        loc,
        Some(vt_model::AnyObject::Domain(_) | vt_model::AnyObject::IpAddress(_))
    ));
    urls.reanalyse(&sha).await.unwrap();
    re.assert_async().await;
    let c: Vec<_> = urls.comments(&sha).limit(2).try_collect().await.unwrap();
    comments.assert_async().await;
    assert!(!c.is_empty());
    let v: Vec<_> = urls.votes(&sha).limit(2).try_collect().await.unwrap();
    votes.assert_async().await;
    assert!(!v.is_empty());
    urls.add_vote(&sha, &Verdict::Malicious).await.unwrap();
    vote.assert_async().await;
    let related: Vec<_> = urls
        .related(&sha, "last_serving_ip_address")
        .try_collect()
        .await
        .unwrap();
    rel.assert_async().await;
    assert_eq!(
        related.len(),
        1,
        "a one-to-one relationship yields one object"
    );
}

#[tokio::test]
async fn the_fake_transport_sees_the_same_requests() {
    let fake = Fake::new(|seen| match seen.path() {
        "/api/v3/urls" => (200, fixture("analysis/vtx_url_analyse_descriptor.json")),
        _ => (200, fixture("url/pw_google_com.json")),
    });
    let client = fake.client();
    client
        .urls()
        .submit("https://www.google.com/")
        .await
        .unwrap();
    let report = client
        .urls()
        .report_by_url("https://www.google.com/")
        .await
        .unwrap();
    assert_eq!(report.object_type, "url");
    let reqs = fake.requests();
    assert_eq!(reqs[0].body, "url=https%3A%2F%2Fwww.google.com%2F");
    assert_eq!(
        reqs[1].path(),
        "/api/v3/urls/aHR0cHM6Ly93d3cuZ29vZ2xlLmNvbS8"
    );
}

#[tokio::test]
async fn network_location_of_data_null_is_none() {
    let server = MockServer::start_async().await;
    let id = UrlId::from_url(URL).unwrap();
    let m = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/api/v3/urls/{URL_ID}/network_location"));
            then.status(200)
                .header("content-type", "application/json")
                .body(r#"{"data": null, "links": {"self": "x"}}"#);
        })
        .await;
    let client = http_client(&server.base_url());
    let loc = client.urls().network_location(&id).await.unwrap();
    m.assert_async().await;
    assert!(loc.is_none());
}
