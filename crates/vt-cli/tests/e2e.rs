//! End-to-end tests of the `vt` binary against the in-process emulator.
//!
//! Each emulator runs on its own tokio runtime (kept alive by the [`Emu`] value); `vt` is
//! started as a real process with `--base-url`/`VT_BASE_URL` pointing at it and a clean
//! environment (no user config, no VT_* variables, `--rate-limit none`).

mod common;

use std::path::Path;
use std::sync::OnceLock;

use assert_cmd::Command;
use common::{Emu, run, run_ok};
use serde_json::Value;
use vt_emulator::{DEFAULT_PREMIUM_KEY, DEFAULT_PUBLIC_KEY, EmulatorConfig, QuotaLimits};

/// The shared emulator for tests that do not count requests or spend quota.
fn shared() -> &'static Emu {
    static EMU: OnceLock<Emu> = OnceLock::new();
    EMU.get_or_init(|| Emu::start_uncached(|_| {}))
}

fn home() -> &'static Path {
    static HOME: OnceLock<tempfile::TempDir> = OnceLock::new();
    HOME.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

/// `vt` with a clean environment and no emulator; the report cache has its own tests
/// (tests/cache.rs): here every lookup asks.
fn clean_vt() -> Command {
    let mut cmd = common::clean_vt(home());
    cmd.env("VT_NO_CACHE", "1");
    cmd
}

const UNKNOWN_SHA256: &str = "0000000000000000000000000000000000000000000000000000000000000001";

// ---------------------------------------------------------------------------------------------
// Lookups and formats

#[test]
fn file_report_of_one_hash_is_the_api_object() {
    let emu = shared();
    let r = run_ok(emu.vt().args(["--format", "json", "file", &emu.eicar()]));
    let v = r.json();
    assert_eq!(v["type"], "file");
    assert_eq!(v["id"], emu.eicar());
    assert!(
        v["attributes"]["last_analysis_stats"]["malicious"]
            .as_u64()
            .unwrap()
            > 0
    );
}

#[test]
fn json_output_is_the_report_as_sent_in_the_servers_member_order() {
    let emu = shared();
    let f = &emu.handle.dataset().files()[4];
    // What the API sent, through `vt api` (a tree that keeps the order of members).
    let api = run_ok(emu.vt().args([
        "--format",
        "json",
        "api",
        "GET",
        &format!("/files/{}", f.sha256),
    ]));
    let sent = api.json()["data"].clone();
    let keys = |v: &Value| -> Vec<String> {
        v["attributes"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    // One item: the report re-indented, byte for byte what serde_json's pretty printer gives
    // for the same document (the emulator sends no escapes that would differ).
    let one = run_ok(emu.vt().args(["--format", "json", "file", &f.sha256]));
    assert_eq!(
        one.stdout,
        serde_json::to_string_pretty(&sent).unwrap() + "\n"
    );
    assert_eq!(keys(&one.json()), keys(&sent));
    // Several: an array of the same objects; NDJSON: one line each; `--output`: one record a line.
    let many = run_ok(
        emu.vt()
            .args(["--format", "json", "file", &f.sha256, &emu.eicar()]),
    );
    assert_eq!(many.json()[0], sent);
    assert_eq!(keys(&many.json()[0]), keys(&sent));
    let nd = run_ok(
        emu.vt()
            .args(["--format", "ndjson", "file", &f.sha256, &emu.eicar()]),
    );
    let lines: Vec<&str> = nd.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", nd.stdout);
    assert_eq!(serde_json::from_str::<Value>(lines[0]).unwrap(), sent);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.ndjson");
    run_ok(
        emu.vt()
            .args(["file", &f.sha256, "--output", out.to_str().unwrap()]),
    );
    let records = std::fs::read_to_string(&out).unwrap();
    assert_eq!(records.lines().count(), 1, "{records}");
    let record: Value = serde_json::from_str(records.trim_end()).unwrap();
    assert_eq!(record["input"], f.sha256.as_str());
    assert_eq!(record["data"], sent);
    // Field selection still works on such reports (they are decoded for it).
    let picked = run_ok(emu.vt().args([
        "--format",
        "json",
        "-i",
        "attributes.md5",
        "file",
        &f.sha256,
    ]));
    assert_eq!(
        picked.json(),
        serde_json::json!({"id": f.sha256, "type": "file", "attributes": {"md5": f.md5}})
    );
}

#[test]
fn a_batch_keeps_input_order_drops_duplicates_and_reports_failures_in_place() {
    let emu = shared();
    let files = emu.handle.dataset().files();
    let (a, b) = (&files[1], &files[2]);
    let stdin = format!(
        "{}\n\n  {UNKNOWN_SHA256}  \n{}\n{}\n",
        b.md5, a.sha256, b.md5
    );
    let r = run(emu
        .vt()
        .args(["--format", "json", "file", "-"])
        .write_stdin(stdin));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = r.json();
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["id"], b.sha256.as_str());
    assert_eq!(items[1]["type"], "file");
    assert_eq!(items[1]["id"], UNKNOWN_SHA256);
    assert_eq!(items[1]["error"]["code"], "NotFoundError");
    assert_eq!(items[2]["id"], a.sha256.as_str());
    assert!(r.stderr.contains(UNKNOWN_SHA256), "{}", r.stderr);
    assert!(r.stderr.contains("2 succeeded, 1 failed"), "{}", r.stderr);
}

#[test]
fn every_format_renders_a_batch() {
    let emu = shared();
    let f = &emu.handle.dataset().files()[3];
    let args = |fmt: &'static str| {
        vec![
            "--format".to_owned(),
            fmt.into(),
            "file".into(),
            emu.eicar(),
            f.sha1.clone(),
        ]
    };

    let nd = run_ok(emu.vt().args(args("ndjson")));
    let lines: Vec<Value> = nd
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["id"], f.sha256.as_str());

    let y = run_ok(emu.vt().args(args("yaml")));
    let yv: Value = serde_norway::from_str(&y.stdout).unwrap();
    assert_eq!(yv.as_array().unwrap().len(), 2);
    assert_eq!(yv[0]["id"], emu.eicar());

    let c = run_ok(emu.vt().args(args("csv")));
    let mut rdr = csv::Reader::from_reader(c.stdout.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    assert!(
        headers
            .iter()
            .any(|h| h == "attributes.last_analysis_stats.malicious"),
        "{headers:?}"
    );
    assert_eq!(rdr.records().count(), 2);

    // Human: a batch is a table, one line per input, and a summary even when all succeeded
    // (issue 16.7).
    let h = run_ok(emu.vt().args(args("human")));
    let rows: Vec<&str> = h.stdout.lines().collect();
    assert_eq!(rows.len(), 2, "{}", h.stdout);
    assert!(rows[0].starts_with(&emu.eicar()), "{}", h.stdout);
    assert!(rows[0].contains("malicious"), "{}", h.stdout);
    assert!(rows[1].starts_with(&f.sha1), "{}", h.stdout);
    assert!(!h.stdout.contains('\x1b'), "no colour off a terminal");
    assert!(h.stderr.contains("2 succeeded, 0 failed"), "{}", h.stderr);
    let one = run_ok(emu.vt().args(["--format", "human", "file", &emu.eicar()]));
    assert!(
        one.stdout.contains(&format!("file {}", emu.eicar())),
        "{}",
        one.stdout
    );
    assert!(
        one.stdout.contains("verdict       malicious"),
        "{}",
        one.stdout
    );
    assert!(one.stdout.contains("detected by"), "{}", one.stdout);

    let ids = run_ok(emu.vt().args(["-I", "file", &emu.eicar(), &f.md5]));
    assert_eq!(ids.stdout, format!("{}\n{}\n", emu.eicar(), f.sha256));
}

#[test]
fn include_and_exclude_globs_select_fields() {
    let emu = shared();
    let r = run_ok(emu.vt().args([
        "--format",
        "json",
        "file",
        &emu.eicar(),
        "-i",
        "id",
        "-i",
        "attributes.last_analysis_*",
        "-x",
        "attributes.last_analysis_results",
    ]));
    let v = r.json();
    let attrs = v["attributes"].as_object().unwrap();
    // `id` and `type` stay, so filtered output can be matched to its input (issue 16.10).
    assert_eq!(v["type"], "file");
    assert_eq!(v["id"], emu.eicar());
    assert!(attrs.contains_key("last_analysis_stats"));
    assert!(!attrs.contains_key("last_analysis_results"));
    assert!(
        attrs.keys().all(|k| k.starts_with("last_analysis_")),
        "{attrs:?}"
    );
    assert_eq!(r.stderr, "", "every include matched");
}

