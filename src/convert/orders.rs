//! Orders: the generic `Order` view every payin, transfer and payout embeds, quotes, routing
//! schemes, and the order list queries (spec/NOTES.md D9, D19, D22).

use ralio_core::model::{self, OrderState, OrderType};
use ralio_core::{Filter, FilterOp, ListQuery};
use tonic::Status;

use super::common::{self, Violations};
use crate::proto::ralio::v1 as pb;

// The enums of orders.proto whose wire strings are their value names without the prefix.
crate::proto_enum!(
    pb::OrderState => "ORDER_STATE_",
    pb::OrderType => "ORDER_TYPE_",
    pb::OrderDirection => "ORDER_DIRECTION_",
);

/// The generic order view, from a route that may return any kind of order.
pub fn order_to_proto(order: model::Order) -> Result<pb::Order, Status> {
    order_of_kind(order, None)
}

/// [`order_to_proto`] for routes that return one kind of order, `kind`. Upstream's
/// `TYPE_PAYOUT` alias is read as that route's payout kind (D19); the core client reads it
/// as a bank payout, which is right everywhere but on the crypto payout routes, where no bank
/// payout can appear.
pub fn order_of_kind(
    order: model::Order,
    kind: Option<pb::OrderType>,
) -> Result<pb::Order, Status> {
    let order_type = match (order.order_type.as_ref(), kind) {
        // The one ambiguous wire value: `TYPE_PAYOUT` is whatever payout the route serves.
        (Some(OrderType::BankPayOut), Some(pb::OrderType::CryptoPayOut)) => {
            pb::OrderType::CryptoPayOut
        }
        (Some(value), _) => order_type_to_proto(value),
        (None, Some(kind)) => kind,
        (None, None) => pb::OrderType::Unspecified,
    };
    Ok(pb::Order {
        r#type: order_type as i32,
        display_type: order.display_type.unwrap_or_default(),
        state: order
            .state
            .as_ref()
            .map_or(pb::OrderState::Unspecified, order_state_to_proto) as i32,
        origin: order.origin.as_ref().map(common::money_to_proto),
        destination: order.destination.as_ref().map(common::money_to_proto),
        fee: order.fee.as_ref().map(common::fee_to_proto),
        fx: order
            .fx
            .as_ref()
            .map(|fx| common::fx_to_proto(fx, "fx"))
            .transpose()?,
        reference: order.reference.unwrap_or_default(),
        detail_url: order.detail_url.unwrap_or_default(),
        merchant: order.merchant.map(|merchant| pb::OrderMerchant {
            id: merchant.id.unwrap_or_default(),
            name: merchant.name.unwrap_or_default(),
        }),
        created_at: common::timestamp("order.createdAt", order.created_at.as_deref())?,
        updated_at: common::timestamp("order.updatedAt", order.updated_at.as_deref())?,
        validated_at: common::timestamp("order.validatedAt", order.validated_at.as_deref())?,
        settled_at: common::timestamp("order.settledAt", order.settled_at.as_deref())?,
        failed_at: common::timestamp("order.failedAt", order.failed_at.as_deref())?,
        id: order.id,
    })
}

/// Several orders, in order.
pub fn orders_to_proto(orders: Vec<model::Order>) -> Result<Vec<pb::Order>, Status> {
    orders.into_iter().map(order_to_proto).collect()
}

/// An order state; a value this contract does not know is UNSPECIFIED (D17).
pub fn order_state_to_proto(state: &OrderState) -> pb::OrderState {
    match state {
        OrderState::Created => pb::OrderState::Created,
        OrderState::Pending => pb::OrderState::Pending,
        OrderState::Settled => pb::OrderState::Settled,
        OrderState::Failed => pb::OrderState::Failed,
        OrderState::Unknown(_) => pb::OrderState::Unspecified,
    }
}

/// An order type; a value this contract does not know is UNSPECIFIED (D17).
pub fn order_type_to_proto(order_type: &OrderType) -> pb::OrderType {
    match order_type {
        OrderType::BankPayIn => pb::OrderType::BankPayIn,
        OrderType::CardPayIn => pb::OrderType::CardPayIn,
        OrderType::CryptoPayIn => pb::OrderType::CryptoPayIn,
        OrderType::Transfer => pb::OrderType::Transfer,
        OrderType::BankPayOut => pb::OrderType::BankPayOut,
        OrderType::CryptoPayOut => pb::OrderType::CryptoPayOut,
        OrderType::Unknown(_) => pb::OrderType::Unspecified,
    }
}

/// `{accountId}` of a sender or recipient.
pub fn account_ref_to_proto(reference: model::AccountRef) -> pb::AccountRef {
    pb::AccountRef {
        account_id: reference.account_id,
    }
}

