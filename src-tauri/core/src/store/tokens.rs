//! `component_tokens` and `authorizer_tokens`.
//!
//! Refresh tokens are never replaced by an empty one: the column is `NOT NULL CHECK (<> '')`,
//! and every write path skips empty values.

use rusqlite::{params, OptionalExtension, Row};

use super::db::Store;
use super::error::{Ctx, StoreError};
use super::tx::{ensure_authorizer, put_refresh, Flag};
use crate::clock::now;
use crate::secrets::Sensitive;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentTokenRow {
    pub profile_id: i64,
    pub token: Sensitive<String>,
    pub expires_at: i64,
    pub fetched_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizerTokenRow {
    pub profile_id: i64,
    pub appid: String,
    pub access_token: Option<Sensitive<String>>,
    pub expires_at: Option<i64>,
    pub refresh_token: Sensitive<String>,
    pub updated_at: i64,
}

fn auth_row(r: &Row<'_>) -> rusqlite::Result<AuthorizerTokenRow> {
    Ok(AuthorizerTokenRow {
        profile_id: r.get(0)?,
        appid: r.get(1)?,
        access_token: r.get::<_, Option<String>>(2)?.map(Sensitive::new),
        expires_at: r.get(3)?,
        refresh_token: Sensitive::new(r.get(4)?),
        updated_at: r.get(5)?,
    })
}

impl Store {
    pub fn component_token_get(
        &self,
        profile_id: i64,
    ) -> Result<Option<ComponentTokenRow>, StoreError> {
        self.with_read(|c| {
            c.query_row(
                "SELECT profile_id, token, expires_at, fetched_at FROM component_tokens WHERE profile_id = ?1",
                [profile_id],
                |r| {
                    Ok(ComponentTokenRow {
                        profile_id: r.get(0)?,
                        token: Sensitive::new(r.get(1)?),
                        expires_at: r.get(2)?,
                        fetched_at: r.get(3)?,
                    })
                },
            )
            .optional()
            .ctx("read component token")
        })
    }

    pub fn component_token_put(
        &self,
        profile_id: i64,
        token: &str,
        expires_at: i64,
        fetched_at: i64,
    ) -> Result<(), StoreError> {
        self.with_write(|c| {
            c.execute(
                "INSERT INTO component_tokens (profile_id, token, expires_at, fetched_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(profile_id) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at, fetched_at = excluded.fetched_at",
                params![profile_id, token, expires_at, fetched_at],
            )
            .ctx("store component token")?;
            Ok(())
        })
    }

    pub fn component_token_clear(&self, profile_id: i64) -> Result<(), StoreError> {
        self.with_write(|c| {
            c.execute(
                "DELETE FROM component_tokens WHERE profile_id = ?1",
                [profile_id],
            )
            .ctx("clear component token")?;
            Ok(())
        })
    }

    /// The token row of an authorizer (absent when no refresh token is known).
    pub fn authorizer_token_get(
        &self,
        profile_id: i64,
        appid: &str,
    ) -> Result<Option<AuthorizerTokenRow>, StoreError> {
        self.with_read(|c| {
            c.query_row(
                "SELECT profile_id, appid, access_token, expires_at, refresh_token, updated_at
                 FROM authorizer_tokens WHERE profile_id = ?1 AND appid = ?2",
                params![profile_id, appid],
                auth_row,
            )
            .optional()
            .ctx("read authorizer token")
        })
    }

    /// Stores a fresh access token (and the refresh token WeChat returned with it, when not
    /// empty). Creates the authorizer row if needed. Without a refresh token (given or stored)
    /// there is nothing to attach the access token to: `NotFound`.
    pub fn authorizer_token_put_access(
        &self,
        profile_id: i64,
        appid: &str,
        access_token: &str,
        expires_at: i64,
        refresh_token: Option<&str>,
    ) -> Result<(), StoreError> {
        let t = now();
        let refresh_token = refresh_token.filter(|r| !r.is_empty());
        // A refresh token from api_query_auth or api_authorizer_token may not be given twice.
        let body = |tx: &rusqlite::Transaction<'_>| {
            ensure_authorizer(tx, profile_id, appid, t)?;
            if let Some(rt) = refresh_token {
                put_refresh(tx, profile_id, appid, rt, t, Flag::Set)?;
            }
            let n = tx
                .execute(
                    "UPDATE authorizer_tokens SET access_token = ?3, expires_at = ?4, updated_at = ?5
                     WHERE profile_id = ?1 AND appid = ?2",
                    params![profile_id, appid, access_token, expires_at, t],
                )
                .ctx("store access token")?;
            if n == 0 {
                return Err(StoreError::NotFound(format!(
                    "refresh token of authorizer {appid}"
                )));
            }
            Ok(())
        };
        match refresh_token {
            Some(_) => self.in_durable_tx(body),
            None => self.in_tx(body),
        }
    }

    /// Stores a refresh token (ignored when empty). Creates the authorizer row if needed.
    /// Returns whether the stored token changed.
    pub fn authorizer_token_put_refresh(
        &self,
        profile_id: i64,
        appid: &str,
        refresh_token: &str,
    ) -> Result<bool, StoreError> {
        let t = now();
        // Durable: the token may be the one api_query_auth answered with, never given again.
        self.in_durable_tx(|tx| {
            ensure_authorizer(tx, profile_id, appid, t)?;
            put_refresh(tx, profile_id, appid, refresh_token, t, Flag::Set)
        })
    }

    /// Drops the cached access token (after 40001/42001 or a re-authorization); keeps the
    /// refresh token.
    pub fn authorizer_token_clear_access(
        &self,
        profile_id: i64,
        appid: &str,
    ) -> Result<(), StoreError> {
        self.with_write(|c| {
            c.execute(
                "UPDATE authorizer_tokens SET access_token = NULL, expires_at = NULL WHERE profile_id = ?1 AND appid = ?2",
                params![profile_id, appid],
            )
            .ctx("clear access token")?;
            Ok(())
        })
    }

    /// Drops every cached authorizer access token of a profile.
    pub fn authorizer_tokens_clear_access_all(&self, profile_id: i64) -> Result<usize, StoreError> {
        self.with_write(|c| {
            c.execute(
                "UPDATE authorizer_tokens SET access_token = NULL, expires_at = NULL WHERE profile_id = ?1 AND access_token IS NOT NULL",
                [profile_id],
            )
            .ctx("clear access tokens")
        })
    }
}
