//! Livehunt (VT Hunting, premium): YARA rulesets that run on every new file VirusTotal
//! receives (`/intelligence/hunting_rulesets`), the notifications their matches raise
//! (`/intelligence/hunting_notifications`) and the matched files with their notification
//! context (`/intelligence/hunting_notification_files`).
//!
//! Lists are [`Paginator`]s: set the API's [`filter`](Paginator::filter) (`enabled:true`,
//! `name:foo`, `tag:x` on rulesets; `tag:<x>` on notifications, whose tags are the file's
//! SHA-256, the ruleset's and the rule's names) and [`order`](Paginator::order) (`name`,
//! `creation_date`, `modification_date` with `+`/`-`).
//!
//! Rules are checked before any request by [`check_rules`]: not empty, at most
//! [`MAX_RULES_BYTES`] and, with this crate's `yara` feature,
//! compiled locally with yara-x, so a syntax error never costs a request
//! ([`Error::InvalidInput`] naming line and column).
//!
//! ```no_run
//! # async fn run(client: vt_api::Client) -> Result<(), vt_api::Error> {
//! use futures_util::TryStreamExt;
//! use vt_api::hunting::RulesetChanges;
//! let rules = r#"rule eicar { strings: $a = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" condition: $a }"#;
//! let ruleset = client.hunting().create_ruleset("eicar", rules, RulesetChanges::new().limit(100)).await?;
//! client.hunting().update_ruleset(ruleset.id_str(), RulesetChanges::new().enabled(false)).await?;
//! let mut notes = client.hunting().notifications().filter("tag:eicar");
//! while let Some(n) = notes.try_next().await? {
//!     println!("{} {:?}", n.id_str(), n.attributes.rule_name);
//! }
//! # Ok(()) }
//! ```

use http::{HeaderName, HeaderValue};
use serde_json::{Map, Value, json};
use vt_model::{AnyObject, DataEnvelope, HuntingNotification, HuntingRuleset};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::pagination::Paginator;
use crate::request::{ApiRequest, Target, path_segment};

/// The largest ruleset sent, in bytes (1 MiB; VirusTotal documents none).
pub const MAX_RULES_BYTES: usize = 1024 * 1024;

/// The header [`Hunting::delete_all_rulesets`] confirms with (the caller's user name).
pub const CONFIRM_DELETE_HEADER: &str = "x-confirm-delete";

/// Largest `count_limit` of `/intelligence/hunting_notification_files`.
pub const MAX_COUNT_LIMIT: u32 = 10_000;

/// Checks a `file` ruleset's source before it is sent: [`check_rules_for`] with `file`.
pub fn check_rules(rules: &str) -> Result<()> {
    check_rules_for(rules, Some("file"))
}

/// Checks a ruleset's source before it is sent: not blank, at most [`MAX_RULES_BYTES`], and
/// (with the `yara` feature) compiling with yara-x for the ruleset's `match_object_type`
/// (`file`, `url`, `domain`, `ip_address`), which decides what of the `vt` module the rules
/// may use, as VirusTotal compiles them. `None`, or a type this version does not know (it
/// is sent as given), accepts rules that compile for any of them. A failure is
/// [`Error::InvalidInput`] whose reason is the compiler's first error as
/// `line:column: error[code]: message`. Warnings do not fail (VirusTotal may still refuse
/// slow rules).
pub fn check_rules_for(rules: &str, match_object_type: Option<&str>) -> Result<()> {
    if rules.trim().is_empty() {
        return Err(Error::invalid(rules, "the ruleset is empty"));
    }
    if rules.len() > MAX_RULES_BYTES {
        return Err(Error::invalid(
            "rules",
            format!(
                "the ruleset is {} bytes, over the limit of {MAX_RULES_BYTES}",
                rules.len()
            ),
        ));
    }
    #[cfg(feature = "yara")]
    {
        let source = vt_yara::RulesSource::new(rules.as_bytes());
        let known = match_object_type.and_then(vt_yara::RulesTarget::from_match_object_type);
        let targets: &[vt_yara::RulesTarget] = match &known {
            Some(t) => std::slice::from_ref(t),
            None => &vt_yara::RulesTarget::LIVEHUNT,
        };
        vt_yara::compile_for_any(source, targets)
            .map_err(|e| Error::invalid("rules", e.to_string()))?;
    }
    #[cfg(not(feature = "yara"))]
    let _ = match_object_type;
    Ok(())
}

