//! Helpers every conversion module uses: the [`Violations`] collector, UUID/required-field
//! checks, enums ([`ProtoEnum`]), money, fees, FX, timestamps, dates and list queries.

use prost_types::Timestamp;
use ralio_core::model;
use tonic::Status;

use crate::proto::ralio::v1 as pb;
use crate::status;

/// Upper bound of `PageRequest.page_size` (spec/NOTES.md D4).
pub const MAX_PAGE_SIZE: i32 = 100;

/// Collects the field violations of one request, so the caller learns about every bad field
/// at once. Field paths are proto field names joined with dots, repeated fields indexed
/// (`query.filters[1].op`).
#[derive(Debug, Default)]
pub struct Violations(Vec<(String, String)>);

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `field` is invalid for `reason`.
    pub fn add(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.0.push((field.into(), reason.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was recorded, else one `INVALID_ARGUMENT` naming every field.
    pub fn into_result(self) -> Result<(), Status> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(status::invalid_argument(self.0))
        }
    }

    /// `Ok(value)` when nothing was recorded; lets a converter build its result and check once.
    pub fn finish<T>(self, value: T) -> Result<T, Status> {
        self.into_result().map(|()| value)
    }

    /// A required non-empty string (whitespace only counts as empty).
    pub fn required(&mut self, field: &str, value: &str) -> String {
        if value.trim().is_empty() {
            self.add(field, "is required");
        }
        value.to_owned()
    }

    /// An optional string: empty means absent (proto3 has no presence for plain strings).
    pub fn optional(value: &str) -> Option<String> {
        (!value.is_empty()).then(|| value.to_owned())
    }

    /// A required UUID (ids in RalioPay paths are UUIDs, D12), returned in canonical
    /// lower-case hyphenated form. Checking it here keeps a malformed id from becoming a
    /// different path upstream.
    pub fn uuid(&mut self, field: &str, value: &str) -> String {
        if value.is_empty() {
            self.add(field, "is required");
            return String::new();
        }
        match uuid::Uuid::parse_str(value) {
            Ok(id) => id.hyphenated().to_string(),
            Err(_) => {
                self.add(field, "must be a UUID");
                value.to_owned()
            }
        }
    }

    /// An optional UUID: empty means absent.
    pub fn optional_uuid(&mut self, field: &str, value: &str) -> Option<String> {
        (!value.is_empty()).then(|| self.uuid(field, value))
    }

    /// An amount that moves money: 1 ..= 10^15 minor units (D6).
    pub fn positive_amount(&mut self, field: &str, amount: i64) -> i64 {
        if amount <= 0 {
            self.add(field, "must be greater than zero");
        } else if amount > MAX_AMOUNT {
            self.add(field, "must be at most 10^15 minor units");
        }
        amount
    }

    /// A required message field (`Option` in prost): records `field` when absent.
    pub fn present<'a, T>(&mut self, field: &str, value: Option<&'a T>) -> Option<&'a T> {
        if value.is_none() {
            self.add(field, "is required");
        }
        value
    }
}

/// Largest amount that moves money (spec/NOTES.md D6).
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

/// `parent.child` (or `child` at the top level): builds nested field paths.
pub fn path(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_owned()
    } else {
        format!("{parent}.{child}")
    }
}

/// Validates just one UUID field and fails at once; for requests whose only input is an id.
pub fn uuid_field(field: &str, value: &str) -> Result<String, Status> {
    let mut violations = Violations::new();
    let id = violations.uuid(field, value);
    violations.finish(id)
}

// ---------------------------------------------------------------------------------------------
// Enums

/// A generated proto enum whose value names are `<PREFIX><WIRE>` (D17: `VIBAN_STATE_ACTIVE` <->
/// `ACTIVE`). Implement it with [`proto_enum!`](crate::proto_enum).
pub trait ProtoEnum: Sized + Copy + TryFrom<i32> + Into<i32> {
    /// The value-name prefix, e.g. `"VIBAN_STATE_"`.
    const PREFIX: &'static str;
    fn as_str_name(&self) -> &'static str;
    fn from_str_name(name: &str) -> Option<Self>;
}

