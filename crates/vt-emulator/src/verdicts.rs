//! Engine verdicts: the one place that decides what each engine says about an object
//! (`last_analysis_results`), how verdicts are counted (`last_analysis_stats`) and how the
//! same results read in the legacy v2 API (`scans`, `positives`, `total`).
//!
//! Every route reads the stored `last_analysis_results` through these functions, so the v3
//! report and the v2 report of one file always agree: v2's `total` counts the engines that
//! gave a verdict (`malicious`, `suspicious`, `harmless`, `undetected`), as VirusTotal's v2
//! does, which is also what a v3 client shows as `malicious/total`.

use serde_json::{Map, Value, json};

use crate::dates::ymd;
use crate::engines::{FILE_ENGINES, URL_ENGINES};
use crate::rng::SeededRng;

/// Categories that are a verdict; the others (`type-unsupported`, `timeout`,
/// `confirmed-timeout`, `failure`) say the engine could not judge the item.
pub(crate) const VERDICT_CATEGORIES: &[&str] =
    &["malicious", "suspicious", "harmless", "undetected"];

/// The detection name engine number `engine_index` gives to a `family` sample.
fn label(engine_index: usize, family: &str, n: u64) -> String {
    match engine_index % 8 {
        0 => format!("Trojan.GenericKD.{n}"),
        1 => format!("Win32/{family}.A"),
        2 => format!("Trojan:Win32/{family}!ml"),
        3 => format!("HEUR:Trojan.Win32.{family}.gen"),
        4 => format!("W32/{family}.B!tr"),
        5 => format!("Gen:Variant.{family}.{}", n % 1000),
        6 => "malicious (high confidence)".to_owned(),
        _ => format!("Trojan.{family}"),
    }
}

/// A file report's `last_analysis_results` and `last_analysis_stats` with `malicious`
/// detections (and the odd `suspicious`, `timeout`, `type-unsupported`).
pub(crate) fn file_results(
    rng: &mut SeededRng,
    malicious: usize,
    family: &str,
    date: u64,
    text: bool,
) -> (Value, Value) {
    let mut order: Vec<usize> = (0..FILE_ENGINES.len()).collect();
    rng.shuffle(&mut order);
    let mut category = vec!["undetected"; FILE_ENGINES.len()];
    for &i in order.iter().take(malicious.min(FILE_ENGINES.len())) {
        category[i] = "malicious";
    }
    for &i in order.iter().skip(malicious) {
        let u = rng.unit();
        category[i] = if u < 0.02 {
            "timeout"
        } else if u < 0.04 && malicious > 0 {
            "suspicious"
        } else if u < (if text { 0.16 } else { 0.07 }) {
            "type-unsupported"
        } else {
            "undetected"
        };
    }
    let update = ymd(date);
    let n = rng.range(1_000_000, 49_999_999);
    let mut results = Map::new();
    let mut stats = [0u64; 8];
    for (i, (name, version)) in FILE_ENGINES.iter().enumerate() {
        let cat = category[i];
        let result = match cat {
            "malicious" => json!(label(i, family, n)),
            "suspicious" => json!("Suspicious"),
            _ => Value::Null,
        };
        stats[stat_index(cat)] += 1;
        results.insert(
            (*name).to_owned(),
            json!({"category": cat, "engine_name": name, "engine_version": version, "result": result, "method": "blacklist", "engine_update": update}),
        );
    }
    (Value::Object(results), file_stats(&stats))
}

fn stat_index(cat: &str) -> usize {
    match cat {
        "harmless" => 0,
        "type-unsupported" => 1,
        "suspicious" => 2,
        "confirmed-timeout" => 3,
        "timeout" => 4,
        "failure" => 5,
        "malicious" => 6,
        _ => 7,
    }
}

fn file_stats(s: &[u64; 8]) -> Value {
    json!({"harmless": s[0], "type-unsupported": s[1], "suspicious": s[2], "confirmed-timeout": s[3], "timeout": s[4], "failure": s[5], "malicious": s[6], "undetected": s[7]})
}

