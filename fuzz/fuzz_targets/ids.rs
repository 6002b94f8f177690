//! Every identifier parser of vt-model, fed the same arbitrary text.
//!
//! Properties checked for each parser (a violation panics, which libFuzzer reports as a crash):
//!
//! - parsing never panics, whatever the input;
//! - a value that parses is in normal form: it re-parses from its `as_str()` to an equal value,
//!   and `Display`, `FromStr` and serde (a JSON string) agree with `as_str()` / `parse`;
//! - an error's message (`IdError` Display) is a single line, starts with `invalid `, and stays
//!   short however long the input is;
//! - parsers that overlap agree (`Md5`/`Sha1`/`Sha256` against `FileHash`, a 64-hex `UrlId`
//!   against `Sha256`), and `UrlId::from_url` gives an id that decodes back to the URL.
#![no_main]

use std::fmt::Debug;
use std::str::FromStr;

use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;
use vt_model::{
    AnalysisId, DomainName, FileHash, HashKind, IdError, IpAddress, Md5, MonitorItemId, Sha1,
    Sha256, UrlId,
};

/// An upper bound on an error message's length, in characters. The input is quoted cut to
/// `IdError::MAX_INPUT_CHARS` characters, each escaped to at most 10 (`\u{10ffff}`); a monitor
/// id's message may quote its decoded text the same way; the reasons themselves are short.
const MAX_MESSAGE_CHARS: usize = 4 * IdError::MAX_INPUT_CHARS * 10 + 400;

/// Characters that end a line for a terminal, a log collector or Unicode (UAX #14 mandatory
/// breaks).
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    ) && !OPEN_FINDINGS.contains(&c)
}

/// Line breaks the line check tolerates while a finding about them is open (see the
/// "Findings" table of `docs/reliability.md`), so that a run keeps looking for other bugs.
/// F1 (U+2028/U+2029 quoted raw) was fixed in 09ea126: nothing is tolerated now.
const OPEN_FINDINGS: &[char] = &[];

fn check_error(what: &str, input: &str, err: &IdError) {
    let message = err.to_string();
    assert!(
        !message.chars().any(is_line_break),
        "{what}: the error for {input:?} is not one line: {message:?}"
    );
    assert!(
        message.starts_with("invalid "),
        "{what}: the error for {input:?} does not start with `invalid `: {message:?}"
    );
    let chars = message.chars().count();
    assert!(
        chars <= MAX_MESSAGE_CHARS,
        "{what}: the error for an input of {} chars is {chars} chars long",
        input.chars().count()
    );
}

/// Parses `input` with `parse`; checks the round-trip and error properties; returns the value.
fn check<T>(
    what: &str,
    input: &str,
    parse: fn(&str) -> Result<T, IdError>,
    as_str: fn(&T) -> &str,
) -> Option<T>
where
    T: PartialEq
        + Debug
        + FromStr<Err = IdError>
        + std::fmt::Display
        + Serialize
        + DeserializeOwned,
{
    let parsed = parse(input);
    match (&parsed, T::from_str(input)) {
        (Ok(a), Ok(b)) => assert_eq!(a, &b, "{what}: parse and FromStr differ on {input:?}"),
        (Err(a), Err(b)) => assert_eq!(a, &b, "{what}: parse and FromStr differ on {input:?}"),
        (a, b) => panic!("{what}: parse gives {a:?} but FromStr gives {b:?} on {input:?}"),
    }
    match parsed {
        Ok(value) => {
            let text = as_str(&value);
            assert_eq!(
                value.to_string(),
                text,
                "{what}: Display differs from as_str"
            );
            match parse(text) {
                Ok(again) => assert_eq!(
                    again, value,
                    "{what}: {input:?} parses, but its as_str() {text:?} re-parses to another value"
                ),
                Err(err) => {
                    panic!("{what}: {input:?} parses, but its as_str() {text:?} does not: {err}")
                }
            }
            let json = serde_json::to_string(&value).expect("an identifier serializes");
            assert_eq!(
                json,
                serde_json::to_string(text).expect("a string serializes"),
                "{what}: serde writes something else than as_str"
            );
            let back: T = serde_json::from_str(&json).unwrap_or_else(|e| {
                panic!("{what}: serde does not read back {json}: {e}");
            });
            assert_eq!(back, value, "{what}: serde round trip changed {json}");
            Some(value)
        }
        Err(err) => {
            check_error(what, input, &err);
            // serde must reject it too (and not panic).
            let json = serde_json::to_string(input).expect("a string serializes");
            assert!(
                serde_json::from_str::<T>(&json).is_err(),
                "{what}: serde accepts {json}, which parse rejects"
            );
            None
        }
    }
}

