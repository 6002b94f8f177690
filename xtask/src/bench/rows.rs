//! The rows of issue 8's table, each measured beside its reference.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use super::env::Env;
use super::measure::{
    Server, Timed, criterion_estimates, http, json_str, make_file, median, status_count, time_v,
    warm,
};
use super::row::{Row, Verdict};
use crate::workspace::{cargo, fixtures_dir};

/// The emulator's default premium key (`vt_emulator::DEFAULT_PREMIUM_KEY`).
const KEY: &str = "0000000000000000000000000000000000000000000000000000000000000001";

pub(super) fn verdict(ok: bool) -> Verdict {
    if ok { Verdict::Pass } else { Verdict::Miss }
}

/// `vt` with the emulator's address and key in its environment, no config file, and no
/// report cache (the rows measure requests; row 9 turns the cache on by itself).
pub(super) fn vt_env<'a>(base_url: &'a str, home: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("VT_BASE_URL", base_url),
        ("VT_API_KEY", KEY),
        ("VT_FORMAT", "json"),
        ("VT_NO_CACHE", "1"),
        ("HOME", home),
        ("XDG_CONFIG_HOME", home),
    ]
}

fn mib_s(bytes: u64, wall: Duration) -> f64 {
    bytes as f64 / (1024.0 * 1024.0) / wall.as_secs_f64()
}

