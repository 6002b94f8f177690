//! VirusTotal Intelligence: the context of a search hit ([`SearchContext`]) and ZIP bundles
//! of many files ([`ZipFileAttributes`], `type: "zip_file"`, and their [`ZipFileStatus`]).

use crate::lossless::lossless_struct;
use crate::open_enum::open_enum_text;
use crate::{AnyObject, Object};

lossless_struct! {
    /// The `context_attributes` of an Intelligence search hit: set by content searches
    /// (`content:`, the `confidence`, whether the match was in a sub-file, and the `snippet`
    /// id for `GET /intelligence/search/snippets/{snippet}`) and by similarity searches
    /// (`similarity_score`, 0 to 1). Other members are kept in `extra`.
    ///
    /// ```
    /// use vt_model::{AnyObject, SearchContext};
    /// let hit: AnyObject = serde_json::from_str(r#"{"type": "file", "id": "ab",
    ///     "attributes": {}, "context_attributes": {"confidence": 0.9,
    ///     "match_in_subfile": false, "snippet": "L3Nu"}}"#).unwrap();
    /// let context = SearchContext::of(&hit).unwrap();
    /// assert_eq!(context.snippet.as_deref(), Some("L3Nu"));
    /// assert_eq!(context.match_in_subfile, Some(false));
    /// ```
    pub struct SearchContext {
        /// How sure the content match is (content searches).
        confidence: f64 = "confidence",
        /// Whether the content matched inside a file contained in the hit (content searches).
        match_in_subfile: bool = "match_in_subfile",
        /// The snippet id of the match (content searches).
        snippet: String = "snippet",
        /// Similarity to the searched file, 0 to 1 (similarity searches).
        similarity_score: f64 = "similarity_score",
    }
}

impl SearchContext {
    /// The search context of a hit, `None` when the hit has no `context_attributes`.
    pub fn of(hit: &AnyObject) -> Option<SearchContext> {
        let map = hit.context_attributes()?;
        crate::from_value_strict(serde_json::Value::Object(map.clone())).ok()
    }
}

/// A `zip_file` object (`POST /intelligence/zip_files`, `GET /intelligence/zip_files/{id}`).
pub type ZipFile = Object<ZipFileAttributes>;

lossless_struct! {
    /// The attributes of a `zip_file` object: a ZIP bundle VirusTotal builds from many files.
    ///
    /// ```
    /// use vt_model::{ZipFileAttributes, ZipFileStatus};
    /// let z: ZipFileAttributes = serde_json::from_str(
    ///     r#"{"status": "creating", "progress": 45, "files_ok": 3, "files_error": 0}"#).unwrap();
    /// assert_eq!(z.status, Some(ZipFileStatus::Creating));
    /// assert_eq!(z.progress_percent(), 45);
    /// ```
    pub struct ZipFileAttributes {
        /// `starting`, `creating`, `finished`, `timeout`, `error-starting` or
        /// `error-creating`.
        status: ZipFileStatus = "status",
        /// How far the bundle is built, 0 to 100 (kept as the number sent, integer or not;
        /// see [`ZipFileAttributes::progress_percent`]).
        progress: serde_json::Number = "progress",
        /// Files added so far.
        files_ok: u64 = "files_ok",
        /// Files that could not be added (unknown hashes, no content).
        files_error: u64 = "files_error",
    }
}

impl ZipFileAttributes {
    /// The progress as a whole percentage, held between 0 and 100 (0 when absent).
    pub fn progress_percent(&self) -> u8 {
        let p = self
            .progress
            .as_ref()
            .and_then(serde_json::Number::as_f64)
            .unwrap_or(0.0);
        if p.is_finite() {
            // Held to 0..=100 first, so the cast cannot truncate.
            p.clamp(0.0, 100.0).round() as u8
        } else {
            0
        }
    }
}

/// A ZIP bundle's `status`. Unknown values are kept in [`ZipFileStatus::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ZipFileStatus {
    /// `starting`.
    Starting,
    /// `creating`.
    Creating,
    /// `finished`: the bundle can be downloaded.
    Finished,
    /// `timeout`: VirusTotal gave up building it.
    Timeout,
    /// `error-starting`.
    ErrorStarting,
    /// `error-creating`.
    ErrorCreating,
    /// A value this version does not know, kept verbatim.
    Other(String),
}

open_enum_text! {
    ZipFileStatus {
        Starting => "starting",
        Creating => "creating",
        Finished => "finished",
        Timeout => "timeout",
        ErrorStarting => "error-starting",
        ErrorCreating => "error-creating",
    }
}

impl ZipFileStatus {
    /// Whether the bundle is still being built (`starting` or `creating`): the only states
    /// worth polling again, as vt-py does; any other state is final.
    pub fn is_in_progress(&self) -> bool {
        matches!(self, ZipFileStatus::Starting | ZipFileStatus::Creating)
    }

    /// Whether the bundle is ready to download.
    pub fn is_finished(&self) -> bool {
        matches!(self, ZipFileStatus::Finished)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_classify() {
        for s in [
            "starting",
            "creating",
            "finished",
            "timeout",
            "error-starting",
            "error-creating",
            "new",
        ] {
            assert_eq!(ZipFileStatus::parse(s).as_str(), s);
        }
        assert!(ZipFileStatus::Creating.is_in_progress());
        assert!(!ZipFileStatus::Timeout.is_in_progress());
        assert!(!ZipFileStatus::parse("new").is_finished());
    }

    #[test]
    fn progress_is_held_to_a_percentage() {
        let z = |p: f64| ZipFileAttributes {
            progress: serde_json::Number::from_f64(p),
            ..Default::default()
        };
        assert_eq!(z(250.0).progress_percent(), 100);
        assert_eq!(z(-3.0).progress_percent(), 0);
        assert_eq!(
            z(f64::NAN).progress_percent(),
            0,
            "NaN is no number: absent"
        );
        assert_eq!(z(44.6).progress_percent(), 45);
    }

    #[test]
    fn a_zip_file_object_is_lossless() {
        let text = r#"{"type":"zip_file","id":"123","attributes":{"status":"finished","progress":100,"files_ok":2,"files_error":1,"new":true}}"#;
        let z: ZipFile = crate::decode_str(text).unwrap();
        assert_eq!(z.attributes.files_error, Some(1));
        assert_eq!(serde_json::to_string(&z).unwrap(), text);
    }
}
