//! The deterministic dataset: files with full reports, URLs, domains, IP addresses,
//! resolutions, relationships, comments and votes, all derived from the seed.

use bytes::Bytes;
use md5::Md5;
use serde_json::{Map, Value, json};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use vt_model::calendar::civil_from_days;

use super::{
    Dataset, EICAR_BYTES, EICAR_SHA256, FileInfo, UrlInfo, WELL_KNOWN_DOMAIN, WELL_KNOWN_IP,
};
use crate::config::DatasetConfig;
use crate::engines::{FILE_ENGINES, URL_ENGINES};
use crate::rng::SeededRng;
use crate::store::{Comment, Content, Kind, ObjKey, Store, Vote, comment_tags};

/// Fixed "now" of the generated dataset, so it does not depend on the clock (2023-11-14).
pub(crate) const DATASET_EPOCH: u64 = 1_700_000_000;

const FAMILIES: &[&str] = &[
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

const WORDS: &[&str] = &[
    "alpha", "blue", "cloud", "delta", "echo", "falcon", "green", "harbor", "iron", "jade", "kilo",
    "lumen", "maple", "nova", "orbit", "pixel", "quartz", "river", "solar", "tango", "umbra",
    "vortex", "willow", "xenon", "yonder", "zephyr",
];

const TLDS: &[&str] = &[
    "com", "net", "org", "io", "ru", "xyz", "info", "top", "de", "cn",
];

/// A file type: description, tag, extra type tags, extension, magic, leading bytes.
pub(crate) struct FileType {
    pub(crate) description: &'static str,
    pub(crate) tag: &'static str,
    pub(crate) tags: &'static [&'static str],
    pub(crate) extension: &'static str,
    pub(crate) magic: &'static str,
    pub(crate) header: &'static [u8],
    pub(crate) trid: &'static str,
}

pub(crate) const FILE_TYPES: &[FileType] = &[
    FileType {
        description: "Win32 EXE",
        tag: "peexe",
        tags: &["executable", "windows", "win32", "pe", "peexe"],
        extension: "exe",
        magic: "PE32 executable (GUI) Intel 80386, for MS Windows",
        header: b"MZ\x90\x00\x03\x00\x00\x00",
        trid: "Win32 Executable (generic)",
    },
    FileType {
        description: "Win32 DLL",
        tag: "pedll",
        tags: &["executable", "windows", "win32", "pe", "pedll"],
        extension: "dll",
        magic: "PE32 executable (DLL) (GUI) Intel 80386, for MS Windows",
        header: b"MZ\x90\x00\x03\x00\x00\x00",
        trid: "Win32 Dynamic Link Library (generic)",
    },
    FileType {
        description: "ELF",
        tag: "elf",
        tags: &["executable", "linux", "elf"],
        extension: "elf",
        magic: "ELF 64-bit LSB executable, x86-64, version 1 (SYSV)",
        header: b"\x7fELF\x02\x01\x01\x00",
        trid: "ELF Executable and Linkable format (Linux)",
    },
    FileType {
        description: "PDF",
        tag: "pdf",
        tags: &["pdf"],
        extension: "pdf",
        magic: "PDF document, version 1.7",
        header: b"%PDF-1.7\n",
        trid: "Adobe Portable Document Format",
    },
    FileType {
        description: "ZIP",
        tag: "zip",
        tags: &["compressed", "zip"],
        extension: "zip",
        magic: "Zip archive data, at least v2.0 to extract",
        header: b"PK\x03\x04\x14\x00",
        trid: "ZIP compressed archive",
    },
    FileType {
        description: "MS Word Document",
        tag: "doc",
        tags: &["msoffice", "doc"],
        extension: "doc",
        magic: "Composite Document File V2 Document",
        header: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        trid: "Microsoft Word document",
    },
    FileType {
        description: "JavaScript",
        tag: "javascript",
        tags: &["text", "javascript"],
        extension: "js",
        magic: "ASCII text, with very long lines",
        header: b"var _0x",
        trid: "JavaScript source",
    },
    FileType {
        description: "Powershell",
        tag: "powershell",
        tags: &["text", "powershell"],
        extension: "ps1",
        magic: "ASCII text, with CRLF line terminators",
        header: b"$s = New-Object ",
        trid: "PowerShell script",
    },
    FileType {
        description: "Android",
        tag: "android",
        tags: &["android", "apk", "zip"],
        extension: "apk",
        magic: "Zip archive data, at least v2.0 to extract",
        header: b"PK\x03\x04\x0a\x00",
        trid: "Android Package",
    },
    FileType {
        description: "Mach-O",
        tag: "macho",
        tags: &["executable", "mac", "macho"],
        extension: "macho",
        magic: "Mach-O 64-bit x86_64 executable",
        header: b"\xcf\xfa\xed\xfe\x07\x00\x00\x01",
        trid: "Mach-O 64-bit executable",
    },
];

