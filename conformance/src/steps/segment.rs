//! Segment OAuth apps, sources and the tracking API.

use cucumber::{given, then, when};

use crate::world::{BadApp, Check, OAuthWorld, Who};

/// One of the two declared key pairs (`{nth}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, cucumber::Parameter)]
#[param(name = "nth", regex = "first|second")]
pub(super) struct Nth(usize);

impl std::str::FromStr for Nth {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "first" => Ok(Self(0)),
            "second" => Ok(Self(1)),
            other => Err(format!("unknown key {other}")),
        }
    }
}

const THE_APP: usize = 0;
const OTHER_APP: usize = 1;

#[when(expr = "{account} creates an OAuth app with period {string} and scopes {string}")]
async fn create(w: &mut OAuthWorld, who: Who, period: String, scopes: String) -> Check {
    w.create_app(who, &period, &scopes).await
}

#[given(expr = "an OAuth app of this scenario with period {string} and scopes {string}")]
async fn app(w: &mut OAuthWorld, period: String, scopes: String) -> Check {
    w.given_app(&period, &scopes).await
}

#[given(expr = "another OAuth app of this scenario holds a token with scope {string}")]
async fn other_app(w: &mut OAuthWorld, scope: String) -> Check {
    w.given_app("1d", &scope).await?;
    w.app_token(OTHER_APP, 0, &scope).await?;
    w.expect_app_token(None)
}

#[when(expr = "{account} creates an OAuth app with {bad_app}")]
async fn bad(w: &mut OAuthWorld, who: Who, case: BadApp) -> Check {
    w.bad_create_app(who, case).await
}

#[then("no OAuth app was created")]
async fn none_created(w: &mut OAuthWorld) -> Check {
    w.expect_no_app_created().await
}

#[then("the answer is the OAuth app")]
fn is_app(w: &mut OAuthWorld) -> Check {
    w.expect_app(THE_APP)
}

#[when(expr = "{account} gets the OAuth app")]
async fn get(w: &mut OAuthWorld, who: Who) -> Check {
    w.get_app(who, THE_APP).await
}

#[when(expr = "{account} lists the OAuth apps")]
async fn list(w: &mut OAuthWorld, who: Who) -> Check {
    w.list_apps(who).await
}

#[then("the listing holds the OAuth app")]
fn listed(w: &mut OAuthWorld) -> Check {
    w.expect_app_listed(THE_APP)
}

#[when(expr = "{account} changes the app's period to {string} and its scopes to {string}")]
async fn edit(w: &mut OAuthWorld, who: Who, period: String, scopes: String) -> Check {
    w.edit_app(who, &period, &scopes).await
}

#[when(expr = "{account} deletes the OAuth app")]
async fn delete(w: &mut OAuthWorld, who: Who) -> Check {
    w.delete_app(who).await
}

#[when(expr = "{account} adds the {nth} key to the app")]
async fn add_key(w: &mut OAuthWorld, who: Who, key: Nth) -> Check {
    w.add_key(who, key.0).await
}

#[when(expr = "{account} deletes the {nth} key of the app")]
async fn delete_key(w: &mut OAuthWorld, who: Who, key: Nth) -> Check {
    w.delete_key(who, key.0).await
}

#[when(expr = "the app requests a token signed with its {nth} key")]
async fn token(w: &mut OAuthWorld, key: Nth) -> Check {
    w.app_token(THE_APP, key.0, "").await
}

#[when(expr = "the app requests a token with scope {string} signed with its {nth} key")]
async fn token_scope(w: &mut OAuthWorld, scope: String, key: Nth) -> Check {
    w.app_token(THE_APP, key.0, &scope).await
}

#[given(expr = "the app holds a token signed with its {nth} key")]
async fn holds_token(w: &mut OAuthWorld, key: Nth) -> Check {
    w.app_token(THE_APP, key.0, "").await?;
    w.expect_app_token(None)
}