#[test]
fn scan_in_human_format_names_the_path_and_the_sha256() {
    let emu = shared();
    let dir = tempfile::tempdir().unwrap();
    let sample = dir.path().join("human-scan.bin");
    std::fs::write(&sample, b"a sample for the human view").unwrap();
    let sha256 = vt_api::hashing::hash_bytes(b"a sample for the human view")
        .sha256
        .as_str()
        .to_owned();
    let r = run_ok(
        emu.vt()
            .args(["--format", "human", "scan", "file", "--wait"])
            .arg(&sample),
    );
    assert!(r.stdout.starts_with("analysis "), "{}", r.stdout);
    assert!(r.stdout.contains("human-scan.bin"), "{}", r.stdout);
    assert!(r.stdout.contains(&sha256), "{}", r.stdout);
    assert!(r.stdout.contains("verdict "), "{}", r.stdout);
}

#[test]
fn filters_and_ids_never_print_silent_empty_output() {
    let emu = shared();
    // An include that matches nothing: the identity stays, and one warning.
    let r = run_ok(emu.vt().args([
        "--format",
        "ndjson",
        "-i",
        "attributes.no_such_field",
        "file",
        &emu.eicar(),
        vt_emulator::EICAR_MD5,
    ]));
    for line in r.stdout.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["type"], "file", "{line}");
        assert!(v["id"].is_string(), "{line}");
    }
    let warnings: Vec<&str> = r.stderr.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 1, "{}", r.stderr);
    assert!(warnings[0].contains("attributes.no_such_field"));
    // An include that does not parse: exit 2.
    let r = run(emu
        .vt()
        .args(["-i", "attributes..names", "file", &emu.eicar()]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("attributes..names"), "{}", r.stderr);
    // -I finds the id of a v2 report and of a raw API envelope.
    let r = run_ok(
        emu.vt()
            .args(["-I", "v2", "file-report", vt_emulator::EICAR_MD5]),
    );
    assert_eq!(r.stdout.trim(), vt_emulator::EICAR_MD5);
    let r = run_ok(
        emu.vt()
            .args(["-I", "api", "GET", &format!("/files/{}", emu.eicar())]),
    );
    assert_eq!(r.stdout.trim(), emu.eicar());
}

#[test]
fn json_is_the_default_off_a_terminal_and_format_comes_from_the_environment() {
    let emu = shared();
    let r = run_ok(emu.vt().args(["file", &emu.eicar()]));
    assert_eq!(r.json()["id"], emu.eicar());
    let r = run_ok(
        emu.vt()
            .env("VT_FORMAT", "ndjson")
            .args(["file", &emu.eicar()]),
    );
    assert_eq!(r.stdout.lines().count(), 1);
    // flag > environment
    let r = run_ok(emu.vt().env("VT_FORMAT", "ndjson").args([
        "--format",
        "yaml",
        "file",
        &emu.eicar(),
    ]));
    assert!(r.stdout.starts_with("type: file"), "{}", r.stdout);
}

#[test]
fn a_path_is_hashed_locally_and_looked_up() {
    let emu = shared();
    let dir = tempfile::tempdir().unwrap();
    let eicar = dir.path().join("eicar.com");
    std::fs::write(&eicar, vt_emulator::EICAR_BYTES).unwrap();
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "file", eicar.to_str().unwrap()]),
    );
    assert_eq!(r.json()["id"], emu.eicar());
    let h = run_ok(emu.vt().args([
        "--format",
        "json",
        "hash",
        "--alg",
        "all",
        eicar.to_str().unwrap(),
    ]));
    let v = h.json();
    assert_eq!(v["attributes"]["md5"], vt_emulator::EICAR_MD5);
    assert_eq!(v["attributes"]["sha1"], vt_emulator::EICAR_SHA1);
    assert_eq!(v["id"], vt_emulator::EICAR_SHA256);
}

// ---------------------------------------------------------------------------------------------
// Exit codes

#[test]
fn bad_input_exits_2_before_any_request() {
    let emu = Emu::start_uncached(|_| {});
    let before = emu.requests();
    let r = run(emu.vt().args(["file", &emu.eicar(), "nothex", "also-bad"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("\"nothex\""), "{}", r.stderr);
    assert!(r.stderr.contains("\"also-bad\""), "{}", r.stderr);
    for args in [
        vec!["domain", "exa mple.com"],
        vec!["ip", "999.1.1.1"],
        vec!["url", "not a url"],
        vec!["scan", "url", "http:// x"],
        vec!["scan", "file", "/definitely/not/here"],
        vec!["analysis", "has/slash"],
        vec!["comments", "file", "xyz"],
        vec!["v2", "file-report", "zzz"],
        vec!["monitor", "get", "not-base64!"],
        vec!["--format", "xml", "file", "abc"],
        vec![
            "--rate-limit",
            "lots",
            "file",
            "44d88612fea8a8f36de82e1278abb02f",
        ],
    ] {
        let r = run(emu.vt().args(&args));
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{args:?}: {}", r.stderr);
    }
    assert_eq!(
        emu.requests(),
        before,
        "nothing may be sent for invalid input"
    );
}

#[test]
fn a_wrong_key_exits_3_and_a_missing_key_too() {
    let emu = shared();
    let r = run(emu.vt_with_key("wrong-key").args(["file", &emu.eicar()]));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("WrongCredentialsError"), "{}", r.stderr);
    assert!(
        !r.stderr.contains("wrong-key"),
        "the key is never printed: {}",
        r.stderr
    );
    let r = run(clean_vt()
        .env("VT_BASE_URL", emu.url())
        .args(["file", &emu.eicar()]));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("vt config init"), "{}", r.stderr);
}

#[test]
fn premium_endpoints_with_a_public_key_exit_3() {
    let emu = shared();
    let dir = tempfile::tempdir().unwrap();
    let r = run(emu.vt_with_key(DEFAULT_PUBLIC_KEY).args([
        "download",
        &emu.eicar(),
        "-o",
        dir.path().to_str().unwrap(),
    ]));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no partial file"
    );
}

#[test]
fn not_found_exits_1_with_one_line_naming_the_input() {
    let emu = shared();
    let r = run(emu.vt().args(["file", UNKNOWN_SHA256]));
    assert_eq!(r.code, 1);
    let v = r.json();
    assert_eq!(v["error"]["code"], "NotFoundError");
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with(&format!("vt: file {UNKNOWN_SHA256}: NotFoundError")),
        "{}",
        r.stderr
    );
}

#[test]
fn a_dead_server_exits_5() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = run(clean_vt().env("VT_API_KEY", "k").args([
        "--retries",
        "0",
        "--base-url",
        &format!("http://127.0.0.1:{port}"),
        "domain",
        "example.com",
    ]));
    assert_eq!(r.code, 5, "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// Batches that never lose work

#[test]
fn a_quota_stop_keeps_results_and_resume_finishes_the_rest() {
    let emu = Emu::start_uncached(|cfg| {
        cfg.quotas.public = QuotaLimits {
            per_day: Some(3),
            ..QuotaLimits::UNLIMITED
        };
    });
    let files: Vec<String> = emu.handle.dataset().files()[..6]
        .iter()
        .map(|f| f.sha256.clone())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results.ndjson");
    let out_s = out.to_str().unwrap();
    let stdin = files.join("\n");

    let r = run(emu
        .vt_with_key(DEFAULT_PUBLIC_KEY)
        .args([
            "--retries",
            "0",
            "--concurrency",
            "1",
            "file",
            "-",
            "--output",
            out_s,
        ])
        .write_stdin(stdin.clone()));
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("3 remain"), "{}", r.stderr);
    assert!(r.stderr.contains("--resume"), "{}", r.stderr);
    assert!(!r.stderr.contains(DEFAULT_PUBLIC_KEY));
    let saved = std::fs::read_to_string(&out).unwrap();
    let inputs: Vec<String> = saved
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["input"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(inputs, files[..3].to_vec());

    // A killed run left half a line behind.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&out)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"input\":\"torn"))
        .unwrap();

    // The quota is back (a fresh emulator): only the remaining inputs are sent.
    let fresh = Emu::start_uncached(|_| {});
    let before = fresh.requests();
    let r = run(fresh
        .vt_with_key(DEFAULT_PUBLIC_KEY)
        .args([
            "--concurrency",
            "2",
            "file",
            "-",
            "--output",
            out_s,
            "--resume",
        ])
        .write_stdin(stdin));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        fresh.requests() - before,
        3,
        "only the 3 remaining inputs are looked up"
    );
    let saved = std::fs::read_to_string(&out).unwrap();
    let records: Vec<Value> = saved
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 6);
    let mut seen: Vec<String> = records
        .iter()
        .map(|r| r["input"].as_str().unwrap().to_owned())
        .collect();
    seen.sort();
    let mut want = files.clone();
    want.sort();
    assert_eq!(seen, want);
    assert!(records.iter().all(|r| r["data"]["type"] == "file"));
}

