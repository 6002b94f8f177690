//! Which handler answers a request, what key it needs and whether it costs quota.

use http::Method;

use crate::records::Kind;

/// What a route requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// No key, no faults, no quota (`/_emulator`, signed downloads).
    Open,
    /// The v2 API authenticates itself.
    V2,
    /// Any known key; costs one lookup.
    Key,
    /// Any known key; free (quota introspection, posting to an upload URL).
    KeyFree,
    /// A premium key; costs one lookup.
    Premium,
}

/// A recognized route.
#[derive(Debug, Clone)]
pub(crate) enum Route {
    Stats,
    Reset,
    AdvanceClock,
    Shutdown,
    MonitorRescan,
    /// `POST /_emulator/ioc_stream`: raise an IoC stream notification (tests, demos).
    PushIocNotification,
    Download(String),
    Upload(String),
    V2FileReport,
    FileUploadUrl,
    FileUpload,
    Object(Kind, String),
    Analyse(Kind, String),
    FileDownloadUrl(String),
    FileDownload(String),
    Comments(Kind, String),
    Votes(Kind, String),
    Related(Kind, String, String),
    RelationshipDescriptors(Kind, String, String),
    UrlSubmit,
    Analysis(String),
    AnalysisItem(String),
    CommentList,
    Comment(String),
    CommentDelete(String),
    CommentVote(String),
    CommentRelated(String, String, bool),
    Search,
    IntelligenceSearch,
    ZipFileCreate,
    ZipFile(String),
    ZipFileDownloadUrl(String),
    ZipFileDownload(String),
    /// `GET` (list) or `POST` (create) `/intelligence/retrohunt_jobs`.
    RetrohuntJobs,
    /// `GET` or `DELETE /intelligence/retrohunt_jobs/{id}`.
    RetrohuntJob(String),
    /// `POST /intelligence/retrohunt_jobs/{id}/abort`.
    RetrohuntAbort(String),
    /// `GET /intelligence/retrohunt_jobs/{id}/matching_files`.
    RetrohuntMatchingFiles(String),
    Metadata,
    User(String),
    UserQuotas(String),
    UserApiUsage(String),
    FileBehaviour(String),
    FileBehaviourInfo(String, String),
    FileBehaviourArtifact(String, String),
    PrivateFileUpload,
    PrivateFileUploadUrl,
    PrivateFileList,
    PrivateFile(String),
    PrivateFileAnalyse(String),
    PrivateFileBehaviours(String),
    PrivateAnalysis(String),
    PrivateUrlSubmit,
    PrivateUrl(String),
    MonitorList,
    MonitorCreate,
    MonitorUploadUrl,
    MonitorStatistics,
    MonitorEvents,
    MonitorItem(String, MonitorSub),
    /// `GET /feeds/{type}/{YYYYMMDDhhmm}` (type as in the path, minute as given).
    FeedPackage(String, String),
    /// `GET /feeds/{type}/hourly/{YYYYMMDDhh}`.
    FeedHourly(String, String),
    /// `GET /feeds/files/{token}/download`.
    FeedFileDownload(String),
    /// `GET /feeds/file-behaviours/{token}/{artefact}`.
    FeedBehaviourArtifact(String, String),
    /// `GET /_feeds/{type}/{YYYYMMDDhhmm}`: the package bytes behind the redirect.
    FeedPackageBytes(String, String),
    /// `POST /collections`.
    CollectionCreate,
    /// `GET|PATCH|DELETE /collections/{id}`.
    Collection(String),
    /// `GET /collections/{id}/{rel}` (descriptors: `/relationships/{rel}`).
    CollectionRelated(String, String, bool),
    /// `POST|DELETE /collections/{id}/{rel}`: add or remove items.
    CollectionItems(String, String),
    /// `GET /users/{id}/collections`.
    UserCollections(String),
    /// `GET|DELETE /ioc_stream`.
    IocStream,
    /// `GET|DELETE /ioc_stream_notifications/{id}`.
    IocStreamNotification(String),
    /// `/intelligence/hunting_*` (Livehunt).
    Hunting(super::hunting::HuntingRoute),
    NotFound,
    MethodNotAllowed,
}

/// What is asked of one monitor item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MonitorSub {
    Get,
    Delete,
    Config,
    Download,
    DownloadUrl,
    Analyses,
    Owner,
    Comments,
}

fn decode(seg: &str) -> String {
    percent_encoding::percent_decode_str(seg)
        .decode_utf8_lossy()
        .into_owned()
}

