//! Relationships: every name VirusTotal lists answers, related objects exist and link back,
//! and all of it is deterministic from the seed.

mod common;

use common::{Http, small_emulator};
use http::StatusCode;
use serde_json::Value;
use vt_emulator::{DEFAULT_PREMIUM_KEY as PREMIUM, EmulatorHandle};

/// The ids of every item of a relationship listing, following `links.next`.
async fn ids(http: &Http, url: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut next = Some(format!("{url}?limit=40"));
    while let Some(u) = next {
        let r = http.get(&u, Some(PREMIUM)).await;
        assert_eq!(r.status, StatusCode::OK, "{u}: {:?}", r.body);
        let v = r.json();
        // One-to-one relationships answer one object (or null), not a list.
        let items = match &v["data"] {
            Value::Array(items) => items.clone(),
            Value::Null => Vec::new(),
            one => vec![one.clone()],
        };
        for item in items {
            out.push(item["id"].as_str().unwrap().to_owned());
        }
        next = v["links"]["next"].as_str().map(str::to_owned);
    }
    out
}

/// `(type, collection, an id of the dataset)` for each object type.
fn samples(emu: &EmulatorHandle) -> Vec<(&'static str, &'static str, String)> {
    let ds = emu.dataset();
    vec![
        ("file", "files", ds.files()[1].sha256.clone()),
        ("url", "urls", ds.urls()[0].id.clone()),
        ("domain", "domains", ds.domains()[0].clone()),
        ("ip_address", "ip_addresses", ds.ip_addresses()[0].clone()),
    ]
}

#[tokio::test]
async fn every_relationship_the_api_lists_answers() {
    let emu = small_emulator(42).await;
    let http = Http::new();
    let metadata = http
        .get(&format!("{}/metadata", emu.api_url()), Some(PREMIUM))
        .await
        .json();
    for (kind, coll, id) in samples(&emu) {
        let listed: Vec<&str> = metadata["data"]["relationships"][kind]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        for name in vt_model::relationships::known(kind) {
            assert!(listed.contains(name), "/metadata lacks {kind} {name}");
            let base = format!("{}/{coll}/{id}", emu.api_url());
            for url in [
                format!("{base}/{name}"),
                format!("{base}/relationships/{name}"),
                format!("{base}?relationships={name}"),
            ] {
                let r = http.get(&url, Some(PREMIUM)).await;
                assert_eq!(r.status, StatusCode::OK, "{url}: {}", r.error_code());
            }
        }
        let r = http
            .get(
                &format!("{}/{coll}/{id}/no_such_relationship", emu.api_url()),
                Some(PREMIUM),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.error_code(), "InvalidArgumentError");
    }
    emu.shutdown().await;
}

/// `(type, collection, relationship, related collection, back link)`.
const BACK_LINKS: &[(&str, &str, &str, &str)] = &[
    (
        "files",
        "contacted_domains",
        "domains",
        "communicating_files",
    ),
    (
        "files",
        "contacted_ips",
        "ip_addresses",
        "communicating_files",
    ),
    ("files", "contacted_urls", "urls", "communicating_files"),
    ("files", "embedded_domains", "domains", "referrer_files"),
    ("files", "embedded_ips", "ip_addresses", "referrer_files"),
    ("files", "embedded_urls", "urls", "referrer_files"),
    ("files", "itw_urls", "urls", "downloaded_files"),
    ("files", "itw_domains", "domains", "downloaded_files"),
    ("files", "itw_ips", "ip_addresses", "downloaded_files"),
    ("files", "dropped_files", "files", "execution_parents"),
    ("files", "bundled_files", "files", "compressed_parents"),
    ("files", "compressed_parents", "files", "bundled_files"),
    (
        "files",
        "pe_resource_children",
        "files",
        "pe_resource_parents",
    ),
    ("files", "similar_files", "files", "similar_files"),
    ("files", "urls_for_embedded_js", "urls", "embedded_js_files"),
    ("urls", "network_location", "domains", "urls"),
    ("urls", "redirects_to", "urls", "redirecting_urls"),
    ("domains", "referrer_files", "files", "embedded_domains"),
];

