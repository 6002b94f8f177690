//! Private scanning: uploads and URL scans kept apart from the public store, analyses that
//! move from queued to completed, reports per owner, and the premium privilege.

mod common;

use common::Http;
use http::StatusCode;
use vt_emulator::{
    AnalysisTiming, DEFAULT_PREMIUM_KEY as PREMIUM, DEFAULT_PUBLIC_KEY as PUBLIC, Emulator,
    EmulatorHandle, KeySpec, Tier,
};

const OTHER_PREMIUM: &str = "another-premium-key-0123456789";

async fn start() -> EmulatorHandle {
    Emulator::builder()
        .seed(7)
        .small_dataset()
        .analysis(AnalysisTiming {
            polls_to_complete: 2,
            time_to_complete: None,
        })
        .keys(vec![
            KeySpec::new(PREMIUM, Tier::Premium),
            KeySpec::new(PUBLIC, Tier::Public),
            KeySpec::new(OTHER_PREMIUM, Tier::Premium),
        ])
        .start()
        .await
        .unwrap()
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn a_private_upload_is_never_returned_by_the_public_file_endpoints() {
    let emu = start().await;
    let http = Http::new();
    let api = emu.api_url();
    let content = b"MZ private sample that nobody else has seen 7f3a";
    let sha = sha256_hex(content);
    let r = http
        .post_multipart(
            &format!("{api}/private/files"),
            Some(PREMIUM),
            Some(("secret.exe", content)),
            &[("retention_period_days", "2"), ("enable_internet", "false")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.json()["data"]["type"], "private_analysis");
    // The private report exists...
    let p = http
        .get(&format!("{api}/private/files/{sha}"), Some(PREMIUM))
        .await;
    assert_eq!(p.status, StatusCode::OK);
    let pj = p.json();
    assert_eq!(pj["data"]["type"], "private_file");
    assert!(pj["data"]["attributes"]["sandbox_verdicts"].is_object());
    assert!(
        pj["data"]["attributes"]
            .get("last_analysis_results")
            .is_none()
    );
    assert!(pj["data"]["attributes"].get("total_votes").is_none());
    // ... and nothing public knows the file: report, download, search, by any hash.
    let md5 = pj["data"]["attributes"]["md5"].as_str().unwrap().to_owned();
    for path in [
        format!("/files/{sha}"),
        format!("/files/{md5}"),
        format!("/files/{sha}/download"),
        format!("/files/{sha}/behaviours"),
        format!("/search?query={sha}"),
    ] {
        let r = http.get(&format!("{api}{path}"), Some(PREMIUM)).await;
        let leaked =
            r.status == StatusCode::OK && !r.json()["data"].as_array().is_some_and(Vec::is_empty);
        assert!(!leaked, "{path} leaked the private file: {:?}", r.body);
    }
    // Another user cannot see it either.
    let r = http
        .get(&format!("{api}/private/files/{sha}"), Some(OTHER_PREMIUM))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn private_analyses_move_from_queued_to_completed_and_point_at_the_private_file() {
    let emu = start().await;
    let http = Http::new();
    let api = emu.api_url();
    let url = http
        .get(&format!("{api}/private/files/upload_url"), Some(PREMIUM))
        .await
        .json()["data"]
        .as_str()
        .unwrap()
        .to_owned();
    let content = b"#!/bin/sh\necho private\n";
    let r = http
        .post_multipart(&url, Some(PREMIUM), Some(("s.sh", content)), &[])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let id = r.json()["data"]["id"].as_str().unwrap().to_owned();
    assert!(!id.contains('/'));
    let analysis_url = format!("{api}/private/analyses/{id}");
    let poll = || http.get(&analysis_url, Some(PREMIUM));
    let first = poll().await.json();
    assert_eq!(first["data"]["type"], "private_analysis");
    assert_eq!(first["data"]["attributes"]["status"], "queued");
    assert!(first["data"]["attributes"]["pending_stages"].is_array());
    assert!(first["data"]["attributes"].get("results").is_none());
    let second = poll().await.json();
    assert_eq!(second["data"]["attributes"]["status"], "in-progress");
    let done = poll().await.json();
    assert_eq!(done["data"]["attributes"]["status"], "completed");
    let sandboxes = done["data"]["attributes"]["sandbox_status"]
        .as_object()
        .unwrap();
    assert!(!sandboxes.is_empty());
    assert!(sandboxes.values().all(|s| s["in_progress_percent"] == 100));
    let sha = sha256_hex(content);
    assert_eq!(done["meta"]["file_info"]["sha256"], sha.as_str());
    assert_eq!(
        done["data"]["links"]["item"],
        format!("{api}/private/files/{sha}").as_str()
    );
    // The public analyses endpoint does not know it, nor does another user.
    let r = http
        .get(&format!("{api}/analyses/{id}"), Some(PREMIUM))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = http
        .get(&format!("{api}/private/analyses/{id}"), Some(OTHER_PREMIUM))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Listed, rescanned, with sandbox reports.
    let list = http
        .get(&format!("{api}/private/files?limit=100"), Some(PREMIUM))
        .await
        .json();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["meta"]["count"], 1);
    let r = http
        .post_form(
            &format!("{api}/private/files/{sha}/analyse?disable_sandbox=true"),
            Some(PREMIUM),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_ne!(r.json()["data"]["id"], id.as_str());
    let b = http
        .get(
            &format!("{api}/private/files/{sha}/behaviours"),
            Some(PREMIUM),
        )
        .await
        .json();
    assert!(!b["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn private_url_scans_are_kept_apart_and_checked() {
    let emu = start().await;
    let http = Http::new();
    let api = emu.api_url();
    let u = "http://private-only.example.org/login";
    let r = http
        .post_form(
            &format!("{api}/private/urls"),
            Some(PREMIUM),
            &[("url", u), ("sandboxes", "cape_win,zenbox_windows")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let id = r.json()["data"]["id"].as_str().unwrap().to_owned();
    let a = http
        .get(&format!("{api}/private/analyses/{id}"), Some(PREMIUM))
        .await
        .json();
    assert_eq!(a["meta"]["url_info"]["url"], u);
    let sandboxes: Vec<&String> = a["data"]["attributes"]["sandbox_status"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(sandboxes, ["cape_win", "zenbox_windows"]);
    let uid = a["meta"]["url_info"]["id"].as_str().unwrap().to_owned();
    let p = http
        .get(&format!("{api}/private/urls/{uid}"), Some(PREMIUM))
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.json()["data"]["type"], "private_url");
    let r = http.get(&format!("{api}/urls/{uid}"), Some(PREMIUM)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "the public URL leaked");
    // Documented limits are enforced.
    for (k, v) in [
        ("retention_period_days", "29"),
        ("storage_region", "MARS"),
        ("interaction_timeout", "5"),
    ] {
        let r = http
            .post_form(
                &format!("{api}/private/urls"),
                Some(PREMIUM),
                &[("url", u), (k, v)],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{k}={v}");
        assert_eq!(r.error_code(), "InvalidArgumentError");
    }
}

#[tokio::test]
async fn a_public_key_gets_the_apis_403_on_every_private_route() {
    let emu = start().await;
    let http = Http::new();
    let api = emu.api_url();
    for path in [
        "/private/files",
        "/private/files/upload_url",
        "/private/files/275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f",
        "/private/analyses/abc",
        "/private/urls/abc",
    ] {
        let r = http.get(&format!("{api}{path}"), Some(PUBLIC)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(r.error_code(), "ForbiddenError", "{path}");
    }
    let r = http
        .post_multipart(
            &format!("{api}/private/files"),
            Some(PUBLIC),
            Some(("x", b"x")),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
