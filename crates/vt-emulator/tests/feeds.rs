//! Feeds: per-minute bzip2 packages behind a 302, published after the lag, deterministic
//! from the seed, listing what clients upload; hourly packages; damaged packages on demand.

mod common;

use std::io::Read as _;

use common::Http;
use http::StatusCode;
use serde_json::Value;
use vt_emulator::{
    ClockMode, DEFAULT_PREMIUM_KEY as PREMIUM, DEFAULT_PUBLIC_KEY as PUBLIC, Emulator,
    EmulatorHandle, FaultRule,
};

/// 2026-12-03 05:00:00 UTC.
const NOW: u64 = 1_796_274_000;

async fn start(seed: u64, faults: &[&str]) -> EmulatorHandle {
    let mut b = Emulator::builder()
        .seed(seed)
        .small_dataset()
        .clock(ClockMode::Manual(NOW));
    for f in faults {
        b = b.fault(f.parse::<FaultRule>().unwrap());
    }
    b.start().await.unwrap()
}

fn bunzip(bytes: &[u8]) -> std::io::Result<String> {
    let mut out = String::new();
    bzip2::read::MultiBzDecoder::new(bytes).read_to_string(&mut out)?;
    Ok(out)
}

/// The package's bytes, following the API's 302.
async fn package(emu: &EmulatorHandle, feed: &str, minute: &str) -> common::Resp {
    let http = Http::new();
    let url = format!("{}/api/v3/feeds/{feed}/{minute}", emu.base_url());
    let first = http.get(&url, Some(PREMIUM)).await;
    if first.status != StatusCode::FOUND {
        return first;
    }
    let location = first.header("location").unwrap().to_owned();
    assert!(location.contains("/_feeds/"), "{location}");
    http.get(&location, None).await
}

fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test]
async fn packages_are_bzip2_json_lines_deterministic_from_the_seed() {
    let emu = start(7, &[]).await;
    assert_eq!(emu.clock().now_secs(), NOW);
    let mut total = 0;
    let mut texts = Vec::new();
    for minute in [
        "202612030350",
        "202612030351",
        "202612030352",
        "202612030353",
        "202612030354",
        "202612030355",
    ] {
        let resp = package(&emu, "files", minute).await;
        assert_eq!(resp.status, StatusCode::OK);
        assert_eq!(resp.header("content-type"), Some("application/x-bzip2"));
        let text = bunzip(&resp.body).unwrap();
        for item in lines(&text) {
            assert_eq!(item["type"], "file");
            let id = item["id"].as_str().unwrap();
            let url = item["context_attributes"]["download_url"].as_str().unwrap();
            assert_eq!(
                url,
                format!("{}/api/v3/feeds/files/{id}/download", emu.base_url())
            );
            assert!(item["context_attributes"]["submitter"]["country"].is_string());
            total += 1;
        }
        // Asked again: the same bytes.
        assert_eq!(package(&emu, "files", minute).await.body, resp.body);
        texts.push(text.replace(emu.base_url(), "BASE"));
    }
    assert!(total > 0, "six minutes of the file feed are not all empty");
    let again = start(7, &[]).await;
    let other = start(8, &[]).await;
    let mut same = true;
    for (i, minute) in [
        "202612030350",
        "202612030351",
        "202612030352",
        "202612030353",
        "202612030354",
        "202612030355",
    ]
    .iter()
    .enumerate()
    {
        let text = bunzip(&package(&again, "files", minute).await.body).unwrap();
        assert!(
            text.replace(again.base_url(), "BASE") == texts[i],
            "seed 7 twice, minute {minute}"
        );
        let text = bunzip(&package(&other, "files", minute).await.body).unwrap();
        same &= text.replace(other.base_url(), "BASE") == texts[i];
    }
    assert!(!same, "another seed gives other packages");
    for (feed, kind) in [
        ("urls", "url"),
        ("domains", "domain"),
        ("ip_addresses", "ip_address"),
        ("file-behaviours", "file_behaviour"),
    ] {
        let mut seen = 0;
        for minute in 30..50 {
            let resp = package(&emu, feed, &format!("2026120303{minute}")).await;
            assert_eq!(resp.status, StatusCode::OK, "{feed}");
            for item in lines(&bunzip(&resp.body).unwrap()) {
                assert_eq!(item["type"], kind);
                seen += 1;
            }
        }
        assert!(seen > 0, "{feed} is never empty for twenty minutes");
    }
}

