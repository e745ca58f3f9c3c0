//! elastic.io tenant OAuth clients (`/v2/tenants/{T}/oauth-clients`, JSON:API
//! over HTTP Basic): records, listings, the error table, isolation.

use serde_json::{Value, json};

use super::{JSONAPI, data_ids, unique};
use crate::parameters::{BadCreate, Who};
use crate::user_agent::HttpResponse;
use crate::world::{Check, OAuthWorld};

impl OAuthWorld {
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
}
