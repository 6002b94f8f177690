//! Collections as [`futures_core::Stream`]s of typed items.
//!
//! Every list endpoint returns a [`Paginator`]: nothing is sent until it is polled; it then
//! fetches pages of `page_size` items (the `limit` query parameter) following
//! `meta.cursor`, and yields the items one by one. While the items of one page are consumed,
//! the next page is already being fetched.
//!
//! - [`Paginator::limit`] caps the total number of items. The last request asks only for the
//!   items still needed, so no quota is spent on items that would be thrown away, and the
//!   paginator stops on a page boundary: its [`cursor`](Paginator::cursor) then resumes exactly
//!   after the last item yielded.
//! - [`Paginator::cursor`] is the cursor a new paginator starts from to continue without
//!   skipping any item ([`Paginator::start_at`]); see its docs for the fine print.
//! - Iteration stops when a page has no cursor, when a page is empty, or when the server sends
//!   a cursor it already sent (a loop), and after the first error.
//! - An endpoint that answers a single object (a one-to-one relationship) yields one item.
//!
//! ```no_run
//! use futures_util::TryStreamExt;
//! # async fn run(client: vt_api::Client) -> Result<(), vt_api::Error> {
//! let hash = "44d88612fea8a8f36de82e1278abb02f".parse()?;
//! let mut comments = client.files().comments(&hash).limit(25).page_size(10);
//! while let Some(comment) = comments.try_next().await? {
//!     println!("{}", comment.id);
//! }
//! if let Some(cursor) = comments.cursor() {
//!     println!("more with --cursor {cursor}");
//! }
//! # Ok(()) }
//! ```

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::future::BoxFuture;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::request::{ApiRequest, Target};

/// One page as decoded from the wire.
#[derive(Debug)]
pub struct Page<T> {
    /// The items of the page.
    pub items: Vec<T>,
    /// The cursor of the next page (`meta.cursor`, else the `cursor` of `links.next`).
    pub cursor: Option<String>,
    /// The page's `meta` member, when present (counts, `total_hits`, ...).
    pub meta: Option<serde_json::Value>,
}

/// `data` as a list, or a single object read as a one-item list.
struct OneOrMany<T>(Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Visitor<T> {
            type Value = OneOrMany<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of objects or one object")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(OneOrMany(items))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                let one = T::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(OneOrMany(vec![one]))
            }

            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(OneOrMany(Vec::new()))
            }
        }

        deserializer.deserialize_any(Visitor(std::marker::PhantomData))
    }
}

#[derive(Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
struct WirePage<T> {
    #[serde(default = "none")]
    data: Option<OneOrMany<T>>,
    #[serde(default)]
    meta: Option<serde_json::Value>,
    #[serde(default)]
    links: Option<WireLinks>,
}

fn none<T>() -> Option<T> {
    None
}

#[derive(Deserialize, Default)]
struct WireLinks {
    #[serde(default)]
    next: Option<String>,
}

impl<T: DeserializeOwned> Page<T> {
    /// Decodes a collection document.
    pub fn from_json(bytes: &[u8]) -> Result<Page<T>> {
        let wire: WirePage<T> = crate::client::decode(bytes)?;
        let items = wire.data.map(|d| d.0).unwrap_or_default();
        let from_meta = wire
            .meta
            .as_ref()
            .and_then(|m| m.get("cursor"))
            .and_then(|c| c.as_str())
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        let cursor = from_meta.or_else(|| {
            let next = wire.links?.next?;
            let url = url::Url::parse(&next).ok()?;
            url.query_pairs()
                .find(|(k, _)| k == "cursor")
                .map(|(_, v)| v.into_owned())
                .filter(|c| !c.is_empty())
        });
        Ok(Page {
            items,
            cursor,
            meta: wire.meta,
        })
    }
}

/// Fetches one page given the request for it.
type FetchPage<T> = Arc<dyn Fn(ApiRequest) -> BoxFuture<'static, Result<Page<T>>> + Send + Sync>;

/// A page being fetched.
type PageFuture<T> = BoxFuture<'static, Result<Page<T>>>;

