//! `vt analysis [--wait]`.

use vt_api::analyses::WaitOptions;
use vt_model::AnalysisId;

use crate::batch::{self, collect_inputs, validate_all};
use crate::cli::AnalysisArgs;
use crate::commands::scanning::with_meta;
use crate::commands::{Context, item_error, shape_for};
use crate::exit::{CliResult, Exit};
use crate::progress::PollWatch;

/// `vt analysis`.
pub async fn analysis(ctx: &Context, args: AnalysisArgs) -> CliResult<Exit> {
    let inputs = collect_inputs(&args.ids)?;
    let items = validate_all("analysis", inputs, |s| {
        s.parse::<AnalysisId>().map_err(|e| e.to_string())
    })?;
    let client = ctx.client()?;
    let mut printer = ctx.printer(shape_for(&items));
    let wait = args.wait;
    batch::run(
        items,
        &mut printer,
        ctx.batch("analysis", &args.batch),
        |_, id, _| {
            let client = client.clone();
            async move {
                let doc = if wait {
                    let shown = PollWatch::new();
                    client
                        .analyses()
                        .wait_observed(&id, WaitOptions::new(), |p| shown.update(p))
                        .await
                } else {
                    client.analyses().get(&id).await
                };
                with_meta(doc.map_err(|e| item_error(&e))?)
            }
        },
    )
    .await
}
