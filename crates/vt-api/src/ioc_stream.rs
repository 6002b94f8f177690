//! The IoC stream (`/ioc_stream`): the files, URLs, domains and IP addresses your Livehunt
//! rulesets, Retrohunt jobs and subscriptions raised, newest first.
//!
//! [`IocStream::list`] is a [`Paginator`] of [`AnyObject`]s (pages capped at
//! [`IOC_STREAM_MAX_PAGE_SIZE`], the endpoint's maximum); each item's notification is read
//! with [`IocStreamContext::of`](vt_model::IocStreamContext::of). Narrow the list with an
//! [`IocStreamFilter`] (typed terms, or text as the API takes it) and sort it with
//! [`order`](Paginator::order) (`date-`, the default, or `date+`).
//!
//! [`IocStream::delete`] deletes the notifications a filter matches; VirusTotal does it in
//! the background and answers 429 `TooManyRequestsError` to another deletion while one runs.
//! With no filter it deletes everything, so that takes its own call,
//! [`IocStream::delete_all`]. One notification is read or deleted by id with
//! [`IocStream::notification`] and [`IocStream::delete_notification`].
//!
//! ```no_run
//! # async fn run(client: vt_api::Client) -> Result<(), vt_api::Error> {
//! use futures_util::TryStreamExt;
//! use vt_api::ioc_stream::IocStreamFilter;
//! use vt_model::{IocStreamContext, IocStreamOrigin};
//! let filter = IocStreamFilter::new().origin(IocStreamOrigin::Hunting).entity_type("file");
//! let mut items = client.ioc_stream().list_filtered(&filter).limit(20);
//! while let Some(item) = items.try_next().await? {
//!     let rule = IocStreamContext::of(&item)
//!         .and_then(|n| n.hunting_info)
//!         .and_then(|h| h.rule_name);
//!     println!("{} {:?}", item.id_str(), rule);
//! }
//! # Ok(()) }
//! ```

use std::fmt;

use vt_model::{AnyObject, IocStreamOrigin};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::pagination::Paginator;
use crate::request::{ApiRequest, Target, path_segment};

/// The largest page `GET /ioc_stream` serves (its `limit` maximum).
pub const IOC_STREAM_MAX_PAGE_SIZE: u32 = 40;

/// The longest filter accepted, in characters.
pub const MAX_FILTER_CHARS: usize = 4096;

/// Checks a filter text before any request: not blank, at most [`MAX_FILTER_CHARS`], no
/// control characters. Terms are open-world (a modifier VirusTotal adds later is sent as
/// given). Returns it trimmed.
///
/// ```
/// use vt_api::ioc_stream::check_filter;
/// assert_eq!(check_filter(" origin:hunting ").unwrap(), "origin:hunting");
/// assert!(check_filter("origin:hunting\n").is_ok());
/// assert!(check_filter("a\u{7}b").is_err());
/// assert!(check_filter("  ").is_err());
/// ```
pub fn check_filter(filter: &str) -> Result<&str> {
    let trimmed = filter.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(
            filter,
            "an IoC stream filter cannot be empty (to delete every notification, use delete_all)",
        ));
    }
    if trimmed.chars().count() > MAX_FILTER_CHARS {
        return Err(Error::invalid(
            filter,
            format!("an IoC stream filter is at most {MAX_FILTER_CHARS} characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(Error::invalid(
            filter,
            "an IoC stream filter has no control characters",
        ));
    }
    Ok(trimmed)
}

/// Checks a notification id before any request: not empty, printable ASCII without `/`
/// (VirusTotal's are decimal digits).
pub fn check_notification_id(id: &str) -> Result<&str> {
    if id.is_empty() || id.len() > 256 || !id.bytes().all(|b| b.is_ascii_graphic() && b != b'/') {
        return Err(Error::invalid(
            id,
            "not a notification id (printable ASCII without spaces or `/`; VirusTotal's are digits)",
        ));
    }
    Ok(id)
}

/// The `filter` of `GET|DELETE /ioc_stream`: space-separated `modifier:value` terms that
/// must all match.
///
/// ```
/// use vt_api::ioc_stream::IocStreamFilter;
/// use vt_model::IocStreamOrigin;
/// let f = IocStreamFilter::new()
///     .origin(IocStreamOrigin::Subscriptions)
///     .source_type("collection")
///     .date_after("2026-12-01T00:00:00");
/// assert_eq!(f.to_string(), "origin:subscriptions source_type:collection date:2026-12-01T00:00:00+");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IocStreamFilter {
    terms: Vec<String>,
}