/// A simulation's quote, flattened (D19). Without a rate upstream applied no conversion: "1".
pub fn quote_to_proto(response: model::QuoteResponse) -> Result<pb::Quote, Status> {
    let (rate, quoted_at, valid_until) = match response.quote {
        Some(quote) => (
            quote.rate,
            common::timestamp("quote.timestamp", quote.timestamp.as_deref())?,
            common::timestamp("quote.validUntil", quote.valid_until.as_deref())?,
        ),
        None => ("1".to_owned(), None, None),
    };
    Ok(pb::Quote {
        quote_id: response.quote_id.unwrap_or_default(),
        origin: Some(common::money_to_proto(&response.origin)),
        destination: Some(common::money_to_proto(&response.destination)),
        rate,
        quoted_at,
        valid_until,
    })
}

/// The wire string of a routing scheme (D19: `SORT_CODE` is "SORT CODE"), or `None` when
/// unset.
pub fn routing_type_to_wire(routing: pb::RoutingType) -> Option<&'static str> {
    match routing {
        pb::RoutingType::Unspecified => None,
        pb::RoutingType::Iban => Some("IBAN"),
        pb::RoutingType::Swift => Some("SWIFT"),
        pb::RoutingType::SortCode => Some("SORT CODE"),
        pb::RoutingType::Ach => Some("ACH"),
    }
}

/// The list query of an order list: paging and `ListQuery` (D16) plus the typed filter, each
/// set value as `<field>_eq` ANDed with the others (D19). `search` is refused on orders
/// (D19: upstream does not document it).
pub fn order_list_query(
    page: Option<&pb::PageRequest>,
    query: Option<&pb::ListQuery>,
    filter: Option<&pb::OrderListFilter>,
) -> Result<ListQuery, Status> {
    let mut violations = Violations::new();
    let mut list = ListQuery::new();
    violations.page("page", page, &mut list);
    violations.list_query("query", query, &mut list);
    if query.is_some_and(|query| !query.search.is_empty()) {
        violations.add("query.search", "order lists do not support search");
        list.search = None;
    }
    if let Some(filter) = filter {
        // The wire values of these enums are their names without the prefix (D9, D17).
        let conditions = [
            (
                "state",
                violations.enum_optional::<pb::OrderState>("filter.state", filter.state),
            ),
            (
                "type",
                violations.enum_optional::<pb::OrderType>("filter.type", filter.r#type),
            ),
            (
                "direction",
                violations
                    .enum_optional::<pb::OrderDirection>("filter.direction", filter.direction),
            ),
        ];
        for (field, value) in conditions {
            if let Some(value) = value {
                list.filters.push(Filter::new(field, FilterOp::Eq, value));
            }
        }
    }
    violations.finish(list)
}

/// A page of orders.
pub fn order_list_to_proto(
    list: model::OrderList,
) -> Result<(Vec<pb::Order>, Option<pb::PageInfo>), Status> {
    Ok((
        orders_to_proto(list.orders)?,
        list.pagination.as_ref().map(common::pagination_to_proto),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ralio_core::model::{Currency, Money};

    #[test]
    fn type_payout_on_a_crypto_route_is_a_crypto_payout() {
        let order = model::Order {
            id: "o".into(),
            order_type: Some(OrderType::BankPayOut),
            ..Default::default()
        };
        let read = order_of_kind(order.clone(), Some(pb::OrderType::CryptoPayOut)).unwrap();
        assert_eq!(read.r#type, pb::OrderType::CryptoPayOut as i32);
        let read = order_to_proto(order).unwrap();
        assert_eq!(read.r#type, pb::OrderType::BankPayOut as i32);
    }

    #[test]
    fn unknown_enum_values_are_unspecified_not_errors() {
        let order = model::Order {
            id: "o".into(),
            order_type: Some(OrderType::Unknown("REFUND".into())),
            state: Some(OrderState::Unknown("HELD".into())),
            origin: Some(Money::new(Currency::Eur, 5000)),
            created_at: Some("2025-01-15T10:30:00Z".into()),
            ..Default::default()
        };
        let read = order_to_proto(order).unwrap();
        assert_eq!(read.r#type, pb::OrderType::Unspecified as i32);
        assert_eq!(read.state, pb::OrderState::Unspecified as i32);
        assert_eq!(read.origin.unwrap().amount, 5000);
        assert_eq!(read.created_at.unwrap().seconds, 1_736_937_000);
    }

    #[test]
    fn typed_filter_becomes_eq_filters_and_search_is_refused() {
        let filter = pb::OrderListFilter {
            state: pb::OrderState::Settled as i32,
            r#type: pb::OrderType::BankPayOut as i32,
            direction: pb::OrderDirection::Out as i32,
        };
        let query = order_list_query(None, None, Some(&filter)).unwrap();
        let pairs = query.to_pairs();
        assert!(pairs.contains(&("state_eq".into(), "SETTLED".into())));
        assert!(pairs.contains(&("type_eq".into(), "BANK_PAY_OUT".into())));
        assert!(pairs.contains(&("direction_eq".into(), "OUT".into())));

        let query = pb::ListQuery {
            search: "x".into(),
            ..Default::default()
        };
        let err = order_list_query(None, Some(&query), None).unwrap_err();
        assert_eq!(err.code(), tonic::Code::InvalidArgument);
        let bad = pb::OrderListFilter {
            state: 42,
            ..Default::default()
        };
        assert!(order_list_query(None, None, Some(&bad)).is_err());
    }
}
