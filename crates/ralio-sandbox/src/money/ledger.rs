//! Balances, reservations and ledger transactions of every account (spec/NOTES.md D8).
//!
//! Money is reserved when an order is created (`pendingIn` / `pendingOut`), released when it fails,
//! and posted as one transaction per touched account when it settles. Every operation checks
//! everything first and changes state only when nothing can fail any more, so a refused operation
//! leaves no trace.

use super::currency::{Currency, Money, check_amount};
use super::error::MoneyError;
use super::fees::payin_fee;
use super::fx::Rate;
use super::orders::{Failure, Order, OrderDetail, OrderState, OrderType};
use super::pricing::{Price, Quote, QuoteKind};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// An account's balances in minor units (spec/NOTES.md D8).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Balances {
    pub balance: i64,
    pub pending_in: i64,
    pub pending_out: i64,
}

impl Balances {
    /// What may still be spent: settled money minus reservations.
    pub fn available(&self) -> i64 {
        self.balance - self.pending_out
    }
}

/// What the ledger needs to know about an account; the store owns the account itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountInfo {
    pub id: Uuid,
    pub user_id: Uuid,
    pub currency: Currency,
}

/// One posting of a settled order on one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    pub id: Uuid,
    pub account_id: Uuid,
    pub order_id: Uuid,
    /// Credit positive, debit negative, fee included.
    pub amount: i64,
    /// The account's `balance` right after this posting.
    pub running_balance: i64,
    pub created_at: DateTime<Utc>,
}

/// A payin to create: what the payer sent and the kind-specific details.
#[derive(Debug, Clone)]
pub struct NewPayin {
    pub order_type: OrderType,
    pub received: Money,
    pub reference: String,
    pub own_reference: Option<String>,
    pub detail: OrderDetail,
}

/// A transfer or payout to create from an already computed [`Price`].
#[derive(Debug, Clone)]
pub struct NewOutgoing {
    pub price: Price,
    pub quote_id: Option<Uuid>,
    pub reference: String,
    pub own_reference: Option<String>,
    pub detail: OrderDetail,
}

/// Orders, balances and ledger transactions of every account.
#[derive(Debug, Default)]
pub struct Ledger {
    /// In creation order, which listings use to break ties.
    orders: Vec<Order>,
    index: HashMap<Uuid, usize>,
    balances: HashMap<Uuid, Balances>,
    transactions: HashMap<Uuid, Vec<Transaction>>,
    quotes: HashMap<Uuid, Quote>,
    fees: BTreeMap<Currency, i64>,
}

/// The signed effect of an order on each account it touches.
fn legs(order: &Order) -> Vec<(Uuid, i64)> {
    match (order.order_type.direction(), order.counterparty()) {
        (super::orders::Direction::In, _) => vec![(order.account_id, order.destination.amount)],
        (_, Some((recipient, _))) => vec![
            (order.account_id, -(order.origin.amount + order.fee.total())),
            (recipient, order.destination.amount),
        ],
        (_, None) => vec![(order.account_id, -(order.origin.amount + order.fee.total()))],
    }
}

fn out_of_range() -> MoneyError {
    MoneyError::OutOfRange { field: "amount" }
}

impl Ledger {
    /// The balances of one account (zero for an account with no movement yet).
    pub fn balances(&self, account: Uuid) -> Balances {
        self.balances.get(&account).copied().unwrap_or_default()
    }

    pub fn order(&self, id: Uuid) -> Option<&Order> {
        self.index.get(&id).and_then(|&i| self.orders.get(i))
    }

    /// Every order, oldest first.
    pub fn orders(&self) -> &[Order] {
        &self.orders
    }

    /// The orders an account shows, oldest first (its own and the transfers it receives).
    pub fn account_orders(&self, account: Uuid) -> impl Iterator<Item = &Order> {
        self.orders.iter().filter(move |o| o.touches(account))
    }

    /// An account's transactions, oldest first.
    pub fn transactions(&self, account: Uuid) -> &[Transaction] {
        self.transactions.get(&account).map_or(&[], Vec::as_slice)
    }

    pub fn transaction(&self, account: Uuid, id: Uuid) -> Option<&Transaction> {
        self.transactions(account).iter().find(|t| t.id == id)
    }

    /// Fees collected by settled orders, per currency.
    pub fn fees_collected(&self) -> &BTreeMap<Currency, i64> {
        &self.fees
    }

