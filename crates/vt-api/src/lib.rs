//! # vt-api
//!
//! A VirusTotal API v3 (and legacy v2 file report) client, typed, streaming and generic over
//! its transport. (Crate guide below.)
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod analyses;
mod builder;
pub mod client;
pub mod comments;
pub mod domains;
pub mod download;
pub mod error;
pub mod files;
pub mod hashing;
pub mod ip_addresses;
pub mod metadata;
pub mod monitor;
mod object_endpoints;
pub mod pagination;
mod raw;
pub mod request;
pub mod search;
pub mod upload;
pub mod urls;
pub mod users;
pub mod v2;

pub use analyses::WaitOptions;
pub use builder::ClientBuilder;
pub use client::{Client, HttpService};
pub use comments::CommentVote;
pub use download::DownloadOptions;
pub use error::{Error, Result};
pub use files::UploadOutcome;
pub use monitor::{MonitorFilter, MonitorTag};
pub use pagination::{Page, Paginator};
pub use request::{ApiRequest, Target};
pub use upload::UploadOptions;

/// The types of `vt-model` this crate's functions take and return.
pub use vt_model as model;
/// The transport stack (`vt-transport`): rate limits, retries, layers.
pub use vt_transport as transport;

impl<S: HttpService> Client<S> {
    /// Files: reports, uploads, comments, votes, relationships, downloads, behaviours.
    pub fn files(&self) -> files::Files<'_, S> {
        files::Files { client: self }
    }

    /// URLs: submission, reports, comments, votes, relationships, network location.
    pub fn urls(&self) -> urls::Urls<'_, S> {
        urls::Urls { client: self }
    }

    /// Domains: reports, re-analysis, comments, votes, relationships.
    pub fn domains(&self) -> domains::Domains<'_, S> {
        domains::Domains { client: self }
    }

    /// IP addresses: reports, re-analysis, comments, votes, relationships.
    pub fn ip_addresses(&self) -> ip_addresses::IpAddresses<'_, S> {
        ip_addresses::IpAddresses { client: self }
    }

    /// Analyses: get, analysed item, wait for completion.
    pub fn analyses(&self) -> analyses::Analyses<'_, S> {
        analyses::Analyses { client: self }
    }

    /// Comments: latest, get, vote, delete, relationships.
    pub fn comments(&self) -> comments::Comments<'_, S> {
        comments::Comments { client: self }
    }

    /// Search (basic and Intelligence).
    pub fn search(&self) -> search::Search<'_, S> {
        search::Search { client: self }
    }

    /// Metadata (engines, privileges, relationships).
    pub fn metadata(&self) -> metadata::Metadata<'_, S> {
        metadata::Metadata { client: self }
    }

    /// Users: user object, quotas, API usage.
    pub fn users(&self) -> users::Users<'_, S> {
        users::Users { client: self }
    }

    /// VT Monitor (software publishers).
    pub fn monitor(&self) -> monitor::Monitor<'_, S> {
        monitor::Monitor { client: self }
    }

    /// The legacy v2 file report.
    pub fn v2(&self) -> v2::V2<'_, S> {
        v2::V2 { client: self }
    }
}
