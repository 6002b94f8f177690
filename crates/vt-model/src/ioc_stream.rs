//! The IoC stream (`/ioc_stream`): the files, URLs, domains and IP addresses your Livehunt
//! rulesets, Retrohunt jobs and subscriptions (collections, threat actors) raised. Each item
//! is an ordinary object whose `context_attributes` say why it is there
//! ([`IocStreamContext`]).

use crate::lossless::lossless_struct;
use crate::open_enum::open_enum_text;
use crate::{AnyObject, Timestamp};

lossless_struct! {
    /// The `context_attributes` of an IoC stream item: the notification behind it.
    ///
    /// ```
    /// use vt_model::{AnyObject, IocStreamContext, IocStreamOrigin};
    /// let item: AnyObject = serde_json::from_str(r#"{"type": "file", "id": "ab", "attributes": {},
    ///   "context_attributes": {"notification_id": "5", "notification_date": 1700000000,
    ///     "origin": "hunting", "sources": [{"type": "hunting_ruleset", "id": "77", "label": "eicar"}],
    ///     "tags": ["eicar_rule"], "hunting_info": {"rule_name": "eicar_rule", "snippet": "45 49"}}}"#).unwrap();
    /// let n = IocStreamContext::of(&item).unwrap();
    /// assert_eq!(n.origin, Some(IocStreamOrigin::Hunting));
    /// assert_eq!(n.sources.as_ref().unwrap()[0].label.as_deref(), Some("eicar"));
    /// assert_eq!(n.hunting_info.unwrap().rule_name.as_deref(), Some("eicar_rule"));
    /// ```
    pub struct IocStreamContext {
        /// The notification's id (for `GET|DELETE /ioc_stream_notifications/{id}`).
        notification_id: String = "notification_id",
        /// When the notification was raised.
        notification_date: Timestamp = "notification_date",
        /// `hunting` (Livehunt, Retrohunt) or `subscriptions` (collections, threat actors).
        origin: IocStreamOrigin = "origin",
        /// What raised it: rulesets, jobs, collections, threat actors.
        sources: Vec<IocStreamSource> = "sources",
        /// Tags (Livehunt: the rule name and the owner's user name).
        tags: Vec<String> = "tags",
        /// Livehunt and Retrohunt details (origin `hunting` only).
        hunting_info: HuntingInfo = "hunting_info",
    }
}

impl IocStreamContext {
    /// The notification context of an IoC stream item, `None` when it has no
    /// `context_attributes` object. Decoded leniently: a member of an unexpected type is
    /// left unset and kept in `extra`.
    pub fn of(item: &AnyObject) -> Option<IocStreamContext> {
        let map = item.context_attributes()?;
        serde_json::from_value(serde_json::Value::Object(map.clone())).ok()
    }
}

lossless_struct! {
    /// One source of a notification: `{"type", "id", "label"}`.
    pub struct IocStreamSource {
        /// `hunting_ruleset`, `retrohunt_job`, `collection` or `threat_actor`.
        source_type: String = "type",
        /// The source object's id.
        id: String = "id",
        /// Its name as shown to people.
        label: String = "label",
    }
}

lossless_struct! {
    /// `hunting_info` of a Livehunt or Retrohunt notification.
    pub struct HuntingInfo {
        /// The YARA rule that matched.
        rule_name: String = "rule_name",
        /// The rule's tags.
        rule_tags: Vec<String> = "rule_tags",
        /// A hexdump of the match.
        snippet: String = "snippet",
        /// The country the matched file was submitted from.
        source_country: String = "source_country",
        /// An anonymised id of the submitter.
        source_key: String = "source_key",
    }
}

/// The `origin` of an IoC stream notification. Unknown values are kept in
/// [`IocStreamOrigin::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IocStreamOrigin {
    /// `hunting`: a Livehunt ruleset or a Retrohunt job.
    Hunting,
    /// `subscriptions`: a collection or threat actor you follow.
    Subscriptions,
    /// A value this version does not know, kept verbatim.
    Other(String),
}

open_enum_text! {
    IocStreamOrigin {
        Hunting => "hunting",
        Subscriptions => "subscriptions",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_round_trips_losslessly() {
        let text = r#"{"notification_id":"9","notification_date":1,"origin":"someday","sources":[{"type":"collection","id":"c","label":"L","x":1}],"new":true}"#;
        let ctx: IocStreamContext = serde_json::from_str(text).unwrap();
        assert_eq!(ctx.origin, Some(IocStreamOrigin::Other("someday".into())));
        assert_eq!(serde_json::to_string(&ctx).unwrap(), text);
    }
}
