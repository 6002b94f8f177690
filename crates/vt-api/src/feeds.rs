//! Feeds (premium; each needs its feed licence): every file, URL, domain, IP address or
//! sandbox report VirusTotal processes, one package per minute.
//!
//! A [`FeedStream`] is a `Stream` of typed items over the per-minute packages
//! (`GET /feeds/{type}/{YYYYMMDDhhmm}`, a 302 to a bzip2 file of JSON lines). Each package is
//! decompressed as it streams (see [`FeedStream::max_line_bytes`] and
//! [`FeedStream::max_package_bytes`]: memory stays bounded whatever the package size, and a
//! bzip2 bomb stops at the limit). It starts at a [`FeedCursor`] and ends
//! ([`FeedEnd`]) when it has caught up with the newest package, after a given minute, or
//! never (a live tail that waits for each new package).
//!
//! - **Not available yet** (400 `NotAvailableYet`, a package of the last hour): the stream
//!   ends if it was asked to stop once caught up, and otherwise waits
//!   ([`FeedStream::poll_interval`], 60 s as vt-py) and asks again.
//!   A 404 for a minute that has not ended yet (by the system clock) counts as not available
//!   yet too.
//! - **Missing package** (404): skipped with a `tracing` warning, as the official clients do;
//!   more consecutive missing packages than [`FeedStream::missing_tolerance`] (1, as vt-py
//!   and vt-go) end the stream with the 404 error.
//! - **Cursor**: [`FeedStream::cursor`] is `YYYYMMDDhhmm-N` (the package and how many of
//!   its items were yielded), the format of vt-py and vt-go; a finished package moves it to
//!   `<next minute>-0`. A stream started from a saved cursor yields exactly the items after
//!   it: nothing twice, nothing skipped.
//! - **Damage**: a corrupt or truncated package ([`Error::FeedPackage`]), one over a limit
//!   ([`Error::FeedTooLarge`]) or a line that is not an item ([`Error::FeedLine`]) ends the
//!   stream with that error; the cursor still points just after the last item yielded.
//!
//! ```no_run
//! # async fn run(client: vt_api::Client) -> Result<(), vt_api::Error> {
//! use futures_util::TryStreamExt;
//! use vt_api::feeds::FeedEnd;
//! use vt_model::{FeedCursor, FeedKind};
//!
//! let start: FeedCursor = "202612030400-0".parse()?;
//! let mut feed = client.feeds().stream(FeedKind::Files, start).end(FeedEnd::At("202612030404".parse()?));
//! while let Some(file) = feed.try_next().await? {
//!     println!("{}", file.id_str());
//! }
//! println!("resume with {}", feed.cursor());
//! # Ok(()) }
//! ```
//!
//! The file feed's items carry `context_attributes.download_url`
//! (`/feeds/files/{token}/download`): [`Feeds::download_to_path`] takes it as is
//! ([`download_url_of`] finds it). Hourly packages (`.tar.bz2` of the hour's sixty minute
//! files) download with [`Feeds::hourly_to_path`].

use std::fmt;
use std::ops::ControlFlow;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use futures_util::future::BoxFuture;
use http::Response;
use serde::de::DeserializeOwned;
use tokio::io::AsyncWrite;
use vt_model::{AnyObject, ErrorCode, FeedCursor, FeedKind, FeedMinute};
use vt_transport::ResponseBody;

use crate::client::Client;
use crate::download::{DownloadOptions, request_to_path, request_to_writer};
use crate::error::{Error, Result, snippet};
use crate::feed_package::{PackageLimits, PackageLines};
use crate::request::{ApiRequest, path_segment};

/// How long after a minute starts its package is published (the API: the newest package is
/// the one of an hour ago).
pub const DEFAULT_AVAILABILITY_LAG_MINUTES: i64 = 60;
/// Wait before asking again for a package that is not available yet (vt-py's 60 s).
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(60);
/// Largest decompressed line accepted by default (vt-go lets lines grow to 10 MB).
pub const DEFAULT_MAX_LINE_BYTES: u64 = 32 << 20;
/// Largest decompressed package accepted by default.
pub const DEFAULT_MAX_PACKAGE_BYTES: u64 = 4 << 30;
/// Consecutive missing packages skipped before the stream fails (vt-py and vt-go: 1).
pub const DEFAULT_MISSING_TOLERANCE: u32 = 1;