/// Stats of any results map (file-only keys included only when `file`).
pub(crate) fn stats_of(results: &Value, file: bool) -> Value {
    let mut s = [0u64; 8];
    if let Some(map) = results.as_object() {
        for r in map.values() {
            s[stat_index(
                r.get("category")
                    .and_then(Value::as_str)
                    .unwrap_or("undetected"),
            )] += 1;
        }
    }
    if file {
        file_stats(&s)
    } else {
        json!({"harmless": s[0], "malicious": s[6], "suspicious": s[2], "undetected": s[7], "timeout": s[4]})
    }
}

/// URL/domain/IP results: `malicious` engines say `malicious`/`phishing`, most say `clean`.
pub(crate) fn url_results(rng: &mut SeededRng, malicious: usize) -> (Value, Value) {
    let mut order: Vec<usize> = (0..URL_ENGINES.len()).collect();
    rng.shuffle(&mut order);
    let mut results = Map::new();
    let mut cats = vec![""; URL_ENGINES.len()];
    for (rank, &i) in order.iter().enumerate() {
        cats[i] = if rank < malicious {
            "malicious"
        } else if rng.chance(0.22) {
            "undetected"
        } else {
            "harmless"
        };
    }
    for (i, name) in URL_ENGINES.iter().enumerate() {
        let (cat, result) = match cats[i] {
            "malicious" => (
                "malicious",
                if i % 3 == 0 { "phishing" } else { "malicious" },
            ),
            "undetected" => ("undetected", "unrated"),
            _ => ("harmless", "clean"),
        };
        results.insert(
            (*name).to_owned(),
            json!({"category": cat, "engine_name": name, "method": "blacklist", "result": result}),
        );
    }
    let results = Value::Object(results);
    let stats = stats_of(&results, false);
    (results, stats)
}

/// Engine results where exactly the engines in `detecting` flag the file.
pub(crate) fn results_with(detecting: &[usize], date: u64, label: &str) -> Value {
    let update = ymd(date);
    let mut m = Map::new();
    for (i, (name, version)) in FILE_ENGINES.iter().enumerate() {
        let hit = detecting.contains(&i);
        m.insert(
            (*name).to_owned(),
            json!({
                "category": if hit { "malicious" } else { "undetected" },
                "engine_name": name, "engine_version": version,
                "result": if hit { json!(format!("{label}.{i}")) } else { Value::Null },
                "method": "blacklist", "engine_update": update,
            }),
        );
    }
    Value::Object(m)
}

/// The engines whose category is `malicious`, in results order.
pub(crate) fn detected_engines(results: &Value) -> Vec<String> {
    results
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, r)| r.get("category").and_then(Value::as_str) == Some("malicious"))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// A v2 file report's `scans`, `positives` and `total`, read from v3 `last_analysis_results`.
///
/// Engines without a verdict are left out, as VirusTotal's v2 leaves them out; `detected` is
/// true for `malicious` results.
pub(crate) fn v2_scans(results: &Value) -> (Map<String, Value>, usize) {
    let mut scans = Map::new();
    let mut positives = 0;
    for (engine, r) in results.as_object().into_iter().flatten() {
        let category = r.get("category").and_then(Value::as_str).unwrap_or("");
        if !VERDICT_CATEGORIES.contains(&category) {
            continue;
        }
        let detected = category == "malicious";
        positives += usize::from(detected);
        scans.insert(
            engine.clone(),
            json!({
                "detected": detected,
                "version": r.get("engine_version").cloned().unwrap_or(Value::Null),
                "result": if detected { r.get("result").cloned().unwrap_or(Value::Null) } else { Value::Null },
                "update": r.get("engine_update").cloned().unwrap_or(Value::Null),
            }),
        );
    }
    (scans, positives)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_total_counts_the_engines_with_a_verdict() {
        let mut rng = SeededRng::derive(1, "t", 0);
        let (results, stats) = file_results(&mut rng, 20, "Emotet", 1_700_000_000, true);
        let (scans, positives) = v2_scans(&results);
        let n = |k: &str| stats[k].as_u64().unwrap() as usize;
        assert_eq!(positives, n("malicious"));
        assert_eq!(
            scans.len(),
            n("malicious") + n("suspicious") + n("harmless") + n("undetected")
        );
        assert!(
            scans.len() < FILE_ENGINES.len(),
            "some engines gave no verdict"
        );
    }
}