fn kind_of(collection: &str) -> Option<Kind> {
    Some(match collection {
        "files" => Kind::File,
        "urls" => Kind::Url,
        "domains" => Kind::Domain,
        "ip_addresses" => Kind::IpAddress,
        _ => return None,
    })
}

impl Route {
    /// Classifies a request by method and (still encoded) path.
    pub(crate) fn classify(method: &Method, path: &str) -> Route {
        let get = method == Method::GET;
        let post = method == Method::POST;
        if let Some(rest) = path.strip_prefix("/_emulator/") {
            return match (rest, get, post) {
                ("stats", true, _) => Route::Stats,
                ("reset", _, true) => Route::Reset,
                ("clock", _, true) => Route::AdvanceClock,
                ("shutdown", _, true) => Route::Shutdown,
                ("monitor/rescan", _, true) => Route::MonitorRescan,
                ("ioc_stream", _, true) => Route::PushIocNotification,
                _ => Route::NotFound,
            };
        }
        if let Some(token) = path.strip_prefix("/_download/") {
            return if get {
                Route::Download(decode(token))
            } else {
                Route::MethodNotAllowed
            };
        }
        if let Some(rest) = path.strip_prefix("/_feeds/") {
            return match (rest.split_once('/'), get) {
                (Some((kind, minute)), true) => {
                    Route::FeedPackageBytes(decode(kind), decode(minute))
                }
                (Some(_), false) => Route::MethodNotAllowed,
                (None, _) => Route::NotFound,
            };
        }
        if let Some(token) = path.strip_prefix("/_upload/") {
            return if post {
                Route::Upload(decode(token.trim_end_matches('/')))
            } else {
                Route::MethodNotAllowed
            };
        }
        if path == "/vtapi/v2/file/report" {
            return if get || post {
                Route::V2FileReport
            } else {
                Route::MethodNotAllowed
            };
        }
        let Some(rest) = path.strip_prefix("/api/v3/") else {
            return Route::NotFound;
        };
        if let Some(m) = rest.strip_prefix("monitor/") {
            return Self::classify_monitor(method, m);
        }
        if let Some(p) = rest.strip_prefix("private/") {
            return Self::classify_private(method, p);
        }
        if let Some(h) = rest.strip_prefix("intelligence/hunting_") {
            return super::hunting::HuntingRoute::classify(h)
                .map_or(Route::NotFound, Route::Hunting);
        }
        let segs: Vec<String> = rest.split('/').map(decode).collect();
        let s: Vec<&str> = segs.iter().map(String::as_str).collect();
        let del = method == Method::DELETE;
        match s.as_slice() {
            ["files"] if post => Route::FileUpload,
            ["files", "upload_url"] if get => Route::FileUploadUrl,
            ["urls"] if post => Route::UrlSubmit,
            [coll, id] if get && kind_of(coll).is_some() => {
                Route::Object(kind_of(coll).unwrap_or(Kind::File), id.to_string())
            }
            ["resolutions", id] if get => Route::Object(Kind::Resolution, id.to_string()),
            [coll, id, "analyse"] if post && kind_of(coll).is_some() => {
                Route::Analyse(kind_of(coll).unwrap_or(Kind::File), id.to_string())
            }
            ["files", id, "download_url"] if get => Route::FileDownloadUrl(id.to_string()),
            ["files", id, "download"] if get => Route::FileDownload(id.to_string()),
            [
                "files",
                id,
                what @ ("behaviour_summary" | "behaviour_mitre_trees"),
            ] if get => Route::FileBehaviourInfo(id.to_string(), what.to_string()),
            [coll, id, "comments"] if (get || post) && kind_of(coll).is_some() => {
                Route::Comments(kind_of(coll).unwrap_or(Kind::File), id.to_string())
            }
            [coll, id, "votes"] if (get || post) && kind_of(coll).is_some() => {
                Route::Votes(kind_of(coll).unwrap_or(Kind::File), id.to_string())
            }
            [coll, id, "relationships", rel] if get && kind_of(coll).is_some() => {
                Route::RelationshipDescriptors(
                    kind_of(coll).unwrap_or(Kind::File),
                    id.to_string(),
                    rel.to_string(),
                )
            }
            [coll, id, rel] if get && kind_of(coll).is_some() => Route::Related(
                kind_of(coll).unwrap_or(Kind::File),
                id.to_string(),
                rel.to_string(),
            ),
            ["analyses", id] if get => Route::Analysis(id.to_string()),
            ["analyses", id, "item"] if get => Route::AnalysisItem(id.to_string()),
            ["comments"] if get => Route::CommentList,
            ["comments", id] if get => Route::Comment(id.to_string()),
            ["comments", id] if del => Route::CommentDelete(id.to_string()),
            ["comments", id, "vote"] if post => Route::CommentVote(id.to_string()),
            ["comments", id, "relationships", rel] if get => {
                Route::CommentRelated(id.to_string(), rel.to_string(), true)
            }
            ["comments", id, rel] if get => {
                Route::CommentRelated(id.to_string(), rel.to_string(), false)
            }
            ["search"] if get => Route::Search,
            ["intelligence", "search"] if get => Route::IntelligenceSearch,
            ["intelligence", "zip_files"] if post => Route::ZipFileCreate,
            ["intelligence", "zip_files", id] if get => Route::ZipFile(id.to_string()),
            ["intelligence", "zip_files", id, "download_url"] if get => {
                Route::ZipFileDownloadUrl(id.to_string())
            }
            ["intelligence", "zip_files", id, "download"] if get => {
                Route::ZipFileDownload(id.to_string())
            }
            ["intelligence", "retrohunt_jobs"] if get || post => Route::RetrohuntJobs,
            ["intelligence", "retrohunt_jobs", id] if get || del => {
                Route::RetrohuntJob(id.to_string())
            }
            ["intelligence", "retrohunt_jobs", id, "abort"] if post => {
                Route::RetrohuntAbort(id.to_string())
            }
            ["intelligence", "retrohunt_jobs", id, "matching_files"] if get => {
                Route::RetrohuntMatchingFiles(id.to_string())
            }
            ["intelligence", "retrohunt_jobs", ..] => Route::MethodNotAllowed,
            ["metadata"] if get => Route::Metadata,
            ["users", id] if get => Route::User(id.to_string()),
            ["users", id, "overall_quotas"] if get => Route::UserQuotas(id.to_string()),
            ["users", id, "api_usage"] if get => Route::UserApiUsage(id.to_string()),
            ["file_behaviours", id] if get => Route::FileBehaviour(id.to_string()),
            ["feeds", kind, "hourly", hour] if get => {
                Route::FeedHourly(kind.to_string(), hour.to_string())
            }
            ["feeds", "files", token, "download"] if get => {
                Route::FeedFileDownload(token.to_string())
            }
            ["feeds", "file-behaviours", token, what] if get => {
                Route::FeedBehaviourArtifact(token.to_string(), what.to_string())
            }
            ["feeds", kind, minute] if get => {
                Route::FeedPackage(kind.to_string(), minute.to_string())
            }
            ["file_behaviours", id, what] if get => {
                Route::FileBehaviourArtifact(id.to_string(), what.to_string())
            }
            ["collections"] if post => Route::CollectionCreate,
            ["collections", id] if get || del || method == Method::PATCH => {
                Route::Collection(id.to_string())
            }
            ["collections", id, "relationships", rel] if get => {
                Route::CollectionRelated(id.to_string(), rel.to_string(), true)
            }
            ["collections", id, rel] if get => {
                Route::CollectionRelated(id.to_string(), rel.to_string(), false)
            }
            ["collections", id, rel] if post || del => {
                Route::CollectionItems(id.to_string(), rel.to_string())
            }
            ["users", id, "collections"] if get => Route::UserCollections(id.to_string()),
            ["ioc_stream"] if get || del => Route::IocStream,
            ["ioc_stream_notifications", id] if get || del => {
                Route::IocStreamNotification(id.to_string())
            }
            [
                "collections" | "ioc_stream" | "ioc_stream_notifications",
                ..,
            ] => Route::MethodNotAllowed,
            _ => Route::NotFound,
        }
    }

