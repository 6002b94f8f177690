//! Analyses: [`AnalysisAttributes`] (`type: "analysis"`), their [`AnalysisStatus`], and the
//! [`AnalysisMeta`] that comes with `GET /analyses/{id}`.

use serde::Deserialize;

use crate::engine::{AnalysisStats, EngineResults};
use crate::envelope::DataEnvelope;
use crate::lossless::lossless_struct;
use crate::open_enum::open_enum_text;
use crate::{Object, Timestamp};

lossless_struct! {
    /// The attributes of an `analysis` object.
    ///
    /// ```
    /// use vt_model::{AnalysisAttributes, AnalysisStatus};
    /// let a: AnalysisAttributes = serde_json::from_str(
    ///     r#"{"status": "in-progress", "date": 1569495089, "stats": {}, "results": {}}"#).unwrap();
    /// assert_eq!(a.status, Some(AnalysisStatus::InProgress));
    /// assert!(!a.status.unwrap().is_completed());
    /// ```
    pub struct AnalysisAttributes {
        /// When the analysis started.
        date: Timestamp = "date",
        /// `queued`, `in-progress` or `completed`.
        status: AnalysisStatus = "status",
        /// Counters (empty while queued, partial while in progress).
        stats: AnalysisStats = "stats",
        /// Per-engine verdicts.
        results: EngineResults = "results",
    }
}

/// An analysis's `status`. Unknown values are kept in [`AnalysisStatus::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AnalysisStatus {
    /// `queued`: not started; results and stats are empty.
    Queued,
    /// `in-progress`: results are partial.
    InProgress,
    /// `completed`: results are final.
    Completed,
    /// A value this version does not know, kept verbatim.
    Other(String),
}

open_enum_text! {
    AnalysisStatus {
        Queued => "queued",
        InProgress => "in-progress",
        Completed => "completed",
    }
}

impl AnalysisStatus {
    /// Whether the results are final.
    pub fn is_completed(&self) -> bool {
        matches!(self, AnalysisStatus::Completed)
    }
}

lossless_struct! {
    /// The `meta` of a `GET /analyses/{id}` answer: what was analysed.
    pub struct AnalysisMeta {
        /// For file analyses.
        file_info: AnalysisFileInfo = "file_info",
        /// For URL analyses.
        url_info: AnalysisUrlInfo = "url_info",
    }
}

lossless_struct! {
    /// `meta.file_info` of a file analysis.
    pub struct AnalysisFileInfo {
        /// SHA-256 of the file.
        sha256: String = "sha256",
        /// SHA-1 of the file.
        sha1: String = "sha1",
        /// MD5 of the file.
        md5: String = "md5",
        /// Size in bytes.
        size: u64 = "size",
    }
}

lossless_struct! {
    /// `meta.url_info` of a URL analysis.
    pub struct AnalysisUrlInfo {
        /// The URL's id.
        id: String = "id",
        /// The URL.
        url: String = "url",
    }
}

impl DataEnvelope<Object<AnalysisAttributes>> {
    /// The analysis `meta` (`file_info` / `url_info`): top-level as VirusTotal sends it, or
    /// inside `data` as one GTI private-analysis sample has it. `None` when there is none or
    /// it is not an object.
    ///
    /// ```
    /// use vt_model::{Analysis, DataEnvelope};
    /// let a: DataEnvelope<Analysis> = serde_json::from_str(r#"{"data": {"type": "analysis",
    ///   "id": "u-x-1", "attributes": {"status": "completed"}},
    ///   "meta": {"url_info": {"id": "x", "url": "http://example.com/"}}}"#).unwrap();
    /// assert_eq!(a.analysis_meta().unwrap().url_info.unwrap().url.as_deref(), Some("http://example.com/"));
    /// ```
    pub fn analysis_meta(&self) -> Option<AnalysisMeta> {
        let meta = self
            .extra
            .get("meta")
            .or_else(|| self.data.extra.get("meta"))?;
        AnalysisMeta::deserialize(meta).ok()
    }
}
