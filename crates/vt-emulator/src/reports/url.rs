//! The URL object.

use serde_json::{Value, json};

use super::vocabulary::{WORDS, fake_hex};
use crate::rng::SeededRng;
use crate::verdicts::url_results;

/// A complete URL object.
pub(crate) fn url_object(
    base: &str,
    rng: &mut SeededRng,
    id: &str,
    url: &str,
    malicious: usize,
    first: u64,
    last: u64,
) -> Value {
    let (results, stats) = url_results(rng, malicious);
    let title = format!("{} {}", rng.pick(WORDS), rng.pick(WORDS));
    json!({
        "type": "url",
        "id": id,
        "links": {"self": format!("{base}/api/v3/urls/{id}")},
        "attributes": {
            "last_final_url": url,
            "url": url,
            "title": title,
            "categories": {"Forcepoint ThreatSeeker": if malicious > 0 { "malicious web sites" } else { "information technology" }},
            "first_submission_date": first,
            "last_submission_date": last,
            "last_analysis_date": last,
            "last_modification_date": last,
            "last_analysis_results": results,
            "last_analysis_stats": stats,
            "last_http_response_code": 200,
            "last_http_response_content_length": rng.range(200, 90_000),
            "last_http_response_content_sha256": fake_hex(rng, 64),
            "last_http_response_headers": {"content-type": "text/html; charset=UTF-8", "server": "nginx"},
            "last_http_response_cookies": {},
            "redirection_chain": [url],
            "outgoing_links": [],
            "html_meta": {"viewport": ["width=device-width, initial-scale=1"]},
            "trackers": {},
            "targeted_brand": {},
            "threat_names": [],
            "reputation": if malicious > 0 { -(rng.range(0, 20) as i64) } else { 0 },
            "tags": [],
            "times_submitted": rng.range(1, 30),
            "total_votes": {"harmless": 0, "malicious": 0},
            "has_content": false,
        }
    })
}
