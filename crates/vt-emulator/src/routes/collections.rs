//! Collections (`/collections`, `/users/{id}/collections`): create from descriptors
//! (`relationships`) or free text (`raw_items`), get, update the name and description, add
//! and remove indicators, delete, list a user's, and the relationships.
//!
//! Indicators resolve to the store's objects: a known file by any of its hashes, URLs by
//! their id; a URL, domain or IP address the dataset does not know is "scanned and added"
//! (a new object, as VirusTotal warns it does), an unknown file hash is kept and listed
//! with VirusTotal's in-list `NotFoundError` item. Everyone with a key may read a
//! collection; only its owner may change or delete it (403 otherwise). A name another of the
//! owner's collections has is refused with 409 `AlreadyExistsError`, at creation and on
//! update. The creator follows the collection: every indicator added raises a
//! `subscriptions` notification in their IoC stream.

use serde_json::{Map, Value, json};
use vt_model::{ErrorCode, Indicator, IndicatorKind};

use super::comments::json_body;
use super::objects::{descriptor, full_or_error, resolve_url_id};
use super::paging::{self, MAX_LIMIT};
use super::request::Req;
use crate::collections::{ITEM_RELATIONSHIPS, OTHER_RELATIONSHIPS, StoredCollection};
use crate::http::reply::Reply;
use crate::ioc_stream::NewNotification;
use crate::records::{Kind, ObjKey};
use crate::reports::domain::domain_object;
use crate::reports::ip_address::ip_object;
use crate::reports::url::url_object;
use crate::rng::SeededRng;
use crate::state::Shared;
use crate::store::Store;
use crate::url_id::url_id;

/// The longest name accepted.
const MAX_NAME_CHARS: usize = 1024;
/// Indicators accepted in one request.
const MAX_ITEMS: usize = 10_000;

/// An indicator as a request names it, before resolution.
#[derive(Debug, Clone)]
enum Item {
    /// A file hash, a domain or an IP address (already normalised), or a URL id.
    Id(Kind, String),
    /// A raw URL.
    Url(String),
}

fn kind_of_indicator(kind: IndicatorKind) -> Kind {
    match kind {
        IndicatorKind::File => Kind::File,
        IndicatorKind::Url => Kind::Url,
        IndicatorKind::Domain => Kind::Domain,
        IndicatorKind::IpAddress => Kind::IpAddress,
    }
}

fn item_of(indicator: Indicator) -> Item {
    match indicator {
        Indicator::Url(u) => Item::Url(u),
        other => Item::Id(kind_of_indicator(other.kind()), other.as_str().to_owned()),
    }
}

/// The indicators VirusTotal would extract from free text: every whitespace-, comma- or
/// semicolon-separated token that is one, surrounding quotes and brackets dropped; the rest
/// is ignored.
fn items_from_text(text: &str) -> Vec<Item> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .map(|t| t.trim_matches(|c: char| "\"'<>()".contains(c)))
        .filter(|t| !t.is_empty())
        .filter_map(|t| Indicator::parse(t).ok())
        .map(item_of)
        .collect()
}

