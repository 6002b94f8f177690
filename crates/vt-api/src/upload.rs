//! Streaming multipart uploads from disk.
//!
//! A file is never read into memory: the request body is the multipart head, the file
//! streamed from disk in 256 KiB reads, and the closing boundary, with an exact
//! `Content-Length`. The rules VirusTotal imposes:
//!
//! - the whole request body of `POST /files` (and `POST /monitor/items`) must stay within
//!   [`DIRECT_UPLOAD_LIMIT`] (32 MiB); above that the file goes to a single-use upload URL
//!   (`GET /files/upload_url`), chosen automatically;
//! - files over [`MAX_UPLOAD_SIZE`] (650 MiB) are refused with
//!   [`Error::FileTooLarge`] before any request;
//! - the part header carries a plain `filename="..."` (VirusTotal's front end rejects the RFC
//!   5987 `filename*=` form); `"`, CR and LF are removed from the name; the part is
//!   `application/octet-stream`; the boundary is random.
//!
//! **Uploads are sent once and never retried automatically.** `POST /files` is not
//! idempotent: a replay after a lost answer would queue a second analysis and spend quota
//! twice. The body is therefore a one-shot stream that the transport's retry policy does not
//! replay; when an upload fails, the error says why and the caller decides whether to try
//! again.
//!
//! [`UploadOptions::progress`] reports `(bytes of the file sent, file size)` as the body is
//! handed to the connection.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use http::HeaderValue;
use http_body::Frame;
use http_body_util::StreamBody;
use vt_transport::{BoxError, VtBody};

use vt_model::{DataEnvelope, Descriptor};

use crate::client::{Client, HttpService};
use crate::error::{Error, Result};
use crate::request::ApiRequest;

/// Largest request body sent to `POST /files` (32 MiB); bigger uploads use an upload URL.
pub const DIRECT_UPLOAD_LIMIT: u64 = 32 * 1024 * 1024;
/// Largest file VirusTotal accepts (650 MiB, through an upload URL).
pub const MAX_UPLOAD_SIZE: u64 = 650 * 1024 * 1024;
/// Bytes read from disk at a time.
const READ_SIZE: usize = 256 * 1024;

/// A progress callback: `(bytes sent so far, total bytes)`.
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// Options of a file upload.
#[derive(Clone, Default)]
pub struct UploadOptions {
    pub(crate) password: Option<String>,
    pub(crate) progress: Option<Progress>,
    pub(crate) skip_known: bool,
    pub(crate) filename: Option<String>,
}

impl fmt::Debug for UploadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadOptions")
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("progress", &self.progress.is_some())
            .field("skip_known", &self.skip_known)
            .field("filename", &self.filename)
            .finish()
    }
}

impl UploadOptions {
    /// Default options: no password, no progress, always upload, the file's own name.
    pub fn new() -> Self {
        Self::default()
    }

    /// The password of a ZIP holding one file, for VirusTotal to unpack it (`password` part).
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// Calls `progress(sent, total)` as the file's bytes are sent.
    pub fn progress(mut self, progress: impl Fn(u64, u64) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// Looks the file's SHA-256 up first and uploads only if VirusTotal does not know it
    /// (one report lookup of quota instead of an upload; the file is hashed locally).
    pub fn skip_known(mut self, yes: bool) -> Self {
        self.skip_known = yes;
        self
    }

    /// The file name to send instead of the file's own.
    pub fn filename(mut self, name: impl Into<String>) -> Self {
        self.filename = Some(name.into());
        self
    }
}

/// The file name as sent: `"`, CR and LF removed; empty names become `file`.
pub(crate) fn clean_filename(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| !matches!(c, '"' | '\r' | '\n'))
        .collect();
    if cleaned.is_empty() {
        "file".to_owned()
    } else {
        cleaned
    }
}

/// The name of the file at `path` (lossy UTF-8).
pub(crate) fn filename_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A local file checked for upload: it exists, is a regular file and is not too large.
#[derive(Debug)]
pub(crate) struct LocalFile {
    pub(crate) path: PathBuf,
    pub(crate) size: u64,
}

impl LocalFile {
    /// Checks `path` without sending anything (see [`check_upload_file`]).
    pub(crate) async fn check(path: &Path) -> Result<LocalFile> {
        let owned = path.to_owned();
        let size = tokio::task::spawn_blocking(move || check_upload_file(&owned))
            .await
            .map_err(|e| Error::io(path, std::io::Error::other(e)))??;
        Ok(LocalFile {
            path: path.to_owned(),
            size,
        })
    }
}

/// Checks that `path` is a regular file this process can open, and returns its size. The
/// one local-file rule of the workspace: hashing, uploads and `vt` use it before any request.
/// Fails with [`Error::Io`] (missing, unreadable) or [`Error::InvalidInput`] (a directory or
/// another non-regular file), each naming the path.
pub fn check_local_file(path: &Path) -> Result<u64> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(Error::invalid(
            path.display().to_string(),
            "not a regular file",
        ));
    }
    std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    Ok(meta.len())
}

