//! Management APIs (docs/management-apis.md): the state of a scenario, the accounts, one
//! request, and the checks every API shares (JSON:API errors, secrets never
//! echoed, tenant isolation, the Basic challenge). The APIs themselves:
//! [`tenant_clients`] (elastic.io tenant OAuth clients) and [`services`] (Hub
//! service registration); Segment OAuth apps are in `world/segment.rs`.
//! Bodies are built here as raw JSON.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::*;
use crate::config::{Account, Management};
use crate::user_agent::RawRequest;

mod services;
mod tenant_clients;

pub(super) const JSONAPI: &str = "application/vnd.api+json";

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
        let r = self.http.send(&req).await?;
        self.mgmt.seen.push(r.clone());
        self.last = Some(r.clone());
        Ok(r)
    }

    pub(super) fn tenant_path(&self, rest: &str) -> Result<String, String> {
        Ok(format!("/v2/tenants/{}{rest}", self.management()?.tenant))
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
}
