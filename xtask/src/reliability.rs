//! `cargo xtask reliability [--quick]`: the fault-injection suite of issue 7.
//!
//! Builds `vt` and the `fault_server` example of vt-emulator (an emulator with seeded faults
//! that answers a few commands on stdin: request log, reset, clock, NDJSON check), then runs
//! each scenario with the real binary and prints one row per scenario:
//! `scenario | inputs | ok | failed | lost | duplicates | requests | retries | wall`.
//! `requests` counts the API requests in the emulator's log (`/api/v3`, upload URLs);
//! `retries` is `requests` minus the requests a fault-free run would have sent. Exits non-zero
//! when a scenario lost or duplicated an input, or broke one of its own checks (printed
//! below the table).

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use crate::workspace::{cargo, root, run};

mod cache_kills;
mod fleet_redis;
mod harness;

use harness::{Bins, Lcg, PREMIUM_KEY, PUBLIC_KEY, Row, Server, inputs_of, last_line, run_vt, vt};

struct Sizes {
    lookups: usize,
    storm: usize,
    quota: usize,
    kill_inputs: usize,
    kills: usize,
}

const FULL: Sizes = Sizes {
    lookups: 2000,
    storm: 300,
    quota: 1000,
    kill_inputs: 600,
    kills: 20,
};

const QUICK: Sizes = Sizes {
    lookups: 200,
    storm: 60,
    quota: 100,
    kill_inputs: 120,
    kills: 3,
};

/// Runs the suite (`--quick` for the small counts).
pub fn run_reliability(args: &[String]) -> Result<()> {
    let quick = args.iter().any(|a| a == "--quick");
    if let Some(other) = args.iter().find(|a| *a != "--quick") {
        bail!("reliability: unknown argument {other} (only --quick)");
    }
    let sizes = if quick { QUICK } else { FULL };
    let mut build = cargo();
    build.args([
        "build",
        "-p",
        "vt-cli",
        "-p",
        "vt-emulator",
        "--example",
        "fault_server",
    ]);
    run(
        "cargo build -p vt-cli -p vt-emulator --example fault_server",
        build,
    )?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let bins = Bins {
        vt: target.join("debug").join("vt"),
        server: target.join("debug").join("examples").join("fault_server"),
    };
    let work = std::env::temp_dir().join(format!("vt-reliability-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;

    let mut rows = Vec::new();
    rows.push(lookups_under_faults(&bins, &work, sizes.lookups)?);
    print_rows(&rows);
    rows.push(too_many_requests_storm(&bins, &work, sizes.storm)?);
    print_rows(&rows[rows.len() - 1..]);
    rows.push(quota_wall_and_resume(&bins, &work, sizes.quota)?);
    print_rows(&rows[rows.len() - 1..]);
    rows.push(kills_and_resume(
        &bins,
        &work,
        sizes.kill_inputs,
        sizes.kills,
    )?);
    print_rows(&rows[rows.len() - 1..]);
    rows.push(cache_kills::kills_during_cache_writes(
        &bins,
        &work,
        if quick { 5 } else { 20 },
    )?);
    print_rows(&rows[rows.len() - 1..]);
    rows.push(fleet_redis::redis_killed_mid_batch(
        &bins,
        &work,
        3,
        if quick { 40 } else { 200 },
    )?);
    print_rows(&rows[rows.len() - 1..]);
    rows.push(upload_interrupted(&bins, &work)?);
    rows.push(download_interrupted(&bins, &work)?);

    println!(
        "\n## cargo xtask reliability{}\n",
        if quick { " --quick" } else { "" }
    );
    print_table(&rows);
    let _ = std::fs::remove_dir_all(&work);
    let bad: Vec<&Row> = rows
        .iter()
        .filter(|r| r.lost > 0 || r.duplicates > 0 || !r.problems.is_empty())
        .collect();
    for r in &bad {
        for p in &r.problems {
            eprintln!("xtask: {}: {p}", r.scenario);
        }
        if r.lost > 0 || r.duplicates > 0 {
            eprintln!(
                "xtask: {}: {} lost, {} duplicated",
                r.scenario, r.lost, r.duplicates
            );
        }
    }
    if !bad.is_empty() {
        bail!("{} scenario(s) failed", bad.len());
    }
    println!("\nxtask: every scenario passed: zero lost, zero duplicated");
    Ok(())
}

fn print_table(rows: &[Row]) {
    println!("| scenario | inputs | ok | failed | lost | duplicates | requests | retries | wall |");
    println!("|---|---|---|---|---|---|---|---|---|");
    print_rows(rows);
}

fn print_rows(rows: &[Row]) {
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {:.1} s |",
            r.scenario,
            r.inputs,
            r.ok,
            r.failed,
            r.lost,
            r.duplicates,
            r.requests,
            r.retries,
            r.wall.as_secs_f64()
        );
    }
}

