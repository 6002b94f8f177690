//! What every task needs: the workspace root, `cargo` started there, a command run with its
//! name, the real-response corpus.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The workspace root (the parent of this crate's directory).
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// `cargo` (the one running xtask), in the workspace root.
pub(crate) fn cargo() -> Command {
    let mut cmd = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

/// Runs `cmd`, saying `what` first; fails unless it succeeds.
pub(crate) fn run(what: &str, mut cmd: Command) -> Result<()> {
    eprintln!("xtask: {what}");
    let status = cmd
        .status()
        .with_context(|| format!("could not start {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

/// The real-response corpus of the repository (`fixtures/vt-json`), unless `VT_FIXTURES_DIR`
/// says otherwise.
pub(crate) fn fixtures_dir() -> PathBuf {
    env::var_os("VT_FIXTURES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("fixtures/vt-json"))
}
