//! Issue 16, points 1-3, 5 and 8: only final results reach `--output`, each error class
//! through `--output`/`--resume`, uploads never lost to Ctrl-C, SIGTERM handled like Ctrl-C,
//! and errors that say what is wrong.

mod common;

use std::time::Duration;

use common::{
    DEFAULT_PUBLIC_KEY, Emu, KEY, collect, ndjson_lines, run, signal, wait_until, with_faults,
};
use serde_json::Value;
use vt_emulator::{AnalysisTiming, QuotaLimits};

fn two_files(emu: &Emu) -> Vec<String> {
    emu.handle.dataset().files()[..2]
        .iter()
        .map(|f| f.sha256.clone())
        .collect()
}

/// Runs `vt file A B --output out` against `faulty` (expecting `exit` and a stderr naming
/// `says`), checks nothing was saved, then resumes against a healthy emulator with the same
/// dataset: both inputs are asked again and saved once.
fn not_saved_then_resumed(faulty: &Emu, key: &str, args: &[&str], exit: i32, says: &str) {
    let inputs = two_files(faulty);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.ndjson");
    let r = run(faulty
        .vt()
        .env("VT_API_KEY", key)
        .args(["--retries", "0", "--concurrency", "1"])
        .args(args)
        .args(["file", "--output"])
        .arg(&out)
        .args(&inputs));
    assert_eq!(r.code, exit, "{}", r.stderr);
    assert!(
        r.stderr.contains(says),
        "stderr names {says:?}: {}",
        r.stderr
    );
    assert!(r.stderr.contains("--resume"), "{}", r.stderr);
    assert_eq!(
        ndjson_lines(&out),
        Vec::<Value>::new(),
        "nothing final was saved"
    );

    let healthy = Emu::start(|_| {});
    let r = run(healthy
        .vt()
        .args(["file", "--resume", "--output"])
        .arg(&out)
        .args(&inputs));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let saved: Vec<String> = ndjson_lines(&out)
        .iter()
        .map(|l| l["data"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(saved, inputs);
    assert_eq!(healthy.api_requests().len(), 2, "both asked again");
}

#[test]
fn a_transient_503_is_not_saved_and_a_resume_asks_again() {
    let emu = with_faults(&["transient=1.0@/api/v3/files"]);
    not_saved_then_resumed(&emu, KEY, &[], 5, "TransientError");
}

#[test]
fn a_garbled_answer_is_not_saved_and_a_resume_asks_again() {
    let emu = with_faults(&["malformed-json=1.0@/api/v3/files"]);
    not_saved_then_resumed(&emu, KEY, &[], 5, "DecodeError");
}

#[test]
fn a_rate_refusal_is_exit_6_not_a_quota_stop_and_is_not_saved() {
    let emu = with_faults(&["too-many-requests=1.0@/api/v3/files"]);
    not_saved_then_resumed(&emu, KEY, &[], 6, "TooManyRequestsError");
    let emu = with_faults(&["too-many-requests=1.0@/api/v3/files"]);
    let r = run(emu.vt().args(["--retries", "0", "file", &emu.eicar()]));
    assert_eq!(r.code, 6, "{}", r.stderr);
    assert!(!r.stderr.contains("quota exhausted"), "{}", r.stderr);
    assert!(r.stderr.contains("rate"), "{}", r.stderr);
}

#[test]
fn a_refused_key_is_not_saved() {
    let emu = Emu::start(|_| {});
    not_saved_then_resumed(&emu, &"f".repeat(64), &[], 3, "WrongCredentialsError");
}

#[test]
fn a_spent_quota_is_not_saved() {
    let emu = Emu::start(|cfg| {
        cfg.quotas.public = QuotaLimits {
            per_day: Some(0),
            ..QuotaLimits::UNLIMITED
        };
    });
    not_saved_then_resumed(&emu, DEFAULT_PUBLIC_KEY, &[], 4, "QuotaExceededError");
}

#[test]
fn a_network_timeout_is_not_saved() {
    let emu = with_faults(&["latency:3000ms=1.0@/api/v3/files"]);
    not_saved_then_resumed(&emu, KEY, &["--timeout", "1"], 5, "network failure");
}

#[test]
fn a_dead_network_is_not_saved() {
    let emu = Emu::start(|_| {});
    let inputs = two_files(&emu);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.ndjson");
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = run(emu
        .vt()
        .env("VT_BASE_URL", format!("http://127.0.0.1:{port}"))
        .args(["--retries", "0", "file", "--output"])
        .arg(&out)
        .args(&inputs));
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert_eq!(ndjson_lines(&out), Vec::<Value>::new());
}

#[test]
fn a_not_found_answer_is_saved_and_never_asked_again() {
    let emu = Emu::start(|_| {});
    let unknown = "0".repeat(63) + "1";
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.ndjson");
    let r = run(emu.vt().args(["file", &unknown, "--output"]).arg(&out));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let saved = ndjson_lines(&out);
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0]["data"]["error"]["code"], "NotFoundError");
    emu.handle.reset_stats();
    let r = run(emu
        .vt()
        .args(["file", &unknown, "--resume", "--output"])
        .arg(&out));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(emu.api_requests().is_empty());
}

