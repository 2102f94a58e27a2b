//! Which events a subscriber or a listing wants (spec/NOTES.md D20): event-type globs, a user, an
//! account; every set condition must hold.
//!
//! Type patterns are case-insensitive, `*` matches any run of characters, and `.` and `_` are
//! the same character, so `payin.*`, `PAYIN_*` and `payin_*` all select `payin_completed`.

use super::log::LoggedEvent;

/// Longest accepted type pattern; names in the catalogue are under 40 characters.
pub const MAX_PATTERN_LEN: usize = 128;
/// Most patterns one filter may carry.
pub const MAX_PATTERNS: usize = 32;

/// Why a filter was refused: the index of the bad pattern (for the proto field name) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("at most {MAX_PATTERNS} type patterns")]
    TooManyPatterns,
    #[error("type pattern {index} is empty")]
    EmptyPattern { index: usize },
    #[error("type pattern {index} is longer than {MAX_PATTERN_LEN} characters")]
    PatternTooLong { index: usize },
    #[error("type pattern {index} may only hold letters, digits, `.`, `_`, `-` and `*`")]
    PatternCharacters { index: usize },
}

impl FilterError {
    /// Index of the offending pattern, when there is one.
    pub fn index(&self) -> Option<usize> {
        match self {
            Self::TooManyPatterns => None,
            Self::EmptyPattern { index }
            | Self::PatternTooLong { index }
            | Self::PatternCharacters { index } => Some(*index),
        }
    }
}

/// A validated filter. The default selects everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Normalised patterns ([`type_key`] form); empty = any type.
    patterns: Vec<String>,
    user_id: Option<String>,
    account_id: Option<String>,
}

/// The form event names and patterns are compared in: lower case, `.` read as `_`.
pub fn type_key(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| {
            if c == '.' {
                '_'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

impl EventFilter {
    /// Builds a filter; empty strings mean "no condition".
    pub fn new(types: &[String], user_id: &str, account_id: &str) -> Result<Self, FilterError> {
        if types.len() > MAX_PATTERNS {
            return Err(FilterError::TooManyPatterns);
        }
        let mut patterns = Vec::with_capacity(types.len());
        for (index, pattern) in types.iter().enumerate() {
            let pattern = pattern.trim();
            if pattern.is_empty() {
                return Err(FilterError::EmptyPattern { index });
            }
            if pattern.len() > MAX_PATTERN_LEN {
                return Err(FilterError::PatternTooLong { index });
            }
            if !pattern
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '*'))
            {
                return Err(FilterError::PatternCharacters { index });
            }
            patterns.push(type_key(pattern));
        }
        let non_empty = |value: &str| {
            let value = value.trim();
            (!value.is_empty()).then(|| value.to_owned())
        };
        Ok(Self {
            patterns,
            user_id: non_empty(user_id),
            account_id: non_empty(account_id),
        })
    }

    /// Whether the filter selects every event.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty() && self.user_id.is_none() && self.account_id.is_none()
    }

    pub fn matches(&self, event: &LoggedEvent) -> bool {
        self.matches_parts(
            event.type_key(),
            event.event.user_id.as_deref(),
            event.event.account_id.as_deref(),
        )
    }

    /// The filter over the parts it looks at (`type_key` already normalised).
    pub fn matches_parts(
        &self,
        type_key: &str,
        user_id: Option<&str>,
        account_id: Option<&str>,
    ) -> bool {
        if let Some(wanted) = &self.user_id
            && user_id != Some(wanted.as_str())
        {
            return false;
        }
        if let Some(wanted) = &self.account_id
            && account_id != Some(wanted.as_str())
        {
            return false;
        }
        self.patterns.is_empty()
            || self
                .patterns
                .iter()
                .any(|pattern| glob_matches(pattern.as_bytes(), type_key.as_bytes()))
    }
}

/// `*`-only glob match, iterative with single-star backtracking: linear in practice and never
/// exponential, whatever the pattern.
fn glob_matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(types: &[&str]) -> EventFilter {
        let types: Vec<String> = types.iter().map(|s| (*s).to_owned()).collect();
        EventFilter::new(&types, "", "").unwrap()
    }

    #[test]
    fn dots_and_underscores_are_the_same_and_case_is_ignored() {
        for pattern in [
            "payin.*",
            "PAYIN_*",
            "payin_*",
            "*completed",
            "payin.completed",
            "*",
        ] {
            assert!(
                filter(&[pattern]).matches_parts("payin_completed", None, None),
                "{pattern}"
            );
        }
        assert!(filter(&["related_party.*"]).matches_parts(
            &type_key("related_party.kyc_session_created"),
            None,
            None
        ));
        assert!(!filter(&["payin.*"]).matches_parts("payout_completed", None, None));
        assert!(!filter(&["payin"]).matches_parts("payin_completed", None, None));
        assert!(filter(&["p*n_*d"]).matches_parts("payin_failed", None, None));
        assert!(filter(&["kyc*", "payin*"]).matches_parts("payin_failed", None, None));
    }

    #[test]
    fn user_and_account_must_both_hold() {
        let f = EventFilter::new(&[], "u1", "a1").unwrap();
        assert!(f.matches_parts("x", Some("u1"), Some("a1")));
        assert!(!f.matches_parts("x", Some("u1"), None));
        assert!(!f.matches_parts("x", Some("u2"), Some("a1")));
        assert!(EventFilter::default().matches_parts("x", None, None));
    }

    #[test]
    fn bad_patterns_are_refused_with_their_index() {
        let err = EventFilter::new(&["ok".into(), " ".into()], "", "").unwrap_err();
        assert_eq!(err.index(), Some(1));
        let err = EventFilter::new(&["a?b".into()], "", "").unwrap_err();
        assert_eq!(err, FilterError::PatternCharacters { index: 0 });
        let err = EventFilter::new(&["a".repeat(200)], "", "").unwrap_err();
        assert_eq!(err, FilterError::PatternTooLong { index: 0 });
    }

    #[test]
    fn pathological_globs_stay_fast() {
        let pattern = "*a*a*a*a*a*a*a*a*a*a*b";
        let text = "a".repeat(120);
        assert!(!filter(&[pattern]).matches_parts(&text, None, None));
    }
}
