//! Livehunt: `vt hunting ruleset list|get|create|update|enable|disable|rename|setlimit|
//! notification-emails|delete` and `vt hunting notifications list|get|delete|files`
//! (vt-cli's `ht`, `rs`, `nt`, `add`, `ls`, `rm` as aliases).
//!
//! Every command that sends rules compiles them locally first (with the `yara` feature):
//! rules that do not compile are exit 2 with the compiler's `file:line:column` message and
//! no request is sent.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use vt_api::hunting::RulesetChanges;

use crate::cli::PageArgs;
use crate::commands::context::Context;
use crate::commands::printing::{list, print_one};
use crate::exit::{CliError, CliResult, Exit};
use crate::item_error::{fail, to_value};
use crate::output::Shape;

/// `vt hunting`.
#[derive(Debug, Subcommand)]
pub enum HuntingCommand {
    /// Livehunt rulesets: YARA rules run on every new file.
    #[command(subcommand, visible_alias = "rs", alias = "rulesets")]
    Ruleset(RulesetCommand),
    /// Livehunt notifications: what the rulesets matched.
    #[command(subcommand, visible_alias = "nt", alias = "notification")]
    Notifications(NotificationsCommand),
}

/// `vt hunting ruleset`.
#[derive(Debug, Subcommand)]
pub enum RulesetCommand {
    /// Your rulesets.
    #[command(visible_alias = "ls")]
    List(RulesetListArgs),
    /// Rulesets by id.
    Get(IdsArgs),
    /// Create a ruleset from a rule file (compiled locally first).
    #[command(visible_alias = "add")]
    Create(RulesetCreateArgs),
    /// Change a ruleset: new rules (compiled locally first) and/or attributes.
    Update(RulesetUpdateArgs),
    /// Enable a ruleset.
    Enable(IdArgs),
    /// Disable a ruleset.
    Disable(IdArgs),
    /// Rename a ruleset (vt-cli's `rename`).
    Rename(RenameArgs),
    /// Set how many notifications a ruleset may raise per 24 hours (vt-cli's `setlimit`).
    Setlimit(SetLimitArgs),
    /// Set who gets an e-mail per notification (none: no one).
    #[command(alias = "notification_emails")]
    NotificationEmails(EmailsArgs),
    /// Delete rulesets by id, or every one of yours with `--all --confirm USER` (USER: your
    /// user name; their notifications stay).
    #[command(visible_alias = "rm", alias = "del")]
    Delete(RulesetDeleteArgs),
}

/// `vt hunting notifications`.
#[derive(Debug, Subcommand)]
pub enum NotificationsCommand {
    /// Your notifications, newest first, each with its file.
    #[command(visible_alias = "ls")]
    List(NotificationListArgs),
    /// Notifications by id.
    Get(IdsArgs),
    /// Delete notifications: by id, every one with a tag (--with-tag), or all (--all).
    #[command(visible_alias = "rm", alias = "del")]
    Delete(NotificationDeleteArgs),
    /// The files that matched, with their notification (rule, ruleset, date) in
    /// `context_attributes`.
    Files(NotificationFilesArgs),
}

/// One id.
#[derive(Debug, Args)]
pub struct IdArgs {
    /// The ruleset id.
    pub id: String,
}

/// Several ids.
#[derive(Debug, Args)]
pub struct IdsArgs {
    /// Ids.
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
}

/// `vt hunting ruleset delete`.
#[derive(Debug, Args)]
pub struct RulesetDeleteArgs {
    /// Ruleset ids.
    #[arg(
        value_name = "ID",
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    pub ids: Vec<String>,
    /// Delete every ruleset of yours; needs --confirm with your VirusTotal user name.
    #[arg(short, long, requires = "confirm")]
    pub all: bool,
    /// Your VirusTotal user name, confirming --all (sent as `x-confirm-delete`; VirusTotal
    /// refuses another name and deletes nothing).
    #[arg(long, value_name = "USER", requires = "all")]
    pub confirm: Option<String>,
}

/// `vt hunting ruleset list`.
#[derive(Debug, Args)]
pub struct RulesetListArgs {
    /// The API's filter: `enabled:true`, `name:foo` (`foo*` a prefix), `rules:word`, `tag:x`.
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Option<String>,
    /// Order: name, creation_date or modification_date, with + or -.
    #[arg(long, value_name = "FIELD±")]
    pub order: Option<String>,
    /// Paging.
    #[command(flatten)]
    pub page: PageArgs,
}

