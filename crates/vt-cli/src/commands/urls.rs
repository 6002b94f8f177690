//! URLs: `vt url`, `vt url-id`, `vt network-location`, `vt scan url`.

use serde_json::json;

use crate::batch::{collect_inputs, validate_all};
use crate::cli::UrlIdArgs;
use crate::commands::Context;
use crate::exit::{CliResult, Exit};
use crate::output::Shape;

/// `vt url-id`: the unpadded base64url identifier of each URL, no request.
pub fn url_id(ctx: &Context, args: UrlIdArgs) -> CliResult<Exit> {
    let inputs = collect_inputs(&args.urls)?;
    let items = validate_all("URL", inputs, |u| {
        vt_model::UrlId::from_url(u).map_err(|e| e.to_string())
    })?;
    let shape = if items.len() == 1 {
        Shape::One
    } else {
        Shape::Many
    };
    let mut printer = ctx.printer(shape);
    for (url, id) in items {
        printer
            .object(&json!({"type": "url_id", "id": id.as_str(), "attributes": {"url": url}}))?;
    }
    printer.finish()?;
    Ok(Exit::Ok)
}
