//! The deterministic dataset: every object derived from the seed, step by step.

use super::behaviours::add_behaviours;
use super::eicar::add_eicar;
use super::files::add_files;
use super::generation::Generation;
use super::network::{add_domains, add_ip_addresses, add_urls};
use super::relationships::add_relationships;
use super::social::add_comments_and_votes;
use super::summary::Dataset;
use crate::config::DatasetConfig;
use crate::store::Store;

/// What [`generate`] produced besides the store contents.
pub(crate) struct Generated {
    pub(crate) dataset: Dataset,
}

/// Fills `store` with the dataset of `seed`: EICAR, IP addresses, domains (with their
/// resolutions), URLs, files, relationships, behaviour reports (which show what the
/// relationships say), comments and votes.
pub(crate) fn generate(store: &mut Store, base: &str, seed: u64, cfg: &DatasetConfig) -> Generated {
    let mut g = Generation {
        store,
        ds: Dataset::default(),
        base,
        seed,
        cfg,
    };
    for step in [
        add_eicar,
        add_ip_addresses,
        add_domains,
        add_urls,
        add_files,
        add_relationships,
        add_behaviours,
        add_comments_and_votes,
    ] {
        step(&mut g);
    }
    g.ds.record_relationships(g.store);
    Generated { dataset: g.ds }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::well_known::EICAR_SHA256;
    use crate::digest::hashes;
    use crate::engines::FILE_ENGINES;
    use crate::records::{Content, Kind};

    #[test]
    fn generation_is_deterministic_and_consistent() {
        let cfg = DatasetConfig {
            files: 20,
            urls: 10,
            domains: 30,
            ip_addresses: 10,
            load_dir: None,
        };
        let mut a = Store::default();
        let mut b = Store::default();
        let ga = generate(&mut a, "http://x", 7, &cfg);
        let gb = generate(&mut b, "http://x", 7, &cfg);
        assert_eq!(ga.dataset.files, gb.dataset.files);
        assert_eq!(ga.dataset.files[0].sha256, EICAR_SHA256);
        for f in &ga.dataset.files {
            let Some(Content::Memory(bytes)) = a.contents.get(&f.sha256) else {
                panic!("no content")
            };
            let (md5, sha1, sha256) = hashes(bytes);
            assert_eq!(
                (md5, sha1, sha256),
                (f.md5.clone(), f.sha1.clone(), f.sha256.clone())
            );
            let obj = a.get(&(Kind::File, f.sha256.clone())).unwrap();
            assert_eq!(
                obj.attr("last_analysis_results")
                    .unwrap()
                    .as_object()
                    .unwrap()
                    .len(),
                FILE_ENGINES.len()
            );
        }
        assert_eq!(
            ga.dataset.files[1].relationship_len("contacted_domains"),
            25
        );
        let gc = generate(&mut Store::default(), "http://x", 8, &cfg);
        assert_ne!(ga.dataset.files[1].sha256, gc.dataset.files[1].sha256);
        let dates: Vec<u64> = a
            .comment_order
            .iter()
            .map(|id| a.comments[id].date)
            .collect();
        assert!(
            dates.windows(2).all(|w| w[0] <= w[1]),
            "comments are kept oldest first"
        );
    }

    #[cfg(feature = "yara")]
    #[test]
    fn the_eicar_rule_matches_eicar_and_nothing_else_in_the_dataset() {
        use crate::yara_engine::CompiledRules;
        let Ok(rules) = CompiledRules::compile(
            r#"rule eicar { strings: $a = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" condition: $a }"#,
        ) else {
            panic!("the EICAR rule does not compile")
        };
        assert_eq!(rules.rule_names(), ["eicar"]);
        let mut store = Store::default();
        let generated = generate(&mut store, "http://x", 42, &DatasetConfig::default());
        let mut matched = Vec::new();
        for f in &generated.dataset.files {
            let Some(Content::Memory(bytes)) = store.contents.get(&f.sha256) else {
                panic!("{} has no contents", f.sha256)
            };
            if !rules.scan(bytes).is_empty() {
                matched.push(f.sha256.clone());
            }
        }
        assert!(generated.dataset.files.len() > 10);
        assert_eq!(matched, [EICAR_SHA256]);
    }
}
