//! Per-request overhead of the whole layer stack over an in-process service answering 200
//! (no network, rate limit `none`). The goal (issue 3) is under 5 µs per request.

use std::convert::Infallible;
use std::hint::black_box;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use tower::{Service, ServiceExt};
use vt_transport::{RateLimitSpec, TransportBuilder, VtBody};

const URL: &str = "https://www.virustotal.com/api/v3/files/275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";

fn ok_service() -> impl Service<
    Request<VtBody>,
    Response = Response<Full<Bytes>>,
    Error = Infallible,
    Future = impl Send,
> + Clone
+ Send
+ Sync
+ 'static {
    tower::service_fn(|_req: Request<VtBody>| async {
        Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(
            br#"{"data": {"id": "x", "type": "file"}}"#,
        ))))
    })
}

fn stack_overhead(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let transport = rt.block_on(async {
        TransportBuilder::new()
            .api_key("bench-key")
            .rate_limit(RateLimitSpec::none())
            .build_with(ok_service())
            .unwrap()
    });
    let mut group = c.benchmark_group("stack_overhead");
    group.bench_function("bare_service_fn", |b| {
        let svc = ok_service();
        b.to_async(&rt).iter(|| {
            let svc = svc.clone();
            async move {
                let req = Request::get(URL).body(VtBody::empty()).unwrap();
                let resp = svc.oneshot(req).await.unwrap();
                black_box(resp.into_body().collect().await.unwrap().to_bytes())
            }
        })
    });
    group.bench_function("full_stack", |b| {
        b.to_async(&rt).iter(|| {
            let t = transport.clone();
            async move {
                let req = Request::get(URL).body(VtBody::empty()).unwrap();
                let resp = t.oneshot(req).await.unwrap();
                black_box(resp.into_body().collect().await.unwrap().to_bytes())
            }
        })
    });
    group.bench_function("full_stack_post_bytes", |b| {
        b.to_async(&rt).iter(|| {
            let t = transport.clone();
            async move {
                let req = Request::post(URL)
                    .body(VtBody::from_bytes(r#"{"data": {"type": "vote"}}"#))
                    .unwrap();
                let resp = t.oneshot(req).await.unwrap();
                black_box(resp.into_body().collect().await.unwrap().to_bytes())
            }
        })
    });
    group.finish();
}

criterion_group!(benches, stack_overhead);
criterion_main!(benches);
