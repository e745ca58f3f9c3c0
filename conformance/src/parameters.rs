//! Custom cucumber parameter types: the nouns the feature files use.
//!
//! Each type lists its words once, in a [`words!`] table: the table gives the
//! enum, the cucumber regex (the words joined by `|`), `FromStr` and
//! `Display`, so a word added to the table is at once matched, parsed and
//! printed, and no list can drift from another.

use std::fmt;
use std::str::FromStr;

/// Declares a parameter type from its words: `Variant = "word"` rows, the
/// first one apart so that the regex is joined without a trailing `|`.
macro_rules! words {
    (
        $(#[$m:meta])*
        $vis:vis enum $name:ident as $param:literal {
            $(#[$fm:meta])* $first:ident = $first_word:literal
            $(, $(#[$vm:meta])* $v:ident = $word:literal)* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name {
            $(#[$fm])* $first,
            $($(#[$vm])* $v,)*
        }

        impl $name {
            /// Every value with its word, in table order.
            pub const WORDS: &'static [(Self, &'static str)] =
                &[(Self::$first, $first_word) $(, (Self::$v, $word))*];

            /// The word the feature files use.
            pub fn word(self) -> &'static str {
                match self {
                    Self::$first => $first_word,
                    $(Self::$v => $word,)*
                }
            }
        }

        impl cucumber::Parameter for $name {
            const REGEX: &'static str = concat!($first_word $(, "|", $word)*);
            const NAME: &'static str = $param;
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::WORDS
                    .iter()
                    .find(|(_, w)| *w == s)
                    .map(|(v, _)| *v)
                    .ok_or_else(|| format!(concat!("unknown ", $param, " {:?}"), s))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.word())
            }
        }
    };
}

words! {
    /// The client roles of the target file (`{client}`).
    pub enum ClientRole as "client" {
        /// `[clients.confidential]`.
        Confidential = "confidential",
        /// `[clients.confidential2]`.
        Second = "second confidential",
        /// `[clients.public]`.
        Public = "public",
        /// `[clients.implicit]`.
        Implicit = "implicit",
        /// `[clients.jwt]`.
        Jwt = "jwt",
    }
}

words! {
    /// Grants a token request can use (`{grant}`).
    pub enum Grant as "grant" {
        /// `authorization_code` with the code the client received.
        AuthorizationCode = "authorization code",
        /// `client_credentials`.
        ClientCredentials = "client credentials",
        /// `password` for the test user.
        Password = "password",
        /// `password` for the two-factor user.
        TwoFactorPassword = "two-factor password",
        /// `refresh_token` with the latest refresh token.
        RefreshToken = "refresh token",
        /// A grant type no server knows.
        Unknown = "unknown",
    }
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

words! {
    /// How a client authenticates a back-channel request (`{auth}`).
    pub enum AuthMode as "auth" {
        /// HTTP Basic (RFC 6749 §2.3.1).
        Basic = "client_secret_basic",
        /// `client_id` + `client_secret` in the body.
        Post = "client_secret_post",
        /// Nothing at all.
        Nothing = "no credentials",
        /// A wrong `client_secret` in the body, whatever the declared method.
        WrongPost = "a wrong secret in the body",
        /// A wrong secret in an HTTP Basic header, whatever the declared method.
        WrongBasic = "a wrong Basic secret",
        /// The right method with a wrong secret.
        WrongSecret = "a wrong secret",
        /// Basic header and body credentials at once.
        Both = "basic and post together",
        /// `client_id` and `client_secret` in the URL query.
        Query = "credentials in the query",
        /// Only `client_id` in the body (public clients).
        IdOnly = "its client_id only",
        /// private_key_jwt.
        Assertion = "a client assertion",
    }
}

words! {
    /// Which of the issued token responses (`{which}`).
    pub enum Which as "which" {
        /// The first one issued in this scenario.
        First = "first",
        /// The most recent one.
        Latest = "latest",
    }
}

words! {
    /// Access or refresh token (`{kind}`).
    pub enum TokenKind as "kind" {
        /// An access token.
        Access = "access",
        /// A refresh token.
        Refresh = "refresh",
    }
}

words! {
    /// Which user drives the browser (`{user}`).
    pub enum UserRole as "user" {
        /// `[users.user]`.
        User = "user",
        /// `[users.two_factor]`.
        TwoFactor = "two-factor user",
    }
}

words! {
    /// Who sends a management request (`{account}`).
    pub enum Who as "account" {
        /// `[management].admin`.
        Admin = "the administrator",
        /// `[management].reader`.
        Reader = "the read-only account",
        /// `[management].hub_admin`.
        HubAdmin = "the Hub administrator",
        /// No credentials at all.
        Nobody = "a request without credentials",
        /// `[management.segment].admin` (default `[management].admin`).
        AppAdmin = "the app administrator",
        /// `[management.segment].member`: may not view OAuth apps.
        Member = "the workspace member",
        /// `[management.segment].reader`: may only view OAuth apps.
        AppReader = "the read-only role",
    }
}

words! {
    /// One bad create request of the tenant OAuth-client error table (`{bad}`).
    pub enum BadCreate as "bad" {
        /// Not JSON.
        Malformed = "malformed JSON",
        /// `data.type` is not `oauth-client`.
        WrongType = "the wrong type",
        /// No `relationships`.
        NoRelationships = "no component relationship",
        /// A component that does not exist.
        UnknownComponent = "an unknown component",
        /// A component that exists but is not visible.
        HiddenComponent = "the hidden component",
        /// The scenario's component already has a client.
        Duplicate = "a component that already has one",
        /// A valid document padded to 2 MiB: over any sane body limit.
        Oversized = "a 2 MiB document",
    }
}

words! {
    /// One bad Segment OAuth-app create request (`{bad_app}`).
    pub enum BadApp as "bad_app" {
        /// `publicKey` is not a PEM public key.
        NotPem = "a public key that is not PEM",
        /// `tokenExpirationPeriod` is not one of the seven.
        UnknownPeriod = "an unknown expiration period",
        /// A scope outside the three of the seed.
        UnknownScope = "an unsupported scope",
        /// `data.type` is not `oauth-app`.
        WrongType = "the wrong type",
        /// Not JSON.
        Malformed = "malformed JSON",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cucumber::Parameter as _;

    #[test]
    fn each_word_parses_prints_and_is_in_the_regex() {
        fn check<
            T: cucumber::Parameter + FromStr + fmt::Display + PartialEq + fmt::Debug + Copy,
        >(
            words: &[(T, &str)],
        ) {
            let alternatives: Vec<&str> = T::REGEX.split('|').collect();
            assert_eq!(alternatives.len(), words.len(), "{}", T::REGEX);
            for (v, w) in words {
                assert_eq!(w.parse::<T>().ok(), Some(*v), "{w}");
                assert_eq!(v.to_string(), *w);
                assert!(alternatives.contains(w), "{w} in {}", T::REGEX);
            }
            assert!("no such word".parse::<T>().is_err());
        }
        check(ClientRole::WORDS);
        check(Grant::WORDS);
        check(AuthMode::WORDS);
        check(Which::WORDS);
        check(TokenKind::WORDS);
        check(UserRole::WORDS);
        check(Who::WORDS);
        check(BadCreate::WORDS);
        check(BadApp::WORDS);
        assert_eq!(ClientRole::NAME, "client");
        assert_eq!(Which::REGEX, "first|latest", "joined without a stray `|`");
    }
}
