//! Livehunt's state: each key's rulesets (compiled once, kept with their source) and the
//! notifications raised when a file uploaded after a ruleset exists matches one of its rules.
//!
//! The routes of `/intelligence/hunting_*` read and change this through [`crate::state`];
//! uploads call [`crate::state::Shared::livehunt_scan`] once the file is stored.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::yara_engine::{CompiledRules, RuleHit};

/// Defaults of a new ruleset (VirusTotal's, as its UI creates them).
pub(crate) const DEFAULT_LIMIT: u64 = 100;

/// A Livehunt ruleset of one owner.
#[derive(Debug, Clone)]
pub(crate) struct HuntingRuleset {
    pub(crate) id: String,
    pub(crate) owner: String,
    pub(crate) name: String,
    pub(crate) rules: String,
    pub(crate) compiled: CompiledRules,
    pub(crate) enabled: bool,
    pub(crate) limit: u64,
    pub(crate) notification_emails: Vec<String>,
    pub(crate) match_object_type: String,
    pub(crate) tags: Vec<String>,
    pub(crate) creation_date: u64,
    pub(crate) modification_date: u64,
    /// Set when a match was dropped for going over `limit` in the last 24 hours.
    pub(crate) rate_limited: bool,
}

impl HuntingRuleset {
    /// The `hunting_ruleset` object.
    pub(crate) fn to_json(&self, base: &str) -> Value {
        json!({
            "type": "hunting_ruleset",
            "id": self.id,
            "links": {"self": format!("{base}/api/v3/intelligence/hunting_rulesets/{}", self.id)},
            "attributes": {
                "name": self.name,
                "rules": self.rules,
                "enabled": self.enabled,
                "limit": self.limit,
                "notification_emails": self.notification_emails,
                "match_object_type": self.match_object_type,
                "tags": self.tags,
                "creation_date": self.creation_date,
                "modification_date": self.modification_date,
                "number_of_rules": self.compiled.rule_names().len(),
                "rule_names": self.compiled.rule_names(),
                "rate_limited": self.rate_limited,
                "rate_limited_ratio": if self.rate_limited { 0.1 } else { 0.0 },
            },
        })
    }
}

/// A Livehunt notification: one rule of one ruleset matched one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HuntingNotification {
    pub(crate) id: String,
    /// The ruleset owner's user id (notifications belong to the ruleset's owner).
    pub(crate) owner: String,
    pub(crate) ruleset_id: String,
    pub(crate) ruleset_name: String,
    pub(crate) rule_name: String,
    pub(crate) rule_tags: Vec<String>,
    pub(crate) namespace: String,
    /// The matched file's SHA-256.
    pub(crate) sha256: String,
    pub(crate) date: u64,
    pub(crate) snippet: String,
    pub(crate) source_country: String,
    pub(crate) source_key: String,
}

impl HuntingNotification {
    /// The notification's tags: the file's SHA-256, the ruleset's and the rule's names
    /// (lower case), as VirusTotal tags them.
    pub(crate) fn tags(&self) -> Vec<String> {
        vec![
            self.sha256.clone(),
            self.ruleset_name.to_lowercase(),
            self.rule_name.to_lowercase(),
        ]
    }

    /// The matched file's descriptor.
    pub(crate) fn file_descriptor(&self) -> Value {
        json!({"type": "file", "id": self.sha256})
    }

    /// The `hunting_notification` object, with the `file` relationship when asked.
    pub(crate) fn to_json(&self, base: &str, with_file: bool) -> Value {
        let mut v = json!({
            "type": "hunting_notification",
            "id": self.id,
            "links": {"self": format!("{base}/api/v3/intelligence/hunting_notifications/{}", self.id)},
            "attributes": {
                "date": self.date,
                "match_in_subfile": false,
                "rule_name": self.rule_name,
                "rule_tags": self.rule_tags,
                "snippet": self.snippet,
                "source_country": self.source_country,
                "source_key": self.source_key,
                "tags": self.tags(),
                "ruleset_id": self.ruleset_id,
                "ruleset_name": self.ruleset_name,
            },
        });
        if with_file {
            v["relationships"] = json!({"file": {"data": self.file_descriptor()}});
        }
        v
    }

