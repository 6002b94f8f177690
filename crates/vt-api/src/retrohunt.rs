//! Retrohunt (VT Hunting, premium): YARA scans over VirusTotal's past files
//! (`/intelligence/retrohunt_jobs`).
//!
//! [`Retrohunt::create`] starts a job from a [`NewRetrohuntJob`] (rules, corpus, time range,
//! notification e-mail; checked before any request), [`Retrohunt::list`] and
//! [`Retrohunt::get`] read jobs, [`Retrohunt::abort`] and [`Retrohunt::delete`] stop and
//! remove them, and [`Retrohunt::matching_files`] streams the files a job matched (typed
//! [`FileReport`]s, each with its `context_attributes`).
//!
//! [`Retrohunt::wait_observed`] polls a job until it ends, telling a callback after every
//! poll what it saw (status, progress, scanned bytes, matches so far): at once, then at
//! growing intervals ([`WaitOptions`]), riding out transient errors (503s, timeouts, a
//! connection refused while the server restarts) until the timeout. Everything a wait needs is
//! the job id, so a wait cut short (the process died, the timeout passed, Ctrl-C) goes on by
//! calling it again with the same id. A job that ends `aborted` or `failed` is
//! [`Error::RetrohuntEnded`]; a wait past the timeout is [`Error::RetrohuntTimeout`].
//!
//! ```no_run
//! # async fn run(client: vt_api::Client) -> Result<(), vt_api::Error> {
//! use futures_util::TryStreamExt;
//! use vt_api::WaitOptions;
//! use vt_api::retrohunt::NewRetrohuntJob;
//! use vt_model::RetrohuntCorpus;
//!
//! let rules = r#"rule eicar { strings: $a = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" condition: $a }"#;
//! let job = client.retrohunt().create(&NewRetrohuntJob::new(rules).corpus(RetrohuntCorpus::Main)).await?;
//! let id = job.id_str().parse()?;
//! let done = client.retrohunt()
//!     .wait_observed(&id, WaitOptions::new(), |p| {
//!         if let Some(job) = p.job {
//!             eprintln!("{:.1}% {:?} matches", job.attributes.progress_percent(), job.attributes.num_matches);
//!         }
//!     })
//!     .await?;
//! let mut files = client.retrohunt().matching_files(&id);
//! while let Some(file) = files.try_next().await? {
//!     println!("{}", file.id_str());
//! }
//! # let _ = done; Ok(()) }
//! ```

use std::time::Duration;

use serde_json::{Map, Value, json};
use vt_model::{
    DataEnvelope, FileReport, RetrohuntCorpus, RetrohuntJob, RetrohuntJobId, RetrohuntStatus,
    RetrohuntTimeRange, Timestamp,
};

use crate::analyses::WaitOptions;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::pagination::Paginator;
use crate::request::{ApiRequest, Target, path_segment};

/// The largest rules text sent, in bytes. VirusTotal documents no size limit for Retrohunt
/// rules; 1 MiB is far above any hand-written ruleset (300 rules, the documented maximum,
/// rarely reach 100 KiB) and keeps a wrong file (a sample, a log) from being uploaded as rules.
pub const MAX_RULES_BYTES: usize = 1024 * 1024;

/// The most rules one job may hold (VirusTotal's documented limit).
pub const MAX_RULES_PER_JOB: usize = 300;

/// The longest notification e-mail address accepted (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;

/// Checks a rules text before any request: not empty or blank, at most
/// [`MAX_RULES_BYTES`], no NUL byte and, with this crate's `yara` feature, compiling with
/// yara-x for Retrohunt (`vt.metadata` allowed, its `submitter` not) into at most
/// [`MAX_RULES_PER_JOB`] rules (a compile error is the reason, as
/// `line:column: error[code]: message`; warnings do not fail). Without the feature, whether
/// the rules compile is the server's to say. Returns the text unchanged.
///
/// ```
/// use vt_api::retrohunt::check_rules;
/// assert!(check_rules("rule a { condition: true }").is_ok());
/// assert!(check_rules(" \n ").is_err());
/// ```
pub fn check_rules(rules: &str) -> Result<&str> {
    if rules.trim().is_empty() {
        return Err(Error::invalid(rules, "the ruleset is empty"));
    }
    if rules.len() > MAX_RULES_BYTES {
        return Err(Error::invalid(
            format!("{} bytes of rules", rules.len()),
            format!("the ruleset is over the limit of {MAX_RULES_BYTES} bytes"),
        ));
    }
    if rules.contains('\0') {
        return Err(Error::invalid(
            "rules",
            "the ruleset contains a NUL byte (a binary file given as rules?)",
        ));
    }
    #[cfg(feature = "yara")]
    {
        let source = vt_yara::RulesSource::new(rules.as_bytes())
            .with_target(vt_yara::RulesTarget::Retrohunt);
        let compiled =
            vt_yara::compile(source).map_err(|e| Error::invalid("rules", e.to_string()))?;
        if compiled.len() > MAX_RULES_PER_JOB {
            return Err(Error::invalid(
                "rules",
                format!(
                    "the ruleset has {} rules; a Retrohunt job takes at most {MAX_RULES_PER_JOB}",
                    compiled.len()
                ),
            ));
        }
    }
    Ok(rules)
}

