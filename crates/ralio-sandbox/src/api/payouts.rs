//! Bank and crypto payouts (openapi.yaml `payouts`, `otp`; spec/NOTES.md D9): create (order
//! `CREATED`, money reserved), simulate, get, OTP send and validate (`PENDING`, then settled at
//! once with auto-settle).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, UuidPath};
use crate::money::http::{
    OrderPath, UserAccountPath, active_user_account, amount_field, check_otp, currency_field,
    maybe_auto_settle, money_field, order_of_type, required_text, text, uuid_field,
};
use crate::money::ledger::NewOutgoing;
use crate::money::orders::{BankRecipient, CryptoRecipient, OrderDetail, OrderType, PostalAddress};
use crate::money::pricing::{PayoutAmount, Quote, QuoteKind, price_payout};
use crate::money::views::{order_detail_json, order_json, payout_created_json, rfc3339};
use crate::money::{Currency, Money, MoneyError};
use crate::state::AppState;
use crate::validate::Fields;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/account/users/{uid}/accounts/{aid}/bank-payouts",
            post(create_bank_payout),
        )
        .route(
            "/api/v1/account/users/{uid}/accounts/{aid}/bank-payouts/simulate",
            post(simulate_bank_payout),
        )
        .route("/api/v1/account/bank-payouts/{oid}", get(get_bank_payout))
        .route(
            "/api/v1/account/bank-payouts/{oid}/validate-otp",
            post(validate_bank_payout),
        )
        .route(
            "/api/v1/account/users/{uid}/accounts/{aid}/crypto-payouts",
            post(create_crypto_payout),
        )
        .route(
            "/api/v1/account/crypto-payouts/{oid}",
            get(get_crypto_payout),
        )
        .route(
            "/api/v1/account/crypto-payouts/{oid}/validate-otp",
            post(validate_crypto_payout),
        )
        .route("/api/v1/account/otp/send", post(send_otp))
}

const PERSON_DOCUMENTS: &[&str] = &[
    "NATIONAL_ID",
    "RESIDENCE_CARD",
    "PASSPORT",
    "DRIVING_LICENSE",
    "CIF",
];
const ALL_DOCUMENTS: &[&str] = &[
    "NATIONAL_ID",
    "RESIDENCE_CARD",
    "PASSPORT",
    "DRIVING_LICENSE",
    "CIF",
    "TAX_ID",
];
/// The only crypto rail the sandbox knows (spec/NOTES.md D6).
const CRYPTO_NETWORK: &str = "SOLANA";

/// One side of `amounts`: the currency and a possibly zero amount.
type Side = Option<(Currency, i64)>;

/// The body's amounts before the account is known.
#[derive(Debug, Clone, Copy)]
enum Requested {
    /// Newest shape: `amounts{debitedAmount, receivedAmount}`, exactly one non-zero.
    Amounts { debited: Side, received: Side },
    /// Legacy shape: `origin` plus the recipient's currency.
    Legacy { origin: Money, to: Option<Currency> },
}

fn side(f: &mut Fields<'_>, name: &str) -> Side {
    let object = f.object(name, false)?;
    f.nested(name, object, |m| {
        let currency = currency_field(m, "currency", true);
        let amount = amount_field(m, "amount", true, 0);
        Some((currency?, amount?))
    })
}

fn amounts(f: &mut Fields<'_>) -> Option<Requested> {
    let object = f.object("amounts", true)?;
    let (debited, received) = f.nested("amounts", object, |a| {
        (side(a, "debitedAmount"), side(a, "receivedAmount"))
    });
    let non_zero = [debited, received]
        .iter()
        .filter(|s| s.is_some_and(|(_, amount)| amount > 0))
        .count();
    if non_zero != 1 && f.is_valid() {
        f.reject(
            "amounts",
            "exactly one of debitedAmount.amount and receivedAmount.amount must be greater than zero",
        );
        return None;
    }
    Some(Requested::Amounts { debited, received })
}