/// Checks a ruleset id (numeric, as VirusTotal makes them; other well-formed ids are sent).
fn check_ruleset_id(id: &str) -> Result<&str> {
    check_id(id, "ruleset")
}

/// Checks a notification id (`<digits>-<digits>-<hex>` today; any printable id is sent).
fn check_notification_id(id: &str) -> Result<&str> {
    check_id(id, "notification")
}

/// Checks the user name that confirms deleting every ruleset: not blank, no spaces at the
/// ends, and a valid header value (no control characters).
fn check_confirm_user(user: &str) -> Result<HeaderValue> {
    if user.trim().is_empty() || user.trim() != user {
        return Err(Error::invalid(
            user,
            "the confirmation is your VirusTotal user name (not blank, no spaces around it)",
        ));
    }
    HeaderValue::from_str(user).map_err(|_| {
        Error::invalid(
            user,
            "a user name cannot hold control characters (it is sent as a header)",
        )
    })
}

fn check_id<'i>(id: &'i str, what: &str) -> Result<&'i str> {
    if id.is_empty() || id.len() > 256 || !id.bytes().all(|b| b.is_ascii_graphic() && b != b'/') {
        return Err(Error::invalid(
            id,
            format!("not a hunting {what} id (printable ASCII, no `/`)"),
        ));
    }
    Ok(id)
}

/// Attributes to set on a ruleset, for [`Hunting::create_ruleset`] (beside its name and rules)
/// and [`Hunting::update_ruleset`] (a PATCH of only what is set). Nothing is sent for what is
/// not set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RulesetChanges {
    name: Option<String>,
    rules: Option<String>,
    enabled: Option<bool>,
    limit: Option<u64>,
    notification_emails: Option<Vec<String>>,
    match_object_type: Option<String>,
    tags: Option<Vec<String>>,
}

impl RulesetChanges {
    /// Nothing to change.
    pub fn new() -> Self {
        Self::default()
    }

    /// A new name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// New rules (checked by [`check_rules`] before sending).
    pub fn rules(mut self, rules: impl Into<String>) -> Self {
        self.rules = Some(rules.into());
        self
    }

    /// Enables or disables the ruleset.
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = Some(enabled);
        self
    }

    /// Notifications at most per 24 hours.
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Who gets an e-mail per notification (an empty list: no one).
    pub fn notification_emails(mut self, emails: Vec<String>) -> Self {
        self.notification_emails = Some(emails);
        self
    }

    /// What the rules run on: `file`, `url`, `domain` or `ip_address` (any other value is
    /// sent as given).
    pub fn match_object_type(mut self, kind: impl Into<String>) -> Self {
        self.match_object_type = Some(kind.into());
        self
    }

    /// The ruleset's own tags.
    pub fn tags(mut self, tags: Vec<String>) -> Self {
        self.tags = Some(tags);
        self
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The attributes as JSON, checked: a blank name, bad rules or a malformed e-mail fail.
    /// Rules are compiled for the `match_object_type` set, else for
    /// `default_match_object_type` (a new ruleset's is `file`; `None` for an update, whose
    /// ruleset's type is not known here: rules compiling for any type pass).
    fn attributes(&self, default_match_object_type: Option<&str>) -> Result<Map<String, Value>> {
        let mut a = Map::new();
        if let Some(name) = &self.name {
            if name.trim().is_empty() {
                return Err(Error::invalid(name, "a ruleset name cannot be empty"));
            }
            a.insert("name".into(), json!(name));
        }
        if let Some(rules) = &self.rules {
            check_rules_for(
                rules,
                self.match_object_type
                    .as_deref()
                    .or(default_match_object_type),
            )?;
            a.insert("rules".into(), json!(rules));
        }
        if let Some(enabled) = self.enabled {
            a.insert("enabled".into(), json!(enabled));
        }
        if let Some(limit) = self.limit {
            a.insert("limit".into(), json!(limit));
        }
        if let Some(emails) = &self.notification_emails {
            if let Some(bad) = emails
                .iter()
                .find(|e| !e.contains('@') || e.chars().any(char::is_whitespace))
            {
                return Err(Error::invalid(bad, "not an e-mail address"));
            }
            a.insert("notification_emails".into(), json!(emails));
        }
        if let Some(kind) = &self.match_object_type {
            if kind.trim().is_empty() {
                return Err(Error::invalid(kind, "a match object type cannot be empty"));
            }
            a.insert("match_object_type".into(), json!(kind));
        }
        if let Some(tags) = &self.tags {
            a.insert("tags".into(), json!(tags));
        }
        Ok(a)
    }
}

