//! Field-by-field validation of JSON objects that reports every violation at once
//! (spec/NOTES.md D12), used where the API reference lists required fields and enums.

use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult, Violation};

/// Reads fields of one JSON object, collecting a violation for each bad one. Getters return
/// `None` when the field is absent or invalid; call [`Fields::finish`] before using them.
#[derive(Debug)]
pub struct Fields<'a> {
    object: &'a Map<String, Value>,
    prefix: String,
    violations: Vec<Violation>,
}

impl<'a> Fields<'a> {
    pub fn new(object: &'a Map<String, Value>) -> Self {
        Self {
            object,
            prefix: String::new(),
            violations: Vec::new(),
        }
    }

    /// The JSON path of `name` inside this object.
    pub fn path(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.prefix)
        }
    }

    /// Records a violation of `name`.
    pub fn reject(&mut self, name: &str, description: impl Into<String>) {
        let field = self.path(name);
        self.violations.push(Violation::new(field, description));
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.object.get(name).filter(|v| !v.is_null())
    }

    fn present(&mut self, name: &str, required: bool) -> Option<&'a Value> {
        let value = self.get(name);
        if value.is_none() && required {
            self.reject(name, "is required");
        }
        value
    }

    fn string(&mut self, name: &str, required: bool) -> Option<&'a str> {
        match self.present(name, required)? {
            Value::String(s) if s.trim().is_empty() && required => {
                self.reject(name, "must not be empty");
                None
            }
            Value::String(s) => Some(s.as_str()),
            _ => {
                self.reject(name, "must be a string");
                None
            }
        }
    }

    pub fn required_str(&mut self, name: &str) -> Option<&'a str> {
        self.string(name, true)
    }

    pub fn optional_str(&mut self, name: &str) -> Option<&'a str> {
        self.string(name, false)
    }

    /// A string of at most `max` characters.
    pub fn bounded_str(&mut self, name: &str, required: bool, max: usize) -> Option<&'a str> {
        let value = self.string(name, required)?;
        if value.chars().count() > max {
            self.reject(name, format!("must be at most {max} characters"));
            return None;
        }
        Some(value)
    }

    /// A string that must be one of `allowed`.
    pub fn enumeration(&mut self, name: &str, required: bool, allowed: &[&str]) -> Option<&'a str> {
        let value = self.string(name, required)?;
        if allowed.contains(&value) {
            Some(value)
        } else {
            self.reject(name, format!("must be one of {}", allowed.join(", ")));
            None
        }
    }

    /// An ISO 3166-1 alpha-2 code (two upper-case letters).
    pub fn country(&mut self, name: &str, required: bool) -> Option<&'a str> {
        let value = self.string(name, required)?;
        if value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase()) {
            Some(value)
        } else {
            self.reject(
                name,
                "must be an ISO 3166-1 alpha-2 country code such as ES",
            );
            None
        }
    }

    /// A plausible e-mail address (one `@`, something on both sides, a dot in the domain).
    pub fn email(&mut self, name: &str, required: bool) -> Option<&'a str> {
        let value = self.string(name, required)?;
        let valid = value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value.contains(char::is_whitespace)
        });
        if valid {
            Some(value)
        } else {
            self.reject(name, "must be an e-mail address");
            None
        }
    }

    pub fn integer(&mut self, name: &str, required: bool) -> Option<i64> {
        let value = self.present(name, required)?;
        match value.as_i64() {
            Some(n) => Some(n),
            None => {
                self.reject(name, "must be an integer");
                None
            }
        }
    }

    pub fn boolean(&mut self, name: &str, required: bool) -> Option<bool> {
        match self.present(name, required)? {
            Value::Bool(b) => Some(*b),
            _ => {
                self.reject(name, "must be a boolean");
                None
            }
        }
    }

    pub fn object(&mut self, name: &str, required: bool) -> Option<&'a Map<String, Value>> {
        match self.present(name, required)? {
            Value::Object(map) => Some(map),
            _ => {
                self.reject(name, "must be an object");
                None
            }
        }
    }

    pub fn array(&mut self, name: &str, required: bool) -> Option<&'a Vec<Value>> {
        match self.present(name, required)? {
            Value::Array(items) => Some(items),
            _ => {
                self.reject(name, "must be an array");
                None
            }
        }
    }

    /// Validates the nested object `object` (found at `name`) with its own `Fields`; its
    /// violations are merged into this one's.
    pub fn nested<T>(
        &mut self,
        name: &str,
        object: &'a Map<String, Value>,
        check: impl FnOnce(&mut Fields<'a>) -> T,
    ) -> T {
        let mut child = Fields {
            object,
            prefix: self.path(name),
            violations: Vec::new(),
        };
        let result = check(&mut child);
        self.violations.append(&mut child.violations);
        result
    }

    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }

    /// `400 VALIDATION_ERROR` listing every violation, if there is any.
    pub fn finish(self) -> ApiResult<()> {
        if self.violations.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.violations))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn collects_every_violation_with_paths() {
        let body = json!({"a": 1, "c": "XX", "n": {"e": "nope"}});
        let map = body.as_object().unwrap();
        let mut fields = Fields::new(map);
        fields.required_str("a");
        fields.required_str("b");
        fields.enumeration("c", true, &["A", "B"]);
        let nested = fields.object("n", true).unwrap();
        fields.nested("n", nested, |f| f.email("e", true));
        let err = fields.finish().unwrap_err();
        let names: Vec<_> = err.violations.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "n.e"]);
    }
}
