//! Livehunt (`/intelligence/hunting_*`, premium): rulesets stored per key, compiled with
//! yara-x (a ruleset that does not compile is a `BadRequestError` naming line and column),
//! notifications raised by uploads (see [`crate::livehunt`]) and the matched files with
//! their notification context.

use http::Method;
use serde_json::{Map, Value, json};

use super::comments::json_body;
use super::paging::{self, MAX_LIMIT};
use super::request::Req;
use crate::http::reply::Reply;
use crate::livehunt::{DEFAULT_LIMIT, HuntingNotification, HuntingRuleset};
use crate::records::Kind;
use crate::state::Shared;
use crate::yara_engine::CompiledRules;

/// The largest `rules` accepted, in bytes (VirusTotal documents none; vt-yara's limit).
const MAX_RULES_BYTES: usize = 1024 * 1024;

/// A Livehunt path (below `/api/v3/intelligence/hunting_`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HuntingRoute {
    /// `rulesets`: list, create, delete all.
    Rulesets,
    /// `rulesets/{id}`: get, update, delete.
    Ruleset(String),
    /// `notifications`: list, bulk delete.
    Notifications,
    /// `notifications/{id}`: get, delete.
    Notification(String),
    /// `notification_files`: list.
    NotificationFiles,
}

impl HuntingRoute {
    /// Classifies the rest of the path after `/api/v3/intelligence/hunting_` (still
    /// percent-encoded segments, decoded here).
    pub(crate) fn classify(rest: &str) -> Option<HuntingRoute> {
        let segs: Vec<String> = rest
            .split('/')
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .collect();
        let s: Vec<&str> = segs.iter().map(String::as_str).collect();
        Some(match s.as_slice() {
            ["rulesets"] => HuntingRoute::Rulesets,
            ["rulesets", id] if !id.is_empty() => HuntingRoute::Ruleset(id.to_string()),
            ["notifications"] => HuntingRoute::Notifications,
            ["notifications", id] if !id.is_empty() => HuntingRoute::Notification(id.to_string()),
            ["notification_files"] => HuntingRoute::NotificationFiles,
            _ => return None,
        })
    }

    /// The route's name in stats.
    pub(crate) fn template(&self) -> &'static str {
        match self {
            HuntingRoute::Rulesets => "/api/v3/intelligence/hunting_rulesets",
            HuntingRoute::Ruleset(_) => "/api/v3/intelligence/hunting_rulesets/{id}",
            HuntingRoute::Notifications => "/api/v3/intelligence/hunting_notifications",
            HuntingRoute::Notification(_) => "/api/v3/intelligence/hunting_notifications/{id}",
            HuntingRoute::NotificationFiles => "/api/v3/intelligence/hunting_notification_files",
        }
    }
}

/// Runs a Livehunt route.
pub(crate) async fn dispatch(shared: &Shared, r: &mut Req, route: HuntingRoute) -> Reply {
    let m = r.method.clone();
    match (route, m) {
        (HuntingRoute::Rulesets, Method::GET) => list_rulesets(shared, r),
        (HuntingRoute::Rulesets, Method::POST) => create_ruleset(shared, r).await,
        (HuntingRoute::Rulesets, Method::DELETE) => delete_all_rulesets(shared, r),
        (HuntingRoute::Ruleset(id), Method::GET) => get_ruleset(shared, r, &id),
        (HuntingRoute::Ruleset(id), Method::PATCH) => update_ruleset(shared, r, &id).await,
        (HuntingRoute::Ruleset(id), Method::DELETE) => delete_ruleset(shared, r, &id),
        (HuntingRoute::Notifications, Method::GET) => list_notifications(shared, r),
        (HuntingRoute::Notifications, Method::DELETE) => delete_notifications(shared, r),
        (HuntingRoute::Notification(id), Method::GET) => get_notification(shared, r, &id),
        (HuntingRoute::Notification(id), Method::DELETE) => delete_notification(shared, r, &id),
        (HuntingRoute::NotificationFiles, Method::GET) => notification_files(shared, r),
        (_, m) => Reply::error_with_status(
            http::StatusCode::METHOD_NOT_ALLOWED,
            "BadRequestError",
            format!("Method {m} is not allowed on {}", r.path),
        ),
    }
}

/// The caller's ruleset `id`, or NotFoundError (another key's rulesets are invisible).
fn own_ruleset(shared: &Shared, r: &Req, id: &str) -> Result<HuntingRuleset, Reply> {
    shared
        .read()
        .livehunt
        .rulesets
        .get(id)
        .filter(|rs| rs.owner == r.user())
        .cloned()
        .ok_or_else(|| Reply::not_found("Hunting ruleset", id))
}

