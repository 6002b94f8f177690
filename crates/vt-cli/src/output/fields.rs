//! `--include` / `--exclude` field globs over dotted paths (`attributes.last_analysis_stats`).
//!
//! `*` matches one path element (or part of one: `last_*_date`), `**` any number of elements;
//! `foo.bar` also keeps everything below `foo.bar`. Includes apply first, then excludes. Array
//! elements are transparent: `attributes.trid.file_type` applies to every element of `trid`.
//!
//! With includes, an object keeps its top-level `id` and `type` (unless excluded), so filtered
//! output can still be matched to its input, as vt-cli keeps `_id` and `_type`. The filter
//! remembers which includes ever matched, so the command can warn about one that matched
//! nothing anywhere.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Map, Value};

/// A compiled set of include and exclude globs.
#[derive(Debug, Clone, Default)]
pub struct FieldFilter {
    include: Vec<Vec<String>>,
    exclude: Vec<Vec<String>>,
    /// The include globs as given, for warnings.
    include_text: Vec<String>,
    /// Per include: whether it matched a field of some object.
    hits: Arc<Vec<AtomicBool>>,
    /// Whether the filter was applied to any object.
    applied: Arc<AtomicBool>,
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Match {
    /// The path matches the whole pattern.
    Full,
    /// The path is a prefix of something the pattern could match.
    Prefix,
    /// Nothing under this path can match.
    No,
}

impl FieldFilter {
    /// Checks every glob, then compiles them: a glob with an empty element (`a..b`, `.a`,
    /// `a.`), a `**` inside an element (`a**`) or a control character is an error naming it.
    pub fn parse(include: &[String], exclude: &[String]) -> Result<FieldFilter, String> {
        for (flag, globs) in [("--include", include), ("--exclude", exclude)] {
            for glob in globs {
                let bad = if glob.chars().any(char::is_control) {
                    Some("a control character")
                } else if glob.is_empty() || glob.split('.').any(str::is_empty) {
                    Some("an empty field name (check the dots)")
                } else if glob.split('.').any(|seg| seg.contains("**") && seg != "**") {
                    Some("`**` must be a whole element (`a.**.b`)")
                } else {
                    None
                };
                if let Some(why) = bad {
                    return Err(format!("{flag} {glob:?}: {why}"));
                }
            }
        }
        Ok(FieldFilter::new(include, exclude))
    }

