//! VT Monitor items (premium): list with `filter`, upload by path or item, folders, delete,
//! details, downloads, analyses, owner, statistics and events.

use base64::Engine as _;
use serde_json::{Value, json};

use super::downloads::signed_url;
use super::paging::{self, MAX_LIMIT};
use super::receive::{UploadedFile, receive};
use super::request::Req;
use super::route::MonitorSub;
use crate::config::MONITOR_OWNER;
use crate::dates::datetime;
use crate::http::reply::Reply;
use crate::records::{Content, Kind, MonitorItem};
use crate::reports::monitor_item::{MonitorFile, file_item, folder_item, insert_item};
use crate::state::Shared;
use crate::store::Store;
use crate::verdicts::results_with;

fn parent_of(path: &str) -> String {
    let t = path.trim_end_matches('/');
    match t.rfind('/') {
        Some(i) => t[..=i].to_owned(),
        None => "/".to_owned(),
    }
}

/// `GET /monitor/items` with `filter` = `path:<folder>`, `item:<folder id>` or
/// `tag:<tags>` (space-separated, all must match).
pub(crate) fn list(shared: &Shared, r: &Req) -> Reply {
    let store = shared.read();
    let filter = r.q("filter").map(str::trim).unwrap_or("");
    let items: Vec<&MonitorItem> = if filter.is_empty() {
        store.monitor.values().collect()
    } else if let Some(p) = filter.strip_prefix("path:") {
        let mut folder = p.trim().to_owned();
        if !folder.starts_with('/') {
            folder.insert(0, '/');
        }
        if !folder.ends_with('/') {
            folder.push('/');
        }
        store
            .monitor
            .values()
            .filter(|i| parent_of(&i.path) == folder)
            .collect()
    } else if let Some(id) = filter.strip_prefix("item:") {
        let Some(item) = store.monitor_item(id.trim()) else {
            return Reply::not_found("Monitor item", id.trim());
        };
        if item.is_folder() {
            let folder = item.path.clone();
            store
                .monitor
                .values()
                .filter(|i| parent_of(&i.path) == folder)
                .collect()
        } else {
            vec![item]
        }
    } else if let Some(tags) = filter.strip_prefix("tag:") {
        let wanted: Vec<String> = tags.split_whitespace().map(str::to_lowercase).collect();
        store
            .monitor
            .values()
            .filter(|i| {
                let have: Vec<String> = i.tags().iter().map(|t| t.to_lowercase()).collect();
                wanted.iter().all(|w| have.contains(w))
            })
            .collect()
    } else {
        return Reply::invalid_argument(format!(
            "Invalid filter {filter:?}: use path:, item: or tag:"
        ));
    };
    let total = items.len();
    let page = match paging::page(r, total, MAX_LIMIT) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let data = items[page.start..page.end]
        .iter()
        .map(|i| i.data.clone())
        .collect();
    paging::collection(r, data, &page, total, None)
}

fn path_of_id(id: &str) -> Option<String> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(id.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let rest = text
        .strip_prefix("vtmonitor-v1://")?
        .strip_prefix(MONITOR_OWNER)?;
    rest.starts_with('/').then(|| rest.to_owned())
}

fn detected(results: &Value) -> Vec<String> {
    results
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, r)| r["category"] == "malicious")
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// The change tag between two analyses.
fn change_tag(prev: &Value, cur: &Value) -> Option<&'static str> {
    let (p, c) = (detected(prev), detected(cur));
    match (p.len(), c.len()) {
        (0, 0) => None,
        (0, _) => Some("new-detections"),
        (_, 0) => Some("solved-detections"),
        (a, b) if b > a => Some("increasing-detections"),
        (a, b) if b < a => Some("decreasing-detections"),
        _ if p != c => Some("swapped-detections"),
        _ => None,
    }
}

