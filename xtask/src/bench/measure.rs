//! Measuring tools of the bench: `/usr/bin/time -v`, the emulator process, a tiny HTTP GET,
//! test files, criterion's output.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// `/proc/loadavg`'s three averages.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(", "))
        .unwrap_or_else(|| "unknown".into())
}

/// The current UTC time, `2026-01-01 12:00 UTC`.
pub fn utc_now() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// One process run under `/usr/bin/time -v`.
#[derive(Debug, Clone)]
pub struct Timed {
    /// Wall time measured around the child.
    pub wall: Duration,
    /// User + system CPU time of the child, seconds.
    pub cpu: f64,
    /// Peak resident set size, KiB.
    pub max_rss_kib: u64,
    /// What the child printed on stdout (when not redirected to a file).
    pub stdout: String,
}

/// Runs `cmd` under `/usr/bin/time -v`; stdin from `stdin` (else null), stdout captured
/// unless `stdout_null`. Fails when the command fails, with its stderr.
pub fn time_v(
    program: &Path,
    args: &[&str],
    envs: &[(&str, &str)],
    stdin: Option<&Path>,
    stdout_null: bool,
    tmp: &Path,
) -> Result<Timed> {
    let report = tmp.join("time-v.txt");
    let mut cmd = Command::new("/usr/bin/time");
    cmd.arg("-v").arg("-o").arg(&report).arg(program).args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.stdin(match stdin {
        Some(p) => {
            Stdio::from(std::fs::File::open(p).with_context(|| format!("opening {}", p.display()))?)
        }
        None => Stdio::null(),
    });
    cmd.stdout(if stdout_null {
        Stdio::null()
    } else {
        Stdio::piped()
    });
    cmd.stderr(Stdio::piped());
    let what = format!("{} {}", program.display(), args.join(" "));
    let started = Instant::now();
    let out = cmd
        .output()
        .with_context(|| format!("could not run /usr/bin/time -v {what}"))?;
    let wall = started.elapsed();
    if !out.status.success() {
        bail!(
            "`{what}` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let text = std::fs::read_to_string(&report).context("reading /usr/bin/time -v's report")?;
    let field = |name: &str| -> Option<f64> {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .and_then(|rest| rest.trim_start_matches(':').trim().parse().ok())
    };
    let user = field("User time (seconds)").context("no user time in /usr/bin/time -v")?;
    let sys = field("System time (seconds)").context("no system time in /usr/bin/time -v")?;
    let rss =
        field("Maximum resident set size (kbytes)").context("no peak RSS in /usr/bin/time -v")?;
    Ok(Timed {
        wall,
        cpu: user + sys,
        max_rss_kib: rss as u64,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    })
}

/// The median of some figures (the mean of the two middle ones for an even count).
pub fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// The emulator's `bench_server` example, stopped (stdin closed, then killed) on drop.
pub struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
}

impl Server {
    /// Starts `bench_server` with `args` and waits for its `listening URL` line.
    pub fn start(program: &Path, args: &[String]) -> Result<Server> {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("could not start {}", program.display()))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().context("no stdout of the emulator")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .context("reading the emulator's first line")?;
        let Some(base_url) = line.trim().strip_prefix("listening ").map(str::to_string) else {
            let _ = child.kill();
            let _ = child.wait();
            bail!("the emulator did not start (it printed `{}`)", line.trim());
        };
        Ok(Server {
            child,
            stdin,
            base_url,
        })
    }

    /// `host:port`.
    pub fn authority(&self) -> &str {
        self.base_url.trim_start_matches("http://")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A bodyless HTTP/1.0 request to `authority` (no keep-alive, no chunked answer): the status
/// and the body.
pub fn http(authority: &str, method: &str, path: &str, key: Option<&str>) -> Result<(u16, String)> {
    let mut stream =
        TcpStream::connect(authority).with_context(|| format!("connecting to {authority}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let key_header = key
        .map(|k| format!("x-apikey: {k}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nhost: {authority}\r\n{key_header}content-length: 0\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("no status in the answer to {method} {path}"))?;
    Ok((status, body.to_string()))
}

/// The first string value of `"name": "..."` in some JSON text.
pub fn json_str(text: &str, name: &str) -> Option<String> {
    let at = text.find(&format!("\"{name}\""))?;
    let rest = &text[at + name.len() + 2..];
    let rest = rest
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_string())
}

/// The sum of every count keyed `"<status>":` in the emulator's stats (the request log uses
/// `"status": N`, so it is not counted).
pub fn status_count(stats: &str, status: u16) -> u64 {
    let key = format!("\"{status}\":");
    let mut total = 0;
    let mut rest = stats;
    while let Some(at) = rest.find(&key) {
        rest = &rest[at + key.len()..];
        let digits: String = rest
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        total += digits.parse::<u64>().unwrap_or(0);
    }
    total
}

/// Writes `size` bytes of seeded pseudo-random data (incompressible, unique hashes).
pub fn make_file(path: &Path, size: u64, seed: u64) -> Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut state = seed | 1;
    let mut buf = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        for chunk in buf.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chunk.copy_from_slice(&state.to_le_bytes());
        }
        let n = left.min(buf.len() as u64) as usize;
        out.write_all(&buf[..n])?;
        left -= n as u64;
    }
    out.flush()?;
    Ok(())
}

/// Reads a file once so that it sits in the page cache.
pub fn warm(path: &Path) -> Result<()> {
    let mut f = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    while f.read(&mut buf)? > 0 {}
    Ok(())
}

/// `(benchmark id, median time in ns, throughput in bytes/s if shown)` from criterion's
/// standard output.
pub fn criterion_estimates(stdout: &str) -> Vec<(String, f64)> {
    let mut found = Vec::new();
    let mut last_id = String::new();
    for line in stdout.lines() {
        if let Some(at) = line.find("time:") {
            let id = line[..at].trim();
            let id = if id.is_empty() {
                last_id.clone()
            } else {
                id.to_string()
            };
            let inside = line[at..]
                .split_once('[')
                .and_then(|(_, r)| r.split_once(']'))
                .map(|(i, _)| i.to_string())
                .unwrap_or_default();
            let parts: Vec<&str> = inside.split_whitespace().collect();
            // [low unit mid unit high unit]
            if parts.len() == 6
                && let (Ok(v), Some(scale)) = (parts[2].parse::<f64>(), unit_ns(parts[3]))
            {
                found.push((id, v * scale));
            }
        } else if !line.trim().is_empty() && !line.starts_with(' ') {
            last_id = line.trim().to_string();
        }
    }
    found
}

fn unit_ns(unit: &str) -> Option<f64> {
    Some(match unit {
        "ps" => 1e-3,
        "ns" => 1.0,
        "µs" | "us" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criterion_lines_with_the_id_on_the_same_or_the_previous_line() {
        let out = "Benchmarking x\nstack_overhead/full_stack\n                        time:   [2.9 µs 3.1 µs 3.4 µs]\n\
                   a/b     time:   [10.0 ns 12.5 ns 13.0 ns]\n                        thrpt:  [1.0 GiB/s 1.1 GiB/s 1.2 GiB/s]\n";
        let est = criterion_estimates(out);
        assert_eq!(est.len(), 2);
        assert_eq!(est[0].0, "stack_overhead/full_stack");
        assert!((est[0].1 - 3100.0).abs() < 1e-6);
        assert_eq!(est[1].0, "a/b");
        assert!((est[1].1 - 12.5).abs() < 1e-9);
    }

    #[test]
    fn status_counts_sum_the_count_maps_not_the_request_log() {
        let stats = r#"{"requests": {"GET /api/v3/files/{id}": {"200": 3, "429": 2}, "GET /x": {"429": 1}},
                        "request_log": [{"status": 429}]}"#;
        assert_eq!(status_count(stats, 429), 3);
        assert_eq!(status_count(stats, 200), 3);
        assert_eq!(status_count(stats, 404), 0);
    }

    #[test]
    fn json_string_members_and_medians() {
        assert_eq!(
            json_str(r#"{"data": "http://h/_upload/t"}"#, "data").as_deref(),
            Some("http://h/_upload/t")
        );
        assert_eq!(json_str(r#"{"data": 1}"#, "data"), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(vec![]).is_nan());
    }
}
