//! What a `Subscribe` stream sends, and how it goes on the wire without a copy per subscriber.
//!
//! Live fan-out sends each event to every subscriber at the head: a thousand streams, one
//! event. The stream tasks therefore pass [`Frame`]s that *point* at the shared
//! [`LoggedEvent`], whose `SubscribeResponse` is framed as a gRPC message once per event
//! ([`LoggedEvent::grpc_message`]). [`SubscribeBody`] hands that buffer to HTTP/2 as it is (a
//! reference count, no copy) when a stream has one event to send, and packs several into one
//! buffer when a stream is behind. The bytes are exactly what prost would encode for the same
//! message (tested below), so clients see no difference.
//!
//! [`EventsRoutes`] therefore serves the `Subscribe` route itself (request decoded by tonic's
//! `Streaming`, response body of our own) and hands every other route of the service to the
//! generated server.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{BufMut, Bytes, BytesMut};
use futures::Stream;
use prost::Message;
use tonic::Status;
use tonic::body::Body;
use tonic::codec::{DecodeBuf, Decoder, Streaming};
use tonic::codegen::{BoxFuture, Service, StdError, http};
use tonic::server::NamedService;

use super::log::LoggedEvent;
use super::service::Events;
use crate::proto::ralio::v1 as pb;
use crate::proto::ralio::v1::events_service_server::EventsServiceServer;

/// The gRPC path of `Subscribe`.
pub const SUBSCRIBE_PATH: &str = "/ralio.v1.EventsService/Subscribe";

/// Bytes before each gRPC message on the wire: a compression flag and a big-endian length.
pub const GRPC_PREFIX: usize = 5;

/// A stream that is behind packs frames into one buffer up to about this size (tonic's own
/// yield threshold), so catch-up sends large DATA frames.
const BATCH_BYTES: usize = 32 * 1024;

/// One message of a `Subscribe` stream.
#[derive(Debug)]
pub enum Frame {
    /// A stored event, shared with every other stream that sends it.
    Event(Arc<LoggedEvent>),
    Heartbeat(pb::Heartbeat),
}

impl Frame {
    /// The message as a prost value (a deep copy of the event); the wire path never needs it.
    pub fn into_message(self) -> pb::SubscribeResponse {
        let kind = match self {
            Frame::Event(event) => pb::subscribe_response::Kind::Event(event.proto().clone()),
            Frame::Heartbeat(heartbeat) => pb::subscribe_response::Kind::Heartbeat(heartbeat),
        };
        pb::SubscribeResponse { kind: Some(kind) }
    }

    /// The message framed for the wire; for an event, the shared buffer itself.
    fn wire(&self) -> Bytes {
        match self {
            Frame::Event(event) => event.grpc_message().clone(),
            Frame::Heartbeat(heartbeat) => grpc_message(&pb::SubscribeResponse {
                kind: Some(pb::subscribe_response::Kind::Heartbeat(*heartbeat)),
            }),
        }
    }
}

/// `message` as one uncompressed gRPC message: flag 0, big-endian length, the protobuf.
pub fn grpc_message(message: &impl Message) -> Bytes {
    let length = message.encoded_len();
    let mut buf = BytesMut::with_capacity(GRPC_PREFIX + length);
    buf.put_u8(0);
    // A stored event is far below 4 GiB: the ingest body limit is a few MiB.
    buf.put_u32(u32::try_from(length).unwrap_or(u32::MAX));
    message
        .encode(&mut buf)
        .expect("the buffer was sized for the message");
    buf.freeze()
}

/// The stream a `Subscribe` call answers with.
pub type FrameStream = std::pin::Pin<Box<dyn Stream<Item = Result<Frame, Status>> + Send>>;

/// The response body of a `Subscribe` call: the stream's frames as gRPC messages, then the
/// status as trailers (`grpc-status` 0 when the stream ends, the error when it fails).
pub struct SubscribeBody {
    frames: FrameStream,
    /// How the stream ended while a batch was being packed; sent on the next poll.
    ending: Option<Status>,
    done: bool,
}

