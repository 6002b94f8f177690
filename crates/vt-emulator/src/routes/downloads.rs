//! File downloads: signed, reusable download URLs (one hour on the emulator's clock) and
//! the bytes behind them.

use http::StatusCode;
use http_body_util::BodyExt;
use serde_json::json;

use super::request::Req;
use crate::http::body::{FileBody, full};
use crate::http::reply::Reply;
use crate::records::{Content, DownloadToken};
use crate::state::Shared;

/// A signed download URL for `sha256` (valid one hour on the emulator's clock).
pub(crate) fn signed_url(shared: &Shared, base: &str, sha256: &str) -> String {
    let token = shared.token("d");
    let expires_ms = shared.clock.now_ms() + 3_600_000;
    shared.write().download_tokens.insert(
        token.clone(),
        DownloadToken {
            sha256: sha256.to_owned(),
            expires_ms,
        },
    );
    format!("{base}/_download/{token}")
}

fn downloadable(shared: &Shared, id: &str) -> Result<String, Reply> {
    let store = shared.read();
    let Some(sha) = store.resolve_file(id) else {
        return Err(Reply::not_found("File", id));
    };
    if !store.contents.contains_key(&sha) {
        return Err(Reply::not_found("File content", id));
    }
    Ok(sha)
}

/// `GET /files/{id}/download_url`.
pub(crate) fn download_url(shared: &Shared, r: &Req, id: &str) -> Reply {
    match downloadable(shared, id) {
        Ok(sha) => Reply::data(json!(signed_url(shared, &r.base, &sha))),
        Err(reply) => reply,
    }
}

/// `GET /files/{id}/download`: a 302 to a signed URL.
pub(crate) fn download(shared: &Shared, r: &Req, id: &str) -> Reply {
    match downloadable(shared, id) {
        Ok(sha) => Reply::Redirect(signed_url(shared, &r.base, &sha)),
        Err(reply) => reply,
    }
}

/// `GET /_download/{token}`: the bytes.
pub(crate) async fn download_token(shared: &Shared, token: &str) -> Reply {
    let (sha, content) = {
        let store = shared.read();
        let Some(t) = store.download_tokens.get(token) else {
            return Reply::not_found("Download URL", token);
        };
        if t.expires_ms < shared.clock.now_ms() {
            return Reply::error_with_status(
                StatusCode::FORBIDDEN,
                "ForbiddenError",
                "The download URL has expired",
            );
        }
        let Some(c) = store.contents.get(&t.sha256) else {
            return Reply::not_found("File", &t.sha256);
        };
        (t.sha256.clone(), c.clone())
    };
    match content {
        Content::Memory(b) => {
            let len = b.len() as u64;
            Reply::Raw {
                body: full(b),
                content_type: "application/octet-stream",
                len: Some(len),
                filename: Some(sha),
            }
        }
        Content::Disk { path, size } => match tokio::fs::File::open(&path).await {
            Ok(f) => Reply::Raw {
                body: FileBody::new(f, size).boxed(),
                content_type: "application/octet-stream",
                len: Some(size),
                filename: Some(sha),
            },
            Err(_) => Reply::not_found("File", &sha),
        },
    }
}
