//! Management APIs: tenant OAuth clients (elastic.io) and Hub services.

use cucumber::{given, then, when};

use crate::world::{BadCreate, Check, OAuthWorld, Who};

#[given("a component of this scenario in the tenant")]
async fn component(w: &mut OAuthWorld) -> Check {
    w.fresh_component().await
}

#[given("a component of this scenario that a flow uses")]
async fn used_component(w: &mut OAuthWorld) -> Check {
    w.used_component().await
}

#[given("the component has an OAuth client")]
async fn has_client(w: &mut OAuthWorld) -> Check {
    w.ensure_client().await
}

#[when(expr = "{account} creates an OAuth client for the component")]
async fn create(w: &mut OAuthWorld, who: Who) -> Check {
    w.create_client(who).await
}

#[when(expr = "{account} lists the tenant's OAuth clients")]
async fn list(w: &mut OAuthWorld, who: Who) -> Check {
    w.list_clients(who, None).await.map(drop)
}

#[when(expr = "{account} lists the tenant's OAuth clients filtered by the component")]
async fn list_filtered(w: &mut OAuthWorld, who: Who) -> Check {
    let c = w.mgmt.component.clone();
    w.list_clients(who, c).await.map(drop)
}

#[when(expr = "{account} gets the OAuth client")]
async fn get(w: &mut OAuthWorld, who: Who) -> Check {
    w.on_record(who, "GET").await
}

#[when(expr = "{account} changes the OAuth client's client_id and client_secret")]
async fn patch(w: &mut OAuthWorld, who: Who) -> Check {
    w.on_record(who, "PATCH").await
}

#[when(expr = "{account} deletes the OAuth client")]
async fn delete(w: &mut OAuthWorld, who: Who) -> Check {
    w.on_record(who, "DELETE").await
}

#[when(expr = "the administrator creates an OAuth client with {bad}")]
async fn bad(w: &mut OAuthWorld, case: BadCreate) -> Check {
    w.bad_create(case).await
}

#[when("the administrator lists the OAuth clients of the other tenant")]
async fn other_list(w: &mut OAuthWorld) -> Check {
    w.probe_other_tenant(false).await
}

#[when("the administrator gets the OAuth client through the other tenant")]
async fn other_get(w: &mut OAuthWorld) -> Check {
    w.probe_other_tenant(true).await
}

#[when(expr = "the administrator sends {word} to the tenant's OAuth clients")]
async fn collection_method(w: &mut OAuthWorld, method: String) -> Check {
    w.collection_method(&method).await
}

#[then("the answer is the OAuth client")]
fn is_record(w: &mut OAuthWorld) -> Check {
    w.expect_record()
}

#[then("the listing holds the OAuth client")]
fn listed(w: &mut OAuthWorld) -> Check {
    w.expect_listed(true, false)
}

#[then("the listing holds the OAuth client and only clients of the component")]
fn listed_only(w: &mut OAuthWorld) -> Check {
    w.expect_listed(true, true)
}

#[then("the listing holds exactly one OAuth client")]
fn listed_once(w: &mut OAuthWorld) -> Check {
    w.expect_listed_count(1)
}

#[then("no response carried a client secret")]
fn no_secret(w: &mut OAuthWorld) -> Check {
    w.expect_no_secret(false)
}

#[then(expr = "the answer is a JSON:API error with status {int}")]
fn api_error(w: &mut OAuthWorld, status: u16) -> Check {
    w.expect_api_error(status)
}

#[then(expr = "the answer mentions {string}")]
fn mentions(w: &mut OAuthWorld, word: String) -> Check {
    w.expect_mentions(&word)
}

#[then("the OAuth clients of that component are unchanged")]
async fn unchanged(w: &mut OAuthWorld) -> Check {
    w.expect_unchanged().await
}

#[then("the OAuth client still exists")]
async fn still_exists(w: &mut OAuthWorld) -> Check {
    w.on_record(Who::Admin, "GET").await?;
    w.expect_status(200)
}

#[then("the answer is exactly the one for something that does not exist")]
fn same_not_found(w: &mut OAuthWorld) -> Check {
    w.expect_same_not_found()
}

#[then("the answer is 401 with a Basic challenge")]
fn basic(w: &mut OAuthWorld) -> Check {
    w.expect_basic_challenge()
}

#[when(expr = "{account} registers a service asking for fields id and secret")]
async fn register(w: &mut OAuthWorld, who: Who) -> Check {
    w.register_service(who).await
}

#[given("a service registered by the Hub administrator")]
async fn registered(w: &mut OAuthWorld) -> Check {
    w.register_service(Who::HubAdmin).await?;
    w.expect_id_and_secret()
}

#[then("the answer holds exactly the service id and secret")]
fn id_and_secret(w: &mut OAuthWorld) -> Check {
    w.expect_id_and_secret()
}

#[when("the service asks the Hub token endpoint for a token by client credentials")]
async fn service_token(w: &mut OAuthWorld) -> Check {
    w.service_token().await
}

#[then("the service gets an access token")]
fn service_got_token(w: &mut OAuthWorld) -> Check {
    w.expect_status(200)?;
    match w.last.as_ref().and_then(|r| r.member("access_token")) {
        Some(t) if !t.is_empty() => {
            w.mgmt.service_token = Some(t);
            Ok(())
        }
        _ => Err("no access_token in the token response".into()),
    }
}

#[when("the service calls the Hub resource server with its own token")]
async fn service_resource(w: &mut OAuthWorld) -> Check {
    w.service_resource().await
}

#[when(expr = "{account} gets the service")]
async fn get_service(w: &mut OAuthWorld, who: Who) -> Check {
    w.on_service(who, "GET").await
}

#[when(expr = "{account} marks the service trusted")]
async fn trust(w: &mut OAuthWorld, who: Who) -> Check {
    w.on_service(who, "PATCH").await
}

#[then("the answer is the service")]
fn is_service(w: &mut OAuthWorld) -> Check {
    w.expect_service(None)
}

#[then("the answer is the service, trusted")]
fn is_trusted(w: &mut OAuthWorld) -> Check {
    w.expect_service(Some(true))
}

#[then("no response after the registration carried the service secret")]
fn no_service_secret(w: &mut OAuthWorld) -> Check {
    w.expect_no_secret(true)
}
