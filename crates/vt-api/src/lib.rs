//! # vt-api
//!
//! A VirusTotal API v3 client (plus the legacy v2 file report): one typed function per
//! endpoint, grouped in families, streaming uploads and downloads, pagination as
//! [`futures_core::Stream`]s, and one [`Error`] type. The client works over any
//! transport: by default the [`vt_transport`] tower stack (API key, client-side rate limit,
//! retries of transient failures, timeouts, proxies), or any `tower::Service` you give it.
//!
//! Every endpoint and its function: [`docs/api.md`](https://github.com/vt-rs/vt-rs/blob/main/docs/api.md)
//! (also summarised at the end of this page).
//!
//! ## Quick start
//!
//! ```no_run
//! # async fn run() -> Result<(), vt_api::Error> {
//! use vt_api::Client;
//! use vt_model::FileHash;
//!
//! let client = Client::new(std::env::var("VT_API_KEY").unwrap_or_default())?;
//! let hash: FileHash = "44d88612fea8a8f36de82e1278abb02f".parse()?;
//! match client.files().report(&hash).await {
//!     Ok(report) => println!("{} malicious", report.attributes.last_analysis_stats
//!         .map_or(0, |s| s.malicious())),
//!     Err(e) if e.is_not_found() => println!("unknown file"),
//!     Err(e) => return Err(e),
//! }
//! # Ok(()) }
//! ```
//!
//! [`Client::builder`] sets the base URL (`https` or plain `http`, e.g. a local emulator),
//! the user agent, the rate limit (`public` 4/min is the default; `premium(n)`, `none`, or a
//! spec such as `4/min,500/day`), retries, timeouts, proxy, concurrency and the v2 batch
//! size. A client is one `Arc`: clone it freely and share it between tasks (`Send + Sync`);
//! clones share the rate limiter and connection pool.
//!
//! The families: [`Client::files`], [`Client::urls`], [`Client::domains`],
//! [`Client::ip_addresses`], [`Client::analyses`], [`Client::comments`], [`Client::search`],
//! [`Client::intelligence`], [`Client::metadata`], [`Client::users`], [`Client::monitor`],
//! [`Client::feeds`], [`Client::private`], [`Client::retrohunt`], [`Client::collections`],
//! [`Client::ioc_stream`] and [`Client::v2`]; plus the
//! raw escape hatch on the client itself ([`Client::get_json`], [`Client::post_json`],
//! [`Client::patch_json`], [`Client::delete`], [`Client::paginate`], [`Client::send`]).
//!
//! Programs that store or forward reports without reading them can skip the typed model:
//! [`files::Files::report_json`] (and the same on URLs, domains and IP addresses) returns the
//! report's `data` object as the JSON text received ([`raw_json::RawJson`]), checked in one
//! pass but not decoded. Typed and raw access share one request path: [`Client::send_data`]
//! decodes an answer's `data` member into a model type, its twin [`Client::send_raw_data`]
//! checks it and hands out its text; [`raw_json`] re-indents or compacts such text without
//! building a tree.
//!
//! ## Swapping the transport
//!
//! [`Client::with_service`] takes any `tower::Service<http::Request<VtBody>>` whose response
//! body yields `Bytes` (see [`HttpService`]): your own layer stack, a bare hyper client, or an
//! in-process fake for tests. It must add the API key itself. The client erases the service's
//! type, so a client over a fake and one over the real transport are the same `Client`. Requests are built without I/O
//! ([`ApiRequest`]), so a fake sees exactly what would go on the wire:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), vt_api::Error> {
//! use http_body_util::Full;
//! use vt_api::{Client, transport::{BoxError, VtBody}};
//!
//! let fake = tower::service_fn(|req: http::Request<VtBody>| async move {
//!     assert_eq!(req.uri().path(), "/api/v3/domains/example.com");
//!     let body = r#"{"data": {"type": "domain", "id": "example.com", "attributes": {"reputation": 3}}}"#;
//!     Ok::<_, BoxError>(http::Response::new(Full::new(bytes::Bytes::from(body))))
//! });
//! let client = Client::with_service(fake, "https://www.virustotal.com")?;
//! let report = client.domains().report(&"example.com".parse()?).await?;
//! assert_eq!(report.attributes.reputation, Some(3));
//! # Ok(()) }
//! ```
//!
//! [`ClientBuilder::build_with`] keeps the whole `vt-transport` stack (auth, retries, rate
//! limit) over an inner service of yours.
//!
//! ## Pagination
//!
//! List endpoints return a [`Paginator`]: a lazy `Stream` of typed items that follows
//! `meta.cursor`, fetching the next page while the current one is consumed. Set
//! [`limit`](Paginator::limit) (total items), [`page_size`](Paginator::page_size),
//! [`filter`](Paginator::filter), [`order`](Paginator::order),
//! [`descriptors_only`](Paginator::descriptors_only), and resume with
//! [`start_at`](Paginator::start_at) from a previous [`cursor`](Paginator::cursor). With a
//! limit, the last request asks only for the items still wanted, so no quota is spent on
//! items thrown away and the cursor resumes exactly after the last item yielded. It stops on
//! a missing cursor, an empty page or a repeated cursor.
//!
//! ```no_run
//! # async fn run(client: vt_api::Client) -> Result<(), vt_api::Error> {
//! use futures_util::TryStreamExt;
//! let domain = "github.com".parse()?;
//! let mut subdomains = client.domains().related(&domain, "subdomains").limit(100).page_size(40);
//! while let Some(object) = subdomains.try_next().await? {
//!     println!("{}", object.id_str());
//! }
//! println!("resume with {:?}", subdomains.cursor());
//! # Ok(()) }
//! ```
//!
//! ## Uploads and downloads
//!
//! Uploads stream from disk with an exact `Content-Length`: `POST /files` when the whole
//! request fits in 32 MiB, a single-use upload URL above that, and files over 650 MiB refused
//! with [`Error::FileTooLarge`] before anything is sent. [`UploadOptions`] adds a ZIP
//! password, a progress callback and **skip-known** (hash locally, look the SHA-256 up, upload
//! only unknown files). Uploads are sent once and never retried automatically: `POST /files`
//! is not idempotent (see [`upload`]). Then wait for the analysis with
//! [`Analyses::wait`](analyses::Analyses::wait) (2 s growing to 30 s, 10 min timeout, riding
//! out transient errors):
//!
//! ```no_run
//! # async fn run(client: vt_api::Client) -> Result<(), vt_api::Error> {
//! use vt_api::{UploadOptions, UploadOutcome, WaitOptions};
//! let options = UploadOptions::new().skip_known(true).progress(|sent, total| eprint!("\r{sent}/{total}"));
//! if let UploadOutcome::Submitted(analysis) = client.files().upload_with("sample.exe", options).await? {
//!     let done = client.analyses().wait(&analysis.id_str().parse()?, WaitOptions::new()).await?;
//!     println!("{:?}", done.data.attributes.stats);
//! }
//! # Ok(()) }
//! ```
//!
//! Downloads stream to any `AsyncWrite` or to a path through a temporary file in the same
//! directory, renamed at the end: a failed download never leaves a file that looks complete
//! (see [`download`]). Local identifiers: [`hashing::hash_file`] computes MD5, SHA-1 and
//! SHA-256 in one pass on three threads; [`hashing::url_id`] gives a URL's id.
//!
//! ## Errors
//!
//! Every function returns [`Result<T, Error>`](Error). [`Error::Api`] carries the HTTP status,
//! VirusTotal's [`ErrorCode`](vt_model::ErrorCode) and message (after the transport's retries);
//! transport failures, decode failures (with the JSON path and a short snippet of the body),
//! invalid input (caught before any request), file I/O (with the path), oversize files and
//! analysis timeouts are separate variants. Classify without matching:
//! [`is_not_found`](Error::is_not_found), [`is_auth`](Error::is_auth),
//! [`is_quota`](Error::is_quota), [`is_quota_exhausted`](Error::is_quota_exhausted),
//! [`is_transient`](Error::is_transient), [`is_transport`](Error::is_transport),
//! [`is_invalid_input`](Error::is_invalid_input), [`api_code`](Error::api_code),
//! [`status`](Error::status). For batches, [`Error::class`] says in one
//! [`ErrorClass`] whether an error is the item's final answer
//! ([`is_final_for_item`](Error::is_final_for_item): save it) or a condition of the moment
//! (transient, quota, rate, auth, network, local: save nothing, ask again later).
//!
//! ## Choices where the API documentation is silent
//!
//! - The direct-upload limit applies to the whole multipart body (32 MiB = 33,554,432 bytes);
//!   the 650 MiB limit to the file.
//! - File names in multipart headers lose `"`, CR and LF; non-ASCII names are sent as UTF-8
//!   in a plain `filename="..."`.
//! - Path segments are percent-encoded (`/`, `+`, `=`, space, ...), so Monitor ids and
//!   sandbox ids with spaces are safe; `:` of IPv6 addresses is left as is.
//! - A list endpoint answering a single object yields one item; an item that fails to decode
//!   fails its page.
//! - v2 batch answers are matched to the resources by their `resource` echo (case-insensitive),
//!   by position otherwise.
//! - JSON answers over 64 MiB are refused ([`Error::ResponseTooLarge`];
//!   [`ClientBuilder::max_json_body`] changes it).
//!
//! ## Endpoints
//!
//! | family | functions | endpoints |
//! |---|---|---|
//! | [`files`] | `report`, `report_with_relationships`, `upload`, `upload_with`, `upload_bytes`, `upload_url`, `reanalyse`, `comments`, `add_comment`, `votes`, `add_vote`, `related`, `related_descriptors`, `download_url`, `download_to_writer`, `download_to_path`, `behaviours`, `behaviour_summary`, `behaviour_mitre_trees`, `behaviour`, `behaviour_of`, `behaviour_artifact_to_writer`/`_to_path` | `/files`, `/files/upload_url`, `/files/{id}[/analyse, /comments, /votes, /{rel}, /relationships/{rel}, /download_url, /download, /behaviours, /behaviour_summary, /behaviour_mitre_trees]`, `/file_behaviours/{id}[/pcap, /html, /evtx, /memdump]` |
//! | [`urls`] | `submit`, `report`, `report_by_url`, `report_with_relationships`, `reanalyse`, `comments`, `add_comment`, `votes`, `add_vote`, `related`, `related_descriptors`, `network_location` | `/urls`, `/urls/{id}[/analyse, /comments, /votes, /{rel}, /relationships/{rel}, /network_location]` |
//! | [`domains`], [`ip_addresses`] | `report`, `report_with_relationships`, `reanalyse`, `comments`, `add_comment`, `votes`, `add_vote`, `related`, `related_descriptors` | `/domains/{d}[...]`, `/ip_addresses/{ip}[...]` |
//! | [`analyses`] | `get`, `item`, `wait` | `/analyses/{id}`, `/analyses/{id}/item` |
//! | [`comments`] | `latest`, `get`, `delete`, `vote`, `related`, `related_descriptors` | `/comments`, `/comments/{id}[/vote, /{rel}, /relationships/{rel}]` |
//! | [`search`] | `query` (and `intelligence`, the same as `Client::intelligence().search`) | `/search`, `/intelligence/search` |
//! | [`intelligence`] | `search`, `snippet`, `create_zip`, `zip_file`, `wait_zip`, `zip_download_url`, `download_zip_to_path`, `download_zip_to_writer` | `/intelligence/search`, `/intelligence/search/snippets/{id}`, `/intelligence/zip_files[/{id}, /{id}/download_url, /{id}/download]` |
//! | [`retrohunt`] | `create`, `list`, `get`, `abort`, `delete`, `matching_files`, `wait`, `wait_observed` | `/intelligence/retrohunt_jobs[/{id}, /{id}/abort, /{id}/matching_files]` |
//! | [`metadata`] | `get` | `/metadata` |
//! | [`users`] | `get`, `quotas`, `overall_quotas`, `api_usage` | `/users/{id}[/overall_quotas, /api_usage]` |
//! | [`monitor`] | `items`, `items_filtered`, `item`, `upload`, `replace`, `create_folder`, `upload_url`, `delete`, `set_details`, `clear_details`, `download_url`, `download_to_writer`, `download_to_path`, `analyses`, `owner`, `comments`, `statistics`, `events` | `/monitor/items[/upload_url]`, `/monitor/items/{id}[/config, /download, /download_url, /analyses, /owner, /comments]`, `/monitor/statistics`, `/monitor/events` |
//! | [`feeds`] | `stream`, `stream_as` (a [`feeds::FeedStream`]: range, live tail, cursor), `hourly_to_path`, `hourly_to_writer`, `download_to_path`, `download_to_writer` | `/feeds/{files,urls,domains,ip_addresses,file-behaviours}/{YYYYMMDDhhmm}`, `/feeds/{type}/hourly/{YYYYMMDDhh}`, the items' `download_url` |
//! | [`private`] | `upload`, `upload_with`, `upload_url`, `scan_url`, `scan_url_with`, `reanalyse`, `analysis`, `wait`, `file`, `file_json`, `files`, `behaviours`, `url` | `/private/files[/upload_url]`, `/private/files/{sha256}[/analyse, /behaviours]`, `/private/analyses/{id}`, `/private/urls[/{id}]` |
//! | [`collections`] | `create`, `create_from_text`, `get`, `get_with_relationships`, `update`, `add`, `add_text`, `remove`, `delete`, `list`, `related`, `related_descriptors` | `/collections`, `/collections/{id}[/{rel}, /relationships/{rel}]`, `/users/{id}/collections` |
//! | [`ioc_stream`] | `list`, `list_filtered`, `delete`, `delete_all`, `notification`, `delete_notification` | `/ioc_stream`, `/ioc_stream_notifications/{id}` |
//! | [`hunting`] | `rulesets`, `ruleset`, `create_ruleset`, `update_ruleset`, `delete_ruleset`, `notifications`, `notification`, `delete_notification`, `delete_notifications`, `notification_files` (and `check_rules`) | `/intelligence/hunting_rulesets[/{id}]`, `/intelligence/hunting_notifications[/{id}]`, `/intelligence/hunting_notification_files` |
//! | [`v2`] | `file_report`, `file_reports`, `file_report_batches` | `/vtapi/v2/file/report` |
//! | raw ([`Client`]) | `get_json`, `post_json`, `patch_json`, `delete`, `paginate`, `send`, `send_data`, `send_raw_data`, `send_raw`, `send_empty` | any |
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod analyses;
mod answer;
mod body_codec;
mod builder;
pub mod cache;
pub mod client;
pub mod collections;
pub mod comments;
pub mod domains;
pub mod download;
pub mod error;
mod feed_package;
pub mod feeds;
pub mod files;
pub mod hashing;
pub mod hunting;
pub mod intelligence;
pub mod ioc_stream;
pub mod ip_addresses;
pub mod metadata;
pub mod monitor;
pub mod monitor_watch;
mod object_endpoints;
pub mod pagination;
pub mod private;
pub mod quota_plan;
mod raw;
pub mod raw_json;
pub mod request;
pub mod retrohunt;
pub mod search;
mod service;
pub mod upload;
pub mod urls;
pub mod users;
pub mod v2;