/// `POST /monitor/items` (32 MB).
pub(crate) async fn create(shared: &Shared, r: &mut Req) -> Reply {
    create_with_limit(shared, r, shared.config.direct_upload_limit).await
}

/// Upload by `path` or `item`; a path ending in `/` without a file creates a folder.
pub(crate) async fn create_with_limit(shared: &Shared, r: &mut Req, limit: u64) -> Reply {
    let rec = match receive(shared, r, limit).await {
        Ok(rec) => rec,
        Err(reply) => return reply,
    };
    let path = match (rec.fields.get("path"), rec.fields.get("item")) {
        (Some(p), _) if !p.is_empty() => p.clone(),
        (_, Some(id)) if !id.is_empty() => {
            let found = shared.read().monitor_ids.get(id.trim()).cloned();
            match found.or_else(|| path_of_id(id)) {
                Some(p) => p,
                None => {
                    return discard(
                        rec.file,
                        Reply::invalid_argument(format!("Invalid monitor item id {id:?}")),
                    )
                    .await;
                }
            }
        }
        _ => {
            return discard(
                rec.file,
                Reply::bad_request("Either the \"path\" or the \"item\" field is required"),
            )
            .await;
        }
    };
    if !path.starts_with('/') || path.contains("//") {
        return discard(
            rec.file,
            Reply::invalid_argument(format!(
                "Invalid path {path:?}: it must start with / and have no empty segments"
            )),
        )
        .await;
    }
    let now = shared.now();
    let creator = r.user();
    match rec.file {
        None if path.ends_with('/') => {
            let mut store = shared.write();
            let item = store
                .monitor
                .get(&path)
                .cloned()
                .unwrap_or_else(|| folder_item(&r.base, &path, now, &creator));
            let data = item.data.clone();
            insert_item(&mut store, &r.base, item, now, &creator);
            Reply::data(data)
        }
        None => Reply::bad_request(
            "A file part is required unless the path names a folder (ending in /)",
        ),
        Some(f) if path.ends_with('/') => {
            discard(
                Some(f),
                Reply::bad_request("The path of a file must not end with /"),
            )
            .await
        }
        Some(f) => {
            let final_path = shared.upload_path(&f.sha256);
            if tokio::fs::rename(&f.path, &final_path).await.is_err() {
                let _ = tokio::fs::remove_file(&f.path).await;
            }
            let mut store = shared.write();
            if !store.contents.contains_key(&f.sha256) {
                store.contents.insert(
                    f.sha256.clone(),
                    Content::Disk {
                        path: final_path,
                        size: f.size,
                    },
                );
            }
            let results = store
                .get(&(Kind::File, f.sha256.clone()))
                .and_then(|o| o.attr("last_analysis_results").cloned())
                .unwrap_or_else(|| results_with(&[], now, ""));
            let previous = store
                .monitor
                .get(&path)
                .and_then(|i| i.data.pointer("/attributes/last_analysis_results").cloned());
            let tag = previous.as_ref().and_then(|p| change_tag(p, &results));
            let item = file_item(
                &r.base,
                MonitorFile {
                    path: &path,
                    bytes: (&f.md5, &f.sha1, &f.sha256, f.size),
                    results,
                    previous,
                    change_tag: tag,
                    now,
                    creator: &creator,
                },
            );
            let data = item.data.clone();
            insert_item(&mut store, &r.base, item, now, &creator);
            shared
                .stats
                .uploads
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Reply::data(data)
        }
    }
}

async fn discard(file: Option<UploadedFile>, reply: Reply) -> Reply {
    if let Some(f) = file {
        let _ = tokio::fs::remove_file(&f.path).await;
    }
    reply
}

