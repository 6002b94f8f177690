//! The file object: a complete file report from a file's facts.

use serde_json::{Map, Value, json};

use super::file_types::FileType;
use super::vocabulary::{FAMILIES, fake_hex};
use crate::rng::SeededRng;
use crate::verdicts::file_results;

/// Attributes of a file report (shared by generated files and uploads).
pub(crate) struct FileFacts<'a> {
    pub(crate) md5: &'a str,
    pub(crate) sha1: &'a str,
    pub(crate) sha256: &'a str,
    pub(crate) size: u64,
    pub(crate) names: Vec<String>,
    pub(crate) file_type: &'a FileType,
    pub(crate) first_seen: u64,
    pub(crate) last_seen: u64,
    pub(crate) malicious: usize,
}

/// A complete file object.
pub(crate) fn file_object(base: &str, rng: &mut SeededRng, f: &FileFacts<'_>) -> Value {
    let family = *rng.pick(FAMILIES);
    let text = f.file_type.tags.contains(&"text");
    let (results, stats) = file_results(rng, f.malicious, family, f.last_seen, text);
    let mut a = Map::new();
    a.insert("type_description".into(), json!(f.file_type.description));
    a.insert(
        "tlsh".into(),
        json!(format!("T1{}", fake_hex(rng, 70).to_uppercase())),
    );
    a.insert("vhash".into(), json!(fake_hex(rng, 32)));
    a.insert(
        "trid".into(),
        json!([{"file_type": f.file_type.trid, "probability": 100.0}]),
    );
    a.insert("names".into(), json!(f.names));
    a.insert("last_modification_date".into(), json!(f.last_seen));
    a.insert("type_tag".into(), json!(f.file_type.tag));
    a.insert("times_submitted".into(), json!(rng.range(1, 40)));
    let harmless_votes = rng.range(0, 3);
    let malicious_votes = if f.malicious > 0 { rng.range(0, 5) } else { 0 };
    a.insert(
        "total_votes".into(),
        json!({"harmless": harmless_votes, "malicious": malicious_votes}),
    );
    a.insert("size".into(), json!(f.size));
    a.insert("type_extension".into(), json!(f.file_type.extension));
    a.insert("last_submission_date".into(), json!(f.last_seen));
    a.insert("last_analysis_results".into(), results);
    a.insert("sha256".into(), json!(f.sha256));
    a.insert("type_tags".into(), json!(f.file_type.tags));
    a.insert("last_analysis_date".into(), json!(f.last_seen));
    a.insert("unique_sources".into(), json!(rng.range(1, 12)));
    a.insert("first_submission_date".into(), json!(f.first_seen));
    a.insert("sha1".into(), json!(f.sha1));
    a.insert(
        "ssdeep".into(),
        json!(format!(
            "{}:{}:{}",
            3 + f.size / 1024,
            fake_hex(rng, 20),
            fake_hex(rng, 12)
        )),
    );
    a.insert("md5".into(), json!(f.md5));
    a.insert("magic".into(), json!(f.file_type.magic));
    a.insert("last_analysis_stats".into(), stats);
    a.insert(
        "meaningful_name".into(),
        json!(f.names.first().cloned().unwrap_or_default()),
    );
    a.insert(
        "reputation".into(),
        json!(if f.malicious > 0 {
            -(rng.range(0, 30) as i64)
        } else {
            0
        }),
    );
    let mut tags: Vec<&str> = f.file_type.tags.iter().take(2).copied().collect();
    if f.malicious > 10 {
        tags.push("detect-debug-environment");
    }
    a.insert("tags".into(), json!(tags));
    if f.file_type.tag.starts_with("pe") {
        a.insert(
            "creation_date".into(),
            json!(f.first_seen.saturating_sub(rng.range(3600, 90 * 86_400))),
        );
    }
    if f.malicious > 0 {
        a.insert(
            "popular_threat_classification".into(),
            json!({
                "suggested_threat_label": format!("trojan.{}", family.to_lowercase()),
                "popular_threat_category": [{"count": f.malicious.max(1), "value": "trojan"}],
                "popular_threat_name": [{"count": (f.malicious / 2).max(1), "value": family.to_lowercase()}],
            }),
        );
        a.insert(
            "threat_verdict".into(),
            json!(if f.malicious >= 5 {
                "VERDICT_MALICIOUS"
            } else {
                "VERDICT_SUSPICIOUS"
            }),
        );
    } else {
        a.insert("threat_verdict".into(), json!("VERDICT_UNDETECTED"));
    }
    json!({
        "type": "file",
        "id": f.sha256,
        "links": {"self": format!("{base}/api/v3/files/{}", f.sha256)},
        "attributes": a,
    })
}
