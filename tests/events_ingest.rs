//! The webhook receiver: signature, limits, envelopes, duplicates, unknown types, rotation,
//! and the lookup RPCs over what was stored.

mod common;
mod events_support;

use std::time::Duration;

use common::{TOKEN_EVENTS, TOKEN_READ};
use events_support::*;
use ralio_gateway::proto::ralio::v1 as pb;
use serde_json::json;
use tonic::Code;

#[tokio::test]
async fn rejected_deliveries_store_nothing_and_accepted_ones_are_stored_once() {
    let env = start_env(|events| events.body_limit = 4096).await;
    let url = ingest_url(&env);
    let body = v2(
        "0b6f5b5e-0000-4000-8000-000000000001",
        "payin_completed",
        json!({"orderId": "o-1", "status": "COMPLETED", "payinType": "bankPayin"}),
    );
    let good = sign(SECRET, &body);

    // Unsigned, forged (signed with another key), wrongly signed (other body), garbage header.
    assert_eq!(deliver(&url, &body, None).await.0, 401);
    assert_eq!(
        deliver(&url, &body, Some(&sign("not-the-secret", &body)))
            .await
            .0,
        401
    );
    assert_eq!(
        deliver(&url, &body, Some(&sign(SECRET, b"{}"))).await.0,
        401
    );
    assert_eq!(deliver(&url, &body, Some("zz-not-hex")).await.0, 401);
    assert_eq!(deliver(&url, &body, Some(&good[..40])).await.0, 401);
    // A tampered body with the original signature.
    let mut tampered = body.clone();
    let last = tampered.len() - 3;
    tampered[last] ^= 1;
    assert_eq!(deliver(&url, &tampered, Some(&good)).await.0, 401);

    // Oversized: 413 even when correctly signed.
    let big = v2("big", "payin_completed", json!({"pad": "x".repeat(8000)}));
    assert_eq!(deliver(&url, &big, Some(&sign(SECRET, &big))).await.0, 413);

    // Malformed JSON and envelopes without id or type: 400 (signed, so they reach the parser).
    for bad in [
        b"{not json".to_vec(),
        b"[1,2,3]".to_vec(),
        br#"{"eventType":"payin_completed","timestamp":"t","data":{}}"#.to_vec(),
        br#"{"eventId":"x","timestamp":"t","data":{}}"#.to_vec(),
        br#"{"id":"","event":"account_activated","timestamp":"t"}"#.to_vec(),
    ] {
        let (status, reply) = deliver(&url, &bad, Some(&sign(SECRET, &bad))).await;
        assert_eq!(status, 400, "{}: {reply}", String::from_utf8_lossy(&bad));
    }
    assert!(
        all_events(&env).await.is_empty(),
        "rejected deliveries were stored"
    );

    // Accepted: upper-case hex works too; then the duplicate is acknowledged, not stored.
    let first = deliver(&url, &body, Some(&good.to_ascii_uppercase())).await;
    assert_eq!(first.0, 200, "{}", first.1);
    assert_eq!(first.1["duplicate"], false);
    let again = deliver_ok(&url, &body).await;
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["cursor"], first.1["cursor"]);
    let stored = all_events(&env).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id, "0b6f5b5e-0000-4000-8000-000000000001");
    assert_eq!(stored[0].cursor, 1);

    let metrics = reqwest::get(format!("http://{}/metrics", env.gateway.http_addr()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"ralio_gateway_webhooks_total{outcome="unauthorized"} 6"#),
        "{metrics}"
    );
    assert!(metrics.contains(r#"ralio_gateway_webhooks_total{outcome="malformed"} 5"#));
    assert!(metrics.contains(r#"ralio_gateway_webhooks_total{outcome="stored"} 1"#));
    assert!(metrics.contains(r#"ralio_gateway_webhooks_total{outcome="duplicate"} 1"#));
}

#[tokio::test]
async fn unknown_types_are_stored_with_raw_payload_and_counted() {
    let env = start_env(|_| {}).await;
    let url = ingest_url(&env);
    let raw = r#"{"zeta":1,"alpha":{"nested":[1,2.50,"x"]}}"#;
    let body = format!(
        r#"{{"id":"u-1","event":"payout.processing","timestamp":"2026-02-26T17:02:28.123Z","data":{raw}}}"#
    );
    deliver_ok(&url, body.as_bytes()).await;
    let [event] = all_events(&env).await.try_into().unwrap();
    assert_eq!(event.r#type, "payout.processing");
    assert_eq!(event.event_type, pb::EventType::Unspecified as i32);
    assert_eq!(event.envelope_version, pb::EnvelopeVersion::V1 as i32);
    assert_eq!(event.raw_json, raw, "data is kept byte for byte");
    assert!(event.payload.is_none());
    assert_eq!(event.occurred_at.unwrap().seconds, 1_772_125_348);
    assert!(event.received_at.is_some());

    // A known type whose data does not have the documented shape: stored, raw only.
    let odd = v2("odd-1", "payin_completed", json!({"unexpected": true}));
    deliver_ok(&url, &odd).await;
    let events = all_events(&env).await;
    assert_eq!(events[1].event_type, pb::EventType::PayinCompleted as i32);
    assert!(events[1].payload.is_none());

    let metrics = reqwest::get(format!("http://{}/metrics", env.gateway.http_addr()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("ralio_gateway_webhook_unknown_types_total 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn both_secrets_are_accepted_during_a_rotation() {
    let env = start_env(|_| {}).await;
    let url = ingest_url(&env);
    let new = v2("rot-new", "account_activated", json!({"accountId": "a"}));
    let old = v2("rot-old", "account_activated", json!({"accountId": "b"}));
    assert_eq!(deliver(&url, &new, Some(&sign(SECRET, &new))).await.0, 200);
    assert_eq!(
        deliver(&url, &old, Some(&sign(OLD_SECRET, &old))).await.0,
        200
    );
    assert_eq!(all_events(&env).await.len(), 2);
}

#[tokio::test]
async fn without_a_secret_the_receiver_is_not_mounted() {
    let env = common::TestEnv::start().await;
    let body = v2("x", "account_activated", json!({}));
    let (status, _) = deliver(&ingest_url(&env), &body, Some(&sign(SECRET, &body))).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn get_and_list_events_with_filters_paging_and_scope() {
    let env = start_env(|_| {}).await;
    let url = ingest_url(&env);
    for i in 0..25 {
        let body = if i % 2 == 0 {
            v2(
                &format!("p-{i}"),
                "payin_completed",
                json!({"orderId": format!("o{i}"), "status": "COMPLETED", "payinType": "bankPayin",
                       "destination": {"creditedUserId": "user-a", "creditedAccountId": format!("acc-{}", i % 4)}}),
            )
        } else {
            v2(
                &format!("v-{i}"),
                "viban_activated",
                json!({"vibanId": format!("v{i}"), "accountId": "acc-1"}),
            )
        };
        deliver_ok(&url, &body).await;
    }
    let client = env.grpc_as(TOKEN_EVENTS).events();

    // Pages of 10 over 25 events.
    let mut cursors = Vec::new();
    let mut after = 0;
    loop {
        let page = client
            .clone()
            .list_events(pb::ListEventsRequest {
                filter: None,
                after_cursor: after,
                page_size: 10,
            })
            .await
            .unwrap()
            .into_inner();
        assert!(page.events.len() <= 10);
        cursors.extend(page.events.iter().map(|e| e.cursor));
        after = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(cursors, (1..=25).collect::<Vec<u64>>());

    let list = |types: &[&str], user: &str, account: &str| {
        let client = client.clone();
        let request = pb::ListEventsRequest {
            filter: filter(types, user, account),
            after_cursor: 0,
            page_size: 100,
        };
        async move {
            client
                .clone()
                .list_events(request)
                .await
                .unwrap()
                .into_inner()
                .events
        }
    };
    assert_eq!(list(&["PAYIN.*"], "", "").await.len(), 13);
    assert_eq!(list(&["viban_*"], "", "").await.len(), 12);
    assert_eq!(list(&[], "user-a", "").await.len(), 13);
    // acc-1: vIBAN events (12) + payins with i % 4 == 1 (none: payins are even i).
    assert_eq!(list(&[], "", "acc-1").await.len(), 12);
    assert_eq!(list(&["payin.*"], "user-a", "acc-2").await.len(), 6);
    assert_eq!(list(&["kyc*"], "", "").await.len(), 0);

    let by_id = client
        .clone()
        .get_event(pb::GetEventRequest {
            key: Some(pb::get_event_request::Key::Id("v-3".into())),
        })
        .await
        .unwrap()
        .into_inner()
        .event
        .unwrap();
    assert_eq!(by_id.cursor, 4);
    assert_eq!(by_id.account_id, "acc-1");
    let by_cursor = client
        .clone()
        .get_event(pb::GetEventRequest {
            key: Some(pb::get_event_request::Key::Cursor(1)),
        })
        .await
        .unwrap()
        .into_inner()
        .event
        .unwrap();
    assert_eq!(by_cursor.id, "p-0");
    assert_eq!(by_cursor.user_id, "user-a");
    let missing = client
        .clone()
        .get_event(pb::GetEventRequest {
            key: Some(pb::get_event_request::Key::Cursor(99)),
        })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);
    let bad = client
        .clone()
        .list_events(pb::ListEventsRequest {
            filter: filter(&["a?"], "", ""),
            after_cursor: 0,
            page_size: 5,
        })
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Code::InvalidArgument);
    let bad = client
        .clone()
        .list_events(pb::ListEventsRequest {
            filter: None,
            after_cursor: 0,
            page_size: 1001,
        })
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Code::InvalidArgument);

    // `read` is not enough.
    let denied = env
        .grpc_as(TOKEN_READ)
        .events()
        .list_events(pb::ListEventsRequest::default())
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied);
    let denied = env
        .grpc_as(TOKEN_READ)
        .events()
        .subscribe(pb::SubscribeRequest::default())
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied);
    let _ = Duration::ZERO;
}
