//! Issuing access and refresh tokens, shared by the token endpoint and the
//! implicit grant, and the RFC 6749 §5.1 success response.

use axum::Json;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::crypto::{TokenHash, random_token};
use crate::error::no_store_headers;
use crate::faults::Fault;
use crate::model::{Client, GrantId, TokenKind, TokenRecord};
use crate::scope::ScopeSet;
use crate::state::AppState;
use crate::store::StoreError;

/// The scope that makes a token never expire (Phabricator's `offline_access`).
pub const OFFLINE_ACCESS: &str = "offline_access";

/// What to issue.
#[derive(Debug)]
pub struct IssueRequest<'a> {
    pub client: &'a Client,
    /// The resource owner; `None` for client credentials.
    pub username: Option<&'a str>,
    pub scope: ScopeSet,
    /// The grant family the tokens belong to.
    pub grant_id: GrantId,
    pub with_refresh_token: bool,
}

/// Freshly issued tokens; the plaintext exists only here and in the response.
/// `Debug` redacts both tokens.
pub struct Issued {
    pub access_token: String,
    pub refresh_token: Option<String>,
    /// Seconds; `None` for tokens that never expire.
    pub expires_in: Option<u64>,
    pub scope: ScopeSet,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::config::redacted;
        f.debug_struct("Issued")
            .field("access_token", &redacted(Some(&self.access_token)))
            .field("refresh_token", &redacted(self.refresh_token.as_deref()))
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish()
    }
}

/// Tokens minted but not yet stored: the plaintext for the response and the
/// records (hashes only) to store in one call.
#[derive(Debug)]
pub struct Minted {
    pub issued: Issued,
    pub records: Vec<TokenRecord>,
}

impl AppState {
    /// Issues an access token (and optionally a refresh token), storing only hashes.
    /// The tokens are stored by one store call, so either all of them are
    /// acknowledged or none is.
    pub async fn issue_tokens(&self, req: IssueRequest<'_>) -> Result<Issued, StoreError> {
        let minted = self.mint_tokens(req);
        self.store().insert_tokens(minted.records).await?;
        Ok(minted.issued)
    }

    /// Mints the tokens of `req` without storing them (refresh rotation stores them
    /// in the same transaction that retires the old refresh token).
    pub fn mint_tokens(&self, req: IssueRequest<'_>) -> Minted {
        let now = self.now();
        let offline = req.scope.contains(OFFLINE_ACCESS);
        let expires_in = (!offline).then(|| {
            req.client
                .access_token_ttl_secs
                .unwrap_or(self.settings().access_token_ttl_secs)
        });
        let access_token = random_token();
        let mut records = vec![TokenRecord {
            hash: TokenHash::of(&access_token),
            kind: TokenKind::Access,
            client_id: req.client.id.clone(),
            username: req.username.map(str::to_owned),
            scope: req.scope.clone(),
            issued_at: now,
            expires_at: expires_in.map(|t| now + t * 1000),
            grant_id: req.grant_id,
            revoked: false,
        }];
        let refresh_token = req.with_refresh_token.then(|| {
            let (token, record) = self.mint_refresh_token(
                req.client.id.clone(),
                req.username.map(str::to_owned),
                req.scope.clone(),
                req.grant_id,
            );
            records.push(record);
            token
        });
        Minted {
            issued: Issued {
                access_token,
                refresh_token,
                expires_in,
                scope: req.scope,
            },
            records,
        }
    }

    /// A refresh token and its record; it never expires under `offline_access`.
    pub fn mint_refresh_token(
        &self,
        client_id: std::sync::Arc<str>,
        username: Option<String>,
        scope: ScopeSet,
        grant_id: GrantId,
    ) -> (String, TokenRecord) {
        let now = self.now();
        let token = random_token();
        let ttl = (!scope.contains(OFFLINE_ACCESS)).then(|| self.settings().refresh_token_ttl_secs);
        let record = TokenRecord {
            hash: TokenHash::of(&token),
            kind: TokenKind::Refresh,
            client_id,
            username,
            scope,
            issued_at: now,
            expires_at: ttl.map(|t| now + t * 1000),
            grant_id,
            revoked: false,
        };
        (token, record)
    }

    /// The RFC 6749 §5.1 JSON response with `Cache-Control: no-store`.
    pub fn token_response(&self, issued: &Issued) -> Response {
        #[derive(Serialize)]
        struct Body<'a> {
            access_token: &'a str,
            token_type: &'static str,
            #[serde(skip_serializing_if = "Option::is_none")]
            expires_in: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            refresh_token: Option<&'a str>,
            scope: String,
            created_at: u64,
        }
        let body = Body {
            access_token: &issued.access_token,
            token_type: "Bearer",
            expires_in: issued.expires_in,
            refresh_token: issued.refresh_token.as_deref(),
            scope: issued.scope.to_string(),
            created_at: self.now() / 1000,
        };
        let mut response = Json(body).into_response();
        if !self.fault(Fault::NoStoreMissing) {
            no_store_headers(&mut response);
        } else {
            response.headers_mut().insert(
                axum::http::header::PRAGMA,
                HeaderValue::from_static("no-cache"),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_of_issued_tokens_shows_neither_token() {
        let issued = Issued {
            access_token: "access-s3cr3t".into(),
            refresh_token: Some("refresh-s3cr3t".into()),
            expires_in: Some(60),
            scope: ScopeSet::default(),
        };
        let shown = format!("{issued:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("expires_in: Some(60)"), "{shown}");
    }
}
