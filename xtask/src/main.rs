//! `cargo xtask`: the project's tasks.
//!
//! - `cargo xtask ci`: formatting, lints and every test (the README's test command; `.ci/run`
//!   calls it).
//! - `cargo xtask demo`: builds `vt`, starts the embedded emulator and runs a short tour
//!   against it, offline, with no API key of yours.
//! - `cargo xtask bench`: the benchmarks (see `docs/benchmarks.md`).
//! - `cargo xtask cycles`: import cycles between the files of a crate (none allowed).
//! - `cargo xtask dist`: `vt` with its man pages and shell completions in `target/dist/`,
//!   ready to package.

use std::env;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

mod bench;
mod dist;
mod fuzz;
mod import_cycles;
mod reliability;
mod workspace;

use workspace::{cargo, fixtures_dir, root, run};

const USAGE: &str = "usage: cargo xtask <ci|demo|bench|dist|fuzz|reliability|cycles>

  ci     cargo fmt --check, cargo deny (when installed), cargo clippy -D warnings, cargo test
         --workspace (with doc tests), the transport tests with rustls, no OpenSSL in a rustls
         `vt`, cargo doc -D warnings, cargo package --workspace
  demo   build vt (release; --debug: the dev profile, quicker to build), start `vt emulator
         serve` on 127.0.0.1 and run a short tour
  bench  run the benchmarks
  dist   build vt (release; --profile NAME) and write it with its man pages and shell
         completions to target/dist/ (--out DIR)
  fuzz   every cargo-fuzz target in turn, one core (--seconds N each, --target NAME, --list)
  reliability  fault-injection suite against the emulator (--quick: small counts)
  cycles  import cycles between the files of each crate (none allowed; also a unit test)";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("demo") => demo(&args[1..]),
        Some("bench") => bench(&args[1..]),
        Some("dist") => dist::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("cycles") => import_cycles::run(&root()),
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
    // Seconds, against the lock file only: a licence or duplicate refused fails before the
    // twenty minutes of building.
    cargo_deny()?;

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

    let mut rustls = cargo();
    rustls.args(RUSTLS_TRANSPORT_TESTS);
    run(
        &format!("cargo {}", RUSTLS_TRANSPORT_TESTS.join(" ")),
        rustls,
    )?;
    no_openssl_with_rustls()?;

    let mut doc = cargo();
    doc.args(["doc", "--workspace", "--no-deps"])
        .env("RUSTDOCFLAGS", "-D warnings");
    run(
        "cargo doc --workspace --no-deps (RUSTDOCFLAGS=-D warnings)",
        doc,
    )?;

    // Packs every publishable crate and builds each from its package (unpublished path
    // dependencies come from the packages made in the same run).
    forget_packaged_sources()?;
    // Cargo takes a registry crate's build as done whatever its source: a build of a previous
    // run's package of vt-model (same name and version) would be reused. Our crates are
    // rebuilt anyway by the verification.
    let mut clean = cargo();
    clean.args(["clean", "--quiet"]);
    for krate in PUBLISHED {
        clean.args(["-p", krate]);
    }
    run("cargo clean -p <each published crate>", clean)?;
    let mut package = cargo();
    package.args([
        "package",
        "--workspace",
        "--exclude",
        "xtask",
        "--exclude",
        "vt-test-support",
        "--allow-dirty",
    ]);
    run("cargo package --workspace (publishable crates)", package)
}

/// The crates `cargo package` packs, in dependency order.
const PUBLISHED: [&str; 8] = [
    "vt-model",
    "vt-transport",
    "vt-yara",
    "vt-api",
    "vt-cache",
    "vt-redis",
    "vt-emulator",
    "vt-cli",
];

/// Our crates as an earlier `cargo package` unpacked them from its local overlay registry
/// (`$CARGO_HOME/registry/src/-<hash>/vt-api-0.1.0`, ...). Cargo reuses such a folder when the
/// version is the same, so a second run would verify vt-api against the previous run's
/// vt-model: they are removed first. Only folders of the local overlay (names starting with
/// `-`) and of our own crates are touched.
fn forget_packaged_sources() -> Result<()> {
    let cargo_home = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::home_dir().map(|h| h.join(".cargo")));
    let Some(src) = cargo_home.map(|h| h.join("registry").join("src")) else {
        return Ok(());
    };
    let Ok(registries) = std::fs::read_dir(&src) else {
        return Ok(());
    };
    let ours: Vec<String> = PUBLISHED.iter().map(|c| format!("{c}-")).collect();
    for registry in registries.flatten() {
        if !registry.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        for krate in std::fs::read_dir(registry.path())?.flatten() {
            let name = krate.file_name().to_string_lossy().into_owned();
            if ours.iter().any(|p| name.starts_with(p)) {
                std::fs::remove_dir_all(krate.path())
                    .with_context(|| format!("removing {}", krate.path().display()))?;
            }
        }
    }
    Ok(())
}

