//! ZIP bundles (`/intelligence/zip_files`, premium): create from many hashes (with or without
//! password), poll the state, and download through a signed URL once `finished`. See
//! [`crate::zip_bundle`].

use serde_json::{Value, json};

use super::comments::json_body;
use super::request::Req;
use crate::http::reply::Reply;
use crate::state::Shared;
use crate::zip_bundle::ZipJob;

/// Hashes accepted in one bundle.
const MAX_HASHES: usize = 10_000;

/// `POST /intelligence/zip_files`: `{"data": {"hashes": [...], "password"?: "..."}}`.
pub(crate) async fn create(shared: &Shared, r: &mut Req) -> Reply {
    let body = match json_body(shared, r).await {
        Ok(b) => b,
        Err(reply) => return reply,
    };
    let Some(hashes) = body.pointer("/data/hashes").and_then(Value::as_array) else {
        return Reply::bad_request("Expected {\"data\": {\"hashes\": [...]}}");
    };
    let hashes: Option<Vec<String>> = hashes
        .iter()
        .map(|h| h.as_str().map(|s| s.trim().to_ascii_lowercase()))
        .collect();
    let Some(hashes) = hashes.filter(|h| !h.is_empty() && h.len() <= MAX_HASHES) else {
        return Reply::bad_request(format!(
            "\"hashes\" must be a list of 1 to {MAX_HASHES} strings"
        ));
    };
    if let Some(bad) = hashes
        .iter()
        .find(|h| !(matches!(h.len(), 32 | 40 | 64) && h.bytes().all(|b| b.is_ascii_hexdigit())))
    {
        return Reply::bad_request(format!("Invalid hash {bad:?}"));
    }
    let password = match body.pointer("/data/password") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) if !p.is_empty() => Some(p.clone()),
        Some(_) => return Reply::bad_request("\"password\" must be a non-empty string"),
    };
    let now = shared.clock.now_ms();
    let mut store = shared.write();
    store.serial += 1;
    let n = crate::rng::mix64(shared.config.seed ^ store.serial.wrapping_mul(0x9e37));
    let job = ZipJob {
        id: format!("{}", 1_000_000_000_000_000 + n % 1_000_000_000_000_000),
        hashes,
        password,
        created_ms: now,
        built: None,
    };
    let answer = job.to_json(now);
    store.zip_files.insert(job.id.clone(), job);
    Reply::data(answer)
}

/// The bundle `id` at the emulator's now, built if its time has come.
fn current(shared: &Shared, id: &str) -> Result<ZipJob, Reply> {
    let now = shared.clock.now_ms();
    let due = match shared.read().zip_files.get(id) {
        None => return Err(Reply::not_found("ZIP file", id)),
        Some(job) => job.due(now),
    };
    let mut store = shared.write();
    if due {
        store.build_zip(id);
    }
    store
        .zip_files
        .get(id)
        .cloned()
        .ok_or_else(|| Reply::not_found("ZIP file", id))
}

/// `GET /intelligence/zip_files/{id}`.
pub(crate) fn get(shared: &Shared, id: &str) -> Reply {
    match current(shared, id) {
        Ok(job) => Reply::data(job.to_json(shared.clock.now_ms())),
        Err(reply) => reply,
    }
}

/// The signed URL of a finished bundle.
fn finished_url(shared: &Shared, r: &Req, id: &str) -> Result<String, Reply> {
    let job = current(shared, id)?;
    let status = job.to_json(shared.clock.now_ms())["attributes"]["status"].clone();
    if status != "finished" {
        return Err(Reply::bad_request(format!(
            "The ZIP file {id} is not finished (status: {})",
            status.as_str().unwrap_or("unknown")
        )));
    }
    Ok(super::downloads::signed_url(
        shared,
        &r.base,
        &job.content_key(),
    ))
}

/// `GET /intelligence/zip_files/{id}/download_url`.
pub(crate) fn download_url(shared: &Shared, r: &Req, id: &str) -> Reply {
    match finished_url(shared, r, id) {
        Ok(url) => Reply::data(json!(url)),
        Err(reply) => reply,
    }
}

/// `GET /intelligence/zip_files/{id}/download`: a 302 to the signed URL.
pub(crate) fn download(shared: &Shared, r: &Req, id: &str) -> Reply {
    match finished_url(shared, r, id) {
        Ok(url) => Reply::Redirect(url),
        Err(reply) => reply,
    }
}
