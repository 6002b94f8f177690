//! Streaming downloads to any [`AsyncWrite`] or to a path.
//!
//! Bytes go from the connection to the writer as they arrive; nothing is buffered whole.
//! Writing to a path goes through a temporary file in the same directory
//! (`.<name>.vt-partial-<random>`), synced (unless [`DownloadOptions::sync`] says not to) and
//! renamed over the destination only once every
//! byte is in: a failed or interrupted download never leaves a file under the final name
//! (the temporary file is removed on failure). Redirects (VirusTotal answers downloads with a
//! redirect to a signed URL) are followed by the transport, which does not carry the API key
//! to another host.
//!
//! Progress callbacks receive `(bytes written, total)`, `total` being the `Content-Length`
//! when the server sent one and `0` otherwise.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use http::Response;
use http_body::Body as _;
use http_body_util::BodyExt;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use vt_transport::ResponseBody;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::request::ApiRequest;
use crate::upload::Progress;

/// Downloads take any content type.
const ANY: http::HeaderValue = http::HeaderValue::from_static("*/*");

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

/// Size of one write to disk.
const WRITE_BUFFER: usize = 1 << 20;

/// Write buffers in circulation between the download and the writer thread: the memory a
/// download holds is this many [`WRITE_BUFFER`]s, whatever the file size.
const WRITE_BUFFERS: usize = 4;

/// Bytes written between two background flushes to disk (see [`body_to_file`]).
const SYNC_EVERY: u64 = 16 << 20;

/// Copies a response body into `file` and syncs it.
///
/// - Body frames are copied into a few 1 MiB buffers that one blocking task, owning the file
///   for the whole body, writes with `std::fs`: a `tokio::fs::File` sends every write to the
///   blocking pool with a copy of its own (`docs/benchmarks.md` has the profile). Copying
///   into a fixed set of buffers, rather than passing hyper's frames on, keeps the memory a
///   download holds fixed whatever the frame sizes.
/// - Every [`SYNC_EVERY`] bytes a helper thread asks the kernel to write what is on its way
///   (`sync_data` on a clone of the handle) while the download goes on, so the final
///   `sync_all` (a finished download is on disk) has only the tail left instead of the whole
///   file.
async fn body_to_file(
    response: Response<ResponseBody>,
    file: std::fs::File,
    progress: Option<&Progress>,
    sync: bool,
    dest: &Path,
) -> Result<u64> {
    let (full_tx, full_rx) = tokio::sync::mpsc::channel::<Vec<u8>>(WRITE_BUFFERS);
    let (empty_tx, empty_rx) = tokio::sync::mpsc::channel::<Vec<u8>>(WRITE_BUFFERS);
    let abandon = Arc::new(AtomicBool::new(false));
    let writer = spawn_file_writer(file, sync, full_rx, empty_tx, abandon.clone());
    let mut buffers = WriteBuffers {
        current: Vec::with_capacity(WRITE_BUFFER),
        created: 1,
        full_tx,
        empty_rx,
    };
    let mut body = response.into_body();
    let total = body.size_hint().exact().unwrap_or(0);
    let mut written = 0u64;
    let mut failed = None;
    while let Some(frame) = body.frame().await {
        let data = match frame {
            Ok(frame) => match frame.into_data() {
                Ok(data) => data,
                Err(_) => continue,
            },
            Err(e) => {
                failed = Some(Error::Transport(e));
                break;
            }
        };
        if !buffers.push(&data).await {
            // The writer stopped on an error: reported below.
            break;
        }
        written += data.len() as u64;
        if let Some(p) = progress {
            p(written, total);
        }
    }
    if failed.is_some() {
        // The file will be removed: do not wait for it to reach the disk.
        abandon.store(true, Ordering::Relaxed);
        drop(buffers);
    } else {
        buffers.finish().await;
    }
    let wrote = writer
        .await
        .map_err(|e| Error::io(dest, std::io::Error::other(e)))?;
    if let Some(err) = failed {
        return Err(err);
    }
    wrote.map_err(|e| Error::io(dest, e))?;
    Ok(written)
}

/// The download's side of the buffers in circulation: body bytes are copied into `current`;
/// a full buffer goes to the writer, and an empty one comes back (at most [`WRITE_BUFFERS`]
/// exist).
struct WriteBuffers {
    current: Vec<u8>,
    created: usize,
    full_tx: tokio::sync::mpsc::Sender<Vec<u8>>,
    empty_rx: tokio::sync::mpsc::Receiver<Vec<u8>>,
}

