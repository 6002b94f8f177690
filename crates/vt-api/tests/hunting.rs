//! `client.hunting()` (Livehunt) against httpmock: the exact wire format of rulesets (list
//! with filter and order, get, create, update, delete), notifications (list with
//! `relationships=file`, get, delete one, delete by tag), deleting every ruleset with the
//! `x-confirm-delete` header, and notification files; rules, ids and confirmations refused
//! before any request.

mod common;

use common::{answer_ok, any, http_client, refuse_every_request};
use futures_util::TryStreamExt;
use httpmock::prelude::*;
use serde_json::json;
use vt_api::hunting::RulesetChanges;
use vt_model::{AnyObject, HuntingNotificationContext};

const RULES: &str = "rule eicar { strings: $a = \"EICAR\" condition: $a }";

fn ruleset(id: &str, name: &str) -> serde_json::Value {
    json!({"type": "hunting_ruleset", "id": id, "attributes": {
        "name": name, "rules": RULES, "enabled": true, "limit": 100,
        "rule_names": ["eicar"], "number_of_rules": 1, "creation_date": 1700000000,
        "future_field": {"kept": true}}})
}

#[tokio::test]
async fn rulesets_list_with_filter_and_order_and_get_one_losslessly() {
    let server = MockServer::start_async().await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/hunting_rulesets")
                .query_param("filter", "enabled:true name:ei*")
                .query_param("order", "creation_date-")
                .query_param("limit", "5")
                .header("x-apikey", common::KEY);
            then.status(200).body(
                json!({"data": [ruleset("1", "a"), ruleset("2", "b")], "meta": {"count": 2}})
                    .to_string(),
            );
        })
        .await;
    let one = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/hunting_rulesets/123");
            then.status(200)
                .body(json!({"data": ruleset("123", "eicar")}).to_string());
        })
        .await;
    let client = http_client(&server.base_url());
    let got: Vec<_> = client
        .hunting()
        .rulesets()
        .filter("enabled:true name:ei*")
        .order("creation_date-")
        .page_size(5)
        .try_collect()
        .await
        .unwrap();
    list.assert_async().await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].attributes.name.as_deref(), Some("b"));
    let rs = client.hunting().ruleset("123").await.unwrap();
    one.assert_async().await;
    assert_eq!(rs.attributes.enabled, Some(true));
    assert_eq!(rs.attributes.number_of_rules, Some(1));
    // Lossless: an unknown attribute goes back out as it came.
    let back = serde_json::to_value(&rs).unwrap();
    assert_eq!(back["attributes"]["future_field"], json!({"kept": true}));
}

#[tokio::test]
async fn create_sends_name_rules_and_only_the_attributes_set() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/intelligence/hunting_rulesets")
                .header("content-type", "application/json")
                .json_body(json!({"data": {"type": "hunting_ruleset", "attributes": {
                    "name": "eicar", "rules": RULES, "enabled": false, "limit": 10,
                    "notification_emails": ["a@example.com"], "match_object_type": "file",
                    "tags": ["t"]}}}));
            then.status(200)
                .body(json!({"data": ruleset("77", "eicar")}).to_string());
        })
        .await;
    let client = http_client(&server.base_url());
    let rs = client
        .hunting()
        .create_ruleset(
            "eicar",
            RULES,
            RulesetChanges::new()
                .enabled(false)
                .limit(10)
                .notification_emails(vec!["a@example.com".into()])
                .match_object_type("file")
                .tags(vec!["t".into()]),
        )
        .await
        .unwrap();
    create.assert_async().await;
    assert_eq!(rs.id_str(), "77");
}

#[tokio::test]
async fn update_patches_only_what_changes_and_delete_sends_delete() {
    let server = MockServer::start_async().await;
    let patch = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path("/api/v3/intelligence/hunting_rulesets/77")
                .json_body(json!({"data": {"type": "hunting_ruleset", "id": "77",
                    "attributes": {"enabled": false}}}));
            then.status(200)
                .body(json!({"data": ruleset("77", "eicar")}).to_string());
        })
        .await;
    let delete = answer_ok(
        &server,
        "DELETE /intelligence/hunting_rulesets/77",
        any,
        "{}",
    )
    .await;
    let client = http_client(&server.base_url());
    client
        .hunting()
        .update_ruleset("77", RulesetChanges::new().enabled(false))
        .await
        .unwrap();
    patch.assert_async().await;
    client.hunting().delete_ruleset("77").await.unwrap();
    delete.assert_async().await;
}

