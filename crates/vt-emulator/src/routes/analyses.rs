//! Analyses: created by uploads, URL submissions and rescans; they move from `queued`
//! through `in-progress` to `completed` (see [`crate::AnalysisTiming`]).

use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::objects::resolve;
use super::receive::url_form;
use super::request::Req;
use crate::config::AnalysisTiming;
use crate::http::reply::Reply;
use crate::records::{Analysis, AnalysisTarget, Kind};
use crate::reports::url::url_object;
use crate::rng::SeededRng;
use crate::state::Shared;
use crate::store::Store;
use crate::url_id::url_id;
use crate::verdicts::stats_of;

/// The analysis descriptor returned by uploads and scans.
pub(crate) fn descriptor_reply(base: &str, id: &str) -> Reply {
    Reply::data(
        json!({"type": "analysis", "id": id, "links": {"self": format!("{base}/api/v3/analyses/{id}")}}),
    )
}

/// Records a new analysis of `target` and returns its id.
pub(crate) fn create(store: &mut Store, target: AnalysisTarget, now_ms: u64) -> String {
    let mut ts = now_ms / 1000;
    loop {
        let id = match &target {
            AnalysisTarget::File { sha256 } => {
                let md5 = store
                    .get(&(Kind::File, sha256.clone()))
                    .and_then(|o| o.attr("md5"))
                    .and_then(Value::as_str)
                    .unwrap_or(sha256)
                    .to_owned();
                base64::engine::general_purpose::STANDARD.encode(format!("{md5}:{ts}"))
            }
            AnalysisTarget::Url { id, .. } => format!("u-{id}-{ts}"),
            AnalysisTarget::Domain(d) => format!("d-{d}-{ts}"),
            AnalysisTarget::IpAddress(i) => format!("i-{i}-{ts}"),
        };
        if store.analyses.contains_key(&id) {
            ts += 1;
            continue;
        }
        let key = target.key();
        let minute = i64::try_from(now_ms / 60_000).unwrap_or(0);
        store.feed_log.entry(minute).or_default().push(key.clone());
        store
            .object_analyses
            .entry(key)
            .or_default()
            .push(id.clone());
        store.analyses.insert(
            id.clone(),
            Analysis {
                target,
                created_ms: now_ms,
                polls: 0,
            },
        );
        return id;
    }
}

/// The status an analysis shows now, given how often it was polled before.
pub(crate) fn status_of(a: &Analysis, timing: &AnalysisTiming, now_ms: u64) -> &'static str {
    status_at(a.created_ms, a.polls, timing, now_ms)
}

/// The status of an analysis created at `created_ms` and polled `polls` times before (public
/// and private analyses move alike).
pub(crate) fn status_at(
    created_ms: u64,
    polls: u32,
    timing: &AnalysisTiming,
    now_ms: u64,
) -> &'static str {
    let elapsed = now_ms.saturating_sub(created_ms);
    let by_time = timing.time_to_complete.map(|t| t.as_millis() as u64);
    if polls >= timing.polls_to_complete || by_time.is_some_and(|t| elapsed >= t) {
        "completed"
    } else if polls == 0 && by_time.is_none_or(|t| elapsed.saturating_mul(2) < t) {
        "queued"
    } else {
        "in-progress"
    }
}

/// Whether the latest analysis of `key` (if any) is still running; does not count as a poll.
pub(crate) fn pending(shared: &Shared, store: &Store, key: &(Kind, String)) -> bool {
    let now = shared.clock.now_ms();
    store
        .object_analyses
        .get(key)
        .and_then(|ids| ids.last())
        .and_then(|id| store.analyses.get(id))
        .is_some_and(|a| status_of(a, &shared.config.analysis, now) != "completed")
}

