//! The IoC stream (`/ioc_stream`, `/ioc_stream_notifications/{id}`, premium): the caller's
//! notifications (see [`crate::ioc_stream`] for who raises them), newest first, each item
//! the notified object with the notification in its `context_attributes`.
//!
//! Filters are VirusTotal's space-separated terms (all must match): `origin:`,
//! `entity_type:`, `entity_id:`, `source_type:`, `source_id:`, `notification_tag:` (and
//! vt-cli's `tag:`), `date:<time>+|-`. An unknown modifier or origin is 400
//! `BadRequestError` naming the valid values. A deletion "runs" for
//! [`DELETION_RUNS_MS`] of emulator time: another one meanwhile is refused with 429
//! `TooManyRequestsError`, as VirusTotal does while it deletes in the background.

use std::sync::Arc;

use serde_json::{Value, json};
use vt_model::ErrorCode;
use vt_model::calendar::days_from_civil;

use super::objects::{descriptor, full_or_error};
use super::paging::{self, MAX_LIMIT};
use super::request::Req;
use crate::http::reply::Reply;
use crate::ioc_stream::{NewNotification, Notification, Origin, is_stream_kind};
use crate::state::Shared;
use crate::store::Store;

/// How long a deletion runs, in emulator milliseconds.
pub(crate) const DELETION_RUNS_MS: u64 = 500;

/// One term of a filter.
#[derive(Debug, Clone, PartialEq)]
enum Term {
    Origin(Origin),
    EntityType(String),
    EntityId(String),
    SourceType(String),
    SourceId(String),
    Tag(String),
    After(u64),
    Before(u64),
}

/// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS][Z]` (UTC) to Unix seconds.
fn parse_time(text: &str) -> Option<u64> {
    let text = text.trim_end_matches('Z');
    let (date, time) = text.split_once('T').unwrap_or((text, "00:00:00"));
    let mut d = date.split('-');
    let (y, m, day) = (d.next()?, d.next()?, d.next()?);
    if d.next().is_some() {
        return None;
    }
    let (y, m, day): (i64, u32, u32) = (y.parse().ok()?, m.parse().ok()?, day.parse().ok()?);
    if !(1..=12).contains(&m) || day == 0 || day > vt_model::calendar::days_in_month(y, m) {
        return None;
    }
    let mut t = time.split(':');
    let h: u64 = t.next()?.parse().ok()?;
    let min: u64 = t.next().unwrap_or("0").parse().ok()?;
    let s: u64 = t.next().unwrap_or("0").parse().ok()?;
    if h > 23 || min > 59 || s > 59 || t.next().is_some() {
        return None;
    }
    let days = u64::try_from(days_from_civil(y, m, day)).ok()?;
    Some(days * 86_400 + h * 3600 + min * 60 + s)
}

fn parse_filter(filter: &str) -> Result<Vec<Term>, Reply> {
    let mut terms = Vec::new();
    for word in filter.split_whitespace() {
        let Some((modifier, value)) = word.split_once(':') else {
            return Err(Reply::bad_request(format!(
                "Invalid filter term {word:?}: expected modifier:value"
            )));
        };
        let value = value.trim_matches('"');
        let term = match modifier {
            "origin" => match Origin::parse(value) {
                Some(o) => Term::Origin(o),
                None => {
                    return Err(Reply::bad_request(format!(
                        "Invalid origin {value:?}; valid values are: hunting, subscriptions"
                    )));
                }
            },
            "entity_type" => match value {
                "file" | "url" | "domain" | "ip_address" => Term::EntityType(value.into()),
                _ => {
                    return Err(Reply::bad_request(format!(
                        "Invalid entity_type {value:?}; valid values are: file, url, domain, ip_address"
                    )));
                }
            },
            "entity_id" => Term::EntityId(value.to_ascii_lowercase()),
            "source_type" => match value {
                "hunting_ruleset" | "retrohunt_job" | "collection" | "threat_actor" => {
                    Term::SourceType(value.into())
                }
                _ => {
                    return Err(Reply::bad_request(format!(
                        "Invalid source_type {value:?}; valid values are: hunting_ruleset, retrohunt_job, collection, threat_actor"
                    )));
                }
            },
            "source_id" => Term::SourceId(value.into()),
            "notification_tag" | "tag" => Term::Tag(value.into()),
            "date" => {
                let (time, after) = match value.strip_suffix('+') {
                    Some(t) => (t, true),
                    None => match value.strip_suffix('-') {
                        Some(t) => (t, false),
                        None => (value, true),
                    },
                };
                match parse_time(time) {
                    Some(t) if after => Term::After(t),
                    Some(t) => Term::Before(t),
                    None => {
                        return Err(Reply::bad_request(format!(
                            "Invalid date {value:?}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, then + or -"
                        )));
                    }
                }
            }
            _ => {
                return Err(Reply::bad_request(format!(
                    "Invalid filter modifier {modifier:?}; valid modifiers are: date, origin, entity_type, entity_id, source_type, source_id, notification_tag"
                )));
            }
        };
        terms.push(term);
    }
    Ok(terms)
}

