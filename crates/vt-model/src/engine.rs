//! Engine verdicts: [`EngineResult`], its [`Category`], and the [`AnalysisStats`] counters.

use indexmap::IndexMap;

use crate::lossless::lossless_struct;
use crate::open_enum::open_enum_text;

/// The per-engine verdicts of an analysis (`last_analysis_results`, analysis `results`,
/// monitor `analysis_results`), keyed by engine name, in document order.
pub type EngineResults = IndexMap<String, EngineResult>;

lossless_struct! {
    /// One engine's verdict in an analysis.
    ///
    /// Every member is optional and nullable: `result` is `null` when nothing was found,
    /// `engine_version`/`engine_update` are `null` (or, for `engine_version`, even the string
    /// `"None"`) for some engines and missing in old URL objects.
    ///
    /// ```
    /// use vt_model::{Category, EngineResult};
    /// let r: EngineResult = serde_json::from_str(r#"{"category": "malicious",
    ///     "engine_name": "Dr.Web", "method": "blacklist", "result": "EICAR Test File",
    ///     "engine_version": null, "engine_update": "20240728"}"#).unwrap();
    /// assert_eq!(r.category, Some(Category::Malicious));
    /// assert!(r.is_detection());
    /// assert_eq!(r.engine_version(), None);
    /// ```
    pub struct EngineResult {
        /// The normalised verdict.
        category: Category = "category",
        /// The engine's name (also the key of the map this entry sits in).
        engine_name: String = "engine_name",
        /// The engine's version string, when VirusTotal knows it. May be the literal `"None"`;
        /// [`EngineResult::engine_version`] filters that out.
        engine_version: String = "engine_version",
        /// The engine's signature update, usually `YYYYMMDD`.
        engine_update: String = "engine_update",
        /// How the verdict was reached (e.g. `blacklist`).
        method: String = "method",
        /// The engine's raw label (e.g. `Trojan.Generic`, `clean`, `phishing`).
        result: String = "result",
    }
}

impl EngineResult {
    /// The engine version, with VirusTotal's literal `"None"` (and empty strings) read as absent.
    pub fn engine_version(&self) -> Option<&str> {
        self.engine_version
            .as_deref()
            .filter(|v| !v.is_empty() && *v != "None")
    }

    /// Whether the verdict is `malicious` or `suspicious`.
    pub fn is_detection(&self) -> bool {
        self.category.as_ref().is_some_and(Category::is_detection)
    }
}

/// An engine's normalised verdict. Values this crate does not know are kept in
/// [`Category::Other`] and written back unchanged.
///
/// ```
/// use vt_model::Category;
/// assert_eq!(Category::parse("type-unsupported"), Category::TypeUnsupported);
/// assert_eq!(Category::parse("brand-new"), Category::Other("brand-new".into()));
/// assert_eq!(Category::ConfirmedTimeout.as_str(), "confirmed-timeout");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Category {
    /// `malicious`.
    Malicious,
    /// `suspicious`.
    Suspicious,
    /// `undetected` (the engine found nothing).
    Undetected,
    /// `harmless` (the engine vouches for it).
    Harmless,
    /// `timeout`.
    Timeout,
    /// `type-unsupported` (files only).
    TypeUnsupported,
    /// `failure` (files only).
    Failure,
    /// `confirmed-timeout` (files only).
    ConfirmedTimeout,
    /// A value this version does not know, kept verbatim.
    Other(String),
}

open_enum_text! {
    Category {
        Malicious => "malicious",
        Suspicious => "suspicious",
        Undetected => "undetected",
        Harmless => "harmless",
        Timeout => "timeout",
        TypeUnsupported => "type-unsupported",
        Failure => "failure",
        ConfirmedTimeout => "confirmed-timeout",
    }
}

impl Category {
    /// Every known category, in VirusTotal's stats order.
    pub const KNOWN: &'static [Category] = &[
        Category::Harmless,
        Category::TypeUnsupported,
        Category::Suspicious,
        Category::ConfirmedTimeout,
        Category::Timeout,
        Category::Failure,
        Category::Malicious,
        Category::Undetected,
    ];

    /// Whether this category counts as a detection (`malicious` or `suspicious`).
    pub fn is_detection(&self) -> bool {
        matches!(self, Category::Malicious | Category::Suspicious)
    }
}

lossless_struct! {
    /// Counters of verdicts by category (`last_analysis_stats`, analysis `stats`).
    ///
    /// URL, domain and IP stats omit the file-only keys; read the counters through the methods
    /// ([`AnalysisStats::malicious`], ...), which read a missing key as 0. The fields say
    /// whether the key was present, so a document is written back exactly as it came.
    /// Unknown keys (e.g. GTI's camelCase `typeUnsupported`) are kept in `extra`.
    ///
    /// ```
    /// use vt_model::AnalysisStats;
    /// let s: AnalysisStats = serde_json::from_str(
    ///     r#"{"harmless": 60, "malicious": 2, "suspicious": 1, "undetected": 8, "timeout": 0}"#,
    /// ).unwrap();
    /// assert_eq!(s.type_unsupported(), 0);
    /// assert_eq!(s.total(), 71);
    /// assert_eq!(s.detections(), 3);
    /// assert_eq!(serde_json::to_value(&s).unwrap()["timeout"], 0);
    /// assert!(serde_json::to_value(&s).unwrap().get("failure").is_none());
    /// ```
    pub struct AnalysisStats {
        /// `harmless`.
        harmless: u64 = "harmless",
        /// `type-unsupported` (files only).
        type_unsupported: u64 = "type-unsupported",
        /// `suspicious`.
        suspicious: u64 = "suspicious",
        /// `confirmed-timeout` (files only).
        confirmed_timeout: u64 = "confirmed-timeout",
        /// `timeout`.
        timeout: u64 = "timeout",
        /// `failure` (files only).
        failure: u64 = "failure",
        /// `malicious`.
        malicious: u64 = "malicious",
        /// `undetected`.
        undetected: u64 = "undetected",
    }
}

