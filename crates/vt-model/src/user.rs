//! Users and quotas: [`UserAttributes`] (`type: "user"`), [`OverallQuotas`]
//! (`/users/{id}/overall_quotas`) and [`ApiUsage`] (`/users/{id}/api_usage`).

use std::fmt;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Timestamp;
use crate::lossless::lossless_struct;

lossless_struct! {
    /// The attributes of a `user` object (`GET /users/{id}`; the private ones are only
    /// visible to the owner or a group admin).
    pub struct UserAttributes {
        /// First name.
        first_name: String = "first_name",
        /// Last name.
        last_name: String = "last_name",
        /// E-mail address.
        email: String = "email",
        /// The user's API key (redacted in `Debug` output).
        apikey: Redacted = "apikey",
        /// Account status (e.g. `active`).
        status: String = "status",
        /// Community reputation.
        reputation: i64 = "reputation",
        /// When the account was created.
        user_since: Timestamp = "user_since",
        /// Latest login.
        last_login: Timestamp = "last_login",
        /// Whether two-factor authentication is on.
        has_2fa: bool = "has_2fa",
        /// Profile phrase.
        profile_phrase: String = "profile_phrase",
        /// Quotas by name (`api_requests_daily`, `api_requests_hourly`,
        /// `api_requests_monthly`, `intelligence_searches_monthly`, ...).
        quotas: IndexMap<String, Quota> = "quotas",
        /// Privileges by name (`monitor`, `monitor-partner`, `intelligence`, ...).
        privileges: IndexMap<String, Privilege> = "privileges",
        /// UI preferences.
        preferences: Map<String, Value> = "preferences",
    }
}

impl UserAttributes {
    /// The key's tier as the user object tells it: [`Tier::Premium`] when the `private`
    /// privilege (VirusTotal's private, i.e. premium, API) is granted, [`Tier::Public`] when
    /// the privileges are listed without it; `None` when the object lists no privileges
    /// (they are only visible to the owner or a group admin).
    ///
    /// ```
    /// use vt_model::{Tier, UserAttributes};
    /// let user: UserAttributes =
    ///     serde_json::from_str(r#"{"privileges": {"private": {"granted": true}}}"#).unwrap();
    /// assert_eq!(user.tier(), Some(Tier::Premium));
    /// let user: UserAttributes =
    ///     serde_json::from_str(r#"{"privileges": {"private": {"granted": false}}}"#).unwrap();
    /// assert_eq!(user.tier(), Some(Tier::Public));
    /// assert_eq!(UserAttributes::default().tier(), None);
    /// ```
    pub fn tier(&self) -> Option<Tier> {
        let privileges = self.privileges.as_ref()?;
        let premium = privileges
            .get("private")
            .is_some_and(|p| p.granted == Some(true));
        Some(if premium { Tier::Premium } else { Tier::Public })
    }
}

/// Which API a key may use. The public API allows 4 requests a minute and 500 a day and v2
/// batches of 4 resources; the premium (private) API has contract-defined quotas, premium
/// endpoints and v2 batches of up to 25.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// The public API (the default).
    #[default]
    Public,
    /// The premium (private) API.
    Premium,
}

impl Tier {
    /// Resources per request of the legacy v2 file report: 4 public, 25 premium (the API's
    /// maximum).
    pub const fn v2_batch_limit(self) -> usize {
        match self {
            Tier::Public => 4,
            Tier::Premium => 25,
        }
    }

    /// `"public"` or `"premium"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Public => "public",
            Tier::Premium => "premium",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Tier {
    type Err = String;

    /// `public` or `premium` (any case; `private` is read as premium).
    fn from_str(s: &str) -> Result<Tier, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "public" => Ok(Tier::Public),
            "premium" | "private" => Ok(Tier::Premium),
            _ => Err(format!("tier {s:?}: expected `public` or `premium`")),
        }
    }
}

lossless_struct! {
    /// One quota window: how much is allowed and how much is used.
    pub struct Quota {
        /// How many units the window allows.
        allowed: i64 = "allowed",
        /// How many are used.
        used: i64 = "used",
        /// For group quotas: the group the quota comes from.
        inherited_from: String = "inherited_from",
    }
}

impl Quota {
    /// `allowed - used`, never negative (`None` if either is unknown). Saturates instead of
    /// overflowing on absurd counters a server might send (fuzzing finding F3).
    ///
    /// ```
    /// let q: vt_model::Quota = serde_json::from_str(r#"{"allowed": 500, "used": 20}"#).unwrap();
    /// assert_eq!(q.remaining(), Some(480));
    /// ```
    pub fn remaining(&self) -> Option<i64> {
        Some(self.allowed?.saturating_sub(self.used?).max(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quota(json: &str) -> Quota {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn remaining_never_overflows_and_is_never_negative() {
        let q = quota(r#"{"allowed": 9223372036854775807, "used": -1}"#);
        assert_eq!(q.remaining(), Some(i64::MAX));
        let q = quota(r#"{"allowed": -9223372036854775808, "used": 1}"#);
        assert_eq!(q.remaining(), Some(0));
        assert_eq!(quota(r#"{"allowed": 4, "used": 9}"#).remaining(), Some(0));
        assert_eq!(quota(r#"{"used": 9}"#).remaining(), None);
    }
}

lossless_struct! {
    /// One privilege of a user or group.
    pub struct Privilege {
        /// Whether it is granted.
        granted: bool = "granted",
        /// The group it comes from.
        inherited_from: String = "inherited_from",
        /// How it was inherited.
        inherited_via: String = "inherited_via",
        /// When it expires.
        expiration_date: Timestamp = "expiration_date",
    }
}

lossless_struct! {
    /// The `data` of `GET /users/{id}/overall_quotas`: per window, the user's own quota and
    /// the group's. Windows other than the three API ones are kept in `extra`.
    pub struct OverallQuotas {
        /// Requests per day (resets 00:00 UTC).
        api_requests_daily: QuotaUsage = "api_requests_daily",
        /// Requests per hour.
        api_requests_hourly: QuotaUsage = "api_requests_hourly",
        /// Requests per calendar month (UTC).
        api_requests_monthly: QuotaUsage = "api_requests_monthly",
    }
}

lossless_struct! {
    /// A window of [`OverallQuotas`]: the user's quota and the group's.
    pub struct QuotaUsage {
        /// The user's own quota.
        user: Quota = "user",
        /// The group's quota (with `inherited_from`).
        group: Quota = "group",
    }
}

lossless_struct! {
    /// The `data` of `GET /users/{id}/api_usage` (and `/groups/{id}/api_usage`).
    pub struct ApiUsage {
        /// Per day (`YYYY-MM-DD`): counters by endpoint family.
        daily: IndexMap<String, IndexMap<String, u64>> = "daily",
        /// Totals by endpoint family over the range.
        total: IndexMap<String, u64> = "total",
    }
}

/// A string that `Debug` does not show (an API key inside a user object). Serializes as the
/// plain string.
///
/// ```
/// use vt_model::Redacted;
/// let key = Redacted("secret".into());
/// assert_eq!(format!("{key:?}"), "Redacted(***)");
/// assert_eq!(key.expose(), "secret");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Redacted(pub String);

impl Redacted {
    /// The hidden string.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Redacted(***)")
    }
}
