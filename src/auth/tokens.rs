//! The configured gateway client tokens, stored as SHA-256 hashes, and the lookup of a
//! presented token.

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::caller::Caller;
use super::scope::Scopes;

/// SHA-256 of a token. Only hashes are configured, so a leaked configuration file does not leak
/// usable tokens.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    /// Hashes a plain token (the dev command and tests; production configs hold only hashes).
    pub fn of_token(token: &str) -> Self {
        Self(Sha256::digest(token.as_bytes()).into())
    }

    /// Parses the 64-hex-digit form used in configuration files.
    pub fn from_hex(hex_digest: &str) -> Result<Self, InvalidTokenHash> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(hex_digest.trim(), &mut bytes).map_err(|_| InvalidTokenHash)?;
        Ok(Self(bytes))
    }

    /// The lower-case hex form, as written in configuration files.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    fn ct_eq(&self, other: &TokenHash) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl fmt::Debug for TokenHash {
    // A hash is not a secret, but printing a prefix is enough to tell tokens apart in a dump.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenHash({}…)", &self.to_hex()[..8])
    }
}

/// A `sha256` value in the configuration that is not 64 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a token hash must be 64 hexadecimal digits (the SHA-256 of the token)")]
pub struct InvalidTokenHash;

/// One configured token: who it identifies and what it may do.
#[derive(Debug, Clone)]
pub struct TokenEntry {
    /// The caller's name, used in logs, metrics and idempotency records.
    pub name: String,
    pub hash: TokenHash,
    pub scopes: Scopes,
}

/// Every accepted token.
#[derive(Debug, Clone, Default)]
pub struct TokenRegistry {
    entries: Vec<TokenEntry>,
}

impl TokenRegistry {
    pub fn new(entries: Vec<TokenEntry>) -> Self {
        Self { entries }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The caller a presented token identifies, if any. The presented token is hashed and
    /// compared with every entry in constant time, without stopping at the first match, so the
    /// timing says nothing about which (or whether a) hash matched.
    pub fn authenticate(&self, presented: &str) -> Option<Caller> {
        let hash = TokenHash::of_token(presented);
        let mut found = None;
        for entry in &self.entries {
            if hash.ct_eq(&entry.hash) && found.is_none() {
                found = Some(entry);
            }
        }
        found.map(|entry| Caller {
            id: entry.name.clone(),
            scopes: entry.scopes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Scope;

    fn registry() -> TokenRegistry {
        TokenRegistry::new(vec![
            TokenEntry {
                name: "reader".into(),
                hash: TokenHash::of_token("read-token"),
                scopes: Scopes::new([Scope::Read]),
            },
            TokenEntry {
                name: "mover".into(),
                hash: TokenHash::from_hex(&TokenHash::of_token("move-token").to_hex()).unwrap(),
                scopes: Scopes::new([Scope::MoneyMove]),
            },
        ])
    }

    #[test]
    fn known_tokens_map_to_their_caller() {
        let registry = registry();
        let caller = registry.authenticate("move-token").unwrap();
        assert_eq!(caller.id, "mover");
        assert!(caller.scopes.allows(Scope::MoneyMove));
        assert_eq!(registry.authenticate("read-token").unwrap().id, "reader");
        assert!(registry.authenticate("nope").is_none());
        assert!(registry.authenticate("").is_none());
    }

    #[test]
    fn hex_form_is_the_sha256_of_the_token() {
        // sha256("abc"), a published test vector.
        assert_eq!(
            TokenHash::of_token("abc").to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(TokenHash::from_hex("xyz").is_err());
        assert!(TokenHash::from_hex("abcd").is_err());
    }
}
