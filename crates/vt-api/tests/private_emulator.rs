//! `client.private()` against the emulator (a local VirusTotal over real HTTP on 127.0.0.1):
//! whole private-scanning workflows, where `private.rs` checks the exact wire format against
//! httpmock.

use std::time::Duration;

use futures_util::TryStreamExt;
use vt_api::private::PrivateScanOptions;
use vt_api::transport::RateLimitSpec;
use vt_api::{Client, WaitOptions, WaitProgress};
use vt_emulator::{
    AnalysisTiming, DEFAULT_PREMIUM_KEY as PREMIUM, DEFAULT_PUBLIC_KEY as PUBLIC, Emulator,
    EmulatorHandle, KeySpec, Tier,
};
use vt_model::{AnalysisId, AnalysisStatus, FileHash, UrlId};

const OTHER_PREMIUM: &str = "another-premium-key-0123456789";

/// An emulator whose analyses complete on the third poll, with two premium keys and a
/// public one.
async fn emulator() -> EmulatorHandle {
    Emulator::builder()
        .seed(11)
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

fn client(emu: &EmulatorHandle, key: &str) -> Client {
    Client::builder()
        .api_key(key)
        .base_url(emu.base_url())
        .rate_limit(RateLimitSpec::none())
        .build()
        .unwrap()
}

/// Polls quickly: the emulator counts polls, not seconds.
fn fast() -> WaitOptions {
    WaitOptions::new().intervals(Duration::from_millis(5), Duration::from_millis(5))
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn a_private_upload_is_waited_for_reported_listed_and_never_public() {
    let emu = emulator().await;
    let c = client(&emu, PREMIUM);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("private.exe");
    let content = b"MZ a private sample for vt-api's emulator test 5d1e";
    std::fs::write(&path, content).unwrap();
    let sha = sha256_hex(content);
    let options = PrivateScanOptions::new()
        .retention_period_days(2)
        .enable_internet(false)
        .locale("EN_US");
    let descriptor = c.private().upload_with(&path, options).await.unwrap();
    assert_eq!(
        descriptor.get().object_type.as_deref(),
        Some("private_analysis")
    );
    let id: AnalysisId = descriptor.get().id_str().parse().unwrap();

    let mut seen: Vec<(u32, String)> = Vec::new();
    let done = c
        .private()
        .wait_observed(&id, fast(), |p: &WaitProgress| {
            seen.push((p.polls, p.last_status.to_owned()))
        })
        .await
        .unwrap();
    assert_eq!(
        done.data.get().attributes.status,
        Some(AnalysisStatus::Completed)
    );
    assert_eq!(
        seen,
        [(1, "queued".to_owned()), (2, "in-progress".to_owned())],
        "each unfinished poll is reported"
    );
    let meta = done.analysis_meta().expect("the analysis names its file");
    assert_eq!(
        meta.file_info.unwrap().sha256.as_deref(),
        Some(sha.as_str())
    );

    let hash: FileHash = sha.parse().unwrap();
    let report = c.private().file(&hash).await.unwrap();
    assert_eq!(report.get().object_type, "private_file");
    assert_eq!(report.get().id_str(), sha);
    let raw = c.private().file_json(&hash).await.unwrap();
    assert!(raw.get().contains("\"private_file\""), "{}", raw.get());
    let listed: Vec<_> = c.private().files().try_collect().await.unwrap();
    assert!(listed.iter().any(|f| f.get().id_str() == sha));
    let sandboxes: Vec<_> = c.private().behaviours(&hash).try_collect().await.unwrap();
    assert!(
        !sandboxes.is_empty(),
        "the private file has sandbox reports"
    );

    // The public side never heard of it, and another user cannot see it.
    let public = c.files().report(&hash).await.unwrap_err();
    assert!(public.is_not_found(), "{public}");
    let other = client(&emu, OTHER_PREMIUM);
    assert!(
        other
            .private()
            .file(&hash)
            .await
            .unwrap_err()
            .is_not_found()
    );
    assert!(
        other
            .private()
            .analysis(&id)
            .await
            .unwrap_err()
            .is_not_found()
    );

    // Scanned again: a new analysis of the same file.
    let again = c
        .private()
        .reanalyse(&hash, PrivateScanOptions::new().retention_period_days(1))
        .await
        .unwrap();
    assert_ne!(again.get().id_str(), id.as_str());
    let id2: AnalysisId = again.get().id_str().parse().unwrap();
    let done = c.private().wait(&id2, fast()).await.unwrap();
    assert_eq!(
        done.data.get().attributes.status,
        Some(AnalysisStatus::Completed)
    );
}

#[tokio::test]
async fn a_private_upload_over_32_mib_goes_through_an_upload_url() {
    let emu = emulator().await;
    let c = client(&emu, PREMIUM);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    // Sparse: 33 MiB of zeros without writing them.
    std::fs::File::create(&path)
        .unwrap()
        .set_len(33 * 1024 * 1024)
        .unwrap();
    emu.reset_stats();
    let descriptor = c.private().upload(&path).await.unwrap();
    let paths: Vec<String> = emu
        .stats()
        .request_log
        .into_iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(
        paths
            .iter()
            .any(|p| p == "GET /api/v3/private/files/upload_url"),
        "{paths:?}"
    );
    assert!(
        !paths.iter().any(|p| p == "POST /api/v3/private/files"),
        "{paths:?}"
    );
    let id: AnalysisId = descriptor.get().id_str().parse().unwrap();
    let done = c.private().wait(&id, fast()).await.unwrap();
    let meta = done.analysis_meta().unwrap().file_info.unwrap();
    assert_eq!(meta.size, Some(33 * 1024 * 1024));
}

#[tokio::test]
async fn a_private_url_scan_is_waited_for_and_reported_only_privately() {
    let emu = emulator().await;
    let c = client(&emu, PREMIUM);
    let url = "http://private-url.example.org/landing";
    let options = PrivateScanOptions::new()
        .sandboxes(["chrome_headless_linux"])
        .user_agent("vt-rs test")
        .storage_region("EU");
    let descriptor = c.private().scan_url_with(url, options).await.unwrap();
    let id: AnalysisId = descriptor.get().id_str().parse().unwrap();
    let done = c.private().wait(&id, fast()).await.unwrap();
    assert_eq!(done.data.get().object_type, "private_analysis");
    assert_eq!(
        done.data.get().attributes.status,
        Some(AnalysisStatus::Completed)
    );
    let uid = UrlId::from_url(url).unwrap();
    let report = c.private().url(&uid).await.unwrap();
    assert_eq!(report.get().object_type, "private_url");
    assert!(c.urls().report(&uid).await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn refusals_are_typed_errors() {
    let emu = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.bin");
    std::fs::write(&path, b"sample").unwrap();
    // Options the library refuses are never sent (checked first, on a server that has seen
    // no request yet).
    let c = client(&emu, PREMIUM);
    let bad = PrivateScanOptions::new().retention_period_days(29);
    let e = c.private().upload_with(&path, bad).await.unwrap_err();
    assert!(e.is_invalid_input(), "{e}");
    let e = c
        .private()
        .scan_url_with(
            "http://example.com/",
            PrivateScanOptions::new().locale("en"),
        )
        .await
        .unwrap_err();
    assert!(e.is_invalid_input(), "{e}");
    assert_eq!(emu.stats().requests_total, 0, "nothing was sent");
    // A key without the Private Scanning licence.
    let public = client(&emu, PUBLIC);
    let e = public.private().upload(&path).await.unwrap_err();
    assert!(e.is_auth(), "{e}");
    let e = public
        .private()
        .scan_url("http://example.com/")
        .await
        .unwrap_err();
    assert!(e.is_auth(), "{e}");
    // An analysis nobody made.
    let id: AnalysisId = "bm8tc3VjaC1hbmFseXNpczox".parse().unwrap();
    let e = c.private().wait(&id, fast()).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
}
