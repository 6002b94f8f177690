//! End-to-end tests of `vt feed` against the in-process emulator (system clock, the API's
//! 60-minute lag): NDJSON as received, exact resume after a quota stop and after a kill,
//! downloads, damaged packages, and bad input refused before any request.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{Emu, run};
use serde_json::Value;
use vt_emulator::{FaultRule, QuotaLimits};

/// `YYYYMMDDhhmm` of `minutes_ago` minutes before the newest package published now
/// (now − 60 min). A range in the past stays published while the test runs.
fn stamp(minutes_before_newest: u64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let minute = vt_model::FeedMinute::from_unix_secs(now - (60 + minutes_before_newest) * 60);
    minute.to_string()
}

fn ids(ndjson: &str) -> Vec<String> {
    ndjson
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            v["id"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// The reference: the whole range in one run to stdout.
fn reference(emu: &Emu, from: &str, to: &str) -> String {
    let r = run(emu.vt().args(["feed", "files", "--from", from, "--to", to]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

#[test]
fn a_range_prints_ndjson_and_the_cursor_to_resume() {
    let emu = Emu::start(|_| {});
    let (from, to) = (stamp(12), stamp(3));
    let all = reference(&emu, &from, &to);
    let items = ids(&all);
    assert!(items.len() >= 5, "ten minutes of feed: {all}");
    for line in all.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["type"], "file");
        assert!(v["context_attributes"]["download_url"].is_string());
    }
    let r = run(emu
        .vt()
        .args(["feed", "files", "--from", &from, "--to", &to]));
    assert_eq!(r.stdout, all, "the same range twice: the same lines");
    let r_ids = run(emu
        .vt()
        .args(["-I", "feed", "files", "--from", &from, "--to", &to]));
    assert_eq!(
        r_ids.stdout.lines().collect::<Vec<_>>(),
        items,
        "-I prints the ids"
    );
    let next = format!(
        "{}-0",
        vt_model::FeedMinute::parse_time(&to).unwrap().next()
    );
    assert!(r.stderr.contains(&next), "{}", r.stderr);
    // RFC 3339 names the same minute.
    let rfc = format!(
        "{}-{}-{}T{}:{}:30Z",
        &from[0..4],
        &from[4..6],
        &from[6..8],
        &from[8..10],
        &from[10..12]
    );
    let r = run(emu
        .vt()
        .args(["feed", "files", "--from", &rfc, "--to", &from]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        all.starts_with(&r.stdout),
        "the first minute alone is the start of the range"
    );
    // A cursor taken from the middle of the run continues it exactly.
    let lines: Vec<&str> = all.lines().collect();
    let first_minute = ids(&r.stdout).len();
    let cursor = format!("{from}-{}", first_minute.min(1));
    let r = run(emu
        .vt()
        .args(["feed", "files", "--cursor", &cursor, "--to", &to]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let skip = first_minute.min(1);
    assert_eq!(
        r.stdout,
        lines[skip..]
            .iter()
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    );
}

#[test]
fn a_quota_stop_keeps_what_was_saved_and_resume_continues_exactly() {
    let emu = Emu::start(|cfg| {
        cfg.quotas.premium = QuotaLimits {
            per_day: Some(6),
            ..QuotaLimits::UNLIMITED
        };
    });
    let (from, to) = (stamp(12), stamp(3));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("feed.ndjson");
    let out_s = out.to_str().unwrap();
    let r = run(emu.vt().args([
        "--retries",
        "0",
        "feed",
        "files",
        "--from",
        &from,
        "--to",
        &to,
        "--output",
        out_s,
    ]));
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("--resume"), "{}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    let partial = std::fs::read_to_string(&out).unwrap();
    let cursor_file = std::fs::read_to_string(dir.path().join("feed.ndjson.cursor")).unwrap();
    assert!(cursor_file.contains("\"feed\":\"files\""), "{cursor_file}");

    emu.handle.reset_stats(); // quotas back to full
    // Without --resume an existing output is refused (nothing lost), before any request.
    let before = emu.requests();
    let r = run(emu.vt().args([
        "feed", "files", "--from", &from, "--to", &to, "--output", out_s,
    ]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--resume"), "{}", r.stderr);
    assert_eq!(emu.requests(), before);

    let r = run(emu.vt().args([
        "--retries",
        "0",
        "feed",
        "files",
        "--from",
        &from,
        "--to",
        &to,
        "--output",
        out_s,
        "--resume",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let resumed = std::fs::read_to_string(&out).unwrap();
    assert!(resumed.starts_with(&partial));
    // The whole range from an emulator of the same seed (another port in its links).
    let unlimited = Emu::start(|_| {});
    let whole = reference(&unlimited, &from, &to).replace(&unlimited.url(), &emu.url());
    assert!(
        ids(&whole).len() > ids(&partial).len(),
        "the stop came before the end"
    );
    assert_eq!(resumed, whole, "nothing twice, nothing skipped");
}

#[cfg(unix)]
#[test]
fn a_killed_run_resumes_exactly_after_its_last_saved_item() {
    let emu = Emu::start(|cfg| {
        cfg.faults.rules.push(
            "latency:400ms=1@/api/v3/feeds"
                .parse::<FaultRule>()
                .unwrap(),
        );
    });
    let (from, to) = (stamp(12), stamp(3));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("feed.ndjson");
    let out_s = out.to_str().unwrap().to_owned();
    let mut child = emu
        .process()
        .args([
            "feed", "files", "--from", &from, "--to", &to, "--output", &out_s,
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    common::wait_until("an item", || {
        std::fs::read_to_string(&out).is_ok_and(|s| s.lines().count() >= 1)
    });
    child.kill().unwrap();
    child.wait().unwrap();
    // The kill may have cut a line: make sure one is torn.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&out)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"type\":\"file\",\"id\":\"tor"))
        .unwrap();
    let r = run(emu.vt().args([
        "feed", "files", "--from", &from, "--to", &to, "--output", &out_s, "--resume",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let resumed = std::fs::read_to_string(&out).unwrap();
    assert_eq!(resumed, reference(&emu, &from, &to));
}

#[test]
fn download_fetches_the_feeds_files_named_by_hash() {
    let emu = Emu::start(|_| {});
    let (from, to) = (stamp(8), stamp(3));
    let dir = tempfile::tempdir().unwrap();
    let r = run(emu.vt().args([
        "feed",
        "files",
        "--from",
        &from,
        "--to",
        &to,
        "--download",
        dir.path().to_str().unwrap(),
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let wanted: std::collections::BTreeSet<String> = ids(&r.stdout).into_iter().collect();
    assert!(!wanted.is_empty());
    let got: std::collections::BTreeSet<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(got, wanted, "every file, no partial file left");
    for name in &got {
        assert!(std::fs::metadata(dir.path().join(name)).unwrap().len() > 0);
    }
}

#[test]
fn damaged_packages_end_with_one_line_and_exit_1() {
    let (from, to) = (stamp(12), stamp(3));
    for (fault, words) in [
        ("feed-truncated", "truncated"),
        ("feed-corrupt", "corrupt bzip2"),
        ("feed-not-json", "not a feed item"),
        ("feed-bomb", "decompresses to more than"),
    ] {
        let emu = Emu::start(|cfg| {
            cfg.faults.rules.push(
                format!("{fault}=1@/api/v3/feeds/files/{from}")
                    .parse::<FaultRule>()
                    .unwrap(),
            );
        });
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("f.ndjson");
        let started = std::time::Instant::now();
        let r = run(emu.vt().args([
            "feed",
            "files",
            "--from",
            &from,
            "--to",
            &to,
            "--output",
            out.to_str().unwrap(),
        ]));
        assert_eq!(r.code, 1, "{fault}: {}", r.stderr);
        assert!(r.stderr.contains(words), "{fault}: {}", r.stderr);
        assert_eq!(r.stderr.trim().lines().count(), 1, "{fault}: {}", r.stderr);
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{fault} is bounded in time"
        );
        // Whatever was written is whole lines of the package before the damage.
        let saved = std::fs::read_to_string(&out).unwrap();
        for line in saved.lines() {
            serde_json::from_str::<Value>(line).unwrap();
        }
    }
}

#[test]
fn a_missing_package_is_skipped_with_a_warning() {
    let (from, to) = (stamp(12), stamp(3));
    let emu = Emu::start(|cfg| {
        cfg.faults.rules.push(
            format!("feed-missing=1@/api/v3/feeds/files/{from}")
                .parse::<FaultRule>()
                .unwrap(),
        );
    });
    let r = run(emu
        .vt()
        .args(["feed", "files", "--from", &from, "--to", &to]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("missing"), "{}", r.stderr);
    assert!(r.stderr.contains(&from), "{}", r.stderr);
}

#[test]
fn bad_feed_input_exits_2_before_any_request() {
    let emu = Emu::start(|_| {});
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("exists.ndjson");
    std::fs::write(&existing, "{}\n").unwrap();
    let (a, b) = (stamp(12), stamp(3));
    let future = stamp(0)
        .parse::<vt_model::FeedMinute>()
        .unwrap()
        .offset(30)
        .unwrap()
        .to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["feed", "files", "--from", &b, "--to", &a],
            "is after --to",
        ),
        (vec!["feed", "files", "--from", &future], "in the future"),
        (vec!["feed", "urls", "--to", &future], "in the future"),
        (vec!["feed", "files", "--from", "yesterday"], "--from"),
        (vec!["feed", "files", "--from", "202613010000"], "month 13"),
        (vec!["feed", "files", "--cursor", "20261201-3"], "--cursor"),
        (
            vec!["feed", "files", "--cursor", "202612010000-x"],
            "--cursor",
        ),
        (vec!["feed", "gifs"], "files, urls"),
        (vec!["feed", "urls", "--download", "."], "--download"),
        (vec!["feed", "files", "--resume"], "--output"),
        (
            vec!["feed", "files", "--output", existing.to_str().unwrap()],
            "--resume",
        ),
        (vec!["feed", "files", "--follow", "--to", &a], "--to"),
    ];
    let before = emu.requests();
    for (args, words) in cases {
        let r = run(emu.vt().args(&args));
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(words), "{args:?}: {}", r.stderr);
    }
    assert_eq!(emu.requests(), before, "no request was sent");
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "{}\n");
}