/// The newest package the API has published at `now_secs` (seconds since the epoch), given
/// the availability lag in minutes.
///
/// ```
/// use vt_api::feeds::newest_available;
/// let newest = newest_available(1_700_000_000, 60);
/// assert_eq!(newest.to_string(), "202311142113");
/// ```
pub fn newest_available(now_secs: u64, lag_minutes: i64) -> FeedMinute {
    let now = FeedMinute::from_unix_secs(now_secs);
    now.offset(-lag_minutes.max(0)).unwrap_or(now)
}

/// The rule for a range asked of a feed: `from` not after `to`, and neither after `newest`
/// (see [`newest_available`]). `vt feed` applies it before any request.
///
/// ```
/// use vt_api::feeds::check_range;
/// let m = |s: &str| s.parse::<vt_model::FeedMinute>().unwrap();
/// assert!(check_range(Some(m("202612030400")), Some(m("202612030410")), m("202612030500")).is_ok());
/// assert!(check_range(Some(m("202612030410")), Some(m("202612030400")), m("202612030500")).is_err());
/// assert!(check_range(Some(m("202612030510")), None, m("202612030500")).is_err());
/// ```
pub fn check_range(
    from: Option<FeedMinute>,
    to: Option<FeedMinute>,
    newest: FeedMinute,
) -> Result<()> {
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(Error::invalid(
            format!("{f}..{t}"),
            "the start of the range is after its end",
        ));
    }
    for (name, minute) in [("start", from), ("end", to)] {
        if let Some(m) = minute
            && m > newest
        {
            return Err(Error::invalid(
                m.to_string(),
                format!(
                    "the {name} is in the future for the feed: the newest package published is {newest}"
                ),
            ));
        }
    }
    Ok(())
}

/// The `download_url` in an item's `context_attributes` (file feed).
pub fn download_url_of(item: &AnyObject) -> Option<&str> {
    item.context_attributes()?.get("download_url")?.as_str()
}

/// When a [`FeedStream`] ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedEnd {
    /// When the next package is not available yet (the default).
    CaughtUp,
    /// After the package of this minute (waiting for it if needed).
    At(FeedMinute),
    /// Never: a live tail.
    Never,
}

/// The feeds family; get it with [`Client::feeds`].
#[derive(Debug)]
pub struct Feeds<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Feeds<'a> {
    /// The items of feed `kind` from `start` on, typed ([`AnyObject::File`],
    /// [`AnyObject::Url`], ...).
    pub fn stream(&self, kind: FeedKind, start: FeedCursor) -> FeedStream<AnyObject> {
        self.stream_as(kind, start)
    }

    /// The items of feed `kind` decoded as `T`: for example
    /// `Box<serde_json::value::RawValue>` to keep each line as received.
    pub fn stream_as<T: DeserializeOwned + Send + 'static>(
        &self,
        kind: FeedKind,
        start: FeedCursor,
    ) -> FeedStream<T> {
        let client = self.client.clone();
        let fetch: FetchPackage = Arc::new(move |req: ApiRequest| {
            let client = client.clone();
            Box::pin(async move { client.send_raw(req).await })
        });
        FeedStream::new(fetch, kind, start)
    }

    /// Downloads the hourly package of the hour containing `hour`
    /// (`GET /feeds/{type}/hourly/{YYYYMMDDhh}`: a `.tar.bz2` of the sixty minute packages)
    /// to `dest` through a temporary file.
    pub async fn hourly_to_path(
        &self,
        kind: FeedKind,
        hour: FeedMinute,
        dest: impl AsRef<Path>,
        options: &DownloadOptions,
    ) -> Result<u64> {
        let request = hourly_request(kind, hour)?;
        request_to_path(self.client, request, dest.as_ref(), options).await
    }

    /// Streams the hourly package of the hour containing `hour` to `writer`.
    pub async fn hourly_to_writer<W: AsyncWrite + Unpin + ?Sized>(
        &self,
        kind: FeedKind,
        hour: FeedMinute,
        writer: &mut W,
    ) -> Result<u64> {
        let request = hourly_request(kind, hour)?;
        request_to_writer(self.client, request, writer, None).await
    }

    /// Downloads a file by the `download_url` of a file-feed item, as is, to `dest` (through
    /// a temporary file renamed at the end). The URL must be on the client's own server (the
    /// API key goes with the request); anything else is refused before sending.
    pub async fn download_to_path(
        &self,
        download_url: &str,
        dest: impl AsRef<Path>,
        options: &DownloadOptions,
    ) -> Result<u64> {
        let request = self.download_request(download_url)?;
        request_to_path(self.client, request, dest.as_ref(), options).await
    }

    /// Streams a file by the `download_url` of a file-feed item to `writer`.
    pub async fn download_to_writer<W: AsyncWrite + Unpin + ?Sized>(
        &self,
        download_url: &str,
        writer: &mut W,
    ) -> Result<u64> {
        let request = self.download_request(download_url)?;
        request_to_writer(self.client, request, writer, None).await
    }

    fn download_request(&self, download_url: &str) -> Result<ApiRequest> {
        let url = url::Url::parse(download_url)
            .map_err(|e| Error::invalid(download_url, format!("not a URL: {e}")))?;
        let base = url::Url::parse(self.client.base_url())
            .map_err(|e| Error::invalid(self.client.base_url(), e.to_string()))?;
        if url.origin() != base.origin() {
            return Err(Error::invalid(
                download_url,
                format!(
                    "a feed download URL must be on {} (the API key goes with it)",
                    self.client.base_url()
                ),
            ));
        }
        Ok(ApiRequest::get(download_url))
    }
}

