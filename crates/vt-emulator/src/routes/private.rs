//! Private scanning (`/private/...`, premium keys): uploads and URL scans that stay out of
//! the public store (see [`crate::private_scans`]), private analyses that move from `queued`
//! to `completed` like public ones, and the private file and URL reports.

use base64::Engine as _;
use serde_json::{Value, json};

use super::analyses::status_at;
use super::objects::resolve_url_id;
use super::paging::{MAX_LIMIT, collection, page};
use super::receive::{UploadedFile, receive, url_form};
use super::request::Req;
use crate::http::reply::Reply;
use crate::private_scans::{PrivateAnalysis, PrivateTarget};
use crate::records::StoredObject;
use crate::reports::behaviour::{BehaviourFacts, behaviour_object, sandboxes_for};
use crate::reports::file::FileFacts;
use crate::reports::file_types::sniff;
use crate::reports::private::{
    private_analysis_body, private_file_object, private_sandboxes, private_url_object,
};
use crate::rng::SeededRng;
use crate::state::Shared;
use crate::url_id::url_id;

/// The retention period when none is asked for (the group default VirusTotal documents).
const DEFAULT_RETENTION_DAYS: u64 = 1;

/// Checks the options VirusTotal documents for private scans (form fields or query
/// parameters); returns the retention period in days.
fn check_options<'a>(get: impl Fn(&str) -> Option<&'a str>, url_scan: bool) -> Result<u64, Reply> {
    let days = match get("retention_period_days") {
        None | Some("") => DEFAULT_RETENTION_DAYS,
        Some(d) => match d.parse::<u64>() {
            Ok(n @ 1..=28) => n,
            _ => {
                return Err(Reply::invalid_argument(format!(
                    "Invalid retention_period_days: {d:?} (1 to 28)"
                )));
            }
        },
    };
    let regions: &[&str] = if url_scan {
        &["US", "CA", "EU", "GB"]
    } else {
        &["US", "EU"]
    };
    if let Some(r) = get("storage_region").filter(|r| !r.is_empty())
        && !regions.contains(&r)
    {
        return Err(Reply::invalid_argument(format!(
            "Invalid storage_region: {r:?} (one of {})",
            regions.join(", ")
        )));
    }
    if let Some(t) = get("interaction_timeout").filter(|t| !t.is_empty())
        && !t.parse::<u64>().is_ok_and(|n| (60..=1800).contains(&n))
    {
        return Err(Reply::invalid_argument(format!(
            "Invalid interaction_timeout: {t:?} (60 to 1800 seconds)"
        )));
    }
    for flag in ["disable_sandbox", "enable_internet", "intercept_tls"] {
        if let Some(v) = get(flag).filter(|v| !v.is_empty())
            && !matches!(v, "true" | "false")
        {
            return Err(Reply::invalid_argument(format!(
                "Invalid {flag}: {v:?} (true or false)"
            )));
        }
    }
    Ok(days)
}

/// A new private analysis id: standard base64 of `<md5 or url id>:<time>`, bumped until it
/// is unique and has no `/` (so it is one path segment as given).
fn new_analysis_id(shared: &Shared, seed: &str) -> String {
    let store = shared.read();
    let mut ts = shared.now();
    loop {
        let id = base64::engine::general_purpose::STANDARD.encode(format!("{seed}:{ts}"));
        if !id.contains('/') && !store.private.analyses.contains_key(&id) {
            return id;
        }
        ts += 1;
    }
}

fn descriptor(base: &str, id: &str) -> Reply {
    Reply::data(json!({
        "type": "private_analysis",
        "id": id,
        "links": {"self": format!("{base}/api/v3/private/analyses/{id}")},
    }))
}

/// Records a private file (new or scanned again) and its analysis.
fn record_file(shared: &Shared, r: &Req, owner: String, f: &UploadedFile, days: u64) -> Reply {
    let now = shared.now();
    let file_type = sniff(&f.head);
    let sandboxes = private_sandboxes(file_type.tag);
    let mut rng = SeededRng::derive(shared.config.seed, &format!("private:{}", f.sha256), 0);
    let name = f.filename.clone().unwrap_or_else(|| f.sha256.clone());
    let obj = private_file_object(
        &r.base,
        &mut rng,
        &FileFacts {
            md5: &f.md5,
            sha1: &f.sha1,
            sha256: &f.sha256,
            size: f.size,
            names: vec![name],
            file_type,
            first_seen: now,
            last_seen: now,
            malicious: 0,
        },
        &sandboxes,
        days,
        now,
    );
    let id = new_analysis_id(shared, &f.md5);
    let mut store = shared.write();
    store
        .private
        .files
        .insert((owner.clone(), f.sha256.clone()), StoredObject::new(obj));
    store.private.analyses.insert(
        id.clone(),
        PrivateAnalysis {
            owner,
            target: PrivateTarget::File {
                sha256: f.sha256.clone(),
                sha1: f.sha1.clone(),
                md5: f.md5.clone(),
                size: f.size,
            },
            created_ms: shared.clock.now_ms(),
            polls: 0,
            sandboxes,
        },
    );
    descriptor(&r.base, &id)
}