    /// Computes the reservations `order` would add (`sign` 1) or release (`sign` -1), without
    /// applying them.
    fn pending_after(&self, order: &Order, sign: i64) -> Result<Vec<(Uuid, Balances)>, MoneyError> {
        let mut updated: Vec<(Uuid, Balances)> = Vec::new();
        for (account, amount) in legs(order) {
            let mut b = updated
                .iter()
                .find(|(a, _)| *a == account)
                .map_or_else(|| self.balances(account), |(_, b)| *b);
            let delta = amount.checked_abs().ok_or_else(out_of_range)? * sign;
            let slot = if amount < 0 {
                &mut b.pending_out
            } else {
                &mut b.pending_in
            };
            *slot = slot.checked_add(delta).ok_or_else(out_of_range)?;
            updated.retain(|(a, _)| *a != account);
            updated.push((account, b));
        }
        Ok(updated)
    }

    fn commit(&mut self, updated: Vec<(Uuid, Balances)>) {
        for (account, b) in updated {
            self.balances.insert(account, b);
        }
    }

    fn insert(&mut self, order: Order) -> Result<Uuid, MoneyError> {
        let updated = self.pending_after(&order, 1)?;
        self.commit(updated);
        let id = order.id;
        self.index.insert(id, self.orders.len());
        self.orders.push(order);
        Ok(id)
    }

    fn order_mut(&mut self, id: Uuid) -> Result<&mut Order, MoneyError> {
        let i = *self.index.get(&id).ok_or(MoneyError::OrderNotFound)?;
        self.orders.get_mut(i).ok_or(MoneyError::OrderNotFound)
    }

    /// Creates a `PENDING` payin to `account`. The payer's currency must be the account's, except
    /// crypto payins in USDT, which are converted (spec/NOTES.md D22). The fee (D7) is taken from
    /// the converted amount, and `pendingIn` grows by what will be credited.
    pub fn create_payin(
        &mut self,
        account: &AccountInfo,
        payin: NewPayin,
        now: DateTime<Utc>,
    ) -> Result<Uuid, MoneyError> {
        check_amount(payin.received.amount).map_err(|reason| MoneyError::InvalidAmount {
            field: "amount",
            reason,
        })?;
        let convertible =
            payin.order_type == OrderType::CryptoPayIn && payin.received.currency == Currency::Usdt;
        if payin.received.currency != account.currency && !convertible {
            return Err(MoneyError::CurrencyMismatch {
                field: "currency",
                expected: account.currency,
                got: payin.received.currency,
            });
        }
        let rate = Rate::between(payin.received.currency, account.currency);
        let gross = rate
            .convert(payin.received.amount)
            .map_err(|_| out_of_range())?;
        let fee = payin_fee(Money::new(account.currency, gross));
        let order = Order {
            id: Uuid::new_v4(),
            order_type: payin.order_type,
            state: OrderState::Pending,
            account_id: account.id,
            user_id: account.user_id,
            origin: payin.received,
            destination: Money::new(account.currency, gross - fee.total()),
            fee,
            fx: (payin.received.currency != account.currency).then_some((rate, now)),
            reference: payin.reference,
            own_reference: payin.own_reference,
            detail: payin.detail,
            failure: None,
            created_at: now,
            validated_at: None,
            settled_at: None,
            failed_at: None,
            updated_at: now,
        };
        self.insert(order)
    }

    /// Stores a quote made by a `simulate` route.
    pub fn add_quote(&mut self, quote: Quote) {
        self.quotes.insert(quote.id, quote);
    }

    fn check_quote(
        &self,
        id: Option<Uuid>,
        kind: QuoteKind,
        account: Uuid,
        price: &Price,
        now: DateTime<Utc>,
    ) -> Result<(), MoneyError> {
        match id {
            None => Ok(()),
            Some(id) => self
                .quotes
                .get(&id)
                .ok_or(MoneyError::QuoteNotFound)?
                .check(kind, account, price, now),
        }
    }

    fn check_funds(&self, account: Uuid, price: &Price) -> Result<(), MoneyError> {
        let available = self.balances(account).available();
        let required = price.debit();
        if required > available {
            return Err(MoneyError::InsufficientFunds {
                available,
                required,
            });
        }
        Ok(())
    }