pub use analyses::{WaitOptions, WaitProgress};
pub use builder::ClientBuilder;
pub use cache::{CachePolicy, ReportCache};
pub use client::{Client, DEFAULT_BASE_URL, check_base_url};
pub use comments::CommentVote;
pub use download::DownloadOptions;
pub use error::{Error, ErrorClass, Result};
pub use files::UploadOutcome;
pub use monitor::{MonitorFilter, MonitorTag};
pub use pagination::{Page, Paginator};
pub use request::{ApiRequest, Target};
pub use service::HttpService;
pub use upload::{UploadOptions, check_local_file, check_upload_file};
pub use vt_model::Tier;
/// The client-side rate limit the builder takes ([`ClientBuilder::rate_limit`]).
pub use vt_transport::RateLimitSpec;

/// The types of `vt-model` this crate's functions take and return.
pub use vt_model as model;
/// The transport stack (`vt-transport`): rate limits, retries, layers.
pub use vt_transport as transport;
/// Local YARA rules (`vt-yara`, feature `yara`): compile a Livehunt or Retrohunt ruleset
/// with VirusTotal's yara-x, errors and warnings at line and column, before sending it; scan
/// local files with it.
#[cfg(feature = "yara")]
pub use vt_yara as yara;

impl Client {
    /// Files: reports, uploads, comments, votes, relationships, downloads, behaviours.
    pub fn files(&self) -> files::Files<'_> {
        files::Files { client: self }
    }

    /// URLs: submission, reports, comments, votes, relationships, network location.
    pub fn urls(&self) -> urls::Urls<'_> {
        urls::Urls { client: self }
    }

    /// Domains: reports, re-analysis, comments, votes, relationships.
    pub fn domains(&self) -> domains::Domains<'_> {
        domains::Domains { client: self }
    }

    /// IP addresses: reports, re-analysis, comments, votes, relationships.
    pub fn ip_addresses(&self) -> ip_addresses::IpAddresses<'_> {
        ip_addresses::IpAddresses { client: self }
    }

    /// Analyses: get, analysed item, wait for completion.
    pub fn analyses(&self) -> analyses::Analyses<'_> {
        analyses::Analyses { client: self }
    }

    /// Comments: latest, get, vote, delete, relationships.
    pub fn comments(&self) -> comments::Comments<'_> {
        comments::Comments { client: self }
    }

    /// Livehunt (premium): YARA rulesets, their notifications and the matched files.
    pub fn hunting(&self) -> hunting::Hunting<'_> {
        hunting::Hunting { client: self }
    }

    /// Search (basic and Intelligence).
    pub fn search(&self) -> search::Search<'_> {
        search::Search { client: self }
    }

    /// VirusTotal Intelligence (premium): search, snippets, ZIP bundles of many files.
    pub fn intelligence(&self) -> intelligence::Intelligence<'_> {
        intelligence::Intelligence { client: self }
    }

    /// Retrohunt (premium): YARA scans over VirusTotal's past files, their progress and
    /// matching files.
    pub fn retrohunt(&self) -> retrohunt::Retrohunt<'_> {
        retrohunt::Retrohunt { client: self }
    }

    /// Metadata (engines, privileges, relationships).
    pub fn metadata(&self) -> metadata::Metadata<'_> {
        metadata::Metadata { client: self }
    }

    /// Users: user object, quotas, API usage.
    pub fn users(&self) -> users::Users<'_> {
        users::Users { client: self }
    }

    /// VT Monitor (software publishers).
    pub fn monitor(&self) -> monitor::Monitor<'_> {
        monitor::Monitor { client: self }
    }

    /// Feeds (premium): files, URLs, domains, IP addresses and sandbox reports, per minute.
    pub fn feeds(&self) -> feeds::Feeds<'_> {
        feeds::Feeds { client: self }
    }

    /// Private scanning: private uploads and URL scans, their analyses and reports
    /// (`/private/...`; objects wrapped in [`vt_model::Private`]).
    pub fn private(&self) -> private::PrivateScans<'_> {
        private::PrivateScans { client: self }
    }

    /// Collections of indicators (files, URLs, domains, IP addresses): create, get, update,
    /// add and remove indicators, delete, list a user's, relationships.
    pub fn collections(&self) -> collections::Collections<'_> {
        collections::Collections { client: self }
    }

    /// The IoC stream: what your hunting and subscriptions raised; list, get, delete.
    pub fn ioc_stream(&self) -> ioc_stream::IocStream<'_> {
        ioc_stream::IocStream { client: self }
    }

    /// The legacy v2 file report.
    pub fn v2(&self) -> v2::V2<'_> {
        v2::V2 { client: self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_send<T: Send>(_: &T) {}
    fn is_send_sync<T: Send + Sync>() {}

    /// Compile-time checks: the client is shareable and its futures can be spawned.
    #[allow(dead_code)]
    fn futures_are_send(c: Client) {
        is_send_sync::<Client>();
        is_send(&c.send_raw(ApiRequest::get("/x")));
        is_send(&c.send::<serde_json::Value>(ApiRequest::get("/x")));
        let hash: vt_model::FileHash = "44d88612fea8a8f36de82e1278abb02f".parse().unwrap();
        is_send(&c.files().report(&hash));
        is_send(&c.files().upload("x"));
        is_send(&c.analyses().wait(&"x".parse().unwrap(), Default::default()));
        is_send(&c.private().upload("x"));
        is_send(&c.private().wait(&"x".parse().unwrap(), Default::default()));
        is_send(&c.v2().file_reports(&["a"], false));
        is_send(
            &c.retrohunt()
                .wait(&"a-1".parse().unwrap(), Default::default()),
        );
        let p: Paginator<vt_model::Comment> = c.files().comments(&hash);
        is_send(&p);
    }

    #[test]
    fn the_default_client_is_send_and_sync() {
        is_send_sync::<Client>();
    }
}
