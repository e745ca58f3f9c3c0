//! A stand-in for the user's browser: the workspace's test-support crate
//! fills the reference server's login and consent pages as one user until the
//! server redirects to the application's redirect URI. Plain HTTP, no SDK call.

use url::Url;

use crate::BoxError;

/// The user who signs in, and the pages driven for them.
#[derive(Debug)]
pub struct Browser {
    username: String,
    password: String,
    session: Option<oauth_test_support::Browser>,
}

impl Browser {
    /// A browser for the user `username`.
    pub fn new(username: &str, password: &str) -> Result<Self, BoxError> {
        Ok(Self {
            username: username.into(),
            password: password.into(),
            session: None,
        })
    }

    /// Opens `start` and fills the login and consent forms until the server
    /// redirects to a URL starting with `redirect_prefix`; returns that URL
    /// (not fetched).
    pub async fn authorize(&mut self, start: &Url, redirect_prefix: &str) -> Result<Url, BoxError> {
        let session = self
            .session
            .get_or_insert_with(|| oauth_test_support::Browser::new(start));
        Ok(session
            .authorize_until(start, redirect_prefix, &self.username, &self.password)
            .await?)
    }

    /// [`authorize`](Self::authorize), then opens the redirect as a browser
    /// would (delivering it to a loopback listener); returns the status of
    /// the page the application answered.
    pub async fn open(&mut self, start: &Url, redirect_prefix: &str) -> Result<u16, BoxError> {
        let callback = self.authorize(start, redirect_prefix).await?;
        let session = self.session.as_mut().ok_or("no session")?;
        Ok(session.try_get(callback.as_str()).await?.status.as_u16())
    }
}
