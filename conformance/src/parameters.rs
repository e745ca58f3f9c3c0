//! Custom cucumber parameter types: the protocol nouns the feature files use.

use std::str::FromStr;

use cucumber::Parameter;

/// The client roles of the target file (`{client}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(
    name = "client",
    regex = "confidential|second confidential|public|implicit|jwt"
)]
pub enum ClientRole {
    /// `[clients.confidential]`.
    Confidential,
    /// `[clients.confidential2]`.
    Second,
    /// `[clients.public]`.
    Public,
    /// `[clients.implicit]`.
    Implicit,
    /// `[clients.jwt]`.
    Jwt,
}

impl FromStr for ClientRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "confidential" => Self::Confidential,
            "second confidential" => Self::Second,
            "public" => Self::Public,
            "implicit" => Self::Implicit,
            "jwt" => Self::Jwt,
            other => return Err(format!("unknown client role {other}")),
        })
    }
}

/// Grants a token request can use (`{grant}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(
    name = "grant",
    regex = "authorization code|client credentials|password|two-factor password|refresh token|unknown"
)]
pub enum Grant {
    /// `authorization_code` with the code the client received.
    AuthorizationCode,
    /// `client_credentials`.
    ClientCredentials,
    /// `password` for the test user.
    Password,
    /// `password` for the two-factor user.
    TwoFactorPassword,
    /// `refresh_token` with the latest refresh token.
    RefreshToken,
    /// A grant type no server knows.
    Unknown,
}

impl Grant {
    /// The `grant_type` a client must be registered for (`None`: the unknown
    /// grant, which no client is).
    pub fn grant_type(self) -> Option<&'static str> {
        match self {
            Self::AuthorizationCode => Some("authorization_code"),
            Self::ClientCredentials => Some("client_credentials"),
            Self::Password | Self::TwoFactorPassword => Some("password"),
            Self::RefreshToken => Some("refresh_token"),
            Self::Unknown => None,
        }
    }
}

impl FromStr for Grant {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "authorization code" => Self::AuthorizationCode,
            "client credentials" => Self::ClientCredentials,
            "password" => Self::Password,
            "two-factor password" => Self::TwoFactorPassword,
            "refresh token" => Self::RefreshToken,
            "unknown" => Self::Unknown,
            other => return Err(format!("unknown grant {other}")),
        })
    }
}

/// How a client authenticates a back-channel request (`{auth}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(
    name = "auth",
    regex = "client_secret_basic|client_secret_post|no credentials|a wrong secret in the body|a wrong Basic secret|a wrong secret|basic and post together|credentials in the query|its client_id only|a client assertion"
)]
pub enum AuthMode {
    /// HTTP Basic (RFC 6749 §2.3.1).
    Basic,
    /// `client_id` + `client_secret` in the body.
    Post,
    /// Nothing at all.
    Nothing,
    /// The right method with a wrong secret.
    WrongSecret,
    /// A wrong secret in an HTTP Basic header, whatever the declared method.
    WrongBasic,
    /// A wrong `client_secret` in the body, whatever the declared method.
    WrongPost,
    /// Basic header and body credentials at once.
    Both,
    /// `client_id` and `client_secret` in the URL query.
    Query,
    /// Only `client_id` in the body (public clients).
    IdOnly,
    /// private_key_jwt.
    Assertion,
}

impl FromStr for AuthMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "client_secret_basic" => Self::Basic,
            "client_secret_post" => Self::Post,
            "no credentials" => Self::Nothing,
            "a wrong secret" => Self::WrongSecret,
            "a wrong Basic secret" => Self::WrongBasic,
            "a wrong secret in the body" => Self::WrongPost,
            "basic and post together" => Self::Both,
            "credentials in the query" => Self::Query,
            "its client_id only" => Self::IdOnly,
            "a client assertion" => Self::Assertion,
            other => return Err(format!("unknown authentication {other}")),
        })
    }
}

/// Which of the issued token responses (`{which}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(name = "which", regex = "first|latest")]
pub enum Which {
    /// The first one issued in this scenario.
    First,
    /// The most recent one.
    Latest,
}

impl FromStr for Which {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "first" => Ok(Self::First),
            "latest" => Ok(Self::Latest),
            other => Err(format!("unknown token selector {other}")),
        }
    }
}

/// Access or refresh token (`{kind}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(name = "kind", regex = "access|refresh")]
pub enum TokenKind {
    /// An access token.
    Access,
    /// A refresh token.
    Refresh,
}

impl FromStr for TokenKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "access" => Ok(Self::Access),
            "refresh" => Ok(Self::Refresh),
            other => Err(format!("unknown token kind {other}")),
        }
    }
}

/// Which user drives the browser (`{user}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(name = "user", regex = "user|two-factor user")]
pub enum UserRole {
    /// `[users.user]`.
    User,
    /// `[users.two_factor]`.
    TwoFactor,
}

impl FromStr for UserRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "user" => Ok(Self::User),
            "two-factor user" => Ok(Self::TwoFactor),
            other => Err(format!("unknown user {other}")),
        }
    }
}
