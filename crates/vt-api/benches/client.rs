//! Client-side costs, no network: a typed report lookup through an in-process service
//! (request building, execute path, JSON decoding of a real 33 KB report), paginating, and
//! hashing a file with the three digests in parallel against one digest alone.
//!
//! `cargo bench -p vt-api --bench client`

use std::io::Write;

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures_util::TryStreamExt;
use http::{Request, Response};
use http_body_util::Full;
use sha2::Digest;
use vt_api::Client;
use vt_api::transport::{BoxError, VtBody};

fn fixture(name: &str) -> Bytes {
    let dir = std::env::var_os("VT_FIXTURES_DIR").map_or_else(
        || std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/vt-json"),
        std::path::PathBuf::from,
    );
    Bytes::from(std::fs::read(dir.join(name)).expect("fixture"))
}

fn client_answering(body: Bytes) -> Client {
    let service = tower::service_fn(move |_req: Request<VtBody>| {
        let body = body.clone();
        async move { Ok::<_, BoxError>(Response::new(Full::new(body))) }
    });
    Client::with_service(service, "https://www.virustotal.com").expect("client")
}

fn lookups(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let report = fixture("file/pw_file_find.json");
    let client = client_answering(report.clone());
    let hash: vt_model::FileHash = "44d88612fea8a8f36de82e1278abb02f".parse().expect("hash");
    let mut group = c.benchmark_group("lookup");
    group.throughput(Throughput::Bytes(report.len() as u64));
    group.bench_function("files().report (typed, 33 KB fixture)", |b| {
        b.iter(|| rt.block_on(client.files().report(&hash)).expect("report"))
    });
    group.bench_function("reference: serde_json::from_slice::<Value> alone", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(&report).expect("json"))
    });
    group.bench_function("get_json::<Value> (same document)", |b| {
        b.iter(|| {
            rt.block_on(
                client.get_json::<serde_json::Value>("/files/44d88612fea8a8f36de82e1278abb02f"),
            )
            .expect("json")
        })
    });
    group.finish();

    let page = fixture("vote/vtx_file_votes_list.json");
    let client = client_answering(page);
    c.bench_function("paginate 3 pages of votes", |b| {
        b.iter(|| {
            rt.block_on(
                client
                    .files()
                    .votes(&hash)
                    .limit(30)
                    .try_collect::<Vec<_>>(),
            )
            .expect("votes")
        })
    });
}

fn hashing(c: &mut Criterion) {
    let len = 64 << 20;
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    let mut block = vec![0u8; 1 << 20];
    for (i, b) in block.iter_mut().enumerate() {
        *b = (i * 31 % 251) as u8;
    }
    for _ in 0..(len >> 20) {
        file.write_all(&block).expect("write");
    }
    file.flush().expect("flush");
    let path = file.path().to_owned();
    let mut group = c.benchmark_group("hash 64 MiB");
    group.throughput(Throughput::Bytes(len as u64));
    group.sample_size(10);
    group.bench_function("md5+sha1+sha256 in parallel (hash_file)", |b| {
        b.iter(|| vt_api::hashing::hash_file(&path).expect("hash"))
    });
    group.bench_function("sha256 alone (reference)", |b| {
        b.iter(|| {
            let mut h = sha2::Sha256::new();
            let mut f = std::fs::File::open(&path).expect("open");
            std::io::copy(&mut f, &mut h).expect("read");
            h.finalize()
        })
    });
    group.finish();
}

criterion_group!(benches, lookups, hashing);
criterion_main!(benches);
