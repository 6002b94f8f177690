//! Livehunt: rulesets stored per key and compiled with yara-x (a bad one refused with the
//! API's error), files uploaded after a ruleset exists raising notifications, and the
//! notification files with their context. Needs the `yara` feature
//! (`cargo test -p vt-emulator --features yara`; the workspace's tests turn it on).
#![cfg(feature = "yara")]

mod common;

use common::{Http, full};
use http::{Method, StatusCode};
use serde_json::{Value, json};
use vt_emulator::{
    DEFAULT_PREMIUM_KEY as PREMIUM, DEFAULT_PUBLIC_KEY as PUBLIC, EICAR_BYTES, EICAR_SHA256,
    Emulator, EmulatorHandle, KeySpec, Tier,
};

const OTHER: &str = "another-premium-key-0123456789";
const EICAR_RULE: &str =
    r#"rule eicar : av test { strings: $a = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" condition: $a }"#;

async fn start() -> EmulatorHandle {
    Emulator::builder()
        .seed(3)
        .small_dataset()
        .keys(vec![
            KeySpec::new(PREMIUM, Tier::Premium),
            KeySpec::new(PUBLIC, Tier::Public),
            KeySpec::new(OTHER, Tier::Premium),
        ])
        .start()
        .await
        .unwrap()
}

async fn create(http: &Http, api: &str, key: &str, attrs: Value) -> common::Resp {
    http.post_json(
        &format!("{api}/intelligence/hunting_rulesets"),
        Some(key),
        &json!({"data": {"type": "hunting_ruleset", "attributes": attrs}}),
    )
    .await
}

async fn send(
    http: &Http,
    method: Method,
    url: &str,
    key: &str,
    body: Option<Value>,
) -> common::Resp {
    let (headers, body) = match body {
        Some(b) => (
            vec![("content-type", "application/json")],
            full(serde_json::to_vec(&b).unwrap()),
        ),
        None => (vec![], full(Vec::new())),
    };
    http.send(method, url, Some(key), &headers, body).await
}