/// How the paginator builds its requests.
#[derive(Debug, Clone)]
struct Template {
    target: Target,
    query: Vec<(String, String)>,
    page_size: Option<u32>,
    /// The endpoint's largest page; bigger page sizes are asked as this.
    max_page_size: Option<u32>,
    limit: Option<u64>,
}

/// A lazy stream of the items of a collection (see the module docs).
#[must_use = "a paginator does nothing until polled"]
pub struct Paginator<T> {
    fetch: FetchPage<T>,
    template: Template,
    /// Cursor of the first request (from [`Paginator::start_at`]).
    start: Option<String>,
    started: bool,
    /// Items of the page being consumed.
    buffer: VecDeque<T>,
    /// The cursor that fetched the page being consumed (`None` for the first page when
    /// starting from the beginning).
    page_cursor: Option<String>,
    /// The cursor following the last page received; `None` once the end is known.
    next_cursor: Option<String>,
    /// A page received ahead, with the cursor that fetched it.
    prefetched: Option<(Option<String>, Page<T>)>,
    in_flight: Option<(Option<String>, PageFuture<T>)>,
    seen: HashSet<String>,
    /// No page after the last one received.
    exhausted: bool,
    pending_error: Option<Error>,
    finished: bool,
    yielded: u64,
    meta: Option<serde_json::Value>,
}

impl<T> fmt::Debug for Paginator<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginator")
            .field("target", &self.template.target)
            .field("query", &self.template.query)
            .field("limit", &self.template.limit)
            .field("page_size", &self.template.page_size)
            .field("yielded", &self.yielded)
            .field("cursor", &self.cursor())
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned + Send + 'static> Paginator<T> {
    /// A paginator over the collection at `target` (query parameters in `query`), fetching
    /// through `client`.
    pub fn new(client: &Client, target: Target, query: Vec<(String, String)>) -> Self {
        let client = client.clone();
        let fetch: FetchPage<T> = Arc::new(move |req: ApiRequest| {
            let client = client.clone();
            Box::pin(async move {
                let response = client.send_raw(req).await?;
                let bytes = client.collect_json(response).await?;
                Page::from_json(&bytes)
            })
        });
        Self::with_fetch(fetch, target, query)
    }
}

impl<T> Unpin for Paginator<T> {}

impl<T: Send + 'static> Paginator<T> {
    fn with_fetch(fetch: FetchPage<T>, target: Target, query: Vec<(String, String)>) -> Self {
        Paginator {
            fetch,
            template: Template {
                target,
                query,
                page_size: None,
                max_page_size: None,
                limit: None,
            },
            start: None,
            started: false,
            buffer: VecDeque::new(),
            page_cursor: None,
            next_cursor: None,
            prefetched: None,
            in_flight: None,
            seen: HashSet::new(),
            exhausted: false,
            pending_error: None,
            finished: false,
            yielded: 0,
            meta: None,
        }
    }

    /// A paginator that yields `error` and ends (for requests rejected before any I/O).
    pub fn failed(error: Error) -> Self {
        let fetch: FetchPage<T> = Arc::new(|_req| {
            Box::pin(async { Err(Error::invalid("page", "a failed paginator never fetches")) })
        });
        let mut p = Self::with_fetch(fetch, Target::V3(String::new()), Vec::new());
        p.pending_error = Some(error);
        p.started = true;
        p.exhausted = true;
        p
    }

    /// Yields at most `total` items in all.
    pub fn limit(mut self, total: u64) -> Self {
        self.template.limit = Some(total);
        self
    }

    /// Asks for `size` items per page (the `limit` query parameter; VirusTotal's default is
    /// 10 on most lists, 40 is widely accepted). `0` means the server's default.
    pub fn page_size(mut self, size: u32) -> Self {
        self.template.page_size = (size > 0).then_some(size);
        self
    }

    /// Caps every page request at `max` items, the endpoint's largest page (300 for
    /// Intelligence search): a bigger [`page_size`](Self::page_size) or
    /// [`limit`](Self::limit) is asked in pages of `max`.
    pub fn max_page_size(mut self, max: u32) -> Self {
        self.template.max_page_size = (max > 0).then_some(max);
        self
    }

    /// Sets the `filter` query parameter (for example `tag:malware` on `/comments`).
    pub fn filter(self, filter: impl Into<String>) -> Self {
        self.param("filter", filter)
    }

    /// Sets the `order` query parameter (where the endpoint supports it).
    pub fn order(self, order: impl Into<String>) -> Self {
        self.param("order", order)
    }

    /// Asks for descriptors only (`descriptors_only=true`, where the endpoint supports it).
    pub fn descriptors_only(self, yes: bool) -> Self {
        if yes {
            self.param("descriptors_only", "true")
        } else {
            self.remove_param("descriptors_only")
        }
    }

    /// Sets (replaces) any other query parameter. `limit` and `cursor` are managed by the
    /// paginator: use [`page_size`](Self::page_size) and [`start_at`](Self::start_at).
    pub fn param(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let key = key.into();
        match key.as_str() {
            "limit" => {
                let size = value.into().parse().unwrap_or(0);
                return self.page_size(size);
            }
            "cursor" => return self.start_at(value),
            _ => {}
        }
        self.template.query.retain(|(k, _)| *k != key);
        self.template.query.push((key, value.into()));
        self
    }

    fn remove_param(mut self, key: &str) -> Self {
        self.template.query.retain(|(k, _)| k != key);
        self
    }

    /// Starts from `cursor` (a value of [`Paginator::cursor`] or of `meta.cursor`) instead of
    /// the beginning. An empty cursor means the beginning.
    pub fn start_at(mut self, cursor: impl Into<String>) -> Self {
        let cursor = cursor.into();
        self.start = (!cursor.is_empty()).then_some(cursor);
        self
    }
}

