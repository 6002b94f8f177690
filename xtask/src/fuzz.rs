//! `cargo xtask fuzz`: runs every cargo-fuzz target of `fuzz/`, one after the other, each for
//! a fixed time, on one core, and prints libFuzzer's figures (see `fuzz/README.md` and
//! `docs/reliability.md`).
//!
//! What it does, so that a fresh machine works:
//!
//! 1. installs `cargo-fuzz` with `cargo install cargo-fuzz --locked` when `cargo fuzz` is
//!    missing (the nightly toolchain must be there: `rustup toolchain install nightly`);
//! 2. builds every target once (`cargo +nightly fuzz build --sanitizer none`, one build job);
//! 3. seeds the git-ignored corpus directories: `fuzz/corpus/ids/` with a few identifiers
//!    written here, `fuzz/corpus/model_decode/` with the real responses of
//!    `fixtures/vt-json` (or `VT_FIXTURES_DIR`);
//! 4. runs each target for `--seconds` seconds under `nice -n 10`, a single libFuzzer process
//!    (`--jobs 1`), and reads its final `#N DONE cov: .. exec/s: ..` line;
//! 5. prints a table (executions, exec/s, coverage, corpus size, crashes) and fails if any
//!    target crashed, naming the reproducer files under `fuzz/artifacts/<target>/`.

use std::env;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::workspace::{fixtures_dir, root};

const USAGE: &str = "usage: cargo xtask fuzz [--seconds N] [--target NAME]... [--list]

  --seconds N    how long to fuzz each target (default 60)
  --target NAME  fuzz only this target (repeatable); default: every target
  --list         list the targets and exit";

/// Largest fixture copied into the model_decode corpus (87 of the 117 real responses): libFuzzer
/// cuts longer inputs to its `-max_len`, which would turn them into invalid JSON, and every
/// execution on a large input is slow, so the run would spend its time re-reading a few big
/// reports.
const MAX_SEED_BYTES: u64 = 32 * 1024;

/// The cargo-fuzz option shared by `build` and `run`: no sanitizer (vt-model is
/// `forbid(unsafe_code)`; AddressSanitizer would halve the executions for little). Debug
/// assertions stay on (cargo-fuzz's default): overflow checks catch arithmetic bugs.
const SANITIZER: [&str; 2] = ["--sanitizer", "none"];

/// Identifier seeds: one valid example of each form, plus near misses.
const ID_SEEDS: &[&str] = &[
    "44d88612fea8a8f36de82e1278abb02f",
    "3395856CE81F2B7382DEE72602F798B642F14140",
    "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f",
    "aHR0cDovL3d3dy5zb21lZG9tYWluLmNvbS90aGlzL2lzL215L3VybA",
    "aHR0cHM6Ly9leGFtcGxlLmNvbS8=",
    "http://www.somedomain.com/this/is/my/url",
    "www.Example.COM.",
    "xn--bcher-kva.example",
    "b\u{fc}cher.example",
    "_dmarc.example.com",
    "8.8.8.8",
    "2001:db8::1",
    "::ffff:192.0.2.1",
    "dnRtb25pdG9yLXYxOi8vYWNtZS9mb2xkZXIvZmlsZS5leGU=",
    "dnRtb25pdG9yLXYxOi8vYWNtZS9mb2xkZXIv",
    "OTFiMDcwMjVjZDIzZTI0NGU4ZDlmMjI2NjkzZDczNGE6MTY1MzY1NDM3Nw==",
    "u-dd014af5ed6b38d9130e3f466f850e46d21b951199d53a18ef29ee9341614eaf-1700000000",
    " 44d88612fea8a8f36de82e1278abb02f",
];