    fn classify_private(method: &Method, rest: &str) -> Route {
        let get = method == Method::GET;
        let post = method == Method::POST;
        let segs: Vec<String> = rest.split('/').map(decode).collect();
        let s: Vec<&str> = segs.iter().map(String::as_str).collect();
        match s.as_slice() {
            ["files"] if post => Route::PrivateFileUpload,
            ["files"] if get => Route::PrivateFileList,
            ["files", "upload_url"] if get => Route::PrivateFileUploadUrl,
            ["files", id] if get => Route::PrivateFile(id.to_string()),
            ["files", id, "analyse"] if post => Route::PrivateFileAnalyse(id.to_string()),
            ["files", id, "behaviours"] if get => Route::PrivateFileBehaviours(id.to_string()),
            ["analyses", id] if get => Route::PrivateAnalysis(id.to_string()),
            ["urls"] if post => Route::PrivateUrlSubmit,
            ["urls", id] if get => Route::PrivateUrl(id.to_string()),
            ["files" | "urls" | "analyses", ..] => Route::MethodNotAllowed,
            _ => Route::NotFound,
        }
    }

    fn classify_monitor(method: &Method, rest: &str) -> Route {
        let get = method == Method::GET;
        match rest {
            "items" if get => return Route::MonitorList,
            "items" if method == Method::POST => return Route::MonitorCreate,
            "items/upload_url" if get => return Route::MonitorUploadUrl,
            "statistics" if get => return Route::MonitorStatistics,
            "events" if get => return Route::MonitorEvents,
            _ => {}
        }
        let Some(item) = rest.strip_prefix("items/") else {
            return Route::NotFound;
        };
        // The id is standard base64 and may arrive with raw `/`: match known suffixes first.
        let decoded = decode(item);
        let subs: &[(&str, MonitorSub, Method)] = &[
            ("/config", MonitorSub::Config, Method::PATCH),
            ("/download_url", MonitorSub::DownloadUrl, Method::GET),
            ("/download", MonitorSub::Download, Method::GET),
            ("/analyses", MonitorSub::Analyses, Method::GET),
            ("/owner", MonitorSub::Owner, Method::GET),
            ("/comments", MonitorSub::Comments, Method::GET),
        ];
        for (suffix, sub, m) in subs {
            if let Some(id) = decoded.strip_suffix(suffix)
                && looks_like_monitor_id(id)
            {
                return if method == m {
                    Route::MonitorItem(id.to_owned(), *sub)
                } else {
                    Route::MethodNotAllowed
                };
            }
        }
        match *method {
            Method::GET => Route::MonitorItem(decoded, MonitorSub::Get),
            Method::DELETE => Route::MonitorItem(decoded, MonitorSub::Delete),
            _ => Route::MethodNotAllowed,
        }
    }

