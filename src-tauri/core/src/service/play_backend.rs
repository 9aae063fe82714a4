//! The sandbox plays a platform's backend (issue 13: "try the whole path without WeChat").
//!
//! A real backend receives the ticket push, fetches the component token, exchanges every
//! authorizer's refresh token, keeps them all in Redis in its SDK's layout, and refreshes them
//! before they expire. [`PlayBackend`] does the same against the simulator: it takes a ticket as
//! the simulator pushes one, fetches the tokens *from the simulator over HTTP* with the real
//! client (so the simulator's one-live-token rule holds for every console that borrows them),
//! and writes them with the layout's keys, value format and TTLs, under the layout's lock when it
//! has one. Items the layout does not keep are skipped, as the SDK would.
//!
//! No Tauri and no Console here: `wxopen sandbox serve --backend-redis` runs it, and the app can.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use wxopen_wechat::client::{ClientConfig, ComponentClient};

use crate::error::{CoreError, CoreResult};
use crate::shared_store::{
    HeldLock, Item, KeyLayout, Preset, RedisStore, RedisTarget, SharedStoreError,
};

/// A token key with less than this left is refreshed (the SDKs refresh on use a few minutes
/// ahead: wechatpy 60 s in process, WxJava 200 s through its TTL margin).
pub const DEFAULT_REFRESH_LEAD_SECS: i64 = 300;

/// WxJava writes the ticket for `Integer.MAX_VALUE` seconds
/// (`WxOpenInRedisConfigStorage.setComponentVerifyTicket`, see
/// docs/research/team-mode-redis-layouts.md, WxJava table): a TTL, not a persistent key.
const WXJAVA_TICKET_TTL_SECS: i64 = i32::MAX as i64;

/// How long we wait for another holder of a lock (WxJava's Jedis lock: 10 s).
pub const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(10);

/// api_get_authorizer_list's page size limit.
const LIST_PAGE: u32 = 500;

/// What the play backend needs to know.
#[derive(Debug, Clone)]
pub struct PlaySettings {
    /// The simulator's base URL (`http://127.0.0.1:PORT`).
    pub api_base: String,
    pub component_appid: String,
    pub appsecret: String,
    pub preset: Preset,
    /// The backend's key prefix (`None`: the SDK's default).
    pub prefix: Option<String>,
    /// Only the first N authorizers of the list (`None`: every one).
    pub authorizers: Option<usize>,
    /// Refresh a token whose key has fewer seconds than this left.
    pub refresh_lead_secs: i64,
    /// How long to wait for the backend's lock held by another service.
    pub lock_wait: Duration,
}

/// Where a new ticket comes from (the simulator issues it, as its push would carry).
pub type TicketSource = Arc<dyn Fn() -> String + Send + Sync>;

/// One key written (never its value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WrittenKey {
    pub item: Item,
    pub authorizer_appid: Option<String>,
    pub key: String,
    /// `None`: written without a TTL.
    pub ttl_secs: Option<i64>,
}

/// What one round wrote, and what it left out.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PlayReport {
    pub written: Vec<WrittenKey>,
    /// Items this layout does not keep in Redis (the SDK keeps them in the application).
    pub not_kept: Vec<Item>,
    /// Authorizers listed without a refresh token (never exchanged through api_query_auth):
    /// no backend has a token for them either.
    pub without_refresh_token: usize,
}

struct Account {
    appid: String,
    refresh_token: String,
}

/// A backend played against the simulator, writing into one Redis.
pub struct PlayBackend {
    settings: PlaySettings,
    client: ComponentClient,
    store: RedisStore,
    layout: KeyLayout,
    new_ticket: TicketSource,
    accounts: tokio::sync::Mutex<Vec<Account>>,
}

impl PlayBackend {
    /// Connects to the Redis of `target`; nothing is written yet.
    pub async fn connect(
        settings: PlaySettings,
        target: RedisTarget<'_>,
        new_ticket: TicketSource,
    ) -> CoreResult<PlayBackend> {
        let client = ComponentClient::new(ClientConfig::with_api_base(settings.api_base.clone()))?;
        let store = RedisStore::open(target).await?;
        let layout = KeyLayout::preset(settings.preset, settings.prefix.as_deref());
        Ok(PlayBackend {
            settings,
            client,
            store,
            layout,
            new_ticket,
            accounts: tokio::sync::Mutex::new(Vec::new()),
        })
    }