/// Whether `rs` passes every term of a ruleset `filter` (`enabled:true`, `name:foo`
/// (`foo*` a prefix), `rules:word`, `tag:x`; a bare word matches the name).
fn ruleset_matches(rs: &HuntingRuleset, filter: &str) -> bool {
    filter.split_whitespace().all(|term| {
        let (key, value) = term.split_once(':').unwrap_or(("name", term));
        let value = value.to_lowercase();
        let name_match = |name: &str| {
            let name = name.to_lowercase();
            match value.strip_suffix('*') {
                Some(prefix) => name.starts_with(prefix),
                None => {
                    name == value
                        || name
                            .split(|c: char| !c.is_alphanumeric())
                            .any(|w| w == value)
                }
            }
        };
        match key {
            "enabled" => (value == "true") == rs.enabled,
            "name" => name_match(&rs.name),
            "rules" => rs
                .rules
                .to_lowercase()
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|w| w == value),
            "tag" => rs.tags.iter().any(|t| t.to_lowercase() == value),
            _ => false,
        }
    })
}

/// `GET /intelligence/hunting_rulesets`: `filter`, `order` (`name`, `creation_date`,
/// `modification_date`, `+`/`-`), `limit`, `cursor`.
fn list_rulesets(shared: &Shared, r: &Req) -> Reply {
    let user = r.user();
    let filter = r.q("filter").unwrap_or("");
    let mut list: Vec<HuntingRuleset> = shared
        .read()
        .livehunt
        .rulesets
        .values()
        .filter(|rs| rs.owner == user && ruleset_matches(rs, filter))
        .cloned()
        .collect();
    if let Some(order) = r.q("order").filter(|o| !o.is_empty()) {
        let (field, desc) = match order.strip_suffix('-') {
            Some(f) => (f, true),
            None => (order.strip_suffix('+').unwrap_or(order), false),
        };
        match field {
            "name" => list.sort_by(|a, b| a.name.cmp(&b.name)),
            "creation_date" => list.sort_by_key(|rs| rs.creation_date),
            "modification_date" => list.sort_by_key(|rs| rs.modification_date),
            _ => {
                return Reply::invalid_argument(format!(
                    "Invalid order {order:?}: name, creation_date or modification_date, with + or -"
                ));
            }
        }
        if desc {
            list.reverse();
        }
    }
    let page = match paging::page(r, list.len(), MAX_LIMIT) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let data = list[page.start..page.end]
        .iter()
        .map(|rs| rs.to_json(&r.base))
        .collect();
    paging::collection(r, data, &page, list.len(), None)
}

/// The `data.attributes` of a ruleset body.
fn attributes_of(body: &Value) -> Result<Map<String, Value>, Reply> {
    let data = body.get("data").ok_or_else(|| {
        Reply::bad_request(
            "Expected {\"data\": {\"type\": \"hunting_ruleset\", \"attributes\": {...}}}",
        )
    })?;
    if let Some(t) = data.get("type").and_then(Value::as_str)
        && t != "hunting_ruleset"
    {
        return Err(Reply::bad_request(format!(
            "Expected an object of type \"hunting_ruleset\", got {t:?}"
        )));
    }
    match data.get("attributes") {
        Some(Value::Object(a)) => Ok(a.clone()),
        _ => Err(Reply::bad_request("Missing \"attributes\" in \"data\"")),
    }
}

/// Applies writable attributes to `rs`, compiling its rules again for its
/// `match_object_type` when either changed; unknown attributes are refused.
fn apply(rs: &mut HuntingRuleset, attrs: &Map<String, Value>) -> Result<(), Reply> {
    let mut recompile = false;
    let string_list = |k: &str, v: &Value| -> Result<Vec<String>, Reply> {
        v.as_array()
            .and_then(|a| a.iter().map(|x| x.as_str().map(str::to_owned)).collect())
            .ok_or_else(|| Reply::bad_request(format!("\"{k}\" must be a list of strings")))
    };
    for (k, v) in attrs {
        match k.as_str() {
            "name" => match v.as_str().map(str::trim) {
                Some(n) if !n.is_empty() => rs.name = n.to_owned(),
                _ => return Err(Reply::bad_request("\"name\" must be a non-empty string")),
            },
            "rules" => {
                let Some(text) = v.as_str() else {
                    return Err(Reply::bad_request("\"rules\" must be a string"));
                };
                if text.len() > MAX_RULES_BYTES {
                    return Err(Reply::bad_request(format!(
                        "\"rules\" is {} bytes, over the limit of {MAX_RULES_BYTES}",
                        text.len()
                    )));
                }
                rs.rules = text.to_owned();
                recompile = true;
            }
            "enabled" => {
                rs.enabled = v
                    .as_bool()
                    .ok_or_else(|| Reply::bad_request("\"enabled\" must be true or false"))?;
            }
            "limit" => {
                rs.limit = v
                    .as_u64()
                    .ok_or_else(|| Reply::bad_request("\"limit\" must be a whole number"))?;
            }
            "notification_emails" => rs.notification_emails = string_list(k, v)?,
            "tags" => rs.tags = string_list(k, v)?,
            "match_object_type" => match v.as_str() {
                Some(t @ ("file" | "url" | "domain" | "ip" | "ip_address")) => {
                    rs.match_object_type = t.to_owned();
                    recompile = true;
                }
                _ => {
                    return Err(Reply::bad_request(
                        "\"match_object_type\" must be file, url, domain or ip_address",
                    ));
                }
            },
            other => {
                return Err(Reply::bad_request(format!(
                    "Attribute {other:?} cannot be set on a hunting ruleset"
                )));
            }
        }
    }
    if recompile {
        rs.compiled = CompiledRules::compile_for(&rs.rules, &rs.match_object_type)?;
    }
    Ok(())
}

