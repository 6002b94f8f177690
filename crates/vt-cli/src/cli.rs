//! The command line's arguments and options, as clap derive definitions (the command table
//! itself, [`Cli`](crate::command_line::Cli), is in `command_line`, which names them).
//!
//! Global options are `Option`s so that [`crate::config::Settings`] can apply the precedence
//! flag > environment > config file > default (clap handles flag > environment).

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

/// Options every command accepts (each also from the environment and the config file). In
/// help they come under their own heading, after each command's own options.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// API key (prefer VT_API_KEY, --api-key-file or the config file: flags show up in `ps`).
    #[arg(
        long,
        env = "VT_API_KEY",
        global = true,
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub api_key: Option<String>,
    /// Read the API key from this file (must not be readable by group or others).
    #[arg(long, env = "VT_API_KEY_FILE", global = true, value_name = "PATH")]
    pub api_key_file: Option<PathBuf>,
    /// API host [default: https://www.virustotal.com]; plain http:// is allowed (emulator).
    #[arg(long, env = "VT_BASE_URL", global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// Output format [default: human on a terminal, json otherwise].
    #[arg(long, env = "VT_FORMAT", global = true, value_enum)]
    pub format: Option<Format>,
    /// The key's tier: public (default) or premium. Sets the default --rate-limit (public:
    /// 4/min; premium: none) and the v2 batch size (4 or 25); `vt quota` says which tier a
    /// key has.
    #[arg(long, env = "VT_TIER", global = true, value_name = "TIER", value_parser = parse_tier)]
    pub tier: Option<vt_api::Tier>,
    /// Request rate [default: the tier's]: public (4/min; the 500/day budget is left to the
    /// server, say public,500/day to enforce it here too), premium:N (N/min), none, or a custom
    /// list such as 20/s or 4/min,500/day.
    #[arg(long, env = "VT_RATE_LIMIT", global = true, value_name = "SPEC")]
    pub rate_limit: Option<String>,
    /// Share the rate limit with every vt using the same key and Redis (a fleet, on one
    /// machine or many): redis://HOST:PORT/DB. The key never goes to Redis.
    #[arg(long, env = "VT_FLEET", global = true, value_name = "URL")]
    pub fleet: Option<String>,
    /// Requests in flight at once for batches [default: 4].
    #[arg(long, env = "VT_CONCURRENCY", global = true, value_name = "N", value_parser = at_least_one)]
    pub concurrency: Option<NonZeroUsize>,
    /// Timeout of one request, in seconds [default: 300].
    #[arg(long, env = "VT_TIMEOUT", global = true, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// Retries of a transient failure (429 TooManyRequests, 503, network) [default: 3].
    #[arg(long, env = "VT_RETRIES", global = true, value_name = "N")]
    pub retries: Option<u32>,
    /// How long `--wait` waits for an analysis before giving up, e.g. 90s, 10m, 1h
    /// [default: 10m].
    #[arg(long, env = "VT_WAIT_TIMEOUT", global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub wait_timeout: Option<std::time::Duration>,
    /// HTTP(S) proxy URL.
    #[arg(long, env = "VT_PROXY", global = true, value_name = "URL")]
    pub proxy: Option<String>,
    /// Speak HTTP/2 from the first byte to a plain http:// server that accepts it (the
    /// emulator does): the requests in flight share one connection. https:// negotiates
    /// HTTP/2 by itself (VT_HTTP2=1 in the environment).
    #[arg(
        long,
        env = "VT_HTTP2",
        global = true,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub http2: bool,
    /// No progress bars and no summaries on stderr (errors are still reported).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// More detail on stderr: -v errors in full and requests, -vv debug, -vvv trace.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Config file [default: $XDG_CONFIG_HOME/vt/config.toml].
    #[arg(long, env = "VT_CONFIG", global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Only print fields matching these globs (`*` one level, `**` any depth), e.g.
    /// `-i 'attributes.last_analysis_stats' -i id`.
    #[arg(short = 'i', long = "include", global = true, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Leave out fields matching these globs (applied after --include).
    #[arg(short = 'x', long = "exclude", global = true, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Print only the identifiers of the objects, one per line.
    #[arg(short = 'I', long = "identifiers-only", global = true)]
    pub identifiers_only: bool,
    /// Use answers from the local report cache younger than this (e.g. 90s, 30m, 12h, 7d;
    /// 0 asks every time) [default: 24h].
    #[arg(
        long,
        env = "VT_MAX_AGE",
        global = true,
        value_name = "DURATION",
        allow_hyphen_values = true
    )]
    pub max_age: Option<String>,
    /// Neither read nor write the local report cache (VT_NO_CACHE=1 in the environment).
    #[arg(
        long,
        env = "VT_NO_CACHE",
        global = true,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub no_cache: bool,
    /// Ask VirusTotal even when the cache has an answer, and store the new one.
    #[arg(long, global = true)]
    pub refresh: bool,
    /// The report cache file [default: $XDG_CACHE_HOME/vt/cache.sqlite3].
    #[arg(long, env = "VT_CACHE_PATH", global = true, value_name = "PATH")]
    pub cache_path: Option<PathBuf>,
    /// Keep the report cache in Redis instead of the local file, shared by every vt using the
    /// same key and Redis (a fleet pays once per lookup): redis://HOST:PORT/DB. The key never
    /// goes to Redis.
    #[arg(long = "cache", env = "VT_CACHE", global = true, value_name = "URL")]
    pub cache_url: Option<String>,
}

