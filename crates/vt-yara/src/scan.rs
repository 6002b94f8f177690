//! What scanning returns, and the scan of one file (shared by a ruleset's own scans and the
//! tree walk).

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::error::ScanError;

/// The most pattern matches a [`RuleMatch`] keeps (the first ones in the data).
pub const MAX_PATTERN_MATCHES: usize = 100;

/// A rule that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMatch {
    /// The rule's identifier.
    pub rule: String,
    /// Its namespace (`default` unless the ruleset says otherwise).
    pub namespace: String,
    /// Its tags, in source order.
    pub tags: Vec<String>,
    /// Where its patterns matched, in data order (then by pattern), at most
    /// [`MAX_PATTERN_MATCHES`]; empty when the condition matched without any pattern (a
    /// rule on `filesize`, say).
    pub patterns: Vec<PatternMatch>,
}

/// One match of one of a rule's patterns (`$a = "..."`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternMatch {
    /// The pattern's identifier, with its `$`.
    pub pattern: String,
    /// The matched bytes' range in the scanned data.
    pub range: Range<usize>,
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
            patterns: pattern_matches_of(&r),
        })
        .collect()
}

/// The first [`MAX_PATTERN_MATCHES`] matches of `rule`'s patterns, in data order (each
/// pattern's matches come in data order from yara-x, so taking that many of each is enough).
fn pattern_matches_of(rule: &yara_x::Rule<'_, '_>) -> Vec<PatternMatch> {
    let mut all: Vec<PatternMatch> = rule
        .patterns()
        .flat_map(|p| {
            let pattern = p.identifier().to_owned();
            p.matches()
                .take(MAX_PATTERN_MATCHES)
                .map(move |m| PatternMatch {
                    pattern: pattern.clone(),
                    range: m.range(),
                })
        })
        .collect();
    all.sort_by(|a, b| {
        (a.range.start, a.range.end, &a.pattern).cmp(&(b.range.start, b.range.end, &b.pattern))
    });
    all.truncate(MAX_PATTERN_MATCHES);
    all
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
