//! Collections (`/collections`, `/users/{id}/collections`) and the IoC stream
//! (`/ioc_stream`, `/ioc_stream_notifications/{id}`, `POST /_emulator/ioc_stream`) route by
//! route: indicators resolved to the dataset's objects, owners, conflicts, notifications.

mod common;

use bytes::Bytes;
use common::{Http, Resp, full};
use http::{Method, StatusCode};
use serde_json::{Value, json};
use vt_emulator::{
    ClockMode, DEFAULT_PREMIUM_KEY as PREMIUM, DEFAULT_PUBLIC_KEY as PUBLIC, EICAR_MD5,
    EICAR_SHA256, Emulator, EmulatorHandle,
};

const NOW: u64 = 1_750_000_000;

async fn start() -> EmulatorHandle {
    Emulator::builder()
        .small_dataset()
        .clock(ClockMode::Manual(NOW))
        .start()
        .await
        .unwrap()
}

fn api(emu: &EmulatorHandle, path: &str) -> String {
    format!("{}{path}", emu.api_url())
}

async fn send_json(http: &Http, method: Method, url: &str, key: &str, body: &Value) -> Resp {
    http.send(
        method,
        url,
        Some(key),
        &[("content-type", "application/json")],
        full(serde_json::to_vec(body).unwrap()),
    )
    .await
}

async fn delete(http: &Http, url: &str, key: &str) -> Resp {
    http.send(Method::DELETE, url, Some(key), &[], full(Bytes::new()))
        .await
}

async fn create(emu: &EmulatorHandle, http: &Http, key: &str, data: Value) -> Resp {
    send_json(
        http,
        Method::POST,
        &api(emu, "/collections"),
        key,
        &json!({ "data": data }),
    )
    .await
}

