//! Row 10: a fleet on one key through Redis (issue 13, section 5): 4 `vt` processes × 250
//! lookups share `--rate-limit 20/s` through a real `redis-server` (`--fleet`), against an
//! emulator that refuses more than 20 lookups a second with 429. Goal: zero 429 and the whole
//! fleet's wall ≤ 1.05 × N / rate.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use vt_test_support::RedisServer;

use super::env::Env;
use super::measure::{Server, http, status_count};
use super::row::{Row, Verdict};

/// The emulator's default premium key (`vt_emulator::DEFAULT_PREMIUM_KEY`).
const KEY: &str = "0000000000000000000000000000000000000000000000000000000000000001";
const MEMBERS: usize = 4;
const RATE: u32 = 20;

/// Lookups per member: 250 (25 with `--quick`).
fn per_member(env: &Env) -> usize {
    if env.sizes.quick { 25 } else { 250 }
}

pub fn fleet(env: &Env) -> Row {
    let goal = "0 × 429; wall ≤ 1.05 × N/rate";
    let n = MEMBERS * per_member(env);
    let what = format!(
        "fleet: {MEMBERS} processes × {} lookups on one key through Redis (`--fleet`), emulator enforcing {RATE}/s",
        per_member(env)
    );
    match fleet_inner(env, n) {
        Ok((wall, refused, ideal)) => {
            let ratio = wall / ideal;
            Row {
                id: "10".into(),
                what,
                value: format!("{wall:.2} s, {refused} × 429"),
                reference: format!("{ideal:.2} s (N / rate)"),
                ratio: format!("{ratio:.3}"),
                goal: goal.into(),
                verdict: if ratio <= 1.05 && refused == 0 {
                    Verdict::Pass
                } else {
                    Verdict::Miss
                },
            }
        }
        Err(e) => Row {
            id: "10".into(),
            what,
            value: "—".into(),
            reference: "—".into(),
            ratio: "—".into(),
            goal: goal.into(),
            verdict: Verdict::NotRun(format!("{e:#}")),
        },
    }
}

fn fleet_inner(env: &Env, n: usize) -> Result<(f64, u64, f64)> {
    let Some(redis) = RedisServer::start() else {
        bail!("redis-server is not installed (apt-get install redis-server)");
    };
    let ids = env.tmp.join("fleet-ids.txt");
    eprintln!(
        "xtask: row 10: {MEMBERS} × {} lookups at {RATE}/s through Redis",
        n / MEMBERS
    );
    let server = Server::start(
        &env.bench_server,
        &[
            "--files".into(),
            n.saturating_sub(1).to_string(),
            "--per-second".into(),
            RATE.to_string(),
            "--ids".into(),
            ids.display().to_string(),
        ],
    )?;
    let all: Vec<String> = std::fs::read_to_string(&ids)?
        .lines()
        .map(str::to_owned)
        .collect();
    if all.len() < n {
        bail!("the emulator wrote {} ids, expected {n}", all.len());
    }
    let home = env.tmp.display().to_string();
    let started = Instant::now();
    let mut members = Vec::new();
    for part in all[..n].chunks(n / MEMBERS) {
        let mut cmd = Command::new(&env.vt);
        for (k, _) in std::env::vars() {
            if k.starts_with("VT_") {
                cmd.env_remove(k);
            }
        }
        cmd.env("VT_BASE_URL", &server.base_url)
            .env("VT_API_KEY", KEY)
            .env("VT_FORMAT", "json")
            .env("VT_NO_CACHE", "1")
            .env("VT_FLEET", redis.url())
            .env("VT_RATE_LIMIT", format!("{RATE}/s"))
            .env("VT_CONCURRENCY", "8")
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", &home)
            .args(["--quiet", "file", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().context("starting vt")?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(part.join("\n").as_bytes())?;
        }
        members.push(child);
    }
    for (i, child) in members.into_iter().enumerate() {
        let out = child.wait_with_output()?;
        if !out.status.success() {
            bail!(
                "member {i} exited {:?}: {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            );
        }
    }
    let wall = started.elapsed().as_secs_f64();
    let (_, stats) = http(server.authority(), "GET", "/_emulator/stats", None)?;
    let served = status_count(&stats, 200);
    if served < n as u64 {
        bail!("the emulator served {served} answers 200, expected {n}");
    }
    Ok((wall, status_count(&stats, 429), n as f64 / f64::from(RATE)))
}
