//! [`Indicator`]: an indicator of compromise (IoC) as collections take it: a file hash, a
//! URL, a domain name or an IP address, each validated by this crate's identifier types.
//!
//! [`Indicator::parse`] tells the four apart by shape; [`Indicators::parse_text`] reads a
//! whole list (one or more per line, blank lines and `#` comments skipped), removes
//! duplicates and keeps every bad token with its error, so a caller can refuse them all at
//! once before any request.

use std::collections::HashSet;
use std::fmt;

use serde_json::{Value, json};

use crate::ids::{DomainName, FileHash, IdError, IdKind, IpAddress, check_url};

/// Which of the four kinds an [`Indicator`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IndicatorKind {
    /// A file, by MD5, SHA-1 or SHA-256.
    File,
    /// A URL.
    Url,
    /// A domain name.
    Domain,
    /// An IPv4 or IPv6 address.
    IpAddress,
}

impl IndicatorKind {
    /// Every kind, in the order collections list them.
    pub const ALL: [IndicatorKind; 4] = [
        IndicatorKind::File,
        IndicatorKind::Url,
        IndicatorKind::Domain,
        IndicatorKind::IpAddress,
    ];

    /// The object type (`file`, `url`, `domain`, `ip_address`).
    pub fn object_type(self) -> &'static str {
        match self {
            IndicatorKind::File => "file",
            IndicatorKind::Url => "url",
            IndicatorKind::Domain => "domain",
            IndicatorKind::IpAddress => "ip_address",
        }
    }

    /// The collection relationship holding this kind (`files`, `urls`, `domains`,
    /// `ip_addresses`).
    pub fn relationship(self) -> &'static str {
        match self {
            IndicatorKind::File => "files",
            IndicatorKind::Url => "urls",
            IndicatorKind::Domain => "domains",
            IndicatorKind::IpAddress => "ip_addresses",
        }
    }
}

impl fmt::Display for IndicatorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.object_type())
    }
}

/// An indicator of compromise: a file hash, a URL, a domain name or an IP address.
///
/// [`Indicator::parse`] decides by shape, in this order:
///
/// 1. at least 16 hexadecimal characters and nothing else: a file hash ([`FileHash`]: 32,
///    40 or 64 characters);
/// 2. a scheme (`scheme://`) or a `/`: a URL ([`check_url`]);
/// 3. an IPv4 or IPv6 address ([`IpAddress`]); digits and dots only but not an address is an
///    error about the address;
/// 4. a `.`: a domain name ([`DomainName`]);
/// 5. anything else is refused ([`IdKind::Indicator`]).
///
/// Defanged indicators, as threat reports write them, are taken back first: `hxxp://` and
/// `hxxps://` (any case) become `http://` and `https://`, and `[.]` becomes `.`. Nothing
/// else is changed; whitespace is refused as by every identifier.
///
/// ```
/// use vt_model::{Indicator, IndicatorKind};
///
/// let i: Indicator = "44D88612FEA8A8F36DE82E1278ABB02F".parse()?;
/// assert_eq!(i.kind(), IndicatorKind::File);
/// assert_eq!(i.as_str(), "44d88612fea8a8f36de82e1278abb02f");
/// assert_eq!("hxxps://evil[.]example/x".parse::<Indicator>()?.as_str(), "https://evil.example/x");
/// assert_eq!("8.8.8.8".parse::<Indicator>()?.kind(), IndicatorKind::IpAddress);
/// assert_eq!("Example.COM".parse::<Indicator>()?, Indicator::Domain("example.com".parse()?));
/// assert!("not-an-ioc".parse::<Indicator>().is_err());
/// # Ok::<(), vt_model::IdError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Indicator {
    /// A file hash.
    File(FileHash),
    /// A URL as given (checked by [`check_url`]; VirusTotal canonicalises it).
    Url(String),
    /// A domain name.
    Domain(DomainName),
    /// An IP address.
    IpAddress(IpAddress),
}

/// `hxxp` → `http` (any case) at the start, `[.]` → `.` anywhere.
fn refang(s: &str) -> String {
    let mut out = s.replace("[.]", ".");
    let lower = out.to_ascii_lowercase();
    for (defanged, plain) in [("hxxps://", "https://"), ("hxxp://", "http://")] {
        if lower.starts_with(defanged) {
            out = format!("{plain}{}", &out[defanged.len()..]);
            break;
        }
    }
    out
}

