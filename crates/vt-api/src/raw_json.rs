//! Raw JSON text, handled without building a tree: the one place that scans JSON bytes.
//!
//! [`Files::report_json`](crate::files::Files::report_json) and its siblings hand out a
//! report's `data` object as the text VirusTotal sent ([`RawJson`]), checked by
//! [`data_member`] in one pass (grammar, UTF-8, nesting depth, `data` an object) and never
//! decoded; programs that print or store it re-indent or compact it with [`reindent`] and
//! [`compact`], which copy strings and numbers as received.

/// The deepest nesting `serde_json` decodes (its recursion limit); deeper raw documents are
/// refused so that nobody is handed text the typed decoders cannot read.
pub const MAX_NESTING: usize = 128;

/// The index just past the string starting at `text[start]` (a `"`), escapes included; the
/// end of `text` for an unterminated string.
fn string_end(text: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < text.len() {
        match memchr::memchr2(b'"', b'\\', &text[i..]) {
            Some(k) if text[i + k] == b'\\' => i += k + 2,
            Some(k) => return i + k + 1,
            None => return text.len(),
        }
    }
    text.len()
}

/// A JSON object as received: well-formed JSON (RFC 8259) nested at most [`MAX_NESTING`]
/// levels deep, checked in one pass by [`data_member`], never decoded. What
/// [`report_json`](crate::files::Files::report_json) returns; decode it later with
/// [`RawJson::decode`], print it with [`reindent`] or [`compact`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RawJson(Box<str>);

impl RawJson {
    /// The text, exactly as received.
    pub fn get(&self) -> &str {
        &self.0
    }

    /// The text as a `String`.
    pub fn into_string(self) -> String {
        self.0.into()
    }

    /// Decodes the object into a typed value (e.g. `vt_model::FileReport`), the way the typed
    /// functions do.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        vt_model::decode(self.0.as_bytes())
    }
}

impl std::fmt::Debug for RawJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("RawJson").field(&self.get()).finish()
    }
}

impl std::fmt::Display for RawJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.get())
    }
}

impl serde::Serialize for RawJson {
    /// Serialised as the JSON it holds (not as a string).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw = serde_json::value::RawValue::from_string(self.0.to_string())
            .map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// Why a body cannot give its `data` object: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawJsonError {
    /// The JSON path concerned (`.` for the whole body, `data` for the member).
    pub path: &'static str,
    /// What is wrong.
    pub reason: String,
}

/// The `data` member of an answer body `{"data": {...}, ...}`, in one pass: the whole body is
/// checked to be well-formed JSON (UTF-8, RFC 8259 grammar, no trailing text), nested at most
/// [`MAX_NESTING`] levels deep, and `data` to be present and an object. Nothing is decoded;
/// the object's text is copied once.
pub fn data_member(body: &[u8]) -> Result<RawJson, RawJsonError> {
    let whole = |reason: String| RawJsonError { path: ".", reason };
    let text = std::str::from_utf8(body).map_err(|e| whole(format!("not UTF-8: {e}")))?;
    let mut p = Checker {
        s: body,
        i: 0,
        depth: 0,
    };
    p.ws();
    if p.peek() != Some(b'{') {
        return Err(whole("the answer is not a JSON object".into()));
    }
    let data = p.object(true).map_err(|e| whole(e.at(p.i)))?;
    p.ws();
    if p.i != body.len() {
        return Err(whole(format!("trailing characters at byte {}", p.i)));
    }
    let Some((start, end)) = data else {
        return Err(whole("missing field `data`".into()));
    };
    if body[start] != b'{' {
        return Err(RawJsonError {
            path: "data",
            reason: "`data` is not a JSON object".into(),
        });
    }
    Ok(RawJson(text[start..end].into()))
}

/// A grammar error before it knows its position.
struct Syntax(&'static str);

impl Syntax {
    fn at(self, i: usize) -> String {
        format!("{} at byte {i}", self.0)
    }
}

/// The one-pass checker behind [`data_member`].
struct Checker<'a> {
    s: &'a [u8],
    i: usize,
    depth: usize,
}

