//! Access to the real-response corpus of the repository (`fixtures/vt-json`).

#![allow(dead_code)] // each test binary uses a different part

use std::path::PathBuf;

/// `VT_FIXTURES_DIR`, or the repository's `fixtures/vt-json` (`../../fixtures/vt-json` from this crate).
pub fn dir() -> PathBuf {
    std::env::var_os("VT_FIXTURES_DIR").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../fixtures/vt-json"
            ))
        },
        PathBuf::from,
    )
}

/// The text of one corpus file (`name` relative to the corpus root); panics with the path
/// if it cannot be read.
pub fn read(name: &str) -> String {
    let path = dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read corpus file {} (set VT_FIXTURES_DIR): {e}",
            path.display()
        )
    })
}

/// Decodes a corpus file strictly.
pub fn load<T: serde::de::DeserializeOwned>(name: &str) -> T {
    vt_model::from_str_strict(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}