impl SubscribeBody {
    pub fn new(frames: FrameStream) -> Self {
        Self {
            frames,
            ending: None,
            done: false,
        }
    }

    fn trailers(
        &mut self,
        status: Status,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Status>>> {
        self.done = true;
        Poll::Ready(Some(Ok(http_body::Frame::trailers(status_trailers(
            status,
        )))))
    }
}

impl http_body::Body for SubscribeBody {
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Status>>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        if let Some(status) = this.ending.take() {
            return this.trailers(status);
        }
        let first = match this.frames.as_mut().poll_next(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(None) => return this.trailers(Status::ok("")),
            Poll::Ready(Some(Err(status))) => return this.trailers(status),
            Poll::Ready(Some(Ok(frame))) => frame.wire(),
        };
        // One frame ready (the live case): send the shared buffer as it is. More ready (a
        // stream that is behind): pack them into one buffer.
        let mut batch: Option<BytesMut> = None;
        while batch.as_ref().map_or(first.len(), BytesMut::len) < BATCH_BYTES {
            let next = match this.frames.as_mut().poll_next(cx) {
                Poll::Pending => break,
                Poll::Ready(None) => {
                    this.ending = Some(Status::ok(""));
                    break;
                }
                Poll::Ready(Some(Err(status))) => {
                    this.ending = Some(status);
                    break;
                }
                Poll::Ready(Some(Ok(frame))) => frame.wire(),
            };
            batch
                .get_or_insert_with(|| {
                    let mut buf = BytesMut::with_capacity(BATCH_BYTES + next.len());
                    buf.put_slice(&first);
                    buf
                })
                .put_slice(&next);
        }
        let data = batch.map_or(first, BytesMut::freeze);
        Poll::Ready(Some(Ok(http_body::Frame::data(data))))
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }
}

/// `grpc-status`, `grpc-message` and `grpc-status-details-bin` of `status`, as tonic writes
/// them (taken from its trailers-only response, whose other header is the content type).
fn status_trailers(status: Status) -> http::HeaderMap {
    let mut headers = status.into_http::<()>().into_parts().0.headers;
    headers.remove(http::header::CONTENT_TYPE);
    headers
}

/// prost's decoder for `SubscribeRequest`.
pub struct RequestDecoder(tonic_prost::ProstDecoder<pb::SubscribeRequest>);

impl Decoder for RequestDecoder {
    type Item = pb::SubscribeRequest;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<Self::Item>, Status> {
        self.0.decode(buf)
    }
}

/// `ralio.v1.EventsService` as mounted on the gateway: `Subscribe` with [`SubscribeBody`], the
/// other methods through the generated server.
#[derive(Clone)]
pub struct EventsRoutes {
    events: Events,
    generated: EventsServiceServer<Events>,
}

impl EventsRoutes {
    pub fn new(events: Events) -> Self {
        Self {
            generated: EventsServiceServer::new(events.clone()),
            events,
        }
    }
}

impl NamedService for EventsRoutes {
    const NAME: &'static str = <EventsServiceServer<Events> as NamedService>::NAME;
}

impl<B> Service<http::Request<B>> for EventsRoutes
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<StdError> + Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Infallible>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        if request.uri().path() != SUBSCRIBE_PATH {
            return self.generated.call(request);
        }
        let events = self.events.clone();
        Box::pin(async move {
            Ok(match subscribe(events, request).await {
                Ok(frames) => {
                    let mut response = http::Response::new(Body::new(SubscribeBody::new(frames)));
                    response.headers_mut().insert(
                        http::header::CONTENT_TYPE,
                        http::HeaderValue::from_static("application/grpc"),
                    );
                    response
                }
                // Before the stream starts, a failure is a trailers-only response, as tonic
                // answers it.
                Err(status) => status.into_http(),
            })
        })
    }
}

