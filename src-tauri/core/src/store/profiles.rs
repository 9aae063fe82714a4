//! `profiles` and `settings` (the selected profile).

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::db::Store;
use super::error::{is_unique_violation, Ctx, StoreError};
use super::text_enum::text_enum;
use crate::clock::now;
use crate::shared_store::SharedSource;

text_enum! {
    /// Where a profile's tokens come from (DESIGN "Token lifecycle"): `local` fetches and caches
    /// them; `shared` borrows a backend's (`ProfileRow::shared_source` says where).
    pub enum TokenSourceKind { Local => "local", Shared => "shared" }
}

text_enum! {
    /// Which option API a profile uses: the legacy `api_get_authorizer_option` or the v2 one.
    pub enum OptionApi { Legacy => "legacy", V2 => "v2" }
}

/// A stored profile. No secrets here: those are in the keychain under `component_appid`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ProfileRow {
    pub id: i64,
    pub name: String,
    pub component_appid: String,
    pub api_base: String,
    pub proxy: Option<String>,
    pub is_sandbox: bool,
    pub token_source: TokenSourceKind,
    pub option_api: OptionApi,
    /// The last redirect URI used for authorization links (remembered for the next one).
    pub redirect_uri: Option<String>,
    /// Where a `shared` profile's tokens are (no secrets: those are in the keychain).
    pub shared_source: Option<SharedSource>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProfile {
    pub name: String,
    pub component_appid: String,
    pub api_base: String,
    pub proxy: Option<String>,
    pub is_sandbox: bool,
    pub token_source: TokenSourceKind,
    pub option_api: OptionApi,
    pub redirect_uri: Option<String>,
    pub shared_source: Option<SharedSource>,
}

/// Fields to change; `None` keeps the stored value. `Some(None)` clears a nullable field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileUpdate {
    pub name: Option<String>,
    pub api_base: Option<String>,
    pub proxy: Option<Option<String>>,
    pub token_source: Option<TokenSourceKind>,
    pub option_api: Option<OptionApi>,
    pub redirect_uri: Option<Option<String>>,
    pub shared_source: Option<Option<SharedSource>>,
}

/// Settings key of the selected profile id.
pub const SELECTED_PROFILE_KEY: &str = "selected_profile";

const COLS: &str = "id, name, component_appid, api_base, proxy, is_sandbox, token_source, option_api, redirect_uri, created_at, updated_at, shared_source";

fn row(r: &Row<'_>) -> rusqlite::Result<ProfileRow> {
    Ok(ProfileRow {
        id: r.get(0)?,
        name: r.get(1)?,
        component_appid: r.get(2)?,
        api_base: r.get(3)?,
        proxy: r.get(4)?,
        is_sandbox: r.get(5)?,
        token_source: r.get(6)?,
        option_api: r.get(7)?,
        redirect_uri: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
        shared_source: match r.get::<_, Option<String>>(11)? {
            None => None,
            Some(json) => Some(serde_json::from_str(&json).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(11, rusqlite::types::Type::Text, Box::new(e))
            })?),
        },
    })
}

fn source_json(source: Option<&SharedSource>) -> Option<String> {
    source.map(|s| serde_json::to_string(s).expect("a SharedSource always serializes"))
}

fn conflict(err: rusqlite::Error, name: &str, appid: &str) -> StoreError {
    if is_unique_violation(&err) {
        let msg = err.to_string();
        if msg.contains("component_appid") {
            StoreError::Conflict(format!(
                "a profile for component appid {appid} already exists"
            ))
        } else {
            StoreError::Conflict(format!("a profile named {name:?} already exists"))
        }
    } else {
        StoreError::Sqlite {
            context: "write profile".into(),
            source: err,
        }
    }
}

impl Store {
    /// Inserts a profile; `Conflict` when the name or the component appid is taken.
    pub fn profile_insert(&self, p: &NewProfile) -> Result<ProfileRow, StoreError> {
        let t = now();
        self.with_write(|c| {
            let id = c
                .execute(
                    "INSERT INTO profiles (name, component_appid, api_base, proxy, is_sandbox, token_source, option_api, redirect_uri, created_at, updated_at, shared_source)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)",
                    params![p.name, p.component_appid, p.api_base, p.proxy, p.is_sandbox, p.token_source, p.option_api, p.redirect_uri, t, source_json(p.shared_source.as_ref())],
                )
                .map(|_| c.last_insert_rowid())
                .map_err(|e| conflict(e, &p.name, &p.component_appid))?;
            c.query_row(&format!("SELECT {COLS} FROM profiles WHERE id = ?1"), [id], row)
                .ctx("read profile")
        })
    }

    /// All profiles, by name.
    pub fn profiles_list(&self) -> Result<Vec<ProfileRow>, StoreError> {
        self.with_read(|c| {
            let mut s = c
                .prepare_cached(&format!("SELECT {COLS} FROM profiles ORDER BY name"))
                .ctx("list profiles")?;
            let rows = s.query_map([], row).ctx("list profiles")?;
            rows.collect::<Result<Vec<_>, _>>().ctx("list profiles")
        })
    }

    pub fn profile_get(&self, id: i64) -> Result<Option<ProfileRow>, StoreError> {
        self.with_read(|c| {
            c.query_row(
                &format!("SELECT {COLS} FROM profiles WHERE id = ?1"),
                [id],
                row,
            )
            .optional()
            .ctx("read profile")
        })
    }