#[tokio::test]
async fn related_objects_exist_and_link_back() {
    let emu = small_emulator(42).await;
    let http = Http::new();
    let ds = emu.dataset();
    let all = |coll: &str| -> Vec<String> {
        match coll {
            "files" => ds.files().iter().map(|f| f.sha256.clone()).collect(),
            "urls" => ds.urls().iter().map(|u| u.id.clone()).collect(),
            "domains" => ds.domains().to_vec(),
            _ => ds.ip_addresses().to_vec(),
        }
    };
    let dangling = "0".repeat(64);
    for (coll, rel, to, back) in BACK_LINKS {
        let mut links = 0;
        for id in all(coll) {
            let base = format!("{}/{coll}/{id}", emu.api_url());
            for other in ids(&http, &format!("{base}/relationships/{rel}")).await {
                if other == dangling {
                    continue;
                }
                links += 1;
                let target = format!("{}/{to}/{other}", emu.api_url());
                let r = http.get(&target, Some(PREMIUM)).await;
                assert_eq!(r.status, StatusCode::OK, "{coll} {id} {rel} -> {other}");
                let back_ids = ids(&http, &format!("{target}/relationships/{back}")).await;
                assert!(
                    back_ids.contains(&id),
                    "{to} {other} {back} lacks {id} ({coll} {rel})"
                );
            }
        }
        assert!(
            links > 0,
            "the dataset has no {coll} {rel}: nothing checked"
        );
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn relationships_are_deterministic_from_the_seed() {
    let (a, b, c) = (
        small_emulator(7).await,
        small_emulator(7).await,
        small_emulator(8).await,
    );
    let http = Http::new();
    let listing = |emu: &EmulatorHandle, i: usize, rel: &str| {
        let sha = emu.dataset().files()[i].sha256.clone();
        format!("{}/files/{sha}/relationships/{rel}", emu.api_url())
    };
    let mut same = Vec::new();
    let mut other = Vec::new();
    for i in 1..a.dataset().files().len() {
        for rel in [
            "embedded_domains",
            "embedded_urls",
            "bundled_files",
            "contacted_ips",
        ] {
            let x = ids(&http, &listing(&a, i, rel)).await;
            assert_eq!(x, ids(&http, &listing(&b, i, rel)).await, "file {i} {rel}");
            same.push(x);
            other.push(ids(&http, &listing(&c, i, rel)).await);
        }
    }
    assert_ne!(same, other, "another seed, other relationships");
    let url = |emu: &EmulatorHandle| {
        let d = emu.dataset().domains()[0].clone();
        format!("{}/domains/{d}/ns_records", emu.api_url())
    };
    let ns = |v: Value| v["data"].as_array().unwrap().len();
    assert_eq!(
        ns(http.get(&url(&a), Some(PREMIUM)).await.json()),
        ns(http.get(&url(&b), Some(PREMIUM)).await.json())
    );
    for emu in [a, b, c] {
        emu.shutdown().await;
    }
}

#[tokio::test]
async fn a_file_shows_the_same_engine_count_in_v2_and_v3() {
    let emu = small_emulator(42).await;
    let http = Http::new();
    for f in emu.dataset().files() {
        let v3 = http
            .get(
                &format!("{}/files/{}", emu.api_url(), f.sha256),
                Some(PREMIUM),
            )
            .await
            .json();
        let stats = &v3["data"]["attributes"]["last_analysis_stats"];
        let n = |k: &str| stats[k].as_u64().unwrap();
        let v2 = http
            .get(
                &format!(
                    "{}/vtapi/v2/file/report?apikey={PREMIUM}&resource={}",
                    emu.base_url(),
                    f.sha256
                ),
                None,
            )
            .await
            .json();
        assert_eq!(
            v2["total"].as_u64().unwrap(),
            n("malicious") + n("suspicious") + n("harmless") + n("undetected"),
            "{}",
            f.sha256
        );
        assert_eq!(v2["positives"].as_u64().unwrap(), n("malicious"));
        assert_eq!(
            v2["scans"].as_object().unwrap().len() as u64,
            v2["total"].as_u64().unwrap()
        );
    }
    emu.shutdown().await;
}
