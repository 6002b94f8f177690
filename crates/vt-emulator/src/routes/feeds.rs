//! Feeds: `/feeds/{type}/{YYYYMMDDhhmm}` (a 302 to the bzip2 package, as VirusTotal's),
//! `/feeds/{type}/hourly/{YYYYMMDDhh}`, and the links inside the items (file downloads,
//! sandbox artefacts). What a package holds: [`crate::feeds`].

use vt_model::{ErrorCode, FeedKind, FeedMinute};

use super::downloads::signed_url;
use super::request::Req;
use crate::faults::FaultKind;
use crate::feeds::{
    compress, is_expired, is_published, package_bytes as damaged, package_text, tar,
};
use crate::http::body::full;
use crate::http::reply::Reply;
use crate::state::Shared;

/// The feed types by the API's path names only (not `vt`'s short names).
fn kind_of(text: &str) -> Option<FeedKind> {
    Some(match text {
        "files" => FeedKind::Files,
        "urls" => FeedKind::Urls,
        "domains" => FeedKind::Domains,
        "ip_addresses" => FeedKind::IpAddresses,
        "file-behaviours" | "file_behaviours" => FeedKind::FileBehaviours,
        _ => return None,
    })
}

/// The checks every package request passes: type, time, publication, history.
fn check(shared: &Shared, kind: &str, minute: &str) -> Result<(FeedKind, FeedMinute), Reply> {
    let Some(kind) = kind_of(kind) else {
        return Err(Reply::not_found("Feed", kind));
    };
    let Ok(at) = minute.parse::<FeedMinute>() else {
        return Err(Reply::bad_request(format!(
            "Invalid package time {minute:?}: expected YYYYMMDDhhmm"
        )));
    };
    let now = shared.now();
    if !is_published(at, now, shared.config.feeds.lag_minutes) {
        return Err(Reply::error(
            ErrorCode::NotAvailableYet,
            format!("Package {at} is not available yet"),
        ));
    }
    if is_expired(at, now) {
        return Err(Reply::not_found("Feed package", &at.to_string()));
    }
    Ok((kind, at))
}

fn fault_path(kind: FeedKind, minute: FeedMinute) -> String {
    format!("/api/v3/feeds/{}/{minute}", kind.path_name())
}

/// `GET /feeds/{type}/{YYYYMMDDhhmm}`: a 302 to the package.
pub(crate) fn package(shared: &Shared, r: &Req, kind: &str, minute: &str) -> Reply {
    let (kind, at) = match check(shared, kind, minute) {
        Ok(k) => k,
        Err(reply) => return reply,
    };
    if shared.faults.feed_damage(&fault_path(kind, at)) == Some(FaultKind::FeedMissing) {
        return Reply::not_found("Feed package", &at.to_string());
    }
    Reply::Redirect(format!("{}/_feeds/{}/{at}", r.base, kind.path_name()))
}

/// `GET /_feeds/{type}/{YYYYMMDDhhmm}`: the bzip2 JSON lines.
pub(crate) fn package_bytes(shared: &Shared, r: &Req, kind: &str, minute: &str) -> Reply {
    let (kind, at) = match check(shared, kind, minute) {
        Ok(k) => k,
        Err(reply) => return reply,
    };
    let fault = shared.faults.feed_damage(&fault_path(kind, at));
    if fault == Some(FaultKind::FeedMissing) {
        return Reply::not_found("Feed package", &at.to_string());
    }
    let text = {
        let store = shared.read();
        package_text(
            &store.feed_source(),
            shared.config.seed,
            &shared.config.feeds,
            &r.base,
            kind,
            at,
        )
    };
    bz2_reply(damaged(&text, fault))
}

fn bz2_reply(bytes: Vec<u8>) -> Reply {
    let len = bytes.len() as u64;
    Reply::Raw {
        body: full(bytes.into()),
        content_type: "application/x-bzip2",
        len: Some(len),
        filename: None,
    }
}

/// `GET /feeds/{type}/hourly/{YYYYMMDDhh}`: a `.tar.bz2` of the hour's sixty packages
/// (each the bzip2 file of its minute, named `YYYYMMDDhhmm.bz2`).
pub(crate) fn hourly(shared: &Shared, r: &Req, kind: &str, hour: &str) -> Reply {
    let Some(feed) = kind_of(kind).filter(|k| k.has_hourly()) else {
        return Reply::not_found("Hourly feed", kind);
    };
    let Ok(start) = format!("{hour}00").parse::<FeedMinute>() else {
        return Reply::bad_request(format!(
            "Invalid package hour {hour:?}: expected YYYYMMDDhh"
        ));
    };
    if hour.len() != 10 {
        return Reply::bad_request(format!(
            "Invalid package hour {hour:?}: expected YYYYMMDDhh"
        ));
    }
    // Published one lag after the hour ends, i.e. after the minute that follows it starts.
    let end = start.offset(60).unwrap_or(start);
    let now = shared.now();
    if !is_published(end, now, shared.config.feeds.lag_minutes) {
        return Reply::error(
            ErrorCode::NotAvailableYet,
            format!("Hourly package {hour} is not available yet"),
        );
    }
    if is_expired(start, now) {
        return Reply::not_found("Feed package", hour);
    }
    let files: Vec<(String, Vec<u8>)> = {
        let store = shared.read();
        (0..60)
            .filter_map(|m| start.offset(m))
            .map(|minute| {
                let text = package_text(
                    &store.feed_source(),
                    shared.config.seed,
                    &shared.config.feeds,
                    &r.base,
                    feed,
                    minute,
                );
                (format!("{minute}.bz2"), compress(text.as_bytes()))
            })
            .collect()
    };
    bz2_reply(compress(&tar(&files, start.unix_secs() + 3600)))
}

/// `GET /feeds/files/{token}/download`: a 302 to the file's signed download URL.
pub(crate) fn file_download(shared: &Shared, r: &Req, token: &str) -> Reply {
    let sha = token.to_ascii_lowercase();
    let known = shared.read().contents.contains_key(&sha);
    if !known {
        return Reply::not_found("Feed download", token);
    }
    Reply::Redirect(signed_url(shared, &r.base, &sha))
}