fn hourly_request(kind: FeedKind, hour: FeedMinute) -> Result<ApiRequest> {
    if !kind.has_hourly() {
        return Err(Error::invalid(
            kind.path_name(),
            "the API publishes no hourly packages for this feed",
        ));
    }
    Ok(ApiRequest::get(format!(
        "/feeds/{}/hourly/{}",
        kind.path_name(),
        hour.hour_stamp()
    )))
}

/// The minute now (system clock). A 404 for a package whose minute has not even ended is a
/// package not available yet, never a missing one.
fn current_minute() -> FeedMinute {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    FeedMinute::from_unix_secs(now)
}

/// Sends one package request.
type FetchPackage =
    Arc<dyn Fn(ApiRequest) -> BoxFuture<'static, Result<Response<ResponseBody>>> + Send + Sync>;

/// What a stream was asked to do (fixed once polled).
#[derive(Debug, Clone, Copy)]
struct Settings {
    kind: FeedKind,
    end: FeedEnd,
    poll_interval: Duration,
    limits: PackageLimits,
    missing_tolerance: u32,
}

/// A feed as a `Stream` of items (see the module docs). Configure it before the first poll.
#[must_use = "a feed does nothing until polled"]
pub struct FeedStream<T> {
    fetch: FetchPackage,
    start: FeedCursor,
    settings: Settings,
    cursor: Arc<Mutex<FeedCursor>>,
    running: Option<Pin<Box<dyn Stream<Item = Result<T>> + Send>>>,
}

impl<T> fmt::Debug for FeedStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FeedStream")
            .field("settings", &self.settings)
            .field("cursor", &self.cursor())
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned + Send + 'static> FeedStream<T> {
    fn new(fetch: FetchPackage, kind: FeedKind, start: FeedCursor) -> Self {
        FeedStream {
            fetch,
            start,
            settings: Settings {
                kind,
                end: FeedEnd::CaughtUp,
                poll_interval: DEFAULT_POLL_INTERVAL,
                limits: PackageLimits {
                    max_line: DEFAULT_MAX_LINE_BYTES,
                    max_package: DEFAULT_MAX_PACKAGE_BYTES,
                },
                missing_tolerance: DEFAULT_MISSING_TOLERANCE,
            },
            cursor: Arc::new(Mutex::new(start)),
            running: None,
        }
    }

    /// When the stream ends (default [`FeedEnd::CaughtUp`]).
    pub fn end(mut self, end: FeedEnd) -> Self {
        self.settings.end = end;
        self
    }

    /// The wait before asking again for a package not available yet (default 60 s).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.settings.poll_interval = interval;
        self
    }

    /// The largest decompressed line accepted (default 32 MiB).
    pub fn max_line_bytes(mut self, bytes: u64) -> Self {
        self.settings.limits.max_line = bytes;
        self
    }

    /// The largest decompressed package accepted (default 4 GiB).
    pub fn max_package_bytes(mut self, bytes: u64) -> Self {
        self.settings.limits.max_package = bytes;
        self
    }

    /// How many consecutive missing packages (404) are skipped before the stream fails with
    /// the 404 (default 1).
    pub fn missing_tolerance(mut self, packages: u32) -> Self {
        self.settings.missing_tolerance = packages;
        self
    }
}

