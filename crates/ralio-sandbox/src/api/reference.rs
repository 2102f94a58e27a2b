//! `GET /api/v1/reference/activities`: the activity catalogue whose `slug` feeds the users'
//! `activity` field, with English or Spanish names (`Accept-Language`).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::error::ApiResult;
use crate::listing::{ListQuery, ListSpec};
use crate::state::AppState;

/// One catalogue entry: numeric id, slug, English and Spanish names.
#[derive(Debug, Clone, Copy)]
pub struct Activity {
    pub id: i64,
    pub slug: &'static str,
    pub name_en: &'static str,
    pub name_es: &'static str,
}

/// The sandbox's activity catalogue (upstream's full list is not documented; `SALES_MANAGER`
/// / "Sales" is its one example).
pub const ACTIVITIES: &[Activity] = &[
    Activity {
        id: 1,
        slug: "SALES_MANAGER",
        name_en: "Sales",
        name_es: "Ventas",
    },
    Activity {
        id: 2,
        slug: "SOFTWARE_ENGINEER",
        name_en: "Software engineering",
        name_es: "Ingeniería de software",
    },
    Activity {
        id: 3,
        slug: "ACCOUNTANT",
        name_en: "Accounting",
        name_es: "Contabilidad",
    },
    Activity {
        id: 4,
        slug: "TEACHER",
        name_en: "Education",
        name_es: "Educación",
    },
    Activity {
        id: 5,
        slug: "PHYSICIAN",
        name_en: "Medicine",
        name_es: "Medicina",
    },
    Activity {
        id: 6,
        slug: "LAWYER",
        name_en: "Legal services",
        name_es: "Servicios jurídicos",
    },
    Activity {
        id: 7,
        slug: "ENTREPRENEUR",
        name_en: "Business owner",
        name_es: "Empresario",
    },
    Activity {
        id: 8,
        slug: "STUDENT",
        name_en: "Student",
        name_es: "Estudiante",
    },
    Activity {
        id: 9,
        slug: "RETIRED",
        name_en: "Retired",
        name_es: "Jubilado",
    },
    Activity {
        id: 10,
        slug: "OTHER",
        name_en: "Other",
        name_es: "Otra",
    },
];

/// The catalogue entry of `slug`.
pub fn activity(slug: &str) -> Option<&'static Activity> {
    ACTIVITIES.iter().find(|a| a.slug == slug)
}

/// Names are in Spanish when the caller prefers `es`, otherwise English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    English,
    Spanish,
}

impl Language {
    /// The first language of `Accept-Language` we know, ignoring quality weights beyond order.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let Some(value) = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) else {
            return Self::English;
        };
        for tag in value.split(',') {
            let primary = tag
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .split('-')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            match primary.as_str() {
                "es" => return Self::Spanish,
                "en" => return Self::English,
                _ => {}
            }
        }
        Self::English
    }
}

impl Activity {
    /// The `Activity` JSON object (`{id, name, slug}`).
    pub fn view(&self, language: Language) -> Value {
        let name = match language {
            Language::English => self.name_en,
            Language::Spanish => self.name_es,
        };
        json!({ "id": self.id, "name": name, "slug": self.slug })
    }
}

const ACTIVITY_LIST: ListSpec = ListSpec {
    fields: &["id", "name", "slug"],
    search: &["name", "slug"],
};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/reference/activities", get(list_activities))
}

async fn list_activities(
    State(_state): State<AppState>,
    headers: HeaderMap,
    query: ListQuery,
) -> ApiResult<Json<Value>> {
    let language = Language::from_headers(&headers);
    let items = ACTIVITIES.iter().map(|a| a.view(language)).collect();
    query.paged(&ACTIVITY_LIST, "activities", items).map(Json)
}