/// Turns the requested amounts into a [`PayoutAmount`] for an account in `from`, delivering in
/// `default_to` unless the body names the received currency; `allowed_to` lists what may be
/// delivered.
fn resolve(
    requested: Requested,
    from: Currency,
    default_to: Currency,
    allowed_to: &[Currency],
) -> ApiResult<PayoutAmount> {
    let (amount, to_field) = match requested {
        Requested::Legacy { origin, to } => (
            PayoutAmount::Debited {
                amount: origin,
                to: to.unwrap_or(default_to),
            },
            "recipient.currency",
        ),
        Requested::Amounts { debited, received } => {
            if let Some((currency, _)) = debited
                && currency != from
            {
                return Err(MoneyError::CurrencyMismatch {
                    field: "amounts.debitedAmount.currency",
                    expected: from,
                    got: currency,
                }
                .into());
            }
            let to = received.map_or(default_to, |(c, _)| c);
            let amount = match (debited, received) {
                (Some((currency, amount)), _) if amount > 0 => PayoutAmount::Debited {
                    amount: Money::new(currency, amount),
                    to,
                },
                (_, Some((currency, amount))) => PayoutAmount::Received {
                    amount: Money::new(currency, amount),
                },
                _ => return Err(ApiError::invalid("amounts", "an amount is required")),
            };
            (amount, "amounts.receivedAmount.currency")
        }
    };
    let to = match amount {
        PayoutAmount::Debited { to, .. } => to,
        PayoutAmount::Received { amount } => amount.currency,
    };
    if !allowed_to.contains(&to) {
        let codes: Vec<&str> = allowed_to.iter().map(|c| c.code()).collect();
        return Err(ApiError::invalid(
            to_field,
            format!("must be one of {}", codes.join(", ")),
        ));
    }
    Ok(amount)
}

fn s(f: &mut Fields<'_>, name: &str) -> Option<String> {
    text(f, name)
}

/// Newest `BankPayoutRecipient`, with the PERSON / BUSINESS rules of the API reference.
fn bank_recipient(f: &mut Fields<'_>) -> Option<BankRecipient> {
    let object = f.object("recipient", true)?;
    f.nested("recipient", object, |r| {
        let beneficiary_type = r.enumeration("beneficiaryType", true, &["PERSON", "BUSINESS"]);
        let account_number = required_text(r, "accountNumber");
        let routing_data = required_text(r, "routingData");
        let person = beneficiary_type == Some("PERSON");
        let (name, surname, relation, company_name) = if person {
            (
                required_text(r, "name"),
                required_text(r, "surname"),
                required_text(r, "relation"),
                s(r, "companyName"),
            )
        } else {
            let company = required_text(r, "companyName");
            (s(r, "name"), s(r, "surname"), s(r, "relation"), company)
        };
        let document = r.object("document", true).map(|d| {
            r.nested("document", d, |d| {
                let allowed = match beneficiary_type {
                    Some("PERSON") => PERSON_DOCUMENTS,
                    Some("BUSINESS") => &["TAX_ID"][..],
                    _ => ALL_DOCUMENTS,
                };
                let kind = d
                    .enumeration("documentType", true, allowed)
                    .map(str::to_owned);
                (kind, required_text(d, "number"))
            })
        });
        let address = r.object("address", true).map(|a| {
            r.nested("address", a, |a| PostalAddress {
                line1: required_text(a, "line1"),
                postal_code: s(a, "postalCode"),
                province: s(a, "province"),
                city: required_text(a, "city"),
                country: a.country("country", true).map(str::to_owned),
            })
        });
        let contact = r.object("contact", false).map(|c| {
            r.nested("contact", c, |c| {
                (s(c, "phone"), c.email("email", false).map(str::to_owned))
            })
        });
        let swift = s(r, "swift");
        let (document_type, document_number) = document.unwrap_or((None, None));
        let (phone, email) = contact.unwrap_or((None, None));
        Some(BankRecipient {
            beneficiary_type: beneficiary_type?.to_owned(),
            name,
            surname,
            company_name,
            relation: relation.or_else(|| (!person).then(|| "COMERCIAL".to_owned())),
            document_type,
            document_number,
            account_number: account_number?,
            routing_data: routing_data?,
            swift,
            phone,
            email,
            address: address?,
        })
    })
}

