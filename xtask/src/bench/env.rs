//! What the rows of a bench run share: the binaries, the temporary directory, the sizes.

use std::path::PathBuf;

/// Sizes of one run: the default (issue 8's figures) or `--quick`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sizes {
    pub quick: bool,
    pub lookups: usize,
    pub quota_lookups: usize,
    pub quota_rate: u32,
    pub transfer_bytes: u64,
    pub hash_bytes: u64,
    pub startup_runs: u32,
    pub rounds: usize,
}

impl Sizes {
    pub(crate) fn new(quick: bool) -> Sizes {
        if quick {
            Sizes {
                quick,
                lookups: 1_000,
                quota_lookups: 100,
                quota_rate: 20,
                transfer_bytes: 64 << 20,
                hash_bytes: 64 << 20,
                startup_runs: 10,
                rounds: 3,
            }
        } else {
            Sizes {
                quick,
                lookups: 10_000,
                quota_lookups: 300,
                quota_rate: 20,
                transfer_bytes: 600 << 20,
                hash_bytes: 1 << 30,
                startup_runs: 50,
                rounds: 3,
            }
        }
    }
}

/// What the rows share: binaries, the temporary directory, the sizes.
pub(crate) struct Env {
    pub vt: PathBuf,
    /// `vt` built with `--features asm` (row 6b), when row 6 runs.
    pub vt_asm: Option<PathBuf>,
    pub bench_server: PathBuf,
    pub loadgen: PathBuf,
    pub tmp: PathBuf,
    pub sizes: Sizes,
}
