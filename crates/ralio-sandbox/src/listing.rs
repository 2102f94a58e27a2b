//! Lists: paging, sorting, filters and search over rendered JSON items (spec/NOTES.md D4, D5).
//!
//! A handler renders every item of a list as a `serde_json::Value` (in creation order), then
//! hands them to [`ListQuery::paged`] (envelope `{ "<key>": [...], "pagination": {...} }`) or
//! [`ListQuery::bare`] (a bare JSON array). A [`ListSpec`] names the fields a caller may sort
//! and filter on (dotted paths for nested fields) and the fields `search` looks at; anything
//! else is `400 VALIDATION_ERROR` naming the query parameter.

use std::cmp::Ordering;

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde_json::{Number, Value, json};

use crate::error::{ApiError, ApiResult, Violation};

pub const DEFAULT_PAGE_SIZE: u64 = 30;
pub const MAX_PAGE_SIZE: u64 = 100;

/// What a list accepts.
#[derive(Debug, Clone, Copy)]
pub struct ListSpec {
    /// Fields that `sort` and filters may name (`origin.amount` for nested ones).
    pub fields: &'static [&'static str],
    /// Fields `search` matches against (case-insensitive substring); empty: no `search`.
    pub search: &'static [&'static str],
}

/// The raw query parameters of a list request, in order.
#[derive(Debug, Clone, Default)]
pub struct ListQuery(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for ListQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::invalid("query", rejection.body_text()))?;
        Ok(ListQuery(pairs))
    }
}

impl ListQuery {
    /// Filters, sorts and pages `items` into `{ items_key: [...], "pagination": {...} }`.
    pub fn paged(&self, spec: &ListSpec, items_key: &str, items: Vec<Value>) -> ApiResult<Value> {
        let criteria = Criteria::parse(&self.0, spec)?;
        let selected = criteria.apply(items)?;
        let total = selected.len() as u64;
        let num_pages = total.div_ceil(criteria.page_size).max(1);
        let skip = (criteria.page - 1).saturating_mul(criteria.page_size);
        let page_items: Vec<Value> = selected
            .into_iter()
            .skip(usize::try_from(skip).unwrap_or(usize::MAX))
            .take(usize::try_from(criteria.page_size).unwrap_or(usize::MAX))
            .collect();
        let next = (criteria.page < num_pages).then(|| (criteria.page + 1).to_string());
        let previous = (criteria.page > 1).then(|| (criteria.page - 1).to_string());
        let mut body = serde_json::Map::new();
        body.insert(items_key.to_owned(), Value::Array(page_items));
        body.insert(
            "pagination".to_owned(),
            json!({
                "next": next,
                "previous": previous,
                "numPages": num_pages,
                "page": criteria.page,
                "pageSize": criteria.page_size,
                "total": total,
            }),
        );
        Ok(Value::Object(body))
    }

    /// Filters and sorts `items` into a bare JSON array (lists upstream does not page, D4).
    /// `page` and `pageSize` are still validated but have no effect.
    pub fn bare(&self, spec: &ListSpec, items: Vec<Value>) -> ApiResult<Value> {
        let criteria = Criteria::parse(&self.0, spec)?;
        Ok(Value::Array(criteria.apply(items)?))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Neq,
    Gt,
    Lt,
    Gte,
    Lte,
    Like,
    Ilike,
}

impl Op {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "eq" => Self::Eq,
            "neq" => Self::Neq,
            "gt" => Self::Gt,
            "lt" => Self::Lt,
            "gte" => Self::Gte,
            "lte" => Self::Lte,
            "like" => Self::Like,
            "ilike" => Self::Ilike,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
struct Filter {
    /// The query parameter as given, for error messages.
    param: String,
    field: &'static str,
    op: Op,
    value: String,
}

#[derive(Debug, Clone)]
struct SortKey {
    field: &'static str,
    descending: bool,
}

#[derive(Debug, Clone)]
struct Criteria {
    page: u64,
    page_size: u64,
    sort: Vec<SortKey>,
    filters: Vec<Filter>,
    search: Option<String>,
    search_fields: &'static [&'static str],
}

impl Criteria {
    fn parse(pairs: &[(String, String)], spec: &ListSpec) -> ApiResult<Self> {
        let mut violations = Vec::new();
        let mut criteria = Criteria {
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
            sort: Vec::new(),
            filters: Vec::new(),
            search: None,
            search_fields: spec.search,
        };
        for (key, value) in pairs {
            match key.as_str() {
                "page" => match value.parse::<u64>() {
                    Ok(page) if page >= 1 => criteria.page = page,
                    _ => {
                        violations.push(Violation::new("page", "must be an integer of at least 1"))
                    }
                },
                "pageSize" => match value.parse::<u64>() {
                    Ok(size) if (1..=MAX_PAGE_SIZE).contains(&size) => criteria.page_size = size,
                    _ => violations.push(Violation::new(
                        "pageSize",
                        format!("must be an integer between 1 and {MAX_PAGE_SIZE}"),
                    )),
                },
                "sort" => match parse_sort(value, spec) {
                    Ok(keys) => criteria.sort = keys,
                    Err(violation) => violations.push(violation),
                },
                "search" => {
                    if spec.search.is_empty() {
                        violations.push(Violation::new(
                            "search",
                            "this list does not support search",
                        ));
                    } else if !value.is_empty() {
                        criteria.search = Some(value.to_lowercase());
                    }
                }
                _ => match parse_filter(key, value, spec) {
                    Some(filter) => criteria.filters.push(filter),
                    None => violations.push(Violation::new(
                        key.as_str(),
                        "unknown query parameter: expected <field>_<op> with a listed field and op \
                         eq, neq, gt, lt, gte, lte, like or ilike",
                    )),
                },
            }
        }
        if violations.is_empty() {
            Ok(criteria)
        } else {
            Err(ApiError::validation(violations))
        }
    }

