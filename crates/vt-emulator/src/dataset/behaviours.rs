//! Sandbox behaviour reports of the generated files: each executable or script is run in the
//! sandboxes of its platform; what a sandbox sees is what the dataset already links to the
//! file (contacted domains with their resolutions, contacted IPs and URLs, dropped files).

use serde_json::Value;

use super::generation::Generation;
use crate::records::{Kind, ObjKey};
use crate::reports::behaviour::{BehaviourFacts, behaviour_id, behaviour_object, sandboxes_for};
use crate::rng::SeededRng;
use crate::store::Store;

/// The most network items a report lists of each kind.
const MAX_NETWORK: usize = 5;

/// What the dataset says about a file, as its sandboxes will show it.
struct FileStory {
    date: u64,
    malicious: bool,
    name: String,
    label: Option<String>,
    domains: Vec<(String, Vec<String>)>,
    ips: Vec<String>,
    urls: Vec<String>,
    dropped: Vec<String>,
}

impl FileStory {
    /// Reads the file's report and relationships (`None` when the file is unknown).
    fn of(store: &Store, fkey: &ObjKey) -> Option<FileStory> {
        let file = store.get(fkey)?;
        let ids = |rel: &str| -> Vec<String> {
            let related = store.related(fkey, rel).iter().take(MAX_NETWORK);
            related.map(|k| k.1.clone()).collect()
        };
        let domains = ids("contacted_domains")
            .into_iter()
            .map(|d| {
                let ips = store.resolved_ips(&(Kind::Domain, d.clone()));
                (d, ips.into_iter().map(|k| k.1).collect())
            })
            .collect();
        let urls = ids("contacted_urls")
            .into_iter()
            .filter_map(|id| store.get(&(Kind::Url, id)))
            .filter_map(|u| u.attr("url").and_then(Value::as_str).map(str::to_owned))
            .collect();
        Some(FileStory {
            date: file
                .attr("last_analysis_date")
                .and_then(Value::as_u64)
                .unwrap_or(0),
            malicious: file
                .data
                .pointer("/attributes/last_analysis_stats/malicious")
                .and_then(Value::as_u64)
                .is_some_and(|n| n > 0),
            name: file
                .attr("meaningful_name")
                .and_then(Value::as_str)
                .unwrap_or(&fkey.1)
                .to_owned(),
            label: file
                .data
                .pointer("/attributes/popular_threat_classification/suggested_threat_label")
                .and_then(Value::as_str)
                .map(str::to_owned),
            domains,
            ips: ids("contacted_ips"),
            urls,
            dropped: ids("dropped_files"),
        })
    }
}

/// Adds the behaviour reports and the files' `behaviours` relationships.
pub(super) fn add_behaviours(g: &mut Generation<'_>) {
    let (store, ds, base, seed) = (&mut *g.store, &g.ds, g.base, g.seed);
    for (i, f) in ds.files.iter().skip(1).enumerate() {
        let (platform, sandboxes) = sandboxes_for(&f.type_tag);
        let fkey = (Kind::File, f.sha256.clone());
        let Some(story) = FileStory::of(store, &fkey).filter(|_| !sandboxes.is_empty()) else {
            continue;
        };
        let mut rng = SeededRng::derive(seed, "behaviour", i as u64);
        let n = rng.range(1, sandboxes.len() as u64) as usize;
        for (k, sandbox) in sandboxes.iter().take(n).enumerate() {
            let report = behaviour_object(
                base,
                &mut rng,
                &BehaviourFacts {
                    sha256: &f.sha256,
                    sandbox,
                    platform,
                    name: &story.name,
                    // Sandboxes ran in the hours before the latest analysis.
                    date: story.date.saturating_sub(3600 * (k as u64 + 1)),
                    malicious: story.malicious,
                    label: story.label.as_deref(),
                    domains: &story.domains,
                    ips: &story.ips,
                    urls: &story.urls,
                    dropped: &story.dropped,
                },
            );
            store.insert(Kind::FileBehaviour, report);
            let report_key = (Kind::FileBehaviour, behaviour_id(&f.sha256, sandbox));
            store.relate(&fkey, "behaviours", report_key);
        }
    }
}