impl Indicator {
    /// Validates and classifies one indicator (see the type's documentation).
    pub fn parse(s: &str) -> Result<Indicator, IdError> {
        if s.is_empty() {
            return Err(IdError::new(IdKind::Indicator, s, "empty"));
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            // Let the identifier rule word it (position, code point).
            return Err(DomainName::parse(s)
                .err()
                .map(|e| IdError::new(IdKind::Indicator, s, e.reason()))
                .unwrap_or_else(|| IdError::new(IdKind::Indicator, s, "contains whitespace")));
        }
        let text = refang(s);
        let t = text.as_str();
        if t.len() >= 16 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
            return FileHash::parse(t).map(Indicator::File);
        }
        if t.contains("://") || t.contains('/') {
            check_url(t)?;
            return Ok(Indicator::Url(t.to_owned()));
        }
        if let Ok(ip) = IpAddress::parse(t) {
            return Ok(Indicator::IpAddress(ip));
        }
        if t.contains(':')
            && t.bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
            || (t.contains('.') && t.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
        {
            return IpAddress::parse(t).map(Indicator::IpAddress);
        }
        if t.contains('.') {
            return DomainName::parse(t).map(Indicator::Domain);
        }
        Err(IdError::new(
            IdKind::Indicator,
            s,
            "not a file hash (32, 40 or 64 hexadecimal characters), URL, domain name or IP address",
        ))
    }

    /// Which kind of indicator this is.
    pub fn kind(&self) -> IndicatorKind {
        match self {
            Indicator::File(_) => IndicatorKind::File,
            Indicator::Url(_) => IndicatorKind::Url,
            Indicator::Domain(_) => IndicatorKind::Domain,
            Indicator::IpAddress(_) => IndicatorKind::IpAddress,
        }
    }

    /// The indicator as text (lowercase hash, lowercase domain, canonical address, the URL
    /// as given after refanging).
    pub fn as_str(&self) -> &str {
        match self {
            Indicator::File(h) => h.as_str(),
            Indicator::Url(u) => u,
            Indicator::Domain(d) => d.as_str(),
            Indicator::IpAddress(ip) => ip.as_str(),
        }
    }

    /// The descriptor the collection endpoints take: `{"type": "file", "id": ...}`, and for
    /// a URL `{"type": "url", "url": ...}` (VirusTotal computes the URL's id).
    ///
    /// ```
    /// use vt_model::Indicator;
    /// let url: Indicator = "https://example.com/".parse()?;
    /// assert_eq!(url.descriptor(), serde_json::json!({"type": "url", "url": "https://example.com/"}));
    /// # Ok::<(), vt_model::IdError>(())
    /// ```
    pub fn descriptor(&self) -> Value {
        match self {
            Indicator::Url(u) => json!({"type": "url", "url": u}),
            other => json!({"type": other.kind().object_type(), "id": other.as_str()}),
        }
    }
}

impl fmt::Display for Indicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Indicator {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Indicator::parse(s)
    }
}

impl From<FileHash> for Indicator {
    fn from(h: FileHash) -> Self {
        Indicator::File(h)
    }
}

impl From<DomainName> for Indicator {
    fn from(d: DomainName) -> Self {
        Indicator::Domain(d)
    }
}

impl From<IpAddress> for Indicator {
    fn from(ip: IpAddress) -> Self {
        Indicator::IpAddress(ip)
    }
}

/// A list of indicators read from text: the good ones without duplicates (first occurrence
/// kept, in order), and every bad token with its error.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Indicators {
    /// The valid indicators, de-duplicated, in input order.
    pub indicators: Vec<Indicator>,
    /// The tokens that are not indicators, in input order (duplicates reported once).
    pub errors: Vec<IdError>,
    /// How many tokens were dropped as duplicates of an earlier one.
    pub duplicates: usize,
}

impl Indicators {
    /// Reads indicators from text: tokens separated by whitespace (one or more per line);
    /// blank lines and lines starting with `#` are skipped.
    ///
    /// ```
    /// use vt_model::Indicators;
    /// let parsed = Indicators::parse_text("# my IoCs\nexample.com 8.8.8.8\nEXAMPLE.com\nbad\n");
    /// assert_eq!(parsed.indicators.len(), 2);
    /// assert_eq!(parsed.duplicates, 1);
    /// assert_eq!(parsed.errors.len(), 1);
    /// assert!(parsed.errors[0].to_string().starts_with("invalid indicator \"bad\""));
    /// ```
    pub fn parse_text(text: &str) -> Indicators {
        Indicators::parse_tokens(
            text.lines()
                .map(str::trim)
                .filter(|line| !line.starts_with('#'))
                .flat_map(str::split_whitespace),
        )
    }

