//! Issue 13, section 2: several `vt` processes on one key sharing the rate limit through a
//! real `redis-server` (skipped when it is not installed, fatal with `VT_REQUIRE_REDIS=1`),
//! against an emulator that enforces the rate itself: zero 429s, the arrival log within the
//! rate, and every input exactly once in the `--output` files, Redis faults included.

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{Emu, run};
use serde_json::Value;
use vt_emulator::QuotaLimits;
use vt_test_support::RedisServer;

const RATE: u64 = 20;

/// An emulator whose premium key may make 20 requests a second; more are refused with 429.
fn emulator_at_20_per_second() -> Emu {
    Emu::start(|cfg| {
        cfg.quotas.premium = QuotaLimits {
            per_second: Some(RATE),
            ..QuotaLimits::UNLIMITED
        };
    })
}

/// `n` distinct inputs starting at `from`: the dataset's files, then unknown hashes.
fn inputs(emu: &Emu, from: usize, n: usize) -> Vec<String> {
    let files = emu.handle.dataset().files();
    (from..from + n)
        .map(|i| match files.get(i) {
            Some(f) => f.sha256.clone(),
            None => format!("{:064x}", 0xf1ee_0000_0000u64 + i as u64),
        })
        .collect()
}

/// Starts `vt file - --output OUT` over `inputs` in the fleet of `redis_url`, at 20/s, with no
/// retries (a 429 would be an item failure, exit 6).
fn spawn_member(
    emu: &Emu,
    redis_url: &str,
    inputs: &[String],
    out: &Path,
    extra: &[&str],
    resume: bool,
) -> Child {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("vt"));
    for (k, _) in std::env::vars() {
        if k.starts_with("VT_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("HOME", emu.home())
        .env("XDG_CONFIG_HOME", emu.home().join("config"))
        .env("VT_BASE_URL", emu.url())
        .env("VT_API_KEY", common::KEY)
        .env("VT_NO_CACHE", "1")
        .env("VT_FLEET", redis_url)
        .args([
            "--rate-limit",
            "20/s",
            "--retries",
            "0",
            "--concurrency",
            "4",
        ])
        .args(extra)
        .args(["file", "-", "--output"])
        .arg(out)
        .args(resume.then_some("--resume"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(inputs.join("\n").as_bytes())
        .unwrap();
    child
}

/// Waits for `child`; its exit code and stderr.
fn finish(child: Child) -> (i32, String) {
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every input of `want` exactly once in `out` (a report or `NotFoundError`), nothing else.
fn assert_complete(out: &Path, want: &[String]) {
    let text = std::fs::read_to_string(out).unwrap_or_default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        if let Some(code) = v["data"]["error"]["code"].as_str() {
            assert_eq!(code, "NotFoundError", "{line}");
        }
        *seen
            .entry(v["input"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let dups: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(dups.is_empty(), "{}: duplicated {dups:?}", out.display());
    let lost: Vec<_> = want.iter().filter(|w| !seen.contains_key(*w)).collect();
    assert!(lost.is_empty(), "{}: lost {lost:?}", out.display());
    assert_eq!(seen.len(), want.len());
}

/// No 429 at all, and never more than 20 arrivals within 950 ms (the client counts a second
/// at sending time; arrival adds a little jitter).
fn assert_within_rate(emu: &Emu) {
    let stats = emu.handle.stats();
    assert_eq!(stats.count_status(429), 0, "{:?}", stats.requests);
    let times: Vec<u64> = emu.api_requests().iter().map(|r| r.at_us).collect();
    let mut lo = 0;
    for hi in 0..times.len() {
        while times[hi] - times[lo] >= 950_000 {
            lo += 1;
        }
        assert!(
            hi - lo < RATE as usize,
            "{} requests within 950 ms",
            hi - lo + 1
        );
    }
}

fn outputs(dir: &Path, n: usize) -> Vec<PathBuf> {
    (0..n).map(|i| dir.join(format!("out{i}.ndjson"))).collect()
}

#[test]
fn four_processes_on_one_key_keep_the_fleet_rate_with_zero_429s() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let emu = emulator_at_20_per_second();
    let dir = tempfile::tempdir().unwrap();
    let outs = outputs(dir.path(), 4);
    let wants: Vec<Vec<String>> = (0..4).map(|i| inputs(&emu, i * 30, 30)).collect();
    let start = Instant::now();
    let members: Vec<Child> = (0..4)
        .map(|i| spawn_member(&emu, &redis.url(), &wants[i], &outs[i], &[], false))
        .collect();
    for (i, m) in members.into_iter().enumerate() {
        let (code, stderr) = finish(m);
        assert!(code == 0 || code == 1, "member {i}: exit {code}: {stderr}");
        assert_complete(&outs[i], &wants[i]);
    }
    // 120 requests at 20/s: the first 20 at once, the other 100 over five seconds at least.
    assert!(
        start.elapsed() >= Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(emu.api_requests().len(), 120);
    assert_within_rate(&emu);
}

#[test]
fn redis_killed_and_restarted_mid_batch_loses_and_duplicates_nothing_and_keeps_the_rate() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let emu = emulator_at_20_per_second();
    let dir = tempfile::tempdir().unwrap();
    let outs = outputs(dir.path(), 3);
    let wants: Vec<Vec<String>> = (0..3).map(|i| inputs(&emu, i * 40, 40)).collect();
    let members: Vec<Child> = (0..3)
        .map(|i| {
            spawn_member(
                &emu,
                &redis.url(),
                &wants[i],
                &outs[i],
                &["--timeout", "30"],
                false,
            )
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    redis.kill();
    let before = emu.api_requests().len();
    std::thread::sleep(Duration::from_millis(1500));
    // Nothing is admitted while Redis is away (a request admitted just before the kill may
    // still arrive).
    let during = emu.api_requests().len();
    assert!(
        during - before <= 12,
        "{} requests sent while Redis was down",
        during - before
    );
    assert!(during < 120, "the batch finished before Redis was killed");
    redis.restart();
    for (i, m) in members.into_iter().enumerate() {
        let (code, stderr) = finish(m);
        assert!(code == 0 || code == 1, "member {i}: exit {code}: {stderr}");
        assert_complete(&outs[i], &wants[i]);
    }
    assert_eq!(emu.api_requests().len(), 120);
    assert_within_rate(&emu);
}

#[test]
fn redis_away_longer_than_the_timeout_fails_the_waiting_items_and_resume_finishes() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let emu = emulator_at_20_per_second();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.ndjson");
    let want = inputs(&emu, 0, 60);
    let member = spawn_member(&emu, &redis.url(), &want, &out, &["--timeout", "1"], false);
    std::thread::sleep(Duration::from_millis(1200));
    redis.kill();
    let (code, stderr) = finish(member);
    assert_eq!(code, 5, "{stderr}");
    assert!(stderr.contains("--resume"), "{stderr}");
    assert!(stderr.contains("rate-limit store unreachable"), "{stderr}");
    let saved = std::fs::read_to_string(&out).unwrap().lines().count();
    assert!(saved > 0 && saved < 60, "{saved} saved");
    redis.restart();
    let member = spawn_member(&emu, &redis.url(), &want, &out, &[], true);
    let (code, stderr) = finish(member);
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    assert_complete(&out, &want);
    assert_within_rate(&emu);
}

#[test]
fn an_unreachable_fleet_redis_at_start_is_one_line_and_exit_5_before_any_request() {
    let emu = emulator_at_20_per_second();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = run(emu
        .vt()
        .args(["--fleet", &format!("redis://:hunter2@127.0.0.1:{port}/0")])
        .args(["file", &emu.eicar()]));
    common::assert_refused_as_unreachable(&emu, &r, port);
}

#[test]
fn config_show_names_the_fleet_and_its_source_without_the_password() {
    common::config_show_hides_the_password(&emulator_at_20_per_second(), "VT_FLEET", "fleet");
}

#[test]
fn a_fleet_over_tls_with_rediss() {
    let Some(server) = RedisServer::start_tls() else {
        return;
    };
    let emu = emulator_at_20_per_second();
    let member = |trust: bool| {
        let mut cmd = emu.vt();
        if trust {
            cmd.env("SSL_CERT_FILE", server.ca_file());
        }
        run(cmd
            .args(["--fleet", &server.url(), "--rate-limit", "20/s"])
            .args(["file", &emu.eicar()]))
    };
    let r = member(true);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(emu.api_requests().len(), 1);
    // An untrusted certificate: unreachable at start, exit 5, nothing sent.
    let r = member(false);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(r.stderr.contains("unreachable"), "{}", r.stderr);
    assert_eq!(emu.api_requests().len(), 1);
}
