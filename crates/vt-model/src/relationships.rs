//! Relationship names: [`RelationshipName`], the one rule for their shape, and the names
//! VirusTotal documents for each object type (public and premium).
//!
//! Inputs are open-world: any well-formed name is sent, because VirusTotal adds relationships
//! over time and a name missing here is not proof that the API lacks it. The known lists serve
//! completion, warnings ([`is_known`]) and "did you mean" hints ([`suggest`]), never as a
//! wall. They follow VirusTotal's reference pages (see `vt-api.md` §5 and §8); `GET /metadata`
//! lists the live set.
//!
//! ```
//! use vt_model::RelationshipName;
//! use vt_model::relationships::{is_known, known, suggest};
//! assert!(is_known("file", "contacted_domains"));
//! assert!(!is_known("file", "contacted_domain"));
//! assert_eq!(suggest("file", "contacted_domain"), Some("contacted_domains"));
//! assert!(known("ip_address").contains(&"resolutions"));
//! // Unknown but well formed: a valid name all the same.
//! assert!(RelationshipName::parse("brand_new_relationship").is_ok());
//! assert!(RelationshipName::parse("Contacted-IPs").is_err());
//! ```

use crate::ids::{IdError, IdKind};

/// A relationship name (`contacted_ips`, `subdomains`, ...): lowercase ASCII letters, digits
/// and `_`, checked by shape only (see the module documentation).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelationshipName(String);

impl RelationshipName {
    /// Validates a name by its shape.
    pub fn parse(s: &str) -> Result<RelationshipName, IdError> {
        crate::ids::check_no_blank(IdKind::RelationshipName, s)?;
        if let Some(c) = s
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
        {
            return Err(IdError::new(
                IdKind::RelationshipName,
                s,
                format!(
                    "{c:?}: a relationship name has only lowercase letters, digits and `_` (e.g. `contacted_ips`)"
                ),
            ));
        }
        Ok(RelationshipName(s.to_owned()))
    }

    /// The name as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether VirusTotal documents this name for `object_type` (see [`is_known`]).
    pub fn is_known_for(&self, object_type: &str) -> bool {
        is_known(object_type, &self.0)
    }
}

crate::ids::macros::string_identifier!(
    RelationshipName,
    "a relationship name (lowercase letters, digits and `_`)"
);

const FILE: &[&str] = &[
    "analyses",
    "attack_techniques",
    "behaviours",
    "bundled_files",
    "carbonblack_children",
    "carbonblack_parents",
    "ciphered_bundled_files",
    "ciphered_parents",
    "clues",
    "collections",
    "comments",
    "compressed_parents",
    "contacted_domains",
    "contacted_ips",
    "contacted_urls",
    "dropped_files",
    "email_attachments",
    "email_parents",
    "embedded_domains",
    "embedded_ips",
    "embedded_urls",
    "execution_parents",
    "graphs",
    "itw_domains",
    "itw_ips",
    "itw_urls",
    "memory_pattern_domains",
    "memory_pattern_ips",
    "memory_pattern_urls",
    "overlay_children",
    "overlay_parents",
    "pcap_children",
    "pcap_parents",
    "pe_resource_children",
    "pe_resource_parents",
    "related_attack_techniques",
    "related_references",
    "related_threat_actors",
    "screenshots",
    "sigma_analysis",
    "similar_files",
    "submissions",
    "urls_for_embedded_js",
    "user_votes",
    "votes",
];

const URL: &[&str] = &[
    "analyses",
    "collections",
    "comments",
    "communicating_files",
    "contacted_domains",
    "contacted_ips",
    "downloaded_files",
    "embedded_js_files",
    "graphs",
    "last_serving_ip_address",
    "network_location",
    "redirecting_urls",
    "redirects_to",
    "referrer_files",
    "referrer_urls",
    "related_collections",
    "related_comments",
    "related_references",
    "related_threat_actors",
    "submissions",
    "urls_related_by_tracker_id",
    "user_votes",
    "votes",
];

