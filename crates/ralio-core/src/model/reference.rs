//! Catalogues (`/api/v1/reference/*`).

use serde::{Deserialize, Serialize};

use super::common::Pagination;

/// One entry of the activities catalogue; its `slug` feeds a user's `activity`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Activity {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub slug: String,
}

/// Response of `GET /api/v1/reference/activities` (listActiveActivities).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ActivityList {
    #[serde(default)]
    pub activities: Vec<Activity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
}
