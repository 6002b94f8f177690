//! Feed packages: what each minute of each feed holds, as bzip2 JSON lines.
//!
//! A minute's package is a function of the seed, the feed type and the minute: 1 to
//! [`FeedConfig::max_items_per_minute`] objects of the generated dataset (the pool is fixed
//! when the emulator starts, so later uploads never change a past package), followed by
//! what clients uploaded, submitted or re-analysed during that minute (files, URLs, domains,
//! IP addresses). Every line is a bare object with `context_attributes` as VirusTotal's:
//! `download_url` and `submitter` for files, `submitter` for URLs, the file hashes and
//! artefact links for sandbox reports. A package is published
//! [`FeedConfig::lag_minutes`] after its minute starts (VirusTotal: the package of now − 60
//! minutes is the newest, now − 59 is not ready), which is the newest a client asks for
//! (`vt_api::feeds::newest_available`); hourly packages (a `.tar.bz2` of the hour's sixty
//! minute packages, each the bzip2 file of its minute) one lag after their hour ends.
//!
//! Damaged packages for tests come from fault rules that name a feed path (see
//! [`FaultKind::FeedCorrupt`](crate::FaultKind::FeedCorrupt) and its siblings): the same
//! package is damaged the same way every time it is asked for.

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::sync::OnceLock;

use serde_json::{Value, json};
use vt_model::{FeedKind, FeedMinute};

use crate::faults::FaultKind;
use crate::records::{Content, Kind, ObjKey, StoredObject};
use crate::rng::{SeededRng, mix64};

/// How far back packages are kept (VirusTotal: seven days).
pub const HISTORY_MINUTES: i64 = 7 * 24 * 60;

/// The feed settings of an emulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedConfig {
    /// Minutes between the end of a minute and the publication of its package (VirusTotal:
    /// 60; `vt emulator serve --feed-lag`). Asking earlier answers 400 `NotAvailableYet`.
    pub lag_minutes: u32,
    /// Most dataset objects in one package (each minute draws 1 to this many per type, so
    /// every minute of a non-empty dataset has something to show).
    pub max_items_per_minute: u32,
}

impl Default for FeedConfig {
    fn default() -> Self {
        FeedConfig {
            lag_minutes: 60,
            max_items_per_minute: 5,
        }
    }
}

/// The dataset objects feeds draw from, fixed at start (sorted ids per type).
#[derive(Debug, Default, Clone)]
pub(crate) struct FeedPool {
    files: Vec<String>,
    urls: Vec<String>,
    domains: Vec<String>,
    ip_addresses: Vec<String>,
    behaviours: Vec<String>,
}

impl FeedPool {
    /// The pool of the store as generated. Files whose bytes the emulator has come first in
    /// the draw, so that their `download_url` works.
    pub(crate) fn of(
        objects: &HashMap<ObjKey, StoredObject>,
        contents: &HashMap<String, Content>,
    ) -> FeedPool {
        let mut pool = FeedPool::default();
        let mut with_bytes = Vec::new();
        for (kind, id) in objects.keys() {
            match kind {
                Kind::File if contents.contains_key(id) => with_bytes.push(id.clone()),
                Kind::File => pool.files.push(id.clone()),
                Kind::Url => pool.urls.push(id.clone()),
                Kind::Domain => pool.domains.push(id.clone()),
                Kind::IpAddress => pool.ip_addresses.push(id.clone()),
                Kind::FileBehaviour => pool.behaviours.push(id.clone()),
                Kind::Resolution => {}
            }
        }
        for list in [
            &mut with_bytes,
            &mut pool.files,
            &mut pool.urls,
            &mut pool.domains,
            &mut pool.ip_addresses,
            &mut pool.behaviours,
        ] {
            list.sort();
        }
        if !with_bytes.is_empty() {
            pool.files = with_bytes;
        }
        pool
    }

    fn of_kind(&self, kind: FeedKind) -> (&[String], Kind) {
        match kind {
            FeedKind::Files => (&self.files, Kind::File),
            FeedKind::Urls => (&self.urls, Kind::Url),
            FeedKind::Domains => (&self.domains, Kind::Domain),
            FeedKind::IpAddresses => (&self.ip_addresses, Kind::IpAddress),
            _ => (&self.behaviours, Kind::FileBehaviour),
        }
    }
}