/// Implements [`ProtoEnum`] for generated enums: `proto_enum!(pb::Currency => "CURRENCY_");`.
#[macro_export]
macro_rules! proto_enum {
    ($($ty:ty => $prefix:literal),+ $(,)?) => {
        $(
            impl $crate::convert::common::ProtoEnum for $ty {
                const PREFIX: &'static str = $prefix;
                fn as_str_name(&self) -> &'static str {
                    <$ty>::as_str_name(self)
                }
                fn from_str_name(name: &str) -> Option<Self> {
                    <$ty>::from_str_name(name)
                }
            }
        )+
    };
}

proto_enum!(
    pb::Currency => "CURRENCY_",
    pb::FilterOp => "FILTER_OP_",
    pb::SortDirection => "SORT_DIRECTION_",
    pb::KycLevel => "KYC_LEVEL_",
    pb::IdvSessionState => "IDV_SESSION_STATE_",
    pb::AccountState => "ACCOUNT_STATE_",
    pb::AccountPurpose => "ACCOUNT_PURPOSE_",
    pb::VibanRail => "VIBAN_RAIL_",
    pb::VibanState => "VIBAN_STATE_",
);

/// Normalises a REST enum string to SCREAMING_SNAKE (D19): `cardPayin` → `CARD_PAYIN`,
/// `related-party` → `RELATED_PARTY`, `SORT CODE` → `SORT_CODE`, `Created` → `CREATED`.
pub fn screaming_snake(wire: &str) -> String {
    let mut out = String::with_capacity(wire.len() + 4);
    push_screaming_snake(&mut out, wire);
    out
}

/// [`screaming_snake`], appended to `out`.
fn push_screaming_snake(out: &mut String, wire: &str) {
    let mut previous_lower = false;
    for ch in wire.chars() {
        if matches!(ch, '-' | ' ' | '.' | '_') {
            out.push('_');
            previous_lower = false;
        } else {
            if ch.is_ascii_uppercase() && previous_lower {
                out.push('_');
            }
            previous_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
            out.push(ch.to_ascii_uppercase());
        }
    }
}

/// The proto value (as `i32`) of a REST enum string; an unknown string is `*_UNSPECIFIED` (0),
/// never an error (D17: new upstream values must not break responses).
pub fn enum_from_wire<E: ProtoEnum>(wire: &str) -> i32 {
    if wire.is_empty() {
        return 0;
    }
    // One allocation per lookup: the prefix and the normalised value in one buffer.
    let mut name = String::with_capacity(E::PREFIX.len() + wire.len() + 4);
    name.push_str(E::PREFIX);
    push_screaming_snake(&mut name, wire);
    E::from_str_name(&name).map_or(0, Into::into)
}

/// The REST string of a proto enum value: its name without the prefix (`ACTIVE`). `None` for
/// `*_UNSPECIFIED` and numbers this build does not know.
pub fn enum_to_wire<E: ProtoEnum>(value: i32) -> Option<&'static str> {
    let known = E::try_from(value).ok()?;
    let wire = known.as_str_name().strip_prefix(E::PREFIX)?;
    (wire != "UNSPECIFIED").then_some(wire)
}

impl Violations {
    /// A required enum: records `field` when unset or unknown, else returns the REST string.
    pub fn enum_required<E: ProtoEnum>(&mut self, field: &str, value: i32) -> Option<&'static str> {
        let wire = enum_to_wire::<E>(value);
        if wire.is_none() {
            if value == 0 {
                self.add(field, "is required");
            } else {
                self.add(field, format!("unknown value {value}"));
            }
        }
        wire
    }

    /// An optional enum: unset (0) is `None`; an unknown number is a violation.
    pub fn enum_optional<E: ProtoEnum>(&mut self, field: &str, value: i32) -> Option<&'static str> {
        if value == 0 {
            return None;
        }
        self.enum_required::<E>(field, value)
    }
}

