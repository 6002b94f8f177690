//! [`DomainName`]: how a domain is named in `/domains/{domain}`.

use super::error::{IdError, IdKind, check_no_blank};
use super::macros::string_identifier;

/// The longest domain name accepted, in characters, without the trailing dot (RFC 1035).
const MAX_NAME_CHARS: usize = 253;
/// The longest label accepted, in characters (RFC 1035).
const MAX_LABEL_CHARS: usize = 63;

/// A domain name, stored lowercase without a trailing dot.
///
/// Rules (RFC 1035 and what real names look like; VirusTotal publishes none):
///
/// - labels of 1 to 63 characters separated by `.`, the whole name at most 253 characters;
///   one trailing dot (the DNS root) is accepted and removed;
/// - ASCII labels hold letters, digits, `-` and `_` (`_dmarc.example.com` and other service
///   names are real), and do not start or end with `-`;
/// - internationalised names are accepted in both spellings, which VirusTotal may treat as
///   different objects: Unicode labels are kept as given (lowercased with Unicode rules, not
///   converted to punycode; their length is counted in characters) and `xn--` labels are
///   kept as punycode;
/// - a single label (`localhost`, a TLD such as `com`) is accepted: VirusTotal has objects
///   for top-level domains;
/// - IP addresses, anything whose last label is all digits (`1.2.3`, `256.1.1.1`), URLs,
///   e-mail addresses and `host:port` are rejected, with a hint saying what the input looks
///   like.
///
/// ```
/// use vt_model::DomainName;
///
/// let name: DomainName = "WWW.Example.COM.".parse()?;
/// assert_eq!(name.as_str(), "www.example.com");
/// assert_eq!("Bücher.de".parse::<DomainName>()?.as_str(), "bücher.de");
///
/// let err = "https://example.com/".parse::<DomainName>().unwrap_err();
/// assert!(err.to_string().contains("looks like a URL"));
/// # Ok::<(), vt_model::IdError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DomainName(String);

impl DomainName {
    /// Validates and normalises a domain name (see the type's documentation).
    pub fn parse(s: &str) -> Result<DomainName, IdError> {
        let err = |reason: String| IdError::new(IdKind::DomainName, s, reason);
        check_no_blank(IdKind::DomainName, s)?;
        if s.contains("://")
            || starts_with_ignore_case(s, "http:")
            || starts_with_ignore_case(s, "https:")
        {
            return Err(err(
                "this looks like a URL, not a domain name; give the host name alone, or use `vt url` for the URL".into(),
            ));
        }
        if s.contains('/') {
            return Err(err(
                "contains '/'; this looks like a URL or a path, give the host name alone".into(),
            ));
        }
        if s.contains('@') {
            return Err(err(
                "contains '@'; this looks like an e-mail address, give the part after '@'".into(),
            ));
        }
        let bare_ip = s
            .strip_prefix('[')
            .and_then(|v| v.strip_suffix(']'))
            .unwrap_or(s);
        if bare_ip.parse::<std::net::IpAddr>().is_ok() {
            return Err(err(
                "this is an IP address, not a domain name; look it up as an IP address (`vt ip`)"
                    .into(),
            ));
        }
        if s.contains(':') {
            return Err(err(
                "contains ':'; a port or an IPv6 address? give the host name alone".into(),
            ));
        }
        let lower = s.to_lowercase();
        let name = lower.strip_suffix('.').unwrap_or(&lower);
        if name.is_empty() {
            return Err(err(
                "the root domain \".\" alone is not a domain name VirusTotal knows".into(),
            ));
        }
        let chars = name.chars().count();
        if chars > MAX_NAME_CHARS {
            return Err(err(format!(
                "{chars} characters long, the limit is {MAX_NAME_CHARS}"
            )));
        }
        let labels: Vec<&str> = name.split('.').collect();
        for (index, label) in labels.iter().enumerate() {
            check_label(label, index + 1).map_err(err)?;
        }
        if let Some(last) = labels.last()
            && last.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(err(
                "its last label is all digits; this looks like an IPv4 address (and not a valid one)".into(),
            ));
        }
        Ok(DomainName(name.to_owned()))
    }

    /// The normal form: lowercase, no trailing dot.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The labels, from the leftmost (`www` in `www.example.com`) to the top-level domain.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.0.split('.')
    }

    /// Whether the name has a Unicode label (an internationalised name not in punycode).
    pub fn has_unicode(&self) -> bool {
        !self.0.is_ascii()
    }
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Checks one lowercased label; `number` counts from 1 for the message.
fn check_label(label: &str, number: usize) -> Result<(), String> {
    if label.is_empty() {
        return Err(format!(
            "label {number} is empty (a leading dot, or two dots in a row)"
        ));
    }
    let chars = label.chars().count();
    if chars > MAX_LABEL_CHARS {
        return Err(format!(
            "label {number} is {chars} characters long, the limit is {MAX_LABEL_CHARS}"
        ));
    }
    if let Some(c) = label
        .chars()
        .find(|c| c.is_ascii() && !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(format!(
            "character {c:?} is not allowed in a domain name (letters, digits, '-', '_')"
        ));
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(format!("label {number} {label:?} starts or ends with '-'"));
    }
    if let Some(rest) = label.strip_prefix("xn--")
        && !rest.is_ascii()
    {
        return Err(format!(
            "label {number} {label:?} starts with the punycode prefix \"xn--\" but is not ASCII"
        ));
    }
    Ok(())
}

string_identifier!(DomainName, "a domain name");
