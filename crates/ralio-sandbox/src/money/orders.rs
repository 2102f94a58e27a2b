//! Orders: the six kinds of money movement and their state machine (spec/NOTES.md D9).

use super::currency::Money;
use super::fees::Fee;
use super::fx::Rate;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// `type` on the wire. Upstream's `TYPE_PAYOUT` / `CARD_PAYIN` are never produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderType {
    BankPayIn,
    CardPayIn,
    CryptoPayIn,
    Transfer,
    BankPayOut,
    CryptoPayOut,
}

impl OrderType {
    pub fn code(self) -> &'static str {
        match self {
            OrderType::BankPayIn => "BANK_PAY_IN",
            OrderType::CardPayIn => "CARD_PAY_IN",
            OrderType::CryptoPayIn => "CRYPTO_PAY_IN",
            OrderType::Transfer => "TRANSFER",
            OrderType::BankPayOut => "BANK_PAY_OUT",
            OrderType::CryptoPayOut => "CRYPTO_PAY_OUT",
        }
    }

    /// Upstream's human label (`displayType`).
    pub fn display(self) -> &'static str {
        match self {
            OrderType::BankPayIn => "Bank Pay In",
            OrderType::CardPayIn => "Card Pay In",
            OrderType::CryptoPayIn => "Crypto Pay In",
            OrderType::Transfer => "Transfer",
            OrderType::BankPayOut => "Bank Pay Out",
            OrderType::CryptoPayOut => "Crypto Pay Out",
        }
    }

    /// Payins come in; transfers and payouts go out of the order's own account.
    pub fn direction(self) -> Direction {
        match self {
            OrderType::BankPayIn | OrderType::CardPayIn | OrderType::CryptoPayIn => Direction::In,
            _ => Direction::Out,
        }
    }

    pub fn is_payin(self) -> bool {
        self.direction() == Direction::In
    }

    pub fn is_payout(self) -> bool {
        matches!(self, OrderType::BankPayOut | OrderType::CryptoPayOut)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    In,
    Out,
}

impl Direction {
    pub fn code(self) -> &'static str {
        match self {
            Direction::In => "IN",
            Direction::Out => "OUT",
        }
    }
}

/// `state` on the wire (spec/NOTES.md D9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderState {
    /// A payout awaiting its OTP; its money is already reserved.
    Created,
    Pending,
    Settled,
    Failed,
}

impl OrderState {
    pub fn code(self) -> &'static str {
        match self {
            OrderState::Created => "CREATED",
            OrderState::Pending => "PENDING",
            OrderState::Settled => "SETTLED",
            OrderState::Failed => "FAILED",
        }
    }

    /// Open orders hold reservations (pendingIn / pendingOut).
    pub fn is_open(self) -> bool {
        matches!(self, OrderState::Created | OrderState::Pending)
    }
}

/// A transition the state machine forbids (`422 INVALID_STATE`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a {order_type} order in state {state}")]
pub struct TransitionError {
    pub action: &'static str,
    pub order_type: &'static str,
    pub state: &'static str,
}

/// Why an order failed (payin webhooks' `failure`, transfers' `error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: String,
    pub reason: String,
}

/// The person paying a card payin (upstream's `Payer`); every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Payer {
    pub name: Option<String>,
    pub surname: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub province: Option<String>,
    pub country: Option<String>,
    pub document_type: Option<String>,
    pub document_number: Option<String>,
    pub birthdate: Option<String>,
}

/// A postal address as payout recipients carry it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostalAddress {
    pub line1: Option<String>,
    pub postal_code: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
}

/// The beneficiary of a bank payout.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BankRecipient {
    /// `PERSON` or `BUSINESS`.
    pub beneficiary_type: String,
    pub name: Option<String>,
    pub surname: Option<String>,
    pub company_name: Option<String>,
    pub relation: Option<String>,
    pub document_type: Option<String>,
    pub document_number: Option<String>,
    pub account_number: String,
    /// Routing scheme, e.g. `IBAN` or `SWIFT`.
    pub routing_data: String,
    pub swift: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: PostalAddress,
}

/// The wallet a crypto payout goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CryptoRecipient {
    pub address: String,
    pub network: String,
}

/// What only one kind of order carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderDetail {
    CardPayin {
        payer: Payer,
        url_success: String,
        url_failed: String,
    },
    BankPayin {
        sender_account_number: String,
        sender_routing_data: String,
        bank_concept_transfer: String,
        payer_name: Option<String>,
    },
    CryptoPayin {
        tx_hash: String,
    },
    Transfer {
        recipient_account_id: Uuid,
        recipient_user_id: Uuid,
    },
    BankPayout {
        description: String,
        recipient: BankRecipient,
    },
    CryptoPayout {
        description: String,
        recipient: CryptoRecipient,
    },
}

