//! Management APIs (docs/management-apis.md): elastic.io tenant OAuth clients (JSON:API over
//! HTTP Basic) and Hub service registration. Bodies are built here as raw JSON.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::*;
use crate::config::{Account, Management};
use crate::user_agent::{self, RawRequest};

pub(super) const JSONAPI: &str = "application/vnd.api+json";

/// Who sends a management request (`{account}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, cucumber::Parameter)]
#[param(
    name = "account",
    regex = "the administrator|the read-only account|the Hub administrator|a request without credentials|the app administrator|the workspace member|the read-only role"
)]
pub enum Who {
    /// `[management].admin`.
    Admin,
    /// `[management].reader`.
    Reader,
    /// `[management].hub_admin`.
    HubAdmin,
    /// No credentials at all.
    Nobody,
    /// `[management.segment].admin` (default `[management].admin`).
    AppAdmin,
    /// `[management.segment].member`: may not view OAuth apps.
    Member,
    /// `[management.segment].reader`: may only view OAuth apps.
    AppReader,
}

impl std::str::FromStr for Who {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "the administrator" => Self::Admin,
            "the read-only account" => Self::Reader,
            "the Hub administrator" => Self::HubAdmin,
            "a request without credentials" => Self::Nobody,
            "the app administrator" => Self::AppAdmin,
            "the workspace member" => Self::Member,
            "the read-only role" => Self::AppReader,
            other => return Err(format!("unknown account {other}")),
        })
    }
}

/// One bad create request of the error table (`{bad}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, cucumber::Parameter)]
#[param(
    name = "bad",
    regex = "malformed JSON|the wrong type|no component relationship|an unknown component|the hidden component|a component that already has one|a 2 MiB document"
)]
pub enum BadCreate {
    /// Not JSON.
    Malformed,
    /// `data.type` is not `oauth-client`.
    WrongType,
    /// No `relationships`.
    NoRelationships,
    /// A component that does not exist.
    UnknownComponent,
    /// A component that exists but is not visible.
    HiddenComponent,
    /// The scenario's component already has a client.
    Duplicate,
    /// A valid document padded to 2 MiB: over any sane body limit.
    Oversized,
}

impl std::str::FromStr for BadCreate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "malformed JSON" => Self::Malformed,
            "the wrong type" => Self::WrongType,
            "no component relationship" => Self::NoRelationships,
            "an unknown component" => Self::UnknownComponent,
            "the hidden component" => Self::HiddenComponent,
            "a component that already has one" => Self::Duplicate,
            "a 2 MiB document" => Self::Oversized,
            other => return Err(format!("unknown bad input {other}")),
        })
    }
}

/// Management state of one scenario.
#[derive(Default)]
pub struct MgmtState {
    /// The scenario's component.
    pub component: Option<String>,
    /// Id of the OAuth-client record made in this scenario.
    pub record: Option<String>,
    /// `client_id` of that record.
    pub client_id: Option<String>,
    /// Every secret sent or received (none may appear in a later response).
    pub secrets: Vec<String>,
    /// Every management response, in order (index where the secret must stay hidden from).
    pub seen: Vec<HttpResponse>,
    /// Record ids listed for a component before a bad request.
    pub before: Option<(String, Vec<String>)>,
    /// Two answers to compare (isolation).
    pub pair: Option<(HttpResponse, HttpResponse)>,
    /// A registered Hub service: id and secret.
    pub service: Option<(String, String)>,
    /// The access token the service obtained for itself (client credentials).
    pub service_token: Option<String>,
}

impl fmt::Debug for MgmtState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MgmtState")
            .field("component", &self.component)
            .field("record", &self.record)
            .field("client_id", &self.client_id)
            .field("responses", &self.seen.len())
            .field("service", &self.service.as_ref().map(|s| &s.0))
            .finish_non_exhaustive()
    }
}

pub(super) fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", random_token(9).replace(['-', '_'], "x"))
}

pub(super) fn data_ids(r: &HttpResponse) -> Result<Vec<String>, String> {
    let doc = r
        .json()
        .ok_or_else(|| format!("not JSON: {}", r.describe()))?;
    let items = doc
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("no `data` array: {}", r.describe()))?;
    let mut ids: Vec<String> = items
        .iter()
        .filter_map(|i| i.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    ids.sort();
    Ok(ids)
}

