//! One-time codes for the two-factor user's login page.

use crate::config::UserConfig;

/// The current TOTP code of a user (RFC 6238: SHA-1, 6 digits, 30 s).
pub fn totp_now(user: &UserConfig) -> Option<String> {
    let secret = user.totp_secret.as_ref()?;
    let bytes = totp_rs::Secret::Encoded(secret.clone()).to_bytes().ok()?;
    let totp = totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes);
    totp.generate_current().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totp_matches_rfc6238_shape() {
        let user = UserConfig {
            username: "bob".into(),
            password: "x".into(),
            totp_secret: Some("JBSWY3DPEHPK3PXP".into()),
        };
        let code = totp_now(&user).unwrap();
        assert_eq!(code.len(), 6);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
    }
}
