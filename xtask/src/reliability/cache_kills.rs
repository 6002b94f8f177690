//! The report cache under SIGKILL: `vt` is killed at random points while it writes answers
//! to its SQLite cache; SQLite's `PRAGMA integrity_check` (through `vt cache check`) must
//! then say `ok`, the store must open without being moved aside, and a last run must finish
//! every input.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Result;

use super::harness::{Bins, Lcg, PREMIUM_KEY, Row, Server, inputs_of, last_line, run_vt, vt};

/// `vt` with the report cache at `cache` (the scenario's own file).
fn cached_vt(bins: &Bins, server: &Server, cache: &Path) -> Command {
    let mut cmd = vt(bins, server, PREMIUM_KEY);
    cmd.env_remove("VT_NO_CACHE")
        .arg("--cache-path")
        .arg(cache)
        .args(["--rate-limit", "none", "--concurrency", "8"]);
    cmd
}

pub(super) fn kills_during_cache_writes(bins: &Bins, work: &Path, kills: usize) -> Result<Row> {
    let started = Instant::now();
    let n = 200;
    let mut server = Server::start(
        bins,
        work,
        &[
            "--files",
            &n.to_string(),
            "--fault",
            "latency:20ms=1.0@/api/v3/files",
        ],
    )?;
    let inputs = inputs_of(&server.ids, n);
    let text = inputs.join("\n");
    let cache = work.join("cache").join("cache.sqlite3");
    let out = work.join("cache-kills.ndjson");
    let mut row = Row {
        scenario: format!("SIGKILL {kills}x during report cache writes, then integrity_check"),
        inputs: n,
        ..Row::default()
    };
    let mut rng = Lcg(0xcac4e);
    let mut killed = 0;
    for _ in 0..kills {
        // --refresh: every run writes every answer again, so each kill lands among writes.
        let mut cmd = cached_vt(bins, &server, &cache);
        cmd.args(["--refresh", "file", "-"]).stdin(Stdio::piped());
        let mut child = cmd.spawn()?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(text.as_bytes())?;
        }
        std::thread::sleep(Duration::from_millis(100 + rng.next() % 500));
        if child.try_wait()?.is_none() {
            child.kill()?; // SIGKILL on Unix
            killed += 1;
        }
        child.wait()?;
    }
    println!("xtask: cache kills: {killed} of {kills} runs were killed mid-batch");

    let mut check = cached_vt(bins, &server, &cache);
    check.args(["cache", "check"]).stdout(Stdio::piped());
    let checked = check.output()?;
    let verdict = String::from_utf8_lossy(&checked.stdout).trim().to_owned();
    let stderr = String::from_utf8_lossy(&checked.stderr).into_owned();
    if verdict != "ok" || !checked.status.success() {
        row.problems.push(format!(
            "integrity_check said {verdict:?} (exit {:?}): {}",
            checked.status.code(),
            last_line(&stderr)
        ));
    }
    if stderr.contains("moved to") {
        row.problems
            .push(format!("the store was moved aside: {}", last_line(&stderr)));
    }

    // A last run (cache used) finishes every input once.
    let before = server.api_log(work)?.len();
    let mut last = cached_vt(bins, &server, &cache);
    last.args(["file", "-", "--output"]).arg(&out);
    let (code, stderr) = run_vt(last, &text)?;
    if code != 0 && code != 1 {
        row.problems
            .push(format!("final run exited {code}: {}", last_line(&stderr)));
    }
    server.ndjson(work, &out)?.score(&mut row, &inputs);
    let log = server.api_log(work)?;
    row.requests = log.len();
    let last_requests = log.len() - before;
    println!(
        "xtask: cache kills: the last run sent {last_requests} requests for {n} inputs (the rest came from the cache)"
    );
    if last_requests >= n && killed > 0 {
        row.problems
            .push("the last run used nothing from the cache the killed runs wrote".into());
    }
    row.wall = started.elapsed();
    Ok(row)
}
