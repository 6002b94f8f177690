//! Streaming downloads to any [`AsyncWrite`] or to a path.
//!
//! Bytes go from the connection to the writer as they arrive; nothing is buffered whole.
//! Writing to a path goes through a temporary file in the same directory
//! (`.<name>.vt-partial-<random>`), synced and renamed over the destination only once every
//! byte is in: a failed or interrupted download never leaves a file under the final name
//! (the temporary file is removed on failure). Redirects (VirusTotal answers downloads with a
//! redirect to a signed URL) are followed by the transport, which does not carry the API key
//! to another host.
//!
//! Progress callbacks receive `(bytes written, total)`, `total` being the `Content-Length`
//! when the server sent one and `0` otherwise.

use std::path::{Path, PathBuf};

use http::Response;
use http_body::Body as _;
use http_body_util::BodyExt;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use vt_transport::ResponseBody;

use crate::client::{Client, HttpService};
use crate::error::{Error, Result};
use crate::request::ApiRequest;
use crate::upload::Progress;

/// Downloads take any content type.
const ANY: http::HeaderValue = http::HeaderValue::from_static("*/*");

/// Bytes buffered before a write to disk.
const WRITE_BUFFER: usize = 1 << 20;

/// Copies a response body to `writer`; returns the number of bytes written.
pub(crate) async fn body_to_writer<W>(
    response: Response<ResponseBody>,
    writer: &mut W,
    progress: Option<&Progress>,
    path_for_errors: &Path,
) -> Result<u64>
where
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut body = response.into_body();
    let total = body.size_hint().exact().unwrap_or(0);
    let mut written = 0u64;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(Error::Transport)?;
        if let Ok(data) = frame.into_data() {
            writer
                .write_all(&data)
                .await
                .map_err(|e| Error::io(path_for_errors, e))?;
            written += data.len() as u64;
            if let Some(p) = progress {
                p(written, total);
            }
        }
    }
    writer
        .flush()
        .await
        .map_err(|e| Error::io(path_for_errors, e))?;
    Ok(written)
}

/// A temporary file beside `dest`, removed on drop unless persisted.
struct Partial {
    path: PathBuf,
    keep: bool,
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Downloads the answer of `request` to `dest` through a temporary file (see the module docs).
pub(crate) async fn request_to_path<S: HttpService>(
    client: &Client<S>,
    request: ApiRequest,
    dest: &Path,
    progress: Option<&Progress>,
) -> Result<u64> {
    let name = dest
        .file_name()
        .ok_or_else(|| Error::invalid(dest.display().to_string(), "not a file path"))?
        .to_string_lossy()
        .into_owned();
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    // Ask first, so an error answer creates no file at all.
    let response = client.send_raw(request.accept(ANY)).await?;
    let partial = Partial {
        path: dir.join(format!(".{name}.vt-partial-{:016x}", rand::random::<u64>())),
        keep: false,
    };
    let file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&partial.path)
        .await
        .map_err(|e| Error::io(&partial.path, e))?;
    // Few large writes: each write of a tokio file is a trip to the blocking pool.
    let mut writer = tokio::io::BufWriter::with_capacity(WRITE_BUFFER, file);
    let written = body_to_writer(response, &mut writer, progress, dest).await?;
    let file = writer.into_inner();
    file.sync_all().await.map_err(|e| Error::io(dest, e))?;
    drop(file);
    tokio::fs::rename(&partial.path, dest)
        .await
        .map_err(|e| Error::io(dest, e))?;
    let mut partial = partial;
    partial.keep = true;
    Ok(written)
}

/// Downloads the answer of `request` to `writer`.
pub(crate) async fn request_to_writer<S, W>(
    client: &Client<S>,
    request: ApiRequest,
    writer: &mut W,
    progress: Option<&Progress>,
) -> Result<u64>
where
    S: HttpService,
    W: AsyncWrite + Unpin + ?Sized,
{
    let response = client.send_raw(request.accept(ANY)).await?;
    body_to_writer(response, writer, progress, Path::new("<writer>")).await
}

/// Options of a download.
#[derive(Clone, Default)]
pub struct DownloadOptions {
    pub(crate) progress: Option<Progress>,
}

impl std::fmt::Debug for DownloadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadOptions")
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl DownloadOptions {
    /// No progress callback.
    pub fn new() -> Self {
        Self::default()
    }

    /// Calls `progress(written, total)` as bytes arrive (`total` is 0 when unknown).
    pub fn progress(mut self, progress: impl Fn(u64, u64) + Send + Sync + 'static) -> Self {
        self.progress = Some(std::sync::Arc::new(progress));
        self
    }
}
