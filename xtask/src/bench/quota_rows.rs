//! Issue 13's rows: 9, the report cache (the same lookups twice); 11, a real link (150 ms per
//! answer, 64 at once) and how many connections `vt` opens.

use std::path::Path;

use anyhow::{Result, bail};

use super::env::Env;
use super::measure::{Server, http, median, status_count, time_v};
use super::row::Row;
use super::rows::{verdict, vt_env};

/// Requests the emulator answered so far (every route, every status; `/_emulator` ones too).
fn requests_total(server: &Server) -> Result<u64> {
    let (status, stats) = http(server.authority(), "GET", "/_emulator/stats", None)?;
    if status != 200 {
        bail!("/_emulator/stats answered {status}");
    }
    let total = stats.split("\"requests_total\":").nth(1).and_then(|rest| {
        rest.trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .ok()
    });
    match total {
        Some(n) => Ok(n),
        None => bail!("no requests_total in /_emulator/stats"),
    }
}

/// A number field of the emulator's stats (`"connections": N`).
fn stats_number(server: &Server, name: &str) -> Result<u64> {
    let (_, stats) = http(server.authority(), "GET", "/_emulator/stats", None)?;
    stats
        .split(&format!("\"{name}\":"))
        .nth(1)
        .and_then(|rest| {
            rest.trim_start()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .ok()
        })
        .ok_or_else(|| anyhow::anyhow!("no {name} in /_emulator/stats"))
}

const CACHE_GOAL_FIRST: &str = "≤ 1.05 × without cache";
const CACHE_GOAL_SECOND: &str = "0 requests; ≥ 20,000 reports/s";

/// Row 9: `lookups` file reports without the cache, then twice with a fresh cache.
pub fn cache_hits(env: &Env) -> Vec<Row> {
    match cache_hits_inner(env) {
        Ok(rows) => rows,
        Err(e) => {
            let why = format!("{e:#}");
            vec![
                Row::not_run(
                    "9a",
                    "report cache: first run",
                    CACHE_GOAL_FIRST,
                    why.clone(),
                ),
                Row::not_run("9b", "report cache: second run", CACHE_GOAL_SECOND, why),
            ]
        }
    }
}