/// One descriptor of a request (`{"type", "id"}`, or `{"type": "url", "url"}`), checked.
fn item_from_descriptor(d: &Value, expected: Option<Kind>) -> Result<Item, Reply> {
    let object_type = d.get("type").and_then(Value::as_str).unwrap_or_default();
    let Some(kind) = Kind::from_type_name(object_type)
        .filter(|k| matches!(k, Kind::File | Kind::Url | Kind::Domain | Kind::IpAddress))
    else {
        return Err(Reply::bad_request(format!(
            "Invalid descriptor {d}: \"type\" must be file, url, domain or ip_address"
        )));
    };
    if let Some(expected) = expected
        && expected != kind
    {
        return Err(Reply::bad_request(format!(
            "Invalid descriptor {d}: this relationship holds {} objects",
            expected.type_name()
        )));
    }
    if kind == Kind::Url
        && let Some(url) = d.get("url").and_then(Value::as_str)
    {
        return match vt_model::check_url(url) {
            Ok(()) => Ok(Item::Url(url.to_owned())),
            Err(e) => Err(Reply::bad_request(format!("Invalid URL in {d}: {e}"))),
        };
    }
    let Some(id) = d
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    else {
        return Err(Reply::bad_request(format!(
            "Invalid descriptor {d}: \"id\" is missing"
        )));
    };
    if kind == Kind::Url {
        return Ok(Item::Id(Kind::Url, resolve_url_id(id)));
    }
    match Indicator::parse(id) {
        Ok(i) if kind_of_indicator(i.kind()) == kind => Ok(Item::Id(kind, i.as_str().to_owned())),
        _ => Err(Reply::bad_request(format!(
            "Invalid descriptor {d}: {id:?} is not a valid {}",
            kind.type_name()
        ))),
    }
}

fn items_from_list(list: Option<&Value>, expected: Option<Kind>) -> Result<Vec<Item>, Reply> {
    let Some(list) = list.and_then(Value::as_array) else {
        return Err(Reply::bad_request("Expected {\"data\": [descriptor, ...]}"));
    };
    list.iter()
        .map(|d| item_from_descriptor(d, expected))
        .collect()
}

/// The store key of an item; unknown URLs (given as URLs), domains and IP addresses become
/// new objects.
fn resolve_item(shared: &Shared, store: &mut Store, base: &str, item: Item) -> ObjKey {
    let now = shared.now();
    match item {
        Item::Id(Kind::File, h) => (Kind::File, store.resolve_file(&h).unwrap_or(h)),
        Item::Url(url) => {
            let id = url_id(&url);
            let key = (Kind::Url, id.clone());
            if !store.objects.contains_key(&key) {
                let mut rng = SeededRng::derive(shared.config.seed, &id, 0);
                store.insert(
                    Kind::Url,
                    url_object(base, &mut rng, &id, &url, 0, now, now),
                );
            }
            key
        }
        Item::Id(Kind::Domain, d) => {
            let key = (Kind::Domain, d.clone());
            if !store.objects.contains_key(&key) {
                let mut rng = SeededRng::derive(shared.config.seed, &d, 0);
                store.insert(Kind::Domain, domain_object(base, &mut rng, &d, 0, &[], now));
            }
            key
        }
        Item::Id(Kind::IpAddress, ip) => {
            let key = (Kind::IpAddress, ip.clone());
            if !store.objects.contains_key(&key) {
                let mut rng = SeededRng::derive(shared.config.seed, &ip, 0);
                store.insert(Kind::IpAddress, ip_object(base, &mut rng, &ip, 0, now));
            }
            key
        }
        Item::Id(kind, id) => (kind, id),
    }
}

/// Adds `items` to collection `id`, raising a notification for each new one in its
/// followers' IoC streams; returns how many were new.
fn add_items(shared: &Shared, store: &mut Store, base: &str, id: &str, items: Vec<Item>) -> usize {
    let keys: Vec<ObjKey> = items
        .into_iter()
        .map(|item| resolve_item(shared, store, base, item))
        .collect();
    let now = shared.now();
    let Some(c) = store.collections.by_id.get_mut(id) else {
        return 0;
    };
    let added: Vec<ObjKey> = keys.into_iter().filter(|k| c.add(k.clone())).collect();
    if !added.is_empty() {
        c.modified = now;
    }
    let (followers, name) = (c.followers.clone(), c.name.clone());
    for key in &added {
        for user in &followers {
            store.ioc_stream.push(
                user,
                now,
                NewNotification::from_collection(key.clone(), id, &name),
            );
        }
    }
    added.len()
}