    pub fn layout(&self) -> &KeyLayout {
        &self.layout
    }

    /// The first round, as a backend's start: the ticket, the component token, then every
    /// (or the first N) authorizer's token and refresh token.
    pub async fn write_all(&self) -> CoreResult<PlayReport> {
        let mut report = PlayReport {
            not_kept: Item::ALL
                .into_iter()
                .filter(|i| self.layout.template(*i).is_none())
                .collect(),
            ..PlayReport::default()
        };
        let ct = self.refresh_component(&mut report, true).await?;
        let mut accounts = self.accounts.lock().await;
        *accounts = self.list_accounts(&ct, &mut report).await?;
        for a in accounts.iter() {
            self.refresh_authorizer(&ct, a, &mut report, true).await?;
        }
        Ok(report)
    }

    /// One check, as the SDK's next use would: every token whose key is missing, expired or
    /// has less than the lead left is refreshed (under the lock, after a re-read: another
    /// service may have refreshed meanwhile, and then its token stays).
    pub async fn tick(&self) -> CoreResult<PlayReport> {
        let mut report = PlayReport::default();
        let ct = match self.due(Item::ComponentToken, None).await? {
            Some(token) => token,
            None => self.refresh_component(&mut report, false).await?,
        };
        let accounts = self.accounts.lock().await;
        for a in accounts.iter() {
            if self
                .due(Item::AuthorizerToken, Some(&a.appid))
                .await?
                .is_none()
            {
                self.refresh_authorizer(&ct, a, &mut report, false).await?;
            }
        }
        Ok(report)
    }

