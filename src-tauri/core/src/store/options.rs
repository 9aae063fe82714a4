//! `options_cache`: the last known value of each authorizer option.

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::db::Store;
use super::error::{Ctx, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct OptionRow {
    pub appid: String,
    pub name: String,
    pub value: String,
    pub fetched_at: i64,
}

fn row(r: &Row<'_>) -> rusqlite::Result<OptionRow> {
    Ok(OptionRow {
        appid: r.get(0)?,
        name: r.get(1)?,
        value: r.get(2)?,
        fetched_at: r.get(3)?,
    })
}

impl Store {
    pub fn option_get(
        &self,
        profile_id: i64,
        appid: &str,
        name: &str,
    ) -> Result<Option<OptionRow>, StoreError> {
        self.with_read(|c| {
            c.query_row(
                "SELECT appid, name, value, fetched_at FROM options_cache WHERE profile_id = ?1 AND appid = ?2 AND name = ?3",
                params![profile_id, appid, name],
                row,
            )
            .optional()
            .ctx("read option")
        })
    }

    pub fn option_put(
        &self,
        profile_id: i64,
        appid: &str,
        name: &str,
        value: &str,
        fetched_at: i64,
    ) -> Result<(), StoreError> {
        self.with_write(|c| {
            c.execute(
                "INSERT INTO options_cache (profile_id, appid, name, value, fetched_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(profile_id, appid, name) DO UPDATE SET value = excluded.value, fetched_at = excluded.fetched_at",
                params![profile_id, appid, name, value, fetched_at],
            )
            .ctx("store option")?;
            Ok(())
        })
    }

    /// Cached options of one authorizer, by name.
    pub fn options_list(&self, profile_id: i64, appid: &str) -> Result<Vec<OptionRow>, StoreError> {
        self.with_read(|c| {
            let mut s = c
                .prepare_cached(
                    "SELECT appid, name, value, fetched_at FROM options_cache WHERE profile_id = ?1 AND appid = ?2 ORDER BY name",
                )
                .ctx("list options")?;
            let rows = s.query_map(params![profile_id, appid], row).ctx("list options")?;
            rows.collect::<Result<Vec<_>, _>>().ctx("list options")
        })
    }
}
