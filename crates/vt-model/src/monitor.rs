//! VT Monitor: [`MonitorItemAttributes`] (`type: "monitor_item"`, also spelled
//! `"monitoritem"`) and [`MonitorAnalysisAttributes`] (`type: "monitor_analysis"`).

use crate::Timestamp;
use crate::engine::EngineResults;
use crate::lossless::lossless_struct;
use crate::open_enum::open_enum_text;

/// The type string VirusTotal documents for monitor items (send this one).
pub const MONITOR_ITEM_TYPE: &str = "monitor_item";
/// The other spelling of the monitor item type, seen in VirusTotal's examples.
pub const MONITOR_ITEM_TYPE_ALT: &str = "monitoritem";
/// The type string of monitor analyses.
pub const MONITOR_ANALYSIS_TYPE: &str = "monitor_analysis";

/// Whether `object_type` names a monitor item (either spelling).
pub fn is_monitor_item_type(object_type: &str) -> bool {
    object_type == MONITOR_ITEM_TYPE || object_type == MONITOR_ITEM_TYPE_ALT
}

lossless_struct! {
    /// The attributes of a monitor item (a file or folder in a VT Monitor collection).
    /// Folders lack the hash and size fields.
    pub struct MonitorItemAttributes {
        /// Path from the monitor root (`/folder/file.exe`; folders end with `/`).
        path: String = "path",
        /// `file` or `folder`.
        item_type: MonitorItemKind = "item_type",
        /// SHA-256 of the file.
        sha256: String = "sha256",
        /// SHA-1 of the file.
        sha1: String = "sha1",
        /// MD5 of the file.
        md5: String = "md5",
        /// Size in bytes.
        size: u64 = "size",
        /// Tags (`detected`, `new-detections`, engine names, ...).
        tags: Vec<String> = "tags",
        /// Per-engine verdicts of the latest analysis.
        last_analysis_results: EngineResults = "last_analysis_results",
        /// Latest analysis.
        last_analysis_date: Timestamp = "last_analysis_date",
        /// How many engines detect it now.
        last_detections_count: u64 = "last_detections_count",
        /// First detection.
        first_detection_date: Timestamp = "first_detection_date",
        /// Next scheduled analysis.
        next_analysis_date: Timestamp = "next_analysis_date",
        /// When the item was uploaded.
        creation_date: Timestamp = "creation_date",
        /// Who uploaded it.
        creator_id: String = "creator_id",
        /// Free-text details (files only).
        details: String = "details",
    }
}

/// A monitor item's `item_type`. Unknown values are kept in [`MonitorItemKind::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MonitorItemKind {
    /// `file`.
    File,
    /// `folder`.
    Folder,
    /// A value this version does not know, kept verbatim.
    Other(String),
}

open_enum_text! {
    MonitorItemKind {
        File => "file",
        Folder => "folder",
    }
}

lossless_struct! {
    /// The attributes of a monitor analysis (id `<sha256>-<unix time>`).
    pub struct MonitorAnalysisAttributes {
        /// Per-engine verdicts.
        analysis_results: EngineResults = "analysis_results",
        /// When the analysis ran.
        date: Timestamp = "date",
        /// How many engines detected the file.
        detections_count: u64 = "detections_count",
        /// SHA-256 of the file.
        sha256: String = "sha256",
        /// Tags.
        tags: Vec<String> = "tags",
    }
}