    /// What the route requires.
    pub(crate) fn access(&self) -> Access {
        match self {
            Route::Stats
            | Route::Reset
            | Route::AdvanceClock
            | Route::MonitorRescan
            | Route::Shutdown
            | Route::PushIocNotification
            | Route::Download(_) => Access::Open,
            Route::NotFound | Route::MethodNotAllowed => Access::KeyFree,
            Route::V2FileReport => Access::V2,
            Route::Upload(_) | Route::User(_) | Route::UserQuotas(_) | Route::UserApiUsage(_) => {
                Access::KeyFree
            }
            Route::FileDownloadUrl(_)
            | Route::FileDownload(_)
            | Route::IntelligenceSearch
            | Route::ZipFileCreate
            | Route::ZipFile(_)
            | Route::ZipFileDownloadUrl(_)
            | Route::ZipFileDownload(_)
            | Route::RetrohuntJobs
            | Route::RetrohuntJob(_)
            | Route::RetrohuntAbort(_)
            | Route::RetrohuntMatchingFiles(_)
            | Route::MonitorList
            | Route::MonitorCreate
            | Route::MonitorUploadUrl
            | Route::MonitorStatistics
            | Route::MonitorEvents
            | Route::MonitorItem(..)
            | Route::FeedPackage(..)
            | Route::FeedHourly(..)
            | Route::FeedFileDownload(_)
            | Route::FeedBehaviourArtifact(..)
            | Route::PrivateFileUpload
            | Route::PrivateFileUploadUrl
            | Route::PrivateFileList
            | Route::PrivateFile(_)
            | Route::PrivateFileAnalyse(_)
            | Route::PrivateFileBehaviours(_)
            | Route::PrivateAnalysis(_)
            | Route::PrivateUrlSubmit
            | Route::PrivateUrl(_)
            | Route::IocStream
            | Route::IocStreamNotification(_)
            | Route::Hunting(_) => Access::Premium,
            Route::FeedPackageBytes(..) => Access::Open,
            Route::FileBehaviourArtifact(_, what) if what == "pcap" => Access::Premium,
            _ => Access::Key,
        }
    }

