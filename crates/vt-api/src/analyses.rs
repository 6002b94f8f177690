//! Analyses: get one, get the analysed item, and wait for completion (`/analyses`).
//!
//! [`Analyses::wait`] polls `GET /analyses/{id}` until the status is `completed`: at once
//! (an analysis asked about later may be done already), then after 2 s, with the interval
//! growing (×1.5) up to 30 s, within an overall timeout ([`WaitOptions::timeout`], 10 minutes
//! by default), riding out transient failures (`TransientError`,
//! `DeadlineExceededError`, 5xx gateways, retryable transport errors) until the timeout. vt-py
//! polls every 20 s with no timeout; a small file is usually done in under a minute, so the
//! short first intervals save most of the waiting and the cap keeps long analyses from
//! spending quota.

use std::time::Duration;

use vt_model::{AnalysisId, AnalysisStatus, AnyObject, DataEnvelope};

use crate::client::{Client, HttpService};
use crate::error::{Error, Result};
use crate::request::{ApiRequest, path_segment};

/// An analysis answer: the `analysis` object plus the envelope's `meta` (`file_info` with the
/// hashes of an uploaded file, or `url_info`); see `DataEnvelope::analysis_meta`.
pub type AnalysisDocument = DataEnvelope<vt_model::Analysis>;

/// How [`Analyses::wait`] polls.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitOptions {
    /// The first interval (2 s).
    pub initial_interval: Duration,
    /// The largest interval (30 s).
    pub max_interval: Duration,
    /// Growth of the interval after each poll (1.5).
    pub factor: f64,
    /// Give up after this long (10 minutes); [`Error::AnalysisTimeout`].
    pub timeout: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            initial_interval: Duration::from_secs(2),
            max_interval: Duration::from_secs(30),
            factor: 1.5,
            timeout: Duration::from_secs(600),
        }
    }
}

impl WaitOptions {
    /// The defaults (2 s growing ×1.5 to 30 s, 10 minute timeout).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the overall timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the first and the largest interval.
    pub fn intervals(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_interval = initial;
        self.max_interval = max.max(initial);
        self
    }

    fn next_interval(&self, current: Duration) -> Duration {
        let factor = if self.factor.is_finite() && self.factor >= 1.0 {
            self.factor
        } else {
            1.0
        };
        current.mul_f64(factor).min(self.max_interval)
    }
}

/// The `/analyses` family; get it with [`Client::analyses`].
#[derive(Debug)]
pub struct Analyses<'a, S> {
    pub(crate) client: &'a Client<S>,
}

impl<'a, S: HttpService> Analyses<'a, S> {
    /// The analysis (`GET /analyses/{id}`), with the envelope's `meta`.
    pub async fn get(&self, id: &AnalysisId) -> Result<AnalysisDocument> {
        self.client
            .send(ApiRequest::get(format!(
                "/analyses/{}",
                path_segment(id.as_str())
            )))
            .await
    }

    /// The analysed file or URL (`GET /analyses/{id}/item`).
    pub async fn item(&self, id: &AnalysisId) -> Result<AnyObject> {
        let doc: DataEnvelope<AnyObject> = self
            .client
            .send(ApiRequest::get(format!(
                "/analyses/{}/item",
                path_segment(id.as_str())
            )))
            .await?;
        Ok(doc.data)
    }

    /// Polls the analysis until it is `completed` (see the module docs) and returns it.
    ///
    /// ```no_run
    /// # async fn run(client: vt_api::Client) -> Result<(), vt_api::Error> {
    /// use vt_api::analyses::WaitOptions;
    /// let descriptor = client.files().upload("sample.exe").await?;
    /// let id = descriptor.id_str().parse()?;
    /// let done = client.analyses().wait(&id, WaitOptions::new()).await?;
    /// println!("{:?}", done.data.attributes.stats);
    /// # Ok(()) }
    /// ```
    pub async fn wait(&self, id: &AnalysisId, options: WaitOptions) -> Result<AnalysisDocument> {
        poll_until_completed(
            id,
            &options,
            || self.get(id),
            |doc: &AnalysisDocument| doc.data.attributes.status.clone(),
        )
        .await
    }
}

/// The one waiting loop (see the module docs): calls `get` until `status` of its answer is
/// `completed`, riding out transient errors, within `options.timeout`. Shared by public
/// ([`Analyses::wait`]) and private ([`crate::private::PrivateScans::wait`]) analyses.
pub(crate) async fn poll_until_completed<T, F, Fut>(
    id: &AnalysisId,
    options: &WaitOptions,
    mut get: F,
    status_of: impl Fn(&T) -> Option<AnalysisStatus>,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let start = tokio::time::Instant::now();
    let deadline = start + options.timeout;
    let mut interval = options.initial_interval;
    let mut last_status = String::from("unknown");
    loop {
        match get().await {
            Ok(doc) => {
                let status = status_of(&doc);
                if status.as_ref().is_some_and(AnalysisStatus::is_completed) {
                    return Ok(doc);
                }
                last_status = status.map_or_else(|| "unknown".into(), |s| s.as_str().to_owned());
            }
            Err(e) if e.is_transient() => {
                tracing::debug!(analysis = %id, error = %e, "transient error while waiting; polling on");
            }
            Err(e) => return Err(e),
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return Err(Error::AnalysisTimeout {
                id: id.to_string(),
                waited: now - start,
                last_status,
            });
        }
        let sleep = interval.min(deadline - now);
        tokio::time::sleep(sleep).await;
        interval = options.next_interval(interval);
    }
}