fn check_hashes(input: &str) {
    let md5 = check("Md5", input, Md5::parse, Md5::as_str);
    let sha1 = check("Sha1", input, Sha1::parse, Sha1::as_str);
    let sha256 = check("Sha256", input, Sha256::parse, Sha256::as_str);
    let any = check("FileHash", input, FileHash::parse, FileHash::as_str);
    if let Some(h) = &md5 {
        assert_eq!(Md5::from_bytes(h.to_bytes()), *h, "Md5 bytes round trip");
    }
    if let Some(h) = &sha1 {
        assert_eq!(Sha1::from_bytes(h.to_bytes()), *h, "Sha1 bytes round trip");
    }
    if let Some(h) = &sha256 {
        assert_eq!(
            Sha256::from_bytes(h.to_bytes()),
            *h,
            "Sha256 bytes round trip"
        );
    }
    let specific = [
        md5.as_ref().map(|h| (HashKind::Md5, h.as_str())),
        sha1.as_ref().map(|h| (HashKind::Sha1, h.as_str())),
        sha256.as_ref().map(|h| (HashKind::Sha256, h.as_str())),
    ];
    let specific: Vec<_> = specific.into_iter().flatten().collect();
    match &any {
        Some(hash) => assert_eq!(
            specific,
            vec![(hash.kind(), hash.as_str())],
            "FileHash and the specific hash parsers disagree on {input:?}"
        ),
        None => assert!(
            specific.is_empty(),
            "a specific hash parser accepts {input:?} but FileHash rejects it"
        ),
    }
}

fn check_url_ids(input: &str) {
    if let Some(id) = check("UrlId", input, UrlId::parse, UrlId::as_str) {
        let sha256 = Sha256::parse(input).ok();
        assert_eq!(
            id.is_sha256(),
            sha256.is_some(),
            "UrlId form and Sha256 disagree on {input:?}"
        );
        assert_eq!(id.as_sha256(), sha256, "UrlId::as_sha256 on {input:?}");
        assert_eq!(id.is_base64(), !id.is_sha256());
        if id.is_base64() {
            assert!(
                id.decoded_url().is_some(),
                "UrlId {input:?} parses as base64url but does not decode"
            );
        }
    }
    match UrlId::from_url(input) {
        Ok(id) => {
            assert!(id.is_base64(), "from_url gives a base64url id");
            assert_eq!(
                id.decoded_url().as_deref(),
                Some(input),
                "from_url does not decode back to the URL"
            );
            match UrlId::parse(id.as_str()) {
                Ok(again) => assert_eq!(
                    again,
                    id,
                    "UrlId::from_url({input:?}) gives {:?}, which UrlId::parse reads as another id",
                    id.as_str()
                ),
                Err(err) => panic!("UrlId::from_url({input:?}) gives an id parse rejects: {err}"),
            }
        }
        Err(err) => check_error("UrlId::from_url", input, &err),
    }
}

fn check_others(input: &str) {
    if let Some(domain) = check("DomainName", input, DomainName::parse, DomainName::as_str) {
        assert!(domain.labels().all(|label| !label.is_empty()));
    }
    if let Some(ip) = check("IpAddress", input, IpAddress::parse, IpAddress::as_str) {
        assert_eq!(IpAddress::from(ip.addr()), ip, "IpAddress via IpAddr");
    }
    if let Some(id) = check(
        "MonitorItemId",
        input,
        MonitorItemId::parse,
        MonitorItemId::as_str,
    ) {
        // Only ids of today's form are taken apart; those rebuild from their parts.
        if let (Some(owner), Some(path)) = (id.owner(), id.path()) {
            match MonitorItemId::new(owner, path) {
                Ok(rebuilt) => assert_eq!(
                    rebuilt, id,
                    "MonitorItemId::new(owner, path) differs from the parsed id {input:?}"
                ),
                Err(err) => {
                    panic!("MonitorItemId {input:?} parses but new(owner, path) fails: {err}")
                }
            }
        }
    }
    if let Some(id) = check("AnalysisId", input, AnalysisId::parse, AnalysisId::as_str) {
        // The accessors take the id apart; they must not panic either.
        let _ = (id.url_sha256(), id.file_md5(), id.timestamp());
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    check_hashes(&text);
    check_url_ids(&text);
    check_others(&text);
});