#[test]
fn quota_stop_without_output_still_closes_the_json_array() {
    let emu = Emu::start_uncached(|cfg| {
        cfg.quotas.public = QuotaLimits {
            per_day: Some(1),
            ..QuotaLimits::UNLIMITED
        };
    });
    let files: Vec<String> = emu.handle.dataset().files()[..3]
        .iter()
        .map(|f| f.md5.clone())
        .collect();
    let r = run(emu
        .vt_with_key(DEFAULT_PUBLIC_KEY)
        .args([
            "--retries",
            "0",
            "--concurrency",
            "1",
            "--format",
            "json",
            "file",
        ])
        .args(&files));
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    assert!(r.stderr.contains("--output FILE --resume"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// Every command

#[test]
fn scan_file_waits_and_skip_known_does_not_upload() {
    let emu = Emu::start_uncached(|_| {});
    let dir = tempfile::tempdir().unwrap();
    let sample = dir.path().join("sample.txt");
    std::fs::write(&sample, b"a brand new file for the vt-cli tests\n").unwrap();
    let s = sample.to_str().unwrap();

    let r = run_ok(emu.vt().args(["--format", "json", "scan", "file", s]));
    assert_eq!(r.json()["type"], "analysis");

    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "scan", "file", "--wait", s]),
    );
    let v = r.json();
    assert_eq!(v["type"], "analysis");
    assert_eq!(v["attributes"]["status"], "completed");

    let uploads = emu.handle.stats().uploads;
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "scan", "file", "--skip-known", s]),
    );
    assert_eq!(r.json()["type"], "file", "a known file gives its report");
    assert_eq!(emu.handle.stats().uploads, uploads, "nothing uploaded");
}

#[test]
fn scan_url_url_and_url_id() {
    let emu = shared();
    let url = "https://vt-cli.test/e2e/page";
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "scan", "url", "--wait", url]),
    );
    assert_eq!(r.json()["attributes"]["status"], "completed");
    let r = run_ok(emu.vt().args(["--format", "json", "url", url]));
    assert_eq!(r.json()["type"], "url");
    let r = run_ok(emu.vt().args(["--format", "json", "url-id", url]));
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let r = run_ok(emu.vt().args(["--format", "json", "url", &id]));
    assert_eq!(r.json()["type"], "url");
    let known = emu.handle.dataset().urls()[0].url.clone();
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "network-location", &known]),
    );
    assert!(
        matches!(r.json()["type"].as_str(), Some("domain" | "ip_address")),
        "{}",
        r.stdout
    );
    // A URL VirusTotal knows no network location for: nothing on stdout, exit 1 (issue 16.9).
    let r = run(emu.vt().args(["--format", "json", "network-location", url]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("no network location"), "{}", r.stderr);
}

#[test]
fn an_empty_environment_variable_means_unset() {
    let emu = shared();
    for var in ["VT_RATE_LIMIT", "VT_CONCURRENCY", "VT_FORMAT", "VT_TIMEOUT"] {
        let r = run(emu.vt().env(var, "").args(["-I", "file", &emu.eicar()]));
        assert_eq!(r.code, 0, "{var}=: {}", r.stderr);
        assert_eq!(r.stdout.trim(), emu.eicar());
    }
}

#[test]
fn domain_ip_analysis_and_rescan() {
    let emu = shared();
    let ds = emu.handle.dataset();
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "domain", &ds.domains()[0]]),
    );
    assert_eq!(r.json()["type"], "domain");
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "ip", &ds.ip_addresses()[0]]),
    );
    assert_eq!(r.json()["type"], "ip_address");
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "rescan", "file", &emu.eicar()]),
    );
    let analysis = r.json()["id"].as_str().unwrap().to_owned();
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "analysis", "--wait", &analysis]),
    );
    assert_eq!(r.json()["attributes"]["status"], "completed");
    assert_eq!(
        r.json()["meta"]["file_info"]["sha256"],
        emu.eicar(),
        "the envelope's meta says which file was analysed"
    );
    let r = run_ok(emu.vt().args([
        "--format",
        "json",
        "--wait-timeout",
        "90s",
        "analysis",
        &analysis,
    ]));
    assert_eq!(r.json()["meta"]["file_info"]["sha256"], emu.eicar());
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "rescan", "domain", &ds.domains()[0]]),
    );
    assert_eq!(r.json()["type"], "analysis");
}

#[test]
fn comments_votes_and_related() {
    let emu = Emu::start_uncached(|_| {});
    let f = emu.handle.dataset().files()[4].sha256.clone();
    let r = run_ok(emu.vt().args([
        "--format",
        "json",
        "comment",
        "file",
        &f,
        "seen in #e2e tests",
    ]));
    assert_eq!(r.json()["type"], "comment");
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "comments", "file", &f, "--all"]),
    );
    assert!(
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["attributes"]["text"] == "seen in #e2e tests")
    );
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "vote", "file", &f, "malicious"]),
    );
    assert_eq!(r.json()["type"], "vote");
    let again = run(emu.vt().args(["vote", "file", &f, "malicious"]));
    assert_eq!(again.code, 1, "a second vote is AlreadyExistsError");
    assert!(
        again.stderr.contains("AlreadyExistsError"),
        "{}",
        again.stderr
    );
    let r = run_ok(emu.vt().args(["--format", "json", "votes", "file", &f]));
    assert!(!r.json().as_array().unwrap().is_empty());

    let info = &emu.handle.dataset().files()[4];
    let (rel, n) = info
        .relationships
        .iter()
        .find(|(_, n)| *n > 2)
        .cloned()
        .expect("a relationship with items");
    let r = run_ok(emu.vt().args([
        "--format",
        "json",
        "related",
        "file",
        &info.sha256,
        &rel,
        "--limit",
        "2",
    ]));
    assert_eq!(r.json().as_array().unwrap().len(), 2);
    assert!(
        r.stderr.contains("--cursor"),
        "more items are announced: {}",
        r.stderr
    );
    let r = run_ok(emu.vt().args([
        "--format",
        "json",
        "related",
        "file",
        &info.sha256,
        &rel,
        "--all",
        "--descriptors",
    ]));
    let all = r.json();
    assert_eq!(all.as_array().unwrap().len(), n);
    assert!(all[0].get("attributes").is_none());
}

#[test]
fn downloads_go_to_a_dir_or_a_path() {
    let emu = shared();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("eicar.bin");
    run_ok(
        emu.vt()
            .args(["download", &emu.eicar(), "-o", target.to_str().unwrap()]),
    );
    assert_eq!(std::fs::read(&target).unwrap(), vt_emulator::EICAR_BYTES);
    let unsynced = dir.path().join("eicar-nosync.bin");
    run_ok(emu.vt().args([
        "download",
        "--no-sync",
        &emu.eicar(),
        "-o",
        unsynced.to_str().unwrap(),
    ]));
    assert_eq!(std::fs::read(&unsynced).unwrap(), vt_emulator::EICAR_BYTES);
    let f = emu
        .handle
        .dataset()
        .files()
        .iter()
        .find(|f| f.downloadable && f.sha256 != emu.eicar())
        .unwrap();
    run_ok(emu.vt().args([
        "download",
        &emu.eicar(),
        &f.md5,
        "-o",
        dir.path().join("many").to_str().unwrap(),
    ]));
    assert!(dir.path().join("many").join(emu.eicar()).is_file());
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "download-url", &emu.eicar()]),
    );
    assert!(r.json().as_str().unwrap().starts_with("http"));
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "behaviours", &emu.eicar(), "--all"]),
    );
    assert!(r.json().is_array());
}

