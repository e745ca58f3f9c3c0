//! elastic.io tenant OAuth clients (see
//! docs/management-apis.md#elasticio-tenant-oauth-clients) over a real socket: authentication, permissions, isolation, the
//! lifecycle, every rule of the seed, write-only secrets and bad input.

mod support;

use oauth_server_reference::Config;
use oauth_server_reference::config::DEMO_TOML;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::TestServer;

const ADMIN: (&str, &str) = ("admin@example.com", "demo-admin-key");
const READER: (&str, &str) = ("reader@example.com", "demo-reader-key");
const OTHER: (&str, &str) = ("other@example.com", "other-admin-key");
const CLIENTS: &str = "/v2/tenants/demo-tenant/oauth-clients";

/// One answer, read completely.
#[derive(Debug)]
struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }

    /// The single JSON:API error object, checked for shape and status.
    fn error(&self, status: StatusCode) -> Value {
        assert_eq!(self.status, status, "{self:?}");
        let body = self.json();
        let errors = body["errors"].as_array().expect("errors array");
        assert_eq!(errors.len(), 1, "{body}");
        let e = errors[0].clone();
        assert_eq!(e["status"], status.as_u16().to_string());
        assert!(e["title"].is_string() && e["detail"].is_string(), "{e}");
        e
    }

    fn detail(&self, status: StatusCode) -> String {
        self.error(status)["detail"].as_str().unwrap().to_owned()
    }
}

