//! Domains and IP addresses: `vt domain`, `vt ip`.

use vt_model::{DomainName, IpAddress};

use crate::cli::ObjectArgs;
use crate::commands::context::Context;
use crate::commands::lookup::lookup_batch;
use crate::exit::{CliResult, Exit};

/// `vt domain`.
pub async fn domain(ctx: &Context, args: ObjectArgs) -> CliResult<Exit> {
    if args.plan {
        return super::quota_plan::plan_batch(ctx, crate::cli::ObjectKind::Domain, &args.inputs)
            .await;
    }
    let parse = |s: &str| s.parse::<DomainName>().map_err(|e| e.to_string());
    lookup_batch(
        ctx,
        &args.inputs,
        &args.batch,
        "domain",
        parse,
        |c, name| async move { c.domains().report_json(&name).await },
    )
    .await
}

/// `vt ip`.
pub async fn ip(ctx: &Context, args: ObjectArgs) -> CliResult<Exit> {
    if args.plan {
        return super::quota_plan::plan_batch(ctx, crate::cli::ObjectKind::Ip, &args.inputs).await;
    }
    let parse = |s: &str| s.parse::<IpAddress>().map_err(|e| e.to_string());
    lookup_batch(
        ctx,
        &args.inputs,
        &args.batch,
        "ip_address",
        parse,
        |c, addr| async move { c.ip_addresses().report_json(&addr).await },
    )
    .await
}
