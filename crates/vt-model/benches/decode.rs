//! Decoding the largest real reports of the corpus: typed (`vt_model::decode`, lenient
//! `serde_json::from_slice`, `Document`) against untyped `serde_json::Value`, and encoding.
//!
//! `cargo bench -p vt-model --bench decode`; the corpus comes from `VT_FIXTURES_DIR` (default
//! `../../fixtures/vt-json` from this crate).

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::Value;
use vt_model::{Collection, DataEnvelope, Document, FileReport, UrlReport};

fn corpus_file(name: &str) -> Vec<u8> {
    let dir = std::env::var_os("VT_FIXTURES_DIR").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../fixtures/vt-json"
            ))
        },
        PathBuf::from,
    );
    let path = dir.join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn bench_file_reports(c: &mut Criterion) {
    let reports: Vec<Vec<u8>> = [
        "file/azul_android_apk.json",
        "file/azul_Win32DLL_multipurpose.json",
        "file/azul_dotnet_binary.json",
    ]
    .iter()
    .map(|name| corpus_file(name))
    .collect();
    let bytes: usize = reports.iter().map(Vec::len).sum();
    let mut group = c.benchmark_group("file_reports");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("serde_json::Value", |b| {
        b.iter(|| {
            for report in &reports {
                black_box(serde_json::from_slice::<Value>(report).unwrap());
            }
        })
    });
    group.bench_function("vt_model::decode", |b| {
        b.iter(|| {
            for report in &reports {
                black_box(vt_model::decode::<DataEnvelope<FileReport>>(report).unwrap());
            }
        })
    });
    group.bench_function("lenient from_slice", |b| {
        b.iter(|| {
            for report in &reports {
                black_box(serde_json::from_slice::<DataEnvelope<FileReport>>(report).unwrap());
            }
        })
    });
    group.bench_function("Document::from_slice", |b| {
        b.iter(|| {
            for report in &reports {
                black_box(Document::from_slice(report).unwrap());
            }
        })
    });
    let typed: Vec<DataEnvelope<FileReport>> = reports
        .iter()
        .map(|r| vt_model::decode(r).unwrap())
        .collect();
    group.bench_function("encode", |b| {
        b.iter(|| {
            for report in &typed {
                black_box(serde_json::to_vec(report).unwrap());
            }
        })
    });
    group.finish();
}

fn bench_collection(c: &mut Criterion) {
    let page = corpus_file("collection/vtx_intel_search_urls_p2.json");
    let mut group = c.benchmark_group("url_collection");
    group.throughput(Throughput::Bytes(page.len() as u64));
    group.bench_function("serde_json::Value", |b| {
        b.iter(|| black_box(serde_json::from_slice::<Value>(&page).unwrap()))
    });
    group.bench_function("vt_model::decode", |b| {
        b.iter(|| black_box(vt_model::decode::<Collection<UrlReport>>(&page).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, bench_file_reports, bench_collection);
criterion_main!(benches);
