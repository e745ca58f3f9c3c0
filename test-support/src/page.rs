//! A page as the server answered it, and its forms as a user agent reads them
//! (`scraper`), filled by their fields.

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION};
use scraper::{ElementRef, Html, Selector};
use url::Url;

use crate::Error;

/// One response, read completely.
#[derive(Debug)]
pub struct Page {
    /// The URL that answered (relative form actions and redirects resolve against it).
    pub url: Url,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// The `Location` header, if any.
    pub fn location(&self) -> Option<&str> {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok())
    }

    /// The value of the first `<input name="NAME">` on the page.
    pub fn hidden(&self, name: &str) -> Option<String> {
        hidden(&self.body, name)
    }

    /// Every form of the page.
    pub fn forms(&self) -> Vec<Form> {
        forms(&self.body)
    }

    /// The sign-in form: a POST form with a password field.
    pub fn login_form(&self) -> Option<Form> {
        self.forms()
            .into_iter()
            .find(|f| f.method == "post" && f.inputs.iter().any(|i| i.kind == "password"))
    }

    /// The consent form: a POST form with submit buttons and no password field.
    pub fn consent_form(&self) -> Option<Form> {
        self.forms().into_iter().find(|f| {
            f.method == "post"
                && !f.buttons.is_empty()
                && !f.inputs.iter().any(|i| i.kind == "password")
        })
    }

    pub fn is_login_form(&self) -> bool {
        !self.status.is_redirection() && self.login_form().is_some()
    }

    pub fn is_consent_form(&self) -> bool {
        self.status == StatusCode::OK && self.consent_form().is_some()
    }
}

/// An `<input>` of a form (not a submit button).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The `type`, lower case (`text` when absent).
    pub kind: String,
    pub name: String,
    pub value: String,
    /// For checkboxes and radios: whether it is checked.
    pub checked: bool,
}

/// A submit button (`<button>` or `<input type=submit>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub name: String,
    pub value: String,
    /// The text the user reads on it.
    pub label: String,
}

/// A form of a page, as a user agent would submit it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// The `action` attribute as written (empty: the page's own URL).
    pub action: String,
    /// `get` or `post`.
    pub method: String,
    pub inputs: Vec<Input>,
    pub buttons: Vec<Button>,
}

impl Form {
    /// The fields of a sign-in: the user name typed into `username` (or `login`,
    /// `user`, an email field), the password into password fields, `otp` into
    /// the one-time-code field, everything else as the page set it; then the
    /// first named submit button.
    pub fn sign_in(
        &self,
        username: &str,
        password: &str,
        otp: Option<&str>,
    ) -> Vec<(String, String)> {
        let mut fields = self.fill(|input| match (input.kind.as_str(), input.name.as_str()) {
            ("password", _) | (_, "password") => Some(password.to_owned()),
            (_, "username" | "login" | "user") | ("email", _) => Some(username.to_owned()),
            (_, "otp") => Some(otp.unwrap_or_default().to_owned()),
            _ => None,
        });
        fields.extend(
            self.buttons
                .iter()
                .find(|b| !b.name.is_empty())
                .map(Button::pair),
        );
        fields
    }

    /// The fields of a consent answer: the page's fields as set, and the
    /// button that allows (`allow`, `approve`, `authorize`, `yes`) or denies
    /// (`deny`, `cancel`, `reject`, `no`).
    pub fn decision(&self, allow: bool) -> Result<Vec<(String, String)>, Error> {
        let words: &[&str] = if allow {
            &["allow", "approve", "authorize", "yes"]
        } else {
            &["deny", "cancel", "reject", "no"]
        };
        let button = self
            .buttons
            .iter()
            .find(|b| {
                let said = format!("{} {}", b.value, b.label).to_ascii_lowercase();
                words
                    .iter()
                    .any(|w| said.split_whitespace().any(|s| s == *w))
            })
            .ok_or_else(|| {
                Error(format!(
                    "no {} button among {:?}",
                    if allow { "allow" } else { "deny" },
                    self.buttons
                ))
            })?;
        let mut fields = self.fill(|_| None);
        if !button.name.is_empty() {
            fields.push(button.pair());
        }
        Ok(fields)
    }

