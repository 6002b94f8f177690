//! # vt-model
//!
//! Typed, lossless serde models of the VirusTotal API. (Crate guide: to be written with the
//! models; see issue "Workspace foundation and vt-model".)
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod error;
pub mod ids;

pub use error::{ApiError, ApiErrorBody, ErrorCode, RetryClass};
pub use ids::*;
