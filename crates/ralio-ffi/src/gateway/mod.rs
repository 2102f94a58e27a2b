//! Gateway mode: the same operations as the direct client, over gRPC to `ralio-gateway` with a
//! scoped gateway token (`authorization: Bearer <token>`).
//!
//! Each resource module converts the model request into the proto request and the proto
//! response back into the model (the gateway's `src/convert/` does the opposite directions), and
//! [`status_to_error`] folds the gateway's `google.rpc` status details into [`RalioFfiError`].
//! Validation is the gateway's: a field it refuses comes back as `Validation` with the proto
//! field path (`origin.amount`).

pub mod accounts;
pub mod events;
pub mod identity;
pub mod kyb;
pub mod merchant;
pub mod orders;
pub mod payins;
pub mod payouts;
pub mod reference;
pub mod transactions;
pub mod transfers;
pub mod users;
pub mod vibans;

use std::time::Duration;

use prost_types::Timestamp;
use ralio_core::model;
use ralio_core::{CallOptions, Violation};
use ralio_gateway::convert::common::{ProtoEnum, enum_from_wire, enum_to_wire, screaming_snake};
use ralio_gateway::proto::ralio::v1 as pb;
use tonic::metadata::{AsciiMetadataValue, MetadataValue};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};
use tonic::{Code, Status};
use tonic_types::StatusExt;

use crate::error::RalioFfiError;
use crate::runtime::runtime;

/// A lazily connected channel to the gateway and the caller's token.
pub struct GatewayConn {
    pub(crate) channel: Channel,
    authorization: AsciiMetadataValue,
}

impl std::fmt::Debug for GatewayConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        f.debug_struct("GatewayConn").finish_non_exhaustive()
    }
}

impl GatewayConn {
    /// Validates `url` and `token`; nothing is sent until the first call. An `https://` URL
    /// needs `ca_pem`, the PEM certificate(s) of the CA that signed the gateway's certificate:
    /// the bindings carry no system root store.
    pub fn new(url: &str, token: &str, ca_pem: Option<&str>) -> Result<Self, RalioFfiError> {
        let invalid = |reason: &str| RalioFfiError::Validation {
            code: "INVALID_REQUEST".to_owned(),
            reason: reason.to_owned(),
            violations: Vec::new(),
            request_id: None,
        };
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(invalid(
                "the gateway URL must start with http:// or https://",
            ));
        }
        let mut endpoint = Endpoint::from_shared(url.to_owned())
            .map_err(|_| invalid("the gateway URL is not a valid URI"))?
            .connect_timeout(Duration::from_secs(10))
            .http2_keep_alive_interval(Duration::from_secs(30))
            .keep_alive_while_idle(true);
        if url.starts_with("https://") {
            // No system root store is bundled: the caller names the CA it trusts.
            let Some(ca_pem) = ca_pem else {
                return Err(invalid(
                    "an https gateway URL needs the CA certificate (RalioClient.gateway_with_ca)",
                ));
            };
            let tls = ClientTlsConfig::new().ca_certificate(Certificate::from_pem(ca_pem));
            endpoint = endpoint
                .tls_config(tls)
                .map_err(|_| invalid("the CA certificate is not usable PEM"))?;
        } else if ca_pem.is_some() {
            return Err(invalid(
                "a CA certificate was given for a plain-text http:// URL",
            ));
        }
        if token.trim().is_empty() {
            return Err(invalid("the gateway token is empty"));
        }
        let mut authorization: AsciiMetadataValue =
            MetadataValue::try_from(format!("Bearer {token}")).map_err(|_| {
                invalid("the gateway token contains characters a header cannot carry")
            })?;
        authorization.set_sensitive(true);
        let channel = {
            let _entered = runtime().enter();
            endpoint.connect_lazy()
        };
        Ok(Self {
            channel,
            authorization,
        })
    }

    /// `message` with the token and the call options as metadata (`x-request-id`,
    /// `idempotency-key`, the deadline as `grpc-timeout`).
    pub(crate) fn request<T>(
        &self,
        message: T,
        options: &CallOptions,
    ) -> Result<tonic::Request<T>, RalioFfiError> {
        let mut request = tonic::Request::new(message);
        let metadata = request.metadata_mut();
        metadata.insert("authorization", self.authorization.clone());
        let header = |name: &str, value: &str| {
            MetadataValue::try_from(value).map_err(|_| RalioFfiError::Validation {
                code: "INVALID_REQUEST".to_owned(),
                reason: format!("{name} contains characters a header cannot carry"),
                violations: Vec::new(),
                request_id: None,
            })
        };
        if let Some(id) = &options.request_id {
            metadata.insert("x-request-id", header("request_id", id)?);
        }
        if let Some(key) = &options.idempotency_key {
            metadata.insert("idempotency-key", header("idempotency_key", key)?);
        }
        if let Some(deadline) = options.deadline.or(options.timeout) {
            request.set_timeout(deadline);
        }
        Ok(request)
    }
}

