//! The one harness of vt-cli's tests through the binary (`e2e`, `feed`, `cache`,
//! `outcomes`, `progress`, `bad_input`, `secrets`, `paths`, `faults`): an in-process emulator on its own
//! runtime, `vt` with a clean environment pointed at it, and helpers to run, watch and
//! signal `vt` processes.

#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;
use vt_emulator::{
    AnalysisTiming, DEFAULT_PREMIUM_KEY, Emulator, EmulatorConfig, EmulatorHandle, FaultRule,
    LoggedRequest,
};

#[allow(unused_imports)]
pub use vt_emulator::DEFAULT_PUBLIC_KEY;

/// The premium key of the emulator.
pub const KEY: &str = DEFAULT_PREMIUM_KEY;

/// An emulator kept alive with its runtime, and a scratch HOME for the `vt` runs against it.
pub struct Emu {
    pub handle: EmulatorHandle,
    _runtime: tokio::runtime::Runtime,
    home: tempfile::TempDir,
    /// Whether `vt` runs against it use the report cache (in HOME; on, as for a user).
    cache: bool,
}

impl Emu {
    /// Starts an emulator: analyses complete on the first poll, the small dataset, a request
    /// log; `configure` changes what a test needs.
    pub fn start(configure: impl FnOnce(&mut EmulatorConfig)) -> Emu {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let mut cfg = EmulatorConfig {
            analysis: AnalysisTiming::IMMEDIATE,
            dataset: vt_emulator::DatasetConfig::small(),
            request_log_capacity: 100_000,
            ..EmulatorConfig::default()
        };
        configure(&mut cfg);
        let handle = runtime
            .block_on(Emulator::from_config(cfg).start())
            .unwrap();
        Emu {
            handle,
            _runtime: runtime,
            home: tempfile::tempdir().unwrap(),
            cache: true,
        }
    }

    /// [`Emu::start`], with `vt`'s report cache off (`VT_NO_CACHE=1`) for every run against
    /// it: for tests that count requests and are not about the cache (tests/cache.rs is).
    pub fn start_uncached(configure: impl FnOnce(&mut EmulatorConfig)) -> Emu {
        Emu {
            cache: false,
            ..Emu::start(configure)
        }
    }

    pub fn url(&self) -> String {
        self.handle.base_url().to_owned()
    }

    /// Every request served so far (API and `/_emulator`).
    pub fn requests(&self) -> u64 {
        self.handle.stats().requests_total
    }

    /// The API requests logged so far (not `/_emulator`).
    pub fn api_requests(&self) -> Vec<LoggedRequest> {
        self.handle
            .stats()
            .request_log
            .into_iter()
            .filter(|r| !r.path.starts_with("/_emulator"))
            .collect()
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// `vt` with a clean environment (own HOME, no VT_* variables), the premium key and
    /// `--rate-limit none`, pointed at this emulator.
    pub fn vt(&self) -> Command {
        self.vt_with_key(KEY)
    }

    /// [`Emu::vt`] with another key.
    pub fn vt_with_key(&self, key: &str) -> Command {
        let mut cmd = self.vt_without_key();
        cmd.env("VT_API_KEY", key);
        cmd
    }

    pub fn vt_without_key(&self) -> Command {
        let mut cmd = clean_vt(self.home());
        cmd.env("VT_BASE_URL", self.url());
        if !self.cache {
            cmd.env("VT_NO_CACHE", "1");
        }
        cmd
    }

    /// `vt` as a `std::process::Command` (for a child to watch, signal or kill) with the
    /// environment of [`Emu::vt`], cleared of everything else.
    pub fn process(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("vt"));
        cmd.env_clear()
            .env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.home().join("config"))
            .env("VT_BASE_URL", self.url())
            .env("VT_API_KEY", KEY)
            .env("VT_RATE_LIMIT", "none")
            .current_dir(self.home());
        if !self.cache {
            cmd.env("VT_NO_CACHE", "1");
        }
        cmd
    }

    /// `vt ARGS` started by [`Emu::process`], stdin empty, stdout and stderr piped.
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.process()
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    pub fn eicar(&self) -> String {
        self.handle.dataset().eicar().unwrap().sha256.clone()
    }
}

