//! File uploads (direct and through single-use upload URLs) and downloads (through signed,
//! reusable download URLs).

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use http::StatusCode;
use http_body_util::BodyExt;
use md5::Md5;
use serde_json::{Value, json};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::analyses::{create, descriptor_reply};
use super::{Req, monitor};
use crate::dataset::generate::{self, FileFacts, hex, sniff};
use crate::http::body::{FileBody, full};
use crate::http::multipart::{BodyError, BodyReader, Multipart, boundary};
use crate::http::reply::Reply;
use crate::rng::SeededRng;
use crate::server::{Shared, upload_path};
use crate::store::{AnalysisTarget, Content, DownloadToken, Kind, UploadKind, UploadToken};

/// A file received in a multipart body, already on disk.
pub(crate) struct UploadedFile {
    pub(crate) path: std::path::PathBuf,
    pub(crate) size: u64,
    pub(crate) md5: String,
    pub(crate) sha1: String,
    pub(crate) sha256: String,
    pub(crate) filename: Option<String>,
    pub(crate) head: Vec<u8>,
}

/// A received multipart body: the file part (if any) and the text fields.
pub(crate) struct Received {
    pub(crate) file: Option<UploadedFile>,
    pub(crate) fields: HashMap<String, String>,
}

fn too_large(limit: u64) -> Reply {
    Reply::error_with_status(
        StatusCode::PAYLOAD_TOO_LARGE,
        "BadRequestError",
        format!(
            "Request body larger than {limit} bytes; upload big files through /files/upload_url"
        ),
    )
}

/// Reads a multipart upload, streaming the `file` part to disk while hashing it.
pub(crate) async fn receive(shared: &Shared, r: &mut Req, limit: u64) -> Result<Received, Reply> {
    let Some(body) = r.body.take() else {
        return Err(Reply::bad_request("Missing request body"));
    };
    let Some(b) = boundary(r.content_type()) else {
        return Err(Reply::bad_request("Expected a multipart/form-data body"));
    };
    let declared = r
        .header("content-length")
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit) {
        // Known to be too big: skip parsing and hashing, just drain so the client reads the 413.
        let mut reader = BodyReader::new(body, u64::MAX, shared.stats.clone());
        if !reader.drain().await {
            return Err(Reply::Drop);
        }
        return Err(too_large(limit));
    }
    let mut mp = Multipart::new(BodyReader::new(body, limit, shared.stats.clone()), &b);
    match read_parts(shared, &mut mp).await {
        Ok(rec) => Ok(rec),
        Err((e, tmp)) => {
            if let Some(p) = tmp {
                let _ = tokio::fs::remove_file(p).await;
            }
            match e {
                BodyError::TooLarge { limit } => {
                    if !mp.drain().await {
                        return Err(Reply::Drop);
                    }
                    Err(too_large(limit))
                }
                BodyError::Malformed(m) => Err(Reply::bad_request(m)),
                BodyError::Hyper(_) => Err(Reply::Drop),
                BodyError::Io(e) => Err(Reply::error_with_status(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalError",
                    format!("cannot store the upload: {e}"),
                )),
            }
        }
    }
}

async fn read_parts(
    shared: &Shared,
    mp: &mut Multipart,
) -> Result<Received, (BodyError, Option<std::path::PathBuf>)> {
    let mut fields = HashMap::new();
    let mut file = None;
    while let Some(part) = mp.next_part().await.map_err(|e| (e, None))? {
        if part.filename.is_some() || part.name == "file" {
            if file.is_some() {
                // Only the first file part counts; skip others.
                while mp.chunk().await.map_err(|e| (e, None))?.is_some() {}
                continue;
            }
            let n = shared.upload_seq.fetch_add(1, Ordering::Relaxed);
            let tmp = upload_path(shared, &format!("upload-{n}.part"));
            let out = tokio::fs::File::create(&tmp)
                .await
                .map_err(|e| (BodyError::Io(e), None))?;
            let mut out = tokio::io::BufWriter::with_capacity(256 * 1024, out);
            let (mut m, mut s1, mut s2) = (Md5::new(), Sha1::new(), Sha256::new());
            let mut size = 0u64;
            let mut head = Vec::new();
            loop {
                let chunk = match mp.chunk().await {
                    Ok(Some(c)) => c,
                    Ok(None) => break,
                    Err(e) => return Err((e, Some(tmp))),
                };
                if head.len() < 16 {
                    head.extend_from_slice(&chunk[..chunk.len().min(16 - head.len())]);
                }
                m.update(&chunk);
                s1.update(&chunk);
                s2.update(&chunk);
                size += chunk.len() as u64;
                if let Err(e) = out.write_all(&chunk).await {
                    return Err((BodyError::Io(e), Some(tmp)));
                }
            }
            if let Err(e) = out.flush().await {
                return Err((BodyError::Io(e), Some(tmp)));
            }
            file = Some(UploadedFile {
                path: tmp,
                size,
                md5: hex(&m.finalize()),
                sha1: hex(&s1.finalize()),
                sha256: hex(&s2.finalize()),
                filename: part.filename.filter(|f| !f.is_empty()),
                head,
            });
        } else {
            let value = mp.text(1 << 20).await.map_err(|e| (e, None))?;
            fields.insert(part.name, value);
        }
    }
    Ok(Received { file, fields })
}

/// Moves an upload to its final place and makes the file known. Returns the SHA-256.
pub(crate) async fn register(shared: &Shared, base: &str, f: UploadedFile) -> String {
    let final_path = upload_path(shared, &f.sha256);
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
        let obj = generate::file_object(
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
    }
}

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
