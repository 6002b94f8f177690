//! Network objects: IP addresses, domains resolving to them (with their resolutions), and
//! URLs on those domains, linked both ways (`network_location`/`urls`,
//! `last_serving_ip_address`/`urls`, `resolutions`).

use serde_json::Value;

use super::detections::{detection_count, malicious_of};
use super::generation::Generation;
use super::summary::UrlInfo;
use super::well_known::{DATASET_EPOCH, WELL_KNOWN_DOMAIN, WELL_KNOWN_IP};
use crate::records::Kind;
use crate::relationships::link;
use crate::reports::domain::domain_object;
use crate::reports::ip_address::ip_object;
use crate::reports::resolution::resolution_object;
use crate::reports::url::url_object;
use crate::reports::vocabulary::{TLDS, WORDS};
use crate::rng::SeededRng;
use crate::url_id::url_id;

/// Adds `cfg.ip_addresses` IP addresses (the first is [`WELL_KNOWN_IP`]).
pub(super) fn add_ip_addresses(g: &mut Generation<'_>) {
    let (store, ds, base, seed, cfg) = (&mut *g.store, &mut g.ds, g.base, g.seed, g.cfg);
    for i in 0..cfg.ip_addresses {
        let mut rng = SeededRng::derive(seed, "ip", i as u64);
        let generated = format!(
            "{}.{}.{}.{}",
            rng.range(11, 223),
            rng.range(0, 255),
            rng.range(0, 255),
            rng.range(1, 254)
        );
        // The first IP is always the well-known one, so docs and demos can name it.
        let ip = if i == 0 {
            WELL_KNOWN_IP.to_owned()
        } else {
            generated
        };
        if ds.ip_addresses.contains(&ip) {
            continue;
        }
        let mal = detection_count(&mut rng, 12).min(12);
        let date = DATASET_EPOCH - rng.range(0, 90) * 86_400;
        store.insert(Kind::IpAddress, ip_object(base, &mut rng, &ip, mal, date));
        ds.ip_addresses.push(ip);
    }
}

/// Adds `cfg.domains` domains (the first is [`WELL_KNOWN_DOMAIN`]), each resolving to 1-3 of
/// the IP addresses.
pub(super) fn add_domains(g: &mut Generation<'_>) {
    let (store, ds, base, seed, cfg) = (&mut *g.store, &mut g.ds, g.base, g.seed, g.cfg);
    for i in 0..cfg.domains {
        let mut rng = SeededRng::derive(seed, "domain", i as u64);
        let generated = format!(
            "{}-{}{}.{}",
            rng.pick(WORDS),
            rng.pick(WORDS),
            i,
            rng.pick(TLDS)
        );
        // The first domain is always the well-known one, so docs and demos can name it.
        let name = if i == 0 {
            WELL_KNOWN_DOMAIN.to_owned()
        } else {
            generated
        };
        let mal = detection_count(&mut rng, 12).min(12);
        let date = DATASET_EPOCH - rng.range(0, 90) * 86_400;
        let mut ips = Vec::new();
        if !ds.ip_addresses.is_empty() {
            for _ in 0..rng.range(1, 3) {
                let ip = rng.pick(&ds.ip_addresses).clone();
                if !ips.contains(&ip) {
                    ips.push(ip);
                }
            }
        }
        let dom = domain_object(base, &mut rng, &name, mal, &ips, date);
        let host_stats = dom["attributes"]["last_analysis_stats"].clone();
        store.insert(Kind::Domain, dom);
        let dkey = (Kind::Domain, name.clone());
        for ip in &ips {
            let ikey = (Kind::IpAddress, ip.clone());
            let ip_stats = store
                .get(&ikey)
                .and_then(|o| o.attr("last_analysis_stats"))
                .cloned()
                .unwrap_or(Value::Null);
            let res = resolution_object(base, ip, &name, date, &ip_stats, &host_stats);
            let rkey = (Kind::Resolution, format!("{ip}{name}"));
            store.insert(Kind::Resolution, res);
            store.relate(&dkey, "resolutions", rkey.clone());
            store.relate(&ikey, "resolutions", rkey);
        }
        ds.domains.push(name);
    }
}

/// Adds `cfg.urls` URLs on the domains.
pub(super) fn add_urls(g: &mut Generation<'_>) {
    let (store, ds, base, seed, cfg) = (&mut *g.store, &mut g.ds, g.base, g.seed, g.cfg);
    for i in 0..cfg.urls {
        let mut rng = SeededRng::derive(seed, "url", i as u64);
        let domain = if ds.domains.is_empty() {
            "example.com".to_owned()
        } else {
            rng.pick(&ds.domains).clone()
        };
        let scheme = if rng.chance(0.7) { "https" } else { "http" };
        let url = format!(
            "{scheme}://{domain}/{}/{}.php?id={i}",
            rng.pick(WORDS),
            rng.pick(WORDS)
        );
        let id = url_id(&url);
        let mal = detection_count(&mut rng, 15).min(15);
        let last = DATASET_EPOCH - rng.range(0, 60) * 86_400;
        let first = last - rng.range(0, 300) * 86_400;
        let obj = url_object(base, &mut rng, &id, &url, mal, first, last);
        let malicious = malicious_of(&obj);
        store.insert(Kind::Url, obj);
        let ukey = (Kind::Url, id.clone());
        let dkey = (Kind::Domain, domain.clone());
        if store.objects.contains_key(&dkey) {
            link(store, &ukey, "network_location", dkey.clone());
            if let Some(ip) = store.resolved_ips(&dkey).into_iter().next() {
                link(store, &ukey, "last_serving_ip_address", ip);
            }
        }
        ds.urls.push(UrlInfo { id, url, malicious });
    }
}
