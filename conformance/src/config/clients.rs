//! Any number of clients: `[[clients.extra]]` entries stand in for a role
//! when the role's own client is not registered for the grant or the
//! authentication method a scenario uses. Real servers often register one
//! grant per client (a service account for client credentials, a web app for
//! the code flow); the scenarios still speak of "the confidential client".

use super::{ClientConfig, ConfigError, Target};

/// Role names of `[[clients.extra]]`, as the tables above them are named.
pub(super) const ROLES: [&str; 5] = ["confidential", "confidential2", "public", "implicit", "jwt"];

impl ClientConfig {
    /// Whether this client is registered for `grant` (no `grants`: any grant).
    pub fn may_use(&self, grant: &str) -> bool {
        self.grants.is_empty() || self.grants.iter().any(|g| g == grant)
    }
}

impl Target {
    /// Every client that can play `role`: the role's own table first, then
    /// the `[[clients.extra]]` entries naming it, in file order.
    pub fn clients_for(&self, role: &str) -> Vec<&ClientConfig> {
        let c = &self.clients;
        let own = match role {
            "confidential" => Some(&c.confidential),
            "confidential2" => c.confidential2.as_ref(),
            "public" => c.public.as_ref(),
            "implicit" => c.implicit.as_ref(),
            "jwt" => c.jwt.as_ref(),
            _ => None,
        };
        own.into_iter()
            .chain(c.extra.iter().filter(|e| e.role.as_deref() == Some(role)))
            .collect()
    }

    /// The client to play `role` for `grant`, preferring one that
    /// authenticates with `method` when given: the first that fits both, else
    /// the first that may use the grant, else the role's own client (whose
    /// refusal is then what the scenario sees).
    pub fn choose_client(
        &self,
        role: &str,
        grant: &str,
        method: Option<&str>,
    ) -> Option<&ClientConfig> {
        let all = self.clients_for(role);
        method
            .and_then(|m| all.iter().find(|c| c.may_use(grant) && c.auth_method == m))
            .or_else(|| all.iter().find(|c| c.may_use(grant)))
            .or_else(|| all.first())
            .copied()
    }

    /// Whether some client of `role` is registered for `grant`.
    pub fn role_may_use(&self, role: &str, grant: &str) -> bool {
        self.clients_for(role).iter().any(|c| c.may_use(grant))
    }

    pub(super) fn validate_clients(&self) -> Result<(), ConfigError> {
        for (i, e) in self.clients.extra.iter().enumerate() {
            match e.role.as_deref() {
                Some(r) if ROLES.contains(&r) => {}
                Some(r) => {
                    return Err(ConfigError::Invalid(format!(
                        "[[clients.extra]] #{} ({}): role {r:?} is not one of {}",
                        i + 1,
                        e.id,
                        ROLES.join(", ")
                    )));
                }
                None => {
                    return Err(ConfigError::Invalid(format!(
                        "[[clients.extra]] #{} ({}) needs a role: one of {}",
                        i + 1,
                        e.id,
                        ROLES.join(", ")
                    )));
                }
            }
        }
        let c = &self.clients;
        let own = [&c.confidential2, &c.public, &c.implicit, &c.jwt];
        for r in std::iter::once(&c.confidential).chain(own.into_iter().flatten()) {
            if r.role.is_some() {
                return Err(ConfigError::Invalid(format!(
                    "client {}: `role` belongs in [[clients.extra]] only",
                    r.id
                )));
            }
        }
        for r in &self.capabilities.refresh_rotation_for {
            if !matches!(r.as_str(), "public" | "confidential") {
                return Err(ConfigError::Invalid(format!(
                    "[capabilities].refresh_rotation_for: {r:?} is not public or confidential"
                )));
            }
        }
        Ok(())
    }

    /// Whether refresh tokens of a public (or confidential) client rotate.
    pub fn rotates_refresh_tokens(&self, public: bool) -> bool {
        let kind = if public { "public" } else { "confidential" };
        self.capabilities.refresh_rotation
            || self
                .capabilities
                .refresh_rotation_for
                .iter()
                .any(|k| k == kind)
    }
}
