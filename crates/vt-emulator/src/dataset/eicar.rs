//! EICAR, the antivirus test file: always known, whatever the seed.

use bytes::Bytes;
use serde_json::{Value, json};

use super::files::keep_file;
use super::generation::Generation;
use super::well_known::{DATASET_EPOCH, EICAR_BYTES, EICAR_SHA256};
use crate::digest::hashes;
use crate::reports::file::{FileFacts, file_object};
use crate::reports::file_types::TEXT_TYPE;
use crate::rng::SeededRng;

/// Adds EICAR (62 detections, its well-known labels and names) as the first file.
pub(super) fn add_eicar(g: &mut Generation<'_>) {
    let (store, ds, base, seed) = (&mut *g.store, &mut g.ds, g.base, g.seed);
    let (md5, sha1, sha256) = hashes(EICAR_BYTES);
    debug_assert_eq!(sha256, EICAR_SHA256);
    let mut rng = SeededRng::derive(seed, "eicar", 0);
    let mut eicar = file_object(
        base,
        &mut rng,
        &FileFacts {
            md5: &md5,
            sha1: &sha1,
            sha256: &sha256,
            size: EICAR_BYTES.len() as u64,
            names: vec![
                "eicar.com".into(),
                "eicar.com.txt".into(),
                "eicar_test_file".into(),
            ],
            file_type: &TEXT_TYPE,
            first_seen: 1_148_301_722,
            last_seen: DATASET_EPOCH,
            malicious: 62,
        },
    );
    // EICAR's labels are well known; make the malicious ones say so.
    if let Some(Value::Object(results)) = eicar.pointer_mut("/attributes/last_analysis_results") {
        for r in results.values_mut() {
            if r["category"] == "malicious" {
                r["result"] = json!("EICAR-Test-File (not a virus)");
            }
        }
    }
    eicar["attributes"]["tags"] = json!(["text", "attachment"]);
    eicar["attributes"]["type_tags"] = json!(["text"]);
    eicar["attributes"]["magic"] = json!("ASCII text, with no line terminators");
    eicar["attributes"]["trid"] =
        json!([{"file_type": "EICAR antivirus test file", "probability": 100.0}]);
    eicar["attributes"]["popular_threat_classification"] = json!({
        "suggested_threat_label": "virus.eicar/test",
        "popular_threat_category": [{"count": 12, "value": "virus"}],
        "popular_threat_name": [{"count": 54, "value": "eicar"}],
    });
    keep_file(
        store,
        ds,
        eicar,
        Bytes::from_static(EICAR_BYTES),
        TEXT_TYPE.tag,
    );
}
