//! The events port (`RALIO_EVENTS_GRPC_ADDR`, `src/fanout/`): `EventsService` and health on a
//! second gRPC port whose connections are served by one task each. Everything a subscriber
//! sees there must be what the main port gives: same events, cursors, filters, consumers,
//! auth; plus what the port does itself: streams that stop reading hold up no one, streams
//! that go away are freed, shutdown closes it.

mod common;
mod events_support;

use std::time::Duration;

use common::{TOKEN_ALL, TOKEN_EVENTS, TOKEN_READ, metric};
use events_support::*;
use futures::StreamExt;
use ralio_gateway::proto::ralio::v1 as pb;
use serde_json::json;
use tonic::Code;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

const WAIT: Duration = Duration::from_secs(10);
const OPEN: &str = "ralio_gateway_event_streams_open";

fn from_earliest() -> pb::SubscribeRequest {
    pb::SubscribeRequest {
        start: earliest(),
        ..Default::default()
    }
}

async fn open(
    grpc: &common::Grpc,
    request: pb::SubscribeRequest,
) -> tonic::Streaming<pb::SubscribeResponse> {
    grpc.events()
        .subscribe(request)
        .await
        .expect("subscribe on the events port")
        .into_inner()
}

async fn events_of(
    stream: &mut tonic::Streaming<pb::SubscribeResponse>,
    n: usize,
) -> Vec<pb::Event> {
    let mut events = Vec::with_capacity(n);
    for _ in 0..n {
        events.push(next_event(stream, WAIT).await);
    }
    events
}

#[tokio::test]
async fn the_events_port_streams_exactly_what_the_main_port_streams() {
    let env = start_env(|_| {}).await;
    let url = ingest_url(&env);
    ingest(&url, 0..3).await;

    let port = env.events_port_as(TOKEN_ALL);
    let mut main = subscribe(&env, from_earliest()).await;
    // Three streams on one connection of the port: everything, one account, the head.
    let mut everything = open(&port, from_earliest()).await;
    let mut one_account = open(
        &port,
        pb::SubscribeRequest {
            start: earliest(),
            filter: filter(&[], "", "acc-1"),
            ..Default::default()
        },
    )
    .await;
    let mut head = open(&port, pb::SubscribeRequest::default()).await;
    eventually(WAIT, "four open streams", || async {
        metric(&env, OPEN).await == Some(4.0)
    })
    .await;
    ingest(&url, 3..9).await;

    let expected = events_of(&mut main, 9).await;
    assert_eq!(
        expected.iter().map(|e| e.cursor).collect::<Vec<_>>(),
        (1..=9).collect::<Vec<_>>()
    );
    // Whole messages compared: ids, cursors, typed payloads, raw JSON.
    assert_eq!(events_of(&mut everything, 9).await, expected);
    let account_1: Vec<pb::Event> = expected
        .iter()
        .filter(|e| e.id.ends_with(['1', '4', '7']))
        .cloned()
        .collect();
    assert_eq!(events_of(&mut one_account, 3).await, account_1);
    assert_eq!(events_of(&mut head, 6).await, expected[3..].to_vec());
    assert_no_event(&mut head, Duration::from_millis(200)).await;
}

#[tokio::test]
async fn unary_calls_health_and_auth_work_on_the_events_port() {
    let env = start_env(|_| {}).await;
    ingest(&ingest_url(&env), 0..4).await;
    let port = env.events_port_as(TOKEN_ALL);

    let listed = port
        .events()
        .list_events(pb::ListEventsRequest::default())
        .await
        .expect("ListEvents")
        .into_inner();
    let on_main = env
        .grpc()
        .events()
        .list_events(pb::ListEventsRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed, on_main);
    assert_eq!(listed.events.len(), 4);
    let one = port
        .events()
        .get_event(pb::GetEventRequest {
            key: Some(pb::get_event_request::Key::Id("evt-2".into())),
        })
        .await
        .expect("GetEvent")
        .into_inner()
        .event;
    assert_eq!(one.as_ref(), Some(&listed.events[2]));
    let missing = port
        .events()
        .get_event(pb::GetEventRequest {
            key: Some(pb::get_event_request::Key::Id("nope".into())),
        })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);

    // Health answers without a token, as on the main port.
    let addr = env.gateway.events_grpc_addr().unwrap();
    let channel = tonic::transport::Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect_lazy();
    eventually(WAIT, "health SERVING on the events port", || {
        let mut health = HealthClient::new(channel.clone());
        async move {
            health
                .check(tonic_health::pb::HealthCheckRequest::default())
                .await
                .is_ok_and(|r| r.into_inner().status == ServingStatus::Serving as i32)
        }
    })
    .await;

    // Only EventsService and health are served there.
    let elsewhere = port
        .users()
        .create_individual_user(common::individual_user_request())
        .await
        .unwrap_err();
    assert_eq!(elsewhere.code(), Code::Unimplemented);

    // The same tokens and scopes as the main port.
    let anonymous = env.events_port_as("not-a-token");
    let denied = anonymous
        .events()
        .subscribe(pb::SubscribeRequest::default())
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Code::Unauthenticated);
    let reader = env.events_port_as(TOKEN_READ);
    let denied = reader
        .events()
        .subscribe(pb::SubscribeRequest::default())
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied);
    let subscriber = env.events_port_as(TOKEN_EVENTS);
    let mut allowed = open(&subscriber, from_earliest()).await;
    assert_eq!(next_event(&mut allowed, WAIT).await.id, "evt-0");
}

