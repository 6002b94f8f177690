//! `/intelligence/search` (the query-language subset) and `/intelligence/zip_files` (real
//! ZIPs, progress over the emulator's clock, passwords) route by route.

mod common;

use std::io::Read as _;
use std::time::Duration;

use common::Http;
use http::StatusCode;
use serde_json::{Value, json};
use vt_emulator::{
    ClockMode, DEFAULT_PREMIUM_KEY as PREMIUM, DEFAULT_PUBLIC_KEY as PUBLIC, EICAR_BYTES,
    EICAR_MD5, EICAR_SHA256, Emulator, EmulatorHandle,
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

async fn search(emu: &EmulatorHandle, http: &Http, query: &str, extra: &str) -> common::Resp {
    let q: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
    http.get(
        &api(
            emu,
            &format!("/intelligence/search?query={q}&limit=300{extra}"),
        ),
        Some(PREMIUM),
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
async fn every_modifier_of_the_subset_finds_a_file_by_its_own_attributes() {
    let emu = start().await;
    let http = Http::new();
    let sha = emu.dataset().files()[3].sha256.clone();
    let file = http
        .get(&api(&emu, &format!("/files/{sha}")), Some(PREMIUM))
        .await
        .json();
    let a = &file["data"]["attributes"];
    let malicious = a["last_analysis_stats"]["malicious"].as_u64().unwrap();
    let size = a["size"].as_u64().unwrap();
    let fs = a["first_submission_date"].as_u64().unwrap();
    let day = |t: u64| {
        // YYYY-MM-DD of a Unix time, through the emulator's own answer-free arithmetic.
        let days = t / 86_400;
        let (y, m, d) = civil(days as i64);
        format!("{y:04}-{m:02}-{d:02}")
    };
    let name = a["names"][0].as_str().unwrap().to_lowercase();
    let type_tag = a["type_tag"].as_str().unwrap();
    let verdict = a["last_analysis_results"]
        .as_object()
        .unwrap()
        .values()
        .find_map(|r| r["result"].as_str())
        .map(str::to_owned);
    let mut queries = vec![
        sha.clone(),
        a["md5"].as_str().unwrap().to_owned(),
        format!("type:{type_tag}"),
        format!("p:{malicious}"),
        format!("positives:{malicious}+ p:{malicious}-"),
        format!("size:{size}"),
        format!("size:{}b+ size:{}kb-", size, size / 1024 + 1),
        format!("name:\"{name}\""),
        format!("fs:{}", day(fs)),
        format!("fs:{}+ ls:{}d-", day(fs), 0),
        format!("type:{type_tag} AND p:{malicious}+ size:{size}"),
    ];
    if let Some(tag) = a["tags"][0].as_str() {
        queries.push(format!("tag:{tag}"));
    }
    if let Some(v) = verdict {
        let word = v.split(['.', ':', '/', ' ']).next().unwrap().to_lowercase();
        queries.push(format!("engines:{word}"));
    }
    for q in &queries {
        let r = search(&emu, &http, q, "").await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {:?}", r.body);
        assert!(ids(&r.json()).contains(&sha), "{q} should find {sha}");
    }
    for q in [
        format!("p:{}+", malicious + 1),
        format!("size:{}+", size + 1),
        format!("fs:{}-", day(fs - 86_400)),
        format!("type:{type_tag} name:no-such-name-anywhere"),
    ] {
        let r = search(&emu, &http, &q, "").await;
        assert!(!ids(&r.json()).contains(&sha), "{q} should not find {sha}");
    }
    emu.shutdown().await;
}

/// Days since the epoch to (year, month, day).
fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[tokio::test]
async fn comment_words_orders_and_descriptors() {
    let emu = start().await;
    let http = Http::new();
    let r = http
        .post_json(
            &api(&emu, &format!("/files/{EICAR_SHA256}/comments")),
            Some(PREMIUM),
            &json!({"data": {"type": "comment", "attributes": {"text": "Zanzibarian #testsample"}}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = search(&emu, &http, "zanzibarian", "").await.json();
    assert_eq!(ids(&v), vec![EICAR_SHA256.to_owned()]);
    let v = search(&emu, &http, "p:1+", "&order=size%2B").await.json();
    let sizes: Vec<u64> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["attributes"]["size"].as_u64().unwrap())
        .collect();
    assert!(
        sizes.len() > 1 && sizes.windows(2).all(|w| w[0] <= w[1]),
        "{sizes:?}"
    );
    assert!(v["meta"]["days_back"].is_number());
    let v = http
        .get(
            &api(
                &emu,
                "/intelligence/search?query=p:0%2B&descriptors_only=true&limit=2",
            ),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(v["data"].as_array().unwrap().len(), 2);
    assert!(v["data"][0].get("attributes").is_none());
    emu.shutdown().await;
}

#[tokio::test]
async fn outside_the_subset_bad_orders_and_refused_cursors_are_errors() {
    let emu = start().await;
    let http = Http::new();
    for q in [
        "content:\"abc\"",
        "type:peexe OR type:pdf",
        "p:lots",
        "size:9parsecs",
        "fs:someday",
        "similar-to:abc",
    ] {
        let r = search(&emu, &http, q, "").await;
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (StatusCode::BAD_REQUEST, "InvalidArgumentError"),
            "{q}"
        );
    }
    let r = search(&emu, &http, &"a".repeat(4097), "").await;
    assert_eq!(r.error_code(), "InvalidArgumentError");
    let r = http
        .get(&api(&emu, "/intelligence/search?query=%20"), Some(PREMIUM))
        .await;
    assert_eq!(r.error_code(), "BadRequestError");
    let r = search(&emu, &http, "p:1+", "&order=reputation-").await;
    assert_eq!(r.error_code(), "InvalidArgumentError");
    let r = search(&emu, &http, "p:1+", "&cursor=bm90LWEtY3Vyc29y").await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::BAD_REQUEST, "InvalidArgumentError")
    );
    let r = http
        .get(
            &api(&emu, "/intelligence/search?query=p:1%2B"),
            Some(PUBLIC),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_zip_moves_with_the_clock_and_downloads_as_a_real_password_protected_zip() {
    let emu = start().await;
    let http = Http::new();
    let other = emu.dataset().files()[2].sha256.clone();
    let missing = "0".repeat(64);
    let r = http
        .post_json(
            &api(&emu, "/intelligence/zip_files"),
            Some(PREMIUM),
            &json!({"data": {"hashes": [EICAR_MD5, other, missing], "password": "infected"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let z = r.json();
    assert_eq!(z["data"]["type"], "zip_file");
    assert_eq!(z["data"]["attributes"]["status"], "starting");
    assert_eq!(z["data"]["attributes"]["progress"], 0);
    let id = z["data"]["id"].as_str().unwrap().to_owned();
    let state = |v: Value| {
        (
            v["data"]["attributes"]["status"]
                .as_str()
                .unwrap()
                .to_owned(),
            v["data"]["attributes"]["progress"].as_u64().unwrap(),
        )
    };
    // Not finished: no download yet.
    let r = http
        .get(
            &api(&emu, &format!("/intelligence/zip_files/{id}/download_url")),
            Some(PREMIUM),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    emu.clock().advance(Duration::from_millis(900));
    let v = http
        .get(
            &api(&emu, &format!("/intelligence/zip_files/{id}")),
            Some(PREMIUM),
        )
        .await
        .json();
    let (status, progress) = state(v);
    assert_eq!(status, "creating");
    assert!(progress > 0 && progress < 100, "{progress}");
    emu.clock().advance(Duration::from_secs(5));
    let v = http
        .get(
            &api(&emu, &format!("/intelligence/zip_files/{id}")),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(state(v.clone()), ("finished".to_owned(), 100));
    assert_eq!(v["data"]["attributes"]["files_ok"], 2);
    assert_eq!(v["data"]["attributes"]["files_error"], 1);
    let url = http
        .get(
            &api(&emu, &format!("/intelligence/zip_files/{id}/download_url")),
            Some(PREMIUM),
        )
        .await
        .json()["data"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = http.get(&url, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(r.body.to_vec())).unwrap();
    assert_eq!(archive.len(), 2);
    let mut names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect();
    names.sort();
    let mut want = vec![EICAR_SHA256.to_owned(), other];
    want.sort();
    assert_eq!(names, want);
    assert!(archive.by_name(EICAR_SHA256).is_err(), "encrypted");
    let mut bytes = Vec::new();
    archive
        .by_name_decrypt(EICAR_SHA256, b"infected")
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    assert_eq!(bytes, EICAR_BYTES);
    let r = http
        .get(
            &api(&emu, &format!("/intelligence/zip_files/{id}/download")),
            Some(PREMIUM),
        )
        .await;
    assert_eq!(r.status, StatusCode::FOUND);
    emu.shutdown().await;
}

#[tokio::test]
async fn zip_requests_are_checked() {
    let emu = start().await;
    let http = Http::new();
    for body in [
        json!({"data": {"hashes": []}}),
        json!({"data": {"hashes": ["nothex"]}}),
        json!({"data": {"hashes": [EICAR_MD5], "password": ""}}),
        json!({"hashes": [EICAR_MD5]}),
    ] {
        let r = http
            .post_json(&api(&emu, "/intelligence/zip_files"), Some(PREMIUM), &body)
            .await;
        assert_eq!(r.error_code(), "BadRequestError", "{body}");
    }
    let r = http
        .post_json(
            &api(&emu, "/intelligence/zip_files"),
            Some(PUBLIC),
            &json!({"data": {"hashes": [EICAR_MD5]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = http
        .get(&api(&emu, "/intelligence/zip_files/12345"), Some(PREMIUM))
        .await;
    assert_eq!(r.error_code(), "NotFoundError");
    // With only unknown hashes the bundle fails.
    let z = http
        .post_json(
            &api(&emu, "/intelligence/zip_files"),
            Some(PREMIUM),
            &json!({"data": {"hashes": ["1".repeat(64)]}}),
        )
        .await
        .json();
    let id = z["data"]["id"].as_str().unwrap();
    emu.clock().advance(Duration::from_secs(30));
    let v = http
        .get(
            &api(&emu, &format!("/intelligence/zip_files/{id}")),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(v["data"]["attributes"]["status"], "error-creating");
    emu.shutdown().await;
}