/// Which end of a time range a date given without a time of day stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeEnd {
    /// The start: a bare date is that day's 00:00:00 UTC.
    Start,
    /// The end: a bare date is that day's 23:59:59 UTC (the whole day is in the range).
    End,
}

/// Parses one end of a Retrohunt time range: `YYYY-MM-DD` (UTC; the whole day, see
/// [`RangeEnd`]), `YYYY-MM-DDTHH:MM:SSZ`, `YYYY-MM-DD HH:MM:SS` (UTC) or Unix seconds.
///
/// ```
/// use vt_api::retrohunt::{RangeEnd, parse_range_date};
/// assert_eq!(parse_range_date("2024-01-31", RangeEnd::Start)?.as_secs(), 1_706_659_200);
/// assert_eq!(parse_range_date("2024-01-31", RangeEnd::End)?.as_secs(), 1_706_745_599);
/// assert_eq!(parse_range_date("1706659200", RangeEnd::End)?.as_secs(), 1_706_659_200);
/// assert!(parse_range_date("31/01/2024", RangeEnd::Start).is_err());
/// # Ok::<(), vt_api::Error>(())
/// ```
pub fn parse_range_date(text: &str, end: RangeEnd) -> Result<Timestamp> {
    let bad = || {
        Error::invalid(
            text,
            "expected a date YYYY-MM-DD, a UTC time YYYY-MM-DDTHH:MM:SSZ or Unix seconds",
        )
    };
    if !text.is_empty() && text.len() <= 12 && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().map(Timestamp).map_err(|_| bad());
    }
    if text.len() == 10 {
        let day = Timestamp::parse_utc(&format!("{text} 00:00:00")).ok_or_else(bad)?;
        return Ok(match end {
            RangeEnd::Start => day,
            RangeEnd::End => Timestamp(day.as_secs() + 86_399),
        });
    }
    Timestamp::parse_utc(text).ok_or_else(bad)
}

/// A Retrohunt job to create: the rules and, optionally, the corpus, the time range and the
/// e-mail to notify. [`check`](Self::check) runs before anything is sent.
///
/// ```
/// use vt_api::retrohunt::NewRetrohuntJob;
/// use vt_model::{RetrohuntCorpus, Timestamp};
/// let job = NewRetrohuntJob::new("rule a { condition: true }")
///     .corpus(RetrohuntCorpus::Goodware)
///     .time_range(Some(Timestamp(1_700_000_000)), None)
///     .notification_email("hunter@example.com");
/// assert_eq!(job.body()["data"]["attributes"]["time_range"]["start"], 1_700_000_000);
/// assert!(NewRetrohuntJob::new("rule a { condition: true }")
///     .time_range(Some(Timestamp(2)), Some(Timestamp(1))).check().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NewRetrohuntJob {
    rules: String,
    corpus: Option<RetrohuntCorpus>,
    time_range: Option<RetrohuntTimeRange>,
    notification_email: Option<String>,
}

impl NewRetrohuntJob {
    /// A job scanning with `rules` (the main corpus, the whole look-back, no e-mail).
    pub fn new(rules: impl Into<String>) -> Self {
        NewRetrohuntJob {
            rules: rules.into(),
            corpus: None,
            time_range: None,
            notification_email: None,
        }
    }

    /// The corpus to scan (`main` when not set).
    pub fn corpus(mut self, corpus: RetrohuntCorpus) -> Self {
        self.corpus = Some(corpus);
        self
    }

    /// Only files first submitted between `start` and `end` (either open).
    pub fn time_range(mut self, start: Option<Timestamp>, end: Option<Timestamp>) -> Self {
        let range = RetrohuntTimeRange::between(start, end);
        self.time_range = (!range.is_open()).then_some(range);
        self
    }

    /// The address VirusTotal tells when the job ends.
    pub fn notification_email(mut self, email: impl Into<String>) -> Self {
        self.notification_email = Some(email.into());
        self
    }

    /// The rules.
    pub fn rules(&self) -> &str {
        &self.rules
    }