/// `GET /monitor/statistics`.
pub(crate) fn statistics(shared: &Shared) -> Reply {
    let store = shared.read();
    let files: Vec<&MonitorItem> = store.monitor.values().filter(|i| !i.is_folder()).collect();
    let bytes: u64 = files
        .iter()
        .filter_map(|i| i.data.pointer("/attributes/size").and_then(Value::as_u64))
        .sum();
    let detected = files
        .iter()
        .filter(|i| i.tags().iter().any(|t| t == "detected"))
        .count();
    Reply::data(json!({
        "storage_bytes_count": bytes,
        "files_count": files.len(),
        "folders_count": store.monitor.len() - files.len(),
        "detected_files_count": detected,
    }))
}

/// `GET /monitor/events`: one event per upload and per detection change.
pub(crate) fn events(shared: &Shared, r: &Req) -> Reply {
    let store = shared.read();
    let mut events = Vec::new();
    for item in store.monitor.values().filter(|i| !i.is_folder()) {
        let attrs = &item.data["attributes"];
        let sha = attrs["sha256"].as_str().unwrap_or("");
        let date = attrs["last_analysis_date"].as_u64().unwrap_or(0);
        let ts = datetime(date).replace(' ', "T");
        let creator = attrs["creator_id"].clone();
        let mut push =
            |action: &str, level: u8, source: &str, text: String, details: Vec<Value>| {
                events.push(json!({
                "action": action, "creator_id": creator, "details": details, "level": level,
                "monitor_key": item.id, "owner_id": MONITOR_OWNER, "plaintext_description": text,
                "source": source, "subject": sha, "timestamp": ts,
            }));
            };
        push(
            "UPLOAD",
            0,
            "FILE",
            format!("{} uploaded", item.path),
            vec![],
        );
        let tags = item.tags();
        if tags.iter().any(|t| t == "detected") {
            let details: Vec<Value> = detected(&attrs["last_analysis_results"])
                .iter()
                .map(|e| json!({"v": format!("{e}:current:result:{}", attrs["last_analysis_results"][e]["result"].as_str().unwrap_or(""))}))
                .collect();
            push(
                "DETECTED",
                3,
                "ANALYSIS",
                format!("{} is detected by {} engines", item.path, details.len()),
                details,
            );
        }
        if tags.iter().any(|t| t == "solved-detections") {
            push(
                "RESOLVED",
                1,
                "ANALYSIS",
                format!("{} is no longer detected", item.path),
                vec![],
            );
        }
    }
    let total = events.len();
    let page = match paging::page(r, total, MAX_LIMIT) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    paging::collection(r, events[page.start..page.end].to_vec(), &page, total, None)
}

fn remove_tree(store: &mut Store, path: &str) -> usize {
    let doomed: Vec<String> = if path.ends_with('/') {
        store
            .monitor
            .keys()
            .filter(|p| p.starts_with(path))
            .cloned()
            .collect()
    } else {
        vec![path.to_owned()]
    };
    for p in &doomed {
        if let Some(item) = store.monitor.remove(p) {
            store.monitor_ids.remove(&item.id);
        }
    }
    doomed.len()
}