/// A private upload, direct or through an upload URL (`limit` on the request body). The
/// bytes are hashed and dropped: nothing private is ever served back.
pub(crate) async fn upload(shared: &Shared, r: &mut Req, limit: u64, owner: String) -> Reply {
    let rec = match receive(shared, r, limit).await {
        Ok(rec) => rec,
        Err(reply) => return reply,
    };
    let Some(file) = rec.file else {
        return Reply::bad_request("The \"file\" part is missing");
    };
    let _ = tokio::fs::remove_file(&file.path).await;
    if rec.fields.get("password").is_some_and(|p| !p.is_empty())
        && !file.head.starts_with(b"PK\x03\x04")
    {
        return Reply::bad_request("A password was given but the file is not a ZIP archive");
    }
    let days = match check_options(|k| rec.fields.get(k).map(String::as_str), false) {
        Ok(d) => d,
        Err(reply) => return reply,
    };
    record_file(shared, r, owner, &file, days)
}

/// `POST /private/files` (32 MB limit on the whole body).
pub(crate) async fn upload_direct(shared: &Shared, r: &mut Req) -> Reply {
    let owner = r.user();
    upload(shared, r, shared.config.direct_upload_limit, owner).await
}

/// `POST /private/urls` (form field `url`, plus the documented options).
pub(crate) async fn submit_url(shared: &Shared, r: &mut Req) -> Reply {
    let (url, fields) = match url_form(shared, r).await {
        Ok(form) => form,
        Err(reply) => return reply,
    };
    let days = match check_options(|k| fields.get(k).map(String::as_str), true) {
        Ok(d) => d,
        Err(reply) => return reply,
    };
    let sandboxes: Vec<String> = match fields.get("sandboxes").filter(|s| !s.is_empty()) {
        Some(list) => list.split(',').map(|s| s.trim().to_owned()).collect(),
        None => vec!["chrome_headless_linux".to_owned()],
    };
    let owner = r.user();
    let uid = url_id(&url);
    let now = shared.now();
    let mut rng = SeededRng::derive(shared.config.seed, &format!("private:{uid}"), 0);
    let obj = private_url_object(&r.base, &mut rng, &uid, &url, days, now);
    let id = new_analysis_id(shared, &uid);
    let mut store = shared.write();
    store
        .private
        .urls
        .insert((owner.clone(), uid.clone()), StoredObject::new(obj));
    store.private.analyses.insert(
        id.clone(),
        PrivateAnalysis {
            owner,
            target: PrivateTarget::Url { id: uid, url },
            created_ms: shared.clock.now_ms(),
            polls: 0,
            sandboxes,
        },
    );
    descriptor(&r.base, &id)
}

/// `GET /private/analyses/{id}` (counts as a poll). Another user's analysis is not found.
pub(crate) fn analysis(shared: &Shared, r: &Req, id: &str) -> Reply {
    let now_ms = shared.clock.now_ms();
    let owner = r.user();
    let mut store = shared.write();
    let Some(a) = store
        .private
        .analyses
        .get_mut(id)
        .filter(|a| a.owner == owner)
    else {
        return Reply::not_found("Private analysis", id);
    };
    let status = status_at(a.created_ms, a.polls, &shared.config.analysis, now_ms);
    a.polls = a.polls.saturating_add(1);
    Reply::json(&private_analysis_body(&r.base, id, a, status))
}

/// `GET /private/files/{id}` (MD5, SHA-1 or SHA-256 of one of the caller's private files).
pub(crate) fn file(shared: &Shared, r: &Req, id: &str) -> Reply {
    let owner = r.user();
    let store = shared.read();
    match store
        .private
        .resolve_file(&owner, id)
        .and_then(|sha| store.private.files.get(&(owner, sha)))
    {
        Some(obj) => Reply::ok_bytes(obj.body()),
        None => Reply::not_found("Private file", id),
    }
}