    /// Named inputs in page order, `typed` choosing a value (None: as the page
    /// set it); unchecked checkboxes and radios are left out, as browsers do.
    fn fill(&self, typed: impl Fn(&Input) -> Option<String>) -> Vec<(String, String)> {
        self.inputs
            .iter()
            .filter(|i| !i.name.is_empty())
            .filter(|i| !matches!(i.kind.as_str(), "checkbox" | "radio") || i.checked)
            .map(|i| {
                let value = typed(i).unwrap_or_else(|| i.value.clone());
                (i.name.clone(), value)
            })
            .collect()
    }
}

impl Button {
    fn pair(&self) -> (String, String) {
        (self.name.clone(), self.value.clone())
    }
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("a valid selector")
}

fn attr(element: &ElementRef<'_>, name: &str) -> String {
    element.value().attr(name).unwrap_or_default().to_owned()
}

/// Every form of an HTML page, its fields and buttons in page order.
pub fn forms(html: &str) -> Vec<Form> {
    let doc = Html::parse_document(html);
    let fields = selector("input, button");
    doc.select(&selector("form"))
        .map(|form| {
            let mut out = Form {
                action: attr(&form, "action"),
                method: form
                    .value()
                    .attr("method")
                    .unwrap_or("get")
                    .to_ascii_lowercase(),
                inputs: Vec::new(),
                buttons: Vec::new(),
            };
            for field in form.select(&fields) {
                let is_button = field.value().name() == "button";
                let kind = field
                    .value()
                    .attr("type")
                    .unwrap_or(if is_button { "submit" } else { "text" })
                    .to_ascii_lowercase();
                let name = attr(&field, "name");
                let value = attr(&field, "value");
                if kind == "submit" {
                    let label = if is_button {
                        field.text().collect::<String>().trim().to_owned()
                    } else {
                        value.clone()
                    };
                    out.buttons.push(Button { name, value, label });
                } else if is_button {
                    // `type=button` or `reset`: submits nothing.
                } else {
                    let checked = field.value().attr("checked").is_some();
                    out.inputs.push(Input {
                        kind,
                        name,
                        value,
                        checked,
                    });
                }
            }
            out
        })
        .collect()
}

/// The value of the first `<input name="NAME">`, entities decoded.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    doc.select(&selector("input"))
        .find(|i| i.value().attr("name") == Some(name))
        .and_then(|i| i.value().attr("value").map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOGIN: &str = r#"<!doctype html><main><form method="POST" action="/oauth/login">
        <input type="hidden" name="csrf_token" value="a&amp;b&quot;c">
        <input type="hidden" name="next" value="/oauth/authorize?x=1&amp;y=2">
        <label>User <input type="text" name="username" value=""></label>
        <label>Password <input type="password" name="password"></label>
        <input name="otp" inputmode="numeric">
        <input type="checkbox" name="remember">
        <button type="submit" name="action" value="login">Sign in</button>
        </form></main>"#;

    const CONSENT: &str = r#"<form method="post" action="/oauth/authorize/decision">
        <input type="hidden" name="request_id" value="r1">
        <input type="hidden" name="csrf_token" value="t">
        <button type="submit" name="decision" value="allow">Allow</button>
        <button name="decision" value="deny">Deny</button>
        <button type="button">Help</button></form>"#;

    #[test]
    fn the_login_form_is_filled_by_its_fields() {
        let form = &forms(LOGIN)[0];
        assert_eq!(form.method, "post");
        assert_eq!(form.action, "/oauth/login");
        assert_eq!(
            form.sign_in("alice", "pw", Some("123456")),
            [
                ("csrf_token", "a&b\"c"),
                ("next", "/oauth/authorize?x=1&y=2"),
                ("username", "alice"),
                ("password", "pw"),
                ("otp", "123456"),
                ("action", "login"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        assert_eq!(hidden(LOGIN, "csrf_token").as_deref(), Some("a&b\"c"));
        assert_eq!(hidden(LOGIN, "nope"), None);
    }

    #[test]
    fn consent_presses_the_named_button() {
        let form = &forms(CONSENT)[0];
        assert_eq!(form.buttons.len(), 2, "type=button submits nothing");
        let pairs = |allow| form.decision(allow).unwrap();
        assert_eq!(
            pairs(true).last().unwrap(),
            &("decision".into(), "allow".into())
        );
        assert_eq!(
            pairs(false).last().unwrap(),
            &("decision".into(), "deny".into())
        );
        assert_eq!(pairs(true).len(), 3);
        let no_deny =
            forms(r#"<form method="post"><button name="go" value="allow">Allow</button></form>"#);
        assert!(no_deny[0].decision(false).is_err());
    }
}
