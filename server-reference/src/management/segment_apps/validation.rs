//! What a JSON:API document may say about an app: public keys (RSA SPKI PEM
//! only), token expiration periods and scopes.

use super::*;

/// Only an SPKI public key, as `openssl rsa -pubout` writes it: one PEM block
/// labelled `PUBLIC KEY`, nothing around it. The PEM decoder alone would take a
/// private key too (and derive its public half), and the app's keys are stored
/// and shown to every role that may view the app. Checked on input only, so
/// records saved before the check still load.
pub(super) fn spki_only(pem: &str) -> Result<(), ApiError> {
    const BEGIN: &str = "-----BEGIN PUBLIC KEY-----";
    const END: &str = "-----END PUBLIC KEY-----";
    let text = pem.trim();
    let refuse = |detail: &str| {
        Err(ApiError::unprocessable(detail.to_owned()).at("/data/attributes/publicKey"))
    };
    if text.contains("PRIVATE KEY") {
        return refuse(
            "publicKey is a private key; send only its public half \
             (`openssl rsa -in private.pem -pubout -outform PEM`), and treat the private key as exposed",
        );
    }
    if !text.starts_with(BEGIN) || !text.ends_with(END) || text.matches("-----BEGIN").count() != 1 {
        return refuse(
            "publicKey must be exactly one RSA public key in PEM, in SPKI form \
             (-----BEGIN PUBLIC KEY-----), as `openssl rsa -in private.pem -pubout -outform PEM` writes it",
        );
    }
    Ok(())
}

pub(super) fn decode(kid: &str, pem: &str) -> Result<crate::model::ClientKey, ApiError> {
    KeyConfig {
        kid: kid.to_owned(),
        alg: "RS256".to_owned(),
        public_key_pem: pem.to_owned(),
    }
    .decode()
    .map_err(|_| {
        ApiError::unprocessable(
            "publicKey must be an RSA public key in PEM (-----BEGIN PUBLIC KEY-----), \
             e.g. from `openssl rsa -in private.pem -pubout -outform PEM`",
        )
        .at("/data/attributes/publicKey")
    })
}

pub(super) fn period(res: &Resource, required: bool) -> Result<Option<String>, ApiError> {
    let p = res.string("tokenExpirationPeriod", required)?;
    if let Some(p) = &p
        && expiration_period_secs(p).is_none()
    {
        return Err(ApiError::unprocessable(format!(
            "tokenExpirationPeriod must be one of {PERIODS}, not {p:?}"
        ))
        .at("/data/attributes/tokenExpirationPeriod"));
    }
    Ok(p)
}

pub(super) fn scopes(res: &Resource, required: bool) -> Result<Option<Vec<String>>, ApiError> {
    let pointer = "/data/attributes/scopes";
    let Some(value) = res.attributes.get("scopes") else {
        return if required {
            Err(ApiError::bad_request("attributes.scopes is required").at(pointer))
        } else {
            Ok(None)
        };
    };
    let Some(items) = value.as_array().filter(|a| !a.is_empty()) else {
        return Err(ApiError::bad_request(
            "attributes.scopes must be a non-empty array of strings",
        )
        .at(pointer));
    };
    let mut out = Vec::new();
    for item in items {
        match item.as_str() {
            Some(s) if SCOPES.contains(&s) => {
                if !out.iter().any(|o| o == s) {
                    out.push(s.to_owned());
                }
            }
            _ => {
                return Err(ApiError::unprocessable(format!(
                    "unsupported scope {item}; supported: {}",
                    SCOPES.join(" ")
                ))
                .at(pointer));
            }
        }
    }
    Ok(Some(out))
}