fn matches(store: &Store, n: &Notification, terms: &[Term]) -> bool {
    terms.iter().all(|t| match t {
        Term::Origin(o) => n.new.origin == *o,
        Term::EntityType(e) => n.entity_type() == e,
        Term::EntityId(id) => {
            n.new.object.1 == *id
                || store
                    .resolve_file(id)
                    .is_some_and(|sha| sha == n.new.object.1)
        }
        Term::SourceType(s) => n.new.source.source_type == *s,
        Term::SourceId(s) => n.new.source.id == *s,
        Term::Tag(tag) => n.new.tags.iter().any(|x| x == tag),
        Term::After(t) => n.date >= *t,
        Term::Before(t) => n.date < *t,
    })
}

fn item_json(store: &Store, n: &Notification, descriptors: bool) -> Value {
    let mut item = if descriptors {
        descriptor(&n.new.object)
    } else {
        full_or_error(store, &n.new.object)
    };
    item["context_attributes"] = n.context();
    item
}

fn terms_of(r: &Req) -> Result<Vec<Term>, Reply> {
    match r.q("filter") {
        None => Ok(Vec::new()),
        Some(f) => parse_filter(f),
    }
}

/// `GET /ioc_stream`: `filter`, `order` (`date-`, the default, or `date+`), `limit` (at
/// most 40), `cursor`, `descriptors_only`.
pub(crate) fn list(shared: &Arc<Shared>, r: &Req) -> Reply {
    super::retrohunt::notify_ioc_stream(shared);
    let terms = match terms_of(r) {
        Ok(t) => t,
        Err(reply) => return reply,
    };
    let ascending = match r.q("order").filter(|o| !o.is_empty()) {
        None | Some("date-") => false,
        Some("date+") => true,
        Some(o) => {
            return Reply::bad_request(format!(
                "Invalid order {o:?}; valid values are: date-, date+"
            ));
        }
    };
    let descriptors = matches!(r.q("descriptors_only"), Some("true" | "1"));
    let owner = r.user();
    let store = shared.read();
    let mut mine: Vec<&Notification> = store
        .ioc_stream
        .notifications
        .iter()
        .filter(|n| n.owner == owner && matches(&store, n, &terms))
        .collect();
    mine.sort_by_key(|n| (n.date, n.seq));
    if !ascending {
        mine.reverse();
    }
    let total = mine.len();
    let page = match paging::page(r, total, MAX_LIMIT) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let data = mine[page.start..page.end]
        .iter()
        .map(|n| item_json(&store, n, descriptors))
        .collect();
    paging::collection(r, data, &page, total, None)
}

/// `DELETE /ioc_stream` (`filter`; none deletes everything).
pub(crate) fn delete(shared: &Arc<Shared>, r: &Req) -> Reply {
    super::retrohunt::notify_ioc_stream(shared);
    let terms = match terms_of(r) {
        Ok(t) => t,
        Err(reply) => return reply,
    };
    let owner = r.user();
    let now_ms = shared.clock.now_ms();
    let mut store = shared.write();
    if store
        .ioc_stream
        .deleting_until_ms
        .get(&owner)
        .is_some_and(|until| now_ms < *until)
    {
        return Reply::error(
            ErrorCode::TooManyRequests,
            "A deletion of IoC stream notifications is already running; try again later",
        );
    }
    let doomed: Vec<String> = store
        .ioc_stream
        .notifications
        .iter()
        .filter(|n| n.owner == owner && matches(&store, n, &terms))
        .map(|n| n.id.clone())
        .collect();
    store
        .ioc_stream
        .remove_where(&owner, |n| doomed.contains(&n.id));
    store
        .ioc_stream
        .deleting_until_ms
        .insert(owner, now_ms + DELETION_RUNS_MS);
    Reply::json(&json!({}))
}

