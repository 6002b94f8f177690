//! Private scanning (`/private/...`; needs the Private Scanning licence): uploads and URL
//! scans shared with no one, their analyses, and the private file and URL reports.
//!
//! Everything this family returns is wrapped in [`vt_model::Private`], so a private report is
//! never taken for a public one (see [`vt_model::private`]). Uploads go through the same
//! machinery as public ones ([`crate::upload`]): streamed from disk with an exact length,
//! `POST /private/files` when the request fits in 32 MiB, a single-use URL from
//! `GET /private/files/upload_url` above that, files over 650 MiB refused before any request,
//! sent once and never retried. Waiting is [`crate::analyses`]' loop over
//! `GET /private/analyses/{id}`.
//!
//! ```no_run
//! # async fn run(client: vt_api::Client) -> Result<(), vt_api::Error> {
//! use vt_api::{WaitOptions, private::PrivateScanOptions};
//! let options = PrivateScanOptions::new().retention_period_days(3).enable_internet(false);
//! let analysis = client.private().upload_with("sample.exe", options).await?;
//! let id = analysis.get().id_str().parse()?;
//! let done = client.private().wait(&id, WaitOptions::new()).await?;
//! let sha256 = done.analysis_meta().and_then(|m| m.file_info).and_then(|f| f.sha256);
//! if let Some(sha256) = sha256 {
//!     let report = client.private().file(&sha256.parse()?).await?;
//!     println!("{:?}", report.get().attributes.sandbox_verdicts);
//! }
//! # Ok(()) }
//! ```
//!
//! Options the caller does not set are not sent: VirusTotal then applies the group's
//! defaults. (Its documentation disagrees on the defaults of `enable_internet` and
//! `intercept_tls`; set them to be sure.)

use std::fmt;
use std::path::Path;

use vt_model::{
    AnalysisId, DataEnvelope, FileHash, PrivateAnalysisDescriptor, PrivateAnalysisDocument,
    PrivateFileReport, PrivateUrlReport, UrlId,
};

use crate::analyses::{WaitOptions, WaitProgress, poll_until_completed};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::pagination::Paginator;
use crate::request::{ApiRequest, Target, path_segment};
use crate::upload::{LocalFile, Multipart, Progress, filename_of, send_multipart, upload_url};

/// Largest page of `GET /private/files`.
pub const MAX_PAGE_SIZE: u32 = 40;

/// Options of a private file upload or URL scan. Each is checked before any request
/// ([`Error::InvalidInput`]); an option that applies only to files (or only to URLs) given to
/// the other kind of scan is refused rather than silently dropped.
#[derive(Clone, Default)]
pub struct PrivateScanOptions {
    password: Option<String>,
    filename: Option<String>,
    progress: Option<Progress>,
    retention_period_days: Option<u32>,
    storage_region: Option<String>,
    disable_sandbox: Option<bool>,
    enable_internet: Option<bool>,
    intercept_tls: Option<bool>,
    command_line: Option<String>,
    locale: Option<String>,
    interaction_sandbox: Option<String>,
    interaction_timeout: Option<u32>,
    user_agent: Option<String>,
    sandboxes: Vec<String>,
}

impl fmt::Debug for PrivateScanOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateScanOptions")
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("filename", &self.filename)
            .field("progress", &self.progress.is_some())
            .field("retention_period_days", &self.retention_period_days)
            .field("storage_region", &self.storage_region)
            .field("disable_sandbox", &self.disable_sandbox)
            .field("enable_internet", &self.enable_internet)
            .field("intercept_tls", &self.intercept_tls)
            .field("command_line", &self.command_line)
            .field("locale", &self.locale)
            .field("interaction_sandbox", &self.interaction_sandbox)
            .field("interaction_timeout", &self.interaction_timeout)
            .field("user_agent", &self.user_agent)
            .field("sandboxes", &self.sandboxes)
            .finish()
    }
}

/// Which kind of private scan options are checked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScanKind {
    File,
    Url,
}

impl PrivateScanOptions {
    /// No options: the group's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// (Files) The password of a protected ZIP holding one file (`password`).
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// (Files) The file name to send instead of the file's own.
    pub fn filename(mut self, name: impl Into<String>) -> Self {
        self.filename = Some(name.into());
        self
    }