/// A count that must be at least 1 (clap's own message for 0 is "number would be zero for
/// non-zero type").
fn at_least_one(text: &str) -> Result<NonZeroUsize, String> {
    let n: usize = text
        .trim()
        .parse()
        .map_err(|_| "expected a whole number, at least 1".to_owned())?;
    NonZeroUsize::new(n).ok_or_else(|| "must be at least 1".to_owned())
}

/// A duration: a whole number with a unit `s`, `m` or `h` (seconds without one), above zero.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let scale = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => {
            return Err(format!(
                "{text:?}: expected a number with s, m or h (e.g. 90s, 10m)"
            ));
        }
    };
    let secs = number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("{text:?}: expected a positive whole number (e.g. 90s, 10m)"))?;
    Ok(std::time::Duration::from_secs(secs))
}

/// Relationship names for `vt related`: any text is taken (the command checks its shape and
/// warns about unknown names), and the names `vt-model` knows are offered as completions.
#[derive(Debug, Clone, Copy)]
pub struct RelationshipNames;

impl clap::builder::TypedValueParser for RelationshipNames {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        let mut names: Vec<&'static str> = ["file", "url", "domain", "ip_address"]
            .iter()
            .flat_map(|kind| vt_model::relationships::known(kind).iter().copied())
            .collect();
        names.sort_unstable();
        names.dedup();
        Some(Box::new(
            names.into_iter().map(clap::builder::PossibleValue::new),
        ))
    }
}

/// `--tier`: `public` or `premium`.
fn parse_tier(text: &str) -> Result<vt_api::Tier, String> {
    text.parse()
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A compact summary per object, for people.
    Human,
    /// The API objects as JSON (one item: the object; several: an array in input order).
    Json,
    /// One JSON object per line, written as soon as it is ready.
    #[value(alias = "jsonl")]
    Ndjson,
    /// YAML.
    #[value(alias = "yml")]
    Yaml,
    /// CSV with flattened dotted columns.
    Csv,
}

/// Options of commands that run a batch of inputs.
#[derive(Debug, Clone, Default, Args)]
pub struct BatchArgs {
    /// Append results to FILE as NDJSON (one line per input, flushed), instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Skip inputs whose results are already in the --output FILE.
    #[arg(long, requires = "output")]
    pub resume: bool,
    /// Whether the command offers `--output/--resume` (true when clap parsed these options;
    /// `BatchArgs::default()` for batches without them): resume hints only where they work.
    #[arg(skip = true)]
    pub offered: bool,
}

/// `vt file`.
#[derive(Debug, Args)]
pub struct FileArgs {
    /// MD5, SHA-1 or SHA-256 hashes, paths of local files, or `-` for stdin (one per line).
    #[arg(required = true, value_name = "HASH|PATH|-")]
    pub inputs: Vec<String>,
    /// Print the quota plan of this batch (as `vt quota plan`) and stop before any lookup.
    #[arg(long)]
    pub plan: bool,
    /// Batch options.
    #[command(flatten)]
    pub batch: BatchArgs,
}