    /// Compiles the globs; empty includes mean "everything".
    pub fn new(include: &[String], exclude: &[String]) -> FieldFilter {
        // Consecutive `**` mean the same as one: merge them.
        let split = |p: &String| {
            let mut segs: Vec<String> = Vec::new();
            for seg in p.split('.') {
                if seg == "**" && segs.last().is_some_and(|last| last == "**") {
                    continue;
                }
                segs.push(seg.to_owned());
            }
            segs
        };
        let include_text: Vec<String> = include.iter().filter(|p| !p.is_empty()).cloned().collect();
        FieldFilter {
            include: include_text.iter().map(split).collect(),
            exclude: exclude
                .iter()
                .filter(|p| !p.is_empty())
                .map(split)
                .collect(),
            hits: Arc::new(
                include_text
                    .iter()
                    .map(|_| AtomicBool::new(false))
                    .collect(),
            ),
            include_text,
            applied: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The include globs that matched no field of any object the filter was applied to
    /// (empty when it was never applied).
    pub fn unmatched(&self) -> Vec<&str> {
        if !self.applied.load(Ordering::Relaxed) {
            return Vec::new();
        }
        self.include_text
            .iter()
            .zip(self.hits.iter())
            .filter(|(_, hit)| !hit.load(Ordering::Relaxed))
            .map(|(text, _)| text.as_str())
            .collect()
    }

    /// Whether the filter changes anything.
    pub fn is_identity(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    /// Applies the filter to one object.
    pub fn apply(&self, value: &Value) -> Value {
        if self.is_identity() {
            return value.clone();
        }
        self.applied.store(true, Ordering::Relaxed);
        let mut path = Vec::new();
        let kept = self
            .walk(value, &mut path, self.include.is_empty())
            .unwrap_or(Value::Null);
        match (kept, value) {
            (Value::Object(kept), Value::Object(original)) if !self.include.is_empty() => {
                Value::Object(self.with_identity(kept, original))
            }
            (kept, _) => kept,
        }
    }

    /// `kept` with the original's top-level `id` and `type` first (unless excluded).
    fn with_identity(
        &self,
        kept: Map<String, Value>,
        original: &Map<String, Value>,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        for key in ["id", "type"] {
            let path = [key.to_owned()];
            let excluded = self
                .exclude
                .iter()
                .any(|p| matches(p, &path) == Match::Full);
            if let Some(v) = original.get(key).filter(|_| !excluded) {
                out.insert(key.to_owned(), v.clone());
            }
        }
        for (k, v) in kept {
            if !out.contains_key(&k) {
                out.insert(k, v);
            }
        }
        out
    }

    fn walk(&self, value: &Value, path: &mut Vec<String>, included: bool) -> Option<Value> {
        match value {
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, v) in map {
                    path.push(k.clone());
                    if let Some(kept) = self.visit(v, path, included) {
                        out.insert(k.clone(), kept);
                    }
                    path.pop();
                }
                if out.is_empty() && !included && !path.is_empty() {
                    None
                } else {
                    Some(Value::Object(out))
                }
            }
            Value::Array(items) => {
                let kept: Vec<Value> = items
                    .iter()
                    .filter_map(|v| self.walk(v, path, included))
                    .collect();
                if kept.is_empty() && !included {
                    None
                } else {
                    Some(Value::Array(kept))
                }
            }
            other => included.then(|| other.clone()),
        }
    }

    fn visit(&self, value: &Value, path: &mut Vec<String>, included: bool) -> Option<Value> {
        if self.exclude.iter().any(|p| matches(p, path) == Match::Full) {
            return None;
        }
        if included {
            return self.walk(value, path, true);
        }
        let mut best = Match::No;
        for (pattern, hit) in self.include.iter().zip(self.hits.iter()) {
            match matches(pattern, path) {
                Match::Full => {
                    hit.store(true, Ordering::Relaxed);
                    best = Match::Full;
                }
                Match::Prefix if best == Match::No => best = Match::Prefix,
                _ => {}
            }
        }
        match best {
            Match::Full => self.walk(value, path, true),
            Match::Prefix => match value {
                Value::Object(_) | Value::Array(_) => self.walk(value, path, false),
                _ => None,
            },
            Match::No => None,
        }
    }
}

/// Matches a path against a pattern. Memoised over (pattern position, path position), so
/// many `**` against a deep path cost `pattern × path` steps, not an exponential number
/// (fuzzing finding F4: `**.**.**.**.**.**.**.**.zz` over 20 levels took seconds).
fn matches(pattern: &[String], path: &[String]) -> Match {
    let mut memo = vec![None; (pattern.len() + 1) * (path.len() + 1)];
    matches_from(pattern, path, 0, 0, &mut memo)
}

fn matches_from(
    pattern: &[String],
    path: &[String],
    i: usize,
    j: usize,
    memo: &mut [Option<Match>],
) -> Match {
    let slot = i * (path.len() + 1) + j;
    if let Some(known) = memo[slot] {
        return known;
    }
    let result = match (pattern.get(i), path.get(j)) {
        (None, None) => Match::Full,
        // The path goes deeper than the pattern: `foo.bar` keeps `foo.bar.**`.
        (None, Some(_)) => Match::Full,
        (Some(_), None) => Match::Prefix,
        (Some(seg), Some(_)) if seg == "**" => {
            // `**` matches zero elements, or one element and stays.
            if matches_from(pattern, path, i + 1, j, memo) == Match::Full
                || matches_from(pattern, path, i, j + 1, memo) == Match::Full
            {
                Match::Full
            } else {
                Match::Prefix
            }
        }
        (Some(seg), Some(elem)) => {
            if segment_matches(seg, elem) {
                matches_from(pattern, path, i + 1, j + 1, memo)
            } else {
                Match::No
            }
        }
    };
    memo[slot] = Some(result);
    result
}

/// Wildcards inside one element: `*` any run of characters, `?` one character.
fn segment_matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj() -> Value {
        json!({
            "type": "file", "id": "abc",
            "attributes": {
                "last_analysis_stats": {"malicious": 3, "undetected": 60},
                "last_analysis_date": 1, "first_submission_date": 2,
                "names": ["a", "b"],
                "trid": [{"file_type": "ZIP", "probability": 100}],
                "pe_info": {"sections": {"text": {"entropy": 6.1}}}
            }
        })
    }

