//! Output: every format over `serde_json::Value`, written as items become ready.
//!
//! - `json`: one item → the object; several → an array in input order (streamed).
//! - `ndjson`: one line per object, flushed as soon as it is ready.
//! - `yaml`: one item → a mapping; several → a sequence (streamed).
//! - `csv`: flattened dotted columns (buffered: the header is the union of all rows).
//! - `human`: a compact summary per object.
//!
//! A failed item is written in VirusTotal's per-item error form
//! `{"type": KIND, "id": INPUT, "error": {"code": ..., "message": ...}}` (except in `human`
//! and `-I`, where it goes to stderr only) and is always reported on stderr in one line.

pub mod csv;
pub mod fields;
pub mod human;
pub mod json;
pub mod yaml;

use std::io::{self, IsTerminal, Write};

use serde_json::{Value, json};

use crate::cli::Format;
use crate::exit::{CliError, Exit};
use fields::FieldFilter;
use human::Style;

/// How objects are printed.
#[derive(Debug, Clone)]
pub struct OutputOptions {
    /// The format.
    pub format: Format,
    /// `--include` / `--exclude`.
    pub filter: FieldFilter,
    /// `-I`: ids only.
    pub ids_only: bool,
    /// ANSI colours in `human`.
    pub color: bool,
}

impl OutputOptions {
    /// Options for stdout: colour only on a terminal without `NO_COLOR`.
    pub fn new(format: Format, filter: FieldFilter, ids_only: bool) -> OutputOptions {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = format == Format::Human && io::stdout().is_terminal() && !no_color;
        OutputOptions {
            format,
            filter,
            ids_only,
            color,
        }
    }
}

/// Whether the command prints one object or a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Exactly one item: printed as the object itself.
    One,
    /// Any number of items: printed as an array / sequence / lines.
    Many,
}

/// The per-item error object VirusTotal uses in lists.
pub fn error_object(kind: &str, input: &str, code: &str, message: &str) -> Value {
    json!({"type": kind, "id": input, "error": {"code": code, "message": message}})
}

/// One result to print: a JSON tree, or an object's JSON text as the API sent it.
///
/// Text is printed without building a tree when nothing needs one (`json` or `ndjson`, no
/// `-i/-x`, no `-I`): re-indented or compacted byte by byte. Bulk lookups spent most of their
/// CPU decoding reports into a tree and encoding them again (`docs/benchmarks.md`, row 1).
#[derive(Debug)]
pub enum Item {
    /// A tree.
    Tree(Value),
    /// Validated JSON text.
    Text(Box<serde_json::value::RawValue>),
}

impl From<Value> for Item {
    fn from(value: Value) -> Item {
        Item::Tree(value)
    }
}

impl From<Box<serde_json::value::RawValue>> for Item {
    fn from(text: Box<serde_json::value::RawValue>) -> Item {
        Item::Text(text)
    }
}

impl Item {
    /// The item as a tree (parsing text; it was validated when received).
    pub fn to_tree(&self) -> io::Result<std::borrow::Cow<'_, Value>> {
        match self {
            Item::Tree(v) => Ok(std::borrow::Cow::Borrowed(v)),
            Item::Text(t) => serde_json::from_str(t.get())
                .map(std::borrow::Cow::Owned)
                .map_err(io::Error::other),
        }
    }

    /// Appends the item as one line of compact JSON (no newline).
    pub fn write_compact(&self, out: &mut Vec<u8>) -> io::Result<()> {
        match self {
            Item::Tree(v) => serde_json::to_writer(out, v).map_err(io::Error::other),
            Item::Text(t) => {
                json::compact(out, t.get().as_bytes());
                Ok(())
            }
        }
    }
}

/// Writes items to stdout (or any writer) in the chosen format.
pub struct Printer {
    opts: OutputOptions,
    shape: Shape,
    out: Box<dyn Write + Send>,
    written: usize,
    buffered: Vec<Value>,
}

impl Printer {
    /// A printer on stdout.
    pub fn stdout(opts: OutputOptions, shape: Shape) -> Printer {
        Printer::new(opts, shape, Box::new(io::stdout()))
    }