impl OAuthWorld {
    pub(super) fn management(&self) -> Result<&'static Management, String> {
        self.target
            .management
            .as_ref()
            .ok_or_else(|| "the target file has no [management] table".into())
    }

    fn account(&self, who: Who) -> Result<Option<&'static Account>, String> {
        let m = self.management()?;
        Ok(match who {
            Who::Admin => Some(&m.admin),
            Who::Reader => Some(m.reader.as_ref().ok_or("no [management].reader")?),
            Who::HubAdmin => Some(m.hub_admin.as_ref().ok_or("no [management].hub_admin")?),
            Who::Nobody => None,
            Who::AppAdmin => Some(self.segment()?.admin.as_ref().unwrap_or(&m.admin)),
            Who::Member => Some(
                self.segment()?
                    .member
                    .as_ref()
                    .ok_or("no [management.segment].member")?,
            ),
            Who::AppReader => Some(
                self.segment()?
                    .reader
                    .as_ref()
                    .ok_or("no [management.segment].reader")?,
            ),
        })
    }

    /// Sends one management request; the answer becomes the last response.
    pub async fn mgmt_send(
        &mut self,
        who: Who,
        method: &str,
        path: &str,
        body: Option<(&str, String)>,
    ) -> Result<HttpResponse, String> {
        let mut req = RawRequest::get(self.target.management_url(path));
        req.method = method.into();
        if let Some(a) = self.account(who)? {
            let basic = STANDARD.encode(format!("{}:{}", a.email, a.api_key));
            req.headers
                .push(("authorization".into(), format!("Basic {basic}")));
        }
        req.headers.push(("accept".into(), JSONAPI.into()));
        req.raw_body = body.map(|(ct, b)| (ct.to_owned(), b));
        let r = user_agent::send(&req).await?;
        self.mgmt.seen.push(r.clone());
        self.last = Some(r.clone());
        Ok(r)
    }

    pub(super) fn tenant_path(&self, rest: &str) -> Result<String, String> {
        Ok(format!("/v2/tenants/{}{rest}", self.management()?.tenant))
    }

    fn record_path(&self) -> Result<String, String> {
        let id = self
            .mgmt
            .record
            .clone()
            .ok_or("no OAuth client was created")?;
        self.tenant_path(&format!("/oauth-clients/{id}"))
    }

    fn component(&self) -> Result<String, String> {
        self.mgmt
            .component
            .clone()
            .ok_or_else(|| "no component was chosen".into())
    }

    /// A component of this scenario only (created when the target allows it,
    /// else the declared visible one).
    pub async fn fresh_component(&mut self) -> Check {
        let m = self.management()?;
        if !m.creates_components {
            self.mgmt.component = Some(m.visible_component.clone());
            return Ok(());
        }
        let id = unique("conformance-component");
        let doc = json!({"data": {"type": "component", "id": id, "attributes": {"visible": true}}});
        let path = self.tenant_path("/components")?;
        let r = self
            .mgmt_send(Who::Admin, "POST", &path, Some((JSONAPI, doc.to_string())))
            .await?;
        if r.status != 201 {
            return Err(format!("creating component {id} failed: {}", r.describe()));
        }
        self.mgmt.component = Some(id);
        Ok(())
    }

    /// A component of this scenario that a flow uses.
    pub async fn used_component(&mut self) -> Check {
        let m = self.management()?;
        if !m.creates_components {
            self.mgmt.component = Some(m.used_component.clone().ok_or("no used_component")?);
            return Ok(());
        }
        self.fresh_component().await?;
        let c = self.component()?;
        let doc = json!({"data": {"type": "flow", "id": unique("conformance-flow"),
            "relationships": {"components": {"data": [{"id": c, "type": "component"}]}}}});
        let path = self.tenant_path("/flows")?;
        let r = self
            .mgmt_send(Who::Admin, "POST", &path, Some((JSONAPI, doc.to_string())))
            .await?;
        if r.status != 201 {
            return Err(format!("creating a flow failed: {}", r.describe()));
        }
        Ok(())
    }

    fn client_doc(ty: &str, client_id: &str, secret: &str, component: Option<&str>) -> Value {
        let mut doc = json!({"data": {"type": ty,
            "attributes": {"client_id": client_id, "client_secret": secret}}});
        if let Some(c) = component {
            doc["data"]["relationships"] =
                json!({"component": {"data": {"id": c, "type": "component"}}});
        }
        doc
    }

    /// Creates an OAuth client for the scenario's component.
    pub async fn create_client(&mut self, who: Who) -> Check {
        let component = self.component()?;
        let client_id = unique("conformance-client");
        let secret = unique("conformance-secret");
        self.mgmt.secrets.push(secret.clone());
        let doc = Self::client_doc("oauth-client", &client_id, &secret, Some(&component));
        let path = self.tenant_path("/oauth-clients")?;
        let r = self
            .mgmt_send(who, "POST", &path, Some((JSONAPI, doc.to_string())))
            .await?;
        if r.status == 201 {
            let id = r
                .json()
                .and_then(|d| d["data"]["id"].as_str().map(str::to_owned))
                .ok_or_else(|| format!("201 without data.id: {}", r.describe()))?;
            self.mgmt.record = Some(id);
            self.mgmt.client_id = Some(client_id);
        }
        Ok(())
    }

    /// The scenario has an OAuth client for its component (for a declared,
    /// shared component: the existing one when there is one).
    pub async fn ensure_client(&mut self) -> Check {
        self.create_client(Who::Admin).await?;
        if self.mgmt.record.is_some() {
            return Ok(());
        }
        let c = self.component()?;
        let r = self.list_clients(Who::Admin, Some(c.clone())).await?;
        let ids = data_ids(&r)?;
        self.mgmt.record = Some(
            ids.into_iter()
                .next()
                .ok_or_else(|| format!("cannot create or find an OAuth client for {c}"))?,
        );
        Ok(())
    }

    /// Lists the tenant's OAuth clients, optionally `filter[component]`.
    pub async fn list_clients(
        &mut self,
        who: Who,
        component: Option<String>,
    ) -> Result<HttpResponse, String> {
        let mut path = self.tenant_path("/oauth-clients")?;
        if let Some(c) = component {
            let q: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("filter[component]", &c)
                .finish();
            path = format!("{path}?{q}");
        }
        self.mgmt_send(who, "GET", &path, None).await
    }

    /// GET, PATCH or DELETE on the scenario's record.
    pub async fn on_record(&mut self, who: Who, method: &str) -> Check {
        let path = self.record_path()?;
        let body = if method == "PATCH" {
            let client_id = unique("conformance-client");
            let secret = unique("conformance-secret");
            self.mgmt.secrets.push(secret.clone());
            self.mgmt.client_id = Some(client_id.clone());
            let mut doc = Self::client_doc("oauth-client", &client_id, &secret, None);
            doc["data"]["id"] = json!(self.mgmt.record);
            Some((JSONAPI, doc.to_string()))
        } else {
            None
        };
        self.mgmt_send(who, method, &path, body).await?;
        Ok(())
    }

    /// The last answer is the scenario's record as a JSON:API resource.
    pub fn expect_record(&self) -> Check {
        let r = self.last()?;
        if !(200..300).contains(&r.status) {
            return Err(format!("expected the OAuth client: {}", r.describe()));
        }
        let d = &r.json().ok_or("not JSON")?["data"];
        let want_id = self.mgmt.record.as_deref();
        if d["type"] != "oauth-client" || d["id"].as_str() != want_id {
            return Err(format!(
                "data is not the oauth-client {want_id:?}: type {}, id {}",
                d["type"], d["id"]
            ));
        }
        if d["attributes"]["client_id"].as_str() != self.mgmt.client_id.as_deref() {
            return Err(format!(
                "attributes.client_id is {}, expected {:?}",
                d["attributes"]["client_id"], self.mgmt.client_id
            ));
        }
        if d["relationships"]["component"]["data"]["id"].as_str() != self.mgmt.component.as_deref()
        {
            return Err("relationships.component does not name the component".into());
        }
        Ok(())
    }

    /// The last listing holds (or not) the scenario's record, and only
    /// records of `only` when given.
    pub fn expect_listed(&self, present: bool, only: bool) -> Check {
        let r = self.last()?;
        let ids = data_ids(r)?;
        let rec = self.mgmt.record.as_ref().ok_or("no record")?;
        if ids.contains(rec) != present {
            return Err(format!(
                "the listing {} the OAuth client {rec}",
                if present { "lacks" } else { "still has" }
            ));
        }
        if only {
            let c = self.component()?;
            let items = r.json().unwrap_or_default()["data"].clone();
            for i in items.as_array().into_iter().flatten() {
                if i["relationships"]["component"]["data"]["id"].as_str() != Some(c.as_str()) {
                    return Err(format!("the filtered listing holds {}", i["id"]));
                }
            }
        }
        Ok(())
    }

    /// The last listing holds exactly `n` records.
    pub fn expect_listed_count(&self, n: usize) -> Check {
        let ids = data_ids(self.last()?)?;
        if ids.len() == n {
            Ok(())
        } else {
            Err(format!(
                "the listing holds {} OAuth clients, expected {n}",
                ids.len()
            ))
        }
    }

    /// No response of the scenario carried a secret it sent or received
    /// (the registration answer itself excepted).
    pub fn expect_no_secret(&self, except_first: bool) -> Check {
        let skip = usize::from(except_first);
        for r in self.mgmt.seen.iter().skip(skip) {
            for s in &self.mgmt.secrets {
                let in_headers = r.headers.iter().any(|(_, v)| v.contains(s.as_str()));
                if r.body.contains(s.as_str()) || in_headers {
                    return Err(format!(
                        "HTTP {} at {} returned a secret",
                        r.status,
                        r.url.path()
                    ));
                }
            }
        }
        Ok(())
    }

    /// The last answer is a JSON:API error document with this status.
    pub fn expect_api_error(&self, status: u16) -> Check {
        let r = self.last()?;
        if r.status != status {
            return Err(format!("expected HTTP {status}: {}", r.describe()));
        }
        let doc = r
            .json()
            .ok_or_else(|| format!("error body is not JSON: {}", r.describe()))?;
        let errors = doc["errors"]
            .as_array()
            .filter(|e| !e.is_empty())
            .ok_or_else(|| format!("no `errors` array: {}", r.describe()))?;
        for e in errors {
            let st = e["status"].as_str().unwrap_or_default();
            if st != status.to_string() {
                return Err(format!(
                    "error object status {:?}, HTTP {status}",
                    e["status"]
                ));
            }
            if e["title"].as_str().is_none() && e["detail"].as_str().is_none() {
                return Err(format!("error object without title or detail: {e}"));
            }
        }
        Ok(())
    }

    /// The last answer's text mentions `word`.
    pub fn expect_mentions(&self, word: &str) -> Check {
        let r = self.last()?;
        if r.body.contains(word) {
            Ok(())
        } else {
            Err(format!(
                "the answer does not mention {word:?}: {}",
                r.describe()
            ))
        }
    }

    /// Sends one bad create request, noting the records of its component first.
    pub async fn bad_create(&mut self, case: BadCreate) -> Check {
        let m = self.management()?;
        let mine = self.component()?;
        let component = match case {
            BadCreate::UnknownComponent => unique("no-such-component"),
            BadCreate::HiddenComponent => {
                m.hidden_component.clone().ok_or("no hidden_component")?
            }
            _ => mine,
        };
        if case == BadCreate::Duplicate {
            self.create_client(Who::Admin).await?;
            self.expect_status(201)?;
        }
        let before = data_ids(
            &self
                .list_clients(Who::Admin, Some(component.clone()))
                .await?,
        )?;
        self.mgmt.before = Some((component.clone(), before));
        let secret = unique("conformance-secret");
        self.mgmt.secrets.push(secret.clone());
        let client_id = unique("conformance-client");
        let body = match case {
            BadCreate::Malformed => format!(
                "{{\"data\": {{\"type\": \"oauth-client\", \"attributes\": {{\"client_id\": \"{client_id}\""
            ),
            BadCreate::WrongType => {
                Self::client_doc("flow", &client_id, &secret, Some(&component)).to_string()
            }
            BadCreate::NoRelationships => {
                Self::client_doc("oauth-client", &client_id, &secret, None).to_string()
            }
            BadCreate::Oversized => {
                let mut doc =
                    Self::client_doc("oauth-client", &client_id, &secret, Some(&component));
                doc["meta"] = json!({ "padding": "x".repeat(2 * 1024 * 1024) });
                doc.to_string()
            }
            _ => {
                Self::client_doc("oauth-client", &client_id, &secret, Some(&component)).to_string()
            }
        };
        let path = self.tenant_path("/oauth-clients")?;
        self.mgmt_send(Who::Admin, "POST", &path, Some((JSONAPI, body)))
            .await?;
        Ok(())
    }

    /// Sends `method` to the tenant's OAuth-client collection, without a body.
    pub async fn collection_method(&mut self, method: &str) -> Check {
        let path = self.tenant_path("/oauth-clients")?;
        self.mgmt_send(Who::Admin, method, &path, None).await?;
        Ok(())
    }

    /// The component of the bad request has the same records as before.
    pub async fn expect_unchanged(&mut self) -> Check {
        let last = self.last.clone();
        let (component, before) = self.mgmt.before.clone().ok_or("nothing was noted")?;
        let after = data_ids(
            &self
                .list_clients(Who::Admin, Some(component.clone()))
                .await?,
        )?;
        self.last = last;
        if before == after {
            Ok(())
        } else {
            Err(format!(
                "the OAuth clients of component {component} changed: {before:?} -> {after:?}"
            ))
        }
    }

    /// Asks for the same thing through the other tenant and through a tenant
    /// (or record) that does not exist.
    pub async fn probe_other_tenant(&mut self, record: bool) -> Check {
        if !record {
            return self
                .probe_through_other_tenant(Who::Admin, "/oauth-clients", None)
                .await;
        }
        let id = self.mgmt.record.clone().ok_or("no record")?;
        let absent = self.tenant_path(&format!("/oauth-clients/{}", unique("no-such-id")))?;
        let rest = format!("/oauth-clients/{id}");
        self.probe_through_other_tenant(Who::Admin, &rest, Some(absent))
            .await
    }

    /// GETs `/v2/tenants/{other}{rest}` and `absent` (default: the same below
    /// a tenant that does not exist); the pair is kept for comparison.
    pub(super) async fn probe_through_other_tenant(
        &mut self,
        who: Who,
        rest: &str,
        absent: Option<String>,
    ) -> Check {
        let m = self.management()?;
        let other = m.other_tenant.clone().ok_or("no other_tenant")?;
        let b = absent.unwrap_or_else(|| format!("/v2/tenants/{}{rest}", unique("no-such-tenant")));
        let ra = self
            .mgmt_send(who, "GET", &format!("/v2/tenants/{other}{rest}"), None)
            .await?;
        let rb = self.mgmt_send(who, "GET", &b, None).await?;
        self.mgmt.pair = Some((ra, rb));
        Ok(())
    }

    /// Both answers of the pair are the same 404.
    pub fn expect_same_not_found(&self) -> Check {
        let (a, b) = self.mgmt.pair.as_ref().ok_or("nothing to compare")?;
        if a.status != 404 || b.status != 404 {
            return Err(format!(
                "expected 404 for both, got {} (other tenant) and {} (nonexistent)",
                a.status, b.status
            ));
        }
        let strip = |r: &HttpResponse| {
            let mut d = r.json().unwrap_or_default();
            if let Some(errors) = d["errors"].as_array_mut() {
                for e in errors {
                    e.as_object_mut().map(|o| o.remove("source"));
                }
            }
            d
        };
        if strip(a) != strip(b) {
            return Err(format!(
                "the other tenant answers differently from a nonexistent one: {} vs {}",
                a.body, b.body
            ));
        }
        Ok(())
    }

    /// The last answer is 401 with a Basic challenge.
    pub fn expect_basic_challenge(&self) -> Check {
        let r = self.last()?;
        let ok = r.status == 401
            && r.header("www-authenticate")
                .is_some_and(|h| h.to_ascii_lowercase().starts_with("basic"));
        if ok {
            Ok(())
        } else {
            Err(format!(
                "expected 401 with WWW-Authenticate: Basic: {}",
                r.describe()
            ))
        }
    }

    // Hub services.

    /// `POST /api/rest/services?fields=id,secret`.
    pub async fn register_service(&mut self, who: Who) -> Check {
        let redirect = self.target.clients.confidential.redirect_uris[0].clone();
        let body = json!({
            "name": unique("Conformance Service"),
            "homeUrl": "https://conformance.example.com",
            "redirectUris": [redirect],
            "applicationName": "Conformance",
            "vendor": "oauth-conformance",
            "version": "1.0"
        });
        let r = self
            .mgmt_send(
                who,
                "POST",
                "/api/rest/services?fields=id,secret",
                Some(("application/json", body.to_string())),
            )
            .await?;
        if (200..300).contains(&r.status)
            && let Some(d) = r.json()
            && let (Some(id), Some(secret)) = (d["id"].as_str(), d["secret"].as_str())
        {
            self.mgmt.secrets.push(secret.to_owned());
            self.mgmt.service = Some((id.to_owned(), secret.to_owned()));
        }
        Ok(())
    }

    /// The registration answer is `{id, secret}` and nothing else.
    pub fn expect_id_and_secret(&self) -> Check {
        let r = self.last()?;
        if !(200..300).contains(&r.status) {
            return Err(format!("registration failed: {}", r.describe()));
        }
        let d = r.json().ok_or("not JSON")?;
        let mut keys: Vec<&String> = d.as_object().ok_or("not an object")?.keys().collect();
        keys.sort();
        if keys != ["id", "secret"] {
            return Err(format!("fields=id,secret answered with members {keys:?}"));
        }
        Ok(())
    }

    /// Client credentials at the Hub token endpoint with the returned id and secret.
    pub async fn service_token(&mut self) -> Check {
        let (id, secret) = self.mgmt.service.clone().ok_or("no service registered")?;
        let m = self.management()?;
        let path = m
            .hub_token_endpoint
            .as_deref()
            .unwrap_or("/api/rest/oauth2/token");
        let url = if path.starts_with("http") {
            self.target.url(path)
        } else {
            self.target.management_url(path)
        };
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let mut req = RawRequest::post_form(
            url,
            vec![("grant_type".into(), "client_credentials".into())],
        );
        let basic = STANDARD.encode(format!("{}:{}", enc(&id), enc(&secret)));
        req.headers
            .push(("authorization".into(), format!("Basic {basic}")));
        self.last = Some(user_agent::send(&req).await?);
        Ok(())
    }

    /// GET Hub's resource server with the service's own token.
    pub async fn service_resource(&mut self) -> Check {
        let token = self
            .mgmt
            .service_token
            .clone()
            .ok_or("the service has no token")?;
        let m = self.management()?;
        let path = m.hub_resource.as_deref().unwrap_or("/api/rest/users/me");
        let url = if path.starts_with("http") {
            self.target.url(path)
        } else {
            self.target.management_url(path)
        };
        let mut req = RawRequest::get(url);
        req.headers
            .push(("authorization".into(), format!("Bearer {token}")));
        self.last = Some(user_agent::send(&req).await?);
        Ok(())
    }

    /// GET or PATCH `{"trusted": true}` on the registered service.
    pub async fn on_service(&mut self, who: Who, method: &str) -> Check {
        let (id, _) = self.mgmt.service.clone().ok_or("no service registered")?;
        let path = format!("/api/rest/services/{id}");
        let body =
            (method == "PATCH").then(|| ("application/json", json!({"trusted": true}).to_string()));
        self.mgmt_send(who, method, &path, body).await?;
        Ok(())
    }

    /// The last answer is the service, `trusted` as given.
    pub fn expect_service(&self, trusted: Option<bool>) -> Check {
        let r = self.last()?;
        if r.status != 200 {
            return Err(format!("expected the service: {}", r.describe()));
        }
        let d = r.json().ok_or("not JSON")?;
        let id = self.mgmt.service.as_ref().map(|s| s.0.as_str());
        if d["id"].as_str() != id {
            return Err(format!("id is {}, expected {id:?}", d["id"]));
        }
        if let Some(t) = trusted
            && d["trusted"].as_bool() != Some(t)
        {
            return Err(format!("trusted is {}, expected {t}", d["trusted"]));
        }
        Ok(())
    }
}