    /// The token under `item`'s key while it has more than the lead left; `None`: refresh it.
    async fn due(&self, item: Item, authorizer: Option<&str>) -> CoreResult<Option<String>> {
        match self
            .store
            .read(
                &self.layout,
                item,
                &self.settings.component_appid,
                authorizer,
            )
            .await
        {
            Ok(r) => {
                let left = match (r.ttl_secs, r.stored.expires_at) {
                    (Some(ttl), _) => ttl,
                    (None, Some(at)) => at - crate::clock::now(),
                    (None, None) => i64::MAX,
                };
                Ok((left > self.settings.refresh_lead_secs).then_some(r.stored.token))
            }
            Err(SharedStoreError::Missing { .. } | SharedStoreError::Expired { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// A new ticket (as a push brings one), then a component token fetched with it, both
    /// written. Unless `force`, the key is read again under the lock first: a token another
    /// service wrote meanwhile is kept (fetching would kill it).
    async fn refresh_component(&self, report: &mut PlayReport, force: bool) -> CoreResult<String> {
        let s = &self.settings;
        let lock = self.lock(Item::ComponentToken, None).await?;
        let result = async {
            if !force {
                if let Some(token) = self.due(Item::ComponentToken, None).await? {
                    return Ok(token);
                }
            }
            let ticket = (self.new_ticket)();
            if let Some(key) = self.layout.key(Item::Ticket, &s.component_appid, None) {
                let ttl = (s.preset == Preset::Wxjava).then_some(WXJAVA_TICKET_TTL_SECS);
                self.put(report, Item::Ticket, None, key, &ticket, 0, ttl)
                    .await?;
            }
            let fetched_at = crate::clock::now();
            let answer = self
                .client
                .component_token(&s.component_appid, &s.appsecret, &ticket)
                .await?;
            if let Some(key) = self
                .layout
                .key(Item::ComponentToken, &s.component_appid, None)
            {
                let ttl = answer.expires_in - self.layout.component_ttl_margin_secs;
                let at = crate::clock::expiry(fetched_at, answer.expires_in);
                self.put(
                    report,
                    Item::ComponentToken,
                    None,
                    key,
                    &answer.component_access_token,
                    at,
                    Some(ttl),
                )
                .await?;
            }
            Ok::<_, CoreError>(answer.component_access_token)
        }
        .await;
        self.unlock(lock).await?;
        result
    }

    /// The authorizers with a refresh token, first N, as api_get_authorizer_list pages them.
    async fn list_accounts(&self, ct: &str, report: &mut PlayReport) -> CoreResult<Vec<Account>> {
        let want = self.settings.authorizers.unwrap_or(usize::MAX);
        let mut out = Vec::new();
        let mut offset = 0u32;
        while out.len() < want {
            let page = self
                .client
                .authorizer_list(ct, &self.settings.component_appid, offset, LIST_PAGE)
                .await?;
            let n = page.list.len() as u32;
            for item in page.list {
                match item.refresh_token {
                    Some(r) if out.len() < want => out.push(Account {
                        appid: item.authorizer_appid,
                        refresh_token: r,
                    }),
                    Some(_) => {}
                    None if out.len() < want => report.without_refresh_token += 1,
                    None => {}
                }
            }
            offset += n;
            if n == 0 || i64::from(offset) >= page.total_count {
                break;
            }
        }
        Ok(out)
    }

    async fn refresh_authorizer(
        &self,
        ct: &str,
        a: &Account,
        report: &mut PlayReport,
        force: bool,
    ) -> CoreResult<()> {
        let s = &self.settings;
        let lock = self.lock(Item::AuthorizerToken, Some(&a.appid)).await?;
        let result = async {
            if !force
                && self
                    .due(Item::AuthorizerToken, Some(&a.appid))
                    .await?
                    .is_some()
            {
                return Ok(());
            }
            let fetched_at = crate::clock::now();
            let answer = self
                .client
                .authorizer_token(ct, &s.component_appid, &a.appid, &a.refresh_token)
                .await?;
            let at = crate::clock::expiry(fetched_at, answer.expires_in);
            if let Some(key) =
                self.layout
                    .key(Item::AuthorizerToken, &s.component_appid, Some(&a.appid))
            {
                let ttl = answer.expires_in - self.layout.authorizer_ttl_margin_secs;
                let token = &answer.authorizer_access_token;
                self.put(
                    report,
                    Item::AuthorizerToken,
                    Some(&a.appid),
                    key,
                    token,
                    at,
                    Some(ttl),
                )
                .await?;
            }
            // The refresh token has no TTL in any SDK's layout (it lives until re-authorization).
            let refresh = answer
                .authorizer_refresh_token
                .as_deref()
                .unwrap_or(&a.refresh_token);
            if let Some(key) = self.layout.key(
                Item::AuthorizerRefreshToken,
                &s.component_appid,
                Some(&a.appid),
            ) {
                let item = Item::AuthorizerRefreshToken;
                self.put(report, item, Some(&a.appid), key, refresh, 0, None)
                    .await?;
            }
            Ok::<_, CoreError>(())
        }
        .await;
        self.unlock(lock).await?;
        result
    }

    #[allow(clippy::too_many_arguments)]
    async fn put(
        &self,
        report: &mut PlayReport,
        item: Item,
        authorizer: Option<&str>,
        key: String,
        token: &str,
        expires_at: i64,
        ttl_secs: Option<i64>,
    ) -> CoreResult<()> {
        let value = self.layout.value.encode(token, expires_at);
        self.store.write(&key, &value, ttl_secs).await?;
        report.written.push(WrittenKey {
            item,
            authorizer_appid: authorizer.map(str::to_owned),
            key,
            ttl_secs: ttl_secs.map(|t| t.max(1)),
        });
        Ok(())
    }

    async fn lock(&self, item: Item, authorizer: Option<&str>) -> CoreResult<Option<HeldLock>> {
        match self
            .layout
            .lock_key(item, &self.settings.component_appid, authorizer)
        {
            Some(key) => Ok(Some(
                self.store
                    .lock(
                        &key,
                        crate::shared_store::redis_store::LOCK_LEASE,
                        self.settings.lock_wait,
                    )
                    .await?,
            )),
            None => Ok(None),
        }
    }

    async fn unlock(&self, lock: Option<HeldLock>) -> CoreResult<()> {
        if let Some(l) = lock {
            self.store.unlock(l).await?;
        }
        Ok(())
    }
}
