//! `GET /intelligence/search` (premium) over the emulator's dataset, with the query language
//! subset of [`crate::search_query`], VirusTotal's orders per entity, `limit` ≤ 300,
//! `descriptors_only`, and `meta` as VirusTotal sends it (`cursor`, `days_back`).

use serde_json::{Map, Value, json};

use super::paging;
use super::request::Req;
use crate::http::reply::Reply;
use crate::records::Kind;
use crate::search_query::SearchQuery;
use crate::state::Shared;

/// The endpoint's largest page.
const SEARCH_MAX_LIMIT: usize = 300;

/// The orders VirusTotal allows per entity, and the default.
fn orders(kind: Kind) -> (&'static [&'static str], &'static str) {
    match kind {
        Kind::Url => (
            &[
                "first_submission_date",
                "last_submission_date",
                "positives",
                "times_submitted",
                "status",
            ],
            "last_submission_date-",
        ),
        Kind::Domain => (
            &[
                "creation_date",
                "last_modification_date",
                "last_update_date",
                "positives",
            ],
            "last_modification_date-",
        ),
        Kind::IpAddress => (
            &["ip", "last_modification_date", "positives"],
            "last_modification_date-",
        ),
        _ => (
            &[
                "first_submission_date",
                "last_submission_date",
                "positives",
                "times_submitted",
                "size",
            ],
            "last_submission_date-",
        ),
    }
}

/// The sort key of `v` for `field`.
fn sort_key(v: &Value, field: &str) -> (u64, String) {
    let pointer = match field {
        "positives" => "/attributes/last_analysis_stats/malicious".to_owned(),
        "ip" => return (0, v["id"].as_str().unwrap_or("").to_owned()),
        "status" => "/attributes/last_http_response_code".to_owned(),
        other => format!("/attributes/{other}"),
    };
    (
        v.pointer(&pointer).and_then(Value::as_u64).unwrap_or(0),
        String::new(),
    )
}

/// `GET /intelligence/search`.
pub(crate) fn search(shared: &Shared, r: &Req) -> Reply {
    let query = match SearchQuery::parse(r.q("query").unwrap_or(""), shared.now()) {
        Ok(q) => q,
        Err(message) if r.q("query").is_none_or(|q| q.trim().is_empty()) => {
            return Reply::bad_request(message);
        }
        Err(message) => return Reply::invalid_argument(message),
    };
    let (allowed, default) = orders(query.kind);
    let order = r.q("order").filter(|o| !o.is_empty()).unwrap_or(default);
    let (field, descending) = match order.as_bytes().last() {
        Some(b'-') => (&order[..order.len() - 1], true),
        Some(b'+') => (&order[..order.len() - 1], false),
        _ => (order, false),
    };
    if !allowed.contains(&field) {
        return Reply::invalid_argument(format!(
            "Invalid order {order:?}; allowed: {}",
            allowed.join(", ")
        ));
    }
    let needs_comments = query.terms.iter().any(|t| t.needs_comments());
    let store = shared.read();
    let mut hits: Vec<&Value> = store
        .objects
        .iter()
        .filter(|((k, _), _)| *k == query.kind)
        .filter(|(key, o)| {
            let comments: Vec<&str> = if needs_comments {
                store
                    .object_comments
                    .get(*key)
                    .map(|ids| {
                        ids.iter()
                            .filter_map(|id| store.comments.get(id))
                            .map(|c| c.text.as_str())
                            .collect()
                    })
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            query.terms.iter().all(|t| t.matches(&o.data, &comments))
        })
        .map(|(_, o)| &o.data)
        .collect();
    // Stable: by id first, so equal keys keep one order whatever the hash map's.
    hits.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    hits.sort_by_cached_key(|v| sort_key(v, field));
    if descending {
        hits.reverse();
    }
    let total = hits.len();
    let page = match paging::page(r, total, SEARCH_MAX_LIMIT) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let descriptors = matches!(r.q("descriptors_only"), Some("true" | "1"));
    let data = hits[page.start..page.end]
        .iter()
        .map(|v| {
            if descriptors {
                json!({"type": v["type"], "id": v["id"]})
            } else {
                (*v).clone()
            }
        })
        .collect();
    let mut meta = Map::new();
    meta.insert("total_hits".into(), json!(total));
    meta.insert("allowed_orders".into(), json!(allowed));
    meta.insert("days_back".into(), json!(90));
    paging::collection(r, data, &page, total, Some(meta))
}