    fn apply(&self, items: Vec<Value>) -> ApiResult<Vec<Value>> {
        let mut selected = Vec::with_capacity(items.len());
        for item in items {
            if self.matches(&item)? {
                selected.push(item);
            }
        }
        if !self.sort.is_empty() {
            // A stable sort keeps creation order between equal keys (D5).
            selected.sort_by(|a, b| {
                self.sort
                    .iter()
                    .map(|key| {
                        let order = compare_values(lookup(a, key.field), lookup(b, key.field));
                        if key.descending {
                            order.reverse()
                        } else {
                            order
                        }
                    })
                    .find(|order| order.is_ne())
                    .unwrap_or(Ordering::Equal)
            });
        }
        Ok(selected)
    }

    fn matches(&self, item: &Value) -> ApiResult<bool> {
        for filter in &self.filters {
            if !filter_matches(filter, lookup(item, filter.field))? {
                return Ok(false);
            }
        }
        if let Some(needle) = &self.search {
            let found = self.search_fields.iter().any(|field| {
                scalar_text(lookup(item, field))
                    .is_some_and(|text| text.to_lowercase().contains(needle))
            });
            if !found {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

fn parse_sort(value: &str, spec: &ListSpec) -> Result<Vec<SortKey>, Violation> {
    let mut keys = Vec::new();
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, descending) = match part.strip_prefix('-') {
            Some(rest) => (rest, true),
            None => (part.strip_prefix('+').unwrap_or(part), false),
        };
        let Some(field) = known_field(spec, name) else {
            return Err(Violation::new("sort", format!("cannot sort by `{name}`")));
        };
        keys.push(SortKey { field, descending });
    }
    Ok(keys)
}

/// `<field>_<op>` or a bare `<field>` (meaning `_eq`). Field names may hold underscores
/// themselves (`created_at`), so the exact field name wins, then the last `_` splits.
fn parse_filter(key: &str, value: &str, spec: &ListSpec) -> Option<Filter> {
    let (field, op) = match known_field(spec, key) {
        Some(field) => (field, Op::Eq),
        None => {
            let (name, op) = key.rsplit_once('_')?;
            (known_field(spec, name)?, Op::parse(op)?)
        }
    };
    Some(Filter {
        param: key.to_owned(),
        field,
        op,
        value: value.to_owned(),
    })
}

fn known_field(spec: &ListSpec, name: &str) -> Option<&'static str> {
    spec.fields.iter().copied().find(|field| *field == name)
}

/// The value at a dotted path, if every step exists.
fn lookup<'a>(item: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(item, |value, step| value.get(step))
}

fn scalar_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn filter_matches(filter: &Filter, value: Option<&Value>) -> ApiResult<bool> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        // A missing value equals nothing, so only `neq` holds.
        return Ok(filter.op == Op::Neq);
    };
    if matches!(filter.op, Op::Like | Op::Ilike) {
        let Some(text) = scalar_text(Some(value)) else {
            return Ok(false);
        };
        return Ok(if filter.op == Op::Like {
            like(&text, &filter.value)
        } else {
            like(&text.to_lowercase(), &filter.value.to_lowercase())
        });
    }
    let order = match value {
        Value::Number(n) => compare_number(n, &filter.value).ok_or_else(|| {
            ApiError::invalid(
                filter.param.as_str(),
                format!("`{}` is not a number", filter.value),
            )
        })?,
        Value::String(s) => s.as_str().cmp(filter.value.as_str()),
        Value::Bool(b) => b.to_string().as_str().cmp(filter.value.as_str()),
        _ => return Ok(filter.op == Op::Neq),
    };
    Ok(match filter.op {
        Op::Eq => order.is_eq(),
        Op::Neq => order.is_ne(),
        Op::Gt => order.is_gt(),
        Op::Lt => order.is_lt(),
        Op::Gte => order.is_ge(),
        Op::Lte => order.is_le(),
        Op::Like | Op::Ilike => false,
    })
}