/// [`check_local_file`], and the file is no larger than [`MAX_UPLOAD_SIZE`]
/// ([`Error::FileTooLarge`] otherwise): what every upload checks before its first request.
pub fn check_upload_file(path: &Path) -> Result<u64> {
    let size = check_local_file(path)?;
    if size > MAX_UPLOAD_SIZE {
        return Err(Error::FileTooLarge {
            path: path.to_owned(),
            size,
            limit: MAX_UPLOAD_SIZE,
        });
    }
    Ok(size)
}

/// Where the file part's bytes come from.
enum FileSource {
    Disk(tokio::fs::File),
    Memory(Bytes),
}

struct FilePart {
    name: String,
    filename: String,
    source: FileSource,
    size: u64,
    path: PathBuf,
}

/// A `multipart/form-data` body under construction.
pub(crate) struct Multipart {
    boundary: String,
    head: String,
    file: Option<FilePart>,
}

impl Multipart {
    pub(crate) fn new() -> Self {
        let boundary = format!("vt-rs-{:032x}", rand::random::<u128>());
        Multipart {
            boundary,
            head: String::new(),
            file: None,
        }
    }

    /// Adds a text field.
    pub(crate) fn text(mut self, name: &str, value: &str) -> Self {
        self.head.push_str(&format!(
            "--{}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n",
            self.boundary
        ));
        self
    }

    /// Adds the file part, streamed from an open file of `size` bytes.
    pub(crate) async fn file_from_disk(
        mut self,
        name: &str,
        filename: &str,
        local: &LocalFile,
    ) -> Result<Self> {
        let file = tokio::fs::File::open(&local.path)
            .await
            .map_err(|e| Error::io(&local.path, e))?;
        self.file = Some(FilePart {
            name: name.to_owned(),
            filename: clean_filename(filename),
            source: FileSource::Disk(file),
            size: local.size,
            path: local.path.clone(),
        });
        Ok(self)
    }

    /// Adds the file part from memory.
    pub(crate) fn file_from_bytes(mut self, name: &str, filename: &str, bytes: Bytes) -> Self {
        self.file = Some(FilePart {
            name: name.to_owned(),
            filename: clean_filename(filename),
            size: bytes.len() as u64,
            source: FileSource::Memory(bytes),
            path: PathBuf::from(filename),
        });
        self
    }

    fn file_head(&self) -> String {
        match &self.file {
            Some(part) => format!(
                "--{}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
                self.boundary, part.name, part.filename
            ),
            None => String::new(),
        }
    }

    fn tail(&self) -> String {
        if self.file.is_some() {
            format!("\r\n--{}--\r\n", self.boundary)
        } else {
            format!("--{}--\r\n", self.boundary)
        }
    }

    /// The exact length of the body.
    pub(crate) fn len(&self) -> u64 {
        self.head.len() as u64
            + self.file_head().len() as u64
            + self.file.as_ref().map_or(0, |f| f.size)
            + self.tail().len() as u64
    }

    /// The `Content-Type` header value.
    pub(crate) fn content_type(&self) -> HeaderValue {
        HeaderValue::from_str(&format!("multipart/form-data; boundary={}", self.boundary))
            .unwrap_or_else(|_| HeaderValue::from_static("multipart/form-data"))
    }

    /// The body (a one-shot stream: never replayed) and its content type.
    pub(crate) fn into_body(self, progress: Option<Progress>) -> (VtBody, HeaderValue) {
        let len = self.len();
        let content_type = self.content_type();
        let head = Bytes::from(format!("{}{}", self.head, self.file_head()));
        let tail = Bytes::from(self.tail());
        let Some(part) = self.file else {
            let mut all = head.to_vec();
            all.extend_from_slice(&tail);
            return (VtBody::from_bytes(all), content_type);
        };
        let size = part.size;
        let sent = Arc::new(AtomicU64::new(0));
        let file_stream = match part.source {
            FileSource::Memory(bytes) => {
                futures_util::stream::once(async move { Ok(bytes) }).boxed()
            }
            FileSource::Disk(file) => {
                let path = part.path.clone();
                tokio_util::io::ReaderStream::with_capacity(file, READ_SIZE)
                    .map_err(move |e| -> BoxError { Box::new(Error::io(&path, e)) })
                    .boxed()
            }
        };
        let path = part.path;
        let counted = file_stream.and_then(move |chunk: Bytes| {
            let total = sent.fetch_add(chunk.len() as u64, Ordering::Relaxed) + chunk.len() as u64;
            let result = if total > size {
                Err::<Bytes, BoxError>(Box::new(Error::io(
                    &path,
                    std::io::Error::other("the file grew while it was being uploaded"),
                )))
            } else {
                if let Some(p) = &progress {
                    p(total, size);
                }
                Ok(chunk)
            };
            std::future::ready(result)
        });
        let chunks = futures_util::stream::once(async move { Ok::<Bytes, BoxError>(head) })
            .chain(counted)
            .chain(futures_util::stream::once(async move {
                Ok::<Bytes, BoxError>(tail)
            }))
            .map_ok(Frame::data);
        let body = VtBody::from_stream(StreamBody::new(chunks), Some(len));
        (body, content_type)
    }
}