/// Operations on one item.
pub(crate) async fn item(shared: &Shared, r: &mut Req, id: &str, sub: MonitorSub) -> Reply {
    let found = shared.read().monitor_item(id).cloned();
    let Some(item) = found else {
        return Reply::not_found("Monitor item", id);
    };
    match sub {
        MonitorSub::Get => Reply::data(item.data),
        MonitorSub::Delete => {
            remove_tree(&mut shared.write(), &item.path);
            Reply::json(&json!({}))
        }
        MonitorSub::Config => {
            if item.is_folder() {
                return Reply::bad_request("Folders cannot have details");
            }
            let Some(body) = r.body.take() else {
                return Reply::bad_request("Missing request body");
            };
            let mut reader =
                crate::http::multipart::BodyReader::new(body, 1 << 20, shared.stats.clone());
            let bytes = match reader.read_all().await {
                Ok(b) => b,
                Err(e) => return Reply::bad_request(e.to_string()),
            };
            let Ok(v) = serde_json::from_slice::<Value>(&bytes) else {
                return Reply::bad_request("Malformed JSON body");
            };
            let details = match v.pointer("/data/attributes/details") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Null) => None,
                _ => {
                    return Reply::bad_request(
                        "Expected {\"data\": {\"attributes\": {\"details\": \"...\" or null}}}",
                    );
                }
            };
            let mut store = shared.write();
            let Some(stored) = store.monitor.get_mut(&item.path) else {
                return Reply::not_found("Monitor item", id);
            };
            if let Some(Value::Object(a)) = stored.data.get_mut("attributes") {
                match details {
                    Some(d) => a.insert("details".into(), json!(d)),
                    None => a.remove("details"),
                };
            }
            Reply::data(stored.data.clone())
        }
        MonitorSub::Download | MonitorSub::DownloadUrl => {
            let Some(sha) = item.sha256() else {
                return Reply::bad_request("Folders cannot be downloaded");
            };
            if !shared.read().contents.contains_key(sha) {
                return Reply::not_found("Monitor item content", id);
            }
            let url = signed_url(shared, &r.base, sha);
            if sub == MonitorSub::Download {
                Reply::Redirect(url)
            } else {
                Reply::data(json!(url))
            }
        }
        MonitorSub::Analyses => {
            let total = item.analyses.len();
            let page = match paging::page(r, total, MAX_LIMIT) {
                Ok(p) => p,
                Err(reply) => return reply,
            };
            paging::collection(
                r,
                item.analyses[page.start..page.end].to_vec(),
                &page,
                total,
                None,
            )
        }
        MonitorSub::Owner => Reply::data(json!({
            "type": "group",
            "id": MONITOR_OWNER,
            "links": {"self": format!("{}/api/v3/groups/{MONITOR_OWNER}", r.base)},
            "attributes": {"organization": "Emulated Software Inc.", "country": "ES", "domain_name": "emulator.invalid"},
        })),
        MonitorSub::Comments => {
            // One AV-partner comment per engine that flags the file.
            let attrs = &item.data["attributes"];
            let sha = attrs["sha256"].as_str().unwrap_or("");
            let date = attrs["last_analysis_date"].as_u64().unwrap_or(0);
            let comments: Vec<Value> = detected(&attrs["last_analysis_results"])
                .into_iter()
                .map(|engine| {
                    json!({
                        "type": "monitor_hash_comment",
                        "id": format!("{sha}-{engine}"),
                        "attributes": {
                            "comment": format!("{engine} is reviewing this detection."),
                            "date": date,
                            "detection": Value::Null,
                            "engine": engine,
                            "sha256": sha,
                        },
                    })
                })
                .collect();
            let total = comments.len();
            let page = match paging::page(r, total, MAX_LIMIT) {
                Ok(p) => p,
                Err(reply) => return reply,
            };
            paging::collection(
                r,
                comments[page.start..page.end].to_vec(),
                &page,
                total,
                None,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_tags_follow_detections() {
        let r = |engines: &[usize]| results_with(engines, 0, "X");
        assert_eq!(change_tag(&r(&[]), &r(&[1])), Some("new-detections"));
        assert_eq!(change_tag(&r(&[1]), &r(&[])), Some("solved-detections"));
        assert_eq!(
            change_tag(&r(&[1]), &r(&[1, 2])),
            Some("increasing-detections")
        );
        assert_eq!(
            change_tag(&r(&[1, 2]), &r(&[2])),
            Some("decreasing-detections")
        );
        assert_eq!(
            change_tag(&r(&[1, 2]), &r(&[3, 4])),
            Some("swapped-detections")
        );
        assert_eq!(change_tag(&r(&[1, 2]), &r(&[1, 2])), None);
        assert_eq!(parent_of("/a/b.exe"), "/a/");
        assert_eq!(parent_of("/a/"), "/");
        assert_eq!(
            path_of_id(&crate::reports::monitor_item::monitor_id("/x/y")),
            Some("/x/y".to_owned())
        );
    }
}