impl Checker<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn value(&mut self) -> Result<(), Syntax> {
        match self.peek() {
            Some(b'{') => self.object(false).map(drop),
            Some(b'[') => self.array(),
            Some(b'"') => self.string(),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(Syntax("expected a value")),
            None => Err(Syntax("unexpected end")),
        }
    }

    fn enter(&mut self) -> Result<(), Syntax> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(Syntax("nested more than 128 levels deep"));
        }
        self.i += 1;
        Ok(())
    }

    /// An object; with `find_data`, the byte range of its last `data` member's value.
    fn object(&mut self, find_data: bool) -> Result<Option<(usize, usize)>, Syntax> {
        self.enter()?;
        let mut data = None;
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            self.depth -= 1;
            return Ok(None);
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(Syntax("expected a member name"));
            }
            let key_start = self.i;
            self.string()?;
            let is_data = find_data && &self.s[key_start..self.i] == b"\"data\"";
            self.ws();
            if self.peek() != Some(b':') {
                return Err(Syntax("expected `:`"));
            }
            self.i += 1;
            self.ws();
            let start = self.i;
            self.value()?;
            if is_data {
                data = Some((start, self.i));
            }
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(data);
                }
                _ => return Err(Syntax("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self) -> Result<(), Syntax> {
        self.enter()?;
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            self.ws();
            self.value()?;
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(Syntax("expected `,` or `]`")),
            }
        }
    }

    /// A string (the text is UTF-8 already): no raw control characters, valid escapes.
    fn string(&mut self) -> Result<(), Syntax> {
        self.i += 1;
        loop {
            let rest = &self.s[self.i..];
            let Some(k) = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            else {
                return Err(Syntax("unterminated string"));
            };
            self.i += k;
            match self.s[self.i] {
                b'"' => {
                    self.i += 1;
                    return Ok(());
                }
                b'\\' => match self.s.get(self.i + 1) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.i += 2,
                    Some(b'u') => {
                        let hex = self.s.get(self.i + 2..self.i + 6);
                        if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                            return Err(Syntax("invalid \\u escape"));
                        }
                        self.i += 6;
                    }
                    _ => return Err(Syntax("invalid escape")),
                },
                _ => return Err(Syntax("control character in a string")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<(), Syntax> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(Syntax("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(Syntax("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(Syntax("invalid number"));
            }
        }
        Ok(())
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), Syntax> {
        if self.s[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(Syntax("expected a value"))
        }
    }
}

/// Appends `text` (valid JSON) re-indented the way `serde_json`'s pretty printer writes it
/// (two spaces a level, `"key": value`, `[]` and `{}` for empty containers), starting at
/// nesting `depth`, without parsing it into a tree: strings and numbers are copied as
/// received. Used by `vt` to print reports as VirusTotal sent them (`vt file`, `vt url`, ...).
///
/// Invalid JSON cannot panic it (it only ever copies or drops bytes); callers pass text that
/// `serde_json` validated.
pub fn reindent(out: &mut Vec<u8>, text: &[u8], depth: usize) {
    format_raw(out, text, Some(depth));
}

/// Appends `text` (valid JSON) without insignificant whitespace: one line, as `serde_json`
/// writes compact JSON (for NDJSON lines and `--output` records).
pub fn compact(out: &mut Vec<u8>, text: &[u8]) {
    format_raw(out, text, None);
}

fn newline(out: &mut Vec<u8>, depth: usize) {
    out.push(b'\n');
    out.resize(out.len() + 2 * depth, b' ');
}

