//! What a target file must hold beyond its types: each problem one error
//! naming the key and the fix (the binary exits 2 on it).

use super::{ConfigError, Target};

impl Target {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if !matches!(
            self.interaction.mode.as_str(),
            "scripted" | "auto-approve" | "manual"
        ) {
            return Err(ConfigError::Invalid(format!(
                "[interaction].mode must be scripted, auto-approve or manual, not {:?}",
                self.interaction.mode
            )));
        }
        if self.clients.confidential.redirect_uris.is_empty() {
            return Err(ConfigError::Invalid(
                "[clients.confidential] needs at least one redirect_uris entry".into(),
            ));
        }
        if let Some(seg) = self.management.as_ref().and_then(|m| m.segment.as_ref())
            && (seg.keys.len() != 2 || seg.sources.is_empty())
        {
            return Err(ConfigError::Invalid(
                "[management.segment] needs exactly two `keys` and at least one `sources` entry"
                    .into(),
            ));
        }
        for page in &self.interaction.pages {
            if !matches!(page.kind.as_str(), "login" | "consent") {
                return Err(ConfigError::Invalid(format!(
                    "[[interaction.pages]] kind must be login or consent, not {:?}",
                    page.kind
                )));
            }
            page.validate()?;
        }
        if self.concurrency == Some(0) {
            return Err(ConfigError::Invalid(
                "concurrency must be at least 1 (leave it out for the default)".into(),
            ));
        }
        let t = &self.timing;
        if t.request_timeout_secs == 0 || t.scenario_deadline_secs == 0 {
            return Err(ConfigError::Invalid(
                "[timing].request_timeout_secs and scenario_deadline_secs must be at least 1 \
                 (leave them out for 20 and 120)"
                    .into(),
            ));
        }
        self.validate_clients()?;
        crate::capability::validate(self)
    }
}
