//! `vt collection create|get|update|rename|add|remove|delete|list|related`: collections of
//! indicators.
//!
//! Indicators come from the arguments, stdin (`-`) and `--file FILE` (one or more per line,
//! blank lines and `#` comments skipped), are de-duplicated and each validated by
//! [`vt_model::Indicator`] before any request: a bad one is a line on stderr naming it, exit
//! 2, nothing sent.

use std::io::Read;
use std::path::PathBuf;

use clap::{ArgGroup, Args, Subcommand};
use serde_json::json;
use vt_api::collections::{CollectionUpdate, check_collection_id, check_collection_name};
use vt_model::{Indicator, IocCollection};

use crate::batch::{dedupe, validate_all};
use crate::cli::{BatchArgs, PageArgs};
use crate::commands::context::Context;
use crate::commands::lookup::lookup_batch;
use crate::commands::printing::{list, print_one};
use crate::exit::{CliError, CliResult, Exit};
use crate::item_error::{fail, to_value};
use crate::output::Shape;

/// `vt collection`.
#[derive(Debug, Subcommand)]
pub enum CollectionCommand {
    /// Create a collection from indicators (file hashes, URLs, domains, IP addresses).
    Create(CreateArgs),
    /// Collections by id; `-` reads stdin.
    Get(GetArgs),
    /// Change a collection's name and/or description.
    Update(UpdateArgs),
    /// Rename a collection (vt-cli's `vt collection rename ID NAME`).
    Rename(RenameArgs),
    /// Add indicators to a collection (vt-cli: `vt collection update ID IOC...`).
    Add(ItemsArgs),
    /// Remove indicators from a collection.
    Remove(ItemsArgs),
    /// Delete collections.
    Delete(DeleteArgs),
    /// A user's collections (yours by default).
    List(ListArgs),
    /// The objects of a collection's relationship (files, urls, domains, ip_addresses,
    /// owner, comments, ...).
    Related(RelatedArgs),
}

/// Where indicators come from.
#[derive(Debug, Clone, Args)]
pub struct IndicatorArgs {
    /// Indicators (MD5/SHA-1/SHA-256, URLs, domains, IP addresses; defanged `hxxp://` and
    /// `[.]` accepted), or `-` for stdin (one or more per line, `#` comments skipped).
    #[arg(value_name = "IOC|-")]
    pub iocs: Vec<String>,
    /// Read indicators from FILE too (same format as stdin).
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
}

/// `vt collection create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The collection's name.
    #[arg(short, long, value_name = "NAME")]
    pub name: String,
    /// Its description.
    #[arg(short, long, value_name = "TEXT")]
    pub description: Option<String>,
    /// The indicators.
    #[command(flatten)]
    pub indicators: IndicatorArgs,
}

/// `vt collection get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// Collection ids, or `-` for stdin (one per line).
    #[arg(required = true, value_name = "ID|-")]
    pub ids: Vec<String>,
    /// Include these relationships' descriptors (comma-separated: files,domains,owner,...).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub relationships: Vec<String>,
    /// Batch options.
    #[command(flatten)]
    pub batch: BatchArgs,
}

/// `vt collection update`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("change").required(true).multiple(true).args(["name", "description"])))]
pub struct UpdateArgs {
    /// The collection's id.
    pub id: String,
    /// A new name.
    #[arg(short, long, value_name = "NAME")]
    pub name: Option<String>,
    /// A new description (`""` clears it).
    #[arg(short, long, value_name = "TEXT")]
    pub description: Option<String>,
}

/// `vt collection rename`.
#[derive(Debug, Args)]
pub struct RenameArgs {
    /// The collection's id.
    pub id: String,
    /// The new name.
    pub name: String,
}

/// `vt collection add|remove`.
#[derive(Debug, Args)]
pub struct ItemsArgs {
    /// The collection's id.
    pub id: String,
    /// The indicators.
    #[command(flatten)]
    pub indicators: IndicatorArgs,
}

/// `vt collection delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Collection ids, or `-` for stdin.
    #[arg(required = true, value_name = "ID|-")]
    pub ids: Vec<String>,
}

/// `vt collection list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Whose collections: a user id [default: yours, by the API key].
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// Only collections whose name contains TEXT (`name:TEXT` in the API's filter).
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,
    /// Sort by creation_date, last_modification_date or subscribers_count, with + or -.
    #[arg(long, value_name = "FIELD±")]
    pub order: Option<String>,
    /// Paging.
    #[command(flatten)]
    pub page: PageArgs,
}