/// The byte-level formatter behind [`reindent`] (`Some(depth)`) and [`compact`] (`None`).
fn format_raw(out: &mut Vec<u8>, text: &[u8], pretty: Option<usize>) {
    out.reserve(text.len() + text.len() / 4);
    let mut depth = pretty.unwrap_or(0);
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        match b {
            b'"' => {
                // Copy the whole string, escapes included.
                let end = string_end(text, i);
                out.extend_from_slice(&text[i..end]);
                i = end;
                continue;
            }
            b' ' | b'\n' | b'\r' | b'\t' => {}
            b'{' | b'[' => {
                let close = if b == b'{' { b'}' } else { b']' };
                let next = text[i + 1..]
                    .iter()
                    .position(|c| !matches!(c, b' ' | b'\n' | b'\r' | b'\t'))
                    .map(|k| i + 1 + k);
                match next {
                    Some(j) if text[j] == close => {
                        out.extend_from_slice(&[b, close]);
                        i = j;
                    }
                    _ => {
                        out.push(b);
                        depth += 1;
                        if pretty.is_some() {
                            newline(out, depth);
                        }
                    }
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if pretty.is_some() {
                    newline(out, depth);
                }
                out.push(b);
            }
            b',' => {
                out.push(b',');
                if pretty.is_some() {
                    newline(out, depth);
                }
            }
            b':' => {
                if pretty.is_some() {
                    out.extend_from_slice(b": ");
                } else {
                    out.push(b':');
                }
            }
            _ => out.push(b),
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn data_members_are_found_and_checked() {
        let r =
            data_member(br#" {"data" : {"a": [1, -2.5e+3, "x\u00e9\n"]}, "meta": {}} "#).unwrap();
        assert_eq!(r.get(), r#"{"a": [1, -2.5e+3, "x\u00e9\n"]}"#);
        let err = |body: &str| data_member(body.as_bytes()).unwrap_err().reason;
        assert!(err(r#"{"data": [1]}"#).contains("not a JSON object"));
        assert!(err("{}").contains("missing field `data`"));
        assert!(err("[]").contains("not a JSON object"));
        assert!(err(r#"{"data": {}} x"#).contains("trailing"));
        let deep = format!("{{\"data\":{}1{}}}", "[".repeat(128), "]".repeat(128));
        assert!(err(&deep).contains("128 levels"), "{}", err(&deep));
        let ok = format!(
            "{{\"data\":{{\"a\":{}1{}}}}}",
            "[".repeat(126),
            "]".repeat(126)
        );
        assert!(data_member(ok.as_bytes()).is_ok());
        let hostile = format!("{{\"data\":{}", "[".repeat(100_000));
        assert!(err(&hostile).contains("128 levels"));
    }

    /// The checker accepts exactly what serde_json accepts, on valid and broken documents.
    #[test]
    fn the_checker_agrees_with_serde_json() {
        let mut docs: Vec<String> = vec![
            r#"{"data": {}}"#.into(),
            r#"{"data": {"n": [0, -0, 1.0, 1e5, 1E-5, 0.5e+1, 10]}}"#.into(),
            r#"{"data": {"s": "\" \\ \/ \b \f \n \r \t \u12aB é 😀"}}"#.into(),
            r#"{"data": {"l": [true, false, null, {}, [], [[]]]}}"#.into(),
        ];
        for bad in [
            "{\"data\": {\"n\": 01}}",
            "{\"data\": {\"n\": 1.}}",
            "{\"data\": {\"n\": .5}}",
            "{\"data\": {\"n\": -}}",
            "{\"data\": {\"n\": 1e}}",
            "{\"data\": {\"n\": +1}}",
            "{\"data\": {\"s\": \"a\tb\"}}",
            "{\"data\": {\"s\": \"\\x\"}}",
            "{\"data\": {\"s\": \"\\u12G4\"}}",
            "{\"data\": {\"l\": [1,]}}",
            "{\"data\": {\"l\": [1 2]}}",
            "{\"data\": {,}}",
            "{\"data\": {\"a\" 1}}",
            "{\"data\": {\"a\": tru}}",
            "{\"data\": {\"a\": nul}}",
            "{\"data\": {\"a\": 1}",
            "{\"data\": {\"a\": \"x}}",
            "{\"data\": {}}}",
            "{\"data\": {} \"x\": 1}",
            "",
        ] {
            docs.push(bad.into());
        }
        let corpus = std::env::var_os("VT_FIXTURES_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/vt-json")
            });
        let mut stack = vec![corpus];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "json") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    // Truncated and whole, to exercise both answers.
                    for cut in [text.len() / 3, text.len() / 2, text.len() - 1] {
                        if text.is_char_boundary(cut) {
                            docs.push(text[..cut].to_owned());
                        }
                    }
                    docs.push(text);
                }
            }
        }
        assert!(docs.len() > 100, "the corpus was read: {}", docs.len());
        for doc in &docs {
            #[derive(serde::Deserialize)]
            #[allow(dead_code)]
            struct Envelope {
                data: serde::de::IgnoredAny,
            }
            let serde_ok = serde_json::from_str::<Envelope>(doc).is_ok()
                && doc.trim_start().starts_with('{')
                && serde_json::from_str::<serde_json::Value>(doc)
                    .ok()
                    .is_some_and(|v| v["data"].is_object());
            let ours = data_member(doc.as_bytes());
            assert_eq!(
                ours.is_ok(),
                serde_ok,
                "{:?}: {ours:?}",
                &doc[..doc.len().min(200)]
            );
            if let Ok(raw) = ours {
                let ours: Value = serde_json::from_str(raw.get()).unwrap();
                let theirs: Value = serde_json::from_str::<Value>(doc).unwrap()["data"].clone();
                assert_eq!(ours, theirs);
            }
        }
    }

    /// Documents with every kind of value, odd spacing, escapes and empty containers.
    const SAMPLES: &[&str] = &[
        r#"{"a":1}"#,
        "{\n    \"data\" :  {\"x\": [ 1, 2.5e3 , -0.0, true,false,null ], \"e\": { }, \"f\":[ ] },\r\n\t\"s\": \"q\\\"uo\\\\te\\\\\", \"u\": \"\\u00e9 é , : { [\"}",
        r#"[{"k":"v"},[],{},[[[]]],"",0]"#,
        r#""just a string""#,
        "  42  ",
    ];

    #[test]
    fn reindent_matches_serde_jsons_pretty_printer() {
        for text in SAMPLES {
            let value: Value = serde_json::from_str(text).unwrap();
            let mut out = Vec::new();
            reindent(&mut out, text.as_bytes(), 0);
            let back: Value = serde_json::from_slice(&out).unwrap();
            assert_eq!(back, value, "{text}");
            // Same text as serde_json's pretty printer once strings are in the same form.
            let expected = serde_json::to_string_pretty(&value).unwrap();
            let normalised = serde_json::to_string_pretty(&back).unwrap();
            assert_eq!(normalised, expected);
            if !text.contains('\\') && !text.contains("e3") && !text.contains("-0.0") {
                assert_eq!(String::from_utf8(out).unwrap(), expected, "{text}");
            }
        }
    }

    #[test]
    fn reindent_at_a_depth_indents_every_line_but_the_first() {
        let mut out = Vec::new();
        reindent(&mut out, br#"{"a": [1]}"#, 1);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\n    \"a\": [\n      1\n    ]\n  }"
        );
    }

    #[test]
    fn compact_is_one_line_and_the_same_value() {
        for text in SAMPLES {
            let mut out = Vec::new();
            compact(&mut out, text.as_bytes());
            let line = String::from_utf8(out).unwrap();
            assert!(!line.contains('\n'), "{line}");
            let back: Value = serde_json::from_str(&line).unwrap();
            assert_eq!(back, serde_json::from_str::<Value>(text).unwrap());
        }
        let mut out = Vec::new();
        compact(&mut out, b"{ \"a\" : [ 1 , { } ] }");
        assert_eq!(out, br#"{"a":[1,{}]}"#);
    }

    #[test]
    fn truncated_or_invalid_text_does_not_panic() {
        for text in ["{\"a", "\"\\", "]]]}}", "{[", "\"abc\\\"", ""] {
            let mut out = Vec::new();
            reindent(&mut out, text.as_bytes(), 3);
            compact(&mut out, text.as_bytes());
        }
    }
}