#[test]
fn monitor_commands() {
    let emu = Emu::start_uncached(|_| {});
    let r = run_ok(emu.vt().args([
        "--format", "json", "monitor", "items", "--tag", "detected", "--all",
    ]));
    let items = r.json();
    let items = items.as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| {
        i["attributes"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "detected")
    }));

    let file = emu
        .handle
        .dataset()
        .monitor_items()
        .iter()
        .find(|i| !i.is_folder)
        .unwrap()
        .clone();
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "monitor", "get", &file.id]),
    );
    assert_eq!(r.json()["attributes"]["path"], file.path.as_str());
    // Analyses: the item's, newest first (issue 14.13: the output, not only the exit code).
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "monitor", "analyses", &file.id]),
    );
    let analyses = r.json();
    let analyses = analyses.as_array().unwrap();
    assert!(!analyses.is_empty(), "{}", r.stdout);
    assert!(
        analyses.iter().all(|a| a["type"] == "monitor_analysis"
            && a["attributes"]["sha256"] == file.sha256.as_deref().unwrap_or_default()),
        "{}",
        r.stdout
    );
    let dates: Vec<i64> = analyses
        .iter()
        .map(|a| a["attributes"]["date"].as_i64().unwrap())
        .collect();
    assert!(
        dates.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {dates:?}"
    );
    let r = run_ok(emu.vt().args([
        "--format",
        "json",
        "monitor",
        "details",
        &file.id,
        "shipped in 1.0",
    ]));
    assert_eq!(r.json()["attributes"]["details"], "shipped in 1.0");
    let r = run_ok(emu.vt().args([
        "--format", "json", "monitor", "details", &file.id, "--clear",
    ]));
    assert_eq!(r.json()["id"], file.id.as_str());
    assert!(r.json()["attributes"]["details"].is_null(), "{}", r.stdout);
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "monitor", "get", &file.id]),
    );
    assert!(
        r.json()["attributes"]["details"].is_null(),
        "cleared: {}",
        r.stdout
    );

    // The rest of the family (issue 14.4).
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "monitor", "download-url", &file.id]),
    );
    assert!(
        r.json().as_str().unwrap().starts_with("http"),
        "{}",
        r.stdout
    );
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "monitor", "owner", &file.id]),
    );
    assert!(
        matches!(r.json()["type"].as_str(), Some("user" | "group")),
        "{}",
        r.stdout
    );
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "monitor", "comments", &file.id]),
    );
    assert!(r.json().is_array(), "{}", r.stdout);
    let r = run_ok(emu.vt().args(["--format", "json", "monitor", "statistics"]));
    assert!(r.json()["files_count"].as_u64().is_some(), "{}", r.stdout);
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "monitor", "events", "--limit", "2"]),
    );
    assert!(r.json().as_array().unwrap().len() <= 2, "{}", r.stdout);
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "monitor", "mkdir", "/made/"]),
    );
    let made = r.json();
    assert_eq!(made["type"], "monitor_item", "{made}");
    let r = run_ok(emu.vt().args(["-I", "monitor", "items", "--path", "/"]));
    assert!(
        r.stdout.contains(made["id"].as_str().unwrap()),
        "{}",
        r.stdout
    );
    let r = run(emu.vt().args(["monitor", "items", "--item", &file.id]));
    assert_eq!(r.code, 2, "--item must be a folder: {}", r.stderr);
    let content = tempfile::tempdir().unwrap();
    let new = content.path().join("new.bin");
    std::fs::write(&new, b"replaced content").unwrap();
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "monitor", "replace", &file.id])
            .arg(&new),
    );
    assert_eq!(r.json()["id"], file.id.as_str());
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "monitor", "get", &file.id]),
    );
    let want = vt_api::hashing::hash_bytes(b"replaced content").sha256;
    assert_eq!(r.json()["attributes"]["sha256"], want.as_str());
    // Several paths into a folder; the server's objects are printed.
    let other = content.path().join("other.bin");
    std::fs::write(&other, b"other").unwrap();
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "monitor", "upload"])
            .arg(&new)
            .arg(&other)
            .arg("/made/"),
    );
    let uploaded = r.json();
    let uploaded = uploaded.as_array().unwrap();
    assert_eq!(uploaded.len(), 2, "{}", r.stdout);
    for (u, name) in uploaded.iter().zip(["new.bin", "other.bin"]) {
        assert_eq!(u["type"], "monitor_item", "{u}");
        let id: vt_model::MonitorItemId = u["id"].as_str().unwrap().parse().unwrap();
        assert_eq!(id.path(), Some(format!("/made/{name}").as_str()));
        assert!(
            u["attributes"].get("local").is_none(),
            "the server's object: {u}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    run_ok(emu.vt().args([
        "monitor",
        "download",
        &file.id,
        "-o",
        dir.path().to_str().unwrap(),
    ]));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // Upload a tree, then sync: only the changed file goes up again.
    let tree = tempfile::tempdir().unwrap();
    std::fs::create_dir(tree.path().join("sub")).unwrap();
    std::fs::write(tree.path().join("a.txt"), b"one").unwrap();
    std::fs::write(tree.path().join("sub/b.txt"), b"two").unwrap();
    let t = tree.path().to_str().unwrap();
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "monitor", "upload", t, "/e2e/"]),
    );
    assert_eq!(r.json().as_array().unwrap().len(), 2);
    let r = run_ok(emu.vt().args([
        "--format",
        "json",
        "monitor",
        "items",
        "--path",
        "/e2e/sub/",
    ]));
    assert_eq!(r.json()[0]["attributes"]["path"], "/e2e/sub/b.txt");
    std::fs::write(tree.path().join("sub/b.txt"), b"two, changed").unwrap();
    let r = run_ok(emu.vt().args([
        "--format",
        "json",
        "monitor",
        "sync",
        t,
        "/e2e/",
        "--dry-run",
    ]));
    let plan = r.json();
    assert_eq!(plan.as_array().unwrap().len(), 1, "{plan}");
    assert_eq!(plan[0]["id"], "/e2e/sub/b.txt");
    assert_eq!(plan[0]["attributes"]["reason"], "changed");
    let uploads = emu.handle.stats().uploads;
    run_ok(emu.vt().args(["monitor", "sync", t, "/e2e/"]));
    assert_eq!(emu.handle.stats().uploads, uploads + 1);
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "monitor", "sync", t, "/e2e/"]),
    );
    assert_eq!(r.json().as_array().unwrap().len(), 0, "in sync now");

    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "monitor", "delete", &file.id]),
    );
    assert_eq!(r.json()["attributes"]["deleted"], true);
    let r = run(emu.vt().args(["monitor", "get", &file.id]));
    assert_eq!(r.code, 1);
}

#[test]
fn v2_search_metadata_quota_and_raw_api() {
    let emu = shared();
    let f = &emu.handle.dataset().files()[5];
    let r = run(emu.vt().args([
        "--format",
        "json",
        "v2",
        "file-report",
        &f.md5,
        vt_emulator::EICAR_MD5,
        UNKNOWN_SHA256,
    ]));
    assert_eq!(r.code, 1, "one resource is unknown: {}", r.stderr);
    let v = r.json();
    assert_eq!(v[0]["md5"], f.md5.as_str());
    assert_eq!(v[1]["md5"], vt_emulator::EICAR_MD5);
    // An unknown resource is the per-item error form, as in every batch.
    assert_eq!(v[2]["id"], UNKNOWN_SHA256);
    assert_eq!(v[2]["error"]["code"], "response_code 0");
    assert!(r.stderr.contains("2 succeeded, 1 failed"), "{}", r.stderr);

    let r = run_ok(emu.vt().args(["--format", "json", "search", &emu.eicar()]));
    assert_eq!(r.json()[0]["id"], emu.eicar());
    let r = run_ok(emu.vt().args(["--format", "json", "metadata"]));
    assert!(r.json()["attributes"]["engines"].is_object());
    let r = run_ok(emu.vt().args(["--format", "json", "-vvv", "quota"]));
    assert_eq!(r.json()["type"], "overall_quotas");
    assert_eq!(
        r.json()["tier"],
        "premium",
        "the default emulator key is premium"
    );
    assert!(!r.stdout.contains(DEFAULT_PREMIUM_KEY));
    assert!(
        r.stderr.contains("overall_quotas"),
        "-vvv logs the request: {}",
        r.stderr
    );
    assert!(
        !r.stderr.contains(DEFAULT_PREMIUM_KEY),
        "the key is scrubbed from logs"
    );
    let r = run_ok(emu.vt().args([
        "--format",
        "json",
        "api",
        "GET",
        &format!("/files/{}", emu.eicar()),
    ]));
    assert_eq!(r.json()["data"]["id"], emu.eicar());
    // The path as VirusTotal's documentation writes it (issue 16.4).
    let r = run_ok(emu.vt().args([
        "--format",
        "json",
        "api",
        "GET",
        &format!("/api/v3/files/{}", emu.eicar()),
    ]));
    assert_eq!(r.json()["data"]["id"], emu.eicar());
    let r = run_ok(emu.vt().args([
        "--format",
        "json",
        "api",
        "get",
        "/monitor/items?filter=path:/",
        "--all",
    ]));
    assert!(!r.json().as_array().unwrap().is_empty());
}

#[test]
fn completions_and_help() {
    let r = run_ok(clean_vt().args(["completions", "bash"]));
    assert!(
        r.stdout.contains("_vt()"),
        "{}",
        &r.stdout[..200.min(r.stdout.len())]
    );
    let r = run_ok(clean_vt().arg("--help"));
    assert!(r.stdout.contains("Exit codes:"));
    assert!(r.stdout.contains("4  quota exhausted"));
    // A command's own options come before the global ones (issue 16.12).
    let r = run_ok(clean_vt().args(["scan", "file", "--help"]));
    let (wait, global, key) = (
        r.stdout.find("--wait").unwrap(),
        r.stdout.find("Global options:").unwrap(),
        r.stdout.find("--api-key").unwrap(),
    );
    assert!(wait < global && global < key, "{}", r.stdout);
    // The emulator is a server: no client options in its help.
    for args in [
        &["emulator", "serve", "--help"][..],
        &["emulator", "--help"],
    ] {
        let r = run_ok(clean_vt().args(args));
        assert!(!r.stdout.contains("--api-key"), "{}", r.stdout);
        assert!(!r.stdout.contains("--rate-limit"), "{}", r.stdout);
    }
    let r = run_ok(clean_vt().args(["emulator", "serve", "--help"]));
    assert!(r.stdout.contains("--port"), "{}", r.stdout);
    // `--rate-limit public` means the same in --help and in docs/cli.md.
    let r = run_ok(clean_vt().args(["file", "--help"]));
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/cli.md"))
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let help = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    let phrase = "the 500/day budget is left to the server";
    assert!(help.contains(phrase), "{help}");
    assert!(docs.contains(phrase));
    assert!(!help.contains("public (4/min, 500/day"), "{help}");
}