/// `POST /intelligence/hunting_rulesets`: `name` and `rules` required.
async fn create_ruleset(shared: &Shared, r: &mut Req) -> Reply {
    let body = match json_body(shared, r).await {
        Ok(b) => b,
        Err(reply) => return reply,
    };
    let attrs = match attributes_of(&body) {
        Ok(a) => a,
        Err(reply) => return reply,
    };
    for required in ["name", "rules"] {
        if !attrs.contains_key(required) {
            return Reply::bad_request(format!("Missing required attribute \"{required}\""));
        }
    }
    let rules = attrs.get("rules").and_then(Value::as_str).unwrap_or("");
    // Compiled for the type asked (`file` by default), then `apply` checks the rest.
    let kind = attrs
        .get("match_object_type")
        .and_then(Value::as_str)
        .unwrap_or("file");
    let compiled = match CompiledRules::compile_for(rules, kind) {
        Ok(c) => c,
        Err(reply) => return reply,
    };
    let now = shared.now();
    let mut rs = HuntingRuleset {
        id: String::new(),
        owner: r.user(),
        name: String::new(),
        rules: String::new(),
        compiled,
        enabled: true,
        limit: DEFAULT_LIMIT,
        notification_emails: Vec::new(),
        match_object_type: "file".to_owned(),
        tags: Vec::new(),
        creation_date: now,
        modification_date: now,
        rate_limited: false,
    };
    if let Err(reply) = apply(&mut rs, &attrs) {
        return reply;
    }
    let mut store = shared.write();
    rs.id = store.livehunt.next_ruleset_id(shared.config.seed);
    let answer = rs.to_json(&r.base);
    store.livehunt.rulesets.insert(rs.id.clone(), rs);
    Reply::data(answer)
}

fn get_ruleset(shared: &Shared, r: &Req, id: &str) -> Reply {
    match own_ruleset(shared, r, id) {
        Ok(rs) => Reply::data(rs.to_json(&r.base)),
        Err(reply) => reply,
    }
}

/// `PATCH /intelligence/hunting_rulesets/{id}`: any subset of the writable attributes.
async fn update_ruleset(shared: &Shared, r: &mut Req, id: &str) -> Reply {
    let mut rs = match own_ruleset(shared, r, id) {
        Ok(rs) => rs,
        Err(reply) => return reply,
    };
    let body = match json_body(shared, r).await {
        Ok(b) => b,
        Err(reply) => return reply,
    };
    let attrs = match attributes_of(&body) {
        Ok(a) => a,
        Err(reply) => return reply,
    };
    if let Err(reply) = apply(&mut rs, &attrs) {
        return reply;
    }
    rs.modification_date = shared.now();
    let answer = rs.to_json(&r.base);
    let mut store = shared.write();
    // Deleted meanwhile: the update is lost with it.
    if !store.livehunt.rulesets.contains_key(id) {
        return Reply::not_found("Hunting ruleset", id);
    }
    store.livehunt.rulesets.insert(id.to_owned(), rs);
    Reply::data(answer)
}

fn delete_ruleset(shared: &Shared, r: &Req, id: &str) -> Reply {
    if let Err(reply) = own_ruleset(shared, r, id) {
        return reply;
    }
    shared.write().livehunt.rulesets.remove(id);
    Reply::json(&json!({}))
}

