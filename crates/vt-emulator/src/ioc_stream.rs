//! The IoC stream's store: notifications per user, raised by any producer (collections a
//! user follows, Livehunt rulesets, Retrohunt jobs), listed newest first by
//! `routes::ioc_stream`.
//!
//! A producer pushes a [`NewNotification`] for the user it notifies, with
//! [`IocStreamStore::push`] when it already holds the store's lock, or
//! `Shared::notify_ioc_stream` otherwise. The object is named by its store key; what the
//! stream serves is the object as the store has it when listed, with the notification in
//! its `context_attributes`.

use serde_json::{Value, json};

use crate::records::{Kind, ObjKey};

/// Why a notification was raised (`origin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Livehunt rulesets and Retrohunt jobs.
    Hunting,
    /// Collections and threat actors the user follows.
    Subscriptions,
}

impl Origin {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Origin::Hunting => "hunting",
            Origin::Subscriptions => "subscriptions",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Origin> {
        match s {
            "hunting" => Some(Origin::Hunting),
            "subscriptions" => Some(Origin::Subscriptions),
            _ => None,
        }
    }
}

/// What raised a notification: `{"type", "id", "label"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Source {
    /// `hunting_ruleset`, `retrohunt_job`, `collection` or `threat_actor`.
    pub(crate) source_type: String,
    pub(crate) id: String,
    pub(crate) label: String,
}

/// A notification as a producer hands it over.
#[derive(Debug, Clone)]
pub(crate) struct NewNotification {
    /// The object notified about (a file, URL, domain or IP address in the store).
    pub(crate) object: ObjKey,
    pub(crate) origin: Origin,
    pub(crate) source: Source,
    /// Tags (Livehunt: the rule name and the owner's user name).
    pub(crate) tags: Vec<String>,
    /// `hunting_info` (`rule_name`, `rule_tags`, `snippet`, `source_country`,
    /// `source_key`), for origin `hunting`.
    pub(crate) hunting_info: Option<Value>,
}

impl NewNotification {
    /// A `subscriptions` notification raised by a collection the user follows.
    pub(crate) fn from_collection(object: ObjKey, collection_id: &str, name: &str) -> Self {
        NewNotification {
            object,
            origin: Origin::Subscriptions,
            source: Source {
                source_type: "collection".into(),
                id: collection_id.into(),
                label: name.into(),
            },
            tags: Vec::new(),
            hunting_info: None,
        }
    }

    /// A `hunting` notification: a Livehunt ruleset (`source_type` `hunting_ruleset`) or a
    /// Retrohunt job (`retrohunt_job`) matched `object` with rule `rule_name`.
    pub(crate) fn from_hunting(
        object: ObjKey,
        source_type: &str,
        source_id: &str,
        source_label: &str,
        rule_name: &str,
        tags: Vec<String>,
        hunting_info: Value,
    ) -> Self {
        let mut tags = tags;
        if !tags.iter().any(|t| t.eq_ignore_ascii_case(rule_name)) {
            tags.insert(0, rule_name.to_owned());
        }
        NewNotification {
            object,
            origin: Origin::Hunting,
            source: Source {
                source_type: source_type.into(),
                id: source_id.into(),
                label: source_label.into(),
            },
            tags,
            hunting_info: Some(hunting_info),
        }
    }
}

impl NewNotification {
    /// The IoC stream's view of a Livehunt notification: the matched file, origin
    /// `hunting`, the ruleset as source, the Livehunt tags and `hunting_info`.
    pub(crate) fn from_livehunt(n: &crate::livehunt::HuntingNotification) -> Self {
        NewNotification::from_hunting(
            (Kind::File, n.sha256.clone()),
            "hunting_ruleset",
            &n.ruleset_id,
            &n.ruleset_name,
            &n.rule_name,
            n.tags(),
            json!({
                "rule_name": n.rule_name,
                "rule_tags": n.rule_tags,
                "snippet": n.snippet,
                "source_country": n.source_country,
                "source_key": n.source_key,
            }),
        )
    }
}