    fn f(i: &[&str], x: &[&str]) -> FieldFilter {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        FieldFilter::new(&s(i), &s(x))
    }

    #[test]
    fn no_globs_keep_everything() {
        assert_eq!(f(&[], &[]).apply(&obj()), obj());
    }

    #[test]
    fn an_include_keeps_the_subtree_below_it_and_the_identity() {
        let out = f(&["attributes.last_analysis_stats"], &[]).apply(&obj());
        assert_eq!(
            out,
            json!({"id": "abc", "type": "file", "attributes": {"last_analysis_stats": {"malicious": 3, "undetected": 60}}})
        );
        let out = f(&["attributes.names"], &["type"]).apply(&obj());
        assert_eq!(
            out,
            json!({"id": "abc", "attributes": {"names": ["a", "b"]}})
        );
    }

    #[test]
    fn includes_that_never_matched_are_named() {
        let filter = f(&["attributes.names", "attributes.nope"], &[]);
        assert!(filter.unmatched().is_empty(), "not applied yet");
        filter.apply(&obj());
        assert_eq!(filter.clone().unmatched(), vec!["attributes.nope"]);
    }

    #[test]
    fn globs_that_do_not_parse_are_errors_naming_them() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        for bad in ["a..b", ".a", "a.", "a**", "***", ""] {
            let err = FieldFilter::parse(&s(&[bad]), &[]).unwrap_err();
            assert!(err.contains(&format!("{bad:?}")), "{err}");
        }
        assert!(FieldFilter::parse(&s(&["**.entropy", "attributes.*_date"]), &[]).is_ok());
        assert!(FieldFilter::parse(&[], &s(&["a..b"])).is_err());
    }

    #[test]
    fn star_is_one_level_and_double_star_any() {
        let out = f(&["attributes.*_date"], &[]).apply(&obj());
        assert_eq!(
            out,
            json!({"id": "abc", "type": "file", "attributes": {"last_analysis_date": 1, "first_submission_date": 2}})
        );
        let out = f(&["*.pe_info.*"], &[]).apply(&obj());
        assert_eq!(
            out,
            json!({"id": "abc", "type": "file", "attributes": {"pe_info": {"sections": {"text": {"entropy": 6.1}}}}})
        );
        let out = f(&["**.entropy"], &[]).apply(&obj());
        assert_eq!(
            out,
            json!({"id": "abc", "type": "file", "attributes": {"pe_info": {"sections": {"text": {"entropy": 6.1}}}}})
        );
        let none = f(&["*.entropy"], &[]).apply(&obj());
        assert_eq!(none, json!({"id": "abc", "type": "file"}));
    }

    #[test]
    fn excludes_apply_after_includes_and_arrays_are_transparent() {
        let out = f(&["attributes.trid"], &["attributes.trid.probability"]).apply(&obj());
        assert_eq!(
            out,
            json!({"id": "abc", "type": "file", "attributes": {"trid": [{"file_type": "ZIP"}]}})
        );
        let out = f(&[], &["attributes", "type"]).apply(&obj());
        assert_eq!(out, json!({"id": "abc"}));
    }

    #[test]
    fn many_double_stars_over_a_deep_document_stay_fast_and_correct() {
        // Fuzzing finding F4: this took seconds (exponential backtracking).
        let mut doc = json!(1);
        for _ in 0..40 {
            doc = json!({ "a": doc });
        }
        let filter = f(&["**.**.**.**.**.**.**.**.**.**.**.**.zz"], &[]);
        // Memoised, this is microseconds; unmemoised, it would not finish.
        assert_eq!(filter.apply(&doc), json!({}));
        let mut leaf = json!({ "zz": 7 });
        for _ in 0..30 {
            leaf = json!({ "a": leaf });
        }
        let kept = f(&["**.**.a.**.zz"], &[]).apply(&leaf);
        assert_eq!(kept, leaf);
    }

    #[test]
    fn segment_wildcards() {
        assert!(segment_matches("last_*_date", "last_analysis_date"));
        assert!(segment_matches("*", ""));
        assert!(segment_matches("a?c", "abc"));
        assert!(!segment_matches("last_*", "first_x"));
    }
}
