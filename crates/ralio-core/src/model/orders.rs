//! Orders: the common view of payins, transfers and payouts (`/api/v1/account/orders`).

use serde::{Deserialize, Serialize};

use super::common::{Fee, Fx, Money, Pagination};
use super::wire_enum::wire_enum;

wire_enum! {
    /// Order state (spec/NOTES.md D9). Upstream writes `Created`/`Pending` in prose; read both.
    OrderState {
        Created = "CREATED" | "Created",
        Pending = "PENDING" | "Pending",
        Settled = "SETTLED" | "Settled",
        Failed = "FAILED" | "Failed",
    }
}

wire_enum! {
    /// Order type (D9). `CARD_PAYIN` (a filter example) and `TYPE_PAYOUT` (the OTP validation
    /// example, whose `detailUrl` is a bank payout) are read as aliases, never sent.
    OrderType {
        BankPayIn = "BANK_PAY_IN",
        CardPayIn = "CARD_PAY_IN" | "CARD_PAYIN",
        CryptoPayIn = "CRYPTO_PAY_IN",
        Transfer = "TRANSFER",
        BankPayOut = "BANK_PAY_OUT" | "TYPE_PAYOUT",
        CryptoPayOut = "CRYPTO_PAY_OUT",
    }
}

wire_enum! {
    Direction {
        In = "IN",
        Out = "OUT",
    }
}

/// `merchant` block of an order (newest list revision).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct OrderMerchant {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub name: Option<String>,
}

/// The generic order view (list items, create responses, order details' common part).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub destination: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub detail_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub direction: Option<Direction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub display_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub failed_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub fee: Option<Fee>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub fx: Option<Fx>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub merchant: Option<OrderMerchant>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub origin: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub settled_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub state: Option<OrderState>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub order_type: Option<OrderType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub updated_at: Option<String>,
    /// Set on payouts once their OTP is validated.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub validated_at: Option<String>,
}

/// Response of listMerchantOrders / listAccountOrders.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct OrderList {
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub orders: Vec<Order>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub pagination: Option<Pagination>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::common::Currency;
    use serde_json::json;

    #[test]
    fn order_round_trips_and_reads_upstream_aliases() {
        let raw = json!({
            "id": "e5f6a7b8-c9d0-4e1f-2a3b-4c5d6e7f8a9b",
            "createdAt": "2025-01-15T10:30:00Z",
            "destination": {"currency": "USD", "amount": 5425},
            "detailUrl": "/api/v1/account/orders/e5f6a7b8-c9d0-4e1f-2a3b-4c5d6e7f8a9b",
            "displayType": "Transfer",
            "fee": {"currency": "EUR", "amount": 0, "breakdown": {"merchantFee": 0, "systemFee": 0}},
            "origin": {"currency": "EUR", "amount": 5000},
            "reference": "INV-1",
            "state": "SETTLED",
            "type": "TRANSFER"
        });
        let order: Order = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(order.origin, Some(Money::new(Currency::Eur, 5000)));
        assert_eq!(order.state, Some(OrderState::Settled));
        assert_eq!(serde_json::to_value(&order).unwrap(), raw);

        let legacy: Order = serde_json::from_value(json!({
            "id": "x", "state": "Created", "type": "TYPE_PAYOUT", "fx": {"pair": "EUR/USD", "rate": 1.085}
        }))
        .unwrap();
        assert_eq!(legacy.state, Some(OrderState::Created));
        assert_eq!(legacy.order_type, Some(OrderType::BankPayOut));
        assert_eq!(legacy.fx.unwrap().rate.as_deref(), Some("1.085"));
        let odd: Order = serde_json::from_value(json!({"id": "y", "type": "REFUND"})).unwrap();
        assert_eq!(odd.order_type, Some(OrderType::Unknown("REFUND".into())));
    }
}
