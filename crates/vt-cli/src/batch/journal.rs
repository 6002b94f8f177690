//! What a batch's runner and its items share: the output file and the work under way, which
//! an item records through its [`Checkpoint`] and a stopped batch names.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;

use super::output_file::{OutputFile, Resumed};
use crate::item_error::ItemError;

/// What the runner and the items' operations share: the output file and the work under way.
#[derive(Default)]
pub(super) struct Journal {
    pub(super) output: Option<OutputFile>,
    /// Input → what is pending for it, for the stop message.
    pub(super) pending: BTreeMap<String, String>,
}

/// An item's handle on the batch's journal: record work under way that a resume (or the
/// person stopping the batch) must know about.
#[derive(Clone)]
pub struct Checkpoint {
    pub(super) input: String,
    pub(super) previous: Option<Value>,
    pub(super) journal: Arc<Mutex<Journal>>,
}

impl Journal {
    /// The items in chunks of `chunk`, each with its [`Checkpoint`] (handed what an earlier
    /// run left pending for it).
    pub(super) fn checkpoints<T>(
        journal: &Arc<Mutex<Journal>>,
        items: Vec<(String, T)>,
        chunk: usize,
        resumed: &mut Resumed,
    ) -> Vec<Vec<(String, T, Checkpoint)>> {
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
        chunks
    }
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

/// Names the work still under way when a batch stops (uploads waiting for their analysis):
/// nothing is lost, the ids are here and, with `--output`, in the file for a resume.
pub(super) fn report_pending(pending: &BTreeMap<String, String>, saved: bool) {
    if pending.is_empty() {
        return;
    }
    let private = pending.values().any(|note| note.starts_with("private "));
    let mut stderr = io::stderr();
    let _ = writeln!(
        stderr,
        "vt: {} still pending (already submitted; {}):",
        pending.len(),
        match (saved, private) {
            (true, _) => "a resume waits on them instead of submitting again",
            (false, false) => "see them with `vt analysis ID --wait`",
            (false, true) => "see them with `vt private analysis ID --wait`",
        }
    );
    for (input, note) in pending {
        let _ = writeln!(stderr, "vt:   {input}: {note}");
    }
}
