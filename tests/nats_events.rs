//! The JetStream event log (`events.backend = "nats"`) behind the real gateway, on a real
//! nats-server: ingest stores each event once (also a duplicate that comes after JetStream's
//! dedup window), Subscribe from the earliest event and after a cursor, GetEvent, named
//! consumers (ack, redelivery after the ack-wait, resume after a restart), and two logs on one
//! stream waking each other's readers.

mod common;
mod events_support;
mod nats_support;

use std::sync::Arc;
use std::time::Duration;

use events_support::*;
use nats_support::NatsServer;
use ralio_gateway::events::filter::EventFilter;
use ralio_gateway::events::jetstream::{JetStreamLog, NatsSettings};
use ralio_gateway::events::log::{EventLog, NewEvent};
use ralio_gateway::events::{Backend, EventsSettings};
use ralio_gateway::proto::ralio::v1 as pb;
use serde_json::json;
use tonic::Code;

const WAIT: Duration = Duration::from_secs(10);

async fn ingest(url: &str, range: std::ops::Range<usize>) {
    for i in range {
        let reply = deliver_ok(url, &account_event(i)).await;
        assert_eq!(reply["duplicate"], false, "{reply}");
    }
}

fn on_nats(
    nats: &NatsServer,
    tune: impl FnOnce(&mut NatsSettings, &mut EventsSettings) + Send + 'static,
) -> impl FnOnce(&mut EventsSettings) + Send + 'static {
    let url = nats.url();
    move |events: &mut EventsSettings| {
        let mut settings = NatsSettings {
            url,
            ..NatsSettings::default()
        };
        tune(&mut settings, events);
        events.backend = Backend::Nats(settings);
    }
}

async fn collect(stream: &mut tonic::Streaming<pb::SubscribeResponse>, n: usize) -> Vec<u64> {
    let mut cursors = Vec::new();
    while cursors.len() < n {
        cursors.push(next_event(stream, WAIT).await.cursor);
    }
    cursors
}