/// The error a sub-client returns for an operation gateway mode does not offer yet.
pub(crate) fn unsupported(operation: &str) -> RalioFfiError {
    RalioFfiError::Unsupported {
        code: "UNSUPPORTED_IN_GATEWAY_MODE".to_owned(),
        reason: format!("{operation} is not available through the gateway in this version"),
    }
}

/// Folds a gateway status into the FFI error: the code picks the variant, `ErrorInfo.reason`
/// becomes `code`, `BadRequest` the violations, `RetryInfo` the retry delay, and the request id
/// comes from `RequestInfo`, `ErrorInfo.metadata` or the `x-request-id` response metadata.
pub(crate) fn status_to_error(status: Status) -> RalioFfiError {
    let details = status.get_error_details();
    let info = details.error_info();
    let code = info
        .as_ref()
        .map(|info| info.reason.clone())
        .filter(|reason| !reason.is_empty())
        .unwrap_or_else(|| screaming_snake(&format!("{:?}", status.code())));
    let request_id = details
        .request_info()
        .map(|info| info.request_id.clone())
        .or_else(|| {
            info.as_ref()
                .and_then(|info| info.metadata.get("request_id").cloned())
        })
        .or_else(|| {
            status
                .metadata()
                .get("x-request-id")
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        })
        .filter(|id| !id.is_empty());
    let retry_after_secs = details
        .retry_info()
        .and_then(|retry| retry.retry_delay)
        .map(|delay| delay.as_secs());
    let reason = status.message().to_owned();
    match status.code() {
        Code::InvalidArgument | Code::OutOfRange => RalioFfiError::Validation {
            code,
            reason,
            violations: details
                .bad_request()
                .map(|bad| {
                    bad.field_violations
                        .iter()
                        .map(|v| Violation {
                            field: v.field.clone(),
                            description: v.description.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            request_id,
        },
        Code::Unauthenticated => RalioFfiError::Unauthorized {
            code,
            reason,
            request_id,
        },
        Code::PermissionDenied => RalioFfiError::PermissionDenied {
            code,
            reason,
            request_id,
        },
        Code::NotFound => RalioFfiError::NotFound {
            code,
            reason,
            request_id,
        },
        Code::AlreadyExists | Code::Aborted => RalioFfiError::Conflict {
            code,
            reason,
            request_id,
        },
        Code::FailedPrecondition => RalioFfiError::FailedPrecondition {
            code,
            reason,
            request_id,
        },
        Code::ResourceExhausted => RalioFfiError::RateLimited {
            code,
            reason,
            retry_after_secs,
            request_id,
        },
        Code::Unavailable => RalioFfiError::Unavailable {
            code,
            reason,
            retry_after_secs,
            request_id,
        },
        Code::DeadlineExceeded => RalioFfiError::Timeout {
            code,
            reason,
            request_id,
        },
        Code::Unimplemented => RalioFfiError::Unsupported { code, reason },
        _ => RalioFfiError::Internal {
            code,
            reason,
            status: None,
            request_id,
        },
    }
}

/// A response that lacks a message the contract always sets.
pub(crate) fn missing(what: &str) -> RalioFfiError {
    RalioFfiError::Internal {
        code: "GATEWAY_BAD_RESPONSE".to_owned(),
        reason: format!("the gateway's response has no {what}"),
        status: None,
        request_id: None,
    }
}

/// A model value gateway mode cannot express in the proto request.
pub(crate) fn invalid_field(field: &str, description: &str) -> RalioFfiError {
    RalioFfiError::Validation {
        code: "INVALID_REQUEST".to_owned(),
        reason: format!("{field} {description}"),
        violations: vec![Violation {
            field: field.to_owned(),
            description: description.to_owned(),
        }],
        request_id: None,
    }
}

// ---------------------------------------------------------------------------------------------
// Shared conversions

/// A proto time as the RFC 3339 text the model carries.
pub(crate) fn time(value: Option<Timestamp>) -> Option<String> {
    value.map(|ts| ts.to_string())
}

/// Empty proto string: absent.
pub(crate) fn opt(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}

/// A proto enum value as the model's wire enum (`None` when unspecified).
pub(crate) fn enum_in<E: ProtoEnum, M>(value: i32, from_wire: fn(&str) -> M) -> Option<M> {
    enum_to_wire::<E>(value).map(from_wire)
}

/// A model wire string as a proto enum value (unknown: 0).
pub(crate) fn enum_out<E: ProtoEnum>(wire: &str) -> i32 {
    enum_from_wire::<E>(wire)
}

pub(crate) fn money_in(money: pb::Money) -> model::Money {
    model::Money::new(model::Currency::from_wire(&money.currency), money.amount)
}

pub(crate) fn money_out(money: &model::Money) -> pb::Money {
    pb::Money {
        currency: money.currency.as_str().to_owned(),
        amount: money.amount,
    }
}

pub(crate) fn currency_in(value: i32) -> model::Currency {
    enum_in::<pb::Currency, _>(value, model::Currency::from_wire)
        .unwrap_or_else(|| model::Currency::Unknown(String::new()))
}

pub(crate) fn account_ref_in(reference: pb::AccountRef) -> model::AccountRef {
    model::AccountRef::new(reference.account_id)
}

pub(crate) fn account_ref_out(reference: &model::AccountRef) -> pb::AccountRef {
    pb::AccountRef {
        account_id: reference.account_id.clone(),
    }
}

pub(crate) fn pagination_in(page: pb::PageInfo) -> model::Pagination {
    model::Pagination {
        next: page.next,
        previous: page.previous,
        num_pages: i64::from(page.num_pages),
        page: i64::from(page.page),
        page_size: i64::from(page.page_size),
        total: page.total,
    }
}

/// The paging part of a model list query.
pub(crate) fn page_out(query: &ralio_core::ListQuery) -> Option<pb::PageRequest> {
    if query.page.is_none() && query.page_size.is_none() {
        return None;
    }
    let clamp = |value: Option<u32>| value.map_or(0, |n| i32::try_from(n).unwrap_or(i32::MAX));
    Some(pb::PageRequest {
        page: clamp(query.page),
        page_size: clamp(query.page_size),
    })
}

/// Sort, filters and search of a model list query (`-field` sorts descending).
pub(crate) fn list_query_out(query: &ralio_core::ListQuery) -> Option<pb::ListQuery> {
    let sort: Vec<pb::SortField> = query
        .sort
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|key| !key.is_empty())
        .map(|key| match key.strip_prefix('-') {
            Some(field) => pb::SortField {
                field: field.to_owned(),
                direction: pb::SortDirection::Desc as i32,
            },
            None => pb::SortField {
                field: key.trim_start_matches('+').to_owned(),
                direction: pb::SortDirection::Asc as i32,
            },
        })
        .collect();
    let filters: Vec<pb::Filter> = query
        .filters
        .iter()
        .map(|filter| pb::Filter {
            field: filter.field.clone(),
            op: filter_op_out(filter.op) as i32,
            value: filter.value.clone(),
        })
        .collect();
    let search = query.search.clone().unwrap_or_default();
    if sort.is_empty() && filters.is_empty() && search.is_empty() {
        return None;
    }
    Some(pb::ListQuery {
        sort,
        filters,
        search,
    })
}

fn filter_op_out(op: ralio_core::FilterOp) -> pb::FilterOp {
    use ralio_core::FilterOp;
    match op {
        FilterOp::Eq => pb::FilterOp::Eq,
        FilterOp::Neq => pb::FilterOp::Neq,
        FilterOp::Gt => pb::FilterOp::Gt,
        FilterOp::Lt => pb::FilterOp::Lt,
        FilterOp::Gte => pb::FilterOp::Gte,
        FilterOp::Lte => pb::FilterOp::Lte,
        FilterOp::Like => pb::FilterOp::Like,
        FilterOp::Ilike => pb::FilterOp::Ilike,
    }
}

/// Refuses the parts of a list query an RPC has no field for, rather than dropping them.
pub(crate) fn only_paging(query: &ralio_core::ListQuery) -> Result<(), RalioFfiError> {
    if query.sort.is_some() || !query.filters.is_empty() || query.search.is_some() {
        return Err(invalid_field(
            "query",
            "supports only page and page_size on this operation through the gateway",
        ));
    }
    Ok(())
}

/// Refuses paging on an RPC that returns the whole list.
pub(crate) fn no_paging(query: &ralio_core::ListQuery) -> Result<(), RalioFfiError> {
    if query.page.is_some() || query.page_size.is_some() {
        return Err(invalid_field(
            "query",
            "takes no page or page_size on this operation through the gateway",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic_types::{ErrorDetails, FieldViolation};

    #[test]
    fn statuses_with_details_fold_into_the_error_enum() {
        let mut details = ErrorDetails::with_error_info(
            "VALIDATION_ERROR",
            "raliopay.com",
            [("request_id".to_owned(), "req-7".to_owned())],
        );
        details.set_bad_request(vec![FieldViolation::new(
            "origin.amount",
            "must be greater than zero",
        )]);
        let status = Status::with_error_details(Code::InvalidArgument, "bad", details);
        match status_to_error(status) {
            RalioFfiError::Validation {
                code,
                violations,
                request_id,
                ..
            } => {
                assert_eq!(code, "VALIDATION_ERROR");
                assert_eq!(violations[0].field, "origin.amount");
                assert_eq!(request_id.as_deref(), Some("req-7"));
            }
            other => panic!("{other:?}"),
        }

        let mut details = ErrorDetails::with_error_info("RATE_LIMITED", "raliopay.com", []);
        details.set_retry_info(Some(Duration::from_secs(3)));
        let status = Status::with_error_details(Code::ResourceExhausted, "slow down", details);
        assert!(matches!(
            status_to_error(status),
            RalioFfiError::RateLimited { code, retry_after_secs: Some(3), .. } if code == "RATE_LIMITED"
        ));
        assert!(matches!(
            status_to_error(Status::permission_denied("no")),
            RalioFfiError::PermissionDenied { code, .. } if code == "PERMISSION_DENIED"
        ));
    }

    #[test]
    fn list_queries_render_sort_filters_and_paging() {
        let mut query = ralio_core::ListQuery::new();
        query.sort = Some("-createdAt, alias".into());
        query.page_size = Some(20);
        query.filters.push(ralio_core::Filter::new(
            "type",
            ralio_core::FilterOp::Eq,
            "TRANSFER",
        ));
        let list = list_query_out(&query).unwrap();
        assert_eq!(list.sort[0].field, "createdAt");
        assert_eq!(list.sort[0].direction, pb::SortDirection::Desc as i32);
        assert_eq!(list.sort[1].field, "alias");
        assert_eq!(list.filters[0].op, pb::FilterOp::Eq as i32);
        assert_eq!(page_out(&query).unwrap().page_size, 20);
        assert!(list_query_out(&ralio_core::ListQuery::new()).is_none());
        assert!(only_paging(&query).is_err());
        assert!(no_paging(&query).is_err());
    }
}