/// Rows 1, 4 and 5: one emulator with `lookups` generated files and an upload directory.
pub fn with_main_emulator(env: &Env, bulk: bool, upload: bool, download: bool) -> Result<Vec<Row>> {
    let ids = env.tmp.join("ids.txt");
    let data = env.tmp.join("emulator-data");
    std::fs::create_dir_all(&data)?;
    eprintln!(
        "xtask: starting the emulator with {} generated files",
        env.sizes.lookups
    );
    let server = Server::start(
        &env.bench_server,
        &[
            "--files".into(),
            // EICAR is added to the generated files: one fewer gives exactly `lookups` ids.
            env.sizes.lookups.saturating_sub(1).to_string(),
            "--ids".into(),
            ids.display().to_string(),
            "--data-dir".into(),
            data.display().to_string(),
        ],
    )?;
    let mut rows = Vec::new();
    if bulk {
        rows.extend(bulk_lookups(env, &server, &ids).unwrap_or_else(|e| {
            vec![Row::not_run(
                "1",
                "bulk lookups",
                "≥ 90% of raw hyper; ≤ 40 µs CPU/request",
                format!("{e:#}"),
            )]
        }));
    }
    let mut uploaded: Option<(std::path::PathBuf, String)> = None;
    if upload || download {
        match transfer_file(env) {
            Ok(file) => uploaded = Some(file),
            Err(e) => {
                let why = format!("{e:#}");
                rows.push(Row::not_run("4", "upload", UPLOAD_GOAL, why.clone()));
                rows.push(Row::not_run("5a", "download", DOWNLOAD_GOAL, why));
                return Ok(rows);
            }
        }
    }
    if let Some((file, sha256)) = &uploaded {
        let up = upload_row(env, &server, file);
        let up_ok = matches!(up.verdict, Verdict::Pass | Verdict::Miss);
        if upload {
            rows.push(up);
        }
        if download {
            if up_ok || !upload {
                rows.extend(download_rows(env, &server, file, sha256));
            } else {
                rows.push(Row::not_run(
                    "5a",
                    "download",
                    DOWNLOAD_GOAL,
                    "the upload (row 4) failed, so the emulator has no big file".into(),
                ));
            }
        }
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
    Ok(rows)
}

fn bulk_lookups(env: &Env, server: &Server, ids: &Path) -> Result<Vec<Row>> {
    let n = env.sizes.lookups;
    let home = env.tmp.display().to_string();
    let mut vt_env = vt_env(&server.base_url, &home);
    vt_env.push(("VT_RATE_LIMIT", "none"));
    vt_env.push(("VT_CONCURRENCY", "64"));
    let (mut raw_rps, mut raw_cpu, mut vt_rps, mut vt_cpu) = (vec![], vec![], vec![], vec![]);
    let mut report_bytes = 0.0;
    for round in 0..env.sizes.rounds {
        eprintln!(
            "xtask: row 1, round {}: {n} lookups, raw hyper then vt",
            round + 1
        );
        let raw = time_v(
            &env.loadgen,
            &[
                "--base",
                &server.base_url,
                "--key",
                KEY,
                "--ids",
                &ids.display().to_string(),
                "--concurrency",
                "64",
                // The same requests as `vt`: asking for gzip, so the emulator compresses.
                "--gzip",
            ],
            &[],
            None,
            false,
            &env.tmp,
        )?;
        let bytes: f64 = raw
            .stdout
            .split_whitespace()
            .skip_while(|w| *w != "bytes")
            .nth(1)
            .and_then(|b| b.parse().ok())
            .context("loadgen printed no byte count")?;
        report_bytes = bytes / n as f64;
        raw_rps.push(n as f64 / raw.wall.as_secs_f64());
        raw_cpu.push(raw.cpu / n as f64 * 1e6);
        let vt = time_v(
            &env.vt,
            &["--quiet", "file", "-"],
            &vt_env,
            Some(ids),
            true,
            &env.tmp,
        )?;
        vt_rps.push(n as f64 / vt.wall.as_secs_f64());
        vt_cpu.push(vt.cpu / n as f64 * 1e6);
    }
    let (raw_rps, raw_cpu, vt_rps, vt_cpu) = (
        median(raw_rps),
        median(raw_cpu),
        median(vt_rps),
        median(vt_cpu),
    );
    let (status, stats) = http(server.authority(), "GET", "/_emulator/stats", None)?;
    if status != 200 {
        bail!("/_emulator/stats answered {status}");
    }
    let served = status_count(&stats, 200);
    let expected = (2 * n * env.sizes.rounds) as u64;
    if served < expected {
        bail!("the emulator served {served} answers 200, expected {expected}");
    }
    let kb = report_bytes / 1000.0;
    Ok(vec![
        Row {
            id: "1a".into(),
            what: format!(
                "bulk lookups: {n} file reports ({kb:.1} KB each gzipped on the wire), 64 at once, `vt file -`"
            ),
            value: format!("{vt_rps:.0} req/s"),
            reference: format!("{raw_rps:.0} req/s (raw hyper loadgen)"),
            ratio: format!("{:.0}%", vt_rps / raw_rps * 100.0),
            goal: "≥ 90%".into(),
            verdict: verdict(vt_rps >= 0.9 * raw_rps),
        },
        Row {
            id: "1b".into(),
            what: "bulk lookups: client CPU (user+sys) per report".into(),
            value: format!("{vt_cpu:.1} µs"),
            reference: format!("{raw_cpu:.1} µs (raw hyper loadgen)"),
            ratio: format!("{:.2}×", vt_cpu / raw_cpu),
            goal: "≤ 40 µs".into(),
            verdict: verdict(vt_cpu <= 40.0),
        },
    ])
}

/// Row 2: `quota_lookups` lookups against an emulator enforcing `quota_rate` a second.
pub fn quota_ceiling(env: &Env) -> Row {
    let goal = "wall ≤ 1.03 × N/rate; zero 429";
    let what = format!(
        "quota ceiling: {} lookups, emulator enforcing {}/s, `--rate-limit {}/s`",
        env.sizes.quota_lookups, env.sizes.quota_rate, env.sizes.quota_rate
    );
    match quota_ceiling_inner(env) {
        Ok((wall, answers_429, ideal)) => {
            let ratio = wall / ideal;
            // A client that starts with a full window may send `rate` requests at once, so
            // the true floor is one window less than N / rate: finishing between the floor
            // and N / rate is hitting the ceiling exactly, not beating it.
            let floor = ideal - 1.0;
            Row {
                id: "2".into(),
                what,
                value: format!("{wall:.2} s, {answers_429} × 429"),
                reference: format!("{ideal:.2} s (N / rate; floor {floor:.2} s)"),
                ratio: format!("{ratio:.3}"),
                goal: goal.into(),
                verdict: verdict(ratio <= 1.03 && answers_429 == 0),
            }
        }
        Err(e) => Row::not_run("2", &what, goal, format!("{e:#}")),
    }
}

fn quota_ceiling_inner(env: &Env) -> Result<(f64, u64, f64)> {
    let n = env.sizes.quota_lookups;
    let rate = env.sizes.quota_rate;
    let ids = env.tmp.join("quota-ids.txt");
    eprintln!("xtask: row 2: {n} lookups at {rate}/s");
    let server = Server::start(
        &env.bench_server,
        &[
            "--files".into(),
            n.saturating_sub(1).to_string(),
            "--per-second".into(),
            rate.to_string(),
            "--ids".into(),
            ids.display().to_string(),
        ],
    )?;
    let home = env.tmp.display().to_string();
    let limit = format!("{rate}/s");
    let mut vt_env = vt_env(&server.base_url, &home);
    vt_env.push(("VT_RATE_LIMIT", &limit));
    vt_env.push(("VT_CONCURRENCY", "8"));
    let run = time_v(
        &env.vt,
        &["--quiet", "file", "-"],
        &vt_env,
        Some(&ids),
        true,
        &env.tmp,
    )?;
    let (_, stats) = http(server.authority(), "GET", "/_emulator/stats", None)?;
    let served = status_count(&stats, 200);
    if served < n as u64 {
        bail!("the emulator served {served} answers 200, expected {n}");
    }
    Ok((
        run.wall.as_secs_f64(),
        status_count(&stats, 429),
        n as f64 / f64::from(rate),
    ))
}

/// Row 3: vt-model's `largest_reports` criterion bench.
pub fn model_decoding(env: &Env) -> Row {
    let goal = "typed ≥ untyped (MB/s)";
    let what = "model decoding: largest corpus file reports, typed vs `serde_json::Value`";
    let fixtures = fixtures_dir();
    if !fixtures.is_dir() {
        return Row::not_run(
            "3",
            what,
            goal,
            format!(
                "the corpus is missing at {} (set VT_FIXTURES_DIR)",
                fixtures.display()
            ),
        );
    }
    let mut cmd = cargo();
    cmd.args([
        "bench",
        "-p",
        "vt-model",
        "--bench",
        "largest_reports",
        "--",
    ])
    .args(criterion_args(env))
    .env("VT_FIXTURES_DIR", &fixtures);
    match run_criterion(cmd, "cargo bench -p vt-model --bench largest_reports") {
        Ok(stdout) => {
            let est = criterion_estimates(&stdout);
            let bytes: Option<f64> = stdout
                .lines()
                .find_map(|l| l.strip_prefix("largest_reports: "))
                .and_then(|l| l.split_whitespace().next())
                .and_then(|b| b.parse().ok());
            let find = |id: &str| est.iter().find(|(i, _)| i == id).map(|(_, ns)| *ns);
            match (
                bytes,
                find("largest_reports/vt_model_decode"),
                find("largest_reports/serde_json_Value"),
            ) {
                (Some(bytes), Some(typed), Some(untyped)) => {
                    let typed_mbs = bytes / typed * 1e3;
                    let untyped_mbs = bytes / untyped * 1e3;
                    Row {
                        id: "3".into(),
                        what: format!("{what} ({:.0} KB)", bytes / 1000.0),
                        value: format!("{typed_mbs:.0} MB/s (`vt_model::decode`)"),
                        reference: format!("{untyped_mbs:.0} MB/s (`Value`)"),
                        ratio: format!("{:.2}×", typed_mbs / untyped_mbs),
                        goal: goal.into(),
                        verdict: verdict(typed_mbs >= untyped_mbs),
                    }
                }
                _ => Row::not_run("3", what, goal, "criterion printed no estimate".into()),
            }
        }
        Err(e) => Row::not_run("3", what, goal, format!("{e:#}")),
    }
}

fn criterion_args(env: &Env) -> Vec<&'static str> {
    if env.sizes.quick {
        vec!["--warm-up-time", "1", "--measurement-time", "2", "--noplot"]
    } else {
        vec!["--noplot"]
    }
}

