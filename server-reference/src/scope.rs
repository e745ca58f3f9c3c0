//! Scope sets (RFC 6749 §3.3): space-delimited, order-insensitive, case-sensitive.

use std::collections::BTreeSet;
use std::fmt;

/// A normalised set of scope tokens. Order in requests does not matter (catalogue O3).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ScopeSet(BTreeSet<String>);

/// A scope string that is not a valid RFC 6749 §3.3 scope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("scope contains characters outside RFC 6749 §3.3 scope-token")]
pub struct InvalidScope;

impl ScopeSet {
    /// Parses a space-delimited scope string; empty tokens (double spaces) are skipped.
    pub fn parse(s: &str) -> Result<Self, InvalidScope> {
        let mut set = BTreeSet::new();
        for token in s.split(' ').filter(|t| !t.is_empty()) {
            if !token.bytes().all(is_scope_char) {
                return Err(InvalidScope);
            }
            set.insert(token.to_owned());
        }
        Ok(Self(set))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, scope: &str) -> bool {
        self.0.contains(scope)
    }

    pub fn is_subset(&self, other: &ScopeSet) -> bool {
        self.0.is_subset(&other.0)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

/// Builds a set from trusted values (configuration), without validation.
impl<S: Into<String>> FromIterator<S> for ScopeSet {
    fn from_iter<I: IntoIterator<Item = S>>(items: I) -> Self {
        Self(items.into_iter().map(Into::into).collect())
    }
}

/// `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`
fn is_scope_char(b: u8) -> bool {
    b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b)
}

impl fmt::Display for ScopeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for s in &self.0 {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(s)?;
            first = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_duplicates_do_not_matter() {
        assert_eq!(
            ScopeSet::parse("b a  b").unwrap(),
            ScopeSet::parse("a b").unwrap()
        );
        assert_eq!(ScopeSet::parse("b a").unwrap().to_string(), "a b");
    }

    #[test]
    fn rejects_quote_and_backslash() {
        assert_eq!(ScopeSet::parse("a\"b"), Err(InvalidScope));
        assert_eq!(ScopeSet::parse("a\\b"), Err(InvalidScope));
        assert!(ScopeSet::parse("tracking_api:write").is_ok());
    }
}