/// The file type whose header starts `bytes` (text when none matches).
pub(crate) fn sniff(bytes: &[u8]) -> &'static FileType {
    FILE_TYPES
        .iter()
        .find(|t| {
            t.tag != "android"
                && t.tag != "pedll"
                && bytes.starts_with(&t.header[..t.header.len().min(4)])
        })
        .unwrap_or(&TEXT_TYPE)
}

pub(crate) const TEXT_TYPE: FileType = FileType {
    description: "Text",
    tag: "text",
    tags: &["text"],
    extension: "txt",
    magic: "ASCII text",
    header: b"",
    trid: "Text - UTF-8 encoded",
};

/// MD5, SHA-1 and SHA-256 of `bytes`, lowercase hex.
pub(crate) fn hashes(bytes: &[u8]) -> (String, String, String) {
    (
        hex(&Md5::digest(bytes)),
        hex(&Sha1::digest(bytes)),
        hex(&Sha256::digest(bytes)),
    )
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

pub(crate) fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

fn ymd(epoch: u64) -> String {
    let (y, m, d) = civil_from_days((epoch / 86_400) as i64);
    format!("{y:04}{m:02}{d:02}")
}

/// `YYYY-MM-DD HH:MM:SS` (UTC), the v2 `scan_date` format.
pub(crate) fn datetime(epoch: u64) -> String {
    let (y, m, d) = civil_from_days((epoch / 86_400) as i64);
    let s = epoch % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

fn label(engine_index: usize, family: &str, n: u64) -> String {
    match engine_index % 8 {
        0 => format!("Trojan.GenericKD.{n}"),
        1 => format!("Win32/{family}.A"),
        2 => format!("Trojan:Win32/{family}!ml"),
        3 => format!("HEUR:Trojan.Win32.{family}.gen"),
        4 => format!("W32/{family}.B!tr"),
        5 => format!("Gen:Variant.{family}.{}", n % 1000),
        6 => "malicious (high confidence)".to_owned(),
        _ => format!("Trojan.{family}"),
    }
}

/// A file report's `last_analysis_results` and `last_analysis_stats` with `malicious`
/// detections (and the odd `suspicious`, `timeout`, `type-unsupported`).
pub(crate) fn file_results(
    rng: &mut SeededRng,
    malicious: usize,
    family: &str,
    date: u64,
    text: bool,
) -> (Value, Value) {
    let mut order: Vec<usize> = (0..FILE_ENGINES.len()).collect();
    rng.shuffle(&mut order);
    let mut category = vec!["undetected"; FILE_ENGINES.len()];
    for &i in order.iter().take(malicious.min(FILE_ENGINES.len())) {
        category[i] = "malicious";
    }
    for &i in order.iter().skip(malicious) {
        let u = rng.unit();
        category[i] = if u < 0.02 {
            "timeout"
        } else if u < 0.04 && malicious > 0 {
            "suspicious"
        } else if u < (if text { 0.16 } else { 0.07 }) {
            "type-unsupported"
        } else {
            "undetected"
        };
    }
    let update = ymd(date);
    let n = rng.range(1_000_000, 49_999_999);
    let mut results = Map::new();
    let mut stats = [0u64; 8];
    for (i, (name, version)) in FILE_ENGINES.iter().enumerate() {
        let cat = category[i];
        let result = match cat {
            "malicious" => json!(label(i, family, n)),
            "suspicious" => json!("Suspicious"),
            _ => Value::Null,
        };
        stats[stat_index(cat)] += 1;
        results.insert(
            (*name).to_owned(),
            json!({"category": cat, "engine_name": name, "engine_version": version, "result": result, "method": "blacklist", "engine_update": update}),
        );
    }
    (Value::Object(results), file_stats(&stats))
}

fn stat_index(cat: &str) -> usize {
    match cat {
        "harmless" => 0,
        "type-unsupported" => 1,
        "suspicious" => 2,
        "confirmed-timeout" => 3,
        "timeout" => 4,
        "failure" => 5,
        "malicious" => 6,
        _ => 7,
    }
}

fn file_stats(s: &[u64; 8]) -> Value {
    json!({"harmless": s[0], "type-unsupported": s[1], "suspicious": s[2], "confirmed-timeout": s[3], "timeout": s[4], "failure": s[5], "malicious": s[6], "undetected": s[7]})
}

/// Stats of any results map (file-only keys included only when `file`).
pub(crate) fn stats_of(results: &Value, file: bool) -> Value {
    let mut s = [0u64; 8];
    if let Some(map) = results.as_object() {
        for r in map.values() {
            s[stat_index(
                r.get("category")
                    .and_then(Value::as_str)
                    .unwrap_or("undetected"),
            )] += 1;
        }
    }
    if file {
        file_stats(&s)
    } else {
        json!({"harmless": s[0], "malicious": s[6], "suspicious": s[2], "undetected": s[7], "timeout": s[4]})
    }
}

/// URL/domain/IP results: `malicious` engines say `malicious`/`phishing`, most say `clean`.
pub(crate) fn url_results(rng: &mut SeededRng, malicious: usize) -> (Value, Value) {
    let mut order: Vec<usize> = (0..URL_ENGINES.len()).collect();
    rng.shuffle(&mut order);
    let mut results = Map::new();
    let mut cats = vec![""; URL_ENGINES.len()];
    for (rank, &i) in order.iter().enumerate() {
        cats[i] = if rank < malicious {
            "malicious"
        } else if rng.chance(0.22) {
            "undetected"
        } else {
            "harmless"
        };
    }
    for (i, name) in URL_ENGINES.iter().enumerate() {
        let (cat, result) = match cats[i] {
            "malicious" => (
                "malicious",
                if i % 3 == 0 { "phishing" } else { "malicious" },
            ),
            "undetected" => ("undetected", "unrated"),
            _ => ("harmless", "clean"),
        };
        results.insert(
            (*name).to_owned(),
            json!({"category": cat, "engine_name": name, "method": "blacklist", "result": result}),
        );
    }
    let results = Value::Object(results);
    let stats = stats_of(&results, false);
    (results, stats)
}

fn detection_count(rng: &mut SeededRng, engines: usize) -> usize {
    let u = rng.unit();
    if u < 0.4 {
        0
    } else if u < 0.6 {
        rng.range(1, 5) as usize
    } else {
        rng.range(15, (engines as u64 * 4 / 5).max(16)) as usize
    }
}

fn fake_hex(rng: &mut SeededRng, len: usize) -> String {
    let mut b = vec![0u8; len.div_ceil(2)];
    rng.fill(&mut b);
    let mut s = hex(&b);
    s.truncate(len);
    s
}

/// Attributes of a file report (shared by generated files and uploads).
pub(crate) struct FileFacts<'a> {
    pub(crate) md5: &'a str,
    pub(crate) sha1: &'a str,
    pub(crate) sha256: &'a str,
    pub(crate) size: u64,
    pub(crate) names: Vec<String>,
    pub(crate) file_type: &'a FileType,
    pub(crate) first_seen: u64,
    pub(crate) last_seen: u64,
    pub(crate) malicious: usize,
}

/// A complete file object.
pub(crate) fn file_object(base: &str, rng: &mut SeededRng, f: &FileFacts<'_>) -> Value {
    let family = *rng.pick(FAMILIES);
    let text = f.file_type.tags.contains(&"text");
    let (results, stats) = file_results(rng, f.malicious, family, f.last_seen, text);
    let mut a = Map::new();
    a.insert("type_description".into(), json!(f.file_type.description));
    a.insert(
        "tlsh".into(),
        json!(format!("T1{}", fake_hex(rng, 70).to_uppercase())),
    );
    a.insert("vhash".into(), json!(fake_hex(rng, 32)));
    a.insert(
        "trid".into(),
        json!([{"file_type": f.file_type.trid, "probability": 100.0}]),
    );
    a.insert("names".into(), json!(f.names));
    a.insert("last_modification_date".into(), json!(f.last_seen));
    a.insert("type_tag".into(), json!(f.file_type.tag));
    a.insert("times_submitted".into(), json!(rng.range(1, 40)));
    let harmless_votes = rng.range(0, 3);
    let malicious_votes = if f.malicious > 0 { rng.range(0, 5) } else { 0 };
    a.insert(
        "total_votes".into(),
        json!({"harmless": harmless_votes, "malicious": malicious_votes}),
    );
    a.insert("size".into(), json!(f.size));
    a.insert("type_extension".into(), json!(f.file_type.extension));
    a.insert("last_submission_date".into(), json!(f.last_seen));
    a.insert("last_analysis_results".into(), results);
    a.insert("sha256".into(), json!(f.sha256));
    a.insert("type_tags".into(), json!(f.file_type.tags));
    a.insert("last_analysis_date".into(), json!(f.last_seen));
    a.insert("unique_sources".into(), json!(rng.range(1, 12)));
    a.insert("first_submission_date".into(), json!(f.first_seen));
    a.insert("sha1".into(), json!(f.sha1));
    a.insert(
        "ssdeep".into(),
        json!(format!(
            "{}:{}:{}",
            3 + f.size / 1024,
            fake_hex(rng, 20),
            fake_hex(rng, 12)
        )),
    );
    a.insert("md5".into(), json!(f.md5));
    a.insert("magic".into(), json!(f.file_type.magic));
    a.insert("last_analysis_stats".into(), stats);
    a.insert(
        "meaningful_name".into(),
        json!(f.names.first().cloned().unwrap_or_default()),
    );
    a.insert(
        "reputation".into(),
        json!(if f.malicious > 0 {
            -(rng.range(0, 30) as i64)
        } else {
            0
        }),
    );
    let mut tags: Vec<&str> = f.file_type.tags.iter().take(2).copied().collect();
    if f.malicious > 10 {
        tags.push("detect-debug-environment");
    }
    a.insert("tags".into(), json!(tags));
    if f.file_type.tag.starts_with("pe") {
        a.insert(
            "creation_date".into(),
            json!(f.first_seen.saturating_sub(rng.range(3600, 90 * 86_400))),
        );
    }
    if f.malicious > 0 {
        a.insert(
            "popular_threat_classification".into(),
            json!({
                "suggested_threat_label": format!("trojan.{}", family.to_lowercase()),
                "popular_threat_category": [{"count": f.malicious.max(1), "value": "trojan"}],
                "popular_threat_name": [{"count": (f.malicious / 2).max(1), "value": family.to_lowercase()}],
            }),
        );
        a.insert(
            "threat_verdict".into(),
            json!(if f.malicious >= 5 {
                "VERDICT_MALICIOUS"
            } else {
                "VERDICT_SUSPICIOUS"
            }),
        );
    } else {
        a.insert("threat_verdict".into(), json!("VERDICT_UNDETECTED"));
    }
    json!({
        "type": "file",
        "id": f.sha256,
        "links": {"self": format!("{base}/api/v3/files/{}", f.sha256)},
        "attributes": a,
    })
}

/// A complete URL object.
pub(crate) fn url_object(
    base: &str,
    rng: &mut SeededRng,
    id: &str,
    url: &str,
    malicious: usize,
    first: u64,
    last: u64,
) -> Value {
    let (results, stats) = url_results(rng, malicious);
    let title = format!("{} {}", rng.pick(WORDS), rng.pick(WORDS));
    json!({
        "type": "url",
        "id": id,
        "links": {"self": format!("{base}/api/v3/urls/{id}")},
        "attributes": {
            "last_final_url": url,
            "url": url,
            "title": title,
            "categories": {"Forcepoint ThreatSeeker": if malicious > 0 { "malicious web sites" } else { "information technology" }},
            "first_submission_date": first,
            "last_submission_date": last,
            "last_analysis_date": last,
            "last_modification_date": last,
            "last_analysis_results": results,
            "last_analysis_stats": stats,
            "last_http_response_code": 200,
            "last_http_response_content_length": rng.range(200, 90_000),
            "last_http_response_content_sha256": fake_hex(rng, 64),
            "last_http_response_headers": {"content-type": "text/html; charset=UTF-8", "server": "nginx"},
            "last_http_response_cookies": {},
            "redirection_chain": [url],
            "outgoing_links": [],
            "html_meta": {"viewport": ["width=device-width, initial-scale=1"]},
            "trackers": {},
            "targeted_brand": {},
            "threat_names": [],
            "reputation": if malicious > 0 { -(rng.range(0, 20) as i64) } else { 0 },
            "tags": [],
            "times_submitted": rng.range(1, 30),
            "total_votes": {"harmless": 0, "malicious": 0},
            "has_content": false,
        }
    })
}

/// Minimal URL canonicalization (documented): a missing scheme becomes `http://`, the scheme
/// and host are lower-cased and an empty path becomes `/`.
pub(crate) fn canonical_url(raw: &str) -> String {
    let raw = raw.trim();
    let (scheme, rest) = match raw.find("://") {
        Some(i) => (raw[..i].to_ascii_lowercase(), &raw[i + 3..]),
        None => ("http".to_owned(), raw),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = rest[..end].to_ascii_lowercase();
    let tail = &rest[end..];
    let tail = if tail.starts_with('/') {
        tail.to_owned()
    } else {
        format!("/{tail}")
    };
    format!("{scheme}://{host}{tail}")
}

/// The id of a URL: SHA-256 of its canonical form.
pub(crate) fn url_id(raw: &str) -> String {
    sha256_hex(&canonical_url(raw))
}

fn domain_object(
    base: &str,
    rng: &mut SeededRng,
    name: &str,
    malicious: usize,
    ips: &[String],
    date: u64,
) -> Value {
    let (results, stats) = url_results(rng, malicious);
    let tld = name.rsplit('.').next().unwrap_or("com");
    let created = date - rng.range(30, 7000) * 86_400;
    let records: Vec<Value> = ips
        .iter()
        .map(|ip| json!({"type": "A", "value": ip, "ttl": 300}))
        .collect();
    json!({
        "type": "domain",
        "id": name,
        "links": {"self": format!("{base}/api/v3/domains/{name}")},
        "attributes": {
            "last_dns_records": records,
            "jarm": fake_hex(rng, 62),
            "whois": format!("Domain Name: {}\nRegistrar: Emulated Registrar, Inc.\nCreation Date: {}\n", name.to_uppercase(), datetime(created)),
            "last_https_certificate_date": date,
            "tags": [],
            "popularity_ranks": {},
            "last_analysis_date": date,
            "last_dns_records_date": date,
            "last_analysis_stats": stats,
            "creation_date": created,
            "whois_date": date,
            "reputation": if malicious > 0 { -(rng.range(1, 40) as i64) } else { 0 },
            "registrar": "Emulated Registrar, Inc.",
            "last_analysis_results": results,
            "last_update_date": date - 86_400,
            "last_modification_date": date,
            "tld": tld,
            "categories": {"Forcepoint ThreatSeeker": if malicious > 0 { "malicious web sites" } else { "business and economy" }},
            "total_votes": {"harmless": 0, "malicious": 0},
        }
    })
}

const COUNTRIES: &[(&str, &str, &str, &str)] = &[
    ("US", "NA", "ARIN", "GOOGLE"),
    ("DE", "EU", "RIPE NCC", "Hetzner Online GmbH"),
    ("NL", "EU", "RIPE NCC", "DigitalOcean, LLC"),
    ("RU", "EU", "RIPE NCC", "JSC Selectel"),
    ("CN", "AS", "APNIC", "Chinanet"),
    ("BR", "SA", "LACNIC", "Claro NXT Telecomunicacoes Ltda"),
];

fn ip_object(base: &str, rng: &mut SeededRng, ip: &str, malicious: usize, date: u64) -> Value {
    let (results, stats) = url_results(rng, malicious);
    let (country, continent, rir, owner) = *rng.pick(COUNTRIES);
    let asn = rng.range(1000, 65_000);
    let network = format!("{}.0/24", ip.rsplit_once('.').map_or(ip, |(a, _)| a));
    json!({
        "type": "ip_address",
        "id": ip,
        "links": {"self": format!("{base}/api/v3/ip_addresses/{ip}")},
        "attributes": {
            "regional_internet_registry": rir,
            "jarm": fake_hex(rng, 62),
            "network": network,
            "last_https_certificate_date": date,
            "tags": [],
            "country": country,
            "as_owner": owner,
            "last_analysis_stats": stats,
            "asn": asn,
            "whois_date": date,
            "last_analysis_results": results,
            "reputation": if malicious > 0 { -(rng.range(1, 40) as i64) } else { 0 },
            "last_modification_date": date,
            "total_votes": {"harmless": 0, "malicious": 0},
            "continent": continent,
            "whois": format!("NetRange: {network}\nOrgName: {owner}\nCountry: {country}\n"),
        }
    })
}

fn resolution_object(
    base: &str,
    ip: &str,
    domain: &str,
    date: u64,
    ip_stats: &Value,
    host_stats: &Value,
) -> Value {
    let id = format!("{ip}{domain}");
    json!({
        "type": "resolution",
        "id": id,
        "links": {"self": format!("{base}/api/v3/resolutions/{id}")},
        "attributes": {
            "date": date,
            "host_name": domain,
            "ip_address": ip,
            "resolver": "VirusTotal",
            "host_name_last_analysis_stats": host_stats,
            "ip_address_last_analysis_stats": ip_stats,
        }
    })
}

fn malicious_of(v: &Value) -> u32 {
    v.pointer("/attributes/last_analysis_stats/malicious")
        .and_then(Value::as_u64)
        .unwrap_or(0) as u32
}

/// What [`generate`] produced besides the store contents.
pub(crate) struct Generated {
    pub(crate) dataset: Dataset,
}

/// Fills `store` with the dataset of `seed`.
pub(crate) fn generate(store: &mut Store, base: &str, seed: u64, cfg: &DatasetConfig) -> Generated {
    let mut ds = Dataset::default();

    // EICAR, always.
    let (md5, sha1, sha256) = hashes(EICAR_BYTES);
    debug_assert_eq!(sha256, EICAR_SHA256);
    let mut rng = SeededRng::derive(seed, "eicar", 0);
    let mut eicar = file_object(
        base,
        &mut rng,
        &FileFacts {
            md5: &md5,
            sha1: &sha1,
            sha256: &sha256,
            size: EICAR_BYTES.len() as u64,
            names: vec![
                "eicar.com".into(),
                "eicar.com.txt".into(),
                "eicar_test_file".into(),
            ],
            file_type: &TEXT_TYPE,
            first_seen: 1_148_301_722,
            last_seen: DATASET_EPOCH,
            malicious: 62,
        },
    );
    // EICAR's labels are well known; make the malicious ones say so.
    if let Some(Value::Object(results)) = eicar.pointer_mut("/attributes/last_analysis_results") {
        for r in results.values_mut() {
            if r["category"] == "malicious" {
                r["result"] = json!("EICAR-Test-File (not a virus)");
            }
        }
    }
    eicar["attributes"]["tags"] = json!(["text", "attachment"]);
    eicar["attributes"]["type_tags"] = json!(["text"]);
    eicar["attributes"]["magic"] = json!("ASCII text, with no line terminators");
    eicar["attributes"]["trid"] =
        json!([{"file_type": "EICAR antivirus test file", "probability": 100.0}]);
    eicar["attributes"]["popular_threat_classification"] = json!({
        "suggested_threat_label": "virus.eicar/test",
        "popular_threat_category": [{"count": 12, "value": "virus"}],
        "popular_threat_name": [{"count": 54, "value": "eicar"}],
    });
    let eicar_mal = malicious_of(&eicar);
    store.insert(Kind::File, eicar);
    store.contents.insert(
        sha256.clone(),
        Content::Memory(Bytes::from_static(EICAR_BYTES)),
    );
    ds.files.push(FileInfo {
        sha256,
        sha1,
        md5,
        size: EICAR_BYTES.len() as u64,
        malicious: eicar_mal,
        type_tag: "text".into(),
        relationships: Vec::new(),
        downloadable: true,
    });

    // IP addresses.
    for i in 0..cfg.ip_addresses {
        let mut rng = SeededRng::derive(seed, "ip", i as u64);
        let generated = format!(
            "{}.{}.{}.{}",
            rng.range(11, 223),
            rng.range(0, 255),
            rng.range(0, 255),
            rng.range(1, 254)
        );
        // The first IP is always the well-known one, so docs and demos can name it.
        let ip = if i == 0 {
            WELL_KNOWN_IP.to_owned()
        } else {
            generated
        };
        if ds.ip_addresses.contains(&ip) {
            continue;
        }
        let mal = detection_count(&mut rng, 12).min(12);
        let date = DATASET_EPOCH - rng.range(0, 90) * 86_400;
        store.insert(Kind::IpAddress, ip_object(base, &mut rng, &ip, mal, date));
        ds.ip_addresses.push(ip);
    }

    // Domains, each resolving to 1-3 of the IPs.
    for i in 0..cfg.domains {
        let mut rng = SeededRng::derive(seed, "domain", i as u64);
        let generated = format!(
            "{}-{}{}.{}",
            rng.pick(WORDS),
            rng.pick(WORDS),
            i,
            rng.pick(TLDS)
        );
        // The first domain is always the well-known one, so docs and demos can name it.
        let name = if i == 0 {
            WELL_KNOWN_DOMAIN.to_owned()
        } else {
            generated
        };
        let mal = detection_count(&mut rng, 12).min(12);
        let date = DATASET_EPOCH - rng.range(0, 90) * 86_400;
        let mut ips = Vec::new();
        if !ds.ip_addresses.is_empty() {
            for _ in 0..rng.range(1, 3) {
                let ip = rng.pick(&ds.ip_addresses).clone();
                if !ips.contains(&ip) {
                    ips.push(ip);
                }
            }
        }
        let dom = domain_object(base, &mut rng, &name, mal, &ips, date);
        let host_stats = dom["attributes"]["last_analysis_stats"].clone();
        store.insert(Kind::Domain, dom);
        let dkey = (Kind::Domain, name.clone());
        for ip in &ips {
            let ikey = (Kind::IpAddress, ip.clone());
            let ip_stats = store
                .get(&ikey)
                .and_then(|o| o.attr("last_analysis_stats"))
                .cloned()
                .unwrap_or(Value::Null);
            let res = resolution_object(base, ip, &name, date, &ip_stats, &host_stats);
            let rkey = (Kind::Resolution, format!("{ip}{name}"));
            store.insert(Kind::Resolution, res);
            store.relate(&dkey, "resolutions", rkey.clone());
            store.relate(&ikey, "resolutions", rkey);
        }
        ds.domains.push(name);
    }

    // URLs on those domains.
    for i in 0..cfg.urls {
        let mut rng = SeededRng::derive(seed, "url", i as u64);
        let domain = if ds.domains.is_empty() {
            "example.com".to_owned()
        } else {
            rng.pick(&ds.domains).clone()
        };
        let scheme = if rng.chance(0.7) { "https" } else { "http" };
        let url = format!(
            "{scheme}://{domain}/{}/{}.php?id={i}",
            rng.pick(WORDS),
            rng.pick(WORDS)
        );
        let id = url_id(&url);
        let mal = detection_count(&mut rng, 15).min(15);
        let last = DATASET_EPOCH - rng.range(0, 60) * 86_400;
        let first = last - rng.range(0, 300) * 86_400;
        let obj = url_object(base, &mut rng, &id, &url, mal, first, last);
        let malicious = malicious_of(&obj);
        store.insert(Kind::Url, obj);
        let ukey = (Kind::Url, id.clone());
        let dkey = (Kind::Domain, domain.clone());
        if store.objects.contains_key(&dkey) {
            store.relate(&ukey, "network_location", dkey.clone());
            store.relate(&dkey, "urls", ukey.clone());
            let ips: Vec<ObjKey> = store
                .related(&dkey, "resolutions")
                .iter()
                .filter_map(|r| {
                    r.1.strip_suffix(domain.as_str())
                        .map(|ip| (Kind::IpAddress, ip.to_owned()))
                })
                .collect();
            if let Some(ip) = ips.first() {
                store.relate(&ukey, "last_serving_ip_address", ip.clone());
                store.relate(ip, "urls", ukey.clone());
            }
        }
        ds.urls.push(UrlInfo { id, url, malicious });
    }

    // Files.
    for i in 0..cfg.files {
        let mut rng = SeededRng::derive(seed, "file", i as u64);
        let ft = rng.pick(FILE_TYPES);
        let size = rng.range(256, 4096) as usize;
        let mut content = vec![0u8; size];
        rng.fill(&mut content);
        let h = ft.header.len().min(size);
        content[..h].copy_from_slice(&ft.header[..h]);
        let (md5, sha1, sha256) = hashes(&content);
        let mal = detection_count(&mut rng, FILE_ENGINES.len());
        let last = DATASET_EPOCH - rng.range(0, 120) * 86_400;
        let first = last - rng.range(0, 700) * 86_400;
        let name = format!("{}_{}.{}", rng.pick(WORDS), i, ft.extension);
        let obj = file_object(
            base,
            &mut rng,
            &FileFacts {
                md5: &md5,
                sha1: &sha1,
                sha256: &sha256,
                size: size as u64,
                names: vec![name, format!("{sha256}.{}", ft.extension)],
                file_type: ft,
                first_seen: first,
                last_seen: last,
                malicious: mal,
            },
        );
        let malicious = malicious_of(&obj);
        store.insert(Kind::File, obj);
        store
            .contents
            .insert(sha256.clone(), Content::Memory(Bytes::from(content)));
        ds.files.push(FileInfo {
            sha256,
            sha1,
            md5,
            size: size as u64,
            malicious,
            type_tag: ft.tag.to_owned(),
            relationships: Vec::new(),
            downloadable: true,
        });
    }

    // File relationships (the first generated file always has 25 contacted domains, so
    // pagination has several pages with the default limit of 10).
    let generated: Vec<String> = ds.files.iter().skip(1).map(|f| f.sha256.clone()).collect();
    for (i, sha) in generated.iter().enumerate() {
        let mut rng = SeededRng::derive(seed, "file-rel", i as u64);
        let fkey = (Kind::File, sha.clone());
        let n_domains = if i == 0 {
            25
        } else {
            rng.range(0, 30) as usize
        };
        let picks = |rng: &mut SeededRng, pool: &[String], n: usize| -> Vec<String> {
            let mut idx: Vec<usize> = (0..pool.len()).collect();
            rng.shuffle(&mut idx);
            idx.into_iter().take(n).map(|j| pool[j].clone()).collect()
        };
        for d in picks(&mut rng, &ds.domains, n_domains) {
            store.relate(&fkey, "contacted_domains", (Kind::Domain, d.clone()));
            store.relate(&(Kind::Domain, d), "communicating_files", fkey.clone());
        }
        let n_ips = rng.range(0, 10) as usize;
        for ip in picks(&mut rng, &ds.ip_addresses, n_ips) {
            store.relate(&fkey, "contacted_ips", (Kind::IpAddress, ip.clone()));
            store.relate(&(Kind::IpAddress, ip), "communicating_files", fkey.clone());
        }
        let url_ids: Vec<String> = ds.urls.iter().map(|u| u.id.clone()).collect();
        let n_urls = rng.range(0, 8) as usize;
        for u in picks(&mut rng, &url_ids, n_urls) {
            store.relate(&fkey, "contacted_urls", (Kind::Url, u));
        }
        let n_itw = rng.range(0, 3) as usize;
        for u in picks(&mut rng, &url_ids, n_itw) {
            store.relate(&fkey, "itw_urls", (Kind::Url, u.clone()));
            store.relate(&(Kind::Url, u), "downloaded_files", fkey.clone());
        }
        let n_dropped = rng.range(0, 4) as usize;
        for other in picks(&mut rng, &generated, n_dropped) {
            if &other != sha {
                store.relate(&fkey, "dropped_files", (Kind::File, other.clone()));
                store.relate(&(Kind::File, other), "execution_parents", fkey.clone());
            }
        }
    }
    // A relationship pointing at an object the store does not have, as VirusTotal sometimes
    // returns (`{"type","id","error":{...}}` in full listings).
    if let Some(first) = generated.first() {
        store.relate(
            &(Kind::File, first.clone()),
            "bundled_files",
            (Kind::File, "0".repeat(64)),
        );
    }
    for f in ds.files.iter_mut() {
        let fkey = (Kind::File, f.sha256.clone());
        if let Some(rels) = store.relationships.get(&fkey) {
            f.relationships = rels.iter().map(|(k, v)| (k.clone(), v.len())).collect();
        }
    }

    // Comments and votes by community users on the first objects.
    let mut targets: Vec<ObjKey> = ds
        .files
        .iter()
        .take(12)
        .map(|f| (Kind::File, f.sha256.clone()))
        .collect();
    targets.extend(ds.urls.iter().take(4).map(|u| (Kind::Url, u.id.clone())));
    targets.extend(ds.domains.iter().take(4).map(|d| (Kind::Domain, d.clone())));
    targets.extend(
        ds.ip_addresses
            .iter()
            .take(4)
            .map(|d| (Kind::IpAddress, d.clone())),
    );
    for (i, target) in targets.iter().enumerate() {
        let mut rng = SeededRng::derive(seed, "social", i as u64);
        let n_comments = if i == 0 { 3 } else { rng.range(0, 3) };
        for c in 0..n_comments {
            let family = rng.pick(FAMILIES);
            let text = match c % 3 {
                0 => format!(
                    "#{} sample, seen in a phishing campaign",
                    family.to_lowercase()
                ),
                1 => "Looks clean to me, signed by the vendor. #goodware".to_owned(),
                _ => format!("C2 traffic observed #malware #{}", family.to_lowercase()),
            };
            let suffix = store.next_suffix(&format!("c{i}-{c}"));
            let comment = Comment {
                id: format!("{}-{}-{suffix}", target.0.id_prefix(), target.1),
                target: target.clone(),
                author: format!("community-user-{}", rng.range(1, 9)),
                date: DATASET_EPOCH - rng.range(0, 400) * 86_400,
                tags: comment_tags(&text),
                text,
                positive: rng.range(0, 5),
                negative: rng.range(0, 1),
                abuse: 0,
            };
            ds.comments.push(comment.id.clone());
            store.add_comment(comment);
        }
        for v in 0..rng.range(0, 2) {
            let verdict = if rng.chance(0.5) {
                "malicious"
            } else {
                "harmless"
            };
            let suffix = store.next_suffix(&format!("v{i}-{v}"));
            let vote = Vote {
                id: format!("{}-{}-{suffix}", target.0.id_prefix(), target.1),
                owner: format!("community-user-{}", rng.range(1, 9)),
                date: DATASET_EPOCH - rng.range(0, 400) * 86_400,
                value: if verdict == "malicious" { -1 } else { 1 },
                verdict: verdict.to_owned(),
            };
            store.add_vote(target, vote);
        }
    }

    // Lists are kept oldest first (listings reverse them): order by date.
    let dates: std::collections::HashMap<String, u64> = store
        .comments
        .values()
        .map(|c| (c.id.clone(), c.date))
        .collect();
    let by_date = |a: &String, b: &String| dates.get(a).cmp(&dates.get(b)).then(a.cmp(b));
    store.comment_order.sort_by(by_date);
    for list in store.object_comments.values_mut() {
        list.sort_by(by_date);
    }
    for votes in store.object_votes.values_mut() {
        votes.sort_by(|a, b| a.date.cmp(&b.date).then(a.id.cmp(&b.id)));
    }

    Generated { dataset: ds }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonicalization_adds_path_and_scheme() {
        assert_eq!(
            canonical_url("http://www.google.com"),
            "http://www.google.com/"
        );
        assert_eq!(
            url_id("http://www.google.com"),
            "dd014af5ed6b38d9130e3f466f850e46d21b951199d53a18ef29ee9341614eaf"
        );
        assert_eq!(canonical_url("Example.COM?q=1"), "http://example.com/?q=1");
    }

    #[test]
    fn dates_format_like_v2() {
        assert_eq!(datetime(1_273_894_724), "2010-05-15 03:38:44");
        assert_eq!(ymd(DATASET_EPOCH), "20231114");
    }

    #[test]
    fn generation_is_deterministic_and_consistent() {
        let cfg = DatasetConfig {
            files: 20,
            urls: 10,
            domains: 30,
            ip_addresses: 10,
            load_dir: None,
        };
        let mut a = Store::default();
        let mut b = Store::default();
        let ga = generate(&mut a, "http://x", 7, &cfg);
        let gb = generate(&mut b, "http://x", 7, &cfg);
        assert_eq!(ga.dataset.files, gb.dataset.files);
        assert_eq!(ga.dataset.files[0].sha256, EICAR_SHA256);
        for f in &ga.dataset.files {
            let Some(Content::Memory(bytes)) = a.contents.get(&f.sha256) else {
                panic!("no content")
            };
            let (md5, sha1, sha256) = hashes(bytes);
            assert_eq!(
                (md5, sha1, sha256),
                (f.md5.clone(), f.sha1.clone(), f.sha256.clone())
            );
            let obj = a.get(&(Kind::File, f.sha256.clone())).unwrap();
            assert_eq!(
                obj.attr("last_analysis_results")
                    .unwrap()
                    .as_object()
                    .unwrap()
                    .len(),
                FILE_ENGINES.len()
            );
        }
        assert_eq!(
            ga.dataset.files[1].relationship_len("contacted_domains"),
            25
        );
        let gc = generate(&mut Store::default(), "http://x", 8, &cfg);
        assert_ne!(ga.dataset.files[1].sha256, gc.dataset.files[1].sha256);
        let dates: Vec<u64> = a
            .comment_order
            .iter()
            .map(|id| a.comments[id].date)
            .collect();
        assert!(
            dates.windows(2).all(|w| w[0] <= w[1]),
            "comments are kept oldest first"
        );
    }
}