/// The `name` and `description` of a request's `attributes`, checked.
fn attributes_of(data: &Value) -> Result<(Option<String>, Option<String>), Reply> {
    let attrs = match data.get("attributes") {
        None | Some(Value::Null) => return Ok((None, None)),
        Some(Value::Object(a)) => a,
        Some(_) => return Err(Reply::bad_request("\"attributes\" must be an object")),
    };
    let text = |name: &str| match attrs.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Reply::bad_request(format!("\"{name}\" must be a string"))),
    };
    let name = text("name")?;
    if let Some(n) = &name
        && (n.trim().is_empty() || n.chars().count() > MAX_NAME_CHARS)
    {
        return Err(Reply::bad_request(format!(
            "\"name\" must have 1 to {MAX_NAME_CHARS} characters"
        )));
    }
    Ok((name, text("description")?))
}

fn data_of(body: &Value) -> Result<&Value, Reply> {
    let data = body.get("data").filter(|d| d.is_object()).ok_or_else(|| {
        Reply::bad_request("Expected {\"data\": {\"type\": \"collection\", ...}}")
    })?;
    match data.get("type").and_then(Value::as_str) {
        Some("collection") => Ok(data),
        _ => Err(Reply::bad_request(
            "Expected {\"data\": {\"type\": \"collection\", ...}}",
        )),
    }
}

fn raw_items_of(data: &Value) -> Result<Option<Vec<Item>>, Reply> {
    match data.get("raw_items") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(items_from_text(text))),
        Some(_) => Err(Reply::bad_request("\"raw_items\" must be a string")),
    }
}

fn conflict(name: &str) -> Reply {
    Reply::error(
        ErrorCode::AlreadyExists,
        format!("You already have a collection named \"{name}\""),
    )
}

/// `POST /collections`.
pub(crate) async fn create(shared: &Shared, r: &mut Req) -> Reply {
    let body = match json_body(shared, r).await {
        Ok(b) => b,
        Err(reply) => return reply,
    };
    let data = match data_of(&body) {
        Ok(d) => d,
        Err(reply) => return reply,
    };
    let (name, description) = match attributes_of(data) {
        Ok((Some(name), d)) => (name, d.unwrap_or_default()),
        Ok((None, _)) => return Reply::bad_request("A collection needs a \"name\" attribute"),
        Err(reply) => return reply,
    };
    let mut items = match raw_items_of(data) {
        Ok(i) => i.unwrap_or_default(),
        Err(reply) => return reply,
    };
    if let Some(rels) = data.get("relationships") {
        let Some(rels) = rels.as_object() else {
            return Reply::bad_request("\"relationships\" must be an object");
        };
        for (rel, entry) in rels {
            let Some((_, kind)) = ITEM_RELATIONSHIPS.iter().find(|(r, _)| r == rel) else {
                return Reply::bad_request(format!(
                    "Invalid relationship {rel:?}: a collection holds files, urls, domains and ip_addresses"
                ));
            };
            match items_from_list(entry.get("data"), Some(*kind)) {
                Ok(list) => items.extend(list),
                Err(reply) => return reply,
            }
        }
    }
    if items.is_empty() {
        return Reply::bad_request("No IoCs found: give relationships or raw_items");
    }
    if items.len() > MAX_ITEMS {
        return Reply::bad_request(format!("At most {MAX_ITEMS} IoCs per request"));
    }
    let owner = r.user();
    let now = shared.now();
    let mut store = shared.write();
    if store.collections.name_taken(&owner, &name, None) {
        return conflict(&name);
    }
    store.serial += 1;
    let mut h = crate::rng::mix64(shared.config.seed ^ store.serial.wrapping_mul(0x51ed));
    let mut id = String::new();
    for _ in 0..4 {
        h = crate::rng::mix64(h ^ 0x9e37_79b9);
        id.push_str(&format!("{h:016x}"));
    }
    store.collections.by_id.insert(
        id.clone(),
        StoredCollection {
            id: id.clone(),
            owner: owner.clone(),
            name,
            description,
            created: now,
            modified: now,
            items: Vec::new(),
            followers: vec![owner],
        },
    );
    add_items(shared, &mut store, &r.base, &id, items);
    match store.collections.by_id.get(&id) {
        Some(c) => Reply::data(c.to_json(&r.base)),
        None => Reply::not_found("Collection", &id),
    }
}