#[tokio::test]
async fn ingest_stores_once_in_jetstream_and_subscribe_reads_it_back() {
    let nats = NatsServer::start().await;
    let env = start_env(on_nats(&nats, |settings, _| {
        settings.duplicate_window = Duration::from_secs(1);
    }))
    .await;
    let url = ingest_url(&env);
    ingest(&url, 0..6).await;

    // A duplicate inside JetStream's dedup window, and one long after it: both acknowledged
    // with the original cursor, neither stored.
    let again = deliver_ok(&url, &account_event(2)).await;
    assert_eq!(
        (again["duplicate"].clone(), again["cursor"].clone()),
        (json!(true), json!(3))
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let late = deliver_ok(&url, &account_event(4)).await;
    assert_eq!(
        (late["duplicate"].clone(), late["cursor"].clone()),
        (json!(true), json!(5))
    );

    // The events are in the stream itself, once each.
    let jetstream = async_nats::jetstream::new(nats.client().await);
    let mut stream = jetstream
        .get_stream("RALIO_EVENTS")
        .await
        .expect("stream exists");
    assert_eq!(stream.info().await.unwrap().state.messages, 6);

    let listed = all_events(&env).await;
    assert_eq!(
        listed
            .iter()
            .map(|e| (e.cursor, e.id.as_str()))
            .collect::<Vec<_>>(),
        (1..=6u64)
            .map(|cursor| (cursor, format!("evt-{}", cursor - 1)))
            .collect::<Vec<_>>()
            .iter()
            .map(|(c, id)| (*c, id.as_str()))
            .collect::<Vec<_>>()
    );

    // GetEvent by id and by cursor; unknown ones are NOT_FOUND.
    let events = env.grpc().events();
    let by_id = events
        .clone()
        .get_event(pb::GetEventRequest {
            key: Some(pb::get_event_request::Key::Id("evt-3".into())),
        })
        .await
        .expect("get by id")
        .into_inner();
    assert_eq!(by_id.event.as_ref().map(|e| e.cursor), Some(4));
    let by_cursor = events
        .clone()
        .get_event(pb::GetEventRequest {
            key: Some(pb::get_event_request::Key::Cursor(6)),
        })
        .await
        .expect("get by cursor")
        .into_inner();
    assert_eq!(by_cursor.event.map(|e| e.id), Some("evt-5".to_owned()));
    let missing = events
        .clone()
        .get_event(pb::GetEventRequest {
            key: Some(pb::get_event_request::Key::Id("nope".into())),
        })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);

    // Subscribe: earliest, after a cursor, and both see the next live event.
    let mut from_start = subscribe(
        &env,
        pb::SubscribeRequest {
            start: earliest(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(collect(&mut from_start, 6).await, vec![1, 2, 3, 4, 5, 6]);
    let mut after_four = subscribe(
        &env,
        pb::SubscribeRequest {
            start: after(4),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(collect(&mut after_four, 2).await, vec![5, 6]);
    // Filtered: account acc-1 only (events 1 and 4 → cursors 2 and 5).
    let mut filtered = subscribe(
        &env,
        pb::SubscribeRequest {
            start: earliest(),
            filter: filter(&["viban.*"], "", "acc-1"),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(collect(&mut filtered, 2).await, vec![2, 5]);

    // Live: evt-6 (acc-0) and evt-7 (acc-1).
    ingest(&url, 6..8).await;
    assert_eq!(next_event(&mut from_start, WAIT).await.id, "evt-6");
    assert_eq!(next_event(&mut from_start, WAIT).await.id, "evt-7");
    assert_eq!(collect(&mut after_four, 2).await, vec![7, 8]);
    assert_eq!(next_event(&mut filtered, WAIT).await.cursor, 8);
    assert_no_event(&mut from_start, Duration::from_millis(200)).await;
}

#[tokio::test]
async fn a_named_consumer_acks_and_gets_unacked_events_again() {
    let nats = NatsServer::start().await;
    let env = start_env(on_nats(&nats, |_, events| {
        events.ack_wait = Duration::from_millis(700);
    }))
    .await;
    let url = ingest_url(&env);
    ingest(&url, 0..5).await;
    let request = || pb::SubscribeRequest {
        start: earliest(),
        consumer: "billing".into(),
        ..Default::default()
    };

    let mut first = subscribe(&env, request()).await;
    assert_eq!(collect(&mut first, 5).await, vec![1, 2, 3, 4, 5]);
    let events = env.grpc().events();
    let ack = |cursor: u64| {
        let events = events.clone();
        async move {
            events
                .clone()
                .ack(pb::AckRequest {
                    consumer: "billing".into(),
                    cursor,
                })
                .await
        }
    };
    assert_eq!(ack(1).await.unwrap().into_inner().cursor, 1);
    assert_eq!(ack(2).await.unwrap().into_inner().cursor, 2);
    // The member "crashes" without acking 3..5.
    drop(first);

    let started = std::time::Instant::now();
    let mut second = subscribe(&env, request()).await;
    assert_eq!(collect(&mut second, 3).await, vec![3, 4, 5]);
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "redelivered before the ack-wait"
    );
    assert_eq!(ack(4).await.unwrap().into_inner().cursor, 2);
    assert_eq!(ack(3).await.unwrap().into_inner().cursor, 4);
    assert_eq!(ack(5).await.unwrap().into_inner().cursor, 5);
    assert_eq!(ack(99).await.unwrap_err().code(), Code::InvalidArgument);
    drop(second);

    // The position is in JetStream KV: a restarted gateway (same NATS, new data dir would do
    // too) resumes after it.
    ingest(&url, 5..7).await;
    let mut env = env;
    env.restart_gateway().await;
    let mut third = subscribe(&env, request()).await;
    assert_eq!(collect(&mut third, 2).await, vec![6, 7]);
    assert_no_event(&mut third, Duration::from_millis(300)).await;
}

fn new_event(i: usize) -> NewEvent {
    NewEvent {
        id: format!("direct-{i}"),
        type_name: "payin_completed".into(),
        envelope: ralio_core::webhook::Envelope::V2,
        occurred_at: "2026-02-26T17:02:28.123Z".into(),
        user_id: Some("u1".into()),
        account_id: None,
        data: format!(r#"{{"n": {i}}}"#),
    }
}

#[tokio::test]
async fn two_logs_on_one_stream_see_each_others_events() {
    let nats = NatsServer::start().await;
    let settings = NatsSettings {
        url: nats.url(),
        ..NatsSettings::default()
    };
    let a = JetStreamLog::open(nats.client().await, &settings)
        .await
        .unwrap();
    let b = JetStreamLog::open(nats.client().await, &settings)
        .await
        .unwrap();
    let mut b_head = b.watch_head();

    let outcomes = a.append((0..3).map(new_event).collect()).await.unwrap();
    assert_eq!(
        outcomes
            .iter()
            .map(|o| (o.cursor, o.duplicate))
            .collect::<Vec<_>>(),
        vec![(1, false), (2, false), (3, false)]
    );
    // B learns about A's appends through the stream, not through A.
    tokio::time::timeout(WAIT, b_head.wait_for(|head| *head >= 3))
        .await
        .expect("B's head moves in time")
        .unwrap();
    assert_eq!(b.latest_cursor(), 3);
    let all = Arc::new(EventFilter::default());
    let batch = b.read_from(0, Arc::clone(&all), 10).await.unwrap();
    assert_eq!(
        batch
            .events
            .iter()
            .map(|e| e.event.clone())
            .collect::<Vec<_>>(),
        (0..3).map(new_event).collect::<Vec<_>>()
    );
    assert_eq!(batch.scanned_to, 3);

    // The same event appended through B is a duplicate with A's cursor.
    let again = b.append(vec![new_event(1)]).await.unwrap();
    assert_eq!((again[0].cursor, again[0].duplicate), (2, true));
    assert_eq!(
        b.get_by_id("direct-2".into())
            .await
            .unwrap()
            .unwrap()
            .cursor,
        3
    );
    assert!(b.get_by_cursor(4).await.unwrap().is_none());

    // A fresh log opened later reads everything from storage (nothing in its memory tail).
    let c = JetStreamLog::open(nats.client().await, &settings)
        .await
        .unwrap();
    assert_eq!(c.latest_cursor(), 3);
    let from_storage = c.read_from(1, all, 10).await.unwrap();
    assert_eq!(
        from_storage
            .events
            .iter()
            .map(|e| e.cursor)
            .collect::<Vec<_>>(),
        vec![2, 3]
    );
    // Time: everything was received after the epoch and before the far future.
    assert_eq!(c.cursor_before_time(0).await.unwrap(), 0);
    assert_eq!(c.cursor_before_time(i64::MAX / 4).await.unwrap(), 3);

    // Consumer positions are shared: an ack through A is B's position.
    let member = a
        .join(
            "shared".into(),
            Arc::new(EventFilter::default()),
            0,
            Default::default(),
        )
        .await
        .unwrap();
    drop(member);
    assert_eq!(a.ack("shared".into(), 2).await.unwrap(), 2);
    assert_eq!(b.position("shared".into()).await.unwrap(), Some(2));
    assert_eq!(b.ack("shared".into(), 1).await.unwrap(), 2);
}

#[tokio::test]
async fn readers_recover_when_nats_restarts() {
    let mut nats = NatsServer::start().await;
    let settings = NatsSettings {
        url: nats.url(),
        ..NatsSettings::default()
    };
    let a = JetStreamLog::open(nats.client().await, &settings)
        .await
        .unwrap();
    let b = JetStreamLog::open(nats.client().await, &settings)
        .await
        .unwrap();
    a.append(vec![new_event(0)]).await.unwrap();

    nats.restart().await;

    // Once the clients have reconnected, appends work again and B still follows the stream.
    let deadline = tokio::time::Instant::now() + WAIT;
    let outcome = loop {
        match a.append(vec![new_event(1)]).await {
            Ok(outcome) => break outcome,
            Err(err) => {
                assert!(tokio::time::Instant::now() < deadline, "{err}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    assert_eq!((outcome[0].cursor, outcome[0].duplicate), (2, false));
    let mut b_head = b.watch_head();
    tokio::time::timeout(WAIT, b_head.wait_for(|head| *head >= 2))
        .await
        .expect("B follows again after the restart")
        .unwrap();
    let batch = b
        .read_from(0, Arc::new(EventFilter::default()), 10)
        .await
        .unwrap();
    assert_eq!(
        batch
            .events
            .iter()
            .map(|e| e.event.id.as_str())
            .collect::<Vec<_>>(),
        vec!["direct-0", "direct-1"]
    );
}