    /// (Files) Calls `progress(sent, total)` as the file's bytes are sent.
    pub fn progress(mut self, progress: impl Fn(u64, u64) + Send + Sync + 'static) -> Self {
        self.progress = Some(std::sync::Arc::new(progress));
        self
    }

    /// How many days VirusTotal keeps the report (`retention_period_days`, 1 to 28).
    pub fn retention_period_days(mut self, days: u32) -> Self {
        self.retention_period_days = Some(days);
        self
    }

    /// Where the data is stored (`storage_region`: `US`, `EU`, and for URLs `CA`, `GB`; other
    /// upper-case region codes are sent as given).
    pub fn storage_region(mut self, region: impl Into<String>) -> Self {
        self.storage_region = Some(region.into());
        self
    }

    /// (Files) Skip the sandboxes (`disable_sandbox`).
    pub fn disable_sandbox(mut self, yes: bool) -> Self {
        self.disable_sandbox = Some(yes);
        self
    }

    /// (Files) Let the sandbox reach the internet (`enable_internet`).
    pub fn enable_internet(mut self, yes: bool) -> Self {
        self.enable_internet = Some(yes);
        self
    }

    /// (Files) Intercept TLS in the sandbox (`intercept_tls`).
    pub fn intercept_tls(mut self, yes: bool) -> Self {
        self.intercept_tls = Some(yes);
        self
    }

    /// (Files) The command line the sandbox runs the file with (`command_line`).
    pub fn command_line(mut self, command_line: impl Into<String>) -> Self {
        self.command_line = Some(command_line.into());
        self
    }

    /// (Files) The sandbox's locale (`locale`, e.g. `EN_US`, `DE_DE`).
    pub fn locale(mut self, locale: impl Into<String>) -> Self {
        self.locale = Some(locale.into());
        self
    }

    /// The sandbox for an interactive session (`interaction_sandbox`, e.g. `cape_win`).
    pub fn interaction_sandbox(mut self, sandbox: impl Into<String>) -> Self {
        self.interaction_sandbox = Some(sandbox.into());
        self
    }

    /// Length of the interactive session in seconds (`interaction_timeout`, 60 to 1800).
    pub fn interaction_timeout(mut self, seconds: u32) -> Self {
        self.interaction_timeout = Some(seconds);
        self
    }

    /// (URLs) The `User-Agent` the sandbox browses with (`user_agent`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// (URLs) The sandboxes to open the URL in (`sandboxes`, e.g. `chrome_headless_linux`,
    /// `cape_win`, `zenbox_windows`; sent comma-separated).
    pub fn sandboxes<I, T>(mut self, sandboxes: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        self.sandboxes = sandboxes.into_iter().map(Into::into).collect();
        self
    }

    /// Checks the options for a private file upload, as [`PrivateScans::upload_with`] does
    /// before sending anything (for callers that validate a whole batch first).
    pub fn check_for_file(&self) -> Result<()> {
        self.fields(ScanKind::File).map(drop)
    }

    /// Checks the options for a private URL scan, as [`PrivateScans::scan_url_with`] does.
    pub fn check_for_url(&self) -> Result<()> {
        self.fields(ScanKind::Url).map(drop)
    }

    /// Checks every option for `kind` and returns the fields to send, in a fixed order.
    fn fields(&self, kind: ScanKind) -> Result<Vec<(&'static str, String)>> {
        self.check_scan_kind(kind)?;
        self.checked_fields()
    }

