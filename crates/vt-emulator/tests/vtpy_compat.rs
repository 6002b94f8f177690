//! The official Python client, vt-py, works unchanged against the emulator.
//!
//! Runs `tests/vtpy/compat.py`. When `python3 -c "import vt"` fails the test is skipped with
//! a message, unless `VT_REQUIRE_VTPY=1` (CI sets it after `pip install vt-py`).

use std::process::Command;

use vt_emulator::{AnalysisTiming, DEFAULT_PREMIUM_KEY, Emulator};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vt_py_works_against_the_emulator() {
    let has_vtpy = Command::new("python3")
        .args(["-c", "import vt"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_vtpy {
        if std::env::var("VT_REQUIRE_VTPY").is_ok_and(|v| v == "1") {
            panic!("VT_REQUIRE_VTPY=1 but `python3 -c \"import vt\"` fails: pip install vt-py");
        }
        eprintln!(
            "skipping: vt-py is not installed (pip install vt-py; set VT_REQUIRE_VTPY=1 to make this fatal)"
        );
        return;
    }
    let emu = Emulator::builder()
        .small_dataset()
        .analysis(AnalysisTiming::IMMEDIATE)
        .start()
        .await
        .unwrap();
    let file = emu.dataset().files()[1].clone();
    let sandboxed = emu
        .dataset()
        .files()
        .iter()
        .find(|f| f.relationship_len("behaviours") > 0)
        .unwrap()
        .sha256
        .clone();
    let script = format!("{}/tests/vtpy/compat.py", env!("CARGO_MANIFEST_DIR"));
    let args = [
        script,
        emu.base_url().to_owned(),
        DEFAULT_PREMIUM_KEY.to_owned(),
        file.sha256.clone(),
        file.relationship_len("contacted_domains").to_string(),
        sandboxed,
        // compat.py runs the Livehunt checks only when this emulator runs YARA.
        if cfg!(feature = "yara") {
            "yara"
        } else {
            "no-yara"
        }
        .to_owned(),
    ];
    let out = tokio::task::spawn_blocking(move || Command::new("python3").args(&args).output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "compat.py failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("ALL OK"), "{stdout}");
    // Nothing vt-py did leaked the key into the log, not even `/users/{key}`.
    let stats = emu.stats();
    assert!(
        stats
            .request_log
            .iter()
            .all(|e| !e.path.contains(DEFAULT_PREMIUM_KEY))
    );
    assert!(
        stats
            .request_log
            .iter()
            .any(|e| e.path == "/api/v3/users/REDACTED")
    );
    assert!(stats.count("POST /_upload/{token}", 200) >= 1);
    emu.shutdown().await;
}
