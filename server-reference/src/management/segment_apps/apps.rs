//! The OAuth-app handlers: list, create, show, update, delete, keys and token
//! revocation by value.

use super::*;

pub(super) fn new_id(prefix: &str) -> String {
    format!("{prefix}{}", &random_token()[..22])
}

pub(super) async fn list(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant, Action::View)?;
    view_workspace(&state, &tenant, |ws| {
        let apps: Vec<Value> = ws
            .apps
            .values()
            .map(|a| a.to_json(&tenant, &connected(ws, &a.id)))
            .collect();
        Ok(jsonapi::document(Value::Array(apps)))
    })
}

pub(super) async fn create(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant, Action::Create)?;
    let res = jsonapi::parse_resource(&headers, &body, "oauth-app")?;
    let name = res.string("name", true)?.unwrap_or_default();
    let pem = res.string("publicKey", true)?.unwrap_or_default();
    let key_name = res.string("publicKeyName", true)?.unwrap_or_default();
    let period = period(&res, true)?.unwrap_or_default();
    let scopes = scopes(&res, true)?.unwrap_or_default();
    let key_id = new_id("key_");
    spki_only(&pem)?;
    decode(&key_id, &pem)?;
    let app = App {
        id: new_id("app_"),
        name,
        period,
        scopes,
        keys: vec![AppKey {
            id: key_id,
            name: key_name,
            pem,
        }],
    };
    let client = app.client()?;
    let body = app.to_json(&tenant, &[]);
    change_workspace(&state, &tenant, |ws| {
        ws.apps.insert(app.id.clone(), app.clone());
        Ok(((), Some(client)))
    })
    .await?;
    Ok(jsonapi::created(
        &format!("/v2/tenants/{tenant}/oauth-apps/{}", app.id),
        body,
    ))
}

pub(super) async fn show(
    State(state): State<AppState>,
    Path((tenant, app)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant, Action::View)?;
    view_workspace(&state, &tenant, |ws| {
        let a = ws
            .apps
            .get(&app)
            .ok_or_else(|| ApiError::not_found("OAuth app"))?;
        Ok(jsonapi::document(a.to_json(&tenant, &connected(ws, &app))))
    })
}

/// Applies `change` to the app, stores the app and its client and returns the
/// response body.
pub(super) async fn change_app(
    state: &AppState,
    tenant: &str,
    app: &str,
    change: impl FnOnce(&mut App) -> Result<(), ApiError>,
) -> Result<Value, ApiError> {
    change_workspace(state, tenant, |ws| {
        let updated = ws
            .apps
            .get_mut(app)
            .ok_or_else(|| ApiError::not_found("OAuth app"))?;
        change(updated)?;
        let client = updated.client()?;
        let body = ws.apps[app].to_json(tenant, &connected(ws, app));
        Ok((body, Some(client)))
    })
    .await
}

pub(super) async fn update(
    State(state): State<AppState>,
    Path((tenant, app)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant, Action::Edit)?;
    let res = jsonapi::parse_resource(&headers, &body, "oauth-app")?;
    if res.id.as_deref().is_some_and(|id| id != app) {
        return Err(ApiError::conflict("data.id must be the app's id").at("/data/id"));
    }
    if let Some(bad) = res
        .attributes
        .keys()
        .find(|k| !["name", "tokenExpirationPeriod", "scopes"].contains(&k.as_str()))
    {
        return Err(ApiError::bad_request(format!(
            "attribute {bad:?} cannot be edited here; editable: name, tokenExpirationPeriod, scopes (keys have their own endpoints)"
        ))
        .at(format!("/data/attributes/{bad}")));
    }
    let name = res.string("name", false)?;
    let period = period(&res, false)?;
    let scopes = scopes(&res, false)?;
    let body = change_app(&state, &tenant, &app, |a| {
        if let Some(n) = name {
            a.name = n;
        }
        if let Some(p) = period {
            a.period = p;
        }
        if let Some(s) = scopes {
            a.scopes = s;
        }
        Ok(())
    })
    .await?;
    Ok(jsonapi::document(body))
}

pub(super) async fn add_key(
    State(state): State<AppState>,
    Path((tenant, app)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant, Action::Edit)?;
    let res = jsonapi::parse_resource(&headers, &body, "oauth-app-key")?;
    let name = res.string("name", true)?.unwrap_or_default();
    let pem = res.string("publicKey", true)?.unwrap_or_default();
    let key_id = new_id("key_");
    let body = change_app(&state, &tenant, &app, |a| {
        if a.keys.len() >= MAX_KEYS {
            return Err(ApiError::conflict(format!(
                "an OAuth app holds at most {MAX_KEYS} public keys; delete one first"
            )));
        }
        spki_only(&pem)?;
        decode(&key_id, &pem)?;
        a.keys.push(AppKey {
            id: key_id.clone(),
            name,
            pem,
        });
        Ok(())
    })
    .await?;
    Ok(jsonapi::created(
        &format!("/v2/tenants/{tenant}/oauth-apps/{app}/keys/{key_id}"),
        body,
    ))
}

pub(super) async fn delete_key(
    State(state): State<AppState>,
    Path((tenant, app, key)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant, Action::Edit)?;
    let body = change_app(&state, &tenant, &app, |a| {
        let Some(i) = a.keys.iter().position(|k| k.id == key) else {
            return Err(ApiError::not_found("key"));
        };
        if a.keys.len() == 1 {
            return Err(ApiError::conflict(
                "the last public key of an OAuth app cannot be deleted; add another first",
            ));
        }
        a.keys.remove(i);
        Ok(())
    })
    .await?;
    Ok(jsonapi::document(body))
}

pub(super) async fn remove(
    State(state): State<AppState>,
    Path((tenant, app)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant, Action::Edit)?;
    let ignore_sources = state.fault(Fault::AppDeleteWithConnectedSource);
    change_workspace(&state, &tenant, |ws| {
        if !ws.apps.contains_key(&app) {
            return Err(ApiError::not_found("OAuth app"));
        }
        let sources = connected(ws, &app);
        if !sources.is_empty() && !ignore_sources {
            return Err(ApiError::conflict(format!(
                "disconnect every source from the app first (connected: {})",
                sources.join(", ")
            )));
        }
        ws.apps.remove(&app);
        ws.deleted.insert(app.clone());
        Ok(((), Some(tombstone(&app))))
    })
    .await?;
    // After the tombstone, so no new token can be issued; the grant's revocation
    // also covers a token a request authenticated just before stores later.
    state
        .store()
        .revoke_grant(&GrantId::of_client(&app))
        .await
        .map_err(ApiError::storage)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) async fn revoke(
    State(state): State<AppState>,
    Path((tenant, app)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant, Action::Edit)?;
    let res = jsonapi::parse_resource(&headers, &body, "token-revocation")?;
    let token = res.string("token", true)?.unwrap_or_default();
    view_workspace(&state, &tenant, |ws| {
        ws.apps
            .contains_key(&app)
            .then_some(())
            .ok_or_else(|| ApiError::not_found("OAuth app"))
    })?;
    let hash = TokenHash::of(&token);
    let record = state
        .store()
        .token(&hash)
        .await
        .map_err(ApiError::storage)?;
    if record.is_none_or(|r| *r.client_id != *app) {
        return Err(ApiError::not_found("token of this OAuth app"));
    }
    if state.fault(Fault::AppTokenRevocationIgnored) {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    state
        .store()
        .revoke_token(&hash)
        .await
        .map_err(ApiError::storage)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