impl<T> FeedStream<T> {
    /// Where the stream is: resume from this cursor to continue just after the last item
    /// yielded.
    pub fn cursor(&self) -> FeedCursor {
        *self.cursor.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The feed type.
    pub fn kind(&self) -> FeedKind {
        self.settings.kind
    }
}

/// The state the stream's steps carry.
struct Reader {
    fetch: FetchPackage,
    settings: Settings,
    cursor: Arc<Mutex<FeedCursor>>,
    /// The next package to ask for, and how many of its lines to skip.
    next: FeedCursor,
    /// The package being read: its minute, its lines, lines consumed so far.
    current: Option<(FeedMinute, PackageLines, u64)>,
    missing_in_a_row: u32,
    done: bool,
}

impl Reader {
    fn set_cursor(&self, cursor: FeedCursor) {
        *self.cursor.lock().unwrap_or_else(|e| e.into_inner()) = cursor;
    }

    fn package_name(&self, minute: FeedMinute) -> String {
        format!("{}/{minute}", self.settings.kind.path_name())
    }

    /// The next item, `None` at the end.
    async fn step<T: DeserializeOwned>(&mut self) -> Option<Result<T>> {
        loop {
            if self.done {
                return None;
            }
            if self.current.is_some() {
                match self.read_line().await {
                    Some(item) => return Some(item),
                    // The package ended: the cursor is at the next minute.
                    None => continue,
                }
            }
            match self.open_next_package().await {
                ControlFlow::Continue(()) => {}
                ControlFlow::Break(None) => return None,
                ControlFlow::Break(Some(e)) => return Some(Err(e)),
            }
        }
    }