/// One money movement. `origin` is what leaves the sender (for payins: what the payer sent),
/// `destination` what reaches the receiver (for payins: what is credited, net of the fee).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: Uuid,
    pub order_type: OrderType,
    pub state: OrderState,
    /// The merchant account the order belongs to: credited by payins, debited otherwise.
    pub account_id: Uuid,
    /// The owner of `account_id`.
    pub user_id: Uuid,
    pub origin: Money,
    pub destination: Money,
    pub fee: Fee,
    /// Present when origin and destination currencies differ.
    pub fx: Option<(Rate, DateTime<Utc>)>,
    pub reference: String,
    pub own_reference: Option<String>,
    pub detail: OrderDetail,
    pub failure: Option<Failure>,
    pub created_at: DateTime<Utc>,
    pub validated_at: Option<DateTime<Utc>>,
    pub settled_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl Order {
    fn refuse(&self, action: &'static str) -> TransitionError {
        TransitionError {
            action,
            order_type: self.order_type.code(),
            state: self.state.code(),
        }
    }

    /// `CREATED -> PENDING` after the OTP (payouts only).
    pub fn validate(&mut self, now: DateTime<Utc>) -> Result<(), TransitionError> {
        if !self.order_type.is_payout() || self.state != OrderState::Created {
            return Err(self.refuse("validate"));
        }
        self.state = OrderState::Pending;
        self.validated_at = Some(now);
        self.updated_at = now;
        Ok(())
    }

    /// `PENDING -> SETTLED`. A payout still awaiting its OTP cannot settle.
    pub fn settle(&mut self, now: DateTime<Utc>) -> Result<(), TransitionError> {
        if self.state != OrderState::Pending {
            return Err(self.refuse("settle"));
        }
        self.state = OrderState::Settled;
        self.settled_at = Some(now);
        self.updated_at = now;
        Ok(())
    }

    /// `CREATED | PENDING -> FAILED`.
    pub fn fail(&mut self, failure: Failure, now: DateTime<Utc>) -> Result<(), TransitionError> {
        if !self.state.is_open() {
            return Err(self.refuse("fail"));
        }
        self.state = OrderState::Failed;
        self.failure = Some(failure);
        self.failed_at = Some(now);
        self.updated_at = now;
        Ok(())
    }

    /// The other account a transfer touches.
    pub fn counterparty(&self) -> Option<(Uuid, Uuid)> {
        match self.detail {
            OrderDetail::Transfer {
                recipient_account_id,
                recipient_user_id,
            } => Some((recipient_account_id, recipient_user_id)),
            _ => None,
        }
    }

    /// Whether the order shows in `account`'s order list: its own, or a transfer it receives.
    pub fn touches(&self, account: Uuid) -> bool {
        self.account_id == account || self.counterparty().is_some_and(|(a, _)| a == account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::currency::Currency;

    fn order(order_type: OrderType, state: OrderState) -> Order {
        let now = Utc::now();
        Order {
            id: Uuid::new_v4(),
            order_type,
            state,
            account_id: Uuid::new_v4(),
            user_id: Uuid::new_v4(),
            origin: Money::new(Currency::Eur, 100),
            destination: Money::new(Currency::Eur, 100),
            fee: Fee::zero(Currency::Eur),
            fx: None,
            reference: "r".into(),
            own_reference: None,
            detail: OrderDetail::CryptoPayin {
                tx_hash: "x".into(),
            },
            failure: None,
            created_at: now,
            validated_at: None,
            settled_at: None,
            failed_at: None,
            updated_at: now,
        }
    }

    fn failure() -> Failure {
        Failure {
            code: "X".into(),
            reason: "y".into(),
        }
    }

    #[test]
    fn payout_lifecycle_sets_timestamps() {
        let mut o = order(OrderType::BankPayOut, OrderState::Created);
        let t1 = o.created_at + chrono::Duration::seconds(5);
        assert!(o.settle(t1).is_err(), "a payout needs its OTP first");
        o.validate(t1).unwrap();
        assert_eq!((o.state, o.validated_at), (OrderState::Pending, Some(t1)));
        let t2 = t1 + chrono::Duration::seconds(5);
        o.settle(t2).unwrap();
        assert_eq!(
            (o.state, o.settled_at, o.updated_at),
            (OrderState::Settled, Some(t2), t2)
        );
        let err = o.fail(failure(), t2).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot fail a BANK_PAY_OUT order in state SETTLED"
        );
        assert!(o.validate(t2).is_err());
    }

    #[test]
    fn only_payouts_validate() {
        let mut o = order(OrderType::Transfer, OrderState::Pending);
        assert!(o.validate(Utc::now()).is_err());
        let mut o = order(OrderType::CryptoPayOut, OrderState::Created);
        assert!(o.validate(Utc::now()).is_ok());
        assert!(
            o.validate(Utc::now()).is_err(),
            "validating twice is refused"
        );
    }

    #[test]
    fn fail_from_created_or_pending_only() {
        let mut o = order(OrderType::CryptoPayOut, OrderState::Created);
        o.fail(failure(), Utc::now()).unwrap();
        assert_eq!(o.state, OrderState::Failed);
        assert!(o.failed_at.is_some() && o.failure.is_some());
        assert!(o.settle(Utc::now()).is_err());
        let mut o = order(OrderType::CardPayIn, OrderState::Pending);
        o.fail(failure(), Utc::now()).unwrap();
        assert!(o.fail(failure(), Utc::now()).is_err());
    }

    #[test]
    fn directions_and_codes() {
        assert_eq!(OrderType::CardPayIn.direction(), Direction::In);
        assert_eq!(OrderType::Transfer.direction(), Direction::Out);
        assert_eq!(OrderType::CryptoPayOut.code(), "CRYPTO_PAY_OUT");
        assert_eq!(OrderState::Created.code(), "CREATED");
    }
}
