//! Comments and votes on objects, the global comment list, comment votes and deletion.

use serde_json::{Value, json};
use vt_model::ErrorCode;

use super::objects::resolve;
use super::paging::{self, MAX_LIMIT};
use super::request::Req;
use crate::http::multipart::BodyReader;
use crate::http::reply::Reply;
use crate::records::{Comment, Kind, Vote, comment_tags};
use crate::state::Shared;

pub(crate) async fn json_body(shared: &Shared, r: &mut Req) -> Result<Value, Reply> {
    let Some(body) = r.body.take() else {
        return Err(Reply::bad_request("Missing request body"));
    };
    let mut reader = BodyReader::new(body, 1 << 20, shared.stats.clone());
    let bytes = reader
        .read_all()
        .await
        .map_err(|e| Reply::bad_request(e.to_string()))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Reply::bad_request(format!("Malformed JSON body: {e}")))
}

fn object_word(kind: Kind) -> &'static str {
    match kind {
        Kind::File => "file",
        Kind::Url => "url",
        Kind::Domain => "domain",
        _ => "ip_address",
    }
}

/// `GET /{collection}/{id}/comments` (newest first).
pub(crate) fn list_for(shared: &Shared, r: &Req, kind: Kind, id: &str) -> Reply {
    super::objects::related(shared, r, kind, id, "comments", false)
}

/// `POST /{collection}/{id}/comments`.
pub(crate) async fn post(shared: &Shared, r: &mut Req, kind: Kind, id: &str) -> Reply {
    if let Err(reply) = resolve(&shared.read(), kind, id) {
        return reply;
    }
    let body = match json_body(shared, r).await {
        Ok(b) => b,
        Err(reply) => return reply,
    };
    if body.pointer("/data/type").and_then(Value::as_str) != Some("comment") {
        return Reply::bad_request(
            "Expected {\"data\": {\"type\": \"comment\", \"attributes\": {\"text\": ...}}}",
        );
    }
    let Some(text) = body
        .pointer("/data/attributes/text")
        .and_then(Value::as_str)
        .filter(|t| !t.trim().is_empty())
    else {
        return Reply::bad_request("The comment text is missing or empty");
    };
    let now = shared.now();
    let mut store = shared.write();
    let key = match resolve(&store, kind, id) {
        Ok(k) => k,
        Err(reply) => return reply,
    };
    let suffix = store.next_suffix(&format!("comment{}{text}", key.1));
    let comment = Comment {
        id: format!("{}-{}-{suffix}", kind.id_prefix(), key.1),
        target: key,
        author: r.user(),
        date: now,
        tags: comment_tags(text),
        text: text.to_owned(),
        positive: 0,
        negative: 0,
        abuse: 0,
    };
    let out = comment.to_json(&r.base);
    store.add_comment(comment);
    Reply::data(out)
}

/// `GET /{collection}/{id}/votes`.
pub(crate) fn list_votes(shared: &Shared, r: &Req, kind: Kind, id: &str) -> Reply {
    super::objects::related(shared, r, kind, id, "votes", false)
}

/// `POST /{collection}/{id}/votes`: one vote per user and object (409 afterwards).
pub(crate) async fn vote(shared: &Shared, r: &mut Req, kind: Kind, id: &str) -> Reply {
    if let Err(reply) = resolve(&shared.read(), kind, id) {
        return reply;
    }
    let body = match json_body(shared, r).await {
        Ok(b) => b,
        Err(reply) => return reply,
    };
    if body.pointer("/data/type").and_then(Value::as_str) != Some("vote") {
        return Reply::bad_request(
            "Expected {\"data\": {\"type\": \"vote\", \"attributes\": {\"verdict\": ...}}}",
        );
    }
    let verdict = match body
        .pointer("/data/attributes/verdict")
        .and_then(Value::as_str)
    {
        Some(v @ ("malicious" | "harmless")) => v.to_owned(),
        other => {
            return Reply::invalid_argument(format!(
                "Invalid verdict {:?}: expected \"malicious\" or \"harmless\"",
                other.unwrap_or("")
            ));
        }
    };
    let user = r.user();
    let now = shared.now();
    let mut store = shared.write();
    let key = match resolve(&store, kind, id) {
        Ok(k) => k,
        Err(reply) => return reply,
    };
    if let Some(existing) = store
        .object_votes
        .get(&key)
        .and_then(|vs| vs.iter().find(|v| v.owner == user))
    {
        return Reply::error(
            ErrorCode::AlreadyExists,
            format!(
                "User \"{user}\" already voted \"{}\" for this {}",
                existing.verdict,
                object_word(kind)
            ),
        );
    }
    let suffix = store.next_suffix(&format!("vote{}{user}", key.1));
    let vote = Vote {
        id: format!("{}-{}-{suffix}", kind.id_prefix(), key.1),
        owner: user,
        date: now,
        value: if verdict == "malicious" { -1 } else { 1 },
        verdict,
    };
    let mut out = vote.to_json(&r.base);
    // VirusTotal answers a new vote with `"links": {"self": null}`.
    out["links"] = json!({"self": null});
    store.add_vote(&key, vote);
    Reply::data(out)
}

