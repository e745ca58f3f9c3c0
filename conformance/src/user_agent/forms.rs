//! HTML forms and links of server-rendered login and consent pages, and the
//! request a browser sends when one of their buttons or links is pressed.

use super::http::{HttpResponse, RawRequest, encode_form};
use crate::config::PageScript;

/// What a browser sends when the user presses `button` of a scripted page: a
/// link is followed, a button submits its form with the script's fields.
pub fn press(
    page: &HttpResponse,
    script: &PageScript,
    button: &crate::config::Button,
    value: impl Fn(&str) -> String,
) -> Result<RawRequest, String> {
    match &button.link {
        Some(text) => follow_link(page, text),
        None => submit_form_in(page, script.form.as_ref(), &script.fields, button, value),
    }
}

/// The GET a browser sends when the link whose text contains `text` is clicked.
pub fn follow_link(page: &HttpResponse, text: &str) -> Result<RawRequest, String> {
    let links = parse_links(&page.body);
    let want = text.to_lowercase();
    let (_, href) = links
        .iter()
        .find(|(t, _)| t.to_lowercase().contains(&want))
        .ok_or_else(|| {
            let seen: Vec<&str> = links.iter().map(|(t, _)| t.as_str()).collect();
            format!(
                "no link showing {text:?} on {}; its links show {seen:?}",
                page.url.path()
            )
        })?;
    let url = page
        .url
        .join(href)
        .map_err(|e| format!("bad link href {href:?}: {e}"))?;
    Ok(RawRequest::get(url))
}

/// Builds the request a browser sends when `button` is pressed in the form of
/// `page` that holds it, with `fields` filled (empty values are left out).
pub fn submit_form(
    page: &HttpResponse,
    fields: &std::collections::BTreeMap<String, String>,
    button: &crate::config::Button,
    value: impl Fn(&str) -> String,
) -> Result<RawRequest, String> {
    submit_form_in(page, None, fields, button, value)
}

fn submit_form_in(
    page: &HttpResponse,
    choice: Option<&crate::config::FormChoice>,
    fields: &std::collections::BTreeMap<String, String>,
    button: &crate::config::Button,
    value: impl Fn(&str) -> String,
) -> Result<RawRequest, String> {
    let forms = parse_forms(&page.body);
    let chosen = |(i, f): &(usize, &Form)| {
        choice.is_none_or(|c| {
            c.index.is_none_or(|n| n == *i)
                && c.id.as_ref().is_none_or(|id| f.id.as_ref() == Some(id))
                && c.action_contains
                    .as_ref()
                    .is_none_or(|a| f.action.contains(a.as_str()))
        })
    };
    let candidates: Vec<&Form> = forms
        .iter()
        .enumerate()
        .filter(chosen)
        .map(|(_, f)| f)
        .collect();
    let unnamed = button.name.is_empty();
    let form = candidates
        .iter()
        .find(|f| {
            if unnamed {
                f.has_unnamed_button(button.label.as_deref())
            } else {
                f.buttons
                    .iter()
                    .any(|(n, v)| *n == button.name && *v == button.value)
            }
        })
        .or_else(|| {
            candidates
                .iter()
                .find(|f| !unnamed && fields.keys().any(|k| f.has_field(k)))
        })
        .copied()
        .ok_or_else(|| {
            let which = if unnamed {
                match &button.label {
                    Some(l) => format!("a button without a name showing {l:?}"),
                    None => "a button without a name".into(),
                }
            } else {
                format!("button {}={}", button.name, button.value)
            };
            let chosen = choice.map_or(String::new(), |c| format!(" (form chosen by {c:?})"));
            format!(
                "no form with {which}{chosen} on {}; {}",
                page.url.path(),
                describe_forms(&forms)
            )
        })?;
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, default) in &form.inputs {
        let v = match fields.get(name) {
            Some(tpl) => value(tpl),
            None => default.clone(),
        };
        if fields.contains_key(name) && v.is_empty() {
            continue;
        }
        out.push((name.clone(), v));
    }
    for (name, tpl) in fields {
        if !form.has_field(name) {
            let v = value(tpl);
            if !v.is_empty() {
                out.push((name.clone(), v));
            }
        }
    }
    // A button without a name adds nothing to the form data (HTML's form
    // submission algorithm skips unnamed submitters).
    if !button.name.is_empty() {
        out.push((button.name.clone(), button.value.clone()));
    }
    let action = page
        .url
        .join(&form.action)
        .map_err(|e| format!("bad form action: {e}"))?;
    if form.method.eq_ignore_ascii_case("post") {
        Ok(RawRequest::post_form(action, out))
    } else {
        let mut url = action;
        url.set_query(Some(&encode_form(&out)));
        Ok(RawRequest::get(url))
    }
}

