//! One module per command family, and the [`Context`] they share.

pub mod analyses;
pub mod cache;
pub mod config;
pub mod emulator;
pub mod files;
pub mod misc;
pub mod monitor;
pub mod network;
pub mod objects;
pub mod private;
pub mod sandbox;
pub mod urls;
pub mod v2;

use std::sync::OnceLock;

use clap::ArgMatches;
use serde_json::Value;

use crate::batch::{BatchSettings, ItemError};
use std::io::Write;

use crate::cli::{BatchArgs, Cli, Command, ConfigCommand, PageArgs, ScanCommand};
use crate::config::Settings;
use crate::exit::{CliError, CliResult, Exit, error_chain};
use crate::output::fields::FieldFilter;
use crate::output::{Item, OutputOptions, Printer, Shape};
use crate::progress::Progress;
use vt_api::files::SandboxArtifact;

/// What every command gets: settings, output options, progress, and the client (built on
/// first use, so local commands never need a key).
pub struct Context {
    /// Effective settings.
    pub settings: Settings,
    /// Output options.
    pub output: OutputOptions,
    /// Progress bars on stderr.
    pub progress: Progress,
    /// How `--wait` polls an analysis (`--wait-timeout`).
    pub wait: vt_api::WaitOptions,
    client: OnceLock<ApiClient>,
}

impl Context {
    /// Builds the context from the parsed command line.
    pub fn new(cli: &Cli, matches: &ArgMatches) -> CliResult<Context> {
        let creating = matches!(cli.command, Command::Config(ConfigCommand::Init(_)));
        let settings = Settings::resolve(&cli.global, matches, creating)?;
        let filter = FieldFilter::new(&cli.global.include, &cli.global.exclude);
        let output = OutputOptions::new(settings.format.0, filter, cli.global.identifiers_only);
        let progress = Progress::new(settings.quiet);
        let mut wait = vt_api::WaitOptions::new();
        if let Some(timeout) = cli.global.wait_timeout {
            wait = wait.timeout(timeout);
        }
        Ok(Context {
            settings,
            output,
            progress,
            wait,
            client: OnceLock::new(),
        })
    }

    /// A printer on stdout.
    pub fn printer(&self, shape: Shape) -> Printer {
        Printer::stdout(self.output.clone(), shape)
    }

    /// The settings of a batch over `kind` objects.
    pub fn batch<'a>(&self, kind: &'a str, args: &'a BatchArgs) -> BatchSettings<'a> {
        BatchSettings {
            kind,
            args,
            concurrency: self.settings.concurrency.0,
            progress: self.progress,
            quiet: self.settings.quiet,
            resume_hint: resume_hint(std::env::args()),
        }
    }

    /// The API client (the key is required from here on).
    pub fn client(&self) -> CliResult<ApiClient> {
        if let Some(c) = self.client.get() {
            return Ok(c.clone());
        }
        let client = build_client(&self.settings)?;
        Ok(self.client.get_or_init(|| client).clone())
    }
}

/// The client type the CLI uses.
pub type ApiClient = vt_api::Client;

/// Builds the client from the settings: the key, base URL, rate limit, retries, timeouts,
/// proxy and concurrency. Every problem here is local (exit 2 or 3), before any request.
fn build_client(settings: &Settings) -> CliResult<ApiClient> {
    let key = settings.require_key()?;
    crate::logging::register_secret(key.expose());
    let spec: vt_api::RateLimitSpec = settings.rate_limit.0.parse().map_err(|e| {
        CliError::usage(format!("rate limit: {e}"))
            .with_detail("examples: public, premium:1000, none, 20/s, 4/min,500/day")
    })?;
    // The tier sets the v2 batch size (4 or 25); the rate limit is the tier's default unless
    // one was given (Settings::resolve fills it in).
    let mut builder = vt_api::Client::builder()
        .api_key(key.expose())
        .base_url(settings.base_url.0.clone())
        .user_agent(format!("vt-cli/{}", env!("CARGO_PKG_VERSION")))
        .tier(settings.tier.0)
        .rate_limit(spec)
        .max_retries(settings.retries.0)
        .response_timeout(settings.timeout.0)
        .idle_timeout(settings.timeout.0)
        .concurrency(settings.concurrency.0.max(1));
    if let Some((proxy, _)) = &settings.proxy {
        builder = builder.proxy(proxy.clone());
    }
    if let Some(store) = settings.cache.open_for_run()? {
        builder = builder.cache(store, settings.cache.policy());
    }
    builder.build().map_err(|e| {
        let what = if e.is_invalid_input() {
            "base URL"
        } else {
            "client setup"
        };
        CliError::usage(format!("{what}: {}", error_chain(&e)))
    })
}

