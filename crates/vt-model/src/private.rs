//! Private scanning (`/private/...`): [`Private<T>`] marks every object that comes from a
//! private scan, so that a private report can never be taken for a public one.
//!
//! A private scan is shared with no one, kept for a limited time and has **no antivirus
//! verdicts**, only tool and sandbox output. Its objects have the public objects' shapes
//! (`private_file` is a file report, `private_url` a URL report, `private_analysis` an
//! analysis with per-sandbox progress), so the typed attribute structs are reused, but wrapped:
//! a `Private<FileReport>` is not a [`FileReport`](crate::FileReport), does not dereference to
//! one, and is only unwrapped on purpose with [`Private::into_inner`] or read through
//! [`Private::get`]. JSON is unchanged (the wrapper is transparent in serde).
//!
//! ```
//! use vt_model::{PrivateFileReport, FileReport};
//! let report: PrivateFileReport = serde_json::from_str(
//!     r#"{"type": "private_file", "id": "abc", "attributes": {"size": 3}}"#).unwrap();
//! assert_eq!(report.get().attributes.size, Some(3));
//! assert_eq!(report.get().object_type, "private_file");
//! fn publish(_: &FileReport) {}
//! // publish(&report); // does not compile: a private report is not a public one
//! publish(report.get()); // an explicit, visible choice
//! ```

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::analysis::{AnalysisMeta, AnalysisStatus};
use crate::envelope::DataEnvelope;
use crate::lossless::lossless_struct;
use crate::{Descriptor, FileReport, Object, Timestamp, UrlReport};

/// An object from a private scan (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Private<T>(T);

impl<T> Private<T> {
    /// Marks `value` as private.
    pub fn new(value: T) -> Private<T> {
        Private(value)
    }

    /// The private object, to read.
    pub fn get(&self) -> &T {
        &self.0
    }

    /// The private object, to change.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.0
    }

    /// Removes the private mark: an explicit step, so that nothing private is passed on as
    /// public by accident.
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// A private file report (`GET /private/files/{sha256}`, `type: "private_file"`).
pub type PrivateFileReport = Private<FileReport>;
/// A private URL report (`GET /private/urls/{id}`, `type: "private_url"`).
pub type PrivateUrlReport = Private<UrlReport>;
/// A private analysis (`GET /private/analyses/{id}`, `type: "private_analysis"`).
pub type PrivateAnalysis = Private<Object<PrivateAnalysisAttributes>>;
/// The descriptor a private upload or URL scan answers (`{"type", "id"}` of the private
/// analysis).
pub type PrivateAnalysisDescriptor = Private<Descriptor>;
/// A private analysis answer: the analysis and the envelope's `meta` (`file_info`).
pub type PrivateAnalysisDocument = DataEnvelope<PrivateAnalysis>;

lossless_struct! {
    /// The attributes of a `private_analysis`: no engine results, a progress per sandbox.
    ///
    /// ```
    /// use vt_model::{AnalysisStatus, PrivateAnalysisAttributes};
    /// let a: PrivateAnalysisAttributes = serde_json::from_str(r#"{"status": "in-progress",
    ///   "date": 1700000000, "sandbox_status": {"Zenbox": {"status": "running", "in_progress_percent": 40}}}"#).unwrap();
    /// assert_eq!(a.status, Some(AnalysisStatus::InProgress));
    /// assert_eq!(a.sandbox_status.unwrap()["Zenbox"].in_progress_percent, Some(40));
    /// ```
    pub struct PrivateAnalysisAttributes {
        /// When the analysis started.
        date: Timestamp = "date",
        /// `queued`, `in-progress` or `completed`.
        status: AnalysisStatus = "status",
        /// Progress per sandbox.
        sandbox_status: IndexMap<String, SandboxProgress> = "sandbox_status",
        /// What is still to be done (present while work remains).
        pending_stages: Vec<String> = "pending_stages",
    }
}

lossless_struct! {
    /// The progress of one sandbox in a private analysis.
    pub struct SandboxProgress {
        /// The sandbox's own status (e.g. `running`, `finished`).
        status: String = "status",
        /// How far it got, 0 to 100.
        in_progress_percent: u64 = "in_progress_percent",
    }
}

impl DataEnvelope<PrivateAnalysis> {
    /// The analysis `meta` (`file_info` of the uploaded file, `url_info` of a URL): top-level
    /// as VirusTotal documents it, or inside `data` as one GTI sample has it.
    pub fn analysis_meta(&self) -> Option<AnalysisMeta> {
        let meta = self
            .extra
            .get("meta")
            .or_else(|| self.data.get().extra.get("meta"))?;
        AnalysisMeta::deserialize(meta).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_objects_round_trip_unchanged() {
        let json = r#"{"data":{"type":"private_analysis","id":"x","attributes":{"status":"queued","pending_stages":["sandbox"]}},"meta":{"file_info":{"sha256":"ab","size":3}}}"#;
        let doc: PrivateAnalysisDocument = serde_json::from_str(json).unwrap();
        assert_eq!(doc.data.get().object_type, "private_analysis");
        assert_eq!(
            doc.analysis_meta().unwrap().file_info.unwrap().size,
            Some(3)
        );
        let back = serde_json::to_value(&doc).unwrap();
        assert_eq!(
            back,
            serde_json::from_str::<serde_json::Value>(json).unwrap()
        );
    }
}
