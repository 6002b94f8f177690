//! Route-by-route tests with a plain HTTP client: status, headers, JSON shape.

mod common;

use std::io::Read as _;
use std::time::Duration;

use base64::Engine as _;
use common::{Http, full};
use http::{Method, StatusCode};
use serde_json::{Value, json};
use vt_emulator::{
    AnalysisTiming, ClockMode, DEFAULT_PREMIUM_KEY as PREMIUM, DEFAULT_PUBLIC_KEY as PUBLIC,
    EICAR_BYTES, EICAR_MD5, EICAR_SHA1, EICAR_SHA256, Emulator, EmulatorHandle, FILE_ENGINES,
    QuotaLimits,
};

async fn start() -> EmulatorHandle {
    Emulator::builder()
        .small_dataset()
        .clock(ClockMode::Manual(1_750_000_000))
        .configure(|c| c.quotas.public = QuotaLimits::UNLIMITED)
        .start()
        .await
        .unwrap()
}

fn api(emu: &EmulatorHandle, path: &str) -> String {
    format!("{}{path}", emu.api_url())
}

#[tokio::test]
async fn missing_and_wrong_keys_get_401_with_the_documented_codes() {
    let emu = start().await;
    let http = Http::new();
    let sha = &emu.dataset().files()[1].sha256;
    let r = http.get(&api(&emu, &format!("/files/{sha}")), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.json(),
        json!({"error": {"code": "AuthenticationRequiredError", "message": "X-Apikey header is missing"}})
    );
    let r = http
        .get(&api(&emu, &format!("/files/{sha}")), Some("nope"))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.error_code(), "WrongCredentialsError");
    emu.shutdown().await;
}