/// Which hash `vt hash` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HashAlg {
    /// MD5.
    Md5,
    /// SHA-1.
    Sha1,
    /// SHA-256.
    Sha256,
    /// All three.
    All,
}

/// `vt hash`.
#[derive(Debug, Args)]
pub struct HashArgs {
    /// Files to hash, or `-` to read paths from stdin.
    #[arg(required = true, value_name = "PATH|-")]
    pub paths: Vec<String>,
    /// Which hash to print.
    #[arg(long, value_enum, default_value = "sha256")]
    pub alg: HashAlg,
}

/// `vt scan`.
#[derive(Debug, Subcommand)]
pub enum ScanCommand {
    /// Upload files for analysis (up to 650 MB each).
    File(ScanFileArgs),
    /// Submit URLs for analysis.
    Url(ScanUrlArgs),
}

/// `vt scan file`.
#[derive(Debug, Args)]
pub struct ScanFileArgs {
    /// Files to upload, or `-` to read paths from stdin.
    #[arg(required = true, value_name = "PATH|-")]
    pub paths: Vec<String>,
    /// Wait for each analysis to complete and print it.
    #[arg(short, long)]
    pub wait: bool,
    /// Look the SHA-256 up first; upload only files VirusTotal does not know.
    #[arg(long)]
    pub skip_known: bool,
    /// Password of a protected ZIP holding one file, for VirusTotal to unpack it.
    #[arg(short, long, value_name = "PASSWORD")]
    pub password: Option<String>,
    /// Private scanning.
    #[command(flatten)]
    pub private: crate::commands::private_scan::PrivateFileScanArgs,
    /// Batch options.
    #[command(flatten)]
    pub batch: BatchArgs,
}

/// `vt scan url`.
#[derive(Debug, Args)]
pub struct ScanUrlArgs {
    /// URLs to submit, or `-` for stdin.
    #[arg(required = true, value_name = "URL|-")]
    pub urls: Vec<String>,
    /// Wait for each analysis to complete and print it.
    #[arg(short, long)]
    pub wait: bool,
    /// Private scanning.
    #[command(flatten)]
    pub private: crate::commands::private_scan::PrivateUrlScanArgs,
    /// Batch options.
    #[command(flatten)]
    pub batch: BatchArgs,
}

/// `vt url`, `vt domain`, `vt ip`.
#[derive(Debug, Args)]
pub struct ObjectArgs {
    /// Identifiers, or `-` for stdin (one per line).
    #[arg(required = true, value_name = "ID|-")]
    pub inputs: Vec<String>,
    /// Print the quota plan of this batch (as `vt quota plan`) and stop before any lookup.
    #[arg(long)]
    pub plan: bool,
    /// Batch options.
    #[command(flatten)]
    pub batch: BatchArgs,
}

/// `vt url-id`.
#[derive(Debug, Args)]
pub struct UrlIdArgs {
    /// URLs, or `-` for stdin.
    #[arg(required = true, value_name = "URL|-")]
    pub urls: Vec<String>,
}

/// `vt network-location`.
#[derive(Debug, Args)]
pub struct NetworkLocationArgs {
    /// A URL or URL identifier.
    #[arg(value_name = "URL|ID")]
    pub input: String,
}

/// `vt analysis`.
#[derive(Debug, Args)]
pub struct AnalysisArgs {
    /// Analysis ids, or `-` for stdin.
    #[arg(required = true, value_name = "ID|-")]
    pub ids: Vec<String>,
    /// Wait for each analysis to complete.
    #[arg(short, long)]
    pub wait: bool,
    /// Batch options.
    #[command(flatten)]
    pub batch: BatchArgs,
}

/// The kinds of objects comments, votes, rescans and relationships apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ObjectKind {
    /// A file (MD5, SHA-1 or SHA-256).
    File,
    /// A URL (URL or URL identifier).
    Url,
    /// A domain name.
    Domain,
    /// An IP address.
    #[value(alias = "ip_address", alias = "ip-address")]
    Ip,
}

impl ObjectKind {
    /// The API object type (`file`, `url`, `domain`, `ip_address`).
    pub fn api_type(self) -> &'static str {
        match self {
            ObjectKind::File => "file",
            ObjectKind::Url => "url",
            ObjectKind::Domain => "domain",
            ObjectKind::Ip => "ip_address",
        }
    }
}

