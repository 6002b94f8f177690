//! `POST /_emulator/monitor/rescan`: new Monitor detections at the emulator's clock.

mod common;

use common::{Http, full};
use http::{Method, StatusCode};
use serde_json::Value;
use vt_emulator::{ClockMode, DEFAULT_PREMIUM_KEY as PREMIUM, Emulator, FILE_ENGINES};

const T0: u64 = 1_750_000_000;

#[tokio::test]
async fn a_rescan_adds_detections_dated_by_the_clock_and_tags_the_change() {
    let emu = Emulator::builder()
        .small_dataset()
        .clock(ClockMode::Manual(T0))
        .start()
        .await
        .unwrap();
    let http = Http::new();
    let post = |query: &str| {
        let url = format!("{}/_emulator/monitor/rescan{query}", emu.base_url());
        let http = &http;
        async move {
            http.send(Method::POST, &url, None, &[], full(Vec::new()))
                .await
        }
    };
    let clean = "/docs/readme.txt";
    emu.clock().advance(std::time::Duration::from_secs(3600));
    // A clean file flagged by engines 4 and 9: new detections, dated now.
    let r = post(&format!("?path={clean}&engines=4,9")).await;
    assert_eq!(r.status, StatusCode::OK);
    let item = &r.json()["data"][0];
    let a = &item["attributes"];
    assert_eq!(a["last_analysis_date"], T0 + 3600);
    assert_eq!(a["last_detections_count"], 2);
    let tags: Vec<&str> = a["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(&tags[..2], ["detected", "new-detections"]);
    assert!(tags.contains(&FILE_ENGINES[4].0) && tags.contains(&FILE_ENGINES[9].0));
    // The API shows it: listed under tag:new-detections, with a new analysis first.
    let id = item["id"].as_str().unwrap().to_owned();
    let list = http
        .get(
            &format!(
                "{}/monitor/items?filter=tag:new-detections&limit=40",
                emu.api_url()
            ),
            Some(PREMIUM),
        )
        .await;
    assert!(
        list.json()["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == id.as_str())
    );
    let enc =
        percent_encoding::utf8_percent_encode(&id, percent_encoding::NON_ALPHANUMERIC).to_string();
    let analyses = http
        .get(
            &format!("{}/monitor/items/{enc}/analyses", emu.api_url()),
            Some(PREMIUM),
        )
        .await;
    assert_eq!(analyses.json()["data"][0]["attributes"]["date"], T0 + 3600);
    // Without engines: one more engine than before (increasing), on every file.
    let r = post("").await;
    let items = r.json()["data"].as_array().unwrap().clone();
    assert!(items.len() >= 6, "every file is rescanned");
    let again: &Value = items.iter().find(|i| i["id"] == id.as_str()).unwrap();
    assert_eq!(again["attributes"]["last_detections_count"], 3);
    assert!(
        again["attributes"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "increasing-detections")
    );
    // Bad requests are refused and change nothing.
    assert_eq!(post("?path=/nope").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        post("?path=/releases/").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        post(&format!("?path={clean}&engines=x")).await.status,
        StatusCode::BAD_REQUEST
    );
    // The Rust handle does the same.
    let items = emu.rescan_monitor(Some(clean), Some(&[])).unwrap();
    assert!(
        items[0]["attributes"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "solved-detections")
    );
    emu.shutdown().await;
}
