//! Batches that never lose work.
//!
//! Inputs come from the arguments or from stdin (`-`, one per line, trimmed, blank lines
//! skipped), are de-duplicated in order and validated all up front: one bad input stops the
//! command with exit 2 before any request is sent. They then run `--concurrency` at a time (the
//! rate limiter lives in the client) and are printed in input order as soon as each is ready.
//!
//! `--output FILE` appends one NDJSON line per input, flushed:
//! `{"input": INPUT, "data": OBJECT}` (or `"data"` in VirusTotal's per-item error form).
//! `--resume` skips inputs already in FILE; a torn last line (a killed run) is cut off first.
//! Results that say nothing about the item (quota, auth, network) are never written, so a
//! resumed run retries them.
//!
//! When the quota runs out (or the key is refused, or the network is down) the batch stops
//! cleanly: what is done stays done, and stderr says how many inputs remain and how to resume.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::future::Future;
use std::io::{self, BufRead, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use serde_json::Value;

use crate::cli::BatchArgs;
use crate::exit::{CliError, CliResult, Exit};
use crate::output::{Item, Printer, error_object, report_failure};
use crate::progress::Progress;

/// Why one item of a batch failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemError {
    /// The API answered with an error about this item (not found, already exists, ...).
    Api {
        /// VirusTotal's error code.
        code: String,
        /// Its message.
        message: String,
    },
    /// The key was refused: every other item would fail too.
    Auth {
        /// VirusTotal's error code.
        code: String,
        /// Its message.
        message: String,
    },
    /// The quota is spent.
    Quota {
        /// VirusTotal's error code.
        code: String,
        /// Its message.
        message: String,
    },
    /// The network or the transport failed (after retries).
    Transport {
        /// What happened.
        message: String,
    },
    /// A local problem with this item found while running (a file vanished, ...).
    Local {
        /// What happened.
        message: String,
    },
}

impl ItemError {
    /// The code shown in the per-item error form.
    pub fn code(&self) -> &str {
        match self {
            ItemError::Api { code, .. }
            | ItemError::Auth { code, .. }
            | ItemError::Quota { code, .. } => code,
            ItemError::Transport { .. } => "TransportError",
            ItemError::Local { .. } => "InvalidInputError",
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        match self {
            ItemError::Api { message, .. }
            | ItemError::Auth { message, .. }
            | ItemError::Quota { message, .. }
            | ItemError::Transport { message }
            | ItemError::Local { message } => message,
        }
    }

    /// The exit code that stops the batch, if this error does.
    pub fn stops_batch(&self) -> Option<Exit> {
        match self {
            ItemError::Auth { .. } => Some(Exit::Auth),
            ItemError::Quota { .. } => Some(Exit::Quota),
            ItemError::Transport { .. } => Some(Exit::Transport),
            ItemError::Api { .. } | ItemError::Local { .. } => None,
        }
    }

    /// The error that ends a single (non-batch) command.
    pub fn into_cli_error(self, what: &str) -> CliError {
        let exit = self.stops_batch().unwrap_or(Exit::ItemsFailed);
        let message = match &self {
            ItemError::Transport { message } | ItemError::Local { message } => {
                format!("{what}: {message}")
            }
            other => format!("{what}: {}: {}", other.code(), other.message()),
        };
        let mut err = CliError::new(exit, message);
        if exit == Exit::Quota {
            err = err.with_detail("the quota window resets later (daily quotas at 00:00 UTC)");
        }
        err
    }
}

/// Reads the inputs: the arguments, with `-` replaced by stdin's lines; trimmed, blank lines
/// dropped, de-duplicated keeping the first occurrence.
pub fn collect_inputs(args: &[String]) -> CliResult<Vec<String>> {
    let mut raw = Vec::new();
    let mut stdin_read = false;
    for arg in args {
        if arg == "-" {
            if stdin_read {
                continue;
            }
            stdin_read = true;
            for line in io::stdin().lock().lines() {
                let line = line.map_err(|e| CliError::usage(format!("reading stdin: {e}")))?;
                raw.push(line);
            }
        } else {
            raw.push(arg.clone());
        }
    }
    let inputs = dedupe(raw);
    if inputs.is_empty() {
        return Err(CliError::usage(
            "no input given (arguments or `-` with one item per line on stdin)",
        ));
    }
    Ok(inputs)
}

/// Trims, drops blanks and duplicates, keeps order.
pub fn dedupe(raw: Vec<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    raw.into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty() && seen.insert(s.clone()))
        .collect()
}