/// The command line to suggest when a batch must be resumed: the arguments as given, without
/// `--api-key` (never printed), `--output` and `--resume`.
pub fn resume_hint(args: impl IntoIterator<Item = String>) -> String {
    let mut out = Vec::new();
    let mut skip_next = false;
    for (i, arg) in args.into_iter().enumerate() {
        if skip_next {
            skip_next = false;
            continue;
        }
        if i == 0 {
            out.push("vt".to_owned());
            continue;
        }
        if arg == "--api-key" || arg == "--output" {
            skip_next = true;
            continue;
        }
        if arg.starts_with("--api-key=") || arg.starts_with("--output=") || arg == "--resume" {
            continue;
        }
        if arg.is_empty()
            || arg.contains(|c: char| c.is_whitespace() || "'\"$`\\|&;<>()*?!".contains(c))
        {
            out.push(format!("'{}'", arg.replace('\'', r"'\''")));
        } else {
            out.push(arg);
        }
    }
    out.join(" ")
}

/// Classifies a library error for batches and exit codes.
pub fn item_error(err: &vt_api::Error) -> ItemError {
    let api = |code: String, message: String| (code, message);
    match err {
        vt_api::Error::Api { code, message, .. } => {
            let (code, message) = api(code.to_string(), message.clone());
            if err.is_quota() {
                ItemError::Quota { code, message }
            } else if err.is_auth() {
                ItemError::Auth { code, message }
            } else {
                ItemError::Api { code, message }
            }
        }
        _ if err.is_quota() => ItemError::Quota {
            code: "QuotaExceededError".into(),
            message: error_chain(err),
        },
        vt_api::Error::UnexpectedStatus { status, .. } => {
            let code = format!("HTTP{}", status.as_u16());
            if err.is_auth() {
                ItemError::Auth {
                    code,
                    message: error_chain(err),
                }
            } else {
                ItemError::Api {
                    code,
                    message: error_chain(err),
                }
            }
        }
        vt_api::Error::Transport(_) => ItemError::Transport {
            message: error_chain(err),
        },
        _ if err.is_invalid_input() => ItemError::Local {
            message: error_chain(err),
        },
        vt_api::Error::Io { .. } => ItemError::Local {
            message: error_chain(err),
        },
        vt_api::Error::AnalysisTimeout { .. } => ItemError::Api {
            code: "AnalysisTimeoutError".into(),
            message: error_chain(err),
        },
        vt_api::Error::Decode { .. } => ItemError::Api {
            code: "DecodeError".into(),
            message: error_chain(err),
        },
        _ => ItemError::Api {
            code: "ClientError".into(),
            message: error_chain(err),
        },
    }
}

