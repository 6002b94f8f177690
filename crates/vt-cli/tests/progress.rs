//! Issue 16.6: the progress line on a terminal ticks and says what it waits for. `vt` runs
//! under `script(1)` (util-linux, present on every Debian-like system), which gives it a
//! pseudo-terminal, so stderr is a terminal as for a person.

#![cfg(unix)]

mod common;

use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{DEFAULT_PUBLIC_KEY, Emu, KEY, collect};

/// `vt ARGS` on a pseudo-terminal; everything it draws is collected.
struct OnTerminal {
    child: Child,
    seen: Arc<Mutex<Vec<u8>>>,
}

impl OnTerminal {
    fn start(emu: &Emu, key: &str, rate: Option<&str>, args: &[String]) -> OnTerminal {
        let vt = assert_cmd::cargo::cargo_bin("vt");
        let command = std::iter::once(vt.display().to_string())
            .chain(args.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ");
        let mut cmd = std::process::Command::new("script");
        cmd.args(["-q", "-f", "-e", "-c", &command, "/dev/null"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", emu.home())
            .env("XDG_CONFIG_HOME", emu.home().join("config"))
            .env("VT_BASE_URL", emu.url())
            .env("VT_API_KEY", key)
            .env("TERM", "xterm")
            .env("COLUMNS", "200")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(rate) = rate {
            cmd.env("VT_RATE_LIMIT", rate);
        }
        let mut child = cmd.spawn().expect("script(1) runs");
        let (seen, _) = collect(child.stdout.take().unwrap());
        OnTerminal { child, seen }
    }

    /// Waits until the screen shows `text`; returns everything drawn so far.
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let seen = String::from_utf8_lossy(&self.seen.lock().unwrap()).into_owned();
            if seen.contains(text) {
                return seen;
            }
            assert!(
                Instant::now() < deadline,
                "{text:?} never appeared; the terminal showed:\n{seen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for OnTerminal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An `--output` file in the emulator's scratch home.
fn out(emu: &Emu) -> String {
    emu.home().join("out.ndjson").display().to_string()
}

fn hashes(emu: &Emu, n: usize) -> Vec<String> {
    emu.handle.dataset().files()[..n]
        .iter()
        .map(|f| f.sha256.clone())
        .collect()
}

#[test]
fn a_batch_held_by_the_rate_limit_ticks_and_says_so() {
    let emu = Emu::start(|_| {});
    let mut args = vec![
        "--concurrency".to_owned(),
        "1".to_owned(),
        "file".to_owned(),
    ];
    args.extend(hashes(&emu, 4));
    args.extend(["--output".to_owned(), out(&emu)]);
    let vt = OnTerminal::start(&emu, KEY, Some("2/min"), &args);
    vt.wait_for("rate limit: next request in");
    // The elapsed time moves while nothing finishes.
    vt.wait_for("00:00:02");
    let seen = vt.wait_for("00:00:03");
    // Two items left at 2 a minute: the ETA comes from the rate, not from speed so far.
    assert!(
        seen.contains("eta 1m00s") || seen.contains("eta 59s"),
        "{seen}"
    );
}

/// An emulator whose analyses never complete.
fn never_completing() -> Emu {
    Emu::start(|cfg| {
        cfg.analysis = vt_emulator::AnalysisTiming {
            polls_to_complete: u32::MAX,
            time_to_complete: None,
        };
    })
}

#[test]
fn a_wait_says_which_poll_and_when_the_next_is() {
    let emu = never_completing();
    let args = ["scan", "url", "https://example.com/slow", "--wait"].map(String::from);
    let vt = OnTerminal::start(&emu, KEY, Some("none"), &args);
    vt.wait_for("analysis queued, poll 1, next in");
    vt.wait_for("poll 2, next in 3 s");
}

#[test]
fn a_private_scan_wait_shows_the_same_progress_line() {
    let emu = never_completing();
    let args = [
        "scan",
        "url",
        "--private",
        "https://example.com/slow-private",
        "--wait",
    ]
    .map(String::from);
    let vt = OnTerminal::start(&emu, KEY, Some("none"), &args);
    vt.wait_for("waiting for private analysis");
    vt.wait_for("analysis queued, poll 1, next in");
    vt.wait_for("poll 2, next in 3 s");
}

#[test]
fn a_premium_key_on_the_default_rate_is_told_once_how_to_raise_it() {
    let emu = Emu::start(|_| {});
    let mut args = vec!["file".to_owned()];
    args.extend(hashes(&emu, 6));
    args.extend(["--output".to_owned(), out(&emu)]);
    let vt = OnTerminal::start(&emu, KEY, None, &args);
    let seen = vt.wait_for("--tier premium");
    assert_eq!(seen.matches("this key is premium").count(), 1, "{seen}");

    // A public key waits the same way and is told nothing.
    let emu = Emu::start(|_| {});
    let last = args.len() - 1;
    args[last] = out(&emu);
    let vt = OnTerminal::start(&emu, DEFAULT_PUBLIC_KEY, None, &args);
    vt.wait_for("rate limit: next request in 5");
    std::thread::sleep(Duration::from_secs(2));
    let seen = String::from_utf8_lossy(&vt.seen.lock().unwrap()).into_owned();
    assert!(!seen.contains("this key is premium"), "{seen}");
}

#[test]
fn a_retrohunt_wait_draws_a_bar_with_progress_matches_and_scanned_bytes() {
    let emu = Emu::start(|cfg| cfg.clock = vt_emulator::ClockMode::Manual(1_750_000_000));
    let rules = emu.home().join("r.yar");
    std::fs::write(&rules, "rule r { condition: false }\n").unwrap();
    let args = [
        "retrohunt".to_owned(),
        "start".to_owned(),
        rules.display().to_string(),
        "--wait".to_owned(),
    ];
    let vt = OnTerminal::start(&emu, KEY, Some("none"), &args);
    vt.wait_for("starting 0.0%");
    // Half way through the run on the emulator's clock (1 s starting, 9 s running).
    emu.handle.clock().advance(Duration::from_millis(5_500));
    let seen = vt.wait_for("running 50.0%");
    assert!(seen.contains("0 matches"), "{seen}");
    assert!(seen.contains("scanned"), "{seen}");
    assert!(seen.contains("[===="), "a bar is drawn: {seen}");
}
