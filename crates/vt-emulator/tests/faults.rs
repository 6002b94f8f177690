//! Seeded fault injection: rates within tolerance, reproducible sequences, each fault kind.

mod common;

use std::time::{Duration, Instant};

use common::{Http, full};
use http::{Method, StatusCode};
use vt_emulator::{
    DEFAULT_PREMIUM_KEY as PREMIUM, EICAR_SHA256, Emulator, EmulatorHandle, FaultKind, FaultRule,
};

async fn with_rules(seed: u64, rules: Vec<FaultRule>) -> EmulatorHandle {
    let mut b = Emulator::builder()
        .small_dataset()
        .files(3)
        .fault_seed(seed);
    for r in rules {
        b = b.fault(r);
    }
    b.start().await.unwrap()
}

async fn statuses(emu: &EmulatorHandle, n: usize) -> Vec<u16> {
    let http = Http::new();
    let url = format!("{}/files/{EICAR_SHA256}", emu.api_url());
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(http.get(&url, Some(PREMIUM)).await.status.as_u16());
    }
    out
}

#[tokio::test]
async fn transient_rate_is_within_tolerance_and_reproducible() {
    let rule = || vec![FaultRule::new(FaultKind::Transient, 0.2)];
    let a = with_rules(11, rule()).await;
    let b = with_rules(11, rule()).await;
    let sa = statuses(&a, 1000).await;
    let sb = statuses(&b, 1000).await;
    let errors = sa.iter().filter(|s| **s == 503).count();
    assert!(
        (150..=250).contains(&errors),
        "{errors} transient errors out of 1000"
    );
    assert!(sa.iter().all(|s| *s == 200 || *s == 503));
    assert_eq!(sa, sb, "same seed, same sequence");
    assert_eq!(a.stats().fault_count("transient"), errors as u64);
    let c = with_rules(12, rule()).await;
    assert_ne!(
        statuses(&c, 200).await,
        sa[..200],
        "another seed, another sequence"
    );
    let http = Http::new();
    let r = http
        .get(
            &format!("{}/files/{EICAR_SHA256}", a.api_url()),
            Some(PREMIUM),
        )
        .await;
    if r.status == StatusCode::SERVICE_UNAVAILABLE {
        assert_eq!(r.error_code(), "TransientError");
    }
    for e in [a, b, c] {
        e.shutdown().await;
    }
}

#[tokio::test]
async fn each_fault_kind_does_what_it_says() {
    let emu = with_rules(
        1,
        vec![
            FaultRule::new(FaultKind::DropConnection, 1.0).on("/api/v3/domains"),
            FaultRule::new(FaultKind::TooManyRequests, 1.0).on("/api/v3/ip_addresses"),
            FaultRule::new(FaultKind::TruncatedJson, 1.0).on("/api/v3/urls"),
            FaultRule::new(FaultKind::MalformedJson, 1.0).on("/api/v3/metadata"),
            FaultRule::new(FaultKind::Latency(Duration::from_millis(5)), 1.0).on("/api/v3/search"),
            FaultRule::new(FaultKind::SlowBody(Duration::from_millis(1)), 1.0).on("/api/v3/files"),
        ],
    )
    .await;
    let http = Http::new();
    let api = emu.api_url();
    let d = emu.dataset().domains()[0].clone();
    let r = http
        .try_send(
            Method::GET,
            &format!("{api}/domains/{d}"),
            Some(PREMIUM),
            &[],
            full(Vec::new()),
        )
        .await;
    assert!(r.is_err(), "the connection should have been dropped: {r:?}");

    let ip = emu.dataset().ip_addresses()[0].clone();
    let gz = [("user-agent", "x; gzip"), ("accept-encoding", "gzip")];
    let r = http
        .send(
            Method::GET,
            &format!("{api}/ip_addresses/{ip}"),
            Some(PREMIUM),
            &gz,
            full(Vec::new()),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.header("content-encoding"), None);
    assert_eq!(r.error_code(), "TooManyRequestsError");

    let u = emu.dataset().urls()[0].id.clone();
    let r = http.get(&format!("{api}/urls/{u}"), Some(PREMIUM)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err());
    assert_eq!(
        r.header("content-length")
            .map(|l| l.parse::<usize>().unwrap()),
        Some(r.body.len())
    );

    let r = http.get(&format!("{api}/metadata"), Some(PREMIUM)).await;
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err());

    let r = http
        .get(&format!("{api}/search?query={EICAR_SHA256}"), Some(PREMIUM))
        .await;
    assert_eq!(r.json()["data"][0]["id"], EICAR_SHA256);

    let r = http
        .get(&format!("{api}/files/{EICAR_SHA256}"), Some(PREMIUM))
        .await;
    assert!(r.body.len() > 4096);
    assert_eq!(r.json()["data"]["id"], EICAR_SHA256);

    // Routes without rules are untouched; /_emulator never faults.
    let r = http.get(&format!("{api}/comments"), Some(PREMIUM)).await;
    assert_eq!(r.status, StatusCode::OK);
    let s = emu.stats();
    for name in [
        "drop",
        "too-many-requests",
        "truncated-json",
        "malformed-json",
        "latency",
        "slow-body",
    ] {
        assert_eq!(s.fault_count(name), 1, "{name}");
    }
    assert_eq!(
        s.request_log
            .iter()
            .find(|e| e.fault.as_deref() == Some("drop"))
            .unwrap()
            .status,
        0
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let latency = Duration::from_millis(150);
    let emu = Emulator::builder()
        .small_dataset()
        .latency(latency)
        .start()
        .await
        .unwrap();
    let http = Http::new();
    let sha = &emu.dataset().files()[1].sha256;
    for url in [
        format!("{}/files/{sha}", emu.api_url()),
        format!("{}/no/such/route", emu.api_url()),
    ] {
        let started = Instant::now();
        let r = http.get(&url, Some(PREMIUM)).await;
        assert!(started.elapsed() >= latency, "{url} answered early");
        assert!(r.status.is_success() || r.status.is_client_error());
    }
    emu.shutdown().await;
}