fn run_criterion(mut cmd: Command, what: &str) -> Result<String> {
    eprintln!("xtask: {what}");
    let out = cmd
        .output()
        .with_context(|| format!("could not run {what}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .rev()
                .take(3)
                .collect::<Vec<_>>()
                .join(" / ")
        );
    }
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    eprint!("{stdout}");
    Ok(stdout)
}

const UPLOAD_GOAL: &str = "peak RSS ≤ 32 MB; ≥ 80% of curl";
const DOWNLOAD_GOAL: &str = "peak RSS ≤ 32 MB; ≥ 80% of curl";

/// The big file of rows 4 and 5 and its SHA-256.
fn transfer_file(env: &Env) -> Result<(std::path::PathBuf, String)> {
    let path = env.tmp.join("transfer.bin");
    eprintln!(
        "xtask: writing a {} MiB file for rows 4 and 5",
        env.sizes.transfer_bytes >> 20
    );
    make_file(&path, env.sizes.transfer_bytes, 0x5eed_0004)?;
    let out = Command::new("sha256sum")
        .arg(&path)
        .output()
        .context("could not run sha256sum")?;
    let sha256 = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .filter(|h| h.len() == 64)
        .context("sha256sum printed no hash")?
        .to_string();
    Ok((path, sha256))
}