/// The Livehunt family; get it with [`Client::hunting`].
#[derive(Debug)]
pub struct Hunting<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Hunting<'a> {
    /// The caller's rulesets (`GET /intelligence/hunting_rulesets`): set
    /// [`filter`](Paginator::filter) and [`order`](Paginator::order) on the paginator.
    pub fn rulesets(&self) -> Paginator<HuntingRuleset> {
        Paginator::new(
            self.client,
            Target::V3("/intelligence/hunting_rulesets".into()),
            Vec::new(),
        )
    }

    /// One ruleset (`GET /intelligence/hunting_rulesets/{id}`).
    pub async fn ruleset(&self, id: &str) -> Result<HuntingRuleset> {
        let id = check_ruleset_id(id)?;
        self.client
            .send_data(ApiRequest::get(ruleset_path(id)))
            .await
    }

    /// Creates a ruleset (`POST /intelligence/hunting_rulesets`) named `name` with `rules`
    /// (checked by [`check_rules`] first) and the other attributes of `more` (its name and
    /// rules, if set, are overridden by these).
    pub async fn create_ruleset(
        &self,
        name: &str,
        rules: &str,
        more: RulesetChanges,
    ) -> Result<HuntingRuleset> {
        let attributes = more.name(name).rules(rules).attributes(Some("file"))?;
        let body = json!({"data": {"type": "hunting_ruleset", "attributes": attributes}});
        let doc: DataEnvelope<HuntingRuleset> = self
            .client
            .send(ApiRequest::post("/intelligence/hunting_rulesets").json(&body)?)
            .await?;
        Ok(doc.data)
    }

    /// Changes what `changes` sets on ruleset `id` (`PATCH
    /// /intelligence/hunting_rulesets/{id}`); returns the ruleset as VirusTotal has it then.
    /// Nothing set is an [`Error::InvalidInput`].
    pub async fn update_ruleset(
        &self,
        id: &str,
        changes: RulesetChanges,
    ) -> Result<HuntingRuleset> {
        let id = check_ruleset_id(id)?;
        if changes.is_empty() {
            return Err(Error::invalid(id, "nothing to change on the ruleset"));
        }
        let attributes = changes.attributes(None)?;
        let body = json!({"data": {"type": "hunting_ruleset", "id": id, "attributes": attributes}});
        let doc: DataEnvelope<HuntingRuleset> = self
            .client
            .send(ApiRequest::patch(ruleset_path(id)).json(&body)?)
            .await?;
        Ok(doc.data)
    }

    /// Deletes ruleset `id` (`DELETE /intelligence/hunting_rulesets/{id}`); its
    /// notifications stay.
    pub async fn delete_ruleset(&self, id: &str) -> Result<()> {
        let id = check_ruleset_id(id)?;
        self.client
            .send_empty(ApiRequest::delete(ruleset_path(id)))
            .await
    }

    /// Deletes **every** ruleset of the caller (`DELETE /intelligence/hunting_rulesets`
    /// with the header `x-confirm-delete: <confirm_user>`). VirusTotal deletes them only
    /// when `confirm_user` is the caller's user name: another name is refused with the
    /// API's error and deletes nothing. An empty name, or one that cannot be a header value
    /// (spaces at the ends, control characters), is an [`Error::InvalidInput`] before any
    /// request.
    pub async fn delete_all_rulesets(&self, confirm_user: &str) -> Result<()> {
        let value = check_confirm_user(confirm_user)?;
        self.client
            .send_empty(
                ApiRequest::delete("/intelligence/hunting_rulesets")
                    .header(HeaderName::from_static(CONFIRM_DELETE_HEADER), value),
            )
            .await
    }

    /// The caller's notifications (`GET /intelligence/hunting_notifications`), newest
    /// first, each with its matched file's descriptor (`relationships=file`, as vt-cli asks);
    /// filter with [`filter`](Paginator::filter) (`tag:<sha256|ruleset|rule>`).
    pub fn notifications(&self) -> Paginator<HuntingNotification> {
        Paginator::new(
            self.client,
            Target::V3("/intelligence/hunting_notifications".into()),
            vec![("relationships".into(), "file".into())],
        )
    }

    /// One notification (`GET /intelligence/hunting_notifications/{id}`).
    pub async fn notification(&self, id: &str) -> Result<HuntingNotification> {
        let id = check_notification_id(id)?;
        self.client
            .send_data(ApiRequest::get(notification_path(id)))
            .await
    }

    /// Deletes notification `id` (`DELETE /intelligence/hunting_notifications/{id}`).
    pub async fn delete_notification(&self, id: &str) -> Result<()> {
        let id = check_notification_id(id)?;
        self.client
            .send_empty(ApiRequest::delete(notification_path(id)))
            .await
    }

    /// Deletes the notifications carrying `tag` (`DELETE
    /// /intelligence/hunting_notifications?tag=T`), or **every** notification of the caller
    /// when `tag` is `None`.
    pub async fn delete_notifications(&self, tag: Option<&str>) -> Result<()> {
        let mut req = ApiRequest::delete("/intelligence/hunting_notifications");
        if let Some(tag) = tag {
            if tag.trim().is_empty() || tag.chars().any(char::is_whitespace) {
                return Err(Error::invalid(tag, "a notification tag is one word"));
            }
            req = req.query("tag", tag);
        }
        self.client.send_empty(req).await
    }

    /// The files that matched, each with its notification context
    /// (`GET /intelligence/hunting_notification_files`; read it with
    /// [`vt_model::HuntingNotificationContext::of`]), newest first. Filter with exact
    /// keywords (rule name, ruleset name, hash, ...).
    pub fn notification_files(&self) -> Paginator<AnyObject> {
        Paginator::new(
            self.client,
            Target::V3("/intelligence/hunting_notification_files".into()),
            Vec::new(),
        )
    }
}

