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

mod inputs;
mod journal;
pub(crate) mod output_file;
mod resume_hint;
mod tally;

use std::future::Future;
use std::io::{self, Write};
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::StreamExt;

use crate::cli::BatchArgs;
use crate::exit::{CliResult, Exit};
use crate::output::{Item, Printer, error_object, report_failure};
use crate::progress::Progress;
use crate::signals;

pub use crate::item_error::ItemError;
pub use inputs::{collect_inputs, dedupe, validate_all};
pub use journal::Checkpoint;
pub use resume_hint::resume_hint;
pub use tally::Tally;

use journal::{Journal, report_pending};
use output_file::{OutputFile, Resumed};
use tally::Stop;

/// From this many items on, human output is a table of one line per item.
const TABLE_FROM: usize = 2;

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
    let total_inputs = items.len();
    let output = settings.args.output.as_deref();
    let (items, output_file, mut resumed) = open_output(items, &settings)?;
    let journal = Arc::new(Mutex::new(Journal {
        output: output_file,
        ..Journal::default()
    }));
    let todo = items.len();
    if todo >= TABLE_FROM {
        let width = items
            .iter()
            .map(|(i, _)| i.chars().count())
            .max()
            .unwrap_or(0);
        printer.table(width.min(72));
    }
    let chunks = Journal::checkpoints(&journal, items, chunk, &mut resumed);
    let mut results = futures_util::stream::iter(chunks)
        .map(|chunk| vt_api::cache::observe(op(chunk)))
        .buffered(settings.concurrency.max(1))
        .flat_map(|(answers, cache)| {
            futures_util::stream::iter(answers.into_iter().map(move |(i, r)| (i, r, cache)))
        });

    let mut outcomes = Outcomes {
        kind: settings.kind,
        printer,
        journal: &journal,
        bar: settings.progress.bar(todo as u64, settings.kind),
        saving: output.is_some(),
        tally: Tally::default(),
    };
    let mut finished = 0usize;
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
        let Some((input, result, cache)) = next else {
            break;
        };
        if let Some(stopped) = outcomes.take(&input, result, &cache)? {
            stop = Some(stopped);
            break;
        }
        finished += 1;
    }
    drop(results);
    outcomes.bar.finish_and_clear();
    if output.is_none() {
        outcomes.printer.finish()?;
    }
    let tally = outcomes.tally;
    let journal = Arc::try_unwrap(journal)
        .map(|m| m.into_inner().unwrap_or_else(PoisonError::into_inner))
        .unwrap_or_default();
    let counts = Counts {
        total_inputs,
        todo,
        finished,
    };
    conclude(stop, tally, &journal, counts, &settings)
}

/// With `--output`: the file opened for appending and, with `--resume`, what it holds, the
/// items it already answers left out. Without: every item.
#[allow(clippy::type_complexity)]
fn open_output<T>(
    items: Vec<(String, T)>,
    settings: &BatchSettings<'_>,
) -> CliResult<(Vec<(String, T)>, Option<OutputFile>, Resumed)> {
    match settings.args.output.as_deref() {
        Some(path) => {
            let (file, found) = OutputFile::open(path, settings.args.resume)?;
            let items = found.skip_done(items, path, settings.quiet);
            Ok((items, Some(file), found))
        }
        None => Ok((items, None, Resumed::default())),
    }
}

/// How far a batch got.
struct Counts {
    /// Inputs given (before a resume left some out).
    total_inputs: usize,
    /// Inputs this run had to do.
    todo: usize,
    /// Inputs it finished.
    finished: usize,
}

/// The end of a batch: a stop becomes its error (what stopped it, what is left, how to
/// resume; work under way is named); otherwise the summary line (for more than one input)
/// and the exit code of the tally.
fn conclude(
    stop: Option<(Exit, String)>,
    tally: Tally,
    journal: &Journal,
    counts: Counts,
    settings: &BatchSettings<'_>,
) -> CliResult<Exit> {
    let output = settings.args.output.as_deref();
    if let Some((exit, what)) = stop {
        report_pending(&journal.pending, output.is_some());
        return Err(Stop {
            exit,
            what,
            finished: counts.finished,
            todo: counts.todo,
            output,
            offered: settings.args.offered,
            hint: &settings.resume_hint,
        }
        .into_error());
    }
    if !settings.quiet && counts.total_inputs > 1 {
        let line = tally.summary_line(output, &settings.resume_hint);
        let _ = writeln!(io::stderr(), "{line}");
    }
    Ok(tally.exit())
}

/// Takes each item's result as it comes, in input order: saves or prints it, counts it, and
/// says when the batch must stop.
struct Outcomes<'a, 'p> {
    kind: &'a str,
    printer: &'p mut Printer,
    journal: &'a Mutex<Journal>,
    bar: indicatif::ProgressBar,
    /// Whether results go to `--output` (else to the printer).
    saving: bool,
    tally: Tally,
}

impl Outcomes<'_, '_> {
    /// Handles one result; `Some((exit, what))` when it stops the batch (quota, key, rate,
    /// network: every other item would fail the same way).
    fn take<I: Into<Item>>(
        &mut self,
        input: &str,
        result: Result<I, ItemError>,
        cache: &vt_api::cache::CacheUse,
    ) -> CliResult<Option<(Exit, String)>> {
        let kind = self.kind;
        match result {
            Ok(value) => {
                let item: Item = value.into();
                if !self.save(input, &item)? {
                    let printer = &mut *self.printer;
                    self.bar.suspend(|| {
                        printer.result(input, &item)?;
                        printer.cache_note(cache)
                    })?;
                }
                self.tally.ok += 1;
            }
            Err(err) => {
                if let Some(exit) = err.stops_batch() {
                    let what = format!(
                        "{} at {kind} {input} ({}: {})",
                        err.stop_reason(),
                        err.code(),
                        err.message().replace('\n', " ")
                    );
                    return Ok(Some((exit, what)));
                }
                let code = err.code();
                // Only the item's final answer is saved; the rest is asked again on resume.
                let saved = err.is_final()
                    && self.save(
                        input,
                        &Item::Tree(error_object(kind, input, &code, err.message())),
                    )?;
                if saved || (self.saving && !err.is_final()) {
                    self.bar
                        .suspend(|| report_failure(kind, input, &code, err.message()));
                } else {
                    let printer = &mut *self.printer;
                    self.bar
                        .suspend(|| printer.failure(kind, input, &code, err.message()))?;
                }
                if err.is_final() {
                    self.tally.failed += 1;
                } else {
                    self.tally.unanswered += 1;
                    if err.exit() == Exit::Transport {
                        self.tally.transient += 1;
                    }
                }
            }
        }
        self.bar.inc(1);
        Ok(None)
    }

    /// Writes a final result to `--output` (clearing the item's pending note); `false` when
    /// there is no output file.
    fn save(&self, input: &str, item: &Item) -> CliResult<bool> {
        let mut journal = self.journal.lock().unwrap_or_else(PoisonError::into_inner);
        journal.pending.remove(input);
        match journal.output.as_mut() {
            Some(file) => file.record(input, item).map(|()| true),
            None => Ok(false),
        }
    }
}
