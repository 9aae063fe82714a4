//! What the Health page asks of the cache beyond `authorizer_counts`: the accounts whose state
//! changed after a moment (the previous sync), and the commonest errcodes of the audit log.
//! A handful of aggregate queries, each one statement on the read connection.

use rusqlite::{params, Row};
use serde::Serialize;

use super::db::Store;
use super::error::{Ctx, StoreError};

/// One account in a Health list (the first few of a group; the count says how many in all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct HealthAccount {
    pub appid: String,
    pub nick_name: String,
    /// When it entered the group (status change or first seen), Unix seconds.
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct AccountGroup {
    pub count: u64,
    pub first: Vec<HealthAccount>,
}

/// An errcode of the audit log, with how often and when last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ErrcodeCount {
    pub errcode: i64,
    pub count: u64,
    pub last_at: i64,
    /// The endpoint of its newest occurrence.
    pub endpoint: String,
}

fn account(r: &Row<'_>) -> rusqlite::Result<HealthAccount> {
    Ok(HealthAccount {
        appid: r.get(0)?,
        nick_name: r.get(1)?,
        at: r.get(2)?,
    })
}

impl Store {
    /// Accounts the list of sync `sync_id` (or a later one) still carried that are revoked now:
    /// by sync ids rather than times, so two syncs within one second are still told apart.
    pub fn health_revoked_since_sync(
        &self,
        profile_id: i64,
        sync_id: i64,
        limit: u32,
    ) -> Result<AccountGroup, StoreError> {
        self.group(
            "SELECT count(*) FROM authorizers
             WHERE profile_id = ?1 AND status = 'revoked' AND last_seen_sync_id >= ?2",
            "SELECT appid, nick_name, status_changed_at FROM authorizers
             WHERE profile_id = ?1 AND status = 'revoked' AND last_seen_sync_id >= ?2
             ORDER BY status_changed_at DESC, appid LIMIT ?3",
            params![profile_id, sync_id],
            params![profile_id, sync_id, limit],
        )
    }

    /// Authorized accounts first stored after `since` (newest first).
    pub fn health_new_since(
        &self,
        profile_id: i64,
        since: i64,
        limit: u32,
    ) -> Result<AccountGroup, StoreError> {
        self.group(
            "SELECT count(*) FROM authorizers
             WHERE profile_id = ?1 AND status = 'authorized' AND created_at > ?2",
            "SELECT appid, nick_name, created_at FROM authorizers
             WHERE profile_id = ?1 AND status = 'authorized' AND created_at > ?2
             ORDER BY created_at DESC, appid LIMIT ?3",
            params![profile_id, since],
            params![profile_id, since, limit],
        )
    }

    /// Accounts in `status` (newest change first).
    pub fn health_in_status(
        &self,
        profile_id: i64,
        status: &str,
        limit: u32,
    ) -> Result<AccountGroup, StoreError> {
        self.group(
            "SELECT count(*) FROM authorizers WHERE profile_id = ?1 AND status = ?2",
            "SELECT appid, nick_name, status_changed_at FROM authorizers
             WHERE profile_id = ?1 AND status = ?2
             ORDER BY status_changed_at DESC, appid LIMIT ?3",
            params![profile_id, status],
            params![profile_id, status, limit],
        )
    }

    fn group(
        &self,
        count_sql: &str,
        rows_sql: &str,
        count_args: &[&dyn rusqlite::ToSql],
        rows_args: &[&dyn rusqlite::ToSql],
    ) -> Result<AccountGroup, StoreError> {
        self.with_read(|c| {
            let count: i64 = c
                .prepare_cached(count_sql)
                .and_then(|mut s| s.query_row(count_args, |r| r.get(0)))
                .ctx("count accounts for health")?;
            let first = c
                .prepare_cached(rows_sql)
                .and_then(|mut s| {
                    s.query_map(rows_args, account)?
                        .collect::<Result<Vec<_>, _>>()
                })
                .ctx("list accounts for health")?;
            Ok(AccountGroup {
                count: count as u64,
                first,
            })
        })
    }

    /// The commonest errcodes (not 0) of the profile's calls at or after `since`.
    pub fn audit_top_errcodes(
        &self,
        profile_id: i64,
        since: i64,
        limit: u32,
    ) -> Result<Vec<ErrcodeCount>, StoreError> {
        self.with_read(|c| {
            c.prepare_cached(
                "SELECT errcode, count(*), max(at),
                        (SELECT endpoint FROM audit_log b
                         WHERE b.profile_id = ?1 AND b.errcode = a.errcode AND b.at >= ?2
                         ORDER BY b.id DESC LIMIT 1)
                 FROM audit_log a
                 WHERE profile_id = ?1 AND at >= ?2 AND errcode IS NOT NULL AND errcode <> 0
                 GROUP BY errcode ORDER BY count(*) DESC, errcode LIMIT ?3",
            )
            .and_then(|mut s| {
                s.query_map(params![profile_id, since, limit], |r| {
                    Ok(ErrcodeCount {
                        errcode: r.get(0)?,
                        count: r.get::<_, i64>(1)? as u64,
                        last_at: r.get(2)?,
                        endpoint: r.get(3)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()
            })
            .ctx("count errcodes for health")
        })
    }
}
