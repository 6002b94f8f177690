//! Routing: [`route::Route`] classifies a request, [`dispatch`] runs its handler.
//!
//! Handlers depend on [`crate::state`] and on the request types of [`request`], never on the
//! server or on this module.

pub(crate) mod analyses;
pub(crate) mod behaviours;
pub(crate) mod collections;
pub(crate) mod comments;
pub(crate) mod downloads;
pub(crate) mod feeds;
pub(crate) mod files;
pub(crate) mod hunting;
pub(crate) mod intelligence;
pub(crate) mod internal;
pub(crate) mod ioc_stream;
pub(crate) mod misc;
pub(crate) mod monitor;
pub(crate) mod objects;
pub(crate) mod paging;
pub(crate) mod private;
pub(crate) mod receive;
pub(crate) mod request;
pub(crate) mod retrohunt;
pub(crate) mod route;
pub(crate) mod v2;
pub(crate) mod zip_files;

use std::sync::Arc;

use http::Method;

pub(crate) use request::{Caller, Req};
pub(crate) use route::{Access, Route};

use crate::http::reply::Reply;
use crate::records::UploadKind;
use crate::state::Shared;

/// Runs the handler of `route`.
pub(crate) async fn dispatch(shared: &Arc<Shared>, route: Route, r: &mut Req) -> Reply {
    let get = r.method == Method::GET;
    match route {
        Route::Stats => internal::stats(shared),
        Route::Reset => internal::reset(shared),
        Route::AdvanceClock => internal::advance_clock(shared, r),
        Route::Shutdown => internal::shutdown(shared),
        Route::MonitorRescan => internal::monitor_rescan(shared, r),
        Route::PushIocNotification => ioc_stream::push(shared, r).await,
        Route::Download(t) => downloads::download_token(shared, &t).await,
        Route::Upload(t) => files::upload_to_url(shared, &t, r).await,
        Route::V2FileReport => v2::file_report(shared, r).await,
        Route::FileUploadUrl => files::upload_url(shared, r, UploadKind::Files),
        Route::FileUpload => files::upload_direct(shared, r).await,
        Route::Object(kind, id) => objects::get(shared, r, kind, &id),
        Route::Analyse(kind, id) => analyses::analyse(shared, r, kind, &id),
        Route::FileDownloadUrl(id) => downloads::download_url(shared, r, &id),
        Route::FileDownload(id) => downloads::download(shared, r, &id),
        Route::Comments(kind, id) if get => comments::list_for(shared, r, kind, &id),
        Route::Comments(kind, id) => comments::post(shared, r, kind, &id).await,
        Route::Votes(kind, id) if get => comments::list_votes(shared, r, kind, &id),
        Route::Votes(kind, id) => comments::vote(shared, r, kind, &id).await,
        Route::Related(kind, id, rel) => objects::related(shared, r, kind, &id, &rel, false),
        Route::RelationshipDescriptors(kind, id, rel) => {
            objects::related(shared, r, kind, &id, &rel, true)
        }
        Route::UrlSubmit => analyses::submit_url(shared, r).await,
        Route::Analysis(id) => analyses::get(shared, r, &id),
        Route::AnalysisItem(id) => analyses::item(shared, r, &id),
        Route::CommentList => comments::list_all(shared, r),
        Route::Comment(id) => comments::get(shared, r, &id),
        Route::CommentDelete(id) => comments::delete(shared, r, &id),
        Route::CommentVote(id) => comments::vote_comment(shared, r, &id).await,
        Route::CommentRelated(id, rel, descriptors) => {
            comments::related(shared, r, &id, &rel, descriptors)
        }
        Route::Search => misc::search(shared, r),
        Route::IntelligenceSearch => intelligence::search(shared, r),
        Route::ZipFileCreate => zip_files::create(shared, r).await,
        Route::ZipFile(id) => zip_files::get(shared, &id),
        Route::ZipFileDownloadUrl(id) => zip_files::download_url(shared, r, &id),
        Route::ZipFileDownload(id) => zip_files::download(shared, r, &id),
        Route::RetrohuntJobs if get => retrohunt::list(shared, r),
        Route::RetrohuntJobs => retrohunt::create(shared, r).await,
        Route::RetrohuntJob(id) if get => retrohunt::get(shared, r, &id),
        Route::RetrohuntJob(id) => retrohunt::delete(shared, r, &id),
        Route::RetrohuntAbort(id) => retrohunt::abort(shared, r, &id),
        Route::RetrohuntMatchingFiles(id) => retrohunt::matching_files(shared, r, &id),
        Route::Metadata => misc::metadata(),
        Route::User(id) => misc::user(shared, r, &id),
        Route::UserQuotas(id) => misc::overall_quotas(shared, r, &id),
        Route::UserApiUsage(id) => misc::api_usage(shared, r, &id),
        Route::FileBehaviourInfo(id, what) if what == "behaviour_summary" => {
            behaviours::summary_of(shared, &id)
        }
        Route::FileBehaviourInfo(id, _) => behaviours::mitre_trees_of(shared, &id),
        Route::FileBehaviour(id) => behaviours::get(shared, &id),
        Route::FileBehaviourArtifact(id, what) => behaviours::artifact(shared, &id, &what),
        Route::PrivateFileUpload => private::upload_direct(shared, r).await,
        Route::PrivateFileUploadUrl => {
            let owner = r.user();
            files::upload_url(shared, r, UploadKind::Private { owner })
        }
        Route::PrivateFileList => private::list(shared, r),
        Route::PrivateFile(id) => private::file(shared, r, &id),
        Route::PrivateFileAnalyse(id) => private::analyse(shared, r, &id),
        Route::PrivateFileBehaviours(id) => private::behaviours(shared, r, &id),
        Route::PrivateAnalysis(id) => private::analysis(shared, r, &id),
        Route::PrivateUrlSubmit => private::submit_url(shared, r).await,
        Route::PrivateUrl(id) => private::url(shared, r, &id),
        Route::MonitorList => monitor::list(shared, r),
        Route::MonitorCreate => monitor::create(shared, r).await,
        Route::MonitorUploadUrl => files::upload_url(shared, r, UploadKind::Monitor),
        Route::MonitorStatistics => monitor::statistics(shared),
        Route::MonitorEvents => monitor::events(shared, r),
        Route::MonitorItem(id, sub) => monitor::item(shared, r, &id, sub).await,
        Route::FeedPackage(kind, minute) => feeds::package(shared, r, &kind, &minute),
        Route::FeedHourly(kind, hour) => feeds::hourly(shared, r, &kind, &hour),
        Route::FeedFileDownload(token) => feeds::file_download(shared, r, &token),
        Route::FeedBehaviourArtifact(token, what) => behaviours::artifact(shared, &token, &what),
        Route::FeedPackageBytes(kind, minute) => feeds::package_bytes(shared, r, &kind, &minute),
        Route::CollectionCreate => collections::create(shared, r).await,
        Route::Collection(id) if get => collections::get(shared, r, &id),
        Route::Collection(id) if r.method == Method::PATCH => {
            collections::update(shared, r, &id).await
        }
        Route::Collection(id) => collections::delete(shared, r, &id),
        Route::CollectionRelated(id, rel, descriptors) => {
            collections::related(shared, r, &id, &rel, descriptors)
        }
        Route::CollectionItems(id, rel) => collections::change_items(shared, r, &id, &rel).await,
        Route::UserCollections(id) => collections::of_user(shared, r, &id),
        Route::IocStream if get => ioc_stream::list(shared, r),
        Route::IocStream => ioc_stream::delete(shared, r),
        Route::IocStreamNotification(id) if get => ioc_stream::notification(shared, r, &id),
        Route::IocStreamNotification(id) => ioc_stream::delete_notification(shared, r, &id),
        Route::Hunting(h) => hunting::dispatch(shared, r, h).await,
        Route::NotFound => Reply::error(
            vt_model::ErrorCode::NotFound,
            format!("Resource not found: {}", r.path),
        ),
        Route::MethodNotAllowed => Reply::error_with_status(
            http::StatusCode::METHOD_NOT_ALLOWED,
            "BadRequestError",
            format!("Method {} is not allowed on {}", r.method, r.path),
        ),
    }
}
