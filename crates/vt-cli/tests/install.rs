//! What a user's machine gets besides the commands: `vt --version`, man pages, a config
//! location found without `HOME`.

use std::process::Command;

fn vt() -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("vt"));
    cmd.env_clear();
    cmd
}

#[test]
fn version_names_the_tls_back_end_and_the_features() {
    let out = vt().arg("--version").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(concat!("vt ", env!("CARGO_PKG_VERSION"), " (")),
        "{text}"
    );
    let tls = if cfg!(feature = "rustls") {
        "TLS: rustls"
    } else if cfg!(feature = "native-tls") {
        "TLS: native-tls"
    } else {
        "TLS: none"
    };
    assert!(text.contains(tls), "{text}");
    assert!(text.contains("features: "), "{text}");
    assert_eq!(
        text.contains("emulator"),
        cfg!(feature = "emulator"),
        "{text}"
    );
    // Built from the git checkout of this repository: the commit is named.
    let in_git = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    if let Some(commit) = in_git {
        assert!(
            text.contains(&format!("commit {commit}")),
            "{text} / {commit}"
        );
    }
}

#[test]
fn man_pages_are_generated_for_vt_and_each_command() {
    let dir = tempfile::tempdir().unwrap();
    let man = dir.path().join("man1");
    let out = vt().arg("generate-man").arg(&man).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let main = std::fs::read_to_string(man.join("vt.1")).unwrap();
    assert!(
        main.contains(".TH vt 1"),
        "{}",
        &main[..200.min(main.len())]
    );
    assert!(main.contains("VirusTotal"));
    assert!(
        main.contains("rate\\-limit"),
        "global options are documented"
    );
    let file = std::fs::read_to_string(man.join("vt-file.1")).unwrap();
    assert!(file.contains(".TH vt-file 1"));
    assert!(man.join("vt-scan-file.1").is_file());
    // The hidden generator documents itself nowhere.
    assert!(!man.join("vt-generate-man.1").exists());
    let help = vt().arg("--help").output().unwrap();
    assert!(!String::from_utf8_lossy(&help.stdout).contains("generate-man"));
}

#[cfg(unix)]
#[test]
fn without_home_the_config_file_is_still_found() {
    // No HOME, no XDG_CONFIG_HOME: the home folder comes from the user database.
    let out = vt()
        .args(["--format", "json", "config", "show"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let path = v["attributes"]["config_file"].as_str().unwrap();
    assert!(path.ends_with("/.config/vt/config.toml"), "{path}");

    // XDG_CONFIG_HOME still wins on Linux and the BSDs.
    let out = vt()
        .env("XDG_CONFIG_HOME", "/nonexistent-xdg")
        .args(["--format", "json", "config", "show"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["attributes"]["config_file"],
        "/nonexistent-xdg/vt/config.toml"
    );
}
