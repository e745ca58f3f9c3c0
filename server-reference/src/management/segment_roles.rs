//! Segment's OAuth-app role table (the Segment OAuth apps docs, "Permissions") as
//! named permission bundles. An account holds a role by listing its name among its
//! permissions in a tenant (`segment.workspace_owner`, …); `*` holds everything.
//!
//! The table is followed literally: a Workspace Owner may view, create and edit apps
//! (which includes revoking a token and deleting an app, both on the app's pages) but
//! connecting sources and toggling enforcement belong to the source and function
//! admins; a Workspace Member may do nothing, not even view.

/// One thing the OAuth-apps API checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    View,
    Create,
    Edit,
    Connect,
    Enforce,
}

impl Action {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Action::View => "view OAuth apps",
            Action::Create => "create OAuth apps",
            Action::Edit => "edit OAuth apps",
            Action::Connect => "connect or disconnect OAuth apps",
            Action::Enforce => "enable or disable OAuth enforcement",
        }
    }
}

/// Every role name and its bundle.
pub(crate) const ROLES: [(&str, &[Action]); 6] = [
    (
        "segment.workspace_owner",
        &[Action::View, Action::Create, Action::Edit],
    ),
    ("segment.workspace_member", &[]),
    (
        "segment.source_admin",
        &[Action::View, Action::Edit, Action::Connect, Action::Enforce],
    ),
    ("segment.source_read_only", &[Action::View]),
    (
        "segment.function_admin",
        &[Action::View, Action::Edit, Action::Connect, Action::Enforce],
    ),
    ("segment.function_read_only", &[Action::View]),
];

/// Whether a permission list (one tenant's) allows `action`.
pub(crate) fn allows(permissions: &[String], action: Action) -> bool {
    permissions.iter().any(|p| {
        p == "*"
            || ROLES
                .iter()
                .any(|(name, actions)| p == name && actions.contains(&action))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn perms(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_table() {
        let owner = perms(&["segment.workspace_owner"]);
        assert!(allows(&owner, Action::Create) && !allows(&owner, Action::Connect));
        let member = perms(&["segment.workspace_member"]);
        assert!(!allows(&member, Action::View));
        for admin in ["segment.source_admin", "segment.function_admin"] {
            let p = perms(&[admin]);
            assert!(allows(&p, Action::Enforce) && !allows(&p, Action::Create));
        }
        for ro in ["segment.source_read_only", "segment.function_read_only"] {
            let p = perms(&[ro]);
            assert!(allows(&p, Action::View) && !allows(&p, Action::Edit));
        }
        assert!(allows(&perms(&["*"]), Action::Enforce));
        assert!(!allows(
            &perms(&["tenants.oauth_clients.get"]),
            Action::View
        ));
    }
}
