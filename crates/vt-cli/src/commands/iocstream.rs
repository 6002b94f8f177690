//! `vt iocstream list|get|delete` (alias `vt is`): the IoC stream, what your Livehunt
//! rulesets, Retrohunt jobs and subscriptions raised.
//!
//! Items print as the API sends them: the notified file, URL, domain or IP address with the
//! notification in `context_attributes` (`notification_id`, `origin`, `sources`, `tags`,
//! `hunting_info`). Filters and ids are checked before any request (exit 2).

use clap::{ArgGroup, Args, Subcommand};
use serde_json::json;
use vt_api::ioc_stream::{IocStreamFilter, check_notification_id};

use crate::cli::{BatchArgs, PageArgs};
use crate::commands::context::Context;
use crate::commands::lookup::lookup_batch;
use crate::commands::printing::{list, print_one};
use crate::exit::{CliError, CliResult, Exit};
use crate::item_error::fail;
use crate::output::Shape;

/// `vt iocstream`.
#[derive(Debug, Subcommand)]
pub enum IocStreamCommand {
    /// List the IoC stream, newest first.
    #[command(visible_alias = "il")]
    List(ListArgs),
    /// Notifications by id (vt-cli: `vt iocstream ID`); `-` reads stdin.
    Get(GetArgs),
    /// Delete notifications: by id, every one a filter matches, or all with --all.
    Delete(DeleteArgs),
}

/// `vt iocstream list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The API's filter: `origin:hunting|subscriptions`, `entity_type:file`, `entity_id:ID`,
    /// `source_type:hunting_ruleset|retrohunt_job|collection|threat_actor`, `source_id:ID`,
    /// `notification_tag:TAG`, `date:2026-12-01T00:00:00+` (space-separated, all must match).
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Option<String>,
    /// `date-` (newest first, the default) or `date+`.
    #[arg(long, value_name = "ORDER", value_parser = ["date-", "date+"])]
    pub order: Option<String>,
    /// Descriptors (type, id and the notification) only, without the objects' attributes.
    #[arg(long)]
    pub descriptors: bool,
    /// Paging.
    #[command(flatten)]
    pub page: PageArgs,
}

/// `vt iocstream get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// Notification ids (`context_attributes.notification_id`), or `-` for stdin.
    #[arg(required = true, value_name = "ID|-")]
    pub ids: Vec<String>,
    /// Batch options.
    #[command(flatten)]
    pub batch: BatchArgs,
}

/// `vt iocstream delete`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("what").required(true).args(["ids", "filter", "all"])))]
pub struct DeleteArgs {
    /// Notification ids, or `-` for stdin.
    #[arg(value_name = "ID|-")]
    pub ids: Vec<String>,
    /// Delete every notification this filter matches (VirusTotal deletes them in the
    /// background).
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Option<String>,
    /// Delete every notification of the IoC stream.
    #[arg(long)]
    pub all: bool,
}

/// Runs `vt iocstream ...`.
pub async fn run(ctx: &Context, cmd: IocStreamCommand) -> CliResult<Exit> {
    match cmd {
        IocStreamCommand::List(a) => list_stream(ctx, a).await,
        IocStreamCommand::Get(a) => get(ctx, a).await,
        IocStreamCommand::Delete(a) => delete(ctx, a).await,
    }
}

fn filter_arg(text: &str) -> CliResult<IocStreamFilter> {
    IocStreamFilter::raw(text)
        .map_err(|e| CliError::usage(format!("--filter: {}", crate::exit::error_chain(&e))))
}

async fn list_stream(ctx: &Context, args: ListArgs) -> CliResult<Exit> {
    let filter = args.filter.as_deref().map(filter_arg).transpose()?;
    let c = ctx.client()?;
    let mut pages = match &filter {
        Some(f) => c.ioc_stream().list_filtered(f),
        None => c.ioc_stream().list(),
    };
    if let Some(o) = args.order {
        pages = pages.order(o);
    }
    if args.descriptors {
        pages = pages.descriptors_only(true);
    }
    list(ctx, pages, &args.page, "ioc stream", Shape::Many).await
}

fn parse_id(s: &str) -> Result<String, String> {
    check_notification_id(s)
        .map(str::to_owned)
        .map_err(|e| format!("notification id: {e}"))
}

async fn get(ctx: &Context, args: GetArgs) -> CliResult<Exit> {
    lookup_batch(
        ctx,
        &args.ids,
        &args.batch,
        "ioc_stream_notification",
        parse_id,
        |c, id: String| async move { c.ioc_stream().notification(&id).await },
    )
    .await
}

async fn delete(ctx: &Context, args: DeleteArgs) -> CliResult<Exit> {
    if !args.ids.is_empty() {
        if args.filter.is_some() || args.all {
            return Err(CliError::usage(
                "give notification ids, or --filter, or --all: one of them",
            ));
        }
        let none = BatchArgs::default();
        return lookup_batch(
            ctx,
            &args.ids,
            &none,
            "ioc_stream_notification",
            parse_id,
            |c, id: String| async move {
                c.ioc_stream().delete_notification(&id).await?;
                Ok(json!({"type": "ioc_stream_notification", "id": id,
                    "attributes": {"deleted": true}}))
            },
        )
        .await;
    }
    let filter = match (&args.filter, args.all) {
        (Some(_), true) => {
            return Err(CliError::usage("--filter and --all: give one of them"));
        }
        (Some(f), false) => Some(filter_arg(f)?),
        (None, _) => None,
    };
    let c = ctx.client()?;
    let shown = filter.as_ref().map(ToString::to_string);
    match &filter {
        Some(f) => c.ioc_stream().delete(f).await,
        None => c.ioc_stream().delete_all().await,
    }
    .map_err(|e| fail("ioc stream deletion", &e))?;
    if !ctx.settings.quiet {
        eprintln!(
            "vt: VirusTotal deletes the notifications in the background; this can take a while"
        );
    }
    print_one(
        ctx,
        &json!({"type": "ioc_stream_deletion",
            "attributes": {"filter": shown, "status": "started"}}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_checked_before_sending() {
        assert!(filter_arg("origin:hunting").is_ok());
        let e = filter_arg("  ").unwrap_err();
        assert_eq!(e.exit, Exit::Usage);
        assert!(e.message.starts_with("--filter"), "{}", e.message);
        assert!(vt_api::ioc_stream::check_filter("a\u{1b}b").is_err());
    }
}