/// The forms of a page, for a message: method, action, named buttons and
/// fields of each (values left out: they may be CSRF tokens).
fn describe_forms(forms: &[Form]) -> String {
    if forms.is_empty() {
        return "the page has no <form> at all".into();
    }
    let each: Vec<String> = forms
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut buttons: Vec<String> =
                f.buttons.iter().map(|(n, v)| format!("{n}={v}")).collect();
            buttons.extend(f.unnamed_buttons.iter().map(|l| format!("unnamed {l:?}")));
            let fields: Vec<&str> = f.inputs.iter().map(|(n, _)| n.as_str()).collect();
            let action = if f.action.is_empty() {
                "(this page)"
            } else {
                &f.action
            };
            let id =
                f.id.as_ref()
                    .map(|id| format!(" id={id:?}"))
                    .unwrap_or_default();
            format!(
                "form {}{id} ({} {action}) has buttons [{}] and fields [{}]",
                i + 1,
                f.method.to_ascii_uppercase(),
                buttons.join(", "),
                fields.join(", ")
            )
        })
        .collect();
    format!("the page has {} form(s): {}", forms.len(), each.join("; "))
}

/// An HTML form, as far as a user agent needs it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Form {
    /// `method` attribute (default GET).
    pub method: String,
    /// `action` attribute (default: the page itself).
    pub action: String,
    /// Named inputs with their current values (submit buttons excluded).
    pub inputs: Vec<(String, String)>,
    /// Named submit buttons.
    pub buttons: Vec<(String, String)>,
    /// The `id` attribute.
    pub id: Option<String>,
    /// Submit buttons without a name, by the text they show.
    pub unnamed_buttons: Vec<String>,
}

impl Form {
    fn has_field(&self, name: &str) -> bool {
        self.inputs.iter().any(|(n, _)| n == name)
    }

    /// An unnamed submit button showing `label` (any, without a label).
    fn has_unnamed_button(&self, label: Option<&str>) -> bool {
        match label {
            None => !self.unnamed_buttons.is_empty(),
            Some(l) => {
                let l = l.to_lowercase();
                self.unnamed_buttons
                    .iter()
                    .any(|b| b.to_lowercase().contains(&l))
            }
        }
    }
}