/// Fetches a single-use upload URL (`{"data": "<url>"}`); a relative answer is resolved
/// against the base URL.
pub(crate) async fn upload_url<S: HttpService>(client: &Client<S>, path: &str) -> Result<String> {
    let doc: DataEnvelope<String> = client.send(ApiRequest::get(path)).await?;
    let url = doc.data;
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(url)
    } else if url.starts_with('/') {
        Ok(format!("{}{url}", client.base_url()))
    } else {
        Err(Error::Decode {
            path: "data".into(),
            source: serde::de::Error::custom("the upload URL is not a URL"),
            snippet: crate::error::snippet(url.as_bytes()),
        })
    }
}

/// Sends a multipart body to `direct` when it fits the 32 MiB request limit, else to a fresh
/// upload URL from `upload_url_path`; decodes the `{"data": descriptor}` answer.
pub(crate) async fn send_multipart<S: HttpService>(
    client: &Client<S>,
    direct: &str,
    upload_url_path: &str,
    multipart: Multipart,
    progress: Option<Progress>,
) -> Result<Descriptor> {
    let target = if multipart.len() <= DIRECT_UPLOAD_LIMIT {
        direct.to_owned()
    } else {
        upload_url(client, upload_url_path).await?
    };
    let (body, content_type) = multipart.into_body(progress);
    let req = ApiRequest::post(target).body(body, Some(content_type));
    let doc: DataEnvelope<Descriptor> = client.send(req).await?;
    Ok(doc.data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use std::io::Write;

    #[test]
    fn filenames_lose_quotes_and_line_breaks() {
        assert_eq!(clean_filename("a\"b\r\nc.exe"), "abc.exe");
        assert_eq!(clean_filename("\"\""), "file");
        assert_eq!(clean_filename("résumé.pdf"), "résumé.pdf");
    }

    #[tokio::test]
    async fn the_body_is_exactly_as_long_as_announced_and_well_formed() {
        let mut tmp = tempfile::NamedTempFile::new().unwrap();
        tmp.write_all(b"hello world").unwrap();
        let local = LocalFile::check(tmp.path()).await.unwrap();
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen2 = seen.clone();
        let mp = Multipart::new()
            .text("password", "infected")
            .file_from_disk("file", "x\"y.bin", &local)
            .await
            .unwrap();
        let len = mp.len();
        let boundary = mp.boundary.clone();
        let (body, ct) = mp.into_body(Some(Arc::new(move |s, t| {
            seen2.lock().unwrap().push((s, t))
        })));
        assert!(!body.is_replayable(), "uploads are sent once");
        assert_eq!(body.len(), Some(len));
        assert_eq!(
            ct.to_str().unwrap(),
            format!("multipart/form-data; boundary={boundary}")
        );
        let bytes = body.collect().await.unwrap().to_bytes();
        assert_eq!(bytes.len() as u64, len);
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        assert!(text.contains("name=\"password\"\r\n\r\ninfected\r\n"));
        assert!(text.contains("name=\"file\"; filename=\"xy.bin\"\r\nContent-Type: application/octet-stream\r\n\r\nhello world\r\n"));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
        assert!(!text.contains("filename*"));
        assert_eq!(seen.lock().unwrap().last(), Some(&(11, 11)));
    }

    #[tokio::test]
    async fn a_file_that_grows_during_the_upload_is_an_error() {
        let mut tmp = tempfile::NamedTempFile::new().unwrap();
        tmp.write_all(b"abc").unwrap();
        let local = LocalFile::check(tmp.path()).await.unwrap();
        let mp = Multipart::new()
            .file_from_disk("file", "a", &local)
            .await
            .unwrap();
        tmp.write_all(b"def").unwrap();
        tmp.flush().unwrap();
        let (body, _) = mp.into_body(None);
        assert!(body.collect().await.is_err());
    }

    #[tokio::test]
    async fn folders_and_huge_files_are_refused_before_sending() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            LocalFile::check(dir.path())
                .await
                .unwrap_err()
                .is_invalid_input()
        );
        let big = tempfile::NamedTempFile::new().unwrap();
        big.as_file().set_len(MAX_UPLOAD_SIZE + 1).unwrap();
        let err = LocalFile::check(big.path()).await.unwrap_err();
        assert!(matches!(err, Error::FileTooLarge { size, .. } if size == MAX_UPLOAD_SIZE + 1));
    }
}