/// `vt collection related`.
#[derive(Debug, Args)]
pub struct RelatedArgs {
    /// The collection's id.
    pub id: String,
    /// The relationship (files, urls, domains, ip_addresses, owner, comments, ...).
    pub relationship: String,
    /// Descriptors (type and id) only.
    #[arg(long)]
    pub descriptors: bool,
    /// Paging.
    #[command(flatten)]
    pub page: PageArgs,
}

/// Runs `vt collection ...`.
pub async fn run(ctx: &Context, cmd: CollectionCommand) -> CliResult<Exit> {
    match cmd {
        CollectionCommand::Create(a) => create(ctx, a).await,
        CollectionCommand::Get(a) => get(ctx, a).await,
        CollectionCommand::Update(a) => {
            let mut update = CollectionUpdate::new();
            if let Some(n) = a.name {
                update = update.name(n);
            }
            if let Some(d) = a.description {
                update = update.description(d);
            }
            update_with(ctx, &a.id, update).await
        }
        CollectionCommand::Rename(a) => {
            update_with(ctx, &a.id, CollectionUpdate::new().name(a.name)).await
        }
        CollectionCommand::Add(a) => change(ctx, a, true).await,
        CollectionCommand::Remove(a) => change(ctx, a, false).await,
        CollectionCommand::Delete(a) => delete(ctx, a).await,
        CollectionCommand::List(a) => list_of(ctx, a).await,
        CollectionCommand::Related(a) => related(ctx, a).await,
    }
}

fn usage(err: &vt_api::Error) -> CliError {
    CliError::usage(crate::exit::error_chain(err))
}

/// A collection id argument, checked by the library's rule.
fn one_id(id: &str) -> CliResult<String> {
    check_collection_id(id.trim())
        .map(str::to_owned)
        .map_err(|e| usage(&e))
}

/// The whitespace-separated tokens of text, `#` comment lines skipped.
fn tokens_of(text: &str, out: &mut Vec<String>) {
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') {
            continue;
        }
        out.extend(line.split_whitespace().map(str::to_owned));
    }
}

/// Reads, de-duplicates and validates the indicators: every bad one on its own line (exit 2,
/// nothing sent).
fn read_indicators(args: &IndicatorArgs) -> CliResult<Vec<Indicator>> {
    let mut tokens = Vec::new();
    let mut stdin_read = false;
    for arg in &args.iocs {
        if arg == "-" {
            if !stdin_read {
                stdin_read = true;
                let mut text = String::new();
                std::io::stdin()
                    .read_to_string(&mut text)
                    .map_err(|e| CliError::usage(format!("reading stdin: {e}")))?;
                tokens_of(&text, &mut tokens);
            }
        } else {
            tokens.push(arg.clone());
        }
    }
    if let Some(path) = &args.file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::usage(format!("--file {}: {e}", path.display())))?;
        tokens_of(&text, &mut tokens);
    }
    let tokens = dedupe(tokens);
    if tokens.is_empty() {
        return Err(CliError::usage(
            "no indicator given (arguments, `-` for stdin, or --file FILE)",
        ));
    }
    let checked = validate_all("indicator", tokens, |t| {
        Indicator::parse(t).map_err(|e| e.to_string())
    })?;
    let mut seen = std::collections::HashSet::new();
    Ok(checked
        .into_iter()
        .map(|(_, i)| i)
        .filter(|i| seen.insert(i.clone()))
        .collect())
}

fn collection_value(c: &IocCollection) -> CliResult<serde_json::Value> {
    to_value(c).map_err(|e| e.into_cli_error("collection"))
}

async fn create(ctx: &Context, args: CreateArgs) -> CliResult<Exit> {
    check_collection_name(&args.name).map_err(|e| usage(&e))?;
    let indicators = read_indicators(&args.indicators)?;
    let c = ctx.client()?;
    let created = c
        .collections()
        .create(&args.name, args.description.as_deref(), &indicators)
        .await
        .map_err(|e| fail(&format!("collection {:?}", args.name), &e))?;
    print_one(ctx, &collection_value(&created)?)
}