async fn upload(http: &Http, api: &str, name: &str, content: &[u8]) {
    let r = http
        .post_multipart(
            &format!("{api}/files"),
            Some(PREMIUM),
            Some((name, content)),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

#[tokio::test]
async fn a_ruleset_is_created_listed_updated_and_deleted_per_key() {
    let emu = start().await;
    let http = Http::new();
    let api = emu.api_url();
    let r = create(
        &http,
        &api,
        PREMIUM,
        json!({"name": "EICAR watch", "rules": EICAR_RULE, "tags": ["mine"]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let rs = r.json()["data"].clone();
    let id = rs["id"].as_str().unwrap().to_owned();
    assert!(id.bytes().all(|b| b.is_ascii_digit()), "numeric id {id}");
    assert_eq!(rs["type"], "hunting_ruleset");
    assert_eq!(rs["attributes"]["rule_names"], json!(["eicar"]));
    assert_eq!(rs["attributes"]["number_of_rules"], 1);
    assert_eq!(rs["attributes"]["enabled"], true);
    assert_eq!(rs["attributes"]["limit"], 100);
    assert_eq!(rs["attributes"]["match_object_type"], "file");
    // Another key sees nothing of it.
    let other = http
        .get(
            &format!("{api}/intelligence/hunting_rulesets/{id}"),
            Some(OTHER),
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let list = http
        .get(&format!("{api}/intelligence/hunting_rulesets"), Some(OTHER))
        .await;
    assert_eq!(list.json()["data"], json!([]));
    // A public key is refused.
    let public = http
        .get(
            &format!("{api}/intelligence/hunting_rulesets"),
            Some(PUBLIC),
        )
        .await;
    assert_eq!(public.status, StatusCode::FORBIDDEN);
    // Filters and order.
    create(
        &http,
        &api,
        PREMIUM,
        json!({"name": "another", "rules": "rule x { condition: false }", "enabled": false}),
    )
    .await;
    let names = |v: Value| -> Vec<String> {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["attributes"]["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let url = |q: &str| format!("{api}/intelligence/hunting_rulesets?{q}");
    for filter in ["enabled:true", "name:EICAR*", "tag:mine", "rules:eicar"] {
        let got = names(
            http.get(&url(&format!("filter={filter}")), Some(PREMIUM))
                .await
                .json(),
        );
        assert_eq!(got, ["EICAR watch"], "filter={filter}");
    }
    assert_eq!(
        names(http.get(&url("order=name-"), Some(PREMIUM)).await.json()),
        ["another", "EICAR watch"]
    );
    let page = http.get(&url("limit=1"), Some(PREMIUM)).await.json();
    assert_eq!(page["meta"]["count"], 2);
    assert!(page["meta"]["cursor"].is_string());
    // PATCH any subset; new rules are compiled.
    let one = format!("{api}/intelligence/hunting_rulesets/{id}");
    let p = send(&http, Method::PATCH, &one, PREMIUM, Some(json!({"data": {"type": "hunting_ruleset", "attributes": {"enabled": false, "limit": 5, "rules": "rule a { condition: true }\nrule b { condition: false }"}}}))).await;
    assert_eq!(p.status, StatusCode::OK, "{:?}", p.body);
    assert_eq!(
        p.json()["data"]["attributes"]["rule_names"],
        json!(["a", "b"])
    );
    assert_eq!(p.json()["data"]["attributes"]["enabled"], false);
    assert_eq!(p.json()["data"]["attributes"]["name"], "EICAR watch");
    let bad = send(
        &http,
        Method::PATCH,
        &one,
        PREMIUM,
        Some(json!({"data": {"attributes": {"rules": "rule a {"}}})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        http.get(&one, Some(PREMIUM)).await.json()["data"]["attributes"]["rule_names"],
        json!(["a", "b"]),
        "a refused update changes nothing"
    );
    // Delete: gone for its owner; another key cannot delete it.
    assert_eq!(
        send(&http, Method::DELETE, &one, OTHER, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&http, Method::DELETE, &one, PREMIUM, None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        http.get(&one, Some(PREMIUM)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_ruleset_that_does_not_compile_is_refused_with_line_and_column() {
    let emu = start().await;
    let http = Http::new();
    let api = emu.api_url();
    let r = create(
        &http,
        &api,
        PREMIUM,
        json!({"name": "bad", "rules": "rule a {\n  condition: nope\n}"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), "BadRequestError");
    let msg = r.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(msg.contains("2:14: error[E009]"), "{msg}");
    for attrs in [
        json!({"name": "x", "rules": ""}),
        json!({"name": "x"}),
        json!({"rules": EICAR_RULE}),
        json!({"name": "", "rules": EICAR_RULE}),
        json!({"name": "x", "rules": EICAR_RULE, "owner": "me"}),
    ] {
        let r = create(&http, &api, PREMIUM, attrs.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{attrs}");
    }
    let list = http
        .get(
            &format!("{api}/intelligence/hunting_rulesets"),
            Some(PREMIUM),
        )
        .await;
    assert_eq!(list.json()["meta"]["count"], 0, "nothing was stored");
}

#[tokio::test]
async fn an_upload_after_the_ruleset_exists_raises_a_notification_with_its_file() {
    let emu = start().await;
    let http = Http::new();
    let api = emu.api_url();
    // Before any ruleset: no notification.
    upload(&http, &api, "early.com", EICAR_BYTES).await;
    let r = create(
        &http,
        &api,
        PREMIUM,
        json!({"name": "EICAR watch", "rules": EICAR_RULE}),
    )
    .await;
    let ruleset_id = r.json()["data"]["id"].as_str().unwrap().to_owned();
    let disabled = create(
        &http,
        &api,
        PREMIUM,
        json!({"name": "off", "rules": EICAR_RULE, "enabled": false}),
    )
    .await;
    assert_eq!(disabled.status, StatusCode::OK);
    let notes = format!("{api}/intelligence/hunting_notifications");
    assert_eq!(
        http.get(&notes, Some(PREMIUM)).await.json()["data"],
        json!([])
    );
    // EICAR again, and a file no rule matches.
    upload(&http, &api, "eicar.com", EICAR_BYTES).await;
    upload(&http, &api, "clean.txt", b"nothing to see here").await;
    let list = http
        .get(&format!("{notes}?relationships=file"), Some(PREMIUM))
        .await
        .json();
    let data = list["data"].as_array().unwrap();
    assert_eq!(
        data.len(),
        1,
        "one enabled ruleset, one matching file: {list}"
    );
    let n = &data[0];
    assert_eq!(n["type"], "hunting_notification");
    assert_eq!(n["attributes"]["rule_name"], "eicar");
    assert_eq!(n["attributes"]["rule_tags"], json!(["av", "test"]));
    // The snippet is the lines around the match, the matched bytes highlighted ("EICA"
    // ends the second line of the file, 45 49 43 41), not the file's first bytes.
    let snippet = n["attributes"]["snippet"].as_str().unwrap();
    assert!(
        snippet.contains("*begin_highlight*45 49 43 41*end_highlight*  "),
        "{snippet}"
    );
    assert!(
        snippet.contains("*begin_highlight*IRUS-TEST-FILE*end_highlight*!$"),
        "{snippet}"
    );
    assert_eq!(n["attributes"]["ruleset_id"], ruleset_id);
    assert_eq!(n["attributes"]["ruleset_name"], "EICAR watch");
    assert_eq!(
        n["attributes"]["tags"],
        json!([EICAR_SHA256, "eicar watch", "eicar"])
    );
    assert_eq!(
        n["relationships"]["file"]["data"],
        json!({"type": "file", "id": EICAR_SHA256})
    );
    let nid = n["id"].as_str().unwrap().to_owned();
    assert_eq!(nid.split('-').count(), 3, "{nid}");
    // The other key has none; its own get of the id is not found.
    assert_eq!(
        http.get(&notes, Some(OTHER)).await.json()["data"],
        json!([])
    );
    assert_eq!(
        http.get(&format!("{notes}/{nid}"), Some(OTHER))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Filter by tag.
    let by_tag = |t: &str| format!("{notes}?filter=tag:{t}");
    assert_eq!(
        http.get(&by_tag(EICAR_SHA256), Some(PREMIUM)).await.json()["meta"]["count"],
        1
    );
    assert_eq!(
        http.get(&by_tag("nope"), Some(PREMIUM)).await.json()["meta"]["count"],
        0
    );
    // The notification files: the file object with the notification as context.
    let files = http
        .get(
            &format!("{api}/intelligence/hunting_notification_files?filter=eicar"),
            Some(PREMIUM),
        )
        .await
        .json();
    let f = &files["data"][0];
    assert_eq!(f["type"], "file");
    assert_eq!(f["id"], EICAR_SHA256);
    assert_eq!(f["attributes"]["sha256"], EICAR_SHA256);
    assert_eq!(f["context_attributes"]["notification_id"], nid.as_str());
    assert_eq!(f["context_attributes"]["ruleset_id"], ruleset_id);
    assert_eq!(f["context_attributes"]["rule_name"], "eicar");
    let none = http
        .get(
            &format!("{api}/intelligence/hunting_notification_files?filter=other"),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(none["data"], json!([]));
    // Delete one, then by tag, then all.
    assert_eq!(
        send(
            &http,
            Method::DELETE,
            &format!("{notes}/{nid}"),
            PREMIUM,
            None
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        http.get(&format!("{notes}/{nid}"), Some(PREMIUM))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    upload(&http, &api, "eicar2.com", EICAR_BYTES).await;
    assert_eq!(
        http.get(&notes, Some(PREMIUM)).await.json()["meta"]["count"],
        1
    );
    assert_eq!(
        send(
            &http,
            Method::DELETE,
            &format!("{notes}?tag=other"),
            PREMIUM,
            None
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        http.get(&notes, Some(PREMIUM)).await.json()["meta"]["count"],
        1,
        "another tag deletes nothing"
    );
    assert_eq!(
        send(
            &http,
            Method::DELETE,
            &format!("{notes}?tag=eicar"),
            PREMIUM,
            None
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        http.get(&notes, Some(PREMIUM)).await.json()["meta"]["count"],
        0
    );
}

#[tokio::test]
async fn the_daily_limit_drops_matches_over_it_and_marks_the_ruleset() {
    let emu = start().await;
    let http = Http::new();
    let api = emu.api_url();
    let r = create(
        &http,
        &api,
        PREMIUM,
        json!({"name": "tight", "rules": "rule any_file { condition: true }", "limit": 2}),
    )
    .await;
    let id = r.json()["data"]["id"].as_str().unwrap().to_owned();
    for i in 0..4 {
        upload(&http, &api, "f.bin", format!("file number {i}").as_bytes()).await;
    }
    let notes = http
        .get(
            &format!("{api}/intelligence/hunting_notifications"),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(notes["meta"]["count"], 2);
    let rs = http
        .get(
            &format!("{api}/intelligence/hunting_rulesets/{id}"),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(rs["data"]["attributes"]["rate_limited"], true);
}

#[tokio::test]
async fn deleting_every_ruleset_needs_the_confirmation_header() {
    let emu = start().await;
    let http = Http::new();
    let api = emu.api_url();
    create(
        &http,
        &api,
        PREMIUM,
        json!({"name": "a", "rules": EICAR_RULE}),
    )
    .await;
    let all = format!("{api}/intelligence/hunting_rulesets");
    let r = http
        .send(Method::DELETE, &all, Some(PREMIUM), &[], full(Vec::new()))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), "BadRequestError");
    // Another user's name deletes nothing either.
    let r = http
        .send(
            Method::DELETE,
            &all,
            Some(PREMIUM),
            &[("x-confirm-delete", "someone-else")],
            full(Vec::new()),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        http.get(&all, Some(PREMIUM)).await.json()["meta"]["count"],
        1
    );
    let user = emu
        .config()
        .keys
        .iter()
        .find(|k| k.key == PREMIUM)
        .unwrap()
        .user_id
        .clone();
    let r = http
        .send(
            Method::DELETE,
            &all,
            Some(PREMIUM),
            &[("x-confirm-delete", &user)],
            full(Vec::new()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        http.get(&all, Some(PREMIUM)).await.json()["meta"]["count"],
        0
    );
}

/// url, domain and ip_address rulesets run on the `vt` module's `vt.net` over the new URLs
/// (and their new hosts) the emulator sees; their matches go to the IoC stream.
#[tokio::test]
async fn url_domain_and_ip_rulesets_match_new_network_objects_through_the_vt_module() {
    let emu = start().await;
    let http = Http::new();
    let api = emu.api_url();
    let rules = |cond: &str| format!("import \"vt\"\nrule net_rule {{ condition: {cond} }}");
    for (name, kind, cond) in [
        ("urls", "url", "vt.net.url.raw contains \"/login\""),
        (
            "domains",
            "domain",
            "vt.net.domain.raw endswith \".evil-hunt.example\"",
        ),
        ("ips", "ip_address", "vt.net.ip.in_range(\"192.0.2.0/24\")"),
    ] {
        let r = create(
            &http,
            &api,
            PREMIUM,
            json!({"name": name, "rules": rules(cond), "match_object_type": kind}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{kind}: {:?}", r.json());
        assert_eq!(r.json()["data"]["attributes"]["match_object_type"], kind);
    }
    // The vt module's fields follow the type: vt.net in a file ruleset, or vt.metadata in a
    // url one, do not compile (E100), as on VirusTotal.
    for (kind, cond) in [
        ("file", "vt.net.url.raw contains \"x\""),
        ("url", "vt.metadata.new_file"),
    ] {
        let r = create(
            &http,
            &api,
            PREMIUM,
            json!({"name": "wrong", "rules": rules(cond), "match_object_type": kind}),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{kind}");
        assert!(
            r.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("E100")
        );
    }
    let submit = |url: &'static str| {
        let http = &http;
        let api = &api;
        async move {
            let r = http
                .post_form(&format!("{api}/urls"), Some(PREMIUM), &[("url", url)])
                .await;
            assert_eq!(r.status, StatusCode::OK, "{url}");
        }
    };
    submit("https://phish.evil-hunt.example/login?next=1").await;
    submit("http://192.0.2.77/payload").await;
    // A known host (example.com is in every dataset) is not new: only URL rules run.
    submit("https://example.com/nothing-here").await;
    let stream = http
        .get(
            &format!("{api}/ioc_stream?filter=source_type:hunting_ruleset&order=date%2B"),
            Some(PREMIUM),
        )
        .await
        .json();
    let got: Vec<(String, String, String)> = stream["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["type"].as_str().unwrap().to_owned(),
                item["id"].as_str().unwrap().to_owned(),
                item["context_attributes"]["sources"][0]["label"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    // The URL's id is the SHA-256 of its canonical form, as the emulator's URL reports.
    assert_eq!(got.len(), 3, "{stream}");
    assert_eq!((got[0].0.as_str(), got[0].2.as_str()), ("url", "urls"));
    assert_eq!(got[0].1.len(), 64);
    assert_eq!(
        got[1..],
        [
            (
                "domain".to_owned(),
                "phish.evil-hunt.example".to_owned(),
                "domains".to_owned()
            ),
            (
                "ip_address".to_owned(),
                "192.0.2.77".to_owned(),
                "ips".to_owned()
            ),
        ],
        "{stream}"
    );
    let first = &stream["data"][0]["context_attributes"];
    assert_eq!(first["origin"], "hunting");
    assert_eq!(first["hunting_info"]["rule_name"], "net_rule");
    // The new host is an object now, with its report.
    let domain = http
        .get(
            &format!("{api}/domains/phish.evil-hunt.example"),
            Some(PREMIUM),
        )
        .await;
    assert_eq!(domain.status, StatusCode::OK);
}
