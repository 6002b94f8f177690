//! URLs, domains and IP addresses as Livehunt's url, domain and ip_address rulesets see
//! them: the `vt` module's `vt.net` data, since such rules match metadata, not bytes.

/// A URL, domain or IP address to run url, domain or ip_address rules on
/// ([`crate::Ruleset::scan_network_object`]).
///
/// What the rules see is what the object itself says, in the `vt` module: for a URL,
/// `vt.net.url.raw`, `.hostname`, `.path`, `.query` and `.port` (when the URL names one),
/// and its host as `vt.net.domain.raw` or `vt.net.ip.raw`; for a domain, `vt.net.domain.raw`;
/// for an IP address, `vt.net.ip.raw`. VirusTotal fills many more fields (detections,
/// WHOIS, certificates, headers...) from its own analyses: those stay empty here, so a rule
/// on them does not match.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetworkObject {
    /// A URL, as submitted (`https://example.com/path?q=1`).
    Url(String),
    /// A domain name.
    Domain(String),
    /// An IPv4 or IPv6 address.
    IpAddress(String),
}

/// `vt.titan.LiveHuntData`'s field numbers (yara-x's `vt/titan.proto`, `vt/vtnet.proto`).
mod field {
    pub(super) const LIVE_HUNT_NET: u32 = 3;
    pub(super) const NETLOC_URL: u32 = 1;
    pub(super) const NETLOC_IP: u32 = 2;
    pub(super) const NETLOC_DOMAIN: u32 = 3;
    pub(super) const URL_PORT: u32 = 3;
    pub(super) const URL_PATH: u32 = 26;
    pub(super) const URL_HOSTNAME: u32 = 27;
    pub(super) const URL_RAW: u32 = 28;
    pub(super) const URL_QUERY: u32 = 34;
    pub(super) const DOMAIN_RAW: u32 = 18;
    pub(super) const IP_RAW: u32 = 18;
}

/// The parts of a URL rules read.
#[derive(Debug, PartialEq, Eq)]
struct UrlParts<'a> {
    host: &'a str,
    port: Option<u16>,
    path: &'a str,
    query: &'a str,
}

/// Splits `url` (`scheme://[user@]host[:port][/path][?query][#fragment]`; no scheme reads
/// as `http://`). Lenient: whatever does not fit is left out rather than refused.
fn url_parts(url: &str) -> UrlParts<'_> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split('#').next().unwrap_or("");
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = match before_query.find('/') {
        Some(i) => before_query.split_at(i),
        None => (before_query, ""),
    };
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, p)) => (h, p.strip_prefix(':').and_then(|p| p.parse().ok())),
            None => (v6, None),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => (h, p.parse().ok()),
            _ => (authority, None),
        }
    };
    UrlParts {
        host,
        port,
        path,
        query,
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A length-delimited field (a string or a nested message).
fn put_bytes(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    put_varint(out, (u64::from(field) << 3) | 2);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// A varint field.
fn put_int(out: &mut Vec<u8>, field: u32, v: u64) {
    put_varint(out, u64::from(field) << 3);
    put_varint(out, v);
}

/// A message `{raw: text}` of `vt.net.Domain` or `vt.net.IP`.
fn raw_only(field: u32, text: &str) -> Vec<u8> {
    let mut m = Vec::new();
    put_bytes(&mut m, field, text.as_bytes());
    m
}

/// Whether `host` is an IP address (then it fills `vt.net.ip`, not `vt.net.domain`).
fn is_ip(host: &str) -> bool {
    host.parse::<std::net::IpAddr>().is_ok()
}

/// A host as `vt.net.ip` (an address) or `vt.net.domain` (a name); nothing when empty.
fn put_host(netloc: &mut Vec<u8>, host: &str) {
    if host.is_empty() {
        return;
    }
    if is_ip(host) {
        put_bytes(netloc, field::NETLOC_IP, &raw_only(field::IP_RAW, host));
    } else {
        put_bytes(
            netloc,
            field::NETLOC_DOMAIN,
            &raw_only(field::DOMAIN_RAW, host),
        );
    }
}

impl NetworkObject {
    /// The serialized `vt.titan.LiveHuntData` message the `vt` module reads.
    pub(crate) fn live_hunt_data(&self) -> Vec<u8> {
        let mut netloc = Vec::new();
        match self {
            NetworkObject::Url(url) => {
                let parts = url_parts(url);
                let mut u = Vec::new();
                if let Some(port) = parts.port {
                    put_int(&mut u, field::URL_PORT, u64::from(port));
                }
                put_bytes(&mut u, field::URL_PATH, parts.path.as_bytes());
                put_bytes(&mut u, field::URL_HOSTNAME, parts.host.as_bytes());
                put_bytes(&mut u, field::URL_RAW, url.as_bytes());
                put_bytes(&mut u, field::URL_QUERY, parts.query.as_bytes());
                put_bytes(&mut netloc, field::NETLOC_URL, &u);
                put_host(&mut netloc, parts.host);
            }
            NetworkObject::Domain(domain) => put_host(&mut netloc, domain),
            NetworkObject::IpAddress(ip) => {
                put_bytes(&mut netloc, field::NETLOC_IP, &raw_only(field::IP_RAW, ip));
            }
        }
        let mut data = Vec::new();
        put_bytes(&mut data, field::LIVE_HUNT_NET, &netloc);
        data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_split_into_what_rules_read() {
        let p = url_parts("https://user@evil.example:8443/a/b?x=1#frag");
        assert_eq!(
            p,
            UrlParts {
                host: "evil.example",
                port: Some(8443),
                path: "/a/b",
                query: "x=1"
            }
        );
        assert_eq!(url_parts("http://[2001:db8::1]:80/").host, "2001:db8::1");
        assert_eq!(url_parts("example.com").host, "example.com");
    }
}
