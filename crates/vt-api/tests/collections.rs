//! `client.collections()` and `client.ioc_stream()` against httpmock: the exact wire format
//! (method, path, query, key header, body) of every call, and what comes back typed.

mod common;

use common::{answer_ok, any, http_client, refuse_every_request};
use futures_util::TryStreamExt;
use httpmock::prelude::*;
use serde_json::json;
use vt_api::collections::CollectionUpdate;
use vt_api::ioc_stream::IocStreamFilter;
use vt_model::{AnyObject, Indicator, IndicatorKind, IocStreamContext, IocStreamOrigin};

const MD5: &str = "44d88612fea8a8f36de82e1278abb02f";

fn collection_answer(id: &str, name: &str) -> String {
    json!({"data": {"type": "collection", "id": id, "links": {"self": "x"},
        "attributes": {"name": name, "description": "d", "files_count": 1, "urls_count": 1,
            "domains_count": 1, "ip_addresses_count": 1, "creation_date": 1700000000,
            "unknown_member": [1, 2]}}})
    .to_string()
}

fn iocs(list: &[&str]) -> Vec<Indicator> {
    list.iter().map(|s| s.parse().unwrap()).collect()
}

#[tokio::test]
async fn create_sends_typed_indicators_as_relationships_of_descriptors() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/collections")
                .header("x-apikey", common::KEY)
                .json_body(json!({"data": {
                    "type": "collection",
                    "attributes": {"name": "Campaign X", "description": "from a report"},
                    "relationships": {
                        "files": {"data": [{"type": "file", "id": MD5}]},
                        "urls": {"data": [{"type": "url", "url": "http://evil.example/p"}]},
                        "domains": {"data": [{"type": "domain", "id": "evil.example"}]},
                        "ip_addresses": {"data": [{"type": "ip_address", "id": "8.8.8.8"}]},
                    }
                }}));
            then.status(200).body(collection_answer("c1", "Campaign X"));
        })
        .await;
    let client = http_client(&server.base_url());
    let created = client
        .collections()
        .create(
            "Campaign X",
            Some("from a report"),
            &iocs(&["8.8.8.8", "evil.example", "hxxp://evil[.]example/p", MD5]),
        )
        .await
        .unwrap();
    create.assert_async().await;
    assert_eq!(created.id_str(), "c1");
    assert_eq!(created.attributes.item_count(), 4);
    assert!(created.attributes.extra.contains_key("unknown_member"));
}

#[tokio::test]
async fn create_from_text_sends_raw_items_beside_the_attributes() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/collections")
                .json_body(json!({"data": {
                    "type": "collection",
                    "attributes": {"name": "n"},
                    "raw_items": "www.example.com https://www.hooli.com",
                }}));
            then.status(200).body(collection_answer("c2", "n"));
        })
        .await;
    let client = http_client(&server.base_url());
    let c = client
        .collections()
        .create_from_text("n", None, "www.example.com https://www.hooli.com")
        .await
        .unwrap();
    create.assert_async().await;
    assert_eq!(c.id_str(), "c2");
}

#[tokio::test]
async fn get_update_add_text_and_delete_use_the_collection_path() {
    let server = MockServer::start_async().await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/collections/alienvault_1")
                .query_param("relationships", "files,owner");
            then.status(200)
                .body(collection_answer("alienvault_1", "a"));
        })
        .await;
    let patch_name = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path("/api/v3/collections/alienvault_1")
                .json_body(json!({"data": {"type": "collection", "id": "alienvault_1",
                    "attributes": {"name": "renamed", "description": "new text"}}}));
            then.status(200)
                .body(collection_answer("alienvault_1", "renamed"));
        })
        .await;
    let patch_raw = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path("/api/v3/collections/alienvault_1")
                .json_body(json!({"data": {"type": "collection", "id": "alienvault_1",
                    "raw_items": "1.2.3.4"}}));
            then.status(200)
                .body(collection_answer("alienvault_1", "renamed"));
        })
        .await;
    let delete = answer_ok(&server, "DELETE /collections/alienvault_1", any, "").await;
    let client = http_client(&server.base_url());
    let c = client.collections();
    let got = c
        .get_with_relationships("alienvault_1", &["files", "owner"])
        .await
        .unwrap();
    assert_eq!(got.attributes.name.as_deref(), Some("a"));
    let updated = c
        .update(
            "alienvault_1",
            &CollectionUpdate::new()
                .name("renamed")
                .description("new text"),
        )
        .await
        .unwrap();
    assert_eq!(updated.attributes.name.as_deref(), Some("renamed"));
    c.add_text("alienvault_1", "1.2.3.4").await.unwrap();
    c.delete("alienvault_1").await.unwrap();
    get.assert_async().await;
    patch_name.assert_async().await;
    patch_raw.assert_async().await;
    delete.assert_async().await;
}