/// Reads the one `SubscribeRequest` of the call and opens its stream.
async fn subscribe<B>(events: Events, request: http::Request<B>) -> Result<FrameStream, Status>
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<StdError> + Send + 'static,
{
    if let Some(encoding) = request.headers().get("grpc-encoding")
        && encoding != "identity"
    {
        return Err(Status::unimplemented(format!(
            "Subscribe requests are not accepted compressed ({})",
            encoding.to_str().unwrap_or("?")
        )));
    }
    let (parts, body) = request.into_parts();
    let mut messages = Streaming::new_request(
        RequestDecoder(tonic_prost::ProstDecoder::default()),
        body,
        None,
        None,
    );
    let message = messages
        .message()
        .await?
        .ok_or_else(|| Status::internal("Missing request message."))?;
    let request = tonic::Request::from_http(http::Request::from_parts(parts, message));
    events.open(request).await
}

/// Keeps the trait's `Subscribe` (used when the generated server is mounted directly) on the
/// same streams as the wire path.
pub fn into_messages(
    frames: FrameStream,
) -> impl Stream<Item = Result<pb::SubscribeResponse, Status>> + Send {
    futures::StreamExt::map(frames, |frame| frame.map(Frame::into_message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::log::NewEvent;
    use ralio_core::webhook::Envelope;

    fn logged(type_name: &str, data: &str) -> Arc<LoggedEvent> {
        Arc::new(LoggedEvent::new(
            42,
            1_764_000_000_123,
            NewEvent {
                id: "evt_1".into(),
                type_name: type_name.into(),
                envelope: Envelope::V2,
                occurred_at: "2026-11-24T10:00:00Z".into(),
                user_id: Some("usr_1".into()),
                account_id: Some("acc_1".into()),
                data: data.into(),
            },
        ))
    }

    fn frames(items: Vec<Result<Frame, Status>>) -> FrameStream {
        Box::pin(futures::stream::iter(items))
    }

    async fn next(body: &mut SubscribeBody) -> Option<http_body::Frame<Bytes>> {
        use http_body_util::BodyExt;
        body.frame()
            .await
            .map(|frame| frame.expect("the body itself never fails"))
    }

    /// The status the trailers carry, read back as a client would.
    fn trailers_status(frame: http_body::Frame<Bytes>) -> Status {
        let trailers = frame.into_trailers().expect("trailers");
        assert!(trailers.get("content-type").is_none());
        Status::from_header_map(&trailers).expect("grpc-status")
    }

    #[tokio::test]
    async fn a_lone_event_goes_out_as_the_shared_buffer_itself() {
        let event = logged("payin_completed", r#"{"id":"pi_1"}"#);
        let pending = futures::stream::pending::<Result<Frame, Status>>();
        let stream = futures::StreamExt::chain(
            futures::stream::iter([Ok(Frame::Event(Arc::clone(&event)))]),
            pending,
        );
        let mut body = SubscribeBody::new(Box::pin(stream));
        let data = next(&mut body).await.unwrap().into_data().expect("data");
        // Same memory, not a copy.
        assert_eq!(data.as_ptr(), event.grpc_message().as_ptr());
        assert_eq!(data[0], 0, "not compressed");
        assert_eq!(
            u32::from_be_bytes(data[1..GRPC_PREFIX].try_into().unwrap()) as usize,
            data.len() - GRPC_PREFIX
        );
        assert!(!http_body::Body::is_end_stream(&body));
    }

    #[tokio::test]
    async fn ready_frames_are_packed_then_the_end_is_sent_as_status_zero() {
        let first = logged("payin_completed", r#"{"id":"pi_1"}"#);
        let second = logged("payout_completed", r#"{"id":"po_1"}"#);
        let heartbeat = pb::Heartbeat::default();
        let mut body = SubscribeBody::new(frames(vec![
            Ok(Frame::Event(Arc::clone(&first))),
            Ok(Frame::Heartbeat(heartbeat)),
            Ok(Frame::Event(Arc::clone(&second))),
        ]));
        let data = next(&mut body).await.unwrap().into_data().expect("data");
        let mut expected = Vec::new();
        expected.extend_from_slice(first.grpc_message());
        expected.extend_from_slice(&grpc_message(&pb::SubscribeResponse {
            kind: Some(pb::subscribe_response::Kind::Heartbeat(heartbeat)),
        }));
        expected.extend_from_slice(second.grpc_message());
        assert_eq!(&data[..], expected.as_slice());

        let status = trailers_status(next(&mut body).await.unwrap());
        assert_eq!(status.code(), tonic::Code::Ok);
        assert!(http_body::Body::is_end_stream(&body));
        assert!(next(&mut body).await.is_none());
    }

    #[tokio::test]
    async fn a_failing_stream_ends_with_its_status_after_what_it_sent() {
        let event = logged("payin_completed", r#"{"id":"pi_1"}"#);
        let mut body = SubscribeBody::new(frames(vec![
            Ok(Frame::Event(Arc::clone(&event))),
            Err(Status::unavailable("event log unavailable")),
        ]));
        let data = next(&mut body).await.unwrap().into_data().expect("data");
        assert_eq!(&data[..], &event.grpc_message()[..]);
        let status = trailers_status(next(&mut body).await.unwrap());
        assert_eq!(status.code(), tonic::Code::Unavailable);
        assert_eq!(status.message(), "event log unavailable");
        assert!(next(&mut body).await.is_none());

        // A stream that fails at once sends only the status.
        let mut body = SubscribeBody::new(frames(vec![Err(Status::internal("boom"))]));
        let status = trailers_status(next(&mut body).await.unwrap());
        assert_eq!(status.code(), tonic::Code::Internal);
    }

    #[tokio::test]
    async fn compressed_or_empty_requests_are_refused_before_a_stream_opens() {
        let dir = tempfile::tempdir().unwrap();
        let log = crate::events::sqlite::SqliteLog::open(&dir.path().join("events.db")).unwrap();
        let events = Events::new(
            Arc::new(log),
            crate::events::service::StreamSettings::default(),
            crate::metrics::Metrics::new().unwrap(),
        );
        let mut routes = EventsRoutes::new(events);
        let request = |encoding: Option<&str>| {
            let mut request = http::Request::builder()
                .method("POST")
                .uri(SUBSCRIBE_PATH)
                .header("content-type", "application/grpc");
            if let Some(encoding) = encoding {
                request = request.header("grpc-encoding", encoding);
            }
            request
                .body(http_body_util::Full::new(Bytes::new()))
                .unwrap()
        };
        let status_of = |response: http::Response<Body>| {
            tonic::Status::from_header_map(response.headers()).expect("a trailers-only answer")
        };

        let compressed = routes.call(request(Some("gzip"))).await.unwrap();
        let status = status_of(compressed);
        assert_eq!(status.code(), tonic::Code::Unimplemented);
        assert!(status.message().contains("gzip"), "{}", status.message());

        // No request message at all.
        let empty = routes.call(request(None)).await.unwrap();
        assert_eq!(status_of(empty).code(), tonic::Code::Internal);
    }

    #[test]
    fn cached_event_bytes_are_what_prost_encodes() {
        for (type_name, data) in [
            (
                "payin_completed",
                r#"{"id":"pi_1","userId":"usr_1","accountId":"acc_1","amount":1250,"currency":"EUR","status":"completed"}"#,
            ),
            ("something.new", r#"{"x":[1,2,3]}"#),
        ] {
            let event = logged(type_name, data);
            // The wire path (SubscribeBody) sends these bytes; the slow path encodes the message.
            let expected = Frame::Event(Arc::clone(&event))
                .into_message()
                .encode_to_vec();
            let protobuf = &event.grpc_message()[GRPC_PREFIX..];
            assert_eq!(protobuf, expected.as_slice());
            let decoded = pb::SubscribeResponse::decode(protobuf).unwrap();
            match decoded.kind {
                Some(pb::subscribe_response::Kind::Event(decoded)) => {
                    assert_eq!(&decoded, event.proto());
                    assert_eq!(decoded.cursor, 42);
                }
                other => panic!("expected an event, got {other:?}"),
            }
        }
    }
}
