//! `--include` / `--exclude` field globs over dotted paths (`attributes.last_analysis_stats`).
//!
//! `*` matches one path element (or part of one: `last_*_date`), `**` any number of elements;
//! `foo.bar` also keeps everything below `foo.bar`. Includes apply first, then excludes. Array
//! elements are transparent: `attributes.trid.file_type` applies to every element of `trid`.

use serde_json::{Map, Value};

/// A compiled set of include and exclude globs.
#[derive(Debug, Clone, Default)]
pub struct FieldFilter {
    include: Vec<Vec<String>>,
    exclude: Vec<Vec<String>>,
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
        FieldFilter {
            include: include
                .iter()
                .filter(|p| !p.is_empty())
                .map(split)
                .collect(),
            exclude: exclude
                .iter()
                .filter(|p| !p.is_empty())
                .map(split)
                .collect(),
        }
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
        let mut path = Vec::new();
        self.walk(value, &mut path, self.include.is_empty())
            .unwrap_or(Value::Null)
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
        let best = self
            .include
            .iter()
            .map(|p| matches(p, path))
            .fold(Match::No, |a, b| match (a, b) {
                (Match::Full, _) | (_, Match::Full) => Match::Full,
                (Match::Prefix, _) | (_, Match::Prefix) => Match::Prefix,
                _ => Match::No,
            });
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
    fn an_include_keeps_the_subtree_below_it() {
        let out = f(&["id", "attributes.last_analysis_stats"], &[]).apply(&obj());
        assert_eq!(
            out,
            json!({"id": "abc", "attributes": {"last_analysis_stats": {"malicious": 3, "undetected": 60}}})
        );
    }

    #[test]
    fn star_is_one_level_and_double_star_any() {
        let out = f(&["attributes.*_date"], &[]).apply(&obj());
        assert_eq!(
            out,
            json!({"attributes": {"last_analysis_date": 1, "first_submission_date": 2}})
        );
        let out = f(&["*.pe_info.*"], &[]).apply(&obj());
        assert_eq!(
            out,
            json!({"attributes": {"pe_info": {"sections": {"text": {"entropy": 6.1}}}}})
        );
        let out = f(&["**.entropy"], &[]).apply(&obj());
        assert_eq!(
            out,
            json!({"attributes": {"pe_info": {"sections": {"text": {"entropy": 6.1}}}}})
        );
        let none = f(&["*.entropy"], &[]).apply(&obj());
        assert_eq!(none, json!({}));
    }

    #[test]
    fn excludes_apply_after_includes_and_arrays_are_transparent() {
        let out = f(&["attributes.trid"], &["attributes.trid.probability"]).apply(&obj());
        assert_eq!(out, json!({"attributes": {"trid": [{"file_type": "ZIP"}]}}));
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