/// `vt` with a clean environment: HOME and the config directory in `home`, no VT_*
/// variables, `--rate-limit none`, no colour, a 60 s timeout.
pub fn clean_vt(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("vt").unwrap();
    for (k, _) in std::env::vars() {
        if k.starts_with("VT_") || k == "NO_COLOR" || k == "RUST_LOG" {
            cmd.env_remove(k);
        }
    }
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("VT_RATE_LIMIT", "none")
        .env("NO_COLOR", "1")
        .current_dir(home)
        .timeout(Duration::from_secs(60));
    cmd
}

/// What a run of `vt` gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Stdout as one JSON document.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }
}

pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// [`run`], asserting exit 0.
pub fn run_ok(cmd: &mut Command) -> Run {
    let r = run(cmd);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    r
}

/// Every file below `dir`, recursively.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_below(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The lines of an NDJSON file (`--output`), each parsed; none if it does not exist.
pub fn ndjson_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// An emulator injecting these faults (`"transient=0.2@/api/v3/files"`, ...).
pub fn with_faults(rules: &[&str]) -> Emu {
    let rules: Vec<FaultRule> = rules.iter().map(|r| r.parse().unwrap()).collect();
    Emu::start(|cfg| cfg.faults.rules = rules)
}

/// Polls `ready` every 20 ms for up to 30 s; fails naming `what` if it never holds.
pub fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready() {
        assert!(Instant::now() < deadline, "{what} never happened");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends a signal (`"-INT"`, `"-TERM"`) to a child with kill(1).
pub fn signal(child: &Child, name: &str) {
    let status = std::process::Command::new("kill")
        .args([name, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Reads `from` on a thread into a shared buffer, for tests that watch a child's output as
/// it comes; the handle ends with the stream.
pub fn collect(
    mut from: impl Read + Send + 'static,
) -> (Arc<Mutex<Vec<u8>>>, std::thread::JoinHandle<()>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    (seen, reader)
}

/// `vt config show` with the Redis URL `redis://:hunter2@10.0.0.5:6380/3` in `variable`: the
/// setting `field` shows it with the password hidden, from the environment, and the
/// password appears nowhere.
pub fn config_show_hides_the_password(emu: &Emu, variable: &str, field: &str) {
    let r = run(emu
        .vt()
        .env(variable, "redis://:hunter2@10.0.0.5:6380/3")
        .args(["config", "show", "--format", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let setting = &v["attributes"][field];
    assert_eq!(setting["value"], "redis://:***@10.0.0.5:6380/3", "{v}");
    assert_eq!(setting["source"], "environment");
    assert!(!r.stdout.contains("hunter2"));
}

/// A run refused because the Redis at `127.0.0.1:port` (given with the password `hunter2`)
/// did not answer: exit 5, one line naming the address and not the password, nothing sent.
pub fn assert_refused_as_unreachable(emu: &Emu, r: &Run, port: u16) {
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("unreachable"), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("127.0.0.1:{port}")),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("hunter2"), "{}", r.stderr);
    assert!(emu.api_requests().is_empty());
}

/// `count` file hashes the emulator knows, then one it does not.
pub fn known_files_then_unknown(emu: &Emu, count: usize) -> Vec<String> {
    let mut v: Vec<String> = emu.handle.dataset().files()[..count]
        .iter()
        .map(|f| f.sha256.clone())
        .collect();
    v.push("0000000000000000000000000000000a".into());
    v
}

/// `--format FORMAT file HASH...`.
pub fn file_args<'a>(format: &'a str, hashes: &'a [String]) -> Vec<&'a str> {
    let mut args = vec!["--format", format, "file"];
    args.extend(hashes.iter().map(String::as_str));
    args
}
