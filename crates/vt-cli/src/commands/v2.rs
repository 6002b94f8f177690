//! `vt v2 file-report [--allinfo]`: legacy v2 reports, 4 resources a request with a public
//! key (25 with a private one), through the batch runner, printed in input order.

use serde_json::Value;

use crate::batch::{self, ItemError, collect_inputs, validate_all};
use crate::cli::{V2Command, V2FileReportArgs};
use crate::commands::context::Context;
use crate::commands::printing::shape_for;
use crate::exit::{CliResult, Exit};
use crate::item_error::ErrorLabel;
use crate::item_error::{item_error, to_value};

/// A v2 resource by the library's rule ([`vt_model::V2Resource`]), in its normal form.
pub fn check_resource(input: &str) -> Result<String, String> {
    vt_model::V2Resource::parse(input)
        .map(|r| r.as_str().to_owned())
        .map_err(|e| e.to_string())
}

/// Runs a `vt v2` command.
pub async fn run(ctx: &Context, cmd: V2Command) -> CliResult<Exit> {
    match cmd {
        V2Command::FileReport(args) => file_report(ctx, args).await,
    }
}

/// `vt v2 file-report`: through the batch runner like every batch (`--output/--resume`, only
/// final results saved, the same stops and summary), `v2_batch_limit` resources a request.
async fn file_report(ctx: &Context, args: V2FileReportArgs) -> CliResult<Exit> {
    let inputs = collect_inputs(&args.resources)?;
    let items = validate_all("v2 resource", inputs, check_resource)?;
    let client = ctx.client()?;
    let mut printer = ctx.printer(shape_for(&items));
    let allinfo = args.allinfo;
    let chunk = ctx.settings.tier.0.v2_batch_limit();
    batch::run_chunked(
        items,
        chunk,
        &mut printer,
        ctx.batch("file", &args.batch),
        |chunk| {
            let client = client.clone();
            async move {
                let (inputs, resources): (Vec<String>, Vec<String>) =
                    chunk.into_iter().map(|(input, r, _)| (input, r)).unzip();
                match client.v2().file_reports(&resources, allinfo).await {
                    Ok(reports) if reports.len() == inputs.len() => inputs
                        .into_iter()
                        .zip(reports)
                        .map(|(input, report)| (input, answer(&report)))
                        .collect(),
                    Ok(reports) => {
                        let why = ItemError::local(format!(
                            "VirusTotal answered {} reports for {} resources",
                            reports.len(),
                            inputs.len()
                        ));
                        inputs.into_iter().map(|i| (i, Err(why.clone()))).collect()
                    }
                    Err(e) => {
                        let why = item_error(&e);
                        inputs.into_iter().map(|i| (i, Err(why.clone()))).collect()
                    }
                }
            }
        },
    )
    .await
}

/// A v2 report: found (`response_code` 1) is the result; anything else is VirusTotal's
/// final answer that it has no report (the item's error, with its `verbose_msg`).
fn answer(report: &vt_model::V2FileReport) -> Result<Value, ItemError> {
    let value = to_value(report)?;
    let code = value.get("response_code").and_then(Value::as_i64);
    if code == Some(1) {
        return Ok(value);
    }
    let message = value
        .get("verbose_msg")
        .and_then(Value::as_str)
        .unwrap_or("no report")
        .to_owned();
    Err(ItemError {
        class: vt_api::ErrorClass::ItemAnswer,
        label: ErrorLabel::V2ResponseCode(code.unwrap_or(0)),
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources() {
        assert_eq!(
            check_resource("44D88612FEA8A8F36DE82E1278ABB02F").unwrap(),
            "44d88612fea8a8f36de82e1278abb02f"
        );
        let scan = format!("{}-1273894724", "a".repeat(64));
        assert_eq!(check_resource(&scan).unwrap(), scan);
        assert!(check_resource("nope").is_err());
        assert!(check_resource(&format!("{}-x", "a".repeat(64))).is_err());
    }
}
