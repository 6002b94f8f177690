//! The options of `vt scan file --private` and `vt scan url --private`, turned into the
//! library's [`PrivateScanOptions`] and checked by its rules before anything is read or sent.

use clap::Args;
use vt_api::private::PrivateScanOptions;

use crate::exit::{CliError, CliResult};

/// Private-scan options of `vt scan file`.
#[derive(Debug, Clone, Default, Args)]
pub struct PrivateFileScanArgs {
    /// Scan privately (Private Scanning licence): shared with no one, no antivirus verdicts,
    /// only sandbox and tool output; see `vt private`.
    #[arg(long, conflicts_with = "skip_known")]
    pub private: bool,
    /// Days VirusTotal keeps a private report (1 to 28) [default: the group's, 1].
    #[arg(long, value_name = "DAYS", requires = "private")]
    pub retention_days: Option<u32>,
    /// Where private data is stored: US or EU [default: the group's].
    #[arg(long, value_name = "REGION", requires = "private")]
    pub storage_region: Option<String>,
    /// Private scans: skip the sandboxes.
    #[arg(long, requires = "private")]
    pub disable_sandbox: bool,
    /// Private scans: let the sandbox reach the internet (true or false).
    #[arg(long, value_name = "BOOL", requires = "private")]
    pub enable_internet: Option<bool>,
    /// Private scans: intercept TLS in the sandbox (true or false).
    #[arg(long, value_name = "BOOL", requires = "private")]
    pub intercept_tls: Option<bool>,
    /// Private scans: the command line the sandbox runs the file with.
    #[arg(long, value_name = "ARGS", requires = "private")]
    pub command_line: Option<String>,
    /// Private scans: the sandbox's locale, e.g. EN_US, DE_DE.
    #[arg(long, value_name = "LOCALE", requires = "private")]
    pub locale: Option<String>,
}

/// Private-scan options of `vt scan url`.
#[derive(Debug, Clone, Default, Args)]
pub struct PrivateUrlScanArgs {
    /// Scan privately (Private Scanning licence); see `vt private`.
    #[arg(long)]
    pub private: bool,
    /// Days VirusTotal keeps a private report (1 to 28) [default: the group's, 1].
    #[arg(long, value_name = "DAYS", requires = "private")]
    pub retention_days: Option<u32>,
    /// Where private data is stored: US, CA, EU or GB [default: the group's].
    #[arg(long, value_name = "REGION", requires = "private")]
    pub storage_region: Option<String>,
    /// Private scans: the sandboxes to open the URL in, comma-separated (e.g.
    /// chrome_headless_linux,cape_win,zenbox_windows).
    #[arg(long, value_name = "LIST", value_delimiter = ',', requires = "private")]
    pub sandboxes: Vec<String>,
    /// Private scans: the User-Agent the sandbox browses with.
    #[arg(long, value_name = "UA", requires = "private")]
    pub user_agent: Option<String>,
}

/// The library options of `vt scan file --private`, checked by the library's rules.
pub(crate) fn file_options(
    p: &PrivateFileScanArgs,
    password: Option<&String>,
) -> CliResult<PrivateScanOptions> {
    let mut o = PrivateScanOptions::new();
    if let Some(pw) = password {
        o = o.password(pw.clone());
    }
    if let Some(d) = p.retention_days {
        o = o.retention_period_days(d);
    }
    if let Some(r) = &p.storage_region {
        o = o.storage_region(r.clone());
    }
    if p.disable_sandbox {
        o = o.disable_sandbox(true);
    }
    if let Some(b) = p.enable_internet {
        o = o.enable_internet(b);
    }
    if let Some(b) = p.intercept_tls {
        o = o.intercept_tls(b);
    }
    if let Some(c) = &p.command_line {
        o = o.command_line(c.clone());
    }
    if let Some(l) = &p.locale {
        o = o.locale(l.clone());
    }
    o.check_for_file().map_err(|e| usage(&e))?;
    Ok(o)
}

/// The library options of `vt scan url --private`, checked by the library's rules.
pub(crate) fn url_options(args: &PrivateUrlScanArgs) -> CliResult<PrivateScanOptions> {
    let mut o = PrivateScanOptions::new();
    if let Some(d) = args.retention_days {
        o = o.retention_period_days(d);
    }
    if let Some(r) = &args.storage_region {
        o = o.storage_region(r.clone());
    }
    if !args.sandboxes.is_empty() {
        o = o.sandboxes(args.sandboxes.clone());
    }
    if let Some(ua) = &args.user_agent {
        o = o.user_agent(ua.clone());
    }
    o.check_for_url().map_err(|e| usage(&e))?;
    Ok(o)
}

fn usage(err: &vt_api::Error) -> CliError {
    CliError::usage(crate::exit::error_chain(err))
}
