//! Orders (openapi.yaml `orders`, spec/NOTES.md D4, D5, D9): the merchant's orders, one
//! account's orders (paged, sortable, filterable) and one order by id.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use crate::error::ApiResult;
use crate::extract::UuidPath;
use crate::listing::{ListQuery, ListSpec};
use crate::money::http::{OrderPath, UserAccountPath};
use crate::money::views::order_json;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/account/orders", get(list_merchant_orders))
        .route("/api/v1/account/orders/{oid}", get(get_order))
        .route(
            "/api/v1/account/users/{uid}/accounts/{aid}/orders",
            get(list_account_orders),
        )
}

/// Fields an order list sorts and filters on (the API reference's list plus the rest of the
/// `Order` view).
const ORDER_SPEC: ListSpec = ListSpec {
    fields: &[
        "id",
        "type",
        "state",
        "direction",
        "reference",
        "createdAt",
        "updatedAt",
        "settledAt",
        "failedAt",
        "validatedAt",
        "origin.amount",
        "origin.currency",
        "destination.amount",
        "destination.currency",
        "fee.amount",
    ],
    search: &["id", "reference"],
};

/// The API reference names the filter fields `originCurrency`, `destinationCurrency` and
/// `amount`; they are the nested `origin.currency`, `destination.currency` and
/// `origin.amount` of the view (spec/NOTES.md D5 dotted paths).
fn with_aliases(query: ListQuery) -> ListQuery {
    const ALIASES: [(&str, &str); 3] = [
        ("originCurrency", "origin.currency"),
        ("destinationCurrency", "destination.currency"),
        ("amount", "origin.amount"),
    ];
    let rewrite = |key: String| -> String {
        for (alias, field) in ALIASES {
            if key == alias {
                return field.to_owned();
            }
            if let Some(op) = key
                .strip_prefix(alias)
                .and_then(|rest| rest.strip_prefix('_'))
            {
                return format!("{field}_{op}");
            }
        }
        key
    };
    let rewrite_sort = |value: String| -> String {
        value
            .split(',')
            .map(|part| {
                let (sign, name) = part.strip_prefix('-').map_or(("", part), |n| ("-", n));
                let name = ALIASES
                    .iter()
                    .find(|(alias, _)| *alias == name)
                    .map_or(name, |(_, field)| field);
                format!("{sign}{name}")
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    ListQuery(
        query
            .0
            .into_iter()
            .map(|(k, v)| {
                if k == "sort" {
                    (k, rewrite_sort(v))
                } else {
                    (rewrite(k), v)
                }
            })
            .collect(),
    )
}

async fn list_merchant_orders(
    State(state): State<AppState>,
    query: ListQuery,
) -> ApiResult<Json<Value>> {
    let items: Vec<Value> = state
        .store()
        .ledger
        .orders()
        .iter()
        .map(order_json)
        .collect();
    Ok(Json(with_aliases(query).paged(
        &ORDER_SPEC,
        "orders",
        items,
    )?))
}

async fn list_account_orders(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<UserAccountPath>,
    query: ListQuery,
) -> ApiResult<Json<Value>> {
    let items: Vec<Value> = {
        let store = state.store();
        store.user_account(path.uid, path.aid)?;
        store
            .ledger
            .account_orders(path.aid)
            .map(order_json)
            .collect()
    };
    Ok(Json(with_aliases(query).paged(
        &ORDER_SPEC,
        "orders",
        items,
    )?))
}

async fn get_order(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<OrderPath>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let order = store
        .ledger
        .order(path.oid)
        .ok_or_else(|| crate::error::ApiError::not_found("order"))?;
    Ok(Json(order_json(order)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_documented_filter_names() {
        let q = ListQuery(vec![
            ("originCurrency_eq".into(), "EUR".into()),
            ("amount_gte".into(), "5".into()),
            ("destinationCurrency".into(), "USD".into()),
            ("sort".into(), "-amount,createdAt".into()),
            ("state_eq".into(), "PENDING".into()),
        ]);
        let pairs = with_aliases(q).0;
        assert_eq!(pairs[0].0, "origin.currency_eq");
        assert_eq!(pairs[1].0, "origin.amount_gte");
        assert_eq!(pairs[2].0, "destination.currency");
        assert_eq!(pairs[3].1, "-origin.amount,createdAt");
        assert_eq!(pairs[4].0, "state_eq");
    }
}