    /// The `context_attributes` of the matched file in `hunting_notification_files`.
    pub(crate) fn context(&self) -> Value {
        json!({
            "notification_id": self.id,
            "notification_date": self.date,
            "match_in_subfile": false,
            "notification_snippet": self.snippet,
            "notification_source_country": self.source_country,
            "notification_source_key": self.source_key,
            "notification_tags": self.tags(),
            "rule_name": self.rule_name,
            "rule_tags": self.rule_tags,
            "ruleset_id": self.ruleset_id,
            "ruleset_name": self.ruleset_name,
        })
    }

    /// Whether the exact keyword `word` (lower case) names this notification: its rule,
    /// ruleset (name or id), namespace, file hash or date (`YYYY-MM-DD`).
    pub(crate) fn has_keyword(&self, word: &str) -> bool {
        word == self.rule_name.to_lowercase()
            || word == self.ruleset_name.to_lowercase()
            || word == self.ruleset_id
            || word == self.namespace.to_lowercase()
            || word == self.sha256
            || word == crate::dates::ymd(self.date)
    }
}

/// Every owner's rulesets and notifications.
#[derive(Debug, Default)]
pub(crate) struct LivehuntStore {
    /// By id (numeric strings of equal length, so in creation order).
    pub(crate) rulesets: BTreeMap<String, HuntingRuleset>,
    /// Oldest first.
    pub(crate) notifications: Vec<HuntingNotification>,
    /// Makes ids unique.
    pub(crate) serial: u64,
}

impl LivehuntStore {
    /// A fresh 16-digit ruleset id.
    pub(crate) fn next_ruleset_id(&mut self, seed: u64) -> String {
        self.serial += 1;
        let n = crate::rng::mix64(seed ^ 0x4c49_5645 ^ self.serial);
        format!(
            "{}",
            1_000_000_000_000_000 + self.serial * 1_000_000 + n % 1_000_000
        )
    }

    /// Records the hits of an enabled ruleset on file `sha256` at `now`, each with its
    /// snippet, within the ruleset's 24-hour limit (matches over it are dropped, and the
    /// ruleset says `rate_limited`). Returns how many notifications were raised.
    pub(crate) fn record(
        &mut self,
        ruleset_id: &str,
        sha256: &str,
        hits: &[(RuleHit, String)],
        now: u64,
    ) -> usize {
        let Some(rs) = self.rulesets.get(ruleset_id).cloned() else {
            return 0;
        };
        let mut raised = 0;
        for (hit, snippet) in hits {
            let recent = self
                .notifications
                .iter()
                .filter(|n| n.ruleset_id == rs.id && n.date + 86_400 > now)
                .count() as u64;
            if recent >= rs.limit {
                if let Some(r) = self.rulesets.get_mut(ruleset_id) {
                    r.rate_limited = true;
                }
                continue;
            }
            self.serial += 1;
            let n = crate::rng::mix64(self.serial ^ now);
            self.notifications.push(HuntingNotification {
                id: format!(
                    "{}-{}-{:08x}",
                    rs.id,
                    now * 1000 + self.serial % 1000,
                    n as u32
                ),
                owner: rs.owner.clone(),
                ruleset_id: rs.id.clone(),
                ruleset_name: rs.name.clone(),
                rule_name: hit.rule.clone(),
                rule_tags: hit.tags.clone(),
                namespace: hit.namespace.clone(),
                sha256: sha256.to_owned(),
                date: now,
                snippet: snippet.clone(),
                source_country: "ZZ".to_owned(),
                source_key: format!("{:08x}", (n >> 32) as u32),
            });
            raised += 1;
        }
        raised
    }
}