#[then("the app gets an access token")]
fn got_token(w: &mut OAuthWorld) -> Check {
    w.expect_app_token(None)
}

#[then(expr = "the app gets an access token that lives for the period {string}")]
fn got_token_for(w: &mut OAuthWorld, period: String) -> Check {
    w.expect_app_token(Some(&period))
}

#[when(expr = "{account} revokes the app's token by its value")]
async fn revoke(w: &mut OAuthWorld, who: Who) -> Check {
    w.revoke_app_token(who).await
}

#[given("a source of this scenario")]
async fn source(w: &mut OAuthWorld) -> Check {
    w.lease_source().await
}

#[given("a source of this scenario connected to the app")]
async fn connected_source(w: &mut OAuthWorld) -> Check {
    w.lease_source().await?;
    w.connect_source(Who::AppAdmin, Some(THE_APP)).await?;
    w.expect_status(200)
}

#[given("a source of this scenario connected to the app and enforcing OAuth")]
async fn enforcing_source(w: &mut OAuthWorld) -> Check {
    connected_source(w).await?;
    w.enforce_source(Who::AppAdmin, true).await?;
    w.expect_status(200)
}

#[when(expr = "{account} connects the source to the app")]
async fn connect(w: &mut OAuthWorld, who: Who) -> Check {
    w.connect_source(who, Some(THE_APP)).await
}

#[when(expr = "{account} disconnects the source")]
async fn disconnect(w: &mut OAuthWorld, who: Who) -> Check {
    w.connect_source(who, None).await
}

#[when(expr = "{account} enables OAuth enforcement on the source")]
async fn enforce(w: &mut OAuthWorld, who: Who) -> Check {
    w.enforce_source(who, true).await
}

#[when(expr = "{account} disables OAuth enforcement on the source")]
async fn unenforce(w: &mut OAuthWorld, who: Who) -> Check {
    w.enforce_source(who, false).await
}

#[then("the source is connected to the app and enforces OAuth")]
async fn source_enforcing(w: &mut OAuthWorld) -> Check {
    w.expect_source(true, true).await
}

#[then("the source is not connected and does not enforce OAuth")]
async fn source_free(w: &mut OAuthWorld) -> Check {
    w.expect_source(false, false).await
}

#[when("an event is sent to the tracking API with the write key alone")]
async fn track_write_key(w: &mut OAuthWorld) -> Check {
    w.track(None).await
}

#[when("an event is sent to the tracking API with the app's token")]
async fn track_token(w: &mut OAuthWorld) -> Check {
    w.track(Some(THE_APP)).await
}

#[when("an event is sent to the tracking API with the other app's token")]
async fn track_other(w: &mut OAuthWorld) -> Check {
    w.track(Some(OTHER_APP)).await
}

#[then("the tracking API accepts the event")]
fn accepted(w: &mut OAuthWorld) -> Check {
    w.expect_status(200)
}

#[then("the tracking API answers 401 with a Bearer challenge")]
fn refused(w: &mut OAuthWorld) -> Check {
    w.expect_track_refused(&[401])
}

#[then("the tracking API refuses the token with 401 or 403")]
fn refused_any(w: &mut OAuthWorld) -> Check {
    w.expect_track_refused(&[401, 403])
}

#[when(expr = "{account} lists the OAuth apps of the other tenant")]
async fn other_list(w: &mut OAuthWorld, who: Who) -> Check {
    w.probe_other_tenant_apps(who, "apps").await
}

#[when(expr = "{account} gets the OAuth app through the other tenant")]
async fn other_get(w: &mut OAuthWorld, who: Who) -> Check {
    w.probe_other_tenant_apps(who, "app").await
}

#[when(expr = "{account} gets the other tenant's source")]
async fn other_source(w: &mut OAuthWorld, who: Who) -> Check {
    w.probe_other_tenant_apps(who, "source").await
}
