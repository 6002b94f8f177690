//! The IP address object.

use serde_json::{Value, json};

use super::vocabulary::{COUNTRIES, fake_hex};
use crate::rng::SeededRng;
use crate::verdicts::url_results;

/// A complete IP address object.
pub(crate) fn ip_object(
    base: &str,
    rng: &mut SeededRng,
    ip: &str,
    malicious: usize,
    date: u64,
) -> Value {
    let (results, stats) = url_results(rng, malicious);
    let (country, continent, rir, owner) = *rng.pick(COUNTRIES);
    let asn = rng.range(1000, 65_000);
    let network = format!("{}.0/24", ip.rsplit_once('.').map_or(ip, |(a, _)| a));
    json!({
        "type": "ip_address",
        "id": ip,
        "links": {"self": format!("{base}/api/v3/ip_addresses/{ip}")},
        "attributes": {
            "regional_internet_registry": rir,
            "jarm": fake_hex(rng, 62),
            "network": network,
            "last_https_certificate_date": date,
            "tags": [],
            "country": country,
            "as_owner": owner,
            "last_analysis_stats": stats,
            "asn": asn,
            "whois_date": date,
            "last_analysis_results": results,
            "reputation": if malicious > 0 { -(rng.range(1, 40) as i64) } else { 0 },
            "last_modification_date": date,
            "total_votes": {"harmless": 0, "malicious": 0},
            "continent": continent,
            "whois": format!("NetRange: {network}\nOrgName: {owner}\nCountry: {country}\n"),
        }
    })
}
