//! Domains and IP addresses: `vt domain`, `vt ip`.

use vt_model::{DomainName, IpAddress};

use crate::batch::{self, collect_inputs, validate_all};
use crate::cli::ObjectArgs;
use crate::commands::{Context, item_error, shape_for, to_value};
use crate::exit::{CliResult, Exit};

/// `vt domain`.
pub async fn domain(ctx: &Context, args: ObjectArgs) -> CliResult<Exit> {
    let inputs = collect_inputs(&args.inputs)?;
    let items = validate_all("domain", inputs, |s| {
        s.parse::<DomainName>().map_err(|e| e.to_string())
    })?;
    let client = ctx.client()?;
    let mut printer = ctx.printer(shape_for(&items));
    batch::run(
        items,
        &mut printer,
        ctx.batch("domain", &args.batch),
        |_, name| {
            let client = client.clone();
            async move {
                let report = client
                    .domains()
                    .report(&name)
                    .await
                    .map_err(|e| item_error(&e))?;
                to_value(&report)
            }
        },
    )
    .await
}

/// `vt ip`.
pub async fn ip(ctx: &Context, args: ObjectArgs) -> CliResult<Exit> {
    let inputs = collect_inputs(&args.inputs)?;
    let items = validate_all("ip_address", inputs, |s| {
        s.parse::<IpAddress>().map_err(|e| e.to_string())
    })?;
    let client = ctx.client()?;
    let mut printer = ctx.printer(shape_for(&items));
    batch::run(
        items,
        &mut printer,
        ctx.batch("ip_address", &args.batch),
        |_, addr| {
            let client = client.clone();
            async move {
                let report = client
                    .ip_addresses()
                    .report(&addr)
                    .await
                    .map_err(|e| item_error(&e))?;
                to_value(&report)
            }
        },
    )
    .await
}
