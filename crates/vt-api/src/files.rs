//! Files: reports, uploads, re-analysis, comments, votes, relationships, downloads and
//! sandbox behaviours (`/files`, `/file_behaviours`).

use std::path::Path;

use bytes::Bytes;
use futures_util::TryStreamExt;
use serde::de::DeserializeOwned;
use tokio::io::AsyncWrite;
use vt_model::{
    BehaviourMitreTrees, DataEnvelope, Descriptor, ErrorCode, FileBehaviour,
    FileBehaviourAttributes, FileHash, FileReport, SandboxId,
};

use crate::client::{Client, HttpService};
use crate::download::{DownloadOptions, request_to_path, request_to_writer};
use crate::error::{Error, Result};
use crate::object_endpoints::{ObjectPath, object_family_methods};
use crate::pagination::Paginator;
use crate::request::{ApiRequest, Target, path_segment};
use crate::upload::{LocalFile, Multipart, UploadOptions, filename_of, send_multipart, upload_url};

/// What [`Files::upload_with`] did.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)] // returned once per upload
pub enum UploadOutcome {
    /// The file was uploaded; this is the analysis descriptor (poll it with
    /// [`Analyses::wait`](crate::analyses::Analyses::wait)).
    Submitted(Descriptor),
    /// With [`UploadOptions::skip_known`]: VirusTotal already knew the file; nothing was
    /// uploaded and this is its report.
    Known(FileReport),
}

impl UploadOutcome {
    /// The analysis descriptor, when the file was uploaded.
    pub fn analysis(&self) -> Option<&Descriptor> {
        match self {
            UploadOutcome::Submitted(d) => Some(d),
            UploadOutcome::Known(_) => None,
        }
    }
}

/// The artefacts a sandbox report may have (see `has_pcap`, `has_html_report`, `has_evtx`,
/// `has_memdump` on the behaviour report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SandboxArtifact {
    /// `/pcap`: the network capture (special privileges).
    Pcap,
    /// `/html`: the sandbox's HTML report.
    Html,
    /// `/evtx`: Windows event logs.
    Evtx,
    /// `/memdump`: a memory dump.
    Memdump,
}

impl SandboxArtifact {
    /// Every artefact, in the order above.
    pub const ALL: [SandboxArtifact; 4] = [
        SandboxArtifact::Pcap,
        SandboxArtifact::Html,
        SandboxArtifact::Evtx,
        SandboxArtifact::Memdump,
    ];

    /// The last path segment (`pcap`, `html`, `evtx`, `memdump`).
    pub fn as_str(self) -> &'static str {
        match self {
            SandboxArtifact::Pcap => "pcap",
            SandboxArtifact::Html => "html",
            SandboxArtifact::Evtx => "evtx",
            SandboxArtifact::Memdump => "memdump",
        }
    }

    /// The report flag saying the artefact exists (`has_pcap`, `has_html_report`, ...).
    pub fn flag(self) -> &'static str {
        match self {
            SandboxArtifact::Pcap => "has_pcap",
            SandboxArtifact::Html => "has_html_report",
            SandboxArtifact::Evtx => "has_evtx",
            SandboxArtifact::Memdump => "has_memdump",
        }
    }

    /// Whether `report` says the sandbox kept this artefact (`None` when it does not say).
    pub fn is_in(self, report: &FileBehaviourAttributes) -> Option<bool> {
        match self {
            SandboxArtifact::Pcap => report.has_pcap,
            SandboxArtifact::Html => report.has_html_report,
            SandboxArtifact::Evtx => report.has_evtx,
            SandboxArtifact::Memdump => report.has_memdump,
        }
    }
}

impl std::fmt::Display for SandboxArtifact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `/files` family; get it with [`Client::files`].
#[derive(Debug)]
pub struct Files<'a, S> {
    pub(crate) client: &'a Client<S>,
}

fn file_path(id: &FileHash) -> ObjectPath {
    ObjectPath::new("files", id.as_str())
}

fn behaviour_path(sandbox_id: &SandboxId) -> String {
    format!("/file_behaviours/{}", path_segment(sandbox_id.as_str()))
}

impl<'a, S: HttpService> Files<'a, S> {
    /// The file's report (`GET /files/{id}`; `id` is its MD5, SHA-1 or SHA-256).
    pub async fn report(&self, id: &FileHash) -> Result<FileReport> {
        file_path(id).get(self.client, &[]).await
    }

