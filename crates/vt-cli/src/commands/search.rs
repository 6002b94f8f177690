//! `vt search QUERY`: VirusTotal Intelligence search, as vt-cli's `vt search` (`--order`,
//! `--limit`, `--all`, `--cursor`, `--descriptors`), or the public `/search` with `--basic`.
//!
//! The query, the cursor and the order are checked before any request (exit 2). Hits are
//! printed in the chosen format, or with `--output FILE` appended to FILE as NDJSON, one hit
//! a line, flushed:
//! `{"input": ID, "data": HIT, "search": {"query": Q, "cursor": C, "skip": N, "done": B}}`,
//! where `cursor`+`skip` say where the search continues after this hit. `--resume` reads the
//! last line (cutting a torn one), and goes on from there: nothing written twice, nothing
//! skipped. A spent quota (exit 4), a refused key (3) or a network failure (5) stops the
//! search cleanly, saying how to continue.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use serde_json::{Value, json};
use vt_model::AnyObject;

use crate::batch::output_file::open_appending;
use crate::cli::SearchArgs;
use crate::commands::context::Context;
use crate::exit::{CliError, CliResult, Exit};
use crate::item_error::{fail, item_error, to_value};
use crate::output::Shape;

/// Where a search continues: the cursor of the page and the hits of it already taken.
#[derive(Debug, Clone, Default, PartialEq)]
struct ResumePoint {
    cursor: Option<String>,
    skip: u64,
}

/// Checks `--order`: a field name, then `+`, `-` or nothing.
fn check_order(order: &str) -> CliResult<&str> {
    let field = order.trim_end_matches(['+', '-']);
    if field.is_empty()
        || order.len() - field.len() > 1
        || !field.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    {
        return Err(CliError::usage(format!(
            "--order {order:?}: expected FIELD, FIELD+ or FIELD- (e.g. positives-)"
        )));
    }
    Ok(order)
}

/// The `--output` file of a search.
struct SearchOutput {
    path: PathBuf,
    file: File,
}

impl SearchOutput {
    /// Opens FILE for appending; with `resume`, cuts a torn last line and returns the last
    /// record of `query` (and how many hits of it the file holds).
    fn open(path: &Path, resume: bool, query: &str) -> CliResult<(Self, Option<(Value, u64)>)> {
        let (file, complete) = open_appending(path, resume)?;
        let mut count = 0u64;
        let mut last = None;
        for line in complete.split(|&b| b == b'\n') {
            let Ok(v) = serde_json::from_slice::<Value>(line) else {
                continue;
            };
            let Some(search) = v.get("search") else {
                continue;
            };
            if search.get("query").and_then(Value::as_str) != Some(query) {
                let other = search.get("query").and_then(Value::as_str).unwrap_or("?");
                return Err(CliError::usage(format!(
                    "output file {} holds hits of another search ({other:?}); use another file",
                    path.display()
                )));
            }
            count += 1;
            last = Some(search.clone());
        }
        let found = last.map(|l| (l, count));
        Ok((
            SearchOutput {
                path: path.to_owned(),
                file,
            },
            found,
        ))
    }

    /// Appends one hit with where the search continues after it.
    fn record(&mut self, hit: &Value, query: &str, at: &ResumePoint, done: bool) -> CliResult<()> {
        let id = hit.get("id").and_then(Value::as_str).unwrap_or("");
        let record = json!({"input": id, "data": hit,
            "search": {"query": query, "cursor": at.cursor, "skip": at.skip, "done": done}});
        let mut line = serde_json::to_vec(&record)
            .map_err(|e| CliError::new(Exit::ItemsFailed, format!("encoding a hit: {e}")))?;
        line.push(b'\n');
        self.file
            .write_all(&line)
            .and_then(|()| self.file.flush())
            .map_err(|e| {
                CliError::new(
                    Exit::ItemsFailed,
                    format!("output file {}: {e}", self.path.display()),
                )
            })
    }
}

/// Where a search starts: the `--output` file (if any), the point to start from, and how
/// many hits the file already holds.
struct Resume {
    output: Option<SearchOutput>,
    start: ResumePoint,
    already: u64,
}

/// Opens `--output` and, with `--resume`, finds where the saved hits stop; `None` when the
/// file already holds the complete search (said on stderr).
fn resume(ctx: &Context, args: &SearchArgs, query: &str) -> CliResult<Option<Resume>> {
    let mut found = Resume {
        output: None,
        start: ResumePoint {
            cursor: args.page.cursor.clone(),
            skip: 0,
        },
        already: 0,
    };
    let Some(path) = &args.batch.output else {
        return Ok(Some(found));
    };
    let (file, last) = SearchOutput::open(path, args.batch.resume, query)?;
    if let Some((last, count)) = last {
        if last.get("done").and_then(Value::as_bool) == Some(true) {
            if !ctx.settings.quiet {
                let _ = writeln!(
                    std::io::stderr(),
                    "vt: the search is already complete in {} ({count} hits)",
                    path.display()
                );
            }
            return Ok(None);
        }
        found.start = ResumePoint {
            cursor: last
                .get("cursor")
                .and_then(Value::as_str)
                .map(str::to_owned),
            skip: last.get("skip").and_then(Value::as_u64).unwrap_or(0),
        };
        found.already = count;
        if !ctx.settings.quiet {
            let _ = writeln!(
                std::io::stderr(),
                "vt: resuming: {count} hits already in {}",
                path.display()
            );
        }
    }
    found.output = Some(file);
    Ok(Some(found))
}