    pub fn profile_by_name(&self, name: &str) -> Result<Option<ProfileRow>, StoreError> {
        self.with_read(|c| {
            c.query_row(
                &format!("SELECT {COLS} FROM profiles WHERE name = ?1"),
                [name],
                row,
            )
            .optional()
            .ctx("read profile")
        })
    }

    pub fn profile_by_appid(
        &self,
        component_appid: &str,
    ) -> Result<Option<ProfileRow>, StoreError> {
        self.with_read(|c| {
            c.query_row(
                &format!("SELECT {COLS} FROM profiles WHERE component_appid = ?1"),
                [component_appid],
                row,
            )
            .optional()
            .ctx("read profile")
        })
    }

    /// Changes the given fields; `NotFound` for an unknown id, `Conflict` for a taken name.
    pub fn profile_update(&self, id: i64, u: &ProfileUpdate) -> Result<ProfileRow, StoreError> {
        let t = now();
        self.in_tx(|tx| {
            let cur = tx
                .query_row(&format!("SELECT {COLS} FROM profiles WHERE id = ?1"), [id], row)
                .optional()
                .ctx("read profile")?
                .ok_or_else(|| StoreError::NotFound(format!("profile {id}")))?;
            let name = u.name.clone().unwrap_or(cur.name.clone());
            tx.execute(
                "UPDATE profiles SET name = ?2, api_base = ?3, proxy = ?4, token_source = ?5, option_api = ?6, redirect_uri = ?7, updated_at = ?8, shared_source = ?9 WHERE id = ?1",
                params![
                    id,
                    name,
                    u.api_base.as_ref().unwrap_or(&cur.api_base),
                    u.proxy.as_ref().unwrap_or(&cur.proxy),
                    u.token_source.unwrap_or(cur.token_source),
                    u.option_api.unwrap_or(cur.option_api),
                    u.redirect_uri.as_ref().unwrap_or(&cur.redirect_uri),
                    t,
                    source_json(u.shared_source.as_ref().unwrap_or(&cur.shared_source).as_ref()),
                ],
            )
            .map_err(|e| conflict(e, &name, &cur.component_appid))?;
            tx.query_row(&format!("SELECT {COLS} FROM profiles WHERE id = ?1"), [id], row)
                .ctx("read profile")
        })
    }

    /// Deletes a profile and (by cascade) everything stored for it; clears the selection if it
    /// was selected. Keychain entries are the service's job. Returns whether it existed.
    pub fn profile_delete(&self, id: i64) -> Result<bool, StoreError> {
        let existed = self.in_tx(|tx| {
            let n = tx
                .execute("DELETE FROM profiles WHERE id = ?1", [id])
                .ctx("delete profile")?;
            tx.execute(
                "DELETE FROM settings WHERE key = ?1 AND value = ?2",
                params![SELECTED_PROFILE_KEY, id.to_string()],
            )
            .ctx("clear selection")?;
            Ok(n > 0)
        })?;
        // The WAL still holds the pages as they were before the delete (tickets, tokens);
        // secure_delete zeroed them in the new versions, a checkpoint makes those the only ones.
        // Best effort: a reader in another process can keep the checkpoint from finishing, and
        // the next one (SQLite's own, or the next removal) completes it.
        if let Err(e) = self.checkpoint() {
            tracing::warn!("checkpoint after removing profile {id}: {e}");
        }
        Ok(existed)
    }

    /// The selected profile, if one is selected and still exists.
    pub fn selected_profile(&self) -> Result<Option<ProfileRow>, StoreError> {
        self.with_read(|c| {
            c.query_row(
                &format!(
                    "SELECT {COLS} FROM profiles WHERE id = (SELECT CAST(value AS INTEGER) FROM settings WHERE key = ?1)"
                ),
                [SELECTED_PROFILE_KEY],
                row,
            )
            .optional()
            .ctx("read selected profile")
        })
    }

    /// Selects a profile (`None` clears the selection); `NotFound` for an unknown id.
    pub fn select_profile(&self, id: Option<i64>) -> Result<(), StoreError> {
        self.in_tx(|tx| {
            match id {
                Some(id) => {
                    let exists: bool = tx
                        .query_row("SELECT EXISTS(SELECT 1 FROM profiles WHERE id = ?1)", [id], |r| r.get(0))
                        .ctx("read profile")?;
                    if !exists {
                        return Err(StoreError::NotFound(format!("profile {id}")));
                    }
                    tx.execute(
                        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        params![SELECTED_PROFILE_KEY, id.to_string()],
                    )
                    .ctx("select profile")?;
                }
                None => {
                    tx.execute("DELETE FROM settings WHERE key = ?1", [SELECTED_PROFILE_KEY])
                        .ctx("clear selection")?;
                }
            }
            Ok(())
        })
    }

    pub fn setting_get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.with_read(|c| {
            c.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .ctx("read setting")
        })
    }

    pub fn setting_set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.with_write(|c| {
            c.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .ctx("write setting")?;
            Ok(())
        })
    }

    pub fn setting_delete(&self, key: &str) -> Result<(), StoreError> {
        self.with_write(|c| {
            c.execute("DELETE FROM settings WHERE key = ?1", [key])
                .ctx("delete setting")?;
            Ok(())
        })
    }
}