    /// Refuses an option of the other kind of scan (a file scan's sandbox options on a URL
    /// scan, a URL scan's `user_agent` or `sandboxes` on a file scan).
    fn check_scan_kind(&self, kind: ScanKind) -> Result<()> {
        let only = |set: bool, name: &str, for_kind: ScanKind| -> Result<()> {
            if set && kind != for_kind {
                let (this, other) = match kind {
                    ScanKind::File => ("file", "URL"),
                    ScanKind::Url => ("URL", "file"),
                };
                return Err(Error::invalid(
                    name,
                    format!("applies to private {other} scans only, not to a {this} scan"),
                ));
            }
            Ok(())
        };
        only(self.password.is_some(), "password", ScanKind::File)?;
        only(
            self.disable_sandbox.is_some(),
            "disable_sandbox",
            ScanKind::File,
        )?;
        only(
            self.enable_internet.is_some(),
            "enable_internet",
            ScanKind::File,
        )?;
        only(
            self.intercept_tls.is_some(),
            "intercept_tls",
            ScanKind::File,
        )?;
        only(self.command_line.is_some(), "command_line", ScanKind::File)?;
        only(self.locale.is_some(), "locale", ScanKind::File)?;
        only(self.user_agent.is_some(), "user_agent", ScanKind::Url)?;
        only(!self.sandboxes.is_empty(), "sandboxes", ScanKind::Url)
    }

    /// Checks the value of every option that is set and returns the fields to send, in a
    /// fixed order.
    fn checked_fields(&self) -> Result<Vec<(&'static str, String)>> {
        let mut out = Vec::new();
        if let Some(pw) = &self.password {
            if pw.is_empty() {
                return Err(Error::invalid("password", "an empty ZIP password"));
            }
            out.push(("password", pw.clone()));
        }
        for (name, value) in [
            ("disable_sandbox", self.disable_sandbox),
            ("enable_internet", self.enable_internet),
            ("intercept_tls", self.intercept_tls),
        ] {
            if let Some(v) = value {
                out.push((name, v.to_string()));
            }
        }
        if let Some(cmd) = &self.command_line {
            if cmd.contains(['\r', '\n']) {
                return Err(Error::invalid(cmd, "a command line is one line"));
            }
            out.push(("command_line", cmd.clone()));
        }
        if let Some(days) = self.retention_period_days {
            if !(1..=28).contains(&days) {
                return Err(Error::invalid(
                    days.to_string(),
                    "the retention period is 1 to 28 days",
                ));
            }
            out.push(("retention_period_days", days.to_string()));
        }
        if let Some(region) = &self.storage_region {
            check_code(
                region,
                "storage region",
                "an upper-case region code such as US or EU",
            )?;
            out.push(("storage_region", region.clone()));
        }
        if let Some(locale) = &self.locale {
            check_locale(locale)?;
            out.push(("locale", locale.clone()));
        }
        if let Some(sandbox) = &self.interaction_sandbox {
            check_name(sandbox, "sandbox name")?;
            out.push(("interaction_sandbox", sandbox.clone()));
        }
        if let Some(secs) = self.interaction_timeout {
            if !(60..=1800).contains(&secs) {
                return Err(Error::invalid(
                    secs.to_string(),
                    "the interaction timeout is 60 to 1800 seconds",
                ));
            }
            out.push(("interaction_timeout", secs.to_string()));
        }
        if let Some(ua) = &self.user_agent {
            if ua.is_empty() || ua.contains(|c: char| c.is_control()) {
                return Err(Error::invalid(ua, "a user agent is one line of text"));
            }
            out.push(("user_agent", ua.clone()));
        }
        if !self.sandboxes.is_empty() {
            for s in &self.sandboxes {
                check_name(s, "sandbox name")?;
            }
            out.push(("sandboxes", self.sandboxes.join(",")));
        }
        Ok(out)
    }
}

/// A locale as the sandboxes take it: `EN_US`, `DE_DE`.
fn check_locale(locale: &str) -> Result<()> {
    let ok = locale.len() == 5
        && locale.as_bytes()[2] == b'_'
        && locale
            .bytes()
            .enumerate()
            .all(|(i, b)| i == 2 || b.is_ascii_uppercase());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            locale,
            "a locale is written like EN_US or DE_DE",
        ))
    }
}

fn check_code(text: &str, what: &str, expected: &str) -> Result<()> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(Error::invalid(
            text,
            format!("not a {what}: expected {expected}"),
        ));
    }
    Ok(())
}

fn check_name(text: &str, what: &str) -> Result<()> {
    if text.is_empty()
        || !text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(Error::invalid(
            text,
            format!("not a {what}: letters, digits, `_` and `-` only (e.g. cape_win)"),
        ));
    }
    Ok(())
}