/// `GET /ioc_stream_notifications/{id}`.
pub(crate) fn notification(shared: &Arc<Shared>, r: &Req, id: &str) -> Reply {
    super::retrohunt::notify_ioc_stream(shared);
    let store = shared.read();
    match store.ioc_stream.get(&r.user(), id) {
        Some(n) => Reply::data(item_json(&store, n, false)),
        None => Reply::not_found("Notification", id),
    }
}

/// `DELETE /ioc_stream_notifications/{id}`.
pub(crate) fn delete_notification(shared: &Arc<Shared>, r: &Req, id: &str) -> Reply {
    super::retrohunt::notify_ioc_stream(shared);
    let owner = r.user();
    let mut store = shared.write();
    match store.ioc_stream.remove_where(&owner, |n| n.id == id) {
        0 => Reply::not_found("Notification", id),
        _ => Reply::json(&json!({})),
    }
}

/// `POST /_emulator/ioc_stream` (the emulator's own route, no key): raises a notification
/// as a producer would, for tests and demos. Body: `{"user": "<user id>", "object":
/// {"type", "id"}, "origin": "hunting"|"subscriptions", "source": {"type", "id", "label"},
/// "rule_name"?: "...", "tags"?: [...]}`; a `hunting` notification gets `hunting_info` with
/// the rule name. Answers `{"notification_id": "..."}`.
pub(crate) async fn push(shared: &Shared, r: &mut Req) -> Reply {
    let body = match super::comments::json_body(shared, r).await {
        Ok(b) => b,
        Err(reply) => return reply,
    };
    let text = |ptr: &str| body.pointer(ptr).and_then(Value::as_str).map(str::to_owned);
    let Some(user) = text("/user") else {
        return Reply::bad_request("\"user\" (a user id) is required");
    };
    let kind = text("/object/type").and_then(|t| crate::records::Kind::from_type_name(&t));
    let (Some(kind), Some(id)) = (kind.filter(|k| is_stream_kind(*k)), text("/object/id")) else {
        return Reply::bad_request(
            "\"object\" must be {\"type\": file|url|domain|ip_address, \"id\": ...}",
        );
    };
    let Some(origin) = text("/origin").as_deref().and_then(Origin::parse) else {
        return Reply::bad_request("\"origin\" must be hunting or subscriptions");
    };
    let source = crate::ioc_stream::Source {
        source_type: text("/source/type").unwrap_or_else(|| match origin {
            Origin::Hunting => "hunting_ruleset".into(),
            Origin::Subscriptions => "collection".into(),
        }),
        id: text("/source/id").unwrap_or_default(),
        label: text("/source/label").unwrap_or_default(),
    };
    let tags: Vec<String> = body
        .get("tags")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let key = {
        let store = shared.read();
        match kind {
            crate::records::Kind::File => (kind, store.resolve_file(&id).unwrap_or(id)),
            _ => (kind, id),
        }
    };
    let new = match origin {
        Origin::Hunting => {
            let rule = text("/rule_name").unwrap_or_else(|| "rule".into());
            NewNotification::from_hunting(
                key,
                &source.source_type,
                &source.id,
                &source.label,
                &rule,
                tags,
                json!({"rule_name": rule, "rule_tags": [], "snippet": "", "source_country": "", "source_key": ""}),
            )
        }
        Origin::Subscriptions => NewNotification {
            object: key,
            origin,
            source,
            tags,
            hunting_info: None,
        },
    };
    let id = shared.notify_ioc_stream(&user, new);
    Reply::json(&json!({"notification_id": id}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_every_documented_term() {
        let t = parse_filter(
            "origin:hunting entity_type:file source_type:collection tag:eicar date:2026-12-01T10:00:00+ date:2026-12-02-",
        )
        .unwrap_or_else(|_| panic!("refused"));
        assert_eq!(t[0], Term::Origin(Origin::Hunting));
        assert_eq!(
            t[4],
            Term::After(parse_time("2026-12-01T10:00:00").unwrap())
        );
        assert!(matches!(t[5], Term::Before(_)));
        assert!(parse_filter("origin:elsewhere").is_err());
        assert!(parse_filter("colour:red").is_err());
        assert!(parse_filter("date:yesterday+").is_err());
        assert!(parse_filter("justaword").is_err());
    }

    #[test]
    fn times_parse_as_utc() {
        assert_eq!(parse_time("1970-01-02"), Some(86_400));
        assert_eq!(parse_time("2023-11-14T22:13:20Z"), Some(1_700_000_000));
        assert_eq!(parse_time("2023-02-30"), None);
    }
}
