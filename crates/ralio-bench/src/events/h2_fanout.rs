//! A second live floor, below tonic: `Subscribe` served straight on the `h2` crate, with one task
//! per HTTP/2 connection that writes each event to every stream of its connection in one pass.
//!
//! tonic (through hyper) gives every response stream a task of its own, so an event sent to
//! 1,000 subscribers is 1,000 task wake-ups, each taking the connection's lock several times.
//! Here an event wakes one task per connection. The point is to measure what such a fan-out
//! would buy on this machine, not to serve anyone: the request is read and ignored (every
//! stream follows the live broadcast), flow control is left to h2's send buffer (fine for a
//! client that keeps reading), nothing is authenticated and the stream never ends.

use bytes::Bytes;
use ralio_gateway::events::frames::grpc_message;
use ralio_gateway::proto::ralio::v1 as pb;
use tokio::net::TcpListener;
use tokio::sync::broadcast;

/// Accepts connections on `listener`; each streams what `live` broadcasts to all its streams.
pub async fn serve(listener: TcpListener, live: broadcast::Sender<pb::SubscribeResponse>) {
    while let Ok((socket, _)) = listener.accept().await {
        let _ = socket.set_nodelay(true);
        let receiver = live.subscribe();
        tokio::spawn(async move {
            if let Err(err) = connection(socket, receiver).await {
                eprintln!("h2 fan-out floor: connection ended: {err}");
            }
        });
    }
}

/// One connection: accepts its streams and sends them every broadcast event, in one task.
async fn connection(
    socket: tokio::net::TcpStream,
    mut live: broadcast::Receiver<pb::SubscribeResponse>,
) -> anyhow::Result<()> {
    // Windows of 1 MiB, as hyper (tonic's server) sets them.
    let mut connection = h2::server::Builder::new()
        .initial_window_size(1 << 20)
        .initial_connection_window_size(1 << 20)
        .handshake(socket)
        .await?;
    let mut streams: Vec<h2::SendStream<Bytes>> = Vec::new();
    loop {
        tokio::select! {
            // `accept` also drives the connection: it writes what the streams queued.
            request = connection.accept() => {
                let Some(request) = request else { return Ok(()) };
                let (request, mut respond) = request?;
                let response = http::Response::builder()
                    .header("content-type", "application/grpc")
                    .body(())?;
                streams.push(respond.send_response(response, false)?);
                // The request is read to its end and ignored: h2 ends a connection on which
                // too many small DATA frames sit unread (its "excessive load" guard).
                tokio::spawn(drain(request.into_body()));
            }
            message = live.recv() => {
                let message = match message {
                    Ok(message) => message,
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return Ok(()),
                };
                // Framed as the gateway frames its events.
                let frame = grpc_message(&message);
                // A stream the client reset is dropped from the list.
                streams.retain_mut(|stream| stream.send_data(frame.clone(), false).is_ok());
            }
        }
    }
}

/// Reads a request body to its end, giving its flow-control capacity back.
async fn drain(mut body: h2::RecvStream) {
    while let Some(Ok(chunk)) = body.data().await {
        let _ = body.flow_control().release_capacity(chunk.len());
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::time::Duration;

    use super::*;
    use crate::events::client::{self, Start};

    fn event(id: &str, cursor: u64) -> pb::SubscribeResponse {
        pb::SubscribeResponse {
            kind: Some(pb::subscribe_response::Kind::Event(pb::Event {
                id: id.to_owned(),
                cursor,
                raw_json: r#"{"status":"COMPLETED"}"#.to_owned(),
                ..Default::default()
            })),
        }
    }

    /// A tonic client reads what the floor broadcasts, on every stream of a connection and on
    /// a second connection, in order.
    #[tokio::test]
    async fn every_stream_of_every_connection_gets_each_broadcast_in_order() {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let (live, _) = broadcast::channel(16);
        tokio::spawn(serve(listener, live.clone()));

        let channels = client::channels(addr, 2).await.unwrap();
        let mut streams = Vec::new();
        for channel in [&channels[0], &channels[0], &channels[1]] {
            let stream = client::subscribe(channel.clone(), Start::Latest, Duration::from_secs(15));
            streams.push(stream.await.unwrap());
        }
        // A stream has been registered once its response headers came back.
        for n in 1..=3 {
            live.send(event(&format!("evt-{n}"), n)).unwrap();
        }
        for stream in &mut streams {
            for n in 1..=3 {
                let message = tokio::time::timeout(Duration::from_secs(10), stream.message())
                    .await
                    .expect("the broadcast arrives")
                    .expect("a gRPC message")
                    .expect("the stream is open");
                let event = message.event.expect("an event");
                assert_eq!(
                    (event.id.as_str(), event.cursor),
                    (format!("evt-{n}").as_str(), n)
                );
            }
        }
    }
}
