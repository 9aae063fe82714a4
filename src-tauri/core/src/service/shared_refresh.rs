//! Team mode, the console's side: *Refresh in the shared store* (under the backend's lock:
//! re-read, fetch only if nobody refreshed meanwhile, write back as the backend would), an
//! authorizer's refresh token from the shared store, and *Test* (every key read, none written).

use std::sync::Arc;
use std::time::Duration;

use super::shared_input::SharedInput;
use super::shared_tokens::{
    Backend, Borrowed, KeyProbe, SharedInfo, SharedKey, SharedTest, SharedTokens,
};
use super::single_flight::TokenCell;
use super::{now, Console, ProfileRt};
use crate::error::{CoreError, CoreResult};
use crate::secrets::{masked_tail, SecretName, SecretStore, Sensitive};
use crate::shared_store::{
    HttpTokens, Item, KeyLayout, KeyReading, RedisStore, SharedSource, SharedStoreError,
};

/// A token just fetched from WeChat.
struct Fetched {
    token: String,
    expires_in: i64,
    fetched_at: i64,
}

impl Console {
    fn shared_of<'a>(&self, rt: &'a ProfileRt) -> CoreResult<&'a SharedTokens> {
        rt.source.shared().ok_or_else(|| {
            CoreError::Refused(format!(
                "profile {:?} owns its tokens: it has no shared store",
                rt.profile.name
            ))
        })
    }

    /// The store and layout a refresh writes to, or why it may not.
    async fn writable(&self, s: &SharedTokens) -> CoreResult<(RedisStore, KeyLayout)> {
        match s.backend().await? {
            Backend::Http(_) => Err(SharedStoreError::ReadOnly {
                kind: "a token API (borrow only)",
            }
            .into()),
            Backend::Redis(..) if !s.source().writes() => {
                Err(SharedStoreError::ReadOnly { kind: "Redis" }.into())
            }
            Backend::Redis(store, layout) => Ok((store, layout)),
        }
    }

    /// *Refresh in the shared store*, component token. Every service that reads the key
    /// switches to the token written.
    pub(crate) async fn shared_refresh_component(&self, rt: &ProfileRt) -> CoreResult<()> {
        let s = self.shared_of(rt)?;
        let (store, layout) = self.writable(s).await?;
        self.refresh_in_store(s, &store, &layout, rt, None, || async {
            let ticket = self.shared_ticket(rt, s).await?;
            let secret = self.secret(rt.appid(), SecretName::AppSecret)?;
            let fetched_at = now();
            let answer = rt
                .client
                .component_token(rt.appid(), secret.expose(), &ticket)
                .await?;
            Ok(Fetched {
                token: answer.component_access_token,
                expires_in: answer.expires_in,
                fetched_at,
            })
        })
        .await
    }

    /// *Refresh in the shared store*, an authorizer's token (its refresh token from Redis when
    /// the layout keeps it, else from SQLite). A new refresh token is never lost: SQLite first,
    /// then the backend's key (no TTL, as WxJava writes it).
    pub(crate) async fn shared_refresh_authorizer(
        &self,
        rt: &ProfileRt,
        appid: &str,
    ) -> CoreResult<()> {
        let s = self.shared_of(rt)?;
        let (store, layout) = self.writable(s).await?;
        self.refresh_in_store(s, &store, &layout, rt, Some(appid), || async {
            let refresh = self.shared_refresh_token(rt, appid).await?;
            let fetched_at = now();
            let answer = self.request_authorizer_token(rt, appid, &refresh).await?;
            if let Some(new_refresh) = answer
                .authorizer_refresh_token
                .as_deref()
                .filter(|r| !r.is_empty())
            {
                self.store
                    .authorizer_token_put_refresh(rt.id(), appid, new_refresh)?;
                let rkey = layout.key(Item::AuthorizerRefreshToken, rt.appid(), Some(appid));
                if let Some(rkey) = rkey.filter(|_| new_refresh != refresh) {
                    store
                        .write(&rkey, &layout.value.encode(new_refresh, 0), None)
                        .await?;
                }
            }
            Ok(Fetched {
                token: answer.authorizer_access_token,
                expires_in: answer.expires_in,
                fetched_at,
            })
        })
        .await
    }

    /// One refresh in the shared store: under the backend's lock (or ours), re-read; a token
    /// someone wrote meanwhile is taken as it is, else `fetch` runs and its token is written
    /// back in the layout's format with its TTL. Concurrent refreshes in this console share
    /// one (the cell's single flight).
    async fn refresh_in_store<F, Fut>(
        &self,
        s: &SharedTokens,
        store: &RedisStore,
        layout: &KeyLayout,
        rt: &ProfileRt,
        authorizer: Option<&str>,
        fetch: F,
    ) -> CoreResult<()>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = CoreResult<Fetched>>,
    {
        let (item, cell) = s.item_cell(authorizer);
        let margin = match authorizer {
            None => layout.component_ttl_margin_secs,
            Some(_) => layout.authorizer_ttl_margin_secs,
        };
        let key = layout
            .key(item, rt.appid(), authorizer)
            .ok_or(SharedStoreError::NotKept { item })?;
        let before = current_token(s, &cell, authorizer).await?;
        let lock_key = layout
            .lock_key(item, rt.appid(), authorizer)
            .unwrap_or_else(|| format!("wxopen:lock:{key}"));
        cell.get_or_load(
            |b| Some(b.token.token.expose()) != before.as_ref(),
            || async {
                let lock = store
                    .lock(
                        &lock_key,
                        crate::shared_store::redis_store::LOCK_LEASE,
                        s.lock_wait,
                    )
                    .await?;
                let result: CoreResult<Borrowed> = async {
                    if let Some(now_there) = reread(s, item, authorizer).await? {
                        if Some(&now_there.stored.token) != before.as_ref() {
                            return Ok(s.borrowed(now_there));
                        }
                    }
                    let got = fetch().await?;
                    let expires_at = crate::clock::expiry(got.fetched_at, got.expires_in);
                    let ttl = got.expires_in - margin;
                    let value = layout.value.encode(&got.token, expires_at);
                    store.write(&key, &value, Some(ttl)).await?;
                    let written = KeyReading {
                        item,
                        key: key.clone(),
                        ttl_secs: Some(ttl),
                        stored: crate::shared_store::Stored {
                            token: got.token,
                            expires_at: Some(expires_at),
                        },
                    };
                    s.remember(&written, authorizer);
                    Ok(s.borrowed(written))
                }
                .await;
                let released = store.unlock(lock).await;
                let b = result?;
                released?;
                Ok::<_, CoreError>(b)
            },
        )
        .await?;
        Ok(())
    }

    /// The ticket for a refresh: the backend's, else one pasted here (a ticket is no token:
    /// using it takes nothing from anybody).
    async fn shared_ticket(&self, rt: &ProfileRt, s: &SharedTokens) -> CoreResult<String> {
        match s.read(Item::Ticket, None).await {
            Ok(r) => Ok(r.stored.token),
            Err(CoreError::Shared(
                e @ (SharedStoreError::NotKept { .. }
                | SharedStoreError::Missing { .. }
                | SharedStoreError::Expired { .. }),
            )) => match self.store.latest_ticket(rt.id())? {
                Some(t) => Ok(t.ticket.expose().clone()),
                None => Err(e.into()),
            },
            Err(e) => Err(e),
        }
    }

    /// An authorizer's refresh token on a shared profile: from the backend's store when its
    /// layout keeps one (and recovered into SQLite when SQLite lacks it), else from SQLite.
    pub async fn shared_refresh_token(&self, rt: &ProfileRt, appid: &str) -> CoreResult<String> {
        let s = self.shared_of(rt)?;
        let local = self.store.authorizer_token_get(rt.id(), appid)?;
        match s.read(Item::AuthorizerRefreshToken, Some(appid)).await {
            Ok(r) => {
                if local.is_none() {
                    self.store
                        .authorizer_token_put_refresh(rt.id(), appid, &r.stored.token)?;
                }
                Ok(r.stored.token)
            }
            Err(CoreError::Shared(
                SharedStoreError::NotKept { .. } | SharedStoreError::Missing { .. },
            )) if local.is_some() => Ok(local
                .map(|l| l.refresh_token.expose().clone())
                .unwrap_or_default()),
            Err(CoreError::Shared(SharedStoreError::NotKept { .. })) => Err(CoreError::NotFound(
                format!("a refresh token for authorizer {appid} (the backend's layout keeps none in Redis, and this console has none: run `wxopen authorizers sync`)"),
            )),
            Err(e) => Err(e),
        }
    }

    /// The badge's facts of a shared profile (`None`: the profile owns its tokens).
    pub fn shared_info(&self, rt: &ProfileRt) -> Option<SharedInfo> {
        rt.source.shared().map(SharedTokens::info)
    }

    /// *Test*: reads every key this profile uses (the ticket, the component token, and for
    /// `authorizer` its token and refresh token) and reports presence, TTL and a tail, never a
    /// value. Writes nothing.
    pub async fn shared_test(
        &self,
        rt: &ProfileRt,
        authorizer: Option<&str>,
    ) -> CoreResult<SharedTest> {
        let s = self.shared_of(rt)?;
        Ok(probe(s, authorizer).await)
    }

    /// The exact keys (or token API URLs) `source` reads for `component_appid`: the form shows
    /// them from here, so that they are the ones the borrowing code reads. Without `authorizer`
    /// an authorizer's key keeps its `{authorizer_appid}` placeholder.
    pub fn shared_keys(
        &self,
        component_appid: &str,
        source: &SharedSource,
        authorizer: Option<&str>,
    ) -> CoreResult<Vec<SharedKey>> {
        let appid = super::validate::appid(component_appid)?;
        source.check()?;
        let authorizer = Some(authorizer.unwrap_or("{authorizer_appid}"));
        let key_of: Box<dyn Fn(Item) -> Option<String>> = match source {
            SharedSource::Redis(r) => {
                let layout = r
                    .layout
                    .resolve()
                    .map_err(crate::shared_store::SourceError::from)?;
                Box::new(move |item| layout.key(item, &appid, authorizer))
            }
            SharedSource::Http(h) => {
                let api = HttpTokens::new(h.clone(), None, Duration::from_secs(1))?;
                Box::new(move |item| api.url(item, &appid, authorizer).ok())
            }
        };
        Ok(Item::ALL
            .into_iter()
            .map(|item| SharedKey {
                item,
                key: key_of(item),
            })
            .collect())
    }

    /// *Test* of settings not saved yet (the profile form): the same report.
    pub async fn shared_test_settings(
        &self,
        component_appid: &str,
        shared: &SharedInput,
        authorizer: Option<&str>,
    ) -> CoreResult<SharedTest> {
        let appid = super::validate::appid(component_appid)?;
        shared.source.check()?;
        // The form's secrets, else the ones stored for this appid: in memory only, for this test.
        let secrets = crate::secrets::MemoryStore::default();
        for (name, given) in [
            (SecretName::RedisPassword, &shared.redis_password),
            (SecretName::TokenApiHeader, &shared.header_value),
        ] {
            let value = match given.as_deref() {
                Some("") => None,
                Some(v) => Some(Sensitive::new(v.to_owned())),
                None => self.secrets.get(&appid, name)?,
            };
            if let Some(v) = value {
                secrets.set(&appid, name, &v)?;
            }
        }
        let s = SharedTokens::new(
            shared.source.clone(),
            &appid,
            Arc::new(secrets),
            &self.options,
        )?;
        Ok(probe(&s, authorizer).await)
    }
}