impl<T> Paginator<T> {
    /// The cursor from which a new paginator continues without skipping any item:
    ///
    /// - between pages (in particular when the stream ended because of
    ///   [`limit`](Self::limit)), the cursor of the next page;
    /// - while a page is partly consumed, the cursor that fetched that page (its items already
    ///   yielded would come again);
    /// - `None` when the collection is exhausted, and while the first page of a paginator that
    ///   started from the beginning is partly consumed (resume from the beginning).
    pub fn cursor(&self) -> Option<&str> {
        if !self.buffer.is_empty() {
            return self.page_cursor.as_deref();
        }
        if let Some((cursor, _)) = &self.prefetched {
            return cursor.as_deref();
        }
        if !self.started {
            return self.start.as_deref();
        }
        if self.exhausted {
            return None;
        }
        self.next_cursor.as_deref()
    }

    /// Whether the server has said there is nothing after the pages received so far.
    pub fn is_exhausted(&self) -> bool {
        self.exhausted && self.buffer.is_empty() && self.prefetched.is_none()
    }

    /// How many items were yielded so far.
    pub fn yielded(&self) -> u64 {
        self.yielded
    }

    /// The `meta` member of the last page received (counts, `total_hits`, ...).
    pub fn meta(&self) -> Option<&serde_json::Value> {
        self.meta.as_ref()
    }
}

impl<T: Send + 'static> Paginator<T> {
    /// Items still wanted (after those yielded and buffered), `None` without a limit.
    fn wanted(&self) -> Option<u64> {
        let buffered = self.buffer.len() as u64
            + self
                .prefetched
                .as_ref()
                .map_or(0, |(_, p)| p.items.len() as u64);
        self.template
            .limit
            .map(|l| l.saturating_sub(self.yielded + buffered))
    }

    /// Starts fetching the next page when one is needed and none is under way.
    fn maybe_fetch(&mut self) {
        if self.in_flight.is_some()
            || self.prefetched.is_some()
            || self.pending_error.is_some()
            || self.finished
        {
            return;
        }
        let cursor = if self.started {
            if self.exhausted {
                return;
            }
            match &self.next_cursor {
                Some(c) => Some(c.clone()),
                None => return,
            }
        } else {
            self.start.clone()
        };
        let wanted = self.wanted();
        if wanted == Some(0) {
            return;
        }
        let mut size = self.template.page_size.map(u64::from);
        if let Some(w) = wanted {
            size = Some(size.map_or(w, |s| s.min(w)));
        }
        if let (Some(s), Some(max)) = (size, self.template.max_page_size) {
            size = Some(s.min(u64::from(max)));
        }
        let mut req = ApiRequest::to(http::Method::GET, self.template.target.clone())
            .queries(self.template.query.iter().cloned());
        if let Some(size) = size {
            req = req.query("limit", size.to_string());
        }
        if let Some(c) = &cursor {
            req = req.query("cursor", c.clone());
        }
        self.started = true;
        self.in_flight = Some((cursor, (self.fetch)(req)));
    }

    /// Records a page received with the cursor that fetched it.
    fn accept(&mut self, cursor: Option<String>, page: Page<T>) {
        if page.meta.is_some() {
            self.meta.clone_from(&page.meta);
        }
        match &page.cursor {
            Some(next) if !page.items.is_empty() && self.seen.insert(next.clone()) => {
                self.next_cursor = Some(next.clone());
            }
            _ => {
                self.next_cursor = None;
                self.exhausted = true;
            }
        }
        if self.buffer.is_empty() {
            self.page_cursor = cursor;
            self.buffer.extend(page.items);
        } else {
            self.prefetched = Some((cursor, page));
        }
    }
}

