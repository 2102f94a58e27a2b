//! Typed `data` of the 20 documented webhook events (upstream webhooks.md §5, D11).
//!
//! Fields upstream marks optional, or shows only in some examples, are `Option`. Webhook
//! amounts are `{amount, currency}` in minor units ([`Money`]); webhook fees use `total`.

use serde::{Deserialize, Serialize};

use super::envelope::{EventType, WebhookError};
use crate::model::common::{FeeBreakdown, KycLevel, Money, opt_rate_from_number_or_string};
use crate::model::identity::KycCheckState;
use crate::model::vibans::{VibanRail, VibanState};
use crate::model::wire_enum::wire_enum;

wire_enum! {
    PayinStatus {
        Processing = "PROCESSING",
        Completed = "COMPLETED",
        Failed = "FAILED",
    }
}

wire_enum! {
    PayinType {
        BankPayin = "bankPayin",
        CryptoPayin = "cryptoPayin",
        CardPayin = "cardPayin",
    }
}

wire_enum! {
    /// `state` of `transfer_state_updated`.
    TransferState {
        Confirmed = "CONFIRMED",
        Completed = "COMPLETED",
        Error = "ERROR",
    }
}

wire_enum! {
    /// Who a KYC event is about.
    EntityType {
        User = "user",
        RelatedParty = "related-party",
    }
}

wire_enum! {
    RelatedPartyRole {
        Shareholder = "SHAREHOLDER",
        Ubo = "UBO",
        AuthorizedRepresentative = "AUTHORIZED_REPRESENTATIVE",
    }
}

wire_enum! {
    /// `method` of the legacy `fund_*` events.
    FundMethod {
        Card = "card",
        BankTransfer = "bank_transfer",
        InternalTransfer = "internal_transfer",
    }
}

/// Fees in webhooks: `{currency, total, breakdown}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookFees {
    pub currency: crate::model::Currency,
    pub total: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breakdown: Option<FeeBreakdown>,
}

/// FX in webhooks: the rate is a string in v2 payloads (also read as a number).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WebhookFx {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pair: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_rate_from_number_or_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub rate: Option<String>,
}

/// Contact details of a payer in webhooks.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WebhookPayer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// Where a payin came from: `card` or `bankAccount` (crypto shape undocumented).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayinSource {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_concept_transfer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_bin: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_last_four: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payer: Option<WebhookPayer>,
}

/// The credited account of a payin.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayinDestination {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub destination_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credited_account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credited_user_id: Option<String>,
}

/// Amounts of a payin; fees, net and credited amounts only on `payin_completed`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayinAmounts {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received_amount: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fees: Option<WebhookFees>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount_after_fees: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fx: Option<WebhookFx>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credited_amount: Option<Money>,
}

/// `failure` of `payin_failed`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PayinFailure {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `payin_processing` / `payin_completed` / `payin_failed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayinEventData {
    pub status: PayinStatus,
    pub payin_type: PayinType,
    pub order_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub own_reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<PayinSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<PayinDestination>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amounts: Option<PayinAmounts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<PayinFailure>,
}

/// The debited account of a payout.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayoutSource {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub debited_account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub debited_user_id: Option<String>,
}

/// `document` of a payout beneficiary.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BeneficiaryDocument {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
}

/// `contact` of a payout beneficiary.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BeneficiaryContact {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// The beneficiary of a payout.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Beneficiary {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub beneficiary_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<BeneficiaryDocument>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<BeneficiaryContact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<crate::model::PostalAddress>,
}

/// Where a payout went.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayoutDestination {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub destination_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_wire_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub swift: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beneficiary: Option<Beneficiary>,
}

/// Amounts of a payout.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayoutAmountsEvent {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub debited_amount: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fees: Option<WebhookFees>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount_after_fees: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fx: Option<WebhookFx>,
}

/// `payout_completed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayoutEventData {
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payout_type: Option<String>,
    pub order_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub own_reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<PayoutSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<PayoutDestination>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amounts: Option<PayoutAmountsEvent>,
}

/// `viban_activated` / `viban_failed` / `viban_deactivated`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VibanEventData {
    pub viban_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rail: Option<VibanRail>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<VibanState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iban: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bic: Option<String>,
    /// `viban_failed` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `kyb_state_updated`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KybStateUpdatedData {
    pub kyb_id: i64,
    pub user_id: String,
    pub state: KycLevel,
}

/// The business of a related party (its `id` is an integer here).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RelatedPartyBusiness {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Residential address of a related party.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResidentialAddress {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province_state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A UBO, shareholder or representative of a business user.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedParty {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_type: Option<RelatedPartyRole>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// A percentage, not money, so a JSON number is fine here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ownership_percentage: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residential_address: Option<ResidentialAddress>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// The KYC session opened for a related party.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedPartyKycSession {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

/// `related_party.kyc_session_created`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedPartyKycSessionCreatedData {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_user: Option<RelatedPartyBusiness>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_party: Option<RelatedParty>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kyc_session: Option<RelatedPartyKycSession>,
}

