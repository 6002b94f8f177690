//! YARA rules for Livehunt and Retrohunt: compile a ruleset the way the API does (refusing
//! one that does not compile with a `BadRequestError` naming line and column) and scan a
//! file's bytes with it.
//!
//! The engine is VirusTotal's own yara-x, through `vt-yara`, behind this crate's `yara`
//! feature. Built without it, the emulator still serves every other route, and answers
//! whatever needs rules with a `BadRequestError` that says so.

use std::fmt;
#[cfg(feature = "yara")]
use std::sync::Arc;

use crate::http::reply::Reply;

/// Files larger than this are never scanned, as on VirusTotal (100 MB).
pub(crate) const MAX_SCANNED_FILE: u64 = 100 * 1024 * 1024;

/// A rule that matched a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleHit {
    /// The rule's identifier.
    pub(crate) rule: String,
    /// Its namespace (`default`).
    pub(crate) namespace: String,
    /// Its tags.
    pub(crate) tags: Vec<String>,
    /// Where its patterns matched, in data order (empty: the condition matched without
    /// any).
    pub(crate) ranges: Vec<std::ops::Range<usize>>,
}

impl RuleHit {
    /// The notification snippet of this hit in `data`: the lines around its matches, the
    /// matched bytes highlighted ([`crate::hunting_snippet`]).
    pub(crate) fn snippet(&self, data: &[u8]) -> String {
        crate::hunting_snippet::snippet(data, &self.ranges)
    }
}

/// A URL, domain or IP address a url, domain or ip_address ruleset runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NetObject<'a> {
    /// A URL as submitted.
    Url(&'a str),
    /// A domain name.
    Domain(&'a str),
    /// An IP address.
    IpAddress(&'a str),
}

impl NetObject<'_> {
    /// The `match_object_type` of the rulesets that run on it.
    pub(crate) fn match_object_types(&self) -> &'static [&'static str] {
        match self {
            NetObject::Url(_) => &["url"],
            NetObject::Domain(_) => &["domain"],
            NetObject::IpAddress(_) => &["ip_address", "ip"],
        }
    }
}

/// A compiled ruleset, cheap to clone and shared between requests and background tasks.
#[derive(Clone)]
pub(crate) struct CompiledRules {
    #[cfg(feature = "yara")]
    rules: Arc<vt_yara::Ruleset>,
    names: Vec<String>,
}

impl fmt::Debug for CompiledRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompiledRules")
            .field("names", &self.names)
            .finish_non_exhaustive()
    }
}

impl CompiledRules {
    /// Compiles `text` (the `rules` attribute of a ruleset) for a `file` ruleset: see
    /// [`CompiledRules::compile_for`].
    #[cfg(all(test, feature = "yara"))]
    pub(crate) fn compile(text: &str) -> Result<CompiledRules, Reply> {
        CompiledRules::compile_for(text, "file")
    }

    /// Compiles `text` (the `rules` attribute of a ruleset or job) for `target`: a
    /// ruleset's `match_object_type` (`file`, `url`, `domain`, `ip_address` or `ip`) or
    /// `retrohunt`, which decides what of the `vt` module the rules may use, as on
    /// VirusTotal. A ruleset that does not compile, is empty or defines no rule is the API's
    /// `BadRequestError`, whose message carries the compiler's first error as
    /// `line:column: message`.
    #[cfg(feature = "yara")]
    pub(crate) fn compile_for(text: &str, target: &str) -> Result<CompiledRules, Reply> {
        let Ok(target) = target.parse::<vt_yara::RulesTarget>() else {
            return Err(Reply::bad_request(
                "\"match_object_type\" must be file, url, domain or ip_address",
            ));
        };
        let source = vt_yara::RulesSource::new(text.as_bytes()).with_target(target);
        match vt_yara::compile(source) {
            Ok(rules) => Ok(CompiledRules {
                names: rules.rule_names(),
                rules: Arc::new(rules),
            }),
            Err(e) => Err(Reply::bad_request(format!("Invalid YARA rules: {e}"))),
        }
    }

    /// Without the `yara` feature nothing compiles: a `BadRequestError` saying why.
    #[cfg(not(feature = "yara"))]
    pub(crate) fn compile_for(_text: &str, _target: &str) -> Result<CompiledRules, Reply> {
        Err(Reply::bad_request(
            "This emulator was built without YARA support (the `yara` feature of vt-emulator): \
             rules cannot be compiled",
        ))
    }

    /// The rules' identifiers, in source order.
    pub(crate) fn rule_names(&self) -> &[String] {
        &self.names
    }

    /// The rules matching `data` (a scan that fails, e.g. by timeout, matches nothing).
    #[cfg(feature = "yara")]
    pub(crate) fn scan(&self, data: &[u8]) -> Vec<RuleHit> {
        self.rules
            .scan_bytes(data)
            .unwrap_or_default()
            .into_iter()
            .map(|m| RuleHit {
                rule: m.rule,
                namespace: m.namespace,
                tags: m.tags,
                ranges: m.patterns.into_iter().map(|p| p.range).collect(),
            })
            .collect()
    }

    /// Without the `yara` feature no rules exist, so nothing matches.
    #[cfg(not(feature = "yara"))]
    pub(crate) fn scan(&self, _data: &[u8]) -> Vec<RuleHit> {
        Vec::new()
    }

    /// The rules of a url, domain or ip_address ruleset matching `object`, seen through the
    /// `vt` module's `vt.net` (no bytes: such rules match metadata). A scan that fails
    /// matches nothing.
    #[cfg(feature = "yara")]
    pub(crate) fn scan_network(&self, object: &NetObject<'_>) -> Vec<RuleHit> {
        let object = match object {
            NetObject::Url(u) => vt_yara::NetworkObject::Url((*u).to_owned()),
            NetObject::Domain(d) => vt_yara::NetworkObject::Domain((*d).to_owned()),
            NetObject::IpAddress(i) => vt_yara::NetworkObject::IpAddress((*i).to_owned()),
        };
        self.rules
            .scan_network_object(&object)
            .unwrap_or_default()
            .into_iter()
            .map(|m| RuleHit {
                rule: m.rule,
                namespace: m.namespace,
                tags: m.tags,
                ranges: Vec::new(),
            })
            .collect()
    }

    /// Without the `yara` feature no rules exist, so nothing matches.
    #[cfg(not(feature = "yara"))]
    pub(crate) fn scan_network(&self, _object: &NetObject<'_>) -> Vec<RuleHit> {
        Vec::new()
    }
}

#[cfg(all(test, feature = "yara"))]
mod tests {
    use super::*;

    #[test]
    fn a_bad_ruleset_is_a_bad_request_naming_line_and_column() {
        let Err(reply) = CompiledRules::compile("rule a {\n  condition: nope\n}") else {
            panic!("compiled")
        };
        assert_eq!(reply.status(), http::StatusCode::BAD_REQUEST);
        let Reply::Json(_, body) = &reply else {
            panic!("not a JSON error")
        };
        let text = String::from_utf8_lossy(body);
        assert!(text.contains("2:14: error"), "{text}");
        assert!(CompiledRules::compile("  \n").is_err());
    }
}
