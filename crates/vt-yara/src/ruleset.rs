//! A compiled ruleset.

use std::path::Path;
use std::time::Duration;

use crate::diagnostic::Diagnostic;
use crate::error::ScanError;
use crate::netloc::NetworkObject;
use crate::scan::{FileMatches, RuleMatch, matches_of, scan_error, scan_one};
use crate::walk::PathScan;

/// How long one scan (of bytes or of one file) may run by default: 60 seconds.
pub const DEFAULT_SCAN_TIMEOUT: Duration = Duration::from_secs(60);

/// A compiled ruleset, ready to scan; made by [`crate::compile`].
pub struct Ruleset {
    rules: yara_x::Rules,
    warnings: Vec<Diagnostic>,
    timeout: Duration,
}

impl std::fmt::Debug for Ruleset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ruleset")
            .field("rules", &self.rule_names())
            .field("warnings", &self.warnings.len())
            .finish_non_exhaustive()
    }
}

impl Ruleset {
    pub(crate) fn new(rules: yara_x::Rules, warnings: Vec<Diagnostic>) -> Self {
        Self {
            rules,
            warnings,
            timeout: DEFAULT_SCAN_TIMEOUT,
        }
    }

    /// The compiler's warnings (the ruleset compiled despite them).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The number of rules (private ones included).
    pub fn len(&self) -> usize {
        self.rules.iter().len()
    }

    /// Always `false`: [`crate::compile`] refuses a ruleset without rules.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rules' identifiers, in source order (private ones included).
    pub fn rule_names(&self) -> Vec<String> {
        self.rules
            .iter()
            .map(|r| r.identifier().to_owned())
            .collect()
    }

    /// Sets how long one scan may run (default [`DEFAULT_SCAN_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub(crate) fn scanner(&self) -> yara_x::Scanner<'_> {
        let mut scanner = yara_x::Scanner::new(&self.rules);
        scanner.set_timeout(self.timeout);
        scanner
    }

    /// The rules that match `data` (private rules never show).
    pub fn scan_bytes(&self, data: &[u8]) -> Result<Vec<RuleMatch>, ScanError> {
        let mut scanner = self.scanner();
        let results = scanner.scan(data).map_err(|e| scan_error(e, None))?;
        Ok(matches_of(&results))
    }

    /// The rules of a url, domain or ip_address ruleset (compiled with
    /// [`crate::RulesSource::with_target`]) that match `object`: what the `vt` module's
    /// `vt.net` says of it (see [`NetworkObject`]); such rules read no bytes. Rules on
    /// bytes or on fields left empty do not match.
    pub fn scan_network_object(&self, object: &NetworkObject) -> Result<Vec<RuleMatch>, ScanError> {
        let mut scanner = self.scanner();
        scanner
            .set_module_output_raw("vt", &object.live_hunt_data())
            .map_err(|e| scan_error(e, None))?;
        let results = scanner.scan(&[]).map_err(|e| scan_error(e, None))?;
        Ok(matches_of(&results))
    }

    /// The rules that match the file at `path`.
    pub fn scan_file(&self, path: &Path) -> Result<FileMatches, ScanError> {
        scan_one(&mut self.scanner(), path)
    }

    /// Scans `path`: a file, or every file under a directory (recursively, in name order;
    /// symbolic links to directories are not followed). Each file gives its own result, so
    /// one unreadable file does not stop the others.
    pub fn scan_path(&self, path: &Path) -> PathScan<'_> {
        PathScan::new(self.scanner(), path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EICAR: &[u8] = br"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

    fn rules(text: &str) -> Ruleset {
        // Built here, not by `crate::compile` (which imports this file).
        Ruleset::new(yara_x::compile(text).unwrap(), Vec::new())
    }

    #[test]
    fn scanning_bytes_returns_matching_rules_with_namespace_and_tags() {
        let r = rules(
            "rule eicar : test av { strings: $a = \"EICAR-STANDARD\" condition: $a }\n\
             rule never { condition: false }\n\
             private rule hidden { condition: true }",
        );
        assert_eq!(r.rule_names(), ["eicar", "never", "hidden"]);
        assert_eq!(
            r.scan_bytes(EICAR).unwrap(),
            [RuleMatch {
                rule: "eicar".into(),
                namespace: "default".into(),
                tags: vec!["test".into(), "av".into()],
                patterns: vec![crate::scan::PatternMatch {
                    pattern: "$a".into(),
                    range: 28..42,
                }],
            }]
        );
        assert!(r.scan_bytes(b"harmless").unwrap().is_empty());
    }

    #[test]
    fn pattern_matches_come_in_data_order_across_patterns() {
        let r = rules(
            "rule two { strings: $b = \"ANTIVIRUS\" $a = \"X5O\" $c = \"-\" condition: $a and $b and #c > 1 }\n\
             rule bare { condition: filesize > 10 }",
        );
        let hits = r.scan_bytes(EICAR).unwrap();
        let found: Vec<(&str, std::ops::Range<usize>)> = hits[0]
            .patterns
            .iter()
            .map(|p| (p.pattern.as_str(), p.range.clone()))
            .collect();
        assert_eq!(
            found,
            [
                ("$a", 0..3),
                ("$c", 33..34),
                ("$c", 42..43),
                ("$b", 43..52),
                ("$c", 52..53),
                ("$c", 57..58)
            ]
        );
        assert_eq!(hits[1].rule, "bare");
        assert!(hits[1].patterns.is_empty());
    }

    #[test]
    fn scanning_a_tree_gives_one_result_per_file_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("b.txt"), b"nothing").unwrap();
        std::fs::write(dir.path().join("sub").join("a.com"), EICAR).unwrap();
        std::fs::write(dir.path().join("a.txt"), b"nothing either").unwrap();
        let r = rules("rule eicar { strings: $a = \"EICAR\" condition: $a }");
        let results: Vec<FileMatches> = r.scan_path(dir.path()).collect::<Result<_, _>>().unwrap();
        let names: Vec<(String, usize)> = results
            .iter()
            .map(|f| {
                let rel = f.path.strip_prefix(dir.path()).unwrap();
                (rel.to_string_lossy().replace('\\', "/"), f.matches.len())
            })
            .collect();
        assert_eq!(
            names,
            [
                ("a.txt".into(), 0),
                ("b.txt".into(), 0),
                ("sub/a.com".into(), 1)
            ]
        );
        // One file scanned directly.
        let one = r.scan_file(&dir.path().join("sub").join("a.com")).unwrap();
        assert_eq!(one.matches[0].rule, "eicar");
    }

    #[test]
    fn a_missing_path_is_a_read_error_naming_it() {
        let r = rules("rule a { condition: true }");
        let err = r.scan_file(Path::new("no/such/file")).unwrap_err();
        assert!(matches!(err, ScanError::Read { .. }));
        assert!(err.to_string().contains("no/such/file"), "{err}");
        let all: Vec<_> = r.scan_path(Path::new("no/such/dir")).collect();
        assert!(matches!(all.as_slice(), [Err(ScanError::Read { .. })]));
    }
}
