//! Relationships between generated objects, each made through
//! [`crate::relationships::link`] so that it gets its back link.
//!
//! Files contact, embed and were downloaded from domains, IP addresses and URLs; they drop,
//! bundle and resemble other files; URLs redirect to URLs; domains name other domains as
//! their name and mail servers. Every related object exists, except one deliberate dangling
//! `bundled_files` entry on the first generated file (VirusTotal lists such objects with an
//! `error` in full listings).

use std::collections::HashMap;

use super::generation::Generation;
use super::summary::Dataset;
use crate::records::{Kind, ObjKey};
use crate::relationships::link;
use crate::rng::SeededRng;
use crate::store::Store;

/// `n` distinct items of `pool` (all of them when `n` is larger), in random order; O(n) for
/// a few items of a large pool, so datasets of many files generate in linear time.
fn picks(rng: &mut SeededRng, pool: &[String], n: usize) -> Vec<String> {
    if n.saturating_mul(4) >= pool.len() {
        let mut idx: Vec<usize> = (0..pool.len()).collect();
        rng.shuffle(&mut idx);
        return idx.into_iter().take(n).map(|j| pool[j].clone()).collect();
    }
    let mut chosen: Vec<usize> = Vec::with_capacity(n);
    while chosen.len() < n {
        let j = rng.index(pool.len());
        if !chosen.contains(&j) {
            chosen.push(j);
        }
    }
    chosen.into_iter().map(|j| pool[j].clone()).collect()
}

/// Links one object to others, each link with its back link, drawing from its own random
/// sequence.
struct Linker<'s> {
    store: &'s mut Store,
    rng: SeededRng,
    from: ObjKey,
}

impl<'s> Linker<'s> {
    /// A linker from `from`, drawing from the sequence `(seed, salt, n)`.
    fn new(store: &'s mut Store, (seed, salt, n): (u64, &str, usize), from: ObjKey) -> Self {
        let rng = SeededRng::derive(seed, salt, n as u64);
        Linker { store, rng, from }
    }

    /// Links `from.rel` to `to`.
    fn one(&mut self, rel: &str, to: ObjKey) {
        link(self.store, &self.from, rel, to);
    }

    /// Links `from.rel` to between `lo` and `hi` random items of `pool` (objects of `kind`),
    /// never to `from` itself.
    fn some(&mut self, rel: &str, kind: Kind, pool: &[String], (lo, hi): (u64, u64)) {
        let n = self.rng.range(lo, hi) as usize;
        for id in picks(&mut self.rng, pool, n) {
            let to = (kind, id);
            if to != self.from {
                self.one(rel, to);
            }
        }
    }

    /// Links `from.to_rel` to each object of `from.from_rel` with probability `p`.
    fn some_of(&mut self, from_rel: &str, to_rel: &str, p: f64) {
        let known: Vec<ObjKey> = self.store.related(&self.from, from_rel).to_vec();
        for key in known {
            if self.rng.chance(p) {
                self.one(to_rel, key);
            }
        }
    }
}