/// An emulator whose analyses stay queued (until `complete_after` of its clock, if given).
fn slow_analyses(complete_after: Option<Duration>) -> Emu {
    Emu::start(|cfg| {
        cfg.analysis = AnalysisTiming {
            polls_to_complete: u32::MAX,
            time_to_complete: complete_after,
        };
    })
}

/// Ctrl-C while `vt scan file [--private] A B --wait --output` waits: both uploads are
/// recorded and named; a resume (once the analyses are done) waits on the recorded ids
/// through the scan's own analyses endpoint and uploads nothing. Returns what the test needs
/// to go on: the emulator, the scratch directory and the two paths.
#[cfg(unix)]
fn ctrl_c_then_resume(private: bool) -> (Emu, tempfile::TempDir, [String; 2]) {
    // Analyses complete only after an hour of the emulator's clock.
    let emu = slow_analyses(Some(Duration::from_secs(3600)));
    let dir = tempfile::tempdir().unwrap();
    let paths = ["a.bin", "b.bin"].map(|n| dir.path().join(n).display().to_string());
    std::fs::write(&paths[0], b"first sample").unwrap();
    std::fs::write(&paths[1], b"second sample").unwrap();
    let out = dir.path().join("out.ndjson");
    let mut args = vec!["scan", "file", &paths[0], &paths[1], "--wait", "--output"];
    args.push(out.to_str().unwrap());
    if private {
        args.push("--private");
    }
    let child = emu.spawn(&args);
    wait_until("two pending records", || ndjson_lines(&out).len() == 2);
    signal(&child, "-INT");
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("2 still pending"), "{stderr}");
    let (kind, endpoint) = if private {
        ("private_analysis", "/api/v3/private/analyses/")
    } else {
        ("analysis", "/api/v3/analyses/")
    };
    for rec in ndjson_lines(&out) {
        assert_eq!(
            rec["pending"]["private"].as_bool().unwrap_or(false),
            private
        );
        let id = rec["pending"]["analysis"].as_str().expect("an analysis id");
        let named = format!("{} {id}", kind.replace('_', " "));
        assert!(stderr.contains(&named), "{named} is printed: {stderr}");
    }

    emu.handle.clock().advance(Duration::from_secs(7200));
    emu.handle.reset_stats();
    let r = run(emu.vt().args(&args).arg("--resume"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let requests = emu.api_requests();
    assert!(
        requests
            .iter()
            .all(|r| r.method == "GET" && r.path.starts_with(endpoint)),
        "the resume only waited, on {endpoint}: {requests:?}"
    );
    let done: Vec<Value> = ndjson_lines(&out)
        .into_iter()
        .filter(|l| l.get("data").is_some())
        .collect();
    assert_eq!(done.len(), 2);
    for rec in &done {
        assert_eq!(rec["data"]["type"], kind, "{rec}");
        assert_eq!(rec["data"]["attributes"]["status"], "completed", "{rec}");
    }
    (emu, dir, paths)
}

#[cfg(unix)]
#[test]
fn ctrl_c_while_waiting_keeps_the_uploads_and_a_resume_waits_instead_of_uploading() {
    ctrl_c_then_resume(false);
}

/// Ctrl-C while `vt ARGS` (a scan with `--wait`, no `--output`) waits: the pending analysis
/// is named with the command that waits on it.
#[cfg(unix)]
fn ctrl_c_without_output_names_the_pending_analysis(args: &[&str], command: &str) {
    let emu = slow_analyses(None);
    let child = emu.spawn(args);
    wait_until("the submission", || {
        emu.api_requests().iter().any(|r| r.method == "GET")
    });
    signal(&child, "-INT");
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("1 still pending"), "{stderr}");
    assert!(stderr.contains(command), "{stderr}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_without_output_prints_the_pending_analysis_ids() {
    let args = ["scan", "url", "https://example.com/pending", "--wait"];
    ctrl_c_without_output_names_the_pending_analysis(&args, "`vt analysis ID --wait`");
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_a_private_scan_keeps_the_uploads_and_a_resume_waits_on_them() {
    let (emu, dir, [a, _]) = ctrl_c_then_resume(true);
    // A public scan does not take a private record for its own: it uploads.
    let public_out = dir.path().join("public.ndjson");
    let record = serde_json::json!({"input": &a, "pending": {"analysis": "cDE=", "private": true}});
    std::fs::write(&public_out, format!("{record}\n")).unwrap();
    emu.handle.reset_stats();
    let r = run(emu
        .vt()
        .args(["scan", "file", &a, "--resume", "--output"])
        .arg(&public_out));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let requests = emu.api_requests();
    assert!(
        requests
            .iter()
            .any(|r| r.method == "POST" && r.path == "/api/v3/files"),
        "{requests:?}"
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_a_private_url_scan_names_the_private_analysis_to_wait_on() {
    let args = [
        "scan",
        "url",
        "--private",
        "https://example.com/p",
        "--wait",
    ];
    ctrl_c_without_output_names_the_pending_analysis(&args, "`vt private analysis ID --wait`");
}

#[cfg(unix)]
#[test]
fn sigterm_closes_the_json_array_keeps_results_and_exits_143() {
    let emu = Emu::start(|_| {});
    let files: Vec<String> = emu.handle.dataset().files()[..4]
        .iter()
        .map(|f| f.sha256.clone())
        .collect();
    let mut args = vec![
        "--format",
        "json",
        "--rate-limit",
        "1/min",
        "--concurrency",
        "1",
        "file",
    ];
    args.extend(files.iter().map(String::as_str));
    let mut child = emu.spawn(&args);
    let (seen, reader) = collect(child.stdout.take().unwrap());
    wait_until("the first result", || {
        String::from_utf8_lossy(&seen.lock().unwrap()).contains(&files[0])
    });
    signal(&child, "-TERM");
    let output = child.wait_with_output().unwrap();
    reader.join().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("terminated"), "{stderr}");
    assert!(stderr.contains("--resume"), "{stderr}");
    let text = String::from_utf8(seen.lock().unwrap().clone()).unwrap();
    let array: Vec<Value> = serde_json::from_str(&text).expect("a complete JSON array");
    assert_eq!(array.len(), 1);
}

#[test]
fn a_premium_endpoint_with_a_public_key_says_it_needs_a_premium_key() {
    let emu = Emu::start(|_| {});
    let public = |args: &[&str]| {
        run(emu
            .vt()
            .env("VT_API_KEY", DEFAULT_PUBLIC_KEY)
            .args(["--format", "json"])
            .args(args))
    };
    // Nothing on stdout before the error (no `[]`).
    let r = public(&["monitor", "items"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(r.stdout, "", "{}", r.stderr);
    assert!(r.stderr.contains("needs a premium key"), "{}", r.stderr);
    // No resume hint where there is no --output/--resume; not "refused".
    let r = public(&["download", &emu.eicar()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("premium key"), "{}", r.stderr);
    assert!(!r.stderr.contains("refused"), "{}", r.stderr);
    assert!(!r.stderr.contains("--resume"), "{}", r.stderr);
    // v2's bare 403: one clear line.
    let r = public(&["v2", "file-report", "--allinfo", &emu.eicar()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("premium key"), "{}", r.stderr);
    assert!(!r.stderr.contains("unexpected HTTP status"), "{}", r.stderr);
}

#[test]
fn v2_reports_run_through_the_batch_runner_with_output_and_resume() {
    let emu = Emu::start(|cfg| {
        cfg.quotas.public = QuotaLimits {
            per_day: Some(4),
            ..QuotaLimits::UNLIMITED
        };
    });
    let files: Vec<String> = emu.handle.dataset().files()[..6]
        .iter()
        .map(|f| f.md5.clone())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("v2.ndjson");
    let v2 = |resume: bool| {
        let mut cmd = emu.vt();
        cmd.env("VT_API_KEY", DEFAULT_PUBLIC_KEY)
            .args([
                "--retries",
                "0",
                "--concurrency",
                "1",
                "v2",
                "file-report",
                "--output",
            ])
            .arg(&out)
            .args(&files);
        if resume {
            cmd.arg("--resume");
        }
        run(&mut cmd)
    };
    // A public key: 4 resources a request; the day allows 4 lookups (a v2 batch costs one
    // per resource).
    let r = v2(false);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("--resume"), "{}", r.stderr);
    let first: Vec<String> = ndjson_lines(&out)
        .iter()
        .map(|l| l["input"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        first,
        files[..4],
        "the first request's four reports are kept"
    );
    emu.handle.clock().advance(Duration::from_secs(86_400));
    emu.handle.reset_stats();
    let r = v2(true);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let asked: Vec<String> = emu.api_requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert!(!asked[0].contains(&files[0]), "{asked:?}");
    let done: Vec<String> = ndjson_lines(&out)
        .iter()
        .map(|l| l["input"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(done, files);
}

#[cfg(unix)]
#[test]
fn sigterm_during_a_list_closes_the_json_array() {
    let emu = with_faults(&["latency:20000ms=1.0@/api/v3/monitor"]);
    let mut child = emu.spawn(&["--format", "json", "monitor", "items", "--all"]);
    let (seen, reader) = collect(child.stdout.take().unwrap());
    wait_until("the list request", || emu.handle.stats().requests_total > 0);
    std::thread::sleep(Duration::from_millis(300));
    signal(&child, "-TERM");
    let output = child.wait_with_output().unwrap();
    reader.join().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("terminated"), "{stderr}");
    let text = String::from_utf8(seen.lock().unwrap().clone()).unwrap();
    let items: Vec<Value> = serde_json::from_str(&text).expect("a closed JSON array");
    assert!(items.is_empty());
}