impl IocStreamFilter {
    /// An empty filter (matches everything).
    pub fn new() -> Self {
        Self::default()
    }

    /// A filter as text, passed as given (after [`check_filter`]).
    pub fn raw(text: &str) -> Result<Self> {
        Ok(IocStreamFilter {
            terms: vec![check_filter(text)?.to_owned()],
        })
    }

    fn term(mut self, modifier: &str, value: impl fmt::Display) -> Self {
        self.terms.push(format!("{modifier}:{value}"));
        self
    }

    /// `origin:hunting` or `origin:subscriptions`.
    pub fn origin(self, origin: IocStreamOrigin) -> Self {
        self.term("origin", origin)
    }

    /// `entity_type:file|url|domain|ip_address`.
    pub fn entity_type(self, object_type: &str) -> Self {
        self.term("entity_type", object_type)
    }

    /// `entity_id:<id>`: the notifications of one object.
    pub fn entity_id(self, id: &str) -> Self {
        self.term("entity_id", id)
    }

    /// `source_type:hunting_ruleset|retrohunt_job|collection|threat_actor`.
    pub fn source_type(self, source_type: &str) -> Self {
        self.term("source_type", source_type)
    }

    /// `source_id:<id>`: the notifications one ruleset, job or collection raised.
    pub fn source_id(self, id: &str) -> Self {
        self.term("source_id", id)
    }

    /// `notification_tag:<tag>` (Livehunt tags include the rule name).
    pub fn tag(self, tag: &str) -> Self {
        self.term("notification_tag", tag)
    }

    /// `date:<time>+`: raised after a UTC time (`2026-12-01T10:00:00`).
    pub fn date_after(self, time: &str) -> Self {
        self.term("date", format_args!("{time}+"))
    }

    /// `date:<time>-`: raised before a UTC time.
    pub fn date_before(self, time: &str) -> Self {
        self.term("date", format_args!("{time}-"))
    }

    /// Whether no term is set.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

impl fmt::Display for IocStreamFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.terms.join(" "))
    }
}

/// The IoC stream family; get it with [`Client::ioc_stream`].
#[derive(Debug)]
pub struct IocStream<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> IocStream<'a> {
    /// Every notification, newest first (`GET /ioc_stream`), pages capped at
    /// [`IOC_STREAM_MAX_PAGE_SIZE`]. Add [`filter`](Paginator::filter) text,
    /// [`order`](Paginator::order) or [`descriptors_only`](Paginator::descriptors_only).
    pub fn list(&self) -> Paginator<AnyObject> {
        Paginator::new(self.client, Target::V3("/ioc_stream".into()), Vec::new())
            .max_page_size(IOC_STREAM_MAX_PAGE_SIZE)
    }

    /// The notifications `filter` matches (`GET /ioc_stream?filter=`); an empty or bad
    /// filter makes a paginator that yields the error and sends nothing.
    pub fn list_filtered(&self, filter: &IocStreamFilter) -> Paginator<AnyObject> {
        match check_filter(&filter.to_string()) {
            Ok(text) => self.list().filter(text),
            Err(e) => Paginator::failed(e),
        }
    }

    /// Deletes the notifications `filter` matches (`DELETE /ioc_stream?filter=`). VirusTotal
    /// deletes them in the background; another deletion while one runs is refused with 429
    /// `TooManyRequestsError`. An empty filter is refused: see [`IocStream::delete_all`].
    pub async fn delete(&self, filter: &IocStreamFilter) -> Result<()> {
        let text = filter.to_string();
        let text = check_filter(&text)?;
        self.client
            .send_empty(ApiRequest::delete("/ioc_stream").query("filter", text))
            .await
    }

    /// Deletes every notification of the IoC stream (`DELETE /ioc_stream`, no filter).
    pub async fn delete_all(&self) -> Result<()> {
        self.client
            .send_empty(ApiRequest::delete("/ioc_stream"))
            .await
    }

    /// One notification's object (`GET /ioc_stream_notifications/{id}`).
    pub async fn notification(&self, id: &str) -> Result<AnyObject> {
        let path = format!(
            "/ioc_stream_notifications/{}",
            path_segment(check_notification_id(id)?)
        );
        self.client.send_data(ApiRequest::get(path)).await
    }

    /// Deletes one notification (`DELETE /ioc_stream_notifications/{id}`).
    pub async fn delete_notification(&self, id: &str) -> Result<()> {
        let path = format!(
            "/ioc_stream_notifications/{}",
            path_segment(check_notification_id(id)?)
        );
        self.client.send_empty(ApiRequest::delete(path)).await
    }
}
