//! Receiving a multipart upload: the `file` part streamed to disk while it is hashed, the
//! text fields kept (shared by file uploads and VT Monitor uploads); and the form of a URL
//! submission (public and private).

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use http::StatusCode;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::request::Req;
use crate::digest::hex;
use crate::http::multipart::{BodyError, BodyReader, Multipart, boundary, read_form};
use crate::http::reply::Reply;
use crate::state::Shared;

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
            let tmp = shared.upload_path(&format!("upload-{n}.part"));
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

/// The form of a URL submission (`POST /urls`, `POST /private/urls`; urlencoded or
/// multipart, at most 1 MiB): the `url` field, trimmed and checked as VirusTotal
/// canonicalises it, and every field.
pub(crate) async fn url_form(
    shared: &Shared,
    r: &mut Req,
) -> Result<(String, HashMap<String, String>), Reply> {
    let Some(body) = r.body.take() else {
        return Err(Reply::bad_request("Missing request body"));
    };
    let ct = r.content_type().to_owned();
    let fields = read_form(BodyReader::new(body, 1 << 20, shared.stats.clone()), &ct)
        .await
        .map_err(|e| Reply::bad_request(e.to_string()))?;
    let Some(url) = fields
        .get("url")
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty())
    else {
        return Err(Reply::bad_request("The \"url\" form field is missing"));
    };
    if url.contains(char::is_whitespace) || !url.contains('.') && !url.contains("localhost") {
        return Err(Reply::bad_request(format!(
            "Unable to canonicalize url: {url:?}"
        )));
    }
    Ok((url, fields))
}
