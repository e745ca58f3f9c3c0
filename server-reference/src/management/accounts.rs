//! Administrator accounts: HTTP Basic `{EMAIL}:{APIKEY}` authentication and
//! per-tenant permissions named as elastic.io names them
//! (`tenants.oauth_clients.get/edit/create/delete`; `*` grants all).
//!
//! API keys are stored only as SHA-256 digests (they are high-entropy secrets, like
//! client secrets) and compared in constant time; an unknown email costs the same
//! comparison, so timing does not tell which emails exist.

use std::collections::BTreeMap;

use axum::http::HeaderMap;

use super::jsonapi::ApiError;
use crate::config::AccountConfig;
use crate::crypto::TokenHash;

/// A permission checked by the tenant OAuth-clients API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Permission {
    Get,
    Edit,
    Create,
    Delete,
    /// Only `*` holds it: the companion endpoints (components, flows) and
    /// administering Hub services.
    Admin,
}

impl Permission {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Permission::Get => "tenants.oauth_clients.get",
            Permission::Edit => "tenants.oauth_clients.edit",
            Permission::Create => "tenants.oauth_clients.create",
            Permission::Delete => "tenants.oauth_clients.delete",
            Permission::Admin => "*",
        }
    }
}

/// An administrator: email, hashed API key, permissions by tenant.
#[derive(Debug)]
pub(crate) struct Account {
    pub(crate) email: String,
    key: TokenHash,
    grants: BTreeMap<String, Vec<String>>,
}

impl Account {
    pub(crate) fn from_config(c: &AccountConfig) -> Self {
        let mut grants: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for g in &c.grants {
            grants
                .entry(g.tenant.clone())
                .or_default()
                .extend(g.permissions.iter().cloned());
        }
        Self {
            email: c.email.clone(),
            key: TokenHash::of(&c.api_key),
            grants,
        }
    }

    /// Whether the account holds anything at all in `tenant` (otherwise the tenant
    /// is invisible to it: "not found").
    pub(crate) fn sees_tenant(&self, tenant: &str) -> bool {
        self.grants.contains_key(tenant)
    }

    pub(crate) fn may(&self, tenant: &str, permission: Permission) -> bool {
        self.grants
            .get(tenant)
            .is_some_and(|p| p.iter().any(|p| p == "*" || p == permission.name()))
    }

    /// The permission names held in `tenant` (empty when none).
    pub(crate) fn permissions(&self, tenant: &str) -> &[String] {
        self.grants.get(tenant).map_or(&[], Vec::as_slice)
    }

    /// Holds `*` in at least one tenant: a platform administrator.
    pub(crate) fn is_admin(&self) -> bool {
        self.grants.values().any(|p| p.iter().any(|p| p == "*"))
    }
}

/// Finds the account named by `Authorization: Basic base64(email:apikey)`.
pub(crate) fn authenticate<'a>(
    accounts: &'a [Account],
    headers: &HeaderMap,
) -> Result<&'a Account, ApiError> {
    crate::client_auth::authorization_header(headers).map_err(ApiError::bad_request)?;
    let Some(Some(crate::basic::Credentials {
        user: email,
        password: Some(key),
    })) = crate::basic::credentials(headers)
    else {
        return Err(ApiError::unauthorized());
    };
    if email.is_empty() || key.is_empty() {
        return Err(ApiError::unauthorized());
    }
    let presented = TokenHash::of(&key);
    let unknown = TokenHash::of("");
    let found = accounts.iter().find(|a| a.email == email);
    let expected = found.map_or(&unknown, |a| &a.key);
    let matches = crate::crypto::ct_eq(expected.as_bytes(), presented.as_bytes());
    match found {
        Some(account) if matches => Ok(account),
        _ => Err(ApiError::unauthorized()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::AccountGrant;
    use axum::http::HeaderValue;
    use axum::http::header;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    fn account(perms: &[&str]) -> Account {
        Account::from_config(&AccountConfig {
            email: "a@example.com".into(),
            api_key: "k".into(),
            grants: vec![AccountGrant {
                tenant: "t".into(),
                permissions: perms.iter().map(|p| p.to_string()).collect(),
            }],
        })
    }

    fn basic(raw: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        let v = format!("Basic {}", STANDARD.encode(raw));
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(&v).unwrap());
        h
    }

    #[test]
    fn permissions_are_per_tenant_and_star_is_all() {
        let reader = account(&["tenants.oauth_clients.get"]);
        assert!(reader.may("t", Permission::Get));
        assert!(!reader.may("t", Permission::Create));
        assert!(!reader.may("other", Permission::Get));
        assert!(!reader.is_admin());
        let admin = account(&["*"]);
        assert!(admin.may("t", Permission::Delete) && admin.is_admin());
        assert!(!admin.sees_tenant("other"));
    }

    #[test]
    fn basic_credentials_are_checked() {
        let accounts = [account(&["*"])];
        assert!(authenticate(&accounts, &basic("a@example.com:k")).is_ok());
        assert!(authenticate(&accounts, &basic("a@example.com:K")).is_err());
        assert!(authenticate(&accounts, &basic("b@example.com:k")).is_err());
        assert!(authenticate(&accounts, &basic("a@example.com")).is_err());
        assert!(authenticate(&accounts, &HeaderMap::new()).is_err());
        assert!(!format!("{:?}", accounts[0]).contains(":k"));
    }
}
