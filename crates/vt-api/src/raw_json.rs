//! Raw JSON text, handled without building a tree: the one place that scans JSON bytes.
//!
//! [`Files::report_json`](crate::files::Files::report_json) and its siblings hand out a
//! report's `data` object as the text VirusTotal sent (validated by `serde_json`, checked
//! here for its nesting depth); programs that print or store it re-indent or compact it with
//! [`reindent`] and [`compact`], which copy strings and numbers as received. One string
//! scanner serves all three.

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

/// How deeply objects and arrays nest in `text` (valid JSON): strings are skipped whole.
/// Invalid or truncated text cannot panic it.
pub fn nesting_depth(text: &[u8]) -> usize {
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while i < text.len() {
        match text[i] {
            b'"' => {
                i = string_end(text, i);
                continue;
            }
            b'{' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    deepest
}

/// Why a raw `data` member (valid JSON) cannot be handed out as an object: not an object, or
/// nested more than [`MAX_NESTING`] levels.
pub fn check_object(text: &str) -> Result<(), &'static str> {
    if !text.trim_start().starts_with('{') {
        Err("`data` is not a JSON object")
    } else if nesting_depth(text.as_bytes()) > MAX_NESTING {
        Err("`data` is nested more than 128 levels deep")
    } else {
        Ok(())
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
    fn nesting_depth_skips_strings_and_escapes() {
        assert_eq!(nesting_depth(br#"{}"#), 1);
        assert_eq!(nesting_depth(br#"{"a": [1, {"b": []}], "c": {}}"#), 4);
        assert_eq!(nesting_depth(br#"{"s": "[[[{{{\"]]]", "t": "\\"}"#), 1);
        assert_eq!(nesting_depth(br#"[[[[]]]]"#), 4);
        // Truncated input does not panic.
        assert_eq!(nesting_depth(br#"{"a": "\"#), 1);
        assert_eq!(nesting_depth(b"\""), 0);
    }

    #[test]
    fn only_objects_within_the_depth_limit_pass() {
        assert!(check_object(r#" {"a": 1}"#).is_ok());
        assert!(check_object("[1]").is_err());
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(128), "]".repeat(128));
        assert!(check_object(&deep).is_err());
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
