//! The URL the server sent the user agent back to, and its parameters.

use url::Url;

/// The URL the server sent the user agent back to.
#[derive(Debug, Clone)]
pub struct CallbackUrl(pub Url);

impl CallbackUrl {
    pub fn parse(location: &str) -> Self {
        Self(Url::parse(location).unwrap_or_else(|e| panic!("callback {location:?}: {e}")))
    }

    /// A query parameter (code flow).
    pub fn param(&self, name: &str) -> Option<String> {
        self.0
            .query_pairs()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
    }

    /// A fragment parameter (implicit flow).
    pub fn fragment_param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.0.fragment().unwrap_or("").as_bytes())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
    }

    pub fn query_names(&self) -> Vec<String> {
        self.0.query_pairs().map(|(n, _)| n.into_owned()).collect()
    }

    pub fn fragment_names(&self) -> Vec<String> {
        form_urlencoded::parse(self.0.fragment().unwrap_or("").as_bytes())
            .map(|(n, _)| n.into_owned())
            .collect()
    }

    pub fn code(&self) -> Option<String> {
        self.param("code")
    }

    pub fn state(&self) -> Option<String> {
        self.param("state")
    }

    pub fn error(&self) -> Option<String> {
        self.param("error")
    }

    /// The callback without query and fragment.
    pub fn base(&self) -> String {
        let mut u = self.0.clone();
        u.set_query(None);
        u.set_fragment(None);
        u.to_string()
    }
}
