//! Moves one HTTP/2 stream between `h2` and the tower stack: the request body in, the
//! response (headers, data, trailers) out, with HTTP/2 flow control as the back-pressure and a
//! client's reset ending the call.

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures::future::OptionFuture;
use h2::server::SendResponse;
use h2::{RecvStream, SendStream};
use http_body::{Body, Frame};
use tonic::codegen::{Service, StdError, http};
use tower::ServiceExt;

use crate::request_context::{GRPC_TIMEOUT_HEADER, parse_grpc_timeout};

/// A request body read from an HTTP/2 stream. Flow-control capacity goes back to the client
/// as the service reads each chunk.
pub struct RequestBody {
    stream: RecvStream,
    data_done: bool,
}

impl RequestBody {
    fn new(stream: RecvStream) -> Self {
        Self {
            stream,
            data_done: false,
        }
    }
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = h2::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, h2::Error>>> {
        let this = &mut *self;
        if !this.data_done {
            match ready!(this.stream.poll_data(cx)) {
                Some(Ok(chunk)) => {
                    let _ = this.stream.flow_control().release_capacity(chunk.len());
                    return Poll::Ready(Some(Ok(Frame::data(chunk))));
                }
                Some(Err(err)) => return Poll::Ready(Some(Err(err))),
                None => this.data_done = true,
            }
        }
        Poll::Ready(match ready!(this.stream.poll_trailers(cx)) {
            Ok(Some(trailers)) => Some(Ok(Frame::trailers(trailers))),
            Ok(None) => None,
            Err(err) => Some(Err(err)),
        })
    }

    fn is_end_stream(&self) -> bool {
        self.stream.is_end_stream()
    }
}

/// Answers one request: calls `service`, sends the response headers, then the body. A reset
/// from the client (or the connection going away) drops the call wherever it is. A call still
/// without a response at the caller's deadline (`grpc-timeout`) is dropped and answered
/// `DEADLINE_EXCEEDED`; as on tonic's server, the deadline bounds the wait for the response
/// headers, not a stream's body.
pub(super) async fn answer<S, B>(
    service: S,
    request: http::Request<RecvStream>,
    mut respond: SendResponse<Bytes>,
) where
    S: Service<
            http::Request<RequestBody>,
            Response = http::Response<B>,
            Error = std::convert::Infallible,
        >,
    B: Body<Data = Bytes>,
    B::Error: Into<StdError>,
{
    let timeout = request
        .headers()
        .get(GRPC_TIMEOUT_HEADER)
        .and_then(|value| value.to_str().ok())
        .and_then(parse_grpc_timeout);
    let mut expired = pin!(OptionFuture::from(timeout.map(tokio::time::sleep)));
    let mut call = pin!(service.oneshot(request.map(RequestBody::new)));
    let response = poll_fn(|cx| {
        if respond.poll_reset(cx).is_ready() {
            return Poll::Ready(None);
        }
        if let Poll::Ready(Some(())) = expired.as_mut().poll(cx) {
            return Poll::Ready(Some(Err(DeadlineExceeded)));
        }
        call.as_mut().poll(cx).map(|response| match response {
            Ok(response) => Some(Ok(response)),
            Err(never) => match never {},
        })
    })
    .await;
    let response = match response {
        None => return,
        Some(Ok(response)) => response,
        Some(Err(DeadlineExceeded)) => {
            let status = tonic::Status::deadline_exceeded("the call's grpc-timeout expired");
            let (parts, ()) = status.into_http::<()>().into_parts();
            let _ = respond.send_response(http::Response::from_parts(parts, ()), true);
            return;
        }
    };
    let (parts, body) = response.into_parts();
    let end = body.is_end_stream();
    match respond.send_response(http::Response::from_parts(parts, ()), end) {
        Ok(send) if !end => send_body(body, send).await,
        Ok(_) => {}
        Err(err) => tracing::debug!(error = %err, "events port: response headers not sent"),
    }
}

/// The caller's deadline passed before the service answered.
struct DeadlineExceeded;

/// Sends `body` on `send`: data frames while the stream has send capacity, then the trailers
/// (or an empty end-of-stream frame). A body that fails resets the stream.
async fn send_body<B>(body: B, mut send: SendStream<Bytes>)
where
    B: Body<Data = Bytes>,
    B::Error: Into<StdError>,
{
    let mut body = pin!(body);
    poll_fn(|cx| {
        loop {
            // Only poll the body when HTTP/2 can take more: a client that stops reading stops
            // its stream here (a subscriber then falls behind into storage, not into memory),
            // with at most one frame buffered beyond its window. One byte is asked for, as
            // hyper does: `send_data` asks for the rest of a frame itself, and capacity a stream
            // holds but does not use is taken from the connection's window, which the other
            // streams of the connection then wait for.
            if send.capacity() == 0 {
                send.reserve_capacity(1);
                match send.poll_capacity(cx) {
                    Poll::Ready(Some(Ok(_))) => continue,
                    Poll::Ready(None | Some(Err(_))) => return Poll::Ready(()),
                    Poll::Pending => return watch_reset(&mut send, cx),
                }
            }
            let frame = match body.as_mut().poll_frame(cx) {
                Poll::Pending => return watch_reset(&mut send, cx),
                Poll::Ready(frame) => frame,
            };
            match frame {
                None => {
                    let _ = send.send_data(Bytes::new(), true);
                    return Poll::Ready(());
                }
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => {
                        let end = body.is_end_stream();
                        if send.send_data(data, end).is_err() || end {
                            return Poll::Ready(());
                        }
                    }
                    Err(frame) => {
                        if let Ok(trailers) = frame.into_trailers() {
                            let _ = send.send_trailers(trailers);
                            return Poll::Ready(());
                        }
                    }
                },
                Some(Err(err)) => {
                    let err: StdError = err.into();
                    tracing::debug!(error = %err, "events port: response body failed");
                    send.send_reset(h2::Reason::INTERNAL_ERROR);
                    return Poll::Ready(());
                }
            }
        }
    })
    .await
}

/// Waiting on the body or on capacity: also wake on a reset, which ends the call.
fn watch_reset(send: &mut SendStream<Bytes>, cx: &mut Context<'_>) -> Poll<()> {
    match send.poll_reset(cx) {
        Poll::Ready(_) => Poll::Ready(()),
        Poll::Pending => Poll::Pending,
    }
}
