//! URLs: `vt url`, `vt url-id`, `vt network-location`, `vt scan url`.

use serde_json::json;
use vt_model::UrlId;

use crate::batch::{self, collect_inputs, validate_all};
use crate::cli::{NetworkLocationArgs, ObjectArgs, ScanUrlArgs, UrlIdArgs};
use crate::commands::analyses::Scope;
use crate::commands::context::Context;
use crate::commands::identifiers::{check_url, parse_url_or_id};
use crate::commands::lookup::lookup_batch;
use crate::commands::printing::{print_one, shape_for};
use crate::commands::private_scan;
use crate::commands::scanning::{Submitted, submit_then_wait};
use crate::exit::{CliError, CliResult, Exit};
use crate::item_error::{fail, item_error, to_value};
use crate::progress::Progress;

/// `vt url`.
pub async fn url(ctx: &Context, args: ObjectArgs) -> CliResult<Exit> {
    if args.plan {
        return super::quota_plan::plan_batch(ctx, crate::cli::ObjectKind::Url, &args.inputs).await;
    }
    lookup_batch(
        ctx,
        &args.inputs,
        &args.batch,
        "url",
        parse_url_or_id,
        |c, id| async move { c.urls().report_json(&id).await },
    )
    .await
}

/// `vt url-id`: the unpadded base64url identifier of each URL, no request.
pub fn url_id(ctx: &Context, args: UrlIdArgs) -> CliResult<Exit> {
    let inputs = collect_inputs(&args.urls)?;
    let items = validate_all("url", inputs, |u| {
        check_url(u)?;
        UrlId::from_url(u).map_err(|e| e.to_string())
    })?;
    let mut printer = ctx.printer(shape_for(&items));
    for (url, id) in items {
        printer
            .object(&json!({"type": "url_id", "id": id.as_str(), "attributes": {"url": url}}))?;
    }
    printer.finish()?;
    Ok(Exit::Ok)
}

/// `vt network-location`.
pub async fn network_location(ctx: &Context, args: NetworkLocationArgs) -> CliResult<Exit> {
    let input = args.input.trim();
    let id = parse_url_or_id(input).map_err(CliError::usage)?;
    let client = ctx.client()?;
    let obj = client
        .urls()
        .network_location(&id)
        .await
        .map_err(|e| fail(&format!("url {input}"), &e))?;
    match obj {
        Some(obj) => print_one(ctx, &to_value(&obj).map_err(|e| e.into_cli_error(input))?),
        None => {
            // VirusTotal answered `{"data": null}`: nothing is known to host it (yet). Like a
            // lookup that finds nothing: no object on stdout (no `null`), one line, exit 1.
            eprintln!("vt: url {input}: VirusTotal knows no network location for it");
            Ok(Exit::ItemsFailed)
        }
    }
}

/// `vt scan url [--private]`.
pub async fn scan_url(ctx: &Context, args: ScanUrlArgs) -> CliResult<Exit> {
    let private = if args.private.private {
        Some(private_scan::url_options(&args.private)?)
    } else {
        None
    };
    let scope = if private.is_some() {
        Scope::Private
    } else {
        Scope::Public
    };
    let inputs = collect_inputs(&args.urls)?;
    let items = validate_all("url", inputs, check_url)?;
    let client = ctx.client()?;
    let progress = if items.len() == 1 {
        ctx.progress
    } else {
        Progress::new(true)
    };
    let mut printer = ctx.printer(shape_for(&items));
    let wait = args.wait.then(|| ctx.wait.clone());
    batch::run(
        items,
        &mut printer,
        ctx.batch("url", &args.batch),
        |url, (), checkpoint| {
            let (client, wait, private) = (client.clone(), wait.clone(), private.clone());
            async move {
                let submit = || async {
                    match private {
                        Some(options) => client
                            .private()
                            .scan_url_with(&url, options)
                            .await
                            .map_err(|e| item_error(&e))
                            .and_then(|d| Submitted::analysis(&d, d.get().id_str())),
                        None => client
                            .urls()
                            .submit(&url)
                            .await
                            .map_err(|e| item_error(&e))
                            .and_then(|d| Submitted::analysis(&d, d.id_str())),
                    }
                };
                submit_then_wait(&client, &checkpoint, scope, wait, progress, submit).await
            }
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_or_id() {
        let id = parse_url_or_id("http://www.somedomain.com/this/is/my/url").unwrap();
        assert_eq!(
            id.as_str(),
            "aHR0cDovL3d3dy5zb21lZG9tYWluLmNvbS90aGlzL2lzL215L3VybA"
        );
        let same =
            parse_url_or_id("aHR0cDovL3d3dy5zb21lZG9tYWluLmNvbS90aGlzL2lzL215L3VybA").unwrap();
        assert_eq!(same, id);
        let hex = "dd014af5ed6b38d9130e3f466f850e46d21b951199d53a18ef29ee9341614eaf";
        assert!(parse_url_or_id(hex).unwrap().is_sha256());
        assert!(parse_url_or_id("example.com").is_ok());
        assert!(parse_url_or_id("garbage").is_err());
    }
}
