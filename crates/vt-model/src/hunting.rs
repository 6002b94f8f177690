//! VirusTotal Livehunt (VT Hunting): rulesets of YARA rules that run on every new file
//! ([`HuntingRuleset`], `type: "hunting_ruleset"`), the notifications their matches raise
//! ([`HuntingNotification`], `type: "hunting_notification"`), and the context a matched file
//! carries in `/intelligence/hunting_notification_files` ([`HuntingNotificationContext`]).

use crate::lossless::lossless_struct;
use crate::{AnyObject, Object, Timestamp};

/// A Livehunt ruleset (`/intelligence/hunting_rulesets[/{id}]`). Ids are numeric strings.
pub type HuntingRuleset = Object<HuntingRulesetAttributes>;

lossless_struct! {
    /// The attributes of a `hunting_ruleset`. Writable: `name`, `rules`, `enabled`, `limit`,
    /// `notification_emails`, `match_object_type`, `tags`; the rest is set by VirusTotal.
    ///
    /// ```
    /// use vt_model::HuntingRuleset;
    /// let r: HuntingRuleset = serde_json::from_str(r#"{"type": "hunting_ruleset", "id": "123",
    ///     "attributes": {"name": "eicar", "enabled": true, "limit": 100,
    ///     "rules": "rule eicar { condition: true }", "rule_names": ["eicar"],
    ///     "number_of_rules": 1, "creation_date": 1700000000}}"#).unwrap();
    /// assert_eq!(r.attributes.name.as_deref(), Some("eicar"));
    /// assert_eq!(r.attributes.rule_names.as_deref(), Some(&["eicar".to_owned()][..]));
    /// ```
    pub struct HuntingRulesetAttributes {
        /// The ruleset's name.
        name: String = "name",
        /// The YARA source.
        rules: String = "rules",
        /// Whether it runs on new files.
        enabled: bool = "enabled",
        /// Notifications at most per 24 hours; further matches are dropped.
        limit: u64 = "limit",
        /// Who gets an e-mail per notification.
        notification_emails: Vec<String> = "notification_emails",
        /// What the rules run on: `file` (default), `url`, `domain` or `ip_address`.
        match_object_type: String = "match_object_type",
        /// The ruleset's own tags (filter with `tag:`).
        tags: Vec<String> = "tags",
        /// When it was created.
        creation_date: Timestamp = "creation_date",
        /// When it last changed.
        modification_date: Timestamp = "modification_date",
        /// How many rules `rules` defines.
        number_of_rules: u64 = "number_of_rules",
        /// The rules' names.
        rule_names: Vec<String> = "rule_names",
        /// Whether matches are being dropped for going over `limit`.
        rate_limited: bool = "rate_limited",
        /// The share of the last 24 hours spent rate limited, 0 to 1.
        rate_limited_ratio: f64 = "rate_limited_ratio",
        /// When VirusTotal will disable it (e.g. for matching too much).
        scheduled_disable_date: Timestamp = "scheduled_disable_date",
    }
}

/// A Livehunt notification (`/intelligence/hunting_notifications[/{id}]`): one rule of one
/// ruleset matched one file.
pub type HuntingNotification = Object<HuntingNotificationAttributes>;

lossless_struct! {
    /// The attributes of a `hunting_notification`. Its `tags` hold the matched file's SHA-256,
    /// the ruleset's and the rule's names (lower case), which `filter=tag:` selects.
    ///
    /// ```
    /// use vt_model::HuntingNotification;
    /// let n: HuntingNotification = serde_json::from_str(r#"{"type": "hunting_notification",
    ///     "id": "1-2-ab", "attributes": {"rule_name": "eicar", "date": 1700000000,
    ///     "tags": ["eicar", "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"],
    ///     "match_in_subfile": false}}"#).unwrap();
    /// assert_eq!(n.attributes.rule_name.as_deref(), Some("eicar"));
    /// ```
    pub struct HuntingNotificationAttributes {
        /// When the file matched.
        date: Timestamp = "date",
        /// Whether the rule matched a file inside the file (e.g. in an archive).
        match_in_subfile: bool = "match_in_subfile",
        /// The rule that matched.
        rule_name: String = "rule_name",
        /// The rule's tags.
        rule_tags: Vec<String> = "rule_tags",
        /// A hexdump of the match, between `begin_highlight`/`end_highlight` markers.
        snippet: String = "snippet",
        /// Where the file was submitted from (country code).
        source_country: String = "source_country",
        /// An anonymous key of the submitter.
        source_key: String = "source_key",
        /// The notification's tags (file SHA-256, ruleset name, rule name, ...).
        tags: Vec<String> = "tags",
        /// The ruleset's id.
        ruleset_id: String = "ruleset_id",
        /// The ruleset's name.
        ruleset_name: String = "ruleset_name",
    }
}

lossless_struct! {
    /// The `context_attributes` of a file in `/intelligence/hunting_notification_files`:
    /// which notification, rule and ruleset it comes from.
    ///
    /// ```
    /// use vt_model::{AnyObject, HuntingNotificationContext};
    /// let f: AnyObject = serde_json::from_str(r#"{"type": "file", "id": "ab", "attributes": {},
    ///     "context_attributes": {"notification_id": "1-2-ab", "rule_name": "eicar",
    ///     "ruleset_id": "123", "ruleset_name": "mine", "notification_date": 1700000000}}"#)
    ///     .unwrap();
    /// let c = HuntingNotificationContext::of(&f).unwrap();
    /// assert_eq!(c.ruleset_name.as_deref(), Some("mine"));
    /// ```
    pub struct HuntingNotificationContext {
        /// The notification's id.
        notification_id: String = "notification_id",
        /// When the file matched.
        notification_date: Timestamp = "notification_date",
        /// Whether the rule matched a file inside the file.
        match_in_subfile: bool = "match_in_subfile",
        /// The match's hexdump.
        notification_snippet: String = "notification_snippet",
        /// Where the file was submitted from.
        notification_source_country: String = "notification_source_country",
        /// An anonymous key of the submitter.
        notification_source_key: String = "notification_source_key",
        /// The notification's tags.
        notification_tags: Vec<String> = "notification_tags",
        /// The rule that matched.
        rule_name: String = "rule_name",
        /// The rule's tags.
        rule_tags: Vec<String> = "rule_tags",
        /// The ruleset's id.
        ruleset_id: String = "ruleset_id",
        /// The ruleset's name.
        ruleset_name: String = "ruleset_name",
    }
}

impl HuntingNotificationContext {
    /// The notification context of a file of `/intelligence/hunting_notification_files`;
    /// `None` when it has no `context_attributes`.
    pub fn of(file: &AnyObject) -> Option<HuntingNotificationContext> {
        let map = file.context_attributes()?;
        serde_json::from_value(serde_json::Value::Object(map.clone())).ok()
    }
}
