//! The emulator as `cargo xtask reliability` needs it:
//! `fault_server [--files N] [--ids PATH] [--fault RULE]... [--fault-seed N]
//! [--public-quota SPEC] [--premium-quota SPEC] [--quota-scale F] [--log N] [--time-to-complete-ms N]`.
//!
//! Starts an emulator on 127.0.0.1 (free port) with N generated files (default 100), the given
//! fault rules (`transient=0.2`, `drop=0.05@/api/v3/files`, ...), the public key's quota
//! (`--public-quota 500/day`, windows divided by `--quota-scale`), the premium key's
//! (`--premium-quota 20/s`: the fleet scenario's server-side rate) and a request log of N
//! entries (default 100,000, so a whole scenario fits), writes the sha256 of every generated
//! file to `--ids`, prints `listening <base url>` on stdout and serves until stdin is closed
//! (or the process is killed). The request log (`GET /_emulator/stats`) has each request's
//! arrival time (`at_us`), which the suite uses to check client request rates.
//!
//! Commands on stdin, one per line, each answered by one line on stdout (so the driver needs
//! no JSON or HTTP library):
//! - `log PATH`: writes the request log as TSV (`seq at_us method path status fault`), answers
//!   `ok N`;
//! - `reset`: clears counters, log and quota use, answers `ok`;
//! - `advance SECS`: moves the emulator's clock (quota windows roll), answers `ok`;
//! - `ndjson PATH OUT`: reads a `vt --output` file, writes the `input` of every valid line to
//!   OUT (one a line), answers `lines=N invalid=N ok=N failed=N codes=Code:N,...` (the error
//!   codes of the failed lines).

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Duration;

use vt_emulator::{AnalysisTiming, Emulator, FaultRule, QuotaLimits, QuotaWindows};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut files = 100usize;
    let mut ids_path: Option<PathBuf> = None;
    let mut rules: Vec<FaultRule> = Vec::new();
    let mut fault_seed: Option<u64> = None;
    let mut public_quota: Option<QuotaLimits> = None;
    let mut premium_quota: Option<QuotaLimits> = None;
    let mut quota_scale: Option<u32> = None;
    let mut log = 100_000usize;
    let mut analysis = AnalysisTiming::IMMEDIATE;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{arg} {value}: {e}");
        match arg.as_str() {
            "--files" => files = value.parse().map_err(|e| bad(&e))?,
            "--ids" => ids_path = Some(PathBuf::from(&value)),
            "--fault" => rules.push(value.parse().map_err(|e| bad(&e))?),
            "--fault-seed" => fault_seed = Some(value.parse().map_err(|e| bad(&e))?),
            "--public-quota" => public_quota = Some(value.parse().map_err(|e| bad(&e))?),
            "--premium-quota" => premium_quota = Some(value.parse().map_err(|e| bad(&e))?),
            "--quota-scale" => quota_scale = Some(value.parse().map_err(|e| bad(&e))?),
            "--log" => log = value.parse().map_err(|e| bad(&e))?,
            "--time-to-complete-ms" => {
                analysis = AnalysisTiming {
                    polls_to_complete: u32::MAX,
                    time_to_complete: Some(Duration::from_millis(
                        value.parse().map_err(|e| bad(&e))?,
                    )),
                }
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let emu = Emulator::builder()
        .files(files)
        .analysis(analysis)
        .configure(|cfg| {
            cfg.request_log_capacity = log;
            cfg.faults.rules = rules;
            cfg.faults.seed = fault_seed;
            if let Some(q) = public_quota {
                cfg.quotas.public = q;
            }
            if let Some(q) = premium_quota {
                cfg.quotas.premium = q;
            }
            if let Some(f) = quota_scale {
                cfg.quotas.windows = QuotaWindows::scaled(f);
            }
        })
        .start()
        .await?;
    if let Some(path) = ids_path {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
        for f in emu.dataset().files() {
            writeln!(out, "{}", f.sha256)?;
        }
        out.flush()?;
    }
    println!("listening {}", emu.base_url());
    std::io::stdout().flush()?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        for line in stdin.lock().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    while let Some(line) = rx.recv().await {
        let answer = command(&emu, line.trim()).unwrap_or_else(|e| format!("error {e}"));
        println!("{answer}");
        std::io::stdout().flush()?;
    }
    emu.shutdown().await;
    Ok(())
}

fn command(
    emu: &vt_emulator::EmulatorHandle,
    line: &str,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let mut words = line.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some("log"), Some(path), None) => {
            let stats = emu.stats();
            let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
            for r in &stats.request_log {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    r.seq,
                    r.at_us,
                    r.method,
                    r.path,
                    r.status,
                    r.fault.as_deref().unwrap_or("-")
                )?;
            }
            out.flush()?;
            Ok(format!("ok {}", stats.request_log.len()))
        }
        (Some("reset"), None, None) => {
            emu.reset_stats();
            Ok("ok".into())
        }
        (Some("advance"), Some(secs), None) => {
            emu.clock().advance(Duration::from_secs(secs.parse()?));
            Ok("ok".into())
        }
        (Some("ndjson"), Some(path), Some(out_path)) => {
            let text = std::fs::read(path)?;
            let mut out = std::io::BufWriter::new(std::fs::File::create(out_path)?);
            let (mut lines, mut invalid, mut ok, mut failed) = (0, 0, 0, 0);
            let mut codes = std::collections::BTreeMap::<String, u64>::new();
            for line in text.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                lines += 1;
                let Ok(v) = serde_json::from_slice::<serde_json::Value>(line) else {
                    invalid += 1;
                    continue;
                };
                let Some(input) = v["input"].as_str() else {
                    invalid += 1;
                    continue;
                };
                if let Some(e) = v["data"].get("error") {
                    failed += 1;
                    let code = e["code"].as_str().unwrap_or("?").to_owned();
                    *codes.entry(code).or_default() += 1;
                } else {
                    ok += 1;
                }
                writeln!(out, "{input}")?;
            }
            out.flush()?;
            let codes: Vec<String> = codes.iter().map(|(c, n)| format!("{c}:{n}")).collect();
            Ok(format!(
                "lines={lines} invalid={invalid} ok={ok} failed={failed} codes={}",
                codes.join(",")
            ))
        }
        _ => Err(format!("unknown command {line:?}").into()),
    }
}
