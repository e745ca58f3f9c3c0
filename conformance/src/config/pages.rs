//! Describing real login and consent pages: which form to fill when a page
//! has several, buttons without a name, deny links, and what a `/path` in the
//! target file is relative to.

use serde::Deserialize;

use super::{Button, ConfigError, PageScript};

/// `form = { id = "..." }`, `{ index = 0 }` or `{ action_contains = "..." }`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormChoice {
    /// The form's `id` attribute.
    pub id: Option<String>,
    /// Its position among the page's forms, from 0.
    pub index: Option<usize>,
    /// Its `action` URL contains this.
    pub action_contains: Option<String>,
}

/// `[server].paths`: what a target-file path starting with `/` is below.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PathBase {
    /// Below the issuer, path included (`https://h/realm` + `/token` is
    /// `https://h/realm/token`).
    #[default]
    Issuer,
    /// Below the issuer's origin (`https://h/realm` + `/token` is
    /// `https://h/token`).
    Origin,
}

impl PageScript {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let what = if self.kind == "login" {
            "login"
        } else {
            "consent"
        };
        if let Some(f) = &self.form {
            let set = [
                f.id.is_some(),
                f.index.is_some(),
                f.action_contains.is_some(),
            ];
            if set.iter().filter(|b| **b).count() != 1 {
                return Err(ConfigError::Invalid(format!(
                    "[[interaction.pages]] ({what}): `form` takes exactly one of id, index or action_contains"
                )));
            }
        }
        self.submit.validate(what, "submit")?;
        if let Some(d) = &self.deny {
            d.validate(what, "deny")?;
        }
        if self.submit.link.is_some() && !self.fields.is_empty() {
            return Err(ConfigError::Invalid(format!(
                "[[interaction.pages]] ({what}): `submit` is a link, so `fields` cannot be sent; press a button instead"
            )));
        }
        Ok(())
    }
}

impl Button {
    fn validate(&self, page: &str, key: &str) -> Result<(), ConfigError> {
        if self.link.is_some() && (!self.name.is_empty() || self.label.is_some()) {
            return Err(ConfigError::Invalid(format!(
                "[[interaction.pages]] ({page}): `{key}` is either a link or a button, not both"
            )));
        }
        if !self.name.is_empty() && self.label.is_some() {
            return Err(ConfigError::Invalid(format!(
                "[[interaction.pages]] ({page}): `{key}` has a name; `label` is only for buttons without one"
            )));
        }
        Ok(())
    }
}