fn cache_hits_inner(env: &Env) -> Result<Vec<Row>> {
    let n = env.sizes.lookups;
    let ids = env.tmp.join("cache-ids.txt");
    eprintln!("xtask: row 9: {n} lookups without cache, then twice with one");
    let server = Server::start(
        &env.bench_server,
        &[
            "--files".into(),
            n.saturating_sub(1).to_string(),
            "--ids".into(),
            ids.display().to_string(),
        ],
    )?;
    let home = env.tmp.display().to_string();
    let (mut without, mut first, mut second, mut second_requests) = (vec![], vec![], vec![], 0);
    let mut cache_bytes = 0u64;
    for round in 0..env.sizes.rounds {
        eprintln!("xtask: row 9, round {}", round + 1);
        let cache = env.tmp.join(format!("cache-{round}/vt.sqlite3"));
        let cache_s = cache.display().to_string();
        let mut base = vt_env(&server.base_url, &home);
        base.push(("VT_RATE_LIMIT", "none"));
        base.push(("VT_CONCURRENCY", "64"));
        let run = |extra: &[(&str, &str)]| {
            let mut envs = base.clone();
            envs.extend_from_slice(extra);
            time_v(
                &env.vt,
                &["--quiet", "file", "-"],
                &envs,
                Some(&ids),
                true,
                &env.tmp,
            )
        };
        without.push(run(&[])?.wall.as_secs_f64());
        let with_cache = [("VT_NO_CACHE", "0"), ("VT_CACHE_PATH", cache_s.as_str())];
        first.push(run(&with_cache)?.wall.as_secs_f64());
        let before = requests_total(&server)?;
        second.push(run(&with_cache)?.wall.as_secs_f64());
        // Minus 1: the second stats request counts itself.
        second_requests += requests_total(&server)?.saturating_sub(before + 1);
        cache_bytes = dir_bytes(cache.parent().unwrap_or(&env.tmp));
        let _ = std::fs::remove_dir_all(cache.parent().unwrap_or(&env.tmp));
    }
    let (_, stats) = http(server.authority(), "GET", "/_emulator/stats", None)?;
    let served = status_count(&stats, 200);
    let expected = (2 * n * env.sizes.rounds) as u64;
    if served < expected {
        bail!("the emulator served {served} answers 200, expected at least {expected}");
    }
    let (without, first, second) = (median(without), median(first), median(second));
    let second_rps = n as f64 / second;
    let per_round = second_requests / env.sizes.rounds.max(1) as u64;
    Ok(vec![
        Row {
            id: "9a".into(),
            what: format!(
                "report cache, first run: {n} file reports into a fresh cache ({} MiB), 64 at once",
                cache_bytes >> 20
            ),
            value: format!("{first:.2} s"),
            reference: format!("{without:.2} s (`--no-cache`)"),
            ratio: format!("{:.3}", first / without),
            goal: CACHE_GOAL_FIRST.into(),
            verdict: verdict(first <= 1.05 * without),
        },
        Row {
            id: "9b".into(),
            what: format!("report cache, second run: the same {n} lookups, JSON to /dev/null"),
            value: format!("{second_rps:.0} reports/s, {per_round} requests"),
            reference: format!("{:.0} reports/s (`--no-cache`)", n as f64 / without),
            ratio: format!("{:.1}×", without / second),
            goal: CACHE_GOAL_SECOND.into(),
            verdict: verdict(per_round == 0 && second_rps >= 20_000.0),
        },
    ])
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// The lookups, latency and concurrency of row 11.
const LINK_LOOKUPS: usize = 2_000;
const LINK_LATENCY_MS: u64 = 150;
const LINK_CONCURRENCY: usize = 64;

/// Row 11: a real link: every answer 150 ms late, 2,000 lookups 64 at once, over HTTP/1.1
/// (11a, one connection per request in flight) and over HTTP/2 with prior knowledge (11b,
/// `--http2`: one connection), and (11c) over HTTP/1.1 into a fresh report cache, against 11a:
/// issue 13's first-run goal (row 9a) where lookups wait for the network, as they do against
/// VirusTotal; all interleaved.
pub fn real_link(env: &Env) -> Vec<Row> {
    let n = if env.sizes.quick { 500 } else { LINK_LOOKUPS };
    let goal = "≤ 1.15 × N / 64 × 150 ms";
    let what = |protocol: &str| {
        format!(
            "a real link, {protocol}: {n} lookups, every answer {LINK_LATENCY_MS} ms late, `--concurrency {LINK_CONCURRENCY}`"
        )
    };
    let protocols = [("11a", "HTTP/1.1"), ("11b", "HTTP/2 (`--http2`)")];
    let cache_what = format!(
        "report cache, first run over a real link: {n} file reports into a fresh cache, every answer {LINK_LATENCY_MS} ms late, 64 at once, HTTP/1.1"
    );
    let cache_goal = "≤ 1.05 × without cache (11a)";
    match real_link_inner(env, n) {
        Ok((runs, ideal)) => {
            let mut rows: Vec<Row> = protocols
                .iter()
                .zip(runs)
                .map(|((id, protocol), (wall, connections))| Row {
                    id: (*id).into(),
                    what: what(protocol),
                    value: format!("{wall:.2} s, {connections} TCP connections"),
                    reference: format!("{ideal:.2} s (ideal N / 64 × 150 ms)"),
                    ratio: format!("{:.3}", wall / ideal),
                    goal: goal.into(),
                    verdict: verdict(wall <= 1.15 * ideal),
                })
                .collect();
            let (without, with_cache) = (runs[0].0, runs[2].0);
            rows.push(Row {
                id: "11c".into(),
                what: cache_what,
                value: format!("{with_cache:.2} s"),
                reference: format!("{without:.2} s (11a, `--no-cache`)"),
                ratio: format!("{:.3}", with_cache / without),
                goal: cache_goal.into(),
                verdict: verdict(with_cache <= 1.05 * without),
            });
            rows
        }
        Err(e) => {
            let why = format!("{e:#}");
            let mut rows: Vec<Row> = protocols
                .iter()
                .map(|(id, protocol)| Row::not_run(id, &what(protocol), goal, why.clone()))
                .collect();
            rows.push(Row::not_run("11c", &cache_what, cache_goal, why));
            rows
        }
    }
}

/// Median wall and most connections of HTTP/1.1, of HTTP/2 and of HTTP/1.1 into a fresh
/// cache, and the ideal wall.
fn real_link_inner(env: &Env, n: usize) -> Result<([(f64, u64); 3], f64)> {
    let ids = env.tmp.join("link-ids.txt");
    eprintln!("xtask: row 11: {n} lookups, {LINK_LATENCY_MS} ms each, {LINK_CONCURRENCY} at once");
    let server = Server::start(
        &env.bench_server,
        &[
            "--files".into(),
            n.saturating_sub(1).to_string(),
            "--ids".into(),
            ids.display().to_string(),
            "--latency".into(),
            format!("{LINK_LATENCY_MS}ms"),
        ],
    )?;
    let home = env.tmp.display().to_string();
    let concurrency = LINK_CONCURRENCY.to_string();
    let mut envs = vt_env(&server.base_url, &home);
    envs.push(("VT_RATE_LIMIT", "none"));
    envs.push(("VT_CONCURRENCY", &concurrency));
    let mut walls = [Vec::new(), Vec::new(), Vec::new()];
    let mut connections = [Vec::new(), Vec::new(), Vec::new()];
    for round in 0..env.sizes.rounds {
        let cache = env.tmp.join(format!("link-cache-{round}/vt.sqlite3"));
        let cache_s = cache.display().to_string();
        let variants: [&[(&str, &str)]; 3] = [
            &[("VT_HTTP2", "0")],
            &[("VT_HTTP2", "1")],
            &[
                ("VT_HTTP2", "0"),
                ("VT_NO_CACHE", "0"),
                ("VT_CACHE_PATH", cache_s.as_str()),
            ],
        ];
        for (i, extra) in variants.into_iter().enumerate() {
            eprintln!("xtask: row 11, round {}, {extra:?}", round + 1);
            let mut envs = envs.clone();
            envs.extend_from_slice(extra);
            let before = stats_number(&server, "connections")?;
            let run = time_v(
                &env.vt,
                &["--quiet", "file", "-"],
                &envs,
                Some(&ids),
                true,
                &env.tmp,
            )?;
            walls[i].push(run.wall.as_secs_f64());
            // Our own /_emulator/stats requests open one connection each (HTTP/1.0).
            let after = stats_number(&server, "connections")?;
            connections[i].push(after.saturating_sub(before + 1));
        }
        let _ = std::fs::remove_dir_all(cache.parent().unwrap_or(&env.tmp));
    }
    let (_, stats) = http(server.authority(), "GET", "/_emulator/stats", None)?;
    let served = status_count(&stats, 200);
    let expected = (3 * n * env.sizes.rounds) as u64;
    if served < expected {
        bail!("the emulator served {served} answers 200, expected {expected}");
    }
    let ideal = n as f64 / LINK_CONCURRENCY as f64 * LINK_LATENCY_MS as f64 / 1000.0;
    let most = |c: &[u64]| c.iter().copied().max().unwrap_or(0);
    let [w1, w2, w3] = walls;
    Ok((
        [
            (median(w1), most(&connections[0])),
            (median(w2), most(&connections[1])),
            (median(w3), most(&connections[2])),
        ],
        ideal,
    ))
}