/// Field-glob seeds: the globs on the first line, a document after it.
const FIELD_GLOB_SEEDS: &[&str] = &[
    "attributes.last_analysis_stats !attributes.names\n{\"attributes\": {\"last_analysis_stats\": {\"malicious\": 1}, \"names\": [\"a\"]}}",
    "**.sha256\n{\"data\": [{\"attributes\": {\"sha256\": \"x\", \"md5\": \"y\"}}]}",
    "data.attributes.last_*_date data.id\n",
    "** !**.names !data.?d\n",
    "attributes.trid.file_type\n{\"attributes\": {\"trid\": [{\"file_type\": \"a\", \"probability\": 1}, 2]}}",
];

/// Monitor filter seeds: each modifier, valid and near misses.
const MONITOR_FILTER_SEEDS: &[&str] = &[
    "path:/",
    "path:/my folder/sub/",
    " tag:detected Kaspersky ",
    "tag:new-detections\tswapped-detections",
    "item:dnRtb25pdG9yLXYxOi8vYWNtZS9mb2xkZXIv",
    "path:/a/ tag:detected",
    "tags:detected",
];

/// YARA check seeds: rules that compile, with warnings, and near misses.
const YARA_SEEDS: &[&str] = &[
    "rule eicar { strings: $a = \"EICAR-STANDARD-ANTIVIRUS-TEST-FILE\" condition: $a }",
    "import \"pe\"\nrule r : tag1 tag2 {\n  meta:\n    author = \"x\"\n  strings:\n    $h = { 4D 5A ?? [2-4] 90 }\n    $r = /ab+c/i\n  condition:\n    pe.is_pe and #h > 1 and $r at 0\n}",
    "rule slow { strings: $a = { 01 } condition: $a }",
    "rule a { condition: x }\nrule b { condition: true",
    "private rule p { condition: filesize < 10KB }\nrule q { condition: p and for any i in (0..3): (uint8(i) == 0x4d) }",
    "include \"x.yar\"",
    "",
];

/// Where a target's seed corpus comes from.
#[derive(Clone, Copy)]
enum Seeds {
    /// [`ID_SEEDS`].
    Identifiers,
    /// Every `*.json` of the fixtures directory up to [`MAX_SEED_BYTES`].
    Fixtures,
    /// [`FIELD_GLOB_SEEDS`].
    FieldGlobs,
    /// [`MONITOR_FILTER_SEEDS`].
    MonitorFilters,
    /// [`YARA_SEEDS`].
    YaraRules,
}

/// A fuzz target of `fuzz/fuzz_targets/`.
struct Target {
    name: &'static str,
    seeds: Seeds,
    /// libFuzzer's `-max_len`.
    max_len: u64,
    /// A dictionary under `fuzz/dicts/`.
    dict: &'static str,
}

const TARGETS: &[Target] = &[
    Target {
        name: "ids",
        seeds: Seeds::Identifiers,
        max_len: 1024,
        dict: "ids.dict",
    },
    Target {
        name: "model_decode",
        seeds: Seeds::Fixtures,
        max_len: MAX_SEED_BYTES,
        dict: "json.dict",
    },
    Target {
        name: "field_globs",
        seeds: Seeds::FieldGlobs,
        max_len: 4096,
        dict: "field_globs.dict",
    },
    Target {
        name: "monitor_filter",
        seeds: Seeds::MonitorFilters,
        max_len: 1024,
        dict: "monitor_filter.dict",
    },
    Target {
        name: "yara_check",
        seeds: Seeds::YaraRules,
        max_len: 4096,
        dict: "yara.dict",
    },
];

/// What one run of a target gave.
struct Outcome {
    name: &'static str,
    seconds: u64,
    /// libFuzzer's last status line (`#N DONE cov: ...`, or the last `#N ...` before a crash).
    status: Option<String>,
    corpus_files: usize,
    corpus_bytes: u64,
    crashes: Vec<PathBuf>,
    wall_secs: u64,
}