    fn outgoing(
        &mut self,
        order_type: OrderType,
        state: OrderState,
        from: &AccountInfo,
        new: NewOutgoing,
        now: DateTime<Utc>,
    ) -> Result<Uuid, MoneyError> {
        let kind = if order_type == OrderType::Transfer {
            QuoteKind::Transfer
        } else {
            QuoteKind::Payout
        };
        if new.price.origin.currency != from.currency {
            return Err(MoneyError::CurrencyMismatch {
                field: "origin.currency",
                expected: from.currency,
                got: new.price.origin.currency,
            });
        }
        self.check_quote(new.quote_id, kind, from.id, &new.price, now)?;
        self.check_funds(from.id, &new.price)?;
        let price = new.price;
        let order = Order {
            id: Uuid::new_v4(),
            order_type,
            state,
            account_id: from.id,
            user_id: from.user_id,
            origin: price.origin,
            destination: price.destination,
            fee: price.fee,
            fx: (price.origin.currency != price.destination.currency).then_some((price.rate, now)),
            reference: new.reference,
            own_reference: new.own_reference,
            detail: new.detail,
            failure: None,
            created_at: now,
            validated_at: None,
            settled_at: None,
            failed_at: None,
            updated_at: now,
        };
        self.insert(order)
    }

    /// Creates a `PENDING` transfer from `from` to `to`, reserving the origin amount.
    pub fn create_transfer(
        &mut self,
        from: &AccountInfo,
        to: &AccountInfo,
        mut new: NewOutgoing,
        now: DateTime<Utc>,
    ) -> Result<Uuid, MoneyError> {
        if from.id == to.id {
            return Err(MoneyError::SameAccount);
        }
        if new.price.destination.currency != to.currency {
            return Err(MoneyError::CurrencyMismatch {
                field: "recipient.accountId",
                expected: new.price.destination.currency,
                got: to.currency,
            });
        }
        new.detail = OrderDetail::Transfer {
            recipient_account_id: to.id,
            recipient_user_id: to.user_id,
        };
        self.outgoing(OrderType::Transfer, OrderState::Pending, from, new, now)
    }

    /// Creates a payout in `CREATED` (awaiting its OTP), reserving amount plus fee.
    pub fn create_payout(
        &mut self,
        order_type: OrderType,
        from: &AccountInfo,
        new: NewOutgoing,
        now: DateTime<Utc>,
    ) -> Result<Uuid, MoneyError> {
        debug_assert!(order_type.is_payout());
        self.outgoing(order_type, OrderState::Created, from, new, now)
    }

    /// `CREATED -> PENDING` for a payout whose OTP was right.
    pub fn validate_payout(&mut self, id: Uuid, now: DateTime<Utc>) -> Result<&Order, MoneyError> {
        self.order_mut(id)?.validate(now)?;
        self.order(id).ok_or(MoneyError::OrderNotFound)
    }

    /// `PENDING -> SETTLED`: releases the reservations, posts one transaction per touched account
    /// and books the fee.
    pub fn settle(&mut self, id: Uuid, now: DateTime<Utc>) -> Result<&Order, MoneyError> {
        let order = self.order(id).ok_or(MoneyError::OrderNotFound)?.clone();
        let mut probe = order.clone();
        probe.settle(now)?;
        let mut updated = self.pending_after(&order, -1)?;
        for (account, amount) in legs(&order) {
            if let Some((_, b)) = updated.iter_mut().find(|(a, _)| *a == account) {
                b.balance = b.balance.checked_add(amount).ok_or_else(out_of_range)?;
            }
        }
        let fee_total = self
            .fees
            .get(&order.fee.currency)
            .copied()
            .unwrap_or(0)
            .checked_add(order.fee.total())
            .ok_or_else(out_of_range)?;
        // Nothing can fail from here on.
        for (account, amount) in legs(&order) {
            let running_balance = updated
                .iter()
                .find(|(a, _)| *a == account)
                .map_or(0, |(_, b)| b.balance);
            self.transactions
                .entry(account)
                .or_default()
                .push(Transaction {
                    id: Uuid::new_v4(),
                    account_id: account,
                    order_id: id,
                    amount,
                    running_balance,
                    created_at: now,
                });
        }
        self.commit(updated);
        self.fees.insert(order.fee.currency, fee_total);
        *self.order_mut(id)? = probe;
        self.order(id).ok_or(MoneyError::OrderNotFound)
    }

