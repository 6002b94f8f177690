//! The generated VT Monitor tree: folders and files covering every detection tag.

use base64::Engine as _;
use bytes::Bytes;
use serde_json::{Map, Value, json};

use super::MonitorItemInfo;
use super::generate::{DATASET_EPOCH, hashes};
use crate::config::MONITOR_OWNER;
use crate::engines::FILE_ENGINES;
use crate::rng::SeededRng;
use crate::store::{Content, MonitorItem, Store};

/// The MonitorItemID of `path`: standard base64 of `vtmonitor-v1://{owner}{path}`.
pub(crate) fn monitor_id(path: &str) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(format!("vtmonitor-v1://{MONITOR_OWNER}{path}"))
}

/// `links.self` of a monitor item (the id percent-encoded: it may contain `/`, `+`, `=`).
pub(crate) fn monitor_link(base: &str, id: &str) -> String {
    let enc = percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC);
    format!("{base}/api/v3/monitor/items/{enc}")
}

/// A folder item.
pub(crate) fn folder_item(base: &str, path: &str, created: u64, creator: &str) -> MonitorItem {
    let id = monitor_id(path);
    MonitorItem {
        data: json!({
            "type": "monitor_item",
            "id": id,
            "links": {"self": monitor_link(base, &id)},
            "attributes": {"path": path, "item_type": "folder", "tags": [], "creation_date": created, "creator_id": creator},
        }),
        id,
        path: path.to_owned(),
        analyses: Vec::new(),
    }
}