impl WriteBuffers {
    /// Copies `data` in, handing every buffer that fills to the writer; `false` when the
    /// writer is gone (it stopped on an error).
    async fn push(&mut self, mut data: &[u8]) -> bool {
        while !data.is_empty() {
            let take = data.len().min(WRITE_BUFFER - self.current.len());
            self.current.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.current.len() == WRITE_BUFFER {
                let next = if self.created < WRITE_BUFFERS {
                    self.created += 1;
                    Vec::with_capacity(WRITE_BUFFER)
                } else {
                    match self.empty_rx.recv().await {
                        Some(buf) => buf,
                        None => return false,
                    }
                };
                let full = std::mem::replace(&mut self.current, next);
                if self.full_tx.send(full).await.is_err() {
                    return false;
                }
            }
        }
        true
    }

    /// Hands the last, partly filled buffer to the writer and closes the channel.
    async fn finish(self) {
        if !self.current.is_empty() {
            let _ = self.full_tx.send(self.current).await;
        }
    }
}

/// The writer: one blocking task that owns `file`, writes each full buffer and sends it back
/// empty, asks a helper thread to sync every [`SYNC_EVERY`] bytes (with `sync`), and syncs
/// the whole file at the end unless the download was `abandoned`.
fn spawn_file_writer(
    mut file: std::fs::File,
    sync: bool,
    mut full_rx: tokio::sync::mpsc::Receiver<Vec<u8>>,
    empty_tx: tokio::sync::mpsc::Sender<Vec<u8>>,
    abandoned: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<std::io::Result<()>> {
    use std::io::Write as _;
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        // The background flusher: a signal means "sync what is written so far".
        let (sync_tx, sync_rx) = std::sync::mpsc::sync_channel::<()>(1);
        let flusher = match file.try_clone() {
            Ok(clone) if sync => Some(std::thread::spawn(move || {
                while sync_rx.recv().is_ok() {
                    let _ = clone.sync_data();
                }
            })),
            _ => None,
        };
        let mut since_sync = 0u64;
        let mut result = Ok(());
        while let Some(mut buf) = full_rx.blocking_recv() {
            if let Err(e) = file.write_all(&buf) {
                result = Err(e);
                break;
            }
            since_sync += buf.len() as u64;
            if since_sync >= SYNC_EVERY {
                since_sync = 0;
                // Busy with the previous one: skip, the next signal covers this too.
                let _ = sync_tx.try_send(());
            }
            buf.clear();
            let _ = empty_tx.blocking_send(buf);
        }
        drop(sync_tx);
        if let Some(flusher) = flusher {
            let _ = flusher.join();
        }
        if !sync || abandoned.load(Ordering::Relaxed) {
            return result;
        }
        result.and_then(|()| file.sync_all())
    })
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
pub(crate) async fn request_to_path(
    client: &Client,
    request: ApiRequest,
    dest: &Path,
    options: &DownloadOptions,
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
        .map_err(|e| Error::io(&partial.path, e))?
        .into_std()
        .await;
    let written = body_to_file(
        response,
        file,
        options.progress.as_ref(),
        options.sync,
        dest,
    )
    .await?;
    tokio::fs::rename(&partial.path, dest)
        .await
        .map_err(|e| Error::io(dest, e))?;
    let mut partial = partial;
    partial.keep = true;
    Ok(written)
}

/// Downloads the answer of `request` to `writer`.
pub(crate) async fn request_to_writer<W>(
    client: &Client,
    request: ApiRequest,
    writer: &mut W,
    progress: Option<&Progress>,
) -> Result<u64>
where
    W: AsyncWrite + Unpin + ?Sized,
{
    let response = client.send_raw(request.accept(ANY)).await?;
    body_to_writer(response, writer, progress, Path::new("<writer>")).await
}

/// Options of a download.
#[derive(Clone)]
pub struct DownloadOptions {
    pub(crate) progress: Option<Progress>,
    pub(crate) sync: bool,
}

impl Default for DownloadOptions {
    fn default() -> Self {
        DownloadOptions {
            progress: None,
            sync: true,
        }
    }
}

impl std::fmt::Debug for DownloadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadOptions")
            .field("progress", &self.progress.is_some())
            .field("sync", &self.sync)
            .finish()
    }
}

impl DownloadOptions {
    /// No progress callback; downloads to a path are synced to disk before they count as
    /// finished.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a download to a path is synced to disk (`fsync`) before it is renamed into
    /// place and reported finished (default: yes). Without it the file is complete for every
    /// reader at once, but a power loss shortly after may leave it empty or partial, as with
    /// `curl -o`; in exchange the download does not wait for the disk (`docs/benchmarks.md`,
    /// row 5, measures both). Writers given to
    /// `download_to_writer` are never synced by this crate.
    ///
    /// ```
    /// let fast = vt_api::DownloadOptions::new().sync(false);
    /// # let _ = fast;
    /// ```
    pub fn sync(mut self, sync: bool) -> Self {
        self.sync = sync;
        self
    }

    /// Calls `progress(written, total)` as bytes arrive (`total` is 0 when unknown).
    pub fn progress(mut self, progress: impl Fn(u64, u64) + Send + Sync + 'static) -> Self {
        self.progress = Some(std::sync::Arc::new(progress));
        self
    }
}
