//! `cargo xtask dist [--profile NAME] [--out DIR]`: `vt` ready to package.
//!
//! Builds `vt` (release profile unless told otherwise) and writes, under `target/dist/`:
//!
//! ```text
//! bin/vt                              the binary
//! share/man/man1/vt.1, vt-*.1         man pages (clap_mangen, from the clap definitions)
//! share/bash-completion/completions/vt
//! share/zsh/site-functions/_vt
//! share/fish/vendor_completions.d/vt.fish
//! share/elvish/lib/vt.elv
//! share/powershell/vt.ps1
//! README.md, LICENSE-MIT, LICENSE-APACHE
//! ```
//!
//! The layout is a `/usr/local`-style prefix: copy `bin/` and `share/` over one, or give the
//! files to a packager.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::workspace::{cargo, root};

const USAGE: &str = "usage: cargo xtask dist [--profile NAME] [--out DIR]";

/// Completion scripts: (shell, path under the output folder).
const COMPLETIONS: [(&str, &str); 5] = [
    ("bash", "share/bash-completion/completions/vt"),
    ("zsh", "share/zsh/site-functions/_vt"),
    ("fish", "share/fish/vendor_completions.d/vt.fish"),
    ("elvish", "share/elvish/lib/vt.elv"),
    ("powershell", "share/powershell/vt.ps1"),
];

pub fn run(args: &[String]) -> Result<()> {
    let target_dir = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let mut profile = "release".to_owned();
    let mut out = target_dir.join("dist");
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--profile" => profile = it.next().context(USAGE)?.clone(),
            "--out" => out = PathBuf::from(it.next().context(USAGE)?),
            other => bail!("dist: unknown argument `{other}`\n{USAGE}"),
        }
    }

    let mut build = cargo();
    build.args([
        "build",
        "-p",
        "vt-cli",
        "--bin",
        "vt",
        "--profile",
        &profile,
    ]);
    crate::workspace::run(&format!("cargo build -p vt-cli --profile {profile}"), build)?;
    let folder = if profile == "dev" { "debug" } else { &profile };
    let vt = target_dir
        .join(folder)
        .join(format!("vt{}", env::consts::EXE_SUFFIX));

    if out.exists() {
        fs::remove_dir_all(&out).with_context(|| format!("removing {}", out.display()))?;
    }
    let bin = out.join("bin");
    fs::create_dir_all(&bin)?;
    fs::copy(&vt, bin.join(vt.file_name().context("binary name")?))
        .with_context(|| format!("copying {}", vt.display()))?;

    let man = out.join("share/man/man1");
    let status = Command::new(&vt)
        .arg("generate-man")
        .arg(&man)
        .status()
        .with_context(|| format!("could not run {}", vt.display()))?;
    if !status.success() {
        bail!("`vt generate-man {}` failed ({status})", man.display());
    }

    for (shell, path) in COMPLETIONS {
        let script = Command::new(&vt)
            .args(["completions", shell])
            .env_remove("VT_CONFIG")
            .output()
            .with_context(|| format!("could not run vt completions {shell}"))?;
        if !script.status.success() || script.stdout.is_empty() {
            bail!(
                "`vt completions {shell}` failed: {}",
                String::from_utf8_lossy(&script.stderr).trim()
            );
        }
        write(&out.join(path), &script.stdout)?;
    }
    for doc in ["README.md", "LICENSE-MIT", "LICENSE-APACHE"] {
        fs::copy(root().join(doc), out.join(doc)).with_context(|| format!("copying {doc}"))?;
    }
    let pages = fs::read_dir(&man)?.count();
    eprintln!(
        "xtask: {} holds vt, {pages} man pages and {} completion scripts",
        out.display(),
        COMPLETIONS.len()
    );
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}
