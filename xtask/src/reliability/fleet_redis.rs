//! A fleet through Redis, with Redis killed and restarted mid-batch: several `vt` processes on
//! one key share a 20/s rate through a real `redis-server` against an emulator that refuses
//! more than 20 a second with 429. Redis is SIGKILLed a third of the way in and restarted
//! (empty) 2 s later. Every member must finish with every input once in its `--output` file,
//! the server must have answered no 429 and never seen more than 20 requests within 950 ms.

use std::io::Write;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use vt_test_support::RedisServer;

use super::harness::{Bins, PREMIUM_KEY, Row, Server, inputs_of, last_line, vt};

const RATE: usize = 20;

pub(super) fn redis_killed_mid_batch(
    bins: &Bins,
    work: &Path,
    members: usize,
    per_member: usize,
) -> Result<Row> {
    let started = Instant::now();
    let Some(mut redis) = RedisServer::start() else {
        bail!("redis-server is not installed (apt-get install redis-server; .ci/run does)");
    };
    let n = members * per_member;
    let mut server = Server::start(
        bins,
        work,
        &[
            "--files",
            &(n / 2).to_string(),
            "--premium-quota",
            &format!("{RATE}/s"),
        ],
    )?;
    let inputs = inputs_of(&server.ids, n);
    let mut row = Row {
        scenario: format!(
            "fleet: {members} processes at {RATE}/s through Redis, Redis SIGKILLed and restarted mid-batch"
        ),
        inputs: n,
        ..Row::default()
    };
    let outs: Vec<_> = (0..members)
        .map(|i| work.join(format!("fleet-{i}.ndjson")))
        .collect();
    let mut children: Vec<Child> = Vec::new();
    for (i, out) in outs.iter().enumerate() {
        let _ = std::fs::remove_file(out);
        let mut cmd = vt(bins, &server, PREMIUM_KEY);
        cmd.args([
            "--fleet",
            &redis.url(),
            "--rate-limit",
            &format!("{RATE}/s"),
        ])
        .args(["--concurrency", "4", "--retries", "0", "--timeout", "60"])
        .args(["file", "-", "--output"])
        .arg(out)
        .stdin(Stdio::piped());
        let mut child = cmd.spawn()?;
        if let Some(mut stdin) = child.stdin.take() {
            let part = &inputs[i * per_member..(i + 1) * per_member];
            stdin.write_all(part.join("\n").as_bytes())?;
        }
        children.push(child);
    }
    let ideal = Duration::from_secs_f64(n as f64 / RATE as f64);
    std::thread::sleep(ideal / 3);
    redis.kill();
    let at_kill = server.api_log(work)?.len();
    std::thread::sleep(Duration::from_secs(2));
    let before_restart = server.api_log(work)?.len();
    redis.restart();
    println!(
        "xtask: fleet: Redis killed after {at_kill} requests; {} sent while it was down",
        before_restart - at_kill
    );
    if at_kill >= n {
        row.problems
            .push("the batch finished before Redis was killed".into());
    }
    for (i, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output()?;
        let code = out.status.code().unwrap_or(-1);
        if code != 0 && code != 1 {
            row.problems.push(format!(
                "member {i} exited {code}: {}",
                last_line(&String::from_utf8_lossy(&out.stderr))
            ));
        }
    }
    // One file per member: check them as one (inputs are disjoint between members).
    let all = work.join("fleet-all.ndjson");
    let mut joined = String::new();
    for out in &outs {
        joined.push_str(&std::fs::read_to_string(out).unwrap_or_default());
    }
    std::fs::write(&all, joined)?;
    server.ndjson(work, &all)?.score(&mut row, &inputs);
    let log = server.api_log(work)?;
    row.requests = log.len();
    row.retries = row.requests.saturating_sub(n);
    let refused = log.iter().filter(|r| r.status == 429).count();
    if refused > 0 {
        row.problems
            .push(format!("the server refused {refused} requests with 429"));
    }
    let times: Vec<u64> = log.iter().map(|r| r.at_us).collect();
    let (mut busiest, mut lo) = (0, 0);
    for hi in 0..times.len() {
        while times[hi] - times[lo] >= 950_000 {
            lo += 1;
        }
        busiest = busiest.max(hi - lo + 1);
    }
    println!(
        "xtask: fleet: {refused} x 429, busiest 950 ms at the server: {busiest} requests (limit {RATE}/s)"
    );
    if busiest > RATE {
        row.problems.push(format!(
            "{busiest} requests arrived within 950 ms, over the fleet's {RATE}/s"
        ));
    }
    row.wall = started.elapsed();
    Ok(row)
}
