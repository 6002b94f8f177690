//! URL reports: [`UrlAttributes`] (`type: "url"`, id = SHA-256 of the canonical URL).

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::Timestamp;
use crate::common::{IconHashes, TotalVotes};
use crate::engine::{AnalysisStats, EngineResults};
use crate::lossless::lossless_struct;

lossless_struct! {
    /// The attributes of a `url` object (`GET /urls/{id}`).
    pub struct UrlAttributes {
        /// The URL as submitted.
        url: String = "url",
        /// The URL after redirections.
        last_final_url: String = "last_final_url",
        /// The page title.
        title: String = "title",
        /// Categories by vendor.
        categories: IndexMap<String, String> = "categories",
        /// First submission.
        first_submission_date: Timestamp = "first_submission_date",
        /// Latest submission.
        last_submission_date: Timestamp = "last_submission_date",
        /// Latest analysis.
        last_analysis_date: Timestamp = "last_analysis_date",
        /// Latest change of the object.
        last_modification_date: Timestamp = "last_modification_date",
        /// Per-engine verdicts of the latest analysis.
        last_analysis_results: EngineResults = "last_analysis_results",
        /// Counters of the latest analysis.
        last_analysis_stats: AnalysisStats = "last_analysis_stats",
        /// HTTP status of the latest fetch.
        last_http_response_code: i64 = "last_http_response_code",
        /// Body length of the latest fetch.
        last_http_response_content_length: u64 = "last_http_response_content_length",
        /// SHA-256 of the body of the latest fetch.
        last_http_response_content_sha256: String = "last_http_response_content_sha256",
        /// Response headers of the latest fetch.
        last_http_response_headers: Map<String, Value> = "last_http_response_headers",
        /// Cookies set by the latest fetch.
        last_http_response_cookies: Map<String, Value> = "last_http_response_cookies",
        /// Redirections followed.
        redirection_chain: Vec<String> = "redirection_chain",
        /// Links to other hosts found in the page.
        outgoing_links: Vec<String> = "outgoing_links",
        /// `<meta>` tags: name to values.
        html_meta: IndexMap<String, Vec<String>> = "html_meta",
        /// Trackers found in the page.
        trackers: Map<String, Value> = "trackers",
        /// Brand the page imitates.
        targeted_brand: Map<String, Value> = "targeted_brand",
        /// Threat names.
        threat_names: Vec<String> = "threat_names",
        /// Community reputation score.
        reputation: i64 = "reputation",
        /// Tags.
        tags: Vec<String> = "tags",
        /// How many times it was submitted.
        times_submitted: u64 = "times_submitted",
        /// Community votes.
        total_votes: TotalVotes = "total_votes",
        /// Whether VirusTotal stored the page content.
        has_content: bool = "has_content",
        /// Premium: favicon hashes.
        favicon: IconHashes = "favicon",
    }
}
