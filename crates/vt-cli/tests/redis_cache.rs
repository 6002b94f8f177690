//! Issue 13, section 2 (optional part): the report cache in Redis (`--cache redis://...`),
//! shared by every `vt` on one key, through the real binary against the emulator (whose
//! request log tells what was sent) and a real `redis-server` (skipped when it is not
//! installed, fatal with `VT_REQUIRE_REDIS=1`).

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::process::Stdio;

use common::{Emu, Run, run};
use serde_json::Value;
use vt_test_support::RedisServer;

/// A real `redis-server` and an emulator, or `None` (the test skips) without Redis.
fn redis_and_emulator() -> Option<(RedisServer, Emu)> {
    let server = RedisServer::start()?;
    Some((server, Emu::start(|_| {})))
}

/// `vt cache stats --format json` of `key`'s entries in the Redis at `url`.
fn cache_stats(emu: &Emu, key: &str, url: &str) -> Value {
    let stats = vt(emu, key, url, &["cache", "stats", "--format", "json"]);
    serde_json::from_str(&stats.stdout).unwrap()
}

/// `vt --cache URL ARGS` against the emulator, with the key `key`.
fn vt(emu: &Emu, key: &str, url: &str, args: &[&str]) -> Run {
    let mut cmd = emu.vt_with_key(key);
    cmd.args(["--cache", url]).args(args);
    run(&mut cmd)
}

#[test]
fn a_second_process_sends_nothing_for_what_the_first_looked_up_and_prints_the_same_bytes() {
    let Some((server, emu)) = redis_and_emulator() else {
        return;
    };
    let hashes = common::known_files_then_unknown(&emu, 5);
    for format in ["json", "ndjson", "csv"] {
        let before = emu.api_requests().len();
        let first = vt(
            &emu,
            common::KEY,
            &server.url(),
            &common::file_args(format, &hashes),
        );
        let asked = emu.api_requests().len() - before;
        let second = vt(
            &emu,
            common::KEY,
            &server.url(),
            &common::file_args(format, &hashes),
        );
        assert_eq!(
            emu.api_requests().len() - before,
            asked,
            "{format}: the second process sent requests"
        );
        assert_eq!(first.code, 1, "one input is unknown: {}", first.stderr);
        assert_eq!(second.code, first.code);
        assert_eq!(second.stdout, first.stdout, "{format}: output differs");
        assert_eq!(second.stderr, first.stderr);
    }
    // json came first: 5 reports and 1 not-found asked once, then answered from Redis.
    assert_eq!(emu.api_requests().len(), 6);
    // Redis, not the local file, answered.
    assert!(
        common::files_below(emu.home())
            .iter()
            .all(|p| !p.to_string_lossy().contains("cache.sqlite3")),
        "a local cache file was made"
    );
}

#[test]
fn another_key_does_not_see_this_keys_entries() {
    let Some((server, emu)) = redis_and_emulator() else {
        return;
    };
    let other_key = vt_emulator::DEFAULT_PUBLIC_KEY;
    let hashes = common::known_files_then_unknown(&emu, 2);
    let args = common::file_args("json", &hashes);
    let mine = vt(&emu, common::KEY, &server.url(), &args);
    assert_eq!(emu.api_requests().len(), 3);
    let theirs = vt(
        &emu,
        other_key,
        &server.url(),
        &[
            "--rate-limit",
            "none",
            "--format",
            "json",
            "file",
            &hashes[0],
        ],
    );
    assert_eq!(theirs.code, 0, "{}", theirs.stderr);
    assert_eq!(
        emu.api_requests().len(),
        4,
        "the other key was answered from Redis"
    );
    let again = vt(&emu, common::KEY, &server.url(), &args);
    assert_eq!(again.stdout, mine.stdout);
    assert_eq!(emu.api_requests().len(), 4);
}

