//! Words the generated objects are made of: malware families, names, TLDs, network owners.

use crate::digest::hex;
use crate::rng::SeededRng;

/// Malware family names used in labels, threat names and comments.
pub(crate) const FAMILIES: &[&str] = &[
    "Emotet",
    "AgentTesla",
    "Formbook",
    "RedLine",
    "Qakbot",
    "Mirai",
    "Zbot",
    "NjRat",
    "Remcos",
    "Lokibot",
    "Trickbot",
    "Dridex",
    "Ursnif",
    "Gafgyt",
    "Nanocore",
    "AsyncRat",
];

/// Words that make up file names, domains, URL paths and titles.
pub(crate) const WORDS: &[&str] = &[
    "alpha", "blue", "cloud", "delta", "echo", "falcon", "green", "harbor", "iron", "jade", "kilo",
    "lumen", "maple", "nova", "orbit", "pixel", "quartz", "river", "solar", "tango", "umbra",
    "vortex", "willow", "xenon", "yonder", "zephyr",
];

/// Top-level domains of generated domains.
pub(crate) const TLDS: &[&str] = &[
    "com", "net", "org", "io", "ru", "xyz", "info", "top", "de", "cn",
];

/// `(country, continent, RIR, AS owner)` of generated IP addresses.
pub(crate) const COUNTRIES: &[(&str, &str, &str, &str)] = &[
    ("US", "NA", "ARIN", "GOOGLE"),
    ("DE", "EU", "RIPE NCC", "Hetzner Online GmbH"),
    ("NL", "EU", "RIPE NCC", "DigitalOcean, LLC"),
    ("RU", "EU", "RIPE NCC", "JSC Selectel"),
    ("CN", "AS", "APNIC", "Chinanet"),
    ("BR", "SA", "LACNIC", "Claro NXT Telecomunicacoes Ltda"),
];

/// `len` random hex digits (fuzzy hashes, JARM, content digests).
pub(crate) fn fake_hex(rng: &mut SeededRng, len: usize) -> String {
    let mut b = vec![0u8; len.div_ceil(2)];
    rng.fill(&mut b);
    let mut s = hex(&b);
    s.truncate(len);
    s
}
