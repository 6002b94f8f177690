//! Files: `vt file`, `vt hash`, `vt scan file`, `vt download`, `vt download-url`, `vt pcap`,
//! `vt behaviours`.

use serde_json::json;

use crate::batch::{collect_inputs, validate_all};
use crate::cli::{HashAlg, HashArgs};
use crate::commands::Context;
use crate::exit::{CliError, CliResult, Exit};
use crate::output::Shape;

/// Files over this size are refused before any request.
pub const MAX_UPLOAD: u64 = 650 * 1024 * 1024;

/// Checks a local path is a readable regular file (for hashing or uploading).
pub fn check_file(path: &str, max: Option<u64>) -> Result<std::path::PathBuf, String> {
    let p = std::path::PathBuf::from(path);
    let meta = std::fs::metadata(&p).map_err(|e| format!("path {path:?}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("path {path:?}: not a regular file"));
    }
    if let Some(max) = max
        && meta.len() > max
    {
        return Err(format!(
            "path {path:?}: {} bytes is more than the {max} bytes VirusTotal accepts",
            meta.len()
        ));
    }
    std::fs::File::open(&p).map_err(|e| format!("path {path:?}: {e}"))?;
    Ok(p)
}

/// `vt hash`: local MD5/SHA-1/SHA-256, no request.
pub async fn hash(ctx: &Context, args: HashArgs) -> CliResult<Exit> {
    let inputs = collect_inputs(&args.paths)?;
    let items = validate_all("file", inputs, |p| check_file(p, None))?;
    let shape = if items.len() == 1 {
        Shape::One
    } else {
        Shape::Many
    };
    let mut printer = ctx.printer(shape);
    let mut exit = Exit::Ok;
    for (input, path) in items {
        match vt_api::hashing::hash_file_async(&path).await {
            Ok(d) => {
                let mut attrs = serde_json::Map::new();
                attrs.insert("path".into(), json!(input));
                if matches!(args.alg, HashAlg::Md5 | HashAlg::All) {
                    attrs.insert("md5".into(), json!(d.md5.as_str()));
                }
                if matches!(args.alg, HashAlg::Sha1 | HashAlg::All) {
                    attrs.insert("sha1".into(), json!(d.sha1.as_str()));
                }
                if matches!(args.alg, HashAlg::Sha256 | HashAlg::All) {
                    attrs.insert("sha256".into(), json!(d.sha256.as_str()));
                }
                attrs.insert("size".into(), json!(d.size));
                let id = match args.alg {
                    HashAlg::Md5 => d.md5.as_str().to_owned(),
                    HashAlg::Sha1 => d.sha1.as_str().to_owned(),
                    _ => d.sha256.as_str().to_owned(),
                };
                printer.object(&json!({"type": "file_hashes", "id": id, "attributes": attrs}))?;
            }
            Err(e) => {
                printer.failure("file", &input, "InvalidInputError", &e.to_string())?;
                exit = Exit::ItemsFailed;
            }
        }
    }
    printer.finish()?;
    if exit == Exit::ItemsFailed {
        return Err(CliError::new(Exit::ItemsFailed, ""));
    }
    Ok(exit)
}
