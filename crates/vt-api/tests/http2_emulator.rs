//! HTTP/2 with prior knowledge (`ClientBuilder::http2_prior_knowledge`) against the emulator,
//! which serves HTTP/1.1 and h2c on one port: many requests in flight share one connection.

use std::time::Duration;

use futures_util::future::join_all;
use vt_api::Client;
use vt_api::transport::RateLimitSpec;
use vt_emulator::{DEFAULT_PREMIUM_KEY as PREMIUM, Emulator, EmulatorHandle};
use vt_model::FileHash;

async fn emulator() -> EmulatorHandle {
    Emulator::builder()
        .seed(13)
        .small_dataset()
        .latency(Duration::from_millis(50))
        .start()
        .await
        .unwrap()
}

fn client(emu: &EmulatorHandle, http2: bool) -> Client {
    Client::builder()
        .api_key(PREMIUM)
        .base_url(emu.base_url())
        .rate_limit(RateLimitSpec::none())
        .concurrency(64)
        .http2_prior_knowledge(http2)
        .build()
        .unwrap()
}

/// 64 lookups at once, every answer 50 ms late: (answers that were reports, connections the
/// emulator accepted meanwhile).
async fn wave(emu: &EmulatorHandle, client: &Client) -> (usize, u64) {
    let hashes: Vec<FileHash> = emu
        .dataset()
        .files()
        .iter()
        .cycle()
        .take(64)
        .map(|f| f.sha256.parse().unwrap())
        .collect();
    let before = emu.stats().connections;
    let answers = join_all(
        hashes
            .iter()
            .map(|h| async move { client.files().report_json(h).await }),
    )
    .await;
    let reports = answers
        .iter()
        .filter(|a| a.as_ref().is_ok_and(|raw| raw.get().contains("\"type\"")))
        .count();
    (reports, emu.stats().connections - before)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_prior_knowledge_carries_many_requests_over_one_connection() {
    let emu = emulator().await;
    let (reports, opened) = wave(&emu, &client(&emu, true)).await;
    assert_eq!(reports, 64, "every lookup answered over HTTP/2");
    // One connection (at most a second one when the machine is loaded, as seen once in
    // crates/vt-cli/tests/link.rs): HTTP/1.1 opens one per request in flight.
    assert!(
        (1..=2).contains(&opened),
        "{opened} connections for 64 requests in flight over HTTP/2"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http1_clients_still_get_one_connection_per_request_in_flight() {
    let emu = emulator().await;
    let (reports, opened) = wave(&emu, &client(&emu, false)).await;
    assert_eq!(reports, 64);
    // HTTP/1.1 has no multiplexing: many connections, on the same port as HTTP/2.
    assert!(opened > 8, "{opened} connections for 64 requests in flight");
}
