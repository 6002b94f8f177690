//! Issue 13, section 4: `vt monitor watch` through the real binary against the emulator,
//! whose `rescan_monitor` makes new detections appear at its clock.

mod common;

use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{Emu, Run, collect, run};
use serde_json::Value;

const CLEAN: &str = "/docs/readme.txt";

struct Watch<'a> {
    emu: &'a Emu,
    state: PathBuf,
}

impl Watch<'_> {
    fn new(emu: &Emu) -> Watch<'_> {
        Watch {
            emu,
            state: emu.home().join("ci/watch.json"),
        }
    }

    fn once(&self, extra: &[&str]) -> Run {
        let mut cmd = self.emu.vt();
        cmd.args([
            "--format", "ndjson", "monitor", "watch", "--once", "--state",
        ])
        .arg(&self.state)
        .args(extra);
        run(&mut cmd)
    }
}

fn events(r: &Run) -> Vec<Value> {
    r.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn changes(events: &[Value]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_owned(),
                e["change"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn once_reports_every_detection_first_then_only_what_is_new_with_exit_10() {
    let emu = Emu::start(|_| {});
    let w = Watch::new(&emu);
    // First run, no state: every current detection, exit 10.
    let r = w.once(&[]);
    assert_eq!(r.code, 10, "{}", r.stderr);
    let first = events(&r);
    let detected: Vec<&str> = emu
        .handle
        .dataset()
        .monitor_items()
        .iter()
        .filter(|i| i.tags.iter().any(|t| t == "detected"))
        .map(|i| i.path.as_str())
        .collect();
    assert_eq!(first.len(), detected.len(), "{}", r.stdout);
    assert!(
        first
            .iter()
            .all(|e| e["change"] == "detected" && e["type"] == "monitor_detection_event")
    );
    assert!(first.iter().all(|e| e["detections"].as_u64().unwrap() > 0));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&w.state).unwrap()).unwrap();
    assert_eq!(doc["format"], "vt-monitor-watch/1");
    assert_eq!(doc["items"].as_object().unwrap().len(), detected.len());
    // Nothing new: nothing printed, exit 0.
    let r = w.once(&[]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.stderr);
    // A clean file is flagged by two engines: one new-detections event, exit 10.
    emu.handle
        .rescan_monitor(Some(CLEAN), Some(&[4, 9]))
        .unwrap();
    let r = w.once(&[]);
    assert_eq!(r.code, 10, "{}", r.stderr);
    let ev = events(&r);
    assert_eq!(
        changes(&ev),
        [(CLEAN.to_owned(), "new-detections".to_owned())]
    );
    assert_eq!(ev[0]["new_engines"].as_array().unwrap().len(), 2);
    assert_eq!(ev[0]["detections"], 2);
    // One more engine: increasing (exit 10); then the file is clean again: solved (exit 0).
    emu.handle.rescan_monitor(Some(CLEAN), None).unwrap();
    let r = w.once(&[]);
    assert_eq!(
        (r.code, changes(&events(&r))),
        (
            10,
            vec![(CLEAN.to_owned(), "increasing-detections".to_owned())]
        )
    );
    emu.handle.rescan_monitor(Some(CLEAN), Some(&[])).unwrap();
    let r = w.once(&[]);
    assert_eq!(
        (r.code, changes(&events(&r))),
        (0, vec![(CLEAN.to_owned(), "solved-detections".to_owned())])
    );
    let r = w.once(&[]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    // Human lines say the change, the path and the engines.
    emu.handle.rescan_monitor(Some(CLEAN), Some(&[7])).unwrap();
    let mut cmd = emu.vt();
    cmd.args(["--format", "human", "monitor", "watch", "--once", "--state"])
        .arg(&w.state);
    let r = run(&mut cmd);
    assert_eq!(r.code, 10, "{}", r.stderr);
    assert!(
        r.stdout.contains("new-detections")
            && r.stdout.contains(CLEAN)
            && r.stdout.contains("1 engine (+"),
        "{}",
        r.stdout
    );
    // Another filter does not reuse this state.
    let r = w.once(&["--tag", "new-detections"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("give another --state"), "{}", r.stderr);
}

#[test]
fn a_tag_filter_watches_only_those_items() {
    let emu = Emu::start(|_| {});
    let w = Watch::new(&emu);
    let r = w.once(&["--tag", "increasing-detections"]);
    assert_eq!(r.code, 10, "{}", r.stderr);
    assert_eq!(
        changes(&events(&r)),
        [("/releases/v1.1/app.exe".to_owned(), "detected".to_owned())]
    );
    let sent = emu.api_requests();
    assert!(
        sent.iter()
            .any(|q| q.path.contains("/monitor/items") && q.path.contains("increasing-detections")),
        "{:?}",
        sent.iter().map(|q| &q.path).collect::<Vec<_>>()
    );
}

fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready() {
        assert!(Instant::now() < deadline, "{what} never happened");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(unix)]
#[test]
fn an_interval_watch_prints_new_events_as_they_come_and_ctrl_c_keeps_the_state() {
    let emu = Emu::start(|_| {});
    let w = Watch::new(&emu);
    assert_eq!(
        w.once(&[]).code,
        10,
        "the first run takes in the current detections"
    );
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("vt"));
    let template = emu.vt();
    for (k, v) in template.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let mut child: Child = cmd
        .current_dir(emu.home())
        .args([
            "--format",
            "ndjson",
            "monitor",
            "watch",
            "--interval",
            "1s",
            "--state",
        ])
        .arg(&w.state)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (out, reader) = collect(child.stdout.take().unwrap());
    let polls = || {
        emu.api_requests()
            .iter()
            .filter(|q| q.path.contains("/monitor/items"))
            .count()
    };
    let before = polls();
    wait_for("a first poll", || polls() > before);
    emu.handle.rescan_monitor(Some(CLEAN), Some(&[4])).unwrap();
    wait_for("the new detection printed", || {
        !out.lock().unwrap().is_empty()
    });
    // A few more polls: nothing printed twice.
    let seen = polls();
    wait_for("two more polls", || polls() >= seen + 2);
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let code = child.wait().unwrap().code();
    reader.join().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let printed = String::from_utf8(out.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 1, "{printed}");
    assert!(lines[0].contains("new-detections") && lines[0].contains(CLEAN));
    // The state remembers it: a later run prints nothing.
    let r = w.once(&[]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.stderr);
}
