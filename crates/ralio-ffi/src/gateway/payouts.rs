//! Bank and crypto payouts and OTPs through the gateway (`PayoutsService`).

use ralio_core::model::{
    self, BankPayoutCreate, BankPayoutDetail, BankPayoutDetailRecipient, BankPayoutSimulateRequest,
    BeneficiaryType, CryptoPayoutCreate, CryptoPayoutDetail, CryptoRecipient, Order,
    OtpSendRequest, OtpSendResponse, PayoutAmounts, PayoutCreated, PayoutDocumentType,
    QuoteResponse,
};
use ralio_core::{CallOptions, Secret};
use ralio_gateway::proto::ralio::v1 as pb;
use ralio_gateway::proto::ralio::v1::payouts_service_client::PayoutsServiceClient;

use super::orders::required_order;
use super::transfers::quote_in;
use super::{
    GatewayConn, account_ref_in, invalid_field, missing, money_out, opt, status_to_error, time,
};
use crate::error::RalioFfiError;

fn client(conn: &GatewayConn) -> PayoutsServiceClient<tonic::transport::Channel> {
    PayoutsServiceClient::new(conn.channel.clone())
}

pub async fn create_bank(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    aid: String,
    body: BankPayoutCreate,
) -> Result<PayoutCreated, RalioFfiError> {
    let r = body.recipient;
    let request = pb::CreateBankPayoutRequest {
        uid,
        aid,
        amounts: Some(amounts_out(&body.amounts)),
        description: body.description,
        own_reference: body.own_reference,
        recipient: Some(pb::BankPayoutRecipient {
            beneficiary_type: beneficiary_out(&r.beneficiary_type) as i32,
            account_number: r.account_number,
            routing_type: routing_out("recipient.routing_data", &r.routing_data)? as i32,
            swift: r.swift.unwrap_or_default(),
            name: r.name.unwrap_or_default(),
            surname: r.surname.unwrap_or_default(),
            company_name: r.company_name.unwrap_or_default(),
            relation: r.relation.unwrap_or_default(),
            document: Some(pb::PayoutDocument {
                document_type: document_type_out(&r.document.document_type) as i32,
                number: r.document.number,
            }),
            address: Some(pb::PostalAddress {
                line1: r.address.line1.unwrap_or_default(),
                city: r.address.city.unwrap_or_default(),
                country: r.address.country.unwrap_or_default(),
                postal_code: r.address.postal_code.unwrap_or_default(),
                province: r.address.province.unwrap_or_default(),
            }),
            contact: r.contact.map(|contact| pb::BeneficiaryContact {
                email: String::new(),
                phone: contact.phone.unwrap_or_default(),
            }),
        }),
        quote_id: body.quote_id.unwrap_or_default(),
    };
    let response = client(conn)
        .create_bank_payout(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    let payout = response.payout.ok_or_else(|| missing("payout"))?;
    Ok(PayoutCreated {
        order: required_order(payout.order)?,
        is_otp_required: Some(payout.is_otp_required),
    })
}

pub async fn simulate_bank(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    aid: String,
    body: BankPayoutSimulateRequest,
) -> Result<QuoteResponse, RalioFfiError> {
    let routing_type = match body.recipient.routing_data.as_deref() {
        None => pb::RoutingType::Unspecified,
        Some(routing) => routing_out("recipient.routing_data", routing)?,
    };
    let request = pb::SimulateBankPayoutRequest {
        uid,
        aid,
        amounts: Some(amounts_out(&body.amounts)),
        recipient: Some(pb::BankPayoutSimulateRecipient {
            country: body.recipient.country.unwrap_or_default(),
            routing_type: routing_type as i32,
        }),
    };
    let response = client(conn)
        .simulate_bank_payout(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    quote_in(response.quote)
}

pub async fn get_bank(
    conn: &GatewayConn,
    options: &CallOptions,
    oid: String,
) -> Result<BankPayoutDetail, RalioFfiError> {
    let response = client(conn)
        .get_bank_payout(conn.request(pb::GetBankPayoutRequest { oid }, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    let payout = response.bank_payout.ok_or_else(|| missing("bank_payout"))?;
    Ok(BankPayoutDetail {
        order: required_order(payout.order)?,
        description: opt(payout.description),
        recipient: payout.recipient.map(|r| BankPayoutDetailRecipient {
            account_number: opt(r.account_number),
            address: opt(r.address),
            amount: Some(r.amount),
            beneficiary_type: match pb::BeneficiaryType::try_from(r.beneficiary_type) {
                Ok(pb::BeneficiaryType::Person) => Some(BeneficiaryType::Person),
                Ok(pb::BeneficiaryType::Business) => Some(BeneficiaryType::Business),
                _ => None,
            },
            city: opt(r.city),
            country: opt(r.country),
            currency: opt(r.currency),
            document_number: opt(r.document_number),
            document_type: pb::PayoutDocumentType::try_from(r.document_type)
                .ok()
                .and_then(document_type_in)
                .map(|kind| kind.as_str().to_owned()),
            name: opt(r.name),
            phone: opt(r.phone),
            postal_code: opt(r.postal_code),
            province: opt(r.province),
            relation: opt(r.relation),
            routing_data: opt(r.routing_data),
            surname: opt(r.surname),
            swift: opt(r.swift),
        }),
        sender: payout.sender.map(account_ref_in),
    })
}

pub async fn validate_bank_otp(
    conn: &GatewayConn,
    options: &CallOptions,
    oid: String,
    code: Secret,
) -> Result<Order, RalioFfiError> {
    let request = pb::ValidateBankPayoutOtpRequest {
        oid,
        code: code.expose().to_owned(),
    };
    let response = client(conn)
        .validate_bank_payout_otp(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    required_order(response.order)
}

pub async fn send_otp(
    conn: &GatewayConn,
    options: &CallOptions,
    body: OtpSendRequest,
) -> Result<OtpSendResponse, RalioFfiError> {
    let request = pb::SendOtpRequest {
        order_id: body.order_id,
        phone_number: body.phone_number,
        phone_number_country: body.phone_number_country,
    };
    let response = client(conn)
        .send_otp(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    let sent = response.otp.ok_or_else(|| missing("otp"))?;
    Ok(OtpSendResponse {
        expires_at: time(sent.expires_at),
        message: opt(sent.message),
    })
}

fn amounts_out(amounts: &PayoutAmounts) -> pb::PayoutAmounts {
    pb::PayoutAmounts {
        debited_amount: amounts.debited_amount.as_ref().map(money_out),
        received_amount: amounts.received_amount.as_ref().map(money_out),
    }
}

/// The model's routing scheme (`IBAN`, `SWIFT`, `SORT CODE`, `ACH`) as the proto enum.
fn routing_out(field: &str, routing: &str) -> Result<pb::RoutingType, RalioFfiError> {
    match routing
        .trim()
        .to_ascii_uppercase()
        .replace('_', " ")
        .as_str()
    {
        "IBAN" => Ok(pb::RoutingType::Iban),
        "SWIFT" => Ok(pb::RoutingType::Swift),
        "SORT CODE" => Ok(pb::RoutingType::SortCode),
        "ACH" => Ok(pb::RoutingType::Ach),
        _ => Err(invalid_field(
            field,
            "must be IBAN, SWIFT, SORT CODE or ACH",
        )),
    }
}

fn beneficiary_out(kind: &BeneficiaryType) -> pb::BeneficiaryType {
    match kind {
        BeneficiaryType::Person => pb::BeneficiaryType::Person,
        BeneficiaryType::Business => pb::BeneficiaryType::Business,
        BeneficiaryType::Unknown(_) => pb::BeneficiaryType::Unspecified,
    }
}

fn document_type_out(kind: &PayoutDocumentType) -> pb::PayoutDocumentType {
    match kind {
        PayoutDocumentType::NationalId => pb::PayoutDocumentType::NationalId,
        PayoutDocumentType::ResidenceCard => pb::PayoutDocumentType::ResidenceCard,
        PayoutDocumentType::Passport => pb::PayoutDocumentType::Passport,
        PayoutDocumentType::DrivingLicense => pb::PayoutDocumentType::DrivingLicense,
        PayoutDocumentType::Cif => pb::PayoutDocumentType::Cif,
        PayoutDocumentType::TaxId => pb::PayoutDocumentType::TaxId,
        PayoutDocumentType::Unknown(_) => pb::PayoutDocumentType::Unspecified,
    }
}

fn document_type_in(kind: pb::PayoutDocumentType) -> Option<model::PayoutDocumentType> {
    Some(match kind {
        pb::PayoutDocumentType::NationalId => PayoutDocumentType::NationalId,
        pb::PayoutDocumentType::ResidenceCard => PayoutDocumentType::ResidenceCard,
        pb::PayoutDocumentType::Passport => PayoutDocumentType::Passport,
        pb::PayoutDocumentType::DrivingLicense => PayoutDocumentType::DrivingLicense,
        pb::PayoutDocumentType::Cif => PayoutDocumentType::Cif,
        pb::PayoutDocumentType::TaxId => PayoutDocumentType::TaxId,
        pb::PayoutDocumentType::Unspecified => return None,
    })
}

pub async fn create_crypto(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    aid: String,
    body: CryptoPayoutCreate,
) -> Result<PayoutCreated, RalioFfiError> {
    let r = body.recipient;
    if r.amount.is_some() {
        return Err(invalid_field(
            "recipient.amount",
            "is not sent through the gateway: `amounts` fixes the payout's amount",
        ));
    }
    let currency = match r.currency.to_ascii_uppercase().as_str() {
        "EUR" => pb::Currency::Eur,
        "USD" => pb::Currency::Usd,
        "USDT" => pb::Currency::Usdt,
        _ => {
            return Err(invalid_field(
                "recipient.currency",
                "must be EUR, USD or USDT",
            ));
        }
    };
    let network = match r.network.to_ascii_uppercase().as_str() {
        "SOLANA" => pb::CryptoNetwork::Solana,
        _ => return Err(invalid_field("recipient.network", "must be SOLANA")),
    };
    let request = pb::CreateCryptoPayoutRequest {
        uid,
        aid,
        amounts: Some(amounts_out(&body.amounts)),
        description: body.description,
        own_reference: body.own_reference,
        recipient: Some(pb::CryptoPayoutRecipient {
            address: r.address,
            currency: currency as i32,
            network: network as i32,
        }),
    };
    let response = client(conn)
        .create_crypto_payout(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    let payout = response.payout.ok_or_else(|| missing("payout"))?;
    Ok(PayoutCreated {
        order: required_order(payout.order)?,
        is_otp_required: Some(payout.is_otp_required),
    })
}

pub async fn get_crypto(
    conn: &GatewayConn,
    options: &CallOptions,
    oid: String,
) -> Result<CryptoPayoutDetail, RalioFfiError> {
    let response = client(conn)
        .get_crypto_payout(conn.request(pb::GetCryptoPayoutRequest { oid }, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    let payout = response
        .crypto_payout
        .ok_or_else(|| missing("crypto_payout"))?;
    Ok(CryptoPayoutDetail {
        order: required_order(payout.order)?,
        can_cancel: Some(payout.can_cancel),
        cancel_requested_at: time(payout.cancel_requested_at),
        canceled_at: time(payout.canceled_at),
        recipient: payout.recipient.map(|r| CryptoRecipient {
            address: r.address,
            currency: r.currency,
            network: match pb::CryptoNetwork::try_from(r.network) {
                Ok(pb::CryptoNetwork::Solana) => "SOLANA".to_owned(),
                _ => String::new(),
            },
            amount: Some(r.amount),
        }),
        sender: payout.sender.map(account_ref_in),
    })
}

pub async fn validate_crypto_otp(
    conn: &GatewayConn,
    options: &CallOptions,
    oid: String,
    code: Secret,
) -> Result<Order, RalioFfiError> {
    let request = pb::ValidateCryptoPayoutOtpRequest {
        oid,
        code: code.expose().to_owned(),
    };
    let response = client(conn)
        .validate_crypto_payout_otp(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    required_order(response.order)
}
