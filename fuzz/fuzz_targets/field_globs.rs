//! The `--include` / `--exclude` field globs of the `vt` CLI, on arbitrary globs and documents.
//!
//! vt-cli is a binary crate, so its glob module is compiled into this target from its source
//! file (`crates/vt-cli/src/output/fields.rs`, which only needs serde_json). If that file
//! moves, update the `#[path]` below.
//!
//! Input: the first line holds the globs, separated by spaces (a leading `!` makes an
//! exclude); the rest is the JSON document (a small sample when it is not JSON). Properties:
//!
//! - no panic, and no input slower than libFuzzer's `-timeout` (globs come from the user, the
//!   document's depth from the server);
//! - the output only keeps what was there: every leaf it has is in the input at the same path;
//! - filtering is idempotent: filtering the output again changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

#[allow(dead_code)]
#[path = "../../crates/vt-cli/src/output/fields.rs"]
mod fields;

/// Whether `small` only holds leaves that `big` has at the same place (arrays: each element of
/// `small` is within some element of `big`, since filtering drops elements).
fn is_within(small: &Value, big: &Value) -> bool {
    match (small, big) {
        (Value::Object(s), Value::Object(b)) => s
            .iter()
            .all(|(k, v)| b.get(k).is_some_and(|bv| is_within(v, bv))),
        (Value::Array(s), Value::Array(b)) => s.iter().all(|v| b.iter().any(|bv| is_within(v, bv))),
        // An object or array emptied by the filter.
        (Value::Object(s), _) if s.is_empty() => true,
        (Value::Array(s), _) if s.is_empty() => true,
        (Value::Null, _) => true,
        (s, b) => s == b,
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (globs, document) = text.split_once('\n').unwrap_or((&text, ""));
    let (mut include, mut exclude) = (Vec::new(), Vec::new());
    for glob in globs.split(' ').filter(|g| !g.is_empty()).take(16) {
        match glob.strip_prefix('!') {
            Some(excluded) => exclude.push(excluded.to_string()),
            None => include.push(glob.to_string()),
        }
    }
    let document: Value = serde_json::from_str(document).unwrap_or_else(|_| {
        json!({"data": {"type": "file", "id": "x", "attributes": {
            "last_analysis_stats": {"malicious": 1, "undetected": 60},
            "last_analysis_date": 1569495089,
            "names": ["a.exe", "b.exe"],
            "trid": [{"file_type": "Win32 EXE", "probability": 57.6}],
        }}})
    });
    let filter = fields::FieldFilter::new(&include, &exclude);
    let once = filter.apply(&document);
    assert!(
        is_within(&once, &document),
        "include {include:?} exclude {exclude:?}: the output has something the input lacks: {once}"
    );
    let twice = filter.apply(&once);
    assert_eq!(
        twice, once,
        "include {include:?} exclude {exclude:?}: filtering twice differs from once"
    );
});
