//! Property tests (proptest) of the webhook ingest: the parser never panics and accepts exactly
//! the envelopes it should, both envelopes and both naming styles normalise to the same proto
//! `Event`, the signature check accepts either hex case of the right MAC and nothing else; and
//! the same properties over HTTP against a running gateway.

mod common;
mod events_support;

use std::cell::RefCell;
use std::collections::HashMap;

use events_support::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use ralio_core::Secret;
use ralio_core::webhook::{sign as core_sign, verify_signature};
use ralio_gateway::events::ingest::parse_delivery;
use ralio_gateway::events::log::{LoggedEvent, NewEvent};
use ralio_gateway::proto::ralio::v1 as pb;
use serde_json::{Map, Value, json};

/// The documented events, by wire name, and their proto enum.
const KNOWN: &[(&str, pb::EventType)] = &[
    ("account_activated", pb::EventType::AccountActivated),
    ("payin_processing", pb::EventType::PayinProcessing),
    ("payin_completed", pb::EventType::PayinCompleted),
    ("payin_failed", pb::EventType::PayinFailed),
    ("payout_completed", pb::EventType::PayoutCompleted),
    (
        "transfer_state_updated",
        pb::EventType::TransferStateUpdated,
    ),
    ("kyc_state_updated", pb::EventType::KycStateUpdated),
    (
        "kyc_expiration_warning",
        pb::EventType::KycExpirationWarning,
    ),
    ("kyc_session_verified", pb::EventType::KycSessionVerified),
    (
        "kyc_session_manual_review",
        pb::EventType::KycSessionManualReview,
    ),
    ("kyc_session_failed", pb::EventType::KycSessionFailed),
    ("kyc_session_expired", pb::EventType::KycSessionExpired),
    (
        "related_party_kyc_session_created",
        pb::EventType::RelatedPartyKycSessionCreated,
    ),
    ("kyb_state_updated", pb::EventType::KybStateUpdated),
    ("viban_activated", pb::EventType::VibanActivated),
    ("viban_failed", pb::EventType::VibanFailed),
    ("viban_deactivated", pb::EventType::VibanDeactivated),
    ("fund_pending", pb::EventType::FundPending),
    ("fund_received", pb::EventType::FundReceived),
    ("fund_error", pb::EventType::FundError),
];

const ENVELOPE_KEYS: [&str; 5] = ["id", "event", "eventId", "eventType", "timestamp"];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        any::<String>().prop_map(Value::String),
        "[a-zA-Z0-9_.-]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((any::<String>(), inner), 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

/// A JSON object: each envelope field absent, a string (often one that matters), or any JSON
/// value; `data` anything; plus unrelated fields.
fn json_object() -> impl Strategy<Value = Map<String, Value>> {
    let field = || {
        prop_oneof![
            2 => Just(None),
            4 => prop_oneof![
                Just(String::new()),
                Just("  \t".to_owned()),
                Just("payin_completed".to_owned()),
                Just("payin.completed".to_owned()),
                Just(" viban.activated ".to_owned()),
                Just("2026-02-26T17:02:28.123Z".to_owned()),
                "[a-z0-9._-]{1,20}",
                any::<String>(),
            ]
            .prop_map(|text| Some(Value::String(text))),
            1 => json_value().prop_map(Some),
        ]
    };
    (
        [field(), field(), field(), field(), field()],
        prop::option::of(json_value()),
        prop::collection::vec(("[a-zA-Z]{1,8}", json_value()), 0..3),
    )
        .prop_map(|(fields, data, extra)| {
            let mut object = Map::new();
            for (key, value) in extra {
                object.insert(key, value);
            }
            for (key, value) in ENVELOPE_KEYS.iter().zip(fields) {
                if let Some(value) = value {
                    object.insert((*key).to_owned(), value);
                }
            }
            if let Some(data) = data {
                object.insert("data".to_owned(), data);
            }
            object
        })
}

/// What the parser must make of `object`: `Some((id, type as sent))` when it is an envelope.
fn oracle(object: &Map<String, Value>) -> Option<(String, String)> {
    for key in ENVELOPE_KEYS {
        if !matches!(object.get(key), None | Some(Value::Null | Value::String(_))) {
            return None;
        }
    }
    let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
    let id = text("eventId")
        .or_else(|| text("id"))
        .filter(|id| !id.trim().is_empty())?;
    let name = text("eventType")
        .or_else(|| text("event"))
        .filter(|name| !name.trim().is_empty())?;
    text("timestamp")?;
    Some((id, name.trim().to_owned()))
}

