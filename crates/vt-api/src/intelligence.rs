//! VirusTotal Intelligence (premium): search (`/intelligence/search`), search snippets, and
//! ZIP bundles of many files (`/intelligence/zip_files`).
//!
//! ## Search
//!
//! [`Intelligence::search`] returns the usual [`Paginator`] of typed [`AnyObject`]s (files,
//! or URLs, domains and IP addresses with `entity:` queries): set
//! [`limit`](Paginator::limit), [`order`](Paginator::order) (`positives-`,
//! `first_submission_date+`, ...; ignored by VirusTotal for content searches),
//! [`descriptors_only`](Paginator::descriptors_only), and resume with
//! [`start_at`](Paginator::start_at). Pages are capped at [`SEARCH_MAX_PAGE_SIZE`] (300), the
//! endpoint's maximum. Content and similarity searches put their data in each hit's
//! `context_attributes`, read with [`SearchContext::of`]; [`Intelligence::snippet`] fetches
//! the hexdump of a content match. The query is checked first ([`check_search_query`]): an
//! empty query or one longer than [`MAX_QUERY_CHARS`] fails before any request, as does a
//! cursor that cannot be one ([`check_cursor`]).
//!
//! ```no_run
//! # async fn run(client: vt_api::Client) -> Result<(), vt_api::Error> {
//! use futures_util::TryStreamExt;
//! use vt_model::SearchContext;
//! let mut hits = client.intelligence().search("type:peexe p:10+").order("positives-").limit(50);
//! while let Some(hit) = hits.try_next().await? {
//!     let score = SearchContext::of(&hit).and_then(|c| c.similarity_score);
//!     println!("{} {:?}", hit.id_str(), score);
//! }
//! # Ok(()) }
//! ```
//!
//! ## ZIP bundles
//!
//! [`Intelligence::create_zip`] asks VirusTotal to build one ZIP of many files (optionally
//! password protected), [`Intelligence::wait_zip`] polls it until it is `finished` (calling
//! a progress callback with every status seen), and [`Intelligence::download_zip_to_path`]
//! fetches it through the temporary-file-and-rename path of [`crate::download`]: nothing is
//! ever left under the final name unless the whole bundle arrived.
//!
//! ```no_run
//! # async fn run(client: vt_api::Client) -> Result<(), vt_api::Error> {
//! use vt_api::{DownloadOptions, WaitOptions};
//! let hashes = ["44d88612fea8a8f36de82e1278abb02f".parse()?];
//! let zip = client.intelligence().create_zip(&hashes, Some("infected")).await?;
//! let done = client.intelligence()
//!     .wait_zip(zip.id_str(), WaitOptions::new(), |z| eprintln!("{}%", z.attributes.progress_percent()))
//!     .await?;
//! client.intelligence().download_zip_to_path(done.id_str(), "bundle.zip", DownloadOptions::new()).await?;
//! # Ok(()) }
//! ```

use std::path::Path;

use serde_json::json;
use tokio::io::AsyncWrite;
use vt_model::{AnyObject, DataEnvelope, FileHash, ZipFile, ZipFileStatus};

use crate::analyses::WaitOptions;
use crate::client::Client;
use crate::download::{DownloadOptions, request_to_path, request_to_writer};
use crate::error::{Error, Result};
use crate::pagination::Paginator;
use crate::request::{ApiRequest, Target, path_segment};

#[cfg(doc)]
use vt_model::SearchContext;

/// The largest page `GET /intelligence/search` serves (its `limit` maximum).
pub const SEARCH_MAX_PAGE_SIZE: u32 = 300;

/// The longest query accepted, in characters. VirusTotal documents no limit; queries travel in
/// the URL, and 4,096 characters is far beyond any query written by hand while staying under
/// the URL limits of proxies and servers.
pub const MAX_QUERY_CHARS: usize = 4096;

/// The longest cursor accepted, in characters (VirusTotal's cursors are well under 1,000).
pub const MAX_CURSOR_CHARS: usize = 2048;

