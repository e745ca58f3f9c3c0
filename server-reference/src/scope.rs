//! Scope sets (RFC 6749 §3.3): space-delimited, order-insensitive, case-sensitive.

use std::fmt;
use std::sync::Arc;

/// A normalised set of scope tokens. Order in requests does not matter.
///
/// Held as one shared string, the tokens sorted, deduplicated and joined by single
/// spaces: every token record carries a scope, and a clone (a client's default
/// scope into each token it is issued) costs a reference count, not an allocation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ScopeSet(Arc<str>);

/// A scope string that is not a valid RFC 6749 §3.3 scope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("scope contains characters outside RFC 6749 §3.3 scope-token")]
pub struct InvalidScope;

impl ScopeSet {
    /// Parses a space-delimited scope string; empty tokens (double spaces) are skipped.
    pub fn parse(s: &str) -> Result<Self, InvalidScope> {
        let tokens = s.split(' ').filter(|t| !t.is_empty());
        if !tokens.clone().all(|t| t.bytes().all(is_scope_char)) {
            return Err(InvalidScope);
        }
        Ok(tokens.collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, scope: &str) -> bool {
        self.iter().any(|s| s == scope)
    }

    pub fn is_subset(&self, other: &ScopeSet) -> bool {
        self.iter().all(|s| other.contains(s))
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.split(' ').filter(|t| !t.is_empty())
    }
}

impl Default for ScopeSet {
    fn default() -> Self {
        Self(Arc::from(""))
    }
}

/// Builds a set from trusted values (configuration), without validation.
impl<S: AsRef<str>> FromIterator<S> for ScopeSet {
    fn from_iter<I: IntoIterator<Item = S>>(items: I) -> Self {
        let items: Vec<S> = items.into_iter().collect();
        let mut tokens: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
        tokens.retain(|t| !t.is_empty());
        tokens.sort_unstable();
        tokens.dedup();
        Self(Arc::from(tokens.join(" ")))
    }
}

/// `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`
fn is_scope_char(b: u8) -> bool {
    b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b)
}

impl fmt::Display for ScopeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
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
    fn set_operations() {
        let ab = ScopeSet::parse("b a").unwrap();
        let abc = ScopeSet::parse("c a b").unwrap();
        assert!(ab.contains("a") && !ab.contains("c") && !ab.contains("a b"));
        assert!(ab.is_subset(&abc) && !abc.is_subset(&ab));
        assert!(ScopeSet::default().is_subset(&ab) && ScopeSet::default().is_empty());
        assert_eq!(ScopeSet::parse("  ").unwrap(), ScopeSet::default());
        assert_eq!(abc.iter().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(["b", "", "a", "b"].into_iter().collect::<ScopeSet>(), ab);
    }

    #[test]
    fn rejects_quote_and_backslash() {
        assert_eq!(ScopeSet::parse("a\"b"), Err(InvalidScope));
        assert_eq!(ScopeSet::parse("a\\b"), Err(InvalidScope));
        assert!(ScopeSet::parse("tracking_api:write").is_ok());
    }
}
