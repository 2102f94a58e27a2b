//! What a `Subscribe` stream sends, and how it goes on the wire without a copy per subscriber.
//!
//! Live fan-out sends each event to every subscriber at the head: a thousand streams, one
//! event. The stream tasks therefore pass [`Frame`]s that *point* at the shared
//! [`LoggedEvent`], and [`FrameCodec`] writes the event's `SubscribeResponse` bytes, encoded once
//! per event ([`LoggedEvent::subscribe_bytes`]), into each stream's buffer. The bytes are
//! exactly what prost would encode for the same message (tested below), so clients see no
//! difference.
//!
//! tonic's generated server encodes its own message type, so [`EventsRoutes`] serves the
//! `Subscribe` route itself with this codec and hands every other route of the service to the
//! generated server.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::BufMut;
use futures::Stream;
use prost::Message;
use tonic::Status;
use tonic::body::Body;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::codegen::{BoxFuture, Service, StdError, http};
use tonic::server::{Grpc, NamedService, ServerStreamingService};

use super::log::LoggedEvent;
use super::service::Events;
use crate::proto::ralio::v1 as pb;
use crate::proto::ralio::v1::events_service_server::EventsServiceServer;

/// The gRPC path of `Subscribe`.
const SUBSCRIBE_PATH: &str = "/ralio.v1.EventsService/Subscribe";

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
}

/// The stream a `Subscribe` call answers with.
pub type FrameStream = std::pin::Pin<Box<dyn Stream<Item = Result<Frame, Status>> + Send>>;

/// Encodes [`Frame`]s (events from their cached bytes), decodes `SubscribeRequest`s.
#[derive(Debug, Clone, Copy, Default)]
pub struct FrameCodec;

#[derive(Debug, Clone, Copy, Default)]
pub struct FrameEncoder;

impl Encoder for FrameEncoder {
    type Item = Frame;
    type Error = Status;

    fn encode(&mut self, item: Frame, buf: &mut EncodeBuf<'_>) -> Result<(), Status> {
        match item {
            Frame::Event(event) => buf.put_slice(event.subscribe_bytes()),
            Frame::Heartbeat(heartbeat) => pb::SubscribeResponse {
                kind: Some(pb::subscribe_response::Kind::Heartbeat(heartbeat)),
            }
            .encode(buf)
            .map_err(|err| Status::internal(err.to_string()))?,
        }
        Ok(())
    }
}

impl Codec for FrameCodec {
    type Encode = Frame;
    type Decode = pb::SubscribeRequest;
    type Encoder = FrameEncoder;
    type Decoder = RequestDecoder;

    fn encoder(&mut self) -> FrameEncoder {
        FrameEncoder
    }

    fn decoder(&mut self) -> RequestDecoder {
        RequestDecoder(tonic_prost::ProstDecoder::default())
    }
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

/// `ralio.v1.EventsService` as mounted on the gateway: `Subscribe` through [`FrameCodec`],
/// the other methods through the generated server.
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

struct SubscribeHandler(Events);

impl ServerStreamingService<pb::SubscribeRequest> for SubscribeHandler {
    type Response = Frame;
    type ResponseStream = FrameStream;
    type Future = BoxFuture<tonic::Response<FrameStream>, Status>;

    fn call(&mut self, request: tonic::Request<pb::SubscribeRequest>) -> Self::Future {
        let events = self.0.clone();
        Box::pin(async move { events.open(request).await.map(tonic::Response::new) })
    }
}

impl<B> Service<http::Request<B>> for EventsRoutes
where
    B: http_body::Body + Send + 'static,
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
        let handler = SubscribeHandler(self.events.clone());
        Box::pin(async move {
            let mut grpc = Grpc::new(FrameCodec);
            Ok(grpc.server_streaming(handler, request).await)
        })
    }
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
            // The wire path (FrameEncoder) writes these bytes; the slow path encodes the message.
            let expected = Frame::Event(Arc::clone(&event))
                .into_message()
                .encode_to_vec();
            assert_eq!(event.subscribe_bytes(), expected.as_slice());
            let decoded = pb::SubscribeResponse::decode(event.subscribe_bytes()).unwrap();
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
