//! `vt v2 file-report [--allinfo]`: legacy v2 reports, batched by the library (4 resources a
//! request with a public key), printed in input order.

use std::io::Write;

use futures_util::StreamExt;
use serde_json::Value;

use crate::batch::{collect_inputs, validate_all};
use crate::cli::{V2Command, V2FileReportArgs};
use crate::commands::{Context, fail, item_error, shape_for, to_value};
use crate::exit::{CliResult, Exit};
use crate::output::report_failure;

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

async fn file_report(ctx: &Context, args: V2FileReportArgs) -> CliResult<Exit> {
    let inputs = collect_inputs(&args.resources)?;
    let items = validate_all("v2 resource", inputs, check_resource)?;
    let client = ctx.client()?;
    let resources: Vec<String> = items.iter().map(|(_, r)| r.clone()).collect();
    let mut printer = ctx.printer(shape_for(&items));
    let mut batches = std::pin::pin!(client.v2().file_report_batches(&resources, args.allinfo));
    let mut done = 0usize;
    let mut not_found = 0usize;
    while let Some(batch) = batches.next().await {
        match batch {
            Ok(reports) => {
                for report in reports {
                    let value = to_value(&report).map_err(|e| e.into_cli_error("v2 report"))?;
                    let code = value.get("response_code").and_then(Value::as_i64);
                    if code != Some(1) {
                        not_found += 1;
                        let input = items.get(done).map_or("", |(i, _)| i.as_str());
                        let msg = value
                            .get("verbose_msg")
                            .and_then(Value::as_str)
                            .unwrap_or("not found");
                        report_failure(
                            "file",
                            input,
                            &format!("response_code {}", code.unwrap_or(0)),
                            msg,
                        );
                    }
                    printer.object(&value)?;
                    done += 1;
                }
            }
            Err(e) => {
                printer.finish()?;
                let input = items.get(done).map_or("", |(i, _)| i.as_str()).to_owned();
                let remaining = items.len() - done;
                let ie = item_error(&e);
                let _ = writeln!(
                    std::io::stderr(),
                    "vt: {done} of {} resources done, {remaining} remain",
                    items.len()
                );
                return Err(if ie.stops_batch().is_some() {
                    ie.into_cli_error(&format!("v2 file report {input}"))
                } else {
                    fail(&format!("v2 file report {input}"), &e)
                });
            }
        }
    }
    printer.finish()?;
    Ok(if not_found > 0 {
        Exit::ItemsFailed
    } else {
        Exit::Ok
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
