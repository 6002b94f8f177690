//! `vt analysis [--wait]` and `vt private analysis [--wait]`: one analysis, as it is or
//! waited for, public or private.

use serde::Serialize;
use serde_json::Value;
use vt_model::{AnalysisId, DataEnvelope};

use vt_api::{WaitOptions, WaitProgress};

use crate::batch::{self, ItemError, collect_inputs, validate_all};
use crate::cli::BatchArgs;
use crate::commands::client::ApiClient;
use crate::commands::context::Context;
use crate::commands::printing::shape_for;
use crate::exit::{CliResult, Exit};
use crate::item_error::{item_error, to_value};
use crate::progress::PollWatch;

/// The analysis object (public or private), with the envelope's `meta` (`file_info` or
/// `url_info`: which file or URL was analysed) kept as its `meta` member.
pub fn analysis_value<T: Serialize>(doc: &DataEnvelope<T>) -> Result<Value, ItemError> {
    let mut value = to_value(&doc.data)?;
    if let (Some(meta), Some(object)) = (doc.meta(), value.as_object_mut()) {
        object.insert("meta".into(), Value::Object(meta.clone()));
    }
    Ok(value)
}

/// Which analyses: public (`/analyses`) or private (`/private/analyses`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `vt analysis`, `vt scan file|url`.
    Public,
    /// `vt private analysis`, `vt scan file|url --private`.
    Private,
}

impl Scope {
    /// What an analysis of this scope is called in messages, which is also the `vt` command
    /// that shows one (`vt analysis ID`, `vt private analysis ID`).
    pub fn analysis(self) -> &'static str {
        match self {
            Scope::Public => "analysis",
            Scope::Private => "private analysis",
        }
    }

    /// The API's object type of an analysis of this scope.
    pub fn analysis_type(self) -> &'static str {
        match self {
            Scope::Public => "analysis",
            Scope::Private => "private_analysis",
        }
    }
}

/// The analysis `id` of `scope`, as it is now or, with `wait`, once completed (its polls
/// shown on the progress line).
pub async fn get_or_wait(
    client: &ApiClient,
    scope: Scope,
    id: &AnalysisId,
    wait: Option<WaitOptions>,
) -> Result<Value, ItemError> {
    let shown = PollWatch::new();
    let observe = |p: &WaitProgress<'_>| shown.update(p);
    match (scope, wait) {
        (Scope::Public, Some(options)) => {
            let doc = client.analyses().wait_observed(id, options, observe).await;
            analysis_value(&doc.map_err(|e| item_error(&e))?)
        }
        (Scope::Public, None) => analysis_value(
            &client
                .analyses()
                .get(id)
                .await
                .map_err(|e| item_error(&e))?,
        ),
        (Scope::Private, Some(options)) => {
            let doc = client.private().wait_observed(id, options, observe).await;
            analysis_value(&doc.map_err(|e| item_error(&e))?)
        }
        (Scope::Private, None) => analysis_value(
            &client
                .private()
                .analysis(id)
                .await
                .map_err(|e| item_error(&e))?,
        ),
    }
}

/// `vt analysis ID... [--wait]` and `vt private analysis ID... [--wait]`: a batch of
/// analyses of `scope`.
pub async fn analyses(
    ctx: &Context,
    scope: Scope,
    ids: &[String],
    wait: bool,
    batch_args: &BatchArgs,
) -> CliResult<Exit> {
    let kind = scope.analysis_type();
    let inputs = collect_inputs(ids)?;
    let items = validate_all(kind, inputs, |s| {
        s.parse::<AnalysisId>().map_err(|e| e.to_string())
    })?;
    let client = ctx.client()?;
    let mut printer = ctx.printer(shape_for(&items));
    let wait = wait.then(|| ctx.wait.clone());
    batch::run(
        items,
        &mut printer,
        ctx.batch(kind, batch_args),
        |_, id, _| {
            let (client, wait) = (client.clone(), wait.clone());
            async move { get_or_wait(&client, scope, &id, wait).await }
        },
    )
    .await
}
