//! Sandbox behaviour reports of the generated files: each executable or script is run in the
//! sandboxes of its platform; what a sandbox sees is what the dataset already links to the
//! file (contacted domains with their resolutions, contacted IPs and URLs, dropped files).

use serde_json::Value;

use super::summary::Dataset;
use crate::reports::behaviour::{BehaviourFacts, behaviour_id, behaviour_object, sandboxes_for};
use crate::rng::SeededRng;
use crate::store::{Kind, Store};

/// The most network items a report lists of each kind.
const MAX_NETWORK: usize = 5;

/// Adds the behaviour reports and the files' `behaviours` relationships.
pub(super) fn add_behaviours(store: &mut Store, ds: &Dataset, base: &str, seed: u64) {
    let generated: Vec<(String, String)> = ds
        .files
        .iter()
        .skip(1)
        .map(|f| (f.sha256.clone(), f.type_tag.clone()))
        .collect();
    for (i, (sha, tag)) in generated.iter().enumerate() {
        let (platform, sandboxes) = sandboxes_for(tag);
        if sandboxes.is_empty() {
            continue;
        }
        let mut rng = SeededRng::derive(seed, "behaviour", i as u64);
        let fkey = (Kind::File, sha.clone());
        let Some(file) = store.get(&fkey) else {
            continue;
        };
        let attr_u64 = |k: &str| file.attr(k).and_then(Value::as_u64).unwrap_or(0);
        let date = attr_u64("last_analysis_date");
        let malicious = file
            .attr("last_analysis_stats")
            .and_then(|s| s.get("malicious"))
            .and_then(Value::as_u64)
            .unwrap_or(0)
            > 0;
        let name = file
            .attr("meaningful_name")
            .and_then(Value::as_str)
            .unwrap_or(sha)
            .to_owned();
        let label = file
            .data
            .pointer("/attributes/popular_threat_classification/suggested_threat_label")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let ids = |store: &Store, rel: &str| -> Vec<String> {
            store
                .related(&fkey, rel)
                .iter()
                .take(MAX_NETWORK)
                .map(|k| k.1.clone())
                .collect()
        };
        let domains: Vec<(String, Vec<String>)> = ids(store, "contacted_domains")
            .into_iter()
            .map(|d| {
                let ips = store.resolved_ips(&(Kind::Domain, d.clone()));
                (d, ips.into_iter().map(|k| k.1).collect())
            })
            .collect();
        let ips = ids(store, "contacted_ips");
        let urls: Vec<String> = ids(store, "contacted_urls")
            .iter()
            .filter_map(|id| store.get(&(Kind::Url, id.clone())))
            .filter_map(|u| u.attr("url").and_then(Value::as_str).map(str::to_owned))
            .collect();
        let dropped = ids(store, "dropped_files");
        let n = rng.range(1, sandboxes.len() as u64) as usize;
        for (k, sandbox) in sandboxes.iter().take(n).enumerate() {
            let report = behaviour_object(
                base,
                &mut rng,
                &BehaviourFacts {
                    sha256: sha,
                    sandbox,
                    platform,
                    name: &name,
                    date: date.saturating_sub(3600 * (k as u64 + 1)),
                    malicious,
                    label: label.as_deref(),
                    domains: domains.clone(),
                    ips: ips.clone(),
                    urls: urls.clone(),
                    dropped: dropped.clone(),
                },
            );
            store.insert(Kind::FileBehaviour, report);
            store.relate(
                &fkey,
                "behaviours",
                (Kind::FileBehaviour, behaviour_id(sha, sandbox)),
            );
        }
    }
}