// ---------------------------------------------------------------------------------------------
// Money, fees, FX

impl Violations {
    /// A required `Money` that moves money: currency set, amount positive (D6). The currency
    /// code is passed on as given (upper-cased); RalioPay rejects codes it does not know.
    pub fn money(&mut self, field: &str, money: Option<&pb::Money>) -> model::Money {
        let Some(money) = self.present(field, money) else {
            return model::Money::new(model::Currency::Unknown(String::new()), 0);
        };
        let currency = self.required(&path(field, "currency"), &money.currency);
        let amount = self.positive_amount(&path(field, "amount"), money.amount);
        model::Money::new(
            model::Currency::from_wire(&currency.to_ascii_uppercase()),
            amount,
        )
    }

    /// A required `Currency` enum as the model's currency.
    pub fn currency(&mut self, field: &str, value: i32) -> model::Currency {
        model::Currency::from_wire(
            self.enum_required::<pb::Currency>(field, value)
                .unwrap_or(""),
        )
    }
}

pub fn money_to_proto(money: &model::Money) -> pb::Money {
    pb::Money {
        currency: money.currency.as_str().to_owned(),
        amount: money.amount,
    }
}

pub fn currency_to_proto(currency: &model::Currency) -> i32 {
    enum_from_wire::<pb::Currency>(currency.as_str())
}

pub fn fee_to_proto(fee: &model::Fee) -> pb::Fee {
    pb::Fee {
        currency: fee.currency.as_str().to_owned(),
        amount: fee.amount,
        breakdown: fee.breakdown.as_ref().map(|b| pb::FeeBreakdown {
            merchant_fee: b.merchant_fee.unwrap_or(0),
            system_fee: b.system_fee.unwrap_or(0),
        }),
    }
}

/// FX as sent by RalioPay; the rate's decimal digits are copied, never parsed (D17).
pub fn fx_to_proto(fx: &model::Fx, field: &str) -> Result<pb::Fx, Status> {
    Ok(pb::Fx {
        pair: fx.pair.clone().unwrap_or_default(),
        rate: fx.rate.clone().unwrap_or_default(),
        timestamp: timestamp(&path(field, "timestamp"), fx.timestamp.as_deref())?,
    })
}

pub fn pagination_to_proto(page: &model::Pagination) -> pb::PageInfo {
    pb::PageInfo {
        next: page.next.clone(),
        previous: page.previous.clone(),
        num_pages: clamp_i32(page.num_pages),
        page: clamp_i32(page.page),
        page_size: clamp_i32(page.page_size),
        total: page.total,
    }
}

fn clamp_i32(value: i64) -> i32 {
    i32::try_from(value).unwrap_or(if value < 0 { i32::MIN } else { i32::MAX })
}

// ---------------------------------------------------------------------------------------------
// Times and dates

/// An RFC 3339 time from RalioPay as a proto `Timestamp` (`None` stays unset).
///
/// Decision (spec/NOTES.md D25): a time RalioPay sent that is not RFC 3339 fails the RPC with
/// `INTERNAL` / `UPSTREAM_BAD_RESPONSE`, like any unreadable response. Dropping it silently
/// would hand the caller a response that looks complete but is not.
pub fn timestamp(field: &str, value: Option<&str>) -> Result<Option<Timestamp>, Status> {
    match value {
        None => Ok(None),
        Some(text) => text.parse::<Timestamp>().map(Some).map_err(|err| {
            tracing::error!(field, value = text, error = %err, "unreadable timestamp from RalioPay");
            status::gateway_error(
                tonic::Code::Internal,
                status::reason::UPSTREAM_BAD_RESPONSE,
                "RalioPay's response could not be read (a time was not RFC 3339)",
            )
        }),
    }
}