#[tokio::test]
async fn a_durable_consumer_acks_and_gets_unacked_events_again_on_the_events_port() {
    let env = start_env(|events| events.ack_wait = Duration::from_millis(700)).await;
    ingest(&ingest_url(&env), 0..4).await;
    let port = env.events_port_as(TOKEN_ALL);
    let member = || pb::SubscribeRequest {
        start: earliest(),
        consumer: "ledger".into(),
        ..Default::default()
    };

    let mut first = open(&port, member()).await;
    let got: Vec<u64> = events_of(&mut first, 4)
        .await
        .iter()
        .map(|e| e.cursor)
        .collect();
    assert_eq!(got, vec![1, 2, 3, 4]);
    for cursor in [1, 2] {
        let acked = port
            .events()
            .ack(pb::AckRequest {
                consumer: "ledger".into(),
                cursor,
            })
            .await
            .expect("Ack")
            .into_inner();
        assert_eq!(acked.cursor, cursor);
    }
    // The member goes away with 3 and 4 unacknowledged: a new member gets them again.
    drop(first);
    let mut second = open(&port, member()).await;
    let again: Vec<u64> = events_of(&mut second, 2)
        .await
        .iter()
        .map(|e| e.cursor)
        .collect();
    assert_eq!(again, vec![3, 4]);
}

#[tokio::test]
async fn streams_that_go_away_are_freed_whether_reset_or_disconnected() {
    let env = start_env(|_| {}).await;
    let url = ingest_url(&env);
    assert_eq!(metric(&env, OPEN).await, Some(0.0));
    let port = env.events_port_as(TOKEN_ALL);
    let mut staying = open(&port, pb::SubscribeRequest::default()).await;
    let leaving = open(&port, pb::SubscribeRequest::default()).await;
    let other_connection = env.events_port_as(TOKEN_ALL);
    let disconnected = open(&other_connection, pb::SubscribeRequest::default()).await;
    eventually(WAIT, "three open streams", || async {
        metric(&env, OPEN).await == Some(3.0)
    })
    .await;

    // A stream dropped by the client is reset while its connection stays open.
    drop(leaving);
    eventually(WAIT, "the reset stream freed", || async {
        metric(&env, OPEN).await == Some(2.0)
    })
    .await;
    // A whole connection closed: its streams go with it.
    drop(disconnected);
    drop(other_connection);
    eventually(WAIT, "the disconnected stream freed", || async {
        metric(&env, OPEN).await == Some(1.0)
    })
    .await;
    // The stream that stayed on the first connection still gets events.
    ingest(&url, 0..2).await;
    let ids: Vec<String> = events_of(&mut staying, 2)
        .await
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, ["evt-0", "evt-1"]);
}

/// An event of about `size` bytes, so that a few dozen fill HTTP/2 windows.
fn large_event(i: usize, size: usize) -> Vec<u8> {
    v2(
        &format!("big-{i:03}"),
        "viban_activated",
        json!({"vibanId": format!("v{i}"), "accountId": "acc-big", "note": "x".repeat(size)}),
    )
}

#[tokio::test]
async fn a_subscriber_that_stops_reading_holds_up_no_one_and_loses_nothing() {
    const EVENTS: usize = 120;
    const SIZE: usize = 48 * 1024;
    let env = start_env(|_| {}).await;
    let url = ingest_url(&env);
    // Both on one HTTP/2 connection. 120 events of 48 KiB (5.6 MiB) are far more than the
    // stream windows (the client's 2 MiB, the gateway's send reserve and buffer) hold.
    let port = env.events_port_as(TOKEN_ALL);
    let mut reading = open(&port, pb::SubscribeRequest::default()).await;
    let mut stalled = open(&port, pb::SubscribeRequest::default()).await;
    eventually(WAIT, "two open streams", || async {
        metric(&env, OPEN).await == Some(2.0)
    })
    .await;

    let deliveries = futures::stream::iter(0..EVENTS)
        .map(|i| {
            let url = url.clone();
            async move { deliver_ok(&url, &large_event(i, SIZE)).await }
        })
        .buffered(8)
        .collect::<Vec<_>>();
    let reader = async {
        let events = events_of(&mut reading, EVENTS).await;
        events.into_iter().map(|e| e.id).collect::<Vec<_>>()
    };
    // The reading stream gets every event while the other one is not read at all.
    let (_, read) = tokio::join!(deliveries, reader);
    let expected: Vec<String> = (0..EVENTS).map(|i| format!("big-{i:03}")).collect();
    assert_eq!(read, expected);

    // The stalled stream then gets everything, in order, none twice (it caught up from the
    // log rather than from a queue).
    let caught_up: Vec<String> = events_of(&mut stalled, EVENTS)
        .await
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(caught_up, expected);
    assert_no_event(&mut stalled, Duration::from_millis(200)).await;
}

#[tokio::test]
async fn shutdown_ends_the_streams_and_closes_the_events_port() {
    let env = start_env(|_| {}).await;
    let port = env.events_port_as(TOKEN_ALL);
    let mut stream = open(&port, pb::SubscribeRequest::default()).await;
    eventually(WAIT, "one open stream", || async {
        metric(&env, OPEN).await == Some(1.0)
    })
    .await;
    let addr = env.gateway.events_grpc_addr().unwrap();
    let common::TestEnv { gateway, .. } = env;
    tokio::time::timeout(Duration::from_secs(15), gateway.shutdown())
        .await
        .expect("shutdown within its timeout")
        .expect("clean shutdown");
    // The stream has ended (its end, or an error once the connection is gone).
    let ended = tokio::time::timeout(WAIT, async {
        while let Ok(Some(_)) = stream.message().await {}
    })
    .await;
    assert!(ended.is_ok(), "the stream still runs after shutdown");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the events port still accepts connections"
    );
}