/// Whether package `minute` is published at `now_secs`: `lag_minutes` after the minute
/// starts (with no lag, the current minute is served as it stands).
pub(crate) fn is_published(minute: FeedMinute, now_secs: u64, lag_minutes: u32) -> bool {
    minute.unix_minutes() + i64::from(lag_minutes) <= now_minutes(now_secs)
}

/// Whether package `minute` is older than the history kept.
pub(crate) fn is_expired(minute: FeedMinute, now_secs: u64) -> bool {
    minute.unix_minutes() < now_minutes(now_secs) - HISTORY_MINUTES
}

fn now_minutes(now_secs: u64) -> i64 {
    i64::try_from(now_secs / 60).unwrap_or(i64::MAX)
}

/// What feed packages are drawn from (a view of the store): the pool fixed at start, the log
/// of objects uploaded, submitted or re-analysed since, and the objects themselves.
pub(crate) struct FeedSource<'a> {
    pub(crate) pool: &'a FeedPool,
    pub(crate) log: &'a BTreeMap<i64, Vec<ObjKey>>,
    pub(crate) objects: &'a HashMap<ObjKey, StoredObject>,
}

/// The JSON lines of package `minute` of `kind` (each ending in `\n`).
pub(crate) fn package_text(
    source: &FeedSource<'_>,
    seed: u64,
    config: &FeedConfig,
    base: &str,
    kind: FeedKind,
    minute: FeedMinute,
) -> String {
    let (pool, store_kind) = source.pool.of_kind(kind);
    let salt = mix64(seed ^ mix64(minute.unix_minutes() as u64) ^ kind_salt(kind));
    let mut rng = SeededRng::new(salt);
    let mut keys: Vec<ObjKey> = Vec::new();
    if !pool.is_empty() {
        let count = rng.range(1, u64::from(config.max_items_per_minute));
        for _ in 0..count {
            keys.push((store_kind, pool[rng.index(pool.len())].clone()));
        }
    }
    if let Some(fresh) = source.log.get(&minute.unix_minutes()) {
        keys.extend(fresh.iter().filter(|k| k.0 == store_kind).cloned());
    }
    let mut out = String::new();
    for (n, key) in keys.iter().enumerate() {
        let Some(object) = source.objects.get(key) else {
            continue;
        };
        let mut line = object.data.clone();
        let context = context_attributes(&object.data, kind, base, &mut rng, n);
        if let Some(map) = line.as_object_mut() {
            map.insert("context_attributes".into(), context);
        }
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}

fn kind_salt(kind: FeedKind) -> u64 {
    kind.path_name()
        .bytes()
        .fold(0xfeed, |h, b| mix64(h ^ u64::from(b)))
}

const COUNTRIES: [&str; 8] = ["ES", "US", "DE", "FR", "BR", "JP", "IN", "GB"];
const INTERFACES: [&str; 4] = ["api", "web", "email", "community"];

fn submitter(rng: &mut SeededRng) -> Value {
    json!({
        "id": format!("{:08x}", rng.next_u64() as u32),
        "country": COUNTRIES[rng.index(COUNTRIES.len())],
        "interface": INTERFACES[rng.index(INTERFACES.len())],
        "method": "api",
    })
}

fn context_attributes(
    data: &Value,
    kind: FeedKind,
    base: &str,
    rng: &mut SeededRng,
    _n: usize,
) -> Value {
    let id = data.get("id").and_then(Value::as_str).unwrap_or_default();
    match kind {
        FeedKind::Files => json!({
            "download_url": format!("{base}/api/v3/feeds/files/{id}/download"),
            "submitter": submitter(rng),
        }),
        FeedKind::Urls => json!({"submitter": submitter(rng)}),
        FeedKind::FileBehaviours => {
            let sha = id.split('_').next().unwrap_or(id);
            let token =
                percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC);
            let link = |what: &str| format!("{base}/api/v3/feeds/file-behaviours/{token}/{what}");
            json!({
                "file_sha256": sha,
                "file_type_tag": "peexe",
                "html_report": link("html"),
                "pcap": link("pcap"),
                "evtx": link("evtx"),
                "memdump": link("memdump"),
            })
        }
        _ => json!({}),
    }
}

/// bzip2 of `text`.
pub(crate) fn compress(text: &[u8]) -> Vec<u8> {
    let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(text);
    enc.finish().unwrap_or_default()
}