/// `vt rescan`.
#[derive(Debug, Args)]
pub struct RescanArgs {
    /// What to rescan.
    #[arg(value_enum)]
    pub kind: ObjectKind,
    /// Identifiers, or `-` for stdin.
    #[arg(required = true, value_name = "ID|-")]
    pub ids: Vec<String>,
    /// Batch options.
    #[command(flatten)]
    pub batch: BatchArgs,
}

/// Options of commands that list a collection.
#[derive(Debug, Clone, Args)]
pub struct PageArgs {
    /// How many items to print at most (at least 1).
    #[arg(short = 'n', long, default_value_t = 10, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,
    /// Continue from this cursor (printed on stderr when more items exist).
    #[arg(short, long, value_name = "CURSOR")]
    pub cursor: Option<String>,
    /// Print every item (ignores --limit).
    #[arg(long)]
    pub all: bool,
}

/// `vt comments`, `vt votes`.
#[derive(Debug, Args)]
pub struct ListOnArgs {
    /// Kind of object.
    #[arg(value_enum)]
    pub kind: ObjectKind,
    /// The object's identifier.
    pub id: String,
    /// Paging.
    #[command(flatten)]
    pub page: PageArgs,
}

/// `vt comment`.
#[derive(Debug, Args)]
pub struct CommentArgs {
    /// Kind of object.
    #[arg(value_enum)]
    pub kind: ObjectKind,
    /// The object's identifier.
    pub id: String,
    /// The comment (`#words` become tags).
    pub text: String,
}

/// A vote's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Verdict {
    /// Malicious.
    Malicious,
    /// Harmless.
    Harmless,
}

/// `vt vote`.
#[derive(Debug, Args)]
pub struct VoteArgs {
    /// Kind of object.
    #[arg(value_enum)]
    pub kind: ObjectKind,
    /// The object's identifier.
    pub id: String,
    /// The verdict.
    #[arg(value_enum)]
    pub verdict: Verdict,
}

/// `vt related`.
#[derive(Debug, Args)]
pub struct RelatedArgs {
    /// Kind of object.
    #[arg(value_enum)]
    pub kind: ObjectKind,
    /// The object's identifier.
    pub id: String,
    /// The relationship (see `vt metadata`), e.g. contacted_domains, resolutions. Any
    /// well-formed name is sent; the known ones are offered by shell completion.
    #[arg(value_parser = RelationshipNames, hide_possible_values = true)]
    pub relationship: String,
    /// Paging.
    #[command(flatten)]
    pub page: PageArgs,
    /// Only type and id of the related objects (cheaper).
    #[arg(long)]
    pub descriptors: bool,
}

/// `vt download`.
#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// Hashes, or `-` for stdin.
    #[arg(required = true, value_name = "HASH|-")]
    pub hashes: Vec<String>,
    /// A directory (files are named by their SHA-256 or the given hash), or a file path when
    /// downloading one hash [default: current directory].
    #[arg(short, long, value_name = "DIR|PATH")]
    pub output: Option<PathBuf>,
    /// Do not wait for the file to reach the disk (no fsync) before reporting it done: faster
    /// for big files, but a power loss soon after may leave it partial, as with `curl -o`.
    #[arg(long)]
    pub no_sync: bool,
    /// Download all the hashes as one ZIP built by VirusTotal (Intelligence), written to
    /// OUT.zip (see commands/zip_download.rs).
    #[arg(long, value_name = "OUT.zip", conflicts_with = "output")]
    pub zip: Option<PathBuf>,
    /// Protect the ZIP with this password (only with --zip).
    #[arg(long, value_name = "PASSWORD", requires = "zip")]
    pub password: Option<String>,
}

/// `vt download-url`.
#[derive(Debug, Args)]
pub struct DownloadUrlArgs {
    /// The file's hash.
    pub hash: String,
}