    /// The route's name in stats.
    pub(crate) fn template(&self, method: &Method) -> String {
        let t = match self {
            Route::Stats => "/_emulator/stats",
            Route::Reset => "/_emulator/reset",
            Route::AdvanceClock => "/_emulator/clock",
            Route::Shutdown => "/_emulator/shutdown",
            Route::MonitorRescan => "/_emulator/monitor/rescan",
            Route::PushIocNotification => "/_emulator/ioc_stream",
            Route::Download(_) => "/_download/{token}",
            Route::Upload(_) => "/_upload/{token}",
            Route::V2FileReport => "/vtapi/v2/file/report",
            Route::FileUploadUrl => "/api/v3/files/upload_url",
            Route::FileUpload => "/api/v3/files",
            Route::Object(k, _) => return format!("{method} /api/v3/{}/{{id}}", k.collection()),
            Route::Analyse(k, _) => {
                return format!("{method} /api/v3/{}/{{id}}/analyse", k.collection());
            }
            Route::FileDownloadUrl(_) => "/api/v3/files/{id}/download_url",
            Route::FileDownload(_) => "/api/v3/files/{id}/download",
            Route::Comments(k, _) => {
                return format!("{method} /api/v3/{}/{{id}}/comments", k.collection());
            }
            Route::Votes(k, _) => {
                return format!("{method} /api/v3/{}/{{id}}/votes", k.collection());
            }
            Route::Related(k, _, r) => {
                return format!("{method} /api/v3/{}/{{id}}/{r}", k.collection());
            }
            Route::RelationshipDescriptors(k, _, r) => {
                return format!(
                    "{method} /api/v3/{}/{{id}}/relationships/{r}",
                    k.collection()
                );
            }
            Route::UrlSubmit => "/api/v3/urls",
            Route::Analysis(_) => "/api/v3/analyses/{id}",
            Route::AnalysisItem(_) => "/api/v3/analyses/{id}/item",
            Route::CommentList => "/api/v3/comments",
            Route::Comment(_) | Route::CommentDelete(_) => "/api/v3/comments/{id}",
            Route::CommentVote(_) => "/api/v3/comments/{id}/vote",
            Route::CommentRelated(..) => "/api/v3/comments/{id}/{relationship}",
            Route::Search => "/api/v3/search",
            Route::IntelligenceSearch => "/api/v3/intelligence/search",
            Route::ZipFileCreate => "/api/v3/intelligence/zip_files",
            Route::ZipFile(_) => "/api/v3/intelligence/zip_files/{id}",
            Route::ZipFileDownloadUrl(_) => "/api/v3/intelligence/zip_files/{id}/download_url",
            Route::ZipFileDownload(_) => "/api/v3/intelligence/zip_files/{id}/download",
            Route::RetrohuntJobs => "/api/v3/intelligence/retrohunt_jobs",
            Route::RetrohuntJob(_) => "/api/v3/intelligence/retrohunt_jobs/{id}",
            Route::RetrohuntAbort(_) => "/api/v3/intelligence/retrohunt_jobs/{id}/abort",
            Route::RetrohuntMatchingFiles(_) => {
                "/api/v3/intelligence/retrohunt_jobs/{id}/matching_files"
            }
            Route::Metadata => "/api/v3/metadata",
            Route::User(_) => "/api/v3/users/{id}",
            Route::UserQuotas(_) => "/api/v3/users/{id}/overall_quotas",
            Route::UserApiUsage(_) => "/api/v3/users/{id}/api_usage",
            Route::FileBehaviour(_) => "/api/v3/file_behaviours/{id}",
            Route::FileBehaviourInfo(_, what) => {
                return format!("{method} /api/v3/files/{{id}}/{what}");
            }
            Route::FileBehaviourArtifact(..) => "/api/v3/file_behaviours/{id}/{artifact}",
            Route::PrivateFileUpload | Route::PrivateFileList => "/api/v3/private/files",
            Route::PrivateFileUploadUrl => "/api/v3/private/files/upload_url",
            Route::PrivateFile(_) => "/api/v3/private/files/{id}",
            Route::PrivateFileAnalyse(_) => "/api/v3/private/files/{id}/analyse",
            Route::PrivateFileBehaviours(_) => "/api/v3/private/files/{id}/behaviours",
            Route::PrivateAnalysis(_) => "/api/v3/private/analyses/{id}",
            Route::PrivateUrlSubmit => "/api/v3/private/urls",
            Route::PrivateUrl(_) => "/api/v3/private/urls/{id}",
            Route::MonitorList | Route::MonitorCreate => "/api/v3/monitor/items",
            Route::MonitorUploadUrl => "/api/v3/monitor/items/upload_url",
            Route::MonitorStatistics => "/api/v3/monitor/statistics",
            Route::MonitorEvents => "/api/v3/monitor/events",
            Route::MonitorItem(_, sub) => match sub {
                MonitorSub::Get | MonitorSub::Delete => "/api/v3/monitor/items/{id}",
                MonitorSub::Config => "/api/v3/monitor/items/{id}/config",
                MonitorSub::Download => "/api/v3/monitor/items/{id}/download",
                MonitorSub::DownloadUrl => "/api/v3/monitor/items/{id}/download_url",
                MonitorSub::Analyses => "/api/v3/monitor/items/{id}/analyses",
                MonitorSub::Owner => "/api/v3/monitor/items/{id}/owner",
                MonitorSub::Comments => "/api/v3/monitor/items/{id}/comments",
            },
            Route::FeedPackage(kind, _) => {
                return format!("{method} /api/v3/feeds/{kind}/{{minute}}");
            }
            Route::FeedHourly(kind, _) => {
                return format!("{method} /api/v3/feeds/{kind}/hourly/{{hour}}");
            }
            Route::FeedFileDownload(_) => "/api/v3/feeds/files/{token}/download",
            Route::FeedBehaviourArtifact(..) => "/api/v3/feeds/file-behaviours/{token}/{artifact}",
            Route::FeedPackageBytes(..) => "/_feeds/{type}/{minute}",
            Route::CollectionCreate => "/api/v3/collections",
            Route::Collection(_) => "/api/v3/collections/{id}",
            Route::CollectionRelated(_, rel, true) => {
                return format!("{method} /api/v3/collections/{{id}}/relationships/{rel}");
            }
            Route::CollectionRelated(_, rel, false) | Route::CollectionItems(_, rel) => {
                return format!("{method} /api/v3/collections/{{id}}/{rel}");
            }
            Route::UserCollections(_) => "/api/v3/users/{id}/collections",
            Route::IocStream => "/api/v3/ioc_stream",
            Route::IocStreamNotification(_) => "/api/v3/ioc_stream_notifications/{id}",
            Route::Hunting(h) => h.template(),
            Route::NotFound | Route::MethodNotAllowed => "(unknown)",
        };
        format!("{method} {t}")
    }
}

