//! Every real VirusTotal answer of the corpus, decoded strictly into the typed model its shape
//! and `type` select, then written back, must give the same JSON value.
//!
//! The corpus is the repository's `fixtures/vt-json` (`../../fixtures/vt-json` from this crate);
//! `VT_FIXTURES_DIR` overrides it. The test fails when it is missing.

use std::path::{Path, PathBuf};

use serde_json::Value;
use vt_model::{
    AnyObject, Document, FileBehaviourAttributes, IndexMap, Relationship, from_str_strict,
};

fn corpus_dir() -> PathBuf {
    std::env::var_os("VT_FIXTURES_DIR").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../fixtures/vt-json"
            ))
        },
        PathBuf::from,
    )
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read the corpus directory {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// The JSON documents of the corpus, sorted; panics if the corpus is missing or too small.
fn corpus() -> Vec<(String, String)> {
    let dir = corpus_dir();
    assert!(
        dir.is_dir(),
        "the real-response corpus is missing: {} (set VT_FIXTURES_DIR)",
        dir.display()
    );
    let mut files = Vec::new();
    json_files(&dir, &mut files);
    files.sort();
    assert!(
        files.len() >= 100,
        "expected at least 100 JSON files under {}, found {}",
        dir.display(),
        files.len()
    );
    files
        .into_iter()
        .map(|path| {
            let name = path
                .strip_prefix(&dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            (name, text)
        })
        .collect()
}

/// Decodes `text` strictly into the typed model for its shape and writes it back as text.
fn typed_round_trip(text: &str) -> Result<String, String> {
    let document: Document = from_str_strict(text).map_err(|e| format!("decode: {e}"))?;
    // The quick-scan decoder must pick the same shape and give the same value.
    let fast = Document::from_text(text).map_err(|e| format!("Document::from_text: {e}"))?;
    if fast != document {
        return Err("Document::from_text differs from the generic decode".into());
    }
    let written = match &document {
        Document::Other(value) => {
            // Two corpus shapes have no envelope at all: a `relationships` block and the inner
            // dictionary of a behaviour summary. Type them explicitly.
            let object = value.as_object().ok_or("unexpected top-level shape")?;
            if object
                .values()
                .all(|v| v.get("data").is_some() || v.get("links").is_some())
            {
                let typed: IndexMap<String, Relationship> =
                    from_str_strict(text).map_err(|e| format!("decode relationships: {e}"))?;
                serde_json::to_string(&typed)
            } else {
                let typed: FileBehaviourAttributes =
                    from_str_strict(text).map_err(|e| format!("decode behaviour: {e}"))?;
                serde_json::to_string(&typed)
            }
        }
        other => serde_json::to_string(other),
    };
    written.map_err(|e| format!("encode: {e}"))
}

/// Up to `limit` differences between two JSON values, as `pointer: left != right`.
fn diff(path: &str, left: &Value, right: &Value, out: &mut Vec<String>, limit: usize) {
    if out.len() >= limit || left == right {
        return;
    }
    match (left, right) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let pointer = format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"));
                match b.get(key) {
                    Some(other) => diff(&pointer, value, other, out, limit),
                    None => out.push(format!("{pointer}: missing after the round trip")),
                }
            }
            for key in b.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!("{path}/{key}: added by the round trip"));
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff(&format!("{path}/{i}"), x, y, out, limit);
            }
        }
        _ => {
            let short = |v: &Value| {
                let s = v.to_string();
                if s.chars().count() > 80 {
                    format!("{}…", s.chars().take(80).collect::<String>())
                } else {
                    s
                }
            };
            out.push(format!("{path}: {} != {}", short(left), short(right)));
        }
    }
}

#[test]
fn every_corpus_document_round_trips_through_its_typed_model() {
    let mut failures = Vec::new();
    let corpus = corpus();
    for (name, text) in &corpus {
        let original: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{name}: not JSON: {e}"));
                continue;
            }
        };
        match typed_round_trip(text) {
            Err(e) => failures.push(format!("{name}: {e}")),
            Ok(written) => {
                let back: Value = serde_json::from_str(&written).expect("our own output is JSON");
                let mut differences = Vec::new();
                diff("", &original, &back, &mut differences, 5);
                if !differences.is_empty() {
                    failures.push(format!("{name}:\n    {}", differences.join("\n    ")));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus documents do not round-trip:\n  {}",
        failures.len(),
        corpus.len(),
        failures.join("\n  ")
    );
}

#[test]
fn every_corpus_object_of_a_modelled_type_gets_its_typed_variant() {
    let modelled = [
        "file",
        "url",
        "domain",
        "ip_address",
        "analysis",
        "comment",
        "vote",
        "monitor_item",
        "monitoritem",
        "monitor_analysis",
        "file_behaviour",
        "user",
    ];
    let mut seen = 0;
    for (name, text) in corpus() {
        let objects: Vec<AnyObject> = match from_str_strict::<Document>(&text) {
            Ok(Document::Collection(page)) => page.data,
            Ok(Document::Object(envelope)) => vec![envelope.data],
            Ok(Document::BareObject(object)) => vec![object],
            _ => continue,
        };
        for object in objects {
            seen += 1;
            let is_other = matches!(object, AnyObject::Other(_));
            assert_eq!(
                is_other,
                !modelled.contains(&object.object_type()),
                "{name}: type {:?} dispatched to the wrong variant",
                object.object_type()
            );
        }
    }
    assert!(seen > 200, "only {seen} objects found in the corpus");
}
