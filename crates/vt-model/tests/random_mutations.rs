//! Seeded random mutations of every corpus document, at any depth: whatever decodes must write
//! back the same JSON, decode again to the same value, and `Document::from_text` must agree with
//! the generic decode. (The cargo-fuzz target checks the same properties on arbitrary bytes;
//! this runs in every `cargo test`.)

mod corpus;

use std::path::Path;

use serde_json::{Value, json};
use vt_model::Document;

/// A small deterministic generator (xorshift64*), so that failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Keeps three engines of each per-engine map, so the test stays fast.
fn trim(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if matches!(key.as_str(), "last_analysis_results" | "results" | "scans")
                    && let Value::Object(engines) = child
                {
                    *engines = std::mem::take(engines).into_iter().take(3).collect();
                }
                trim(child);
            }
        }
        Value::Array(items) => {
            items.truncate(3);
            items.iter_mut().for_each(trim);
        }
        _ => {}
    }
}

fn replacement(rng: &mut Rng) -> Value {
    match rng.below(9) {
        0 => Value::Null,
        1 => json!("mutated \u{0} text"),
        2 => json!(-7),
        3 => json!(2.5),
        4 => json!(1e300),
        5 => json!(false),
        6 => json!([1, "two", null]),
        7 => json!({}),
        _ => json!({"": {"#~": [null]}}),
    }
}

/// Applies one mutation at a random depth: replace a value, drop a member, or add one.
fn mutate(value: &mut Value, rng: &mut Rng) {
    match value {
        Value::Object(map) if !map.is_empty() && rng.below(3) != 0 => {
            let index = rng.below(map.len());
            let key = map.keys().nth(index).cloned().unwrap_or_default();
            match rng.below(6) {
                0 => {
                    map.shift_remove(&key);
                }
                1 => {
                    map.insert("zz_unknown".to_owned(), replacement(rng));
                }
                2 => {
                    map.insert(key, replacement(rng));
                }
                _ => {
                    if let Some(child) = map.get_mut(&key) {
                        mutate(child, rng);
                    }
                }
            }
        }
        Value::Array(items) if !items.is_empty() && rng.below(3) != 0 => {
            let index = rng.below(items.len());
            if rng.below(4) == 0 {
                items[index] = replacement(rng);
            } else {
                mutate(&mut items[index], rng);
            }
        }
        Value::Object(map) => {
            map.insert("zz_unknown".to_owned(), replacement(rng));
        }
        other => *other = replacement(rng),
    }
}

fn json_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("corpus directory") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

#[test]
fn randomly_mutated_documents_stay_lossless() {
    let mut files = Vec::new();
    json_files(&corpus::dir(), &mut files);
    files.sort();
    assert!(files.len() >= 100, "corpus too small: {}", files.len());

    // `VT_MUTATION_SEED=<n>` explores other mutations; the default keeps CI reproducible.
    let seed = std::env::var("VT_MUTATION_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(0x5EED_0F7E_5700)
        | 1;
    let mut rng = Rng(seed);
    let (mut decoded, mut tried) = (0usize, 0usize);
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("corpus file");
        let mut original: Value = serde_json::from_str(&text).expect("corpus JSON");
        trim(&mut original);
        for round in 0..4 {
            let mut mutated = original.clone();
            for _ in 0..=rng.below(3) {
                mutate(&mut mutated, &mut rng);
            }
            let text = mutated.to_string();
            tried += 1;
            let name = format!("{} (round {round})", path.display());
            let generic = match serde_json::from_str::<Document>(&text) {
                Ok(document) => document,
                Err(_) => {
                    // Some mutations break what every object needs (a string `type`, object
                    // attributes): a clean error is fine.
                    if Document::from_text(&text).is_ok() {
                        failures.push(format!("{name}: from_text accepts what serde rejects"));
                    }
                    continue;
                }
            };
            decoded += 1;
            match Document::from_text(&text) {
                Ok(fast) if fast == generic => {}
                Ok(_) => failures.push(format!("{name}: from_text differs")),
                Err(e) => failures.push(format!("{name}: from_text fails: {e}")),
            }
            let written = serde_json::to_value(&generic).expect("encode");
            if written != mutated {
                failures.push(format!("{name}: not lossless after {text:.200}"));
                continue;
            }
            let again: Document = serde_json::from_value(written).expect("decode own output");
            if again != generic {
                failures.push(format!("{name}: decoding its own output differs"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {tried} mutated documents fail (seed {seed}):\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
    assert!(
        decoded * 10 >= tried * 9,
        "only {decoded} of {tried} mutated documents decoded: the test checks too little"
    );
}