/// `DELETE /intelligence/hunting_rulesets` with `x-confirm-delete: <user id>`: every
/// ruleset of the caller.
fn delete_all_rulesets(shared: &Shared, r: &Req) -> Reply {
    let user = r.user();
    if r.header("x-confirm-delete") != Some(user.as_str()) {
        return Reply::bad_request(
            "Deleting every ruleset needs the header x-confirm-delete: <your user name>",
        );
    }
    shared
        .write()
        .livehunt
        .rulesets
        .retain(|_, rs| rs.owner != user);
    Reply::json(&json!({}))
}

/// The caller's notifications passing `filter` (`tag:<x>` terms and bare words), newest
/// first.
fn own_notifications(shared: &Shared, r: &Req, filter: &str) -> Vec<HuntingNotification> {
    let user = r.user();
    let terms: Vec<String> = filter
        .split_whitespace()
        .map(|t| t.strip_prefix("tag:").unwrap_or(t).to_lowercase())
        .collect();
    let store = shared.read();
    store
        .livehunt
        .notifications
        .iter()
        .rev()
        .filter(|n| n.owner == user)
        .filter(|n| {
            let tags = n.tags();
            terms.iter().all(|t| tags.contains(t))
        })
        .cloned()
        .collect()
}

/// `GET /intelligence/hunting_notifications`: `filter` (`tag:`), `limit`, `cursor`,
/// `relationships=file`.
fn list_notifications(shared: &Shared, r: &Req) -> Reply {
    let list = own_notifications(shared, r, r.q("filter").unwrap_or(""));
    let with_file = wants_file(r);
    let page = match paging::page(r, list.len(), MAX_LIMIT) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let data = list[page.start..page.end]
        .iter()
        .map(|n| n.to_json(&r.base, with_file))
        .collect();
    paging::collection(r, data, &page, list.len(), None)
}

fn wants_file(r: &Req) -> bool {
    r.q("relationships")
        .is_some_and(|rels| rels.split(',').any(|x| x.trim() == "file"))
}

fn get_notification(shared: &Shared, r: &Req, id: &str) -> Reply {
    let user = r.user();
    let found = shared
        .read()
        .livehunt
        .notifications
        .iter()
        .find(|n| n.id == id && n.owner == user)
        .cloned();
    match found {
        Some(n) => Reply::data(n.to_json(&r.base, wants_file(r))),
        None => Reply::not_found("Hunting notification", id),
    }
}

fn delete_notification(shared: &Shared, r: &Req, id: &str) -> Reply {
    let user = r.user();
    let mut store = shared.write();
    let before = store.livehunt.notifications.len();
    store
        .livehunt
        .notifications
        .retain(|n| !(n.id == id && n.owner == user));
    if store.livehunt.notifications.len() == before {
        return Reply::not_found("Hunting notification", id);
    }
    Reply::json(&json!({}))
}

/// `DELETE /intelligence/hunting_notifications[?tag=T]`: the caller's notifications with
/// that tag, or all of them.
fn delete_notifications(shared: &Shared, r: &Req) -> Reply {
    let user = r.user();
    let tag = r.q("tag").map(str::to_lowercase);
    shared
        .write()
        .livehunt
        .notifications
        .retain(|n| n.owner != user || tag.as_ref().is_some_and(|t| !n.tags().contains(t)));
    Reply::json(&json!({}))
}

/// `GET /intelligence/hunting_notification_files`: the matched files (full objects) with
/// their notification's `context_attributes`, newest first; `filter` keeps notifications
/// named by every exact keyword (rule, ruleset name or id, namespace, hash, date);
/// `count_limit` (default 200, at most 10,000) bounds `meta.count`.
fn notification_files(shared: &Shared, r: &Req) -> Reply {
    let count_limit = match r.q("count_limit") {
        None | Some("") => 200,
        Some(c) => match c.parse::<usize>() {
            Ok(n) if (1..=10_000).contains(&n) => n,
            _ => {
                return Reply::invalid_argument(format!(
                    "Invalid count_limit {c:?}: a whole number from 1 to 10000"
                ));
            }
        },
    };
    let words: Vec<String> = r
        .q("filter")
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let list: Vec<HuntingNotification> = own_notifications(shared, r, "")
        .into_iter()
        .filter(|n| words.iter().all(|w| n.has_keyword(w)))
        .collect();
    let page = match paging::page(r, list.len(), MAX_LIMIT) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let store = shared.read();
    let data = list[page.start..page.end]
        .iter()
        .map(|n| {
            let mut file = super::objects::full_or_error(&store, &(Kind::File, n.sha256.clone()));
            file["context_attributes"] = n.context();
            file
        })
        .collect();
    drop(store);
    paging::collection(r, data, &page, list.len().min(count_limit), None)
}