    /// Checks everything before any request: the rules ([`check_rules`]), a corpus name that
    /// is a lowercase word, a time range whose start is not after its end, an e-mail address
    /// of the form `local@domain` without spaces.
    pub fn check(&self) -> Result<()> {
        check_rules(&self.rules)?;
        if let Some(corpus) = &self.corpus {
            let name = corpus.as_str();
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                return Err(Error::invalid(name, "not a corpus name (main or goodware)"));
            }
        }
        if let Some(RetrohuntTimeRange {
            start: Some(start),
            end: Some(end),
            ..
        }) = &self.time_range
            && start > end
        {
            return Err(Error::invalid(
                format!("{start} to {end}"),
                "the time range starts after it ends",
            ));
        }
        if let Some(email) = &self.notification_email {
            let ok = email.chars().count() <= MAX_EMAIL_CHARS
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
                && email
                    .rsplit_once('@')
                    .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
            if !ok {
                return Err(Error::invalid(
                    email,
                    "not an e-mail address (local@domain.tld)",
                ));
            }
        }
        Ok(())
    }

    /// The request body: `{"data": {"type": "retrohunt_job", "attributes": {...}}}` with only
    /// the members set.
    pub fn body(&self) -> Value {
        let mut attributes = Map::new();
        attributes.insert("rules".into(), json!(self.rules));
        if let Some(corpus) = &self.corpus {
            attributes.insert("corpus".into(), json!(corpus.as_str()));
        }
        if let Some(range) = &self.time_range {
            attributes.insert("time_range".into(), json!(range));
        }
        if let Some(email) = &self.notification_email {
            attributes.insert("notification_email".into(), json!(email));
        }
        json!({"data": {"type": vt_model::RETROHUNT_JOB_TYPE, "attributes": attributes}})
    }
}

/// What [`Retrohunt::wait_observed`] reports after a poll that did not end the job.
#[derive(Debug, Clone, Copy)]
pub struct RetrohuntWaitProgress<'a> {
    /// Polls so far (1 after the first).
    pub polls: u32,
    /// The job as last seen (status, progress, scanned bytes, matches so far); `None` until a
    /// poll succeeded.
    pub job: Option<&'a RetrohuntJob>,
    /// Whether this poll failed with a transient error (the job shown is the previous one).
    pub transient_error: bool,
    /// Time since the wait began.
    pub waited: Duration,
    /// When the next poll comes.
    pub next_poll_in: Duration,
}

fn job_path(id: &RetrohuntJobId) -> String {
    format!("/intelligence/retrohunt_jobs/{}", path_segment(id.as_str()))
}

