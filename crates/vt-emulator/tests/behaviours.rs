//! Sandbox behaviour reports: listed as the `behaviours` relationship, fetched by sandbox id,
//! merged into a summary and MITRE trees, with their artefacts; built from what the dataset
//! says about the file, and deterministic from the seed.

mod common;

use common::{Http, small_emulator};
use http::StatusCode;
use serde_json::Value;
use vt_emulator::{
    DEFAULT_PREMIUM_KEY as PREMIUM, DEFAULT_PUBLIC_KEY as PUBLIC, Emulator, EmulatorHandle,
    FileInfo,
};

/// A detected file with behaviour reports and contacted domains.
fn sandboxed(emu: &EmulatorHandle) -> FileInfo {
    emu.dataset()
        .files()
        .iter()
        .find(|f| {
            f.relationship_len("behaviours") > 0
                && f.relationship_len("contacted_domains") > 0
                && f.malicious > 0
        })
        .expect("the small dataset has a detected, sandboxed file")
        .clone()
}

fn enc(id: &str) -> String {
    id.replace(' ', "%20")
}

#[tokio::test]
async fn reports_tell_what_the_dataset_says_about_the_file() {
    let emu = small_emulator(42).await;
    let http = Http::new();
    let f = sandboxed(&emu);
    let api = emu.api_url();
    let list = http
        .get(&format!("{api}/files/{}/behaviours", f.md5), Some(PREMIUM))
        .await
        .json();
    let reports = list["data"].as_array().unwrap().clone();
    assert_eq!(reports.len(), f.relationship_len("behaviours"));
    let contacted: Vec<String> = http
        .get(
            &format!(
                "{api}/files/{}/relationships/contacted_domains?limit=40",
                f.sha256
            ),
            Some(PREMIUM),
        )
        .await
        .json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    for report in &reports {
        let a = &report["attributes"];
        let sandbox = a["sandbox_name"].as_str().unwrap();
        assert_eq!(report["type"], "file_behaviour");
        assert_eq!(report["id"], format!("{}_{sandbox}", f.sha256));
        assert!(a["analysis_date"].as_u64().unwrap() > 1_600_000_000);
        assert!(
            a["verdicts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v == "MALWARE")
        );
        assert!(!a["processes_tree"].as_array().unwrap().is_empty());
        assert!(!a["mitre_attack_techniques"].as_array().unwrap().is_empty());
        let looked_up: Vec<&str> = a["dns_lookups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["hostname"].as_str().unwrap())
            .collect();
        assert!(!looked_up.is_empty());
        assert!(
            looked_up.iter().all(|h| contacted.iter().any(|c| c == h)),
            "{looked_up:?} not among {contacted:?}"
        );
        // The report alone, by its sandbox id.
        let one = http
            .get(
                &format!(
                    "{api}/file_behaviours/{}",
                    enc(report["id"].as_str().unwrap())
                ),
                Some(PREMIUM),
            )
            .await;
        assert_eq!(one.status, StatusCode::OK);
        assert_eq!(one.json()["data"], *report);
    }

    let summary = http
        .get(
            &format!("{api}/files/{}/behaviour_summary", f.sha256),
            Some(PREMIUM),
        )
        .await
        .json();
    let s = &summary["data"];
    assert!(s.get("sandbox_name").is_none() && s.get("analysis_date").is_none());
    let first_lookup = &reports[0]["attributes"]["dns_lookups"][0];
    assert!(s["dns_lookups"].as_array().unwrap().contains(first_lookup));
    assert!(
        s["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == "MALWARE")
    );

    let trees = http
        .get(
            &format!("{api}/files/{}/behaviour_mitre_trees", f.sha256),
            Some(PREMIUM),
        )
        .await
        .json();
    let trees = trees["data"].as_object().unwrap();
    assert_eq!(trees.len(), reports.len());
    for (sandbox, tree) in trees {
        let tactics = tree["tactics"].as_array().unwrap();
        assert!(!tactics.is_empty(), "{sandbox}");
        assert!(tactics[0]["id"].as_str().unwrap().starts_with("TA"));
        assert!(
            tactics[0]["techniques"][0]["id"]
                .as_str()
                .unwrap()
                .starts_with('T')
        );
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn artefacts_are_served_when_the_report_says_so() {
    let emu = small_emulator(42).await;
    let http = Http::new();
    let f = sandboxed(&emu);
    let api = emu.api_url();
    let list = http
        .get(
            &format!("{api}/files/{}/behaviours", f.sha256),
            Some(PREMIUM),
        )
        .await
        .json();
    let report = &list["data"][0];
    let id = enc(report["id"].as_str().unwrap());
    let a = &report["attributes"];
    assert_eq!(
        a["has_pcap"], true,
        "a file with contacted domains has a capture"
    );
    let pcap = http
        .get(&format!("{api}/file_behaviours/{id}/pcap"), Some(PREMIUM))
        .await;
    assert_eq!(pcap.status, StatusCode::OK);
    assert_eq!(&pcap.body[..4], &[0xd4, 0xc3, 0xb2, 0xa1], "libpcap magic");
    assert!(pcap.body.len() > 24, "packets after the global header");
    let public = http
        .get(&format!("{api}/file_behaviours/{id}/pcap"), Some(PUBLIC))
        .await;
    assert_eq!(public.status, StatusCode::FORBIDDEN);
    let html = http
        .get(&format!("{api}/file_behaviours/{id}/html"), Some(PREMIUM))
        .await;
    assert_eq!(html.status, StatusCode::OK);
    let text = String::from_utf8_lossy(&html.body);
    assert!(text.contains(a["sandbox_name"].as_str().unwrap()), "{text}");
    for (name, flag, magic) in [
        ("evtx", "has_evtx", &b"ElfFile\0"[..]),
        ("memdump", "has_memdump", &b"MDMP"[..]),
    ] {
        let r = http
            .get(&format!("{api}/file_behaviours/{id}/{name}"), Some(PREMIUM))
            .await;
        if a[flag] == true {
            assert_eq!(r.status, StatusCode::OK, "{name}");
            assert!(r.body.starts_with(magic), "{name}");
        } else {
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{name}");
        }
    }
    let r = http
        .get(
            &format!("{api}/file_behaviours/{}_Nobox", f.sha256),
            Some(PREMIUM),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error_code(), "NotFoundError");
    emu.shutdown().await;
}

#[tokio::test]
async fn files_that_no_sandbox_runs_have_empty_reports() {
    let emu = small_emulator(42).await;
    let http = Http::new();
    let eicar = emu.dataset().eicar().unwrap().sha256.clone();
    let api = emu.api_url();
    let list = http
        .get(&format!("{api}/files/{eicar}/behaviours"), Some(PREMIUM))
        .await
        .json();
    assert_eq!(list["data"], Value::Array(vec![]));
    let summary = http
        .get(
            &format!("{api}/files/{eicar}/behaviour_summary"),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(summary["data"]["dns_lookups"], Value::Array(vec![]));
    let missing = http
        .get(
            &format!("{api}/files/{}/behaviour_summary", "1".repeat(64)),
            Some(PREMIUM),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    emu.shutdown().await;
}

#[tokio::test]
async fn reports_are_deterministic_from_the_seed() {
    let (a, b) = (small_emulator(9).await, small_emulator(9).await);
    let http = Http::new();
    let f = sandboxed(&a);
    let get = |emu: &EmulatorHandle| format!("{}/files/{}/behaviours", emu.api_url(), f.sha256);
    let x = http.get(&get(&a), Some(PREMIUM)).await.json();
    let mut y = http.get(&get(&b), Some(PREMIUM)).await.json();
    // Links name the emulator's own address.
    let strip = |v: &mut Value| {
        for item in v["data"].as_array_mut().unwrap() {
            item.as_object_mut().unwrap().remove("links");
        }
        v.as_object_mut().unwrap().remove("links");
    };
    let mut x = x;
    strip(&mut x);
    strip(&mut y);
    assert_eq!(x, y);
    for emu in [a, b] {
        emu.shutdown().await;
    }
}

#[tokio::test]
async fn loaded_reports_join_their_files_behaviours() {
    let dir = tempfile::tempdir().unwrap();
    let sha = "ab".repeat(32);
    let file =
        serde_json::json!({"data": {"type": "file", "id": sha, "attributes": {"sha256": sha}}});
    let report = serde_json::json!({"data": {
        "type": "file_behaviour",
        "id": format!("{sha}_Real Sandbox"),
        "attributes": {"sandbox_name": "Real Sandbox", "dns_lookups": [{"hostname": "real.example"}]},
    }});
    std::fs::write(dir.path().join("file.json"), file.to_string()).unwrap();
    std::fs::write(dir.path().join("report.json"), report.to_string()).unwrap();
    let emu = Emulator::builder()
        .small_dataset()
        .load_dir(dir.path())
        .start()
        .await
        .unwrap();
    let http = Http::new();
    let api = emu.api_url();
    let list = http
        .get(&format!("{api}/files/{sha}/behaviours"), Some(PREMIUM))
        .await
        .json();
    assert_eq!(
        list["data"][0]["attributes"]["sandbox_name"],
        "Real Sandbox"
    );
    let summary = http
        .get(
            &format!("{api}/files/{sha}/behaviour_summary"),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(
        summary["data"]["dns_lookups"][0]["hostname"],
        "real.example"
    );
    let one = http
        .get(
            &format!("{api}/file_behaviours/{sha}_Real%20Sandbox"),
            Some(PREMIUM),
        )
        .await;
    assert_eq!(one.status, StatusCode::OK);
    emu.shutdown().await;
}
