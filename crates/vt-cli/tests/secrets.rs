//! Issue 7, item 4: the API key never leaks. Every command runs at `-vvv` against an emulator
//! that accepts the key (successes, 404s, v2 with the key in the query string, `/users/{key}`
//! whose error echoes the URL), one that injects faults (503, malformed JSON, dropped
//! connections) and one that refuses the key: the key appears nowhere in stdout, stderr or any
//! file written. Config files holding a key are 0600 (directory 0700).

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::{Emu, files_below, run};
use vt_emulator::{FaultRule, KeySpec, Tier};

const KEY: &str = "k3y-SECRET-7f1d2c9a6b";
const PUBLIC: &str = "pub-SECRET-88aa51c0de";

fn emulator(faults: &[&str]) -> Emu {
    let rules: Vec<FaultRule> = faults.iter().map(|f| f.parse().unwrap()).collect();
    Emu::start(|cfg| {
        cfg.keys = vec![
            KeySpec::new(KEY, Tier::Premium),
            KeySpec::new(PUBLIC, Tier::Public),
        ];
        cfg.faults.rules = rules;
        // Public keys get 4/minute by default: a 429 would make vt wait a minute.
        cfg.quotas.public = vt_emulator::QuotaLimits::UNLIMITED;
    })
}

fn assert_no_key(what: &str, text: &str) {
    for key in [KEY, PUBLIC] {
        assert!(
            !text.contains(key),
            "{what} contains the API key:\n{}",
            text.lines()
                .filter(|l| l.contains(key))
                .take(5)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

fn assert_no_key_in_files(dir: &Path, except: &[&Path]) {
    for f in files_below(dir) {
        if except.iter().any(|e| *e == f) {
            continue;
        }
        let bytes = std::fs::read(&f).unwrap_or_default();
        assert_no_key(
            &format!("file {}", f.display()),
            &String::from_utf8_lossy(&bytes),
        );
    }
}

/// Every command, as argument lists (`key` is the key in use, which some put in the URL); `@DIR` is the scratch directory, `@SAMPLE` a local file.
fn commands(emu: &Emu, key: &str) -> Vec<Vec<String>> {
    let eicar = emu.eicar();
    let md5 = emu.handle.dataset().eicar().unwrap().md5.clone();
    let unknown = "0000000000000000000000000000000000000000000000000000000000000abc".to_owned();
    let monitor = emu.handle.dataset().monitor_items();
    let item = monitor
        .iter()
        .find(|i| i.path.ends_with("app.exe"))
        .map(|i| i.id.clone())
        .unwrap_or_default();
    let url = "http://example.com/?apikey=not-the-key";
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<String>>();
    vec![
        s(&["file", &eicar]),
        s(&["file", &unknown]),
        s(&["file", "@SAMPLE"]),
        s(&["file", &eicar, &unknown, "--output", "@DIR/out.ndjson"]),
        s(&["hash", "@SAMPLE"]),
        s(&["scan", "file", "@SAMPLE", "--wait"]),
        s(&["scan", "url", url, "--wait"]),
        s(&["url", url]),
        s(&["url-id", url]),
        s(&["network-location", url]),
        s(&["domain", "example.com"]),
        s(&["ip", "8.8.8.8"]),
        s(&["analysis", "dGhpcyBpcyBub3QgYW4gYW5hbHlzaXM="]),
        s(&["rescan", "file", &eicar]),
        s(&["comments", "file", &eicar]),
        s(&["comment", "file", &eicar, "#secret-test comment"]),
        s(&["votes", "file", &eicar]),
        s(&["vote", "domain", "example.com", "harmless"]),
        s(&["related", "file", &eicar, "contacted_domains"]),
        s(&["download", &eicar, "-o", "@DIR"]),
        s(&["download", &unknown, "-o", "@DIR"]),
        s(&["download-url", &eicar]),
        s(&["pcap", &format!("{eicar}_sandbox"), "-o", "@DIR/x.pcap"]),
        s(&["behaviours", &eicar]),
        s(&["monitor", "items", "--tag", "detected"]),
        s(&["monitor", "get", &item]),
        s(&["monitor", "analyses", &item]),
        s(&["monitor", "download", &item, "-o", "@DIR"]),
        s(&["monitor", "upload", "@SAMPLE", "/secrets-test/"]),
        s(&["monitor", "details", &item, "details text"]),
        s(&["v2", "file-report", &md5]),
        s(&["v2", "file-report", &md5, &unknown, "--allinfo"]),
        s(&["search", "example.com"]),
        s(&["metadata"]),
        s(&["quota"]),
        s(&["quota", "--user", "someone-else"]),
        s(&["api", "GET", &format!("/users/{key}/overall_quotas")]),
        s(&["api", "GET", &format!("/files/{key}")]),
        s(&["api", "GET", "/files/not-a-hash-at-all"]),
        s(&["config", "show"]),
    ]
}

fn run_all(emu: &Emu, key: &str, extra: &[&str]) {
    let scratch = tempfile::tempdir().unwrap();
    let sample = scratch.path().join("sample.bin");
    std::fs::write(&sample, b"bytes for the secrets test").unwrap();
    let dir = scratch.path().join("out");
    std::fs::create_dir(&dir).unwrap();
    for args in commands(emu, key) {
        let args: Vec<String> = args
            .into_iter()
            .map(|a| {
                a.replace("@SAMPLE", &sample.display().to_string())
                    .replace("@DIR", &dir.display().to_string())
            })
            .collect();
        let r = run(emu
            .vt_without_key()
            .env("VT_API_KEY", key)
            .args([
                "-vvv",
                "--format",
                "json",
                "--retries",
                "1",
                "--timeout",
                "5",
            ])
            .args(extra)
            .args(&args));
        assert_no_key(&format!("stdout of vt {args:?}"), &r.stdout);
        assert_no_key(&format!("stderr of vt {args:?}"), &r.stderr);
        assert!(
            !r.stderr.contains("panicked"),
            "vt {args:?} panicked: {}",
            r.stderr
        );
    }
    assert_no_key_in_files(scratch.path(), &[]);
    assert_no_key_in_files(emu.home(), &[]);
}

#[test]
fn no_key_in_any_output_when_requests_succeed() {
    let emu = emulator(&[]);
    run_all(&emu, KEY, &[]);
}

#[test]
fn no_key_in_any_output_with_a_public_key_refused_premium_calls() {
    let emu = emulator(&[]);
    run_all(&emu, PUBLIC, &[]);
}

#[test]
fn no_key_in_any_output_when_requests_fail() {
    let emu = emulator(&["transient=0.4", "malformed-json=0.2", "drop=0.1"]);
    run_all(&emu, KEY, &[]);
}

#[test]
fn no_key_in_any_output_when_the_key_is_refused() {
    let emu = emulator(&[]);
    // A key the emulator does not know: every call is 401 WrongCredentialsError.
    let wrong = format!("{KEY}-wrong");
    run_all(&emu, &wrong, &[]);
}

#[test]
fn no_key_in_output_when_given_as_flag_or_key_file() {
    let emu = emulator(&["transient=0.3"]);
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("vt.key");
    std::fs::write(&key_file, format!("{KEY}\n")).unwrap();
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    for extra in [
        vec!["--api-key".to_owned(), KEY.to_owned()],
        vec!["--api-key-file".to_owned(), key_file.display().to_string()],
    ] {
        for args in [
            vec!["file".to_owned(), emu.eicar()],
            vec!["quota".to_owned()],
            vec!["v2".to_owned(), "file-report".to_owned(), emu.eicar()],
            vec!["config".to_owned(), "show".to_owned()],
        ] {
            let r = run(emu.vt_without_key().arg("-vvv").args(&extra).args(&args));
            assert_no_key(&format!("stdout of vt {args:?}"), &r.stdout);
            assert_no_key(&format!("stderr of vt {args:?}"), &r.stderr);
        }
    }
}

#[test]
fn config_init_writes_the_key_with_mode_0600_and_never_prints_it() {
    let emu = emulator(&[]);
    let r = run(emu
        .vt_without_key()
        .args(["-vvv", "config", "init"])
        .write_stdin(format!("{KEY}\n")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_no_key("stdout of vt config init", &r.stdout);
    assert_no_key("stderr of vt config init", &r.stderr);
    let path = emu.home().join("config/vt/config.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(KEY), "the key is saved: {text}");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "config file mode {mode:o}");
    let dir_mode = std::fs::metadata(path.parent().unwrap())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(dir_mode, 0o700, "config directory mode {dir_mode:o}");

    // --force keeps 0600 even over a file someone loosened, and `config show` redacts.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let r = run(emu
        .vt_without_key()
        .args(["-vvv", "config", "init", "--force"])
        .write_stdin(format!("{KEY}\n")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "config file mode after --force {mode:o}");
    let r = run(emu.vt_without_key().args(["-vvv", "config", "show"]));
    assert_no_key("stdout of vt config show", &r.stdout);
    assert_no_key("stderr of vt config show", &r.stderr);

    // The key from the config file is used, and still never printed.
    let r = run(emu.vt_without_key().args(["-vvv", "file", &emu.eicar()]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_no_key("stdout", &r.stdout);
    assert_no_key("stderr", &r.stderr);
    assert_no_key_in_files(emu.home(), &[&path]);
}
