//! Subscribe: start positions, filters, heartbeats, resume without gap or duplicate, durable
//! consumers (ack, redelivery after the ack-wait, competing members).

mod common;
mod events_support;

use std::collections::HashSet;
use std::time::Duration;

use common::metric;
use events_support::*;
use ralio_gateway::proto::ralio::v1 as pb;
use serde_json::json;
use tonic::Code;

const WAIT: Duration = Duration::from_secs(10);

/// A subscription from the latest position with the shortest heartbeat interval allowed (1 s).
fn heartbeat_every_second() -> pb::SubscribeRequest {
    pb::SubscribeRequest {
        heartbeat_interval: Some(prost_types::Duration {
            seconds: 1,
            nanos: 0,
        }),
        ..Default::default()
    }
}

#[tokio::test]
async fn start_positions_filters_and_heartbeats() {
    let env = start_env(|_| {}).await;
    let url = ingest_url(&env);
    ingest(&url, 0..6).await;

    // earliest: everything, in order.
    let mut stream = subscribe(
        &env,
        pb::SubscribeRequest {
            start: earliest(),
            ..Default::default()
        },
    )
    .await;
    for cursor in 1..=6 {
        assert_eq!(next_event(&mut stream, WAIT).await.cursor, cursor);
    }
    // latest (the default): only what comes after.
    let mut latest = subscribe(&env, pb::SubscribeRequest::default()).await;
    // after a cursor (exclusive).
    let mut after_four = subscribe(
        &env,
        pb::SubscribeRequest {
            start: after(4),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(next_event(&mut after_four, WAIT).await.cursor, 5);
    // filter by account (acc-1: events 1 and 4 → cursors 2 and 5) and by type glob.
    let mut acc1 = subscribe(
        &env,
        pb::SubscribeRequest {
            start: earliest(),
            filter: filter(&[], "", "acc-1"),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(next_event(&mut acc1, WAIT).await.cursor, 2);
    assert_eq!(next_event(&mut acc1, WAIT).await.cursor, 5);
    let mut payins = subscribe(
        &env,
        pb::SubscribeRequest {
            start: earliest(),
            filter: filter(&["payin.*"], "", ""),
            ..Default::default()
        },
    )
    .await;

    ingest(&url, 6..7).await;
    assert_eq!(next_event(&mut latest, WAIT).await.cursor, 7);
    assert_eq!(next_event(&mut stream, WAIT).await.cursor, 7);
    assert_eq!(next_event(&mut after_four, WAIT).await.cursor, 6);
    assert_eq!(next_event(&mut after_four, WAIT).await.cursor, 7);

    let payin = v2(
        "pay-1",
        "payin.completed",
        json!({"orderId": "o", "status": "COMPLETED", "payinType": "cardPayin",
        "destination": {"creditedUserId": "u-9", "creditedAccountId": "acc-1"}}),
    );
    deliver_ok(&url, &payin).await;
    let event = next_event(&mut payins, WAIT).await;
    assert_eq!(
        (event.cursor, event.r#type.as_str()),
        (8, "payin.completed")
    );
    assert_eq!(event.event_type, pb::EventType::PayinCompleted as i32);
    assert_eq!(next_event(&mut acc1, WAIT).await.cursor, 8);
    let mut by_user = subscribe(
        &env,
        pb::SubscribeRequest {
            start: earliest(),
            filter: filter(&[], "u-9", ""),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(next_event(&mut by_user, WAIT).await.cursor, 8);

    // Heartbeats at the requested interval (1 s minimum) on an idle stream, with the head.
    let mut idle = subscribe(&env, heartbeat_every_second()).await;
    let started = std::time::Instant::now();
    let message = tokio::time::timeout(Duration::from_secs(5), idle.message())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    match message.kind {
        Some(pb::subscribe_response::Kind::Heartbeat(heartbeat)) => {
            assert_eq!(heartbeat.head_cursor, 8);
            assert!(heartbeat.sent_at.is_some());
        }
        other => panic!("expected a heartbeat, got {other:?}"),
    }
    assert!(started.elapsed() >= Duration::from_millis(900));

    // at_time: a time after everything so far starts at the next event.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let mut at_now = subscribe(
        &env,
        pb::SubscribeRequest {
            start: Some(pb::subscribe_request::Start::AtTime(
                prost_types::Timestamp {
                    seconds: now.as_secs() as i64,
                    nanos: now.subsec_nanos() as i32,
                },
            )),
            ..Default::default()
        },
    )
    .await;
    let mut at_zero = subscribe(
        &env,
        pb::SubscribeRequest {
            start: Some(pb::subscribe_request::Start::AtTime(
                prost_types::Timestamp {
                    seconds: 0,
                    nanos: 0,
                },
            )),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(next_event(&mut at_zero, WAIT).await.cursor, 1);
    ingest(&url, 7..8).await;
    assert_eq!(next_event(&mut at_now, WAIT).await.cursor, 9);

    // Bad requests.
    let beyond = env
        .grpc()
        .events()
        .subscribe(pb::SubscribeRequest {
            start: after(1000),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(beyond.code(), Code::InvalidArgument);
    let bad_name = env
        .grpc()
        .events()
        .subscribe(pb::SubscribeRequest {
            consumer: "no spaces".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(bad_name.code(), Code::InvalidArgument);
}

#[tokio::test]
async fn a_stream_receiving_events_gets_no_heartbeat_until_an_interval_after_its_last_event() {
    let env = start_env(|_| {}).await;
    let url = ingest_url(&env);
    let mut stream = subscribe(&env, heartbeat_every_second()).await;
    // Events every ~100 ms for 2.5 s: two or three heartbeat ticks come during it, each less
    // than an interval after the last event (a wide margin, for a loaded machine), and none
    // may turn into a heartbeat.
    let mut last_event = std::time::Instant::now();
    for i in 0..25 {
        deliver_ok(&url, &account_event(i)).await;
        let message = tokio::time::timeout(WAIT, stream.message())
            .await
            .expect("a message in time")
            .expect("stream open")
            .expect("not ended");
        match message.kind {
            Some(pb::subscribe_response::Kind::Event(event)) => {
                assert_eq!(event.cursor, i as u64 + 1)
            }
            other => panic!("expected event {}, got {other:?}", i + 1),
        }
        last_event = std::time::Instant::now();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Then silence: the next message is a heartbeat, about an interval after the last event
    // (received here a little after the gateway read it, hence the margin).
    let message = tokio::time::timeout(WAIT, stream.message())
        .await
        .expect("a heartbeat in time")
        .expect("stream open")
        .expect("not ended");
    assert!(
        matches!(
            message.kind,
            Some(pb::subscribe_response::Kind::Heartbeat(_))
        ),
        "{message:?}"
    );
    assert!(last_event.elapsed() >= Duration::from_millis(500));
}

#[tokio::test]
async fn a_subscriber_resumes_after_its_last_cursor_without_gap_or_duplicate() {
    let env = start_env(|_| {}).await;
    let url = ingest_url(&env);
    let burst = tokio::spawn({
        let url = url.clone();
        async move { ingest(&url, 0..200).await }
    });
    let mut seen: Vec<u64> = Vec::new();
    let mut stream = subscribe(
        &env,
        pb::SubscribeRequest {
            start: earliest(),
            ..Default::default()
        },
    )
    .await;
    while seen.len() < 60 {
        seen.push(next_event(&mut stream, WAIT).await.cursor);
    }
    // Disconnect mid-burst.
    drop(stream);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let last = *seen.last().unwrap();
    let mut resumed = subscribe(
        &env,
        pb::SubscribeRequest {
            start: after(last),
            ..Default::default()
        },
    )
    .await;
    while seen.len() < 200 {
        seen.push(next_event(&mut resumed, WAIT).await.cursor);
    }
    burst.await.unwrap();
    assert_eq!(seen, (1..=200).collect::<Vec<u64>>(), "gap or duplicate");
    assert_no_event(&mut resumed, Duration::from_millis(200)).await;
}

#[tokio::test]
async fn a_client_that_goes_away_frees_its_stream() {
    const OPEN: &str = "ralio_gateway_event_streams_open";
    let env = start_env(|_| {}).await;
    let url = ingest_url(&env);
    assert_eq!(metric(&env, OPEN).await, Some(0.0));

    let mut live = subscribe(&env, pb::SubscribeRequest::default()).await;
    let filtered = subscribe(
        &env,
        pb::SubscribeRequest {
            start: earliest(),
            filter: filter(&["payin.*"], "", ""),
            ..Default::default()
        },
    )
    .await;
    let mut member = subscribe(
        &env,
        pb::SubscribeRequest {
            consumer: "leaver".into(),
            ..Default::default()
        },
    )
    .await;
    eventually(WAIT, "three open streams", || async {
        metric(&env, OPEN).await == Some(3.0)
    })
    .await;
    ingest(&url, 0..1).await;
    assert_eq!(next_event(&mut live, WAIT).await.id, "evt-0");
    assert_eq!(next_event(&mut member, WAIT).await.id, "evt-0");

    // The plain subscriber leaves while caught up, the filtered one while idle (no payin came),
    // the member with evt-0 leased and not acked: the gateway drops all three.
    drop(live);
    drop(filtered);
    drop(member);
    eventually(WAIT, "no open stream", || async {
        metric(&env, OPEN).await == Some(0.0)
    })
    .await;
    // The gateway still serves new streams after the others left.
    let mut again = subscribe(
        &env,
        pb::SubscribeRequest {
            start: earliest(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(next_event(&mut again, WAIT).await.id, "evt-0");
    assert_eq!(metric(&env, OPEN).await, Some(1.0));
}

#[tokio::test]
async fn a_named_consumer_gets_unacked_events_again_after_the_ack_wait() {
    let env = start_env(|events| events.ack_wait = Duration::from_millis(700)).await;
    let url = ingest_url(&env);
    ingest(&url, 0..5).await;
    let request = || pb::SubscribeRequest {
        start: earliest(),
        consumer: "billing".into(),
        ..Default::default()
    };

    // First member reads everything, acks the first two, then "crashes".
    let mut first = subscribe(&env, request()).await;
    let got: Vec<u64> = futures_collect(&mut first, 5).await;
    assert_eq!(got, vec![1, 2, 3, 4, 5]);
    let events = env.grpc().events();
    for cursor in [1, 2] {
        let position = events
            .clone()
            .ack(pb::AckRequest {
                consumer: "billing".into(),
                cursor,
            })
            .await
            .unwrap()
            .into_inner()
            .cursor;
        assert_eq!(position, cursor);
    }
    drop(first);

    // A new member of the same consumer: nothing before the ack-wait, then 3..5 again.
    let started = std::time::Instant::now();
    let mut second = subscribe(&env, request()).await;
    let again = futures_collect(&mut second, 3).await;
    assert_eq!(again, vec![3, 4, 5]);
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "redelivered before the ack-wait"
    );

    // Acks: out of order is fine, the position moves only past contiguous acks, never back.
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
    assert_eq!(ack(4).await.unwrap().into_inner().cursor, 2);
    assert_eq!(ack(3).await.unwrap().into_inner().cursor, 4);
    assert_eq!(ack(1).await.unwrap().into_inner().cursor, 4);
    assert_eq!(ack(5).await.unwrap().into_inner().cursor, 5);
    assert_eq!(ack(99).await.unwrap_err().code(), Code::InvalidArgument);
    let unknown = events
        .clone()
        .ack(pb::AckRequest {
            consumer: "nobody".into(),
            cursor: 1,
        })
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Code::NotFound);
    drop(second);

    // After a restart of the gateway, the consumer resumes after its stored position.
    ingest(&url, 5..7).await;
    let mut env = env;
    env.restart_gateway().await;
    let mut third = subscribe(&env, request()).await;
    assert_eq!(futures_collect(&mut third, 2).await, vec![6, 7]);
    assert_no_event(&mut third, Duration::from_millis(300)).await;
}

#[tokio::test]
async fn members_of_one_consumer_share_the_work() {
    let env = start_env(|events| {
        events.ack_wait = Duration::from_secs(60);
        events.max_in_flight_per_member = 5;
    })
    .await;
    let url = ingest_url(&env);
    ingest(&url, 0..20).await;
    let request = || pb::SubscribeRequest {
        start: earliest(),
        consumer: "workers".into(),
        ..Default::default()
    };
    let mut a = subscribe(&env, request()).await;
    let first_a = futures_collect(&mut a, 5).await;
    // A holds 5 unacked events (its limit): B gets the next ones.
    let mut b = subscribe(&env, request()).await;
    let first_b = futures_collect(&mut b, 5).await;
    assert_eq!(first_a, vec![1, 2, 3, 4, 5]);
    assert_eq!(first_b, vec![6, 7, 8, 9, 10]);

    // Both ack what they get and read on until all 20 are handled, each by one member.
    let events = env.grpc().events();
    let worker = |mut stream: tonic::Streaming<pb::SubscribeResponse>, initial: Vec<u64>| {
        let events = events.clone();
        async move {
            let mut handled = initial.clone();
            for cursor in initial {
                events
                    .clone()
                    .ack(pb::AckRequest {
                        consumer: "workers".into(),
                        cursor,
                    })
                    .await
                    .unwrap();
            }
            while let Ok(event) =
                tokio::time::timeout(Duration::from_millis(700), next_event(&mut stream, WAIT))
                    .await
            {
                events
                    .clone()
                    .ack(pb::AckRequest {
                        consumer: "workers".into(),
                        cursor: event.cursor,
                    })
                    .await
                    .unwrap();
                handled.push(event.cursor);
            }
            handled
        }
    };
    let (from_a, from_b) = tokio::join!(worker(a, first_a), worker(b, first_b));
    let set_a: HashSet<u64> = from_a.iter().copied().collect();
    let set_b: HashSet<u64> = from_b.iter().copied().collect();
    assert!(
        set_a.is_disjoint(&set_b),
        "an event went to both: {from_a:?} {from_b:?}"
    );
    assert_eq!(from_a.len() + from_b.len(), 20, "{from_a:?} {from_b:?}");
    let all: HashSet<u64> = set_a.union(&set_b).copied().collect();
    assert_eq!(all, (1..=20).collect());
    let position = env
        .grpc()
        .events()
        .ack(pb::AckRequest {
            consumer: "workers".into(),
            cursor: 1,
        })
        .await
        .unwrap()
        .into_inner()
        .cursor;
    assert_eq!(position, 20);
}

/// Reads `n` events' cursors from a stream.
async fn futures_collect(
    stream: &mut tonic::Streaming<pb::SubscribeResponse>,
    n: usize,
) -> Vec<u64> {
    let mut cursors = Vec::with_capacity(n);
    while cursors.len() < n {
        cursors.push(next_event(stream, WAIT).await.cursor);
    }
    cursors
}
