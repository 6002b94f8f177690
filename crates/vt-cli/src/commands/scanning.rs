//! Submit, then wait for the analysis: the one path of `vt scan file` and `vt scan url`,
//! public and `--private`.
//!
//! An analysis id, once known, is recorded at once through the item's [`Checkpoint`] (in
//! `--output`, and for the stop message), so neither Ctrl-C nor a quota stop loses an upload:
//! a resume waits on the recorded id instead of submitting again. A private scan's record
//! says so (`{"analysis": ID, "private": true}`), and a record is only picked up by a scan of
//! the same kind: a private analysis is never waited for through the public endpoint.

use std::future::Future;

use serde::Serialize;
use serde_json::{Value, json};
use vt_api::analyses::WaitOptions;
use vt_model::AnalysisId;

use crate::batch::{Checkpoint, ItemError};
use crate::commands::analyses::{Scope, get_or_wait};
use crate::commands::client::ApiClient;
use crate::item_error::to_value;
use crate::progress::Progress;

/// The `pending` record of a submitted analysis of `scope`.
fn record(scope: Scope, id: &str) -> Value {
    match scope {
        Scope::Public => json!({"analysis": id}),
        Scope::Private => json!({"analysis": id, "private": true}),
    }
}

/// The analysis id an earlier run recorded for this item, if it was a scan of `scope`.
fn recorded(scope: Scope, previous: Option<&Value>) -> Option<String> {
    let previous = previous?;
    let private = previous.get("private").and_then(Value::as_bool) == Some(true);
    if private != (scope == Scope::Private) {
        return None;
    }
    previous
        .get("analysis")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// What a submission gave.
pub enum Submitted {
    /// A final result without an analysis (a file VirusTotal already knew, with `--skip-known`).
    Final(Value),
    /// An analysis was queued.
    Analysis {
        /// Its id.
        id: String,
        /// Its descriptor as the API returned it (printed when there is no waiting).
        descriptor: Value,
    },
}

impl Submitted {
    /// A queued analysis, from its descriptor (public or private) and id.
    pub fn analysis<T: Serialize>(descriptor: &T, id: &str) -> Result<Submitted, ItemError> {
        Ok(Submitted::Analysis {
            id: id.to_owned(),
            descriptor: to_value(descriptor)?,
        })
    }
}

/// Submits (unless a resume found this item's analysis id) and, with `wait` (how to poll),
/// waits for the analysis of `scope`; the spinner (shown for a single item) says what it
/// waits for.
pub async fn submit_then_wait<S, Fut>(
    client: &ApiClient,
    checkpoint: &Checkpoint,
    scope: Scope,
    wait: Option<WaitOptions>,
    spinner: Progress,
    submit: S,
) -> Result<Value, ItemError>
where
    S: FnOnce() -> Fut,
    Fut: Future<Output = Result<Submitted, ItemError>>,
{
    let id = match recorded(scope, checkpoint.previous()) {
        Some(id) => id,
        None => match submit().await? {
            Submitted::Final(value) => return Ok(value),
            Submitted::Analysis { id, descriptor } => {
                if wait.is_none() {
                    return Ok(descriptor);
                }
                let what = scope.analysis();
                checkpoint.pending(record(scope, &id), format!("{what} {id}"))?;
                id
            }
        },
    };
    let Some(options) = wait else {
        return Ok(json!({"type": scope.analysis_type(), "id": id}));
    };
    let id: AnalysisId = id
        .parse()
        .map_err(|e: vt_model::IdError| ItemError::local(format!("recorded analysis id: {e}")))?;
    let bar = spinner.spinner(&format!("waiting for {} {id}", scope.analysis()));
    let value = get_or_wait(client, scope, &id, Some(options)).await;
    bar.finish_and_clear();
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_picked_up_only_by_a_scan_of_its_scope() {
        let public = record(Scope::Public, "a1");
        let private = record(Scope::Private, "p1");
        let found = |scope, rec| recorded(scope, rec);
        assert_eq!(found(Scope::Public, Some(&public)).as_deref(), Some("a1"));
        assert_eq!(found(Scope::Private, Some(&private)).as_deref(), Some("p1"));
        assert_eq!(found(Scope::Public, Some(&private)), None);
        assert_eq!(found(Scope::Private, Some(&public)), None);
        assert_eq!(found(Scope::Private, None), None);
    }
}
