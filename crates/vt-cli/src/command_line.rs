//! The command line as a whole: [`Cli`] (the global options and the command) and the
//! [`Command`] table, naming each command's arguments (in `cli`, or beside the command in
//! `commands` for the newer families).

use clap::{Parser, Subcommand};

use crate::cli::*;
use crate::exit::EXIT_CODES_HELP;

/// vt: the VirusTotal command line (API v3, VT Monitor, legacy v2 file reports).
#[derive(Debug, Parser)]
#[command(name = "vt", version, about, long_about = None, after_help = EXIT_CODES_HELP)]
#[command(propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Options every command accepts.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// File reports by MD5/SHA-1/SHA-256, or by PATH (hashed locally first); `-` reads stdin.
    #[command(visible_alias = "f")]
    File(FileArgs),
    /// Local identifiers (MD5, SHA-1, SHA-256) of files, without any request.
    Hash(HashArgs),
    /// Submit files or URLs for analysis.
    #[command(subcommand)]
    Scan(ScanCommand),
    /// URL reports by URL or URL identifier; `-` reads stdin.
    #[command(visible_alias = "u")]
    Url(ObjectArgs),
    /// The VirusTotal identifier of URLs (unpadded base64url), without any request.
    UrlId(UrlIdArgs),
    /// The domain or IP address a URL points to.
    NetworkLocation(NetworkLocationArgs),
    /// Domain reports; `-` reads stdin.
    #[command(visible_alias = "d")]
    Domain(ObjectArgs),
    /// IP address reports; `-` reads stdin.
    Ip(ObjectArgs),
    /// Analyses by id; `--wait` waits for them to complete.
    #[command(visible_alias = "an")]
    Analysis(AnalysisArgs),
    /// Ask VirusTotal to analyse objects again.
    Rescan(RescanArgs),
    /// Comments on an object.
    Comments(ListOnArgs),
    /// Add a comment to an object.
    Comment(CommentArgs),
    /// Votes on an object.
    Votes(ListOnArgs),
    /// Vote on an object.
    Vote(VoteArgs),
    /// Objects related to an object (contacted_domains, resolutions, ...).
    Related(RelatedArgs),
    /// Download files by hash (premium); `--zip OUT.zip` for one ZIP of them all.
    #[command(visible_alias = "dl")]
    Download(DownloadArgs),
    /// A signed download URL of a file (premium; valid one hour).
    DownloadUrl(DownloadUrlArgs),
    /// The network capture (PCAP) of a sandbox run (premium).
    Pcap(crate::commands::sandbox::ArtifactArgs),
    /// The HTML report of a sandbox run.
    Html(crate::commands::sandbox::ArtifactArgs),
    /// The Windows event logs (EVTX) of a sandbox run.
    Evtx(crate::commands::sandbox::ArtifactArgs),
    /// The memory dump of a sandbox run.
    Memdump(crate::commands::sandbox::ArtifactArgs),
    /// Sandbox behaviour reports of a file, one per sandbox (or one with --sandbox).
    Behaviours(crate::commands::sandbox::BehavioursArgs),
    /// The sandbox reports of a file merged into one.
    BehaviourSummary(crate::commands::sandbox::SandboxHashArgs),
    /// The MITRE ATT&CK tactics and techniques seen by each sandbox.
    Mitre(crate::commands::sandbox::SandboxHashArgs),
    /// Private scanning: private file and URL reports, private analyses.
    #[command(subcommand)]
    Private(crate::commands::private::PrivateCommand),
    /// VT Monitor (software publishers).
    #[command(subcommand)]
    Monitor(MonitorCommand),
    /// Collections of indicators: create, get, update, add, remove, delete, list.
    #[command(subcommand)]
    Collection(crate::commands::collection::CollectionCommand),
    /// The IoC stream: what your hunting rulesets and subscriptions raised.
    #[command(subcommand, visible_alias = "is")]
    Iocstream(crate::commands::iocstream::IocStreamCommand),
    /// Livehunt (premium): YARA rulesets run on new files, and their notifications.
    #[command(subcommand, visible_alias = "ht")]
    Hunting(crate::commands::hunting::HuntingCommand),
    /// Legacy API v2.
    #[command(subcommand)]
    V2(V2Command),
    /// VirusTotal Intelligence search (premium); `--basic` for the public search by hash,
    /// URL, domain, IP or comment tag.
    Search(SearchArgs),
    /// A feed (premium): files, urls, domains, ips or behaviours, as NDJSON; resumable.
    Feed(crate::commands::feed::FeedArgs),
    /// Retrohunt (premium): YARA scans over VirusTotal's past files.
    #[command(subcommand, visible_alias = "rh")]
    Retrohunt(crate::commands::retrohunt::RetrohuntCommand),
    /// Local YARA rules, offline: check them as VirusTotal would, scan local files.
    #[cfg(feature = "yara")]
    #[command(subcommand)]
    Yara(crate::commands::yara::YaraCommand),
    /// Engines, privileges and relationships VirusTotal knows (`/metadata`).
    Metadata,
    /// Your API quotas and how much of them is used.
    Quota(QuotaArgs),
    /// Raw API call, like `gh api`: `vt api GET /files/HASH`.
    Api(ApiArgs),
    /// Configuration file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// The local report cache: stats, prune, clear, path.
    #[command(subcommand)]
    Cache(CacheCommand),
    /// Shell completion script, for example `vt completions bash > /etc/bash_completion.d/vt`.
    Completions(CompletionsArgs),
    /// The local VirusTotal emulator.
    #[cfg(feature = "emulator")]
    #[command(subcommand)]
    Emulator(EmulatorCommand),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relationship_names_are_open_and_the_known_ones_complete() {
        use clap::Parser as _;
        use clap::builder::TypedValueParser as _;
        let cli = Cli::try_parse_from(["vt", "related", "file", "x", "brand_new_relationship"])
            .expect("an unknown name is not refused by the parser");
        let Command::Related(args) = cli.command else {
            panic!("vt related");
        };
        assert_eq!(args.relationship, "brand_new_relationship");
        let names: Vec<String> = RelationshipNames
            .possible_values()
            .unwrap()
            .map(|v| v.get_name().to_owned())
            .collect();
        assert!(names.iter().any(|n| n == "contacted_domains"));
        assert!(names.iter().any(|n| n == "resolutions"));
        assert!(
            names.windows(2).all(|w| w[0] < w[1]),
            "sorted, no duplicates"
        );
    }

    #[test]
    fn durations_have_units() {
        use std::time::Duration;
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        for bad in [
            "",
            "0",
            "0s",
            "10x",
            "m",
            "-5s",
            "1.5m",
            "99999999999999999999h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }
    use clap::CommandFactory;

    #[test]
    fn the_interface_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn help_documents_exit_codes() {
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("Exit codes:"));
        assert!(help.contains("quota exhausted"));
    }

    #[test]
    fn every_command_of_the_issue_exists() {
        let cmd = Cli::command();
        for name in [
            "file",
            "hash",
            "scan",
            "url",
            "url-id",
            "network-location",
            "domain",
            "ip",
            "analysis",
            "rescan",
            "comments",
            "comment",
            "votes",
            "vote",
            "related",
            "download",
            "download-url",
            "pcap",
            "html",
            "evtx",
            "memdump",
            "behaviours",
            "behaviour-summary",
            "mitre",
            "private",
            "monitor",
            "v2",
            "search",
            "metadata",
            "quota",
            "api",
            "config",
            "completions",
            #[cfg(feature = "emulator")]
            "emulator",
        ] {
            assert!(
                cmd.find_subcommand(name).is_some(),
                "missing command {name}"
            );
        }
    }

    #[test]
    fn verbosity_counts() {
        let cli = Cli::try_parse_from(["vt", "-vvv", "metadata"]).unwrap();
        assert_eq!(cli.global.verbose, 3);
    }

    #[test]
    fn resume_requires_output() {
        assert!(Cli::try_parse_from(["vt", "file", "--resume", "x"]).is_err());
        assert!(Cli::try_parse_from(["vt", "file", "--output", "o", "--resume", "x"]).is_ok());
    }
}
