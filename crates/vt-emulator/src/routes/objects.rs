//! Files, URLs, domains, IP addresses and resolutions: objects and their relationships.

use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::paging::{self, MAX_LIMIT};
use super::request::Req;
use crate::http::reply::Reply;
use crate::records::{Kind, ObjKey};
use crate::relationships::find;
use crate::state::Shared;
use crate::store::Store;
use crate::url_id::url_id;

/// Resolves a URL identifier: 64 hex digits, or unpadded base64url of the URL.
pub(crate) fn resolve_url_id(id: &str) -> String {
    if id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return id.to_ascii_lowercase();
    }
    let trimmed = id.trim_end_matches('=');
    match base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(trimmed) {
        Ok(raw) => match String::from_utf8(raw) {
            Ok(url) => url_id(&url),
            Err(_) => id.to_owned(),
        },
        Err(_) => id.to_owned(),
    }
}

fn valid_domain(d: &str) -> bool {
    !d.is_empty()
        && d.len() <= 253
        && d.contains('.')
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Finds an object, or the reply explaining why not.
pub(crate) fn resolve(store: &Store, kind: Kind, id: &str) -> Result<ObjKey, Reply> {
    let key = match kind {
        Kind::File => match store.resolve_file(id) {
            Some(sha) => (Kind::File, sha),
            None => return Err(Reply::not_found("File", id)),
        },
        Kind::Url => (Kind::Url, resolve_url_id(id)),
        Kind::Domain => {
            let d = id.to_ascii_lowercase();
            if !valid_domain(&d) {
                return Err(Reply::invalid_argument(format!(
                    "Domain \"{id}\" is not a valid domain pattern"
                )));
            }
            (Kind::Domain, d)
        }
        Kind::IpAddress => {
            if id.parse::<std::net::IpAddr>().is_err() {
                return Err(Reply::invalid_argument(format!(
                    "IP address \"{id}\" is not a valid IP address"
                )));
            }
            (Kind::IpAddress, id.to_owned())
        }
        Kind::Resolution | Kind::FileBehaviour => (kind, id.to_owned()),
    };
    if store.objects.contains_key(&key) {
        Ok(key)
    } else {
        Err(Reply::not_found(kind.display(), id))
    }
}

/// The descriptor of `key`.
pub(crate) fn descriptor(key: &ObjKey) -> Value {
    json!({"type": key.0.type_name(), "id": key.1})
}

/// The full object of `key`, or VirusTotal's in-list error item.
pub(crate) fn full_or_error(store: &Store, key: &ObjKey) -> Value {
    match store.get(key) {
        Some(o) => o.data.clone(),
        None => json!({
            "type": key.0.type_name(),
            "id": key.1,
            "error": {"code": "NotFoundError", "message": format!("{} \"{}\" not found", key.0.display(), key.1)},
        }),
    }
}

/// The items of relationship `rel` of `key` as JSON (full objects or descriptors).
pub(crate) fn relationship_items(
    store: &Store,
    base: &str,
    caller: &str,
    key: &ObjKey,
    rel: &str,
    descriptors: bool,
) -> Vec<Value> {
    match rel {
        "comments" => store
            .object_comments
            .get(key)
            .map(|ids| {
                ids.iter()
                    .rev()
                    .filter_map(|id| store.comments.get(id))
                    .map(|c| {
                        if descriptors {
                            json!({"type": "comment", "id": c.id})
                        } else {
                            c.to_json(base)
                        }
                    })
                    .collect()
            })
            .unwrap_or_default(),
        "votes" | "user_votes" => store
            .object_votes
            .get(key)
            .map(|votes| {
                votes
                    .iter()
                    .rev()
                    .filter(|v| rel == "votes" || v.owner == caller)
                    .map(|v| {
                        if descriptors {
                            json!({"type": "vote", "id": v.id})
                        } else {
                            v.to_json(base)
                        }
                    })
                    .collect()
            })
            .unwrap_or_default(),
        "analyses" => store
            .object_analyses
            .get(key)
            .into_iter()
            .flatten()
            .rev()
            .map(|id| json!({"type": "analysis", "id": id, "links": {"self": format!("{base}/api/v3/analyses/{id}")}}))
            .collect(),
        "subdomains" | "siblings" | "parent" | "immediate_parent" if key.0 == Kind::Domain => {
            domain_family(store, &key.1, rel)
                .into_iter()
                .map(|d| {
                    let k = (Kind::Domain, d);
                    if descriptors {
                        descriptor(&k)
                    } else {
                        full_or_error(store, &k)
                    }
                })
                .collect()
        }
        _ => store
            .related(key, rel)
            .iter()
            .map(|k| {
                if descriptors {
                    descriptor(k)
                } else {
                    full_or_error(store, k)
                }
            })
            .collect(),
    }
}

/// The known domains that are `domain`'s `subdomains`, `siblings` (same immediate parent),
/// `parent` (the shortest known ancestor) or `immediate_parent` (the longest), sorted.
fn domain_family(store: &Store, domain: &str, rel: &str) -> Vec<String> {
    let ancestors: Vec<&str> = domain
        .match_indices('.')
        .map(|(i, _)| &domain[i + 1..])
        .filter(|a| a.contains('.'))
        .collect();
    let known = |d: &str| store.objects.contains_key(&(Kind::Domain, d.to_owned()));
    let mut out: Vec<String> = match rel {
        "parent" => ancestors
            .iter()
            .rev()
            .find(|a| known(a))
            .map(|a| a.to_string())
            .into_iter()
            .collect(),
        "immediate_parent" => ancestors
            .iter()
            .find(|a| known(a))
            .map(|a| a.to_string())
            .into_iter()
            .collect(),
        "subdomains" | "siblings" => {
            let suffix = match rel {
                "subdomains" => format!(".{domain}"),
                _ => match domain.split_once('.') {
                    Some((_, p)) if p.contains('.') => format!(".{p}"),
                    _ => return Vec::new(),
                },
            };
            store
                .objects
                .keys()
                .filter(|(k, d)| {
                    // Subdomains at any depth; siblings share the immediate parent.
                    *k == Kind::Domain
                        && d != domain
                        && d.strip_suffix(suffix.as_str())
                            .is_some_and(|head| rel == "subdomains" || !head.contains('.'))
                })
                .map(|(_, d)| d.clone())
                .collect()
        }
        _ => Vec::new(),
    };
    out.sort();
    out
}

fn rel_links(r: &Req, key: &ObjKey, rel: &str) -> Map<String, Value> {
    let mut links = Map::new();
    let obj = format!("{}/api/v3/{}/{}", r.base, key.0.collection(), key.1);
    links.insert("self".into(), json!(format!("{obj}/relationships/{rel}")));
    links.insert("related".into(), json!(format!("{obj}/{rel}")));
    links
}

/// `GET /{collection}/{id}` (with optional `?relationships=a,b`).
pub(crate) fn get(shared: &Shared, r: &Req, kind: Kind, id: &str) -> Reply {
    let store = shared.read();
    let key = match resolve(&store, kind, id) {
        Ok(k) => k,
        Err(reply) => return reply,
    };
    let Some(obj) = store.get(&key) else {
        return Reply::not_found(kind.display(), id);
    };
    let Some(rels) = r.q("relationships").filter(|s| !s.is_empty()) else {
        return Reply::ok_bytes(obj.body());
    };
    let mut data = obj.data.clone();
    let mut out = Map::new();
    for rel in rels.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let Some(relationship) = find(kind, rel) else {
            return Reply::invalid_argument(format!("Invalid relationship: {rel}"));
        };
        let items = relationship_items(&store, &r.base, &r.user(), &key, rel, true);
        let mut entry = Map::new();
        if relationship.one_to_one {
            entry.insert(
                "data".into(),
                items.into_iter().next().unwrap_or(Value::Null),
            );
        } else {
            let total = items.len();
            let shown: Vec<Value> = items.into_iter().take(paging::DEFAULT_LIMIT).collect();
            let mut links = rel_links(r, &key, rel);
            if total > shown.len() {
                let c = paging::encode_cursor(shown.len());
                entry.insert("meta".into(), json!({"count": total, "cursor": c}));
                let next = format!(
                    "{}/api/v3/{}/{}/relationships/{rel}?limit={}&cursor={}",
                    r.base,
                    key.0.collection(),
                    key.1,
                    paging::DEFAULT_LIMIT,
                    url::form_urlencoded::byte_serialize(c.as_bytes()).collect::<String>()
                );
                links.insert("next".into(), json!(next));
            } else {
                entry.insert("meta".into(), json!({"count": total}));
            }
            entry.insert("data".into(), Value::Array(shown));
            entry.insert("links".into(), Value::Object(links));
            out.insert(rel.to_owned(), Value::Object(entry));
            continue;
        }
        entry.insert("links".into(), Value::Object(rel_links(r, &key, rel)));
        out.insert(rel.to_owned(), Value::Object(entry));
    }
    data["relationships"] = Value::Object(out);
    Reply::data(data)
}

/// `GET /{collection}/{id}/{rel}` and `/relationships/{rel}`.
pub(crate) fn related(
    shared: &Shared,
    r: &Req,
    kind: Kind,
    id: &str,
    rel: &str,
    descriptors: bool,
) -> Reply {
    let store = shared.read();
    let key = match resolve(&store, kind, id) {
        Ok(k) => k,
        Err(reply) => return reply,
    };
    let Some(relationship) = find(kind, rel) else {
        return Reply::invalid_argument(format!("Invalid relationship: {rel}"));
    };
    let descriptors = descriptors || matches!(r.q("descriptors_only"), Some("true" | "1"));
    let items = relationship_items(&store, &r.base, &r.user(), &key, rel, descriptors);
    if relationship.one_to_one {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_ids_accept_base64_and_hex() {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("http://www.google.com");
        assert_eq!(
            resolve_url_id(&b64),
            "dd014af5ed6b38d9130e3f466f850e46d21b951199d53a18ef29ee9341614eaf"
        );
        assert_eq!(resolve_url_id(&"A".repeat(64)), "a".repeat(64));
    }
}
