//! Loading real VirusTotal documents from a directory.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::summary::{Dataset, FileInfo, UrlInfo};
use crate::records::Kind;
use crate::store::Store;

/// Adds every file, url, domain, ip_address and file_behaviour object found in `*.json` files
/// under `dir` (recursively; single objects and collection items); a file_behaviour becomes one
/// of the `behaviours` of the file its id names. Unreadable or non-JSON files are
/// skipped; only an unreadable directory is an error. Returns how many objects were added.
pub(crate) fn load_dir(
    store: &mut Store,
    ds: &mut Dataset,
    base: &str,
    dir: &Path,
) -> std::io::Result<usize> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    let mut added = 0;
    for path in files {
        let Ok(text) = std::fs::read(&path) else {
            continue;
        };
        let Ok(doc) = serde_json::from_slice::<Value>(&text) else {
            continue;
        };
        let items: Vec<Value> = match doc.get("data") {
            Some(Value::Array(items)) => items.clone(),
            Some(obj @ Value::Object(_)) => vec![obj.clone()],
            _ => continue,
        };
        for item in items {
            if add_object(store, ds, base, item) {
                added += 1;
            }
        }
    }
    Ok(added)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

fn add_object(store: &mut Store, ds: &mut Dataset, base: &str, mut item: Value) -> bool {
    let Some(kind) = item
        .get("type")
        .and_then(Value::as_str)
        .and_then(Kind::from_type_name)
    else {
        return false;
    };
    if kind == Kind::Resolution || !item.get("attributes").is_some_and(Value::is_object) {
        return false;
    }
    let Some(id) = item.get("id").and_then(Value::as_str).map(str::to_owned) else {
        return false;
    };
    if id.is_empty() || store.objects.contains_key(&(kind, id.clone())) {
        return false;
    }
    item["links"] = json!({"self": format!("{base}/api/v3/{}/{id}", kind.collection())});
    if let Some(o) = item.as_object_mut() {
        o.remove("relationships");
        o.remove("context_attributes");
    }
    let attr_str = |k: &str| {
        item.pointer(&format!("/attributes/{k}"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let malicious = item
        .pointer("/attributes/last_analysis_stats/malicious")
        .and_then(Value::as_u64)
        .unwrap_or(0) as u32;
    match kind {
        Kind::File => ds.files.push(FileInfo {
            sha256: id.clone(),
            sha1: attr_str("sha1"),
            md5: attr_str("md5"),
            size: item
                .pointer("/attributes/size")
                .and_then(Value::as_u64)
                .unwrap_or(0),
            malicious,
            type_tag: attr_str("type_tag"),
            relationships: Vec::new(),
            downloadable: false,
        }),
        Kind::Url => ds.urls.push(UrlInfo {
            id: id.clone(),
            url: attr_str("url"),
            malicious,
        }),
        Kind::Domain => ds.domains.push(id.clone()),
        Kind::IpAddress => ds.ip_addresses.push(id.clone()),
        Kind::Resolution | Kind::FileBehaviour => {}
    }
    store.insert(kind, item);
    // A sandbox report (`<sha256>_<sandbox>`) is one of its file's behaviours.
    if kind == Kind::FileBehaviour
        && let Some((sha256, _)) = id.split_once('_')
    {
        let report = (Kind::FileBehaviour, id.clone());
        store.relate(
            &(Kind::File, sha256.to_ascii_lowercase()),
            "behaviours",
            report,
        );
    }
    true
}
