//! Property test of the ledger's invariants (spec/NOTES.md D8) over random sequences of payins,
//! transfers and payouts that settle, fail or stay open.

use chrono::{Duration, Utc};
use proptest::prelude::*;
use ralio_sandbox::money::ledger::{NewOutgoing, NewPayin};
use ralio_sandbox::money::orders::{CryptoRecipient, Direction, Failure, OrderDetail};
use ralio_sandbox::money::pricing::{PayoutAmount, price_payout, price_transfer};
use ralio_sandbox::money::{
    AccountInfo, Currency, Ledger, Money, MoneyError, OrderState, OrderType,
};
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Debug, Clone, Copy)]
enum Outcome {
    Settle,
    Fail,
    Leave,
}

#[derive(Debug, Clone)]
enum Op {
    Payin {
        to: usize,
        amount: i64,
        crypto_usdt: bool,
        outcome: Outcome,
    },
    Transfer {
        from: usize,
        to: usize,
        amount: i64,
        outcome: Outcome,
    },
    /// `validate` false leaves the payout CREATED (then `outcome` Settle must be refused).
    Payout {
        from: usize,
        amount: i64,
        validate: bool,
        outcome: Outcome,
    },
    /// Settle or fail the n-th open order (modulo their count).
    Resolve { nth: usize, settle: bool },
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        Just(Outcome::Settle),
        Just(Outcome::Fail),
        Just(Outcome::Leave)
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let amount = prop_oneof![1_i64..1_000, 1_000_i64..10_000_000];
    prop_oneof![
        (0..3usize, amount.clone(), any::<bool>(), outcome()).prop_map(
            |(to, amount, crypto_usdt, outcome)| Op::Payin {
                to,
                amount,
                crypto_usdt,
                outcome
            }
        ),
        (0..3usize, 0..3usize, amount.clone(), outcome()).prop_map(
            |(from, to, amount, outcome)| Op::Transfer {
                from,
                to,
                amount,
                outcome
            }
        ),
        (0..3usize, amount, any::<bool>(), outcome()).prop_map(
            |(from, amount, validate, outcome)| Op::Payout {
                from,
                amount,
                validate,
                outcome
            }
        ),
        (any::<usize>(), any::<bool>()).prop_map(|(nth, settle)| Op::Resolve { nth, settle }),
    ]
}

fn failure() -> Failure {
    Failure {
        code: "TEST".into(),
        reason: "property test".into(),
    }
}

fn finish(ledger: &mut Ledger, id: Uuid, outcome: Outcome, now: chrono::DateTime<Utc>) {
    match outcome {
        Outcome::Settle => {
            ledger.settle(id, now).unwrap();
        }
        Outcome::Fail => {
            ledger.fail(id, failure(), now).unwrap();
        }
        Outcome::Leave => {}
    }
}

/// Checks every D8 invariant against an independent recomputation from the orders.
fn check_invariants(ledger: &Ledger, accounts: &[AccountInfo]) {
    for a in accounts {
        let b = ledger.balances(a.id);
        let txs = ledger.transactions(a.id);
        let mut running = 0_i64;
        for tx in txs {
            running += tx.amount;
            assert_eq!(tx.running_balance, running, "running balance of {tx:?}");
            let order = ledger.order(tx.order_id).unwrap();
            assert_eq!(order.state, OrderState::Settled, "only settled orders post");
        }
        assert_eq!(b.balance, running, "balance == sum(transactions)");
        let (mut pending_in, mut pending_out) = (0, 0);
        for o in ledger.orders().iter().filter(|o| o.state.is_open()) {
            if o.order_type.direction() == Direction::In && o.account_id == a.id {
                pending_in += o.destination.amount;
            }
            if o.order_type.direction() == Direction::Out && o.account_id == a.id {
                pending_out += o.origin.amount + o.fee.total();
            }
            if o.counterparty().is_some_and(|(r, _)| r == a.id) {
                pending_in += o.destination.amount;
            }
        }
        assert_eq!(
            b.pending_in, pending_in,
            "pendingIn == open incoming orders"
        );
        assert_eq!(
            b.pending_out, pending_out,
            "pendingOut == open outgoing orders"
        );
        assert!(b.available() >= 0, "available never negative: {b:?}");
    }
    // Conservation, per currency: what is in the accounts plus the fees equals what came in
    // minus what went out, with transfers moving value between currencies.
    let mut held: BTreeMap<Currency, i64> = BTreeMap::new();
    for a in accounts {
        *held.entry(a.currency).or_default() += ledger.balances(a.id).balance;
    }
    for (c, fee) in ledger.fees_collected() {
        *held.entry(*c).or_default() += fee;
    }
    let mut flows: BTreeMap<Currency, i64> = BTreeMap::new();
    for o in ledger
        .orders()
        .iter()
        .filter(|o| o.state == OrderState::Settled)
    {
        match o.order_type {
            OrderType::Transfer => {
                *flows.entry(o.origin.currency).or_default() -= o.origin.amount;
                *flows.entry(o.destination.currency).or_default() += o.destination.amount;
            }
            t if t.is_payin() => {
                *flows.entry(o.destination.currency).or_default() +=
                    o.destination.amount + o.fee.total();
            }
            _ => {
                *flows.entry(o.origin.currency).or_default() -= o.origin.amount;
            }
        }
    }
    held.retain(|_, v| *v != 0);
    flows.retain(|_, v| *v != 0);
    assert_eq!(held, flows, "money is conserved");
}