#[tokio::test]
async fn add_and_remove_send_one_request_per_kind_delete_with_a_body() {
    let server = MockServer::start_async().await;
    let add_domains = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/collections/c1/domains")
                .json_body(json!({"data": [{"type": "domain", "id": "a.example"},
                    {"type": "domain", "id": "b.example"}]}));
            then.status(200).body("{}");
        })
        .await;
    let add_ips = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/collections/c1/ip_addresses")
                .json_body(json!({"data": [{"type": "ip_address", "id": "2001:db8::1"}]}));
            then.status(200).body("{}");
        })
        .await;
    let remove_urls = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/api/v3/collections/c1/urls")
                .json_body(json!({"data": [{"type": "url", "url": "https://x.example/"}]}));
            then.status(200).body("");
        })
        .await;
    let client = http_client(&server.base_url());
    let kinds = client
        .collections()
        .add("c1", &iocs(&["a.example", "2001:DB8::1", "b.example"]))
        .await
        .unwrap();
    assert_eq!(kinds, [IndicatorKind::Domain, IndicatorKind::IpAddress]);
    let kinds = client
        .collections()
        .remove("c1", &iocs(&["https://x.example/"]))
        .await
        .unwrap();
    assert_eq!(kinds, [IndicatorKind::Url]);
    add_domains.assert_async().await;
    add_ips.assert_async().await;
    remove_urls.assert_async().await;
}

#[tokio::test]
async fn list_walks_a_users_collections_and_relationships_as_streams() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/users/analyst/collections")
                .query_param("filter", "name:emotet")
                .query_param("order", "creation_date-")
                .query_param_missing("cursor");
            then.status(200).body(
                json!({"data": [{"type": "collection", "id": "c1", "attributes": {"name": "emotet 1"}}],
                    "meta": {"cursor": "Mg=="}})
                .to_string(),
            );
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/users/analyst/collections")
                .query_param("cursor", "Mg==");
            then.status(200).body(
                json!({"data": [{"type": "collection", "id": "c2", "attributes": {"name": "emotet 2"}}]})
                    .to_string(),
            );
        })
        .await;
    let files = server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/collections/c1/files");
            then.status(200).body(
                json!({"data": [{"type": "file", "id": MD5, "attributes": {"size": 68}}]})
                    .to_string(),
            );
        })
        .await;
    let descriptors = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/collections/c1/relationships/domains");
            then.status(200)
                .body(json!({"data": [{"type": "domain", "id": "a.example"}]}).to_string());
        })
        .await;
    let client = http_client(&server.base_url());
    let mine: Vec<_> = client
        .collections()
        .list("analyst")
        .filter("name:emotet")
        .order("creation_date-")
        .try_collect()
        .await
        .unwrap();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[1].attributes.name.as_deref(), Some("emotet 2"));
    let f: Vec<AnyObject> = client
        .collections()
        .related("c1", "files")
        .try_collect()
        .await
        .unwrap();
    assert!(matches!(&f[0], AnyObject::File(r) if r.attributes.size == Some(68)));
    let d: Vec<_> = client
        .collections()
        .related_descriptors("c1", "domains")
        .try_collect()
        .await
        .unwrap();
    assert_eq!(d[0].id.as_ref().unwrap().as_str(), "a.example");
    first.assert_async().await;
    second.assert_async().await;
    files.assert_async().await;
    descriptors.assert_async().await;
}

#[tokio::test]
async fn an_update_that_conflicts_is_a_typed_conflict_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(PATCH).path("/api/v3/collections/c1");
            then.status(409).body(
                json!({"error": {"code": "AlreadyExistsError",
                    "message": "A collection named \"dup\" already exists"}})
                .to_string(),
            );
        })
        .await;
    let client = http_client(&server.base_url());
    let err = client
        .collections()
        .update("c1", &CollectionUpdate::new().name("dup"))
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err:?}");
    assert!(err.is_final_for_item());
    assert!(err.to_string().contains("already exists"), "{err}");
}

