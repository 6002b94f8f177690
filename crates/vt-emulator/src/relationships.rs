//! The relationship table: every relationship VirusTotal lists for files, URLs, domains and IP
//! addresses (public and premium), whether it is one-to-one, what it says, and which pairs of
//! relationships are each other's back link.
//!
//! The routes answer any name in this table (unknown names get `InvalidArgumentError`, as
//! VirusTotal answers them); `GET /metadata` lists it; the dataset generator links objects
//! through [`BACK_LINKS`] so that each link it makes has its back link. Relationships to
//! objects the emulator does not model (collections, graphs, references, threat actors, SSL
//! certificates, WHOIS records, screenshots, submissions, ...) answer an empty list.

use crate::records::{Kind, ObjKey};
use crate::store::Store;

/// One relationship of an object type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Relationship {
    /// The name in paths (`contacted_domains`).
    pub(crate) name: &'static str,
    /// Whether it relates to at most one object (`data` is an object or null, not a list).
    pub(crate) one_to_one: bool,
    /// What `GET /metadata` says about it.
    pub(crate) description: &'static str,
}

const fn many(name: &'static str, description: &'static str) -> Relationship {
    Relationship {
        name,
        one_to_one: false,
        description,
    }
}

const fn one(name: &'static str, description: &'static str) -> Relationship {
    Relationship {
        name,
        one_to_one: true,
        description,
    }
}

const FILE: &[Relationship] = &[
    many("analyses", "Analyses for the file."),
    many(
        "attack_techniques",
        "ATT&CK techniques seen in the file's behaviour.",
    ),
    many("behaviours", "Behaviour reports for the file."),
    many("bundled_files", "Files bundled within the file."),
    many(
        "carbonblack_children",
        "Files derived from the file according to Carbon Black.",
    ),
    many(
        "carbonblack_parents",
        "Files from which the file derives according to Carbon Black.",
    ),
    many(
        "ciphered_bundled_files",
        "Files bundled within the file, encrypted.",
    ),
    many("ciphered_parents", "Encrypted files that contain the file."),
    many("clues", "Clues about the file's origin."),
    many("collections", "Collections containing the file."),
    many("comments", "Comments for the file."),
    many(
        "compressed_parents",
        "Compressed files that contain the file.",
    ),
    many("contacted_domains", "Domains contacted by the file."),
    many("contacted_ips", "IP addresses contacted by the file."),
    many("contacted_urls", "URLs contacted by the file."),
    many(
        "dropped_files",
        "Files dropped by the file during its execution.",
    ),
    many("email_attachments", "Files attached to the email."),
    many(
        "email_parents",
        "Emails that have the file as an attachment.",
    ),
    many("embedded_domains", "Domain names embedded in the file."),
    many("embedded_ips", "IP addresses embedded in the file."),
    many("embedded_urls", "URLs embedded in the file."),
    many("execution_parents", "Files that executed the file."),
    many("graphs", "Graphs including the file."),
    many(
        "itw_domains",
        "In the wild domain names from where the file has been downloaded.",
    ),
    many(
        "itw_ips",
        "In the wild IP addresses from where the file has been downloaded.",
    ),
    many(
        "itw_urls",
        "In the wild URLs from which the file was downloaded.",
    ),
    many(
        "memory_pattern_domains",
        "Domain names found in the file's memory dumps.",
    ),
    many(
        "memory_pattern_ips",
        "IP addresses found in the file's memory dumps.",
    ),
    many(
        "memory_pattern_urls",
        "URLs found in the file's memory dumps.",
    ),
    many("overlay_children", "Files contained in the file's overlay."),
    many(
        "overlay_parents",
        "Files that contain the file in their overlay.",
    ),
    many("pcap_children", "Files seen in the network capture."),
    many("pcap_parents", "Network captures that contain the file."),
    many(
        "pe_resource_children",
        "PE files contained within the file as a resource.",
    ),
    many(
        "pe_resource_parents",
        "PE files containing the file as a resource.",
    ),
    many(
        "related_attack_techniques",
        "ATT&CK techniques related to the file.",
    ),
    many("related_references", "References related to the file."),
    many(
        "related_threat_actors",
        "Threat actors related to the file.",
    ),
    many("screenshots", "Screenshots taken in sandboxes."),
    many("sigma_analysis", "Sigma analysis of the file."),
    many("similar_files", "Files similar to the file."),
    many("submissions", "Submissions of the file."),
    many(
        "urls_for_embedded_js",
        "URLs where this JavaScript file is embedded.",
    ),
    many("user_votes", "Current user's votes."),
    many("votes", "Votes for the file."),
];