fn ids(v: &Value) -> Vec<String> {
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_collection_resolves_its_indicators_to_the_datasets_objects() {
    let emu = start().await;
    let http = Http::new();
    let r = create(
        &emu,
        &http,
        PREMIUM,
        json!({"type": "collection",
            "attributes": {"name": "Campaign", "description": "d"},
            "relationships": {
                "files": {"data": [{"type": "file", "id": EICAR_MD5}, {"type": "file", "id": "0".repeat(64)}]},
                "urls": {"data": [{"type": "url", "url": "http://fresh.example/payload"}]},
                "domains": {"data": [{"type": "domain", "id": "Fresh.Example"}]},
                "ip_addresses": {"data": [{"type": "ip_address", "id": "8.8.8.8"}]},
            }}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
    let c = r.json()["data"].clone();
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!(c["type"], "collection");
    assert_eq!(c["attributes"]["files_count"], 2);
    assert_eq!(c["attributes"]["domains_count"], 1);
    assert_eq!(c["attributes"]["creation_date"], NOW);

    // The EICAR file by its MD5 is the dataset's object, under its SHA-256.
    let files = http
        .get(
            &api(&emu, &format!("/collections/{id}/files")),
            Some(PUBLIC),
        )
        .await
        .json();
    assert_eq!(files["data"][0]["id"], EICAR_SHA256);
    assert_eq!(files["data"][0]["attributes"]["md5"], EICAR_MD5);
    // An unknown hash is VirusTotal's in-list error item.
    assert_eq!(files["data"][1]["error"]["code"], "NotFoundError");
    // An unknown domain was "scanned and added": it now exists.
    let dom = http
        .get(&api(&emu, "/domains/fresh.example"), Some(PUBLIC))
        .await;
    assert_eq!(dom.status, StatusCode::OK);
    let urls = http
        .get(
            &api(&emu, &format!("/collections/{id}/relationships/urls")),
            Some(PUBLIC),
        )
        .await
        .json();
    assert_eq!(urls["data"][0]["type"], "url");
    let with = http
        .get(
            &api(
                &emu,
                &format!("/collections/{id}?relationships=domains,owner"),
            ),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(
        with["data"]["relationships"]["domains"]["data"][0]["id"],
        "fresh.example"
    );
    assert_eq!(
        with["data"]["relationships"]["owner"]["data"]["type"],
        "user"
    );
    let bad = http
        .get(
            &api(&emu, &format!("/collections/{id}/nonsense")),
            Some(PUBLIC),
        )
        .await;
    assert_eq!(bad.error_code(), "InvalidArgumentError");
}

#[tokio::test]
async fn raw_items_update_rename_conflict_owner_and_delete() {
    let emu = start().await;
    let http = Http::new();
    let r = create(
        &emu,
        &http,
        PREMIUM,
        json!({"type": "collection", "attributes": {"name": "Raw"},
            "raw_items": "seen at evil.example, 1.2.3.4 and hxxp://evil[.]example/x; words ignored"}),
    )
    .await;
    let c = r.json()["data"].clone();
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!(c["attributes"]["domains_count"], 1);
    assert_eq!(c["attributes"]["ip_addresses_count"], 1);
    assert_eq!(c["attributes"]["urls_count"], 1);
    create(
        &emu,
        &http,
        PREMIUM,
        json!({"type": "collection", "attributes": {"name": "Other"}, "raw_items": "8.8.8.8"}),
    )
    .await;
    let url = api(&emu, &format!("/collections/{id}"));

    let added = send_json(
        &http,
        Method::PATCH,
        &url,
        PREMIUM,
        &json!({"data": {"type": "collection", "id": id, "raw_items": "9.9.9.9 evil.example"}}),
    )
    .await;
    assert_eq!(added.json()["data"]["attributes"]["ip_addresses_count"], 2);
    assert_eq!(
        added.json()["data"]["attributes"]["domains_count"],
        1,
        "no duplicates"
    );
    let renamed = send_json(&http, Method::PATCH, &url, PREMIUM,
        &json!({"data": {"type": "collection", "attributes": {"name": "Renamed", "description": "x"}}})).await;
    assert_eq!(renamed.json()["data"]["attributes"]["name"], "Renamed");
    // Another of the owner's collections has that name: 409.
    let clash = send_json(
        &http,
        Method::PATCH,
        &url,
        PREMIUM,
        &json!({"data": {"type": "collection", "attributes": {"name": " other "}}}),
    )
    .await;
    assert_eq!(clash.status, StatusCode::CONFLICT);
    assert_eq!(clash.error_code(), "AlreadyExistsError");
    let dup = create(
        &emu,
        &http,
        PREMIUM,
        json!({"type": "collection", "attributes": {"name": "RENAMED"}, "raw_items": "1.1.1.1"}),
    )
    .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    // Someone else may read it but not change or delete it.
    assert_eq!(http.get(&url, Some(PUBLIC)).await.status, StatusCode::OK);
    let theirs = send_json(
        &http,
        Method::PATCH,
        &url,
        PUBLIC,
        &json!({"data": {"type": "collection", "attributes": {"name": "mine"}}}),
    )
    .await;
    assert_eq!(theirs.error_code(), "ForbiddenError");
    assert_eq!(
        delete(&http, &url, PUBLIC).await.error_code(),
        "ForbiddenError"
    );
    // Bad bodies.
    let nothing = send_json(
        &http,
        Method::PATCH,
        &url,
        PREMIUM,
        &json!({"data": {"type": "collection"}}),
    )
    .await;
    assert_eq!(nothing.error_code(), "BadRequestError");
    let no_items = create(&emu, &http, PREMIUM,
        json!({"type": "collection", "attributes": {"name": "Empty"}, "raw_items": "no indicators here"})).await;
    assert_eq!(no_items.error_code(), "BadRequestError");
    let no_name = create(
        &emu,
        &http,
        PREMIUM,
        json!({"type": "collection", "raw_items": "1.1.1.1"}),
    )
    .await;
    assert_eq!(no_name.error_code(), "BadRequestError");

    assert_eq!(delete(&http, &url, PREMIUM).await.status, StatusCode::OK);
    assert_eq!(
        http.get(&url, Some(PREMIUM)).await.error_code(),
        "NotFoundError"
    );
}

#[tokio::test]
async fn items_are_added_and_removed_per_relationship_and_users_list_theirs() {
    let emu = start().await;
    let http = Http::new();
    let r = create(&emu, &http, PREMIUM,
        json!({"type": "collection", "attributes": {"name": "Emotet wave"}, "raw_items": "a.example"})).await;
    let id = r.json()["data"]["id"].as_str().unwrap().to_owned();
    let rel = |r: &str| api(&emu, &format!("/collections/{id}/{r}"));
    let add = send_json(&http, Method::POST, &rel("domains"), PREMIUM,
        &json!({"data": [{"type": "domain", "id": "b.example"}, {"type": "domain", "id": "a.example"}]})).await;
    assert_eq!(add.status, StatusCode::OK);
    let wrong = send_json(
        &http,
        Method::POST,
        &rel("domains"),
        PREMIUM,
        &json!({"data": [{"type": "ip_address", "id": "1.2.3.4"}]}),
    )
    .await;
    assert_eq!(wrong.error_code(), "BadRequestError");
    let removed = send_json(
        &http,
        Method::DELETE,
        &rel("domains"),
        PREMIUM,
        &json!({"data": [{"type": "domain", "id": "A.EXAMPLE"}]}),
    )
    .await;
    assert_eq!(removed.status, StatusCode::OK);
    let left = http.get(&rel("domains"), Some(PREMIUM)).await.json();
    assert_eq!(ids(&left), ["b.example"]);

    emu_clock(&emu, &http, 10).await;
    create(
        &emu,
        &http,
        PREMIUM,
        json!({"type": "collection", "attributes": {"name": "Later"}, "raw_items": "c.example"}),
    )
    .await;
    let me = http
        .get(&api(&emu, &format!("/users/{PREMIUM}")), Some(PREMIUM))
        .await
        .json();
    let user = me["data"]["id"].as_str().unwrap().to_owned();
    let list = http
        .get(
            &api(&emu, &format!("/users/{user}/collections")),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(list["meta"]["count"], 2);
    assert_eq!(
        list["data"][0]["attributes"]["name"], "Later",
        "newest first"
    );
    let named = http
        .get(
            &api(
                &emu,
                &format!("/users/{PREMIUM}/collections?filter=name:emotet&order=creation_date%2B"),
            ),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(ids(&named), [id.as_str()]);
    let bad = http
        .get(
            &api(&emu, &format!("/users/{user}/collections?order=size-")),
            Some(PREMIUM),
        )
        .await;
    assert_eq!(bad.error_code(), "BadRequestError");
    let theirs = http
        .get(
            &api(&emu, &format!("/users/{PUBLIC}/collections")),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(theirs["meta"]["count"], 0);
}

async fn emu_clock(emu: &EmulatorHandle, http: &Http, secs: u64) {
    let url = format!("{}/_emulator/clock?advance={secs}", emu.base_url());
    let r = http
        .send(Method::POST, &url, None, &[], full(Bytes::new()))
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn the_ioc_stream_gathers_collection_and_hunting_notifications() {
    let emu = start().await;
    let http = Http::new();
    let me = http
        .get(&api(&emu, &format!("/users/{PREMIUM}")), Some(PREMIUM))
        .await
        .json();
    let user = me["data"]["id"].as_str().unwrap().to_owned();
    let r = create(&emu, &http, PREMIUM,
        json!({"type": "collection", "attributes": {"name": "Watched"}, "raw_items": "a.example 8.8.8.8"})).await;
    let cid = r.json()["data"]["id"].as_str().unwrap().to_owned();
    emu_clock(&emu, &http, 60).await;
    // A producer (Livehunt) pushes a hunting notification through the emulator's route.
    let pushed = http
        .post_json(
            &format!("{}/_emulator/ioc_stream", emu.base_url()),
            None,
            &json!({"user": user, "object": {"type": "file", "id": EICAR_MD5},
                "origin": "hunting", "rule_name": "eicar_test",
                "source": {"type": "hunting_ruleset", "id": "77", "label": "My rules"}}),
        )
        .await;
    assert_eq!(pushed.status, StatusCode::OK, "{:?}", pushed.json());
    let hunting_id = pushed.json()["notification_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let stream = |q: &str| api(&emu, &format!("/ioc_stream{q}"));
    let all = http.get(&stream(""), Some(PREMIUM)).await.json();
    assert_eq!(all["meta"]["count"], 3);
    // Newest first: the hunting notification, then the collection's two.
    assert_eq!(all["data"][0]["id"], EICAR_SHA256);
    let ctx = &all["data"][0]["context_attributes"];
    assert_eq!(ctx["origin"], "hunting");
    assert_eq!(ctx["hunting_info"]["rule_name"], "eicar_test");
    assert_eq!(ctx["tags"][0], "eicar_test");
    assert_eq!(
        all["data"][1]["context_attributes"]["sources"][0]["id"],
        cid.as_str()
    );
    assert_eq!(
        all["data"][1]["context_attributes"]["origin"],
        "subscriptions"
    );
    assert!(all["data"][1]["attributes"].is_object(), "full objects");

    let oldest = http
        .get(
            &stream("?order=date%2B&descriptors_only=true&limit=1"),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(oldest["data"][0]["id"], "a.example");
    assert!(oldest["data"][0].get("attributes").is_none());
    assert!(oldest["meta"]["cursor"].is_string());
    let f = |filter: &str| {
        let q: String = url::form_urlencoded::byte_serialize(filter.as_bytes()).collect();
        stream(&format!("?filter={q}"))
    };
    let hunting = http
        .get(
            &f("origin:hunting notification_tag:eicar_test"),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(hunting["meta"]["count"], 1);
    let by_entity = http
        .get(
            &f(&format!("entity_type:file entity_id:{EICAR_MD5}")),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(by_entity["meta"]["count"], 1);
    let by_source = http
        .get(
            &f(&format!("source_type:collection source_id:{cid}")),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(by_source["meta"]["count"], 2);
    let after = http
        .get(&f("date:2025-06-15T15:07:00+"), Some(PREMIUM))
        .await
        .json();
    assert_eq!(
        after["meta"]["count"], 1,
        "only the one raised a minute later"
    );
    let bad = http.get(&f("origin:elsewhere"), Some(PREMIUM)).await;
    assert_eq!(bad.error_code(), "BadRequestError");
    assert!(
        bad.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("subscriptions")
    );
    // Premium only; another user's stream is theirs.
    assert_eq!(
        http.get(&stream(""), Some(PUBLIC)).await.error_code(),
        "ForbiddenError"
    );

    // One notification: get, delete, gone.
    let one = api(&emu, &format!("/ioc_stream_notifications/{hunting_id}"));
    let got = http.get(&one, Some(PREMIUM)).await.json();
    assert_eq!(
        got["data"]["context_attributes"]["notification_id"],
        hunting_id.as_str()
    );
    assert_eq!(delete(&http, &one, PREMIUM).await.status, StatusCode::OK);
    assert_eq!(
        http.get(&one, Some(PREMIUM)).await.error_code(),
        "NotFoundError"
    );

    // Delete by filter; a second deletion while it "runs" is 429.
    assert_eq!(
        delete(&http, &f("entity_type:ip_address"), PREMIUM)
            .await
            .status,
        StatusCode::OK
    );
    let busy = delete(&http, &stream(""), PREMIUM).await;
    assert_eq!(busy.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(busy.error_code(), "TooManyRequestsError");
    let left = http.get(&stream(""), Some(PREMIUM)).await.json();
    assert_eq!(ids(&left), ["a.example"]);
    emu_clock(&emu, &http, 1).await;
    assert_eq!(
        delete(&http, &stream(""), PREMIUM).await.status,
        StatusCode::OK
    );
    assert_eq!(
        http.get(&stream(""), Some(PREMIUM)).await.json()["meta"]["count"],
        0
    );

    // Indicators added later notify the follower too.
    send_json(
        &http,
        Method::POST,
        &api(&emu, &format!("/collections/{cid}/domains")),
        PREMIUM,
        &json!({"data": [{"type": "domain", "id": "b.example"}]}),
    )
    .await;
    let later = http.get(&stream(""), Some(PREMIUM)).await.json();
    assert_eq!(ids(&later), ["b.example"]);
}

/// Needs the `yara` feature (Livehunt compiles and runs rules with yara-x).
#[cfg(feature = "yara")]
#[tokio::test]
async fn livehunt_matches_reach_the_ruleset_owners_ioc_stream() {
    let emu = start().await;
    let http = Http::new();
    let rule = r#"rule eicar_test : av { strings: $a = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" condition: $a }"#;
    let r = http
        .post_json(
            &api(&emu, "/intelligence/hunting_rulesets"),
            Some(PREMIUM),
            &json!({"data": {"type": "hunting_ruleset",
                "attributes": {"name": "EICAR watch", "rules": rule}}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
    let ruleset = r.json()["data"]["id"].as_str().unwrap().to_owned();
    for (name, bytes) in [
        ("eicar.com", vt_emulator::EICAR_BYTES),
        ("clean.txt", b"nothing here".as_slice()),
    ] {
        let up = http
            .post_multipart(
                &api(&emu, "/files"),
                Some(PREMIUM),
                Some((name, bytes)),
                &[],
            )
            .await;
        assert_eq!(up.status, StatusCode::OK);
    }
    let q: String = url::form_urlencoded::byte_serialize(
        format!("origin:hunting source_type:hunting_ruleset source_id:{ruleset}").as_bytes(),
    )
    .collect();
    let stream = http
        .get(
            &api(&emu, &format!("/ioc_stream?filter={q}")),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(stream["meta"]["count"], 1, "{stream}");
    let item = &stream["data"][0];
    assert_eq!(item["id"], EICAR_SHA256);
    assert_eq!(item["type"], "file");
    let ctx = &item["context_attributes"];
    assert_eq!(ctx["origin"], "hunting");
    assert_eq!(ctx["sources"][0]["label"], "EICAR watch");
    assert_eq!(ctx["hunting_info"]["rule_name"], "eicar_test");
    assert_eq!(ctx["hunting_info"]["rule_tags"], json!(["av"]));
    assert!(
        ctx["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "eicar_test")
    );
    // A public key has no IoC stream.
    let other = http.get(&api(&emu, "/ioc_stream"), Some(PUBLIC)).await;
    assert_eq!(other.error_code(), "ForbiddenError");
}