/// Checks an Intelligence (or basic) search query before any request: not empty or blank,
/// at most [`MAX_QUERY_CHARS`] characters, no control characters. Returns it trimmed.
///
/// ```
/// assert_eq!(vt_api::intelligence::check_search_query(" type:peexe ")?, "type:peexe");
/// assert!(vt_api::intelligence::check_search_query("  ").is_err());
/// # Ok::<(), vt_api::Error>(())
/// ```
pub fn check_search_query(query: &str) -> Result<&str> {
    let trimmed = query.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(query, "a search query cannot be empty"));
    }
    let chars = trimmed.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(Error::invalid(
            query,
            format!("the search query is {chars} characters long; at most {MAX_QUERY_CHARS}"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(Error::invalid(
            query,
            "the search query contains a control character (tab, newline, ...)",
        ));
    }
    Ok(trimmed)
}

/// Checks a pagination cursor before any request: cursors are opaque, but always non-empty
/// printable ASCII without spaces (base64 and `-`/`_`/`=`/`:`), at most
/// [`MAX_CURSOR_CHARS`] long. A cursor that passes may still be refused by the server (a
/// `BadRequestError` / `InvalidArgumentError` answer).
///
/// ```
/// assert!(vt_api::intelligence::check_cursor("b2Zmc2V0OjEw").is_ok());
/// assert!(vt_api::intelligence::check_cursor("not a cursor").is_err());
/// ```
pub fn check_cursor(cursor: &str) -> Result<&str> {
    if cursor.is_empty() {
        return Err(Error::invalid(cursor, "a cursor cannot be empty"));
    }
    if cursor.len() > MAX_CURSOR_CHARS {
        return Err(Error::invalid(
            cursor,
            format!("a cursor is at most {MAX_CURSOR_CHARS} characters"),
        ));
    }
    if !cursor.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid(
            cursor,
            "a cursor is printable ASCII without spaces (copy it as printed)",
        ));
    }
    Ok(cursor)
}

/// Checks a ZIP bundle id before any request (non-empty, printable ASCII, no `/`).
fn check_zip_id(id: &str) -> Result<&str> {
    if id.is_empty() || id.len() > 256 || !id.bytes().all(|b| b.is_ascii_graphic() && b != b'/') {
        return Err(Error::invalid(
            id,
            "not a ZIP file id (printable ASCII, no `/`)",
        ));
    }
    Ok(id)
}