const URL: &[Relationship] = &[
    many("analyses", "Analyses for the URL."),
    many("collections", "Collections containing the URL."),
    many("comments", "Comments for the URL."),
    many(
        "communicating_files",
        "Files that communicate with the URL.",
    ),
    many(
        "contacted_domains",
        "Domains contacted while loading the URL.",
    ),
    many(
        "contacted_ips",
        "IP addresses contacted while loading the URL.",
    ),
    many("downloaded_files", "Files downloaded from the URL."),
    many(
        "embedded_js_files",
        "JavaScript files embedded in the URL's page.",
    ),
    many("graphs", "Graphs including the URL."),
    one(
        "last_serving_ip_address",
        "Last IP address that served the URL.",
    ),
    one("network_location", "Domain or IP address for the URL."),
    many("redirecting_urls", "URLs that redirected to the URL."),
    many("redirects_to", "URLs the URL redirects to."),
    many("referrer_files", "Files containing the URL."),
    many("referrer_urls", "URLs referring the URL."),
    many("related_collections", "Collections related to the URL."),
    many(
        "related_comments",
        "Community posted comments in the URL's related objects.",
    ),
    many("related_references", "References related to the URL."),
    many("related_threat_actors", "Threat actors related to the URL."),
    many("submissions", "Submissions of the URL."),
    many(
        "urls_related_by_tracker_id",
        "URLs sharing a tracker id with the URL.",
    ),
    many("user_votes", "Current user's votes."),
    many("votes", "Votes for the URL."),
];

const DOMAIN: &[Relationship] = &[
    many("caa_records", "Records CAA for the domain."),
    many("cname_records", "Records CNAME for the domain."),
    many("collections", "Collections containing the domain."),
    many("comments", "Comments for the domain."),
    many(
        "communicating_files",
        "Files that communicate with the domain.",
    ),
    many("downloaded_files", "Files downloaded from the domain."),
    many("graphs", "Graphs including the domain."),
    many(
        "historical_ssl_certificates",
        "SSL certificates associated with the domain.",
    ),
    many("historical_whois", "WHOIS information for the domain."),
    one("immediate_parent", "Domain's immediate parent."),
    many("mx_records", "Records MX for the domain."),
    many("ns_records", "Records NS for the domain."),
    one("parent", "Domain's top parent."),
    many("referrer_files", "Files containing the domain."),
    many(
        "related_comments",
        "Community posted comments in the domain's related objects.",
    ),
    many("related_references", "References related to the domain."),
    many(
        "related_threat_actors",
        "Threat actors related to the domain.",
    ),
    many("resolutions", "DNS resolutions for the domain."),
    many("siblings", "Domain's sibling domains."),
    many("soa_records", "Records SOA for the domain."),
    many("subdomains", "Domain's subdomains."),
    many("urls", "URLs having this domain."),
    many("user_votes", "Current user's votes."),
    many("votes", "Votes for the domain."),
];

const IP_ADDRESS: &[Relationship] = &[
    many("collections", "Collections containing the IP address."),
    many("comments", "Comments for the IP address."),
    many(
        "communicating_files",
        "Files that communicate with the IP address.",
    ),
    many("downloaded_files", "Files downloaded from the IP address."),
    many("graphs", "Graphs including the IP address."),
    many(
        "historical_ssl_certificates",
        "SSL certificates associated with the IP.",
    ),
    many("historical_whois", "WHOIS information for the IP address."),
    many("referrer_files", "Files containing the IP address."),
    many(
        "related_comments",
        "Community posted comments in the IP's related objects.",
    ),
    many(
        "related_references",
        "References related to the IP address.",
    ),
    many(
        "related_threat_actors",
        "Threat actors related to the IP address.",
    ),
    many("resolutions", "IP address' resolutions."),
    many("urls", "URLs related to the IP address."),
    many("user_votes", "Current user's votes."),
    many("votes", "Votes for the IP address."),
];

