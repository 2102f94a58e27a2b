//! Ledger transactions of an account (spec/NOTES.md D8). The list uses upstream's snake_case
//! (`created_at`, `running_balance`), the detail camelCase (`createdAt`, `runningBalance`).

use serde::{Deserialize, Serialize};

use super::orders::Order;

/// An entry of listTransactions (bare array, snake_case keys).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TransactionListItem {
    pub id: String,
    /// Signed minor units: credit positive, debit negative (fee included).
    pub amount: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub order: Option<Order>,
    /// The account balance right after this transaction.
    pub running_balance: i64,
}

/// Response of getTransaction (camelCase keys).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    pub id: String,
    pub amount: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub order: Option<Order>,
    pub running_balance: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn list_is_snake_case_and_detail_is_camel_case() {
        let list_raw = json!([{"id": "t1", "amount": -5100, "created_at": "2025-01-01T00:00:00Z", "running_balance": 4900}]);
        let list: Vec<TransactionListItem> = serde_json::from_value(list_raw.clone()).unwrap();
        assert_eq!(list[0].running_balance, 4900);
        assert_eq!(serde_json::to_value(&list).unwrap(), list_raw);

        let detail_raw = json!({"id": "t1", "amount": -5100, "createdAt": "2025-01-01T00:00:00Z", "runningBalance": 4900});
        let detail: Transaction = serde_json::from_value(detail_raw.clone()).unwrap();
        assert_eq!(detail.amount, -5100);
        assert_eq!(serde_json::to_value(&detail).unwrap(), detail_raw);
        // The two styles are not interchangeable: the detail needs its camelCase key.
        assert!(serde_json::from_value::<Transaction>(list_raw[0].clone()).is_err());
    }
}
