//! Issue 7, item 1, small CI variant of `cargo xtask reliability`: the same scenarios with
//! small counts, against the in-process emulator. Every scenario checks: every input ends
//! with exactly one valid JSON line in the `--output` file (zero lost, zero duplicated), and
//! the emulator's request log shows what was (not) sent.

mod common;

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

use common::{DEFAULT_PUBLIC_KEY, Emu, run, with_faults};
use serde_json::Value;
use vt_emulator::QuotaLimits;

/// `n` distinct inputs: the dataset's files, then unknown hashes.
fn inputs(emu: &Emu, n: usize) -> Vec<String> {
    let mut v: Vec<String> = emu
        .handle
        .dataset()
        .files()
        .iter()
        .take(n)
        .map(|f| f.sha256.clone())
        .collect();
    let mut i = 0u64;
    while v.len() < n {
        i += 1;
        v.push(format!("{:064x}", 0xbeef_0000_0000u64 + i));
    }
    v
}

/// The `--output` file's records by input; panics on an invalid line.
fn records(path: &std::path::Path) -> Vec<(String, Value)> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("invalid JSON line ({e}): {l:?}"));
            let input = v["input"].as_str().expect("an input field").to_owned();
            (input, v["data"].clone())
        })
        .collect()
}

/// Every input exactly once; per-item errors only `NotFoundError`.
fn assert_complete(path: &std::path::Path, want: &[String]) {
    let recs = records(path);
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (input, data) in &recs {
        *seen.entry(input.as_str()).or_default() += 1;
        if let Some(code) = data["error"]["code"].as_str() {
            assert_eq!(code, "NotFoundError", "{input}: {data}");
        } else {
            assert_eq!(data["type"], "file", "{input}: {data}");
        }
    }
    let dups: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(dups.is_empty(), "duplicated: {dups:?}");
    let lost: Vec<_> = want
        .iter()
        .filter(|w| !seen.contains_key(w.as_str()))
        .collect();
    assert!(lost.is_empty(), "lost {} inputs: {lost:?}", lost.len());
    assert_eq!(recs.len(), want.len());
}

#[test]
fn lookups_under_503_drops_and_slow_answers_lose_nothing() {
    let emu = with_faults(&[
        "transient=0.2@/api/v3/files",
        "drop=0.05@/api/v3/files",
        "latency:1500ms=0.05@/api/v3/files",
    ]);
    let want = inputs(&emu, 200);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.ndjson");
    // Up to 12 retries with exponential backoff behind 1 s timeouts: about 30 s alone, and
    // over the harness's usual 60 s once (2 cores, the other fault tests and a build beside
    // it), so this run gets 180 s before it counts as hung.
    let r = run(emu
        .vt()
        .timeout(Duration::from_secs(180))
        .args(["--concurrency", "32", "--timeout", "1", "--retries", "12"])
        .args(["file", "-", "--output"])
        .arg(&out)
        .write_stdin(want.join("\n")));
    assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
    assert_complete(&out, &want);
    let stats = emu.handle.stats();
    assert!(stats.fault_count("transient") > 0, "{:?}", stats.faults);
    assert!(stats.fault_count("drop") > 0, "{:?}", stats.faults);
}

#[test]
fn a_429_storm_finishes_within_the_configured_rate() {
    let emu = with_faults(&["too-many-requests=0.3@/api/v3/files"]);
    let want = inputs(&emu, 40);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.ndjson");
    let r = run(emu
        .vt()
        .args([
            "--rate-limit",
            "20/s",
            "--concurrency",
            "8",
            "--retries",
            "12",
        ])
        .args(["file", "-", "--output"])
        .arg(&out)
        .write_stdin(want.join("\n")));
    assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
    assert_complete(&out, &want);
    let times: Vec<u64> = emu.api_requests().iter().map(|r| r.at_us).collect();
    assert!(times.len() > want.len(), "some 429s were retried");
    // The limiter is a sliding log of one second at sending time; arrival adds jitter, so
    // count over 950 ms.
    let mut lo = 0;
    for hi in 0..times.len() {
        while times[hi] - times[lo] >= 950_000 {
            lo += 1;
        }
        assert!(hi - lo < 20, "{} requests within 950 ms", hi - lo + 1);
    }
}