/// The Intelligence family; get it with [`Client::intelligence`].
#[derive(Debug)]
pub struct Intelligence<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Intelligence<'a> {
    /// Intelligence search (`GET /intelligence/search?query=`; premium): a lazy stream of
    /// the hits, pages capped at [`SEARCH_MAX_PAGE_SIZE`]. A query refused by
    /// [`check_search_query`] makes a paginator that yields that error and sends nothing.
    pub fn search(&self, query: &str) -> Paginator<AnyObject> {
        let query = match check_search_query(query) {
            Ok(q) => q,
            Err(e) => return Paginator::failed(e),
        };
        Paginator::new(
            self.client,
            Target::V3("/intelligence/search".into()),
            vec![("query".into(), query.into())],
        )
        .max_page_size(SEARCH_MAX_PAGE_SIZE)
    }

    /// The hexdump blocks of a content-search match (`GET
    /// /intelligence/search/snippets/{snippet}`, the `snippet` of a hit's
    /// [`SearchContext`]). Matched bytes sit between U+001C and U+001D.
    pub async fn snippet(&self, snippet: &str) -> Result<Vec<String>> {
        let snippet = check_zip_id(snippet)
            .map_err(|_| Error::invalid(snippet, "not a snippet id (printable ASCII, no `/`)"))?;
        let doc: DataEnvelope<Vec<String>> = self
            .client
            .send(ApiRequest::get(format!(
                "/intelligence/search/snippets/{}",
                path_segment(snippet)
            )))
            .await?;
        Ok(doc.data)
    }

    /// Asks VirusTotal to build one ZIP of the files `hashes` name (`POST
    /// /intelligence/zip_files`, body `{"data": {"hashes": [...], "password": ...}}`),
    /// password protected when `password` is given. Returns the new `zip_file` (status
    /// `starting`). At least one hash and, when given, a non-empty password.
    pub async fn create_zip(&self, hashes: &[FileHash], password: Option<&str>) -> Result<ZipFile> {
        if hashes.is_empty() {
            return Err(Error::invalid("", "a ZIP file needs at least one hash"));
        }
        let hashes: Vec<&str> = hashes.iter().map(FileHash::as_str).collect();
        let body = match password {
            Some("") => return Err(Error::invalid("", "the ZIP password cannot be empty")),
            Some(p) => json!({"data": {"hashes": hashes, "password": p}}),
            None => json!({"data": {"hashes": hashes}}),
        };
        let doc: DataEnvelope<ZipFile> = self
            .client
            .send(ApiRequest::post("/intelligence/zip_files").json(&body)?)
            .await?;
        Ok(doc.data)
    }

    /// A ZIP bundle's state (`GET /intelligence/zip_files/{id}`): status, progress,
    /// files added and failed.
    pub async fn zip_file(&self, id: &str) -> Result<ZipFile> {
        let id = check_zip_id(id)?;
        let doc: DataEnvelope<ZipFile> = self
            .client
            .send(ApiRequest::get(format!(
                "/intelligence/zip_files/{}",
                path_segment(id)
            )))
            .await?;
        Ok(doc.data)
    }

    /// Polls a ZIP bundle until it is `finished` and returns it, calling `progress` with
    /// every state seen. Polls like [`Analyses::wait`](crate::analyses::Analyses::wait): at
    /// once, then at growing intervals, riding out transient errors, within
    /// [`WaitOptions::timeout`] ([`Error::ZipTimeout`] after it). A final state other than
    /// `finished` (`timeout`, `error-starting`, `error-creating`, unknown) is
    /// [`Error::ZipFailed`], as vt-py does.
    pub async fn wait_zip(
        &self,
        id: &str,
        options: WaitOptions,
        progress: impl Fn(&ZipFile) + Send + Sync,
    ) -> Result<ZipFile> {
        let id = check_zip_id(id)?;
        let start = tokio::time::Instant::now();
        let deadline = start + options.timeout;
        let mut interval = options.initial_interval;
        let (mut last_status, mut last_progress) = (String::from("unknown"), 0u8);
        loop {
            match self.zip_file(id).await {
                Ok(zip) => {
                    progress(&zip);
                    let status = zip
                        .attributes
                        .status
                        .clone()
                        .unwrap_or_else(|| ZipFileStatus::Other(String::new()));
                    if status.is_finished() {
                        return Ok(zip);
                    }
                    // A missing status is taken as "not started yet" rather than final.
                    if !status.is_in_progress() && !status.as_str().is_empty() {
                        return Err(Error::ZipFailed {
                            id: id.to_owned(),
                            status: status.as_str().to_owned(),
                        });
                    }
                    last_status = if status.as_str().is_empty() {
                        "unknown".into()
                    } else {
                        status.as_str().to_owned()
                    };
                    last_progress = zip.attributes.progress_percent();
                }
                Err(e) if e.is_transient() => {
                    tracing::debug!(zip = %id, error = %e, "transient error while waiting; polling on");
                }
                Err(e) => return Err(e),
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Err(Error::ZipTimeout {
                    id: id.to_owned(),
                    waited: now - start,
                    last_status,
                    progress: last_progress,
                });
            }
            tokio::time::sleep(interval.min(deadline - now)).await;
            interval = options.next_interval(interval);
        }
    }

    /// A signed URL of the finished bundle, reusable for one hour (`GET
    /// /intelligence/zip_files/{id}/download_url`).
    pub async fn zip_download_url(&self, id: &str) -> Result<String> {
        let id = check_zip_id(id)?;
        let doc: DataEnvelope<String> = self
            .client
            .send(ApiRequest::get(format!(
                "/intelligence/zip_files/{}/download_url",
                path_segment(id)
            )))
            .await?;
        Ok(doc.data)
    }

    /// Downloads the finished bundle to `dest` through a temporary file renamed at the end
    /// (`GET /intelligence/zip_files/{id}/download`, following its redirect; see
    /// [`crate::download`]). Returns the number of bytes written.
    pub async fn download_zip_to_path(
        &self,
        id: &str,
        dest: impl AsRef<Path>,
        options: DownloadOptions,
    ) -> Result<u64> {
        let id = check_zip_id(id)?;
        let req = ApiRequest::get(format!(
            "/intelligence/zip_files/{}/download",
            path_segment(id)
        ));
        request_to_path(self.client, req, dest.as_ref(), &options).await
    }

    /// Streams the finished bundle to `writer` (`GET
    /// /intelligence/zip_files/{id}/download`). Returns the number of bytes written.
    pub async fn download_zip_to_writer<W>(
        &self,
        id: &str,
        writer: &mut W,
        options: DownloadOptions,
    ) -> Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let id = check_zip_id(id)?;
        let req = ApiRequest::get(format!(
            "/intelligence/zip_files/{}/download",
            path_segment(id)
        ));
        request_to_writer(self.client, req, writer, options.progress.as_ref()).await
    }
}
