//! Segment sources: leased one per scenario, connected to an app, enforcing
//! OAuth or not, and `POST /v1/track` against them.
//!
//! Sources cannot be made through the API, so each scenario that needs one
//! leases a declared source for itself ([`Lease`]; the others wait); the source
//! is reset (disconnected, not enforcing) when leased and when the scenario
//! ends (the runner's after hook calls [`OAuthWorld::release_source`]).

use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::*;
use crate::config::SourceConfig;
use crate::user_agent::RawRequest;

/// The declared sources not leased at the moment.
struct Pool {
    free: Mutex<Vec<usize>>,
    permits: Arc<Semaphore>,
}

static POOL: OnceLock<Pool> = OnceLock::new();

/// One declared source, held by one scenario until it ends.
pub(crate) struct Lease {
    index: usize,
    pub(super) source: &'static SourceConfig,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(pool) = POOL.get() {
            pool.free.lock().expect("pool lock").push(self.index);
        }
    }
}

impl Lease {
    /// The leased source's id.
    pub(super) fn id(&self) -> &str {
        &self.source.id
    }

    async fn take(sources: &'static [SourceConfig]) -> Result<Self, String> {
        let pool = POOL.get_or_init(|| Pool {
            free: Mutex::new((0..sources.len()).rev().collect()),
            permits: Arc::new(Semaphore::new(sources.len())),
        });
        let permit = pool
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| e.to_string())?;
        let index = pool
            .free
            .lock()
            .expect("pool lock")
            .pop()
            .ok_or("a source permit without a free source")?;
        Ok(Self {
            index,
            source: &sources[index],
            _permit: permit,
        })
    }
}

impl OAuthWorld {
    fn source(&self) -> Result<&'static SourceConfig, String> {
        self.segment_state
            .lease
            .as_ref()
            .map(|l| l.source)
            .ok_or_else(|| "no source was leased".into())
    }

    /// PATCHes the leased source with `attributes` and `relationships`.
    async fn patch_source(&mut self, who: Who, extra: Value) -> Check {
        let source = self.source()?;
        let mut doc = json!({"data": {"type": "source", "id": source.id}});
        for (k, v) in extra.as_object().into_iter().flatten() {
            doc["data"][k] = v.clone();
        }
        let path = self.tenant_path(&format!("/sources/{}", source.id))?;
        self.send_doc(who, "PATCH", &path, &doc).await
    }

    async fn reset_source(&mut self) -> Check {
        self.patch_source(
            Who::AppAdmin,
            json!({"attributes": {"oauthEnforced": false},
                   "relationships": {"oauthApp": {"data": null}}}),
        )
        .await?;
        self.expect_status(200)
            .map_err(|e| format!("cannot reset the source: {e}"))
    }

    /// Leases a source for this scenario and resets it.
    pub async fn lease_source(&mut self) -> Check {
        let sources = &self.segment()?.sources;
        self.segment_state.lease = Some(Lease::take(sources).await?);
        self.reset_source().await
    }

    /// At the end of a scenario: reset the source and give it back.
    pub async fn release_source(&mut self) {
        if self.segment_state.lease.is_some() {
            let _ = self.reset_source().await;
        }
        self.segment_state.lease = None;
    }

    /// Connects the source to app `which` (`None`: disconnects it).
    pub async fn connect_source(&mut self, who: Who, which: Option<usize>) -> Check {
        let data = match which {
            Some(i) => json!({"id": self.app(i)?.id, "type": "oauth-app"}),
            None => Value::Null,
        };
        self.patch_source(who, json!({"relationships": {"oauthApp": {"data": data}}}))
            .await
    }

    /// Turns OAuth enforcement on the source on or off.
    pub async fn enforce_source(&mut self, who: Who, on: bool) -> Check {
        self.patch_source(who, json!({"attributes": {"oauthEnforced": on}}))
            .await
    }

    /// The source (read by the app administrator) is connected to the app or
    /// to nothing, and enforces OAuth or not.
    pub async fn expect_source(&mut self, connected: bool, enforced: bool) -> Check {
        let source = self.source()?;
        let path = self.tenant_path(&format!("/sources/{}", source.id))?;
        let r = self.mgmt_send(Who::AppAdmin, "GET", &path, None).await?;
        let d = r.json().unwrap_or_default();
        let app = d["data"]["relationships"]["oauthApp"]["data"]["id"].as_str();
        let want = if connected {
            Some(self.app(0)?.id.as_str())
        } else {
            None
        };
        let on = d["data"]["attributes"]["oauthEnforced"].as_bool();
        if r.status != 200 || app != want || on != Some(enforced) {
            return Err(format!(
                "expected the source connected to {want:?}, enforcing {enforced}: {}",
                r.describe()
            ));
        }
        Ok(())
    }

    /// `POST /v1/track` for the leased source, with app `bearer`'s token.
    pub async fn track(&mut self, bearer: Option<usize>) -> Check {
        let seg = self.segment()?;
        let source = self.source()?;
        let body = json!({"writeKey": source.write_key, "type": "track",
            "event": "Conformance Check", "userId": "conformance-user"});
        let mut req = RawRequest::get(
            self.target
                .management_url(seg.track_url.as_deref().unwrap_or("/v1/track")),
        );
        req.method = "POST".into();
        req.raw_body = Some(("application/json".into(), body.to_string()));
        if let Some(i) = bearer {
            let token = self.app(i)?.token.clone().ok_or("the app holds no token")?;
            req.headers
                .push(("authorization".into(), format!("Bearer {token}")));
        }
        self.last = Some(self.http.send(&req).await?);
        Ok(())
    }

    /// The tracking API refused the request (401, or 403 when `scope`) with
    /// a Bearer challenge (RFC 6750 §3).
    pub fn expect_track_refused(&self, statuses: &[u16]) -> Check {
        let r = self.last()?;
        let bearer = r
            .header("www-authenticate")
            .is_some_and(|h| h.to_ascii_lowercase().starts_with("bearer"));
        if statuses.contains(&r.status) && bearer {
            Ok(())
        } else {
            Err(format!(
                "expected {statuses:?} with WWW-Authenticate: Bearer: {}",
                r.describe()
            ))
        }
    }
}
