//! The resolution object (a domain resolving to an IP address; id = IP then domain).

use serde_json::{Value, json};

/// A resolution object.
pub(crate) fn resolution_object(
    base: &str,
    ip: &str,
    domain: &str,
    date: u64,
    ip_stats: &Value,
    host_stats: &Value,
) -> Value {
    let id = format!("{ip}{domain}");
    json!({
        "type": "resolution",
        "id": id,
        "links": {"self": format!("{base}/api/v3/resolutions/{id}")},
        "attributes": {
            "date": date,
            "host_name": domain,
            "ip_address": ip,
            "resolver": "VirusTotal",
            "host_name_last_analysis_stats": host_stats,
            "ip_address_last_analysis_stats": ip_stats,
        }
    })
}
