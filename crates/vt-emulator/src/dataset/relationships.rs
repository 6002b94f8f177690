//! Relationships between generated objects, each made through
//! [`crate::relationships::link`] so that it gets its back link.
//!
//! Files contact, embed and were downloaded from domains, IP addresses and URLs; they drop,
//! bundle and resemble other files; URLs redirect to URLs; domains name other domains as
//! their name and mail servers. Every related object exists, except one deliberate dangling
//! `bundled_files` entry on the first generated file (VirusTotal lists such objects with an
//! `error` in full listings).

use super::summary::Dataset;
use crate::relationships::link;
use crate::rng::SeededRng;
use crate::store::{Kind, ObjKey, Store};

/// `n` distinct items of `pool`, in random order.
fn picks(rng: &mut SeededRng, pool: &[String], n: usize) -> Vec<String> {
    let mut idx: Vec<usize> = (0..pool.len()).collect();
    rng.shuffle(&mut idx);
    idx.into_iter().take(n).map(|j| pool[j].clone()).collect()
}

/// Links `from.rel` to between `lo` and `hi` random items of `pool` (objects of `kind`).
fn link_some(
    store: &mut Store,
    rng: &mut SeededRng,
    from: &ObjKey,
    rel: &str,
    kind: Kind,
    pool: &[String],
    (lo, hi): (u64, u64),
) {
    let n = rng.range(lo, hi) as usize;
    for id in picks(rng, pool, n) {
        link(store, from, rel, (kind, id));
    }
}

/// Adds every generated relationship.
pub(super) fn add_relationships(store: &mut Store, ds: &Dataset, seed: u64) {
    let generated: Vec<String> = ds.files.iter().skip(1).map(|f| f.sha256.clone()).collect();
    add_network_links(store, ds, seed, &generated);
    add_file_family(store, ds, seed, &generated);
    add_url_links(store, ds, seed);
    add_domain_records(store, ds, seed);
    // A relationship pointing at an object the store does not have, as VirusTotal sometimes
    // returns (`{"type","id","error":{...}}` in full listings). No back link: there is no
    // object to hold it.
    if let Some(first) = generated.first() {
        store.relate(
            &(Kind::File, first.clone()),
            "bundled_files",
            (Kind::File, "0".repeat(64)),
        );
    }
}

/// What files contact, embed, remember and were downloaded from (the first generated file
/// always has 25 contacted domains, so pagination has several pages with the default limit).
fn add_network_links(store: &mut Store, ds: &Dataset, seed: u64, generated: &[String]) {
    let url_ids: Vec<String> = ds.urls.iter().map(|u| u.id.clone()).collect();
    for (i, sha) in generated.iter().enumerate() {
        let mut rng = SeededRng::derive(seed, "file-rel", i as u64);
        let fkey = (Kind::File, sha.clone());
        let n_domains = if i == 0 { (25, 25) } else { (0, 30) };
        let (domains, ips) = (&ds.domains, &ds.ip_addresses);
        link_some(
            store,
            &mut rng,
            &fkey,
            "contacted_domains",
            Kind::Domain,
            domains,
            n_domains,
        );
        link_some(
            store,
            &mut rng,
            &fkey,
            "contacted_ips",
            Kind::IpAddress,
            ips,
            (0, 10),
        );
        link_some(
            store,
            &mut rng,
            &fkey,
            "contacted_urls",
            Kind::Url,
            &url_ids,
            (0, 8),
        );
        let n_itw = rng.range(0, 3) as usize;
        for u in picks(&mut rng, &url_ids, n_itw) {
            let ukey = (Kind::Url, u);
            // The domain and IP address a file was downloaded from are those of its URL.
            for (rel, itw) in [
                ("network_location", "itw_domains"),
                ("last_serving_ip_address", "itw_ips"),
            ] {
                let hosts: Vec<ObjKey> = store.related(&ukey, rel).to_vec();
                for host in hosts {
                    link(store, &fkey, itw, host);
                }
            }
            link(store, &fkey, "itw_urls", ukey);
        }
        let n_dropped = rng.range(0, 4) as usize;
        for other in picks(&mut rng, generated, n_dropped) {
            if &other != sha {
                link(store, &fkey, "dropped_files", (Kind::File, other));
            }
        }

        let mut rng = SeededRng::derive(seed, "file-embedded", i as u64);
        link_some(
            store,
            &mut rng,
            &fkey,
            "embedded_domains",
            Kind::Domain,
            domains,
            (0, 4),
        );
        link_some(
            store,
            &mut rng,
            &fkey,
            "embedded_ips",
            Kind::IpAddress,
            ips,
            (0, 3),
        );
        link_some(
            store,
            &mut rng,
            &fkey,
            "embedded_urls",
            Kind::Url,
            &url_ids,
            (0, 3),
        );
        // Memory dumps show part of what the file contacted.
        for (contacted, pattern) in [
            ("contacted_domains", "memory_pattern_domains"),
            ("contacted_ips", "memory_pattern_ips"),
            ("contacted_urls", "memory_pattern_urls"),
        ] {
            let seen: Vec<ObjKey> = store.related(&fkey, contacted).to_vec();
            for key in seen.into_iter().filter(|_| rng.chance(0.3)) {
                link(store, &fkey, pattern, key);
            }
        }
    }
}