// ---------------------------------------------------------------------------------------------
// Configuration

#[cfg(unix)]
#[test]
fn config_init_writes_0600_and_a_readable_config_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let emu = shared();
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("vt").join("config.toml");
    let c = cfg.to_str().unwrap();
    let mut init = clean_vt();
    init.args(["--config", c, "config", "init"])
        .write_stdin(format!("{DEFAULT_PREMIUM_KEY}\n"));
    // --config names a file that does not exist yet: init creates it.
    let r = run(&mut init);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        std::fs::metadata(&cfg).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(
        std::fs::read_to_string(&cfg)
            .unwrap()
            .contains(DEFAULT_PREMIUM_KEY)
    );

    // The key comes from the config file.
    let r = run_ok(clean_vt().env("VT_BASE_URL", emu.url()).args([
        "--config",
        c,
        "-I",
        "file",
        &emu.eicar(),
    ]));
    assert_eq!(r.stdout.trim(), emu.eicar());
    let r = run_ok(clean_vt().args(["--config", c, "--format", "json", "config", "show"]));
    assert!(!r.stdout.contains(DEFAULT_PREMIUM_KEY), "{}", r.stdout);
    assert_eq!(r.json()["attributes"]["api_key"]["source"], "config file");

    // Readable by others: refused, with the fix, before any request.
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o644)).unwrap();
    let r =
        run(clean_vt()
            .env("VT_BASE_URL", emu.url())
            .args(["--config", c, "file", &emu.eicar()]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("chmod 600 {c}")), "{}", r.stderr);

    // The environment beats the config file.
    let r = run_ok(
        clean_vt()
            .env("VT_BASE_URL", emu.url())
            .env("VT_API_KEY", DEFAULT_PREMIUM_KEY)
            .args(["--config", c, "-I", "file", &emu.eicar()]),
    );
    assert_eq!(r.stdout.trim(), emu.eicar());

    // A second init without --force keeps the file.
    let r = run(clean_vt()
        .args(["--config", c, "config", "init"])
        .write_stdin("other\n"));
    assert_eq!(r.code, 2);
}

#[cfg(unix)]
#[test]
fn each_setting_comes_from_the_flag_then_the_environment_then_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("vt.toml");
    std::fs::write(
        &cfg,
        "timeout = 7\nretries = 1\nformat = \"csv\"\ntier = \"premium\"\nconcurrency = 5\n\
         proxy = \"http://user:pw@proxy.example:3128\"\nhttp2 = true\n",
    )
    .unwrap();
    let r = run_ok(
        clean_vt()
            .env_remove("VT_RATE_LIMIT")
            .env("VT_CONCURRENCY", "3")
            .args(["--config", cfg.to_str().unwrap(), "--retries", "2"])
            .args(["--format", "json", "config", "show"]),
    );
    let a = &r.json()["attributes"];
    let setting = |k: &str| (a[k]["value"].clone(), a[k]["source"].clone());
    assert_eq!(setting("retries"), (2.into(), "flag".into()));
    assert_eq!(setting("format"), ("json".into(), "flag".into()));
    assert_eq!(setting("concurrency"), (3.into(), "environment".into()));
    assert_eq!(setting("timeout"), (7.into(), "config file".into()));
    assert_eq!(setting("tier"), ("premium".into(), "config file".into()));
    // The tier's rate limit when none is set.
    assert_eq!(setting("rate_limit"), ("none".into(), "default".into()));
    assert_eq!(
        setting("proxy"),
        (
            "http://user:<redacted>@proxy.example:3128".into(),
            "config file".into()
        )
    );
    assert_eq!(
        setting("base_url"),
        ("https://www.virustotal.com".into(), "default".into())
    );
    assert_eq!(setting("http2"), (true.into(), "config file".into()));
}

