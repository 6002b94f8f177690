//! Submit, then wait for the analysis: the one path of `vt scan file` and `vt scan url`.
//!
//! An analysis id, once known, is recorded at once through the item's [`Checkpoint`] (in
//! `--output`, and for the stop message), so neither Ctrl-C nor a quota stop loses an upload:
//! a resume waits on the recorded id instead of submitting again.

use std::future::Future;

use serde_json::{Value, json};
use vt_api::analyses::WaitOptions;
use vt_model::AnalysisId;

use crate::batch::{Checkpoint, ItemError};
use crate::commands::analyses::analysis_value;
use crate::commands::{ApiClient, to_value};
use crate::progress::{PollWatch, Progress};

/// What a submission gave.
pub enum Submitted {
    /// A final result without an analysis (a file VirusTotal already knew, with `--skip-known`).
    Final(Value),
    /// An analysis was queued: its descriptor as the API returned it.
    Analysis(Box<vt_model::Descriptor>),
}

/// Submits (unless a resume found this item's analysis id) and, with `wait` (how to poll),
/// waits for the analysis; the spinner (shown for a single item) says what it waits for.
pub async fn submit_then_wait<S, Fut>(
    client: &ApiClient,
    checkpoint: &Checkpoint,
    wait: Option<WaitOptions>,
    spinner: Progress,
    submit: S,
) -> Result<Value, ItemError>
where
    S: FnOnce() -> Fut,
    Fut: Future<Output = Result<Submitted, ItemError>>,
{
    let recorded = checkpoint
        .previous()
        .and_then(|p| p.get("analysis"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let id = match recorded {
        Some(id) => id,
        None => match submit().await? {
            Submitted::Final(value) => return Ok(value),
            Submitted::Analysis(descriptor) => {
                if wait.is_none() {
                    return to_value(&descriptor);
                }
                let id = descriptor.id_str().to_owned();
                checkpoint.pending(json!({"analysis": id}), format!("analysis {id}"))?;
                id
            }
        },
    };
    let Some(options) = wait else {
        return Ok(json!({"type": "analysis", "id": id}));
    };
    let id: AnalysisId = id
        .parse()
        .map_err(|e: vt_model::IdError| ItemError::local(format!("recorded analysis id: {e}")))?;
    let bar = spinner.spinner(&format!("waiting for analysis {id}"));
    let shown = PollWatch::new();
    let doc = client
        .analyses()
        .wait_observed(&id, options, |p| shown.update(p))
        .await;
    bar.finish_and_clear();
    analysis_value(&doc.map_err(|e| ItemError::from(&e))?)
}
