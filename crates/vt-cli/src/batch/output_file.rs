//! The `--output` file: NDJSON records keyed by input, appended and flushed one by one, and
//! what `--resume` finds in it.

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::exit::{CliError, CliResult, Exit};
use crate::output::Item;

/// Opens an NDJSON file for appending (created when missing). With `resume` and an existing
/// file, first cuts off a torn last line (a killed run's: its input runs again) and returns
/// the complete lines the file holds; otherwise no lines.
pub fn open_appending(path: &Path, resume: bool) -> CliResult<(File, Vec<u8>)> {
    let fail = |e: io::Error| CliError::usage(format!("output file {}: {e}", path.display()));
    let mut complete_lines = Vec::new();
    if resume && path.exists() {
        let mut f = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(fail)?;
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).map_err(fail)?;
        let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        if complete < bytes.len() {
            f.set_len(complete as u64).map_err(fail)?;
            f.seek(SeekFrom::End(0)).map_err(fail)?;
        }
        bytes.truncate(complete);
        complete_lines = bytes;
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(fail)?;
    Ok((file, complete_lines))
}

/// The `--output` file: appended NDJSON records keyed by input.
pub struct OutputFile {
    path: PathBuf,
    file: File,
}

impl OutputFile {
    /// Opens FILE for appending; with `resume`, also returns what it already holds (after
    /// cutting off a torn last line).
    pub fn open(path: &Path, resume: bool) -> CliResult<(OutputFile, Resumed)> {
        let (file, complete) = open_appending(path, resume)?;
        let mut resumed = Resumed::default();
        for line in complete.split(|&b| b == b'\n') {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if let Ok(v) = serde_json::from_slice::<Value>(line)
                && let Some(input) = v.get("input").and_then(Value::as_str)
            {
                if v.get("data").is_some() {
                    resumed.pending.remove(input);
                    resumed.done.insert(input.to_owned());
                } else if let Some(pending) = v.get("pending")
                    && !resumed.done.contains(input)
                {
                    resumed.pending.insert(input.to_owned(), pending.clone());
                }
            }
        }
        Ok((
            OutputFile {
                path: path.to_owned(),
                file,
            },
            resumed,
        ))
    }

    /// Appends one record, `{"input": ..., "data": ...}` on one line, and flushes it to the OS.
    pub fn record(&mut self, input: &str, data: &Item) -> CliResult<()> {
        let mut body = Vec::new();
        data.write_compact(&mut body).map_err(|e| self.error(e))?;
        self.append(input, "data", &body)
    }

    /// Appends `{"input": ..., "pending": ...}`: an item under way that a resume picks up.
    pub fn record_pending(&mut self, input: &str, pending: &Value) -> CliResult<()> {
        let body = serde_json::to_vec(pending).map_err(|e| self.error(io::Error::other(e)))?;
        self.append(input, "pending", &body)
    }

    fn append(&mut self, input: &str, key: &str, body: &[u8]) -> CliResult<()> {
        let mut line = b"{\"input\":".to_vec();
        serde_json::to_writer(&mut line, input).map_err(|e| self.error(io::Error::other(e)))?;
        line.extend_from_slice(format!(",\"{key}\":").as_bytes());
        line.extend_from_slice(body);
        line.extend_from_slice(b"}\n");
        self.file
            .write_all(&line)
            .and_then(|()| self.file.flush())
            .map_err(|e| self.error(e))
    }

    fn error(&self, e: io::Error) -> CliError {
        CliError::new(
            Exit::ItemsFailed,
            format!("output file {}: {e}", self.path.display()),
        )
    }
}

/// What `--resume` found in the output file.
#[derive(Debug, Default)]
pub struct Resumed {
    /// Inputs with a final result: skipped.
    pub done: HashSet<String>,
    /// Inputs left under way by an earlier run, with what it recorded (an analysis id, ...).
    pub pending: HashMap<String, Value>,
}

impl Resumed {
    /// The items not yet done, saying on stderr (unless `quiet`) how many were and how many
    /// are picked up where an earlier run left them.
    pub fn skip_done<T>(
        &self,
        items: Vec<(String, T)>,
        path: &Path,
        quiet: bool,
    ) -> Vec<(String, T)> {
        let before = items.len();
        let items: Vec<(String, T)> = items
            .into_iter()
            .filter(|(input, _)| !self.done.contains(input))
            .collect();
        let skipped = before - items.len();
        let waiting = items
            .iter()
            .filter(|(input, _)| self.pending.contains_key(input))
            .count();
        if (skipped > 0 || waiting > 0) && !quiet {
            let mut line = format!(
                "vt: resuming: {skipped} of {before} inputs already in {}",
                path.display()
            );
            if waiting > 0 {
                line.push_str(&format!("; {waiting} under way, picked up where they were"));
            }
            let _ = writeln!(io::stderr(), "{line}");
        }
        items
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resume_reads_inputs_and_cuts_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.ndjson");
        std::fs::write(
            &path,
            "{\"input\":\"a\",\"data\":{}}\n{\"input\":\"b\",\"data\":{}}\n{\"input\":\"c\",\"da",
        )
        .unwrap();
        let (mut file, found) = OutputFile::open(&path, true).unwrap();
        assert_eq!(found.done, HashSet::from(["a".to_owned(), "b".to_owned()]));
        file.record("c", &Item::Tree(json!({"id": "c"}))).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3);
        for line in text.lines() {
            serde_json::from_str::<Value>(line).unwrap();
        }
    }

    #[test]
    fn resume_hands_back_pending_records_until_a_result_arrives() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.ndjson");
        std::fs::write(
            &path,
            concat!(
                "{\"input\":\"a\",\"pending\":{\"analysis\":\"x\"}}\n",
                "{\"input\":\"b\",\"pending\":{\"analysis\":\"y\"}}\n",
                "{\"input\":\"a\",\"data\":{}}\n",
            ),
        )
        .unwrap();
        let (_, found) = OutputFile::open(&path, true).unwrap();
        assert_eq!(found.done, HashSet::from(["a".to_owned()]));
        assert_eq!(found.pending.len(), 1);
        assert_eq!(found.pending["b"], json!({"analysis": "y"}));
    }
}