/// A time the caller sent, as the RFC 3339 text RalioPay expects (`None` when unset).
pub fn timestamp_to_rfc3339(value: Option<&Timestamp>) -> Option<String> {
    value.map(ToString::to_string)
}

impl Violations {
    /// A calendar date `YYYY-MM-DD` (D17); empty means absent.
    pub fn optional_date(&mut self, field: &str, value: &str) -> Option<String> {
        if value.is_empty() {
            return None;
        }
        if !is_valid_date(value) {
            self.add(field, "must be a date YYYY-MM-DD");
        }
        Some(value.to_owned())
    }

    /// A required calendar date `YYYY-MM-DD`.
    pub fn date(&mut self, field: &str, value: &str) -> String {
        if value.is_empty() {
            self.add(field, "is required");
            return String::new();
        }
        self.optional_date(field, value).unwrap_or_default()
    }
}

/// Whether `value` is an existing Gregorian date written `YYYY-MM-DD`.
pub fn is_valid_date(value: &str) -> bool {
    let bytes = value.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = value.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

// ---------------------------------------------------------------------------------------------
// Lists

impl Violations {
    /// Paging of a paged list (D4): 0 means "RalioPay's default"; negative or oversized values
    /// are refused rather than clamped so the caller never silently gets less than asked.
    pub fn page(
        &mut self,
        field: &str,
        page: Option<&pb::PageRequest>,
        query: &mut ralio_core::ListQuery,
    ) {
        let Some(page) = page else { return };
        match u32::try_from(page.page) {
            Ok(0) => {}
            Ok(n) => query.page = Some(n),
            Err(_) => self.add(path(field, "page"), "must not be negative"),
        }
        match page.page_size {
            0 => {}
            n if (1..=MAX_PAGE_SIZE).contains(&n) => query.page_size = u32::try_from(n).ok(),
            _ => self.add(
                path(field, "page_size"),
                format!("must be between 1 and {MAX_PAGE_SIZE}"),
            ),
        }
    }

    /// Sort, filters and search (D5); field names are RalioPay's JSON names, checked upstream.
    pub fn list_query(
        &mut self,
        field: &str,
        list: Option<&pb::ListQuery>,
        query: &mut ralio_core::ListQuery,
    ) {
        let Some(list) = list else { return };
        let mut keys = Vec::with_capacity(list.sort.len());
        for (i, sort) in list.sort.iter().enumerate() {
            let at = format!("{}[{i}]", path(field, "sort"));
            if !is_query_field(&sort.field) {
                self.add(
                    path(&at, "field"),
                    "must be a field name (letters, digits, `.`, `_`)",
                );
            }
            let descending = match pb::SortDirection::try_from(sort.direction) {
                Ok(pb::SortDirection::Desc) => true,
                Ok(_) => false,
                Err(_) => {
                    self.add(
                        path(&at, "direction"),
                        format!("unknown value {}", sort.direction),
                    );
                    false
                }
            };
            keys.push(if descending {
                format!("-{}", sort.field)
            } else {
                sort.field.clone()
            });
        }
        if !keys.is_empty() {
            query.sort = Some(keys.join(","));
        }
        for (i, filter) in list.filters.iter().enumerate() {
            let at = format!("{}[{i}]", path(field, "filters"));
            if !is_query_field(&filter.field) {
                self.add(
                    path(&at, "field"),
                    "must be a field name (letters, digits, `.`, `_`)",
                );
            }
            let op = match pb::FilterOp::try_from(filter.op) {
                Ok(pb::FilterOp::Eq) => Some(ralio_core::FilterOp::Eq),
                Ok(pb::FilterOp::Neq) => Some(ralio_core::FilterOp::Neq),
                Ok(pb::FilterOp::Gt) => Some(ralio_core::FilterOp::Gt),
                Ok(pb::FilterOp::Lt) => Some(ralio_core::FilterOp::Lt),
                Ok(pb::FilterOp::Gte) => Some(ralio_core::FilterOp::Gte),
                Ok(pb::FilterOp::Lte) => Some(ralio_core::FilterOp::Lte),
                Ok(pb::FilterOp::Like) => Some(ralio_core::FilterOp::Like),
                Ok(pb::FilterOp::Ilike) => Some(ralio_core::FilterOp::Ilike),
                Ok(pb::FilterOp::Unspecified) => {
                    self.add(path(&at, "op"), "is required");
                    None
                }
                Err(_) => {
                    self.add(path(&at, "op"), format!("unknown value {}", filter.op));
                    None
                }
            };
            if let Some(op) = op {
                query.filters.push(ralio_core::Filter::new(
                    filter.field.clone(),
                    op,
                    filter.value.clone(),
                ));
            }
        }
        if !list.search.is_empty() {
            query.search = Some(list.search.clone());
        }
    }
}

/// Builds the core `ListQuery` of a list request from its optional `page` and `query` fields
/// (named `page` / `query` in every list request, D16).
pub fn list_query(
    page: Option<&pb::PageRequest>,
    query: Option<&pb::ListQuery>,
) -> Result<ralio_core::ListQuery, Status> {
    let mut violations = Violations::new();
    let mut out = ralio_core::ListQuery::new();
    violations.page("page", page, &mut out);
    violations.list_query("query", query, &mut out);
    violations.finish(out)
}

/// A JSON field name as RalioPay's lists accept it (`origin.amount`, `created_at`): refusing
/// anything else keeps a caller from smuggling extra query parameters (`a=b&c`) upstream.
fn is_query_field(field: &str) -> bool {
    !field.is_empty()
        && field
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_')
}

// ---------------------------------------------------------------------------------------------
// Open JSON objects (google.protobuf.Struct, D17)

/// A JSON object as a `Struct`; anything but an object is `None` (absent).
pub fn json_to_struct(value: &serde_json::Value) -> Option<prost_types::Struct> {
    match value {
        serde_json::Value::Object(map) => Some(map_to_struct(map)),
        _ => None,
    }
}

pub fn map_to_struct(map: &serde_json::Map<String, serde_json::Value>) -> prost_types::Struct {
    prost_types::Struct {
        fields: map
            .iter()
            .map(|(key, value)| (key.clone(), json_to_value(value)))
            .collect(),
    }
}

pub fn json_to_value(value: &serde_json::Value) -> prost_types::Value {
    use prost_types::value::Kind;
    let kind = match value {
        serde_json::Value::Null => Kind::NullValue(0),
        serde_json::Value::Bool(b) => Kind::BoolValue(*b),
        // Struct numbers are doubles by definition; these objects never carry money (D17).
        serde_json::Value::Number(n) => Kind::NumberValue(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => Kind::StringValue(s.clone()),
        serde_json::Value::Array(items) => Kind::ListValue(prost_types::ListValue {
            values: items.iter().map(json_to_value).collect(),
        }),
        serde_json::Value::Object(map) => Kind::StructValue(map_to_struct(map)),
    };
    prost_types::Value { kind: Some(kind) }
}

/// A `Struct` as a JSON object.
pub fn struct_to_map(value: &prost_types::Struct) -> serde_json::Map<String, serde_json::Value> {
    value
        .fields
        .iter()
        .map(|(key, value)| (key.clone(), value_to_json(value)))
        .collect()
}

pub fn struct_to_json(value: &prost_types::Struct) -> serde_json::Value {
    serde_json::Value::Object(struct_to_map(value))
}

pub fn value_to_json(value: &prost_types::Value) -> serde_json::Value {
    use prost_types::value::Kind;
    match &value.kind {
        None | Some(Kind::NullValue(_)) => serde_json::Value::Null,
        Some(Kind::BoolValue(b)) => serde_json::Value::Bool(*b),
        Some(Kind::NumberValue(n)) => number_to_json(*n),
        Some(Kind::StringValue(s)) => serde_json::Value::String(s.clone()),
        Some(Kind::ListValue(list)) => {
            serde_json::Value::Array(list.values.iter().map(value_to_json).collect())
        }
        Some(Kind::StructValue(s)) => struct_to_json(s),
    }
}

/// Whole numbers go out as JSON integers (`3`, not `3.0`), which is what RalioPay's integer
/// fields expect; non-finite numbers have no JSON form and become `null`.
fn number_to_json(n: f64) -> serde_json::Value {
    const SAFE: f64 = 9_007_199_254_740_992.0; // 2^53: every integer below is exact
    if n.fract() == 0.0 && n.abs() < SAFE {
        #[allow(clippy::cast_possible_truncation)] // exact: whole and below 2^53
        return serde_json::Value::from(n as i64);
    }
    serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// Builds a JSON object from proto fields, leaving out what proto3 cannot tell from "unset"
/// (empty strings, absent messages): RalioPay then sees the field as absent, not as `""`.
#[derive(Debug, Default)]
pub struct JsonObject(serde_json::Map<String, serde_json::Value>);

impl JsonObject {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn str(mut self, name: &str, value: &str) -> Self {
        if !value.is_empty() {
            self.0.insert(name.to_owned(), value.into());
        }
        self
    }

    pub fn value(mut self, name: &str, value: impl Into<serde_json::Value>) -> Self {
        self.0.insert(name.to_owned(), value.into());
        self
    }

    pub fn opt(mut self, name: &str, value: Option<serde_json::Value>) -> Self {
        if let Some(value) = value {
            self.0.insert(name.to_owned(), value);
        }
        self
    }

    /// A non-empty list.
    pub fn list(mut self, name: &str, items: Vec<serde_json::Value>) -> Self {
        if !items.is_empty() {
            self.0
                .insert(name.to_owned(), serde_json::Value::Array(items));
        }
        self
    }

    pub fn build(self) -> serde_json::Value {
        serde_json::Value::Object(self.0)
    }

    pub fn into_map(self) -> serde_json::Map<String, serde_json::Value> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic::Code;
    use tonic_types::StatusExt;

    fn fields(status: &Status) -> Vec<String> {
        status
            .get_details_bad_request()
            .map(|b| b.field_violations.into_iter().map(|v| v.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn violations_collect_every_field_once() {
        let mut v = Violations::new();
        let id = v.uuid("uid", "not-a-uuid");
        assert_eq!(id, "not-a-uuid");
        v.uuid("aid", "");
        let ok = v.uuid("other", "6F9619FF-8B86-D011-B42D-00C04FC964FF");
        assert_eq!(ok, "6f9619ff-8b86-d011-b42d-00c04fc964ff");
        v.positive_amount("amount.amount", 0);
        let err = v.into_result().unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert_eq!(fields(&err), ["uid", "aid", "amount.amount"]);
        assert!(Violations::new().into_result().is_ok());
    }

    #[test]
    fn money_checks_currency_and_amount() {
        let mut v = Violations::new();
        let money = v.money(
            "amount",
            Some(&pb::Money {
                currency: "eur".into(),
                amount: 500,
            }),
        );
        assert!(v.is_empty());
        assert_eq!(money, model::Money::new(model::Currency::Eur, 500));
        v.money("amount", Some(&pb::Money::default()));
        v.money("origin", None);
        assert_eq!(
            fields(&v.into_result().unwrap_err()),
            ["amount.currency", "amount.amount", "origin"]
        );
    }

    #[test]
    fn enums_map_by_prefix_and_normalisation() {
        assert_eq!(
            enum_from_wire::<pb::VibanState>("ACTIVE"),
            pb::VibanState::Active as i32
        );
        assert_eq!(enum_from_wire::<pb::VibanState>("SOMETHING_NEW"), 0);
        assert_eq!(enum_from_wire::<pb::Currency>(""), 0);
        assert_eq!(
            enum_to_wire::<pb::AccountPurpose>(pb::AccountPurpose::Fees as i32),
            Some("FEES")
        );
        assert_eq!(enum_to_wire::<pb::AccountPurpose>(0), None);
        assert_eq!(screaming_snake("cardPayin"), "CARD_PAYIN");
        assert_eq!(screaming_snake("related-party"), "RELATED_PARTY");
        assert_eq!(screaming_snake("SORT CODE"), "SORT_CODE");
        assert_eq!(screaming_snake("Created"), "CREATED");
        let mut v = Violations::new();
        assert_eq!(v.enum_required::<pb::VibanRail>("rail", 1), Some("SEPA"));
        assert_eq!(v.enum_required::<pb::VibanRail>("rail", 0), None);
        assert_eq!(v.enum_optional::<pb::VibanRail>("opt", 0), None);
        assert_eq!(v.enum_optional::<pb::VibanRail>("bad", 99), None);
        assert_eq!(fields(&v.into_result().unwrap_err()), ["rail", "bad"]);
    }

    #[test]
    fn structs_round_trip_through_json() {
        let raw = serde_json::json!({"a": 1, "b": [true, null, "x"], "c": {"d": 1.5}});
        let back = struct_to_json(&json_to_struct(&raw).unwrap());
        assert_eq!(back, raw);
        assert!(json_to_struct(&serde_json::json!([1])).is_none());
    }

    #[test]
    fn timestamps_and_dates() {
        let ts = timestamp("created_at", Some("2026-11-24T17:02:28.123Z"))
            .unwrap()
            .unwrap();
        assert_eq!(ts.nanos, 123_000_000);
        assert_eq!(timestamp("x", None).unwrap(), None);
        let err = timestamp("x", Some("yesterday")).unwrap_err();
        assert_eq!(err.code(), Code::Internal);
        assert!(is_valid_date("2024-02-29"));
        assert!(!is_valid_date("2023-02-29"));
        assert!(!is_valid_date("2023-13-01"));
        assert!(!is_valid_date("2023-1-01"));
        assert!(!is_valid_date("+023-01-01"));
    }

    #[test]
    fn list_query_renders_and_validates() {
        let query = list_query(
            Some(&pb::PageRequest {
                page: 2,
                page_size: 50,
            }),
            Some(&pb::ListQuery {
                sort: vec![
                    pb::SortField {
                        field: "alias".into(),
                        direction: 0,
                    },
                    pb::SortField {
                        field: "balance".into(),
                        direction: pb::SortDirection::Desc as i32,
                    },
                ],
                filters: vec![pb::Filter {
                    field: "origin.amount".into(),
                    op: pb::FilterOp::Gte as i32,
                    value: "1000".into(),
                }],
                search: "eur".into(),
            }),
        )
        .unwrap();
        let rendered: Vec<String> = query
            .to_pairs()
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        assert_eq!(
            rendered,
            [
                "page=2",
                "pageSize=50",
                "sort=alias,-balance",
                "origin.amount_gte=1000",
                "search=eur"
            ]
        );
        assert!(list_query(None, None).unwrap().to_pairs().is_empty());

        let err = list_query(
            Some(&pb::PageRequest {
                page: -1,
                page_size: 101,
            }),
            Some(&pb::ListQuery {
                sort: vec![],
                filters: vec![pb::Filter {
                    field: "a&b=c".into(),
                    op: 0,
                    value: String::new(),
                }],
                search: String::new(),
            }),
        )
        .unwrap_err();
        assert_eq!(
            fields(&err),
            [
                "page.page",
                "page.page_size",
                "query.filters[0].field",
                "query.filters[0].op"
            ]
        );
    }
}