fn curl_available() -> bool {
    Command::new("curl")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn upload_row(env: &Env, server: &Server, file: &Path) -> Row {
    let mib = env.sizes.transfer_bytes >> 20;
    let what = format!("upload {mib} MiB through the upload URL, `vt scan file`");
    if !curl_available() {
        return Row::not_run(
            "4",
            &what,
            UPLOAD_GOAL,
            "curl is not installed (the reference)".into(),
        );
    }
    match upload_inner(env, server, file) {
        Ok((vt_mbs, rss_mib, curl_mbs)) => Row {
            id: "4".into(),
            what,
            value: format!("{vt_mbs:.0} MiB/s, peak RSS {rss_mib:.1} MiB"),
            reference: format!("{curl_mbs:.0} MiB/s (`curl -F file=@…`)"),
            ratio: format!("{:.0}%", vt_mbs / curl_mbs * 100.0),
            goal: UPLOAD_GOAL.into(),
            verdict: verdict(rss_mib * 1.048_576 <= 32.0 && vt_mbs >= 0.8 * curl_mbs),
        },
        Err(e) => Row::not_run("4", &what, UPLOAD_GOAL, format!("{e:#}")),
    }
}

fn upload_inner(env: &Env, server: &Server, file: &Path) -> Result<(f64, f64, f64)> {
    let bytes = env.sizes.transfer_bytes;
    let home = env.tmp.display().to_string();
    let mut vt_env = vt_env(&server.base_url, &home);
    vt_env.push(("VT_RATE_LIMIT", "none"));
    let file_arg = file.display().to_string();
    let (mut vt, mut rss, mut curl) = (vec![], vec![], vec![]);
    warm(file)?;
    for round in 0..env.sizes.rounds {
        eprintln!(
            "xtask: row 4, round {}: curl -F then vt scan file",
            round + 1
        );
        let (status, body) = http(
            server.authority(),
            "GET",
            "/api/v3/files/upload_url",
            Some(KEY),
        )?;
        let url = json_str(&body, "data")
            .filter(|_| status == 200)
            .with_context(|| format!("upload_url answered {status}: {body}"))?;
        let c = time_v(
            Path::new("curl"),
            &[
                "-sS",
                "--fail",
                "-o",
                "/dev/null",
                "-H",
                &format!("x-apikey: {KEY}"),
                "-F",
                &format!("file=@{file_arg}"),
                &url,
            ],
            &[],
            None,
            true,
            &env.tmp,
        )?;
        curl.push(mib_s(bytes, c.wall));
        let v: Timed = time_v(
            &env.vt,
            &["--quiet", "scan", "file", &file_arg],
            &vt_env,
            None,
            true,
            &env.tmp,
        )?;
        vt.push(mib_s(bytes, v.wall));
        rss.push(v.max_rss_kib as f64 / 1024.0);
    }
    Ok((
        median(vt),
        rss.into_iter().fold(0.0, f64::max),
        median(curl),
    ))
}

/// Row 5: `vt download` as it ships (5a: synced to disk before it reports success) and with
/// `--no-sync` (5b: no fsync, like the reference), beside `curl -L -o`, interleaved.
fn download_rows(env: &Env, server: &Server, file: &Path, sha256: &str) -> Vec<Row> {
    let mib = env.sizes.transfer_bytes >> 20;
    let what_a = format!("download {mib} MiB, `vt download` (synced to disk before it returns)");
    let what_b = format!("download {mib} MiB, `vt download --no-sync` (no fsync, like curl)");
    if !curl_available() {
        let why = "curl is not installed (the reference)";
        return vec![
            Row::not_run("5a", &what_a, DOWNLOAD_GOAL, why.into()),
            Row::not_run("5b", &what_b, DOWNLOAD_GOAL, why.into()),
        ];
    }
    match download_inner(env, server, file, sha256) {
        Ok(m) => {
            let row = |id: &str, what: String, (mbs, rss_mib): (f64, f64)| Row {
                id: id.into(),
                what,
                value: format!("{mbs:.0} MiB/s, peak RSS {rss_mib:.1} MiB"),
                reference: format!("{:.0} MiB/s (`curl -L -o`)", m.curl),
                ratio: format!("{:.0}%", mbs / m.curl * 100.0),
                goal: DOWNLOAD_GOAL.into(),
                verdict: verdict(rss_mib * 1.048_576 <= 32.0 && mbs >= 0.8 * m.curl),
            };
            vec![row("5a", what_a, m.synced), row("5b", what_b, m.unsynced)]
        }
        Err(e) => vec![
            Row::not_run("5a", &what_a, DOWNLOAD_GOAL, format!("{e:#}")),
            Row::not_run("5b", &what_b, DOWNLOAD_GOAL, format!("{e:#}")),
        ],
    }
}

/// Row 5's medians: MiB/s and the largest peak RSS (MiB) of each `vt` variant, curl's MiB/s.
struct DownloadFigures {
    synced: (f64, f64),
    unsynced: (f64, f64),
    curl: f64,
}

fn download_inner(
    env: &Env,
    server: &Server,
    file: &Path,
    sha256: &str,
) -> Result<DownloadFigures> {
    let bytes = env.sizes.transfer_bytes;
    let home = env.tmp.display().to_string();
    let mut vt_env = vt_env(&server.base_url, &home);
    vt_env.push(("VT_RATE_LIMIT", "none"));
    let out_curl = env.tmp.join("download-curl.bin");
    let out_vt = env.tmp.join("download-vt.bin");
    let url = format!("{}/api/v3/files/{sha256}/download", server.base_url);
    let mut curl = vec![];
    let (mut synced, mut synced_rss, mut unsynced, mut unsynced_rss) =
        (vec![], vec![], vec![], vec![]);
    for round in 0..env.sizes.rounds {
        eprintln!(
            "xtask: row 5, round {}: curl, vt download, vt download --no-sync",
            round + 1
        );
        let c = time_v(
            Path::new("curl"),
            &[
                "-sS",
                "--fail",
                "-L",
                "-H",
                &format!("x-apikey: {KEY}"),
                "-o",
                &out_curl.display().to_string(),
                &url,
            ],
            &[],
            None,
            true,
            &env.tmp,
        )?;
        curl.push(mib_s(bytes, c.wall));
        check_size(&out_curl, bytes)?;
        let _ = std::fs::remove_file(&out_curl);
        for no_sync in [false, true] {
            let out = out_vt.display().to_string();
            let mut args = vec!["--quiet", "download", sha256, "-o", &out];
            if no_sync {
                args.push("--no-sync");
            }
            let v = time_v(&env.vt, &args, &vt_env, None, true, &env.tmp)?;
            let (speeds, rss) = if no_sync {
                (&mut unsynced, &mut unsynced_rss)
            } else {
                (&mut synced, &mut synced_rss)
            };
            speeds.push(mib_s(bytes, v.wall));
            rss.push(v.max_rss_kib as f64 / 1024.0);
            check_size(&out_vt, bytes)?;
            let _ = std::fs::remove_file(&out_vt);
        }
    }
    let _ = file;
    let peak = |v: Vec<f64>| v.into_iter().fold(0.0, f64::max);
    Ok(DownloadFigures {
        synced: (median(synced), peak(synced_rss)),
        unsynced: (median(unsynced), peak(unsynced_rss)),
        curl: median(curl),
    })
}

fn check_size(path: &Path, bytes: u64) -> Result<()> {
    let got = std::fs::metadata(path)
        .with_context(|| format!("{} was not written", path.display()))?
        .len();
    if got != bytes {
        bail!("{} has {got} bytes, expected {bytes}", path.display());
    }
    Ok(())
}

/// Row 6: `vt hash --alg all` against `sha256sum` alone, warm page cache, medians; row 6b:
/// the same with `vt` built with the opt-in `asm` feature, against the default build.
pub fn hashing(env: &Env) -> Vec<Row> {
    let mib = env.sizes.hash_bytes >> 20;
    let goal = "≤ 1.2× sha256sum";
    let what = format!("`vt hash --alg all` of {mib} MiB (warm cache)");
    let what_asm = format!("`vt hash --alg all` of {mib} MiB, built with `--features asm`");
    let goal_asm = "for information (opt-in feature)";
    match hashing_inner(env) {
        Ok((vt, sha, asm)) => {
            let mut rows = vec![Row {
                id: "6".into(),
                what,
                value: format!("{vt:.2} s"),
                reference: format!("{sha:.2} s (`sha256sum`)"),
                ratio: format!("{:.2}×", vt / sha),
                goal: goal.into(),
                verdict: verdict(vt <= 1.2 * sha),
            }];
            if let Some(asm) = asm {
                rows.push(Row {
                    id: "6b".into(),
                    what: what_asm,
                    value: format!("{asm:.2} s"),
                    reference: format!("{vt:.2} s (default build, no asm)"),
                    ratio: format!("{:.2}×", asm / vt),
                    goal: goal_asm.into(),
                    verdict: Verdict::Pass,
                });
            }
            rows
        }
        Err(e) => vec![Row::not_run("6", &what, goal, format!("{e:#}"))],
    }
}

fn hashing_inner(env: &Env) -> Result<(f64, f64, Option<f64>)> {
    let path = env.tmp.join("hash.bin");
    eprintln!("xtask: row 6: writing {} MiB", env.sizes.hash_bytes >> 20);
    make_file(&path, env.sizes.hash_bytes, 0x5eed_0006)?;
    warm(&path)?;
    let arg = path.display().to_string();
    let (mut vt, mut sha, mut asm) = (vec![], vec![], vec![]);
    for _ in 0..env.sizes.rounds {
        if let Some(vt_asm) = &env.vt_asm {
            let a = time_v(
                vt_asm,
                &["hash", "--alg", "all", &arg],
                &[],
                None,
                true,
                &env.tmp,
            )?;
            asm.push(a.wall.as_secs_f64());
        }
        let s = time_v(Path::new("sha256sum"), &[&arg], &[], None, true, &env.tmp)?;
        sha.push(s.wall.as_secs_f64());
        let v = time_v(
            &env.vt,
            &["hash", "--alg", "all", &arg],
            &[],
            None,
            true,
            &env.tmp,
        )?;
        vt.push(v.wall.as_secs_f64());
    }
    let _ = std::fs::remove_file(&path);
    let asm = (!asm.is_empty()).then(|| median(asm));
    Ok((median(vt), median(sha), asm))
}

/// Row 7: start-up of `vt --version` and `vt url-id`, against `true`.
pub fn startup(env: &Env) -> Vec<Row> {
    let goal = "median ≤ 5 ms";
    let runs = env.sizes.startup_runs;
    let vt = env.vt.display().to_string();
    let cases = [
        ("7a", "start-up: `vt --version`", format!("{vt} --version")),
        (
            "7b",
            "start-up: `vt url-id https://example.com/a`",
            format!("{vt} url-id https://example.com/a"),
        ),
    ];
    let reference = startup_median(env, "true", runs);
    cases
        .iter()
        .map(
            |(id, what, cmd)| match (startup_median(env, cmd, runs), &reference) {
                (Ok((ms, how)), Ok((ref_ms, _))) => Row {
                    id: (*id).into(),
                    what: format!("{what} ({how}, {runs} runs)"),
                    value: format!("{ms:.2} ms"),
                    reference: format!("{ref_ms:.2} ms (`true`)"),
                    ratio: format!("{:.1}×", ms / ref_ms),
                    goal: goal.into(),
                    verdict: verdict(ms <= 5.0),
                },
                (Err(e), _) => Row::not_run(id, what, goal, format!("{e:#}")),
                (_, Err(e)) => Row::not_run(id, what, goal, format!("reference `true`: {e:#}")),
            },
        )
        .collect()
}

/// The median wall time of a command in ms, with hyperfine (no shell) when installed.
fn startup_median(env: &Env, cmd: &str, runs: u32) -> Result<(f64, &'static str)> {
    let json = env.tmp.join("hyperfine.json");
    let hyperfine = Command::new("hyperfine")
        .args([
            "-N",
            "--warmup",
            "5",
            "--runs",
            &runs.to_string(),
            "--export-json",
        ])
        .arg(&json)
        .arg(cmd)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    if let Ok(status) = hyperfine
        && status.success()
    {
        let text = std::fs::read_to_string(&json)?;
        let median = text
            .find("\"median\":")
            .map(|at| &text[at + 9..])
            .and_then(|r| {
                r.trim_start()
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .next()
                    .and_then(|n| n.parse::<f64>().ok())
            })
            .context("hyperfine's JSON has no median")?;
        return Ok((median * 1e3, "hyperfine"));
    }
    let mut words = cmd.split_whitespace();
    let program = words.next().context("empty command")?;
    let args: Vec<&str> = words.collect();
    let mut times = Vec::new();
    for _ in 0..runs + 5 {
        let started = std::time::Instant::now();
        let status = Command::new(program)
            .args(&args)
            .stdout(std::process::Stdio::null())
            .status()?;
        if !status.success() {
            bail!("`{cmd}` failed ({status})");
        }
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    Ok((median(times.split_off(5)), "own loop"))
}

/// Row 8: vt-transport's `stack_overhead` criterion bench.
pub fn transport_overhead(env: &Env) -> Row {
    let goal = "≤ 5 µs added per request";
    let what = "transport overhead: full layer stack over an in-process service";
    let mut cmd = cargo();
    cmd.args([
        "bench",
        "-p",
        "vt-transport",
        "--bench",
        "stack_overhead",
        "--",
    ])
    .args(criterion_args(env));
    match run_criterion(cmd, "cargo bench -p vt-transport --bench stack_overhead") {
        Ok(stdout) => {
            let est = criterion_estimates(&stdout);
            let find = |id: &str| est.iter().find(|(i, _)| i == id).map(|(_, ns)| *ns);
            match (
                find("stack_overhead/full_stack"),
                find("stack_overhead/bare_service_fn"),
            ) {
                (Some(full), Some(bare)) => {
                    let added = (full - bare) / 1e3;
                    Row {
                        id: "8".into(),
                        what: what.into(),
                        value: format!("{:.2} µs/request ({added:.2} µs added)", full / 1e3),
                        reference: format!("{:.2} µs (bare `service_fn`)", bare / 1e3),
                        ratio: format!("{:.1}×", full / bare),
                        goal: goal.into(),
                        verdict: verdict(added <= 5.0),
                    }
                }
                _ => Row::not_run("8", what, goal, "criterion printed no estimate".into()),
            }
        }
        Err(e) => Row::not_run("8", what, goal, format!("{e:#}")),
    }
}