/// A stored notification.
#[derive(Debug, Clone)]
pub(crate) struct Notification {
    pub(crate) id: String,
    pub(crate) owner: String,
    /// Unix seconds.
    pub(crate) date: u64,
    pub(crate) seq: u64,
    pub(crate) new: NewNotification,
}

impl Notification {
    /// The `context_attributes` VirusTotal puts on an IoC stream item.
    pub(crate) fn context(&self) -> Value {
        let n = &self.new;
        let mut context = json!({
            "notification_id": self.id,
            "notification_date": self.date,
            "origin": n.origin.as_str(),
            "sources": [{"type": n.source.source_type, "id": n.source.id, "label": n.source.label}],
            "tags": n.tags,
        });
        if let Some(info) = &n.hunting_info {
            context["hunting_info"] = info.clone();
        }
        context
    }

    /// The value of a filter's `entity_type:` for this notification.
    pub(crate) fn entity_type(&self) -> &'static str {
        self.new.object.0.type_name()
    }
}

/// Every user's notifications, oldest first.
#[derive(Debug, Default)]
pub(crate) struct IocStreamStore {
    pub(crate) notifications: Vec<Notification>,
    seq: u64,
    /// Until when (emulator milliseconds) a filtered deletion "runs": another deletion
    /// before then is refused with 429, as VirusTotal does while one is in progress.
    pub(crate) deleting_until_ms: std::collections::HashMap<String, u64>,
}

impl IocStreamStore {
    /// Raises a notification for `owner` at `now` (Unix seconds); returns its id.
    pub(crate) fn push(&mut self, owner: &str, now: u64, new: NewNotification) -> String {
        self.seq += 1;
        let id = format!("{}", 7_000_000_000u64 + self.seq);
        self.notifications.push(Notification {
            id: id.clone(),
            owner: owner.to_owned(),
            date: now,
            seq: self.seq,
            new,
        });
        id
    }

    /// One notification of `owner`.
    pub(crate) fn get(&self, owner: &str, id: &str) -> Option<&Notification> {
        self.notifications
            .iter()
            .find(|n| n.id == id && n.owner == owner)
    }

    /// Removes `owner`'s notifications `keep` refuses; returns how many went.
    pub(crate) fn remove_where(
        &mut self,
        owner: &str,
        mut matches: impl FnMut(&Notification) -> bool,
    ) -> usize {
        let before = self.notifications.len();
        self.notifications
            .retain(|n| n.owner != owner || !matches(n));
        before - self.notifications.len()
    }
}

/// The kinds of object the IoC stream carries.
pub(crate) fn is_stream_kind(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::File | Kind::Url | Kind::Domain | Kind::IpAddress
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pushes_number_notifications_and_keep_owners_apart() {
        let mut s = IocStreamStore::default();
        let k = (Kind::Domain, "a.example".to_owned());
        let a = s.push(
            "alice",
            10,
            NewNotification::from_collection(k.clone(), "c", "C"),
        );
        let b = s.push("bob", 11, NewNotification::from_collection(k, "c", "C"));
        assert_ne!(a, b);
        assert!(s.get("alice", &a).is_some());
        assert!(s.get("alice", &b).is_none());
        assert_eq!(s.remove_where("alice", |_| true), 1);
        assert_eq!(s.notifications.len(), 1);
        let ctx = s.notifications[0].context();
        assert_eq!(ctx["origin"], "subscriptions");
        assert_eq!(ctx["sources"][0]["type"], "collection");
    }

    #[test]
    fn hunting_notifications_carry_the_rule_name_as_a_tag() {
        let n = NewNotification::from_hunting(
            (Kind::File, "x".into()),
            "hunting_ruleset",
            "7",
            "rs",
            "eicar",
            vec!["alice".into()],
            json!({"rule_name": "eicar"}),
        );
        assert_eq!(n.tags, ["eicar", "alice"]);
        assert_eq!(n.origin, Origin::Hunting);
    }
}
