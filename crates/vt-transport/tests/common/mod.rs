//! Shared helpers: the in-process fake HTTP service of vt-test-support, and requests.
#![allow(dead_code)]

use http::{Request, Response};
use http_body_util::BodyExt;
#[allow(unused_imports)] // each test binary uses a part
pub use vt_test_support::{Fake, Seen, api_error, respond};
use vt_transport::VtBody;

pub fn get(url: &str) -> Request<VtBody> {
    Request::get(url).body(VtBody::empty()).unwrap()
}

pub async fn body_text(resp: Response<vt_transport::ResponseBody>) -> String {
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}