/// The relationships of `kind`, sorted by name.
pub(crate) fn relationships_of(kind: Kind) -> &'static [Relationship] {
    match kind {
        Kind::File => FILE,
        Kind::Url => URL,
        Kind::Domain => DOMAIN,
        Kind::IpAddress => IP_ADDRESS,
        Kind::Resolution | Kind::FileBehaviour => &[],
    }
}

/// Relationship `name` of `kind`, if VirusTotal has it.
pub(crate) fn find(kind: Kind, name: &str) -> Option<&'static Relationship> {
    relationships_of(kind).iter().find(|r| r.name == name)
}

/// `(from kind, relationship, to kind, back link)`: when `a.relationship` holds `b`,
/// `b.back_link` holds `a` (as VirusTotal's do). The generator relates through this table only.
pub(crate) const BACK_LINKS: &[(Kind, &str, Kind, &str)] = &[
    (
        Kind::File,
        "contacted_domains",
        Kind::Domain,
        "communicating_files",
    ),
    (
        Kind::File,
        "contacted_ips",
        Kind::IpAddress,
        "communicating_files",
    ),
    (
        Kind::File,
        "contacted_urls",
        Kind::Url,
        "communicating_files",
    ),
    (
        Kind::File,
        "embedded_domains",
        Kind::Domain,
        "referrer_files",
    ),
    (
        Kind::File,
        "embedded_ips",
        Kind::IpAddress,
        "referrer_files",
    ),
    (Kind::File, "embedded_urls", Kind::Url, "referrer_files"),
    (Kind::File, "itw_urls", Kind::Url, "downloaded_files"),
    (Kind::File, "itw_domains", Kind::Domain, "downloaded_files"),
    (Kind::File, "itw_ips", Kind::IpAddress, "downloaded_files"),
    (Kind::File, "dropped_files", Kind::File, "execution_parents"),
    (
        Kind::File,
        "bundled_files",
        Kind::File,
        "compressed_parents",
    ),
    (
        Kind::File,
        "ciphered_bundled_files",
        Kind::File,
        "ciphered_parents",
    ),
    (
        Kind::File,
        "pe_resource_children",
        Kind::File,
        "pe_resource_parents",
    ),
    (
        Kind::File,
        "overlay_children",
        Kind::File,
        "overlay_parents",
    ),
    (
        Kind::File,
        "carbonblack_children",
        Kind::File,
        "carbonblack_parents",
    ),
    (Kind::File, "email_attachments", Kind::File, "email_parents"),
    (Kind::File, "pcap_children", Kind::File, "pcap_parents"),
    (Kind::File, "similar_files", Kind::File, "similar_files"),
    (
        Kind::File,
        "urls_for_embedded_js",
        Kind::Url,
        "embedded_js_files",
    ),
    (Kind::Url, "network_location", Kind::Domain, "urls"),
    (
        Kind::Url,
        "last_serving_ip_address",
        Kind::IpAddress,
        "urls",
    ),
    (Kind::Url, "redirects_to", Kind::Url, "redirecting_urls"),
];

/// The back link of `kind.name`, if it has one.
pub(crate) fn back_link(kind: Kind, name: &str) -> Option<(Kind, &'static str)> {
    BACK_LINKS
        .iter()
        .find(|(k, n, _, _)| *k == kind && *n == name)
        .map(|(_, _, to, back)| (*to, *back))
}

/// Relates `from.name` to `to`, and `to` back to `from` when the relationship has a back link.
pub(crate) fn link(store: &mut Store, from: &ObjKey, name: &str, to: ObjKey) {
    if let Some((_, back)) = back_link(from.0, name) {
        store.relate(&to, back, from.clone());
    }
    store.relate(from, name, to);
}

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: [Kind; 4] = [Kind::File, Kind::Url, Kind::Domain, Kind::IpAddress];

    #[test]
    fn the_table_covers_every_relationship_the_api_lists() {
        for kind in KINDS {
            for name in vt_model::relationships::known(kind.type_name()) {
                assert!(find(kind, name).is_some(), "{} {name}", kind.type_name());
            }
            let names: Vec<&str> = relationships_of(kind).iter().map(|r| r.name).collect();
            assert!(names.windows(2).all(|w| w[0] < w[1]), "sorted, unique");
        }
    }

    #[test]
    fn back_links_name_real_relationships() {
        for (from, name, to, back) in BACK_LINKS {
            assert!(find(*from, name).is_some(), "{name}");
            assert!(find(*to, back).is_some(), "{back}");
        }
    }
}