    /// A printer on any writer.
    pub fn new(opts: OutputOptions, shape: Shape, out: Box<dyn Write + Send>) -> Printer {
        Printer {
            opts,
            shape,
            out,
            written: 0,
            buffered: Vec::new(),
        }
    }

    /// Prints one object.
    pub fn object(&mut self, value: &Value) -> Result<(), CliError> {
        if self.opts.ids_only {
            let id = match value.get("id") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => return Ok(()),
            };
            return writeln!(self.out, "{id}").map_err(output_error);
        }
        if self.opts.filter.is_identity() {
            // No -i/-x: print the object as it is, without a deep copy.
            return self.emit(value).map_err(output_error);
        }
        let value = self.opts.filter.apply(value);
        self.emit(&value).map_err(output_error)
    }

    /// In the human format, says that the item just printed came from the local report
    /// cache and how old it is (other formats print the object alone, byte for byte).
    pub fn cache_note(&mut self, cache: &vt_api::cache::CacheUse) -> Result<(), CliError> {
        if self.opts.format != Format::Human || self.opts.ids_only || !cache.all_cached() {
            return Ok(());
        }
        let age = vt_api::cache::describe_age(cache.oldest.unwrap_or_default());
        writeln!(self.out, "  {:<13} {age} old (local cache)", "cached")
            .and_then(|()| self.out.flush())
            .map_err(output_error)
    }

    /// Prints one item: text goes out as received when the format and options allow it,
    /// anything else through [`Printer::object`].
    pub fn item(&mut self, item: &Item) -> Result<(), CliError> {
        let Item::Text(text) = item else {
            return item
                .to_tree()
                .map_err(output_error)
                .and_then(|v| self.object(&v));
        };
        let raw_ok = !self.opts.ids_only
            && self.opts.filter.is_identity()
            && matches!(self.opts.format, Format::Json | Format::Ndjson);
        if !raw_ok {
            let value = item.to_tree().map_err(output_error)?;
            return self.object(&value);
        }
        let first = self.written == 0;
        self.written += 1;
        let text = text.get().as_bytes();
        let mut buf = Vec::with_capacity(text.len() + text.len() / 2 + 8);
        match (self.opts.format, self.shape) {
            (Format::Json, Shape::One) => {
                json::reindent(&mut buf, text, 0);
                buf.push(b'\n');
            }
            (Format::Json, Shape::Many) => {
                buf.extend_from_slice(if first { b"[\n  " } else { b",\n  " });
                json::reindent(&mut buf, text, 1);
            }
            _ => {
                json::compact(&mut buf, text);
                buf.push(b'\n');
            }
        }
        self.out
            .write_all(&buf)
            .and_then(|()| self.out.flush())
            .map_err(output_error)
    }

    /// Prints a failed item in VirusTotal's per-item error form and reports it on stderr.
    pub fn failure(
        &mut self,
        kind: &str,
        input: &str,
        code: &str,
        message: &str,
    ) -> Result<(), CliError> {
        report_failure(kind, input, code, message);
        if self.opts.ids_only || self.opts.format == Format::Human {
            return Ok(());
        }
        self.emit(&error_object(kind, input, code, message))
            .map_err(output_error)
    }

    fn emit(&mut self, value: &Value) -> io::Result<()> {
        let first = self.written == 0;
        self.written += 1;
        match (self.opts.format, self.shape) {
            (Format::Json, Shape::One) => json::write_pretty(&mut self.out, value),
            (Format::Json, Shape::Many) => {
                if first {
                    self.out.write_all(b"[\n")?;
                }
                json::write_array_element(&mut self.out, value, first)?;
                self.out.flush()
            }
            (Format::Ndjson, _) => json::write_line(&mut self.out, value),
            (Format::Yaml, Shape::One) => yaml::write_document(&mut self.out, value),
            (Format::Yaml, Shape::Many) => yaml::write_sequence_element(&mut self.out, value),
            (Format::Csv, _) => {
                self.buffered.push(value.clone());
                Ok(())
            }
            (Format::Human, _) => {
                if !first {
                    self.out.write_all(b"\n")?;
                }
                let text = human::render(
                    value,
                    Style {
                        color: self.opts.color,
                    },
                );
                self.out.write_all(text.as_bytes())?;
                self.out.flush()
            }
        }
    }

    /// Closes arrays, writes buffered tables; call once at the end.
    pub fn finish(&mut self) -> Result<(), CliError> {
        let r = (|| -> io::Result<()> {
            if self.opts.ids_only {
                return self.out.flush();
            }
            match (self.opts.format, self.shape) {
                (Format::Json, Shape::Many) => {
                    if self.written == 0 {
                        self.out.write_all(b"[]\n")?;
                    } else {
                        self.out.write_all(b"\n]\n")?;
                    }
                }
                (Format::Yaml, Shape::Many) if self.written == 0 => self.out.write_all(b"[]\n")?,
                (Format::Csv, _) => {
                    let rows = std::mem::take(&mut self.buffered);
                    if !rows.is_empty() {
                        csv::write_table(&mut self.out, &rows)?;
                    }
                }
                _ => {}
            }
            self.out.flush()
        })();
        r.map_err(output_error)
    }
}

