//! Generated files: random bytes behind a real file-type header, with full reports.

use bytes::Bytes;

use super::detections::{detection_count, malicious_of};
use super::summary::{Dataset, FileInfo};
use super::well_known::DATASET_EPOCH;
use crate::config::DatasetConfig;
use crate::digest::hashes;
use crate::engines::FILE_ENGINES;
use crate::reports::file::{FileFacts, file_object};
use crate::reports::file_types::FILE_TYPES;
use crate::reports::vocabulary::WORDS;
use crate::rng::SeededRng;
use crate::store::{Content, Kind, Store};

/// Adds `cfg.files` files (their bytes are kept, so downloads work).
pub(super) fn add_files(
    store: &mut Store,
    ds: &mut Dataset,
    base: &str,
    seed: u64,
    cfg: &DatasetConfig,
) {
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
        let malicious = malicious_of(&obj);
        store.insert(Kind::File, obj);
        store
            .contents
            .insert(sha256.clone(), Content::Memory(Bytes::from(content)));
        ds.files.push(FileInfo {
            sha256,
            sha1,
            md5,
            size: size as u64,
            malicious,
            type_tag: ft.tag.to_owned(),
            relationships: Vec::new(),
            downloadable: true,
        });
    }
}