/// Engine results where exactly the engines in `detecting` flag the file.
pub(crate) fn results_with(detecting: &[usize], date: u64, label: &str) -> Value {
    let update = super::generate::datetime(date).replace('-', "");
    let update = &update[..8];
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

fn detected_engines(results: &Value) -> Vec<String> {
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

/// Facts of a monitor file.
pub(crate) struct MonitorFile<'a> {
    pub(crate) path: &'a str,
    pub(crate) bytes: (&'a str, &'a str, &'a str, u64),
    pub(crate) results: Value,
    pub(crate) previous: Option<Value>,
    pub(crate) change_tag: Option<&'a str>,
    pub(crate) now: u64,
    pub(crate) creator: &'a str,
}

/// A file item with its analyses (newest first) and tags derived from them.
pub(crate) fn file_item(base: &str, f: MonitorFile<'_>) -> MonitorItem {
    let (md5, sha1, sha256, size) = f.bytes;
    let id = monitor_id(f.path);
    let engines = detected_engines(&f.results);
    let mut tags: Vec<String> = Vec::new();
    if !engines.is_empty() {
        tags.push("detected".into());
    }
    if let Some(t) = f.change_tag {
        tags.push(t.to_owned());
    }
    tags.extend(engines.iter().cloned());
    let analysis = |results: &Value, date: u64, tags: &[String]| {
        let detections: Map<String, Value> = results
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(_, r)| r["category"] == "malicious")
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        json!({
            "type": "monitor_analysis",
            "id": format!("{sha256}-{date}"),
            "attributes": {
                "analysis_results": detections.clone(),
                "date": date,
                "detections_count": detections.len(),
                "sha256": sha256,
                "tags": tags,
            }
        })
    };
    let mut analyses = vec![analysis(&f.results, f.now, &tags)];
    let mut first_detection = if engines.is_empty() {
        None
    } else {
        Some(f.now)
    };
    if let Some(prev) = &f.previous {
        let prev_engines = detected_engines(prev);
        let prev_tags: Vec<String> = if prev_engines.is_empty() {
            vec![]
        } else {
            vec!["detected".into()]
        };
        analyses.push(analysis(prev, f.now - 86_400, &prev_tags));
        if !prev_engines.is_empty() {
            first_detection = Some(f.now - 86_400);
        }
    }
    let mut attrs = json!({
        "path": f.path,
        "item_type": "file",
        "sha256": sha256,
        "sha1": sha1,
        "md5": md5,
        "size": size,
        "tags": tags,
        "last_analysis_results": f.results,
        "last_analysis_date": f.now,
        "last_detections_count": engines.len(),
        "next_analysis_date": f.now + 86_400,
        "creation_date": f.now - 2 * 86_400,
        "creator_id": f.creator,
    });
    if let Some(d) = first_detection {
        attrs["first_detection_date"] = json!(d);
    }
    MonitorItem {
        data: json!({"type": "monitor_item", "id": id, "links": {"self": monitor_link(base, &id)}, "attributes": attrs}),
        id,
        path: f.path.to_owned(),
        analyses,
    }
}

/// Adds `item` and every missing parent folder.
pub(crate) fn insert_item(
    store: &mut Store,
    base: &str,
    item: MonitorItem,
    now: u64,
    creator: &str,
) {
    let mut parent = String::from("/");
    let trimmed = item.path.trim_end_matches('/');
    let mut parts: Vec<&str> = trimmed.split('/').filter(|s| !s.is_empty()).collect();
    parts.pop();
    for part in parts {
        parent.push_str(part);
        parent.push('/');
        if !store.monitor.contains_key(&parent) {
            let folder = folder_item(base, &parent, now, creator);
            store.monitor_ids.insert(folder.id.clone(), parent.clone());
            store.monitor.insert(parent.clone(), folder);
        }
    }
    store.monitor_ids.insert(item.id.clone(), item.path.clone());
    store.monitor.insert(item.path.clone(), item);
}

type PlanEntry = (
    &'static str,
    &'static [usize],
    &'static [usize],
    Option<&'static str>,
);

/// Fills the Monitor tree: one file for each detection tag, a clean file and folders.
pub(crate) fn generate_monitor(store: &mut Store, base: &str, seed: u64) -> Vec<MonitorItemInfo> {
    // (path, previous detecting engines, current detecting engines, change tag)
    let plan: &[PlanEntry] = &[
        (
            "/releases/v1.0/app.exe",
            &[],
            &[3, 17],
            Some("new-detections"),
        ),
        (
            "/releases/v1.0/app.dll",
            &[1, 5, 9, 22, 40],
            &[5, 40],
            Some("decreasing-detections"),
        ),
        (
            "/releases/v1.1/app.exe",
            &[12],
            &[12, 30, 44],
            Some("increasing-detections"),
        ),
        (
            "/releases/v1.1/installer.msi",
            &[8, 19],
            &[],
            Some("solved-detections"),
        ),
        (
            "/tools/helper.exe",
            &[2, 6],
            &[33, 50],
            Some("swapped-detections"),
        ),
        ("/tools/updater.exe", &[14, 27, 61], &[14, 27, 61], None),
        ("/docs/readme.txt", &[], &[], None),
        ("/root.bin", &[], &[], None),
    ];
    let creator = "emulator-premium";
    for (i, (path, prev, cur, tag)) in plan.iter().enumerate() {
        let mut rng = SeededRng::derive(seed, "monitor", i as u64);
        let mut content = vec![0u8; rng.range(512, 2048) as usize];
        rng.fill(&mut content);
        content[..2].copy_from_slice(b"MZ");
        let (md5, sha1, sha256) = hashes(&content);
        let size = content.len() as u64;
        store
            .contents
            .insert(sha256.clone(), Content::Memory(Bytes::from(content)));
        let now = DATASET_EPOCH;
        let item = file_item(
            base,
            MonitorFile {
                path,
                bytes: (&md5, &sha1, &sha256, size),
                results: results_with(cur, now, "Trojan.FalsePositive"),
                previous: Some(results_with(prev, now - 86_400, "Trojan.FalsePositive")),
                change_tag: *tag,
                now,
                creator,
            },
        );
        insert_item(store, base, item, now - 3 * 86_400, creator);
    }
    store
        .monitor
        .values()
        .map(|m| MonitorItemInfo {
            id: m.id.clone(),
            path: m.path.clone(),
            is_folder: m.is_folder(),
            tags: m.tags(),
            sha256: m.sha256().map(str::to_owned),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monitor_id_matches_the_documented_example() {
        // vt-api.md §6 uses owner "acme"; check the encoding with our owner instead.
        let id = monitor_id("/folder/file.exe");
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(&id)
            .unwrap();
        assert_eq!(decoded, b"vtmonitor-v1://emulator/folder/file.exe");
    }

    #[test]
    fn every_detection_tag_is_present() {
        let mut store = Store::default();
        let items = generate_monitor(&mut store, "http://x", 1);
        let all: Vec<String> = items.iter().flat_map(|i| i.tags.clone()).collect();
        for tag in [
            "detected",
            "new-detections",
            "decreasing-detections",
            "increasing-detections",
            "solved-detections",
            "swapped-detections",
        ] {
            assert!(all.iter().any(|t| t == tag), "missing {tag}");
        }
        assert!(
            items
                .iter()
                .any(|i| i.is_folder && i.path == "/releases/v1.0/")
        );
    }
}
