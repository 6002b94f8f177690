//! Row 3 of `cargo xtask bench`: the largest file reports of the real-response corpus decoded
//! into the typed model (`vt_model::decode`, what `vt-api` does) and into
//! `serde_json::Value`, as MB/s over the same bytes.
//!
//! `cargo bench -p vt-model --bench largest_reports`; the corpus comes from `VT_FIXTURES_DIR`
//! (default `../../fixtures/vt-json` from this crate). `LARGEST_REPORTS=N` takes the
//! N largest (default 4).

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::Value;
use vt_model::{DataEnvelope, FileReport};

/// The largest `file/*.json` documents of the corpus that are a single file report.
fn largest_reports(n: usize) -> Vec<(String, Vec<u8>)> {
    let dir = std::env::var_os("VT_FIXTURES_DIR")
        .map_or_else(
            || {
                PathBuf::from(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../../fixtures/vt-json"
                ))
            },
            PathBuf::from,
        )
        .join("file");
    let mut docs: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            vt_model::decode::<DataEnvelope<FileReport>>(&bytes).ok()?;
            Some((p.file_name()?.to_string_lossy().into_owned(), bytes))
        })
        .collect();
    docs.sort_by_key(|(_, b)| std::cmp::Reverse(b.len()));
    docs.truncate(n);
    docs
}

fn bench_largest(c: &mut Criterion) {
    let n = std::env::var("LARGEST_REPORTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let reports = largest_reports(n);
    assert!(
        !reports.is_empty(),
        "no decodable file report in the corpus"
    );
    let bytes: usize = reports.iter().map(|(_, b)| b.len()).sum();
    let names: Vec<String> = reports
        .iter()
        .map(|(name, b)| format!("{name} ({} B)", b.len()))
        .collect();
    println!("largest_reports: {bytes} bytes in {}", names.join(", "));
    let mut group = c.benchmark_group("largest_reports");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("serde_json_Value", |b| {
        b.iter(|| {
            for (_, report) in &reports {
                black_box(serde_json::from_slice::<Value>(report).unwrap());
            }
        })
    });
    group.bench_function("vt_model_decode", |b| {
        b.iter(|| {
            for (_, report) in &reports {
                black_box(vt_model::decode::<DataEnvelope<FileReport>>(report).unwrap());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench_largest);
criterion_main!(benches);