/// `vt monitor`.
#[derive(Debug, Subcommand)]
pub enum MonitorCommand {
    /// List items, filtered by folder, tag or item.
    #[command(visible_alias = "list")]
    Items(MonitorItemsArgs),
    /// Get items by id.
    Get(MonitorIdsArgs),
    /// Delete items (folders recursively).
    Delete(MonitorIdsArgs),
    /// Analyses of an item, newest first.
    Analyses(MonitorAnalysesArgs),
    /// Download an item's file.
    Download(MonitorDownloadArgs),
    /// Upload files or directory trees to a remote path (a folder ending in `/` for several).
    Upload(MonitorUploadArgs),
    /// Replace the content of an existing file item, by id.
    Replace(MonitorReplaceArgs),
    /// Create a folder (a path ending in `/`).
    Mkdir(MonitorMkdirArgs),
    /// Set or clear an item's details text.
    Details(MonitorDetailsArgs),
    /// Upload the files of LOCAL_DIR whose SHA-256 differs from REMOTE_DIR's.
    Sync(MonitorSyncArgs),
    /// A signed download URL of a file item (valid for an hour).
    DownloadUrl(MonitorIdArgs),
    /// The user or group owning an item.
    Owner(MonitorIdArgs),
    /// Antivirus partners' comments on an item.
    Comments(MonitorAnalysesArgs),
    /// Statistics of the collection.
    Statistics,
    /// Monitor events (detections, uploads, quota warnings).
    Events(PageArgs),
    /// Report new detections of your Monitor files, each once (state kept in a file):
    /// `--once` for CI (exit 10 when there are new detections), or poll every `--interval`.
    Watch(MonitorWatchArgs),
}