/// `cargo xtask fuzz ...`
pub fn run(args: &[String]) -> Result<()> {
    let mut seconds: u64 = 60;
    let mut only: Vec<String> = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--seconds" => {
                let value = iter.next().context("--seconds needs a number")?;
                seconds = value.parse().ok().filter(|&s| s > 0).with_context(|| {
                    format!("--seconds {value:?}: expected a positive whole number")
                })?;
            }
            "--target" => {
                let name = iter.next().context("--target needs a target name")?;
                if !TARGETS.iter().any(|t| t.name == name) {
                    bail!("--target {name:?}: no such fuzz target (try --list)");
                }
                only.push(name.clone());
            }
            "--list" => {
                for target in TARGETS {
                    println!("{}", target.name);
                }
                return Ok(());
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => bail!("unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    let targets: Vec<&Target> = TARGETS
        .iter()
        .filter(|t| only.is_empty() || only.iter().any(|name| name == t.name))
        .collect();

    ensure_cargo_fuzz()?;
    let fuzz_dir = root().join("fuzz");
    // `cargo fuzz build` takes one target or none (= all of them).
    let builds: Vec<Option<&str>> = if only.is_empty() {
        vec![None]
    } else {
        targets.iter().map(|t| Some(t.name)).collect()
    };
    for name in builds {
        let mut build = nightly_cargo();
        build
            .args(["fuzz", "build"])
            .args(SANITIZER)
            .arg("--fuzz-dir")
            .arg(&fuzz_dir)
            .args(name);
        eprintln!(
            "xtask: cargo +nightly fuzz build {} (one job)",
            name.unwrap_or("(every target)")
        );
        let status = build
            .status()
            .context("could not run cargo +nightly fuzz build")?;
        if !status.success() {
            bail!(
                "cargo +nightly fuzz build failed ({status}); is the nightly toolchain installed? \
                 (rustup toolchain install nightly)"
            );
        }
    }

    let mut outcomes = Vec::new();
    for target in targets {
        let corpus = fuzz_dir.join("corpus").join(target.name);
        let seeded = seed(target, &corpus)?;
        eprintln!(
            "xtask: fuzzing {} for {seconds} s ({seeded} seed files added to {})",
            target.name,
            corpus.display()
        );
        outcomes.push(fuzz_one(target, &fuzz_dir, &corpus, seconds)?);
    }

    print_report(&outcomes);
    let crashed: Vec<&Outcome> = outcomes.iter().filter(|o| !o.crashes.is_empty()).collect();
    if !crashed.is_empty() {
        for outcome in &crashed {
            for crash in &outcome.crashes {
                eprintln!(
                    "xtask: {} crashed: reproduce with `cargo +nightly fuzz run {} {}`, \
                     minimize with `cargo +nightly fuzz tmin {} {}`",
                    outcome.name,
                    outcome.name,
                    crash.display(),
                    outcome.name,
                    crash.display()
                );
            }
        }
        bail!("{} fuzz target(s) found a crash", crashed.len());
    }
    Ok(())
}

/// `cargo +nightly` through rustup, at the workspace root, limited to one build job, without
/// the variables `cargo run` set for this process (they name the stable toolchain).
fn nightly_cargo() -> Command {
    let mut cmd = Command::new("cargo");
    cmd.arg("+nightly")
        .current_dir(root())
        .env("CARGO_BUILD_JOBS", "1")
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC")
        .env_remove("RUSTUP_TOOLCHAIN");
    cmd
}

/// Installs cargo-fuzz when `cargo fuzz` is not there.
fn ensure_cargo_fuzz() -> Result<()> {
    let present = nightly_cargo()
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if present {
        return Ok(());
    }
    eprintln!("xtask: cargo-fuzz is missing, installing it (cargo install cargo-fuzz --locked)");
    let status = Command::new("cargo")
        .args(["install", "cargo-fuzz", "--locked"])
        .env("CARGO_BUILD_JOBS", "1")
        .env_remove("CARGO")
        .env_remove("RUSTUP_TOOLCHAIN")
        .status()
        .context("could not run cargo install cargo-fuzz")?;
    if !status.success() {
        bail!("cargo install cargo-fuzz failed ({status})");
    }
    Ok(())
}

/// Adds the target's seeds to its corpus directory (creating it); returns how many files were
/// new. Existing corpus entries (what earlier runs found) are kept.
fn seed(target: &Target, corpus: &Path) -> Result<usize> {
    fs::create_dir_all(corpus).with_context(|| format!("creating {}", corpus.display()))?;
    let mut added = 0;
    let mut add = |name: String, bytes: &[u8]| -> Result<()> {
        let path = corpus.join(name);
        if !path.exists() {
            fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
            added += 1;
        }
        Ok(())
    };
    match target.seeds {
        Seeds::Identifiers => {
            for (i, seed) in ID_SEEDS.iter().enumerate() {
                add(format!("seed-{i:02}"), seed.as_bytes())?;
            }
        }
        Seeds::FieldGlobs => {
            for (i, seed) in FIELD_GLOB_SEEDS.iter().enumerate() {
                add(format!("seed-{i:02}"), seed.as_bytes())?;
            }
        }
        Seeds::MonitorFilters => {
            for (i, seed) in MONITOR_FILTER_SEEDS.iter().enumerate() {
                add(format!("seed-{i:02}"), seed.as_bytes())?;
            }
        }
        Seeds::YaraRules => {
            for (i, seed) in YARA_SEEDS.iter().enumerate() {
                add(format!("seed-{i:02}"), seed.as_bytes())?;
            }
        }
        Seeds::Fixtures => {
            let fixtures = fixtures_dir();
            if !fixtures.is_dir() {
                bail!(
                    "the real-response corpus is missing at {} (set VT_FIXTURES_DIR); \
                     model_decode is seeded from it",
                    fixtures.display()
                );
            }
            let mut files = Vec::new();
            collect_json(&fixtures, &mut files)?;
            files.sort();
            for file in files {
                let size = fs::metadata(&file)?.len();
                if size > MAX_SEED_BYTES {
                    continue;
                }
                let relative = file.strip_prefix(&fixtures).unwrap_or(&file);
                let name = format!(
                    "fixture-{}",
                    relative.to_string_lossy().replace(['/', '\\'], "-")
                );
                let bytes =
                    fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
                add(name, &bytes)?;
            }
        }
    }
    Ok(added)
}

/// Every `*.json` file under `dir`, recursively.
fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect_json(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

/// The files of `dir` (not recursive) and their total size.
fn dir_size(dir: &Path) -> (usize, u64) {
    let Ok(entries) = fs::read_dir(dir) else {
        return (0, 0);
    };
    entries
        .filter_map(|e| e.ok()?.metadata().ok())
        .filter(|m| m.is_file())
        .fold((0, 0), |(n, bytes), m| (n + 1, bytes + m.len()))
}

/// Runs one target under `nice -n 10` for `seconds`, echoing libFuzzer's output.
fn fuzz_one(target: &Target, fuzz_dir: &Path, corpus: &Path, seconds: u64) -> Result<Outcome> {
    let artifacts = fuzz_dir.join("artifacts").join(target.name);
    fs::create_dir_all(&artifacts)?;
    let before: Vec<PathBuf> = crash_files(&artifacts);

    let mut cmd = Command::new("nice");
    cmd.args([
        "-n", "10", "cargo", "+nightly", "fuzz", "run", "--jobs", "1",
    ])
    .args(SANITIZER)
    .arg("--fuzz-dir")
    .arg(fuzz_dir)
    .arg(target.name)
    .arg(corpus)
    .arg("--")
    .arg(format!("-max_total_time={seconds}"))
    .arg(format!("-max_len={}", target.max_len))
    .arg("-timeout=10")
    .arg("-rss_limit_mb=2048")
    .arg("-print_final_stats=1")
    .arg(format!(
        "-dict={}",
        fuzz_dir.join("dicts").join(target.dict).display()
    ))
    .arg(format!("-artifact_prefix={}/", artifacts.display()))
    .current_dir(root())
    .env("CARGO_BUILD_JOBS", "1")
    .env_remove("CARGO")
    .env_remove("RUSTC")
    .env_remove("RUSTDOC")
    .env_remove("RUSTUP_TOOLCHAIN")
    .stdout(Stdio::inherit())
    .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("could not start cargo fuzz run {}", target.name))?;
    let mut status_line = None;
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap_or_default();
            eprintln!("{line}");
            if line.starts_with('#') && line.contains("cov:") {
                status_line = Some(line.trim().to_string());
            }
        }
    }
    let status = child.wait()?;
    let wall_secs = started.elapsed().as_secs();
    let crashes: Vec<PathBuf> = crash_files(&artifacts)
        .into_iter()
        .filter(|p| !before.contains(p))
        .collect();
    if !status.success() && crashes.is_empty() {
        bail!(
            "cargo fuzz run {} failed ({status}) without leaving a reproducer in {}",
            target.name,
            artifacts.display()
        );
    }
    let (corpus_files, corpus_bytes) = dir_size(corpus);
    Ok(Outcome {
        name: target.name,
        seconds,
        status: status_line,
        corpus_files,
        corpus_bytes,
        crashes,
        wall_secs,
    })
}