/// One line on stderr naming a failed item.
pub fn report_failure(kind: &str, input: &str, code: &str, message: &str) {
    let message = crate::logging::scrub(message).replace(['\n', '\r'], " ");
    let _ = writeln!(io::stderr(), "vt: {kind} {input}: {code}: {message}");
}

/// Maps a write error on stdout: a closed pipe (`vt ... | head`) ends quietly.
pub fn output_error(e: io::Error) -> CliError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        CliError::new(Exit::Ok, "")
    } else {
        CliError::new(Exit::ItemsFailed, format!("writing output: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn run(format: Format, shape: Shape, items: &[Value], fail: bool) -> String {
        let buf = Shared::default();
        let opts = OutputOptions {
            format,
            filter: FieldFilter::default(),
            ids_only: false,
            color: false,
        };
        let mut p = Printer::new(opts, shape, Box::new(buf.clone()));
        for i in items {
            p.object(i).unwrap();
        }
        if fail {
            p.failure("file", "deadbeef", "NotFoundError", "not found")
                .unwrap();
        }
        p.finish().unwrap();
        String::from_utf8(buf.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn json_one_is_the_object_and_many_is_an_array_in_order() {
        let a = json!({"type": "file", "id": "a"});
        let b = json!({"type": "file", "id": "b"});
        let one: Value = serde_json::from_str(&run(
            Format::Json,
            Shape::One,
            std::slice::from_ref(&a),
            false,
        ))
        .unwrap();
        assert_eq!(one, a);
        let many: Value = serde_json::from_str(&run(
            Format::Json,
            Shape::Many,
            &[a.clone(), b.clone()],
            true,
        ))
        .unwrap();
        assert_eq!(
            many,
            json!([a, b, {"type": "file", "id": "deadbeef", "error": {"code": "NotFoundError", "message": "not found"}}])
        );
        assert_eq!(run(Format::Json, Shape::Many, &[], false), "[]\n");
    }

    #[test]
    fn ndjson_yaml_and_csv() {
        let a = json!({"type": "file", "id": "a", "attributes": {"size": 1}});
        let nd = run(Format::Ndjson, Shape::Many, std::slice::from_ref(&a), true);
        assert_eq!(nd.lines().count(), 2);
        let y: Value = serde_norway::from_str(&run(
            Format::Yaml,
            Shape::Many,
            std::slice::from_ref(&a),
            true,
        ))
        .unwrap();
        assert_eq!(y.as_array().unwrap().len(), 2);
        let c = run(Format::Csv, Shape::Many, &[a], true);
        assert!(
            c.starts_with("type,id,attributes.size,error.code,error.message\n"),
            "{c}"
        );
    }

    #[test]
    fn human_leaves_failures_to_stderr() {
        let out = run(
            Format::Human,
            Shape::Many,
            &[json!({"type": "domain", "id": "x.com", "attributes": {}})],
            true,
        );
        assert_eq!(out, "domain x.com\n");
    }
}
