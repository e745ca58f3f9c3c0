//! Endpoint paths of the target file, resolved against the issuer (or its
//! origin, `[server].paths = "origin"`).

use std::path::{Path, PathBuf};

use url::Url;

use super::pages::PathBase;
use super::{SegmentApps, Target};

impl Target {
    /// Resolves a URL that may be relative to the issuer.
    pub fn url(&self, s: &str) -> Url {
        if self.server.paths == PathBase::Origin
            && s.starts_with('/')
            && let Ok(u) = self.server.issuer.join(s)
        {
            return u;
        }
        let mut base = self.server.issuer.clone();
        if !base.path().ends_with('/') {
            let p = format!("{}/", base.path());
            base.set_path(&p);
        }
        let rel = s.strip_prefix('/').unwrap_or(s);
        Url::parse(s).or_else(|_| base.join(rel)).unwrap_or(base)
    }

    /// The endpoint URL for one of the endpoints, with the default path.
    pub fn endpoint(&self, which: Endpoint) -> Url {
        let e = &self.server.endpoints;
        let (over, default) = match which {
            Endpoint::Authorization => (&e.authorization, "/oauth/authorize"),
            Endpoint::Token => (&e.token, "/oauth/token"),
            Endpoint::Revocation => (&e.revocation, "/oauth/revoke"),
            Endpoint::Introspection => (&e.introspection, "/oauth/introspect"),
            Endpoint::TokenInfo => (&e.token_info, "/oauth/token/info"),
            Endpoint::Par => (&e.par, "/oauth/par"),
        };
        self.url(over.as_deref().unwrap_or(default))
    }

    /// A management API URL: `path` below `[management].base_url` (default
    /// the issuer).
    pub fn management_url(&self, path: &str) -> Url {
        match self.management.as_ref().and_then(|m| m.base_url.as_deref()) {
            Some(base) => {
                let base = base.trim_end_matches('/');
                Url::parse(&format!("{base}{path}")).unwrap_or_else(|_| self.url(path))
            }
            None => self.url(path),
        }
    }

    /// The RFC 8414 metadata URL.
    pub fn metadata_url(&self) -> Url {
        match &self.server.metadata_url {
            Some(u) => self.url(u),
            None => {
                let mut u = self.server.issuer.clone();
                let path = u.path().trim_end_matches('/').to_owned();
                u.set_path(&format!("/.well-known/oauth-authorization-server{path}"));
                u
            }
        }
    }

    /// The `aud` of client assertions: the issuer, without a trailing slash.
    pub fn audience(&self) -> &str {
        self.server.issuer.as_str().trim_end_matches('/')
    }

    /// `[management.segment]`, if present.
    pub fn segment(&self) -> Option<&SegmentApps> {
        self.management.as_ref()?.segment.as_ref()
    }

    /// Resolves a path from the target file.
    pub fn file(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_owned()
        } else {
            self.base_dir.join(p)
        }
    }
}

/// The endpoints a target exposes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// RFC 6749 §3.1.
    Authorization,
    /// RFC 6749 §3.2.
    Token,
    /// RFC 7009.
    Revocation,
    /// RFC 7662.
    Introspection,
    /// Doorkeeper `/oauth/token/info`.
    TokenInfo,
    /// RFC 9126 pushed authorization requests.
    Par,
}
