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
    /// Checked JSON text, as received.
    Text(vt_api::raw_json::RawJson),
}

impl From<Value> for Item {
    fn from(value: Value) -> Item {
        Item::Tree(value)
    }
}

impl From<vt_api::raw_json::RawJson> for Item {
    fn from(text: vt_api::raw_json::RawJson) -> Item {
        Item::Text(text)
    }
}

impl Item {
    /// The item's text, when it is text.
    fn text(&self) -> Option<&[u8]> {
        match self {
            Item::Text(t) => Some(t.get().as_bytes()),
            Item::Tree(_) => None,
        }
    }

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
                vt_api::raw_json::compact(out, t.get().as_bytes());
                Ok(())
            }
        }
    }
}

/// What `-I` prints for an object: its `id`; for an API envelope, `data.id`; for a v2
/// report (no `id`), the `resource` it answers for.
fn identifier(value: &Value) -> Option<String> {
    let id = value
        .get("id")
        .or_else(|| value.get("data").and_then(|d| d.get("id")))
        .or_else(|| value.get("resource"))?;
    Some(match id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// Writes items to stdout (or any writer) in the chosen format.
pub struct Printer {
    opts: OutputOptions,
    shape: Shape,
    out: Box<dyn Write + Send>,
    written: usize,
    buffered: Vec<Value>,
    /// Objects `-I` found no identifier in.
    without_id: usize,
    /// The input the object being printed answers (human format names it).
    input: Option<String>,
    /// Human format as a table of one line per item, the input column this wide.
    table: Option<usize>,
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
            without_id: 0,
            input: None,
            table: None,
        }
    }

    /// Prints one item: the one way into the printer. Text goes out as received when the
    /// format and options allow it (JSON or NDJSON, no `-i/-x`, no `-I`); anything else is
    /// printed as a tree through [`Printer::object`].
    pub fn item(&mut self, item: &Item) -> Result<(), CliError> {
        match item.text() {
            Some(text) if self.prints_text_as_is() => self.json(text).map_err(output_error),
            _ => {
                let tree = item.to_tree().map_err(output_error)?;
                self.object(&tree)
            }
        }
    }

    /// Prints one object given as a tree (what [`Printer::item`] does with a tree).
    pub fn object(&mut self, value: &Value) -> Result<(), CliError> {
        if self.opts.ids_only {
            let Some(id) = identifier(value) else {
                self.without_id += 1;
                return Ok(());
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
        writeln!(self.out, "  {:<13} {age} old (report cache)", "cached")
            .and_then(|()| self.out.flush())
            .map_err(output_error)
    }

    /// Human format prints one line per item (a table, as `gh` does) with the input column
    /// `input_width` wide, instead of a block per item.
    pub fn table(&mut self, input_width: usize) {
        self.table = Some(input_width);
    }

    /// Prints the result of one input of a batch ([`Printer::item`], the input named in
    /// human format).
    pub fn result(&mut self, input: &str, item: &Item) -> Result<(), CliError> {
        self.input = Some(input.to_owned());
        let r = self.item(item);
        self.input = None;
        r
    }

    /// Whether text can be printed without building a tree.
    fn prints_text_as_is(&self) -> bool {
        !self.opts.ids_only
            && self.opts.filter.is_identity()
            && matches!(self.opts.format, Format::Json | Format::Ndjson)
    }

    /// Writes one JSON document (compact or received text) in the JSON formats' framing:
    /// the one JSON writer, for text and trees alike.
    fn json(&mut self, text: &[u8]) -> io::Result<()> {
        let first = self.written == 0;
        self.written += 1;
        let framing = match (self.opts.format, self.shape) {
            (Format::Json, Shape::One) => json::Framing::Pretty,
            (Format::Json, Shape::Many) => json::Framing::ArrayElement { first },
            _ => json::Framing::Line,
        };
        json::write_document(&mut self.out, text, framing)
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
        if matches!(self.opts.format, Format::Json | Format::Ndjson) {
            let text = serde_json::to_vec(value)?;
            return self.json(&text);
        }
        let first = self.written == 0;
        self.written += 1;
        match (self.opts.format, self.shape) {
            (Format::Yaml, Shape::One) => yaml::write_document(&mut self.out, value),
            (Format::Yaml, Shape::Many) => yaml::write_sequence_element(&mut self.out, value),
            (Format::Csv, _) => {
                self.buffered.push(value.clone());
                Ok(())
            }
            // Human (JSON and NDJSON went out above).
            _ => {
                let style = Style {
                    color: self.opts.color,
                };
                let input = self.input.as_deref();
                let text = match (self.table, input) {
                    (Some(width), Some(input)) => human::row(value, input, width, style),
                    _ => {
                        if !first {
                            self.out.write_all(b"\n")?;
                        }
                        human::render(value, input, style)
                    }
                };
                self.out.write_all(text.as_bytes())?;
                self.out.flush()
            }
        }
    }

    /// Ends output that an error cut short: closes what was started, but prints nothing (no
    /// `[]`) when nothing was, so stdout never holds an empty answer before the error.
    pub fn finish_after_error(&mut self) -> Result<(), CliError> {
        if self.written == 0 && self.buffered.is_empty() {
            return self.out.flush().map_err(output_error);
        }
        self.finish()
    }

    /// Closes arrays, writes buffered tables; call once at the end. Warns (once) about an
    /// `--include` that matched nothing anywhere and about objects `-I` found no id in.
    pub fn finish(&mut self) -> Result<(), CliError> {
        for glob in self.opts.filter.unmatched() {
            let _ = writeln!(
                io::stderr(),
                "vt: warning: --include {glob:?} matched no field of any object"
            );
        }
        if self.without_id > 0 {
            let _ = writeln!(
                io::stderr(),
                "vt: warning: -I: {} object(s) without an id; use --format json to see them",
                self.without_id
            );
        }
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