/// The error ending a single-object command.
pub fn fail(what: &str, err: &vt_api::Error) -> CliError {
    item_error(err)
        .into_cli_error(what)
        .with_detail(error_chain(err))
}

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
        |_, item| {
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
impl IntoItem for Box<serde_json::value::RawValue> {
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

/// Serializes a typed API object back into JSON (losslessly: unknown fields are kept).
pub fn to_value<T: serde::Serialize>(value: &T) -> Result<Value, ItemError> {
    serde_json::to_value(value).map_err(|e| ItemError::Api {
        code: "ClientError".into(),
        message: format!("cannot encode the answer as JSON: {e}"),
    })
}

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
    while let Some(item) = pages.next().await {
        match item
            .map_err(|e| fail(what, &e))
            .and_then(|v| to_value(&v).map_err(|e| e.into_cli_error(what)))
        {
            Ok(value) => printer.object(&value)?,
            Err(err) => {
                printer.finish()?;
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

/// Runs the command.
pub async fn dispatch(cli: Cli, matches: &ArgMatches) -> CliResult<Exit> {
    if let Command::Completions(args) = &cli.command {
        let mut cmd = <Cli as clap::CommandFactory>::command();
        // Into a buffer first: clap_complete panics when its writer fails (`| head`).
        let mut script = Vec::new();
        clap_complete::generate(args.shell, &mut cmd, "vt", &mut script);
        let mut stdout = std::io::stdout();
        stdout
            .write_all(&script)
            .and_then(|()| stdout.flush())
            .map_err(crate::output::output_error)?;
        return Ok(Exit::Ok);
    }
    if let Command::Emulator(cmd) = cli.command {
        return emulator::run(cmd).await;
    }
    let ctx = Context::new(&cli, matches)?;
    match cli.command {
        Command::Config(ConfigCommand::Init(args)) => config::init(&ctx, &args),
        Command::Config(ConfigCommand::Show) => config::show(&ctx),
        Command::Cache(cmd) => cache::run(&ctx, cmd),
        Command::Hash(args) => files::hash(&ctx, args).await,
        Command::File(args) => files::file(&ctx, args).await,
        Command::Scan(ScanCommand::File(args)) if args.private.private => {
            private::scan_file(&ctx, args).await
        }
        Command::Scan(ScanCommand::File(args)) => files::scan_file(&ctx, args).await,
        Command::Download(args) => files::download(&ctx, args).await,
        Command::DownloadUrl(args) => files::download_url(&ctx, args).await,
        Command::Pcap(args) => sandbox::artifact(&ctx, SandboxArtifact::Pcap, args).await,
        Command::Html(args) => sandbox::artifact(&ctx, SandboxArtifact::Html, args).await,
        Command::Evtx(args) => sandbox::artifact(&ctx, SandboxArtifact::Evtx, args).await,
        Command::Memdump(args) => sandbox::artifact(&ctx, SandboxArtifact::Memdump, args).await,
        Command::Behaviours(args) => sandbox::behaviours(&ctx, args).await,
        Command::BehaviourSummary(args) => sandbox::summary(&ctx, args).await,
        Command::Mitre(args) => sandbox::mitre(&ctx, args).await,
        Command::Private(cmd) => private::run(&ctx, cmd).await,
        Command::UrlId(args) => urls::url_id(&ctx, args),
        Command::Url(args) => urls::url(&ctx, args).await,
        Command::NetworkLocation(args) => urls::network_location(&ctx, args).await,
        Command::Scan(ScanCommand::Url(args)) if args.private.private => {
            private::scan_url(&ctx, args).await
        }
        Command::Scan(ScanCommand::Url(args)) => urls::scan_url(&ctx, args).await,
        Command::Domain(args) => network::domain(&ctx, args).await,
        Command::Ip(args) => network::ip(&ctx, args).await,
        Command::Analysis(args) => analyses::analysis(&ctx, args).await,
        Command::Rescan(args) => objects::rescan(&ctx, args).await,
        Command::Comments(args) => objects::comments(&ctx, args).await,
        Command::Comment(args) => objects::comment(&ctx, args).await,
        Command::Votes(args) => objects::votes(&ctx, args).await,
        Command::Vote(args) => objects::vote(&ctx, args).await,
        Command::Related(args) => objects::related(&ctx, args).await,
        Command::Monitor(cmd) => monitor::run(&ctx, cmd).await,
        Command::V2(cmd) => v2::run(&ctx, cmd).await,
        Command::Search(args) => misc::search(&ctx, args).await,
        Command::Metadata => misc::metadata(&ctx).await,
        Command::Quota(args) => misc::quota(&ctx, args).await,
        Command::Api(args) => misc::api(&ctx, args).await,
        Command::Completions(_) | Command::Emulator(_) => Ok(Exit::Ok),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_errors_map_to_exit_codes() {
        use vt_model::ErrorCode;
        let api = |status: u16, code: ErrorCode| vt_api::Error::Api {
            status: http::StatusCode::from_u16(status).unwrap(),
            code,
            message: "m".into(),
        };
        assert_eq!(
            item_error(&api(404, ErrorCode::NotFound)).stops_batch(),
            None
        );
        assert_eq!(
            item_error(&api(401, ErrorCode::WrongCredentials)).stops_batch(),
            Some(Exit::Auth)
        );
        assert_eq!(
            item_error(&api(403, ErrorCode::Forbidden)).stops_batch(),
            Some(Exit::Auth)
        );
        assert_eq!(
            item_error(&api(429, ErrorCode::QuotaExceeded)).stops_batch(),
            Some(Exit::Quota)
        );
        let transport = vt_api::Error::Transport("connection refused".into());
        assert_eq!(item_error(&transport).stops_batch(), Some(Exit::Transport));
        let e = item_error(&api(409, ErrorCode::AlreadyExists));
        assert_eq!(e.code(), "AlreadyExistsError");
    }

    #[test]
    fn the_resume_hint_never_contains_the_key() {
        let args = [
            "vt",
            "--api-key",
            "SECRET",
            "file",
            "-",
            "--output",
            "o.ndjson",
            "--resume",
            "--api-key=SECRET2",
            "a b",
        ];
        let hint = resume_hint(args.map(String::from));
        assert_eq!(hint, "vt file - 'a b'");
    }
}
