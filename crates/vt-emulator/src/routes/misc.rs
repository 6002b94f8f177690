//! Basic search, metadata and users/quotas (Intelligence search: `intelligence.rs`).

use serde_json::{Map, Value, json};

use super::paging::{self, MAX_LIMIT};
use super::request::Req;
use crate::config::{MONITOR_OWNER, Tier};
use crate::dates::datetime;
use crate::engines::{FILE_ENGINES, URL_ENGINES};
use crate::http::reply::Reply;
use crate::records::{Kind, ObjKey};
use crate::relationships::relationships_of;
use crate::state::Shared;
use crate::store::Store;
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
