//! # vt-transport
//!
//! A tower HTTP stack for the VirusTotal API. (Crate guide: to be written with the layers.)
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod body;

pub use body::{BodyFactory, BoxError, ResponseBody, VtBody};
