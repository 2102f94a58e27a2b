//! The webhook events the sandbox can send, their wire names and envelopes (spec/NOTES.md D11).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// The two envelope generations of the upstream catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// `{id, event, timestamp, data}`.
    V1,
    /// `{eventId, eventType, timestamp, data}`.
    V2,
}

macro_rules! event_types {
    ($($variant:ident => $wire:literal, $envelope:ident;)*) => {
        /// One of the 20 events of the `webhooks:` section of the OpenAPI document.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EventType {
            $($variant,)*
        }

        impl EventType {
            /// Every event, in catalogue order.
            pub const ALL: &'static [EventType] = &[$(EventType::$variant,)*];

            /// The name sent on the wire (underscore style, as the upstream event pages write it).
            pub fn wire_name(self) -> &'static str {
                match self {
                    $(EventType::$variant => $wire,)*
                }
            }

            /// The envelope generation upstream documents for this event.
            pub fn envelope(self) -> Envelope {
                match self {
                    $(EventType::$variant => Envelope::$envelope,)*
                }
            }
        }
    };
}

// spec/NOTES.md D11: v1 for account_activated, transfer_state_updated, kyc_* except
// kyc_session_manual_review, and the legacy fund_*; v2 for everything else.
event_types! {
    PayinProcessing => "payin_processing", V2;
    PayinCompleted => "payin_completed", V2;
    PayinFailed => "payin_failed", V2;
    PayoutCompleted => "payout_completed", V2;
    VibanActivated => "viban_activated", V2;
    VibanFailed => "viban_failed", V2;
    VibanDeactivated => "viban_deactivated", V2;
    KybStateUpdated => "kyb_state_updated", V2;
    RelatedPartyKycSessionCreated => "related_party.kyc_session_created", V2;
    KycStateUpdated => "kyc_state_updated", V1;
    KycExpirationWarning => "kyc_expiration_warning", V1;
    KycSessionVerified => "kyc_session_verified", V1;
    KycSessionManualReview => "kyc_session_manual_review", V2;
    KycSessionFailed => "kyc_session_failed", V1;
    KycSessionExpired => "kyc_session_expired", V1;
    AccountActivated => "account_activated", V1;
    TransferStateUpdated => "transfer_state_updated", V1;
    FundPending => "fund_pending", V1;
    FundReceived => "fund_received", V1;
    FundError => "fund_error", V1;
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire_name())
    }
}

/// A name that is not one of the 20 wire names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown webhook event `{0}`")]
pub struct UnknownEvent(pub String);

impl FromStr for EventType {
    type Err = UnknownEvent;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        EventType::ALL
            .iter()
            .copied()
            .find(|event| event.wire_name() == name)
            .ok_or_else(|| UnknownEvent(name.to_owned()))
    }
}

impl Serialize for EventType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.wire_name())
    }
}

#[derive(Serialize)]
struct V1<'a> {
    id: Uuid,
    event: &'static str,
    timestamp: &'a str,
    data: &'a serde_json::Value,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct V2<'a> {
    event_id: Uuid,
    event_type: &'static str,
    timestamp: &'a str,
    data: &'a serde_json::Value,
}

/// RFC 3339 in UTC with millisecond precision and a `Z` suffix (spec/NOTES.md D11).
pub fn format_timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl EventType {
    /// The complete webhook body for this event, serialised once: these exact bytes are signed
    /// and sent on every attempt.
    pub fn encode(
        self,
        id: Uuid,
        at: DateTime<Utc>,
        data: &serde_json::Value,
    ) -> Result<Vec<u8>, serde_json::Error> {
        let timestamp = format_timestamp(at);
        match self.envelope() {
            Envelope::V1 => serde_json::to_vec(&V1 {
                id,
                event: self.wire_name(),
                timestamp: &timestamp,
                data,
            }),
            Envelope::V2 => serde_json::to_vec(&V2 {
                event_id: id,
                event_type: self.wire_name(),
                timestamp: &timestamp,
                data,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_distinct_wire_names_round_trip() {
        assert_eq!(EventType::ALL.len(), 20);
        for event in EventType::ALL {
            assert_eq!(event.wire_name().parse::<EventType>(), Ok(*event));
        }
        assert!("payin.completed".parse::<EventType>().is_err());
        assert!("payout_processing".parse::<EventType>().is_err());
    }

    #[test]
    fn envelopes_follow_d11() {
        use EventType::*;
        for v1 in [
            AccountActivated,
            TransferStateUpdated,
            KycStateUpdated,
            KycExpirationWarning,
            KycSessionVerified,
            KycSessionFailed,
            KycSessionExpired,
            FundPending,
            FundReceived,
            FundError,
        ] {
            assert_eq!(v1.envelope(), Envelope::V1, "{v1}");
        }
        let v2 = EventType::ALL
            .iter()
            .filter(|e| e.envelope() == Envelope::V2);
        assert_eq!(v2.count(), 10);
        assert_eq!(KycSessionManualReview.envelope(), Envelope::V2);
    }

    #[test]
    fn encode_builds_the_right_shape() {
        let id = Uuid::new_v4();
        let at = DateTime::parse_from_rfc3339("2026-02-26T17:02:28.123Z")
            .unwrap()
            .with_timezone(&Utc);
        let data = serde_json::json!({"accountId": "a"});

        let v1: serde_json::Value =
            serde_json::from_slice(&EventType::AccountActivated.encode(id, at, &data).unwrap())
                .unwrap();
        assert_eq!(
            v1,
            serde_json::json!({"id": id, "event": "account_activated",
                "timestamp": "2026-02-26T17:02:28.123Z", "data": data})
        );

        let v2: serde_json::Value =
            serde_json::from_slice(&EventType::PayinCompleted.encode(id, at, &data).unwrap())
                .unwrap();
        assert_eq!(
            v2,
            serde_json::json!({"eventId": id, "eventType": "payin_completed",
                "timestamp": "2026-02-26T17:02:28.123Z", "data": data})
        );
    }
}