/// One line of zeros far over any sane line limit, compressed (a bzip2 bomb: a few hundred
/// bytes that decompress to 48 MiB), made once.
fn bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| compress(&vec![b'0'; 48 << 20]))
}

/// The package's bytes, damaged as `fault` says.
pub(crate) fn package_bytes(text: &str, fault: Option<FaultKind>) -> Vec<u8> {
    match fault {
        Some(FaultKind::FeedNotJson) => {
            let mut lines: Vec<&str> = text.lines().collect();
            let at = lines.len().min(1);
            lines.insert(at, "{this line is not JSON");
            compress((lines.join("\n") + "\n").as_bytes())
        }
        Some(FaultKind::FeedBomb) => bomb().to_vec(),
        Some(FaultKind::FeedTruncated) => {
            let mut bytes = compress(text.as_bytes());
            bytes.truncate(bytes.len() / 2);
            bytes
        }
        Some(FaultKind::FeedCorrupt) => {
            let mut bytes = compress(text.as_bytes());
            // The first block's CRC (after the 4-byte header and the 6-byte block magic):
            // every decoder finds the damage, whatever the content, instead of sometimes
            // yielding garbage lines first (which a client reports as lines that are not
            // feed items, not as a corrupt package).
            for b in bytes.iter_mut().skip(10).take(4) {
                *b ^= 0xa5;
            }
            bytes
        }
        _ => compress(text.as_bytes()),
    }
}

/// A `.tar` (ustar) of `files` (name, bytes).
pub(crate) fn tar(files: &[(String, Vec<u8>)], mtime: u64) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, bytes) in files {
        let mut header = [0u8; 512];
        let put = |h: &mut [u8; 512], at: usize, field: &[u8]| {
            h[at..at + field.len()].copy_from_slice(field);
        };
        put(&mut header, 0, &name.as_bytes()[..name.len().min(99)]);
        put(&mut header, 100, b"0000644\0");
        put(&mut header, 108, b"0000000\0");
        put(&mut header, 116, b"0000000\0");
        put(
            &mut header,
            124,
            format!("{:011o}\0", bytes.len()).as_bytes(),
        );
        put(&mut header, 136, format!("{mtime:011o}\0").as_bytes());
        put(&mut header, 148, b"        ");
        header[156] = b'0';
        put(&mut header, 257, b"ustar\0");
        put(&mut header, 263, b"00");
        let sum: u32 = header.iter().map(|b| u32::from(*b)).sum();
        put(&mut header, 148, format!("{sum:06o}\0 ").as_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(bytes);
        let pad = (512 - bytes.len() % 512) % 512;
        out.extend(std::iter::repeat_n(0u8, pad));
    }
    out.extend(std::iter::repeat_n(0u8, 1024));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publication_follows_the_lag() {
        let m: FeedMinute = "202612030400".parse().unwrap();
        let start = m.unix_secs();
        assert!(!is_published(m, start + 59 * 60 + 59, 60));
        assert!(is_published(m, start + 60 * 60, 60));
        assert!(is_published(m, start, 0));
        assert!(is_expired(m, start + 8 * 24 * 3600));
    }

    #[test]
    fn tar_headers_are_well_formed() {
        let t = tar(&[("a".into(), b"hello".to_vec())], 0);
        assert_eq!(t.len(), 512 * 2 + 1024);
        assert_eq!(&t[257..262], b"ustar");
        assert_eq!(&t[512..517], b"hello");
    }

    #[test]
    fn damaged_packages_differ_from_the_good_one() {
        let text = "{\"a\":1}\n".repeat(100);
        let good = package_bytes(&text, None);
        assert_ne!(package_bytes(&text, Some(FaultKind::FeedCorrupt)), good);
        // Corrupt whatever the content: the decoder reports it.
        for n in 1..40 {
            let text = format!("{{\"id\":\"{n}\"}}\n").repeat(n * 7);
            let bytes = package_bytes(&text, Some(FaultKind::FeedCorrupt));
            let mut out = Vec::new();
            let read =
                std::io::Read::read_to_end(&mut bzip2::read::BzDecoder::new(&bytes[..]), &mut out);
            assert!(read.is_err(), "package {n} decoded despite the damage");
        }
        assert_eq!(
            package_bytes(&text, Some(FaultKind::FeedTruncated)).len(),
            good.len() / 2
        );
    }
}
