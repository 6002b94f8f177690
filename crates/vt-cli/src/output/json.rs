//! JSON and NDJSON output: one writer for every JSON document `vt` prints.
//!
//! Whatever an object's origin (a report's text as VirusTotal sent it, or a tree built or
//! filtered here), its compact JSON text goes through [`write_document`], which re-indents or
//! compacts it with the library's raw-JSON formatter ([`vt_api::raw_json`]) and frames it
//! (object, streamed array element, NDJSON line). Each document is built in memory and written
//! at once: stdout is line-buffered, and writing line by line costs one system call per line
//! (see `docs/benchmarks.md`).

use std::io::{self, Write};

use vt_api::raw_json::{compact, reindent};

/// How a document is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// A whole pretty document followed by a newline (`--format json`, one item).
    Pretty,
    /// A pretty element of a streamed array: `[` before the first, `,` before the others
    /// (the caller closes the array).
    ArrayElement {
        /// Whether this is the first element.
        first: bool,
    },
    /// One compact line (`--format ndjson`).
    Line,
}

/// Writes `text` (valid JSON) framed as asked, in one write, and flushes.
pub fn write_document(out: &mut dyn Write, text: &[u8], framing: Framing) -> io::Result<()> {
    let mut buf = Vec::with_capacity(text.len() + text.len() / 2 + 8);
    match framing {
        Framing::Pretty => {
            reindent(&mut buf, text, 0);
            buf.push(b'\n');
        }
        Framing::ArrayElement { first } => {
            buf.extend_from_slice(if first { b"[\n  " } else { b",\n  " });
            reindent(&mut buf, text, 1);
        }
        Framing::Line => {
            compact(&mut buf, text);
            buf.push(b'\n');
        }
    }
    out.write_all(&buf)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn a_streamed_array_is_valid_json() {
        let mut buf = Vec::new();
        let a = serde_json::to_vec(&json!({"a": [1, 2]})).unwrap();
        write_document(&mut buf, &a, Framing::ArrayElement { first: true }).unwrap();
        write_document(&mut buf, b"\"x\"", Framing::ArrayElement { first: false }).unwrap();
        buf.extend_from_slice(b"\n]\n");
        let back: Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(back, json!([{"a": [1, 2]}, "x"]));
        assert!(
            String::from_utf8(buf)
                .unwrap()
                .starts_with("[\n  {\n    \"a\": [\n")
        );
    }

    #[test]
    fn pretty_is_serde_jsons_pretty_form() {
        let value = json!({"a": {"b": [1, "two", null]}, "e": {}, "f": []});
        let mut buf = Vec::new();
        let text = serde_json::to_vec(&value).unwrap();
        write_document(&mut buf, &text, Framing::Pretty).unwrap();
        let want = serde_json::to_string_pretty(&value).unwrap() + "\n";
        assert_eq!(String::from_utf8(buf).unwrap(), want);
    }

    #[test]
    fn ndjson_is_one_line_per_value() {
        let mut buf = Vec::new();
        write_document(&mut buf, b"{ \"a\" : \"b\\nc\" }", Framing::Line).unwrap();
        write_document(&mut buf, b"1", Framing::Line).unwrap();
        assert_eq!(String::from_utf8(buf).unwrap(), "{\"a\":\"b\\nc\"}\n1\n");
    }
}