fn file_path(id: &FileHash) -> String {
    format!("/private/files/{}", path_segment(id.as_str()))
}

/// The `/private` family; get it with [`Client::private`].
#[derive(Debug)]
pub struct PrivateScans<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> PrivateScans<'a> {
    /// Uploads the file at `path` for a private scan; returns the private analysis
    /// descriptor (poll it with [`PrivateScans::wait`]).
    pub async fn upload(&self, path: impl AsRef<Path>) -> Result<PrivateAnalysisDescriptor> {
        self.upload_with(path, PrivateScanOptions::new()).await
    }

    /// Uploads the file at `path` with options (checked before any request): the multipart
    /// fields are the options set, then `file`. `POST /private/files` up to 32 MiB of request,
    /// a `GET /private/files/upload_url` URL above.
    pub async fn upload_with(
        &self,
        path: impl AsRef<Path>,
        options: PrivateScanOptions,
    ) -> Result<PrivateAnalysisDescriptor> {
        let fields = options.fields(ScanKind::File)?;
        let path = path.as_ref();
        let local = LocalFile::check(path).await?;
        let filename = options
            .filename
            .clone()
            .unwrap_or_else(|| filename_of(path));
        let mut multipart = Multipart::new();
        for (name, value) in &fields {
            multipart = multipart.text(name, value);
        }
        let multipart = multipart.file_from_disk("file", &filename, &local).await?;
        let descriptor = send_multipart(
            self.client,
            "/private/files",
            "/private/files/upload_url",
            multipart,
            options.progress,
        )
        .await?;
        Ok(vt_model::Private::new(descriptor))
    }

    /// A single-use URL for a private upload larger than 32 MiB
    /// (`GET /private/files/upload_url`); [`PrivateScans::upload`] uses it by itself.
    pub async fn upload_url(&self) -> Result<String> {
        upload_url(self.client, "/private/files/upload_url").await
    }

    /// Scans `url` privately (`POST /private/urls`, form-urlencoded); `url` must pass
    /// [`vt_model::check_url`]. Returns the private analysis descriptor.
    pub async fn scan_url(&self, url: &str) -> Result<PrivateAnalysisDescriptor> {
        self.scan_url_with(url, PrivateScanOptions::new()).await
    }

    /// Scans `url` privately with options (`user_agent`, `sandboxes`, retention, region,
    /// interaction), all checked before any request.
    pub async fn scan_url_with(
        &self,
        url: &str,
        options: PrivateScanOptions,
    ) -> Result<PrivateAnalysisDescriptor> {
        vt_model::check_url(url)?;
        let mut form = vec![("url", url.to_owned())];
        form.extend(options.fields(ScanKind::Url)?);
        self.client
            .send_data::<PrivateAnalysisDescriptor>(ApiRequest::post("/private/urls").form(&form))
            .await
    }

    /// Scans a privately scanned file again (`POST /private/files/{sha256}/analyse`, the
    /// options as query parameters, as VirusTotal documents).
    pub async fn reanalyse(
        &self,
        id: &FileHash,
        options: PrivateScanOptions,
    ) -> Result<PrivateAnalysisDescriptor> {
        if options.filename.is_some() || options.progress.is_some() {
            return Err(Error::invalid(
                "filename/progress",
                "a re-analysis sends no file",
            ));
        }
        let fields = options.fields(ScanKind::File)?;
        let req = ApiRequest::post(format!("{}/analyse", file_path(id))).queries(fields);
        self.client
            .send_data::<PrivateAnalysisDescriptor>(req)
            .await
    }

    /// The private analysis (`GET /private/analyses/{id}`), with the envelope's `meta`.
    pub async fn analysis(&self, id: &AnalysisId) -> Result<PrivateAnalysisDocument> {
        self.client
            .send(ApiRequest::get(format!(
                "/private/analyses/{}",
                path_segment(id.as_str())
            )))
            .await
    }

    /// Polls the private analysis until it is `completed`, the same way as
    /// [`Analyses::wait`](crate::analyses::Analyses::wait) (2 s growing to 30 s, a timeout,
    /// transient errors ridden out).
    pub async fn wait(
        &self,
        id: &AnalysisId,
        options: WaitOptions,
    ) -> Result<PrivateAnalysisDocument> {
        self.wait_observed(id, options, |_| {}).await
    }

    /// [`wait`](Self::wait), telling `observe` after each poll that did not complete it what
    /// it saw and when the next poll comes, as
    /// [`Analyses::wait_observed`](crate::analyses::Analyses::wait_observed) does.
    pub async fn wait_observed(
        &self,
        id: &AnalysisId,
        options: WaitOptions,
        observe: impl FnMut(&WaitProgress) + Send,
    ) -> Result<PrivateAnalysisDocument> {
        poll_until_completed(
            id,
            &options,
            || self.analysis(id),
            |doc: &PrivateAnalysisDocument| doc.data.get().attributes.status.clone(),
            observe,
        )
        .await
    }

    /// The private report of a file (`GET /private/files/{sha256}`): sandbox verdicts, YARA
    /// and Sigma results, no antivirus verdicts.
    pub async fn file(&self, id: &FileHash) -> Result<PrivateFileReport> {
        self.client
            .send_data::<PrivateFileReport>(ApiRequest::get(file_path(id)))
            .await
    }

    /// The private report's `data` object as the JSON text received (checked, not decoded);
    /// see [`crate::files::Files::report_json`].
    pub async fn file_json(&self, id: &FileHash) -> Result<crate::raw_json::RawJson> {
        self.client
            .send_raw_data(ApiRequest::get(file_path(id)))
            .await
    }

    /// The files you scanned privately (`GET /private/files`, ordered by SHA-256; pages of
    /// up to [`MAX_PAGE_SIZE`]).
    pub fn files(&self) -> Paginator<PrivateFileReport> {
        Paginator::new(self.client, Target::V3("/private/files".into()), Vec::new())
            .page_size(MAX_PAGE_SIZE)
    }

    /// The sandbox reports of a privately scanned file
    /// (`GET /private/files/{sha256}/behaviours`).
    pub fn behaviours(
        &self,
        id: &FileHash,
    ) -> Paginator<vt_model::Private<vt_model::FileBehaviour>> {
        Paginator::new(
            self.client,
            Target::V3(format!("{}/behaviours", file_path(id))),
            Vec::new(),
        )
    }

    /// The private report of a URL (`GET /private/urls/{id}`).
    pub async fn url(&self, id: &UrlId) -> Result<PrivateUrlReport> {
        let doc: DataEnvelope<PrivateUrlReport> = self
            .client
            .send(ApiRequest::get(format!(
                "/private/urls/{}",
                path_segment(id.as_str())
            )))
            .await?;
        Ok(doc.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_checked_for_the_kind_of_scan() {
        let o = PrivateScanOptions::new().password("x");
        assert!(o.fields(ScanKind::Url).unwrap_err().is_invalid_input());
        assert_eq!(
            o.fields(ScanKind::File).unwrap(),
            [("password", "x".into())]
        );
        let o = PrivateScanOptions::new().sandboxes(["cape_win", "zenbox_windows"]);
        assert_eq!(
            o.fields(ScanKind::Url).unwrap(),
            [("sandboxes", "cape_win,zenbox_windows".into())]
        );
        assert!(o.fields(ScanKind::File).is_err());
        for bad in [
            PrivateScanOptions::new().retention_period_days(0),
            PrivateScanOptions::new().retention_period_days(29),
            PrivateScanOptions::new().interaction_timeout(59),
            PrivateScanOptions::new().storage_region("eu"),
            PrivateScanOptions::new().interaction_sandbox("cape win"),
        ] {
            assert!(
                bad.fields(ScanKind::Url).unwrap_err().is_invalid_input(),
                "{bad:?}"
            );
        }
        assert!(
            PrivateScanOptions::new()
                .locale("en-US")
                .fields(ScanKind::File)
                .is_err()
        );
        assert!(
            PrivateScanOptions::new()
                .locale("EN_US")
                .fields(ScanKind::File)
                .is_ok()
        );
    }
}
