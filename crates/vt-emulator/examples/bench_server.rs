//! The emulator as `cargo xtask bench` needs it:
//! `bench_server [--files N] [--per-second N] [--ids PATH] [--data-dir DIR] [--latency D]`.
//!
//! Starts an emulator on 127.0.0.1 (free port) with N generated files (default 100), the
//! default premium key limited to `--per-second` lookups a second when given (otherwise
//! unlimited), every answer delayed by `--latency` (e.g. `150ms`: a real link), writes the sha256 of every generated file to `--ids` (one per line), prints
//! `listening <base url>` on stdout and serves until stdin is closed (or the process is
//! killed). `vt emulator serve` has no flags for the dataset size or a per-second quota, hence
//! this example.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use vt_emulator::{AnalysisTiming, Emulator, QuotaLimits};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut files = 100usize;
    let mut per_second: Option<u64> = None;
    let mut ids_path: Option<PathBuf> = None;
    let mut data_dir: Option<PathBuf> = None;
    let mut latency: Option<std::time::Duration> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--files" => files = value.parse().map_err(|e| format!("--files {value}: {e}"))?,
            "--per-second" => {
                per_second = Some(
                    value
                        .parse()
                        .map_err(|e| format!("--per-second {value}: {e}"))?,
                )
            }
            "--ids" => ids_path = Some(PathBuf::from(value)),
            "--data-dir" => data_dir = Some(PathBuf::from(value)),
            "--latency" => {
                latency = Some(
                    vt_emulator::parse_duration(&value)
                        .map_err(|e| format!("--latency {value}: {e}"))?,
                )
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let mut builder = Emulator::builder()
        .files(files)
        .analysis(AnalysisTiming::IMMEDIATE);
    if let Some(dir) = data_dir {
        builder = builder.data_dir(dir);
    }
    if let Some(d) = latency {
        builder = builder.latency(d);
    }
    if let Some(n) = per_second {
        builder = builder.configure(|cfg| {
            cfg.quotas.premium = QuotaLimits {
                per_second: Some(n),
                ..QuotaLimits::UNLIMITED
            };
        });
    }
    let emu = builder.start().await?;
    if let Some(path) = ids_path {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
        for f in emu.dataset().files() {
            writeln!(out, "{}", f.sha256)?;
        }
        out.flush()?;
    }
    println!("listening {}", emu.base_url());
    std::io::stdout().flush()?;
    // Serve until the parent closes our stdin.
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