fn lookups_under_faults(bins: &Bins, work: &Path, n: usize) -> Result<Row> {
    let started = Instant::now();
    let mut server = Server::start(
        bins,
        work,
        &[
            "--files",
            &(n / 4).max(30).to_string(),
            "--fault",
            "transient=0.2@/api/v3/files",
            "--fault",
            "drop=0.05@/api/v3/files",
            "--fault",
            "latency:2500ms=0.05@/api/v3/files",
        ],
    )?;
    let inputs = inputs_of(&server.ids, n);
    let out = work.join("lookups.ndjson");
    let mut cmd = vt(bins, &server, PREMIUM_KEY);
    cmd.args([
        "--rate-limit",
        "none",
        "--concurrency",
        "16",
        "--timeout",
        "1",
    ])
    .args(["--retries", "12", "file", "-", "--output"])
    .arg(&out);
    let (code, stderr) = run_vt(cmd, &inputs.join("\n"))?;
    let mut row = Row {
        scenario: "lookups: 20% 503, 5% dropped, 5% slow past the timeout".into(),
        inputs: n,
        ..Row::default()
    };
    if code != 0 && code != 1 {
        row.problems
            .push(format!("vt exited {code}: {}", last_line(&stderr)));
    }
    server.ndjson(work, &out)?.score(&mut row, &inputs);
    let log = server.api_log(work)?;
    row.requests = log.len();
    row.retries = row.requests.saturating_sub(n);
    row.wall = started.elapsed();
    Ok(row)
}

fn too_many_requests_storm(bins: &Bins, work: &Path, n: usize) -> Result<Row> {
    let started = Instant::now();
    let rate = 20usize;
    let mut server = Server::start(
        bins,
        work,
        &[
            "--files",
            &n.max(30).to_string(),
            "--fault",
            "too-many-requests=0.3@/api/v3/files",
        ],
    )?;
    let inputs = inputs_of(&server.ids, n);
    let out = work.join("storm.ndjson");
    let mut cmd = vt(bins, &server, PREMIUM_KEY);
    cmd.args(["--rate-limit", &format!("{rate}/s"), "--concurrency", "8"])
        .args(["--retries", "12", "file", "-", "--output"])
        .arg(&out);
    let (code, stderr) = run_vt(cmd, &inputs.join("\n"))?;
    let mut row = Row {
        scenario: format!("429 storm: 30% TooManyRequests, limit {rate}/s"),
        inputs: n,
        ..Row::default()
    };
    if code != 0 {
        row.problems
            .push(format!("vt exited {code}: {}", last_line(&stderr)));
    }
    server.ndjson(work, &out)?.score(&mut row, &inputs);
    let log = server.api_log(work)?;
    row.requests = log.len();
    row.retries = row.requests.saturating_sub(n);
    // The busiest sliding window of the emulator's arrival times. The client's limiter is a
    // sliding log of one second at the moment of sending; arrival adds a few milliseconds of
    // jitter, so the check uses a window 50 ms shorter than a second.
    let times: Vec<u64> = log.iter().map(|r| r.at_us).collect();
    let busiest = |window_us: u64| {
        let (mut best, mut lo) = (0, 0);
        for hi in 0..times.len() {
            while times[hi] - times[lo] >= window_us {
                lo += 1;
            }
            best = best.max(hi - lo + 1);
        }
        best
    };
    let (second, checked) = (busiest(1_000_000), busiest(950_000));
    println!(
        "xtask: 429 storm: busiest 1 s at the server: {second} requests, busiest 950 ms: {checked} (limit {rate}/s)"
    );
    if checked > rate {
        row.problems.push(format!(
            "{checked} requests arrived within 950 ms, over the configured {rate}/s"
        ));
    }
    row.wall = started.elapsed();
    Ok(row)
}

