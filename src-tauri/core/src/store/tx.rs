//! Statements that run inside another table family's transaction: the authorizer row a token
//! or an authorization needs, the refresh token, the change counter the search index reads,
//! and the change log's rows (schema v8).
//! Every table family uses them, so they live apart from all of them.

use rusqlite::{params, Connection, OptionalExtension};

use super::error::{Ctx, StoreError};
use super::types::ChangeKind;

/// Moves `authorizer_changes.gen` of a profile on: called by every store write to a column the
/// index holds (an insert, or an update of nick_name, auth_time, search_text, kind, status,
/// verify_type or has_open), once per transaction, inside it. Deletes are still counted by
/// the v3 trigger (they are rare: a profile's removal).
pub(crate) fn bump_generation(tx: &Connection, profile_id: i64) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO authorizer_changes (profile_id, gen) VALUES (?1, 1)
         ON CONFLICT (profile_id) DO UPDATE SET gen = gen + 1",
    )
    .and_then(|mut s| s.execute([profile_id]))
    .ctx("count authorizer changes")?;
    Ok(())
}

/// `authorizer_changes.gen` of a profile (0 before its first change).
pub fn generation(c: &Connection, profile_id: i64) -> Result<i64, StoreError> {
    c.prepare_cached("SELECT gen FROM authorizer_changes WHERE profile_id = ?1")
        .and_then(|mut s| s.query_row([profile_id], |r| r.get(0)).optional())
        .ctx("read authorizer changes")
        .map(|g| g.unwrap_or(0))
}

/// Makes sure an authorizer row exists (tokens reference it). New rows are `authorized`.
/// Creates the row of an authorizer met outside a list sync (an authorization, a push). It counts
/// as seen by the sync running at that moment, if any: that run's list was read before the
/// account existed, and must not mark it revoked.
pub(crate) fn ensure_authorizer(
    tx: &Connection,
    profile_id: i64,
    appid: &str,
    t: i64,
) -> Result<(), StoreError> {
    let created = tx.prepare_cached(
        "INSERT INTO authorizers (profile_id, appid, status, status_changed_at, created_at, search_text, last_seen_sync_id)
         VALUES (?1, ?2, 'authorized', ?3, ?3, lower(?2), (SELECT id FROM sync_runs WHERE profile_id = ?1 AND state = 'running' ORDER BY id DESC LIMIT 1))
         ON CONFLICT(profile_id, appid) DO NOTHING",
    )
    .and_then(|mut s| s.execute(params![profile_id, appid, t]))
    .ctx("create authorizer")?;
    if created > 0 {
        bump_generation(tx, profile_id)?;
        // Met outside a list pass (an authorization, a token): new to this profile. The next
        // list pass takes the change into its sync (`Store::mark_unseen_revoked`).
        record_changes(
            tx,
            profile_id,
            None,
            appid,
            t,
            &[NewChange {
                kind: ChangeKind::Authorized,
                field: "status",
                old: None,
                new: Some("authorized".into()),
            }],
        )?;
    }
    Ok(())
}

/// Whether the caller's own statement already set `authorizers.has_refresh_token` for the token
/// [`put_refresh`] stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flag {
    /// Set by the caller (in the INSERT or UPDATE of the authorizers row it ran anyway).
    AlreadySet,
    /// `put_refresh` sets it when it stored a token.
    Set,
}

/// Upserts a non-empty refresh token; returns true when the stored one changed (or was new).
/// The store keeps `authorizers.has_refresh_token` itself (no trigger: docs/ARCHITECTURE.md,
/// schema v4); refresh tokens are only deleted with their account, so the flag never goes back
/// to 0.
pub(crate) fn put_refresh(
    tx: &Connection,
    profile_id: i64,
    appid: &str,
    refresh_token: &str,
    t: i64,
    flag: Flag,
) -> Result<bool, StoreError> {
    if refresh_token.is_empty() {
        return Ok(false);
    }
    let n = tx
        .prepare_cached(
            "INSERT INTO authorizer_tokens (profile_id, appid, refresh_token, updated_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(profile_id, appid) DO UPDATE SET
                 refresh_token = CASE WHEN excluded.refresh_token <> '' THEN excluded.refresh_token ELSE refresh_token END,
                 updated_at = excluded.updated_at
             WHERE refresh_token <> excluded.refresh_token AND excluded.refresh_token <> ''",
        )
        .and_then(|mut s| s.execute(params![profile_id, appid, refresh_token, t]))
        .ctx("store refresh token")?;
    if n > 0 && flag == Flag::Set {
        tx.prepare_cached(
            "UPDATE authorizers SET has_refresh_token = 1
             WHERE profile_id = ?1 AND appid = ?2 AND has_refresh_token = 0",
        )
        .and_then(|mut s| s.execute(params![profile_id, appid]))
        .ctx("flag the refresh token")?;
    }
    Ok(n > 0)
}

/// One change to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewChange {
    pub kind: ChangeKind,
    pub field: &'static str,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// Writes `changes` of `appid` to the change log (schema v8, `store::change_log`), inside the
/// caller's transaction.
pub(crate) fn record_changes(
    tx: &Connection,
    profile_id: i64,
    sync_id: Option<i64>,
    appid: &str,
    at: i64,
    changes: &[NewChange],
) -> Result<(), StoreError> {
    if changes.is_empty() {
        return Ok(());
    }
    let mut s = tx
        .prepare_cached(
            "INSERT INTO authorizer_change_log (profile_id, sync_run_id, appid, kind, field, old, new, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .ctx("record a change")?;
    for c in changes {
        s.execute(params![
            profile_id, sync_id, appid, c.kind, c.field, c.old, c.new, at
        ])
        .ctx("record a change")?;
    }
    Ok(())
}