#[tokio::test]
async fn notifications_list_get_and_delete_and_files_carry_their_context() {
    let server = MockServer::start_async().await;
    let note = json!({"type": "hunting_notification", "id": "1-2-ab", "attributes": {
        "rule_name": "eicar", "date": 1700000000, "tags": ["eicar"], "match_in_subfile": false},
        "relationships": {"file": {"data": {"type": "file", "id": "ab"}}}});
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/hunting_notifications")
                .query_param("filter", "tag:eicar")
                .query_param("relationships", "file");
            then.status(200)
                .body(json!({"data": [note.clone()], "meta": {}}).to_string());
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/hunting_notifications/1-2-ab");
            then.status(200).body(json!({"data": note}).to_string());
        })
        .await;
    let delete_one = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/api/v3/intelligence/hunting_notifications/1-2-ab");
            then.status(200).body("{}");
        })
        .await;
    let delete_tag = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/api/v3/intelligence/hunting_notifications")
                .query_param("tag", "eicar");
            then.status(200).body("{}");
        })
        .await;
    let delete_all = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/api/v3/intelligence/hunting_notifications")
                .query_param_missing("tag");
            then.status(200).body("{}");
        })
        .await;
    let files = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/hunting_notification_files")
                .query_param("filter", "eicar")
                .query_param("count_limit", "500");
            then.status(200).body(
                json!({"data": [{"type": "file", "id": "ab", "attributes": {"size": 68},
                    "context_attributes": {"notification_id": "1-2-ab", "rule_name": "eicar",
                    "ruleset_id": "77", "ruleset_name": "mine", "notification_date": 1700000000}}],
                    "meta": {"count": 1}})
                .to_string(),
            );
        })
        .await;
    let client = http_client(&server.base_url());
    let notes: Vec<_> = client
        .hunting()
        .notifications()
        .filter("tag:eicar")
        .try_collect()
        .await
        .unwrap();
    list.assert_async().await;
    assert_eq!(notes[0].attributes.rule_name.as_deref(), Some("eicar"));
    let n = client.hunting().notification("1-2-ab").await.unwrap();
    get.assert_async().await;
    assert!(n.relationships.is_some());
    client
        .hunting()
        .delete_notification("1-2-ab")
        .await
        .unwrap();
    delete_one.assert_async().await;
    client
        .hunting()
        .delete_notifications(Some("eicar"))
        .await
        .unwrap();
    delete_tag.assert_async().await;
    client.hunting().delete_notifications(None).await.unwrap();
    delete_all.assert_async().await;
    let got: Vec<AnyObject> = client
        .hunting()
        .notification_files()
        .filter("eicar")
        .param("count_limit", "500")
        .try_collect()
        .await
        .unwrap();
    files.assert_async().await;
    let ctx = HuntingNotificationContext::of(&got[0]).unwrap();
    assert_eq!(ctx.ruleset_id.as_deref(), Some("77"));
    assert_eq!(ctx.rule_name.as_deref(), Some("eicar"));
}

#[tokio::test]
async fn deleting_every_ruleset_sends_the_confirmation_header_and_reads_a_refusal() {
    let server = MockServer::start_async().await;
    let confirmed = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/api/v3/intelligence/hunting_rulesets")
                .header("x-confirm-delete", "alice")
                .header("x-apikey", common::KEY);
            then.status(200).body("{}");
        })
        .await;
    let refused = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/api/v3/intelligence/hunting_rulesets")
                .header("x-confirm-delete", "bob");
            then.status(400).body(
                json!({"error": {"code": "BadRequestError",
                    "message": "x-confirm-delete does not name you"}})
                .to_string(),
            );
        })
        .await;
    let client = http_client(&server.base_url());
    client.hunting().delete_all_rulesets("alice").await.unwrap();
    confirmed.assert_async().await;
    let e = client
        .hunting()
        .delete_all_rulesets("bob")
        .await
        .unwrap_err();
    refused.assert_async().await;
    assert!(e.to_string().contains("BadRequestError"), "{e}");
}

#[tokio::test]
async fn bad_rules_ids_and_changes_are_refused_before_any_request() {
    let server = MockServer::start_async().await;
    let any = refuse_every_request(&server).await;
    let client = http_client(&server.base_url());
    let h = client.hunting();
    let refused = [
        h.create_ruleset("x", "  ", RulesetChanges::new())
            .await
            .unwrap_err(),
        h.create_ruleset("", RULES, RulesetChanges::new())
            .await
            .unwrap_err(),
        h.create_ruleset(
            "x",
            &"r".repeat(vt_api::hunting::MAX_RULES_BYTES + 1),
            RulesetChanges::new(),
        )
        .await
        .unwrap_err(),
        h.update_ruleset("77", RulesetChanges::new())
            .await
            .unwrap_err(),
        h.update_ruleset("a/b", RulesetChanges::new().enabled(true))
            .await
            .unwrap_err(),
        h.ruleset("").await.unwrap_err(),
        h.notification("has space").await.unwrap_err(),
        h.delete_notifications(Some("two words")).await.unwrap_err(),
        h.delete_all_rulesets("").await.unwrap_err(),
        h.delete_all_rulesets(" alice").await.unwrap_err(),
        h.delete_all_rulesets("al\nice").await.unwrap_err(),
        h.update_ruleset(
            "77",
            RulesetChanges::new().notification_emails(vec!["nope".into()]),
        )
        .await
        .unwrap_err(),
    ];
    for e in &refused {
        assert!(e.is_invalid_input(), "{e}");
    }
    #[cfg(feature = "yara")]
    {
        let e = h
            .create_ruleset("x", "rule a {\n  condition: nope\n}", RulesetChanges::new())
            .await
            .unwrap_err();
        assert!(e.is_invalid_input());
        assert!(e.to_string().contains("2:14: error[E009]"), "{e}");
    }
    any.assert_calls_async(0).await;
}