/// `vt monitor watch`.
#[derive(Debug, Args)]
pub struct MonitorWatchArgs {
    /// Where the watch remembers what it reported (JSON, replaced atomically)
    /// [default: $XDG_STATE_HOME/vt/monitor-watch.json].
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Watch items with every tag given (detected, new-detections, increasing-detections,
    /// ..., or an engine name) [default: detected].
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,
    /// Poll once and exit: 0 when nothing new, 10 when there are new detections.
    #[arg(long, conflicts_with = "interval")]
    pub once: bool,
    /// Time between polls, e.g. 90s, 10m, 1h [default: 15m]; Ctrl-C stops the watch.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub interval: Option<std::time::Duration>,
}

/// `vt monitor download-url|owner`.
#[derive(Debug, Args)]
pub struct MonitorIdArgs {
    /// The item id.
    pub id: String,
}

/// `vt monitor replace`.
#[derive(Debug, Args)]
pub struct MonitorReplaceArgs {
    /// The item id of an existing file.
    pub id: String,
    /// The local file with the new content.
    pub local: PathBuf,
}

/// `vt monitor mkdir`.
#[derive(Debug, Args)]
pub struct MonitorMkdirArgs {
    /// The folder's path, e.g. `/releases/2025/`.
    pub path: String,
}

/// `vt monitor items`.
#[derive(Debug, Args)]
pub struct MonitorItemsArgs {
    /// Folder to list, e.g. `/releases/`.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["tag", "item"])]
    pub path: Option<String>,
    /// Detection tag (detected, new-detections, decreasing-detections, increasing-detections,
    /// solved-detections, swapped-detections, or an engine name); repeatable: items with
    /// every tag given.
    #[arg(long, value_name = "TAG", conflicts_with = "item")]
    pub tag: Vec<String>,
    /// A folder's item id.
    #[arg(long, value_name = "ID")]
    pub item: Option<String>,
    /// A filter in the API's syntax (`path:/folder/`, `item:ID` or `tag:T1 T2`), checked
    /// before it is sent. The API documents one modifier per query, hence one of --path,
    /// --item, --tag or --filter.
    #[arg(long, value_name = "FILTER", conflicts_with_all = ["path", "tag", "item"])]
    pub filter: Option<String>,
    /// Paging.
    #[command(flatten)]
    pub page: PageArgs,
}

/// `vt monitor get|delete`.
#[derive(Debug, Args)]
pub struct MonitorIdsArgs {
    /// Item ids, or `-` for stdin.
    #[arg(required = true, value_name = "ID|-")]
    pub ids: Vec<String>,
}

/// `vt monitor analyses`.
#[derive(Debug, Args)]
pub struct MonitorAnalysesArgs {
    /// The item id.
    pub id: String,
    /// Paging.
    #[command(flatten)]
    pub page: PageArgs,
}

/// `vt monitor download`.
#[derive(Debug, Args)]
pub struct MonitorDownloadArgs {
    /// The item id.
    pub id: String,
    /// Where to write it (directory or file) [default: current directory, item's file name].
    #[arg(short, long, value_name = "DIR|PATH")]
    pub output: Option<PathBuf>,
    /// Do not wait for the file to reach the disk (no fsync) before reporting it done: faster
    /// for big files, but a power loss soon after may leave it partial, as with `curl -o`.
    #[arg(long)]
    pub no_sync: bool,
}

/// `vt monitor upload`.
#[derive(Debug, Args)]
pub struct MonitorUploadArgs {
    /// Local files or directories.
    #[arg(required = true, value_name = "LOCAL")]
    pub local: Vec<PathBuf>,
    /// The remote path: a folder ending in `/` (each file goes in it by name, each
    /// directory's tree below it), or a file path for a single local file.
    #[arg(value_name = "REMOTE_PATH")]
    pub remote_path: String,
}

/// `vt monitor details`.
#[derive(Debug, Args)]
pub struct MonitorDetailsArgs {
    /// The item id.
    pub id: String,
    /// The new details text.
    #[arg(required_unless_present = "clear", conflicts_with = "clear")]
    pub text: Option<String>,
    /// Remove the details.
    #[arg(long)]
    pub clear: bool,
}

/// `vt monitor sync`.
#[derive(Debug, Args)]
pub struct MonitorSyncArgs {
    /// Local directory.
    pub local_dir: PathBuf,
    /// Remote folder, e.g. `/releases/`.
    pub remote_dir: String,
    /// Print what would be uploaded, upload nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `vt v2`.
#[derive(Debug, Subcommand)]
pub enum V2Command {
    /// Legacy v2 file reports (`/vtapi/v2/file/report`), batched 4 (public) or 25 a request.
    FileReport(V2FileReportArgs),
}

/// `vt v2 file-report`.
#[derive(Debug, Args)]
pub struct V2FileReportArgs {
    /// MD5, SHA-1, SHA-256 or scan ids, or `-` for stdin.
    #[arg(required = true, value_name = "RESOURCE|-")]
    pub resources: Vec<String>,
    /// Include tool outputs and submission metadata (private API).
    #[arg(long)]
    pub allinfo: bool,
    /// Output and resume.
    #[command(flatten)]
    pub batch: BatchArgs,
}

/// `vt search` (see commands/search.rs).
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// A VirusTotal Intelligence query (`type:peexe p:5+ tag:signed`); with --basic, a
    /// hash, URL, domain, IP address or comment tag.
    pub query: String,
    /// The public `/search` instead of Intelligence search (which needs a premium key).
    #[arg(long, conflicts_with_all = ["order", "descriptors"])]
    pub basic: bool,
    /// Sort order, e.g. `positives-`, `first_submission_date+` (ignored by VirusTotal for
    /// content searches).
    #[arg(long, value_name = "FIELD[+|-]")]
    pub order: Option<String>,
    /// Ask for type and id only (`descriptors_only=true`): faster, and what -I prints.
    #[arg(long)]
    pub descriptors: bool,
    /// Hits asked per request (1 to 300, Intelligence search's maximum) [default: --limit,
    /// at most 300].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=300))]
    pub page_size: Option<u32>,
    /// Paging.
    #[command(flatten)]
    pub page: PageArgs,
    /// `--output FILE --resume`: hits appended to FILE as NDJSON, resumable.
    #[command(flatten)]
    pub batch: BatchArgs,
}

/// `vt quota`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct QuotaArgs {
    /// A user or group id to ask about [default: the owner of the API key].
    #[arg(long, value_name = "ID")]
    pub user: Option<String>,
    /// `vt quota plan`.
    #[command(subcommand)]
    pub action: Option<QuotaCommand>,
}

/// `vt quota ...`.
#[derive(Debug, Subcommand)]
pub enum QuotaCommand {
    /// How a batch of lookups would go against the key's quotas, before any lookup: how many
    /// the cache answers, how many requests remain, how long they take at the rate, whether
    /// the budgets suffice and where the batch would stop.
    Plan(QuotaPlanArgs),
}

