//! Printing a command's answer: one object, or a paginated list with its `--cursor` hint
//! (Ctrl-C or SIGTERM during a list close what was printed and say where to go on).

use std::io::Write;

use serde_json::Value;

use crate::cli::PageArgs;
use crate::commands::context::Context;
use crate::exit::{CliError, CliResult, Exit};
use crate::item_error::{fail, to_value};
use crate::output::Shape;
use crate::signals;

/// One item: the object itself; several: a list.
pub fn shape_for<T>(items: &[T]) -> Shape {
    if items.len() == 1 {
        Shape::One
    } else {
        Shape::Many
    }
}

/// Prints a paginated collection: `--limit` items (or `--all`), from `--cursor`; when more
/// items exist, stderr says which cursor continues.
pub async fn list<T>(
    ctx: &Context,
    pages: vt_api::Paginator<T>,
    page: &PageArgs,
    what: &str,
    shape: Shape,
) -> CliResult<Exit>
where
    T: serde::Serialize + Send + 'static,
{
    use futures_util::StreamExt;
    let mut pages = match &page.cursor {
        Some(c) => pages.start_at(c.clone()),
        None => pages,
    };
    pages = if page.all {
        pages.page_size(40)
    } else {
        pages
            .limit(page.limit)
            .page_size(page.limit.clamp(1, 40) as u32)
    };
    let mut printer = ctx.printer(shape);
    let mut signal = std::pin::pin!(signals::stop_requested());
    loop {
        let item = tokio::select! {
            biased;
            exit = &mut signal => {
                // Ctrl-C or SIGTERM: close what was printed, say where to go on.
                printer.finish()?;
                let mut msg = format!("{what}: {}", signals::stop_word(exit));
                if let Some(c) = pages.cursor() {
                    msg.push_str(&format!("; to continue from here: --cursor {c}"));
                }
                return Err(CliError::new(exit, msg));
            }
            item = pages.next() => item,
        };
        let Some(item) = item else { break };
        match item
            .map_err(|e| fail(what, &e))
            .and_then(|v| to_value(&v).map_err(|e| e.into_cli_error(what)))
        {
            Ok(value) => printer.object(&value)?,
            Err(err) => {
                printer.finish_after_error()?;
                if let Some(c) = pages.cursor() {
                    let _ = writeln!(std::io::stderr(), "vt: to continue from here: --cursor {c}");
                }
                return Err(err);
            }
        }
    }
    printer.finish()?;
    if !page.all
        && !pages.is_exhausted()
        && let Some(c) = pages.cursor()
        && !ctx.settings.quiet
    {
        let _ = writeln!(
            std::io::stderr(),
            "vt: more items: add --cursor {c} (or --all)"
        );
    }
    Ok(Exit::Ok)
}

/// Prints one value as a single object and finishes.
pub fn print_one(ctx: &Context, value: &Value) -> CliResult<Exit> {
    let mut p = ctx.printer(Shape::One);
    p.object(value)?;
    p.finish()?;
    Ok(Exit::Ok)
}