/// `GET /private/files`: the caller's private files by SHA-256 (`limit` at most 40).
pub(crate) fn list(shared: &Shared, r: &Req) -> Reply {
    let owner = r.user();
    let store = shared.read();
    let all: Vec<&StoredObject> = store.private.files_of(&owner).collect();
    let p = match page(r, all.len(), MAX_LIMIT) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let data = all[p.start..p.end].iter().map(|o| o.data.clone()).collect();
    collection(r, data, &p, all.len(), None)
}

/// `POST /private/files/{id}/analyse` (the options as query parameters).
pub(crate) fn analyse(shared: &Shared, r: &Req, id: &str) -> Reply {
    let owner = r.user();
    let days = match check_options(|k| r.q(k), false) {
        Ok(d) => d,
        Err(reply) => return reply,
    };
    let (sha256, sha1, md5, size, tag) = {
        let store = shared.read();
        let Some(sha) = store.private.resolve_file(&owner, id) else {
            return Reply::not_found("Private file", id);
        };
        let Some(obj) = store.private.files.get(&(owner.clone(), sha.clone())) else {
            return Reply::not_found("Private file", id);
        };
        let s = |k: &str| obj.attr(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let size = obj.attr("size").and_then(Value::as_u64).unwrap_or(0);
        (sha, s("sha1"), s("md5"), size, s("type_tag"))
    };
    let aid = new_analysis_id(shared, &md5);
    let now = shared.now();
    let mut store = shared.write();
    if let Some(obj) = store
        .private
        .files
        .get_mut(&(owner.clone(), sha256.clone()))
    {
        obj.set_attr("expiration_date", json!(now + days * 86_400));
        obj.set_attr("last_analysis_date", json!(now));
        obj.refresh();
    }
    store.private.analyses.insert(
        aid.clone(),
        PrivateAnalysis {
            owner,
            target: PrivateTarget::File {
                sha256,
                sha1,
                md5,
                size,
            },
            created_ms: shared.clock.now_ms(),
            polls: 0,
            sandboxes: private_sandboxes(&tag),
        },
    );
    descriptor(&r.base, &aid)
}

/// `GET /private/files/{id}/behaviours`: one report per sandbox the file ran in
/// (deterministic from the seed and the hash).
pub(crate) fn behaviours(shared: &Shared, r: &Req, id: &str) -> Reply {
    let owner = r.user();
    let store = shared.read();
    let Some(sha) = store.private.resolve_file(&owner, id) else {
        return Reply::not_found("Private file", id);
    };
    let Some(obj) = store.private.files.get(&(owner, sha.clone())) else {
        return Reply::not_found("Private file", id);
    };
    let tag = obj.attr("type_tag").and_then(Value::as_str).unwrap_or("");
    let name = obj
        .attr("meaningful_name")
        .and_then(Value::as_str)
        .unwrap_or(&sha)
        .to_owned();
    let date = obj
        .attr("last_analysis_date")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let (platform, _) = sandboxes_for(tag);
    let malicious = obj
        .attr("sandbox_verdicts")
        .and_then(Value::as_object)
        .is_some_and(|v| v.values().any(|s| s["category"] == "malicious"));
    let mut rng = SeededRng::derive(shared.config.seed, &format!("private-behaviour:{sha}"), 0);
    let reports: Vec<Value> = private_sandboxes(tag)
        .iter()
        .map(|sandbox| {
            behaviour_object(
                &r.base,
                &mut rng,
                &BehaviourFacts {
                    sha256: &sha,
                    sandbox,
                    platform,
                    name: &name,
                    date,
                    malicious,
                    label: None,
                    domains: &[],
                    ips: &[],
                    urls: &[],
                    dropped: &[],
                },
            )
        })
        .collect();
    let p = match page(r, reports.len(), MAX_LIMIT) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let data = reports[p.start..p.end].to_vec();
    collection(r, data, &p, reports.len(), None)
}

/// `GET /private/urls/{id}` (SHA-256 of the canonical URL, or its unpadded base64url).
pub(crate) fn url(shared: &Shared, r: &Req, id: &str) -> Reply {
    let uid = resolve_url_id(id);
    let store = shared.read();
    match store.private.urls.get(&(r.user(), uid)) {
        Some(obj) => Reply::ok_bytes(obj.body()),
        None => Reply::not_found("Private URL", id),
    }
}
