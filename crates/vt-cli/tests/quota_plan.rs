//! Issue 13, section 3: `vt quota plan` and `--plan` through the real binary against the
//! emulator's per-key quotas, with a real cache file; the plan's prediction is checked against
//! what the batch then does.

mod common;

use std::path::PathBuf;

use common::{DEFAULT_PUBLIC_KEY, Emu, Run, run};
use serde_json::Value;
use vt_emulator::QuotaLimits;

/// An emulator whose public keys may do `per_day` lookups a day (nothing else limited).
fn emulator(per_day: u64) -> Emu {
    Emu::start(|cfg| {
        cfg.quotas.public = QuotaLimits {
            per_day: Some(per_day),
            ..QuotaLimits::UNLIMITED
        };
    })
}

struct Public<'a> {
    emu: &'a Emu,
    cache: PathBuf,
}

impl Public<'_> {
    fn new(emu: &Emu) -> Public<'_> {
        Public {
            emu,
            cache: emu.home().join("cache/vt.sqlite3"),
        }
    }

    fn vt(&self, args: &[&str]) -> Run {
        let mut cmd = self.emu.vt_without_key();
        cmd.env("VT_API_KEY", DEFAULT_PUBLIC_KEY)
            .arg("--cache-path")
            .arg(&self.cache)
            .args(args);
        run(&mut cmd)
    }
}

fn hashes(emu: &Emu, n: usize) -> Vec<String> {
    emu.handle.dataset().files()[..n]
        .iter()
        .map(|f| f.sha256.clone())
        .collect()
}

fn plan_of(r: &Run) -> Value {
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout));
    assert_eq!(v["type"], "quota_plan");
    v["attributes"].clone()
}

#[test]
fn the_plan_counts_cache_answers_and_predicts_where_the_batch_stops() {
    let emu = emulator(5);
    let vt = Public::new(&emu);
    let h = hashes(&emu, 8);
    // Two lookups spend 2 of the 5 and fill the cache with them.
    let r = vt.vt(&["--format", "json", "file", &h[0], &h[1]]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let input = emu.home().join("inputs.txt");
    std::fs::write(&input, h.join("\n") + "\n\n" + &h[0] + "\n").unwrap();
    let before = emu.api_requests().len();
    let p = plan_of(&vt.vt(&[
        "--format",
        "json",
        "--rate-limit",
        "4/min",
        "quota",
        "plan",
        "--input",
        input.to_str().unwrap(),
    ]));
    let sent: Vec<String> = emu.api_requests()[before..]
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(sent.len(), 1, "only the quotas are asked: {sent:?}");
    assert!(sent[0].ends_with("/overall_quotas"), "{sent:?}");
    // 8 distinct inputs, 2 cached, 6 requests; 3 left today: requests for inputs 3, 4, 5
    // pass, the one for input 6 is refused.
    assert_eq!(
        (&p["items"], &p["cached"], &p["requests"]),
        (&Value::from(8), &Value::from(2), &Value::from(6))
    );
    assert_eq!(p["cache_consulted"], true);
    assert_eq!(p["rate_limit"], "4/min");
    assert_eq!(
        p["duration"], 60.0,
        "6 requests at 4/min: the 5th and 6th wait a minute"
    );
    assert_eq!(p["sufficient"], false);
    assert_eq!(p["stop"]["after_items"], 5);
    assert_eq!(p["stop"]["after_requests"], 3);
    assert_eq!(p["stop"]["budget"]["window"], "day");
    assert_eq!(p["stop"]["budget"]["allowed"], 5);
    assert_eq!(p["stop"]["budget"]["used"], 2);
    // `--plan` on the batch says the same and looks nothing up.
    let mut args = vec![
        "--format",
        "json",
        "--rate-limit",
        "4/min",
        "file",
        "--plan",
    ];
    args.extend(h.iter().map(String::as_str));
    let before = emu.api_requests().len();
    let q = plan_of(&vt.vt(&args));
    assert_eq!(emu.api_requests().len() - before, 1);
    for field in ["items", "cached", "requests", "duration", "stop"] {
        assert_eq!(q[field], p[field], "{field}");
    }
    // The batch itself stops where the plan said: 5 inputs done, then the quota.
    let out = emu.home().join("out.ndjson");
    let mut args = vec!["--concurrency", "1", "--retries", "0", "file"];
    args.extend(h.iter().map(String::as_str));
    args.extend(["--output", out.to_str().unwrap()]);
    let r = vt.vt(&args);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 5);
}

#[test]
fn without_inputs_or_cache_every_lookup_is_a_request_and_human_output_says_so() {
    let emu = emulator(500);
    let vt = Public::new(&emu);
    let h = hashes(&emu, 3);
    assert_eq!(vt.vt(&["file", &h[0]]).code, 0);
    // N: nothing to ask the cache about.
    let p = plan_of(&vt.vt(&["--format", "json", "quota", "plan", "30"]));
    assert_eq!(
        (&p["items"], &p["cached"], &p["requests"]),
        (&Value::from(30), &Value::from(0), &Value::from(30))
    );
    assert_eq!(p["cache_consulted"], false);
    assert_eq!(p["rate_limit"], "none");
    assert_eq!(p["duration"], Value::Null);
    assert_eq!(p["sufficient"], true);
    // --no-cache and --refresh: the cache answers nothing.
    for flag in ["--no-cache", "--refresh"] {
        let p = plan_of(&vt.vt(&["--format", "json", flag, "domain", "--plan", "example.com"]));
        assert_eq!(p["cached"], 0, "{flag}");
        assert_eq!(p["kind"], "domain");
    }
    let p = plan_of(&vt.vt(&["--format", "json", "file", "--plan", &h[0], &h[1]]));
    assert_eq!(p["cached"], 1);
    // --max-age shorter than the entry's age: not answered.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let p = plan_of(&vt.vt(&[
        "--format",
        "json",
        "--max-age",
        "1s",
        "file",
        "--plan",
        &h[0],
    ]));
    assert_eq!(p["cached"], 0);
    // Human: one line per fact.
    let r = vt.vt(&[
        "--format",
        "human",
        "--rate-limit",
        "public",
        "file",
        "--plan",
        &h[0],
        &h[1],
        &h[2],
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for want in [
        "lookups:        3 (file)",
        "cache answers:  1 (answers younger than 1d)",
        "requests:       2",
        "duration:       about 0s at 4/min",
        "daily budget:   499 of 500 left (your budget)",
        "verdict:        the budgets suffice",
    ] {
        assert!(r.stdout.contains(want), "missing {want:?} in\n{}", r.stdout);
    }
}
