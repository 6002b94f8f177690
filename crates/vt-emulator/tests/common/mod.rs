//! A plain HTTP client for the emulator's tests (hyper-util's legacy client over http), and
//! a small emulator to point it at.
#![allow(dead_code)]

use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use vt_emulator::{Emulator, EmulatorHandle};

pub type Body = BoxBody<Bytes, std::io::Error>;

/// An emulator with the small dataset of `seed`.
pub async fn small_emulator(seed: u64) -> EmulatorHandle {
    Emulator::builder()
        .seed(seed)
        .small_dataset()
        .start()
        .await
        .unwrap()
}

pub fn full(b: impl Into<Bytes>) -> Body {
    Full::new(b.into()).map_err(|never| match never {}).boxed()
}

pub struct Http {
    client: Client<HttpConnector, Body>,
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

impl Http {
    pub fn new() -> Self {
        Http {
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    pub async fn send(
        &self,
        method: Method,
        url: &str,
        key: Option<&str>,
        headers: &[(&str, &str)],
        body: Body,
    ) -> Resp {
        self.try_send(method, url, key, headers, body)
            .await
            .unwrap_or_else(|e| panic!("{url}: {e:?}"))
    }

    pub async fn try_send(
        &self,
        method: Method,
        url: &str,
        key: Option<&str>,
        headers: &[(&str, &str)],
        body: Body,
    ) -> Result<Resp, Box<dyn std::error::Error + Send + Sync>> {
        let mut b = Request::builder().method(method).uri(url);
        if let Some(k) = key {
            b = b.header("x-apikey", k);
        }
        for (n, v) in headers {
            b = b.header(*n, *v);
        }
        let resp = self.client.request(b.body(body)?).await?;
        let (parts, body) = resp.into_parts();
        let body = body.collect().await?.to_bytes();
        Ok(Resp {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }

    pub async fn get(&self, url: &str, key: Option<&str>) -> Resp {
        self.send(Method::GET, url, key, &[], full(Bytes::new()))
            .await
    }

    pub async fn post_json(&self, url: &str, key: Option<&str>, body: &Value) -> Resp {
        let bytes = serde_json::to_vec(body).unwrap();
        self.send(
            Method::POST,
            url,
            key,
            &[("content-type", "application/json")],
            full(bytes),
        )
        .await
    }

    pub async fn post_form(&self, url: &str, key: Option<&str>, form: &[(&str, &str)]) -> Resp {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        self.send(
            Method::POST,
            url,
            key,
            &[("content-type", "application/x-www-form-urlencoded")],
            full(body),
        )
        .await
    }

    /// A multipart body with one file part and text fields.
    pub async fn post_multipart(
        &self,
        url: &str,
        key: Option<&str>,
        file: Option<(&str, &[u8])>,
        fields: &[(&str, &str)],
    ) -> Resp {
        let boundary = "----vtemulatortestboundary";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        if let Some((name, bytes)) = file {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let ct = format!("multipart/form-data; boundary={boundary}");
        self.send(Method::POST, url, key, &[("content-type", &ct)], full(body))
            .await
    }
}