async fn get(ctx: &Context, args: GetArgs) -> CliResult<Exit> {
    for rel in &args.relationships {
        vt_model::RelationshipName::parse(rel)
            .map_err(|e| CliError::usage(format!("--relationships: {e}")))?;
    }
    let rels = args.relationships.clone();
    lookup_batch(
        ctx,
        &args.ids,
        &args.batch,
        "collection",
        |s| {
            check_collection_id(s)
                .map(str::to_owned)
                .map_err(|e| e.to_string())
        },
        |c, id: String| {
            let rels = rels.clone();
            async move {
                let rels: Vec<&str> = rels.iter().map(String::as_str).collect();
                c.collections().get_with_relationships(&id, &rels).await
            }
        },
    )
    .await
}

async fn update_with(ctx: &Context, id: &str, update: CollectionUpdate) -> CliResult<Exit> {
    let id = one_id(id)?;
    if let Some(n) = &update.name {
        check_collection_name(n).map_err(|e| usage(&e))?;
    }
    let c = ctx.client()?;
    let updated = c
        .collections()
        .update(&id, &update)
        .await
        .map_err(|e| fail(&format!("collection {id}"), &e))?;
    print_one(ctx, &collection_value(&updated)?)
}

/// `add` / `remove`, then the collection as it now is.
async fn change(ctx: &Context, args: ItemsArgs, add: bool) -> CliResult<Exit> {
    let id = one_id(&args.id)?;
    let indicators = read_indicators(&args.indicators)?;
    let c = ctx.client()?;
    let what = format!("collection {id}");
    let collections = c.collections();
    let sent = if add {
        collections.add(&id, &indicators).await
    } else {
        collections.remove(&id, &indicators).await
    };
    sent.map_err(|e| fail(&what, &e))?;
    let now = collections.get(&id).await.map_err(|e| fail(&what, &e))?;
    print_one(ctx, &collection_value(&now)?)
}

async fn delete(ctx: &Context, args: DeleteArgs) -> CliResult<Exit> {
    let none = BatchArgs::default();
    lookup_batch(
        ctx,
        &args.ids,
        &none,
        "collection",
        |s| {
            check_collection_id(s)
                .map(str::to_owned)
                .map_err(|e| e.to_string())
        },
        |c, id: String| async move {
            c.collections().delete(&id).await?;
            Ok(json!({"type": "collection", "id": id, "attributes": {"deleted": true}}))
        },
    )
    .await
}

async fn list_of(ctx: &Context, args: ListArgs) -> CliResult<Exit> {
    let user = match &args.user {
        Some(u) if u.trim().is_empty() || u.contains(|c: char| c.is_whitespace() || c == '/') => {
            return Err(CliError::usage(format!("--user {u:?}: no spaces or `/`")));
        }
        Some(u) => u.trim().to_owned(),
        None => ctx.settings.require_key()?.expose().to_owned(),
    };
    if let Some(order) = &args.order {
        let field = order.trim_end_matches(['+', '-']);
        if !matches!(
            field,
            "creation_date" | "last_modification_date" | "subscribers_count"
        ) {
            return Err(CliError::usage(format!(
                "--order {order:?}: creation_date, last_modification_date or subscribers_count, with + or -"
            )));
        }
    }
    if let Some(n) = &args.name
        && (n.trim().is_empty() || n.chars().any(char::is_control))
    {
        return Err(CliError::usage(format!(
            "--name {n:?}: give some text without control characters"
        )));
    }
    let c = ctx.client()?;
    let mut pages = c.collections().list(&user);
    if let Some(n) = &args.name {
        pages = pages.filter(format!("name:{}", n.trim()));
    }
    if let Some(o) = &args.order {
        pages = pages.order(o.clone());
    }
    list(ctx, pages, &args.page, "collections", Shape::Many).await
}

async fn related(ctx: &Context, args: RelatedArgs) -> CliResult<Exit> {
    let id = one_id(&args.id)?;
    // Open world: a well-formed unknown name is sent, a near miss gets a "did you mean".
    crate::commands::objects::relationship("collection", &args.relationship, ctx.settings.quiet)?;
    let c = ctx.client()?;
    let what = format!("collection {id} {}", args.relationship);
    if args.descriptors {
        let pages = c.collections().related_descriptors(&id, &args.relationship);
        list(ctx, pages, &args.page, &what, Shape::Many).await
    } else {
        let pages = c.collections().related(&id, &args.relationship);
        list(ctx, pages, &args.page, &what, Shape::Many).await
    }
}