/// `vt quota plan`.
#[derive(Debug, Args)]
pub struct QuotaPlanArgs {
    /// How many lookups (none of them counted as cached: give --input to ask the cache).
    #[arg(
        value_name = "N",
        conflicts_with = "input",
        required_unless_present = "input"
    )]
    pub count: Option<String>,
    /// The batch's inputs, one per line (`-` for stdin): validated as the batch would, and
    /// looked up in the report cache.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// What the inputs are.
    #[arg(long, value_enum, default_value = "file")]
    pub kind: ObjectKind,
}

/// HTTP methods `vt api` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum HttpMethod {
    /// GET.
    #[value(alias = "get")]
    Get,
    /// POST.
    #[value(alias = "post")]
    Post,
    /// PATCH.
    #[value(alias = "patch")]
    Patch,
    /// DELETE.
    #[value(alias = "delete")]
    Delete,
}

/// `vt api`.
#[derive(Debug, Args)]
pub struct ApiArgs {
    /// The method.
    #[arg(value_enum)]
    pub method: HttpMethod,
    /// The path: `/files/HASH`, `/api/v3/files/HASH` (as the API documentation writes it),
    /// `/vtapi/v2/...`, or a full URL.
    pub path: String,
    /// A JSON body (`@FILE` reads it from a file, `@-` from stdin).
    #[arg(short, long, value_name = "JSON")]
    pub data: Option<String>,
    /// Follow the cursor and print every item of a collection.
    #[arg(long)]
    pub all: bool,
}

/// `vt cache ...`.
#[derive(Debug, Clone, Copy, Subcommand)]
pub enum CacheCommand {
    /// Entries, sizes and ages of the cache (with --cache redis://: this key's entries).
    Stats,
    /// Remove entries older than --max-age and the least recently used past the size bound
    /// (Redis expires its entries by itself: nothing to do there).
    Prune,
    /// Remove every entry (with --cache redis://: every entry of this key).
    Clear,
    /// Run SQLite's integrity check on the cache file (exit 1 when it finds a problem); with
    /// --cache redis://, check that Redis answers.
    Check,
    /// Print where the cache file is (or the Redis URL, password hidden).
    Path,
}

/// `vt config`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Ask for the API key (hidden input) and write the config file with mode 0600.
    Init(ConfigInitArgs),
    /// Print the effective configuration (the key redacted) and where each value comes from.
    Show,
}

/// `vt config init`.
#[derive(Debug, Args)]
pub struct ConfigInitArgs {
    /// Replace an existing config file.
    #[arg(long)]
    pub force: bool,
}

/// `vt completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `vt emulator`.
#[cfg(feature = "emulator")]
#[derive(Debug, Subcommand)]
pub enum EmulatorCommand {
    /// Serve the emulated API on 127.0.0.1 until Ctrl-C.
    Serve(EmulatorServeArgs),
}

/// `vt emulator serve`.
#[cfg(feature = "emulator")]
#[derive(Debug, Args)]
pub struct EmulatorServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Seed of the generated dataset.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// An accepted key, `KEY[:public|:premium]` (repeatable) [default: the emulator's keys].
    #[arg(long = "key", value_name = "KEY[:TIER]")]
    pub keys: Vec<String>,
    /// Load extra objects from a directory of real JSON documents.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Inject faults, `KIND[:PARAM]=RATE[@/path-prefix]` (repeatable): transient, 429, drop,
    /// latency:200ms, slow-body:50ms, truncated-json, malformed-json, cut-body, and for feed
    /// packages feed-corrupt, feed-truncated, feed-not-json, feed-bomb, feed-missing; e.g.
    /// `transient=0.1`, `feed-truncated=1@/api/v3/feeds/files/202612030400`.
    #[arg(long = "fault", value_name = "RULE")]
    pub faults: Vec<String>,
    /// Divide every quota window by FACTOR (43200 makes a day last two seconds).
    #[arg(long, value_name = "FACTOR")]
    pub quota_scale: Option<u32>,
    /// Polls after which an analysis is completed (0: at once).
    #[arg(long, value_name = "N")]
    pub analysis_polls: Option<u32>,
    /// Minutes after its start that a feed minute's package is published (the API: 60).
    #[arg(long, value_name = "MINUTES", default_value_t = 60)]
    pub feed_lag: u32,
    /// Delay every answer by this much, like a network round trip (e.g. `150ms`, `1s`).
    #[arg(long, value_name = "DURATION")]
    pub latency: Option<String>,
}
