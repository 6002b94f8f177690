//! One module per command family, and the [`Context`] they share.

pub mod analyses;
pub mod cache;
mod client;
pub mod collection;
pub mod config;
mod context;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod feed;
pub mod files;
pub mod hunting;
pub mod identifiers;
pub mod iocstream;
mod lookup;
pub mod misc;
pub mod monitor;
pub mod monitor_watch;
pub mod network;
pub mod objects;
mod printing;
pub mod private;
pub mod private_scan;
pub mod quota_plan;
pub mod retrohunt;
pub mod sandbox;
pub mod scanning;
pub mod search;
pub mod urls;
pub mod v2;
#[cfg(feature = "yara")]
pub mod yara;
pub mod zip_download;

use std::io::Write;

use clap::ArgMatches;

use context::Context;

use crate::cli::{ConfigCommand, ScanCommand};
use crate::command_line::{Cli, Command};
use crate::exit::{CliResult, Exit};
use analyses::Scope;
use vt_api::files::SandboxArtifact;

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
    #[cfg(feature = "emulator")]
    if let Command::Emulator(cmd) = cli.command {
        return emulator::run(cmd).await;
    }
    let creating = matches!(cli.command, Command::Config(ConfigCommand::Init(_)));
    let ctx = Context::new(&cli.global, matches, creating)?;
    match cli.command {
        Command::Config(ConfigCommand::Init(args)) => config::init(&ctx, &args),
        Command::Config(ConfigCommand::Show) => config::show(&ctx),
        Command::Cache(cmd) => cache::run(&ctx, cmd),
        Command::Hash(args) => files::hash(&ctx, args).await,
        Command::File(args) => files::file(&ctx, args).await,
        Command::Scan(ScanCommand::File(args)) => files::scan_file(&ctx, args).await,
        Command::Download(args) if args.zip.is_some() => zip_download::download(&ctx, args).await,
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
        Command::Scan(ScanCommand::Url(args)) => urls::scan_url(&ctx, args).await,
        Command::Domain(args) => network::domain(&ctx, args).await,
        Command::Ip(args) => network::ip(&ctx, args).await,
        Command::Analysis(args) => {
            analyses::analyses(&ctx, Scope::Public, &args.ids, args.wait, &args.batch).await
        }
        Command::Rescan(args) => objects::rescan(&ctx, args).await,
        Command::Comments(args) => objects::comments(&ctx, args).await,
        Command::Comment(args) => objects::comment(&ctx, args).await,
        Command::Votes(args) => objects::votes(&ctx, args).await,
        Command::Vote(args) => objects::vote(&ctx, args).await,
        Command::Related(args) => objects::related(&ctx, args).await,
        Command::Monitor(cmd) => monitor::run(&ctx, cmd).await,
        Command::Collection(cmd) => collection::run(&ctx, cmd).await,
        Command::Iocstream(cmd) => iocstream::run(&ctx, cmd).await,
        Command::Hunting(cmd) => hunting::run(&ctx, cmd).await,
        Command::V2(cmd) => v2::run(&ctx, cmd).await,
        Command::Search(args) => search::search(&ctx, args).await,
        Command::Feed(args) => feed::run(&ctx, args).await,
        Command::Retrohunt(cmd) => retrohunt::run(&ctx, cmd, cli.global.wait_timeout).await,
        Command::Metadata => misc::metadata(&ctx).await,
        Command::Quota(crate::cli::QuotaArgs {
            action: Some(crate::cli::QuotaCommand::Plan(args)),
            ..
        }) => quota_plan::plan(&ctx, args).await,
        Command::Quota(args) => misc::quota(&ctx, args).await,
        Command::Api(args) => misc::api(&ctx, args).await,
        #[cfg(feature = "yara")]
        Command::Yara(cmd) => yara::run(&ctx, cmd).await,
        Command::Completions(_) => Ok(Exit::Ok),
        #[cfg(feature = "emulator")]
        Command::Emulator(_) => Ok(Exit::Ok),
    }
}