/// `kyc_state_updated`: newest camelCase fields; the older revision's `kyc_id`/`user_id` are
/// read as aliases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KycStateUpdatedData {
    #[serde(alias = "kyc_id", skip_serializing_if = "Option::is_none")]
    pub kyc_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_type: Option<EntityType>,
    #[serde(alias = "user_id", skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_party_id: Option<String>,
    pub state: KycLevel,
}

/// `kyc_expiration_warning`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KycExpirationWarningData {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kyc_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_type: Option<EntityType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_party_id: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_remaining: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

/// Why a KYC check failed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KycCheckReason {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub reason_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

/// One check inside a KYC session event.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KycCheck {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub check_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<KycCheckState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<KycCheckReason>,
}

/// `kyc_session_verified` / `_manual_review` / `_failed` / `_expired`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KycSessionEventData {
    pub session_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_type: Option<EntityType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_party_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checks: Option<Vec<KycCheck>>,
}

/// `account_activated`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountActivatedData {
    pub account_id: String,
}

/// `transfer_state_updated`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransferStateUpdatedData {
    pub transfer_id: String,
    pub state: TransferState,
    /// Only when the transfer failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `source` of a legacy funding event.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FundSource {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_account_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_routing_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_bin: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_last_four: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `quote` of `fund_received`; `rate` and `spread` are kept as decimal strings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FundQuote {
    #[serde(
        default,
        deserialize_with = "opt_rate_from_number_or_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub rate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_rate_from_number_or_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub spread: Option<String>,
}

/// `error` of `fund_error`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FundErrorInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Legacy `fund_pending` / `fund_received` / `fund_error`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FundEventData {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<FundMethod>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<FundSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fee: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settled: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote: Option<FundQuote>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub funding_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<FundErrorInfo>,
}

/// The typed `data` of an event, one variant per documented event.
#[derive(Debug, Clone, PartialEq)]
pub enum EventPayload {
    AccountActivated(AccountActivatedData),
    PayinProcessing(PayinEventData),
    PayinCompleted(PayinEventData),
    PayinFailed(PayinEventData),
    PayoutCompleted(PayoutEventData),
    TransferStateUpdated(TransferStateUpdatedData),
    KycStateUpdated(KycStateUpdatedData),
    KycExpirationWarning(KycExpirationWarningData),
    KycSessionVerified(KycSessionEventData),
    KycSessionManualReview(KycSessionEventData),
    KycSessionFailed(KycSessionEventData),
    KycSessionExpired(KycSessionEventData),
    RelatedPartyKycSessionCreated(RelatedPartyKycSessionCreatedData),
    KybStateUpdated(KybStateUpdatedData),
    VibanActivated(VibanEventData),
    VibanFailed(VibanEventData),
    VibanDeactivated(VibanEventData),
    FundPending(FundEventData),
    FundReceived(FundEventData),
    FundError(FundEventData),
    /// An event type this client does not model; its data stays in `WebhookEvent::data`.
    Unknown,
}

impl EventPayload {
    pub(crate) fn from_data(
        event_type: &EventType,
        data: &serde_json::Value,
    ) -> Result<Self, WebhookError> {
        fn typed<T: serde::de::DeserializeOwned>(
            event_type: &EventType,
            data: &serde_json::Value,
        ) -> Result<T, WebhookError> {
            T::deserialize(data).map_err(|err| WebhookError::InvalidPayload {
                event_type: event_type.as_str().to_owned(),
                message: err.to_string(),
            })
        }
        let t = event_type;
        Ok(match event_type {
            EventType::AccountActivated => Self::AccountActivated(typed(t, data)?),
            EventType::PayinProcessing => Self::PayinProcessing(typed(t, data)?),
            EventType::PayinCompleted => Self::PayinCompleted(typed(t, data)?),
            EventType::PayinFailed => Self::PayinFailed(typed(t, data)?),
            EventType::PayoutCompleted => Self::PayoutCompleted(typed(t, data)?),
            EventType::TransferStateUpdated => Self::TransferStateUpdated(typed(t, data)?),
            EventType::KycStateUpdated => Self::KycStateUpdated(typed(t, data)?),
            EventType::KycExpirationWarning => Self::KycExpirationWarning(typed(t, data)?),
            EventType::KycSessionVerified => Self::KycSessionVerified(typed(t, data)?),
            EventType::KycSessionManualReview => Self::KycSessionManualReview(typed(t, data)?),
            EventType::KycSessionFailed => Self::KycSessionFailed(typed(t, data)?),
            EventType::KycSessionExpired => Self::KycSessionExpired(typed(t, data)?),
            EventType::RelatedPartyKycSessionCreated => {
                Self::RelatedPartyKycSessionCreated(typed(t, data)?)
            }
            EventType::KybStateUpdated => Self::KybStateUpdated(typed(t, data)?),
            EventType::VibanActivated => Self::VibanActivated(typed(t, data)?),
            EventType::VibanFailed => Self::VibanFailed(typed(t, data)?),
            EventType::VibanDeactivated => Self::VibanDeactivated(typed(t, data)?),
            EventType::FundPending => Self::FundPending(typed(t, data)?),
            EventType::FundReceived => Self::FundReceived(typed(t, data)?),
            EventType::FundError => Self::FundError(typed(t, data)?),
            EventType::Unknown(_) => Self::Unknown,
        })
    }
}