#[tokio::test]
async fn bad_inputs_are_refused_before_any_request() {
    let server = MockServer::start_async().await;
    let any = refuse_every_request(&server).await;
    let client = http_client(&server.base_url());
    let c = client.collections();
    let one = iocs(&["example.com"]);
    assert!(
        c.create(" ", None, &one)
            .await
            .unwrap_err()
            .is_invalid_input()
    );
    assert!(
        c.create("n", None, &[])
            .await
            .unwrap_err()
            .is_invalid_input()
    );
    assert!(
        c.create_from_text("n", None, " \n")
            .await
            .unwrap_err()
            .is_invalid_input()
    );
    assert!(c.get("a/b").await.unwrap_err().is_invalid_input());
    assert!(
        c.update("c1", &CollectionUpdate::new())
            .await
            .unwrap_err()
            .is_invalid_input()
    );
    assert!(c.add("c 1", &one).await.unwrap_err().is_invalid_input());
    assert!(c.remove("c1", &[]).await.unwrap_err().is_invalid_input());
    let listed: Result<Vec<_>, _> = c.list("a b").try_collect().await;
    assert!(listed.unwrap_err().is_invalid_input());
    let s = client.ioc_stream();
    assert!(
        s.delete(&IocStreamFilter::new())
            .await
            .unwrap_err()
            .is_invalid_input()
    );
    assert!(s.notification("1/2").await.unwrap_err().is_invalid_input());
    let bad = IocStreamFilter::raw("origin:hunting\u{7}");
    assert!(bad.unwrap_err().is_invalid_input());
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn ioc_stream_lists_with_filter_order_and_typed_notifications() {
    let server = MockServer::start_async().await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/ioc_stream")
                .query_param("filter", "origin:hunting entity_type:file")
                .query_param("order", "date+")
                .query_param("limit", "40")
                .header("x-apikey", common::KEY);
            then.status(200).body(
                json!({"data": [{"type": "file", "id": MD5, "attributes": {},
                    "context_attributes": {"notification_id": "17", "notification_date": 1700000000,
                        "origin": "hunting", "tags": ["eicar"],
                        "sources": [{"type": "hunting_ruleset", "id": "9", "label": "rs"}],
                        "hunting_info": {"rule_name": "eicar", "rule_tags": [], "snippet": "45"}}}],
                    "meta": {"count": 1}})
                .to_string(),
            );
        })
        .await;
    let client = http_client(&server.base_url());
    let filter = IocStreamFilter::new()
        .origin(IocStreamOrigin::Hunting)
        .entity_type("file");
    let items: Vec<AnyObject> = client
        .ioc_stream()
        .list_filtered(&filter)
        .order("date+")
        .page_size(100)
        .try_collect()
        .await
        .unwrap();
    list.assert_async().await;
    let n = IocStreamContext::of(&items[0]).unwrap();
    assert_eq!(n.notification_id.as_deref(), Some("17"));
    assert_eq!(n.origin, Some(IocStreamOrigin::Hunting));
    assert_eq!(
        n.sources.unwrap()[0].source_type.as_deref(),
        Some("hunting_ruleset")
    );
    assert_eq!(n.hunting_info.unwrap().rule_name.as_deref(), Some("eicar"));
}

#[tokio::test]
async fn ioc_stream_deletes_by_filter_all_or_one_and_gets_one() {
    let server = MockServer::start_async().await;
    let by_filter = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/api/v3/ioc_stream")
                .query_param("filter", "source_id:9");
            then.status(200).body("");
        })
        .await;
    let all = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/api/v3/ioc_stream")
                .query_param_missing("filter");
            then.status(200).body("");
        })
        .await;
    let one = answer_ok(&server, "DELETE /ioc_stream_notifications/17", any, "").await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/ioc_stream_notifications/18");
            then.status(200).body(
                json!({"data": {"type": "domain", "id": "a.example", "attributes": {},
                    "context_attributes": {"notification_id": "18", "origin": "subscriptions"}}})
                .to_string(),
            );
        })
        .await;
    let client = http_client(&server.base_url());
    let s = client.ioc_stream();
    s.delete(&IocStreamFilter::new().source_id("9"))
        .await
        .unwrap();
    s.delete_all().await.unwrap();
    s.delete_notification("17").await.unwrap();
    let got = s.notification("18").await.unwrap();
    assert_eq!(
        IocStreamContext::of(&got).unwrap().origin,
        Some(IocStreamOrigin::Subscriptions)
    );
    by_filter.assert_async().await;
    all.assert_async().await;
    one.assert_async().await;
    get.assert_async().await;
}

#[tokio::test]
async fn a_deletion_while_one_runs_is_a_rate_error_not_a_quota() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path("/api/v3/ioc_stream");
            then.status(429).body(
                json!({"error": {"code": "TooManyRequestsError",
                    "message": "A deletion is already running"}})
                .to_string(),
            );
        })
        .await;
    let client = vt_api::Client::builder()
        .api_key(common::KEY)
        .base_url(server.base_url())
        .rate_limit(vt_api::transport::RateLimitSpec::none())
        .max_retries(0)
        .build()
        .unwrap();
    let err = client
        .ioc_stream()
        .delete(&IocStreamFilter::new().tag("x"))
        .await
        .unwrap_err();
    assert_eq!(err.class(), vt_api::ErrorClass::RateLimited);
    assert!(!err.is_quota());
}
