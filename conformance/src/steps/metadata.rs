//! Authorization server metadata (RFC 8414).

use cucumber::{then, when};

use crate::world::{Check, OAuthWorld};

#[when("the metadata document is fetched")]
async fn fetch(w: &mut OAuthWorld) -> Check {
    w.fetch_metadata().await
}

#[then("the metadata is a JSON object")]
fn json(w: &mut OAuthWorld) -> Check {
    w.metadata_json()?
        .as_object()
        .map(|_| ())
        .ok_or_else(|| "metadata is not an object".into())
}

#[then("the metadata issuer is the issuer it was fetched for, with no query or fragment")]
fn issuer(w: &mut OAuthWorld) -> Check {
    let m = w.metadata_json()?;
    let iss = m
        .get("issuer")
        .and_then(|v| v.as_str())
        .ok_or("no issuer")?;
    let want = w.target.server.issuer.as_str().trim_end_matches('/');
    if iss.trim_end_matches('/') != want {
        return Err(format!("issuer {iss:?} differs from {want:?}"));
    }
    let u = url::Url::parse(iss).map_err(|e| e.to_string())?;
    if u.query().is_some() || u.fragment().is_some() {
        return Err("the issuer has a query or fragment".into());
    }
    let loopback = matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if u.scheme() != "https" && !loopback {
        return Err("the issuer does not use https".into());
    }
    Ok(())
}

#[then(expr = "the metadata has the members {string}")]
fn members(w: &mut OAuthWorld, names: String) -> Check {
    let m = w.metadata_json()?;
    for n in names.split(',').map(str::trim) {
        if m.get(n).is_none() {
            return Err(format!("metadata lacks `{n}`"));
        }
    }
    Ok(())
}

#[then(expr = "the metadata lists {string} in {string}")]
fn lists(w: &mut OAuthWorld, value: String, member: String) -> Check {
    lists_one_of(w, value, member)
}

/// The metadata array `member` holds one of the comma-separated `values`.
#[then(expr = "the metadata lists one of {string} in {string}")]
fn lists_one_of(w: &mut OAuthWorld, values: String, member: String) -> Check {
    let m = w.metadata_json()?;
    let arr = m
        .get(&member)
        .and_then(|v| v.as_array())
        .ok_or_else(|| format!("no `{member}` array"))?;
    let wanted: Vec<&str> = values.split(',').map(str::trim).collect();
    if arr
        .iter()
        .any(|v| v.as_str().is_some_and(|v| wanted.contains(&v)))
    {
        Ok(())
    } else {
        Err(format!("`{member}` lists none of {wanted:?}: {arr:?}"))
    }
}

#[then(expr = "the metadata lists {string} in {string} or omits the member")]
fn lists_or_omits(w: &mut OAuthWorld, value: String, member: String) -> Check {
    if w.metadata_json()?.get(&member).is_none() {
        return Ok(());
    }
    lists(w, value, member)
}

#[then(expr = "the metadata does not list {string} in {string}")]
fn not_lists(w: &mut OAuthWorld, value: String, member: String) -> Check {
    let m = w.metadata_json()?;
    let listed = m
        .get(&member)
        .and_then(|v| v.as_array())
        .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(value.as_str())));
    if listed {
        Err(format!("`{member}` lists {value:?}"))
    } else {
        Ok(())
    }
}

#[then("the advertised endpoints are the ones the target uses")]
fn endpoints(w: &mut OAuthWorld) -> Check {
    use crate::config::Endpoint::*;
    let m = w.metadata_json()?;
    for (member, e) in [
        ("authorization_endpoint", Authorization),
        ("token_endpoint", Token),
        ("revocation_endpoint", Revocation),
        ("introspection_endpoint", Introspection),
    ] {
        if let Some(v) = m.get(member).and_then(|v| v.as_str())
            && v != w.target.endpoint(e).as_str()
        {
            return Err(format!(
                "{member} is {v}, the target uses {}",
                w.target.endpoint(e)
            ));
        }
    }
    Ok(())
}

#[then("the metadata says authorization responses carry iss")]
fn iss_supported(w: &mut OAuthWorld) -> Check {
    let m = w.metadata_json()?;
    match m.get("authorization_response_iss_parameter_supported") {
        Some(serde_json::Value::Bool(true)) => Ok(()),
        other => Err(format!(
            "authorization_response_iss_parameter_supported is {other:?}"
        )),
    }
}