#[tokio::test]
async fn future_old_and_malformed_packages_answer_as_the_api() {
    let emu = start(7, &[]).await;
    // 05:00 now, lag 60: 04:00 (now - 60 min) is the newest package, 04:01 is not available
    // yet.
    assert_eq!(
        package(&emu, "files", "202612030400").await.status,
        StatusCode::OK
    );
    let late = package(&emu, "files", "202612030401").await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
    assert_eq!(late.error_code(), "NotAvailableYet");
    let old = package(&emu, "files", "202611250400").await;
    assert_eq!(old.status, StatusCode::NOT_FOUND);
    assert_eq!(old.error_code(), "NotFoundError");
    let bad = package(&emu, "files", "2026120304").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        package(&emu, "ips", "202612030359").await.status,
        StatusCode::NOT_FOUND
    );
    let http = Http::new();
    let public = http
        .get(
            &format!("{}/api/v3/feeds/files/202612030359", emu.base_url()),
            Some(PUBLIC),
        )
        .await;
    assert_eq!(public.status, StatusCode::FORBIDDEN);
    // The clock moves on: the package is published one lag after its minute starts.
    emu.clock().advance(std::time::Duration::from_secs(60));
    assert_eq!(
        package(&emu, "files", "202612030401").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn uploads_appear_in_the_package_of_their_minute_and_download_by_link() {
    let emu = start(7, &[]).await;
    let http = Http::new();
    let bytes = b"feed me: a file uploaded at 05:00";
    let sha = {
        use sha2::Digest;
        format!("{:x}", sha2::Sha256::digest(bytes))
    };
    let resp = http
        .post_multipart(
            &format!("{}/api/v3/files", emu.base_url()),
            Some(PREMIUM),
            Some(("f.txt", bytes)),
            &[],
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{:?}", resp.body);
    let url = http
        .post_form(
            &format!("{}/api/v3/urls", emu.base_url()),
            Some(PREMIUM),
            &[("url", "http://feed.example/new")],
        )
        .await;
    assert_eq!(url.status, StatusCode::OK);
    assert_eq!(
        package(&emu, "files", "202612030500").await.error_code(),
        "NotAvailableYet"
    );
    emu.clock().advance(std::time::Duration::from_secs(61 * 60));
    let items = lines(&bunzip(&package(&emu, "files", "202612030500").await.body).unwrap());
    let mine = items
        .iter()
        .find(|i| i["id"] == sha.as_str())
        .expect("the upload is in its minute's package");
    let link = mine["context_attributes"]["download_url"].as_str().unwrap();
    let redirect = http.get(link, Some(PREMIUM)).await;
    assert_eq!(redirect.status, StatusCode::FOUND);
    let file = http.get(redirect.header("location").unwrap(), None).await;
    assert_eq!(&file.body[..], bytes);
    let urls = bunzip(&package(&emu, "urls", "202612030500").await.body).unwrap();
    assert!(urls.contains("http://feed.example/new"), "{urls}");
}

#[tokio::test]
async fn hourly_packages_are_tar_bz2_of_the_minutes() {
    let emu = start(7, &[]).await;
    let http = Http::new();
    let url = |h: &str| format!("{}/api/v3/feeds/urls/hourly/{h}", emu.base_url());
    let resp = http.get(&url("2026120302"), Some(PREMIUM)).await;
    assert_eq!(resp.status, StatusCode::OK);
    let mut tar = Vec::new();
    bzip2::read::BzDecoder::new(&resp.body[..])
        .read_to_end(&mut tar)
        .unwrap();
    assert_eq!(&tar[257..262], b"ustar");
    assert_eq!(&tar[..16], b"202612030200.bz2");
    // The minute inside is the minute's package.
    let size = usize::from_str_radix(std::str::from_utf8(&tar[124..135]).unwrap(), 8).unwrap();
    let inner = bunzip(&tar[512..512 + size]).unwrap();
    let direct = bunzip(&package(&emu, "urls", "202612030200").await.body).unwrap();
    assert_eq!(inner, direct);
    // 04:00-04:59 ends at 05:00: published at 06:00.
    assert_eq!(
        http.get(&url("2026120304"), Some(PREMIUM))
            .await
            .error_code(),
        "NotAvailableYet"
    );
    assert_eq!(
        http.get(
            &format!(
                "{}/api/v3/feeds/file-behaviours/hourly/2026120302",
                emu.base_url()
            ),
            Some(PREMIUM)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn fault_rules_damage_named_packages_the_same_way_every_time() {
    let emu = start(
        7,
        &[
            "feed-truncated=1@/api/v3/feeds/files/202612030350",
            "feed-corrupt=1@/api/v3/feeds/files/202612030351",
            "feed-not-json=1@/api/v3/feeds/files/202612030352",
            "feed-missing=1@/api/v3/feeds/files/202612030353",
        ],
    )
    .await;
    let truncated = package(&emu, "files", "202612030350").await;
    assert_eq!(truncated.status, StatusCode::OK);
    assert!(bunzip(&truncated.body).is_err());
    assert_eq!(
        package(&emu, "files", "202612030350").await.body,
        truncated.body
    );
    assert!(bunzip(&package(&emu, "files", "202612030351").await.body).is_err());
    let text = bunzip(&package(&emu, "files", "202612030352").await.body).unwrap();
    assert!(
        text.lines()
            .any(|l| serde_json::from_str::<Value>(l).is_err()),
        "{text}"
    );
    assert_eq!(
        package(&emu, "files", "202612030353").await.error_code(),
        "NotFoundError"
    );
    // Other packages are untouched.
    assert!(bunzip(&package(&emu, "files", "202612030354").await.body).is_ok());
}
