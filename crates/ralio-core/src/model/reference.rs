//! Catalogues (`/api/v1/reference/*`).

use serde::{Deserialize, Serialize};

use super::common::Pagination;

/// One entry of the activities catalogue; its `slug` feeds a user's `activity`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Activity {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub name: Option<String>,
    pub slug: String,
}

/// Response of `GET /api/v1/reference/activities` (listActiveActivities).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ActivityList {
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub activities: Vec<Activity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub pagination: Option<Pagination>,
}