/// The Retrohunt family; get it with [`Client::retrohunt`].
#[derive(Debug)]
pub struct Retrohunt<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Retrohunt<'a> {
    /// Starts a job (`POST /intelligence/retrohunt_jobs`); returns it (status `starting` or
    /// `queued`). [`NewRetrohuntJob::check`] runs first: bad input sends nothing.
    pub async fn create(&self, job: &NewRetrohuntJob) -> Result<RetrohuntJob> {
        job.check()?;
        let doc: DataEnvelope<RetrohuntJob> = self
            .client
            .send(ApiRequest::post("/intelligence/retrohunt_jobs").json(&job.body())?)
            .await?;
        Ok(doc.data)
    }

    /// The caller's jobs, newest first (`GET /intelligence/retrohunt_jobs`); narrow with
    /// [`Paginator::filter`], e.g. `status:running`.
    pub fn list(&self) -> Paginator<RetrohuntJob> {
        Paginator::new(
            self.client,
            Target::V3("/intelligence/retrohunt_jobs".into()),
            Vec::new(),
        )
    }

    /// One job (`GET /intelligence/retrohunt_jobs/{id}`).
    pub async fn get(&self, id: &RetrohuntJobId) -> Result<RetrohuntJob> {
        self.client.send_data(ApiRequest::get(job_path(id))).await
    }

    /// Asks VirusTotal to stop a job (`POST /intelligence/retrohunt_jobs/{id}/abort`, no
    /// body), then reads it back: the job, now `aborting` or `aborted` (an abort of an aborted
    /// job changes nothing). When the job had already ended otherwise (`finished` or
    /// `failed`: the abort raced the end and lost, whether the server refused the abort or
    /// took it silently), the answer is [`Error::RetrohuntAlreadyEnded`]; its matches stay
    /// listable.
    pub async fn abort(&self, id: &RetrohuntJobId) -> Result<RetrohuntJob> {
        let sent = self
            .client
            .send_empty(ApiRequest::post(format!("{}/abort", job_path(id))))
            .await;
        // Only a refusal about this job may mean "already ended"; anything else (not found,
        // key, quota, network) is the answer.
        let refusal = match sent {
            Ok(()) => None,
            Err(e) if !e.is_final_for_item() || e.is_not_found() => return Err(e),
            Err(e) => Some(e),
        };
        let job = match self.get(id).await {
            Ok(job) => job,
            Err(get_error) => return Err(refusal.unwrap_or(get_error)),
        };
        let status = job.attributes.status_or_unknown();
        match (status, refusal) {
            (status @ (RetrohuntStatus::Finished | RetrohuntStatus::Failed), _) => {
                Err(Error::RetrohuntAlreadyEnded {
                    id: id.to_string(),
                    status: status.as_str().to_owned(),
                })
            }
            // Refused, yet the job has not ended: the refusal is the answer.
            (status, Some(e)) if status != RetrohuntStatus::Aborted => Err(e),
            _ => Ok(job),
        }
    }

    /// Deletes a job (`DELETE /intelligence/retrohunt_jobs/{id}`), with its matches.
    pub async fn delete(&self, id: &RetrohuntJobId) -> Result<()> {
        self.client
            .send_empty(ApiRequest::delete(job_path(id)))
            .await
    }

    /// The files the job matched so far (`GET
    /// /intelligence/retrohunt_jobs/{id}/matching_files`): a lazy stream of file objects,
    /// each with the job's `context_attributes` (such as the rule that matched).
    pub fn matching_files(&self, id: &RetrohuntJobId) -> Paginator<FileReport> {
        Paginator::new(
            self.client,
            Target::V3(format!("{}/matching_files", job_path(id))),
            Vec::new(),
        )
    }

    /// [`wait_observed`](Self::wait_observed) without a callback.
    pub async fn wait(&self, id: &RetrohuntJobId, options: WaitOptions) -> Result<RetrohuntJob> {
        self.wait_observed(id, options, |_| {}).await
    }

    /// Polls the job until it ends (see the module docs) and returns it once `finished`,
    /// telling `observe` after each poll that did not end it what it saw and when the next
    /// poll comes (nothing is printed here). `aborted` or `failed` is
    /// [`Error::RetrohuntEnded`] (the matches found so far stay listable); still running after
    /// [`WaitOptions::timeout`] is [`Error::RetrohuntTimeout`]. A status this version does not
    /// know is polled on, as a job still under way. Resumable: call it again with the same id.
    pub async fn wait_observed(
        &self,
        id: &RetrohuntJobId,
        options: WaitOptions,
        mut observe: impl FnMut(&RetrohuntWaitProgress<'_>) + Send,
    ) -> Result<RetrohuntJob> {
        let start = tokio::time::Instant::now();
        // A timeout too large for the clock means no deadline.
        let deadline = start.checked_add(options.timeout);
        let mut interval = options.initial_interval;
        let mut last: Option<RetrohuntJob> = None;
        let mut polls = 0u32;
        loop {
            let mut transient_error = false;
            match self.get(id).await {
                Ok(job) => {
                    let status = job.attributes.status_or_unknown();
                    if status.is_finished() {
                        return Ok(job);
                    }
                    if status.is_final() {
                        return Err(Error::RetrohuntEnded {
                            id: id.to_string(),
                            status: status.as_str().to_owned(),
                            progress: job.attributes.progress_percent(),
                            matches: job.attributes.num_matches.unwrap_or(0),
                        });
                    }
                    last = Some(job);
                }
                Err(e) if e.is_transient() => {
                    transient_error = true;
                    tracing::debug!(job = %id, error = %e, "transient error while waiting; polling on");
                }
                Err(e) => return Err(e),
            }
            let now = tokio::time::Instant::now();
            if deadline.is_some_and(|d| now >= d) {
                let attributes = last.as_ref().map(|j| &j.attributes);
                return Err(Error::RetrohuntTimeout {
                    id: id.to_string(),
                    waited: now - start,
                    last_status: attributes
                        .and_then(|a| a.status.as_ref())
                        .map_or_else(|| "unknown".to_owned(), |s| s.as_str().to_owned()),
                    progress: attributes.map_or(0.0, |a| a.progress_percent()),
                });
            }
            let sleep = match deadline {
                Some(d) => interval.min(d - now),
                None => interval,
            };
            polls += 1;
            observe(&RetrohuntWaitProgress {
                polls,
                job: last.as_ref(),
                transient_error,
                waited: now - start,
                next_poll_in: sleep,
            });
            tokio::time::sleep(sleep).await;
            interval = options.next_interval(interval);
        }
    }
}