/// Validates every input before anything is sent; reports every bad one (one line each, the
/// check's message names the input) and fails with exit 2 when there is any.
pub fn validate_all<T>(
    _what: &str,
    inputs: Vec<String>,
    mut check: impl FnMut(&str) -> Result<T, String>,
) -> CliResult<Vec<(String, T)>> {
    let mut good = Vec::with_capacity(inputs.len());
    let mut bad = Vec::new();
    for input in inputs {
        match check(&input) {
            Ok(t) => good.push((input, t)),
            Err(why) => bad.push(why),
        }
    }
    match bad.len() {
        0 => Ok(good),
        1 => Err(CliError::usage(bad.remove(0)).with_detail("nothing was sent")),
        n => {
            let mut stderr = io::stderr();
            for line in &bad[1..] {
                let _ = writeln!(stderr, "vt: {line}");
            }
            Err(CliError::usage(format!(
                "{} (and {} more invalid inputs; nothing was sent)",
                bad[0],
                n - 1
            )))
        }
    }
}

/// The `--output` file: appended NDJSON records keyed by input.
pub struct OutputFile {
    path: PathBuf,
    file: File,
}

impl OutputFile {
    /// Opens FILE for appending; with `resume`, also returns the inputs already in it after
    /// cutting off a torn last line.
    pub fn open(path: &Path, resume: bool) -> CliResult<(OutputFile, HashSet<String>)> {
        let fail = |e: io::Error| CliError::usage(format!("output file {}: {e}", path.display()));
        let mut done = HashSet::new();
        if resume && path.exists() {
            let mut f = OpenOptions::new()
                .read(true)
                .write(true)
                .open(path)
                .map_err(fail)?;
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).map_err(fail)?;
            let complete = match bytes.iter().rposition(|&b| b == b'\n') {
                Some(i) => i + 1,
                None => 0,
            };
            if complete < bytes.len() {
                // A killed run left half a line: drop it, its input runs again.
                f.set_len(complete as u64).map_err(fail)?;
                f.seek(SeekFrom::End(0)).map_err(fail)?;
            }
            for line in bytes[..complete].split(|&b| b == b'\n') {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                if let Ok(v) = serde_json::from_slice::<Value>(line)
                    && let Some(input) = v.get("input").and_then(Value::as_str)
                {
                    done.insert(input.to_owned());
                }
            }
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(fail)?;
        Ok((
            OutputFile {
                path: path.to_owned(),
                file,
            },
            done,
        ))
    }

    /// Appends one record, `{"input": ..., "data": ...}` on one line, and flushes it to the OS.
    pub fn record(&mut self, input: &str, data: &Item) -> CliResult<()> {
        let encode =
            |e: io::Error| CliError::new(Exit::ItemsFailed, format!("encoding a result: {e}"));
        let mut line = b"{\"input\":".to_vec();
        serde_json::to_writer(&mut line, input).map_err(|e| encode(io::Error::other(e)))?;
        line.extend_from_slice(b",\"data\":");
        data.write_compact(&mut line).map_err(encode)?;
        line.extend_from_slice(b"}\n");
        self.file
            .write_all(&line)
            .and_then(|()| self.file.flush())
            .map_err(|e| {
                CliError::new(
                    Exit::ItemsFailed,
                    format!("output file {}: {e}", self.path.display()),
                )
            })
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// What a batch needs besides its items.
pub struct BatchSettings<'a> {
    /// The object type, for error forms (`file`, `url`, ...).
    pub kind: &'a str,
    /// `--output` / `--resume`.
    pub args: &'a BatchArgs,
    /// Requests in flight.
    pub concurrency: usize,
    /// Progress on stderr.
    pub progress: Progress,
    /// No summaries.
    pub quiet: bool,
    /// The command line to suggest for resuming (without `--resume`).
    pub resume_hint: String,
}

/// Runs a batch: `op` on each item, `concurrency` at a time, results printed in input order.
pub async fn run<T, I, F, Fut>(
    items: Vec<(String, T)>,
    printer: &mut Printer,
    settings: BatchSettings<'_>,
    op: F,
) -> CliResult<Exit>
where
    F: Fn(String, T) -> Fut,
    Fut: Future<Output = Result<I, ItemError>>,
    I: Into<Item>,
{
    let kind = settings.kind;
    let mut output = None;
    let mut items = items;
    let total_inputs = items.len();
    if let Some(path) = &settings.args.output {
        let (file, done) = OutputFile::open(path, settings.args.resume)?;
        let before = items.len();
        items.retain(|(input, _)| !done.contains(input));
        let skipped = before - items.len();
        if skipped > 0 && !settings.quiet {
            let _ = writeln!(
                io::stderr(),
                "vt: resuming: {skipped} of {before} inputs already in {}",
                path.display()
            );
        }
        output = Some(file);
    }
    let todo = items.len();
    let bar = settings.progress.bar(todo as u64, kind);
    let mut results = futures_util::stream::iter(items)
        .map(|(input, t)| {
            let fut = vt_api::cache::observe(op(input.clone(), t));
            async move {
                let (result, cache) = fut.await;
                (input, result, cache)
            }
        })
        .buffered(settings.concurrency.max(1));

    let (mut ok, mut failed, mut finished) = (0usize, 0usize, 0usize);
    // (exit code, what happened) when the batch stops early.
    let mut stop: Option<(Exit, String)> = None;
    let mut interrupt = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        let next = tokio::select! {
            biased;
            _ = &mut interrupt => {
                stop = Some((Exit::Interrupted, "interrupted".to_owned()));
                break;
            }
            next = results.next() => next,
        };
        let Some((input, result, cache)) = next else {
            break;
        };
        match result {
            Ok(value) => {
                let item: Item = value.into();
                match output.as_mut() {
                    Some(file) => file.record(&input, &item)?,
                    None => bar.suspend(|| {
                        printer.item(&item)?;
                        printer.cache_note(&cache)
                    })?,
                }
                ok += 1;
            }
            Err(err) => {
                if let Some(exit) = err.stops_batch() {
                    let why = match &err {
                        ItemError::Quota { .. } => "quota exhausted",
                        ItemError::Auth { .. } => "the API key was refused",
                        _ => "network failure",
                    };
                    let what = format!(
                        "{why} at {kind} {input} ({}: {})",
                        err.code(),
                        err.message().replace('\n', " ")
                    );
                    stop = Some((exit, what));
                    break;
                }
                let obj = error_object(kind, &input, err.code(), err.message());
                match output.as_mut() {
                    Some(file) => {
                        bar.suspend(|| report_failure(kind, &input, err.code(), err.message()));
                        file.record(&input, &Item::Tree(obj))?;
                    }
                    None => {
                        bar.suspend(|| printer.failure(kind, &input, err.code(), err.message()))?
                    }
                }
                failed += 1;
            }
        }
        finished += 1;
        bar.inc(1);
    }
    drop(results);
    bar.finish_and_clear();
    if output.is_none() {
        printer.finish()?;
    }

