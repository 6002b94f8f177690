//! What every reliability scenario shares: the emulator's keys, the binaries, the fault
//! server process, running `vt` against it, the row of the table.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// Premium and public keys of the emulator (`vt_emulator::DEFAULT_*_KEY`).
pub(crate) const PREMIUM_KEY: &str =
    "0000000000000000000000000000000000000000000000000000000000000001";
pub(crate) const PUBLIC_KEY: &str =
    "0000000000000000000000000000000000000000000000000000000000000002";

#[derive(Default)]
pub(crate) struct Row {
    pub(crate) scenario: String,
    pub(crate) inputs: usize,
    pub(crate) ok: usize,
    pub(crate) failed: usize,
    pub(crate) lost: usize,
    pub(crate) duplicates: usize,
    pub(crate) requests: usize,
    pub(crate) retries: usize,
    pub(crate) wall: Duration,
    pub(crate) problems: Vec<String>,
}

pub(crate) struct Bins {
    pub(crate) vt: PathBuf,
    pub(crate) server: PathBuf,
}

/// A running `fault_server`, stopped when dropped.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) stdin: ChildStdin,
    pub(crate) stdout: BufReader<ChildStdout>,
    pub(crate) base_url: String,
    pub(crate) ids: Vec<String>,
}

impl Server {
    pub(crate) fn start(bins: &Bins, work: &Path, args: &[&str]) -> Result<Server> {
        let ids_path = work.join("ids.txt");
        let mut child = Command::new(&bins.server)
            .args(args)
            .arg("--ids")
            .arg(&ids_path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", bins.server.display()))?;
        let stdin = child.stdin.take().context("server stdin")?;
        let mut stdout = BufReader::new(child.stdout.take().context("server stdout")?);
        let mut line = String::new();
        stdout.read_line(&mut line)?;
        let base_url = line
            .trim()
            .strip_prefix("listening ")
            .with_context(|| format!("fault_server said {line:?}"))?
            .to_owned();
        let ids = std::fs::read_to_string(&ids_path)?
            .lines()
            .map(str::to_owned)
            .collect();
        Ok(Server {
            child,
            stdin,
            stdout,
            base_url,
            ids,
        })
    }

    pub(crate) fn ask(&mut self, command: &str) -> Result<String> {
        writeln!(self.stdin, "{command}")?;
        self.stdin.flush()?;
        let mut line = String::new();
        self.stdout.read_line(&mut line)?;
        let line = line.trim().to_owned();
        if line.starts_with("error") || line.is_empty() {
            bail!("fault_server: {command}: {line:?}");
        }
        Ok(line)
    }

    /// The API requests of the log (`/api/v3`, `/vtapi`, upload URLs).
    pub(crate) fn api_log(&mut self, work: &Path) -> Result<Vec<Logged>> {
        let path = work.join("log.tsv");
        self.ask(&format!("log {}", path.display()))?;
        let text = std::fs::read_to_string(&path)?;
        Ok(text
            .lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (f.len() == 6).then(|| Logged {
                    at_us: f[1].parse().unwrap_or(0),
                    status: f[4].parse().unwrap_or(0),
                    method: f[2].to_owned(),
                    path: f[3].to_owned(),
                })
            })
            .filter(|r| !r.path.starts_with("/_emulator") && !r.path.starts_with("/_download"))
            .collect())
    }

    /// Checks a `vt --output` file: (lines, invalid, ok, failed, the inputs of valid lines).
    pub(crate) fn ndjson(&mut self, work: &Path, file: &Path) -> Result<NdjsonCheck> {
        let out = work.join("inputs.txt");
        if !file.exists() {
            std::fs::write(file, "")?;
        }
        let answer = self.ask(&format!("ndjson {} {}", file.display(), out.display()))?;
        let field = |name: &str| -> usize {
            answer
                .split_whitespace()
                .find_map(|w| w.strip_prefix(&format!("{name}=")))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        let codes = answer
            .split_whitespace()
            .find_map(|w| w.strip_prefix("codes="))
            .unwrap_or("")
            .to_owned();
        Ok(NdjsonCheck {
            codes,
            lines: field("lines"),
            invalid: field("invalid"),
            ok: field("ok"),
            failed: field("failed"),
            inputs: std::fs::read_to_string(&out)?
                .lines()
                .map(str::to_owned)
                .collect(),
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) struct Logged {
    pub(crate) at_us: u64,
    pub(crate) status: u16,
    pub(crate) method: String,
    pub(crate) path: String,
}

/// `n` distinct inputs: the dataset's sha256 first, then unknown hashes (404: failed).
pub(crate) fn inputs_of(ids: &[String], n: usize) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().take(n).cloned().collect();
    let mut i = 0u64;
    while v.len() < n {
        i += 1;
        v.push(format!("{:064x}", 0xdead_0000_0000u64 + i));
    }
    v
}

pub(crate) fn vt(bins: &Bins, server: &Server, key: &str) -> Command {
    let mut cmd = Command::new(&bins.vt);
    for (k, _) in std::env::vars() {
        if k.starts_with("VT_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("VT_BASE_URL", &server.base_url)
        .env("VT_API_KEY", key)
        .env("HOME", std::env::temp_dir())
        .env(
            "XDG_CONFIG_HOME",
            std::env::temp_dir().join("vt-reliability-no-config"),
        )
        .env("NO_COLOR", "1")
        // Scenarios count requests: no report cache (it has its own scenario).
        .env("VT_NO_CACHE", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// Runs `vt` with `stdin_text` on stdin; (exit code, stderr).
pub(crate) fn run_vt(mut cmd: Command, stdin_text: &str) -> Result<(i32, String)> {
    cmd.stdin(Stdio::piped());
    let mut child = cmd.spawn().context("starting vt")?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(stdin_text.as_bytes())?;
    }
    let out = child.wait_with_output()?;
    Ok((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

pub(crate) fn last_line(s: &str) -> &str {
    s.lines().last().unwrap_or("")
}

/// A tiny deterministic generator for kill delays.
pub(crate) struct Lcg(pub(crate) u64);

impl Lcg {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

pub(crate) struct NdjsonCheck {
    /// `Code:N,...` of the failed lines.
    pub(crate) codes: String,
    pub(crate) lines: usize,
    pub(crate) invalid: usize,
    pub(crate) ok: usize,
    pub(crate) failed: usize,
    pub(crate) inputs: Vec<String>,
}

impl NdjsonCheck {
    /// Fills a row's ok/failed/lost/duplicates against the expected inputs.
    pub(crate) fn score(&self, row: &mut Row, expected: &[String]) {
        row.ok = self.ok;
        row.failed = self.failed;
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for i in &self.inputs {
            *seen.entry(i.as_str()).or_default() += 1;
        }
        row.duplicates = seen.values().map(|n| n - 1).sum();
        row.lost = expected
            .iter()
            .filter(|e| !seen.contains_key(e.as_str()))
            .count();
        // A per-item error other than "not found" is a result the item did not deserve.
        for part in self.codes.split(',').filter(|p| !p.is_empty()) {
            if !part.starts_with("NotFoundError:") {
                row.problems.push(format!(
                    "items saved with error {part} (expected only NotFoundError)"
                ));
            }
        }
        if self.invalid > 0 {
            row.problems.push(format!(
                "{} of {} lines are not valid JSON records",
                self.invalid, self.lines
            ));
        }
    }
}
