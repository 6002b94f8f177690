//! Regression tests for what fuzzing found in the identifier parsers (`fuzz/`, target `ids`;
//! `cargo xtask fuzz`). Each test holds a minimized reproducer; the findings are listed in
//! `docs/reliability.md`, section "Fuzzing".

use vt_model::{
    AnalysisId, DomainName, FileHash, IdError, IpAddress, Md5, MonitorItemId, Sha1, Sha256, UrlId,
};

/// An identifier parser, its result reduced to the error.
type Parser = fn(&str) -> Result<(), IdError>;

/// Every identifier parser, by name.
const PARSERS: &[(&str, Parser)] = &[
    ("Md5", |s| Md5::parse(s).map(drop)),
    ("Sha1", |s| Sha1::parse(s).map(drop)),
    ("Sha256", |s| Sha256::parse(s).map(drop)),
    ("FileHash", |s| FileHash::parse(s).map(drop)),
    ("UrlId::parse", |s| UrlId::parse(s).map(drop)),
    ("UrlId::from_url", |s| UrlId::from_url(s).map(drop)),
    ("DomainName", |s| DomainName::parse(s).map(drop)),
    ("IpAddress", |s| IpAddress::parse(s).map(drop)),
    ("MonitorItemId", |s| MonitorItemId::parse(s).map(drop)),
    ("AnalysisId", |s| AnalysisId::parse(s).map(drop)),
];

/// Characters that end a line somewhere (terminals, log collectors, Unicode's mandatory breaks).
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Finding F1, fixed (fuzz target `ids`, minimized to the 3 bytes `E2 80 A9`): the message of an
/// `IdError` quoted U+2029 PARAGRAPH SEPARATOR (and U+2028 LINE SEPARATOR) raw, so a "one
/// line" error became two lines in a log or an editor. Every parser rejects these characters
/// (they are whitespace); the message must escape them like the other line breaks. Fixed in
/// 09ea126.
#[test]
fn error_messages_escape_unicode_line_separators() {
    for input in [
        "\u{2029}",
        "\u{2028}",
        "44d88612\u{2028}fea8a8f3",
        "example.com\u{2029}",
    ] {
        for (name, parse) in PARSERS {
            let err = parse(input).expect_err(name);
            let message = err.to_string();
            assert!(
                !message.chars().any(is_line_break),
                "{name}: the error for {input:?} is not one line: {message:?}"
            );
        }
    }
}

/// The line breaks the parsers already escaped before fuzzing started: kept so that the fix of
/// F1 cannot regress them.
#[test]
fn error_messages_escape_ascii_line_breaks() {
    for input in ["\n", "a\rb", "x\u{0b}y", "\u{0c}", "\u{85}z", "a\r\nb"] {
        for (name, parse) in PARSERS {
            let err = parse(input).expect_err(name);
            let message = err.to_string();
            assert!(
                !message.chars().any(is_line_break),
                "{name}: the error for {input:?} is not one line: {message:?}"
            );
        }
    }
}

/// Finding F2 (found while writing the `ids` target's `UrlId::from_url` property; random
/// mutation cannot reach it): a URL of 48 bytes whose base64url uses only the characters
/// `0-9`, `a-f`, `A-F` gets an id of 64 hexadecimal characters, which `UrlId::parse` (and
/// VirusTotal) read as a SHA-256 URL id, so the lookup would ask for another URL. The
/// shortest example is `"kat"` repeated 16 times (base64url `a2F0` × 16). `from_url` must
/// either refuse such a URL with an error or give an id that re-parses as itself.
#[test]
fn url_id_of_a_url_is_never_read_as_a_sha256() {
    let url = "kat".repeat(16);
    let err = UrlId::from_url(&url).expect_err("refused: its id would read as a SHA-256");
    assert!(err.to_string().contains("SHA-256"), "{err}");
    if let Ok(id) = UrlId::from_url(&url) {
        assert_eq!(id.decoded_url().as_deref(), Some(url.as_str()));
        let again = UrlId::parse(id.as_str()).expect("from_url's id re-parses");
        assert!(
            again.is_base64() && again == id,
            "UrlId::from_url({url:?}) = {:?} re-parses as a SHA-256 id",
            id.as_str()
        );
    }
}
