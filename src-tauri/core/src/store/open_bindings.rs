//! `open_bindings`: which open platform account an authorizer is bound to (`authorizers.has_open`
//! is kept in step).

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::db::Store;
use super::error::{Ctx, StoreError};
use super::tx::bump_generation;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct OpenBindingRow {
    pub appid: String,
    /// `None`: checked, not bound.
    pub open_appid: Option<String>,
    pub checked_at: i64,
}

impl Store {
    pub fn open_binding_get(
        &self,
        profile_id: i64,
        appid: &str,
    ) -> Result<Option<OpenBindingRow>, StoreError> {
        self.with_read(|c| {
            c.query_row(
                "SELECT appid, open_appid, checked_at FROM open_bindings WHERE profile_id = ?1 AND appid = ?2",
                params![profile_id, appid],
                |r| {
                    Ok(OpenBindingRow {
                        appid: r.get(0)?,
                        open_appid: r.get(1)?,
                        checked_at: r.get(2)?,
                    })
                },
            )
            .optional()
            .ctx("read open binding")
        })
    }

    /// Records the binding as checked now (`open_appid` `None`: not bound).
    pub fn open_binding_put(
        &self,
        profile_id: i64,
        appid: &str,
        open_appid: Option<&str>,
        checked_at: i64,
    ) -> Result<(), StoreError> {
        self.in_tx(|tx| {
            tx.execute(
                "INSERT INTO open_bindings (profile_id, appid, open_appid, checked_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(profile_id, appid) DO UPDATE SET open_appid = excluded.open_appid, checked_at = excluded.checked_at",
                params![profile_id, appid, open_appid, checked_at],
            )
            .ctx("store open binding")?;
            let changed = tx
                .execute(
                    "UPDATE authorizers SET has_open = ?3
                     WHERE profile_id = ?1 AND appid = ?2 AND has_open IS NOT ?3",
                    params![profile_id, appid, open_appid.is_some()],
                )
                .ctx("store open binding")?;
            if changed > 0 {
                bump_generation(tx, profile_id)?;
            }
            Ok(())
        })
    }

    /// Forgets what we knew (binding unknown again).
    pub fn open_binding_clear(&self, profile_id: i64, appid: &str) -> Result<(), StoreError> {
        self.in_tx(|tx| {
            tx.execute(
                "DELETE FROM open_bindings WHERE profile_id = ?1 AND appid = ?2",
                params![profile_id, appid],
            )
            .ctx("clear open binding")?;
            let changed = tx
                .execute(
                    "UPDATE authorizers SET has_open = NULL
                     WHERE profile_id = ?1 AND appid = ?2 AND has_open IS NOT NULL",
                    params![profile_id, appid],
                )
                .ctx("clear open binding")?;
            if changed > 0 {
                bump_generation(tx, profile_id)?;
            }
            Ok(())
        })
    }
}
