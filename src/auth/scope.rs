//! What a gateway token may do.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One permission a gateway client token can carry. Every RPC names the one it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Scope {
    /// Every read-only RPC (get, list, simulate).
    Read,
    /// Create and update users, start KYC/KYB sessions.
    UsersWrite,
    /// Create and change accounts and vIBANs.
    AccountsWrite,
    /// Anything that moves money: payins, transfers, payouts, OTP validation.
    MoneyMove,
    /// Subscribe to the event streams.
    EventsSubscribe,
    /// Implies every other scope.
    Admin,
}

impl Scope {
    /// Every scope, in a stable order (for the dev token and `--help`).
    pub const ALL: [Scope; 6] = [
        Scope::Read,
        Scope::UsersWrite,
        Scope::AccountsWrite,
        Scope::MoneyMove,
        Scope::EventsSubscribe,
        Scope::Admin,
    ];

    /// The name used in configuration files and error messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::UsersWrite => "users:write",
            Scope::AccountsWrite => "accounts:write",
            Scope::MoneyMove => "money:move",
            Scope::EventsSubscribe => "events:subscribe",
            Scope::Admin => "admin",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A scope name that is not one of [`Scope::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown scope `{0}` (known: read, users:write, accounts:write, money:move, events:subscribe, admin)"
)]
pub struct UnknownScope(pub String);

impl FromStr for Scope {
    type Err = UnknownScope;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == s)
            .ok_or_else(|| UnknownScope(s.to_owned()))
    }
}

impl TryFrom<String> for Scope {
    type Error = UnknownScope;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Scope> for String {
    fn from(scope: Scope) -> Self {
        scope.as_str().to_owned()
    }
}

/// The scopes of one token: a bit set (one bit per [`Scope`]), so a [`super::Caller`] is copied
/// into every request without an allocation.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct Scopes(u8);

impl Scopes {
    pub fn new(scopes: impl IntoIterator<Item = Scope>) -> Self {
        Self(scopes.into_iter().fold(0, |bits, scope| bits | bit(scope)))
    }

    /// Whether a holder may do what `scope` guards. `admin` grants everything.
    pub fn allows(&self, scope: Scope) -> bool {
        self.0 & (bit(scope) | bit(Scope::Admin)) != 0
    }

    /// The scopes held, in [`Scope::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        let bits = self.0;
        Scope::ALL
            .into_iter()
            .filter(move |scope| bits & bit(*scope) != 0)
    }
}

fn bit(scope: Scope) -> u8 {
    1 << (scope as u8)
}

impl fmt::Debug for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Scopes")
            .field(&self.iter().collect::<Vec<_>>())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for scope in Scope::ALL {
            assert_eq!(scope.as_str().parse::<Scope>(), Ok(scope));
        }
        assert!("money".parse::<Scope>().is_err());
    }

    #[test]
    fn admin_implies_everything_and_others_only_themselves() {
        let admin = Scopes::new([Scope::Admin]);
        assert!(Scope::ALL.iter().all(|s| admin.allows(*s)));
        let reader = Scopes::new([Scope::Read, Scope::Read]);
        assert!(reader.allows(Scope::Read));
        assert!(!reader.allows(Scope::MoneyMove));
        assert_eq!(reader.iter().count(), 1);
    }
}
