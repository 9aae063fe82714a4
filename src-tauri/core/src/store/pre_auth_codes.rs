//! `pre_auth_codes`: issued pre-auth codes with their authorization links and expiry.

use rusqlite::{params, Row};
use serde::Serialize;

use super::db::Store;
use super::error::{Ctx, StoreError};
use crate::clock::now;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPreAuthCode {
    pub profile_id: i64,
    pub code: String,
    pub expires_at: i64,
    pub auth_type: Option<i64>,
    pub biz_appid: Option<String>,
    pub redirect_uri: String,
    pub pc_link: String,
    pub mobile_link: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct PreAuthCodeRow {
    pub id: i64,
    pub profile_id: i64,
    pub code: String,
    pub expires_at: i64,
    pub used: bool,
    pub used_at: Option<i64>,
    pub auth_type: Option<i64>,
    pub biz_appid: Option<String>,
    pub redirect_uri: String,
    pub pc_link: String,
    pub mobile_link: String,
    pub created_at: i64,
}

const COLS: &str = "id, profile_id, code, expires_at, used, used_at, auth_type, biz_appid, redirect_uri, pc_link, mobile_link, created_at";

fn row(r: &Row<'_>) -> rusqlite::Result<PreAuthCodeRow> {
    Ok(PreAuthCodeRow {
        id: r.get(0)?,
        profile_id: r.get(1)?,
        code: r.get(2)?,
        expires_at: r.get(3)?,
        used: r.get(4)?,
        used_at: r.get(5)?,
        auth_type: r.get(6)?,
        biz_appid: r.get(7)?,
        redirect_uri: r.get(8)?,
        pc_link: r.get(9)?,
        mobile_link: r.get(10)?,
        created_at: r.get(11)?,
    })
}

impl Store {
    pub fn pre_auth_code_insert(&self, p: &NewPreAuthCode) -> Result<PreAuthCodeRow, StoreError> {
        let t = now();
        self.with_write(|c| {
            c.execute(
                "INSERT INTO pre_auth_codes (profile_id, code, expires_at, auth_type, biz_appid, redirect_uri, pc_link, mobile_link, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![p.profile_id, p.code, p.expires_at, p.auth_type, p.biz_appid, p.redirect_uri, p.pc_link, p.mobile_link, t],
            )
            .ctx("store pre-auth code")?;
            c.query_row(
                &format!("SELECT {COLS} FROM pre_auth_codes WHERE id = ?1"),
                [c.last_insert_rowid()],
                row,
            )
            .ctx("read pre-auth code")
        })
    }

    /// The newest codes of a profile first.
    pub fn pre_auth_codes_list(
        &self,
        profile_id: i64,
        limit: u32,
    ) -> Result<Vec<PreAuthCodeRow>, StoreError> {
        self.with_read(|c| {
            let mut s = c
                .prepare_cached(&format!(
                    "SELECT {COLS} FROM pre_auth_codes WHERE profile_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2"
                ))
                .ctx("list pre-auth codes")?;
            let rows = s
                .query_map(params![profile_id, limit], row)
                .ctx("list pre-auth codes")?;
            rows.collect::<Result<Vec<_>, _>>().ctx("list pre-auth codes")
        })
    }

    /// Marks a code used (it is single-use); returns false if unknown or already used.
    pub fn pre_auth_code_mark_used(&self, profile_id: i64, code: &str) -> Result<bool, StoreError> {
        let t = now();
        self.with_write(|c| {
            c.execute(
                "UPDATE pre_auth_codes SET used = 1, used_at = ?3 WHERE profile_id = ?1 AND code = ?2 AND used = 0",
                params![profile_id, code, t],
            )
            .ctx("mark pre-auth code used")
            .map(|n| n > 0)
        })
    }
}