#[test]
fn a_key_file_readable_by_others_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let emu = shared();
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    std::fs::write(&key, format!("{DEFAULT_PREMIUM_KEY}\n")).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();
    let k = key.to_str().unwrap();
    let r = run(clean_vt().env("VT_BASE_URL", emu.url()).args([
        "--api-key-file",
        k,
        "file",
        &emu.eicar(),
    ]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("chmod 600"), "{}", r.stderr);
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    run_ok(clean_vt().env("VT_BASE_URL", emu.url()).args([
        "--api-key-file",
        k,
        "file",
        &emu.eicar(),
    ]));
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_batch_cleanly_and_says_how_to_resume() {
    let emu = shared();
    let files: Vec<String> = emu.handle.dataset().files()[..4]
        .iter()
        .map(|f| f.sha256.clone())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.ndjson");
    // One request a minute: the first result comes at once, the second would take a minute.
    let child = emu.spawn(&[
        "--rate-limit",
        "1/min",
        "--concurrency",
        "1",
        "file",
        "--output",
        out.to_str().unwrap(),
        &files[0],
        &files[1],
        &files[2],
        &files[3],
    ]);
    common::wait_until("the first result", || {
        std::fs::read_to_string(&out).is_ok_and(|s| s.lines().count() >= 1)
    });
    common::signal(&child, "-INT");
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(stderr.contains("3 remain"), "{stderr}");
    assert!(stderr.contains("--resume"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 1);
}

#[cfg(all(unix, feature = "emulator"))]
#[test]
fn emulator_serve_prints_its_url_and_keys_and_stops_on_ctrl_c() {
    use std::io::BufRead;
    let bin = assert_cmd::cargo::cargo_bin("vt");
    let mut child = std::process::Command::new(bin)
        .env_clear()
        .args([
            "emulator",
            "serve",
            "--port",
            "0",
            "--key",
            "serve-key:premium",
            "--analysis-polls",
            "0",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufReader::new(stdout).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first.rsplit(' ').next().unwrap().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{first}");
    let mut rest = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let last = line.contains("Ctrl-C");
        rest.push(line);
        if last {
            break;
        }
    }
    assert!(
        rest.iter().any(|l| l.contains("serve-key (premium)")),
        "{rest:?}"
    );
    let r = run_ok(
        clean_vt()
            .env("VT_BASE_URL", &url)
            .env("VT_API_KEY", "serve-key")
            .args(["-I", "file", vt_emulator::EICAR_MD5]),
    );
    assert_eq!(r.stdout.trim(), vt_emulator::EICAR_SHA256);
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn every_format_works_for_single_objects_lists_and_local_commands() {
    let emu = shared();
    let dir = tempfile::tempdir().unwrap();
    let sample = dir.path().join("s.txt");
    std::fs::write(&sample, b"sample").unwrap();
    let domain = emu.handle.dataset().domains()[0].clone();
    let commands: Vec<Vec<String>> = vec![
        vec!["domain".into(), domain],
        vec![
            "comments".into(),
            "file".into(),
            emu.eicar(),
            "--limit".into(),
            "3".into(),
        ],
        vec!["metadata".into()],
        vec![
            "v2".into(),
            "file-report".into(),
            vt_emulator::EICAR_MD5.into(),
        ],
        vec![
            "monitor".into(),
            "items".into(),
            "--limit".into(),
            "3".into(),
        ],
        vec!["hash".into(), sample.to_str().unwrap().into()],
        vec![
            "url-id".into(),
            "https://example.com/".into(),
            "http://a.example/b".into(),
        ],
        vec!["config".into(), "show".into()],
    ];
    for cmd in &commands {
        for format in ["human", "json", "ndjson", "yaml", "csv"] {
            let r = run_ok(emu.vt().args(["--format", format]).args(cmd));
            assert!(!r.stdout.trim().is_empty(), "{cmd:?} {format}");
            match format {
                "json" => {
                    serde_json::from_str::<Value>(&r.stdout).unwrap();
                }
                "ndjson" => {
                    for line in r.stdout.lines() {
                        serde_json::from_str::<Value>(line).unwrap();
                    }
                }
                "yaml" => {
                    serde_norway::from_str::<Value>(&r.stdout).unwrap();
                }
                "csv" => {
                    let mut rdr = csv::Reader::from_reader(r.stdout.as_bytes());
                    assert!(rdr.records().count() >= 1, "{cmd:?}: {}", r.stdout);
                }
                _ => assert!(
                    !r.stdout.contains('{') || cmd[0] == "url-id",
                    "{cmd:?}: {}",
                    r.stdout
                ),
            }
            assert!(!r.stdout.contains(DEFAULT_PREMIUM_KEY), "{cmd:?} {format}");
        }
    }
}

#[test]
fn behaviours_show_the_sandbox_reports_of_a_file() {
    let emu = shared();
    let f = emu
        .handle
        .dataset()
        .files()
        .iter()
        .find(|f| f.relationship_len("behaviours") > 1 && f.malicious > 0)
        .expect("a detected file that several sandboxes ran");
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "behaviours", &f.sha256, "--all"]),
    );
    let reports = r.json();
    let reports = reports.as_array().unwrap();
    assert_eq!(reports.len(), f.relationship_len("behaviours"));
    let mut sandboxes = Vec::new();
    for report in reports {
        assert_eq!(report["type"], "file_behaviour");
        let a = &report["attributes"];
        let sandbox = a["sandbox_name"].as_str().unwrap();
        assert_eq!(report["id"], format!("{}_{sandbox}", f.sha256));
        assert!(
            a["verdicts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v == "MALWARE")
        );
        assert!(!a["processes_tree"].as_array().unwrap().is_empty());
        sandboxes.push(sandbox.to_owned());
    }
    let human = run_ok(
        emu.vt()
            .args(["--format", "human", "behaviours", &f.sha256, "--all"]),
    );
    for sandbox in &sandboxes {
        assert!(human.stdout.contains(sandbox.as_str()), "{}", human.stdout);
    }
}

#[test]
fn related_lists_embedded_domains_urls_and_compressed_parents() {
    let emu = shared();
    let files = emu.handle.dataset().files();
    for (rel, kind) in [
        ("embedded_domains", "domain"),
        ("embedded_urls", "url"),
        ("compressed_parents", "file"),
    ] {
        let f = files
            .iter()
            .find(|f| f.relationship_len(rel) > 0)
            .unwrap_or_else(|| panic!("a file with {rel}"));
        let r = run_ok(emu.vt().args([
            "--format", "json", "related", "file", &f.sha256, rel, "--all",
        ]));
        let items = r.json();
        let items = items.as_array().unwrap();
        assert_eq!(items.len(), f.relationship_len(rel), "{rel}");
        assert!(items.iter().all(|i| i["type"] == kind), "{rel}: {items:?}");
        assert!(
            items.iter().all(|i| i.get("attributes").is_some()),
            "{rel}: full objects"
        );
    }
    // An embedded domain names the file back among its referrer files.
    let f = files
        .iter()
        .find(|f| f.relationship_len("embedded_domains") > 0)
        .unwrap();
    let r = run_ok(emu.vt().args([
        "--format",
        "json",
        "related",
        "file",
        &f.sha256,
        "embedded_domains",
        "--limit",
        "1",
    ]));
    let domain = r.json()[0]["id"].as_str().unwrap().to_owned();
    let r = run_ok(emu.vt().args([
        "--format",
        "json",
        "related",
        "domain",
        &domain,
        "referrer_files",
        "--all",
        "--descriptors",
    ]));
    let back = r.json();
    assert!(
        back.as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == f.sha256.as_str()),
        "{domain} referrer_files lacks {}",
        f.sha256
    );
}

// ---------------------------------------------------------------------------------------------
// Sandbox reports and artefacts; private scanning

/// A detected file that several sandboxes ran, one of them keeping every artefact flag set.
fn sandboxed_file(emu: &Emu) -> vt_emulator::FileInfo {
    emu.handle
        .dataset()
        .files()
        .iter()
        .find(|f| f.relationship_len("behaviours") > 1 && f.malicious > 0)
        .expect("a detected file that several sandboxes ran")
        .clone()
}

#[test]
fn sandbox_commands_summary_mitre_one_sandbox_and_every_artefact() {
    let emu = shared();
    let f = sandboxed_file(emu);
    let reports = run_ok(
        emu.vt()
            .args(["--format", "json", "behaviours", &f.md5, "--all"]),
    )
    .json();
    let first = &reports.as_array().unwrap()[0];
    let sandbox = first["attributes"]["sandbox_name"].as_str().unwrap();
    // --sandbox by SHA-256 (one request) and by MD5 (the list searched), any case.
    for hash in [&f.sha256, &f.md5] {
        let one = run_ok(emu.vt().args([
            "--format",
            "json",
            "behaviours",
            hash,
            "--sandbox",
            &sandbox.to_lowercase(),
        ]))
        .json();
        assert_eq!(one["id"], first["id"], "{hash}");
    }
    let r = run(emu
        .vt()
        .args(["behaviours", &f.sha256, "--sandbox", "No Such Box"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let summary = run_ok(
        emu.vt()
            .args(["--format", "json", "behaviour-summary", &f.sha256]),
    )
    .json();
    assert_eq!(summary["type"], "behaviour_summary");
    assert!(summary["attributes"]["processes_tree"].is_array());
    let mitre = run_ok(emu.vt().args(["--format", "json", "mitre", &f.sha256])).json();
    assert_eq!(mitre["type"], "behaviour_mitre_trees");
    let trees = mitre["attributes"].as_object().unwrap();
    assert!(trees.contains_key(sandbox));
    assert!(
        trees
            .values()
            .any(|t| !t["tactics"].as_array().unwrap().is_empty())
    );
    // Artefacts: each flagged one lands under the final name, nothing partial is left.
    let dir = tempfile::tempdir().unwrap();
    let mut fetched = 0;
    for report in reports.as_array().unwrap() {
        let id = report["id"].as_str().unwrap();
        for (cmd, flag) in [
            ("pcap", "has_pcap"),
            ("html", "has_html_report"),
            ("evtx", "has_evtx"),
            ("memdump", "has_memdump"),
        ] {
            let out = dir.path().join(format!("{fetched}.{cmd}"));
            let r = run(emu
                .vt()
                .args(["--format", "json", cmd, id, "-o", out.to_str().unwrap()]));
            if report["attributes"][flag] == true {
                assert_eq!(r.code, 0, "{cmd} {id}: {}", r.stderr);
                let v = r.json();
                assert_eq!(v["attributes"]["artifact"], cmd);
                assert_eq!(
                    v["attributes"]["size"].as_u64().unwrap(),
                    std::fs::metadata(&out).unwrap().len()
                );
                fetched += 1;
            } else {
                assert_eq!(r.code, 1, "{cmd} of a run without it: {}", r.stderr);
                assert!(!out.exists());
            }
        }
    }
    assert!(fetched > 0);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("vt-partial"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn private_scans_of_files_and_urls_stay_private_and_can_be_waited_for() {
    let emu = Emu::start_uncached(|_| {});
    let dir = tempfile::tempdir().unwrap();
    let sample = dir.path().join("private.bin");
    std::fs::write(&sample, b"a private sample for the e2e test 91c2").unwrap();
    let digests = run_ok(emu.vt().args([
        "--format",
        "json",
        "hash",
        "--alg",
        "all",
        sample.to_str().unwrap(),
    ]))
    .json();
    let sha256 = digests["attributes"]["sha256"].as_str().unwrap().to_owned();
    let done = run_ok(emu.vt().args([
        "--format",
        "json",
        "scan",
        "file",
        "--private",
        "--wait",
        "--retention-days",
        "2",
        "--enable-internet",
        "false",
        sample.to_str().unwrap(),
    ]))
    .json();
    assert_eq!(done["type"], "private_analysis");
    assert_eq!(done["attributes"]["status"], "completed");
    assert_eq!(done["meta"]["file_info"]["sha256"], sha256.as_str());
    let report = run_ok(
        emu.vt()
            .args(["--format", "json", "private", "file", &sha256]),
    )
    .json();
    assert_eq!(report["type"], "private_file");
    assert!(report["attributes"]["sandbox_verdicts"].is_object());
    // The public side never heard of it.
    let r = run(emu.vt().args(["file", &sha256]));
    assert_eq!(r.code, 1, "{}", r.stdout);
    let listed = run_ok(
        emu.vt()
            .args(["--format", "json", "private", "files", "--all"]),
    )
    .json();
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == sha256.as_str())
    );
    // Without --wait: the descriptor, then `vt private analysis --wait`, in a batch with
    // --output/--resume.
    let url = "http://private-e2e.example.net/a";
    let d = run_ok(
        emu.vt()
            .args(["--format", "json", "scan", "url", "--private", url]),
    )
    .json();
    assert_eq!(d["type"], "private_analysis");
    let id = d["id"].as_str().unwrap().to_owned();
    let out = dir.path().join("analyses.ndjson");
    run_ok(emu.vt().args([
        "private",
        "analysis",
        "--wait",
        &id,
        "--output",
        out.to_str().unwrap(),
    ]));
    let lines = std::fs::read_to_string(&out).unwrap();
    assert_eq!(lines.lines().count(), 1, "{lines}");
    assert!(lines.contains("\"completed\""), "{lines}");
    let before = emu.requests();
    run_ok(emu.vt().args([
        "private",
        "analysis",
        &id,
        "--output",
        out.to_str().unwrap(),
        "--resume",
    ]));
    assert_eq!(emu.requests(), before, "--resume skipped the done input");
    let u = run_ok(emu.vt().args(["--format", "json", "private", "url", url])).json();
    assert_eq!(u["type"], "private_url");
    assert_eq!(run(emu.vt().args(["url", url])).code, 1);
}

#[test]
fn private_scanning_with_a_public_key_exits_3() {
    let emu = shared();
    let dir = tempfile::tempdir().unwrap();
    let sample = dir.path().join("p.bin");
    std::fs::write(&sample, b"x").unwrap();
    for args in [
        vec!["scan", "file", "--private", sample.to_str().unwrap()],
        vec!["scan", "url", "--private", "http://example.com/"],
        vec!["private", "file", UNKNOWN_SHA256],
    ] {
        let r = run(emu.vt_with_key(DEFAULT_PUBLIC_KEY).args(&args));
        assert_eq!(r.code, 3, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("ForbiddenError"), "{}", r.stderr);
    }
}

// Intelligence search and ZIP downloads

#[test]
fn intelligence_search_orders_limits_and_says_how_to_go_on() {
    let emu = shared();
    let r = run_ok(emu.vt().args([
        "--format",
        "json",
        "search",
        "p:1+",
        "--order",
        "positives-",
        "--limit",
        "4",
    ]));
    let hits = r.json();
    let hits = hits.as_array().unwrap();
    assert_eq!(hits.len(), 4);
    let p: Vec<u64> = hits
        .iter()
        .map(|h| {
            h["attributes"]["last_analysis_stats"]["malicious"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert!(p.windows(2).all(|w| w[0] >= w[1]) && p[3] >= 1, "{p:?}");
    assert!(r.stderr.contains("--cursor"), "{}", r.stderr);
    // The cursor printed continues after the last hit.
    let cursor = r
        .stderr
        .split("--cursor ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    let next = run_ok(emu.vt().args([
        "--format",
        "json",
        "search",
        "p:1+",
        "--order",
        "positives-",
        "--limit",
        "2",
        "--cursor",
        cursor,
    ]))
    .json();
    let all = run_ok(emu.vt().args([
        "--format",
        "json",
        "search",
        "p:1+",
        "--order",
        "positives-",
        "--limit",
        "6",
    ]))
    .json();
    assert_eq!(next.as_array().unwrap()[..], all.as_array().unwrap()[4..6]);
    // Descriptors only, every hit, identifiers printed.
    let r = run_ok(
        emu.vt()
            .args(["search", "--descriptors", "--all", "-I", &emu.eicar()]),
    );
    assert_eq!(r.stdout.trim(), emu.eicar());
    // The public search stays reachable.
    let r = run_ok(
        emu.vt()
            .args(["--format", "json", "search", "--basic", &emu.eicar()]),
    );
    assert_eq!(r.json()[0]["id"], emu.eicar());
}

#[test]
fn intelligence_search_refusals_are_one_line() {
    let emu = shared();
    let r = run(emu
        .vt()
        .args(["search", "p:1+", "--cursor", "bm90LWEtY3Vyc29y"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("InvalidArgumentError"), "{}", r.stderr);
    let r = run(emu.vt().args(["search", "content:\"MZ\""]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("Unsupported search modifier"),
        "{}",
        r.stderr
    );
    let r = run(emu.vt_with_key(DEFAULT_PUBLIC_KEY).args(["search", "p:1+"]));
    assert_eq!(r.code, 3, "{}", r.stderr);
}

#[test]
fn a_search_stopped_by_the_quota_resumes_without_gaps_or_repeats() {
    let quota = |cfg: &mut EmulatorConfig| {
        cfg.quotas.premium = QuotaLimits {
            per_day: Some(2),
            ..QuotaLimits::UNLIMITED
        };
    };
    let emu = Emu::start_uncached(quota);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hits.ndjson");
    let out_s = out.to_str().unwrap();
    let args = [
        "--retries",
        "0",
        "search",
        "p:0+",
        "--order",
        "size+",
        "--limit",
        "7",
        "--page-size",
        "3",
        "--output",
        out_s,
    ];
    let r = run(emu.vt().args(args));
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("--resume"), "{}", r.stderr);
    let lines = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        lines.lines().count(),
        6,
        "two pages of 3 before the quota ran out"
    );
    // A killed run's torn line is cut, then the search goes on where it stopped.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&out)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"input\":\"torn"))
        .unwrap();
    let fresh = Emu::start_uncached(quota);
    let r = run(fresh.vt().args(args.iter().copied().chain(["--resume"])));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let resumed: Vec<String> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["input"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let straight = run_ok(shared().vt().args([
        "--format", "json", "search", "p:0+", "--order", "size+", "--limit", "7",
    ]))
    .json();
    let want: Vec<String> = straight
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(resumed, want);
}

#[test]
fn download_zip_builds_one_password_protected_zip_with_progress() {
    let emu = shared();
    let other = emu.handle.dataset().files()[1].sha256.clone();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle.zip");
    let r = run_ok(emu.vt().args([
        "--format",
        "json",
        "download",
        "--zip",
        out.to_str().unwrap(),
        "--password",
        "infected",
        &emu.eicar(),
        &other,
    ]));
    let v = r.json();
    assert_eq!(v["type"], "zip_file");
    assert_eq!(v["attributes"]["status"], "finished");
    assert_eq!(v["attributes"]["files_ok"], 2);
    assert!(r.stderr.contains("%"), "progress shown: {}", r.stderr);
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"PK\x03\x04"));
    assert_eq!(v["attributes"]["size"], bytes.len());
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains(&emu.eicar()) && text.contains(&other));
    // Encrypted: EICAR's text is not in the clear.
    assert!(!text.contains("EICAR-STANDARD"));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temp file left"
    );
}

#[test]
fn a_zip_that_never_finishes_times_out_in_one_line_and_leaves_nothing() {
    // A frozen clock: the bundle never gets past "starting".
    let emu = Emu::start_uncached(|cfg| cfg.clock = vt_emulator::ClockMode::Manual(1_750_000_000));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle.zip");
    let r = run(emu.vt().args([
        "--wait-timeout",
        "1s",
        "download",
        "--zip",
        out.to_str().unwrap(),
        &emu.eicar(),
    ]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let last = r.stderr.trim().lines().last().unwrap();
    assert!(
        last.contains("not finished") && last.contains("starting"),
        "{}",
        r.stderr
    );
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_search_stopped_mid_page_resumes_at_the_next_hit() {
    let emu = shared();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hits.ndjson");
    let out_s = out.to_str().unwrap();
    let base = [
        "search",
        "p:0+",
        "--order",
        "size-",
        "--page-size",
        "3",
        "--output",
        out_s,
    ];
    // Two pages of 3, then the run "killed" after the first hit of the second page.
    run_ok(emu.vt().args(base).args(["--limit", "6"]));
    let text = std::fs::read_to_string(&out).unwrap();
    let kept: Vec<&str> = text.lines().take(4).collect();
    std::fs::write(&out, kept.join("\n") + "\n").unwrap();
    let first: Vec<Value> = kept
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(first[3]["search"]["skip"], 1, "{}", first[3]["search"]);
    run_ok(emu.vt().args(base).args(["--limit", "8", "--resume"]));
    let records: Vec<Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // The resumed records say where to continue too: the 5th hit is the 2nd of its page.
    assert_eq!(records[4]["search"]["cursor"], first[3]["search"]["cursor"]);
    assert_eq!(records[4]["search"]["skip"], 2, "{}", records[4]["search"]);
    let resumed: Vec<String> = records
        .iter()
        .map(|r| r["input"].as_str().unwrap().to_owned())
        .collect();
    let straight: Vec<String> = run_ok(emu.vt().args([
        "--format", "json", "search", "p:0+", "--order", "size-", "--limit", "8",
    ]))
    .json()
    .as_array()
    .unwrap()
    .iter()
    .map(|h| h["id"].as_str().unwrap().to_owned())
    .collect();
    assert_eq!(resumed, straight);
}

#[test]
fn a_file_counts_the_same_engines_in_v3_and_v2() {
    let emu = shared();
    let f = emu.handle.dataset().eicar().unwrap();
    let v3 = run_ok(emu.vt().args(["--format", "json", "file", &f.sha256])).json();
    let stats = &v3["attributes"]["last_analysis_stats"];
    let n = |k: &str| stats[k].as_u64().unwrap();
    let v2 = run_ok(
        emu.vt()
            .args(["--format", "json", "v2", "file-report", &f.sha256]),
    )
    .json();
    assert_eq!(v2["positives"].as_u64().unwrap(), n("malicious"));
    assert_eq!(
        v2["total"].as_u64().unwrap(),
        n("malicious") + n("suspicious") + n("harmless") + n("undetected"),
        "v2 total is v3's engines with a verdict"
    );
}

// ---------------------------------------------------------------------------------------------
// Collections and the IoC stream (issue 12)

/// The emulator's user id of the premium key.
fn premium_user(emu: &Emu) -> String {
    let me = run_ok(emu.vt().args([
        "--format",
        "json",
        "api",
        "GET",
        &format!("/users/{DEFAULT_PREMIUM_KEY}"),
    ]))
    .json();
    me["data"]["id"].as_str().unwrap().to_owned()
}

#[test]
fn collections_from_arguments_stdin_and_a_file_end_to_end() {
    let emu = Emu::start(|_| {});
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("iocs.txt");
    std::fs::write(
        &list,
        format!(
            "# from the report\nhxxps://evil[.]example/payload 1.2.3.4\n\n{}\nEXAMPLE.com\n",
            emu.eicar().to_uppercase()
        ),
    )
    .unwrap();
    let created = run_ok(
        emu.vt()
            .args(["--format", "json", "collection", "create", "-n", "Campaign"])
            .args(["-d", "seen in the wild", "example.com", "-", "--file"])
            .arg(&list)
            .write_stdin("8.8.8.8\nexample.com\n"),
    )
    .json();
    let id = created["id"].as_str().unwrap().to_owned();
    let counts = |v: &Value| {
        let a = &v["attributes"];
        [
            a["files_count"].as_u64().unwrap(),
            a["urls_count"].as_u64().unwrap(),
            a["domains_count"].as_u64().unwrap(),
            a["ip_addresses_count"].as_u64().unwrap(),
        ]
    };
    assert_eq!(counts(&created), [1, 1, 1, 2], "deduplicated: {created}");
    assert_eq!(created["attributes"]["description"], "seen in the wild");

    let vt_json = |args: &[&str]| {
        let mut cmd = emu.vt();
        cmd.args(["--format", "json"]).args(args);
        run_ok(&mut cmd).json()
    };
    let got = vt_json(&["collection", "get", &id, "--relationships", "domains"]);
    assert_eq!(
        got["relationships"]["domains"]["data"][0]["id"],
        "example.com"
    );
    let renamed = vt_json(&["collection", "update", &id, "--name", "Renamed"]);
    assert_eq!(renamed["attributes"]["name"], "Renamed");
    let added = vt_json(&["collection", "add", &id, "9.9.9.9", "8.8.8.8"]);
    assert_eq!(counts(&added), [1, 1, 1, 3]);
    let removed = vt_json(&["collection", "remove", &id, "example.com", "1.2.3.4"]);
    assert_eq!(counts(&removed), [1, 1, 0, 2]);
    let files = vt_json(&["collection", "related", &id, "files"]);
    assert_eq!(files[0]["id"], emu.eicar().as_str());
    assert_eq!(files[0]["type"], "file");
    // Open world: a near miss is sent with a "did you mean", and the server's answer decides.
    let r = run(emu.vt().args(["collection", "related", &id, "fils"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("did you mean `files`"), "{}", r.stderr);
    assert!(r.stderr.contains("InvalidArgumentError"), "{}", r.stderr);
    let mine = run_ok(emu.vt().args(["-I", "collection", "list"]));
    assert_eq!(mine.stdout.trim(), id);
    let named = vt_json(&[
        "collection",
        "list",
        "--name",
        "renamed",
        "--order",
        "creation_date-",
    ]);
    assert_eq!(named[0]["id"], id.as_str());

    // A rename that clashes with another collection: exit 1, one line naming it.
    let other = vt_json(&["collection", "create", "-n", "Other", "other.example"]);
    let other_id = other["id"].as_str().unwrap();
    let r = run(emu.vt().args(["collection", "rename", other_id, "renamed"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains(other_id), "{}", r.stderr);
    assert!(r.stderr.contains("AlreadyExistsError"), "{}", r.stderr);
    // Someone else's key may read but not delete it.
    let r = run(emu
        .vt_with_key(DEFAULT_PUBLIC_KEY)
        .args(["collection", "delete", &id]));
    assert_eq!(r.code, 3, "{}", r.stderr);

    let deleted = vt_json(&["collection", "delete", &id]);
    assert_eq!(deleted["attributes"]["deleted"], true);
    let r = run(emu.vt().args(["collection", "get", &id]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("NotFoundError"), "{}", r.stderr);
}

#[test]
fn several_bad_indicators_are_one_line_each_and_nothing_is_sent() {
    let emu = Emu::start(|_| {});
    let before = emu.requests();
    let r = run(emu
        .vt()
        .args(["collection", "create", "-n", "x", "example.com", "-"])
        .write_stdin("word\n8.8.8.888\nexample.com\nword\n"));
    assert_eq!(r.code, 2, "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "one line per bad input: {}", r.stderr);
    assert!(r.stderr.contains("\"word\""), "{}", r.stderr);
    assert!(r.stderr.contains("\"8.8.8.888\""), "{}", r.stderr);
    assert_eq!(emu.requests(), before, "nothing may be sent");
}

#[test]
fn the_ioc_stream_lists_filters_gets_and_deletes_end_to_end() {
    let emu = Emu::start(|c| c.clock = vt_emulator::ClockMode::Manual(1_750_000_000));
    let user = premium_user(&emu);
    let vt_json = |args: &[&str]| {
        let mut cmd = emu.vt();
        cmd.args(["--format", "json"]).args(args);
        run_ok(&mut cmd).json()
    };
    // A followed collection and a Livehunt match feed the stream.
    let c = vt_json(&[
        "collection",
        "create",
        "-n",
        "Watch",
        "a.example",
        "8.8.8.8",
    ]);
    let cid = c["id"].as_str().unwrap().to_owned();
    let push = serde_json::json!({"user": user, "object": {"type": "file", "id": emu.eicar()},
        "origin": "hunting", "rule_name": "eicar_rule",
        "source": {"type": "hunting_ruleset", "id": "5", "label": "mine"}});
    let pushed = vt_json(&[
        "api",
        "POST",
        &format!("{}/_emulator/ioc_stream", emu.url()),
        "--data",
        &push.to_string(),
    ]);
    let nid = pushed["notification_id"].as_str().unwrap().to_owned();

    let all = vt_json(&["iocstream", "list", "--all"]);
    assert_eq!(all.as_array().unwrap().len(), 3, "{all}");
    let hunting = vt_json(&["is", "list", "--filter", "origin:hunting"]);
    assert_eq!(hunting.as_array().unwrap().len(), 1);
    assert_eq!(
        hunting[0]["context_attributes"]["hunting_info"]["rule_name"],
        "eicar_rule"
    );
    let from_collection = vt_json(&[
        "iocstream",
        "list",
        "--filter",
        &format!("source_type:collection source_id:{cid}"),
        "--descriptors",
    ]);
    assert_eq!(from_collection.as_array().unwrap().len(), 2);
    assert!(from_collection[0].get("attributes").is_none());
    let r = run_ok(
        emu.vt()
            .args(["-I", "iocstream", "list", "--order", "date+", "-n", "1"]),
    );
    assert_eq!(r.stdout.trim(), "a.example");
    assert!(r.stderr.contains("--cursor"), "{}", r.stderr);
    let one = vt_json(&["iocstream", "get", &nid]);
    assert_eq!(one["context_attributes"]["notification_id"], nid.as_str());

    let gone = vt_json(&["iocstream", "delete", &nid]);
    assert_eq!(gone["attributes"]["deleted"], true);
    let started = vt_json(&["iocstream", "delete", "--filter", "entity_type:ip_address"]);
    assert_eq!(started["attributes"]["status"], "started");
    // Another deletion while that one runs: VirusTotal's 429, exit 6 without retries.
    let r = run(emu
        .vt()
        .args(["--retries", "0", "iocstream", "delete", "--all"]));
    assert_eq!(r.code, 6, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    let left = vt_json(&["iocstream", "list"]);
    assert_eq!(left.as_array().unwrap().len(), 1);
    assert_eq!(left[0]["id"], "a.example");
    run_ok(emu.vt().args([
        "api",
        "POST",
        &format!("{}/_emulator/clock?advance=1", emu.url()),
    ]));
    run_ok(emu.vt().args(["iocstream", "delete", "--all"]));
    let empty = vt_json(&["iocstream", "list"]);
    assert_eq!(empty.as_array().unwrap().len(), 0);
    // Public keys have no IoC stream.
    let r = run(emu
        .vt_with_key(DEFAULT_PUBLIC_KEY)
        .args(["iocstream", "list"]));
    assert_eq!(r.code, 3, "{}", r.stderr);
}

/// A Livehunt match shows up in `vt iocstream list` (the emulator runs the rule with yara-x).
#[cfg(feature = "yara")]
#[test]
fn a_livehunt_match_reaches_the_ioc_stream_through_the_binary() {
    let emu = Emu::start(|_| {});
    let rule =
        r#"rule eicar_seen { strings: $a = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" condition: $a }"#;
    let body = serde_json::json!({"data": {"type": "hunting_ruleset",
        "attributes": {"name": "EICAR watch", "rules": rule}}});
    run_ok(emu.vt().args([
        "api",
        "POST",
        "/intelligence/hunting_rulesets",
        "--data",
        &body.to_string(),
    ]));
    let dir = tempfile::tempdir().unwrap();
    let sample = dir.path().join("eicar.com");
    std::fs::write(&sample, vt_emulator::EICAR_BYTES).unwrap();
    run_ok(emu.vt().arg("scan").arg("file").arg(&sample));
    let items = run_ok(emu.vt().args([
        "--format",
        "json",
        "iocstream",
        "list",
        "--filter",
        "origin:hunting notification_tag:eicar_seen",
    ]))
    .json();
    assert_eq!(items.as_array().unwrap().len(), 1, "{items}");
    assert_eq!(items[0]["id"], emu.eicar().as_str());
    assert_eq!(
        items[0]["context_attributes"]["hunting_info"]["rule_name"],
        "eicar_seen"
    );
}