#[tokio::test]
async fn an_upload_refused_before_parsing_still_gets_its_answer() {
    let emu = start().await;
    let http = Http::new();
    // 8 MiB is more than socket buffers absorb: the emulator must read it to be heard.
    let big = vec![0u8; 8 * 1024 * 1024];
    let r = http
        .post_multipart(
            &api(&emu, "/files"),
            Some("wrong-key"),
            Some(("x.bin", &big)),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.error_code(), "WrongCredentialsError");
    let r = http
        .post_multipart(
            &api(&emu, "/files"),
            Some(PREMIUM),
            Some(("x.bin", b"small")),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    emu.shutdown().await;
}

#[tokio::test]
async fn files_are_found_by_any_hash_with_full_reports() {
    let emu = start().await;
    let http = Http::new();
    for f in emu.dataset().files().iter().take(5) {
        for h in [&f.sha256, &f.md5, &f.sha1, &f.sha256.to_uppercase()] {
            let r = http
                .get(&api(&emu, &format!("/files/{h}")), Some(PREMIUM))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{h}");
            let v = r.json();
            assert_eq!(v["data"]["type"], "file");
            assert_eq!(v["data"]["id"], f.sha256.as_str());
            let a = &v["data"]["attributes"];
            assert_eq!(
                (a["md5"].as_str(), a["sha1"].as_str()),
                (Some(f.md5.as_str()), Some(f.sha1.as_str()))
            );
            assert_eq!(a["size"], f.size);
            let results = a["last_analysis_results"].as_object().unwrap();
            assert_eq!(results.len(), FILE_ENGINES.len());
            let total: u64 = a["last_analysis_stats"]
                .as_object()
                .unwrap()
                .values()
                .map(|n| n.as_u64().unwrap())
                .sum();
            assert_eq!(total as usize, results.len());
            assert_eq!(a["last_analysis_stats"]["malicious"], f.malicious);
            assert!(
                v["data"]["links"]["self"]
                    .as_str()
                    .unwrap()
                    .starts_with(emu.base_url())
            );
        }
    }
    let missing = "f".repeat(64);
    let r = http
        .get(&api(&emu, &format!("/files/{missing}")), Some(PREMIUM))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        r.json()["error"]["message"],
        format!("File \"{missing}\" not found")
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn eicar_is_always_known_and_downloadable() {
    let emu = start().await;
    let http = Http::new();
    assert_eq!(emu.dataset().eicar().unwrap().sha256, EICAR_SHA256);
    let r = http
        .get(&api(&emu, &format!("/files/{EICAR_MD5}")), Some(PREMIUM))
        .await;
    let v = r.json();
    assert_eq!(v["data"]["id"], EICAR_SHA256);
    assert_eq!(v["data"]["attributes"]["sha1"], EICAR_SHA1);
    assert!(
        v["data"]["attributes"]["last_analysis_stats"]["malicious"]
            .as_u64()
            .unwrap()
            > 50
    );
    // Public keys may not download.
    let r = http
        .get(
            &api(&emu, &format!("/files/{EICAR_SHA256}/download")),
            Some(PUBLIC),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.error_code(), "ForbiddenError");
    // Premium: a 302 to a signed URL that serves the bytes, no key needed.
    let r = http
        .get(
            &api(&emu, &format!("/files/{EICAR_SHA256}/download")),
            Some(PREMIUM),
        )
        .await;
    assert_eq!(r.status, StatusCode::FOUND);
    let location = r.header("location").unwrap().to_owned();
    assert!(location.starts_with(&format!("{}/_download/", emu.base_url())));
    let bytes = http.get(&location, None).await;
    assert_eq!(bytes.status, StatusCode::OK);
    assert_eq!(
        bytes.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(&bytes.body[..], EICAR_BYTES);
    // download_url returns a reusable URL.
    let url = http
        .get(
            &api(&emu, &format!("/files/{EICAR_SHA256}/download_url")),
            Some(PREMIUM),
        )
        .await
        .json();
    let url = url["data"].as_str().unwrap();
    for _ in 0..2 {
        assert_eq!(&http.get(url, None).await.body[..], EICAR_BYTES);
    }
    // Signed URLs expire after an hour.
    emu.clock().advance(Duration::from_secs(3601));
    assert_eq!(http.get(url, None).await.status, StatusCode::FORBIDDEN);
    emu.shutdown().await;
}

#[tokio::test]
async fn generated_bytes_match_their_hashes() {
    let emu = start().await;
    let http = Http::new();
    for f in emu.dataset().files().iter().skip(1).take(3) {
        let url = http
            .get(
                &api(&emu, &format!("/files/{}/download_url", f.sha256)),
                Some(PREMIUM),
            )
            .await
            .json();
        let body = http.get(url["data"].as_str().unwrap(), None).await.body;
        assert_eq!(body.len() as u64, f.size);
        use sha2::Digest;
        let digest = sha2::Sha256::digest(&body);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, f.sha256);
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn responses_are_gzipped_only_when_the_agent_asks() {
    let emu = Emulator::builder()
        .small_dataset()
        .files(5)
        .start()
        .await
        .unwrap();
    let http = Http::new();
    let url = api(&emu, &format!("/files/{EICAR_SHA256}"));
    let gz = [
        ("user-agent", "test; vtpy 0.22; gzip"),
        ("accept-encoding", "gzip"),
    ];
    let r = http
        .send(Method::GET, &url, Some(PUBLIC), &gz, full(Vec::new()))
        .await;
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(&r.body[..])
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap()["data"]["id"],
        EICAR_SHA256
    );
    // Without "gzip" in the User-Agent: plain.
    let r = http
        .send(
            Method::GET,
            &url,
            Some(PUBLIC),
            &[("accept-encoding", "gzip")],
            full(Vec::new()),
        )
        .await;
    assert_eq!(r.header("content-encoding"), None);
    // Exhaust the public key's minute (4) and check the 429 is plain even when asked.
    for _ in 0..3 {
        http.get(&url, Some(PUBLIC)).await;
    }
    let r = http
        .send(Method::GET, &url, Some(PUBLIC), &gz, full(Vec::new()))
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.header("content-encoding"), None);
    assert_eq!(
        r.json(),
        json!({"error": {"code": "QuotaExceededError", "message": "Quota exceeded"}})
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn relationships_paginate_to_the_end() {
    let emu = start().await;
    let http = Http::new();
    let file = &emu.dataset().files()[1];
    assert_eq!(file.relationship_len("contacted_domains"), 25);
    let mut url = api(
        &emu,
        &format!("/files/{}/contacted_domains?limit=10", file.sha256),
    );
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let v = http.get(&url, Some(PREMIUM)).await.json();
        pages += 1;
        for d in v["data"].as_array().unwrap() {
            assert_eq!(d["type"], "domain");
            assert!(d["attributes"]["last_analysis_results"].is_object());
            seen.push(d["id"].as_str().unwrap().to_owned());
        }
        assert_eq!(v["meta"]["count"], 25);
        match v["meta"]["cursor"].as_str() {
            Some(_) => url = v["links"]["next"].as_str().unwrap().to_owned(),
            None => {
                assert!(v["links"].get("next").is_none());
                break;
            }
        }
    }
    assert_eq!(pages, 3);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 25);

    // Descriptors only.
    let v = http
        .get(
            &api(
                &emu,
                &format!(
                    "/files/{}/relationships/contacted_domains?limit=40",
                    file.sha256
                ),
            ),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(v["data"].as_array().unwrap().len(), 25);
    assert!(v["data"][0].get("attributes").is_none());
    assert!(v["meta"].get("cursor").is_none());
    // Limits above 40 are capped, bad arguments rejected.
    let v = http
        .get(&api(&emu, "/comments?limit=1000"), Some(PREMIUM))
        .await
        .json();
    assert!(v["data"].as_array().unwrap().len() <= 40);
    for bad in ["limit=0", "limit=x", "cursor=%%%"] {
        let r = http
            .get(
                &api(
                    &emu,
                    &format!("/files/{}/contacted_domains?{bad}", file.sha256),
                ),
                Some(PREMIUM),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(r.error_code(), "InvalidArgumentError");
    }
    // A relationship to an object VirusTotal does not have carries an error item.
    let v = http
        .get(
            &api(&emu, &format!("/files/{}/bundled_files", file.sha256)),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(v["data"][0]["error"]["code"], "NotFoundError");
    // Unknown relationship names are rejected.
    let r = http
        .get(
            &api(&emu, &format!("/files/{}/no_such_rel", file.sha256)),
            Some(PREMIUM),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    emu.shutdown().await;
}

#[tokio::test]
async fn inline_relationships_and_one_to_one() {
    let emu = start().await;
    let http = Http::new();
    let file = &emu.dataset().files()[1];
    let v = http
        .get(
            &api(
                &emu,
                &format!(
                    "/files/{}?relationships=contacted_domains,comments",
                    file.sha256
                ),
            ),
            Some(PREMIUM),
        )
        .await
        .json();
    let rel = &v["data"]["relationships"]["contacted_domains"];
    assert_eq!(rel["data"].as_array().unwrap().len(), 10);
    assert!(rel["meta"]["cursor"].is_string());
    assert!(
        rel["links"]["next"]
            .as_str()
            .unwrap()
            .contains("/relationships/contacted_domains")
    );
    assert!(v["data"]["relationships"]["comments"]["data"].is_array());

    let url = emu.dataset().urls()[0].clone();
    let v = http
        .get(
            &api(&emu, &format!("/urls/{}/network_location", url.id)),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(v["data"]["type"], "domain");
    assert!(url.url.contains(v["data"]["id"].as_str().unwrap()));
    let v = http
        .get(
            &api(
                &emu,
                &format!("/urls/{}/relationships/last_serving_ip_address", url.id),
            ),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(v["data"]["type"], "ip_address");
    emu.shutdown().await;
}

#[tokio::test]
async fn urls_domains_ips_and_resolutions() {
    let emu = start().await;
    let http = Http::new();
    let u = emu.dataset().urls()[3].clone();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&u.url);
    for id in [u.id.clone(), b64] {
        let v = http
            .get(&api(&emu, &format!("/urls/{id}")), Some(PREMIUM))
            .await
            .json();
        assert_eq!(v["data"]["id"], u.id.as_str());
        assert_eq!(v["data"]["attributes"]["url"], u.url.as_str());
        assert!(
            v["data"]["attributes"]["last_analysis_results"]
                .as_object()
                .unwrap()
                .len()
                > 70
        );
    }
    let r = http
        .get(
            &api(&emu, "/urls/thisurlidmakesnosenseatall"),
            Some(PREMIUM),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        r.json()["error"]["message"],
        "URL \"thisurlidmakesnosenseatall\" not found"
    );

    let d = emu.dataset().domains()[0].clone();
    let v = http
        .get(&api(&emu, &format!("/domains/{d}")), Some(PREMIUM))
        .await
        .json();
    assert_eq!(v["data"]["type"], "domain");
    let res = http
        .get(
            &api(&emu, &format!("/domains/{d}/resolutions")),
            Some(PREMIUM),
        )
        .await
        .json();
    let first = &res["data"][0];
    assert_eq!(first["type"], "resolution");
    let rid = first["id"].as_str().unwrap();
    let ip = first["attributes"]["ip_address"].as_str().unwrap();
    assert_eq!(rid, format!("{ip}{d}"));
    assert_eq!(
        http.get(&api(&emu, &format!("/resolutions/{rid}")), Some(PREMIUM))
            .await
            .status,
        StatusCode::OK
    );
    let v = http
        .get(&api(&emu, &format!("/ip_addresses/{ip}")), Some(PREMIUM))
        .await
        .json();
    assert_eq!(v["data"]["id"], ip);
    assert!(v["data"]["attributes"]["asn"].is_u64());
    let r = http
        .get(&api(&emu, "/domains/not_a_domain"), Some(PREMIUM))
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::BAD_REQUEST, "InvalidArgumentError")
    );
    let r = http
        .get(&api(&emu, "/ip_addresses/999.1.1.1"), Some(PREMIUM))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = http
        .get(&api(&emu, "/domains/unknown-domain.example"), Some(PREMIUM))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    emu.shutdown().await;
}

#[tokio::test]
async fn url_submission_goes_through_the_analysis_lifecycle() {
    let emu = start().await; // default timing: 2 polls, or 10 s
    let http = Http::new();
    let r = http
        .post_form(
            &api(&emu, "/urls"),
            Some(PREMIUM),
            &[("url", "http://new.example.org")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["data"]["type"], "analysis");
    let id = v["data"]["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("u-") && id.ends_with("-1750000000"), "{id}");
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let v = http
            .get(&api(&emu, &format!("/analyses/{id}")), Some(PREMIUM))
            .await
            .json();
        let status = v["data"]["attributes"]["status"]
            .as_str()
            .unwrap()
            .to_owned();
        let n = v["data"]["attributes"]["results"]
            .as_object()
            .unwrap()
            .len();
        match status.as_str() {
            "queued" => assert_eq!(n, 0),
            "in-progress" => assert!(n > 0 && n < 70),
            _ => assert!(n > 70),
        }
        assert_eq!(v["meta"]["url_info"]["url"], "http://new.example.org");
        statuses.push(status);
    }
    assert_eq!(statuses, ["queued", "in-progress", "completed"]);
    let item = http
        .get(&api(&emu, &format!("/analyses/{id}/item")), Some(PREMIUM))
        .await
        .json();
    assert_eq!(item["data"]["type"], "url");
    assert_eq!(item["data"]["attributes"]["url"], "http://new.example.org");
    // The URL is now known under its canonical id (empty path becomes "/").
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("http://new.example.org/");
    assert_eq!(
        http.get(&api(&emu, &format!("/urls/{b64}")), Some(PREMIUM))
            .await
            .status,
        StatusCode::OK
    );

    // Time alone also completes an analysis.
    let v = http
        .post_multipart(
            &api(&emu, "/urls"),
            Some(PREMIUM),
            None,
            &[("url", "https://other.example.net/x")],
        )
        .await
        .json();
    let id = v["data"]["id"].as_str().unwrap().to_owned();
    emu.clock().advance(Duration::from_secs(11));
    let v = http
        .get(&api(&emu, &format!("/analyses/{id}")), Some(PREMIUM))
        .await
        .json();
    assert_eq!(v["data"]["attributes"]["status"], "completed");
    assert_eq!(
        http.get(&api(&emu, "/analyses/nope"), Some(PREMIUM))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = http
        .post_form(&api(&emu, "/urls"), Some(PREMIUM), &[("nourl", "x")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    emu.shutdown().await;
}

#[tokio::test]
async fn uploads_become_known_files_with_file_analyses() {
    let emu = Emulator::builder()
        .small_dataset()
        .files(5)
        .analysis(AnalysisTiming::IMMEDIATE)
        .clock(ClockMode::Manual(1_750_000_000))
        .configure(|c| c.quotas.public = QuotaLimits::UNLIMITED)
        .start()
        .await
        .unwrap();
    let http = Http::new();
    let content = b"hello emulator, this is an uploaded file\n".repeat(100);
    let r = http
        .post_multipart(
            &api(&emu, "/files"),
            Some(PUBLIC),
            Some(("hello.txt", &content)),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let id = r.json()["data"]["id"].as_str().unwrap().to_owned();
    let decoded = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(&id)
            .unwrap(),
    )
    .unwrap();
    use md5::Digest as _;
    let md5: String = md5::Md5::digest(&content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let sha256: String = sha2::Sha256::digest(&content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(decoded, format!("{md5}:1750000000"));
    let v = http
        .get(&api(&emu, &format!("/analyses/{id}")), Some(PUBLIC))
        .await
        .json();
    assert_eq!(v["data"]["attributes"]["status"], "completed");
    assert_eq!(v["meta"]["file_info"]["sha256"], sha256.as_str());
    assert_eq!(v["meta"]["file_info"]["size"], content.len());
    let f = http
        .get(&api(&emu, &format!("/files/{md5}")), Some(PUBLIC))
        .await
        .json();
    assert_eq!(f["data"]["id"], sha256.as_str());
    assert_eq!(f["data"]["attributes"]["names"], json!(["hello.txt"]));
    // Downloading returns the uploaded bytes.
    let url = http
        .get(
            &api(&emu, &format!("/files/{sha256}/download_url")),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(
        &http.get(url["data"].as_str().unwrap(), None).await.body[..],
        &content[..]
    );
    // Rescans create new analyses.
    let r = http
        .send(
            Method::POST,
            &api(&emu, &format!("/files/{sha256}/analyse")),
            Some(PUBLIC),
            &[],
            full(Vec::new()),
        )
        .await;
    assert_eq!(r.json()["data"]["type"], "analysis");
    // Upload URLs are absolute and single use.
    let u = http
        .get(&api(&emu, "/files/upload_url"), Some(PUBLIC))
        .await
        .json();
    let u = u["data"].as_str().unwrap().to_owned();
    assert!(u.starts_with(emu.base_url()));
    let r = http
        .post_multipart(&u, Some(PUBLIC), Some(("b.bin", b"abc")), &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = http
        .post_multipart(&u, Some(PUBLIC), Some(("b.bin", b"abc")), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Not multipart, no file part, password on a non-ZIP.
    let r = http
        .post_json(&api(&emu, "/files"), Some(PUBLIC), &json!({}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = http
        .post_multipart(&api(&emu, "/files"), Some(PUBLIC), None, &[("x", "y")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = http
        .post_multipart(
            &api(&emu, "/files"),
            Some(PUBLIC),
            Some(("a", b"plain")),
            &[("password", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // A trailing slash is another route.
    let r = http
        .post_multipart(&api(&emu, "/files/"), Some(PUBLIC), Some(("a", b"x")), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(emu.stats().uploads, 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn direct_uploads_over_32_mb_get_413_with_a_json_body() {
    let emu = Emulator::builder()
        .small_dataset()
        .files(1)
        .start()
        .await
        .unwrap();
    let http = Http::new();
    let big = vec![7u8; 32 * 1024 * 1024 + 10];
    let r = http
        .post_multipart(
            &api(&emu, "/files"),
            Some(PREMIUM),
            Some(("big.bin", &big)),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("upload_url")
    );
    // The same file through an upload URL is fine.
    let u = http
        .get(&api(&emu, "/files/upload_url"), Some(PREMIUM))
        .await
        .json();
    let r = http
        .post_multipart(
            u["data"].as_str().unwrap(),
            Some(PREMIUM),
            Some(("big.bin", &big)),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    emu.shutdown().await;
}

#[tokio::test]
async fn comments_and_votes_persist() {
    let emu = start().await;
    let http = Http::new();
    let sha = emu.dataset().files()[2].sha256.clone();
    let body = json!({"data": {"type": "comment", "attributes": {"text": "Seen in #Emotet campaign #malware"}}});
    let r = http
        .post_json(
            &api(&emu, &format!("/files/{sha}/comments")),
            Some(PREMIUM),
            &body,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let c = r.json();
    let cid = c["data"]["id"].as_str().unwrap().to_owned();
    assert!(cid.starts_with(&format!("f-{sha}-")));
    assert_eq!(
        c["data"]["attributes"]["tags"],
        json!(["emotet", "malware"])
    );
    let list = http
        .get(&api(&emu, &format!("/files/{sha}/comments")), Some(PREMIUM))
        .await
        .json();
    assert_eq!(list["data"][0]["id"], cid.as_str());
    let tagged = http
        .get(&api(&emu, "/comments?filter=tag:emotet"), Some(PREMIUM))
        .await
        .json();
    assert!(
        tagged["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == cid.as_str())
    );
    let search = http
        .get(&api(&emu, "/search?query=%23emotet"), Some(PREMIUM))
        .await
        .json();
    assert!(
        search["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == cid.as_str())
    );
    // Comment votes: once per user.
    let r = http
        .post_json(
            &api(&emu, &format!("/comments/{cid}/vote")),
            Some(PUBLIC),
            &json!({"data": "positive"}),
        )
        .await;
    assert_eq!(
        r.json(),
        json!({"data": {"abuse": 0, "negative": 0, "positive": 1}})
    );
    let r = http
        .post_json(
            &api(&emu, &format!("/comments/{cid}/vote")),
            Some(PUBLIC),
            &json!({"data": "positive"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let author = http
        .get(
            &api(&emu, &format!("/comments/{cid}/author")),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(author["data"]["type"], "user");
    // Only the author deletes.
    let curl = api(&emu, &format!("/comments/{cid}"));
    let del = |key| http.send(Method::DELETE, &curl, Some(key), &[], full(Vec::new()));
    assert_eq!(del(PUBLIC).await.status, StatusCode::FORBIDDEN);
    assert_eq!(del(PREMIUM).await.status, StatusCode::OK);
    assert_eq!(
        http.get(&api(&emu, &format!("/comments/{cid}")), Some(PREMIUM))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Votes: a second one by the same key is 409 AlreadyExistsError.
    let vote = json!({"data": {"type": "vote", "attributes": {"verdict": "malicious"}}});
    let before = http
        .get(&api(&emu, &format!("/files/{sha}")), Some(PREMIUM))
        .await
        .json()["data"]["attributes"]["total_votes"]["malicious"]
        .as_u64()
        .unwrap();
    let r = http
        .post_json(
            &api(&emu, &format!("/files/{sha}/votes")),
            Some(PREMIUM),
            &vote,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["data"]["attributes"]["verdict"], "malicious");
    assert_eq!(v["data"]["links"]["self"], Value::Null);
    let r = http
        .post_json(
            &api(&emu, &format!("/files/{sha}/votes")),
            Some(PREMIUM),
            &vote,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.error_code(), "AlreadyExistsError");
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .ends_with("already voted \"malicious\" for this file")
    );
    let after = http
        .get(&api(&emu, &format!("/files/{sha}")), Some(PREMIUM))
        .await
        .json()["data"]["attributes"]["total_votes"]["malicious"]
        .as_u64()
        .unwrap();
    assert_eq!(after, before + 1);
    let votes = http
        .get(&api(&emu, &format!("/files/{sha}/votes")), Some(PREMIUM))
        .await
        .json();
    assert_eq!(votes["data"][0]["id"], v["data"]["id"]);
    let bad = json!({"data": {"type": "vote", "attributes": {"verdict": "meh"}}});
    assert_eq!(
        http.post_json(
            &api(&emu, &format!("/files/{sha}/votes")),
            Some(PUBLIC),
            &bad
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
    let ip = emu.dataset().ip_addresses()[0].clone();
    let r = http
        .post_json(
            &api(&emu, &format!("/ip_addresses/{ip}/votes")),
            Some(PUBLIC),
            &json!({"data": {"type": "vote", "attributes": {"verdict": "harmless"}}}),
        )
        .await;
    assert!(
        r.json()["data"]["id"]
            .as_str()
            .unwrap()
            .starts_with(&format!("i-{ip}-"))
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn search_metadata_and_premium_gates() {
    let emu = start().await;
    let http = Http::new();
    let f = emu.dataset().files()[3].clone();
    let v = http
        .get(
            &api(&emu, &format!("/search?query={}", f.md5)),
            Some(PUBLIC),
        )
        .await
        .json();
    assert_eq!(v["data"][0]["id"], f.sha256.as_str());
    let d = emu.dataset().domains()[1].clone();
    let v = http
        .get(&api(&emu, &format!("/search?query={d}")), Some(PUBLIC))
        .await
        .json();
    assert_eq!(v["data"][0]["type"], "domain");
    assert_eq!(
        http.get(&api(&emu, "/search"), Some(PUBLIC)).await.status,
        StatusCode::BAD_REQUEST
    );

    let r = http
        .get(
            &api(&emu, "/intelligence/search?query=p:5%2B"),
            Some(PUBLIC),
        )
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::FORBIDDEN, "ForbiddenError")
    );
    let v = http
        .get(
            &api(
                &emu,
                "/intelligence/search?query=p:5%2B&limit=300&order=positives-",
            ),
            Some(PREMIUM),
        )
        .await
        .json();
    let hits = v["data"].as_array().unwrap();
    assert!(!hits.is_empty());
    let counts: Vec<u64> = hits
        .iter()
        .map(|h| {
            h["attributes"]["last_analysis_stats"]["malicious"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert!(counts.iter().all(|c| *c >= 5));
    assert!(counts.windows(2).all(|w| w[0] >= w[1]));
    assert_eq!(v["meta"]["total_hits"], hits.len());
    let v = http
        .get(
            &api(
                &emu,
                "/intelligence/search?query=entity:url&descriptors_only=true",
            ),
            Some(PREMIUM),
        )
        .await
        .json();
    assert!(v["data"][0].get("attributes").is_none());
    assert!(v["meta"]["cursor"].is_string());

    let v = http.get(&api(&emu, "/metadata"), Some(PUBLIC)).await.json();
    assert!(v["data"]["engines"].as_object().unwrap().len() > 70);
    assert!(
        v["data"]["relationships"]["file"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "contacted_domains")
    );
    for path in [
        "/monitor/items",
        "/files/x/download_url",
        "/file_behaviours/x_y/pcap",
    ] {
        let r = http.get(&api(&emu, path), Some(PUBLIC)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(
        http.get(&api(&emu, "/no/such/route"), Some(PUBLIC))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let summary = http
        .get(
            &api(&emu, &format!("/files/{}/behaviour_summary", f.sha256)),
            Some(PUBLIC),
        )
        .await;
    assert!(summary.json()["data"]["tags"].is_array());
    let behaviours = http
        .get(
            &api(&emu, &format!("/files/{}/behaviours", f.sha256)),
            Some(PUBLIC),
        )
        .await;
    assert_eq!(behaviours.json()["data"], json!([]));
    emu.shutdown().await;
}

#[tokio::test]
async fn quota_windows_roll_over_on_the_emulator_clock() {
    let emu = Emulator::builder()
        .small_dataset()
        .files(3)
        .clock(ClockMode::Manual(1_750_000_020))
        .start()
        .await
        .unwrap();
    let http = Http::new();
    let url = api(&emu, &format!("/files/{EICAR_SHA256}"));
    for _ in 0..4 {
        assert_eq!(http.get(&url, Some(PUBLIC)).await.status, StatusCode::OK);
    }
    let r = http.get(&url, Some(PUBLIC)).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "QuotaExceededError")
    );
    // Quota introspection is free and shows the counters.
    let u = http
        .get(&api(&emu, &format!("/users/{PUBLIC}")), Some(PUBLIC))
        .await
        .json();
    assert_eq!(
        u["data"]["attributes"]["quotas"]["api_requests_daily"],
        json!({"allowed": 500, "used": 4})
    );
    let uid = u["data"]["id"].as_str().unwrap().to_owned();
    let q = http
        .get(
            &api(&emu, &format!("/users/{uid}/overall_quotas")),
            Some(PUBLIC),
        )
        .await
        .json();
    assert_eq!(
        q["data"]["api_requests_monthly"]["user"],
        json!({"allowed": 15500, "used": 4})
    );
    assert_eq!(
        http.get(&api(&emu, &format!("/users/{uid}")), Some(PREMIUM))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        http.get(&api(&emu, "/users/nobody"), Some(PREMIUM))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Premium keys are unaffected.
    assert_eq!(http.get(&url, Some(PREMIUM)).await.status, StatusCode::OK);
    emu.clock().advance(Duration::from_secs(60));
    assert_eq!(http.get(&url, Some(PUBLIC)).await.status, StatusCode::OK);
    emu.shutdown().await;
}

#[tokio::test]
async fn compressed_day_windows() {
    let mut cfg = vt_emulator::EmulatorConfig {
        dataset: vt_emulator::DatasetConfig {
            files: 2,
            ..vt_emulator::DatasetConfig::small()
        },
        clock: ClockMode::Manual(1_750_000_000),
        ..Default::default()
    };
    cfg.quotas.windows = vt_emulator::QuotaWindows::scaled(43_200); // a day of two seconds
    cfg.quotas.public = QuotaLimits {
        per_day: Some(3),
        ..QuotaLimits::UNLIMITED
    };
    let emu = Emulator::from_config(cfg).start().await.unwrap();
    let http = Http::new();
    let url = api(&emu, &format!("/files/{EICAR_SHA256}"));
    let statuses = |n| {
        let http = &http;
        let url = url.clone();
        async move {
            let mut out = Vec::new();
            for _ in 0..n {
                out.push(http.get(&url, Some(PUBLIC)).await.status.as_u16());
            }
            out
        }
    };
    assert_eq!(statuses(4).await, [200, 200, 200, 429]);
    // Through the HTTP control route this time.
    let r = http
        .send(
            Method::POST,
            &format!("{}/_emulator/clock?advance=2", emu.base_url()),
            None,
            &[],
            full(Vec::new()),
        )
        .await;
    assert_eq!(r.json()["now"], 1_750_000_002);
    assert_eq!(statuses(4).await, [200, 200, 200, 429]);
    emu.shutdown().await;
}

#[tokio::test]
async fn v2_file_report_single_batch_and_errors() {
    let emu = Emulator::builder()
        .small_dataset()
        .files(10)
        .start()
        .await
        .unwrap();
    let http = Http::new();
    let base = format!("{}/vtapi/v2/file/report", emu.base_url());
    let files = emu.dataset().files().to_vec();
    let v = http
        .get(
            &format!("{base}?apikey={PREMIUM}&resource={}", files[1].md5),
            None,
        )
        .await
        .json();
    assert_eq!(v["response_code"], 1);
    assert_eq!(v["sha256"], files[1].sha256.as_str());
    assert_eq!(v["resource"], files[1].md5.as_str());
    assert_eq!(v["positives"], files[1].malicious);
    assert_eq!(v["total"], v["scans"].as_object().unwrap().len());
    assert!(v["scan_date"].as_str().unwrap().len() == 19);
    assert!(v.get("first_seen").is_none());
    // Batch: an array in input order, unknown and invalid resources included.
    let missing = "0".repeat(64);
    let resources = format!("{}, {},{missing},zzz", files[2].sha256, files[3].sha1);
    let v = http
        .post_form(
            &base,
            None,
            &[
                ("apikey", PREMIUM),
                ("resource", &resources),
                ("allinfo", "true"),
            ],
        )
        .await
        .json();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 4);
    assert_eq!(arr[0]["sha256"], files[2].sha256.as_str());
    assert_eq!(arr[1]["sha256"], files[3].sha256.as_str());
    assert!(arr[0]["first_seen"].is_string());
    assert_eq!(arr[2]["response_code"], 0);
    assert_eq!(
        arr[3]["verbose_msg"],
        "Invalid resource, check what you are submitting"
    );
    // Errors are bodiless.
    let r = http
        .get(
            &format!("{base}?apikey=wrong&resource={}", files[1].md5),
            None,
        )
        .await;
    assert_eq!((r.status, r.body.len()), (StatusCode::FORBIDDEN, 0));
    let r = http
        .get(
            &format!("{base}?apikey={PUBLIC}&resource={}&allinfo=1", files[1].md5),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let five = vec![files[1].md5.clone(); 5].join(",");
    let r = http
        .get(&format!("{base}?apikey={PUBLIC}&resource={five}"), None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // A batch of 4 spends the whole public minute; the next lookup gets 204.
    let four = vec![files[1].md5.clone(); 4].join(",");
    let r = http
        .get(&format!("{base}?apikey={PUBLIC}&resource={four}"), None)
        .await;
    assert_eq!(r.json().as_array().unwrap().len(), 4);
    let r = http
        .get(
            &format!("{base}?apikey={PUBLIC}&resource={}", files[1].md5),
            None,
        )
        .await;
    assert_eq!((r.status, r.body.len()), (StatusCode::NO_CONTENT, 0));
    // The log never shows the key.
    let stats = http
        .get(&format!("{}/_emulator/stats", emu.base_url()), None)
        .await;
    let text = String::from_utf8_lossy(&stats.body);
    assert!(!text.contains(PUBLIC) && !text.contains(PREMIUM));
    assert!(text.contains("apikey=REDACTED"));
    emu.shutdown().await;
}

fn enc(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

#[tokio::test]
async fn monitor_tree_filters_and_item_operations() {
    let emu = start().await;
    let http = Http::new();
    let items = emu.dataset().monitor_items().to_vec();
    let all = http
        .get(&api(&emu, "/monitor/items?limit=40"), Some(PREMIUM))
        .await
        .json();
    assert_eq!(all["data"].as_array().unwrap().len(), items.len());
    let root = http
        .get(&api(&emu, "/monitor/items?filter=path:/"), Some(PREMIUM))
        .await
        .json();
    let paths: Vec<&str> = root["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["attributes"]["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["/docs/", "/releases/", "/root.bin", "/tools/"]);
    let v10 = http
        .get(
            &api(&emu, "/monitor/items?filter=path:/releases/v1.0/"),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(v10["data"].as_array().unwrap().len(), 2);
    let folder = items.iter().find(|i| i.path == "/releases/v1.1/").unwrap();
    let by_item = http
        .get(
            &api(
                &emu,
                &format!("/monitor/items?filter=item:{}", enc(&folder.id)),
            ),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(by_item["data"].as_array().unwrap().len(), 2);
    for (tag, n) in [
        ("detected", 5),
        ("new-detections", 1),
        ("decreasing-detections", 1),
        ("increasing-detections", 1),
        ("solved-detections", 1),
        ("swapped-detections", 1),
    ] {
        let v = http
            .get(
                &api(&emu, &format!("/monitor/items?filter=tag:{tag}")),
                Some(PREMIUM),
            )
            .await
            .json();
        assert_eq!(v["data"].as_array().unwrap().len(), n, "{tag}");
    }
    let swapped = items
        .iter()
        .find(|i| i.tags.iter().any(|t| t == "swapped-detections"))
        .unwrap();
    let engine = swapped
        .tags
        .iter()
        .find(|t| !t.contains('-') && *t != "detected")
        .unwrap();
    let v = http
        .get(
            &api(
                &emu,
                &format!("/monitor/items?filter=tag:detected%20{engine}"),
            ),
            Some(PREMIUM),
        )
        .await
        .json();
    assert!(
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == swapped.id.as_str())
    );
    assert_eq!(
        http.get(&api(&emu, "/monitor/items?filter=bogus"), Some(PREMIUM))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    // One item: get (encoded id), details, analyses, download, owner.
    let item = http
        .get(
            &api(&emu, &format!("/monitor/items/{}", enc(&swapped.id))),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(item["data"]["type"], "monitor_item");
    assert_eq!(item["data"]["attributes"]["path"], swapped.path.as_str());
    let cfg = json!({"data": {"type": "monitor_item", "id": swapped.id, "attributes": {"details": "signed build"}}});
    let r = http
        .send(
            Method::PATCH,
            &api(&emu, &format!("/monitor/items/{}/config", enc(&swapped.id))),
            Some(PREMIUM),
            &[],
            full(serde_json::to_vec(&cfg).unwrap()),
        )
        .await;
    assert_eq!(r.json()["data"]["attributes"]["details"], "signed build");
    let clear = json!({"data": {"type": "monitor_item", "attributes": {"details": null}}});
    let r = http
        .send(
            Method::PATCH,
            &api(&emu, &format!("/monitor/items/{}/config", enc(&swapped.id))),
            Some(PREMIUM),
            &[],
            full(serde_json::to_vec(&clear).unwrap()),
        )
        .await;
    assert!(r.json()["data"]["attributes"].get("details").is_none());
    let r = http
        .send(
            Method::PATCH,
            &api(&emu, &format!("/monitor/items/{}/config", enc(&folder.id))),
            Some(PREMIUM),
            &[],
            full(serde_json::to_vec(&cfg).unwrap()),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let an = http
        .get(
            &api(
                &emu,
                &format!("/monitor/items/{}/analyses", enc(&swapped.id)),
            ),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(an["data"].as_array().unwrap().len(), 2);
    assert_eq!(an["data"][0]["type"], "monitor_analysis");
    let r = http
        .get(
            &api(
                &emu,
                &format!("/monitor/items/{}/download", enc(&swapped.id)),
            ),
            Some(PREMIUM),
        )
        .await;
    assert_eq!(r.status, StatusCode::FOUND);
    let bytes = http.get(r.header("location").unwrap(), None).await.body;
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(Some(sha), swapped.sha256);
    let owner = http
        .get(
            &api(&emu, &format!("/monitor/items/{}/owner", enc(&swapped.id))),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(owner["data"]["id"], "emulator");
    let comments = http
        .get(
            &api(
                &emu,
                &format!("/monitor/items/{}/comments", enc(&swapped.id)),
            ),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(comments["data"][0]["type"], "monitor_hash_comment");
    assert_eq!(comments["data"].as_array().unwrap().len(), 2);
    let stats = http
        .get(&api(&emu, "/monitor/statistics"), Some(PREMIUM))
        .await
        .json();
    assert!(stats["data"]["storage_bytes_count"].as_u64().unwrap() > 0);
    let events = http
        .get(&api(&emu, "/monitor/events"), Some(PREMIUM))
        .await
        .json();
    assert!(
        events["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "DETECTED")
    );

    // Uploads by path (creating folders), by item (replacing), and a bare folder.
    let r = http
        .post_multipart(
            &api(&emu, "/monitor/items"),
            Some(PREMIUM),
            Some(("x", b"new build")),
            &[("path", "/new/dir/app.bin")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let new_id = r.json()["data"]["id"].as_str().unwrap().to_owned();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&new_id)
        .unwrap();
    assert_eq!(decoded, b"vtmonitor-v1://emulator/new/dir/app.bin");
    let dir = http
        .get(
            &api(&emu, "/monitor/items?filter=path:/new/"),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(dir["data"][0]["attributes"]["item_type"], "folder");
    let u = http
        .get(&api(&emu, "/monitor/items/upload_url"), Some(PREMIUM))
        .await
        .json();
    let r = http
        .post_multipart(
            u["data"].as_str().unwrap(),
            Some(PREMIUM),
            Some(("x", b"newer build")),
            &[("item", &new_id)],
        )
        .await;
    assert_eq!(r.json()["data"]["id"], new_id.as_str());
    let an = http
        .get(
            &api(&emu, &format!("/monitor/items/{}/analyses", enc(&new_id))),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(an["data"].as_array().unwrap().len(), 2);
    let r = http
        .post_multipart(
            &api(&emu, "/monitor/items"),
            Some(PREMIUM),
            None,
            &[("path", "/empty/")],
        )
        .await;
    assert_eq!(r.json()["data"]["attributes"]["item_type"], "folder");
    let r = http
        .post_multipart(
            &api(&emu, "/monitor/items"),
            Some(PREMIUM),
            None,
            &[("path", "/nofile.bin")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Deleting a folder deletes its contents.
    let newdir = http
        .get(&api(&emu, "/monitor/items?filter=path:/"), Some(PREMIUM))
        .await
        .json();
    let new_folder = newdir["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["attributes"]["path"] == "/new/")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = http
        .send(
            Method::DELETE,
            &api(&emu, &format!("/monitor/items/{}", enc(&new_folder))),
            Some(PREMIUM),
            &[],
            full(Vec::new()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        http.get(
            &api(&emu, &format!("/monitor/items/{}", enc(&new_id))),
            Some(PREMIUM)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn stats_count_routes_and_never_log_keys() {
    let emu = start().await;
    let http = Http::new();
    http.get(&api(&emu, &format!("/files/{EICAR_SHA256}")), Some(PREMIUM))
        .await;
    http.get(&api(&emu, "/files/nope"), Some(PUBLIC)).await;
    http.get(&api(&emu, "/files/nope"), None).await;
    let s = emu.stats();
    assert_eq!(s.count("GET /api/v3/files/{id}", 200), 1);
    assert_eq!(s.count("GET /api/v3/files/{id}", 404), 1);
    assert_eq!(s.count("GET /api/v3/files/{id}", 401), 1);
    assert!(s.bytes_out > 0);
    let tiers: Vec<Option<String>> = s.request_log.iter().map(|e| e.tier.clone()).collect();
    assert_eq!(
        tiers,
        [Some("premium".to_owned()), Some("public".to_owned()), None]
    );
    let v = http
        .get(&format!("{}/_emulator/stats", emu.base_url()), None)
        .await
        .json();
    assert_eq!(v["requests"]["GET /api/v3/files/{id}"]["404"], 1);
    let text = serde_json::to_string(&v).unwrap();
    assert!(!text.contains(PREMIUM) && !text.contains(PUBLIC));
    let r = http
        .send(
            Method::POST,
            &format!("{}/_emulator/reset", emu.base_url()),
            None,
            &[],
            full(Vec::new()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!emu.stats().requests.contains_key("GET /api/v3/files/{id}"));
    emu.shutdown().await;
}

#[tokio::test]
async fn real_documents_can_be_loaded() {
    let dir = std::env::var("VT_FIXTURES_DIR")
        .unwrap_or_else(|_| format!("{}/../../fixtures/vt-json", env!("CARGO_MANIFEST_DIR")));
    let sample = std::path::Path::new(&dir).join("file/azul_pdf_file.json");
    let text = std::fs::read(&sample).unwrap_or_else(|e| {
        panic!(
            "cannot read {} (set VT_FIXTURES_DIR): {e}",
            sample.display()
        )
    });
    let doc: Value = serde_json::from_slice(&text).unwrap();
    let id = doc["data"]["id"].as_str().unwrap();
    let emu = Emulator::builder()
        .small_dataset()
        .files(2)
        .load_dir(&dir)
        .start()
        .await
        .unwrap();
    assert!(emu.dataset().files().iter().any(|f| f.sha256 == id));
    let http = Http::new();
    let v = http
        .get(&api(&emu, &format!("/files/{id}")), Some(PREMIUM))
        .await
        .json();
    assert_eq!(v["data"]["attributes"], doc["data"]["attributes"]);
    emu.shutdown().await;
}

#[tokio::test]
async fn same_seed_same_dataset_different_seed_different() {
    let a = Emulator::builder()
        .seed(5)
        .small_dataset()
        .files(5)
        .start()
        .await
        .unwrap();
    let b = Emulator::builder()
        .seed(5)
        .small_dataset()
        .files(5)
        .start()
        .await
        .unwrap();
    let c = Emulator::builder()
        .seed(6)
        .small_dataset()
        .files(5)
        .start()
        .await
        .unwrap();
    assert_eq!(a.dataset().files(), b.dataset().files());
    assert_eq!(a.dataset().monitor_items(), b.dataset().monitor_items());
    assert_ne!(a.dataset().files()[1], c.dataset().files()[1]);
    assert_eq!(c.dataset().files()[0].sha256, EICAR_SHA256);
    a.shutdown().await;
    b.shutdown().await;
    c.shutdown().await;
}