fn quota_wall_and_resume(bins: &Bins, work: &Path, n: usize) -> Result<Row> {
    let started = Instant::now();
    let daily = n / 2;
    let mut server = Server::start(
        bins,
        work,
        &[
            "--files",
            &(n / 4).max(30).to_string(),
            "--public-quota",
            &format!("{daily}/day"),
        ],
    )?;
    let inputs = inputs_of(&server.ids, n);
    let out = work.join("quota.ndjson");
    let mut row = Row {
        scenario: format!("daily quota ({daily}) spent half-way, resume next day"),
        inputs: n,
        ..Row::default()
    };
    let first = |server: &Server| {
        let mut cmd = vt(bins, server, PUBLIC_KEY);
        cmd.args([
            "--rate-limit",
            "none",
            "--concurrency",
            "8",
            "--retries",
            "0",
        ])
        .args(["file", "-", "--output"])
        .arg(&out);
        cmd
    };
    let (code, stderr) = run_vt(first(&server), &inputs.join("\n"))?;
    if code != 4 {
        row.problems.push(format!(
            "first run exited {code}, not 4: {}",
            last_line(&stderr)
        ));
    }
    let saved = server.ndjson(work, &out)?;
    let finished: HashSet<String> = saved.inputs.iter().cloned().collect();
    if saved.lines < daily.saturating_sub(8) || saved.lines > daily {
        row.problems.push(format!(
            "first run saved {} results, expected about {daily} (the quota)",
            saved.lines
        ));
    }
    let first_requests = server.api_log(work)?.len();
    // Resume the next day, and the day after if a day's quota is not enough for the rest
    // (results that arrived after the stopping item are dropped and asked again).
    let mut log = Vec::new();
    let mut days = 0;
    loop {
        days += 1;
        server.ask("reset")?;
        server.ask("advance 86400")?;
        let mut resume = first(&server);
        resume.arg("--resume");
        let (code, stderr) = run_vt(resume, &inputs.join("\n"))?;
        log.extend(server.api_log(work)?);
        if code == 0 || code == 1 {
            break;
        }
        if code != 4 || days == 3 {
            row.problems.push(format!(
                "resumed run {days} exited {code}: {}",
                last_line(&stderr)
            ));
            break;
        }
    }
    println!("xtask: quota: finished after {days} resumed run(s)");
    let again = log
        .iter()
        .filter(|r| {
            r.path
                .rsplit('/')
                .next()
                .is_some_and(|id| finished.contains(id))
        })
        .count();
    if again > 0 {
        row.problems.push(format!(
            "the resumed run asked again for {again} inputs finished before the quota stop"
        ));
    }
    server.ndjson(work, &out)?.score(&mut row, &inputs);
    row.requests = first_requests + log.len();
    row.retries = row
        .requests
        .saturating_sub(n + (first_requests - saved.lines));
    row.wall = started.elapsed();
    Ok(row)
}

