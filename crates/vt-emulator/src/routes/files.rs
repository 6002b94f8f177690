//! File uploads: direct (`POST /files`) and through single-use upload URLs.

use std::sync::atomic::Ordering;

use serde_json::{Value, json};

use super::analyses::{create, descriptor_reply};
use super::monitor;
use super::receive::{UploadedFile, receive};
use super::request::Req;
use crate::http::reply::Reply;
use crate::records::{AnalysisTarget, Content, Kind, UploadKind, UploadToken};
use crate::reports::file::{FileFacts, file_object};
use crate::reports::file_types::sniff;
use crate::rng::SeededRng;
use crate::state::Shared;

/// Moves an upload to its final place and makes the file known. Returns the SHA-256.
pub(crate) async fn register(shared: &Shared, base: &str, f: UploadedFile) -> String {
    let final_path = shared.upload_path(&f.sha256);
    if tokio::fs::rename(&f.path, &final_path).await.is_err() {
        let _ = tokio::fs::remove_file(&f.path).await;
    }
    let stored = tokio::fs::metadata(&final_path).await.is_ok();
    shared.stats.uploads.fetch_add(1, Ordering::Relaxed);
    let now = shared.now();
    let name = f.filename.clone().unwrap_or_else(|| f.sha256.clone());
    let mut store = shared.write();
    if stored && !matches!(store.contents.get(&f.sha256), Some(Content::Memory(_))) {
        store.contents.insert(
            f.sha256.clone(),
            Content::Disk {
                path: final_path,
                size: f.size,
            },
        );
    }
    let key = (Kind::File, f.sha256.clone());
    if let Some(obj) = store.objects.get_mut(&key) {
        let times = obj
            .attr("times_submitted")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        obj.set_attr("times_submitted", json!(times + 1));
        obj.set_attr("last_submission_date", json!(now));
        if let Some(Value::Array(names)) = obj.attr_mut("names")
            && !names.iter().any(|n| n == &json!(name))
        {
            names.push(json!(name));
        }
        obj.refresh();
    } else {
        let mut rng = SeededRng::derive(shared.config.seed, &f.sha256, 0);
        let malicious = if rng.chance(0.25) {
            rng.range(3, 50) as usize
        } else {
            0
        };
        let obj = file_object(
            base,
            &mut rng,
            &FileFacts {
                md5: &f.md5,
                sha1: &f.sha1,
                sha256: &f.sha256,
                size: f.size,
                names: vec![name],
                file_type: sniff(&f.head),
                first_seen: now,
                last_seen: now,
                malicious,
            },
        );
        store.insert(Kind::File, obj);
    }
    f.sha256
}

async fn upload_file(shared: &Shared, r: &mut Req, limit: u64) -> Reply {
    let rec = match receive(shared, r, limit).await {
        Ok(rec) => rec,
        Err(reply) => return reply,
    };
    let Some(file) = rec.file else {
        return Reply::bad_request("The \"file\" part is missing");
    };
    if rec.fields.get("password").is_some_and(|p| !p.is_empty())
        && !file.head.starts_with(b"PK\x03\x04")
    {
        let _ = tokio::fs::remove_file(&file.path).await;
        return Reply::bad_request("A password was given but the file is not a ZIP archive");
    }
    let sha256 = register(shared, &r.base, file).await;
    // Livehunt: the rulesets that exist now run on the new file.
    shared.livehunt_scan(&sha256).await;
    let mut store = shared.write();
    let id = create(
        &mut store,
        AnalysisTarget::File { sha256 },
        shared.clock.now_ms(),
    );
    descriptor_reply(&r.base, &id)
}

/// `POST /files` (32 MB limit on the whole body).
pub(crate) async fn upload_direct(shared: &Shared, r: &mut Req) -> Reply {
    upload_file(shared, r, shared.config.direct_upload_limit).await
}

/// `GET /files/upload_url` and `GET /monitor/items/upload_url`.
pub(crate) fn upload_url(shared: &Shared, r: &Req, kind: UploadKind) -> Reply {
    let token = shared.token("u");
    shared
        .write()
        .upload_tokens
        .insert(token.clone(), UploadToken { kind });
    Reply::data(json!(format!("{}/_upload/{token}", r.base)))
}

/// `POST /_upload/{token}`: single use, 650 MB limit.
pub(crate) async fn upload_to_url(shared: &Shared, token: &str, r: &mut Req) -> Reply {
    let Some(t) = shared.write().upload_tokens.remove(token) else {
        return Reply::not_found("Upload URL", token);
    };
    match t.kind {
        UploadKind::Files => upload_file(shared, r, shared.config.upload_url_limit).await,
        UploadKind::Monitor => {
            monitor::create_with_limit(shared, r, shared.config.upload_url_limit).await
        }
        UploadKind::Private { owner } => {
            super::private::upload(shared, r, shared.config.upload_url_limit, owner).await
        }
    }
}
