//! The generated VT Monitor tree: folders and files covering every detection tag.

use bytes::Bytes;

use super::summary::MonitorItemInfo;
use super::well_known::DATASET_EPOCH;
use crate::digest::hashes;
use crate::records::Content;
use crate::reports::monitor_item::{MonitorFile, file_item, insert_item};
use crate::rng::SeededRng;
use crate::store::Store;
use crate::verdicts::results_with;

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
