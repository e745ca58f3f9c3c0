//! JSON:API documents (<https://jsonapi.org/format/>) for the management APIs:
//! parsing one resource object from a request body, building response documents,
//! and error objects `{"errors":[{"status","title","detail"}]}`.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// The JSON:API media type, sent on every management response.
pub(crate) const MEDIA_TYPE: &str = "application/vnd.api+json";

/// One JSON:API error object, answered as `{"errors":[…]}`.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) detail: String,
    /// JSON Pointer to the offending member of the request document.
    pub(crate) pointer: Option<String>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
            pointer: None,
        }
    }

    pub(crate) fn at(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    pub(crate) fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    /// 401 with `WWW-Authenticate: Basic` (added in `into_response`).
    pub(crate) fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "HTTP Basic credentials {EMAIL}:{APIKEY} are missing or invalid",
        )
    }

    pub(crate) fn forbidden(permission: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            format!("this account lacks the permission {permission:?} in this tenant"),
        )
    }

    /// The one answer for "absent" and "not yours": the detail names only the kind
    /// of resource the URL designates, never an id, so the two cannot be told apart.
    pub(crate) fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("{what} not found"))
    }

    pub(crate) fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, detail)
    }

    /// A storage failure: logged here, answered without its cause.
    pub(crate) fn storage(e: crate::store::StoreError) -> Self {
        tracing::error!(error = %e, "storage failure");
        let status = if e.is_unavailable() {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        Self::new(
            status,
            "the server could not complete the request (storage); try again later",
        )
    }

    pub(crate) fn unprocessable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, detail)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({
            "status": self.status.as_u16().to_string(),
            "title": self.status.canonical_reason().unwrap_or("Error"),
            "detail": self.detail,
        });
        if let Some(pointer) = self.pointer {
            error["source"] = json!({ "pointer": pointer });
        }
        let mut response = respond(self.status, &json!({ "errors": [error] }));
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(crate::hashing::RETRY_AFTER_SECS),
            );
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"management\", charset=\"UTF-8\""),
            );
        }
        response
    }
}

/// Answers every management error as a JSON:API document, including those axum
/// produces before a handler runs (405 for a wrong method, 413 for a body over the
/// limit, 400 for a bad path or a body that is not UTF-8): their plain-text
/// reason becomes the `detail`, and headers such as `Allow` are kept.
pub(crate) async fn errors_as_documents(response: Response) -> Response {
    let status = response.status();
    let is_document = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == MEDIA_TYPE.as_bytes());
    if !(status.is_client_error() || status.is_server_error()) || is_document {
        return response;
    }
    let (parts, body) = response.into_parts();
    // axum's rejection texts are short; anything longer is cut, not buffered.
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let detail = match String::from_utf8_lossy(&text).trim() {
        "" => status.canonical_reason().unwrap_or("error").to_owned(),
        reason => reason.to_owned(),
    };
    let mut answer = ApiError::new(status, detail).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            answer.headers_mut().insert(name.clone(), value.clone());
        }
    }
    answer
}

/// What a path under a management prefix that names no endpoint gets.
pub(crate) async fn no_such_endpoint() -> ApiError {
    ApiError::not_found("endpoint")
}

/// A JSON body with the JSON:API media type.
pub(crate) fn respond(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE));
    response
}

/// `{"data": …}` with status 200.
pub(crate) fn document(data: Value) -> Response {
    respond(StatusCode::OK, &json!({ "data": data }))
}

/// `{"data": …}` with status 201 and `Location`.
pub(crate) fn created(location: &str, data: Value) -> Response {
    let mut response = respond(StatusCode::CREATED, &json!({ "data": data }));
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// The primary resource object of a request document.
#[derive(Debug, Default)]
pub(crate) struct Resource {
    pub(crate) id: Option<String>,
    pub(crate) attributes: Map<String, Value>,
    pub(crate) relationships: Map<String, Value>,
}

/// Checks the content type, parses the body and extracts `data`, whose `type` must
/// be `expected_type` (409 otherwise, as JSON:API prescribes for a type that does not
/// belong to the endpoint's collection).
pub(crate) fn parse_resource(
    headers: &HeaderMap,
    body: &[u8],
    expected_type: &str,
) -> Result<Resource, ApiError> {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if !matches!(media_type.as_deref(), Some("application/json" | MEDIA_TYPE)) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("Content-Type must be {MEDIA_TYPE} or application/json"),
        ));
    }
    let root: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("malformed JSON: {e}")))?;
    let Some(data) = root.get("data").and_then(Value::as_object) else {
        return Err(
            ApiError::bad_request("the document must have a `data` resource object").at("/data"),
        );
    };
    match data.get("type") {
        Some(Value::String(t)) if t == expected_type => {}
        Some(Value::String(t)) => {
            return Err(ApiError::conflict(format!(
                "data.type must be {expected_type:?}, not {t:?}"
            ))
            .at("/data/type"));
        }
        _ => {
            return Err(ApiError::bad_request(format!(
                "data.type is required and must be {expected_type:?}"
            ))
            .at("/data/type"));
        }
    }
    let id = match data.get("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) if !id.is_empty() => Some(id.clone()),
        Some(_) => {
            return Err(ApiError::bad_request("data.id must be a non-empty string").at("/data/id"));
        }
    };
    let object = |name: &str| match data.get(name) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(_) => Err(
            ApiError::bad_request(format!("data.{name} must be an object"))
                .at(format!("/data/{name}")),
        ),
    };
    Ok(Resource {
        id,
        attributes: object("attributes")?,
        relationships: object("relationships")?,
    })
}

