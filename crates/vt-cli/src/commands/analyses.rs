//! `vt analysis [--wait]`.

use serde::Serialize;
use serde_json::Value;
use vt_model::{AnalysisId, DataEnvelope};

use crate::batch::{self, ItemError, collect_inputs, validate_all};
use crate::cli::AnalysisArgs;
use crate::commands::{Context, item_error, shape_for, to_value};
use crate::exit::{CliResult, Exit};
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

/// `vt analysis`.
pub async fn analysis(ctx: &Context, args: AnalysisArgs) -> CliResult<Exit> {
    let inputs = collect_inputs(&args.ids)?;
    let items = validate_all("analysis", inputs, |s| {
        s.parse::<AnalysisId>().map_err(|e| e.to_string())
    })?;
    let client = ctx.client()?;
    let mut printer = ctx.printer(shape_for(&items));
    let wait = args.wait.then(|| ctx.wait.clone());
    batch::run(
        items,
        &mut printer,
        ctx.batch("analysis", &args.batch),
        |_, id, _| {
            let (client, wait) = (client.clone(), wait.clone());
            async move {
                let doc = match wait {
                    Some(options) => {
                        let shown = PollWatch::new();
                        client
                            .analyses()
                            .wait_observed(&id, options, |p| shown.update(p))
                            .await
                    }
                    None => client.analyses().get(&id).await,
                };
                analysis_value(&doc.map_err(|e| item_error(&e))?)
            }
        },
    )
    .await
}
