//! Why a ruleset was refused, and why a scan failed.

use std::path::PathBuf;

use crate::diagnostic::Diagnostic;

/// A ruleset that cannot be used. Every variant names the source's origin when it has one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RulesError {
    /// Nothing but white space.
    #[error("{}the ruleset is empty", prefix(origin))]
    Empty {
        /// Where the source comes from.
        origin: Option<String>,
    },
    /// Not UTF-8 (YARA sources are text); `line`/`column` point at the first bad byte.
    #[error("{}{line}:{column}: the ruleset is not UTF-8 text", located(origin))]
    NotUtf8 {
        /// Where the source comes from.
        origin: Option<String>,
        /// 1-based line of the first invalid byte.
        line: usize,
        /// 1-based column of the first invalid byte.
        column: usize,
    },
    /// Larger than [`crate::MAX_RULES_SIZE`].
    #[error(
        "{}the ruleset is {size} bytes, over the limit of {limit}",
        prefix(origin)
    )]
    TooLarge {
        /// Where the source comes from.
        origin: Option<String>,
        /// Its size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// Compiles but defines no rule (only comments or imports).
    #[error("{}the ruleset defines no rule", prefix(origin))]
    NoRules {
        /// Where the source comes from.
        origin: Option<String>,
    },
    /// The compiler refused it. `diagnostics` holds every error first, then the warnings;
    /// the message is the first error (and how many more there are).
    #[error("{}{}", first_error(diagnostics), more(diagnostics))]
    Compile {
        /// The errors, then the warnings, in source order within each.
        diagnostics: Vec<Diagnostic>,
    },
    /// The compiler itself failed on this input (a yara-x bug), instead of reporting an error.
    #[error(
        "{}the YARA compiler failed on this ruleset (a yara-x bug)",
        prefix(origin)
    )]
    CompilerFailure {
        /// Where the source comes from.
        origin: Option<String>,
    },
}

impl RulesError {
    /// The compiler's errors and warnings, when the compiler refused the ruleset.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            RulesError::Compile { diagnostics } => diagnostics,
            _ => &[],
        }
    }
}

fn prefix(origin: &Option<String>) -> String {
    origin
        .as_ref()
        .map(|o| format!("{o}: "))
        .unwrap_or_default()
}

fn located(origin: &Option<String>) -> String {
    origin.as_ref().map(|o| format!("{o}:")).unwrap_or_default()
}

fn first_error(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .find(|d| d.severity == crate::Severity::Error)
        .map(ToString::to_string)
        .unwrap_or_else(|| "the ruleset does not compile".to_owned())
}

fn more(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == crate::Severity::Error)
        .count();
    match errors {
        0 | 1 => String::new(),
        n => format!(" (and {} more errors)", n - 1),
    }
}

/// A scan that did not complete.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// A file or directory could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The scan ran longer than its timeout ([`crate::Ruleset::with_timeout`]).
    #[error("{}the scan timed out", path_prefix(path))]
    Timeout {
        /// The scanned file, when scanning files.
        path: Option<PathBuf>,
    },
    /// The engine reported another failure.
    #[error("{}the scan failed: {message}", path_prefix(path))]
    Engine {
        /// The scanned file, when scanning files.
        path: Option<PathBuf>,
        /// yara-x's message.
        message: String,
    },
}

fn path_prefix(path: &Option<PathBuf>) -> String {
    path.as_ref()
        .map(|p| format!("{}: ", p.display()))
        .unwrap_or_default()
}
