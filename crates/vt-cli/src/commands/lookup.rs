//! The shape of `vt file|url|domain|ip` and other lookups: validate every input, then one
//! request each through the batch runner; and [`IntoItem`], what a lookup returns made
//! printable.

use serde_json::Value;

use crate::batch::ItemError;
use crate::cli::BatchArgs;
use crate::commands::client::ApiClient;
use crate::commands::context::Context;
use crate::commands::printing::shape_for;
use crate::exit::{CliResult, Exit};
use crate::item_error::{item_error, to_value};
use crate::output::Item;

/// A batch of lookups, the shape of `vt file|url|domain|ip`: every input validated by
/// `parse` before any request, then `fetch` for each, results printed in input order.
pub async fn lookup_batch<T, R, P, F, Fut>(
    ctx: &Context,
    inputs: &[String],
    batch_args: &BatchArgs,
    kind: &str,
    parse: P,
    fetch: F,
) -> CliResult<Exit>
where
    P: FnMut(&str) -> Result<T, String>,
    F: Fn(ApiClient, T) -> Fut,
    Fut: std::future::Future<Output = Result<R, vt_api::Error>>,
    R: IntoItem,
{
    let inputs = crate::batch::collect_inputs(inputs)?;
    let items = crate::batch::validate_all(kind, inputs, parse)?;
    let client = ctx.client()?;
    let mut printer = ctx.printer(shape_for(&items));
    let fetch = &fetch;
    crate::batch::run(
        items,
        &mut printer,
        ctx.batch(kind, batch_args),
        |_, item, _| {
            let client = client.clone();
            async move {
                let report = fetch(client, item).await.map_err(|e| item_error(&e))?;
                report.into_item()
            }
        },
    )
    .await
}

/// What a lookup returns, made printable.
pub trait IntoItem {
    /// The printable item.
    fn into_item(self) -> Result<Item, ItemError>;
}

impl IntoItem for Value {
    fn into_item(self) -> Result<Item, ItemError> {
        Ok(Item::Tree(self))
    }
}

/// A report as received (`report_json`): printed without decoding when the output allows.
impl IntoItem for vt_api::raw_json::RawJson {
    fn into_item(self) -> Result<Item, ItemError> {
        Ok(Item::Text(self))
    }
}

impl<A> IntoItem for vt_model::Object<A>
where
    vt_model::Object<A>: serde::Serialize,
{
    fn into_item(self) -> Result<Item, ItemError> {
        to_value(&self).map(Item::Tree)
    }
}

/// Any object (an IoC stream notification's file, URL, domain or IP address).
impl IntoItem for vt_model::AnyObject {
    fn into_item(self) -> Result<Item, ItemError> {
        to_value(&self).map(Item::Tree)
    }
}