    /// Reads indicators from tokens given one by one (each trimmed; empty ones skipped).
    pub fn parse_tokens<'a>(tokens: impl IntoIterator<Item = &'a str>) -> Indicators {
        let mut out = Indicators::default();
        let mut seen = HashSet::new();
        let mut bad_seen = HashSet::new();
        for token in tokens.into_iter().map(str::trim).filter(|t| !t.is_empty()) {
            match Indicator::parse(token) {
                Ok(i) if seen.contains(&i) => out.duplicates += 1,
                Ok(i) => {
                    seen.insert(i.clone());
                    out.indicators.push(i);
                }
                Err(e) => {
                    if bad_seen.insert(token.to_owned()) {
                        out.errors.push(e);
                    }
                }
            }
        }
        out
    }

    /// The good indicators, or the errors when there is any.
    pub fn into_result(self) -> Result<Vec<Indicator>, Vec<IdError>> {
        if self.errors.is_empty() {
            Ok(self.indicators)
        } else {
            Err(self.errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> Result<IndicatorKind, String> {
        Indicator::parse(s)
            .map(|i| i.kind())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn classifies_each_kind() {
        assert_eq!(
            kind("44d88612fea8a8f36de82e1278abb02f"),
            Ok(IndicatorKind::File)
        );
        assert_eq!(kind(&"A".repeat(64)), Ok(IndicatorKind::File));
        assert_eq!(kind("http://example.com/a"), Ok(IndicatorKind::Url));
        assert_eq!(kind("example.com/a?b"), Ok(IndicatorKind::Url));
        assert_eq!(kind("HXXP://example[.]com"), Ok(IndicatorKind::Url));
        assert_eq!(kind("1.2.3.4"), Ok(IndicatorKind::IpAddress));
        assert_eq!(kind("2001:db8::1"), Ok(IndicatorKind::IpAddress));
        assert_eq!(kind("sub.example[.]org"), Ok(IndicatorKind::Domain));
    }

    #[test]
    fn refuses_lookalikes_with_the_right_reason() {
        let e = kind("44d88612fea8a8f36de82e1278abb02").unwrap_err();
        assert!(e.contains("file hash") && e.contains("got 31"), "{e}");
        let e = kind("256.1.1.1").unwrap_err();
        assert!(e.contains("IP address"), "{e}");
        let e = kind("http://").unwrap_err();
        assert!(e.contains("URL"), "{e}");
        let e = kind("word").unwrap_err();
        assert!(e.starts_with("invalid indicator \"word\""), "{e}");
        let e = kind("a b").unwrap_err();
        assert!(e.contains("whitespace"), "{e}");
        assert!(kind("").is_err());
        assert!(kind("exa mple.com").is_err());
        assert!(kind("-bad-.com").is_err());
    }

    #[test]
    fn descriptors_follow_the_api() {
        let d = |s: &str| Indicator::parse(s).unwrap().descriptor();
        assert_eq!(d("8.8.8.8"), json!({"type": "ip_address", "id": "8.8.8.8"}));
        assert_eq!(
            d("Example.com"),
            json!({"type": "domain", "id": "example.com"})
        );
        assert_eq!(
            d("https://a.example/"),
            json!({"type": "url", "url": "https://a.example/"})
        );
        assert_eq!(
            IndicatorKind::ALL.map(IndicatorKind::relationship),
            ["files", "urls", "domains", "ip_addresses"]
        );
    }

    #[test]
    fn text_lists_dedupe_and_keep_every_error() {
        let p = Indicators::parse_text(
            "example.com\n  example.com  8.8.8.8\n# comment x\n\nbad bad other!\n44D88612FEA8A8F36DE82E1278ABB02F 44d88612fea8a8f36de82e1278abb02f",
        );
        assert_eq!(
            p.indicators
                .iter()
                .map(Indicator::as_str)
                .collect::<Vec<_>>(),
            ["example.com", "8.8.8.8", "44d88612fea8a8f36de82e1278abb02f"]
        );
        assert_eq!(p.duplicates, 2);
        assert_eq!(p.errors.len(), 2);
        assert!(p.clone().into_result().is_err());
    }
}