/// The transport's tests with rustls instead of native-tls.
const RUSTLS_TRANSPORT_TESTS: [&str; 6] = [
    "test",
    "-p",
    "vt-transport",
    "--no-default-features",
    "--features",
    "rustls",
];

/// `vt` with rustls only: no `openssl-sys` among its normal dependencies, and it builds.
fn no_openssl_with_rustls() -> Result<()> {
    let features = [
        "-p",
        "vt-cli",
        "--no-default-features",
        "--features",
        "rustls",
    ];
    let mut tree = cargo();
    tree.args([
        "tree", "-e", "normal", "--prefix", "none", "--format", "{p}",
    ])
    .args(features);
    eprintln!(
        "xtask: cargo tree {} (looking for OpenSSL)",
        features.join(" ")
    );
    let out = tree.output().context("could not start cargo tree")?;
    if !out.status.success() {
        bail!(
            "cargo tree failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let tree = String::from_utf8_lossy(&out.stdout);
    // `openssl-probe` (rustls-native-certs finds the system's certificate files with it) is
    // plain Rust and links nothing.
    let openssl: Vec<&str> = tree
        .lines()
        .filter(|l| {
            ["openssl ", "openssl-sys ", "native-tls "]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .collect();
    if !openssl.is_empty() {
        bail!(
            "vt built with --no-default-features --features rustls still depends on {}",
            openssl.join(", ")
        );
    }
    if !tree.lines().any(|l| l.starts_with("rustls ")) {
        bail!("vt built with --features rustls does not depend on rustls");
    }
    let mut build = cargo();
    build.arg("build").args(features);
    run(&format!("cargo build {}", features.join(" ")), build)
}

/// `cargo deny check licenses bans sources` when cargo-deny is installed (`.ci/run` installs
/// it). Advisories need the RustSec database from GitHub: `cargo deny check advisories` runs
/// where GitHub is reachable, not here.
fn cargo_deny() -> Result<()> {
    let installed = cargo()
        .args(["deny", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        eprintln!(
            "xtask: cargo-deny is not installed: skipping `cargo deny check` \
             (`cargo install --locked cargo-deny`)"
        );
        return Ok(());
    }
    let mut deny = cargo();
    deny.args(["deny", "check", "licenses", "bans", "sources"]);
    run("cargo deny check licenses bans sources", deny)
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

fn demo(args: &[String]) -> Result<()> {
    // `--debug` runs the same tour on a dev-profile `vt`: on a machine whose release build
    // is cold, that is minutes instead of a quarter of an hour.
    let (profile_args, profile_dir): (&[&str], &str) = match args {
        [] => (&["--release"], "release"),
        [flag] if flag == "--debug" => (&[], "debug"),
        _ => bail!("usage: cargo xtask demo [--debug]"),
    };
    let mut build = cargo();
    build.args(["build", "-p", "vt-cli"]).args(profile_args);
    run(
        &format!("cargo build -p vt-cli {}", profile_args.join(" ")),
        build,
    )?;
    let target = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let vt = target.join(profile_dir).join("vt");

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
    let zip = env::temp_dir().join(format!("vt-demo-{}.zip", std::process::id()));
    let zip_path = zip.to_string_lossy().into_owned();
    let eicar_sha256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";
    let eicar_md5 = "44d88612fea8a8f36de82e1278abb02f";
    // SHA-256 of the sample's text above; the file scan uploads it, so the emulator has it.
    let sample_sha256 = "fc8784e88006db75d169f6601f3c4d9484e56a21bfb95f89ab5829a780ebf95d";
    // Livehunt: a rule file checked locally, a ruleset made of it, an upload it matches.
    let rules = env::temp_dir().join(format!("vt-demo-{}.yar", std::process::id()));
    std::fs::write(
        &rules,
        "rule demo_eicar : test {\n  strings:\n    $a = \"EICAR-STANDARD-ANTIVIRUS-TEST-FILE\"\n  condition:\n    $a\n}\n",
    )?;
    let rules_path = rules.to_string_lossy().into_owned();
    let eicar = env::temp_dir().join(format!("vt-demo-{}.com", std::process::id()));
    std::fs::write(
        &eicar,
        br"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*",
    )?;
    let eicar_path = eicar.to_string_lossy().into_owned();
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
        (
            "an Intelligence search: files 20 or more engines detect, most detected first",
            vec![
                "search",
                "p:20+",
                "--order",
                "positives-",
                "--limit",
                "3",
                "-i",
                "id",
                "-i",
                "attributes.meaningful_name",
                "-i",
                "attributes.last_analysis_stats",
            ],
        ),
        (
            "one password-protected ZIP of several files, built by the server",
            vec![
                "download",
                "--zip",
                &zip_path,
                "--password",
                "infected",
                eicar_sha256,
                sample_sha256,
            ],
        ),
        (
            "a minute of the file feed (the newest package; ids only, drop -I for the NDJSON)",
            vec!["feed", "files", "-I"],
        ),
        (
            "the newest minute of the URL feed, as NDJSON",
            vec!["feed", "urls"],
        ),
        (
            "a local YARA rule check (VirusTotal's yara-x, offline: no key, no request)",
            vec!["yara", "check", &rules_path],
        ),
        (
            "a Livehunt ruleset from those rules (compiled locally before it is sent)",
            vec![
                "hunting",
                "ruleset",
                "create",
                "demo EICAR hunt",
                &rules_path,
            ],
        ),
        (
            "an upload the ruleset matches",
            vec!["scan", "file", &eicar_path],
        ),
        (
            "the Livehunt notification it raised, with its file",
            vec![
                "hunting",
                "notifications",
                "list",
                "--filter",
                "tag:demo_eicar",
            ],
        ),
        (
            "a Retrohunt job with the same rules, followed to its end (about 15 s on the emulator)",
            vec!["retrohunt", "start", &rules_path, "--wait"],
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
    // The files the Retrohunt job matched: its id is the newest job's.
    let vt_cmd = || {
        let mut c = Command::new(&vt);
        c.env("VT_BASE_URL", &base_url)
            .env("VT_API_KEY", key)
            .env("VT_RATE_LIMIT", "none")
            .env_remove("VT_CONFIG");
        c
    };
    let newest = vt_cmd()
        .args(["retrohunt", "list", "--limit", "1", "-I"])
        .output()
        .context("could not run vt retrohunt list")?;
    let job = String::from_utf8_lossy(&newest.stdout).trim().to_owned();
    println!("\n== the files the Retrohunt job matched: vt retrohunt matches {job}");
    let status = vt_cmd()
        .args(["retrohunt", "matches", &job])
        .env("VT_FORMAT", "human")
        .status()
        .context("could not run vt retrohunt matches")?;
    if job.is_empty() || !status.success() {
        failures += 1;
        eprintln!("xtask: `vt retrohunt matches {job}` failed ({status})");
    }
    // The IoC stream gathers both: the Livehunt notification and the Retrohunt match.
    let stream_args = ["iocstream", "list", "--filter", "origin:hunting"];
    println!(
        "\n== the IoC stream: the Livehunt notification and the Retrohunt match: vt {}",
        stream_args.join(" ")
    );
    let status = vt_cmd()
        .args(stream_args)
        .args([
            "-i",
            "id",
            "-i",
            "context_attributes.sources",
            "-i",
            "context_attributes.hunting_info.rule_name",
        ])
        .env("VT_FORMAT", "human")
        .status()
        .context("could not run vt iocstream list")?;
    if !status.success() {
        failures += 1;
        eprintln!("xtask: `vt {}` failed ({status})", stream_args.join(" "));
    }
    let _ = std::fs::remove_file(&sample);
    let _ = std::fs::remove_file(&zip);
    let _ = std::fs::remove_file(&rules);
    let _ = std::fs::remove_file(&eicar);
    if failures > 0 {
        bail!("{failures} step(s) of the demo failed");
    }
    println!("\nxtask: demo finished: every step ran against the local emulator at {base_url}");
    Ok(())
}