fn ruleset_path(id: &str) -> String {
    format!("/intelligence/hunting_rulesets/{}", path_segment(id))
}

fn notification_path(id: &str) -> String {
    format!("/intelligence/hunting_notifications/{}", path_segment(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_checked_before_sending() {
        assert!(check_rules(" \n").is_err());
        let big = "a".repeat(MAX_RULES_BYTES + 1);
        assert!(
            check_rules(&big)
                .unwrap_err()
                .to_string()
                .contains("over the limit")
        );
        assert!(check_rules("rule a { condition: true }").is_ok());
    }

    #[cfg(feature = "yara")]
    #[test]
    fn with_yara_a_syntax_error_is_located() {
        assert_eq!(MAX_RULES_BYTES, vt_yara::MAX_RULES_SIZE);
        let err = check_rules("rule a {\n  condition: nope\n}").unwrap_err();
        assert!(err.is_invalid_input());
        assert!(err.to_string().contains("2:14: error["), "{err}");
    }

    #[cfg(feature = "yara")]
    #[test]
    fn rules_are_compiled_for_the_rulesets_match_object_type() {
        let url_rule = "import \"vt\"\nrule u { condition: vt.net.url.raw contains \"x\" }";
        let file_rule = "import \"vt\"\nrule f { condition: vt.metadata.new_file }";
        assert!(check_rules(file_rule).is_ok());
        let e = check_rules(url_rule).unwrap_err();
        assert!(e.to_string().contains("error[E100]"), "{e}");
        assert!(check_rules_for(url_rule, Some("url")).is_ok());
        assert!(check_rules_for(url_rule, Some("domain")).is_err());
        // Unknown: any type will do.
        assert!(check_rules_for(url_rule, None).is_ok());
        assert!(check_rules_for(url_rule, Some("mystery")).is_ok());
        assert!(check_rules_for("rule b { condition: nope }", None).is_err());
        // A new ruleset is a file ruleset unless it says otherwise; an update may be either.
        let create = RulesetChanges::new().rules(url_rule);
        assert!(create.attributes(Some("file")).is_err());
        assert!(
            create
                .clone()
                .match_object_type("url")
                .attributes(Some("file"))
                .is_ok()
        );
        assert!(create.attributes(None).is_ok());
    }

    #[test]
    fn changes_send_only_what_is_set() {
        let a = RulesetChanges::new()
            .enabled(false)
            .limit(5)
            .attributes(None)
            .unwrap();
        assert_eq!(Value::Object(a), json!({"enabled": false, "limit": 5}));
        assert!(RulesetChanges::new().is_empty());
        assert!(RulesetChanges::new().name(" ").attributes(None).is_err());
        assert!(
            RulesetChanges::new()
                .notification_emails(vec!["not-an-address".into()])
                .attributes(None)
                .is_err()
        );
    }
}