/// `POST /{collection}/{id}/analyse`.
pub(crate) fn analyse(shared: &Shared, r: &Req, kind: Kind, id: &str) -> Reply {
    let mut store = shared.write();
    let key = match resolve(&store, kind, id) {
        Ok(k) => k,
        Err(reply) => return reply,
    };
    let target = match kind {
        Kind::File => AnalysisTarget::File {
            sha256: key.1.clone(),
        },
        Kind::Url => {
            let url = store
                .get(&key)
                .and_then(|o| o.attr("url"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            AnalysisTarget::Url {
                id: key.1.clone(),
                url,
            }
        }
        Kind::Domain => AnalysisTarget::Domain(key.1.clone()),
        _ => AnalysisTarget::IpAddress(key.1.clone()),
    };
    let aid = create(&mut store, target, shared.clock.now_ms());
    descriptor_reply(&r.base, &aid)
}

/// `POST /urls` (form field `url`, urlencoded or multipart).
pub(crate) async fn submit_url(shared: &Shared, r: &mut Req) -> Reply {
    let (url, _) = match url_form(shared, r).await {
        Ok(form) => form,
        Err(reply) => return reply,
    };
    let id = url_id(&url);
    let now = shared.now();
    let host = url_host(&url);
    let (aid, new_objects) = {
        let mut store = shared.write();
        let key = (Kind::Url, id.clone());
        // What Livehunt's url, domain and ip_address rulesets see: a URL new to the emulator,
        // and its host when that is new too.
        let mut new_objects = Vec::new();
        if let Some((host_key, host)) = host
            && !store.objects.contains_key(&host_key)
        {
            let mut rng = SeededRng::derive(shared.config.seed, &host, 0);
            match host_key.0 {
                Kind::Domain => store.insert(
                    Kind::Domain,
                    crate::reports::domain::domain_object(&r.base, &mut rng, &host, 0, &[], now),
                ),
                _ => store.insert(
                    Kind::IpAddress,
                    crate::reports::ip_address::ip_object(&r.base, &mut rng, &host, 0, now),
                ),
            }
            new_objects.push((host_key, host));
        }
        if let Some(obj) = store.objects.get_mut(&key) {
            let times = obj
                .attr("times_submitted")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            obj.set_attr("times_submitted", json!(times + 1));
            obj.set_attr("last_submission_date", json!(now));
            obj.refresh();
        } else {
            let mut rng = SeededRng::derive(shared.config.seed, &id, 0);
            let malicious = if rng.chance(0.2) {
                rng.range(1, 12) as usize
            } else {
                0
            };
            let obj = url_object(&r.base, &mut rng, &id, &url, malicious, now, now);
            store.insert(Kind::Url, obj);
            new_objects.insert(0, (key, url.clone()));
        }
        let aid = create(
            &mut store,
            AnalysisTarget::Url { id, url },
            shared.clock.now_ms(),
        );
        (aid, new_objects)
    };
    shared.livehunt_network_scan(new_objects).await;
    descriptor_reply(&r.base, &aid)
}

/// The host of `url` as the store keys it: a domain (lower case) or an IP address.
fn url_host(url: &str) -> Option<(crate::records::ObjKey, String)> {
    let parsed = url::Url::parse(&crate::url_id::canonical_url(url)).ok()?;
    let (kind, host) = match parsed.host()? {
        url::Host::Domain(d) => (Kind::Domain, d.trim_end_matches('.').to_ascii_lowercase()),
        url::Host::Ipv4(a) => (Kind::IpAddress, a.to_string()),
        url::Host::Ipv6(a) => (Kind::IpAddress, a.to_string()),
    };
    (!host.is_empty()).then(|| ((kind, host.clone()), host))
}

fn partial(results: &Value, status: &str) -> Value {
    match status {
        "completed" => results.clone(),
        "queued" => json!({}),
        _ => {
            let map = results.as_object().cloned().unwrap_or_default();
            let half = map.len() / 2;
            Value::Object(map.into_iter().take(half).collect::<Map<String, Value>>())
        }
    }
}

/// `GET /analyses/{id}` (counts as a poll).
pub(crate) fn get(shared: &Shared, r: &Req, id: &str) -> Reply {
    let now_ms = shared.clock.now_ms();
    let mut store = shared.write();
    let Some(a) = store.analyses.get_mut(id) else {
        return Reply::not_found("Analysis", id);
    };
    let status = status_of(a, &shared.config.analysis, now_ms);
    a.polls = a.polls.saturating_add(1);
    let a = a.clone();
    let key = a.target.key();
    let Some(obj) = store.get(&key) else {
        return Reply::not_found("Analysis", id);
    };
    let results = obj
        .attr("last_analysis_results")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let is_file = matches!(a.target, AnalysisTarget::File { .. });
    let results = partial(&results, status);
    let stats = stats_of(&results, is_file);
    let meta = match &a.target {
        AnalysisTarget::File { sha256 } => {
            let g = |k: &str| obj.attr(k).cloned().unwrap_or(Value::Null);
            json!({"file_info": {"sha256": sha256, "sha1": g("sha1"), "md5": g("md5"), "size": g("size")}})
        }
        AnalysisTarget::Url { id, url } => json!({"url_info": {"id": id, "url": url}}),
        AnalysisTarget::Domain(d) => json!({"domain_info": {"id": d}}),
        AnalysisTarget::IpAddress(i) => json!({"ip_address_info": {"id": i}}),
    };
    let item = format!("{}/api/v3/{}/{}", r.base, key.0.collection(), key.1);
    let body = json!({
        "data": {
            "type": "analysis",
            "id": id,
            "links": {"self": format!("{}/api/v3/analyses/{id}", r.base), "item": item},
            "attributes": {
                "date": a.created_ms / 1000,
                "status": status,
                "stats": stats,
                "results": results,
            },
        },
        "meta": meta,
    });
    Reply::json(&body)
}

/// `GET /analyses/{id}/item`.
pub(crate) fn item(shared: &Shared, _r: &Req, id: &str) -> Reply {
    let store = shared.read();
    let Some(a) = store.analyses.get(id) else {
        return Reply::not_found("Analysis", id);
    };
    match store.get(&a.target.key()) {
        Some(obj) => Reply::ok_bytes(obj.body()),
        None => Reply::not_found("Analysis", id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn lifecycle_by_polls_and_time() {
        let timing = AnalysisTiming {
            polls_to_complete: 2,
            time_to_complete: Some(Duration::from_secs(10)),
        };
        let mut a = Analysis {
            target: AnalysisTarget::Domain("x.com".into()),
            created_ms: 0,
            polls: 0,
        };
        assert_eq!(status_of(&a, &timing, 0), "queued");
        assert_eq!(status_of(&a, &timing, 6000), "in-progress");
        assert_eq!(status_of(&a, &timing, 10_000), "completed");
        a.polls = 1;
        assert_eq!(status_of(&a, &timing, 0), "in-progress");
        a.polls = 2;
        assert_eq!(status_of(&a, &timing, 0), "completed");
        assert_eq!(
            status_of(&Analysis { polls: 0, ..a }, &AnalysisTiming::IMMEDIATE, 0),
            "completed"
        );
    }
}
