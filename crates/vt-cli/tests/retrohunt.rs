//! `vt retrohunt` end to end against the in-process emulator (its clock moved by the test):
//! start, list, get, abort (and its race with the end), delete, matches, `--wait` until
//! finished, a job that ends `failed`, Ctrl-C with the command to go on waiting, and a wait
//! across an emulator restart.

#![cfg(unix)]

mod common;

use std::process::{Child, Command as StdCommand, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{Emu, Run, run};
use serde_json::Value;
use vt_emulator::{Clock, ClockMode};

const NOW: u64 = 1_750_000_000;
const RULES: &str =
    "rule eicar { strings: $a = \"EICAR-STANDARD-ANTIVIRUS-TEST-FILE\" condition: $a }\n";

fn emu() -> Emu {
    Emu::start(|cfg| cfg.clock = ClockMode::Manual(NOW))
}

fn rules_file(emu: &Emu, name: &str, text: &str) -> String {
    let path = emu.home().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn json(r: &Run) -> Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            r.stdout, r.stderr
        )
    })
}

fn ok(r: Run) -> Run {
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    r
}

/// Moves `clock` one second forward every 20 ms until dropped.
struct Ticking {
    running: Arc<AtomicBool>,
}

impl Ticking {
    fn start(clock: Clock) -> Ticking {
        let running = Arc::new(AtomicBool::new(true));
        let flag = running.clone();
        std::thread::spawn(move || {
            while flag.load(Ordering::Relaxed) {
                clock.advance(Duration::from_secs(1));
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        Ticking { running }
    }
}

impl Drop for Ticking {
    fn drop(&mut self) {
        self.running.store(false, Ordering::Relaxed);
    }
}

/// Starts a job and returns its id.
fn start_job(emu: &Emu, rules: &str) -> String {
    let path = rules_file(emu, "job.yar", rules);
    let r = ok(run(emu.vt().args(["retrohunt", "start", &path])));
    let job = json(&r);
    assert_eq!(job["type"], "retrohunt_job");
    job["id"].as_str().unwrap().to_owned()
}

#[test]
fn start_prints_the_job_and_list_get_and_delete_find_it() {
    let emu = emu();
    let path = rules_file(&emu, "eicar.yar", RULES);
    let r = ok(run(emu.vt().args([
        "retrohunt",
        "start",
        &path,
        "--corpus",
        "goodware",
        "--from",
        "2024-01-01",
        "--to",
        "2024-01-31",
        "--email",
        "hunter@example.com",
    ])));
    let job = json(&r);
    let id = job["id"].as_str().unwrap().to_owned();
    let a = &job["attributes"];
    assert_eq!(a["status"], "starting");
    assert_eq!(a["corpus"], "goodware");
    assert_eq!(a["rules"], RULES);
    assert_eq!(a["notification_email"], "hunter@example.com");
    assert_eq!(a["time_range"]["start"], 1_704_067_200);
    assert_eq!(
        a["time_range"]["end"], 1_706_745_599,
        "--to includes its day"
    );
    let listed = json(&ok(run(emu.vt().args([
        "retrohunt",
        "list",
        "--status",
        "starting",
    ]))));
    assert_eq!(listed[0]["id"], id.as_str());
    let none = json(&ok(run(emu.vt().args([
        "retrohunt",
        "ls",
        "--filter",
        "status:finished",
    ]))));
    assert_eq!(none, serde_json::json!([]));
    let got = json(&ok(run(emu.vt().args(["rh", "get", &id]))));
    assert_eq!(got["id"], id.as_str());
    let deleted = ok(run(emu.vt().args(["retrohunt", "delete", &id])));
    assert!(
        deleted.stderr.contains("deleted Retrohunt job"),
        "{}",
        deleted.stderr
    );
    let gone = run(emu.vt().args(["retrohunt", "get", &id]));
    assert_eq!(gone.code, 1, "{}", gone.stderr);
    assert!(gone.stderr.contains("NotFoundError"), "{}", gone.stderr);
}

#[test]
fn start_wait_follows_the_job_to_finished_and_says_how_to_wait_again() {
    let emu = emu();
    let path = rules_file(&emu, "eicar.yar", RULES);
    let _tick = Ticking::start(emu.handle.clock().clone());
    let r = ok(run(emu.vt().args(["retrohunt", "start", &path, "--wait"])));
    let job = json(&r);
    assert_eq!(job["attributes"]["status"], "finished");
    assert_eq!(job["attributes"]["progress"], 100.0);
    let id = job["id"].as_str().unwrap();
    assert!(
        r.stderr.contains(&format!(
            "to wait for it again: vt retrohunt get {id} --wait"
        )),
        "{}",
        r.stderr
    );
    // yara-x ran over the dataset's contents: the EICAR rule found the EICAR file only.
    assert_eq!(job["attributes"]["num_matches"], 1);
    let matches = json(&ok(run(emu.vt().args(["retrohunt", "matches", id]))));
    let ids: Vec<&str> = matches
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [emu.eicar()]);
    // The match is in the IoC stream too, raised by the job.
    let stream = json(&ok(run(emu.vt().args([
        "iocstream",
        "list",
        "--filter",
        "source_type:retrohunt_job",
    ]))));
    let items = stream.as_array().unwrap();
    assert_eq!(items.len(), 1, "{stream}");
    assert_eq!(items[0]["id"], emu.eicar());
    let ctx = &items[0]["context_attributes"];
    assert_eq!(ctx["sources"][0]["id"], id);
    assert_eq!(ctx["hunting_info"]["rule_name"], "eicar");
}

#[test]
fn rules_that_compile_with_warnings_are_sent_and_the_warning_printed() {
    let emu = emu();
    // A one-byte pattern is slow: yara-x warns, and VirusTotal may still take it.
    let path = rules_file(
        &emu,
        "slow.yar",
        "rule slow {\n  strings:\n    $a = { 01 }\n  condition:\n    $a\n}\n",
    );
    let r = ok(run(emu.vt().args(["retrohunt", "start", &path])));
    assert_eq!(json(&r)["attributes"]["status"], "starting");
    assert!(
        r.stderr.contains(&format!("{path}:3:")) && r.stderr.contains("warning[slow_pattern]"),
        "{}",
        r.stderr
    );
}

#[test]
fn rules_that_do_not_compile_send_nothing() {
    let emu = emu();
    let path = rules_file(&emu, "broken.yar", "rule a {\n  condition: nope\n}\n");
    let r = run(emu.vt().args(["retrohunt", "start", &path, "--wait"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("{path}:2:14: error")),
        "{}",
        r.stderr
    );
    assert!(emu.api_requests().is_empty(), "no request was sent");
}

#[test]
fn a_job_that_ends_failed_is_one_line_and_exit_1() {
    let emu = emu();
    let path = rules_file(&emu, "fail.yar", &format!("// vt-emulator:fail\n{RULES}"));
    let _tick = Ticking::start(emu.handle.clock().clone());
    let r = run(emu.vt().args(["retrohunt", "start", &path, "--wait"]));
    assert_eq!(r.code, 1, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    let last = r.stderr.lines().last().unwrap();
    assert!(last.contains("ended failed at 50.0%"), "{}", r.stderr);
    assert!(last.contains("its matches: vt retrohunt matches"), "{last}");
}

#[test]
fn abort_then_wait_says_aborted_and_a_late_abort_loses_the_race() {
    let emu = emu();
    let id = start_job(&emu, RULES);
    let aborted = json(&ok(run(emu.vt().args(["retrohunt", "abort", &id]))));
    assert_eq!(aborted["attributes"]["status"], "aborting");
    let _tick = Ticking::start(emu.handle.clock().clone());
    let r = run(emu.vt().args(["retrohunt", "get", &id, "--wait"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("ended aborted"), "{}", r.stderr);
    // A job that finished before the abort arrived.
    let done = start_job(&emu, RULES);
    let finished = ok(run(emu.vt().args(["retrohunt", "get", &done, "--wait"])));
    assert_eq!(json(&finished)["attributes"]["status"], "finished");
    let late = run(emu.vt().args(["retrohunt", "abort", &done]));
    assert_eq!(late.code, 1, "{}", late.stderr);
    let lines: Vec<&str> = late.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", late.stderr);
    assert!(
        lines[0].contains("had already ended (finished); nothing to abort"),
        "{}",
        lines[0]
    );
}

fn vt_child(emu: &Emu, base_url: &str, args: &[&str]) -> Child {
    let mut cmd = StdCommand::new(assert_cmd::cargo::cargo_bin("vt"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", emu.home())
        .env("XDG_CONFIG_HOME", emu.home().join("config"))
        .env("VT_BASE_URL", base_url)
        .env("VT_API_KEY", common::KEY)
        .env("VT_RATE_LIMIT", "none")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd.spawn().unwrap()
}

fn finish(child: Child) -> Run {
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Waits until the emulator has been asked about job `id` at least `n` times.
fn polled(emu: &Emu, id: &str, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while emu
        .api_requests()
        .iter()
        .filter(|r| r.path.ends_with(id))
        .count()
        < n
    {
        assert!(Instant::now() < deadline, "vt never polled {id}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn ctrl_c_during_a_wait_prints_the_command_to_go_on_and_that_command_works() {
    let emu = emu();
    let path = rules_file(&emu, "eicar.yar", RULES);
    let child = vt_child(&emu, &emu.url(), &["retrohunt", "start", &path, "--wait"]);
    // The clock stands still: the job stays `starting` until vt is interrupted.
    let deadline = Instant::now() + Duration::from_secs(30);
    let id = loop {
        let jobs = emu.handle.stats().request_log;
        if let Some(get) = jobs
            .iter()
            .find(|r| r.method == "GET" && r.path.contains("/retrohunt_jobs/"))
        {
            break get.path.rsplit('/').next().unwrap().to_owned();
        }
        assert!(Instant::now() < deadline, "vt never polled the job");
        std::thread::sleep(Duration::from_millis(20));
    };
    let status = StdCommand::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let r = finish(child);
    assert_eq!(r.code, 130, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    let go_on = format!("vt retrohunt get {id} --wait");
    let last = r.stderr.lines().last().unwrap();
    assert!(last.contains("interrupted"), "{last}");
    assert!(
        last.contains(&format!("to go on waiting: {go_on}")),
        "{last}"
    );
    // The job went on; the printed command takes the wait up again.
    let _tick = Ticking::start(emu.handle.clock().clone());
    let again = ok(run(emu.vt().args(["retrohunt", "get", &id, "--wait"])));
    assert_eq!(json(&again)["attributes"]["status"], "finished");
}

#[test]
fn a_wait_rides_out_an_emulator_restart_on_the_same_data_directory() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_owned();
    let first = Emu::start(|cfg| {
        cfg.clock = ClockMode::Manual(NOW);
        cfg.data_dir = Some(dir.clone());
    });
    let port = first.handle.addr().port();
    let url = first.url();
    let id = start_job(&first, RULES);
    let child = vt_child(&first, &url, &["retrohunt", "get", &id, "--wait"]);
    polled(&first, &id, 1);
    drop(first);
    std::thread::sleep(Duration::from_millis(300));
    let second = Emu::start(|cfg| {
        cfg.clock = ClockMode::Manual(NOW);
        cfg.data_dir = Some(dir.clone());
        cfg.port = port;
    });
    let _tick = Ticking::start(second.handle.clock().clone());
    let r = finish(child);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    let job: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(job["id"], id.as_str());
    assert_eq!(job["attributes"]["status"], "finished");
    polled(&second, &id, 1);
}

#[test]
fn matches_download_writes_each_file_into_the_directory() {
    let emu = emu();
    let id = start_job(&emu, RULES);
    let _tick = Ticking::start(emu.handle.clock().clone());
    ok(run(emu.vt().args(["retrohunt", "get", &id, "--wait"])));
    let dir = emu.home().join("matched");
    let r = ok(run(emu.vt().args([
        "retrohunt",
        "matches",
        &id,
        "--download",
        &dir.display().to_string(),
    ])));
    let files = json(&r);
    assert_eq!(files.as_array().unwrap().len(), 1, "{files}");
    let path = files[0]["download"]["path"].as_str().unwrap();
    assert_eq!(std::path::Path::new(path), dir.join(emu.eicar()));
    assert_eq!(
        std::fs::read(path).unwrap(),
        vt_emulator::EICAR_BYTES,
        "the matched file's bytes"
    );
    assert_eq!(files[0]["download"]["size"], 68);
}