/// The older flat recipient of `BankPayoutCreateLegacy`, and its `currency`.
fn legacy_recipient(f: &mut Fields<'_>) -> Option<(BankRecipient, Option<Currency>)> {
    let object = f.object("recipient", true)?;
    f.nested("recipient", object, |r| {
        let beneficiary_type = r.enumeration("beneficiaryType", true, &["PERSON", "BUSINESS"]);
        let currency = currency_field(r, "currency", true);
        let recipient = BankRecipient {
            beneficiary_type: beneficiary_type.unwrap_or_default().to_owned(),
            name: required_text(r, "name"),
            surname: s(r, "surname"),
            company_name: None,
            relation: s(r, "relation"),
            document_type: s(r, "documentType"),
            document_number: required_text(r, "documentNumber"),
            account_number: required_text(r, "accountNumber").unwrap_or_default(),
            routing_data: required_text(r, "routingData").unwrap_or_default(),
            swift: None,
            phone: s(r, "phone"),
            email: None,
            address: PostalAddress {
                line1: required_text(r, "address"),
                postal_code: required_text(r, "postalCode"),
                province: None,
                city: required_text(r, "city"),
                country: r.country("country", true).map(str::to_owned),
            },
        };
        Some((recipient, currency))
    })
}

struct BankPayoutBody {
    requested: Requested,
    recipient: BankRecipient,
    description: String,
    reference: String,
    own_reference: Option<String>,
    quote_id: Option<Uuid>,
    code2fa: Option<String>,
}

fn bank_payout_body(body: &Map<String, Value>) -> ApiResult<BankPayoutBody> {
    let mut f = Fields::new(body);
    // The legacy revision is recognised by `origin` without `amounts` (openapi.yaml oneOf).
    let legacy = body.contains_key("origin") && !body.contains_key("amounts");
    let description = required_text(&mut f, "description");
    let quote_id = uuid_field(&mut f, "quoteId", false);
    let parsed = if legacy {
        let code2fa = f.required_str("code2fa").map(str::to_owned);
        let origin = money_field(&mut f, "origin");
        let reference = required_text(&mut f, "reference");
        let recipient = legacy_recipient(&mut f);
        recipient.zip(origin).map(|((recipient, to), origin)| {
            (
                Requested::Legacy { origin, to },
                recipient,
                reference,
                None,
                code2fa,
            )
        })
    } else {
        let requested = amounts(&mut f);
        let own_reference = required_text(&mut f, "ownReference");
        let recipient = bank_recipient(&mut f);
        requested
            .zip(recipient)
            .map(|(req, rec)| (req, rec, own_reference.clone(), own_reference, None))
    };
    f.finish()?;
    match (parsed, description) {
        (
            Some((requested, recipient, Some(reference), own_reference, code2fa)),
            Some(description),
        ) => Ok(BankPayoutBody {
            requested,
            recipient,
            description,
            reference,
            own_reference,
            quote_id,
            code2fa,
        }),
        _ => Err(ApiError::internal("validated fields are missing")),
    }
}

async fn create_bank_payout(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<UserAccountPath>,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let body = bank_payout_body(&body)?;
    let mut store = state.store();
    let account = active_user_account(&store, &path)?;
    if let Some(code) = &body.code2fa {
        check_otp(code, "code2fa")?;
    }
    let amount = resolve(
        body.requested,
        account.currency,
        account.currency,
        &[Currency::Eur, Currency::Usd],
    )?;
    let price = price_payout(account.currency, amount)?;
    let new = NewOutgoing {
        price,
        quote_id: body.quote_id,
        reference: body.reference,
        own_reference: body.own_reference,
        detail: OrderDetail::BankPayout {
            description: body.description,
            recipient: body.recipient,
        },
    };
    let oid = store
        .ledger
        .create_payout(OrderType::BankPayOut, &account, new, state.now())?;
    let order = order_of_type(&store, oid, &[OrderType::BankPayOut])?;
    Ok((StatusCode::CREATED, Json(payout_created_json(&order))))
}

async fn simulate_bank_payout(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<UserAccountPath>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let mut f = Fields::new(&body);
    let legacy = body.contains_key("origin") && !body.contains_key("amounts");
    let requested = if legacy {
        let origin = money_field(&mut f, "origin");
        let to = f
            .object("recipient", false)
            .and_then(|r| f.nested("recipient", r, |r| currency_field(r, "currency", false)));
        origin.map(|origin| Requested::Legacy { origin, to })
    } else {
        amounts(&mut f)
    };
    f.finish()?;
    let requested = requested.ok_or_else(|| ApiError::internal("validated fields are missing"))?;
    let mut store = state.store();
    let account = active_user_account(&store, &path)?;
    let amount = resolve(
        requested,
        account.currency,
        account.currency,
        &[Currency::Eur, Currency::Usd],
    )?;
    let price = price_payout(account.currency, amount)?;
    let quote = Quote::new(QuoteKind::Payout, account.id, price, state.now());
    let response = quote.response_json();
    store.ledger.add_quote(quote);
    Ok(Json(response))
}

