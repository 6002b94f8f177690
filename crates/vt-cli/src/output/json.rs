//! JSON and NDJSON writers.

use std::io::{self, Write};

use serde_json::Value;

/// Pretty JSON of one value, followed by a newline.
///
/// The text is built in memory and written at once: stdout is line-buffered, so writing
/// token by token cost one `write` system call per line of output.
pub fn write_pretty(out: &mut dyn Write, value: &Value) -> io::Result<()> {
    let mut text = serde_json::to_vec_pretty(value)?;
    text.push(b'\n');
    out.write_all(&text)
}

/// One element of a streamed pretty array (`[` and `]` are written by the caller).
///
/// The element is indented in memory and written at once (one `write` system call instead of
/// one per line: a profile of `vt file -` over 2,000 reports showed 18% of its CPU in
/// line-by-line writes to the line-buffered stdout).
pub fn write_array_element(out: &mut dyn Write, value: &Value, first: bool) -> io::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    let mut buf = Vec::with_capacity(text.len() + text.len() / 8 + 4);
    if !first {
        buf.extend_from_slice(b",\n");
    }
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            buf.push(b'\n');
        }
        buf.extend_from_slice(b"  ");
        buf.extend_from_slice(line.as_bytes());
    }
    out.write_all(&buf)
}

/// One NDJSON line, flushed.
pub fn write_line(out: &mut dyn Write, value: &Value) -> io::Result<()> {
    let mut line = serde_json::to_vec(value)?;
    line.push(b'\n');
    out.write_all(&line)?;
    out.flush()
}

/// Appends `text` (valid JSON) re-indented the way `serde_json`'s pretty printer writes it
/// (two spaces a level, `"key": value`, `[]` and `{}` for empty containers), starting at
/// nesting `depth`, without parsing it into a tree: strings and numbers are copied as
/// received. Used for reports printed as VirusTotal sent them (`vt file`, `vt url`, ...).
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
                let start = i;
                i += 1;
                while i < text.len() {
                    match memchr::memchr2(b'"', b'\\', &text[i..]) {
                        Some(k) if text[i + k] == b'\\' => i += k + 2,
                        Some(k) => {
                            i += k + 1;
                            break;
                        }
                        None => i = text.len(),
                    }
                }
                let end = i.min(text.len());
                out.extend_from_slice(&text[start..end]);
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
    use serde_json::json;

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

    #[test]
    fn a_streamed_array_is_valid_json() {
        let mut buf = Vec::new();
        buf.extend_from_slice(b"[\n");
        write_array_element(&mut buf, &json!({"a": [1, 2]}), true).unwrap();
        write_array_element(&mut buf, &json!("x"), false).unwrap();
        buf.extend_from_slice(b"\n]\n");
        let back: Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(back, json!([{"a": [1, 2]}, "x"]));
    }

    #[test]
    fn ndjson_is_one_line_per_value() {
        let mut buf = Vec::new();
        write_line(&mut buf, &json!({"a": "b\nc"})).unwrap();
        write_line(&mut buf, &json!(1)).unwrap();
        assert_eq!(String::from_utf8(buf).unwrap(), "{\"a\":\"b\\nc\"}\n1\n");
    }
}
