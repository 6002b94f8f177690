//! IP address reports: [`IpAddressAttributes`] (`type: "ip_address"`, id = the address).

use serde_json::{Map, Value};

use crate::Timestamp;
use crate::common::TotalVotes;
use crate::engine::{AnalysisStats, EngineResults};
use crate::lossless::lossless_struct;

lossless_struct! {
    /// The attributes of an `ip_address` object (`GET /ip_addresses/{ip}`).
    pub struct IpAddressAttributes {
        /// Owner of the autonomous system.
        as_owner: String = "as_owner",
        /// Autonomous system number.
        asn: u64 = "asn",
        /// Continent code.
        continent: String = "continent",
        /// ISO country code.
        country: String = "country",
        /// Network (CIDR).
        network: String = "network",
        /// Regional Internet registry.
        regional_internet_registry: String = "regional_internet_registry",
        /// JARM fingerprint.
        jarm: String = "jarm",
        /// Latest analysis.
        last_analysis_date: Timestamp = "last_analysis_date",
        /// Per-engine verdicts of the latest analysis.
        last_analysis_results: EngineResults = "last_analysis_results",
        /// Counters of the latest analysis.
        last_analysis_stats: AnalysisStats = "last_analysis_stats",
        /// The latest HTTPS certificate (an open JSON map).
        last_https_certificate: Map<String, Value> = "last_https_certificate",
        /// When it was fetched.
        last_https_certificate_date: Timestamp = "last_https_certificate_date",
        /// Latest change of the object.
        last_modification_date: Timestamp = "last_modification_date",
        /// Community reputation score.
        reputation: i64 = "reputation",
        /// Tags.
        tags: Vec<String> = "tags",
        /// Community votes.
        total_votes: TotalVotes = "total_votes",
        /// Raw whois text.
        whois: String = "whois",
        /// When the whois was fetched.
        whois_date: Timestamp = "whois_date",
    }
}
