//! [`Dataset`]: the read-only summary of what the emulator knew at start-up.

use super::well_known::EICAR_SHA256;
use crate::records::Kind;
use crate::store::Store;

/// A known file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    /// SHA-256 (the object id).
    pub sha256: String,
    /// SHA-1.
    pub sha1: String,
    /// MD5.
    pub md5: String,
    /// Size in bytes (the real size of the bytes `download` returns).
    pub size: u64,
    /// Number of engines with category `malicious`.
    pub malicious: u32,
    /// The `type_tag` attribute (`peexe`, `pdf`, ...).
    pub type_tag: String,
    /// Sizes of the generated relationships (`contacted_domains`, ...), by name.
    pub relationships: Vec<(String, usize)>,
    /// Whether the bytes are known (downloads work). Loaded documents have no bytes.
    pub downloadable: bool,
}

impl FileInfo {
    /// The size of a generated relationship (0 when absent).
    pub fn relationship_len(&self, name: &str) -> usize {
        self.relationships
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0, |(_, n)| *n)
    }
}

/// A known URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlInfo {
    /// The object id: SHA-256 of the canonical URL.
    pub id: String,
    /// The URL as submitted.
    pub url: String,
    /// Number of engines with category `malicious`.
    pub malicious: u32,
}

/// A known VT Monitor item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitorItemInfo {
    /// The MonitorItemID (standard base64 of `vtmonitor-v1://{owner}{path}`).
    pub id: String,
    /// The path (folders end with `/`).
    pub path: String,
    /// Whether it is a folder.
    pub is_folder: bool,
    /// Its tags (`detected`, `new-detections`, engine names, ...).
    pub tags: Vec<String>,
    /// The SHA-256 of a file item.
    pub sha256: Option<String>,
}

/// What the emulator knew at start-up, in a stable order (EICAR first among files, then the
/// generated items in generation order, then loaded documents).
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub(crate) files: Vec<FileInfo>,
    pub(crate) urls: Vec<UrlInfo>,
    pub(crate) domains: Vec<String>,
    pub(crate) ip_addresses: Vec<String>,
    pub(crate) monitor_items: Vec<MonitorItemInfo>,
    pub(crate) comments: Vec<String>,
}

impl Dataset {
    /// Known files; `files()[0]` is EICAR.
    pub fn files(&self) -> &[FileInfo] {
        &self.files
    }
    /// Known URLs.
    pub fn urls(&self) -> &[UrlInfo] {
        &self.urls
    }
    /// Known domain names.
    pub fn domains(&self) -> &[String] {
        &self.domains
    }
    /// Known IP addresses.
    pub fn ip_addresses(&self) -> &[String] {
        &self.ip_addresses
    }
    /// The VT Monitor tree (folders and files, by path).
    pub fn monitor_items(&self) -> &[MonitorItemInfo] {
        &self.monitor_items
    }
    /// Ids of the generated comments.
    pub fn comments(&self) -> &[String] {
        &self.comments
    }
    /// The EICAR test file.
    pub fn eicar(&self) -> Option<&FileInfo> {
        self.files.iter().find(|f| f.sha256 == EICAR_SHA256)
    }
    /// A file with at least `min` malicious detections.
    pub fn malicious_file(&self, min: u32) -> Option<&FileInfo> {
        self.files
            .iter()
            .find(|f| f.malicious >= min && f.sha256 != EICAR_SHA256)
    }
    /// Records the size of each file's relationships in [`FileInfo::relationships`].
    pub(crate) fn record_relationships(&mut self, store: &Store) {
        for f in self.files.iter_mut() {
            let fkey = (Kind::File, f.sha256.clone());
            if let Some(rels) = store.relationships.get(&fkey) {
                f.relationships = rels.iter().map(|(k, v)| (k.clone(), v.len())).collect();
            }
        }
    }
    /// A file nobody detects.
    pub fn clean_file(&self) -> Option<&FileInfo> {
        self.files
            .iter()
            .find(|f| f.malicious == 0 && f.downloadable)
    }
}
