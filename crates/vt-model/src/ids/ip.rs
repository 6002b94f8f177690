//! [`IpAddress`]: how an IP address is named in `/ip_addresses/{ip}`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::error::{IdError, IdKind, check_no_blank};
use super::macros::string_identifier;

/// An IPv4 or IPv6 address, in the textual form Rust's standard library prints (for IPv6 the
/// RFC 5952 form: lowercase, longest run of zeros compressed, `::ffff:1.2.3.4` for an
/// IPv4-mapped address, which stays an IPv6 address).
///
/// Parsing follows [`std::net::IpAddr`]'s rules, which are strict: IPv4 needs four decimal
/// octets without leading zeros (`01.2.3.4` is ambiguous, octal or decimal, so rejected). Zone
/// ids (`fe80::1%eth0`), brackets (`[::1]`) and ports are rejected too: none is part of an
/// address VirusTotal knows.
///
/// ```
/// use vt_model::IpAddress;
///
/// let ip: IpAddress = "2001:DB8:0:0:0:0:0:1".parse()?;
/// assert_eq!(ip.as_str(), "2001:db8::1");
/// assert!(ip.is_ipv6());
///
/// let err = "256.1.1.1".parse::<IpAddress>().unwrap_err();
/// assert_eq!(err.to_string(), r#"invalid IP address "256.1.1.1": octet 1 (256) is greater than 255"#);
/// # Ok::<(), vt_model::IdError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpAddress {
    addr: IpAddr,
    text: String,
}

impl IpAddress {
    /// Validates an IPv4 or IPv6 address (see the type's documentation) and stores its
    /// canonical text.
    pub fn parse(s: &str) -> Result<IpAddress, IdError> {
        check_no_blank(IdKind::IpAddress, s)?;
        match s.parse::<IpAddr>() {
            Ok(addr) => Ok(IpAddress::from(addr)),
            Err(_) => Err(IdError::new(IdKind::IpAddress, s, why_not_ip(s))),
        }
    }

    /// The address.
    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    /// Whether this is an IPv4 address.
    pub fn is_ipv4(&self) -> bool {
        self.addr.is_ipv4()
    }

    /// Whether this is an IPv6 address (IPv4-mapped ones included).
    pub fn is_ipv6(&self) -> bool {
        self.addr.is_ipv6()
    }

    /// The canonical text, as used in the API path.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// Why `s`, which `std` refused, is not an IP address: the most specific reason found.
fn why_not_ip(s: &str) -> String {
    if s.starts_with('[') {
        return "remove the brackets around the IPv6 address (and any port)".into();
    }
    if s.contains('%') {
        return "zone ids ('%' and what follows) are not part of an address; remove it".into();
    }
    if s.contains(':') {
        if s.contains('.') && s.matches(':').count() == 1 {
            return "this looks like an address with a port; remove the port".into();
        }
        return "not a valid IPv6 address".into();
    }
    if !s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        if s.bytes().any(|b| b.is_ascii_alphabetic()) {
            return "this looks like a domain name, not an IP address; look it up as a domain (`vt domain`)".into();
        }
        return "not a valid IPv4 address (four decimal numbers 0-255 separated by dots) nor IPv6 address".into();
    }
    let octets: Vec<&str> = s.split('.').collect();
    if octets.len() != 4 {
        return format!(
            "expected 4 dot-separated numbers for an IPv4 address, got {}",
            octets.len()
        );
    }
    for (index, octet) in octets.iter().enumerate() {
        let number = index + 1;
        if octet.is_empty() {
            return format!("octet {number} is empty");
        }
        if octet.len() > 1 && octet.starts_with('0') {
            return format!(
                "octet {number} ({octet:?}) has a leading zero, which is ambiguous (octal or decimal?)"
            );
        }
        if octet.len() > 3 || octet.parse::<u16>().is_ok_and(|n| n > 255) {
            return format!("octet {number} ({octet}) is greater than 255");
        }
    }
    "not a valid IPv4 address".into()
}

impl From<IpAddr> for IpAddress {
    fn from(addr: IpAddr) -> IpAddress {
        IpAddress {
            addr,
            text: addr.to_string(),
        }
    }
}

impl From<Ipv4Addr> for IpAddress {
    fn from(addr: Ipv4Addr) -> IpAddress {
        IpAddress::from(IpAddr::V4(addr))
    }
}

impl From<Ipv6Addr> for IpAddress {
    fn from(addr: Ipv6Addr) -> IpAddress {
        IpAddress::from(IpAddr::V6(addr))
    }
}

impl From<IpAddress> for IpAddr {
    fn from(ip: IpAddress) -> IpAddr {
        ip.addr
    }
}

string_identifier!(IpAddress, "an IPv4 or IPv6 address");
