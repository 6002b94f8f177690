//! Cursor pagination: `limit` (default 10, at most 40; 300 for intelligence search) and an
//! opaque `cursor` (standard base64 of `offset:<n>`, so it may contain `=`, `+` and `/`).

use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::request::Req;
use crate::http::reply::Reply;

/// Default page size.
pub(crate) const DEFAULT_LIMIT: usize = 10;
/// Largest page size of ordinary lists; bigger `limit` values are capped.
pub(crate) const MAX_LIMIT: usize = 40;

/// One page of a list.
pub(crate) struct Page {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) next: Option<String>,
}

pub(crate) fn encode_cursor(offset: usize) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("offset:{offset}"))
}

fn decode_cursor(c: &str) -> Option<usize> {
    // A client that forgot to percent-encode `+` sends it as a space: take it back.
    let raw = base64::engine::general_purpose::STANDARD
        .decode(c.trim().replace(' ', "+"))
        .ok()?;
    std::str::from_utf8(&raw)
        .ok()?
        .strip_prefix("offset:")?
        .parse()
        .ok()
}

/// The page the request asks for out of `total` items.
pub(crate) fn page(r: &Req, total: usize, max: usize) -> Result<Page, Reply> {
    let limit = match r.q("limit") {
        None | Some("") => DEFAULT_LIMIT,
        Some(l) => match l.parse::<usize>() {
            Ok(0) | Err(_) => {
                return Err(Reply::invalid_argument(format!(
                    "Invalid limit: {l:?} is not a positive integer"
                )));
            }
            Ok(n) => n.min(max),
        },
    };
    let start = match r.q("cursor") {
        None | Some("") => 0,
        Some(c) => decode_cursor(c)
            .ok_or_else(|| Reply::invalid_argument(format!("Invalid cursor: {c:?}")))?,
    };
    let start = start.min(total);
    let end = (start + limit).min(total);
    let next = (end < total).then(|| encode_cursor(end));
    Ok(Page { start, end, next })
}

/// The request's URL with `cursor` set to `cursor`.
pub(crate) fn url_with_cursor(r: &Req, cursor: &str) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &r.query {
        if k != "cursor" {
            ser.append_pair(k, v);
        }
    }
    ser.append_pair("cursor", cursor);
    format!("{}{}?{}", r.base, r.path, ser.finish())
}

/// The request's own URL.
pub(crate) fn self_url(r: &Req) -> String {
    format!("{}{}", r.base, r.path_and_query)
}

/// A collection reply: `data`, `meta` (`count`, `cursor` when there is more) and `links`.
pub(crate) fn collection(
    r: &Req,
    data: Vec<Value>,
    page: &Page,
    total: usize,
    extra_meta: Option<Map<String, Value>>,
) -> Reply {
    let mut meta = extra_meta.unwrap_or_default();
    meta.insert("count".into(), json!(total));
    let mut links = Map::new();
    links.insert("self".into(), json!(self_url(r)));
    if let Some(c) = &page.next {
        meta.insert("cursor".into(), json!(c));
        links.insert("next".into(), json!(url_with_cursor(r, c)));
    }
    Reply::json(&json!({"data": data, "meta": meta, "links": links}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        assert_eq!(decode_cursor(&encode_cursor(25)), Some(25));
        assert_eq!(decode_cursor("garbage"), None);
        for n in 0..2000 {
            let c = encode_cursor(n);
            assert_eq!(decode_cursor(&c.replace('+', " ")), Some(n));
        }
    }
}