async fn create_crypto_payout(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<UserAccountPath>,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut f = Fields::new(&body);
    let requested = amounts(&mut f);
    let description = required_text(&mut f, "description");
    let own_reference = required_text(&mut f, "ownReference");
    let quote_id = uuid_field(&mut f, "quoteId", false);
    let recipient = f.object("recipient", true).and_then(|r| {
        f.nested("recipient", r, |r| {
            let address = required_text(r, "address");
            let currency = r.enumeration("currency", true, &["USDT"]);
            let network = r.enumeration("network", true, &[CRYPTO_NETWORK]);
            currency?;
            Some(CryptoRecipient {
                address: address?,
                network: network?.to_owned(),
            })
        })
    });
    f.finish()?;
    let (Some(requested), Some(description), Some(own_reference), Some(recipient)) =
        (requested, description, own_reference, recipient)
    else {
        return Err(ApiError::internal("validated fields are missing"));
    };
    let mut store = state.store();
    let account = active_user_account(&store, &path)?;
    let amount = resolve(
        requested,
        account.currency,
        Currency::Usdt,
        &[Currency::Usdt],
    )?;
    let price = price_payout(account.currency, amount)?;
    let new = NewOutgoing {
        price,
        quote_id,
        reference: own_reference.clone(),
        own_reference: Some(own_reference),
        detail: OrderDetail::CryptoPayout {
            description,
            recipient,
        },
    };
    let oid = store
        .ledger
        .create_payout(OrderType::CryptoPayOut, &account, new, state.now())?;
    let order = order_of_type(&store, oid, &[OrderType::CryptoPayOut])?;
    Ok((StatusCode::CREATED, Json(payout_created_json(&order))))
}

fn get_one(state: &AppState, oid: Uuid, order_type: OrderType) -> ApiResult<Json<Value>> {
    let store = state.store();
    Ok(Json(order_detail_json(&order_of_type(
        &store,
        oid,
        &[order_type],
    )?)))
}

async fn get_bank_payout(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<OrderPath>,
) -> ApiResult<Json<Value>> {
    get_one(&state, path.oid, OrderType::BankPayOut)
}

async fn get_crypto_payout(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<OrderPath>,
) -> ApiResult<Json<Value>> {
    get_one(&state, path.oid, OrderType::CryptoPayOut)
}

/// `CREATED -> PENDING` with the right code, then settled at once with auto-settle.
fn validate(
    state: &AppState,
    oid: Uuid,
    order_type: OrderType,
    body: &Map<String, Value>,
) -> ApiResult<Json<Value>> {
    let mut f = Fields::new(body);
    let code = f.required_str("code").map(str::to_owned);
    f.finish()?;
    let code = code.ok_or_else(|| ApiError::internal("validated fields are missing"))?;
    let mut store = state.store();
    order_of_type(&store, oid, &[order_type])?;
    check_otp(&code, "code")?;
    store.ledger.validate_payout(oid, state.now())?;
    let order = maybe_auto_settle(state, &mut store, oid)?;
    Ok(Json(order_json(&order)))
}

async fn validate_bank_payout(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<OrderPath>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    validate(&state, path.oid, OrderType::BankPayOut, &body)
}

async fn validate_crypto_payout(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<OrderPath>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    validate(&state, path.oid, OrderType::CryptoPayOut, &body)
}

/// Always succeeds and sends nothing (spec/NOTES.md D9); the fields are still checked.
async fn send_otp(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let mut f = Fields::new(&body);
    uuid_field(&mut f, "orderId", true);
    f.required_str("phoneNumber");
    f.required_str("phoneNumberCountry");
    f.finish()?;
    let expires = state.now() + chrono::Duration::minutes(5);
    Ok(Json(json!({
        "message": "OTP sent (sandbox: no SMS is sent; the code is 123456)",
        "expiresAt": rfc3339(expires),
    })))
}
