//! The emulator's subset of VirusTotal Intelligence's query language (documented in
//! `docs/emulator.md`): a query is parsed once into [`SearchQuery`], an AND of [`Term`]s,
//! then matched against stored objects. Anything outside the subset is refused with an
//! error message (the route answers `InvalidArgumentError`), never read as "match all".

use serde_json::Value;

use crate::records::Kind;

/// The longest query the emulator accepts (the limit `vt-api` checks locally too).
pub(crate) const MAX_QUERY_CHARS: usize = 4096;

/// A comparison of a number or date: `N` (equal; for dates, the same day), `N+` (at least /
/// on or after), `N-` (at most / on or before).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    AtLeast,
    AtMost,
}

impl Cmp {
    fn split(value: &str) -> (&str, Cmp) {
        if let Some(v) = value.strip_suffix('+') {
            (v, Cmp::AtLeast)
        } else if let Some(v) = value.strip_suffix('-') {
            (v, Cmp::AtMost)
        } else {
            (value, Cmp::Eq)
        }
    }

    fn holds(self, actual: u64, wanted: u64) -> bool {
        match self {
            Cmp::Eq => actual == wanted,
            Cmp::AtLeast => actual >= wanted,
            Cmp::AtMost => actual <= wanted,
        }
    }
}

/// Which submission date a date term compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateField {
    FirstSeen,
    LastSeen,
}

/// One term of a query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Term {
    /// A bare MD5, SHA-1 or SHA-256.
    Hash(String),
    /// `type:` a file type tag (`peexe`, `pdf`, ...).
    Type(String),
    /// `p:` / `positives:` the count of engines saying malicious.
    Positives(Cmp, u64),
    /// `size:` in bytes (units `b`, `kb`, `mb`, `gb`, powers of 1024).
    Size(Cmp, u64),
    /// `tag:`.
    Tag(String),
    /// `name:` a substring of one of the file's names.
    Name(String),
    /// `fs:` / `ls:` a date (seconds); `Eq` means the same UTC day.
    Date(DateField, Cmp, u64),
    /// `engines:` a substring of an engine's verdict (`engines:eicar`).
    Engines(String),
    /// A free word: in the object's comments, names, URL or id.
    Word(String),
}

/// A parsed query: the entity searched and the terms, all of which must hold.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SearchQuery {
    pub(crate) kind: Kind,
    pub(crate) terms: Vec<Term>,
}