    /// The report's `data` object as the JSON text VirusTotal sent: validated JSON, not
    /// decoded. For programs that store or forward reports without reading them (and `vt`'s
    /// JSON output): no typed model is built and nothing is re-encoded. Decode it later with
    /// `serde_json::from_str::<vt_model::FileReport>(raw.get())`.
    pub async fn report_json(&self, id: &FileHash) -> Result<Box<serde_json::value::RawValue>> {
        file_path(id).get_json(self.client).await
    }

    /// The report with the named relationships inline (`GET /files/{id}?relationships=a,b`).
    pub async fn report_with_relationships(
        &self,
        id: &FileHash,
        relationships: &[&str],
    ) -> Result<FileReport> {
        file_path(id).get(self.client, relationships).await
    }

    object_family_methods!(FileHash, file_path);

    /// Uploads the file at `path` for analysis; returns the analysis descriptor.
    ///
    /// Streams from disk; `POST /files` when the request fits in 32 MiB, an upload URL
    /// otherwise; files over 650 MiB are refused before any request. Sent once, never
    /// retried (see [`crate::upload`]).
    pub async fn upload(&self, path: impl AsRef<Path>) -> Result<Descriptor> {
        match self.upload_with(path, UploadOptions::new()).await? {
            UploadOutcome::Submitted(d) => Ok(d),
            // Unreachable without skip_known; map it to the report's descriptor anyway.
            UploadOutcome::Known(report) => Ok(report.descriptor()),
        }
    }