/// The proto form of a parsed event, as every stream and listing sends it.
fn to_proto(event: NewEvent) -> pb::Event {
    LoggedEvent::new(7, 1_772_125_348_000, event)
        .proto()
        .clone()
}

/// Whatever the parser accepts must be storable and convertible.
fn check_accepted(event: &NewEvent) {
    assert!(!event.id.trim().is_empty(), "blank id accepted");
    assert!(!event.type_name.trim().is_empty(), "blank type accepted");
    assert!(
        serde_json::from_str::<Value>(&event.data).is_ok(),
        "data is not JSON: {}",
        event.data
    );
    let proto = to_proto(event.clone());
    assert_eq!(proto.id, event.id);
    assert_eq!(proto.raw_json, event.data);
}

/// A valid body with random byte edits: reaches the parser's deeper error paths.
fn mutated_envelope() -> impl Strategy<Value = Vec<u8>> {
    (
        "[a-z0-9-]{1,12}",
        prop::sample::select(KNOWN),
        json_value(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 1..4),
    )
        .prop_map(|(id, (name, _), data, edits)| {
            let mut body = v2(&id, name, data);
            for (at, byte, kind) in edits {
                let i = at.index(body.len() + 1);
                match kind {
                    0 if i < body.len() => body[i] = byte,
                    1 => body.insert(i, byte),
                    _ if i < body.len() => {
                        body.remove(i);
                    }
                    _ => body.push(byte),
                }
            }
            body
        })
}

fn any_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        json_object().prop_map(|object| serde_json::to_vec(&object).unwrap()),
        mutated_envelope(),
        json_value().prop_map(|value| serde_json::to_vec(&value).unwrap()),
    ]
}

/// An event name in a mix of the two styles: each `_` may be written `.`.
fn styled(name: &str, dots: &[bool]) -> String {
    name.split('_')
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part.to_owned()
            } else if dots.get(i).copied().unwrap_or(false) {
                format!(".{part}")
            } else {
                format!("_{part}")
            }
        })
        .collect()
}

/// Whether [`data_for`] generates the documented shape (a typed payload) for `name`.
fn data_is_documented(name: &str) -> bool {
    matches!(
        name,
        "payin_completed"
            | "payin_processing"
            | "payin_failed"
            | "viban_activated"
            | "account_activated"
            | "kyc_state_updated"
    )
}

/// `data` of the documented shape for a few types (typed payloads), else any object.
fn data_for(name: &str) -> BoxedStrategy<Value> {
    let ids = ("[a-f0-9-]{1,36}", "[a-f0-9-]{1,36}", 1..1_000_000i64);
    match name {
        "payin_completed" | "payin_processing" | "payin_failed" => ids
            .prop_map(|(user, account, amount)| {
                json!({"orderId": format!("o-{amount}"), "status": "COMPLETED",
                       "payinType": "bankPayin",
                       "amounts": {"received": {"currency": "EUR", "amount": amount}},
                       "destination": {"creditedUserId": user, "creditedAccountId": account}})
            })
            .boxed(),
        "viban_activated" => ids
            .prop_map(|(viban, account, _)| {
                json!({"vibanId": viban, "accountId": account, "iban": "ES9121000418450200051332",
                       "status": "ACTIVE", "routingNumber": "021000021"})
            })
            .boxed(),
        "account_activated" => ids
            .prop_map(|(_, account, _)| json!({"accountId": account}))
            .boxed(),
        "kyc_state_updated" => ids
            .prop_map(|(user, _, _)| json!({"userId": user, "state": "REGULAR"}))
            .boxed(),
        _ => prop::collection::vec((any::<String>(), json_value()), 0..5)
            .prop_map(|fields| Value::Object(fields.into_iter().collect()))
            .boxed(),
    }
}

fn id_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}",
        any::<String>().prop_filter("not blank", |id| !id.trim().is_empty()),
    ]
}