/// The token in the cell, else in the store (missing or expired: none).
async fn current_token(
    s: &SharedTokens,
    cell: &TokenCell<Borrowed>,
    authorizer: Option<&str>,
) -> CoreResult<Option<String>> {
    if let Some(b) = cell.peek().await {
        return Ok(Some(b.token.token.expose().clone()));
    }
    let item = if authorizer.is_some() {
        Item::AuthorizerToken
    } else {
        Item::ComponentToken
    };
    Ok(reread(s, item, authorizer).await?.map(|r| r.stored.token))
}

/// `item` as the store holds it now; `None` when missing or expired (a refresh replaces it).
async fn reread(
    s: &SharedTokens,
    item: Item,
    authorizer: Option<&str>,
) -> CoreResult<Option<KeyReading>> {
    match s.read(item, authorizer).await {
        Ok(r) => Ok(Some(r)),
        Err(CoreError::Shared(
            SharedStoreError::Missing { .. } | SharedStoreError::Expired { .. },
        )) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn probe(s: &SharedTokens, authorizer: Option<&str>) -> SharedTest {
    let info = s.info();
    let mut report = SharedTest {
        kind: info.kind,
        location: info.location,
        layout: info.layout,
        writes: info.writes,
        reachable: true,
        error: None,
        keys: Vec::new(),
    };
    if let Err(e) = s.backend().await {
        report.reachable = false;
        report.error = Some(e.body());
        return report;
    }
    let mut items = vec![(Item::Ticket, None), (Item::ComponentToken, None)];
    if let Some(a) = authorizer {
        items.push((Item::AuthorizerToken, Some(a)));
        items.push((Item::AuthorizerRefreshToken, Some(a)));
    }
    for (item, a) in items {
        let probe = match s.read(item, a).await {
            Ok(r) => KeyProbe {
                item,
                authorizer_appid: a.map(str::to_owned),
                key: Some(r.key),
                present: true,
                ttl_secs: r.ttl_secs,
                tail: Some(masked_tail(&r.stored.token)),
                error: None,
            },
            Err(e) => {
                let key = match &e {
                    CoreError::Shared(
                        SharedStoreError::Missing { key }
                        | SharedStoreError::Expired { key, .. }
                        | SharedStoreError::Malformed { key, .. }
                        | SharedStoreError::Command { key, .. },
                    ) => Some(key.clone()),
                    _ => None,
                };
                KeyProbe {
                    item,
                    authorizer_appid: a.map(str::to_owned),
                    key,
                    present: !matches!(
                        e,
                        CoreError::Shared(
                            SharedStoreError::Missing { .. } | SharedStoreError::NotKept { .. }
                        )
                    ) && !matches!(
                        e,
                        CoreError::Shared(
                            SharedStoreError::Unreachable { .. }
                                | SharedStoreError::Timeout { .. }
                                | SharedStoreError::Auth { .. }
                        )
                    ),
                    ttl_secs: None,
                    tail: None,
                    error: Some(e.body()),
                }
            }
        };
        report.keys.push(probe);
    }
    report
}
