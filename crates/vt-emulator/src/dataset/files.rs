//! Generated files: random bytes behind a real file-type header, with full reports.

use bytes::Bytes;
use serde_json::Value;

use super::detections::{detection_count, malicious_of};
use super::generation::Generation;
use super::summary::{Dataset, FileInfo};
use super::well_known::DATASET_EPOCH;
use crate::digest::hashes;
use crate::engines::FILE_ENGINES;
use crate::records::{Content, Kind};
use crate::reports::file::{FileFacts, file_object};
use crate::reports::file_types::FILE_TYPES;
use crate::reports::vocabulary::WORDS;
use crate::rng::SeededRng;
use crate::store::Store;

/// Adds `cfg.files` files (their bytes are kept, so downloads work).
pub(super) fn add_files(g: &mut Generation<'_>) {
    let (store, ds, base, seed, cfg) = (&mut *g.store, &mut g.ds, g.base, g.seed, g.cfg);
    for i in 0..cfg.files {
        let mut rng = SeededRng::derive(seed, "file", i as u64);
        let ft = rng.pick(FILE_TYPES);
        let size = rng.range(256, 4096) as usize;
        let mut content = vec![0u8; size];
        rng.fill(&mut content);
        let h = ft.header.len().min(size);
        content[..h].copy_from_slice(&ft.header[..h]);
        let (md5, sha1, sha256) = hashes(&content);
        let mal = detection_count(&mut rng, FILE_ENGINES.len());
        let last = DATASET_EPOCH - rng.range(0, 120) * 86_400;
        let first = last - rng.range(0, 700) * 86_400;
        let name = format!("{}_{}.{}", rng.pick(WORDS), i, ft.extension);
        let obj = file_object(
            base,
            &mut rng,
            &FileFacts {
                md5: &md5,
                sha1: &sha1,
                sha256: &sha256,
                size: size as u64,
                names: vec![name, format!("{sha256}.{}", ft.extension)],
                file_type: ft,
                first_seen: first,
                last_seen: last,
                malicious: mal,
            },
        );
        keep_file(store, ds, obj, Bytes::from(content), ft.tag);
    }
}

/// Keeps a generated file: its object, its bytes (so downloads work) and its summary in `ds`.
pub(super) fn keep_file(
    store: &mut Store,
    ds: &mut Dataset,
    obj: Value,
    content: Bytes,
    type_tag: &str,
) {
    let attr = |k: &str| {
        obj.pointer(&format!("/attributes/{k}"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let info = FileInfo {
        sha256: attr("sha256"),
        sha1: attr("sha1"),
        md5: attr("md5"),
        size: content.len() as u64,
        malicious: malicious_of(&obj),
        type_tag: type_tag.to_owned(),
        relationships: Vec::new(),
        downloadable: true,
    };
    store.insert(Kind::File, obj);
    store
        .contents
        .insert(info.sha256.clone(), Content::Memory(content));
    ds.files.push(info);
}
