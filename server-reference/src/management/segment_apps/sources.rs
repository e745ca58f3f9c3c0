//! The source handlers: show, and connect / disconnect an app and switch OAuth
//! enforcement on or off.

use super::*;

pub(super) async fn show_source(
    State(state): State<AppState>,
    Path((tenant, source)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant, Action::View)?;
    view_workspace(&state, &tenant, |ws| {
        let s = ws
            .sources
            .get(&source)
            .ok_or_else(|| ApiError::not_found("source"))?;
        Ok(jsonapi::document(s.to_json(&tenant)))
    })
}

pub(super) async fn update_source(
    State(state): State<AppState>,
    Path((tenant, source)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant, Action::View)?;
    let res = jsonapi::parse_resource(&headers, &body, "source")?;
    if let Some(bad) = res.attributes.keys().find(|k| *k != "oauthEnforced") {
        return Err(
            ApiError::bad_request(format!("attribute {bad:?} cannot be edited here"))
                .at(format!("/data/attributes/{bad}")),
        );
    }
    let enforced = res.boolean("oauthEnforced")?;
    // `None`: unchanged; `Some(None)`: disconnect; `Some(Some(id))`: connect.
    let link = match res.relationships.get("oauthApp").map(|r| r.get("data")) {
        None => None,
        Some(Some(Value::Null)) => Some(None),
        Some(_) => Some(res.to_one("oauthApp", "oauth-app", true)?),
    };
    if link.is_none() && enforced.is_none() {
        return Err(ApiError::bad_request(
            "nothing to change: send relationships.oauthApp or attributes.oauthEnforced",
        ));
    }
    if link.is_some() {
        authorize(&state, &headers, &tenant, Action::Connect)?;
    }
    if enforced.is_some() {
        authorize(&state, &headers, &tenant, Action::Enforce)?;
    }
    change_workspace(&state, &tenant, |ws| {
        let mut s = ws
            .sources
            .get(&source)
            .ok_or_else(|| ApiError::not_found("source"))?
            .clone();
        if let Some(link) = link {
            if let Some(id) = &link
                && !ws.apps.contains_key(id)
            {
                return Err(
                    ApiError::not_found("OAuth app").at("/data/relationships/oauthApp/data/id")
                );
            }
            if link.is_some() && !SERVER_SIDE.contains(&s.kind.as_str()) {
                return Err(ApiError::unprocessable(format!(
                    "OAuth supports only server-side sources ({}); this source is {:?}",
                    SERVER_SIDE.join(", "),
                    s.kind
                ))
                .at("/data/relationships/oauthApp"));
            }
            s.app = link;
        }
        if let Some(e) = enforced {
            s.enforced = e;
        }
        if s.enforced && s.app.is_none() {
            return Err(ApiError::conflict(
                "OAuth enforcement needs a connected OAuth app: connect one first, or disable enforcement before disconnecting",
            ));
        }
        let body = s.to_json(&tenant);
        ws.sources.insert(source.clone(), s);
        Ok((jsonapi::document(body), None))
    })
    .await
}
