//! Records what `vt --version` reports beyond the version: the git commit the binary was
//! built from (only when built from a vt-rs git checkout with `git` on the PATH; nothing
//! otherwise, e.g. from the crates.io package) and the enabled cargo features.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let commit = if in_vt_rs_checkout() {
        // Rebuild when HEAD moves (a commit, a checkout).
        for path in ["HEAD", "packed-refs"] {
            if let Some(p) = git(&["rev-parse", "--git-path", path]) {
                println!("cargo:rerun-if-changed={p}");
            }
        }
        if let Some(head) = git(&["symbolic-ref", "-q", "HEAD"])
            && let Some(p) = git(&["rev-parse", "--git-path", &head])
        {
            println!("cargo:rerun-if-changed={p}");
        }
        git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_default()
    } else {
        String::new()
    };
    println!("cargo:rustc-env=VT_BUILD_COMMIT={commit}");

    let mut features: Vec<String> = std::env::vars()
        .filter_map(|(k, _)| k.strip_prefix("CARGO_FEATURE_").map(str::to_owned))
        .filter(|f| f != "DEFAULT")
        .map(|f| f.to_ascii_lowercase().replace('_', "-"))
        .collect();
    features.sort();
    println!("cargo:rustc-env=VT_BUILD_FEATURES={}", features.join(","));
}

/// Whether this crate sits at `crates/vt-cli` of the git work tree it is in (a vendored copy
/// inside someone else's repository must not report that repository's commit).
fn in_vt_rs_checkout() -> bool {
    let (Some(top), Ok(manifest)) = (
        git(&["rev-parse", "--show-toplevel"]),
        std::env::var("CARGO_MANIFEST_DIR"),
    ) else {
        return false;
    };
    let expected: PathBuf = Path::new(&top).join("crates").join("vt-cli");
    match (expected.canonicalize(), Path::new(&manifest).canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The trimmed output of a successful `git` command run in this crate's directory.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8(out.stdout).ok()?.trim().to_owned())
}