/// `GET /collections/{id}` (with optional `?relationships=files,owner`).
pub(crate) fn get(shared: &Shared, r: &Req, id: &str) -> Reply {
    let store = shared.read();
    let Some(c) = store.collections.by_id.get(id) else {
        return Reply::not_found("Collection", id);
    };
    let mut data = c.to_json(&r.base);
    let Some(rels) = r.q("relationships").filter(|s| !s.is_empty()) else {
        return Reply::data(data);
    };
    let mut out = Map::new();
    for rel in rels.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let Some(items) = relationship_items(&store, r, c, rel, true) else {
            return Reply::invalid_argument(format!("Invalid relationship: {rel}"));
        };
        let entry = if rel == "owner" {
            json!({"data": items.into_iter().next().unwrap_or(Value::Null)})
        } else {
            let total = items.len();
            let shown: Vec<Value> = items.into_iter().take(paging::DEFAULT_LIMIT).collect();
            let mut meta = json!({"count": total});
            if total > shown.len() {
                meta["cursor"] = json!(paging::encode_cursor(shown.len()));
            }
            json!({"data": shown, "meta": meta, "links": {
                "self": format!("{}/api/v3/collections/{id}/relationships/{rel}", r.base),
                "related": format!("{}/api/v3/collections/{id}/{rel}", r.base),
            }})
        };
        out.insert(rel.to_owned(), entry);
    }
    data["relationships"] = Value::Object(out);
    Reply::data(data)
}

/// The items of relationship `rel` of collection `c` (full objects or descriptors); `None`
/// for a relationship collections do not have.
fn relationship_items(
    store: &Store,
    r: &Req,
    c: &StoredCollection,
    rel: &str,
    descriptors: bool,
) -> Option<Vec<Value>> {
    if let Some((_, kind)) = ITEM_RELATIONSHIPS.iter().find(|(name, _)| *name == rel) {
        return Some(
            c.items_of(*kind)
                .map(|k| {
                    if descriptors {
                        descriptor(k)
                    } else {
                        full_or_error(store, k)
                    }
                })
                .collect(),
        );
    }
    if rel == "owner" {
        let user = json!({"type": "user", "id": c.owner,
            "links": {"self": format!("{}/api/v3/users/{}", r.base, c.owner)}});
        return Some(vec![user]);
    }
    OTHER_RELATIONSHIPS.contains(&rel).then(Vec::new)
}

/// `GET /collections/{id}/{rel}` and `/relationships/{rel}`.
pub(crate) fn related(shared: &Shared, r: &Req, id: &str, rel: &str, descriptors: bool) -> Reply {
    let store = shared.read();
    let Some(c) = store.collections.by_id.get(id) else {
        return Reply::not_found("Collection", id);
    };
    let descriptors = descriptors || matches!(r.q("descriptors_only"), Some("true" | "1"));
    let Some(items) = relationship_items(&store, r, c, rel, descriptors) else {
        return Reply::invalid_argument(format!("Invalid relationship: {rel}"));
    };
    if rel == "owner" {
        let data = items.into_iter().next().unwrap_or(Value::Null);
        return Reply::json(&json!({"data": data, "links": {"self": paging::self_url(r)}}));
    }
    let total = items.len();
    let page = match paging::page(r, total, MAX_LIMIT) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let data = items[page.start..page.end].to_vec();
    paging::collection(r, data, &page, total, None)
}

/// The collection `id` if the caller owns it, or the reply saying why not.
fn owned<'s>(store: &'s Store, r: &Req, id: &str) -> Result<&'s StoredCollection, Reply> {
    match store.collections.by_id.get(id) {
        None => Err(Reply::not_found("Collection", id)),
        Some(c) if c.owner != r.user() => Err(Reply::forbidden()),
        Some(c) => Ok(c),
    }
}

