//! The emulator as `cargo xtask reliability` needs it:
//! `fault_server [--files N] [--ids PATH] [--fault RULE]... [--fault-seed N]
//! [--public-quota SPEC] [--quota-scale F] [--log N] [--time-to-complete-ms N]`.
//!
//! Starts an emulator on 127.0.0.1 (free port) with N generated files (default 100), the given
//! fault rules (`transient=0.2`, `drop=0.05@/api/v3/files`, ...), the public key's quota
//! (`--public-quota 500/day`, windows divided by `--quota-scale`) and a request log of N
//! entries (default 100,000, so a whole scenario fits), writes the sha256 of every generated
//! file to `--ids`, prints `listening <base url>` on stdout and serves until stdin is closed
//! (or the process is killed). The request log (`GET /_emulator/stats`) has each request's
//! arrival time (`at_us`), which the suite uses to check client request rates.

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
    tokio::task::spawn_blocking(|| {
        let stdin = std::io::stdin();
        for line in stdin.lock().lines() {
            if line.is_err() {
                break;
            }
        }
    })
    .await?;
    emu.shutdown().await;
    Ok(())
}