impl<T: Send + 'static> Stream for Paginator<T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        let this = self.get_mut();
        loop {
            if this.finished {
                return Poll::Ready(None);
            }
            if let Some(limit) = this.template.limit
                && this.yielded >= limit
            {
                this.finished = true;
                this.in_flight = None;
                return Poll::Ready(None);
            }
            if this.buffer.is_empty()
                && let Some((cursor, page)) = this.prefetched.take()
            {
                this.page_cursor = cursor;
                this.buffer.extend(page.items);
            }
            this.maybe_fetch();
            if let Some((_, fut)) = &mut this.in_flight
                && let Poll::Ready(result) = fut.as_mut().poll(cx)
            {
                let cursor = this.in_flight.take().and_then(|(c, _)| c);
                match result {
                    Ok(page) => this.accept(cursor, page),
                    Err(e) => this.pending_error = Some(e),
                }
                continue;
            }
            if let Some(item) = this.buffer.pop_front() {
                this.yielded += 1;
                return Poll::Ready(Some(Ok(item)));
            }
            if let Some(err) = this.pending_error.take() {
                this.finished = true;
                return Poll::Ready(Some(Err(err)));
            }
            if this.in_flight.is_some() {
                return Poll::Pending;
            }
            if this.prefetched.is_none() {
                this.finished = true;
                return Poll::Ready(None);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::TryStreamExt;
    use std::sync::Mutex;

    /// A fake collection of `total` numbers served `page` at a time with offset cursors.
    fn numbers(total: u64, log: Arc<Mutex<Vec<String>>>) -> Paginator<u64> {
        let fetch: FetchPage<u64> = Arc::new(move |req: ApiRequest| {
            let log = log.clone();
            Box::pin(async move {
                let q: std::collections::HashMap<_, _> =
                    req.query_params().iter().cloned().collect();
                log.lock().unwrap().push(req.url("http://x"));
                let offset: u64 = q.get("cursor").map_or(0, |c| c.parse().unwrap());
                let size: u64 = q.get("limit").map_or(10, |l| l.parse().unwrap());
                let end = (offset + size).min(total);
                Ok(Page {
                    items: (offset..end).collect(),
                    cursor: (end < total).then(|| end.to_string()),
                    meta: None,
                })
            })
        });
        Paginator::with_fetch(fetch, Target::V3("/numbers".into()), vec![])
    }

    #[tokio::test]
    async fn walks_every_page_then_stops() {
        let log = Arc::new(Mutex::new(vec![]));
        let mut p = numbers(25, log.clone()).page_size(10);
        let mut got = vec![];
        while let Some(n) = p.try_next().await.unwrap() {
            got.push(n);
        }
        assert_eq!(got, (0..25).collect::<Vec<_>>());
        assert_eq!(log.lock().unwrap().len(), 3);
        assert_eq!(p.cursor(), None);
        assert!(p.is_exhausted());
    }

    #[tokio::test]
    async fn limit_shrinks_the_last_request_and_leaves_an_exact_cursor() {
        let log = Arc::new(Mutex::new(vec![]));
        let mut p = numbers(100, log.clone()).page_size(10).limit(15);
        let got: Vec<u64> = (&mut p).try_collect().await.unwrap();
        assert_eq!(got, (0..15).collect::<Vec<_>>());
        let log = log.lock().unwrap().clone();
        assert_eq!(
            log,
            [
                "http://x/api/v3/numbers?limit=10",
                "http://x/api/v3/numbers?limit=5&cursor=10"
            ]
        );
        assert_eq!(p.cursor(), Some("15"));
        let rest: Vec<u64> = numbers(100, Arc::default())
            .page_size(10)
            .start_at("15")
            .limit(3)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(rest, vec![15, 16, 17]);
    }

    #[tokio::test]
    async fn the_next_page_is_requested_while_the_current_one_is_consumed() {
        let log = Arc::new(Mutex::new(vec![]));
        let mut p = numbers(30, log.clone()).page_size(10);
        assert_eq!(p.try_next().await.unwrap(), Some(0));
        // One item of page one consumed: page two is already requested.
        assert_eq!(log.lock().unwrap().len(), 2);
        assert_eq!(p.cursor(), None, "first page partly consumed");
        for _ in 1..10 {
            p.try_next().await.unwrap();
        }
        assert_eq!(p.cursor(), Some("10"));
        assert_eq!(p.try_next().await.unwrap(), Some(10));
        assert_eq!(p.cursor(), Some("10"), "page two partly consumed");
    }

    #[tokio::test]
    async fn repeated_cursors_and_empty_pages_end_the_stream() {
        let fetch: FetchPage<u64> = Arc::new(|_req| {
            Box::pin(async {
                Ok(Page {
                    items: vec![1],
                    cursor: Some("same".into()),
                    meta: None,
                })
            })
        });
        let got: Vec<u64> = Paginator::with_fetch(fetch, Target::V3("/loop".into()), vec![])
            .try_collect()
            .await
            .unwrap();
        assert_eq!(got, vec![1, 1]);

        let fetch: FetchPage<u64> = Arc::new(|_req| {
            Box::pin(async {
                Ok(Page {
                    items: vec![],
                    cursor: Some("more".into()),
                    meta: None,
                })
            })
        });
        let got: Vec<u64> = Paginator::with_fetch(fetch, Target::V3("/empty".into()), vec![])
            .try_collect()
            .await
            .unwrap();
        assert!(got.is_empty());
    }

    #[tokio::test]
    async fn an_error_comes_after_the_items_already_received_and_ends_the_stream() {
        let calls = Arc::new(Mutex::new(0));
        let fetch: FetchPage<u64> = Arc::new(move |_req| {
            let calls = calls.clone();
            Box::pin(async move {
                let n = {
                    let mut c = calls.lock().unwrap();
                    *c += 1;
                    *c
                };
                if n == 1 {
                    Ok(Page {
                        items: vec![1, 2],
                        cursor: Some("c".into()),
                        meta: None,
                    })
                } else {
                    Err(Error::invalid("page", "boom"))
                }
            })
        });
        let mut p = Paginator::with_fetch(fetch, Target::V3("/x".into()), vec![]);
        assert_eq!(p.try_next().await.unwrap(), Some(1));
        assert_eq!(p.try_next().await.unwrap(), Some(2));
        assert!(p.try_next().await.is_err());
        assert!(futures_util::StreamExt::next(&mut p).await.is_none());
    }

    #[test]
    fn pages_decode_cursor_from_meta_or_links_and_single_objects() {
        let p: Page<serde_json::Value> =
            Page::from_json(br#"{"data":[1,2],"meta":{"cursor":"abc"}}"#).unwrap();
        assert_eq!(p.items.len(), 2);
        assert_eq!(p.cursor.as_deref(), Some("abc"));
        let p: Page<serde_json::Value> = Page::from_json(
            br#"{"data":[],"links":{"next":"https://x/api/v3/c?cursor=n%3D&limit=2"}}"#,
        )
        .unwrap();
        assert_eq!(p.cursor.as_deref(), Some("n="));
        let p: Page<serde_json::Value> =
            Page::from_json(br#"{"data":{"type":"domain","id":"x"}}"#).unwrap();
        assert_eq!(p.items.len(), 1);
        assert_eq!(p.cursor, None);
    }
}
