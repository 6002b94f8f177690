//! The domain object.

use serde_json::{Value, json};

use super::vocabulary::fake_hex;
use crate::dates::datetime;
use crate::rng::SeededRng;
use crate::verdicts::url_results;

/// A complete domain object resolving to `ips`.
pub(crate) fn domain_object(
    base: &str,
    rng: &mut SeededRng,
    name: &str,
    malicious: usize,
    ips: &[String],
    date: u64,
) -> Value {
    let (results, stats) = url_results(rng, malicious);
    let tld = name.rsplit('.').next().unwrap_or("com");
    let created = date - rng.range(30, 7000) * 86_400;
    let records: Vec<Value> = ips
        .iter()
        .map(|ip| json!({"type": "A", "value": ip, "ttl": 300}))
        .collect();
    json!({
        "type": "domain",
        "id": name,
        "links": {"self": format!("{base}/api/v3/domains/{name}")},
        "attributes": {
            "last_dns_records": records,
            "jarm": fake_hex(rng, 62),
            "whois": format!("Domain Name: {}\nRegistrar: Emulated Registrar, Inc.\nCreation Date: {}\n", name.to_uppercase(), datetime(created)),
            "last_https_certificate_date": date,
            "tags": [],
            "popularity_ranks": {},
            "last_analysis_date": date,
            "last_dns_records_date": date,
            "last_analysis_stats": stats,
            "creation_date": created,
            "whois_date": date,
            "reputation": if malicious > 0 { -(rng.range(1, 40) as i64) } else { 0 },
            "registrar": "Emulated Registrar, Inc.",
            "last_analysis_results": results,
            "last_update_date": date - 86_400,
            "last_modification_date": date,
            "tld": tld,
            "categories": {"Forcepoint ThreatSeeker": if malicious > 0 { "malicious web sites" } else { "business and economy" }},
            "total_votes": {"harmless": 0, "malicious": 0},
        }
    })
}