/// `PATCH /collections/{id}`: `attributes` (`name`, `description`) and/or `raw_items`
/// (added).
pub(crate) async fn update(shared: &Shared, r: &mut Req, id: &str) -> Reply {
    if let Err(reply) = owned(&shared.read(), r, id) {
        return reply;
    }
    let body = match json_body(shared, r).await {
        Ok(b) => b,
        Err(reply) => return reply,
    };
    let data = match data_of(&body) {
        Ok(d) => d,
        Err(reply) => return reply,
    };
    let (name, description) = match attributes_of(data) {
        Ok(a) => a,
        Err(reply) => return reply,
    };
    let raw = match raw_items_of(data) {
        Ok(i) => i,
        Err(reply) => return reply,
    };
    if name.is_none() && description.is_none() && raw.is_none() {
        return Reply::bad_request("Nothing to update: give attributes or raw_items");
    }
    let owner = r.user();
    let now = shared.now();
    let mut store = shared.write();
    if let Err(reply) = owned(&store, r, id) {
        return reply;
    }
    if let Some(n) = &name
        && store.collections.name_taken(&owner, n, Some(id))
    {
        return conflict(n);
    }
    if let Some(c) = store.collections.by_id.get_mut(id) {
        if let Some(n) = name {
            c.name = n;
        }
        if let Some(d) = description {
            c.description = d;
        }
        c.modified = now;
    }
    if let Some(items) = raw {
        add_items(shared, &mut store, &r.base, id, items);
    }
    match store.collections.by_id.get(id) {
        Some(c) => Reply::data(c.to_json(&r.base)),
        None => Reply::not_found("Collection", id),
    }
}

/// `DELETE /collections/{id}`.
pub(crate) fn delete(shared: &Shared, r: &Req, id: &str) -> Reply {
    let mut store = shared.write();
    if let Err(reply) = owned(&store, r, id) {
        return reply;
    }
    store.collections.by_id.remove(id);
    Reply::json(&json!({}))
}

/// `POST /collections/{id}/{rel}` (add) and `DELETE` of it (remove), with `{"data":
/// [descriptors]}`.
pub(crate) async fn change_items(shared: &Shared, r: &mut Req, id: &str, rel: &str) -> Reply {
    let Some((_, kind)) = ITEM_RELATIONSHIPS.iter().find(|(name, _)| *name == rel) else {
        return Reply::bad_request(format!(
            "Invalid relationship {rel:?}: items are added to and removed from files, urls, domains and ip_addresses"
        ));
    };
    if let Err(reply) = owned(&shared.read(), r, id) {
        return reply;
    }
    let body = match json_body(shared, r).await {
        Ok(b) => b,
        Err(reply) => return reply,
    };
    let items = match items_from_list(body.get("data"), Some(*kind)) {
        Ok(i) if i.is_empty() => return Reply::bad_request("No descriptors given"),
        Ok(i) if i.len() > MAX_ITEMS => {
            return Reply::bad_request(format!("At most {MAX_ITEMS} IoCs per request"));
        }
        Ok(i) => i,
        Err(reply) => return reply,
    };
    let mut store = shared.write();
    if let Err(reply) = owned(&store, r, id) {
        return reply;
    }
    if r.method == http::Method::POST {
        add_items(shared, &mut store, &r.base, id, items);
    } else {
        let keys: Vec<ObjKey> = items
            .into_iter()
            .map(|item| match item {
                Item::Id(Kind::File, h) => (Kind::File, store.resolve_file(&h).unwrap_or(h)),
                Item::Url(u) => (Kind::Url, url_id(&u)),
                Item::Id(k, i) => (k, i),
            })
            .collect();
        let now = shared.now();
        if let Some(c) = store.collections.by_id.get_mut(id) {
            let mut removed = false;
            for k in &keys {
                removed |= c.remove(k);
            }
            if removed {
                c.modified = now;
            }
        }
    }
    Reply::json(&json!({}))
}