/// `vt search`.
pub async fn search(ctx: &Context, args: SearchArgs) -> CliResult<Exit> {
    // Everything local first: exit 2 before any request.
    let query = vt_api::intelligence::check_search_query(&args.query)
        .map_err(|e| CliError::usage(format!("search query: {}", e)))?
        .to_owned();
    if let Some(c) = &args.page.cursor {
        vt_api::intelligence::check_cursor(c)
            .map_err(|e| CliError::usage(format!("--cursor: {e}")))?;
    }
    let order = args.order.as_deref().map(check_order).transpose()?;
    let Some(Resume {
        mut output,
        start,
        already,
    }) = resume(ctx, &args, &query)?
    else {
        return Ok(Exit::Ok);
    };
    let wanted = (!args.page.all).then(|| args.page.limit.saturating_sub(already));
    if wanted == Some(0) {
        return Ok(Exit::Ok);
    }

    let client = ctx.client()?;
    let mut pages = if args.basic {
        client.search().query(&query)
    } else {
        let mut p = client.intelligence().search(&query);
        if let Some(o) = order {
            p = p.order(o);
        }
        // `-I` prints ids only: ask for no more, as vt-cli does (unless hits go to a file).
        p.descriptors_only(args.descriptors || (ctx.output.ids_only && output.is_none()))
    };
    if let Some(c) = &start.cursor {
        pages = pages.start_at(c.clone());
    }
    let page_size = |n: u64| args.page_size.unwrap_or(n.min(300) as u32);
    pages = match wanted {
        // Hits already taken from the resumed page come again: ask for them too.
        Some(n) => pages
            .limit(n + start.skip)
            .page_size(page_size(n + start.skip)),
        None => pages.page_size(page_size(300)),
    };
    let what = if args.basic {
        "search"
    } else {
        "intelligence search"
    };
    let mut printer = ctx.printer(Shape::Many);
    // The resumed page is fetched from its start: count its hits again from 0.
    let mut at = ResumePoint {
        cursor: start.cursor.clone(),
        skip: 0,
    };
    let mut to_skip = start.skip;
    let mut printed = 0u64;
    while let Some(hit) = pages.next().await {
        let hit: AnyObject = match hit {
            Ok(hit) => hit,
            Err(err) => {
                if output.is_none() {
                    printer.finish()?;
                }
                return Err(stopped(ctx, &err, what, &at, output.as_ref(), printed));
            }
        };
        // Where the search continues after this hit.
        let cursor = pages.cursor().map(str::to_owned);
        if cursor == at.cursor {
            at.skip += 1;
        } else {
            at = ResumePoint { cursor, skip: 0 };
        }
        if to_skip > 0 {
            to_skip -= 1;
            continue;
        }
        let value = to_value(&hit).map_err(|e| e.into_cli_error(what))?;
        match output.as_mut() {
            Some(file) => file.record(&value, &query, &at, pages.is_exhausted())?,
            None => printer.object(&value)?,
        }
        printed += 1;
    }
    if output.is_none() {
        printer.finish()?;
    }
    if !ctx.settings.quiet {
        if let Some(file) = &output {
            let _ = writeln!(
                std::io::stderr(),
                "vt: {printed} hits written to {}",
                file.path.display()
            );
        } else if !args.page.all
            && !pages.is_exhausted()
            && let Some(c) = pages.cursor()
        {
            let _ = writeln!(
                std::io::stderr(),
                "vt: more hits: add --cursor {c} (or --all)"
            );
        }
    }
    Ok(Exit::Ok)
}

/// The error ending a search after `printed` hits, saying how to continue.
fn stopped(
    ctx: &Context,
    err: &vt_api::Error,
    what: &str,
    at: &ResumePoint,
    output: Option<&SearchOutput>,
    printed: u64,
) -> CliError {
    let base = fail(what, err);
    if item_error(err).stops_batch().is_none() || printed == 0 {
        return base;
    }
    let hint = crate::batch::resume_hint(std::env::args());
    let how = match output {
        Some(file) => format!(
            "; to continue: {hint} --output {} --resume",
            file.path.display()
        ),
        None => match &at.cursor {
            Some(c) if at.skip == 0 => format!("; to continue: add --cursor {c}"),
            _ => format!("; to continue without gaps: {hint} --output FILE --resume"),
        },
    };
    let _ = ctx;
    CliError {
        message: format!("{} after {printed} hits{how}", base.message),
        ..base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_are_checked() {
        assert!(check_order("positives-").is_ok());
        assert!(check_order("first_submission_date").is_ok());
        for bad in ["", "+", "positives--", "Positives", "size;drop"] {
            assert!(check_order(bad).is_err(), "{bad:?}");
        }
    }
}
