//! Builders of the JSON objects the emulator serves (files, URLs, domains, IP addresses,
//! resolutions, sandbox behaviour reports, VT Monitor items), used both by the dataset
//! generator and by the routes that create objects (uploads, URL submissions).

pub(crate) mod behaviour;
pub(crate) mod domain;
pub(crate) mod file;
pub(crate) mod file_types;
pub(crate) mod ip_address;
pub(crate) mod monitor_item;
pub(crate) mod private;
pub(crate) mod resolution;
pub(crate) mod url;
pub(crate) mod vocabulary;