fn is_hash(s: &str) -> bool {
    matches!(s.len(), 32 | 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Splits a query on spaces, keeping `"quoted values"` (quotes removed) whole.
fn tokens(query: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in query.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if quoted {
        return Err("unbalanced quote in the query".into());
    }
    if !current.is_empty() {
        out.push(current);
    }
    Ok(out)
}

fn parse_size(value: &str) -> Option<u64> {
    let lower = value.to_ascii_lowercase();
    let (digits, unit) = match lower.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => lower.split_at(i),
        None => (lower.as_str(), ""),
    };
    let n: u64 = digits.parse().ok()?;
    let mult: u64 = match unit {
        "" | "b" => 1,
        "kb" | "k" => 1 << 10,
        "mb" | "m" => 1 << 20,
        "gb" | "g" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// A date value: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS`, or `Nd` / `Nh` / `Nm` ago (relative to
/// `now`, seconds). Returns (seconds, whether it names a whole day).
fn parse_date(value: &str, now: u64) -> Option<(u64, bool)> {
    if let Some(n) = value.strip_suffix('d').and_then(|n| n.parse::<u64>().ok()) {
        return Some((now.saturating_sub(n * 86_400), false));
    }
    if let Some(n) = value.strip_suffix('h').and_then(|n| n.parse::<u64>().ok()) {
        return Some((now.saturating_sub(n * 3_600), false));
    }
    if let Some(n) = value.strip_suffix('m').and_then(|n| n.parse::<u64>().ok()) {
        return Some((now.saturating_sub(n * 60), false));
    }
    let (day, time) = match value.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (value, None),
    };
    let mut parts = day.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let days = days_from_civil(y, m, d);
    let mut secs = days.checked_mul(86_400)?;
    if let Some(t) = time {
        let mut hms = t.split(':');
        let h: i64 = hms.next()?.parse().ok()?;
        let mi: i64 = hms.next().unwrap_or("0").parse().ok()?;
        let s: i64 = hms.next().unwrap_or("0").parse().ok()?;
        if h > 23 || mi > 59 || s > 59 {
            return None;
        }
        secs += h * 3600 + mi * 60 + s;
    }
    Some((u64::try_from(secs).ok()?, time.is_none()))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl SearchQuery {
    /// Parses `query`; `now` (seconds) anchors relative dates. The error is the message of
    /// the `InvalidArgumentError` answer.
    pub(crate) fn parse(query: &str, now: u64) -> Result<SearchQuery, String> {
        let query = query.trim();
        if query.is_empty() {
            return Err("The \"query\" parameter is required".into());
        }
        if query.chars().count() > MAX_QUERY_CHARS {
            return Err(format!(
                "The query is too long (at most {MAX_QUERY_CHARS} characters)"
            ));
        }
        let mut kind = Kind::File;
        let mut terms = Vec::new();
        for token in tokens(query)? {
            if token == "AND" {
                continue;
            }
            if matches!(token.as_str(), "OR" | "NOT") || token.starts_with(['(', '-']) {
                return Err(format!(
                    "Unsupported search syntax {token:?}: the emulator supports an AND of terms"
                ));
            }
            let Some((modifier, value)) = token.split_once(':') else {
                terms.push(if is_hash(&token) {
                    Term::Hash(token.to_ascii_lowercase())
                } else {
                    Term::Word(token.to_lowercase())
                });
                continue;
            };
            let bad = |what: &str| format!("Invalid value {value:?} for {modifier}: {what}");
            if value.is_empty() {
                return Err(bad("empty"));
            }
            let term = match modifier.to_ascii_lowercase().as_str() {
                "entity" => {
                    kind = match value {
                        "file" => Kind::File,
                        "url" => Kind::Url,
                        "domain" => Kind::Domain,
                        "ip" | "ip_address" => Kind::IpAddress,
                        other => return Err(format!("Unsupported entity: {other}")),
                    };
                    continue;
                }
                "type" => Term::Type(value.to_ascii_lowercase()),
                "p" | "positives" => {
                    let (n, cmp) = Cmp::split(value);
                    Term::Positives(cmp, n.parse().map_err(|_| bad("not a number"))?)
                }
                "size" => {
                    let (n, cmp) = Cmp::split(value);
                    Term::Size(
                        cmp,
                        parse_size(n).ok_or_else(|| bad("not a size like 10kb"))?,
                    )
                }
                "tag" => Term::Tag(value.to_ascii_lowercase()),
                "name" => Term::Name(value.to_lowercase()),
                "fs" | "ls" => {
                    let field = if modifier.eq_ignore_ascii_case("fs") {
                        DateField::FirstSeen
                    } else {
                        DateField::LastSeen
                    };
                    let (d, cmp) = Cmp::split(value);
                    let (secs, whole_day) = parse_date(d, now).ok_or_else(|| {
                        bad("not a date like 2024-01-31, 2024-01-31T10:00:00 or 7d")
                    })?;
                    if !whole_day && cmp == Cmp::Eq {
                        return Err(bad("a time or relative date needs + or -"));
                    }
                    Term::Date(field, cmp, secs)
                }
                "engines" => Term::Engines(value.to_ascii_lowercase()),
                other => {
                    return Err(format!(
                        "Unsupported search modifier {other:?} (the emulator supports entity, type, p/positives, size, tag, name, fs, ls, engines)"
                    ));
                }
            };
            terms.push(term);
        }
        Ok(SearchQuery { kind, terms })
    }
}

fn attr<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    v.get("attributes")?.get(name)
}

fn attr_u64(v: &Value, name: &str) -> Option<u64> {
    attr(v, name).and_then(Value::as_u64)
}

fn attr_str(v: &Value, name: &str) -> String {
    attr(v, name)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_lowercase()
}

fn attr_list(v: &Value, name: &str) -> Vec<String> {
    attr(v, name)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_lowercase)
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `word` (lowercase) is a word of `text`.
fn has_word(text: &str, word: &str) -> bool {
    let word = word.trim_start_matches('#');
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '_' && c != '-')
        .any(|w| w == word)
}

impl Term {
    /// Whether the object `v` (as stored) satisfies the term; `comments` are the texts of
    /// its comments.
    pub(crate) fn matches(&self, v: &Value, comments: &[&str]) -> bool {
        match self {
            Term::Hash(h) => {
                v.get("id").and_then(Value::as_str) == Some(h.as_str())
                    || ["md5", "sha1", "sha256"]
                        .iter()
                        .any(|k| attr_str(v, k) == *h)
            }
            Term::Type(t) => {
                attr_str(v, "type_tag") == *t
                    || attr_str(v, "type_extension") == *t
                    || attr_list(v, "type_tags").contains(t)
            }
            Term::Positives(cmp, n) => {
                let m = v
                    .pointer("/attributes/last_analysis_stats/malicious")
                    .and_then(Value::as_u64)
                    .unwrap_or(0);
                cmp.holds(m, *n)
            }
            Term::Size(cmp, n) => attr_u64(v, "size").is_some_and(|s| cmp.holds(s, *n)),
            Term::Tag(t) => attr_list(v, "tags").contains(t),
            Term::Name(n) => {
                attr_list(v, "names").iter().any(|x| x.contains(n.as_str()))
                    || attr_str(v, "meaningful_name").contains(n.as_str())
            }
            Term::Date(field, cmp, secs) => {
                let name = match field {
                    DateField::FirstSeen => "first_submission_date",
                    DateField::LastSeen => "last_submission_date",
                };
                let Some(t) = attr_u64(v, name) else {
                    return false;
                };
                match cmp {
                    // A bare date is the whole day.
                    Cmp::Eq => t >= *secs && t < secs + 86_400,
                    Cmp::AtLeast => t >= *secs,
                    Cmp::AtMost => t <= *secs,
                }
            }
            Term::Engines(e) => attr(v, "last_analysis_results")
                .and_then(Value::as_object)
                .is_some_and(|results| {
                    results.values().any(|r| {
                        r.get("result")
                            .and_then(Value::as_str)
                            .is_some_and(|s| s.to_lowercase().contains(e.as_str()))
                    })
                }),
            Term::Word(w) => {
                let id = v.get("id").and_then(Value::as_str).unwrap_or("");
                comments.iter().any(|c| has_word(c, w))
                    || attr_list(v, "names").iter().any(|n| n.contains(w.as_str()))
                    || attr_str(v, "meaningful_name").contains(w.as_str())
                    || attr_str(v, "url").contains(w.as_str())
                    || id.to_lowercase().contains(w.as_str())
            }
        }
    }

    /// Whether the term needs the object's comments.
    pub(crate) fn needs_comments(&self) -> bool {
        matches!(self, Term::Word(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: u64 = 1_750_000_000;

    fn file() -> Value {
        json!({"type": "file", "id": "ab".repeat(32), "attributes": {
            "md5": "cd".repeat(16), "type_tag": "peexe", "type_tags": ["executable", "peexe"],
            "size": 2048, "tags": ["peexe", "signed"], "names": ["Setup.exe", "a.bin"],
            "first_submission_date": 1_700_000_000, "last_submission_date": 1_749_990_000,
            "last_analysis_stats": {"malicious": 12},
            "last_analysis_results": {"E1": {"result": "Trojan.Win32.Agent"}, "E2": {"result": null}}}})
    }

    fn matches(q: &str, comments: &[&str]) -> bool {
        let q = SearchQuery::parse(q, NOW).unwrap();
        q.terms.iter().all(|t| t.matches(&file(), comments))
    }

    #[test]
    fn each_modifier_matches_and_misses() {
        assert!(matches(&"cd".repeat(16), &[]));
        assert!(matches("type:peexe", &[]) && !matches("type:pdf", &[]));
        assert!(matches("p:12 positives:10+ p:12-", &[]) && !matches("p:13+", &[]));
        assert!(matches("size:2kb size:1kb+ size:1mb-", &[]) && !matches("size:3kb+", &[]));
        assert!(matches("tag:signed", &[]) && !matches("tag:pdf", &[]));
        assert!(matches("name:setup", &[]) && !matches("name:other", &[]));
        assert!(matches("fs:2023-11-14 fs:2023-01-01+ ls:1d+", &[]));
        assert!(!matches("fs:2024-01-01+", &[]) && !matches("ls:2h+", &[]));
        assert!(matches("engines:trojan", &[]) && !matches("engines:eicar", &[]));
        assert!(matches("emotet", &["Looks like #emotet to me"]) && !matches("emotet", &[]));
        assert!(matches("type:peexe AND p:5+ tag:signed", &[]));
        assert!(!matches("type:peexe p:50+", &[]), "an AND of terms");
        assert!(matches("name:\"setup.exe\"", &[]));
    }

    #[test]
    fn anything_outside_the_subset_is_an_error() {
        for q in [
            "content:\"abc\"",
            "similar-to:abc",
            "type:peexe OR type:pdf",
            "NOT tag:x",
            "(tag:x)",
            "p:many",
            "size:3parsecs",
            "fs:yesterday",
            "ls:2024-13-01",
            "fs:3d",
            "entity:graph",
            "name:\"open",
            "",
            "tag:",
        ] {
            assert!(SearchQuery::parse(q, NOW).is_err(), "{q:?}");
        }
        assert!(SearchQuery::parse(&"a".repeat(MAX_QUERY_CHARS + 1), NOW).is_err());
        assert_eq!(
            SearchQuery::parse("entity:url", NOW).unwrap().kind,
            Kind::Url
        );
    }

    #[test]
    fn dates_are_utc_days() {
        assert_eq!(parse_date("1970-01-02", NOW), Some((86_400, true)));
        assert_eq!(
            parse_date("2023-11-14T22:13:20", NOW),
            Some((1_700_000_000, false))
        );
        assert_eq!(parse_date("7d", NOW), Some((NOW - 7 * 86_400, false)));
    }
}
