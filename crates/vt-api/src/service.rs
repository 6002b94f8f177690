//! The seam between the client and its transport: any tower service that carries this
//! crate's requests ([`HttpService`]), and the object-safe view the client holds.

use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::{Request, Response};
use http_body::Body;
use http_body_util::BodyExt;
use tower::{Service, ServiceExt};
use vt_transport::{BoxError, ResponseBody, VtBody};

/// Any tower service that can carry this crate's requests.
///
/// Implemented for every `S: Service<Request<VtBody>, Response = Response<B>>` that is
/// `Clone + Send + Sync + 'static`, whose errors convert into [`BoxError`] and whose response
/// body yields [`Bytes`]: the `vt-transport` stack, a bare hyper client, a
/// `tower::service_fn` fake in tests, or your own stack of layers. You never implement it
/// yourself.
pub trait HttpService: Clone + Send + Sync + 'static {
    /// Sends one request (waiting for the service to be ready first).
    fn send(
        &self,
        request: Request<VtBody>,
    ) -> BoxFuture<'static, Result<Response<ResponseBody>, BoxError>>;
}

impl<S, B> HttpService for S
where
    S: Service<Request<VtBody>, Response = Response<B>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    fn send(
        &self,
        request: Request<VtBody>,
    ) -> BoxFuture<'static, Result<Response<ResponseBody>, BoxError>> {
        let service = self.clone();
        Box::pin(async move {
            let response = service.oneshot(request).await.map_err(Into::into)?;
            Ok(response.map(|body| body.map_err(Into::into).boxed_unsync()))
        })
    }
}

/// [`HttpService`] made object-safe (no `Clone` supertrait): what the client holds.
pub(crate) trait ErasedService: Send + Sync + 'static {
    fn call(
        &self,
        request: Request<VtBody>,
    ) -> BoxFuture<'static, Result<Response<ResponseBody>, BoxError>>;
}

impl<S: HttpService> ErasedService for S {
    fn call(
        &self,
        request: Request<VtBody>,
    ) -> BoxFuture<'static, Result<Response<ResponseBody>, BoxError>> {
        self.send(request)
    }
}
