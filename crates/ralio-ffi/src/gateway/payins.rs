//! Payins through the gateway (`PayinsService`): card, bank and crypto.

use ralio_core::CallOptions;
use ralio_core::model::{
    BankPayinDetail, BankSender, CardInfo, CardPayinCreate, CardPayinCreated, CardPayinDetail,
    CryptoPayinDetail, CryptoSender, Currency, Payer,
};
use ralio_gateway::convert::common::enum_to_wire;
use ralio_gateway::proto::ralio::v1 as pb;
use ralio_gateway::proto::ralio::v1::payins_service_client::PayinsServiceClient;

use super::orders::required_order;
use super::{
    GatewayConn, account_ref_in, enum_out, invalid_field, missing, opt, status_to_error, time,
};
use crate::error::RalioFfiError;

fn client(conn: &GatewayConn) -> PayinsServiceClient<tonic::transport::Channel> {
    PayinsServiceClient::new(conn.channel.clone())
}

pub async fn get_bank(
    conn: &GatewayConn,
    options: &CallOptions,
    oid: String,
) -> Result<BankPayinDetail, RalioFfiError> {
    let response = client(conn)
        .get_bank_payin(conn.request(pb::GetBankPayinRequest { oid }, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    let payin = response.bank_payin.ok_or_else(|| missing("bank_payin"))?;
    Ok(BankPayinDetail {
        order: required_order(payin.order)?,
        bank_concept_transfer: opt(payin.bank_concept_transfer),
        recipient: payin.recipient.map(account_ref_in),
        sender: payin.sender.map(|s| BankSender {
            account_number: opt(s.account_number),
            routing_data: opt(s.routing_data),
        }),
    })
}

pub async fn create_card(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    aid: String,
    body: CardPayinCreate,
) -> Result<CardPayinCreated, RalioFfiError> {
    let currency = match body.currency {
        Currency::Eur => pb::AccountCurrency::Eur,
        Currency::Usd => pb::AccountCurrency::Usd,
        _ => {
            return Err(invalid_field(
                "currency",
                "must be EUR or USD for a card payin",
            ));
        }
    };
    let request = pb::CreateCardPayinRequest {
        uid,
        aid,
        amount: body.amount,
        currency: currency as i32,
        reference: body.reference,
        url_success: body.url_success,
        url_failed: body.url_failed,
        payer: body.payer.map(payer_out),
    };
    let response = client(conn)
        .create_card_payin(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    let created = response.card_payin.ok_or_else(|| missing("card_payin"))?;
    Ok(CardPayinCreated {
        order: required_order(created.order)?,
        payment_url: opt(created.payment_url),
    })
}

pub async fn get_card(
    conn: &GatewayConn,
    options: &CallOptions,
    oid: String,
) -> Result<CardPayinDetail, RalioFfiError> {
    let response = client(conn)
        .get_card_payin(conn.request(pb::GetCardPayinRequest { oid }, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    let payin = response.card_payin.ok_or_else(|| missing("card_payin"))?;
    Ok(CardPayinDetail {
        order: required_order(payin.order)?,
        card: payin.card.map(|card| CardInfo {
            card_bin: opt(card.card_bin),
            card_pan: opt(card.card_pan),
            expiration: time(card.expiration),
        }),
        payer: payin.payer.map(payer_in),
        recipient: payin.recipient.map(account_ref_in),
    })
}

pub async fn get_crypto(
    conn: &GatewayConn,
    options: &CallOptions,
    oid: String,
) -> Result<CryptoPayinDetail, RalioFfiError> {
    let response = client(conn)
        .get_crypto_payin(conn.request(pb::GetCryptoPayinRequest { oid }, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    let payin = response
        .crypto_payin
        .ok_or_else(|| missing("crypto_payin"))?;
    Ok(CryptoPayinDetail {
        order: required_order(payin.order)?,
        recipient: payin.recipient.map(account_ref_in),
        sender: payin.sender.map(|s| CryptoSender {
            tx_hash: opt(s.tx_hash),
        }),
    })
}

fn payer_out(payer: Payer) -> pb::Payer {
    pb::Payer {
        name: payer.name.unwrap_or_default(),
        surname: payer.surname.unwrap_or_default(),
        email: payer.email.unwrap_or_default(),
        phone: payer.phone.unwrap_or_default(),
        birthdate: payer.birthdate.unwrap_or_default(),
        document_type: payer
            .document_type
            .as_deref()
            .map_or(0, enum_out::<pb::IdentityDocumentType>),
        document_number: payer.document_number.unwrap_or_default(),
        address: payer.address.unwrap_or_default(),
        city: payer.city.unwrap_or_default(),
        province: payer.province.unwrap_or_default(),
        postal_code: payer.postal_code.unwrap_or_default(),
        country: payer.country.unwrap_or_default(),
    }
}

fn payer_in(payer: pb::Payer) -> Payer {
    Payer {
        address: opt(payer.address),
        birthdate: opt(payer.birthdate),
        city: opt(payer.city),
        country: opt(payer.country),
        document_number: opt(payer.document_number),
        document_type: enum_to_wire::<pb::IdentityDocumentType>(payer.document_type)
            .map(str::to_owned),
        email: opt(payer.email),
        name: opt(payer.name),
        phone: opt(payer.phone),
        postal_code: opt(payer.postal_code),
        province: opt(payer.province),
        surname: opt(payer.surname),
    }
}