/// Compares a JSON number with a query value: exactly for integers, as floats otherwise.
fn compare_number(n: &Number, text: &str) -> Option<Ordering> {
    let text = text.trim();
    let as_int = |n: &Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    if let (Some(left), Ok(right)) = (as_int(n), text.parse::<i128>()) {
        return Some(left.cmp(&right));
    }
    let right = text.parse::<f64>().ok().filter(|f| f.is_finite())?;
    n.as_f64()?.partial_cmp(&right)
}

/// Order for sorting: missing/null first, then booleans, numbers, strings; like kinds compare
/// naturally.
fn compare_values(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    fn rank(v: Option<&Value>) -> u8 {
        match v {
            None | Some(Value::Null) => 0,
            Some(Value::Bool(_)) => 1,
            Some(Value::Number(_)) => 2,
            Some(Value::String(_)) => 3,
            Some(Value::Array(_)) => 4,
            Some(Value::Object(_)) => 5,
        }
    }
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => {
            compare_number(x, &y.to_string()).unwrap_or(Ordering::Equal)
        }
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// SQL-like match with `%` as the only wildcard; a pattern without `%` means "contains".
fn like(text: &str, pattern: &str) -> bool {
    if !pattern.contains('%') {
        return text.contains(pattern);
    }
    let parts: Vec<&str> = pattern.split('%').collect();
    let (first, rest) = match parts.split_first() {
        Some(split) => split,
        None => return true,
    };
    let Some(mut remaining) = text.strip_prefix(first) else {
        return false;
    };
    let (last, middle) = match rest.split_last() {
        Some(split) => split,
        None => return remaining.is_empty(),
    };
    for part in middle {
        match remaining.find(part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: ListSpec = ListSpec {
        fields: &["alias", "balance", "created_at", "origin.amount"],
        search: &["alias"],
    };

    fn query(pairs: &[(&str, &str)]) -> ListQuery {
        ListQuery(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    fn items() -> Vec<Value> {
        vec![
            json!({"alias": "b", "balance": 10, "created_at": "2024-01-02", "origin": {"amount": 5}}),
            json!({"alias": "a", "balance": 30, "created_at": "2024-01-01", "origin": {"amount": 50}}),
            json!({"alias": "c", "balance": 10, "created_at": "2024-01-03", "origin": {"amount": 500}}),
        ]
    }

    fn aliases(value: &Value) -> Vec<String> {
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["alias"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn like_patterns() {
        assert!(like("hello world", "lo w"));
        assert!(like("hello", "he%"));
        assert!(like("hello", "%llo"));
        assert!(!like("hello", "%hel"));
        assert!(like("hello", "h%l%o"));
        assert!(!like("ab", "a%b%b"));
    }

    #[test]
    fn sort_is_stable_and_multi_key() {
        let out = query(&[("sort", "balance,-alias")])
            .bare(&SPEC, items())
            .unwrap();
        assert_eq!(aliases(&out), ["c", "b", "a"]);
        let out = query(&[("sort", "-balance")]).bare(&SPEC, items()).unwrap();
        assert_eq!(aliases(&out), ["a", "b", "c"]);
    }

    #[test]
    fn filters_with_underscored_and_nested_fields() {
        let out = query(&[("created_at_gte", "2024-01-02")])
            .bare(&SPEC, items())
            .unwrap();
        assert_eq!(aliases(&out), ["b", "c"]);
        let out = query(&[("origin.amount_gt", "10")])
            .bare(&SPEC, items())
            .unwrap();
        assert_eq!(aliases(&out), ["a", "c"]);
        let out = query(&[("alias", "a")]).bare(&SPEC, items()).unwrap();
        assert_eq!(aliases(&out), ["a"]);
        let err = query(&[("balance_gt", "x")])
            .bare(&SPEC, items())
            .unwrap_err();
        assert_eq!(err.violations[0].field, "balance_gt");
        let err = query(&[("colour_eq", "x")])
            .bare(&SPEC, items())
            .unwrap_err();
        assert_eq!(err.violations[0].field, "colour_eq");
    }

    #[test]
    fn pages() {
        let out = query(&[("pageSize", "2"), ("page", "2")])
            .paged(&SPEC, "things", items())
            .unwrap();
        assert_eq!(out["things"].as_array().unwrap().len(), 1);
        assert_eq!(out["pagination"]["previous"], "1");
        assert!(out["pagination"]["next"].is_null());
        assert_eq!(out["pagination"]["numPages"], 2);
        let err = query(&[("pageSize", "101")])
            .paged(&SPEC, "t", items())
            .unwrap_err();
        assert_eq!(err.violations[0].field, "pageSize");
    }
}