/// Adds every generated relationship.
pub(super) fn add_relationships(g: &mut Generation<'_>) {
    let (store, ds, seed) = (&mut *g.store, &g.ds, g.seed);
    let files = &ds.files[1.min(ds.files.len())..];
    let generated: Vec<String> = files.iter().map(|f| f.sha256.clone()).collect();
    let mut by_type: HashMap<&str, Vec<String>> = HashMap::new();
    for f in files {
        by_type
            .entry(&f.type_tag)
            .or_default()
            .push(f.sha256.clone());
    }
    let url_ids: Vec<String> = ds.urls.iter().map(|u| u.id.clone()).collect();
    for (i, f) in files.iter().enumerate() {
        let fkey = (Kind::File, f.sha256.clone());
        let mut l = Linker::new(store, (seed, "file-rel", i), fkey.clone());
        add_contacts(&mut l, ds, &url_ids, i == 0);
        let mut l = Linker::new(store, (seed, "file-dropped", i), fkey.clone());
        l.some("dropped_files", Kind::File, &generated, (0, 3));
        add_embedded(
            &mut Linker::new(store, (seed, "file-embedded", i), fkey.clone()),
            ds,
            &url_ids,
        );
        let same = by_type
            .get(f.type_tag.as_str())
            .map_or(&[][..], Vec::as_slice);
        let family = Family {
            tag: &f.type_tag,
            files: &generated,
            same_type: same,
            url_ids: &url_ids,
        };
        add_file_family(
            &mut Linker::new(store, (seed, "file-family", i), fkey),
            &family,
        );
    }
    for (i, id) in url_ids.iter().enumerate() {
        add_url_links(
            &mut Linker::new(store, (seed, "url-rel", i), (Kind::Url, id.clone())),
            &url_ids,
        );
    }
    for (i, name) in ds.domains.iter().enumerate() {
        let mut l = Linker::new(store, (seed, "domain-rel", i), (Kind::Domain, name.clone()));
        // Name servers and mail servers: other generated domains.
        l.some("ns_records", Kind::Domain, &ds.domains, (1, 2));
        if l.rng.chance(0.5) {
            l.some("mx_records", Kind::Domain, &ds.domains, (1, 1));
        }
    }
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

/// What a file contacts and was downloaded from (the first generated file always has 25
/// contacted domains, so pagination has several pages with the default limit).
fn add_contacts(l: &mut Linker<'_>, ds: &Dataset, url_ids: &[String], first: bool) {
    let n_domains = if first { (25, 25) } else { (0, 30) };
    l.some("contacted_domains", Kind::Domain, &ds.domains, n_domains);
    l.some("contacted_ips", Kind::IpAddress, &ds.ip_addresses, (0, 10));
    l.some("contacted_urls", Kind::Url, url_ids, (0, 8));
    let n_itw = l.rng.range(0, 3) as usize;
    for u in picks(&mut l.rng, url_ids, n_itw) {
        let ukey = (Kind::Url, u);
        // The domain and IP address a file was downloaded from are those of its URL.
        for (rel, itw) in [
            ("network_location", "itw_domains"),
            ("last_serving_ip_address", "itw_ips"),
        ] {
            let hosts: Vec<ObjKey> = l.store.related(&ukey, rel).to_vec();
            for host in hosts {
                l.one(itw, host);
            }
        }
        l.one("itw_urls", ukey);
    }
}

/// What a file embeds, and what its memory dumps show (part of what it contacted).
fn add_embedded(l: &mut Linker<'_>, ds: &Dataset, url_ids: &[String]) {
    l.some("embedded_domains", Kind::Domain, &ds.domains, (0, 4));
    l.some("embedded_ips", Kind::IpAddress, &ds.ip_addresses, (0, 3));
    l.some("embedded_urls", Kind::Url, url_ids, (0, 3));
    l.some_of("contacted_domains", "memory_pattern_domains", 0.3);
    l.some_of("contacted_ips", "memory_pattern_ips", 0.3);
    l.some_of("contacted_urls", "memory_pattern_urls", 0.3);
}

/// What a file's family relationships are drawn from.
struct Family<'a> {
    /// The file's type tag.
    tag: &'a str,
    /// Every generated file.
    files: &'a [String],
    /// The generated files of the same type.
    same_type: &'a [String],
    url_ids: &'a [String],
}

/// File-to-file relationships, by file type: archives bundle files, PE files carry resources
/// and overlays, documents are mailed, scripts are embedded in pages, files of one type
/// resemble each other.
fn add_file_family(l: &mut Linker<'_>, family: &Family<'_>) {
    // (relationship, probability, most children) by type.
    let children: &[(&str, f64, u64)] = match family.tag {
        "zip" | "android" => &[
            ("bundled_files", 1.0, 4),
            ("ciphered_bundled_files", 0.3, 2),
        ],
        "peexe" | "pedll" => &[
            ("pe_resource_children", 0.4, 2),
            ("overlay_children", 0.2, 1),
            ("carbonblack_children", 0.2, 2),
        ],
        "doc" => &[("email_attachments", 0.3, 1)],
        _ => &[],
    };
    for (rel, p, most) in children {
        if l.rng.chance(*p) {
            l.some(rel, Kind::File, family.files, (1, *most));
        }
    }
    if family.tag == "javascript" {
        l.some("urls_for_embedded_js", Kind::Url, family.url_ids, (1, 2));
    }
    // Similar files share the type; the relationship is symmetric.
    l.some("similar_files", Kind::File, family.same_type, (0, 2));
}

/// URLs that redirect to other URLs, and what loading a URL contacts (its host and the
/// addresses the host resolves to).
fn add_url_links(l: &mut Linker<'_>, url_ids: &[String]) {
    let id = l.from.1.clone();
    if l.rng.chance(0.15)
        && let Some(target) = picks(&mut l.rng, url_ids, 2).into_iter().find(|t| *t != id)
    {
        l.one("redirects_to", (Kind::Url, target));
    }
    let hosts: Vec<ObjKey> = l.store.related(&l.from, "network_location").to_vec();
    for host in hosts {
        for ip in l.store.resolved_ips(&host) {
            l.one("contacted_ips", ip);
        }
        l.one("contacted_domains", host);
    }
}
