//! Search, intelligence search, metadata and users/quotas.

use serde_json::{Map, Value, json};

use super::paging::{self, MAX_LIMIT};
use super::request::Req;
use crate::config::{MONITOR_OWNER, Tier};
use crate::dates::datetime;
use crate::engines::{FILE_ENGINES, URL_ENGINES};
use crate::http::reply::Reply;
use crate::relationships::relationships_of;
use crate::state::Shared;
use crate::store::{Kind, ObjKey, Store};
use crate::url_id::url_id;

fn is_hash(s: &str) -> bool {
    matches!(s.len(), 32 | 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `GET /search?query=`: a hash, URL, domain, IP or comment tag.
pub(crate) fn search(shared: &Shared, r: &Req) -> Reply {
    let Some(q) = r.q("query").map(str::trim).filter(|q| !q.is_empty()) else {
        return Reply::bad_request("The \"query\" parameter is required");
    };
    let store = shared.read();
    let mut data: Vec<Value> = Vec::new();
    let push = |store: &Store, key: ObjKey, data: &mut Vec<Value>| {
        if let Some(o) = store.get(&key) {
            data.push(o.data.clone());
        }
    };
    if is_hash(q) {
        if let Some(sha) = store.resolve_file(q) {
            push(&store, (Kind::File, sha), &mut data);
        }
    } else if q.contains("://") || q.contains('/') {
        push(&store, (Kind::Url, url_id(q)), &mut data);
    } else if q.parse::<std::net::IpAddr>().is_ok() {
        push(&store, (Kind::IpAddress, q.to_owned()), &mut data);
    } else if q.contains('.') {
        push(&store, (Kind::Domain, q.to_ascii_lowercase()), &mut data);
    } else {
        let tag = q.trim_start_matches('#').to_lowercase();
        data = store
            .comment_order
            .iter()
            .rev()
            .filter_map(|id| store.comments.get(id))
            .filter(|c| c.tags.contains(&tag))
            .map(|c| c.to_json(&r.base))
            .collect();
    }
    let total = data.len();
    let page = match paging::page(r, total, MAX_LIMIT) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    paging::collection(r, data[page.start..page.end].to_vec(), &page, total, None)
}

fn attr_u64(v: &Value, name: &str) -> Option<u64> {
    v.pointer(&format!("/attributes/{name}"))
        .and_then(Value::as_u64)
}

fn matches_term(v: &Value, term: &str) -> bool {
    let (k, val) = match term.split_once(':') {
        Some((k, val)) => (k.to_ascii_lowercase(), val),
        None => {
            let t = term.to_ascii_lowercase();
            let text = |n: &str| {
                v.pointer(&format!("/attributes/{n}"))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_ascii_lowercase()
            };
            let id = v.get("id").and_then(Value::as_str).unwrap_or("");
            return id == t
                || ["md5", "sha1", "sha256"].iter().any(|h| text(h) == t)
                || text("meaningful_name").contains(&t)
                || text("url").contains(&t)
                || id.contains(&t);
        }
    };
    match k.as_str() {
        "p" | "positives" => {
            let m = v
                .pointer("/attributes/last_analysis_stats/malicious")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            let (num, cmp) = match val.as_bytes().last() {
                Some(b'+') => (&val[..val.len() - 1], 1),
                Some(b'-') => (&val[..val.len() - 1], -1),
                _ => (val, 0),
            };
            let Ok(n) = num.parse::<u64>() else {
                return false;
            };
            match cmp {
                1 => m >= n,
                -1 => m <= n,
                _ => m == n,
            }
        }
        "type" => {
            v.pointer("/attributes/type_tag")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case(val))
                || v.pointer("/attributes/type_tags")
                    .and_then(Value::as_array)
                    .is_some_and(|a| {
                        a.iter()
                            .any(|t| t.as_str().is_some_and(|t| t.eq_ignore_ascii_case(val)))
                    })
        }
        "tag" => v
            .pointer("/attributes/tags")
            .and_then(Value::as_array)
            .is_some_and(|a| {
                a.iter()
                    .any(|t| t.as_str().is_some_and(|t| t.eq_ignore_ascii_case(val)))
            }),
        "name" => v
            .pointer("/attributes/names")
            .and_then(Value::as_array)
            .is_some_and(|a| {
                a.iter().any(|t| {
                    t.as_str()
                        .is_some_and(|t| t.to_ascii_lowercase().contains(&val.to_ascii_lowercase()))
                })
            }),
        "size" => attr_u64(v, "size").is_some_and(|s| val.parse::<u64>().is_ok_and(|n| n == s)),
        "entity" => true,
        _ => false,
    }
}

/// `GET /intelligence/search` (premium): a small subset of the VTI grammar, documented in
/// `docs/emulator.md` (`entity:`, `p:`/`positives:` with `+`/`-`, `type:`, `tag:`, `name:`,
/// `size:`, bare hashes and words), `order=<attr>+|-`, `limit` ≤ 300, `descriptors_only`.
pub(crate) fn intelligence_search(shared: &Shared, r: &Req) -> Reply {
    let Some(q) = r.q("query").map(str::trim).filter(|q| !q.is_empty()) else {
        return Reply::bad_request("The \"query\" parameter is required");
    };
    let terms: Vec<&str> = q.split_whitespace().collect();
    let entity = terms
        .iter()
        .find_map(|t| t.strip_prefix("entity:"))
        .unwrap_or("file");
    let kind = match entity {
        "file" => Kind::File,
        "url" => Kind::Url,
        "domain" => Kind::Domain,
        "ip" | "ip_address" => Kind::IpAddress,
        other => return Reply::invalid_argument(format!("Unsupported entity: {other}")),
    };
    let store = shared.read();
    let mut hits: Vec<&Value> = store
        .objects
        .iter()
        .filter(|((k, _), _)| *k == kind)
        .map(|(_, o)| &o.data)
        .filter(|v| terms.iter().all(|t| matches_term(v, t)))
        .collect();
    hits.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    if let Some(order) = r.q("order").filter(|o| !o.is_empty()) {
        let (field, desc) = match order.as_bytes().last() {
            Some(b'-') => (&order[..order.len() - 1], true),
            Some(b'+') => (&order[..order.len() - 1], false),
            _ => (order, true),
        };
        let field = if field == "positives" {
            "last_analysis_stats/malicious"
        } else {
            field
        };
        hits.sort_by_key(|v| {
            v.pointer(&format!("/attributes/{field}"))
                .and_then(Value::as_u64)
                .unwrap_or(0)
        });
        if desc {
            hits.reverse();
        }
    }
    let total = hits.len();
    let page = match paging::page(r, total, 300) {
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
    meta.insert(
        "allowed_orders".into(),
        json!([
            "first_submission_date",
            "last_submission_date",
            "positives",
            "times_submitted",
            "size"
        ]),
    );
    meta.insert("days_back".into(), json!(90));
    paging::collection(r, data, &page, total, Some(meta))
}

/// `GET /metadata`.
pub(crate) fn metadata() -> Reply {
    let mut engines = Map::new();
    for (name, version) in FILE_ENGINES {
        engines.insert(
            (*name).to_owned(),
            json!({"category": "file", "version": version}),
        );
    }
    for name in URL_ENGINES {
        engines
            .entry((*name).to_owned())
            .or_insert_with(|| json!({"category": "url"}));
    }
    let mut rels = Map::new();
    for kind in [Kind::File, Kind::Url, Kind::Domain, Kind::IpAddress] {
        let list: Vec<Value> = relationships_of(kind)
            .iter()
            .map(|r| json!({"name": r.name, "description": r.description}))
            .collect();
        rels.insert(kind.type_name().to_owned(), Value::Array(list));
    }
    Reply::data(json!({
        "engines": engines,
        "privileges": ["downloads-tier-2", "intelligence", "monitor", "private"],
        "relationships": rels,
    }))
}

const UNLIMITED: u64 = 1_000_000_000;

fn quota_pair(used: u64, allowed: Option<u64>) -> Value {
    json!({"allowed": allowed.unwrap_or(UNLIMITED), "used": used})
}

/// The user a `{id}` names, if it is the caller (by key or user id).
fn own_user(shared: &Shared, r: &Req, id: &str) -> Result<(), Reply> {
    let Some(c) = &r.caller else {
        return Err(Reply::forbidden());
    };
    if id == c.key || id == c.user_id {
        return Ok(());
    }
    let known = shared.keys.values().any(|k| k.user_id == id || k.key == id);
    Err(if known {
        Reply::forbidden()
    } else {
        Reply::not_found("User", id)
    })
}

/// `GET /users/{id}`: `{id}` is the caller's key or user id.
pub(crate) fn user(shared: &Shared, r: &Req, id: &str) -> Reply {
    if let Err(reply) = own_user(shared, r, id) {
        return reply;
    }
    let Some(c) = &r.caller else {
        return Reply::forbidden();
    };
    let u = shared.quotas.usage(&c.key, c.tier, shared.clock.now_ms());
    let premium = c.tier == Tier::Premium;
    let granted = |g: bool| {
        if g {
            json!({"granted": true, "inherited_from": MONITOR_OWNER, "inherited_via": "group"})
        } else {
            json!({"granted": false})
        }
    };
    let now = shared.now();
    Reply::data(json!({
        "type": "user",
        "id": c.user_id,
        "links": {"self": format!("{}/api/v3/users/{}", r.base, c.user_id)},
        "attributes": {
            "apikey": c.key,
            "email": format!("{}@emulator.invalid", c.user_id),
            "first_name": "Emulated",
            "last_name": if premium { "Premium" } else { "Public" },
            "has_2fa": false,
            "last_login": now,
            "user_since": 1_600_000_000,
            "profile_phrase": "",
            "reputation": 0,
            "status": "active",
            "privileges": {
                "downloads-tier-1": granted(premium),
                "downloads-tier-2": granted(premium),
                "intelligence": granted(premium),
                "monitor": granted(premium),
                "monitor-partner": {"granted": false},
                "private": granted(premium),
            },
            "quotas": {
                "api_requests_hourly": quota_pair(u.windows[2].0, u.windows[2].1),
                "api_requests_daily": quota_pair(u.windows[3].0, u.windows[3].1),
                "api_requests_monthly": quota_pair(u.windows[4].0, u.windows[4].1),
            },
        }
    }))
}

/// `GET /users/{id}/overall_quotas`.
pub(crate) fn overall_quotas(shared: &Shared, r: &Req, id: &str) -> Reply {
    if let Err(reply) = own_user(shared, r, id) {
        return reply;
    }
    let Some(c) = &r.caller else {
        return Reply::forbidden();
    };
    let u = shared.quotas.usage(&c.key, c.tier, shared.clock.now_ms());
    let entry = |i: usize| {
        let mut e = json!({"user": quota_pair(u.windows[i].0, u.windows[i].1)});
        if c.tier == Tier::Premium {
            e["group"] = json!({"allowed": UNLIMITED, "used": u.windows[i].0, "inherited_from": MONITOR_OWNER});
        }
        e
    };
    Reply::data(json!({
        "api_requests_hourly": entry(2),
        "api_requests_daily": entry(3),
        "api_requests_monthly": entry(4),
    }))
}

/// `GET /users/{id}/api_usage`: today's total only (the emulator does not keep history).
pub(crate) fn api_usage(shared: &Shared, r: &Req, id: &str) -> Reply {
    if let Err(reply) = own_user(shared, r, id) {
        return reply;
    }
    let Some(c) = &r.caller else {
        return Reply::forbidden();
    };
    let u = shared.quotas.usage(&c.key, c.tier, shared.clock.now_ms());
    let day = datetime(shared.now())[..10].to_owned();
    Reply::data(
        json!({"daily": {day: {"api_requests": u.windows[3].0}}, "total": {"api_requests": u.windows[3].0}}),
    )
}
