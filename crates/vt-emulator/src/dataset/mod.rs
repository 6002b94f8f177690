//! The emulator's known objects: a deterministic dataset generated from the seed, the EICAR
//! test file, and optionally real documents loaded from a directory.
//!
//! [`Dataset`] is the read-only summary tests and demos use to pick known items; the objects
//! themselves live in the emulator's store and change as clients upload, comment and vote.
//! [`generate`] runs the generation steps in order (each in its own module): EICAR,
//! network objects (IP addresses, domains and their resolutions, URLs), files, relationships,
//! sandbox behaviours, comments and votes; the VT Monitor tree is generated apart.

mod behaviours;
mod detections;
mod eicar;
mod files;
mod generate;
mod generation;
mod load;
mod monitor_tree;
mod network;
mod relationships;
mod social;
mod summary;
mod well_known;

pub(crate) use generate::generate;
pub(crate) use load::load_dir;
pub(crate) use monitor_tree::generate_monitor;
pub use summary::{Dataset, FileInfo, MonitorItemInfo, UrlInfo};
pub use well_known::{
    EICAR_BYTES, EICAR_MD5, EICAR_SHA1, EICAR_SHA256, WELL_KNOWN_DOMAIN, WELL_KNOWN_IP,
};
