//! What scanning returns, and the scan of one file (shared by a ruleset's own scans and the
//! tree walk).

use std::path::{Path, PathBuf};

use crate::error::ScanError;

/// A rule that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMatch {
    /// The rule's identifier.
    pub rule: String,
    /// Its namespace (`default` unless the ruleset says otherwise).
    pub namespace: String,
    /// Its tags, in source order.
    pub tags: Vec<String>,
}

/// The rules that matched one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMatches {
    /// The file scanned.
    pub path: PathBuf,
    /// The rules that matched it, in ruleset order (empty: none did).
    pub matches: Vec<RuleMatch>,
}

pub(crate) fn scan_one(
    scanner: &mut yara_x::Scanner<'_>,
    path: &Path,
) -> Result<FileMatches, ScanError> {
    // Read first so that an unreadable file is an I/O error naming the path.
    let data = std::fs::read(path).map_err(|source| ScanError::Read {
        path: path.to_owned(),
        source,
    })?;
    let results = scanner.scan(&data).map_err(|e| scan_error(e, Some(path)))?;
    Ok(FileMatches {
        path: path.to_owned(),
        matches: matches_of(&results),
    })
}

pub(crate) fn matches_of(results: &yara_x::ScanResults<'_, '_>) -> Vec<RuleMatch> {
    results
        .matching_rules()
        .map(|r| RuleMatch {
            rule: r.identifier().to_owned(),
            namespace: r.namespace().to_owned(),
            tags: r.tags().map(|t| t.identifier().to_owned()).collect(),
        })
        .collect()
}

pub(crate) fn scan_error(e: yara_x::ScanError, path: Option<&Path>) -> ScanError {
    let path = path.map(Path::to_owned);
    match e {
        yara_x::ScanError::Timeout => ScanError::Timeout { path },
        other => ScanError::Engine {
            path,
            message: other.to_string(),
        },
    }
}