#[test]
fn cache_stats_clear_path_and_prune_work_on_this_keys_entries_in_redis() {
    let Some((server, emu)) = redis_and_emulator() else {
        return;
    };
    let url = server.url();
    let hashes = common::known_files_then_unknown(&emu, 3);
    vt(&emu, common::KEY, &url, &common::file_args("json", &hashes));
    // Another key's entry, which clear must leave.
    vt(
        &emu,
        vt_emulator::DEFAULT_PUBLIC_KEY,
        &url,
        &["--rate-limit", "none", "file", &hashes[0]],
    );

    let stats = vt(
        &emu,
        common::KEY,
        &url,
        &["cache", "stats", "--format", "json"],
    );
    assert_eq!(stats.code, 0, "{}", stats.stderr);
    let v: Value = serde_json::from_str(&stats.stdout).unwrap();
    assert_eq!(v["attributes"]["entries"], 4, "{v}");
    assert_eq!(v["attributes"]["not_found_entries"], 1, "{v}");
    assert!(v["attributes"]["bytes"].as_u64().unwrap() > 0);
    assert!(
        v["attributes"]["key_prefix"]
            .as_str()
            .unwrap()
            .starts_with("vt:cache:{")
    );
    assert!(!stats.stdout.contains(common::KEY));

    let path = vt(&emu, common::KEY, &url, &["cache", "path"]);
    assert_eq!(path.stdout.trim(), url);
    let hidden = vt(
        &emu,
        common::KEY,
        "redis://:hunter2@10.0.0.5:6380/3",
        &["cache", "path"],
    );
    assert_eq!(hidden.stdout.trim(), "redis://:***@10.0.0.5:6380/3");

    let prune = vt(&emu, common::KEY, &url, &["cache", "prune"]);
    assert_eq!(prune.code, 0);
    assert!(
        prune.stderr.contains("expires cache entries by itself"),
        "{}",
        prune.stderr
    );

    let clear = vt(&emu, common::KEY, &url, &["cache", "clear"]);
    assert_eq!(clear.code, 0, "{}", clear.stderr);
    assert!(
        clear.stderr.contains("removed 4 entries"),
        "{}",
        clear.stderr
    );
    let v = cache_stats(&emu, common::KEY, &url);
    assert_eq!(v["attributes"]["entries"], 0);
    let v = cache_stats(&emu, vt_emulator::DEFAULT_PUBLIC_KEY, &url);
    assert_eq!(
        v["attributes"]["entries"], 1,
        "clear removed another key's entry"
    );
}

#[test]
fn redis_killed_mid_run_the_run_completes_without_the_cache_with_one_warning() {
    let Some((mut server, emu)) = redis_and_emulator() else {
        return;
    };
    let files = emu.handle.dataset().files();
    let hashes: Vec<String> = (0..120)
        .map(|i| match files.get(i) {
            Some(f) => f.sha256.clone(),
            None => format!("{:064x}", 0xcace_0000_0000u64 + i as u64),
        })
        .collect();
    let unknown = hashes.iter().skip(files.len()).count();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.ndjson");
    let mut child = emu
        .process()
        .args(["--cache", &server.url(), "--rate-limit", "40/s"])
        .args(["file", "-", "--output"])
        .arg(&out)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut stdin = child.stdin.take().unwrap();
        for h in &hashes {
            writeln!(stdin, "{h}").unwrap();
        }
    }
    common::wait_until("20 requests", || emu.api_requests().len() >= 20);
    server.kill();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let want = if unknown > 0 { 1 } else { 0 };
    assert_eq!(output.status.code(), Some(want), "{stderr}");
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("Redis cache"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(warnings[0].contains("going on without it"), "{stderr}");
    // Every input exactly once in --output, each the emulator's answer.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for line in common::ndjson_lines(&out) {
        if let Some(code) = line["data"]["error"]["code"].as_str() {
            assert_eq!(code, "NotFoundError", "{line}");
        }
        let id = line["input"].as_str().unwrap_or_default().to_owned();
        *seen.entry(id).or_default() += 1;
    }
    for h in &hashes {
        assert_eq!(seen.get(h), Some(&1), "{h} in {seen:?}");
    }
    assert_eq!(
        emu.api_requests().len(),
        hashes.len(),
        "each input asked once"
    );
}

#[test]
fn an_unreachable_cache_redis_at_start_is_one_line_and_exit_5_before_any_request() {
    let emu = Emu::start(|_| {});
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = vt(
        &emu,
        common::KEY,
        &format!("redis://:hunter2@127.0.0.1:{port}/0"),
        &["file", &emu.eicar()],
    );
    common::assert_refused_as_unreachable(&emu, &r, port);
}

#[test]
fn config_show_names_the_cache_url_and_its_source_without_the_password() {
    common::config_show_hides_the_password(&Emu::start(|_| {}), "VT_CACHE", "cache_url");
}

