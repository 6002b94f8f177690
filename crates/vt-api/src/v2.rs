//! The legacy v2 file report (`GET /vtapi/v2/file/report`).
//!
//! `resource` is an MD5, SHA-1, SHA-256 or a `scan_id` ([`V2Resource`]). Several resources are
//! looked up with one request, at most 4 per request with a public key and 25 with a premium
//! one (set with [`ClientBuilder::tier`](crate::ClientBuilder::tier) or
//! [`Client::with_v2_batch_limit`]); [`V2::file_reports`] splits longer lists into requests of
//! that size and merges the answers back **in input order** (matched by the `resource` each
//! answer echoes, by position when it does not). Each resource costs one unit of quota.
//! Every resource is checked before the first request: one bad resource late in a long list
//! fails the call before any quota is spent.
//!
//! v2 answers an exhausted quota with `204 No Content`: that is
//! [`Error::Api`] with status 204 and [`ErrorCode::QuotaExceeded`](vt_model::ErrorCode).
//! [`V2::file_report_batches`] yields each request's reports as it arrives, so the reports
//! obtained before a quota error are not lost.
//!
//! The API key goes in the `apikey` query parameter, added by the transport (never logged).

use futures_core::Stream;
use futures_util::StreamExt;
use http::StatusCode;
use vt_model::{ErrorCode, Tier, V2FileReport, V2FileReportBatch, V2Resource};

use crate::client::{Client, HttpService};
use crate::error::{Error, Result};
use crate::request::{ApiRequest, Target};

/// Resources per v2 request with a public key.
pub const PUBLIC_BATCH_LIMIT: usize = Tier::Public.v2_batch_limit();
/// Resources per v2 request with a premium (private) key: the API's maximum.
pub const PRIVATE_BATCH_LIMIT: usize = Tier::Premium.v2_batch_limit();

/// The v2 family; get it with [`Client::v2`].
#[derive(Debug)]
pub struct V2<'a, S> {
    pub(crate) client: &'a Client<S>,
}

/// Checks every resource (see [`V2Resource`]), in their normal form.
fn check_all<R: AsRef<str>>(resources: &[R]) -> Result<Vec<String>> {
    resources
        .iter()
        .map(|r| Ok(V2Resource::parse(r.as_ref())?.as_str().to_owned()))
        .collect()
}

impl<'a, S: HttpService> V2<'a, S> {
    /// The report of one resource (`allinfo=true` needs a private key).
    pub async fn file_report(&self, resource: &str, allinfo: bool) -> Result<V2FileReport> {
        let resources = check_all(&[resource])?;
        let mut reports = self.batch(&resources, allinfo).await?;
        reports.pop().ok_or_else(|| Error::MissingReport {
            resource: resource.to_owned(),
        })
    }

    /// The reports of every resource, in input order (see the module docs). Fails on the first
    /// failing request; use [`V2::file_report_batches`] to keep earlier answers.
    pub async fn file_reports<R: AsRef<str>>(
        &self,
        resources: &[R],
        allinfo: bool,
    ) -> Result<Vec<V2FileReport>> {
        let mut out = Vec::with_capacity(resources.len());
        let mut batches = std::pin::pin!(self.file_report_batches(resources, allinfo));
        while let Some(batch) = batches.next().await {
            out.extend(batch?);
        }
        Ok(out)
    }

    /// The reports, one item per request of at most the batch limit, in input order. The
    /// stream ends after the first error; a bad resource anywhere in `resources` is that
    /// first error, before any request.
    pub fn file_report_batches<R: AsRef<str>>(
        &self,
        resources: &[R],
        allinfo: bool,
    ) -> impl Stream<Item = Result<Vec<V2FileReport>>> + Send + 'static {
        let client = self.client.clone();
        let limit = client.inner.settings.v2_batch_limit.max(1);
        let chunks: Vec<Result<Vec<String>>> = match check_all(resources) {
            Ok(all) => all.chunks(limit).map(|c| Ok(c.to_vec())).collect(),
            Err(e) => vec![Err(e)],
        };
        futures_util::stream::iter(chunks)
            .then(move |chunk| {
                let client = client.clone();
                async move { V2 { client: &client }.batch(&chunk?, allinfo).await }
            })
            .scan(false, |failed, item| {
                if *failed {
                    return std::future::ready(None);
                }
                *failed = item.is_err();
                std::future::ready(Some(item))
            })
    }

    /// One request for `chunk` (resources already checked).
    async fn batch(&self, chunk: &[String], allinfo: bool) -> Result<Vec<V2FileReport>> {
        let mut req = ApiRequest::to(http::Method::GET, Target::V2("/file/report".into()))
            .query("resource", chunk.join(","));
        if allinfo {
            req = req.query("allinfo", "true");
        }
        let response = self.client.send_raw(req).await?;
        if response.status() == StatusCode::NO_CONTENT {
            return Err(Error::Api {
                status: StatusCode::NO_CONTENT,
                code: ErrorCode::QuotaExceeded,
                message: "v2 answered 204 No Content: request rate or quota exceeded".into(),
            });
        }
        let bytes = self.client.collect_json(response).await?;
        let batch: V2FileReportBatch = crate::client::decode(&bytes)?;
        Ok(in_input_order(chunk, batch.into_reports()))
    }
}

/// Orders `reports` like `resources`: each resource takes the first unused report echoing it
/// (case-insensitively); reports that echo nothing known fill the remaining places in order.
fn in_input_order(resources: &[String], reports: Vec<V2FileReport>) -> Vec<V2FileReport> {
    let mut slots: Vec<Option<V2FileReport>> = reports.into_iter().map(Some).collect();
    let mut out: Vec<Option<V2FileReport>> = vec![None; resources.len()];
    for (i, resource) in resources.iter().enumerate() {
        let found = slots.iter().position(|s| {
            s.as_ref()
                .and_then(|r| r.resource.as_deref())
                .is_some_and(|echo| echo.eq_ignore_ascii_case(resource))
        });
        if let Some(pos) = found {
            out[i] = slots[pos].take();
        }
    }
    let mut rest = slots.into_iter().flatten();
    for slot in out.iter_mut() {
        if slot.is_none() {
            *slot = rest.next();
        }
    }
    let mut merged: Vec<V2FileReport> = out.into_iter().flatten().collect();
    merged.extend(rest);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(resource: Option<&str>, code: i64) -> V2FileReport {
        let mut v = serde_json::json!({"response_code": code});
        if let Some(r) = resource {
            v["resource"] = r.into();
        }
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn answers_are_matched_to_resources_by_echo_then_position() {
        let resources: Vec<String> = ["aa", "bb", "cc"].map(String::from).into();
        let got = in_input_order(
            &resources,
            vec![
                report(Some("CC"), 1),
                report(None, 0),
                report(Some("aa"), 1),
            ],
        );
        let echoes: Vec<_> = got.iter().map(|r| r.resource.clone()).collect();
        assert_eq!(echoes, vec![Some("aa".into()), None, Some("CC".into())]);
    }

    #[test]
    fn every_resource_is_checked_and_normalised() {
        assert!(check_all(&["a,b"]).is_err());
        assert!(check_all(&["44d88612fea8a8f36de82e1278abb02f", " a"]).is_err());
        assert!(check_all(&[""]).is_err());
        assert_eq!(
            check_all(&["44D88612FEA8A8F36DE82E1278ABB02F"]).unwrap(),
            ["44d88612fea8a8f36de82e1278abb02f"]
        );
    }
}