    /// Uploads the file at `path` with options (password, progress, skip-known, name).
    pub async fn upload_with(
        &self,
        path: impl AsRef<Path>,
        options: UploadOptions,
    ) -> Result<UploadOutcome> {
        let path = path.as_ref();
        let local = LocalFile::check(path).await?;
        if options.skip_known {
            let digests = crate::hashing::hash_file_async(path).await?;
            match self.report(&FileHash::Sha256(digests.sha256)).await {
                Ok(report) => return Ok(UploadOutcome::Known(report)),
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        let filename = options
            .filename
            .clone()
            .unwrap_or_else(|| filename_of(path));
        let mut multipart = Multipart::new();
        if let Some(pw) = &options.password {
            multipart = multipart.text("password", pw);
        }
        let multipart = multipart.file_from_disk("file", &filename, &local).await?;
        let descriptor = send_multipart(
            self.client,
            "/files",
            "/files/upload_url",
            multipart,
            options.progress,
        )
        .await?;
        Ok(UploadOutcome::Submitted(descriptor))
    }

    /// Uploads bytes held in memory under `filename` (same size rules as [`Files::upload`]).
    pub async fn upload_bytes(
        &self,
        filename: &str,
        bytes: impl Into<Bytes>,
    ) -> Result<Descriptor> {
        let bytes = bytes.into();
        if bytes.len() as u64 > crate::upload::MAX_UPLOAD_SIZE {
            return Err(Error::FileTooLarge {
                path: filename.into(),
                size: bytes.len() as u64,
                limit: crate::upload::MAX_UPLOAD_SIZE,
            });
        }
        let multipart = Multipart::new().file_from_bytes("file", filename, bytes);
        send_multipart(self.client, "/files", "/files/upload_url", multipart, None).await
    }

    /// A single-use URL for uploading a file larger than 32 MiB (`GET /files/upload_url`).
    /// [`Files::upload`] uses it by itself when needed.
    pub async fn upload_url(&self) -> Result<String> {
        upload_url(self.client, "/files/upload_url").await
    }

    /// A signed download URL, valid for one hour (`GET /files/{id}/download_url`; special
    /// privileges; counts as a download).
    pub async fn download_url(&self, id: &FileHash) -> Result<String> {
        let doc: DataEnvelope<String> = self
            .client
            .send(ApiRequest::get(file_path(id).sub("download_url")))
            .await?;
        Ok(doc.data)
    }

    /// Streams the file's content to `writer` (`GET /files/{id}/download`, following the
    /// redirect; special privileges). Returns the number of bytes written.
    pub async fn download_to_writer<W>(
        &self,
        id: &FileHash,
        writer: &mut W,
        options: DownloadOptions,
    ) -> Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let req = ApiRequest::get(file_path(id).sub("download"));
        request_to_writer(self.client, req, writer, options.progress.as_ref()).await
    }

    /// Downloads the file's content to `dest` through a temporary file renamed at the end
    /// (see [`crate::download`]). Returns the number of bytes written.
    pub async fn download_to_path(
        &self,
        id: &FileHash,
        dest: impl AsRef<Path>,
        options: DownloadOptions,
    ) -> Result<u64> {
        let req = ApiRequest::get(file_path(id).sub("download"));
        request_to_path(self.client, req, dest.as_ref(), &options).await
    }

    /// The sandbox reports of the file, one per sandbox (`GET /files/{id}/behaviours`).
    pub fn behaviours(&self, id: &FileHash) -> Paginator<FileBehaviour> {
        Paginator::new(
            self.client,
            Target::V3(file_path(id).sub("behaviours")),
            Vec::new(),
        )
    }

    /// The sandbox reports merged into one (`GET /files/{id}/behaviour_summary`).
    pub async fn behaviour_summary(&self, id: &FileHash) -> Result<FileBehaviourAttributes> {
        self.data(file_path(id).sub("behaviour_summary")).await
    }

    /// The MITRE ATT&CK trees per sandbox (`GET /files/{id}/behaviour_mitre_trees`): tactics,
    /// techniques and the signatures behind them, typed and lossless.
    pub async fn behaviour_mitre_trees(&self, id: &FileHash) -> Result<BehaviourMitreTrees> {
        self.data(file_path(id).sub("behaviour_mitre_trees")).await
    }

    /// One sandbox report (`GET /file_behaviours/{sandbox_id}`; the id is
    /// `<sha256>_<sandbox name>`, spaces allowed and percent-encoded).
    pub async fn behaviour(&self, sandbox_id: &SandboxId) -> Result<FileBehaviour> {
        self.data(behaviour_path(sandbox_id)).await
    }

    /// The report of the sandbox named `sandbox_name` (any case) on the file `id`: first
    /// `GET /file_behaviours/{sha256}_{name}` when `id` is a SHA-256 (one request when the
    /// name's case is right); otherwise, or when that is not found, the file's reports
    /// (`GET /files/{id}/behaviours`) searched by `sandbox_name` ignoring case. No such
    /// report is a `NotFoundError` (404), as from the API.
    pub async fn behaviour_of(&self, id: &FileHash, sandbox_name: &str) -> Result<FileBehaviour> {
        if let Some(sha256) = id.as_sha256() {
            let sandbox_id = SandboxId::new(sha256, sandbox_name)?;
            match self.behaviour(&sandbox_id).await {
                Err(e) if e.is_not_found() => {}
                other => return other,
            }
        }
        let mut reports = self.behaviours(id).page_size(40);
        while let Some(report) = reports.try_next().await? {
            if report
                .attributes
                .sandbox_name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(sandbox_name))
            {
                return Ok(report);
            }
        }
        Err(Error::Api {
            status: http::StatusCode::NOT_FOUND,
            code: ErrorCode::NotFound,
            message: format!("File {id} has no report of sandbox {sandbox_name:?}"),
        })
    }

    /// Streams a sandbox artefact to `writer`, e.g. the PCAP
    /// (`GET /file_behaviours/{sandbox_id}/pcap`; special privileges).
    pub async fn behaviour_artifact_to_writer<W>(
        &self,
        sandbox_id: &SandboxId,
        artifact: SandboxArtifact,
        writer: &mut W,
        options: DownloadOptions,
    ) -> Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let path = format!("{}/{}", behaviour_path(sandbox_id), artifact.as_str());
        request_to_writer(
            self.client,
            ApiRequest::get(path),
            writer,
            options.progress.as_ref(),
        )
        .await
    }

    /// Downloads a sandbox artefact (PCAP, HTML report, EVTX, memory dump) to `dest` through
    /// a temporary file renamed at the end (see [`crate::download`]).
    pub async fn behaviour_artifact_to_path(
        &self,
        sandbox_id: &SandboxId,
        artifact: SandboxArtifact,
        dest: impl AsRef<Path>,
        options: DownloadOptions,
    ) -> Result<u64> {
        let path = format!("{}/{}", behaviour_path(sandbox_id), artifact.as_str());
        request_to_path(self.client, ApiRequest::get(path), dest.as_ref(), &options).await
    }

    async fn data<T: DeserializeOwned>(&self, path: String) -> Result<T> {
        let doc: DataEnvelope<T> = self.client.send(ApiRequest::get(path)).await?;
        Ok(doc.data)
    }
}
