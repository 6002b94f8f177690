//! File reports: [`FileAttributes`] (`type: "file"`, id = SHA-256).

use indexmap::IndexMap;
use serde_json::{Map, Number, Value};

use crate::Timestamp;
use crate::common::{IconHashes, NumberOrText, TotalVotes};
use crate::engine::{AnalysisStats, EngineResults};
use crate::lossless::lossless_struct;

lossless_struct! {
    /// The attributes of a `file` object (`GET /files/{id}`).
    ///
    /// The main report fields are typed; the many tool-specific blocks (`pe_info`, `exiftool`,
    /// `androguard`, `bundle_info`, `signature_info`, ...) stay in `extra` as JSON.
    ///
    /// ```
    /// use vt_model::FileAttributes;
    /// let a: FileAttributes = serde_json::from_str(r#"{"size": 68, "names": ["eicar.com"],
    ///     "last_analysis_stats": {"malicious": 60, "undetected": 5}, "pe_info": {"x": 1}}"#).unwrap();
    /// assert_eq!(a.size, Some(68));
    /// assert_eq!(a.last_analysis_stats.unwrap().malicious(), 60);
    /// assert!(a.extra.contains_key("pe_info"));
    /// ```
    pub struct FileAttributes {
        /// MD5 (lowercase hex).
        md5: String = "md5",
        /// SHA-1 (lowercase hex).
        sha1: String = "sha1",
        /// SHA-256 (lowercase hex), equal to the object's id.
        sha256: String = "sha256",
        /// Size in bytes.
        size: u64 = "size",
        /// ssdeep fuzzy hash.
        ssdeep: String = "ssdeep",
        /// TLSH fuzzy hash.
        tlsh: String = "tlsh",
        /// VirusTotal's similarity hash (may contain any character, even `"`).
        vhash: String = "vhash",
        /// Authenticode hash of PE files.
        authentihash: String = "authentihash",
        /// Permission hash of Android / Chrome extension files.
        permhash: String = "permhash",
        /// Import symbol hash (Mach-O).
        symhash: String = "symhash",
        /// ELF symbol hash.
        telfhash: String = "telfhash",
        /// Every name the file was submitted with.
        names: Vec<String> = "names",
        /// The most interesting of `names`.
        meaningful_name: String = "meaningful_name",
        /// Human-readable file type.
        type_description: String = "type_description",
        /// Short file type tag (e.g. `peexe`).
        type_tag: String = "type_tag",
        /// Broader file type tags.
        type_tags: Vec<String> = "type_tags",
        /// Usual extension for the type.
        type_extension: String = "type_extension",
        /// `file(1)` magic.
        magic: String = "magic",
        /// Magika's file type guess.
        magika: String = "magika",
        /// Tags.
        tags: Vec<String> = "tags",
        /// Creation date taken from the file itself (e.g. a PE timestamp; may be fake).
        creation_date: Timestamp = "creation_date",
        /// First submission to VirusTotal.
        first_submission_date: Timestamp = "first_submission_date",
        /// Latest submission.
        last_submission_date: Timestamp = "last_submission_date",
        /// Latest analysis.
        last_analysis_date: Timestamp = "last_analysis_date",
        /// Latest change of the object.
        last_modification_date: Timestamp = "last_modification_date",
        /// First time the file was seen in the wild.
        first_seen_itw_date: Timestamp = "first_seen_itw_date",
        /// How many times it was submitted.
        times_submitted: u64 = "times_submitted",
        /// How many distinct sources submitted it.
        unique_sources: u64 = "unique_sources",
        /// Community reputation score.
        reputation: i64 = "reputation",
        /// Community votes.
        total_votes: TotalVotes = "total_votes",
        /// Per-engine verdicts of the latest analysis.
        last_analysis_results: EngineResults = "last_analysis_results",
        /// Counters of the latest analysis.
        last_analysis_stats: AnalysisStats = "last_analysis_stats",
        /// Hashes of the file's main icon.
        main_icon: IconHashes = "main_icon",
        /// Sandbox verdicts by sandbox name.
        sandbox_verdicts: IndexMap<String, SandboxVerdict> = "sandbox_verdicts",
        /// The popular threat label and its parts.
        popular_threat_classification: PopularThreatClassification = "popular_threat_classification",
        /// TrID file type guesses.
        trid: Vec<TridMatch> = "trid",
        /// Crowdsourced YARA matches.
        crowdsourced_yara_results: Vec<Map<String, Value>> = "crowdsourced_yara_results",
        /// Crowdsourced IDS matches.
        crowdsourced_ids_results: Vec<Map<String, Value>> = "crowdsourced_ids_results",
        /// Crowdsourced IDS match counters by severity.
        crowdsourced_ids_stats: Map<String, Value> = "crowdsourced_ids_stats",
        /// Sigma rule matches.
        sigma_analysis_results: Vec<Map<String, Value>> = "sigma_analysis_results",
        /// Sigma match counters by severity.
        sigma_analysis_stats: Map<String, Value> = "sigma_analysis_stats",
        /// `VERDICT_UNKNOWN`, `VERDICT_UNDETECTED`, `VERDICT_SUSPICIOUS` or `VERDICT_MALICIOUS`.
        threat_verdict: String = "threat_verdict",
        /// Threat severity (GTI).
        threat_severity: ThreatSeverity = "threat_severity",
        /// Premium: whether the file can be downloaded.
        downloadable: bool = "downloadable",
        /// Premium: capability tags.
        capabilities_tags: Vec<String> = "capabilities_tags",
        /// Tools whose output is available.
        available_tools: Vec<String> = "available_tools",
    }
}

