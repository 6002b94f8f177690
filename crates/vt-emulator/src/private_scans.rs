//! Private scans, kept apart from everything public: a privately uploaded file or scanned
//! URL is never an object of the public store, so `/files/{id}`, `/urls/{id}`, searches,
//! relationships and downloads never see it. Each private object belongs to the user who
//! scanned it; other users get `NotFoundError`, as for anything they cannot see.

use std::collections::{BTreeMap, HashMap};

use crate::records::StoredObject;

/// What a private analysis analyses.
#[derive(Debug, Clone)]
pub(crate) enum PrivateTarget {
    File {
        sha256: String,
        sha1: String,
        md5: String,
        size: u64,
    },
    Url {
        id: String,
        url: String,
    },
}

/// A private analysis and how far it got.
#[derive(Debug, Clone)]
pub(crate) struct PrivateAnalysis {
    pub(crate) owner: String,
    pub(crate) target: PrivateTarget,
    pub(crate) created_ms: u64,
    pub(crate) polls: u32,
    /// The sandboxes it runs in.
    pub(crate) sandboxes: Vec<String>,
}

/// Every private object, by owner.
#[derive(Debug, Default)]
pub(crate) struct PrivateStore {
    /// (owner, SHA-256) → `private_file`; ordered, so listings are by SHA-256.
    pub(crate) files: BTreeMap<(String, String), StoredObject>,
    /// (owner, URL id) → `private_url`.
    pub(crate) urls: HashMap<(String, String), StoredObject>,
    /// Analysis id → analysis.
    pub(crate) analyses: HashMap<String, PrivateAnalysis>,
}

impl PrivateStore {
    /// The SHA-256 of `owner`'s private file `id` (an MD5, SHA-1 or SHA-256, any case).
    pub(crate) fn resolve_file(&self, owner: &str, id: &str) -> Option<String> {
        let id = id.to_ascii_lowercase();
        if self.files.contains_key(&(owner.to_owned(), id.clone())) {
            return Some(id);
        }
        self.files
            .iter()
            .filter(|((o, _), _)| o == owner)
            .find(|(_, obj)| {
                ["md5", "sha1"]
                    .iter()
                    .any(|h| obj.attr(h).and_then(|v| v.as_str()) == Some(id.as_str()))
            })
            .map(|((_, sha), _)| sha.clone())
    }

    /// `owner`'s private files, by SHA-256.
    pub(crate) fn files_of<'a>(
        &'a self,
        owner: &'a str,
    ) -> impl Iterator<Item = &'a StoredObject> + 'a {
        self.files
            .iter()
            .filter(move |((o, _), _)| o == owner)
            .map(|(_, obj)| obj)
    }
}