impl AnalysisStats {
    /// `harmless` (0 if missing).
    pub fn harmless(&self) -> u64 {
        self.harmless.unwrap_or(0)
    }
    /// `type-unsupported` (0 if missing).
    pub fn type_unsupported(&self) -> u64 {
        self.type_unsupported.unwrap_or(0)
    }
    /// `suspicious` (0 if missing).
    pub fn suspicious(&self) -> u64 {
        self.suspicious.unwrap_or(0)
    }
    /// `confirmed-timeout` (0 if missing).
    pub fn confirmed_timeout(&self) -> u64 {
        self.confirmed_timeout.unwrap_or(0)
    }
    /// `timeout` (0 if missing).
    pub fn timeout(&self) -> u64 {
        self.timeout.unwrap_or(0)
    }
    /// `failure` (0 if missing).
    pub fn failure(&self) -> u64 {
        self.failure.unwrap_or(0)
    }
    /// `malicious` (0 if missing).
    pub fn malicious(&self) -> u64 {
        self.malicious.unwrap_or(0)
    }
    /// `undetected` (0 if missing).
    pub fn undetected(&self) -> u64 {
        self.undetected.unwrap_or(0)
    }

    /// The counter for `category` (0 if missing; unknown categories are looked up in `extra`).
    pub fn count(&self, category: &Category) -> u64 {
        match category {
            Category::Harmless => self.harmless(),
            Category::TypeUnsupported => self.type_unsupported(),
            Category::Suspicious => self.suspicious(),
            Category::ConfirmedTimeout => self.confirmed_timeout(),
            Category::Timeout => self.timeout(),
            Category::Failure => self.failure(),
            Category::Malicious => self.malicious(),
            Category::Undetected => self.undetected(),
            Category::Other(key) => self
                .extra
                .get(key)
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0),
        }
    }

    /// The sum of the eight known counters (unknown `extra` keys are not counted: they may be
    /// aggregates such as GTI's `positives`).
    pub fn total(&self) -> u64 {
        [
            self.harmless(),
            self.type_unsupported(),
            self.suspicious(),
            self.confirmed_timeout(),
            self.timeout(),
            self.failure(),
            self.malicious(),
            self.undetected(),
        ]
        .iter()
        .fold(0u64, |sum, n| sum.saturating_add(*n))
    }

    /// `malicious + suspicious`.
    pub fn detections(&self) -> u64 {
        self.malicious().saturating_add(self.suspicious())
    }

    /// Counts the categories of a set of engine results, writing every known key (the shape
    /// VirusTotal uses for file stats).
    pub fn from_results<'a>(results: impl IntoIterator<Item = &'a EngineResult>) -> AnalysisStats {
        let mut stats = AnalysisStats {
            harmless: Some(0),
            type_unsupported: Some(0),
            suspicious: Some(0),
            confirmed_timeout: Some(0),
            timeout: Some(0),
            failure: Some(0),
            malicious: Some(0),
            undetected: Some(0),
            extra: serde_json::Map::new(),
        };
        for result in results {
            let slot = match &result.category {
                Some(Category::Harmless) => &mut stats.harmless,
                Some(Category::TypeUnsupported) => &mut stats.type_unsupported,
                Some(Category::Suspicious) => &mut stats.suspicious,
                Some(Category::ConfirmedTimeout) => &mut stats.confirmed_timeout,
                Some(Category::Timeout) => &mut stats.timeout,
                Some(Category::Failure) => &mut stats.failure,
                Some(Category::Malicious) => &mut stats.malicious,
                Some(Category::Undetected) => &mut stats.undetected,
                Some(Category::Other(_)) | None => continue,
            };
            *slot = Some(slot.unwrap_or(0) + 1);
        }
        stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_known_category_round_trips_and_unknown_ones_are_kept() {
        for c in Category::KNOWN {
            let v = serde_json::to_value(c).unwrap();
            assert_eq!(serde_json::from_value::<Category>(v).unwrap(), *c);
        }
        let odd: Category = serde_json::from_value(json!("phishy")).unwrap();
        assert_eq!(odd, Category::Other("phishy".into()));
        assert_eq!(serde_json::to_value(&odd).unwrap(), json!("phishy"));
    }

    #[test]
    fn none_engine_version_reads_absent() {
        let r: EngineResult = serde_json::from_value(json!({"engine_version": "None"})).unwrap();
        assert_eq!(r.engine_version(), None);
        assert_eq!(r.engine_version.as_deref(), Some("None"));
    }

    #[test]
    fn stats_from_results_count_categories() {
        let results: Vec<EngineResult> = [
            "malicious",
            "malicious",
            "undetected",
            "type-unsupported",
            "x",
        ]
        .iter()
        .map(|c| serde_json::from_value(json!({ "category": c })).unwrap())
        .collect();
        let stats = AnalysisStats::from_results(&results);
        assert_eq!(stats.malicious(), 2);
        assert_eq!(stats.undetected(), 1);
        assert_eq!(stats.type_unsupported(), 1);
        assert_eq!(stats.total(), 4);
        assert_eq!(serde_json::to_value(&stats).unwrap()["failure"], 0);
    }
}