/// Attributes `create` and `update` set.
#[derive(Debug, Args)]
pub struct RulesetOptions {
    /// Notifications at most per 24 hours.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Who gets an e-mail per notification (repeatable).
    #[arg(long = "notification-email", value_name = "EMAIL")]
    pub notification_emails: Vec<String>,
    /// What the rules run on: file, url, domain or ip_address.
    #[arg(long, value_name = "TYPE")]
    pub match_object_type: Option<String>,
    /// The ruleset's own tags (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
}

/// `vt hunting ruleset create`.
#[derive(Debug, Args)]
pub struct RulesetCreateArgs {
    /// The ruleset's name.
    pub name: String,
    /// The rule file (`-` reads stdin).
    #[arg(value_name = "RULES.yar")]
    pub rules: PathBuf,
    /// Create it disabled.
    #[arg(long)]
    pub disabled: bool,
    /// Other attributes.
    #[command(flatten)]
    pub options: RulesetOptions,
}

/// `vt hunting ruleset update`.
#[derive(Debug, Args)]
pub struct RulesetUpdateArgs {
    /// The ruleset id.
    pub id: String,
    /// New rules from this file (`-` reads stdin).
    #[arg(value_name = "RULES.yar")]
    pub rules: Option<PathBuf>,
    /// A new name.
    #[arg(long)]
    pub name: Option<String>,
    /// Other attributes.
    #[command(flatten)]
    pub options: RulesetOptions,
}

/// `vt hunting ruleset rename`.
#[derive(Debug, Args)]
pub struct RenameArgs {
    /// The ruleset id.
    pub id: String,
    /// The new name.
    pub name: String,
}

/// `vt hunting ruleset setlimit`.
#[derive(Debug, Args)]
pub struct SetLimitArgs {
    /// The ruleset id.
    pub id: String,
    /// Notifications at most per 24 hours.
    pub limit: u64,
}

/// `vt hunting ruleset notification-emails`.
#[derive(Debug, Args)]
pub struct EmailsArgs {
    /// The ruleset id.
    pub id: String,
    /// E-mail addresses (none: no one).
    #[arg(value_name = "EMAIL")]
    pub emails: Vec<String>,
}

/// `vt hunting notifications list`.
#[derive(Debug, Args)]
pub struct NotificationListArgs {
    /// The API's filter, e.g. `tag:<rule name>` (tags: file SHA-256, ruleset and rule names).
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Option<String>,
    /// Paging.
    #[command(flatten)]
    pub page: PageArgs,
}

/// `vt hunting notifications delete`.
#[derive(Debug, Args)]
pub struct NotificationDeleteArgs {
    /// Notification ids.
    #[arg(value_name = "ID", required_unless_present_any = ["all", "with_tag"],
          conflicts_with_all = ["all", "with_tag"])]
    pub ids: Vec<String>,
    /// Delete every notification.
    #[arg(short, long, conflicts_with = "with_tag")]
    pub all: bool,
    /// Delete the notifications with this tag.
    #[arg(short = 't', long, value_name = "TAG")]
    pub with_tag: Option<String>,
}

/// `vt hunting notifications files`.
#[derive(Debug, Args)]
pub struct NotificationFilesArgs {
    /// Exact keywords: rule name, ruleset name, file hash, date (YYYY-MM-DD).
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Option<String>,
    /// Paging.
    #[command(flatten)]
    pub page: PageArgs,
}

/// Runs a `vt hunting` command.
pub async fn run(ctx: &Context, cmd: HuntingCommand) -> CliResult<Exit> {
    match cmd {
        HuntingCommand::Ruleset(c) => ruleset(ctx, c).await,
        HuntingCommand::Notifications(c) => notifications(ctx, c).await,
    }
}

