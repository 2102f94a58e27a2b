//! JetStream direct gets (`$JS.API.DIRECT.GET.<stream>`), including the batched form
//! (nats-server ≥ 2.11) that async-nats does not wrap: one request, up to `batch` messages
//! streamed back to an inbox, then an end-of-batch status.

use std::time::Duration;

use async_nats::jetstream::message::StreamMessage;
use futures::StreamExt;
use serde_json::json;

use crate::events::log::LogError;

/// Bounds one direct get (a healthy server answers in microseconds).
const TIMEOUT: Duration = Duration::from_secs(10);

fn storage(err: impl std::fmt::Display) -> LogError {
    LogError::Storage(format!("reading the event stream: {err}"))
}

/// What one message lookup starts from.
pub enum From<'a> {
    /// The message with this sequence.
    Exactly(u64),
    /// The first message on a subject (wildcards allowed).
    Subject(&'a str),
}

/// One message, or `None` when there is none.
pub async fn first(
    client: &async_nats::Client,
    stream: &str,
    from: From<'_>,
) -> Result<Option<StreamMessage>, LogError> {
    let request = match from {
        From::Exactly(seq) => json!({ "seq": seq }),
        From::Subject(subject) => json!({ "seq": 1, "next_by_subj": subject }),
    };
    let reply = tokio::time::timeout(
        TIMEOUT,
        client.request(
            format!("$JS.API.DIRECT.GET.{stream}"),
            request.to_string().into(),
        ),
    )
    .await
    .map_err(|_| storage("timed out"))?
    .map_err(storage)?;
    match reply.status {
        Some(status) if status.as_u16() == 404 => Ok(None),
        Some(status) if status.as_u16() != 200 => Err(storage(format!(
            "{status} {}",
            reply.description.as_deref().unwrap_or_default()
        ))),
        _ => StreamMessage::try_from(reply).map(Some).map_err(storage),
    }
}

/// Up to `batch` messages with a sequence at or above `from_seq`, in order.
pub async fn batch(
    client: &async_nats::Client,
    stream: &str,
    from_seq: u64,
    batch: usize,
) -> Result<Vec<StreamMessage>, LogError> {
    let inbox = client.new_inbox();
    let mut replies = client.subscribe(inbox.clone()).await.map_err(storage)?;
    client
        .publish_with_reply(
            format!("$JS.API.DIRECT.GET.{stream}"),
            inbox,
            json!({ "seq": from_seq.max(1), "batch": batch })
                .to_string()
                .into(),
        )
        .await
        .map_err(storage)?;
    let mut messages = Vec::new();
    let result = tokio::time::timeout(TIMEOUT, async {
        while let Some(reply) = replies.next().await {
            match reply.status.map(|status| status.as_u16()) {
                // End of batch.
                Some(204) => return Ok(()),
                // Nothing at or after `from_seq`.
                Some(404) => return Ok(()),
                Some(status) if status != 200 => {
                    return Err(storage(format!(
                        "{status} {}",
                        reply.description.as_deref().unwrap_or_default()
                    )));
                }
                _ => messages.push(StreamMessage::try_from(reply).map_err(storage)?),
            }
        }
        Err(storage("the connection closed"))
    })
    .await;
    let _ = replies.unsubscribe().await;
    match result {
        Ok(Ok(())) => Ok(messages),
        Ok(Err(err)) => Err(err),
        Err(_) => Err(storage("timed out")),
    }
}