/// `GET /users/{id}/collections`: `filter=name:<text>` (case-insensitive substring),
/// `order=creation_date|last_modification_date|subscribers_count` with `+`/`-`.
pub(crate) fn of_user(shared: &Shared, r: &Req, user: &str) -> Reply {
    let owner = match shared
        .keys
        .values()
        .find(|k| k.user_id == user || k.key == user)
    {
        Some(k) => k.user_id.clone(),
        None => return Reply::not_found("User", user),
    };
    let name_filter = match r.q("filter").map(str::trim).filter(|f| !f.is_empty()) {
        None => None,
        Some(f) => match f.strip_prefix("name:") {
            Some(n) => Some(n.trim().trim_matches('"').to_lowercase()),
            None => {
                return Reply::bad_request(format!(
                    "Invalid filter {f:?}: collections filter by name:<text>"
                ));
            }
        },
    };
    let store = shared.read();
    let mut list = store.collections.of_owner(&owner);
    if let Some(n) = &name_filter {
        list.retain(|c| c.name.to_lowercase().contains(n.as_str()));
    }
    match r.q("order").filter(|o| !o.is_empty()) {
        None => {}
        Some(o) => {
            let (field, ascending) = match o.strip_suffix('+') {
                Some(f) => (f, true),
                None => (o.strip_suffix('-').unwrap_or(o), false),
            };
            let key = |c: &StoredCollection| match field {
                "creation_date" => Some(c.created),
                "last_modification_date" => Some(c.modified),
                "subscribers_count" => Some(c.followers.len() as u64),
                _ => None,
            };
            if key_unknown(field) {
                return Reply::bad_request(format!(
                    "Invalid order {o:?}: creation_date, last_modification_date or subscribers_count, with + or -"
                ));
            }
            list.sort_by(|a, b| {
                let ord = key(a).cmp(&key(b)).then(a.id.cmp(&b.id));
                if ascending { ord } else { ord.reverse() }
            });
        }
    }
    let total = list.len();
    let page = match paging::page(r, total, MAX_LIMIT) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let data = list[page.start..page.end]
        .iter()
        .map(|c| c.to_json(&r.base))
        .collect();
    paging::collection(r, data, &page, total, None)
}

fn key_unknown(field: &str) -> bool {
    !matches!(
        field,
        "creation_date" | "last_modification_date" | "subscribers_count"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_text_yields_the_indicators_in_it_and_ignores_the_rest() {
        let items = items_from_text(
            "Seen: \"evil.example\", 8.8.8.8; hxxp://bad[.]example/x and 44d88612fea8a8f36de82e1278abb02f (md5) word",
        );
        let text: Vec<String> = items
            .iter()
            .map(|i| match i {
                Item::Id(k, id) => format!("{}:{id}", k.type_name()),
                Item::Url(u) => format!("url:{u}"),
            })
            .collect();
        assert_eq!(
            text,
            [
                "domain:evil.example",
                "ip_address:8.8.8.8",
                "url:http://bad.example/x",
                "file:44d88612fea8a8f36de82e1278abb02f"
            ]
        );
    }

    #[test]
    fn descriptors_are_checked_against_their_relationship() {
        let ok = item_from_descriptor(&json!({"type": "domain", "id": "A.example"}), None);
        assert!(matches!(ok, Ok(Item::Id(Kind::Domain, d)) if d == "a.example"));
        assert!(item_from_descriptor(&json!({"type": "domain", "id": "1.2.3.4"}), None).is_err());
        assert!(
            item_from_descriptor(&json!({"type": "file", "id": "x"}), Some(Kind::Domain)).is_err()
        );
        assert!(item_from_descriptor(&json!({"type": "url", "url": "http://"}), None).is_err());
        assert!(item_from_descriptor(&json!({"type": "comment", "id": "x"}), None).is_err());
    }
}
