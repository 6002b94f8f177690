//! `cargo xtask bench [--quick] [--only 1,4] [--write|--no-write]`: issue 8's table (and
//! issue 13's rows 9, the report cache, and 11, a real link, in `bench/quota_rows.rs`; 10, a
//! fleet through Redis, in `bench/fleet_row.rs`).
//!
//! Every row is measured side by side with its reference in the same run (the machine is
//! noisy): the value, the reference, their ratio, the goal and whether it is met. The table
//! is printed and, for a full run of every row (or with `--write`), written between the
//! markers of `docs/benchmarks.md` with the machine's description (the rest of that file is
//! kept).
//!
//! Builds `vt` and the emulator's `bench_server` / `loadgen` examples in release, starts the
//! emulator on 127.0.0.1, keeps every temporary file in one temporary directory removed at the
//! end. Whole-process figures come from `/usr/bin/time -v`, micro-benchmarks from criterion,
//! start-up from hyperfine when installed (else a loop of our own).

mod env;
mod fleet_row;
mod measure;
mod quota_rows;
mod row;
mod rows;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::workspace::{cargo, root, run};
use env::{Env, Sizes};
use row::{Row, Verdict};

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// Runs the benchmarks.
pub fn run_bench(args: &[String]) -> Result<()> {
    let mut quick = false;
    let mut write: Option<bool> = None;
    let mut only: Option<Vec<u32>> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--no-write" => write = Some(false),
            "--write" => write = Some(true),
            "--only" => {
                let list = it.next().context("--only needs a list of rows, e.g. 1,4")?;
                let rows = list
                    .split(',')
                    .map(|r| {
                        r.trim()
                            .parse::<u32>()
                            .with_context(|| format!("--only {list}: `{r}` is not a row number"))
                    })
                    .collect::<Result<Vec<_>>>()?;
                only = Some(rows);
            }
            other => bail!(
                "bench: unknown argument `{other}` (expected --quick, --only 1,4, --write, --no-write)"
            ),
        }
    }
    // A quick run does not replace the full figures unless asked to.
    let write = write.unwrap_or(!quick);
    let sizes = Sizes::new(quick);
    let wants = |n: u32| only.as_ref().is_none_or(|o| o.contains(&n));

    let release = target_dir().join("release");
    let tmp = std::env::temp_dir().join(format!("vt-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    // Row 6b: `vt` with the opt-in assembly hashing back ends, built first and copied aside
    // (the default build below writes the same path).
    let vt_asm = if wants(6) {
        let mut build = cargo();
        build.args([
            "build",
            "--release",
            "-p",
            "vt-cli",
            "--bin",
            "vt",
            "--features",
            "asm",
        ]);
        run("cargo build --release -p vt-cli --features asm", build)?;
        let copy = tmp.join("vt-asm");
        std::fs::copy(release.join("vt"), &copy).context("copying vt (asm)")?;
        Some(copy)
    } else {
        None
    };
    let mut build = cargo();
    build.args(["build", "--release", "-p", "vt-cli", "--bin", "vt"]);
    run("cargo build --release -p vt-cli", build)?;
    let mut build = cargo();
    build.args([
        "build",
        "--release",
        "-p",
        "vt-emulator",
        "--example",
        "bench_server",
        "--example",
        "loadgen",
    ]);
    run(
        "cargo build --release -p vt-emulator --example bench_server --example loadgen",
        build,
    )?;
    let env = Env {
        vt: release.join("vt"),
        vt_asm,
        bench_server: release.join("examples").join("bench_server"),
        loadgen: release.join("examples").join("loadgen"),
        tmp: tmp.clone(),
        sizes,
    };
    let load_before = measure::loadavg();
    let started = measure::utc_now();
    let result = (|| -> Result<Vec<Row>> {
        let mut rows = Vec::new();
        if wants(1) || wants(4) || wants(5) {
            rows.extend(rows::with_main_emulator(
                &env,
                wants(1),
                wants(4),
                wants(5),
            )?);
        }
        if wants(2) {
            rows.push(rows::quota_ceiling(&env));
        }
        if wants(3) {
            rows.push(rows::model_decoding(&env));
        }
        if wants(6) {
            rows.extend(rows::hashing(&env));
        }
        if wants(7) {
            rows.extend(rows::startup(&env));
        }
        if wants(8) {
            rows.push(rows::transport_overhead(&env));
        }
        if wants(9) {
            rows.extend(quota_rows::cache_hits(&env));
        }
        if wants(10) {
            rows.push(fleet_row::fleet(&env));
        }
        if wants(11) {
            rows.push(quota_rows::real_link(&env));
        }
        Ok(rows)
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    let mut rows = result?;
    // By row number, then suffix: 1a, 1b, 2, ..., 9, 10.
    rows.sort_by_key(|r| {
        let digits = r.id.chars().take_while(char::is_ascii_digit).count();
        (
            r.id[..digits].parse::<u32>().unwrap_or(u32::MAX),
            r.id.clone(),
        )
    });
    let load_after = measure::loadavg();
    let table = render_table(&rows);
    let machine = machine_description(&started, &load_before, &load_after, sizes);
    println!("\n{machine}\n{table}");
    if write && only.is_none() {
        let path = root().join("docs").join("benchmarks.md");
        write_doc(&path, &format!("{machine}\n{table}"))?;
        eprintln!("xtask: table written to {}", path.display());
    }
    Ok(())
}

fn render_table(rows: &[Row]) -> String {
    let mut t = String::from(
        "| # | scenario | measured (vt) | reference (same run) | ratio | goal | result |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let verdict = match &r.verdict {
            Verdict::Pass => "pass".to_string(),
            Verdict::Miss => "**miss**".to_string(),
            Verdict::NotRun(why) => format!("not run: {why}"),
        };
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.id, r.what, r.value, r.reference, r.ratio, r.goal, verdict
        );
    }
    t
}

fn first_line_of(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

fn machine_description(started: &str, load_before: &str, load_after: &str, sizes: Sizes) -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown".to_string(), |(_, m)| m.trim().to_string());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or("unknown".to_string(), |kb| {
            format!("{:.1} GiB", kb / 1024.0 / 1024.0)
        });
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = first_line_of("rustc", &["-V"]);
    let mode = if sizes.quick {
        "`--quick` (reduced sizes)"
    } else {
        "full (issue 8's sizes)"
    };
    format!(
        "Run of `cargo xtask bench`, {mode}, started {started}.\n\n\
         - CPU: {model}, {nproc} logical cores (nproc)\n\
         - memory: {mem}\n\
         - {rustc}; `vt` and the emulator built with `--release`\n\
         - load average (1, 5, 15 min) before: {load_before}; after: {load_after} \
         (client, emulator and reference share these cores)\n\
         - sizes: {} lookups, {} lookups at {}/s, {} MiB transfers, {} MiB hashed, {} start-up runs, \
         median of {} rounds for the whole-process rows\n",
        sizes.lookups,
        sizes.quota_lookups,
        sizes.quota_rate,
        sizes.transfer_bytes >> 20,
        sizes.hash_bytes >> 20,
        sizes.startup_runs,
        sizes.rounds
    )
}

const BEGIN: &str = "<!-- bench:begin (written by `cargo xtask bench`) -->";
const END: &str = "<!-- bench:end -->";

/// Replaces the generated part of `docs/benchmarks.md`, keeping the rest.
fn write_doc(path: &Path, generated: &str) -> Result<()> {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let block = format!("{BEGIN}\n{generated}{END}");
    let new = match (old.find(BEGIN), old.find(END)) {
        (Some(b), Some(e)) if e > b => {
            format!("{}{block}{}", &old[..b], &old[e + END.len()..])
        }
        _ if old.is_empty() => format!("# Benchmarks\n\n{block}\n"),
        _ => format!("{old}\n{block}\n"),
    };
    std::fs::write(path, new).with_context(|| format!("writing {}", path.display()))
}