/// A valid event: id, known type, the underscore positions written as dots, timestamp, data.
fn valid_event() -> impl Strategy<Value = (String, usize, Vec<bool>, String, Value)> {
    (
        id_strategy(),
        0..KNOWN.len(),
        prop::collection::vec(any::<bool>(), 6),
        prop_oneof![
            Just("2026-02-26T17:02:28.123Z".to_owned()),
            Just("2026-02-26T17:02:28.1234567+00:00".to_owned()),
            any::<String>(),
        ],
    )
        .prop_flat_map(|(id, index, dots, timestamp)| {
            let data = data_for(KNOWN[index].0);
            (Just(id), Just(index), Just(dots), Just(timestamp), data)
        })
}

/// The four wire forms of one event: {v1, v2} × {underscore, dotted}, fields in random order.
fn wire_forms(
    id: &str,
    name: &str,
    dots: &[bool],
    timestamp: &str,
    data: &Value,
) -> Vec<(Vec<u8>, String, pb::EnvelopeVersion)> {
    let dotted = styled(name, dots);
    let mut forms = Vec::new();
    for (id_key, type_key, version) in [
        ("id", "event", pb::EnvelopeVersion::V1),
        ("eventId", "eventType", pb::EnvelopeVersion::V2),
    ] {
        for sent in [name.to_owned(), dotted.clone()] {
            let mut object = Map::new();
            object.insert("data".into(), data.clone());
            object.insert("timestamp".into(), json!(timestamp));
            object.insert(type_key.into(), json!(sent));
            object.insert(id_key.into(), json!(id));
            forms.push((serde_json::to_vec(&object).unwrap(), sent, version));
        }
    }
    forms
}

proptest! {
    #![proptest_config(Config { cases: 2_000, failure_persistence: None, ..Config::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(body in any_body()) {
        if let Ok(event) = parse_delivery(&body) {
            check_accepted(&event);
        }
    }

    #[test]
    fn arbitrary_objects_are_accepted_exactly_when_they_are_envelopes(object in json_object()) {
        let body = serde_json::to_vec(&object).unwrap();
        match (parse_delivery(&body), oracle(&object)) {
            (Ok(event), Some((id, name))) => {
                check_accepted(&event);
                prop_assert_eq!(&event.id, &id);
                prop_assert_eq!(&event.type_name, &name);
                let data = match object.get("data") {
                    None | Some(Value::Null) => "{}".to_owned(),
                    Some(data) => serde_json::to_string(data).unwrap(),
                };
                prop_assert_eq!(&event.data, &data, "data kept byte for byte");
                prop_assert_eq!(
                    &event.occurred_at,
                    object["timestamp"].as_str().unwrap()
                );
            }
            (Err(_), None) => {}
            (got, want) => prop_assert!(false, "parsed {:?}, expected {:?}", got, want),
        }
    }

    #[test]
    fn signatures_accept_either_case_of_the_right_mac_only(
        secret in "[ -~]{1,64}",
        other in "[ -~]{1,64}",
        body in prop::collection::vec(any::<u8>(), 0..512),
        at in any::<prop::sample::Index>(),
        flip in 1..=255u8,
        hex_at in 0..64usize,
    ) {
        let key = Secret::new(secret.clone());
        let signature = core_sign(&key, &body);
        prop_assert_eq!(signature.len(), 64);
        prop_assert!(verify_signature(&key, &body, &signature));
        prop_assert!(verify_signature(&key, &body, &signature.to_ascii_uppercase()));
        let padded = format!(" {signature}\t");
        prop_assert!(verify_signature(&key, &body, &padded));
        // Any change of the body.
        if !body.is_empty() {
            let mut changed = body.clone();
            changed[at.index(body.len())] ^= flip;
            prop_assert!(!verify_signature(&key, &changed, &signature));
            prop_assert!(!verify_signature(&key, &body[..body.len() - 1], &signature));
        }
        let mut longer = body.clone();
        longer.push(flip);
        prop_assert!(!verify_signature(&key, &longer, &signature));
        // Any other key.
        if other != secret {
            prop_assert!(!verify_signature(&Secret::new(other), &body, &signature));
        }
        // Any other signature: one hex digit changed, truncated, extended.
        let mut digits = signature.clone().into_bytes();
        digits[hex_at] = if digits[hex_at] == b'0' { b'1' } else { b'0' };
        prop_assert!(!verify_signature(&key, &body, std::str::from_utf8(&digits).unwrap()));
        prop_assert!(!verify_signature(&key, &body, &signature[..62]));
        let extended = format!("{signature}00");
        prop_assert!(!verify_signature(&key, &body, &extended));
        prop_assert!(!verify_signature(&key, &body, ""));
    }
}

