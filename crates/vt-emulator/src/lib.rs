//! A local VirusTotal API server for tests, benchmarks, demos and users' own CI.
//!
//! The emulator speaks the v3 API under `/api/v3` (files, URLs, domains, IP addresses,
//! analyses, comments, votes, every relationship with cursor pagination, sandbox behaviour
//! reports and their artefacts, search, metadata, users and quotas, VT Monitor) and the legacy
//! v2 `/vtapi/v2/file/report`, with VirusTotal's error bodies and status codes, per-key quotas,
//! seeded fault injection and an optional fixed latency. Its dataset is
//! generated from a seed (the EICAR test file is always known), so tests can rely on it.
//! The full behaviour is described in `docs/emulator.md`.
//!
//! | to ... | use |
//! |---|---|
//! | start one | [`Emulator::builder`] or [`Emulator::from_config`] with an [`EmulatorConfig`], then `start().await` |
//! | reach it | [`EmulatorHandle::base_url`] (vt-py's `host`), [`EmulatorHandle::api_url`] |
//! | authenticate | [`DEFAULT_PREMIUM_KEY`], [`DEFAULT_PUBLIC_KEY`], or your own [`KeySpec`]s |
//! | pick known items | [`EmulatorHandle::dataset`] ([`Dataset::files`], [`Dataset::eicar`], [`Dataset::monitor_items`], ...) |
//! | roll quota windows, finish analyses | [`QuotaConfig`], [`AnalysisTiming`], [`EmulatorHandle::clock`] ([`Clock::advance`]) |
//! | inject faults | [`FaultRule`] in [`FaultConfig`] (or [`EmulatorBuilder::fault`]) |
//! | check what happened | [`EmulatorHandle::stats`] or `GET /_emulator/stats` |
//!
//! ```no_run
//! use vt_emulator::{AnalysisTiming, DEFAULT_PREMIUM_KEY, Emulator};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let emu = Emulator::builder().seed(42).analysis(AnalysisTiming::IMMEDIATE).start().await?;
//! let file = &emu.dataset().files()[1];
//! println!("curl -H 'x-apikey: {DEFAULT_PREMIUM_KEY}' {}/files/{}", emu.api_url(), file.sha256);
//! assert_eq!(emu.stats().requests_total, 0);
//! emu.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Starting from a plain configuration (what `vt emulator serve` does):
//!
//! ```no_run
//! use vt_emulator::{Emulator, EmulatorConfig, QuotaWindows};
//!
//! # async fn demo() -> Result<(), vt_emulator::StartError> {
//! let mut cfg = EmulatorConfig::default();
//! cfg.port = 8080;
//! cfg.quotas.windows = QuotaWindows::scaled(43_200); // a "day" lasts two seconds
//! cfg.keys.push("my-key:public".parse()?);
//! let mut emu = Emulator::from_config(cfg).start().await?;
//! emu.wait().await; // until POST /_emulator/shutdown
//! # Ok(()) }
//! ```
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod clock;
mod collections;
mod config;
mod dataset;
mod dates;
mod digest;
mod engines;
mod error;
mod faults;
mod feeds;
mod http;
mod hunting_snippet;
mod ioc_stream;
mod livehunt;
mod monitor_rescan;
mod private_scans;
mod quota;
mod records;
mod relationships;
mod reports;
mod retrohunt_jobs;
mod rng;
mod routes;
mod search_query;
mod server;
mod state;
mod stats;
mod store;
mod url_id;
mod verdicts;
mod yara_engine;
mod zip_bundle;

pub use clock::Clock;
pub use config::{
    AnalysisTiming, ClockMode, DEFAULT_PREMIUM_KEY, DEFAULT_PUBLIC_KEY, DEFAULT_SEED,
    DIRECT_UPLOAD_LIMIT, DatasetConfig, EmulatorConfig, FaultConfig, KeySpec, MONITOR_OWNER,
    QuotaConfig, QuotaLimits, QuotaWindows, Tier, UPLOAD_URL_LIMIT,
};
pub use dataset::{
    Dataset, EICAR_BYTES, EICAR_MD5, EICAR_SHA1, EICAR_SHA256, FileInfo, MonitorItemInfo, UrlInfo,
    WELL_KNOWN_DOMAIN, WELL_KNOWN_IP,
};
pub use engines::{FILE_ENGINES, URL_ENGINES};
pub use error::{ConfigError, StartError};
pub use faults::{FaultKind, FaultRule, parse_duration};
pub use feeds::FeedConfig;
pub use routes::v2::{V2_BATCH_PREMIUM, V2_BATCH_PUBLIC};
pub use server::{Emulator, EmulatorBuilder, EmulatorHandle};
pub use stats::{LoggedRequest, StatsSnapshot};