    if let Some((exit, what)) = stop {
        let remaining = todo - finished;
        let mut msg = format!("{what}; ");
        msg.push_str(&format!(
            "{finished} of {todo} inputs done, {remaining} remain"
        ));
        match &output {
            Some(file) => msg.push_str(&format!(
                "; results so far are in {}; to continue: {} --output {} --resume",
                file.path().display(),
                settings.resume_hint,
                file.path().display()
            )),
            None => msg.push_str(&format!(
                "; to keep results across runs use: {} --output FILE --resume",
                settings.resume_hint
            )),
        }
        return Err(CliError::new(exit, msg));
    }
    if !settings.quiet && (failed > 0 || output.is_some()) && total_inputs > 1 {
        let mut line = format!("vt: {ok} succeeded, {failed} failed");
        if let Some(file) = &output {
            line.push_str(&format!(", written to {}", file.path().display()));
        }
        let _ = writeln!(io::stderr(), "{line}");
    }
    Ok(if failed > 0 {
        Exit::ItemsFailed
    } else {
        Exit::Ok
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dedupe_trims_and_keeps_first_occurrences() {
        let raw = ["a", " b ", "", "a", "c\r", "b"].map(String::from).to_vec();
        assert_eq!(dedupe(raw), vec!["a", "b", "c"]);
    }

    #[test]
    fn validation_names_the_bad_input_and_keeps_the_good_ones() {
        let check = |s: &str| {
            if s.len() == 3 {
                Ok(s.len())
            } else {
                Err(format!("thing {s:?}: not 3 long"))
            }
        };
        let ok = validate_all("thing", vec!["abc".into(), "def".into()], check).unwrap();
        assert_eq!(ok, vec![("abc".into(), 3), ("def".into(), 3)]);
        let err = validate_all("thing", vec!["abc".into(), "toolong".into()], check).unwrap_err();
        assert_eq!(err.exit, Exit::Usage);
        assert!(
            err.message.contains("thing \"toolong\": not 3 long"),
            "{}",
            err.message
        );
    }

    #[test]
    fn resume_reads_inputs_and_cuts_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.ndjson");
        std::fs::write(
            &path,
            "{\"input\":\"a\",\"data\":{}}\n{\"input\":\"b\",\"data\":{}}\n{\"input\":\"c\",\"da",
        )
        .unwrap();
        let (mut file, done) = OutputFile::open(&path, true).unwrap();
        assert_eq!(done, HashSet::from(["a".to_owned(), "b".to_owned()]));
        file.record("c", &Item::Tree(json!({"id": "c"}))).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3);
        for line in text.lines() {
            serde_json::from_str::<Value>(line).unwrap();
        }
    }

    #[test]
    fn stopping_errors_map_to_their_exit_codes() {
        let q = ItemError::Quota {
            code: "QuotaExceededError".into(),
            message: "m".into(),
        };
        assert_eq!(q.stops_batch(), Some(Exit::Quota));
        let a = ItemError::Api {
            code: "NotFoundError".into(),
            message: "m".into(),
        };
        assert_eq!(a.stops_batch(), None);
        assert_eq!(a.into_cli_error("file x").exit, Exit::ItemsFailed);
    }
}
