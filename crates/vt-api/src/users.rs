//! Users: the user object, quotas and API usage (`/users`).
//!
//! The user id may be the user name or the API key itself (only its owner or a group admin
//! sees the private attributes).

use vt_model::{ApiUsage, DataEnvelope, IndexMap, OverallQuotas, Quota, User};

use crate::client::{Client, HttpService};
use crate::error::{Error, Result};
use crate::object_endpoints::ObjectPath;
use crate::request::ApiRequest;

/// The `/users` family; get it with [`Client::users`].
#[derive(Debug)]
pub struct Users<'a, S> {
    pub(crate) client: &'a Client<S>,
}

fn user_path(id: &str) -> Result<ObjectPath> {
    if id.is_empty() || id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid(
            "<user id>",
            "a user id is not empty and has no whitespace",
        ));
    }
    Ok(ObjectPath::new("users", id))
}

/// Checks a `YYYYMMDD` date.
fn check_day(day: &str) -> Result<()> {
    let ok = day.len() == 8
        && day.bytes().all(|b| b.is_ascii_digit())
        && matches!(day[4..6].parse::<u8>(), Ok(1..=12))
        && matches!(day[6..8].parse::<u8>(), Ok(1..=31));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(day, "a date is YYYYMMDD"))
    }
}

impl<'a, S: HttpService> Users<'a, S> {
    /// The user object (`GET /users/{id}`).
    pub async fn get(&self, id: &str) -> Result<User> {
        user_path(id)?.get(self.client, &[]).await
    }

    /// The key's tier as the user object tells it (`GET /users/{id}`; see
    /// [`UserAttributes::tier`](vt_model::UserAttributes::tier)): `id` is a user id or the API
    /// key itself. `None` when the object lists no privileges.
    pub async fn tier(&self, id: &str) -> Result<Option<vt_model::Tier>> {
        Ok(self.get(id).await?.attributes.tier())
    }

    /// The user's quotas by name (`api_requests_daily`, `api_requests_hourly`,
    /// `api_requests_monthly`, ...): the `quotas` attribute of `GET /users/{id}`.
    pub async fn quotas(&self, id: &str) -> Result<IndexMap<String, Quota>> {
        Ok(self.get(id).await?.attributes.quotas.unwrap_or_default())
    }

    /// The user's and the group's quotas and use (`GET /users/{id}/overall_quotas`).
    pub async fn overall_quotas(&self, id: &str) -> Result<OverallQuotas> {
        let doc: DataEnvelope<OverallQuotas> = self
            .client
            .send(ApiRequest::get(user_path(id)?.sub("overall_quotas")))
            .await?;
        Ok(doc.data)
    }

    /// Requests per day and endpoint (`GET /users/{id}/api_usage`), between `start` and
    /// `end` (`YYYYMMDD`, at most 30 days apart; VirusTotal's default is the last 30 days).
    pub async fn api_usage(
        &self,
        id: &str,
        start: Option<&str>,
        end: Option<&str>,
    ) -> Result<ApiUsage> {
        let mut req = ApiRequest::get(user_path(id)?.sub("api_usage"));
        if let Some(start) = start {
            check_day(start)?;
            req = req.query("start_date", start);
        }
        if let Some(end) = end {
            check_day(end)?;
            req = req.query("end_date", end);
        }
        let doc: DataEnvelope<ApiUsage> = self.client.send(req).await?;
        Ok(doc.data)
    }
}