/// The links of a page: the text each shows (tags stripped, spaces
/// collapsed) and its `href`.
pub fn parse_links(html: &str) -> Vec<(String, String)> {
    let lower = html.to_ascii_lowercase();
    let mut links = Vec::new();
    let mut pos = 0;
    while let Some(start) = lower[pos..].find("<a").map(|i| i + pos) {
        let after = lower.as_bytes().get(start + 2).copied();
        pos = start + 2;
        if !after.is_some_and(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let Some(tag_end) = lower[start..].find('>').map(|i| i + start) else {
            break;
        };
        let end = lower[tag_end..]
            .find("</a")
            .map_or(html.len(), |i| i + tag_end);
        let attrs = parse_attrs(&html[start + 2..tag_end]);
        if let Some(href) = attr(&attrs, "href") {
            links.push((text_of(&html[tag_end + 1..end]), href));
        }
        pos = end.max(tag_end);
    }
    links
}

/// The text of an HTML fragment: tags dropped, entities decoded, whitespace
/// collapsed.
fn text_of(fragment: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in fragment.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    decode_entities(&out)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Finds the forms of a page (enough HTML for server-rendered forms).
pub fn parse_forms(html: &str) -> Vec<Form> {
    let lower = html.to_ascii_lowercase();
    let mut forms = Vec::new();
    let mut pos = 0;
    while let Some(start) = lower[pos..].find("<form").map(|i| i + pos) {
        let end = lower[start..]
            .find("</form")
            .map_or(html.len(), |i| i + start);
        let tag_end = lower[start..].find('>').map_or(end, |i| i + start);
        let attrs = parse_attrs(&html[start + 5..tag_end]);
        let mut form = Form {
            method: attr(&attrs, "method").unwrap_or_else(|| "get".into()),
            action: attr(&attrs, "action").unwrap_or_default(),
            id: attr(&attrs, "id"),
            ..Form::default()
        };
        let inner = &html[tag_end.min(end)..end];
        let inner_lower = &lower[tag_end.min(end)..end];
        let mut p = 0;
        while let Some(i) = inner_lower[p..].find('<').map(|i| i + p) {
            let close = inner_lower[i..].find('>').map_or(inner.len(), |j| j + i);
            let tag = &inner_lower[i + 1..close];
            let name_end = tag
                .find(|c: char| c.is_whitespace() || c == '/')
                .unwrap_or(tag.len());
            let tag_name = &tag[..name_end];
            if tag_name == "input" || tag_name == "button" {
                let a = parse_attrs(&inner[i + 1 + name_end..close]);
                let ty = attr(&a, "type").unwrap_or_else(|| {
                    if tag_name == "button" {
                        "submit".into()
                    } else {
                        "text".into()
                    }
                });
                let name = attr(&a, "name").filter(|n| !n.is_empty());
                if name.is_none() && ty.eq_ignore_ascii_case("submit") {
                    let label = if tag_name == "button" {
                        let text_end = inner_lower[close..]
                            .find("</button")
                            .map_or(inner.len(), |j| j + close);
                        text_of(&inner[(close + 1).min(text_end)..text_end])
                    } else {
                        attr(&a, "value").unwrap_or_else(|| "Submit".into())
                    };
                    form.unnamed_buttons.push(label);
                }
                if let Some(name) = name {
                    let value = attr(&a, "value").unwrap_or_default();
                    if ty.eq_ignore_ascii_case("submit") {
                        form.buttons.push((name, value));
                    } else if !matches!(ty.to_ascii_lowercase().as_str(), "checkbox" | "radio")
                        || a.iter().any(|(k, _)| k == "checked")
                    {
                        form.inputs.push((name, value));
                    }
                }
            }
            p = close.max(i + 1);
        }
        forms.push(form);
        pos = end.max(start + 5);
    }
    forms
}

fn attr(attrs: &[(String, String)], name: &str) -> Option<String> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

fn parse_attrs(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let ks = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'/' {
            i += 1;
        }
        if ks == i {
            break;
        }
        let key = s[ks..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                i = vs;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                value = decode_entities(&s[vs..i.min(b.len())]);
                i += 1;
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = decode_entities(&s[vs..i]);
            }
        }
        out.push((key, value));
    }
    out
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(semi) = rest.find(';').filter(|&j| j <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..semi];
        let ch = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::super::http::page;
    use super::*;

    const LOGIN: &str = r#"<html><body>
      <FORM method="post" action="/oauth/login">
        <input type="hidden" name="csrf_token" value="a&amp;b">
        <input type=hidden name='next' value="/oauth/authorize?client_id=x&amp;state=s">
        <input name="username"><input type="password" name="password">
        <input type="checkbox" name="remember">
        <button type="submit" name="action" value="login">Log in</button>
      </form></body></html>"#;

    #[test]
    fn parses_inputs_buttons_and_entities() {
        let forms = parse_forms(LOGIN);
        assert_eq!(forms.len(), 1);
        let f = &forms[0];
        assert_eq!(f.method, "post");
        assert_eq!(f.action, "/oauth/login");
        assert_eq!(f.inputs[0], ("csrf_token".into(), "a&b".into()));
        assert_eq!(f.inputs[1].1, "/oauth/authorize?client_id=x&state=s");
        assert!(
            !f.has_field("remember"),
            "unchecked checkbox is not submitted"
        );
        assert_eq!(f.buttons, vec![("action".into(), "login".into())]);
    }

    #[test]
    fn submit_fills_fields_and_presses_button() {
        let mut fields = std::collections::BTreeMap::new();
        fields.insert("username".to_string(), "{u}".to_string());
        fields.insert("otp".to_string(), String::new());
        let button = crate::config::Button {
            name: "action".into(),
            value: "login".into(),
            ..Default::default()
        };
        let req = submit_form(&page(LOGIN), &fields, &button, |t| {
            t.replace("{u}", "alice")
        })
        .unwrap();
        assert_eq!(req.url.as_str(), "http://127.0.0.1:1/oauth/login");
        let form = req.form.unwrap();
        assert!(form.contains(&("username".into(), "alice".into())));
        assert!(form.contains(&("csrf_token".into(), "a&b".into())));
        assert!(
            !form.iter().any(|(k, _)| k == "otp"),
            "empty template values are left out"
        );
        assert_eq!(
            form.last().unwrap(),
            &("action".to_string(), "login".to_string())
        );
    }

    #[test]
    fn missing_button_is_an_error() {
        let button = crate::config::Button {
            name: "decision".into(),
            value: "allow".into(),
            ..Default::default()
        };
        let err = submit_form(&page("<p>nothing</p>"), &Default::default(), &button, |t| {
            t.into()
        });
        let err = err.unwrap_err();
        assert!(
            err.contains("decision=allow") && err.contains("no <form>"),
            "{err}"
        );
        // The forms that are there are named, with their buttons and fields.
        let err =
            submit_form(&page(LOGIN), &Default::default(), &button, |t| t.into()).unwrap_err();
        assert!(
            err.contains("1 form(s)")
                && err.contains("POST /oauth/login")
                && err.contains("[action=login]")
                && err.contains("username, password"),
            "{err}"
        );
        assert!(!err.contains("a&b"), "field values are not shown: {err}");
    }

    /// a submit button without a name, and the deny action as a link.
    const CONSENT: &str = r#"<div><form autocomplete="off" action="/interaction/abc" method="post">
        <input type="hidden" name="prompt" value="consent"/>
        <button autofocus type="submit" class="login login-submit">Continue</button>
      </form>
      <form id="other" action="/elsewhere" method="post"><button type="submit">Continue</button></form>
      <div class="login-help"><a href="/interaction/abc/abort">[ Cancel ]</a></div></div>"#;

    fn script(submit: crate::config::Button) -> PageScript {
        PageScript {
            kind: "consent".into(),
            url_contains: String::new(),
            body_contains: String::new(),
            form: None,
            fields: Default::default(),
            submit,
            deny: None,
        }
    }

    #[test]
    fn an_unnamed_button_submits_its_form_and_adds_no_pair() {
        let button = crate::config::Button {
            label: Some("continue".into()),
            ..Default::default()
        };
        let req = press(&page(CONSENT), &script(button.clone()), &button, |t| {
            t.into()
        })
        .unwrap();
        assert_eq!(req.url.path(), "/interaction/abc");
        assert_eq!(
            req.form.unwrap(),
            vec![("prompt".to_string(), "consent".to_string())]
        );
        let mut by_id = script(button.clone());
        by_id.form = Some(crate::config::FormChoice {
            id: Some("other".into()),
            ..Default::default()
        });
        let req = press(&page(CONSENT), &by_id, &button, |t| t.into()).unwrap();
        assert_eq!(req.url.path(), "/elsewhere", "the form chosen by id");
        let wrong = crate::config::Button {
            label: Some("Allow".into()),
            ..Default::default()
        };
        let err = press(&page(CONSENT), &script(wrong.clone()), &wrong, |t| t.into()).unwrap_err();
        assert!(
            err.contains("\"Allow\"") && err.contains("unnamed \"Continue\""),
            "the error names the forms that were there: {err}"
        );
    }

    #[test]
    fn a_deny_link_is_followed() {
        let deny = crate::config::Button {
            link: Some("Cancel".into()),
            ..Default::default()
        };
        let req = press(&page(CONSENT), &script(deny.clone()), &deny, |t| t.into()).unwrap();
        assert_eq!(req.method, "GET");
        assert_eq!(req.url.as_str(), "http://127.0.0.1:1/interaction/abc/abort");
        let none = crate::config::Button {
            link: Some("Deny".into()),
            ..Default::default()
        };
        let err = press(&page(CONSENT), &script(none.clone()), &none, |t| t.into()).unwrap_err();
        assert!(err.contains("[ Cancel ]"), "{err}");
    }
}