proptest! {
    #![proptest_config(Config { cases: 1_000, failure_persistence: None, ..Config::default() })]

    #[test]
    fn both_envelopes_and_both_styles_normalise_to_one_event(
        (id, index, dots, timestamp, data) in valid_event()
    ) {
        let (name, enum_value) = KNOWN[index];
        let mut normal: Option<pb::Event> = None;
        for (body, sent, version) in wire_forms(&id, name, &dots, &timestamp, &data) {
            let event = parse_delivery(&body)
                .unwrap_or_else(|err| panic!("{err}: {}", String::from_utf8_lossy(&body)));
            check_accepted(&event);
            let mut proto = to_proto(event);
            prop_assert_eq!(&proto.r#type, &sent, "the name is kept as sent");
            prop_assert_eq!(proto.envelope_version, version as i32);
            prop_assert_eq!(proto.event_type, enum_value as i32, "{}", sent);
            prop_assert_eq!(&proto.id, &id);
            if data_is_documented(name) {
                prop_assert!(proto.payload.is_some(), "{} has no typed payload", sent);
            }
            proto.r#type.clear();
            proto.envelope_version = 0;
            match &normal {
                None => normal = Some(proto),
                Some(first) => prop_assert_eq!(first, &proto),
            }
        }
    }
}

/// The parser's verdict over HTTP, against a running gateway: 200 exactly for what parses
/// (stored once, read back intact), 400 for the rest, 401 whenever the signature does not
/// match, never a 5xx.
#[test]
fn over_http_the_receiver_agrees_with_the_parser() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let env = runtime.block_on(start_env(|_| {}));
    let url = ingest_url(&env);
    let stored: RefCell<HashMap<String, u64>> = RefCell::new(HashMap::new());
    let mut runner = TestRunner::new(Config {
        cases: 150,
        failure_persistence: None,
        ..Config::default()
    });
    let bodies = prop_oneof![
        any_body(),
        valid_event().prop_map(|(id, index, dots, timestamp, data)| {
            let forms = wire_forms(&id, KNOWN[index].0, &dots, &timestamp, &data);
            forms[usize::from(dots[0]) * 2 + usize::from(dots[1])]
                .0
                .clone()
        }),
    ];
    runner
        .run(&bodies, |body| {
            runtime.block_on(async {
                let forged = sign(SECRET, &[&body[..], b" "].concat());
                let (status, _) = deliver(&url, &body, Some(&forged)).await;
                prop_assert_eq!(status, 401);
                let (status, reply) = deliver(&url, &body, Some(&sign(SECRET, &body))).await;
                match parse_delivery(&body) {
                    Ok(event) => {
                        prop_assert_eq!(status, 200, "{}", reply);
                        let known = stored.borrow().get(&event.id).copied();
                        let cursor = reply["cursor"].as_u64().unwrap();
                        prop_assert_eq!(reply["duplicate"].as_bool(), Some(known.is_some()));
                        if let Some(first) = known {
                            prop_assert_eq!(cursor, first);
                        } else {
                            stored.borrow_mut().insert(event.id.clone(), cursor);
                            let got = env
                                .grpc()
                                .events()
                                .get_event(pb::GetEventRequest {
                                    key: Some(pb::get_event_request::Key::Id(event.id.clone())),
                                })
                                .await
                                .expect("stored event")
                                .into_inner()
                                .event
                                .unwrap();
                            prop_assert_eq!(got.cursor, cursor);
                            prop_assert_eq!(&got.id, &event.id);
                            prop_assert_eq!(&got.r#type, &event.type_name);
                            prop_assert_eq!(&got.raw_json, &event.data);
                        }
                    }
                    Err(_) => prop_assert_eq!(status, 400, "{}", reply),
                }
                Ok(())
            })
        })
        .unwrap_or_else(|err| panic!("{err}"));
    runtime.block_on(async {
        let all = all_events(&env).await;
        let stored = stored.borrow();
        assert_eq!(all.len(), stored.len(), "every accepted id stored once");
        for event in &all {
            assert_eq!(stored.get(&event.id), Some(&event.cursor));
        }
    });
}