/// `GET /comments` (newest first; `filter=tag:<tag>`).
pub(crate) fn list_all(shared: &Shared, r: &Req) -> Reply {
    let store = shared.read();
    let tag = r
        .q("filter")
        .and_then(|f| f.strip_prefix("tag:"))
        .map(str::to_lowercase);
    let ids: Vec<&String> = store
        .comment_order
        .iter()
        .rev()
        .filter(|id| {
            tag.as_ref()
                .is_none_or(|t| store.comments.get(*id).is_some_and(|c| c.tags.contains(t)))
        })
        .collect();
    let page = match paging::page(r, ids.len(), MAX_LIMIT) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let data = ids[page.start..page.end]
        .iter()
        .filter_map(|id| store.comments.get(*id))
        .map(|c| c.to_json(&r.base))
        .collect();
    paging::collection(r, data, &page, ids.len(), None)
}

/// `GET /comments/{id}`.
pub(crate) fn get(shared: &Shared, r: &Req, id: &str) -> Reply {
    let store = shared.read();
    match store.comments.get(id) {
        Some(c) => Reply::data(c.to_json(&r.base)),
        None => Reply::not_found("Comment", id),
    }
}

/// `DELETE /comments/{id}` (own comments only).
pub(crate) fn delete(shared: &Shared, r: &Req, id: &str) -> Reply {
    let mut store = shared.write();
    match store.comments.get(id) {
        None => Reply::not_found("Comment", id),
        Some(c) if c.author != r.user() => Reply::forbidden(),
        Some(_) => {
            store.remove_comment(id);
            Reply::json(&json!({}))
        }
    }
}

/// `POST /comments/{id}/vote` with `{"data": "positive" | "negative" | "abuse"}`.
pub(crate) async fn vote_comment(shared: &Shared, r: &mut Req, id: &str) -> Reply {
    if !shared.read().comments.contains_key(id) {
        return Reply::not_found("Comment", id);
    }
    let body = match json_body(shared, r).await {
        Ok(b) => b,
        Err(reply) => return reply,
    };
    let verdict = match body.get("data").and_then(Value::as_str) {
        Some(v @ ("positive" | "negative" | "abuse")) => v.to_owned(),
        _ => {
            return Reply::invalid_argument(
                "Expected {\"data\": \"positive\"}, \"negative\" or \"abuse\"",
            );
        }
    };
    let user = r.user();
    let mut store = shared.write();
    let voters = store.comment_voters.entry(id.to_owned()).or_default();
    if voters.contains(&user) {
        return Reply::error(
            ErrorCode::AlreadyExists,
            format!("User \"{user}\" already voted on comment \"{id}\""),
        );
    }
    voters.push(user);
    let Some(c) = store.comments.get_mut(id) else {
        return Reply::not_found("Comment", id);
    };
    match verdict.as_str() {
        "positive" => c.positive += 1,
        "negative" => c.negative += 1,
        _ => c.abuse += 1,
    }
    Reply::data(json!({"abuse": c.abuse, "negative": c.negative, "positive": c.positive}))
}

/// `GET /comments/{id}/author` (and its descriptor form).
pub(crate) fn related(shared: &Shared, r: &Req, id: &str, rel: &str, descriptors: bool) -> Reply {
    let store = shared.read();
    let Some(c) = store.comments.get(id) else {
        return Reply::not_found("Comment", id);
    };
    match rel {
        "author" => {
            let data = if descriptors {
                json!({"type": "user", "id": c.author})
            } else {
                json!({"type": "user", "id": c.author, "links": {"self": format!("{}/api/v3/users/{}", r.base, c.author)}, "attributes": {"reputation": 0, "status": "active"}})
            };
            Reply::data(data)
        }
        "item" => {
            let k = &c.target;
            let data = if descriptors {
                super::objects::descriptor(k)
            } else {
                super::objects::full_or_error(&store, k)
            };
            Reply::data(data)
        }
        _ => Reply::invalid_argument(format!("Invalid relationship: {rel}")),
    }
}
