//! Shared harness of the reliability tests (`bad_input`, `secrets`, `paths`, `faults`): an
//! in-process emulator on its own runtime and `vt` with a clean environment.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use vt_emulator::{
    AnalysisTiming, DEFAULT_PREMIUM_KEY, Emulator, EmulatorConfig, EmulatorHandle, LoggedRequest,
};

#[allow(unused_imports)]
pub use vt_emulator::DEFAULT_PUBLIC_KEY;

/// The premium key of the emulator.
pub const KEY: &str = DEFAULT_PREMIUM_KEY;

/// An emulator kept alive with its runtime.
pub struct Emu {
    pub handle: EmulatorHandle,
    _runtime: tokio::runtime::Runtime,
    home: tempfile::TempDir,
}

impl Emu {
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
        }
    }

    pub fn url(&self) -> String {
        self.handle.base_url().to_owned()
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
        let mut cmd = self.vt_without_key();
        cmd.env("VT_API_KEY", KEY);
        cmd
    }

    pub fn vt_without_key(&self) -> Command {
        let mut cmd = Command::cargo_bin("vt").unwrap();
        for (k, _) in std::env::vars() {
            if k.starts_with("VT_") || k == "NO_COLOR" || k == "RUST_LOG" {
                cmd.env_remove(k);
            }
        }
        cmd.env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.home().join("config"))
            .env("VT_BASE_URL", self.url())
            .env("VT_RATE_LIMIT", "none")
            .env("NO_COLOR", "1")
            .current_dir(self.home())
            .timeout(std::time::Duration::from_secs(60));
        cmd
    }

    pub fn eicar(&self) -> String {
        self.handle.dataset().eicar().unwrap().sha256.clone()
    }
}

/// What a run of `vt` gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
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