    /// The next item of the package being read; `None` when it has no more lines (the
    /// cursor then points at the next minute's package).
    async fn read_line<T: DeserializeOwned>(&mut self) -> Option<Result<T>> {
        let (minute, lines, consumed) = self.current.as_mut()?;
        let minute = *minute;
        match lines.next_line().await {
            Ok(Some(line)) => {
                *consumed += 1;
                let number = *consumed;
                Some(self.decode_line(minute, number, &line))
            }
            Ok(None) => {
                self.current = None;
                self.next = FeedCursor::at(minute.next());
                self.set_cursor(self.next);
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }

    /// Decodes line `number` of the package of `minute`; the cursor moves past it, or the
    /// stream ends on an undecodable line.
    fn decode_line<T: DeserializeOwned>(
        &mut self,
        minute: FeedMinute,
        number: u64,
        line: &[u8],
    ) -> Result<T> {
        match serde_json::from_slice::<T>(line) {
            Ok(item) => {
                self.set_cursor(FeedCursor {
                    minute,
                    consumed: number,
                });
                Ok(item)
            }
            Err(source) => {
                self.done = true;
                Err(Error::FeedLine {
                    package: self.package_name(minute),
                    line: number,
                    source,
                    snippet: snippet(line),
                })
            }
        }
    }

    /// Fetches the package the cursor points at and skips the items it already consumed.
    /// `Continue` to read on (a package opened, one not published yet waited for, a missing
    /// one skipped); `Break` ends the stream, with the error that ended it if any.
    async fn open_next_package(&mut self) -> ControlFlow<Option<Error>> {
        let minute = self.next.minute;
        if let FeedEnd::At(last) = self.settings.end
            && minute > last
        {
            self.done = true;
            return ControlFlow::Break(None);
        }
        let path = format!(
            "/feeds/{}/{}",
            path_segment(self.settings.kind.path_name()),
            minute
        );
        let request = ApiRequest::get(path).accept(http::HeaderValue::from_static("*/*"));
        match (self.fetch)(request).await {
            Ok(response) => {
                self.missing_in_a_row = 0;
                let mut lines = PackageLines::new(
                    response.into_body(),
                    self.package_name(minute),
                    self.settings.limits,
                );
                match self.skip_consumed(&mut lines, minute).await {
                    Ok(skipped) => {
                        self.current = Some((minute, lines, skipped));
                        ControlFlow::Continue(())
                    }
                    Err(e) => {
                        self.done = true;
                        ControlFlow::Break(Some(e))
                    }
                }
            }
            Err(e)
                if e.api_code() == Some(&ErrorCode::NotAvailableYet)
                    || (e.is_not_found() && minute >= current_minute()) =>
            {
                if self.settings.end == FeedEnd::CaughtUp {
                    self.done = true;
                    return ControlFlow::Break(None);
                }
                tracing::debug!(
                    target: "vt_api::feeds",
                    "feed package {} not available yet; asking again in {:?}",
                    self.package_name(minute),
                    self.settings.poll_interval
                );
                tokio::time::sleep(self.settings.poll_interval).await;
                ControlFlow::Continue(())
            }
            Err(e) if e.is_not_found() => {
                self.missing_in_a_row += 1;
                if self.missing_in_a_row > self.settings.missing_tolerance {
                    self.done = true;
                    return ControlFlow::Break(Some(e));
                }
                tracing::warn!(
                    target: "vt_api::feeds",
                    "feed package {} is missing (404): skipped, as the official clients do",
                    self.package_name(minute)
                );
                self.next = FeedCursor::at(minute.next());
                self.set_cursor(self.next);
                ControlFlow::Continue(())
            }
            Err(e) => {
                self.done = true;
                ControlFlow::Break(Some(e))
            }
        }
    }

    /// Skips the lines of a freshly opened package that the cursor says were consumed;
    /// returns how many it skipped (fewer, with a warning, when the package is shorter).
    async fn skip_consumed(&mut self, lines: &mut PackageLines, minute: FeedMinute) -> Result<u64> {
        let skip = self.next.consumed;
        let mut skipped = 0;
        while skipped < skip {
            match lines.next_line().await? {
                Some(_) => skipped += 1,
                None => break,
            }
        }
        if skipped < skip {
            tracing::warn!(
                target: "vt_api::feeds",
                "feed package {}: the cursor skips {skip} items but the package has {skipped}",
                self.package_name(minute)
            );
        }
        Ok(skipped)
    }
}

impl<T: DeserializeOwned + Send + 'static> Stream for FeedStream<T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        let this = self.get_mut();
        let running = this.running.get_or_insert_with(|| {
            let reader = Reader {
                fetch: this.fetch.clone(),
                settings: this.settings,
                cursor: this.cursor.clone(),
                next: this.start,
                current: None,
                missing_in_a_row: 0,
                done: false,
            };
            Box::pin(futures_util::stream::unfold(
                reader,
                |mut reader| async move {
                    let item = reader.step::<T>().await?;
                    Some((item, reader))
                },
            ))
        });
        running.as_mut().poll_next(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_package_is_an_hour_old() {
        let now = "202612030500".parse::<FeedMinute>().unwrap().unix_secs() + 30;
        assert_eq!(newest_available(now, 60).to_string(), "202612030400");
        assert_eq!(newest_available(now, 0).to_string(), "202612030500");
    }

    #[test]
    fn only_same_origin_download_urls_are_used() {
        let client = Client::builder()
            .api_key("k")
            .base_url("https://www.virustotal.com")
            .build()
            .unwrap();
        let feeds = client.feeds();
        assert!(
            feeds
                .download_request("https://www.virustotal.com/api/v3/feeds/files/T/download")
                .is_ok()
        );
        let err = feeds
            .download_request("https://evil.example/api/v3/feeds/files/T/download")
            .unwrap_err();
        assert!(err.is_invalid_input(), "{err}");
    }
}