async fn call(
    server: &TestServer,
    method: Method,
    path: &str,
    creds: Option<(&str, &str)>,
    body: Option<Value>,
) -> Answer {
    let mut req = server.http.request(method, server.url(path));
    if let Some((email, key)) = creds {
        req = req.basic_auth(email, Some(key));
    }
    if let Some(body) = body {
        req = req
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    raw(req).await
}

async fn raw(req: reqwest::RequestBuilder) -> Answer {
    let resp = req.send().await.expect("request reaches the server");
    Answer {
        status: resp.status(),
        headers: resp.headers().clone(),
        text: resp.text().await.unwrap(),
    }
}

fn doc(component: &str, client_id: &str, secret: &str) -> Value {
    json!({"data": {
        "type": "oauth-client",
        "attributes": {"client_id": client_id, "client_secret": secret},
        "relationships": {"component": {"data": {"id": component, "type": "component"}}}
    }})
}

async fn create(server: &TestServer, component: &str, secret: &str) -> Answer {
    call(
        server,
        Method::POST,
        CLIENTS,
        Some(ADMIN),
        Some(doc(component, "cid", secret)),
    )
    .await
}

async fn count(server: &TestServer) -> usize {
    let a = call(server, Method::GET, CLIENTS, Some(ADMIN), None).await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    a.json()["data"].as_array().unwrap().len()
}

fn id_of(a: &Answer) -> String {
    a.json()["data"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn credentials_are_required_and_checked() {
    let server = TestServer::demo().await;
    for creds in [
        None,
        Some(("admin@example.com", "wrong-key")),
        Some(("nobody@example.com", "demo-admin-key")),
    ] {
        let a = call(&server, Method::GET, CLIENTS, creds, None).await;
        a.error(StatusCode::UNAUTHORIZED);
        let challenge = a.headers["www-authenticate"].to_str().unwrap();
        assert!(challenge.starts_with("Basic"), "{challenge}");
    }
    let ok = call(&server, Method::GET, CLIENTS, Some(ADMIN), None).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.json()["data"], json!([]));
}

#[tokio::test]
async fn reader_may_read_but_not_write() {
    let server = TestServer::demo().await;
    let a = call(
        &server,
        Method::POST,
        CLIENTS,
        Some(READER),
        Some(doc("salesforce", "c", "s")),
    )
    .await;
    assert!(
        a.detail(StatusCode::FORBIDDEN)
            .contains("tenants.oauth_clients.create")
    );
    assert_eq!(count(&server).await, 0);

    let id = id_of(&create(&server, "salesforce", "s3cret").await);
    let item = format!("{CLIENTS}/{id}");
    let read = call(&server, Method::GET, &item, Some(READER), None).await;
    assert_eq!(read.status, StatusCode::OK);
    let list = call(&server, Method::GET, CLIENTS, Some(READER), None).await;
    assert_eq!(list.json()["data"].as_array().unwrap().len(), 1);

    let patch = json!({"data": {"type": "oauth-client", "attributes": {"client_id": "x"}}});
    let a = call(&server, Method::PATCH, &item, Some(READER), Some(patch)).await;
    assert!(
        a.detail(StatusCode::FORBIDDEN)
            .contains("tenants.oauth_clients.edit")
    );
    let a = call(&server, Method::DELETE, &item, Some(READER), None).await;
    assert!(
        a.detail(StatusCode::FORBIDDEN)
            .contains("tenants.oauth_clients.delete")
    );
    let after = call(&server, Method::GET, &item, Some(ADMIN), None).await;
    assert_eq!(after.json()["data"]["attributes"]["client_id"], "cid");
}

#[tokio::test]
async fn lifecycle_create_list_filter_get_patch_delete_and_secrets_never_returned() {
    let server = TestServer::demo().await;
    let mut bodies = Vec::new();
    let created = create(&server, "pizzavan", "first-secret-value").await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
    let id = id_of(&created);
    let item = format!("{CLIENTS}/{id}");
    assert_eq!(created.headers["location"], item.as_str());
    let data = created.json()["data"].clone();
    assert_eq!(data["type"], "oauth-client");
    assert_eq!(data["attributes"]["client_id"], "cid");
    assert_eq!(data["attributes"]["usable"], true);
    assert!(data["attributes"].get("client_secret").is_none());
    assert_eq!(
        data["relationships"]["component"]["data"],
        json!({"id": "pizzavan", "type": "component"})
    );
    bodies.push(created.text);
    let other = create(&server, "salesforce", "second-secret-value").await;
    assert_eq!(other.status, StatusCode::CREATED);
    bodies.push(other.text.clone());

    let list = call(&server, Method::GET, CLIENTS, Some(ADMIN), None).await;
    assert_eq!(list.json()["data"].as_array().unwrap().len(), 2);
    bodies.push(list.text);
    for path in [
        format!("{CLIENTS}?filter[component]=pizzavan"),
        format!("{CLIENTS}/?filter%5Bcomponent%5D=pizzavan"),
    ] {
        let filtered = call(&server, Method::GET, &path, Some(ADMIN), None).await;
        let items = filtered.json()["data"].as_array().unwrap().clone();
        assert_eq!(items.len(), 1, "{path}");
        assert_eq!(items[0]["id"], id.as_str());
        bodies.push(filtered.text);
    }
    let none = call(
        &server,
        Method::GET,
        &format!("{CLIENTS}?filter[component]=hidden-component"),
        Some(ADMIN),
        None,
    )
    .await;
    assert_eq!(none.json()["data"], json!([]));
    let bad_filter = call(
        &server,
        Method::GET,
        &format!("{CLIENTS}?filter[flow]=x"),
        Some(ADMIN),
        None,
    )
    .await;
    assert!(
        bad_filter
            .detail(StatusCode::BAD_REQUEST)
            .contains("filter[component]")
    );

    let got = call(&server, Method::GET, &item, Some(ADMIN), None).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json()["data"]["id"], id.as_str());
    bodies.push(got.text);

    let mut patch = doc("pizzavan", "new-cid", "third-secret-value");
    patch["data"]["id"] = json!(id);
    let patched = call(&server, Method::PATCH, &item, Some(ADMIN), Some(patch)).await;
    assert_eq!(patched.status, StatusCode::OK, "{patched:?}");
    assert_eq!(patched.json()["data"]["attributes"]["client_id"], "new-cid");
    bodies.push(patched.text);
    let mismatched = json!({"data": {"type": "oauth-client", "id": "another", "attributes": {}}});
    let a = call(&server, Method::PATCH, &item, Some(ADMIN), Some(mismatched)).await;
    a.error(StatusCode::CONFLICT);
    // Moving onto a component that already has a client breaks "one per component".
    let onto = json!({"data": {"type": "oauth-client",
        "relationships": {"component": {"data": {"id": "salesforce", "type": "component"}}}}});
    let a = call(&server, Method::PATCH, &item, Some(ADMIN), Some(onto)).await;
    assert!(a.detail(StatusCode::CONFLICT).contains("one per component"));

    for body in &bodies {
        for secret in [
            "first-secret-value",
            "second-secret-value",
            "third-secret-value",
        ] {
            assert!(!body.contains(secret), "secret leaked in {body}");
        }
        assert!(!body.contains("client_secret"), "{body}");
    }

    let deleted = call(&server, Method::DELETE, &item, Some(ADMIN), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = call(&server, Method::GET, &item, Some(ADMIN), None).await;
    assert_eq!(gone.detail(StatusCode::NOT_FOUND), "OAuth client not found");
    let again = call(&server, Method::DELETE, &item, Some(ADMIN), None).await;
    again.error(StatusCode::NOT_FOUND);
    assert_eq!(count(&server).await, 1);
}

#[tokio::test]
async fn bad_input_gets_a_json_api_error_and_changes_nothing() {
    let server = TestServer::demo().await;
    assert_eq!(
        create(&server, "salesforce", "s").await.status,
        StatusCode::CREATED
    );
    let mut wrong_type = doc("pizzavan", "c", "s");
    wrong_type["data"]["type"] = json!("flow");
    let mut no_relationships = doc("pizzavan", "c", "s");
    no_relationships["data"]
        .as_object_mut()
        .unwrap()
        .remove("relationships");
    let mut no_secret = doc("pizzavan", "c", "s");
    no_secret["data"]["attributes"]
        .as_object_mut()
        .unwrap()
        .remove("client_secret");
    let mut rel_type = doc("pizzavan", "c", "s");
    rel_type["data"]["relationships"]["component"]["data"]["type"] = json!("flow");
    let mut client_generated_id = doc("pizzavan", "c", "s");
    client_generated_id["data"]["id"] = json!("mine");

    let cases: Vec<(&str, Option<Value>, StatusCode, &str)> = vec![
        (
            "malformed JSON",
            None,
            StatusCode::BAD_REQUEST,
            "malformed JSON",
        ),
        (
            "wrong type",
            Some(wrong_type),
            StatusCode::CONFLICT,
            "\"oauth-client\"",
        ),
        (
            "missing relationships",
            Some(no_relationships),
            StatusCode::BAD_REQUEST,
            "relationships.component",
        ),
        (
            "missing secret",
            Some(no_secret),
            StatusCode::BAD_REQUEST,
            "client_secret",
        ),
        (
            "relationship type",
            Some(rel_type),
            StatusCode::BAD_REQUEST,
            "\"component\"",
        ),
        (
            "client id",
            Some(client_generated_id),
            StatusCode::FORBIDDEN,
            "data.id",
        ),
        (
            "unknown component",
            Some(doc("no-such", "c", "s")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "does not exist",
        ),
        (
            "hidden component",
            Some(doc("hidden-component", "c", "s")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "not visible",
        ),
        (
            "duplicate",
            Some(doc("salesforce", "c", "s")),
            StatusCode::CONFLICT,
            "already has an OAuth client",
        ),
    ];
    for (name, body, status, detail) in cases {
        let req = server
            .http
            .post(server.url(CLIENTS))
            .basic_auth(ADMIN.0, Some(ADMIN.1))
            .header("content-type", "application/json")
            .body(body.map_or_else(|| "{\"data\": {".to_owned(), |b| b.to_string()));
        let a = raw(req).await;
        let got = a.detail(status);
        assert!(got.contains(detail), "{name}: {got}");
        assert_eq!(count(&server).await, 1, "{name} changed something");
    }
    let wrong_media = raw(server
        .http
        .post(server.url(CLIENTS))
        .basic_auth(ADMIN.0, Some(ADMIN.1))
        .header("content-type", "text/plain")
        .body(doc("pizzavan", "c", "s").to_string()))
    .await;
    assert!(
        wrong_media
            .detail(StatusCode::UNSUPPORTED_MEDIA_TYPE)
            .contains("Content-Type")
    );
    assert_eq!(count(&server).await, 1);
    // The same document, correctly sent, is accepted: the failures were the input's.
    assert_eq!(
        create(&server, "pizzavan", "s").await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn delete_is_refused_while_a_flow_uses_the_component() {
    let server = TestServer::demo().await;
    let sf = id_of(&create(&server, "salesforce", "s").await);
    let a = call(
        &server,
        Method::DELETE,
        &format!("{CLIENTS}/{sf}"),
        Some(ADMIN),
        None,
    )
    .await;
    assert!(a.detail(StatusCode::CONFLICT).contains("flow-1"));
    assert_eq!(count(&server).await, 1);

    let pv = id_of(&create(&server, "pizzavan", "s").await);
    let flow = json!({"data": {"type": "flow", "id": "flow-2",
        "relationships": {"components": {"data": [{"id": "pizzavan", "type": "component"}]}}}});
    let made = call(
        &server,
        Method::POST,
        "/v2/tenants/demo-tenant/flows",
        Some(ADMIN),
        Some(flow),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{made:?}");
    let a = call(
        &server,
        Method::DELETE,
        &format!("{CLIENTS}/{pv}"),
        Some(ADMIN),
        None,
    )
    .await;
    assert!(a.detail(StatusCode::CONFLICT).contains("flow-2"));

    for flow in ["flow-1", "flow-2"] {
        let path = format!("/v2/tenants/demo-tenant/flows/{flow}");
        let a = call(&server, Method::DELETE, &path, Some(ADMIN), None).await;
        assert_eq!(a.status, StatusCode::NO_CONTENT);
    }
    for id in [sf, pv] {
        let a = call(
            &server,
            Method::DELETE,
            &format!("{CLIENTS}/{id}"),
            Some(ADMIN),
            None,
        )
        .await;
        assert_eq!(a.status, StatusCode::NO_CONTENT, "{a:?}");
    }
    assert_eq!(count(&server).await, 0);
}

#[tokio::test]
async fn a_deleted_component_leaves_its_client_in_place_but_unusable() {
    let server = TestServer::demo().await;
    let components = "/v2/tenants/demo-tenant/components";
    let post_component = async |creds: (&str, &str), id: &str, visible: bool| {
        let doc =
            json!({"data": {"type": "component", "id": id, "attributes": {"visible": visible}}});
        call(&server, Method::POST, components, Some(creds), Some(doc)).await
    };
    let a = post_component(ADMIN, "temp", true).await;
    assert_eq!(a.status, StatusCode::CREATED);
    let a = post_component(ADMIN, "temp", true).await;
    a.error(StatusCode::CONFLICT);
    let a = post_component(READER, "r", true).await;
    a.error(StatusCode::FORBIDDEN);
    let a = post_component(ADMIN, "secret-comp", false).await;
    assert_eq!(a.status, StatusCode::CREATED);
    let a = create(&server, "secret-comp", "s").await;
    a.error(StatusCode::UNPROCESSABLE_ENTITY);

    let id = id_of(&create(&server, "temp", "s").await);
    let item = format!("{CLIENTS}/{id}");
    // A component used by a flow cannot be deleted.
    let a = call(
        &server,
        Method::DELETE,
        &format!("{components}/salesforce"),
        Some(ADMIN),
        None,
    )
    .await;
    a.error(StatusCode::CONFLICT);
    let a = call(
        &server,
        Method::DELETE,
        &format!("{components}/temp"),
        Some(ADMIN),
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    let listed = call(&server, Method::GET, components, Some(READER), None).await;
    assert!(!listed.text.contains("\"temp\""), "{}", listed.text);

    let got = call(&server, Method::GET, &item, Some(ADMIN), None).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json()["data"]["attributes"]["usable"], false);
    let a = call(&server, Method::DELETE, &item, Some(ADMIN), None).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);

    let flow = json!({"data": {"type": "flow",
        "relationships": {"components": {"data": [{"id": "temp", "type": "component"}]}}}});
    let a = call(
        &server,
        Method::POST,
        "/v2/tenants/demo-tenant/flows",
        Some(ADMIN),
        Some(flow),
    )
    .await;
    assert!(a.detail(StatusCode::UNPROCESSABLE_ENTITY).contains("temp"));
    let flows = call(
        &server,
        Method::GET,
        "/v2/tenants/demo-tenant/flows",
        Some(READER),
        None,
    )
    .await;
    assert_eq!(flows.json()["data"].as_array().unwrap().len(), 1);
}

fn two_tenants() -> Config {
    let extra = r#"
[[tenant]]
id = "other-tenant"
components = [{ id = "salesforce", visible = true }]

[[account]]
email = "other@example.com"
api_key = "other-admin-key"
[[account.grants]]
tenant = "other-tenant"
permissions = ["*"]
"#;
    Config::from_toml_str(&format!("{DEMO_TOML}\n{extra}")).unwrap()
}

#[tokio::test]
async fn cross_tenant_access_looks_exactly_like_not_found() {
    let server = TestServer::with_config(two_tenants()).await;
    let theirs = "/v2/tenants/other-tenant/oauth-clients";
    let made = call(
        &server,
        Method::POST,
        theirs,
        Some(OTHER),
        Some(doc("salesforce", "theirs", "their-secret")),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{made:?}");
    let id = id_of(&made);
    let patch = json!({"data": {"type": "oauth-client", "attributes": {"client_id": "hijacked"}}});

    for method in [Method::GET, Method::PATCH, Method::DELETE] {
        let body = (method == Method::PATCH).then(|| patch.clone());
        // Through their tenant's URL, and through our own with their record's id...
        let via_theirs = call(
            &server,
            method.clone(),
            &format!("{theirs}/{id}"),
            Some(ADMIN),
            body.clone(),
        )
        .await;
        let via_ours = call(
            &server,
            method.clone(),
            &format!("{CLIENTS}/{id}"),
            Some(ADMIN),
            body.clone(),
        )
        .await;
        // ...versus a tenant and a record that do not exist.
        let no_tenant = call(
            &server,
            method.clone(),
            "/v2/tenants/no-such-tenant/oauth-clients/no-such-id",
            Some(ADMIN),
            body.clone(),
        )
        .await;
        let no_record = call(
            &server,
            method.clone(),
            &format!("{CLIENTS}/no-such-id"),
            Some(ADMIN),
            body,
        )
        .await;
        for a in [&via_theirs, &via_ours, &no_record] {
            assert_eq!(a.status, no_tenant.status, "{method}: {a:?}");
            assert_eq!(a.text, no_tenant.text, "{method}");
        }
        no_tenant.error(StatusCode::NOT_FOUND);
    }
    let list_theirs = call(&server, Method::GET, theirs, Some(ADMIN), None).await;
    let list_none = call(
        &server,
        Method::GET,
        "/v2/tenants/no-such-tenant/oauth-clients",
        Some(ADMIN),
        None,
    )
    .await;
    list_none.error(StatusCode::NOT_FOUND);
    assert_eq!(
        (list_theirs.status, list_theirs.text),
        (list_none.status, list_none.text)
    );
    let post_theirs = call(
        &server,
        Method::POST,
        theirs,
        Some(ADMIN),
        Some(doc("salesforce", "x", "y")),
    )
    .await;
    post_theirs.error(StatusCode::NOT_FOUND);

    // Nothing changed for the owner, and the owner cannot see ours either.
    let still = call(
        &server,
        Method::GET,
        &format!("{theirs}/{id}"),
        Some(OTHER),
        None,
    )
    .await;
    assert_eq!(still.json()["data"]["attributes"]["client_id"], "theirs");
    let ours = call(&server, Method::GET, CLIENTS, Some(OTHER), None).await;
    ours.error(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_bad_patch_changes_nothing_and_json_api_media_type_is_accepted() {
    let server = TestServer::demo().await;
    let req = server
        .http
        .post(server.url(CLIENTS))
        .basic_auth(ADMIN.0, Some(ADMIN.1))
        .header("content-type", "application/vnd.api+json")
        .body(doc("pizzavan", "cid", "s").to_string());
    let created = raw(req).await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
    assert_eq!(created.headers["content-type"], "application/vnd.api+json");
    let item = format!("{CLIENTS}/{}", id_of(&created));
    let before = call(&server, Method::GET, &item, Some(ADMIN), None)
        .await
        .text;

    let mut wrong_type = doc("pizzavan", "changed", "s");
    wrong_type["data"]["type"] = json!("flow");
    let cases = [
        (wrong_type, StatusCode::CONFLICT, "\"oauth-client\""),
        (
            doc("no-such", "changed", "s"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "does not exist",
        ),
        (
            doc("hidden-component", "changed", "s"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "not visible",
        ),
        (
            json!({"data": {"type": "oauth-client", "attributes": {"client_id": 7}}}),
            StatusCode::BAD_REQUEST,
            "client_id",
        ),
    ];
    for (body, status, detail) in cases {
        let a = call(&server, Method::PATCH, &item, Some(ADMIN), Some(body)).await;
        let got = a.detail(status);
        assert!(got.contains(detail), "{got}");
        let after = call(&server, Method::GET, &item, Some(ADMIN), None)
            .await
            .text;
        assert_eq!(after, before);
    }
}

/// What axum answers before a handler runs is JSON:API too, under every management
/// prefix: a wrong method (with `Allow`), an oversized body, an unknown path.
#[tokio::test]
async fn rejections_before_the_handler_are_json_api_errors() {
    let server = TestServer::demo().await;
    let wrong_method = call(&server, Method::PUT, CLIENTS, Some(ADMIN), None).await;
    wrong_method.error(StatusCode::METHOD_NOT_ALLOWED);
    let allow = wrong_method.headers["allow"].to_str().unwrap();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");

    let huge = json!({"data": {"type": "oauth-client", "attributes": {
        "client_id": "x", "client_secret": "s".repeat(70 * 1024)}}});
    let too_large = call(&server, Method::POST, CLIENTS, Some(ADMIN), Some(huge)).await;
    let detail = too_large.detail(StatusCode::PAYLOAD_TOO_LARGE);
    assert!(detail.contains("limit"), "{detail}");
    let list = call(&server, Method::GET, CLIENTS, Some(ADMIN), None).await;
    assert_eq!(list.json()["data"], json!([]), "nothing was created");

    for path in [
        "/v2/tenants/demo-tenant/no-such-thing",
        "/v2/nothing",
        "/api/rest/services/x/y",
    ] {
        let unknown = call(&server, Method::GET, path, Some(ADMIN), None).await;
        unknown.error(StatusCode::NOT_FOUND);
        assert_eq!(
            unknown.headers["content-type"], "application/vnd.api+json",
            "{path}"
        );
    }
    let services = call(
        &server,
        Method::DELETE,
        "/api/rest/services",
        Some(ADMIN),
        None,
    )
    .await;
    services.error(StatusCode::METHOD_NOT_ALLOWED);
}
