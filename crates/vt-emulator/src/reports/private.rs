//! Private scan objects: `private_file` and `private_url` (the public shapes without any
//! antivirus verdict, votes or community data: a private scan has only tool and sandbox
//! output) and `private_analysis` (a progress per sandbox instead of engine results).

use serde_json::{Map, Value, json};

use super::behaviour::sandboxes_for;
use super::file::{FileFacts, file_object};
use super::url::url_object;
use crate::private_scans::{PrivateAnalysis, PrivateTarget};
use crate::rng::SeededRng;

/// Members of a public report that a private one never has.
const PUBLIC_ONLY: &[&str] = &[
    "last_analysis_results",
    "last_analysis_stats",
    "last_analysis_date",
    "total_votes",
    "reputation",
    "popular_threat_classification",
    "threat_verdict",
    "times_submitted",
    "unique_sources",
    "first_submission_date",
    "last_submission_date",
    "categories",
    "threat_names",
];

fn privatise(mut obj: Value, kind: &str, base: &str, collection: &str, id: &str) -> Value {
    if let Some(Value::Object(attrs)) = obj.get_mut("attributes") {
        for k in PUBLIC_ONLY {
            attrs.remove(*k);
        }
    }
    obj["type"] = json!(kind);
    obj["links"] = json!({"self": format!("{base}/api/v3/private/{collection}/{id}")});
    obj
}

/// The sandboxes a private scan of a file of type `type_tag` runs in (Zenbox at least).
pub(crate) fn private_sandboxes(type_tag: &str) -> Vec<String> {
    let (_, list) = sandboxes_for(type_tag);
    if list.is_empty() {
        vec!["Zenbox".to_owned()]
    } else {
        list.iter().take(2).map(|s| (*s).to_owned()).collect()
    }
}

/// A `private_file` object; `sandboxes` give its `sandbox_verdicts`.
pub(crate) fn private_file_object(
    base: &str,
    rng: &mut SeededRng,
    facts: &FileFacts<'_>,
    sandboxes: &[String],
    retention_days: u64,
    now: u64,
) -> Value {
    let mut obj = privatise(
        file_object(base, rng, facts),
        "private_file",
        base,
        "files",
        facts.sha256,
    );
    let malicious = rng.chance(0.3);
    let mut verdicts = Map::new();
    for s in sandboxes {
        verdicts.insert(
            s.clone(),
            json!({
                "category": if malicious { "malicious" } else { "harmless" },
                "confidence": rng.range(40, 100),
                "sandbox_name": s,
                "malware_classification": [if malicious { "MALWARE" } else { "CLEAN" }],
            }),
        );
    }
    if let Some(Value::Object(a)) = obj.get_mut("attributes") {
        a.insert("sandbox_verdicts".into(), Value::Object(verdicts));
        a.insert("last_analysis_date".into(), json!(now));
        a.insert(
            "expiration_date".into(),
            json!(now + retention_days * 86_400),
        );
    }
    obj
}

/// A `private_url` object.
pub(crate) fn private_url_object(
    base: &str,
    rng: &mut SeededRng,
    id: &str,
    url: &str,
    retention_days: u64,
    now: u64,
) -> Value {
    let mut obj = privatise(
        url_object(base, rng, id, url, 0, now, now),
        "private_url",
        base,
        "urls",
        id,
    );
    if let Some(Value::Object(a)) = obj.get_mut("attributes") {
        a.insert(
            "expiration_date".into(),
            json!(now + retention_days * 86_400),
        );
    }
    obj
}

/// The `GET /private/analyses/{id}` answer for `a` in state `status`.
pub(crate) fn private_analysis_body(
    base: &str,
    id: &str,
    a: &PrivateAnalysis,
    status: &str,
) -> Value {
    let (sandbox_state, percent) = match status {
        "completed" => ("finished", 100),
        "queued" => ("queued", 0),
        _ => ("running", 50),
    };
    let sandbox_status: Map<String, Value> = a
        .sandboxes
        .iter()
        .map(|s| {
            (
                s.clone(),
                json!({"status": sandbox_state, "in_progress_percent": percent}),
            )
        })
        .collect();
    let mut attrs = json!({
        "date": a.created_ms / 1000,
        "status": status,
        "sandbox_status": sandbox_status,
    });
    if status != "completed" {
        attrs["pending_stages"] = json!(["sandbox"]);
    }
    let (meta, item) = match &a.target {
        PrivateTarget::File {
            sha256,
            sha1,
            md5,
            size,
        } => (
            json!({"file_info": {"sha256": sha256, "sha1": sha1, "md5": md5, "size": size}}),
            format!("{base}/api/v3/private/files/{sha256}"),
        ),
        PrivateTarget::Url { id: uid, url } => (
            json!({"url_info": {"id": uid, "url": url}}),
            format!("{base}/api/v3/private/urls/{uid}"),
        ),
    };
    json!({
        "data": {
            "type": "private_analysis",
            "id": id,
            "links": {"self": format!("{base}/api/v3/private/analyses/{id}"), "item": item},
            "attributes": attrs,
        },
        "meta": meta,
    })
}