async fn ruleset(ctx: &Context, cmd: RulesetCommand) -> CliResult<Exit> {
    match cmd {
        RulesetCommand::List(a) => {
            let c = ctx.client()?;
            let mut pages = c.hunting().rulesets();
            if let Some(f) = a.filter {
                pages = pages.filter(f);
            }
            if let Some(o) = a.order {
                pages = pages.order(o);
            }
            list(ctx, pages, &a.page, "hunting rulesets", Shape::Many).await
        }
        RulesetCommand::Get(a) => {
            check_ids(&a.ids, "ruleset")?;
            let c = ctx.client()?;
            each(ctx, &a.ids, "hunting ruleset", |id| {
                let c = c.clone();
                async move { to_json(c.hunting().ruleset(&id).await) }
            })
            .await
        }
        RulesetCommand::Create(a) => {
            // A new ruleset is a file ruleset unless --match-object-type says otherwise.
            let kind = a.options.match_object_type.as_deref().unwrap_or("file");
            let text = rules_from(ctx, &a.rules, Some(kind))?;
            let changes = options(a.options).enabled(!a.disabled);
            let c = ctx.client()?;
            let what = format!("hunting ruleset {}", a.name);
            let rs = c
                .hunting()
                .create_ruleset(&a.name, &text, changes)
                .await
                .map_err(|e| fail(&what, &e))?;
            print_one(ctx, &to_value(&rs).map_err(|e| e.into_cli_error(&what))?)
        }
        RulesetCommand::Update(a) => {
            check_ids(std::slice::from_ref(&a.id), "ruleset")?;
            // Without --match-object-type the ruleset's type is not known here: rules that
            // compile for any type are sent, VirusTotal checks them against the ruleset's.
            let kind = a.options.match_object_type.clone();
            let mut changes = options(a.options);
            if let Some(name) = a.name {
                changes = changes.name(name);
            }
            if let Some(path) = &a.rules {
                changes = changes.rules(rules_from(ctx, path, kind.as_deref())?);
            }
            if changes.is_empty() {
                return Err(CliError::usage(format!(
                    "hunting ruleset {}: nothing to change (give RULES.yar or an option)",
                    a.id
                )));
            }
            update(ctx, &a.id, changes).await
        }
        RulesetCommand::Enable(a) => update(ctx, &a.id, RulesetChanges::new().enabled(true)).await,
        RulesetCommand::Disable(a) => {
            update(ctx, &a.id, RulesetChanges::new().enabled(false)).await
        }
        RulesetCommand::Rename(a) => update(ctx, &a.id, RulesetChanges::new().name(a.name)).await,
        RulesetCommand::Setlimit(a) => {
            update(ctx, &a.id, RulesetChanges::new().limit(a.limit)).await
        }
        RulesetCommand::NotificationEmails(a) => {
            update(
                ctx,
                &a.id,
                RulesetChanges::new().notification_emails(a.emails),
            )
            .await
        }
        RulesetCommand::Delete(a) => {
            if a.all {
                return delete_all_rulesets(ctx, a.confirm.as_deref().unwrap_or_default()).await;
            }
            check_ids(&a.ids, "ruleset")?;
            let c = ctx.client()?;
            each(ctx, &a.ids, "hunting ruleset", |id| {
                let c = c.clone();
                async move {
                    c.hunting().delete_ruleset(&id).await?;
                    Ok(serde_json::json!({"type": "hunting_ruleset", "id": id, "deleted": true}))
                }
            })
            .await
        }
    }
}

/// `vt hunting ruleset delete --all --confirm USER`: one request that deletes every ruleset
/// of the key's user, confirmed by that user's name.
async fn delete_all_rulesets(ctx: &Context, user: &str) -> CliResult<Exit> {
    let what = "every hunting ruleset";
    let c = ctx.client()?;
    c.hunting().delete_all_rulesets(user).await.map_err(|e| {
        // A blank or malformed --confirm is refused before any request: bad input.
        if e.is_invalid_input() {
            CliError::usage(format!("--confirm: {e}"))
        } else {
            fail(what, &e)
        }
    })?;
    if !ctx.settings.quiet {
        eprintln!("vt: deleted every hunting ruleset of {user} (their notifications stay)");
    }
    Ok(Exit::Ok)
}

async fn notifications(ctx: &Context, cmd: NotificationsCommand) -> CliResult<Exit> {
    match cmd {
        NotificationsCommand::List(a) => {
            let c = ctx.client()?;
            let mut pages = c.hunting().notifications();
            if let Some(f) = a.filter {
                pages = pages.filter(f);
            }
            list(ctx, pages, &a.page, "hunting notifications", Shape::Many).await
        }
        NotificationsCommand::Get(a) => {
            check_ids(&a.ids, "notification")?;
            let c = ctx.client()?;
            each(ctx, &a.ids, "hunting notification", |id| {
                let c = c.clone();
                async move { to_json(c.hunting().notification(&id).await) }
            })
            .await
        }
        NotificationsCommand::Delete(a) => {
            let c = ctx.client()?;
            if a.all || a.with_tag.is_some() {
                let what = match &a.with_tag {
                    Some(t) => format!("hunting notifications with tag {t}"),
                    None => "hunting notifications".to_owned(),
                };
                c.hunting()
                    .delete_notifications(a.with_tag.as_deref())
                    .await
                    .map_err(|e| fail(&what, &e))?;
                return Ok(Exit::Ok);
            }
            check_ids(&a.ids, "notification")?;
            each(ctx, &a.ids, "hunting notification", |id| {
                let c = c.clone();
                async move {
                    c.hunting().delete_notification(&id).await?;
                    Ok(serde_json::json!({"type": "hunting_notification", "id": id, "deleted": true}))
                }
            })
            .await
        }
        NotificationsCommand::Files(a) => {
            let c = ctx.client()?;
            let mut pages = c.hunting().notification_files();
            if let Some(f) = a.filter {
                pages = pages.filter(f);
            }
            list(
                ctx,
                pages,
                &a.page,
                "hunting notification files",
                Shape::Many,
            )
            .await
        }
    }
}

