//! Exit codes and the CLI's error type.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | every item succeeded |
//! | 1 | some items failed at the API (not found, already exists, ...) |
//! | 2 | usage or invalid local input, reported before any request is sent |
//! | 3 | authentication or permission refused |
//! | 4 | quota exhausted: work done so far is saved, the run can be resumed |
//! | 5 | network, transport or server failure after retries |
//! | 6 | rate limited: the server refused the request rate after every retry |
//! | 10 | `vt monitor watch`: new detections were reported (an engine flags a file it did not) |
//! | 130 | interrupted by Ctrl-C during a batch (results so far kept, resumable) |
//! | 143 | terminated by SIGTERM during a batch (results so far kept, resumable) |

use std::fmt;

/// The text appended to `vt --help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  every item succeeded
  1  some items failed at the API (not found, already exists, ...); the others were printed
  2  usage error or invalid local input (bad hash, unreadable path, file over 650 MB,
     malformed URL/domain/IP, unknown format); reported before any request is sent
  3  authentication or permission refused (wrong key, premium endpoint with a public key)
  4  quota exhausted: results so far are kept; rerun with --output FILE --resume to go on
  5  network, transport or server failure after retries (503, timeouts, garbled
     answers): those items are not saved; rerun with --output FILE --resume
  6  rate limited: the server still refused the request rate (429 TooManyRequestsError)
     after every retry; not a spent quota: lower --rate-limit and resume
  10  vt monitor watch: new detections were reported (an engine flags a file it did not)
  130  interrupted (Ctrl-C) during a batch: results so far are kept, resumable like 4
  143  terminated (SIGTERM) during a batch: same as 130

Configuration: flag > environment (VT_API_KEY, VT_BASE_URL, VT_FORMAT, ...) > config file
($XDG_CONFIG_HOME/vt/config.toml, created by `vt config init`) > default.
See docs/cli.md for the full reference.";

/// A process exit status of `vt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Exit {
    /// 0: everything succeeded.
    Ok = 0,
    /// 1: some items failed at the API.
    ItemsFailed = 1,
    /// 2: usage or invalid local input.
    Usage = 2,
    /// 3: authentication or permission.
    Auth = 3,
    /// 4: quota exhausted.
    Quota = 4,
    /// 5: network, transport or server failure after retries.
    Transport = 5,
    /// 6: the server's request-rate limit outlasted the retries.
    RateLimited = 6,
    /// 10: `vt monitor watch` reported new detections.
    NewDetections = 10,
    /// 130: interrupted by Ctrl-C (results so far kept, resumable).
    Interrupted = 130,
    /// 143: terminated by SIGTERM (results so far kept, resumable).
    Terminated = 143,
}

impl Exit {
    /// The numeric code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e.code())
    }
}

/// An error that ends the command, with the exit code it maps to.
#[derive(Debug)]
pub struct CliError {
    /// The exit code.
    pub exit: Exit,
    /// One line saying what went wrong (naming the input).
    pub message: String,
    /// Extra detail shown with `-v`.
    pub detail: Option<String>,
}

impl CliError {
    /// A usage / local input error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    /// An error with an explicit exit code.
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        CliError {
            exit,
            message: message.into(),
            detail: None,
        }
    }

    /// Adds detail for `-v`.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

/// The result type of every command.
pub type CliResult<T = Exit> = Result<T, CliError>;

/// Formats an error and its sources on one line (`a: b: c`), for `-v`.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_documented_numbers() {
        assert_eq!(Exit::Ok.code(), 0);
        assert_eq!(Exit::ItemsFailed.code(), 1);
        assert_eq!(Exit::Usage.code(), 2);
        assert_eq!(Exit::Auth.code(), 3);
        assert_eq!(Exit::Quota.code(), 4);
        assert_eq!(Exit::Transport.code(), 5);
        assert_eq!(Exit::RateLimited.code(), 6);
        assert_eq!(Exit::NewDetections.code(), 10);
        assert!(EXIT_CODES_HELP.contains("  10  vt monitor watch"));
        assert_eq!(Exit::Terminated.code(), 143);
        for n in 0..=6 {
            assert!(
                EXIT_CODES_HELP.contains(&format!("  {n}  ")),
                "{n} documented"
            );
        }
    }
}
