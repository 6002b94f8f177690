//! `cargo xtask`: the project's tasks.
//!
//! - `cargo xtask ci`: formatting, lints and every test (the README's test command; `.ci/run`
//!   calls it).
//! - `cargo xtask demo`: builds `vt`, starts the embedded emulator and runs a short tour
//!   against it, offline, with no API key of yours.
//! - `cargo xtask bench`: the benchmarks (see `docs/benchmarks.md`).

use std::env;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

mod bench;
mod fuzz;
mod reliability;

const USAGE: &str = "usage: cargo xtask <ci|demo|bench|fuzz>

  ci     cargo fmt --check, cargo clippy -D warnings, cargo test --workspace (with doc tests)
  demo   build vt (release), start `vt emulator serve` on 127.0.0.1 and run a short tour
  bench  run the benchmarks
  fuzz   every cargo-fuzz target in turn, one core (--seconds N each, --target NAME, --list)
  reliability  fault-injection suite against the emulator (--quick: small counts)";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("demo") => demo(),
        Some("bench") => bench(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("reliability") => reliability::run_reliability(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => {
            eprintln!("xtask: unknown task `{other}`\n\n{USAGE}");
            return ExitCode::from(2);
        }
        None => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate's directory).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn cargo() -> Command {
    let mut cmd = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

fn run(what: &str, mut cmd: Command) -> Result<()> {
    eprintln!("xtask: {what}");
    let status = cmd
        .status()
        .with_context(|| format!("could not start {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

/// The real-response corpus beside the project, unless `VT_FIXTURES_DIR` says otherwise.
fn fixtures_dir() -> PathBuf {
    env::var_os("VT_FIXTURES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/fixtures/vt-json"))
}

fn ci() -> Result<()> {
    let fixtures = fixtures_dir();
    if !fixtures.is_dir() {
        bail!(
            "the real-response corpus is missing at {} (set VT_FIXTURES_DIR)",
            fixtures.display()
        );
    }
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--check"]);
    run("cargo fmt --all --check", fmt)?;

    let mut clippy = cargo();
    clippy.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    run(
        "cargo clippy --workspace --all-targets -- -D warnings",
        clippy,
    )?;

    let mut test = cargo();
    test.args(["test", "--workspace"])
        .env("VT_FIXTURES_DIR", &fixtures)
        .env("RUSTDOCFLAGS", "-D warnings");
    run("cargo test --workspace", test)?;
    Ok(())
}

fn bench(args: &[String]) -> Result<()> {
    bench::run_bench(args)
}

/// A port that was free a moment ago on 127.0.0.1.
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding 127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn demo() -> Result<()> {
    let mut build = cargo();
    build.args(["build", "--release", "-p", "vt-cli"]);
    run("cargo build --release -p vt-cli", build)?;
    let target = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let vt = target.join("release").join("vt");

    let port = free_port()?;
    let base_url = format!("http://127.0.0.1:{port}");
    let key = "demo-key";
    eprintln!("xtask: starting the emulator on {base_url}");
    let server = Command::new(&vt)
        .args([
            "emulator",
            "serve",
            "--port",
            &port.to_string(),
            "--seed",
            "42",
        ])
        .args(["--key", &format!("{key}:premium")])
        .stdout(Stdio::null())
        .spawn()
        .with_context(|| format!("could not start {}", vt.display()))?;
    let _server = KillOnDrop(server);
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let started = Instant::now();
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        if started.elapsed() > Duration::from_secs(20) {
            bail!("the emulator did not start listening on {base_url}");
        }
        thread::sleep(Duration::from_millis(50));
    }

    let sample = env::temp_dir().join(format!("vt-demo-{}.txt", std::process::id()));
    std::fs::write(&sample, b"a file made up for the vt-rs demo\n")?;
    let sample_path = sample.to_string_lossy().into_owned();
    let eicar_sha256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";
    let eicar_md5 = "44d88612fea8a8f36de82e1278abb02f";
    let tour: Vec<(&str, Vec<&str>)> = vec![
        (
            "a hash report (the EICAR test file)",
            vec!["file", eicar_sha256],
        ),
        (
            "local identifiers of a file",
            vec!["hash", "--alg", "all", &sample_path],
        ),
        (
            "a file scan, waiting for the analysis",
            vec!["scan", "file", "--wait", &sample_path],
        ),
        (
            "a URL scan",
            vec!["scan", "url", "--wait", "https://example.com/demo"],
        ),
        (
            "a private scan (shared with no one; sandbox output only), waiting for it",
            vec!["scan", "file", "--private", "--wait", &sample_path],
        ),
        ("a domain", vec!["domain", "example.com"]),
        ("an IP address", vec!["ip", "8.8.8.8"]),
        (
            "Monitor items with detections",
            vec!["monitor", "items", "--tag", "detected", "--limit", "5"],
        ),
        (
            "the legacy v2 file report",
            vec!["v2", "file-report", eicar_md5],
        ),
    ];
    let mut failures = 0;
    for (what, args) in &tour {
        println!("\n== {what}: vt {}", args.join(" "));
        let status = Command::new(&vt)
            .args(args)
            .env("VT_BASE_URL", &base_url)
            .env("VT_API_KEY", key)
            .env("VT_FORMAT", "human")
            // The emulator has no quota unless told to: no need to keep to the public rate.
            .env("VT_RATE_LIMIT", "none")
            .env_remove("VT_CONFIG")
            .status()
            .with_context(|| format!("could not run vt {}", args.join(" ")))?;
        if !status.success() {
            failures += 1;
            eprintln!("xtask: `vt {}` failed ({status})", args.join(" "));
        }
    }
    let _ = std::fs::remove_file(&sample);
    if failures > 0 {
        bail!("{failures} step(s) of the demo failed");
    }
    println!("\nxtask: demo finished: every step ran against the local emulator at {base_url}");
    Ok(())
}
