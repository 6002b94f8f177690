//! VT Monitor re-analyses on demand, at the emulator's clock: how tests (and demos) make new
//! detections appear so that `vt monitor watch` can be exercised offline.
//!
//! `POST /_emulator/monitor/rescan[?path=P][&engines=I,J,...]` (or
//! [`EmulatorHandle::rescan_monitor`](crate::EmulatorHandle::rescan_monitor)) re-analyses the
//! Monitor file at `path` (every file without `path`) now: with `engines`, the engines of those
//! indices in [`FILE_ENGINES`] (an empty list: none) flag it; without, one more engine than
//! before flags it (the lowest index not flagging it yet). The item gets a new analysis dated
//! now (first in its `analyses`), its `last_analysis_*` attributes, the change tag of the new
//! analysis against the previous one (`new-detections`, `increasing-detections`, ...), and a
//! `next_analysis_date` a day later.

use serde_json::{Map, Value, json};

use crate::engines::FILE_ENGINES;
use crate::state::Shared;
use crate::verdicts::{detected_engines, results_with};

/// The label detecting engines give in re-analyses.
const LABEL: &str = "Trojan.FalsePositive";

fn detecting_indices(results: &Value) -> Vec<usize> {
    let names = detected_engines(results);
    FILE_ENGINES
        .iter()
        .enumerate()
        .filter(|(_, (name, _))| names.iter().any(|n| n == name))
        .map(|(i, _)| i)
        .collect()
}

/// The change tag between two analyses' results (VirusTotal Monitor's tag names).
fn change_tag(prev: &Value, cur: &Value) -> Option<&'static str> {
    let (mut p, mut c) = (detected_engines(prev), detected_engines(cur));
    p.sort();
    c.sort();
    match (p.len(), c.len()) {
        (0, 0) => None,
        (0, _) => Some("new-detections"),
        (_, 0) => Some("solved-detections"),
        (a, b) if b > a => Some("increasing-detections"),
        (a, b) if b < a => Some("decreasing-detections"),
        _ if p != c => Some("swapped-detections"),
        _ => None,
    }
}

/// Parses `engines=1,2,3` (an empty value: no engine).
pub(crate) fn parse_engines(text: &str) -> Result<Vec<usize>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| match s.parse::<usize>() {
            Ok(i) if i < FILE_ENGINES.len() => Ok(i),
            _ => Err(format!(
                "engines: {s:?} is not an engine index (0 to {})",
                FILE_ENGINES.len() - 1
            )),
        })
        .collect()
}

/// Re-analyses the Monitor file at `path` (every file when `None`) now; returns the updated
/// items, or why nothing was done (an unknown path, a folder).
pub(crate) fn rescan(
    shared: &Shared,
    path: Option<&str>,
    engines: Option<&[usize]>,
) -> Result<Vec<Value>, String> {
    let now = shared.now();
    let mut store = shared.write();
    let paths: Vec<String> = match path {
        Some(p) => match store.monitor.get(p) {
            Some(item) if item.is_folder() => {
                return Err(format!("{p} is a folder: rescan a file"));
            }
            Some(_) => vec![p.to_owned()],
            None => return Err(format!("no Monitor item at {p}")),
        },
        None => store
            .monitor
            .values()
            .filter(|i| !i.is_folder())
            .map(|i| i.path.clone())
            .collect(),
    };
    let mut updated = Vec::new();
    for p in paths {
        let Some(item) = store.monitor.get_mut(&p) else {
            continue;
        };
        let previous = item
            .data
            .pointer("/attributes/last_analysis_results")
            .cloned()
            .unwrap_or(Value::Null);
        let mut detecting = match engines {
            Some(e) => e.to_vec(),
            None => {
                let mut d = detecting_indices(&previous);
                if let Some(next) = (0..FILE_ENGINES.len()).find(|i| !d.contains(i)) {
                    d.push(next);
                }
                d
            }
        };
        detecting.sort_unstable();
        detecting.dedup();
        let results = results_with(&detecting, now, LABEL);
        let names = detected_engines(&results);
        let mut tags: Vec<String> = Vec::new();
        if !names.is_empty() {
            tags.push("detected".into());
        }
        if let Some(t) = change_tag(&previous, &results) {
            tags.push(t.to_owned());
        }
        tags.extend(names.iter().cloned());
        let sha256 = item.sha256().unwrap_or_default().to_owned();
        let detections: Map<String, Value> = results
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(_, r)| r["category"] == "malicious")
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        item.analyses.insert(
            0,
            json!({
                "type": "monitor_analysis",
                "id": format!("{sha256}-{now}"),
                "attributes": {
                    "analysis_results": detections,
                    "date": now,
                    "detections_count": detections.len(),
                    "sha256": sha256,
                    "tags": tags,
                }
            }),
        );
        if let Some(Value::Object(a)) = item.data.get_mut("attributes") {
            a.insert("last_analysis_results".into(), results);
            a.insert("last_analysis_date".into(), json!(now));
            a.insert("last_detections_count".into(), json!(names.len()));
            a.insert("next_analysis_date".into(), json!(now + 86_400));
            a.insert("tags".into(), json!(tags));
            if !names.is_empty() && !a.contains_key("first_detection_date") {
                a.insert("first_detection_date".into(), json!(now));
            }
        }
        updated.push(item.data.clone());
    }
    Ok(updated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_lists_are_indices_of_the_file_engines() {
        assert_eq!(parse_engines("3, 1,,7"), Ok(vec![3, 1, 7]));
        assert_eq!(parse_engines(""), Ok(vec![]));
        assert!(parse_engines("x").is_err());
        assert!(parse_engines(&FILE_ENGINES.len().to_string()).is_err());
    }

    #[test]
    fn change_tags_compare_the_two_analyses() {
        let r = |e: &[usize]| results_with(e, 0, LABEL);
        assert_eq!(change_tag(&r(&[]), &r(&[4])), Some("new-detections"));
        assert_eq!(
            change_tag(&r(&[4]), &r(&[4, 5])),
            Some("increasing-detections")
        );
        assert_eq!(
            change_tag(&r(&[4, 5]), &r(&[5, 6])),
            Some("swapped-detections")
        );
        assert_eq!(change_tag(&r(&[4]), &r(&[4])), None);
        assert_eq!(detecting_indices(&r(&[2, 9])), vec![2, 9]);
    }
}
