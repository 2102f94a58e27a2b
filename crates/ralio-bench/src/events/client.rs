//! The client side: signed webhook deliveries and `Subscribe` streams.
//!
//! Subscribers decode only what they need (`Event.id` and `Event.cursor`; every other field is
//! skipped by prost as unknown), the same for the gateway and the floor, so that the client,
//! which shares the machine's cores with the server, takes as little CPU as it can.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use ralio_core::Secret;
use ralio_gateway::proto::ralio::v1 as pb;
use tonic::Request;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::{Channel, Endpoint};

use super::child::{TOKEN, WEBHOOK_SECRET};

/// `SubscribeResponse` as the benchmark reads it: the event's id and cursor, or nothing (a
/// heartbeat).
#[derive(Clone, PartialEq, prost::Message)]
pub struct LightResponse {
    #[prost(message, optional, tag = "1")]
    pub event: Option<LightEvent>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct LightEvent {
    #[prost(string, tag = "1")]
    pub id: String,
    #[prost(uint64, tag = "7")]
    pub cursor: u64,
}

pub type Events = tonic::Streaming<LightResponse>;

/// `count` HTTP/2 connections to `addr`.
pub async fn channels(addr: SocketAddr, count: usize) -> anyhow::Result<Vec<Channel>> {
    let mut channels = Vec::with_capacity(count);
    for _ in 0..count {
        channels.push(
            Endpoint::from_shared(format!("http://{addr}"))?
                .tcp_nodelay(true)
                .connect()
                .await?,
        );
    }
    Ok(channels)
}

/// Where a subscription starts.
#[derive(Clone, Copy)]
pub enum Start {
    Earliest,
    Latest,
}

/// Opens one `Subscribe` stream (all events, no consumer).
pub async fn subscribe(
    channel: Channel,
    start: Start,
    heartbeat: Duration,
) -> anyhow::Result<Events> {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.context("channel not ready")?;
    let mut request = Request::new(pb::SubscribeRequest {
        start: Some(match start {
            Start::Earliest => pb::subscribe_request::Start::Earliest(true),
            Start::Latest => pb::subscribe_request::Start::Latest(true),
        }),
        heartbeat_interval: Some(prost_types_duration(heartbeat)),
        ..Default::default()
    });
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {TOKEN}").parse()?);
    let codec = tonic_prost::ProstCodec::<pb::SubscribeRequest, LightResponse>::default();
    let response = grpc
        .server_streaming(
            request,
            PathAndQuery::from_static("/ralio.v1.EventsService/Subscribe"),
            codec,
        )
        .await?;
    Ok(response.into_inner())
}

fn prost_types_duration(duration: Duration) -> prost_types::Duration {
    prost_types::Duration {
        seconds: i64::try_from(duration.as_secs()).unwrap_or(i64::MAX),
        nanos: 0,
    }
}

/// Every stored event, in cursor order, through `ListEvents` (full protos).
pub async fn list_all(channel: Channel) -> anyhow::Result<Vec<pb::Event>> {
    use pb::events_service_client::EventsServiceClient;
    let mut client = EventsServiceClient::new(channel).max_decoding_message_size(64 << 20);
    let mut events = Vec::new();
    let mut after = 0;
    loop {
        let mut request = Request::new(pb::ListEventsRequest {
            after_cursor: after,
            page_size: 1000,
            ..Default::default()
        });
        request
            .metadata_mut()
            .insert("authorization", format!("Bearer {TOKEN}").parse()?);
        let page = client.list_events(request).await?.into_inner();
        events.extend(page.events);
        after = page.next_cursor;
        if !page.has_more {
            return Ok(events);
        }
    }
}

/// Signs and POSTs webhook bodies to a gateway's receiver.
#[derive(Clone)]
pub struct Webhooks {
    http: reqwest::Client,
    url: String,
    secret: Secret,
}

impl Webhooks {
    pub fn new(http_addr: SocketAddr, connections: usize) -> anyhow::Result<Self> {
        Ok(Self {
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(connections)
                .tcp_nodelay(true)
                .build()?,
            url: format!(
                "http://{http_addr}{}",
                ralio_gateway::events::ingest::WEBHOOK_PATH
            ),
            secret: Secret::new(WEBHOOK_SECRET),
        })
    }

    /// Delivers event `id`; true when the gateway answered 200 (durably stored).
    pub async fn deliver(&self, id: &str) -> bool {
        let body = payin_completed(id);
        let signature = ralio_core::webhook::sign(&self.secret, body.as_bytes());
        match self
            .http
            .post(&self.url)
            .header(ralio_core::webhook::SIGNATURE_HEADER, signature)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
        {
            Ok(response) => response.status() == reqwest::StatusCode::OK,
            Err(_) => false,
        }
    }
}

/// A `payin_completed` delivery (v2 envelope) shaped like webhooks.md §5.1: about 900 bytes,
/// with a typed payload on the gateway's side.
pub fn payin_completed(id: &str) -> String {
    format!(
        r#"{{"eventId":"{id}","eventType":"payin_completed","timestamp":"2026-11-24T10:15:30.123Z","data":{{"status":"COMPLETED","payinType":"cardPayin","orderId":"6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6b","ownReference":"order-{id}","source":{{"type":"card","payer":{{"name":"Ada Lovelace","email":"ada@example.com","phone":"+44 20 7946 0000"}},"cardBin":"999999","cardLastFour":"9999"}},"destination":{{"type":"account","creditedAccountId":"0b5e8c1d-7f2a-4c3b-8d9e-0f1a2b3c4d5e","creditedUserId":"9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"}},"amounts":{{"receivedAmount":{{"amount":15000,"currency":"USD"}},"fees":{{"currency":"EUR","total":506,"breakdown":{{"systemFee":253,"merchantFee":253}}}},"amountAfterFees":{{"amount":12124,"currency":"EUR"}},"fx":{{"pair":"USD/EUR","rate":"0.8420077465"}},"creditedAmount":{{"amount":12124,"currency":"EUR"}}}}}}}}"#
    )
}