/// File-to-file relationships, by file type: archives bundle files, PE files carry resources
/// and overlays, scripts are embedded in pages, files of one type resemble each other.
fn add_file_family(store: &mut Store, ds: &Dataset, seed: u64, generated: &[String]) {
    let type_of = |sha: &str| {
        ds.files
            .iter()
            .find(|f| f.sha256 == sha)
            .map_or("", |f| f.type_tag.as_str())
    };
    let url_ids: Vec<String> = ds.urls.iter().map(|u| u.id.clone()).collect();
    for (i, sha) in generated.iter().enumerate() {
        let mut rng = SeededRng::derive(seed, "file-family", i as u64);
        let fkey = (Kind::File, sha.clone());
        let tag = type_of(sha);
        let others: Vec<String> = generated.iter().filter(|o| *o != sha).cloned().collect();
        let children = |rng: &mut SeededRng, store: &mut Store, rel: &str, max: u64| {
            link_some(store, rng, &fkey, rel, Kind::File, &others, (1, max));
        };
        match tag {
            "zip" | "android" => {
                children(&mut rng, store, "bundled_files", 4);
                if rng.chance(0.3) {
                    children(&mut rng, store, "ciphered_bundled_files", 2);
                }
            }
            "peexe" | "pedll" => {
                if rng.chance(0.4) {
                    children(&mut rng, store, "pe_resource_children", 2);
                }
                if rng.chance(0.2) {
                    children(&mut rng, store, "overlay_children", 1);
                }
                if rng.chance(0.2) {
                    children(&mut rng, store, "carbonblack_children", 2);
                }
            }
            "doc" if rng.chance(0.3) => children(&mut rng, store, "email_attachments", 1),
            "javascript" => {
                let rel = "urls_for_embedded_js";
                link_some(store, &mut rng, &fkey, rel, Kind::Url, &url_ids, (1, 2));
            }
            _ => {}
        }
        // Similar files share the type; the relationship is symmetric.
        let same: Vec<String> = others
            .iter()
            .filter(|o| type_of(o) == tag)
            .cloned()
            .collect();
        link_some(
            store,
            &mut rng,
            &fkey,
            "similar_files",
            Kind::File,
            &same,
            (0, 2),
        );
    }
}

/// URLs that redirect to other URLs, and what loading a URL contacts (its host and the
/// addresses the host resolves to).
fn add_url_links(store: &mut Store, ds: &Dataset, seed: u64) {
    let url_ids: Vec<String> = ds.urls.iter().map(|u| u.id.clone()).collect();
    for (i, id) in url_ids.iter().enumerate() {
        let mut rng = SeededRng::derive(seed, "url-rel", i as u64);
        let ukey = (Kind::Url, id.clone());
        if rng.chance(0.15)
            && let Some(target) = picks(&mut rng, &url_ids, 2).into_iter().find(|t| t != id)
        {
            link(store, &ukey, "redirects_to", (Kind::Url, target));
        }
        let hosts: Vec<ObjKey> = store.related(&ukey, "network_location").to_vec();
        for host in hosts {
            let ips = store.resolved_ips(&host);
            link(store, &ukey, "contacted_domains", host);
            for ip in ips {
                link(store, &ukey, "contacted_ips", ip);
            }
        }
    }
}

/// Name servers and mail servers: other generated domains.
fn add_domain_records(store: &mut Store, ds: &Dataset, seed: u64) {
    for (i, name) in ds.domains.iter().enumerate() {
        let mut rng = SeededRng::derive(seed, "domain-rel", i as u64);
        let dkey = (Kind::Domain, name.clone());
        let others: Vec<String> = ds.domains.iter().filter(|d| *d != name).cloned().collect();
        let n = rng.range(1, 2) as usize;
        for ns in picks(&mut rng, &others, n) {
            link(store, &dkey, "ns_records", (Kind::Domain, ns));
        }
        if rng.chance(0.5) {
            for mx in picks(&mut rng, &others, 1) {
                link(store, &dkey, "mx_records", (Kind::Domain, mx));
            }
        }
    }
}