    /// `CREATED | PENDING -> FAILED`: releases the reservations; nothing is posted.
    pub fn fail(
        &mut self,
        id: Uuid,
        failure: Failure,
        now: DateTime<Utc>,
    ) -> Result<&Order, MoneyError> {
        let order = self.order(id).ok_or(MoneyError::OrderNotFound)?;
        let mut probe = order.clone();
        probe.fail(failure, now)?;
        let updated = self.pending_after(order, -1)?;
        self.commit(updated);
        *self.order_mut(id)? = probe;
        self.order(id).ok_or(MoneyError::OrderNotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::pricing::{PayoutAmount, price_payout, price_transfer};

    fn account(currency: Currency) -> AccountInfo {
        AccountInfo {
            id: Uuid::new_v4(),
            user_id: Uuid::new_v4(),
            currency,
        }
    }

    fn bank_payin(amount: i64, currency: Currency) -> NewPayin {
        NewPayin {
            order_type: OrderType::BankPayIn,
            received: Money::new(currency, amount),
            reference: "in".into(),
            own_reference: None,
            detail: OrderDetail::BankPayin {
                sender_account_number: "ES00".into(),
                sender_routing_data: "BIC".into(),
                bank_concept_transfer: "in".into(),
                payer_name: None,
            },
        }
    }

    fn payout(from: &AccountInfo, amount: i64) -> NewOutgoing {
        let price = price_payout(
            from.currency,
            PayoutAmount::Debited {
                amount: Money::new(from.currency, amount),
                to: from.currency,
            },
        )
        .unwrap();
        NewOutgoing {
            price,
            quote_id: None,
            reference: "out".into(),
            own_reference: Some("own".into()),
            detail: OrderDetail::CryptoPayout {
                description: "d".into(),
                recipient: super::super::orders::CryptoRecipient {
                    address: "addr".into(),
                    network: "SOLANA".into(),
                },
            },
        }
    }

    fn failure() -> Failure {
        Failure {
            code: "X".into(),
            reason: "r".into(),
        }
    }

    #[test]
    fn payin_pending_then_settled() {
        let mut l = Ledger::default();
        let a = account(Currency::Eur);
        let now = Utc::now();
        let id = l
            .create_payin(&a, bank_payin(10_000, Currency::Eur), now)
            .unwrap();
        assert_eq!(
            l.balances(a.id),
            Balances {
                balance: 0,
                pending_in: 9_900,
                pending_out: 0
            }
        );
        assert!(l.transactions(a.id).is_empty());
        l.settle(id, now).unwrap();
        assert_eq!(
            l.balances(a.id),
            Balances {
                balance: 9_900,
                pending_in: 0,
                pending_out: 0
            }
        );
        let tx = &l.transactions(a.id)[0];
        assert_eq!(
            (tx.amount, tx.running_balance, tx.order_id),
            (9_900, 9_900, id)
        );
        assert_eq!(l.fees_collected().get(&Currency::Eur), Some(&100));
        assert!(matches!(
            l.settle(id, now),
            Err(MoneyError::InvalidState(_))
        ));
    }

    #[test]
    fn payin_currency_rules() {
        let mut l = Ledger::default();
        let a = account(Currency::Usd);
        let err = l
            .create_payin(&a, bank_payin(100, Currency::Eur), Utc::now())
            .unwrap_err();
        assert!(matches!(err, MoneyError::CurrencyMismatch { .. }));
        let mut crypto = bank_payin(1_000_000, Currency::Usdt);
        crypto.order_type = OrderType::CryptoPayIn;
        let id = l.create_payin(&a, crypto, Utc::now()).unwrap();
        let o = l.order(id).unwrap();
        assert_eq!(o.destination, Money::new(Currency::Usd, 99));
        assert!(o.fx.is_some());
        assert!(
            l.orders().len() == 1,
            "the refused payin left nothing behind"
        );
    }

    #[test]
    fn payout_reserves_then_posts_with_fee() {
        let mut l = Ledger::default();
        let a = account(Currency::Eur);
        let now = Utc::now();
        let p = l
            .create_payin(&a, bank_payin(100_000, Currency::Eur), now)
            .unwrap();
        l.settle(p, now).unwrap();
        let err = l
            .create_payout(OrderType::CryptoPayOut, &a, payout(&a, 98_950), now)
            .unwrap_err();
        assert_eq!(
            err,
            MoneyError::InsufficientFunds {
                available: 99_000,
                required: 99_050
            }
        );
        assert_eq!(l.orders().len(), 1, "nothing created");
        let id = l
            .create_payout(OrderType::CryptoPayOut, &a, payout(&a, 10_000), now)
            .unwrap();
        assert_eq!(l.balances(a.id).pending_out, 10_100);
        assert!(matches!(
            l.settle(id, now),
            Err(MoneyError::InvalidState(_))
        ));
        l.validate_payout(id, now).unwrap();
        l.settle(id, now).unwrap();
        assert_eq!(
            l.balances(a.id),
            Balances {
                balance: 88_900,
                pending_in: 0,
                pending_out: 0
            }
        );
        assert_eq!(l.transactions(a.id)[1].amount, -10_100);
        assert_eq!(l.transactions(a.id)[1].running_balance, 88_900);
    }

    #[test]
    fn failed_orders_release_reservations() {
        let mut l = Ledger::default();
        let a = account(Currency::Eur);
        let now = Utc::now();
        let p = l
            .create_payin(&a, bank_payin(100_000, Currency::Eur), now)
            .unwrap();
        l.settle(p, now).unwrap();
        let id = l
            .create_payout(OrderType::BankPayOut, &a, payout(&a, 50_000), now)
            .unwrap();
        l.fail(id, failure(), now).unwrap();
        assert_eq!(l.balances(a.id).pending_out, 0);
        assert_eq!(l.transactions(a.id).len(), 1);
        assert!(matches!(
            l.fail(id, failure(), now),
            Err(MoneyError::InvalidState(_))
        ));
        assert_eq!(
            l.fail(Uuid::new_v4(), failure(), now).unwrap_err(),
            MoneyError::OrderNotFound
        );
    }

    #[test]
    fn transfer_between_currencies() {
        let mut l = Ledger::default();
        let (eur, usd) = (account(Currency::Eur), account(Currency::Usd));
        let now = Utc::now();
        let p = l
            .create_payin(&eur, bank_payin(10_102, Currency::Eur), now)
            .unwrap();
        l.settle(p, now).unwrap();
        let price = price_transfer(
            Currency::Eur,
            Money::new(Currency::Eur, 10_000),
            Currency::Usd,
        )
        .unwrap();
        let new = NewOutgoing {
            price,
            quote_id: None,
            reference: "t".into(),
            own_reference: None,
            detail: OrderDetail::CryptoPayin {
                tx_hash: String::new(),
            },
        };
        assert_eq!(
            l.create_transfer(&eur, &eur, new.clone(), now).unwrap_err(),
            MoneyError::SameAccount
        );
        let id = l.create_transfer(&eur, &usd, new, now).unwrap();
        assert_eq!(l.balances(usd.id).pending_in, 10_850);
        assert_eq!(l.balances(eur.id).pending_out, 10_000);
        assert_eq!(l.account_orders(usd.id).count(), 1);
        l.settle(id, now).unwrap();
        assert_eq!(l.balances(eur.id).balance, 1);
        assert_eq!(l.balances(usd.id).balance, 10_850);
        assert_eq!(l.transactions(usd.id)[0].amount, 10_850);
    }

    #[test]
    fn quotes_are_checked_on_create() {
        let mut l = Ledger::default();
        let a = account(Currency::Eur);
        let now = Utc::now();
        let p = l
            .create_payin(&a, bank_payin(100_000, Currency::Eur), now)
            .unwrap();
        l.settle(p, now).unwrap();
        let mut new = payout(&a, 1_000);
        new.quote_id = Some(Uuid::new_v4());
        assert_eq!(
            l.create_payout(OrderType::BankPayOut, &a, new.clone(), now)
                .unwrap_err(),
            MoneyError::QuoteNotFound
        );
        let quote = Quote::new(QuoteKind::Payout, a.id, new.price, now);
        new.quote_id = Some(quote.id);
        l.add_quote(quote);
        let late = now + chrono::Duration::seconds(31);
        assert_eq!(
            l.create_payout(OrderType::BankPayOut, &a, new.clone(), late)
                .unwrap_err(),
            MoneyError::QuoteExpired
        );
        assert!(l.create_payout(OrderType::BankPayOut, &a, new, now).is_ok());
    }
}
