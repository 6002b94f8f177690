//! What a ruleset runs on, which decides what of the `vt` module its rules may use.

use std::fmt;
use std::str::FromStr;

/// What a ruleset's rules run on. VirusTotal compiles a Livehunt ruleset for its
/// `match_object_type` and Retrohunt rules for Retrohunt, and the `vt` module's fields are
/// allowed accordingly: `vt.metadata` (a file's metadata) in file rulesets and Retrohunt,
/// `vt.net` (the URL, domain or IP address seen) in url, domain and ip_address rulesets,
/// `vt.metadata.submitter` not in Retrohunt. A rule using a field its target lacks does not
/// compile (`error[E100]`), here as on VirusTotal.
///
/// ```
/// use vt_yara::{RulesSource, RulesTarget, compile};
///
/// let url_rule = br#"import "vt"
/// rule evil_url { condition: vt.net.url.raw contains "evil" }"#;
/// assert!(compile(RulesSource::new(url_rule).with_target(RulesTarget::Url)).is_ok());
/// // A file ruleset has no `vt.net`.
/// assert!(compile(RulesSource::new(url_rule)).is_err());
/// assert_eq!("ip".parse::<RulesTarget>(), Ok(RulesTarget::IpAddress));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum RulesTarget {
    /// A Livehunt ruleset on new files (`match_object_type` `file`, the default).
    #[default]
    File,
    /// A Livehunt ruleset on new URLs.
    Url,
    /// A Livehunt ruleset on new domains.
    Domain,
    /// A Livehunt ruleset on new IP addresses.
    IpAddress,
    /// A Retrohunt job (files scanned again; no submitter).
    Retrohunt,
}

impl RulesTarget {
    /// Every target.
    pub const ALL: [RulesTarget; 5] = [
        RulesTarget::File,
        RulesTarget::Url,
        RulesTarget::Domain,
        RulesTarget::IpAddress,
        RulesTarget::Retrohunt,
    ];

    /// The Livehunt targets, one per `match_object_type`.
    pub const LIVEHUNT: [RulesTarget; 4] = [
        RulesTarget::File,
        RulesTarget::Url,
        RulesTarget::Domain,
        RulesTarget::IpAddress,
    ];

    /// The target of a Livehunt ruleset's `match_object_type`: `file`, `url`, `domain`,
    /// `ip_address` (or `ip`, as VirusTotal's create page writes it); any case. `None` for
    /// anything else.
    pub fn from_match_object_type(kind: &str) -> Option<RulesTarget> {
        match kind.to_ascii_lowercase().as_str() {
            "file" => Some(RulesTarget::File),
            "url" => Some(RulesTarget::Url),
            "domain" => Some(RulesTarget::Domain),
            "ip" | "ip_address" => Some(RulesTarget::IpAddress),
            _ => None,
        }
    }

    /// The name: `file`, `url`, `domain`, `ip_address` or `retrohunt`.
    pub fn as_str(self) -> &'static str {
        match self {
            RulesTarget::File => "file",
            RulesTarget::Url => "url",
            RulesTarget::Domain => "domain",
            RulesTarget::IpAddress => "ip_address",
            RulesTarget::Retrohunt => "retrohunt",
        }
    }

    /// The yara-x compiler features VirusTotal enables for this target (the `vt` module's
    /// field access rules name them).
    pub(crate) fn features(self) -> &'static [&'static str] {
        match self {
            RulesTarget::File => &["file"],
            RulesTarget::Url => &["url"],
            RulesTarget::Domain => &["domain"],
            RulesTarget::IpAddress => &["ip_address"],
            RulesTarget::Retrohunt => &["file", "retrohunt"],
        }
    }
}

impl fmt::Display for RulesTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing a [`RulesTarget`]: the text was none of the names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown rules target {0:?}: expected file, url, domain, ip_address or retrohunt")]
pub struct UnknownTarget(pub String);

impl FromStr for RulesTarget {
    type Err = UnknownTarget;

    /// A `match_object_type` ([`RulesTarget::from_match_object_type`]) or `retrohunt`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("retrohunt") {
            return Ok(RulesTarget::Retrohunt);
        }
        RulesTarget::from_match_object_type(s).ok_or_else(|| UnknownTarget(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_both_ways() {
        for t in RulesTarget::ALL {
            assert_eq!(t.as_str().parse::<RulesTarget>(), Ok(t));
        }
        assert_eq!(
            RulesTarget::from_match_object_type("IP"),
            Some(RulesTarget::IpAddress)
        );
        assert!("files".parse::<RulesTarget>().is_err());
    }
}
