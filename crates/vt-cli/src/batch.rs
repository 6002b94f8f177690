//! Batches that never lose work.
//!
//! Inputs come from the arguments or from stdin (`-`, one per line, trimmed, blank lines
//! skipped), are de-duplicated in order and validated all up front: one bad input stops the
//! command with exit 2 before any request is sent. They then run `--concurrency` at a time (the
//! rate limiter lives in the client) and are printed in input order as soon as each is ready.
//!
//! `--output FILE` appends one NDJSON line per input, flushed:
//! `{"input": INPUT, "data": OBJECT}` (or `"data"` in VirusTotal's per-item error form).
//! Only final results are written ([`vt_api::ErrorClass::ItemAnswer`] errors and successes):
//! failures that say nothing about the item (transient, quota, rate, auth, network, local)
//! never are, so a resumed run asks again. An item under way that a resume can pick up (an
//! upload whose analysis id is known) is written at once as `{"input": INPUT, "pending":
//! {...}}` through its [`Checkpoint`]. `--resume` skips inputs with a `data` line, hands each
//! pending record back to its item, and first cuts off a torn last line (a killed run).
//!
//! When the quota runs out (or the key is refused, the rate refused, the network down, or
//! Ctrl-C / SIGTERM arrives) the batch stops cleanly: what is done stays done, the work still
//! pending is named, and stderr says how many inputs remain and how to resume.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::future::Future;
use std::io::{self, BufRead, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::StreamExt;
use serde_json::Value;

use crate::cli::BatchArgs;
use crate::exit::{CliError, CliResult, Exit};
use crate::output::{Item, Printer, error_object, report_failure};
use crate::progress::Progress;
use crate::signals;

pub use crate::item_error::ItemError;

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
    /// Opens FILE for appending; with `resume`, also returns what it already holds (after
    /// cutting off a torn last line).
    pub fn open(path: &Path, resume: bool) -> CliResult<(OutputFile, Resumed)> {
        let fail = |e: io::Error| CliError::usage(format!("output file {}: {e}", path.display()));
        let mut resumed = Resumed::default();
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

/// From this many items on, human output is a table of one line per item.
const TABLE_FROM: usize = 2;

/// What `--resume` found in the output file.
#[derive(Debug, Default)]
pub struct Resumed {
    /// Inputs with a final result: skipped.
    pub done: HashSet<String>,
    /// Inputs left under way by an earlier run, with what it recorded (an analysis id, ...).
    pub pending: HashMap<String, Value>,
}

/// What the runner and the items' operations share: the output file and the work under way.
#[derive(Default)]
struct Journal {
    output: Option<OutputFile>,
    /// Input → what is pending for it, for the stop message.
    pending: BTreeMap<String, String>,
}

/// An item's handle on the batch's journal: record work under way that a resume (or the
/// person stopping the batch) must know about.
#[derive(Clone)]
pub struct Checkpoint {
    input: String,
    previous: Option<Value>,
    journal: Arc<Mutex<Journal>>,
}

impl Checkpoint {
    /// What an earlier run recorded as pending for this input (with `--resume`).
    pub fn previous(&self) -> Option<&Value> {
        self.previous.as_ref()
    }

    /// Records that this item is under way: `record` goes to `--output` at once as
    /// `{"input": ..., "pending": record}` and `note` (for example `analysis <id>`) is named
    /// if the batch stops before the item finishes.
    pub fn pending(&self, record: Value, note: String) -> Result<(), ItemError> {
        let mut journal = self.journal.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(file) = journal.output.as_mut() {
            file.record_pending(&self.input, &record)
                .map_err(|e| ItemError::local(e.message))?;
        }
        journal.pending.insert(self.input.clone(), note);
        Ok(())
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

/// How many items ended which way.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Succeeded.
    pub ok: usize,
    /// Failed with the item's final answer (saved).
    pub failed: usize,
    /// Failed without a final answer (not saved: asked again by a resume).
    pub unanswered: usize,
    /// Of those, transient failures at the server or network (exit 5).
    pub transient: usize,
}

impl Tally {
    /// The end-of-batch summary: `3 succeeded, 1 failed, 2 without an answer`.
    pub fn summary(&self) -> String {
        let mut line = format!("{} succeeded, {} failed", self.ok, self.failed);
        if self.unanswered > 0 {
            line.push_str(&format!(
                ", {} without a final answer (not saved)",
                self.unanswered
            ));
        }
        line
    }

    /// The exit code of a batch that ran to its end.
    pub fn exit(&self) -> Exit {
        if self.transient > 0 {
            Exit::Transport
        } else if self.failed > 0 || self.unanswered > 0 {
            Exit::ItemsFailed
        } else {
            Exit::Ok
        }
    }
}

/// Runs a batch: `op` on each item, `concurrency` at a time, results printed in input order.
pub async fn run<T, I, F, Fut>(
    items: Vec<(String, T)>,
    printer: &mut Printer,
    settings: BatchSettings<'_>,
    op: F,
) -> CliResult<Exit>
where
    F: Fn(String, T, Checkpoint) -> Fut,
    Fut: Future<Output = Result<I, ItemError>>,
    I: Into<Item>,
{
    let op = &op;
    run_chunked(items, 1, printer, settings, |chunk| async move {
        let mut out = Vec::with_capacity(chunk.len());
        for (input, t, checkpoint) in chunk {
            let result = op(input.clone(), t, checkpoint).await;
            out.push((input, result));
        }
        out
    })
    .await
}

/// Runs a batch whose items go `chunk` at a time to `op` (one request for several items, as
/// v2 reports): `op` answers each item of its chunk, in order; chunks run `concurrency` at a
/// time; everything else is [`run`]'s (resume, only final results saved, stops, summary).
pub async fn run_chunked<T, I, F, Fut>(
    items: Vec<(String, T)>,
    chunk: usize,
    printer: &mut Printer,
    settings: BatchSettings<'_>,
    op: F,
) -> CliResult<Exit>
where
    F: Fn(Vec<(String, T, Checkpoint)>) -> Fut,
    Fut: Future<Output = Vec<(String, Result<I, ItemError>)>>,
    I: Into<Item>,
{
    let kind = settings.kind;
    let mut items = items;
    let total_inputs = items.len();
    let mut resumed = Resumed::default();
    let journal = Arc::new(Mutex::new(Journal::default()));
    let output_path = settings.args.output.clone();
    if let Some(path) = &output_path {
        let (file, found) = OutputFile::open(path, settings.args.resume)?;
        let before = items.len();
        items.retain(|(input, _)| !found.done.contains(input));
        let skipped = before - items.len();
        let waiting = items
            .iter()
            .filter(|(input, _)| found.pending.contains_key(input))
            .count();
        if (skipped > 0 || waiting > 0) && !settings.quiet {
            let mut line = format!(
                "vt: resuming: {skipped} of {before} inputs already in {}",
                path.display()
            );
            if waiting > 0 {
                line.push_str(&format!("; {waiting} under way, picked up where they were"));
            }
            let _ = writeln!(io::stderr(), "{line}");
        }
        resumed = found;
        journal
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .output = Some(file);
    }
    let record = |input: &str, item: &Item| -> CliResult<bool> {
        let mut j = journal.lock().unwrap_or_else(PoisonError::into_inner);
        j.pending.remove(input);
        match j.output.as_mut() {
            Some(file) => file.record(input, item).map(|()| true),
            None => Ok(false),
        }
    };
    let todo = items.len();
    if todo >= TABLE_FROM {
        let width = items
            .iter()
            .map(|(i, _)| i.chars().count())
            .max()
            .unwrap_or(0);
        printer.table(width.min(72));
    }
    let bar = settings.progress.bar(todo as u64, kind);
    let mut chunks: Vec<Vec<(String, T, Checkpoint)>> = Vec::new();
    for (input, t) in items {
        let checkpoint = Checkpoint {
            previous: resumed.pending.remove(&input),
            input: input.clone(),
            journal: journal.clone(),
        };
        match chunks.last_mut() {
            Some(last) if last.len() < chunk.max(1) => last.push((input, t, checkpoint)),
            _ => chunks.push(vec![(input, t, checkpoint)]),
        }
    }
    let mut results = futures_util::stream::iter(chunks)
        .map(&op)
        .buffered(settings.concurrency.max(1))
        .flat_map(futures_util::stream::iter);

    let mut tally = Tally::default();
    let mut finished = 0usize;
    // (exit code, what happened) when the batch stops early.
    let mut stop: Option<(Exit, String)> = None;
    let mut signal = std::pin::pin!(signals::stop_requested());
    loop {
        let next = tokio::select! {
            biased;
            exit = &mut signal => {
                stop = Some((exit, signals::stop_word(exit).to_owned()));
                break;
            }
            next = results.next() => next,
        };
        let Some((input, result)) = next else { break };
        match result {
            Ok(value) => {
                let item: Item = value.into();
                if !record(&input, &item)? {
                    bar.suspend(|| printer.result(&input, &item))?;
                }
                tally.ok += 1;
            }
            Err(err) => {
                if let Some(exit) = err.stops_batch() {
                    let what = format!(
                        "{} at {kind} {input} ({}: {})",
                        err.stop_reason(),
                        err.code(),
                        err.message().replace('\n', " ")
                    );
                    stop = Some((exit, what));
                    break;
                }
                let code = err.code();
                let saved = if err.is_final() {
                    let obj = error_object(kind, &input, &code, err.message());
                    record(&input, &Item::Tree(obj))?
                } else {
                    false
                };
                if saved || (output_path.is_some() && !err.is_final()) {
                    bar.suspend(|| report_failure(kind, &input, &code, err.message()));
                } else {
                    bar.suspend(|| printer.failure(kind, &input, &code, err.message()))?;
                }
                if err.is_final() {
                    tally.failed += 1;
                } else {
                    tally.unanswered += 1;
                    if err.exit() == Exit::Transport {
                        tally.transient += 1;
                    }
                }
            }
        }
        finished += 1;
        bar.inc(1);
    }
    drop(results);
    bar.finish_and_clear();
    if output_path.is_none() {
        printer.finish()?;
    }
    let journal = Arc::try_unwrap(journal)
        .map(|m| m.into_inner().unwrap_or_else(PoisonError::into_inner))
        .unwrap_or_default();

    if let Some((exit, what)) = stop {
        report_pending(&journal.pending, output_path.is_some());
        let remaining = todo - finished;
        let mut msg = format!("{what}; {finished} of {todo} inputs done, {remaining} remain");
        match &output_path {
            Some(path) => msg.push_str(&format!(
                "; results so far are in {}; to continue: {} --output {} --resume",
                path.display(),
                settings.resume_hint,
                path.display()
            )),
            None if settings.args.offered => msg.push_str(&format!(
                "; to keep results across runs use: {} --output FILE --resume",
                settings.resume_hint
            )),
            None => {}
        }
        return Err(CliError::new(exit, msg));
    }
    if !settings.quiet && total_inputs > 1 {
        let mut line = format!("vt: {}", tally.summary());
        if let Some(path) = &output_path {
            line.push_str(&format!(", written to {}", path.display()));
        }
        if tally.unanswered > 0 {
            match &output_path {
                Some(path) => line.push_str(&format!(
                    "; to ask again for those: {} --output {} --resume",
                    settings.resume_hint,
                    path.display()
                )),
                None => line.push_str("; run again to ask for those"),
            }
        }
        let _ = writeln!(io::stderr(), "{line}");
    }
    Ok(tally.exit())
}

/// Names the work still under way when a batch stops (uploads waiting for their analysis):
/// nothing is lost, the ids are here and, with `--output`, in the file for a resume.
fn report_pending(pending: &BTreeMap<String, String>, saved: bool) {
    if pending.is_empty() {
        return;
    }
    let mut stderr = io::stderr();
    let _ = writeln!(
        stderr,
        "vt: {} still pending (already submitted; {}):",
        pending.len(),
        if saved {
            "a resume waits on them instead of submitting again"
        } else {
            "see them with `vt analysis ID --wait`"
        }
    );
    for (input, note) in pending {
        let _ = writeln!(stderr, "vt:   {input}: {note}");
    }
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

    #[test]
    fn only_transient_failures_make_exit_5() {
        let t = Tally {
            ok: 1,
            failed: 1,
            unanswered: 1,
            transient: 1,
        };
        assert_eq!(t.exit(), Exit::Transport);
        assert!(t.summary().contains("1 without a final answer"));
        let f = Tally {
            ok: 1,
            failed: 1,
            ..Tally::default()
        };
        assert_eq!(f.exit(), Exit::ItemsFailed);
        assert_eq!(Tally::default().exit(), Exit::Ok);
    }
}
