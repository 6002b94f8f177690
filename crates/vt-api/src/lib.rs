//! # vt-api
//!
//! A VirusTotal API v3 (and legacy v2 file report) client, typed, streaming and generic over
//! its transport. (Crate guide below, written with the endpoint families.)
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod client;
pub mod error;
pub mod hashing;
pub mod pagination;
pub mod request;
pub mod v2;

pub use client::{Client, HttpService};
pub use error::{Error, Result};
pub use pagination::{Page, Paginator};
pub use request::{ApiRequest, Target};