lossless_struct! {
    /// One sandbox's verdict (`sandbox_verdicts.*`).
    pub struct SandboxVerdict {
        /// Verdict category (e.g. `malicious`, `harmless`).
        category: String = "category",
        /// Confidence, 0-100.
        confidence: u64 = "confidence",
        /// Malware classes.
        malware_classification: Vec<String> = "malware_classification",
        /// Malware family names.
        malware_names: Vec<String> = "malware_names",
        /// The sandbox's name.
        sandbox_name: String = "sandbox_name",
    }
}

lossless_struct! {
    /// `popular_threat_classification`.
    pub struct PopularThreatClassification {
        /// The suggested label, e.g. `trojan.emotet/zusy`.
        suggested_threat_label: String = "suggested_threat_label",
        /// Categories with vote counts.
        popular_threat_category: Vec<ThreatCount> = "popular_threat_category",
        /// Family names with vote counts.
        popular_threat_name: Vec<ThreatCount> = "popular_threat_name",
    }
}

lossless_struct! {
    /// A label and how many engines used it.
    pub struct ThreatCount {
        /// The label.
        value: String = "value",
        /// How many engines used it.
        count: u64 = "count",
    }
}

lossless_struct! {
    /// One TrID guess. `probability` is an integer or a float, kept as written.
    pub struct TridMatch {
        /// The file type.
        file_type: String = "file_type",
        /// Probability in percent (`100` or `57.6`).
        probability: Number = "probability",
    }
}

lossless_struct! {
    /// `threat_severity` (Google Threat Intelligence's severity score).
    pub struct ThreatSeverity {
        /// Scoring version: an integer (`5`) or a string (`"I3"`).
        version: NumberOrText = "version",
        /// `SEVERITY_NONE`, `SEVERITY_LOW`, `SEVERITY_MEDIUM`, `SEVERITY_HIGH`, ...
        threat_severity_level: String = "threat_severity_level",
        /// Human-readable explanation of the level.
        level_description: String = "level_description",
        /// The signals behind the score (varies).
        threat_severity_data: Map<String, Value> = "threat_severity_data",
        /// When it was computed: a numeric **string** of epoch seconds (see
        /// [`ThreatSeverity::last_analysis_time`]).
        last_analysis_date: NumberOrText = "last_analysis_date",
    }
}

impl ThreatSeverity {
    /// `last_analysis_date` as a timestamp, whether written as a number or a numeric string.
    pub fn last_analysis_time(&self) -> Option<Timestamp> {
        self.last_analysis_date.as_ref()?.as_i64().map(Timestamp)
    }
}
