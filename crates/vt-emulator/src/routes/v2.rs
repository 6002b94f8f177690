//! Legacy `GET|POST /vtapi/v2/file/report`.
//!
//! - `apikey` in the query (GET) or the form (POST); missing or unknown → 403, empty body.
//! - `resource`: one item → one object; a comma-separated list → an array in input order.
//!   More than 4 items (public key) or 25 (premium) → 400, empty body (never silently
//!   truncated). Missing `resource` → 400.
//! - `allinfo=1|true` needs a premium key (403 otherwise).
//! - A batch of N costs N lookups; if they do not all fit in the quota → 204, empty body,
//!   nothing charged.

use http::StatusCode;
use serde_json::{Value, json};

use super::request::Req;
use crate::config::Tier;
use crate::dates::datetime;
use crate::http::multipart::{BodyReader, read_form};
use crate::http::reply::Reply;
use crate::records::Kind;
use crate::state::Shared;
use crate::verdicts::v2_scans;

/// Largest batch for public keys.
pub const V2_BATCH_PUBLIC: usize = 4;
/// Largest batch for premium keys.
pub const V2_BATCH_PREMIUM: usize = 25;

fn is_hash(s: &str) -> bool {
    matches!(s.len(), 32 | 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

pub(crate) async fn file_report(shared: &Shared, r: &mut Req) -> Reply {
    let mut params: Vec<(String, String)> = r.query.clone();
    if r.method == http::Method::POST
        && let Some(body) = r.body.take()
    {
        let ct = r.content_type().to_owned();
        match read_form(BodyReader::new(body, 1 << 20, shared.stats.clone()), &ct).await {
            Ok(f) => params.extend(f),
            Err(_) => return Reply::Empty(StatusCode::BAD_REQUEST),
        }
    }
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let Some(spec) = get("apikey").and_then(|k| shared.keys.get(&k).cloned()) else {
        return Reply::Empty(StatusCode::FORBIDDEN);
    };
    r.caller = Some((&spec).into());
    let Some(resource) = get("resource").filter(|s| !s.trim().is_empty()) else {
        return Reply::Empty(StatusCode::BAD_REQUEST);
    };
    let allinfo = matches!(get("allinfo").as_deref(), Some("1" | "true" | "True"));
    if allinfo && spec.tier != Tier::Premium {
        return Reply::Empty(StatusCode::FORBIDDEN);
    }
    let batch = resource.contains(',');
    let items: Vec<String> = resource
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    let max = if spec.tier == Tier::Premium {
        V2_BATCH_PREMIUM
    } else {
        V2_BATCH_PUBLIC
    };
    if items.is_empty() || items.len() > max {
        return Reply::Empty(StatusCode::BAD_REQUEST);
    }
    if shared
        .quotas
        .charge(
            &spec.key,
            spec.tier,
            items.len() as u64,
            shared.clock.now_ms(),
        )
        .is_err()
    {
        return Reply::Empty(StatusCode::NO_CONTENT);
    }
    let reports: Vec<Value> = items
        .iter()
        .map(|res| report(shared, &r.base, res, allinfo))
        .collect();
    if batch {
        Reply::json(&Value::Array(reports))
    } else {
        Reply::json(&reports.into_iter().next().unwrap_or(Value::Null))
    }
}

fn report(shared: &Shared, base: &str, resource: &str, allinfo: bool) -> Value {
    let hash = match resource.split_once('-') {
        Some((h, ts)) if ts.bytes().all(|b| b.is_ascii_digit()) && !ts.is_empty() => h,
        _ => resource,
    };
    if !is_hash(hash) {
        return json!({"response_code": 0, "resource": resource, "verbose_msg": "Invalid resource, check what you are submitting"});
    }
    let store = shared.read();
    let Some(sha) = store.resolve_file(hash) else {
        return json!({"response_code": 0, "resource": resource, "verbose_msg": "The requested resource is not among the finished, queued or pending scans"});
    };
    let key = (Kind::File, sha.clone());
    let Some(obj) = store.get(&key) else {
        return json!({"response_code": 0, "resource": resource, "verbose_msg": "The requested resource is not among the finished, queued or pending scans"});
    };
    let date = obj
        .attr("last_analysis_date")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let scan_id = format!("{sha}-{date}");
    if super::analyses::pending(shared, &store, &key) {
        return json!({"response_code": -2, "resource": resource, "scan_id": scan_id, "verbose_msg": "Your resource is queued for analysis"});
    }
    let (scans, positives) = v2_scans(obj.attr("last_analysis_results").unwrap_or(&Value::Null));
    let a = |k: &str| obj.attr(k).cloned().unwrap_or(Value::Null);
    let mut out = json!({
        "total": scans.len(),
        "scans": Value::Object(scans),
        "scan_id": scan_id,
        "sha1": a("sha1"),
        "resource": resource,
        "response_code": 1,
        "scan_date": datetime(date),
        "permalink": format!("{base}/file/{sha}/analysis/{date}/"),
        "verbose_msg": "Scan finished, information embedded",
        "positives": positives,
        "sha256": sha,
        "md5": a("md5"),
    });
    if allinfo {
        let first = obj
            .attr("first_submission_date")
            .and_then(Value::as_u64)
            .unwrap_or(date);
        let last = obj
            .attr("last_submission_date")
            .and_then(Value::as_u64)
            .unwrap_or(date);
        let votes = a("total_votes");
        let extra = json!({
            "first_seen": datetime(first),
            "last_seen": datetime(last),
            "submission_names": a("names"),
            "unique_sources": a("unique_sources"),
            "times_submitted": a("times_submitted"),
            "type": a("type_description"),
            "size": a("size"),
            "tags": a("tags"),
            "ssdeep": a("ssdeep"),
            "tlsh": a("tlsh"),
            "harmless_votes": votes.get("harmless").cloned().unwrap_or(json!(0)),
            "malicious_votes": votes.get("malicious").cloned().unwrap_or(json!(0)),
            "community_reputation": a("reputation"),
            "additional_info": {"magic": a("magic"), "trid": a("trid"), "positives_delta": 0},
        });
        if let (Some(o), Some(e)) = (out.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                o.insert(k.clone(), v.clone());
            }
        }
    }
    out
}
