//! `wire_enum!`: string enums that never fail to deserialise.
//!
//! Upstream documents most enums only partly (spec/NOTES.md, upstream NOTES §9.8), and new values
//! may appear at any time. Every generated enum therefore has an `Unknown(String)` variant that
//! keeps an unrecognised value verbatim, so it also serialises back unchanged. Aliases let a
//! variant accept upstream's stray spellings (D9: `CARD_PAYIN`, `Created`) while always sending
//! the canonical one.

macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $wire:literal $(| $alias:literal)*
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
        pub enum $name {
            $(
                $(#[$vmeta])*
                $variant,
            )+
            /// A value this client does not know; kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Unknown(other) => other,
                }
            }

            /// Parses a wire value; never fails (unrecognised values become `Unknown`).
            pub fn from_wire(value: &str) -> Self {
                match value {
                    $($wire $(| $alias)* => Self::$variant,)+
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::from_wire(value)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from_wire(&value))
            }
        }
    };
}

pub(crate) use wire_enum;

#[cfg(test)]
mod tests {
    wire_enum! {
        Colour {
            Red = "RED" | "Red",
            Blue = "BLUE",
        }
    }

    #[test]
    fn known_alias_and_unknown_values() {
        let parsed: Vec<Colour> = serde_json::from_str(r#"["RED","Red","BLUE","GREEN"]"#).unwrap();
        assert_eq!(
            parsed,
            vec![
                Colour::Red,
                Colour::Red,
                Colour::Blue,
                Colour::Unknown("GREEN".into())
            ]
        );
        assert_eq!(
            serde_json::to_string(&parsed).unwrap(),
            r#"["RED","RED","BLUE","GREEN"]"#
        );
    }
}