impl Resource {
    /// A non-empty string attribute; `Ok(None)` when absent and not `required`.
    pub(crate) fn string(&self, name: &str, required: bool) -> Result<Option<String>, ApiError> {
        let pointer = format!("/data/attributes/{name}");
        match self.attributes.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            None if !required => Ok(None),
            None => {
                Err(ApiError::bad_request(format!("attributes.{name} is required")).at(pointer))
            }
            Some(_) => Err(ApiError::bad_request(format!(
                "attributes.{name} must be a non-empty string"
            ))
            .at(pointer)),
        }
    }

    /// A boolean attribute.
    pub(crate) fn boolean(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.attributes.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ApiError::bad_request(format!(
                "attributes.{name} must be true or false"
            ))
            .at(format!("/data/attributes/{name}"))),
        }
    }

    /// A to-one relationship `relationships.NAME.data {id, type}`: returns the id.
    pub(crate) fn to_one(
        &self,
        name: &str,
        expected_type: &str,
        required: bool,
    ) -> Result<Option<String>, ApiError> {
        let Some(rel) = self.relationships.get(name) else {
            return if required {
                Err(ApiError::bad_request(format!(
                    "relationships.{name}.data {{id, type {expected_type:?}}} is required"
                ))
                .at(format!("/data/relationships/{name}")))
            } else {
                Ok(None)
            };
        };
        let pointer = format!("/data/relationships/{name}/data");
        let data = rel.get("data").ok_or_else(|| {
            ApiError::bad_request(format!("relationships.{name}.data is required"))
                .at(pointer.clone())
        })?;
        identifier(
            data,
            expected_type,
            &format!("relationships.{name}.data"),
            &pointer,
        )
        .map(Some)
    }

    /// A to-many relationship `relationships.NAME.data [{id, type}]`: the ids.
    pub(crate) fn to_many(&self, name: &str, expected_type: &str) -> Result<Vec<String>, ApiError> {
        let pointer = format!("/data/relationships/{name}/data");
        let Some(items) = self
            .relationships
            .get(name)
            .and_then(|r| r.get("data"))
            .and_then(Value::as_array)
        else {
            return Err(ApiError::bad_request(format!(
                "relationships.{name}.data must be an array of {{id, type {expected_type:?}}}"
            ))
            .at(pointer));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                identifier(
                    item,
                    expected_type,
                    &format!("relationships.{name}.data[{i}]"),
                    &format!("{pointer}/{i}"),
                )
            })
            .collect()
    }
}

/// A resource identifier object `{id, type}` of the expected type.
fn identifier(
    value: &Value,
    expected_type: &str,
    what: &str,
    pointer: &str,
) -> Result<String, ApiError> {
    let id = value.get("id").and_then(Value::as_str).unwrap_or("");
    if id.is_empty() {
        return Err(
            ApiError::bad_request(format!("{what}.id must be a non-empty string"))
                .at(format!("{pointer}/id")),
        );
    }
    match value.get("type").and_then(Value::as_str) {
        Some(t) if t == expected_type => Ok(id.to_owned()),
        _ => Err(
            ApiError::bad_request(format!("{what}.type must be {expected_type:?}"))
                .at(format!("{pointer}/type")),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        h
    }

    fn check(body: &str, status: StatusCode, detail_part: &str) {
        let err = parse_resource(&headers(), body.as_bytes(), "oauth-client").unwrap_err();
        assert_eq!(err.status, status, "{body}");
        assert!(err.detail.contains(detail_part), "{body}: {}", err.detail);
    }

    #[test]
    fn bad_documents_are_named() {
        check("{", StatusCode::BAD_REQUEST, "malformed JSON");
        check("[]", StatusCode::BAD_REQUEST, "`data`");
        check(
            r#"{"data":{}}"#,
            StatusCode::BAD_REQUEST,
            "\"oauth-client\"",
        );
        check(
            r#"{"data":{"type":"flow"}}"#,
            StatusCode::CONFLICT,
            "\"oauth-client\"",
        );
        check(
            r#"{"data":{"type":"oauth-client","attributes":[]}}"#,
            StatusCode::BAD_REQUEST,
            "attributes",
        );
    }

    #[test]
    fn content_type_is_checked() {
        let err = parse_resource(&HeaderMap::new(), b"{}", "x").unwrap_err();
        assert_eq!(err.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }

    #[test]
    fn relationships_are_checked() {
        let res = parse_resource(
            &headers(),
            br#"{"data":{"type":"oauth-client","relationships":{"component":{"data":{"id":"c","type":"flow"}}}}}"#,
            "oauth-client",
        )
        .unwrap();
        let err = res.to_one("component", "component", true).unwrap_err();
        assert!(err.detail.contains("\"component\""));
        let none = Resource::default();
        assert!(none.to_one("component", "component", true).is_err());
        assert_eq!(none.to_one("component", "component", false).unwrap(), None);
    }
}