#[test]
fn the_config_key_cache_takes_a_redis_url() {
    let Some((server, emu)) = redis_and_emulator() else {
        return;
    };
    let config = emu.home().join("vt.toml");
    std::fs::write(&config, format!("cache = \"{}\"\n", server.url())).unwrap();
    let hashes = common::known_files_then_unknown(&emu, 1);
    let mut args = vec!["--config", config.to_str().unwrap()];
    args.extend(common::file_args("json", &hashes));
    let first = run(emu.vt().args(&args));
    let second = run(emu.vt().args(&args));
    assert_eq!(second.stdout, first.stdout);
    assert_eq!(emu.api_requests().len(), 2);
    let show = run(emu.vt().args([
        "--config",
        config.to_str().unwrap(),
        "config",
        "show",
        "--format",
        "json",
    ]));
    let v: Value = serde_json::from_str(&show.stdout).unwrap();
    assert_eq!(v["attributes"]["cache_url"]["source"], "config file", "{v}");
}

#[test]
fn private_scanning_is_never_put_in_the_shared_store() {
    let Some((server, emu)) = redis_and_emulator() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sample = dir.path().join("sample.bin");
    std::fs::write(&sample, b"a private sample").unwrap();
    let sample = sample.to_str().unwrap();
    let args = [
        "scan",
        "file",
        "--private",
        sample,
        "--wait",
        "--format",
        "json",
    ];
    let first = vt(&emu, common::KEY, &server.url(), &args);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let private_requests = || {
        emu.api_requests()
            .iter()
            .filter(|r| r.path.contains("/private/"))
            .count()
    };
    let asked = private_requests();
    assert!(asked > 0);
    let second = vt(&emu, common::KEY, &server.url(), &args);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        private_requests() >= 2 * asked,
        "the second private scan was answered from Redis"
    );
    let v = cache_stats(&emu, common::KEY, &server.url());
    assert_eq!(v["attributes"]["entries"], 0, "{v}");
}

#[test]
fn rediss_keeps_the_cache_over_tls() {
    let Some(server) = RedisServer::start_tls() else {
        return;
    };
    let emu = Emu::start(|_| {});
    let hashes = common::known_files_then_unknown(&emu, 2);
    let tls = |trust: bool| {
        let mut cmd = emu.vt();
        if trust {
            cmd.env("SSL_CERT_FILE", server.ca_file());
        }
        cmd.args(["--cache", &server.url()])
            .args(common::file_args("json", &hashes));
        run(&mut cmd)
    };
    let first = tls(true);
    assert_eq!(first.code, 1, "one input is unknown: {}", first.stderr);
    let second = tls(true);
    assert_eq!(second.stdout, first.stdout);
    assert_eq!(
        emu.api_requests().len(),
        3,
        "the second run was not answered over TLS"
    );
    // A server whose certificate is not trusted is unreachable: exit 5, nothing sent.
    let untrusted = tls(false);
    assert_eq!(untrusted.code, 5, "{}", untrusted.stderr);
    assert_eq!(
        untrusted.stderr.trim().lines().count(),
        1,
        "{}",
        untrusted.stderr
    );
    assert_eq!(emu.api_requests().len(), 3);
}

#[test]
fn the_quota_planner_counts_what_the_fleets_cache_would_answer() {
    let Some((server, emu)) = redis_and_emulator() else {
        return;
    };
    let hashes = common::known_files_then_unknown(&emu, 4);
    // One member looks up two hashes; another plans the whole list.
    vt(
        &emu,
        common::KEY,
        &server.url(),
        &common::file_args("json", &hashes[..2]),
    );
    let input = emu.home().join("inputs.txt");
    std::fs::write(&input, hashes.join("\n") + "\n").unwrap();
    let before = emu.api_requests().len();
    let r = vt(
        &emu,
        common::KEY,
        &server.url(),
        &[
            "--format",
            "json",
            "quota",
            "plan",
            "--input",
            input.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let p = &v["attributes"];
    assert_eq!(
        (&p["items"], &p["cached"]),
        (&Value::from(5), &Value::from(2)),
        "{p}"
    );
    assert_eq!(p["requests"], 3, "{p}");
    assert!(
        emu.api_requests()[before..]
            .iter()
            .all(|r| r.path.ends_with("/overall_quotas")),
        "the plan looked something up"
    );
}

#[test]
fn the_key_typed_as_a_hash_never_reaches_redis() {
    let Some((server, emu)) = redis_and_emulator() else {
        return;
    };
    // The premium key is 64 hex digits: a well-formed SHA-256, sent, never stored.
    for _ in 0..2 {
        vt(
            &emu,
            common::KEY,
            &server.url(),
            &["--format", "json", "file", common::KEY],
        );
    }
    assert_eq!(
        emu.api_requests().len(),
        2,
        "the second lookup came from Redis"
    );
    let v = cache_stats(&emu, common::KEY, &server.url());
    assert_eq!(v["attributes"]["entries"], 0, "{v}");
}