fn run(ops: Vec<Op>) {
    let accounts = [Currency::Eur, Currency::Eur, Currency::Usd].map(|currency| AccountInfo {
        id: Uuid::new_v4(),
        user_id: Uuid::new_v4(),
        currency,
    });
    let mut ledger = Ledger::default();
    let mut now = Utc::now();
    for op in ops {
        now += Duration::seconds(1);
        match op {
            Op::Payin {
                to,
                amount,
                crypto_usdt,
                outcome,
            } => {
                let account = &accounts[to];
                let (order_type, currency, detail) = if crypto_usdt {
                    (
                        OrderType::CryptoPayIn,
                        Currency::Usdt,
                        OrderDetail::CryptoPayin {
                            tx_hash: "0x".into(),
                        },
                    )
                } else {
                    (
                        OrderType::BankPayIn,
                        account.currency,
                        OrderDetail::BankPayin {
                            sender_account_number: "ES00".into(),
                            sender_routing_data: "BIC".into(),
                            bank_concept_transfer: "c".into(),
                            payer_name: None,
                        },
                    )
                };
                let payin = NewPayin {
                    order_type,
                    received: Money::new(currency, amount * if crypto_usdt { 10_000 } else { 1 }),
                    reference: "p".into(),
                    own_reference: None,
                    detail,
                };
                let id = ledger.create_payin(account, payin, now).unwrap();
                finish(&mut ledger, id, outcome, now);
            }
            Op::Transfer {
                from,
                to,
                amount,
                outcome,
            } => {
                let (src, dst) = (&accounts[from], &accounts[to]);
                let price =
                    price_transfer(src.currency, Money::new(src.currency, amount), dst.currency)
                        .unwrap();
                let new = NewOutgoing {
                    price,
                    quote_id: None,
                    reference: "t".into(),
                    own_reference: None,
                    detail: OrderDetail::Transfer {
                        recipient_account_id: dst.id,
                        recipient_user_id: dst.user_id,
                    },
                };
                let before = ledger.orders().len();
                let available = ledger.balances(src.id).available();
                match ledger.create_transfer(src, dst, new, now) {
                    Ok(id) => {
                        assert!(amount <= available);
                        finish(&mut ledger, id, outcome, now);
                    }
                    Err(MoneyError::SameAccount) => assert_eq!(from, to),
                    Err(MoneyError::InsufficientFunds { .. }) => {
                        assert!(amount > available);
                        assert_eq!(ledger.orders().len(), before, "nothing created");
                    }
                    Err(e) => panic!("unexpected {e:?}"),
                }
            }
            Op::Payout {
                from,
                amount,
                validate,
                outcome,
            } => {
                let src = &accounts[from];
                let price = price_payout(
                    src.currency,
                    PayoutAmount::Debited {
                        amount: Money::new(src.currency, amount),
                        to: Currency::Usdt,
                    },
                )
                .unwrap();
                let new = NewOutgoing {
                    price,
                    quote_id: None,
                    reference: "o".into(),
                    own_reference: None,
                    detail: OrderDetail::CryptoPayout {
                        description: "d".into(),
                        recipient: CryptoRecipient {
                            address: "addr".into(),
                            network: "SOLANA".into(),
                        },
                    },
                };
                let available = ledger.balances(src.id).available();
                match ledger.create_payout(OrderType::CryptoPayOut, src, new, now) {
                    Ok(id) => {
                        assert!(amount + 100 <= available);
                        if validate {
                            ledger.validate_payout(id, now).unwrap();
                            finish(&mut ledger, id, outcome, now);
                        } else if matches!(outcome, Outcome::Settle) {
                            assert!(matches!(
                                ledger.settle(id, now),
                                Err(MoneyError::InvalidState(_))
                            ));
                        } else {
                            finish(&mut ledger, id, outcome, now);
                        }
                    }
                    Err(MoneyError::InsufficientFunds { required, .. }) => {
                        assert_eq!(required, amount + 100);
                        assert!(required > available);
                    }
                    Err(e) => panic!("unexpected {e:?}"),
                }
            }
            Op::Resolve { nth, settle } => {
                let open: Vec<(Uuid, OrderState)> = ledger
                    .orders()
                    .iter()
                    .filter(|o| o.state.is_open())
                    .map(|o| (o.id, o.state))
                    .collect();
                if open.is_empty() {
                    continue;
                }
                let (id, state) = open[nth % open.len()];
                if settle {
                    let result = ledger.settle(id, now);
                    assert_eq!(result.is_ok(), state == OrderState::Pending, "{result:?}");
                } else {
                    ledger.fail(id, failure(), now).unwrap();
                }
            }
        }
        check_invariants(&ledger, &accounts);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn ledger_invariants_hold(ops in prop::collection::vec(op(), 1..60)) {
        run(ops);
    }
}
