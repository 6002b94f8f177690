//! Legacy v2 answers: [`V2FileReport`] (`GET /vtapi/v2/file/report`) and
//! [`V2FileReportBatch`] (a JSON array for several resources).

use std::fmt;

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::Timestamp;
use crate::lossless::lossless_struct;

/// v2's `response_code`. Unknown codes are kept in [`V2ResponseCode::Other`].
///
/// ```
/// use vt_model::V2ResponseCode;
/// assert_eq!(V2ResponseCode::from_code(-2), V2ResponseCode::Queued);
/// assert_eq!(V2ResponseCode::from_code(7).code(), 7);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum V2ResponseCode {
    /// `1`: the report is present.
    Found,
    /// `0`: the resource is not known (or the resource is malformed).
    NotFound,
    /// `-2`: the resource is queued for analysis.
    Queued,
    /// `-1`: an error (e.g. an invalid URL).
    Error,
    /// Any other code, kept verbatim.
    Other(i64),
}

impl V2ResponseCode {
    /// The code for a number; never fails.
    pub fn from_code(code: i64) -> V2ResponseCode {
        match code {
            1 => V2ResponseCode::Found,
            0 => V2ResponseCode::NotFound,
            -2 => V2ResponseCode::Queued,
            -1 => V2ResponseCode::Error,
            other => V2ResponseCode::Other(other),
        }
    }

    /// The number VirusTotal writes.
    pub fn code(self) -> i64 {
        match self {
            V2ResponseCode::Found => 1,
            V2ResponseCode::NotFound => 0,
            V2ResponseCode::Queued => -2,
            V2ResponseCode::Error => -1,
            V2ResponseCode::Other(other) => other,
        }
    }
}

impl fmt::Display for V2ResponseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

impl Serialize for V2ResponseCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.code())
    }
}

impl<'de> Deserialize<'de> for V2ResponseCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        i64::deserialize(deserializer).map(V2ResponseCode::from_code)
    }
}

lossless_struct! {
    /// A v2 file report. Other v2 answers (`/url/report`, `/domain/report`, `/ip-address/report`,
    /// `/file/scan`, `/file/behaviour`) share `response_code` / `verbose_msg` and decode as this
    /// type too, with their own members in `extra`.
    ///
    /// ```
    /// use vt_model::{V2FileReport, V2ResponseCode};
    /// let r: V2FileReport = serde_json::from_str(r#"{"response_code": 1, "positives": 1,
    ///   "total": 2, "scan_date": "2010-05-15 03:38:44", "scans": {
    ///   "A": {"detected": true, "version": "1", "result": "EICAR", "update": "20100514"},
    ///   "B": {"detected": false, "version": "2", "result": null, "update": "20100514"}}}"#).unwrap();
    /// assert_eq!(r.response_code, Some(V2ResponseCode::Found));
    /// assert_eq!(r.detections().count(), 1);
    /// assert_eq!(r.scan_time().unwrap().to_rfc3339(), "2010-05-15T03:38:44Z");
    /// ```
    pub struct V2FileReport {
        /// Whether the report exists.
        response_code: V2ResponseCode = "response_code",
        /// Human-readable status (do not match on it; use `response_code`).
        verbose_msg: String = "verbose_msg",
        /// The resource as sent (missing from some not-found answers).
        resource: String = "resource",
        /// `<sha256>-<unix time>` of this scan.
        scan_id: String = "scan_id",
        /// MD5.
        md5: String = "md5",
        /// SHA-1.
        sha1: String = "sha1",
        /// SHA-256.
        sha256: String = "sha256",
        /// `YYYY-MM-DD HH:MM:SS` (UTC).
        scan_date: String = "scan_date",
        /// Link to the web report.
        permalink: String = "permalink",
        /// How many engines detected the file.
        positives: u64 = "positives",
        /// How many engines scanned it.
        total: u64 = "total",
        /// Per-engine results.
        scans: IndexMap<String, V2ScanResult> = "scans",
    }
}

impl V2FileReport {
    /// `scan_date` as a timestamp, if present and well-formed.
    pub fn scan_time(&self) -> Option<Timestamp> {
        Timestamp::parse_utc(self.scan_date.as_deref()?)
    }

    /// The engines that detected the file, with their results.
    pub fn detections(&self) -> impl Iterator<Item = (&str, &V2ScanResult)> {
        self.scans
            .iter()
            .flatten()
            .filter(|(_, scan)| scan.detected == Some(true))
            .map(|(engine, scan)| (engine.as_str(), scan))
    }
}

lossless_struct! {
    /// One engine's entry in v2 `scans`.
    pub struct V2ScanResult {
        /// Whether it detected the file.
        detected: bool = "detected",
        /// Engine version.
        version: String = "version",
        /// The label (`null` when not detected).
        result: String = "result",
        /// Signature update (`YYYYMMDD`).
        update: String = "update",
        /// URL scans: link to details.
        detail: String = "detail",
    }
}

/// The answer to a v2 file report request: a JSON array when several resources were asked
/// for, a single object otherwise. Written back in the same shape.
///
/// ```
/// use vt_model::V2FileReportBatch;
/// let batch: V2FileReportBatch =
///     serde_json::from_str(r#"[{"response_code": 0, "resource": "a"}, {"response_code": 1}]"#).unwrap();
/// assert_eq!(batch.reports().len(), 2);
/// let one: V2FileReportBatch = serde_json::from_str(r#"{"response_code": -2}"#).unwrap();
/// assert_eq!(one.reports().len(), 1);
/// ```
#[allow(clippy::large_enum_variant)] // one report is the common case; boxing it buys nothing
#[derive(Debug, Clone, PartialEq)]
pub enum V2FileReportBatch {
    /// A JSON array of reports.
    Many(Vec<V2FileReport>),
    /// A single report object.
    One(V2FileReport),
}

impl V2FileReportBatch {
    /// The reports, whatever the shape.
    pub fn reports(&self) -> &[V2FileReport] {
        match self {
            V2FileReportBatch::Many(many) => many,
            V2FileReportBatch::One(one) => std::slice::from_ref(one),
        }
    }

    /// The reports, owned.
    pub fn into_reports(self) -> Vec<V2FileReport> {
        match self {
            V2FileReportBatch::Many(many) => many,
            V2FileReportBatch::One(one) => vec![one],
        }
    }
}

impl Serialize for V2FileReportBatch {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            V2FileReportBatch::Many(many) => many.serialize(serializer),
            V2FileReportBatch::One(one) => one.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for V2FileReportBatch {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match Value::deserialize(deserializer)? {
            Value::Array(items) => items
                .into_iter()
                .map(V2FileReport::deserialize)
                .collect::<Result<Vec<_>, _>>()
                .map(V2FileReportBatch::Many)
                .map_err(D::Error::custom),
            value @ Value::Object(_) => V2FileReport::deserialize(value)
                .map(V2FileReportBatch::One)
                .map_err(D::Error::custom),
            other => Err(D::Error::custom(format_args!(
                "v2 file report: expected an object or an array, found {}",
                crate::lossless::kind_of(&other)
            ))),
        }
    }
}