/// The attributes of `--limit`, `--notification-email`, `--match-object-type`, `--tag`.
fn options(o: RulesetOptions) -> RulesetChanges {
    let mut c = RulesetChanges::new();
    if let Some(l) = o.limit {
        c = c.limit(l);
    }
    if !o.notification_emails.is_empty() {
        c = c.notification_emails(o.notification_emails);
    }
    if let Some(t) = o.match_object_type {
        c = c.match_object_type(t);
    }
    if !o.tags.is_empty() {
        c = c.tags(o.tags);
    }
    c
}

async fn update(ctx: &Context, id: &str, changes: RulesetChanges) -> CliResult<Exit> {
    check_ids(&[id.to_owned()], "ruleset")?;
    let c = ctx.client()?;
    let what = format!("hunting ruleset {id}");
    let rs = c
        .hunting()
        .update_ruleset(id, changes)
        .await
        .map_err(|e| fail(&what, &e))?;
    print_one(ctx, &to_value(&rs).map_err(|e| e.into_cli_error(&what))?)
}

/// The rules of `path`, compiled locally (exit 2 with `file:line:column` when they do not
/// compile; warnings on stderr).
#[cfg(feature = "yara")]
fn rules_from(ctx: &Context, path: &Path, match_object_type: Option<&str>) -> CliResult<String> {
    use vt_api::yara::RulesTarget;
    let known = match_object_type.and_then(RulesTarget::from_match_object_type);
    let targets: &[RulesTarget] = match &known {
        Some(t) => std::slice::from_ref(t),
        None => &RulesTarget::LIVEHUNT,
    };
    crate::commands::yara::read_and_check(ctx, path, targets).map(|c| c.text)
}

/// The rules of `path`, checked as the library does without yara-x (not empty, UTF-8,
/// size).
#[cfg(not(feature = "yara"))]
fn rules_from(_ctx: &Context, path: &Path, match_object_type: Option<&str>) -> CliResult<String> {
    let origin = path.display().to_string();
    let bytes = if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut buf).map(|_| buf)
    } else {
        std::fs::read(path)
    }
    .map_err(|e| CliError::usage(format!("{origin}: cannot read: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::usage(format!("{origin}: the ruleset is not UTF-8 text")))?;
    vt_api::hunting::check_rules_for(&text, match_object_type)
        .map_err(|e| CliError::usage(format!("{origin}: {e}")))?;
    Ok(text)
}

/// Ids must be printable without `/` (ruleset ids are numeric, notification ids
/// `<digits>-<digits>-<hex>`; others are sent with a `-v` note).
fn check_ids(ids: &[String], what: &str) -> CliResult<()> {
    for id in ids {
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_graphic() && b != b'/') {
            return Err(CliError::usage(format!(
                "hunting {what} id {id:?}: not an id (printable ASCII, no `/`)"
            )));
        }
        let known = match what {
            "ruleset" => id.bytes().all(|b| b.is_ascii_digit()),
            _ => id.split('-').count() == 3,
        };
        if !known {
            tracing::info!(target: "vt", "hunting {what} id {id}: not of the form this version knows; sent as given");
        }
    }
    Ok(())
}

/// A model object back to JSON (lossless; our models always serialize).
fn to_json<T: serde::Serialize>(r: vt_api::Result<T>) -> vt_api::Result<serde_json::Value> {
    Ok(serde_json::to_value(&r?).unwrap_or_default())
}

/// Runs `call` for each id in turn, printing each answer; an item the API refuses (not
/// found, ...) is printed as a failure and the others go on (exit 1); an error that would
/// fail every item (auth, quota, network) stops.
async fn each<F, Fut>(ctx: &Context, ids: &[String], what: &str, call: F) -> CliResult<Exit>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = vt_api::Result<serde_json::Value>>,
{
    let mut printer = ctx.printer(if ids.len() == 1 {
        Shape::One
    } else {
        Shape::Many
    });
    let mut failed = false;
    for id in ids {
        match call(id.clone()).await {
            Ok(v) => printer.object(&v)?,
            Err(e) if e.is_final_for_item() => {
                failed = true;
                let code = e
                    .api_code()
                    .map_or("Error".to_owned(), |c| c.as_str().to_owned());
                printer.failure(what, id, &code, &e.to_string())?;
            }
            Err(e) => {
                printer.finish_after_error()?;
                return Err(fail(&format!("{what} {id}"), &e));
            }
        }
    }
    printer.finish()?;
    Ok(if failed { Exit::ItemsFailed } else { Exit::Ok })
}