const DOMAIN: &[&str] = &[
    "caa_records",
    "cname_records",
    "collections",
    "comments",
    "communicating_files",
    "downloaded_files",
    "graphs",
    "historical_ssl_certificates",
    "historical_whois",
    "immediate_parent",
    "mx_records",
    "ns_records",
    "parent",
    "referrer_files",
    "related_comments",
    "related_references",
    "related_threat_actors",
    "resolutions",
    "siblings",
    "soa_records",
    "subdomains",
    "urls",
    "user_votes",
    "votes",
];

const IP_ADDRESS: &[&str] = &[
    "collections",
    "comments",
    "communicating_files",
    "downloaded_files",
    "graphs",
    "historical_ssl_certificates",
    "historical_whois",
    "referrer_files",
    "related_comments",
    "related_references",
    "related_threat_actors",
    "resolutions",
    "urls",
    "user_votes",
    "votes",
];

const COMMENT: &[&str] = &["author"];

const ANALYSIS: &[&str] = &["item"];

const COLLECTION: &[&str] = &[
    "attack_techniques",
    "autogenerated_graphs",
    "comments",
    "domains",
    "files",
    "ip_addresses",
    "owner",
    "references",
    "sigma_rules",
    "subscribed_users",
    "subscription_preferences",
    "threat_actors",
    "urls",
    "yara_rulesets",
];

/// The documented relationship names of an object type (`file`, `url`, `domain`,
/// `ip_address`, `comment`, `analysis`, `collection`), sorted; empty for other types.
pub fn known(object_type: &str) -> &'static [&'static str] {
    match object_type {
        "file" => FILE,
        "url" => URL,
        "domain" => DOMAIN,
        "ip_address" => IP_ADDRESS,
        "comment" => COMMENT,
        "analysis" => ANALYSIS,
        "collection" => COLLECTION,
        _ => &[],
    }
}

/// Whether `name` is a documented relationship of `object_type`.
pub fn is_known(object_type: &str, name: &str) -> bool {
    known(object_type).binary_search(&name).is_ok()
}

/// The documented relationship closest to `name` (at most two edits away), for a
/// "did you mean" hint.
pub fn suggest(object_type: &str, name: &str) -> Option<&'static str> {
    known(object_type)
        .iter()
        .map(|k| (edit_distance(k, name), *k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance over characters (names are short).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_and_unique_for_binary_search() {
        for t in [
            "file",
            "url",
            "domain",
            "ip_address",
            "comment",
            "analysis",
            "collection",
        ] {
            let list = known(t);
            assert!(!list.is_empty(), "{t}");
            assert!(
                list.windows(2).all(|w| w[0] < w[1]),
                "{t} not sorted/unique"
            );
        }
        assert!(known("monitor_item").is_empty());
    }

    #[test]
    fn the_public_relationships_of_the_spec_are_known() {
        for (t, names) in [
            (
                "file",
                &[
                    "behaviours",
                    "contacted_ips",
                    "pe_resource_parents",
                    "votes",
                ][..],
            ),
            (
                "url",
                &[
                    "last_serving_ip_address",
                    "network_location",
                    "related_comments",
                ][..],
            ),
            (
                "domain",
                &[
                    "historical_whois",
                    "immediate_parent",
                    "siblings",
                    "user_votes",
                ][..],
            ),
            (
                "ip_address",
                &["communicating_files", "historical_ssl_certificates"][..],
            ),
        ] {
            for n in names {
                assert!(is_known(t, n), "{t} {n}");
            }
        }
        assert!(!is_known("ip_address", "siblings"));
        assert!(!is_known("file", "Contacted_IPs"));
    }

    #[test]
    fn suggestions_are_close_or_absent() {
        assert_eq!(suggest("domain", "subdomain"), Some("subdomains"));
        assert_eq!(suggest("file", "contacted-ips"), Some("contacted_ips"));
        assert_eq!(suggest("file", "not_a_relationship"), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
