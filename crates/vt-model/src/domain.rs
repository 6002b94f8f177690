//! Domain reports: [`DomainAttributes`] (`type: "domain"`, id = the domain name).

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::Timestamp;
use crate::common::{IconHashes, PopularityRank, TotalVotes};
use crate::engine::{AnalysisStats, EngineResults};
use crate::lossless::lossless_struct;

lossless_struct! {
    /// The attributes of a `domain` object (`GET /domains/{domain}`).
    pub struct DomainAttributes {
        /// Categories by vendor.
        categories: IndexMap<String, String> = "categories",
        /// Whois creation date.
        creation_date: Timestamp = "creation_date",
        /// Whois update date.
        last_update_date: Timestamp = "last_update_date",
        /// Registrar.
        registrar: String = "registrar",
        /// Raw whois text.
        whois: String = "whois",
        /// When the whois was fetched.
        whois_date: Timestamp = "whois_date",
        /// Top-level domain.
        tld: String = "tld",
        /// JARM fingerprint.
        jarm: String = "jarm",
        /// Latest analysis.
        last_analysis_date: Timestamp = "last_analysis_date",
        /// Per-engine verdicts of the latest analysis.
        last_analysis_results: EngineResults = "last_analysis_results",
        /// Counters of the latest analysis.
        last_analysis_stats: AnalysisStats = "last_analysis_stats",
        /// DNS records of the latest resolution.
        last_dns_records: Vec<DnsRecord> = "last_dns_records",
        /// When they were resolved.
        last_dns_records_date: Timestamp = "last_dns_records_date",
        /// The latest HTTPS certificate (an open JSON map; its `extensions` vary in type).
        last_https_certificate: Map<String, Value> = "last_https_certificate",
        /// When it was fetched.
        last_https_certificate_date: Timestamp = "last_https_certificate_date",
        /// Latest change of the object.
        last_modification_date: Timestamp = "last_modification_date",
        /// Ranks in popularity lists, by list name.
        popularity_ranks: IndexMap<String, PopularityRank> = "popularity_ranks",
        /// Community reputation score.
        reputation: i64 = "reputation",
        /// Tags.
        tags: Vec<String> = "tags",
        /// Community votes.
        total_votes: TotalVotes = "total_votes",
        /// Premium: favicon hashes.
        favicon: IconHashes = "favicon",
    }
}

lossless_struct! {
    /// One DNS record of `last_dns_records`.
    pub struct DnsRecord {
        /// Record type (`A`, `MX`, `SOA`, ...).
        record_type: String = "type",
        /// Record value.
        value: String = "value",
        /// Time to live.
        ttl: u64 = "ttl",
        /// MX priority.
        priority: u64 = "priority",
        /// SOA responsible mailbox.
        rname: String = "rname",
        /// SOA serial.
        serial: u64 = "serial",
        /// SOA refresh.
        refresh: u64 = "refresh",
        /// SOA retry.
        retry: u64 = "retry",
        /// SOA expire.
        expire: u64 = "expire",
        /// SOA minimum.
        minimum: u64 = "minimum",
        /// CAA flag.
        flag: u64 = "flag",
        /// CAA tag.
        tag: String = "tag",
    }
}
