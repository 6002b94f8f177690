//! Files, URLs, domains, IP addresses and resolutions: objects and their relationships.

use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::Req;
use super::paging::{self, MAX_LIMIT};
use crate::dataset::generate::url_id;
use crate::http::reply::Reply;
use crate::server::Shared;
use crate::store::{Kind, ObjKey, Store};

/// Relationships each object type supports: `(name, one_to_one, description)`.
pub(crate) fn relationships_of(kind: Kind) -> &'static [(&'static str, bool, &'static str)] {
    match kind {
        Kind::File => &[
            ("behaviours", false, "Behaviour reports for the file."),
            ("bundled_files", false, "Files bundled within the file."),
            ("collections", false, "Collections containing the file."),
            ("comments", false, "Comments for the file."),
            ("contacted_domains", false, "Domains contacted by the file."),
            (
                "contacted_ips",
                false,
                "IP addresses contacted by the file.",
            ),
            ("contacted_urls", false, "URLs contacted by the file."),
            (
                "dropped_files",
                false,
                "Files dropped by the file during its execution.",
            ),
            ("execution_parents", false, "Files that executed the file."),
            ("graphs", false, "Graphs including the file."),
            (
                "itw_urls",
                false,
                "In the wild URLs from which the file was downloaded.",
            ),
            (
                "pe_resource_children",
                false,
                "PE files contained within the file as a resource.",
            ),
            (
                "pe_resource_parents",
                false,
                "PE files containing the file as a resource.",
            ),
            ("votes", false, "Votes for the file."),
        ],
        Kind::Url => &[
            ("comments", false, "Comments for the URL."),
            (
                "communicating_files",
                false,
                "Files that communicate with the URL.",
            ),
            ("downloaded_files", false, "Files downloaded from the URL."),
            ("graphs", false, "Graphs including the URL."),
            (
                "last_serving_ip_address",
                true,
                "Last IP address that served the URL.",
            ),
            (
                "network_location",
                true,
                "Domain or IP address for the URL.",
            ),
            (
                "redirecting_urls",
                false,
                "URLs that redirected to the URL.",
            ),
            ("referrer_files", false, "Files containing the URL."),
            ("referrer_urls", false, "URLs referring the URL."),
            (
                "related_comments",
                false,
                "Community posted comments in the URL's related objects.",
            ),
            ("votes", false, "Votes for the URL."),
        ],
        Kind::Domain => &[
            ("comments", false, "Comments for the domain."),
            (
                "communicating_files",
                false,
                "Files that communicate with the domain.",
            ),
            (
                "downloaded_files",
                false,
                "Files downloaded from the domain.",
            ),
            ("graphs", false, "Graphs including the domain."),
            (
                "historical_ssl_certificates",
                false,
                "SSL certificates associated with the domain.",
            ),
            (
                "historical_whois",
                false,
                "WHOIS information for the domain.",
            ),
            ("immediate_parent", true, "Domain's immediate parent."),
            ("parent", true, "Domain's top parent."),
            ("referrer_files", false, "Files containing the domain."),
            (
                "related_comments",
                false,
                "Community posted comments in the domain's related objects.",
            ),
            ("resolutions", false, "DNS resolutions for the domain."),
            ("siblings", false, "Domain's sibling domains."),
            ("subdomains", false, "Domain's subdomains."),
            ("urls", false, "URLs having this domain."),
            ("user_votes", false, "Current user's votes."),
            ("votes", false, "Votes for the domain."),
        ],
        Kind::IpAddress => &[
            ("comments", false, "Comments for the IP address."),
            (
                "communicating_files",
                false,
                "Files that communicate with the IP address.",
            ),
            (
                "downloaded_files",
                false,
                "Files downloaded from the IP address.",
            ),
            ("graphs", false, "Graphs including the IP address."),
            (
                "historical_ssl_certificates",
                false,
                "SSL certificates associated with the IP.",
            ),
            (
                "historical_whois",
                false,
                "WHOIS information for the IP address.",
            ),
            ("referrer_files", false, "Files containing the IP address."),
            (
                "related_comments",
                false,
                "Community posted comments in the IP's related objects.",
            ),
            ("resolutions", false, "IP address' resolutions."),
            ("urls", false, "URLs related to the IP address."),
            ("user_votes", false, "Current user's votes."),
            ("votes", false, "Votes for the IP address."),
        ],
        Kind::Resolution => &[],
    }
}

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
        Kind::Resolution => (Kind::Resolution, id.to_owned()),
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
        let Some((_, one, _)) = relationships_of(kind).iter().find(|(n, _, _)| *n == rel) else {
            return Reply::invalid_argument(format!("Invalid relationship: {rel}"));
        };
        let items = relationship_items(&store, &r.base, &r.user(), &key, rel, true);
        let mut entry = Map::new();
        if *one {
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
    let Some((_, one, _)) = relationships_of(kind).iter().find(|(n, _, _)| *n == rel) else {
        return Reply::invalid_argument(format!("Invalid relationship: {rel}"));
    };
    let descriptors = descriptors || matches!(r.q("descriptors_only"), Some("true" | "1"));
    let items = relationship_items(&store, &r.base, &r.user(), &key, rel, descriptors);
    if *one {
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