fn kills_and_resume(bins: &Bins, work: &Path, n: usize, kills: usize) -> Result<Row> {
    let started = Instant::now();
    let mut server = Server::start(
        bins,
        work,
        &[
            "--files",
            &(n / 2).max(30).to_string(),
            "--fault",
            "latency:100ms=1.0@/api/v3/files",
        ],
    )?;
    let inputs = inputs_of(&server.ids, n);
    let out = work.join("kills.ndjson");
    let mut row = Row {
        scenario: format!("SIGKILL at {kills} random points, then resume"),
        inputs: n,
        ..Row::default()
    };
    let mut rng = Lcg(0x5eed);
    let text = inputs.join("\n");
    let cmd = |server: &Server| {
        let mut cmd = vt(bins, server, PREMIUM_KEY);
        cmd.args(["--rate-limit", "none", "--concurrency", "2"])
            .args(["file", "-", "--resume", "--output"])
            .arg(&out)
            .stdin(Stdio::piped());
        cmd
    };
    let mut killed = 0;
    for _ in 0..kills {
        let mut child = cmd(&server).spawn()?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(text.as_bytes())?;
        }
        let delay = Duration::from_millis(150 + rng.next() % 1200);
        std::thread::sleep(delay);
        if child.try_wait()?.is_none() {
            // Child::kill sends SIGKILL on Unix.
            child.kill()?;
            killed += 1;
        }
        child.wait()?;
    }
    let (code, stderr) = run_vt(cmd(&server), &text)?;
    if code != 0 && code != 1 {
        row.problems
            .push(format!("final run exited {code}: {}", last_line(&stderr)));
    }
    println!("xtask: kills: {killed} of {kills} runs were killed before they finished");
    server.ndjson(work, &out)?.score(&mut row, &inputs);
    row.requests = server.api_log(work)?.len();
    row.retries = row.requests.saturating_sub(n);
    row.wall = started.elapsed();
    Ok(row)
}

fn upload_interrupted(bins: &Bins, work: &Path) -> Result<Row> {
    let started = Instant::now();
    let mut server = Server::start(bins, work, &["--fault", "drop=1.0@/api/v3/files"])?;
    let sample = work.join("upload.bin");
    let bytes: Vec<u8> = (0..2_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&sample, &bytes)?;
    let mut cmd = vt(bins, &server, PREMIUM_KEY);
    cmd.args(["--rate-limit", "none", "--retries", "3", "scan", "file"])
        .arg(&sample);
    let (code, stderr) = run_vt(cmd, "")?;
    let mut row = Row {
        scenario: "upload: connection dropped mid-request".into(),
        inputs: 1,
        ..Row::default()
    };
    let log = server.api_log(work)?;
    let posts = log.iter().filter(|r| r.method == "POST").count();
    row.requests = log.len();
    row.retries = posts.saturating_sub(1);
    if code != 5 {
        row.problems
            .push(format!("exit {code}, expected 5: {}", last_line(&stderr)));
    } else {
        row.failed = 1;
    }
    if posts != 1 {
        row.problems.push(format!(
            "the upload was sent {posts} times (never silently repeated)"
        ));
    }
    if stderr.lines().filter(|l| !l.trim().is_empty()).count() != 1 {
        row.problems
            .push(format!("stderr is not one line: {stderr:?}"));
    }
    row.wall = started.elapsed();
    Ok(row)
}

fn download_interrupted(bins: &Bins, work: &Path) -> Result<Row> {
    let started = Instant::now();
    let mut server = Server::start(bins, work, &["--fault", "cut-body=1.0@/_download"])?;
    let dir = work.join("downloads");
    std::fs::create_dir_all(&dir)?;
    let id = server.ids[0].clone();
    let mut cmd = vt(bins, &server, PREMIUM_KEY);
    cmd.args([
        "--rate-limit",
        "none",
        "--retries",
        "2",
        "download",
        &id,
        "-o",
    ])
    .arg(&dir);
    let (code, stderr) = run_vt(cmd, "")?;
    let mut row = Row {
        scenario: "download: connection cut half-way through the body".into(),
        inputs: 1,
        ..Row::default()
    };
    // The signed download URL itself is not an API request: count the API ones.
    let log = server.api_log(work)?;
    row.requests = log.len();
    row.retries = log.len().saturating_sub(1);
    let left: Vec<_> = std::fs::read_dir(&dir)?
        .flatten()
        .map(|e| e.file_name())
        .collect();
    if code != 5 {
        row.problems
            .push(format!("exit {code}, expected 5: {}", last_line(&stderr)));
    } else {
        row.failed = 1;
    }
    if !left.is_empty() {
        row.problems
            .push(format!("files left in the target directory: {left:?}"));
    }
    row.wall = started.elapsed();
    Ok(row)
}