fn looks_like_monitor_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_routes() {
        let g = Method::GET;
        assert!(
            matches!(Route::classify(&g, "/api/v3/files/abc"), Route::Object(Kind::File, id) if id == "abc")
        );
        assert!(matches!(
            Route::classify(&Method::POST, "/api/v3/files/"),
            Route::NotFound
        ));
        assert!(matches!(
            Route::classify(&g, "/api/v3/files/upload_url"),
            Route::FileUploadUrl
        ));
        assert!(
            matches!(Route::classify(&g, "/api/v3/domains/a.com/relationships/subdomains"), Route::RelationshipDescriptors(Kind::Domain, _, r) if r == "subdomains")
        );
        assert!(
            matches!(Route::classify(&g, "/api/v3/monitor/items/ab/c=/analyses"), Route::MonitorItem(id, MonitorSub::Analyses) if id == "ab/c=")
        );
        assert!(
            matches!(Route::classify(&g, "/api/v3/monitor/items/ab%2Fc%3D"), Route::MonitorItem(id, MonitorSub::Get) if id == "ab/c=")
        );
        assert_eq!(
            Route::classify(&g, "/api/v3/files/x/download").access(),
            Access::Premium
        );
        let d = Method::DELETE;
        assert!(matches!(
            Route::classify(&Method::POST, "/api/v3/collections"),
            Route::CollectionCreate
        ));
        assert!(
            matches!(Route::classify(&Method::PATCH, "/api/v3/collections/c1"), Route::Collection(id) if id == "c1")
        );
        assert!(
            matches!(Route::classify(&d, "/api/v3/collections/c1/domains"), Route::CollectionItems(id, r) if id == "c1" && r == "domains")
        );
        assert!(matches!(
            Route::classify(&g, "/api/v3/collections/c1/relationships/files"),
            Route::CollectionRelated(_, _, true)
        ));
        assert!(matches!(
            Route::classify(&Method::PUT, "/api/v3/collections/c1"),
            Route::MethodNotAllowed
        ));
        assert_eq!(
            Route::classify(&d, "/api/v3/ioc_stream").access(),
            Access::Premium
        );
        assert_eq!(
            Route::classify(&g, "/api/v3/users/u/collections").access(),
            Access::Key
        );
    }
}