/// The reproducers libFuzzer left (crash-, oom-, timeout-, leak- files).
fn crash_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                let n = n.to_string_lossy();
                ["crash-", "oom-", "timeout-", "leak-"]
                    .iter()
                    .any(|prefix| n.starts_with(prefix))
            })
        })
        .collect();
    files.sort();
    files
}

/// The value after `key` in a libFuzzer status line (`#123 DONE cov: 45 ft: 67 corp: 8/9Kb
/// lim: 10 exec/s: 11 rss: 12Mb`).
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let mut words = line.split_whitespace();
    words.find(|w| *w == key)?;
    words.next()
}

/// The executions count of a status line (`#123` → 123).
fn executions(line: &str) -> Option<&str> {
    line.split_whitespace().next()?.strip_prefix('#')
}

/// Prints the figures as a Markdown table, ready for `docs/reliability.md`.
fn print_report(outcomes: &[Outcome]) {
    let date = Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("\nFuzzing run of {date}, {cpu}, {cores} cores (one used), nice 10:\n");
    println!(
        "| target | seconds | executions | exec/s | cov | ft | corpus (files, bytes) | crashes | libFuzzer's final line |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for o in outcomes {
        let line = o.status.as_deref().unwrap_or("");
        println!(
            "| {} | {} ({} wall) | {} | {} | {} | {} | {}, {} | {} | `{}` |",
            o.name,
            o.seconds,
            o.wall_secs,
            executions(line).unwrap_or("?"),
            field(line, "exec/s:").unwrap_or("?"),
            field(line, "cov:").unwrap_or("?"),
            field(line, "ft:").unwrap_or("?"),
            o.corpus_files,
            o.corpus_bytes,
            o.crashes.len(),
            line
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DONE: &str =
        "#1234567\tDONE   cov: 2468 ft: 9876 corp: 812/95Kb lim: 1024 exec/s: 2057 rss: 512Mb";

    #[test]
    fn reads_libfuzzer_final_line() {
        assert_eq!(executions(DONE), Some("1234567"));
        assert_eq!(field(DONE, "cov:"), Some("2468"));
        assert_eq!(field(DONE, "ft:"), Some("9876"));
        assert_eq!(field(DONE, "exec/s:"), Some("2057"));
        assert_eq!(field(DONE, "missing:"), None);
    }

    #[test]
    fn every_target_has_a_source_and_a_dictionary() {
        let fuzz = root().join("fuzz");
        for target in TARGETS {
            let source = fuzz
                .join("fuzz_targets")
                .join(format!("{}.rs", target.name));
            assert!(source.is_file(), "{} is missing", source.display());
            let dict = fuzz.join("dicts").join(target.dict);
            assert!(dict.is_file(), "{} is missing", dict.display());
        }
    }
}