#[test]
fn quota_wall_then_resume_next_day_never_asks_again_for_finished_inputs() {
    let emu = Emu::start(|cfg| {
        cfg.quotas.public = QuotaLimits {
            per_day: Some(20),
            ..QuotaLimits::UNLIMITED
        };
    });
    let want = inputs(&emu, 40);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.ndjson");
    let vt = || {
        let mut cmd = emu.vt();
        cmd.env("VT_API_KEY", DEFAULT_PUBLIC_KEY)
            .args([
                "--concurrency",
                "4",
                "--retries",
                "0",
                "file",
                "-",
                "--output",
            ])
            .arg(&out)
            .write_stdin(want.join("\n"));
        cmd
    };
    let r = run(&mut vt());
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("--resume"), "{}", r.stderr);
    let finished: HashSet<String> = records(&out).into_iter().map(|(i, _)| i).collect();
    assert!(
        !finished.is_empty() && finished.len() <= 20,
        "{}",
        finished.len()
    );
    let mut days = 0;
    loop {
        days += 1;
        emu.handle.reset_stats();
        emu.handle.clock().advance(Duration::from_secs(86_400));
        let r = run(vt().arg("--resume"));
        let again: Vec<_> = emu
            .api_requests()
            .into_iter()
            .filter(|r| {
                r.path
                    .rsplit('/')
                    .next()
                    .is_some_and(|id| finished.contains(id))
            })
            .map(|r| r.path)
            .collect();
        assert!(again.is_empty(), "asked again: {again:?}");
        if r.code != 4 {
            assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
            break;
        }
        assert!(days < 3, "still not finished after {days} days");
    }
    assert_complete(&out, &want);
}

#[test]
fn sigkill_three_times_then_resume_keeps_every_input_once() {
    let emu = with_faults(&["latency:100ms=1.0@/api/v3/files"]);
    let want = inputs(&emu, 60);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.ndjson");
    let start = || {
        let mut cmd = emu.process();
        cmd.env("VT_NO_CACHE", "1")
            .args(["--concurrency", "2", "file", "-", "--resume", "--output"])
            .arg(&out)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(want.join("\n").as_bytes())
            .unwrap();
        child
    };
    let mut killed = 0;
    for ms in [400, 650, 900] {
        let mut child = start();
        std::thread::sleep(Duration::from_millis(ms));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed += 1;
        }
        child.wait().unwrap();
        // Whatever the kill left, every complete line is valid JSON (a torn last line is
        // allowed: the next --resume cuts it).
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        let complete = text.rsplit_once('\n').map_or("", |(head, _)| head);
        for l in complete.lines() {
            serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("{e}: {l:?}"));
        }
    }
    assert!(killed > 0, "no run was killed mid-batch");
    let mut last = start();
    assert!(
        last.wait()
            .unwrap()
            .code()
            .is_some_and(|c| c == 0 || c == 1)
    );
    assert_complete(&out, &want);
}

#[test]
fn a_dropped_upload_is_a_clear_error_and_not_sent_again() {
    let emu = with_faults(&["drop=1.0@/api/v3/files"]);
    let dir = tempfile::tempdir().unwrap();
    let sample = dir.path().join("up.bin");
    std::fs::write(&sample, vec![7u8; 300_000]).unwrap();
    let r = run(emu
        .vt()
        .args(["--retries", "3", "scan", "file"])
        .arg(&sample));
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("up.bin"), "names the file: {}", r.stderr);
    let posts = emu
        .api_requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1, "the upload was sent {posts} times");
}

#[test]
fn a_dropped_download_leaves_no_file() {
    let emu = with_faults(&["drop=1.0@/api/v3/files"]);
    let dir = tempfile::tempdir().unwrap();
    let r = run(emu
        .vt()
        .args(["--retries", "1", "download", &emu.eicar(), "-o"])
        .arg(dir.path()));
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(common::files_below(dir.path()).is_empty());
}

#[test]
fn a_download_cut_mid_body_is_a_clear_error_and_leaves_no_file() {
    let emu = with_faults(&["cut-body=1.0@/_download"]);
    let dir = tempfile::tempdir().unwrap();
    let r = run(emu
        .vt()
        .args(["--retries", "1", "download", &emu.eicar(), "-o"])
        .arg(dir.path()));
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&emu.eicar()),
        "names the hash: {}",
        r.stderr
    );
    assert!(common::files_below(dir.path()).is_empty());
    assert!(emu.handle.stats().fault_count("cut-body") >= 1);
}
