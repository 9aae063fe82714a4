//! `authorizers` and `authorizer_details` (raw answer and permissions, schema v4): the synced
//! accounts and their search.
//!
//! - Listing (`api_get_authorizer_list`) upserts rows in one transaction per page of at most
//!   [`PAGE_ROWS`]; a refresh token is never replaced by an empty one; an entry without a refresh
//!   token is kept (`has_refresh_token = false`, see [`Store::authorizers_missing_refresh_token`]).
//! - After a completed full list sync, rows not seen in it are marked `revoked` (never deleted).
//! - Search: `search_text` holds the lowercased nick_name, appid, user_name (gh_…), alias and
//!   principal_name; a query (lowercased in Rust, so Chinese and other non-ASCII text fold too)
//!   matches it as a plain substring (`instr`, so `%`/`_` are literal), then filters, sort and
//!   page. [`Store::search_authorizers`] answers from the profile's in-memory index
//!   ([`super::search_index`]: rebuilt when the `authorizer_changes` counter moved, whoever
//!   wrote), and reads only the rows of the page. [`Store::search_authorizers_sql`] does it all
//!   in SQLite (the covering index `authorizers_filter`), an order of magnitude slower: the
//!   fallback, and the reference of the tests.

use std::sync::Arc;

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, OptionalExtension, Row};
use serde::Serialize;

use super::change_log::{self, ChangeKind, DetailsBefore};
use super::db::{shrink_page_cache, Store};
use super::error::{Ctx, StoreError};
use super::permissions;
use super::search_index::{Lookup, SearchIndex};
use super::tx::{
    bump_generation, ensure_authorizer, generation, put_refresh, record_changes, Flag, NewChange,
};
use super::types::{AuthorizerQuery, Kind, Permission, Sort, Status};
use crate::clock::now;

/// Rows per upsert transaction (the list API's page size).
pub const PAGE_ROWS: usize = 500;

/// One entry of `api_get_authorizer_list`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListedAuthorizer {
    pub appid: String,
    /// `None` or empty: the list did not return one (the stored one, if any, is kept).
    pub refresh_token: Option<String>,
    pub auth_time: Option<i64>,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, specta::Type)]
pub struct UpsertSummary {
    pub inserted: u64,
    pub updated: u64,
    /// Entries that came without a refresh token.
    pub missing_refresh_token: u64,
    /// Entries whose stored refresh token was new or changed.
    pub refresh_tokens_changed: u64,
}

/// Everything `api_get_authorizer_info` (or query_auth + info) tells about an account.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthorizerInfoRecord {
    pub nick_name: String,
    pub head_img: String,
    pub kind: Option<Kind>,
    pub service_type: Option<i64>,
    pub verify_type: Option<i64>,
    /// Original id, `gh_…`.
    pub user_name: String,
    pub principal_name: String,
    pub alias: String,
    pub qrcode_url: String,
    /// Kept when `None`.
    pub auth_time: Option<i64>,
    /// The raw answer as JSON text (no tokens in it: strip `authorizer_refresh_token` first).
    pub raw_info: String,
    /// Replaces the stored permissions.
    pub func_info: Vec<Permission>,
    /// `authorization_info.authorizer_refresh_token`, stored when not empty.
    pub refresh_token: Option<String>,
    pub fetched_at: i64,
}

/// A row of the authorizers table, as the UI lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct AuthorizerRow {
    pub appid: String,
    pub nick_name: String,
    pub head_img: String,
    pub kind: Option<Kind>,
    pub service_type: Option<i64>,
    pub verify_type: Option<i64>,
    pub user_name: String,
    pub principal_name: String,
    pub alias: String,
    pub qrcode_url: String,
    pub auth_time: Option<i64>,
    pub status: Status,
    pub status_changed_at: i64,
    /// Bound to an open platform account: `None` until checked.
    pub has_open: Option<bool>,
    pub has_refresh_token: bool,
    pub info_fetched_at: Option<i64>,
    /// Why the last details fetch failed, if it did.
    pub details_error: Option<String>,
    pub listed_at: Option<i64>,
}

/// One authorizer with its raw info and permissions (the detail drawer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct AuthorizerDetail {
    pub authorizer: AuthorizerRow,
    /// The raw `api_get_authorizer_info` answer (JSON text).
    pub raw_info: Option<String>,
    pub permissions: Vec<Permission>,
    pub last_seen_sync_id: Option<i64>,
}

/// Below this many matches a search sorts the matches; above, it walks the sort index.
const SORT_MATCHES_BELOW: i64 = 3_000;

/// Most rows one search returns.
pub const MAX_PAGE: u32 = 1000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct AuthorizerPage {
    /// Rows matching the query and filters (all pages).
    pub total: u64,
    pub rows: Vec<AuthorizerRow>,
}

/// Counts for the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, specta::Type)]
pub struct AuthorizerCounts {
    pub total: u64,
    pub authorized: u64,
    pub revoked: u64,
    pub needs_reauth: u64,
    pub missing_refresh_token: u64,
    pub without_details: u64,
}

pub(super) const ROW_COLS: &str = "appid, nick_name, head_img, kind, service_type, verify_type, user_name, principal_name, alias, qrcode_url, auth_time, status, status_changed_at, has_open, has_refresh_token, info_fetched_at, details_error, listed_at";

pub(super) fn row(r: &Row<'_>) -> rusqlite::Result<AuthorizerRow> {
    Ok(AuthorizerRow {
        appid: r.get(0)?,
        nick_name: r.get(1)?,
        head_img: r.get(2)?,
        kind: r.get(3)?,
        service_type: r.get(4)?,
        verify_type: r.get(5)?,
        user_name: r.get(6)?,
        principal_name: r.get(7)?,
        alias: r.get(8)?,
        qrcode_url: r.get(9)?,
        auth_time: r.get(10)?,
        status: r.get(11)?,
        status_changed_at: r.get(12)?,
        has_open: r.get(13)?,
        has_refresh_token: r.get(14)?,
        info_fetched_at: r.get(15)?,
        details_error: r.get(16)?,
        listed_at: r.get(17)?,
    })
}

/// Separator between fields of `search_text` (never part of a query).
const SEP: char = '\u{1f}';

/// The lowercased text a search matches.
pub fn search_text(
    nick_name: &str,
    appid: &str,
    user_name: &str,
    alias: &str,
    principal_name: &str,
) -> String {
    let mut s = String::with_capacity(
        nick_name.len() + appid.len() + user_name.len() + alias.len() + principal_name.len() + 4,
    );
    for (i, part) in [nick_name, appid, user_name, alias, principal_name]
        .iter()
        .enumerate()
    {
        if i > 0 {
            s.push(SEP);
        }
        s.push_str(&part.to_lowercase());
    }
    s
}

/// The lowercased, trimmed query a search looks for in `search_text`; `None` for a blank query.
pub fn search_needle(query: &str) -> Option<String> {
    let q: String = query
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| *c != SEP)
        .collect();
    (!q.is_empty()).then_some(q)
}

/// `%query%` for LIKE with `\` as the escape character; `None` for a blank query.
pub fn like_pattern(query: &str) -> Option<String> {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return None;
    }
    let mut p = String::with_capacity(q.len() + 2);
    p.push('%');
    for ch in q.chars() {
        match ch {
            '%' | '_' | '\\' => {
                p.push('\\');
                p.push(ch);
            }
            c if c == SEP => {}
            c => p.push(c),
        }
    }
    p.push('%');
    Some(p)
}

/// Where a list upsert records what it changed: `sync_id`'s change log, unless the run is the
/// profile's baseline (see `store::change_log`).
#[derive(Debug, Clone, Copy)]
struct ListLog {
    sync_id: Option<i64>,
    record: bool,
}

impl ListLog {
    fn for_run(
        tx: &rusqlite::Connection,
        profile_id: i64,
        sync_id: Option<i64>,
    ) -> Result<Self, StoreError> {
        let record = match sync_id {
            Some(id) => !change_log::is_baseline(tx, profile_id, id)?,
            None => false,
        };
        Ok(ListLog { sync_id, record })
    }
}

/// The columns of a known row a list entry may change: (id, status, auth_time).
fn listed_before(
    tx: &rusqlite::Connection,
    profile_id: i64,
    appid: &str,
) -> Result<Option<(i64, Status, Option<i64>)>, StoreError> {
    tx.prepare_cached(
        "SELECT id, status, auth_time FROM authorizers WHERE profile_id = ?1 AND appid = ?2",
    )
    .and_then(|mut s| {
        s.query_row(params![profile_id, appid], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()
    })
    .ctx("read listed authorizer")
}

/// What a list entry says changed about a known row (status and auth_time before it).
fn listed_change(
    status: Status,
    auth_time: Option<i64>,
    item: &ListedAuthorizer,
) -> Option<NewChange> {
    let change = |field: &'static str, old: String, new: String| NewChange {
        kind: ChangeKind::Reauthorized,
        field,
        old: Some(old),
        new: Some(new),
    };
    match (status, auth_time, item.auth_time) {
        (Status::Revoked, ..) => Some(change("status", "revoked".into(), "authorized".into())),
        (_, Some(old), Some(new)) if old != new => {
            Some(change("auth_time", old.to_string(), new.to_string()))
        }
        _ => None,
    }
}

/// The change log's entry for a status set outside a list pass (a push, a 61023, a completed
/// authorization): a revocation, or a return to `authorized`. `needs_reauth` is not a change
/// of the account (the Health page lists those accounts).
fn status_change(before: Status, after: Status) -> Option<NewChange> {
    let kind = match (before, after) {
        (b, a) if b == a => return None,
        (_, Status::Revoked) => ChangeKind::Revoked,
        (_, Status::Authorized) => ChangeKind::Reauthorized,
        (_, Status::NeedsReauth) => return None,
    };
    Some(NewChange {
        kind,
        field: "status",
        old: Some(before.as_str().into()),
        new: Some(after.as_str().into()),
    })
}

fn upsert_one(
    tx: &rusqlite::Connection,
    profile_id: i64,
    log: ListLog,
    item: &ListedAuthorizer,
    t: i64,
    sum: &mut UpsertSummary,
) -> Result<(), StoreError> {
    // Insert first, update only on a conflict: a first (or growing) list sync is mostly new
    // rows, which then cost one statement instead of a missed read plus an INSERT. A known
    // row costs an ignored INSERT (one index probe), a read of what the change log compares
    // (status, auth_time) and the UPDATE by rowid. Both set has_refresh_token for the token
    // stored below (no separate statement for the flag).
    let refresh = item.refresh_token.as_deref().filter(|r| !r.is_empty());
    let text = search_text("", &item.appid, "", "", "");
    let inserted = tx
        .prepare_cached(
            "INSERT INTO authorizers (profile_id, appid, auth_time, status, status_changed_at, listed_at, last_seen_sync_id, created_at, search_text, has_refresh_token)
             VALUES (?1, ?2, ?3, 'authorized', ?5, ?5, ?4, ?5, ?6, ?7)
             ON CONFLICT(profile_id, appid) DO NOTHING",
        )
        .and_then(|mut s| {
            s.execute(params![
                profile_id,
                item.appid,
                item.auth_time,
                log.sync_id,
                t,
                text,
                refresh.is_some()
            ])
        })
        .ctx("insert listed authorizer")?
        > 0;
    let mut changes: Vec<NewChange> = Vec::new();
    let mut before_status = Status::Authorized;
    if inserted {
        sum.inserted += 1;
        changes.push(NewChange {
            kind: ChangeKind::Authorized,
            field: "status",
            old: None,
            new: Some("authorized".into()),
        });
    } else {
        let (id, status, auth_time) = listed_before(tx, profile_id, &item.appid)?
            .ok_or_else(|| StoreError::NotFound(format!("authorizer {}", item.appid)))?;
        before_status = status;
        changes.extend(listed_change(status, auth_time, item));
        tx.prepare_cached(
            "UPDATE authorizers SET
                 auth_time = coalesce(?2, auth_time),
                 status_changed_at = CASE WHEN status = 'revoked' THEN ?4 ELSE status_changed_at END,
                 details_stale = CASE WHEN status = 'revoked' OR auth_time IS NOT coalesce(?2, auth_time)
                                      THEN 1 ELSE details_stale END,
                 status = CASE WHEN status = 'revoked' THEN 'authorized' ELSE status END,
                 listed_at = ?4,
                 last_seen_sync_id = coalesce(?3, last_seen_sync_id),
                 has_refresh_token = max(has_refresh_token, ?5)
             WHERE id = ?1",
        )
        .and_then(|mut s| s.execute(params![id, item.auth_time, log.sync_id, t, refresh.is_some()]))
        .ctx("update listed authorizer")?;
        sum.updated += 1;
    }
    match refresh {
        Some(rt) => {
            // A row just inserted is `authorized`: only a known row can be needs_reauth.
            if put_refresh(tx, profile_id, &item.appid, rt, t, Flag::AlreadySet)? {
                sum.refresh_tokens_changed += 1;
                if !inserted {
                    // A new refresh token may cure a needs_reauth account.
                    tx.prepare_cached(
                        "UPDATE authorizers SET status = 'authorized', status_changed_at = ?3
                         WHERE profile_id = ?1 AND appid = ?2 AND status = 'needs_reauth'",
                    )
                    .and_then(|mut s| s.execute(params![profile_id, item.appid, t]))
                    .ctx("clear needs_reauth")?;
                    if before_status == Status::NeedsReauth && changes.is_empty() {
                        changes.push(NewChange {
                            kind: ChangeKind::Reauthorized,
                            field: "status",
                            old: Some("needs_reauth".into()),
                            new: Some("authorized".into()),
                        });
                    }
                }
            }
        }
        None => sum.missing_refresh_token += 1,
    }
    if log.record {
        record_changes(tx, profile_id, log.sync_id, &item.appid, t, &changes)?;
    }
    Ok(())
}

/// The WHERE clause of a search in SQL and its parameters.
pub(super) fn sql_filter(profile_id: i64, q: &AuthorizerQuery) -> (String, Vec<Value>) {
    let mut filter = String::from("profile_id = ?");
    let mut args: Vec<Value> = vec![Value::Integer(profile_id)];
    if let Some(needle) = q.query.as_deref().and_then(search_needle) {
        // a plain substring test on the lowercased text (faster than LIKE on CJK text, and
        // no wildcard escaping needed)
        filter.push_str(" AND instr(search_text, ?) > 0");
        args.push(Value::Text(needle));
    }
    if let Some(kind) = q.kind {
        filter.push_str(" AND kind = ?");
        args.push(Value::Text(kind.as_str().into()));
    }
    if let Some(v) = q.verify_type {
        filter.push_str(" AND verify_type = ?");
        args.push(Value::Integer(v));
    }
    if let Some(s) = q.status {
        filter.push_str(" AND status = ?");
        args.push(Value::Text(s.as_str().into()));
    }
    if let Some(h) = q.has_open {
        filter.push_str(" AND has_open = ?");
        args.push(Value::Integer(h as i64));
    }
    (filter, args)
}

/// Whether a profile has `rows` rows or more ([`super::search_index::BACKGROUND_BUILD_ROWS`]).
fn large_profile(c: &rusqlite::Connection, profile_id: i64, rows: i64) -> Result<bool, StoreError> {
    // Counting stops at the threshold: the question is cheap for any size.
    c.prepare_cached(
        "SELECT count(*) FROM (SELECT 1 FROM authorizers WHERE profile_id = ?1 LIMIT ?2)",
    )
    .and_then(|mut s| s.query_row(params![profile_id, rows], |r| r.get::<_, i64>(0)))
    .map(|n| n >= rows)
    .ctx("count authorizers")
}

fn check_appid(appid: &str) -> Result<(), StoreError> {
    if appid.is_empty() {
        return Err(StoreError::Invalid("empty authorizer appid".into()));
    }
    Ok(())
}

impl Store {
    /// Upserts list entries, one transaction per [`PAGE_ROWS`] rows. Marks each row as seen in
    /// `sync_id` (when given), revives revoked rows, stores non-empty refresh tokens (never
    /// replacing a stored one with an empty one).
    pub fn upsert_listed_authorizers(
        &self,
        profile_id: i64,
        sync_id: Option<i64>,
        items: &[ListedAuthorizer],
    ) -> Result<UpsertSummary, StoreError> {
        let mut sum = UpsertSummary::default();
        for chunk in items.chunks(PAGE_ROWS) {
            chunk.iter().try_for_each(|i| check_appid(&i.appid))?;
            let t = now();
            self.in_tx(|tx| {
                let log = ListLog::for_run(tx, profile_id, sync_id)?;
                for item in chunk {
                    upsert_one(tx, profile_id, log, item, t, &mut sum)?;
                }
                bump_generation(tx, profile_id)
            })?;
        }
        Ok(sum)
    }

    /// One page of a list sync, atomically: upserts `items` and records the run's progress
    /// (`total_count`, `next_offset` = offset of the next page to fetch), so that a resumed run
    /// never redoes a committed page.
    pub fn record_list_page(
        &self,
        profile_id: i64,
        sync_id: i64,
        items: &[ListedAuthorizer],
        total_count: i64,
        next_offset: i64,
    ) -> Result<UpsertSummary, StoreError> {
        items.iter().try_for_each(|i| check_appid(&i.appid))?;
        let t = now();
        self.in_tx(|tx| {
            let mut sum = UpsertSummary::default();
            let log = ListLog::for_run(tx, profile_id, Some(sync_id))?;
            for item in items {
                upsert_one(tx, profile_id, log, item, t, &mut sum)?;
            }
            if !items.is_empty() {
                bump_generation(tx, profile_id)?;
            }
            let n = tx
                .execute(
                    "UPDATE sync_runs SET total_count = ?3, next_offset = ?4, updated_at = ?5
                     WHERE id = ?1 AND profile_id = ?2",
                    params![sync_id, profile_id, total_count, next_offset, t],
                )
                .ctx("record sync progress")?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("sync run {sync_id}")));
            }
            Ok(sum)
        })
    }

    /// Stores the details of an authorizer (creating the row if needed), replaces its
    /// permissions and raw info, and stores a non-empty refresh token. `sync_id` marks the
    /// details as done for that sync run. Does not change the status (use
    /// [`Store::set_authorizer_status`] after a completed authorization).
    pub fn save_authorizer_info(
        &self,
        profile_id: i64,
        appid: &str,
        sync_id: Option<i64>,
        info: &AuthorizerInfoRecord,
    ) -> Result<(), StoreError> {
        check_appid(appid)?;
        let t = now();
        self.in_tx(|tx| {
            save_info(tx, profile_id, appid, sync_id, info, t)?;
            bump_generation(tx, profile_id)
        })
    }

    /// [`Store::save_authorizer_info`] for many accounts in one transaction: the caller sizes
    /// the batch (a details sync: `write_batch_for`). A commit writes every page its rows
    /// touched, and the search indexes' pages are touched at random, so fewer, larger commits
    /// cost less per account (500-account commits cost a fifth more than 1,250-account ones).
    pub fn save_authorizer_infos(
        &self,
        profile_id: i64,
        sync_id: Option<i64>,
        infos: &[(String, AuthorizerInfoRecord)],
    ) -> Result<(), StoreError> {
        infos.iter().try_for_each(|(a, _)| check_appid(a))?;
        let t = now();
        if infos.is_empty() {
            return Ok(());
        }
        self.in_tx(|tx| {
            for (appid, info) in infos {
                save_info(tx, profile_id, appid, sync_id, info, t)?;
            }
            bump_generation(tx, profile_id)
        })
    }

    /// Records that fetching details failed in `sync_id` (so a resumed run does not retry it
    /// forever); the error is shown in the table.
    pub fn mark_details_failed(
        &self,
        profile_id: i64,
        appid: &str,
        sync_id: Option<i64>,
        error: &str,
    ) -> Result<(), StoreError> {
        self.with_write(|c| {
            c.prepare_cached(
                "UPDATE authorizers SET details_error = ?3, details_sync_id = coalesce(?4, details_sync_id)
                 WHERE profile_id = ?1 AND appid = ?2",
            )
            .and_then(|mut s| s.execute(params![profile_id, appid, error, sync_id]))
            .ctx("record details error")?;
            Ok(())
        })
    }

    /// Marks an account's details stale (a push said it changed): the next details pass
    /// refetches them whatever their age; saving its details clears the mark. `false` when the
    /// account is not known.
    pub fn mark_details_stale(&self, profile_id: i64, appid: &str) -> Result<bool, StoreError> {
        self.with_write(|c| {
            let n = c
                .prepare_cached(
                    "UPDATE authorizers SET details_stale = 1 WHERE profile_id = ?1 AND appid = ?2",
                )
                .and_then(|mut s| s.execute(params![profile_id, appid]))
                .ctx("mark details stale")?;
            Ok(n > 0)
        })
    }

    /// Sets the status (e.g. `needs_reauth` on 61023, `revoked` on an unauthorized push,
    /// `authorized` after a completed authorization). Creates the row if needed.
    pub fn set_authorizer_status(
        &self,
        profile_id: i64,
        appid: &str,
        status: Status,
    ) -> Result<(), StoreError> {
        check_appid(appid)?;
        let t = now();
        self.in_tx(|tx| {
            ensure_authorizer(tx, profile_id, appid, t)?;
            let before: Option<Status> = tx
                .query_row(
                    "SELECT status FROM authorizers WHERE profile_id = ?1 AND appid = ?2",
                    params![profile_id, appid],
                    |r| r.get(0),
                )
                .optional()
                .ctx("read authorizer status")?;
            if let Some(change) = before.and_then(|b| status_change(b, status)) {
                record_changes(tx, profile_id, None, appid, t, &[change])?;
            }
            let changed = tx.execute(
                "UPDATE authorizers SET status = ?3, status_changed_at = ?4,
                   last_seen_sync_id = CASE WHEN ?3 = 'authorized'
                     THEN coalesce((SELECT id FROM sync_runs WHERE profile_id = ?1 AND state = 'running' ORDER BY id DESC LIMIT 1), last_seen_sync_id)
                     ELSE last_seen_sync_id END
                 WHERE profile_id = ?1 AND appid = ?2 AND status <> ?3",
                params![profile_id, appid, status, t],
            )
            .ctx("set authorizer status")?;
            // (a created row was counted by ensure_authorizer)
            if changed > 0 {
                bump_generation(tx, profile_id)?;
            }
            Ok(())
        })
    }

    /// After a completed full list sync `sync_id`: marks `revoked` every row of the profile not
    /// seen in it. An authorization completed while the run was going counts as seen by it (see
    /// `ensure_authorizer`), so it is left alone. Refuses a run whose list phase is not complete.
    /// Returns the count.
    pub fn mark_unseen_revoked(&self, profile_id: i64, sync_id: i64) -> Result<usize, StoreError> {
        let t = now();
        self.in_tx(|tx| {
            let run: Option<bool> = tx
                .query_row(
                    "SELECT list_done FROM sync_runs WHERE id = ?1 AND profile_id = ?2",
                    params![sync_id, profile_id],
                    |r| r.get(0),
                )
                .optional()
                .ctx("read sync run")?;
            let Some(list_done) = run else {
                return Err(StoreError::NotFound(format!("sync run {sync_id}")));
            };
            if !list_done {
                return Err(StoreError::Conflict(format!(
                    "sync run {sync_id} has not listed every authorizer yet"
                )));
            }
            let baseline = change_log::is_baseline(tx, profile_id, sync_id)?;
            if !baseline {
                // The same rows as the UPDATE below, read before it: one statement for all.
                tx.execute(
                    "INSERT INTO authorizer_change_log (profile_id, sync_run_id, appid, kind, field, old, new, at)
                     SELECT profile_id, ?2, appid, 'revoked', 'status', status, 'revoked', ?3
                       FROM authorizers
                      WHERE profile_id = ?1 AND status <> 'revoked'
                        AND (last_seen_sync_id IS NULL OR last_seen_sync_id <> ?2)",
                    params![profile_id, sync_id, t],
                )
                .ctx("record revocations")?;
            }
            let n = tx
                .execute(
                    "UPDATE authorizers SET status = 'revoked', status_changed_at = ?3
                     WHERE profile_id = ?1 AND status <> 'revoked'
                       AND (last_seen_sync_id IS NULL OR last_seen_sync_id <> ?2)",
                    params![profile_id, sync_id, t],
                )
                .ctx("mark revoked")?;
            // Changes seen since the sync before, outside a list pass (pushes, authorizations,
            // one account's refreshed details), belong to this sync: it is the next one.
            tx.execute(
                "UPDATE authorizer_change_log SET sync_run_id = ?2
                  WHERE profile_id = ?1 AND sync_run_id IS NULL",
                params![profile_id, sync_id],
            )
            .ctx("take in the changes seen between syncs")?;
            if baseline {
                // The first list pass of a profile: one line, not an `authorized` per account.
                tx.execute(
                    "INSERT INTO authorizer_change_log (profile_id, sync_run_id, appid, kind, field, old, new, at)
                     SELECT ?1, ?2, '', 'baseline', 'accounts', NULL, n, ?3
                       FROM (SELECT count(*) AS n FROM authorizers
                              WHERE profile_id = ?1 AND status <> 'revoked')
                      WHERE NOT EXISTS (SELECT 1 FROM authorizer_change_log
                                        WHERE profile_id = ?1 AND sync_run_id = ?2 AND kind = 'baseline')",
                    params![profile_id, sync_id, t],
                )
                .ctx("record the baseline")?;
            }
            if n > 0 {
                bump_generation(tx, profile_id)?;
            }
            tx.execute(
                "UPDATE sync_runs SET revoked = ?2, updated_at = ?3 WHERE id = ?1",
                params![sync_id, n as i64, t],
            )
            .ctx("record revoked count")?;
            Ok(n)
        })
    }

    /// Points the cached simulator image URLs (`head_img`, `qrcode_url`) of a sandbox profile
    /// from `old_base` at `new_base`: its simulator came up on another port, and the window only
    /// loads images from the running one. Neither column is in the search index (no generation
    /// bump). Returns the rows changed.
    pub fn rebase_sandbox_images(
        &self,
        profile_id: i64,
        old_base: &str,
        new_base: &str,
    ) -> Result<usize, StoreError> {
        let old = format!("{old_base}/sandbox/img/");
        let new = format!("{new_base}/sandbox/img/");
        self.with_write(|c| {
            c.execute(
                "UPDATE authorizers SET
                   head_img = CASE WHEN substr(head_img, 1, length(?2)) = ?2
                     THEN ?3 || substr(head_img, length(?2) + 1) ELSE head_img END,
                   qrcode_url = CASE WHEN substr(qrcode_url, 1, length(?2)) = ?2
                     THEN ?3 || substr(qrcode_url, length(?2) + 1) ELSE qrcode_url END
                 WHERE profile_id = ?1
                   AND (substr(head_img, 1, length(?2)) = ?2 OR substr(qrcode_url, 1, length(?2)) = ?2)",
                params![profile_id, old, new],
            )
            .ctx("point cached images at the running simulator")
        })
    }

    /// Searches, filters, sorts and pages the authorizers of a profile: in the profile's
    /// in-memory [`SearchIndex`] (built on first use, rebuilt after a change of the profile's
    /// authorizers by any process), then reads the page's rows by id. The same answer as
    /// [`Store::search_authorizers_sql`], which answers instead while a stale index waits for
    /// its rebuild gap (see [`search_index::REBUILD_GAP`]) or when the rows cannot be indexed.
    pub fn search_authorizers(
        &self,
        profile_id: i64,
        q: &AuthorizerQuery,
    ) -> Result<AuthorizerPage, StoreError> {
        let needle = q.query.as_deref().and_then(search_needle);
        let limit = q.limit.min(MAX_PAGE);
        // No text, no filter: SQL walks a sort index and stops after the page.
        let plain = needle.is_none()
            && q.kind.is_none()
            && q.verify_type.is_none()
            && q.status.is_none()
            && q.has_open.is_none();
        if !plain {
            // A search SQL would answer slowly waits for an index being built.
            self.search_cache().wait_build(profile_id);
        }
        let found = self.with_read(|c| {
            // One snapshot for the generation, the index and the rows.
            let tx = c.unchecked_transaction().ctx("begin search")?;
            let gen = generation(&tx, profile_id)?;
            let mut built = false;
            let idx = match self.search_cache().get(profile_id, gen) {
                Lookup::Current(idx) => idx,
                Lookup::Build
                    if plain
                        && self.path().is_some()
                        && large_profile(
                            &tx,
                            profile_id,
                            self.search_cache().background_rows(),
                        )? =>
                {
                    self.spawn_index_build(profile_id);
                    None
                }
                Lookup::Build => {
                    let idx = SearchIndex::build(&tx, profile_id)?.map(Arc::new);
                    self.search_cache().put(profile_id, gen, idx.clone());
                    built = true;
                    idx
                }
                Lookup::Sql => None,
            };
            let Some(idx) = idx else {
                return Ok(None);
            };
            let hits = idx.search(needle.as_deref(), q, limit);
            let mut s = tx
                .prepare_cached(&format!("SELECT {ROW_COLS} FROM authorizers WHERE id = ?1"))
                .ctx("search authorizers")?;
            let rows = hits
                .ids
                .iter()
                .map(|id| s.query_row([id], row))
                .collect::<Result<Vec<_>, _>>()
                .ctx("search authorizers")?;
            drop(s);
            tx.finish().ctx("end search")?;
            if built {
                // The build read every row of the profile through the page cache: give that
                // memory back now (the index holds what searches need).
                shrink_page_cache(c)?;
            }
            Ok(Some(AuthorizerPage {
                total: hits.total,
                rows,
            }))
        })?;
        match found {
            Some(page) => Ok(page),
            None => self.search_authorizers_sql(profile_id, q),
        }
    }

    /// Builds the search index of `profile_id` on a thread of its own, over a connection of its
    /// own (the reader stays free for the pages asked for meanwhile); one build per profile at
    /// a time. See [`super::search_index::BACKGROUND_BUILD_ROWS`].
    fn spawn_index_build(&self, profile_id: i64) {
        if !self.search_cache().begin_build(profile_id) {
            return;
        }
        let store = self.clone();
        let spawned = std::thread::Builder::new()
            .name("search-index".into())
            .spawn(move || {
                // Ends the build also when building panics: waiters must not wait forever.
                struct Done(Store, i64);
                impl Drop for Done {
                    fn drop(&mut self) {
                        self.0.search_cache().end_build(self.1);
                    }
                }
                let done = Done(store, profile_id);
                if let Err(e) = done.0.build_index_detached(profile_id) {
                    tracing::warn!("search index of profile {profile_id}: {e}");
                }
            });
        if spawned.is_err() {
            self.search_cache().end_build(profile_id);
        }
    }

    fn build_index_detached(&self, profile_id: i64) -> Result<(), StoreError> {
        let Some(path) = self.path() else {
            return Ok(());
        };
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX
            | rusqlite::OpenFlags::SQLITE_OPEN_URI;
        let c = rusqlite::Connection::open_with_flags(path, flags).ctx("open for the index")?;
        // Its reads go through once: a small cache, given back when the connection closes.
        c.pragma_update(None, "cache_size", -1_024)
            .ctx("open for the index")?;
        let tx = c.unchecked_transaction().ctx("begin index build")?;
        let gen = generation(&tx, profile_id)?;
        let idx = SearchIndex::build(&tx, profile_id)?.map(Arc::new);
        self.search_cache().put(profile_id, gen, idx);
        Ok(())
    }

    /// Heap bytes of the cached search index of a profile (diagnostics, the benchmark).
    #[doc(hidden)]
    pub fn search_index_bytes(&self, profile_id: i64) -> Option<usize> {
        self.search_cache().heap_bytes(profile_id)
    }

    /// From how many rows a profile's index is built in the background (default
    /// [`super::search_index::BACKGROUND_BUILD_ROWS`]; tests lower it).
    #[doc(hidden)]
    pub fn set_search_background_rows(&self, rows: i64) {
        self.search_cache().set_background_rows(rows);
    }

    /// How soon a stale search index may be rebuilt (default [`search_index::REBUILD_GAP`];
    /// before that, searches go to SQL). Tests set zero to always search the index.
    #[doc(hidden)]
    pub fn set_search_rebuild_gap(&self, gap: std::time::Duration) {
        self.search_cache().set_rebuild_gap(gap);
    }

    /// [`Store::search_authorizers`] done in SQL (the fallback when the rows of a profile
    /// cannot be indexed in memory; tests compare the two).
    #[doc(hidden)]
    pub fn search_authorizers_sql(
        &self,
        profile_id: i64,
        q: &AuthorizerQuery,
    ) -> Result<AuthorizerPage, StoreError> {
        let (filter, args) = sql_filter(profile_id, q);
        let dir = if q.desc { "DESC" } else { "ASC" };
        let order = match q.sort {
            Sort::NickName => format!("nick_name {dir}, appid {dir}"),
            Sort::AuthTime => format!("auth_time {dir}, appid {dir}"),
            Sort::Appid => format!("appid {dir}"),
        };
        let limit = q.limit.min(MAX_PAGE);
        // The covering filter index answers the count without reading table rows. With few
        // matches, sort just those; with many, walk the sort index and stop after the page.
        let filtered = q.query.as_deref().and_then(search_needle).is_some()
            || q.kind.is_some()
            || q.verify_type.is_some()
            || q.has_open.is_some();
        let from = if filtered {
            "authorizers INDEXED BY authorizers_filter"
        } else {
            "authorizers"
        };
        self.with_read(|c| {
            let page_args = |mut a: Vec<Value>| {
                a.push(Value::Integer(limit as i64));
                a.push(Value::Integer(q.offset as i64));
                a
            };
            let fetch = |sql: &str, a: Vec<Value>| -> Result<Vec<AuthorizerRow>, StoreError> {
                let mut s = c.prepare_cached(sql).ctx("search authorizers")?;
                let rows = s
                    .query_map(params_from_iter(a.iter()), row)
                    .ctx("search authorizers")?
                    .collect::<Result<Vec<_>, _>>()
                    .ctx("search authorizers");
                rows
            };
            if filtered {
                // One pass over the covering index: with few matches it yields them all (the
                // total) and the page is sorted from just those ids.
                let ids: Vec<i64> = {
                    let mut s = c
                        .prepare_cached(&format!(
                            "SELECT id FROM {from} WHERE {filter} LIMIT {}",
                            SORT_MATCHES_BELOW + 1
                        ))
                        .ctx("search authorizers")?;
                    let ids = s
                        .query_map(params_from_iter(args.iter()), |r| r.get(0))
                        .ctx("search authorizers")?
                        .collect::<Result<Vec<_>, _>>()
                        .ctx("search authorizers")?;
                    ids
                };
                if (ids.len() as i64) <= SORT_MATCHES_BELOW {
                    let total = ids.len() as u64;
                    if ids.is_empty() || u64::from(q.offset) >= total || limit == 0 {
                        return Ok(AuthorizerPage {
                            total,
                            rows: Vec::new(),
                        });
                    }
                    let list = serde_json::to_string(&ids)
                        .map_err(|e| StoreError::Invalid(e.to_string()))?;
                    let rows = fetch(
                        &format!(
                            "SELECT {ROW_COLS} FROM authorizers WHERE id IN (SELECT value FROM json_each(?))
                             ORDER BY {order} LIMIT ? OFFSET ?"
                        ),
                        page_args(vec![Value::Text(list)]),
                    )?;
                    return Ok(AuthorizerPage { total, rows });
                }
            }
            // Many matches: count over the index, then walk the sort index and stop after the page.
            let total: i64 = c
                .prepare_cached(&format!("SELECT count(*) FROM {from} WHERE {filter}"))
                .and_then(|mut s| s.query_row(params_from_iter(args.iter()), |r| r.get(0)))
                .ctx("count authorizers")?;
            if total == 0 || i64::from(q.offset) >= total || limit == 0 {
                return Ok(AuthorizerPage {
                    total: total as u64,
                    rows: Vec::new(),
                });
            }
            let rows = fetch(
                &format!(
                    "SELECT {ROW_COLS} FROM authorizers WHERE {filter} ORDER BY {order} LIMIT ? OFFSET ?"
                ),
                page_args(args.clone()),
            )?;
            Ok(AuthorizerPage {
                total: total as u64,
                rows,
            })
        })
    }

    /// One authorizer with raw info and permissions.
    pub fn authorizer_get(
        &self,
        profile_id: i64,
        appid: &str,
    ) -> Result<Option<AuthorizerDetail>, StoreError> {
        self.with_read(|c| {
            let found = c
                .query_row(
                    &format!(
                        "SELECT {ROW_COLS}, last_seen_sync_id FROM authorizers WHERE profile_id = ?1 AND appid = ?2"
                    ),
                    params![profile_id, appid],
                    |r| Ok((row(r)?, r.get::<_, Option<i64>>(18)?)),
                )
                .optional()
                .ctx("read authorizer")?;
            let Some((authorizer, last_seen_sync_id)) = found else {
                return Ok(None);
            };
            let details: Option<(String, String)> = c
                .query_row(
                    "SELECT raw_info, permissions FROM authorizer_details WHERE authorizer_id =
                         (SELECT id FROM authorizers WHERE profile_id = ?1 AND appid = ?2)",
                    params![profile_id, appid],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .ctx("read raw info")?;
            let (raw_info, permissions) = match details {
                Some((raw, perms)) => (Some(raw), permissions::decode(&perms)?),
                None => (None, Vec::new()),
            };
            Ok(Some(AuthorizerDetail {
                authorizer,
                raw_info,
                permissions,
                last_seen_sync_id,
            }))
        })
    }

    /// The permissions (func_info) of an authorizer, by funcscope id.
    pub fn permissions_list(
        &self,
        profile_id: i64,
        appid: &str,
    ) -> Result<Vec<Permission>, StoreError> {
        self.with_read(|c| read_permissions(c, profile_id, appid))
    }

    /// Up to `limit` appids (in row order) whose details are not yet fetched (or attempted) in
    /// `sync_id`, whatever their age; revoked accounts are skipped.
    pub fn appids_needing_details(
        &self,
        profile_id: i64,
        sync_id: i64,
        limit: u32,
    ) -> Result<Vec<String>, StoreError> {
        let rows = self.needing_details_after(profile_id, sync_id, i64::MAX, 0, limit)?;
        Ok(rows.into_iter().map(|(_, appid)| appid).collect())
    }

    /// Like [`Store::appids_needing_details`], with row ids, after row id `after_id` (a cursor,
    /// so that long runs do not rescan finished rows). Row order, not appid order: a details
    /// sync saves its answers in this order, so a batch updates neighbouring rows (a few dozen
    /// table pages, and its details rows are appended) instead of rows spread over the whole
    /// table — with appids in random order, that was every page of the table in every commit.
    ///
    /// Only details that need fetching count: missing, fetched at or before `stale_before` (Unix
    /// seconds) or marked stale (`details_stale`, see [`Store::mark_details_stale`]).
    pub fn needing_details_after(
        &self,
        profile_id: i64,
        sync_id: i64,
        stale_before: i64,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        self.with_read(|c| {
            let mut s = c
                .prepare_cached(
                    // `+profile_id`: a walk by rowid from the cursor. With the profile's index
                    // usable, SQLite read every row of the profile through by_status and
                    // sorted them, at every batch of a run (EXPLAIN QUERY PLAN).
                    "SELECT id, appid FROM authorizers
                     WHERE id > ?3 AND +profile_id = ?1 AND status <> 'revoked'
                       AND (details_sync_id IS NULL OR details_sync_id <> ?2)
                       AND (info_fetched_at IS NULL OR info_fetched_at <= ?5 OR details_stale <> 0)
                     ORDER BY id LIMIT ?4",
                )
                .ctx("list appids needing details")?;
            let rows = s
                .query_map(
                    params![profile_id, sync_id, after_id, limit, stale_before],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .ctx("list appids needing details")?;
            rows.collect::<Result<Vec<_>, _>>()
                .ctx("list appids needing details")
        })
    }

    /// How many appids still need details in `sync_id` (see [`Store::needing_details_after`]).
    pub fn count_needing_details(
        &self,
        profile_id: i64,
        sync_id: i64,
        stale_before: i64,
    ) -> Result<u64, StoreError> {
        self.with_read(|c| {
            c.query_row(
                "SELECT count(*) FROM authorizers WHERE profile_id = ?1 AND status <> 'revoked'
                   AND (details_sync_id IS NULL OR details_sync_id <> ?2)
                   AND (info_fetched_at IS NULL OR info_fetched_at <= ?3 OR details_stale <> 0)",
                params![profile_id, sync_id, stale_before],
                |r| r.get::<_, i64>(0),
            )
            .ctx("count appids needing details")
            .map(|n| n as u64)
        })
    }

    /// Appids of non-revoked authorizers without a stored refresh token.
    pub fn authorizers_missing_refresh_token(
        &self,
        profile_id: i64,
    ) -> Result<Vec<String>, StoreError> {
        self.with_read(|c| {
            let mut s = c
                .prepare_cached(
                    "SELECT appid FROM authorizers WHERE profile_id = ?1 AND has_refresh_token = 0
                       AND status <> 'revoked' ORDER BY appid",
                )
                .ctx("list missing refresh tokens")?;
            let rows = s
                .query_map([profile_id], |r| r.get(0))
                .ctx("list missing refresh tokens")?;
            rows.collect::<Result<Vec<String>, _>>()
                .ctx("list missing refresh tokens")
        })
    }

    /// Up to `limit` appids (in appid order) of non-revoked accounts in `status`
    /// (`None`: any) without a stored refresh token when `missing_refresh_token`: the Health
    /// page's examples, without reading a million appids.
    pub fn authorizer_appids_sample(
        &self,
        profile_id: i64,
        status: Option<Status>,
        missing_refresh_token: bool,
        limit: u32,
    ) -> Result<Vec<String>, StoreError> {
        self.with_read(|c| {
            let mut s = c
                .prepare_cached(
                    "SELECT appid FROM authorizers WHERE profile_id = ?1 AND status <> 'revoked'
                       AND (?2 IS NULL OR status = ?2) AND (?3 = 0 OR has_refresh_token = 0)
                     ORDER BY appid LIMIT ?4",
                )
                .ctx("sample authorizers")?;
            let rows = s
                .query_map(
                    params![profile_id, status, missing_refresh_token, limit],
                    |r| r.get(0),
                )
                .ctx("sample authorizers")?;
            rows.collect::<Result<Vec<String>, _>>()
                .ctx("sample authorizers")
        })
    }

    pub fn authorizer_counts(&self, profile_id: i64) -> Result<AuthorizerCounts, StoreError> {
        self.with_read(|c| {
            c.query_row(
                "SELECT count(*),
                        coalesce(sum(status = 'authorized'), 0),
                        coalesce(sum(status = 'revoked'), 0),
                        coalesce(sum(status = 'needs_reauth'), 0),
                        coalesce(sum(has_refresh_token = 0 AND status <> 'revoked'), 0),
                        coalesce(sum(info_fetched_at IS NULL AND status <> 'revoked'), 0)
                 FROM authorizers WHERE profile_id = ?1",
                [profile_id],
                |r| {
                    Ok(AuthorizerCounts {
                        total: r.get::<_, i64>(0)? as u64,
                        authorized: r.get::<_, i64>(1)? as u64,
                        revoked: r.get::<_, i64>(2)? as u64,
                        needs_reauth: r.get::<_, i64>(3)? as u64,
                        missing_refresh_token: r.get::<_, i64>(4)? as u64,
                        without_details: r.get::<_, i64>(5)? as u64,
                    })
                },
            )
            .ctx("count authorizers")
        })
    }
}

fn save_info(
    tx: &rusqlite::Connection,
    profile_id: i64,
    appid: &str,
    sync_id: Option<i64>,
    info: &AuthorizerInfoRecord,
    t: i64,
) -> Result<(), StoreError> {
    let text = search_text(
        &info.nick_name,
        appid,
        &info.user_name,
        &info.alias,
        &info.principal_name,
    );
    // Find the row first, create it only when there is none: the row almost always exists (a
    // details sync follows the list), and the creating INSERT is the dearer statement (SQLite
    // re-prepares it on every run for its sync_runs subquery). The id then serves the UPDATE
    // (a rowid seek) and the details row. (An UPDATE … RETURNING id costs more than this
    // lookup: SQLite runs RETURNING as a trigger, with a statement journal.)
    let (id, before) = match details_before(tx, profile_id, appid)? {
        Some(found) => found,
        None => {
            ensure_authorizer(tx, profile_id, appid, t)?;
            let id = authorizer_id(tx, profile_id, appid)?.ok_or_else(|| {
                StoreError::NotFound(format!("authorizer {appid} after creating it"))
            })?;
            (id, None)
        }
    };
    let perms_text = permissions::encode(&info.func_info);
    if let Some(before) = &before {
        let changes = change_log::details_changes(
            before,
            &info.nick_name,
            info.verify_type,
            info.service_type,
            &info.principal_name,
            (&perms_text, &info.func_info),
        )?;
        record_changes(tx, profile_id, sync_id, appid, t, &changes)?;
    }
    update_info(tx, id, sync_id, info, &text)?;
    // The raw answer and the permissions: one row; an unchanged one (most of a re-sync) is not
    // written again.
    tx.prepare_cached(
        "INSERT INTO authorizer_details (authorizer_id, raw_info, permissions) VALUES (?1, ?2, ?3)
             ON CONFLICT(authorizer_id) DO UPDATE SET raw_info = excluded.raw_info,
                 permissions = excluded.permissions
             WHERE raw_info IS NOT excluded.raw_info OR permissions IS NOT excluded.permissions",
    )
    .and_then(|mut s| s.execute(params![id, info.raw_info, perms_text]))
    .ctx("save raw info and permissions")?;
    if let Some(rt) = info.refresh_token.as_deref() {
        put_refresh(tx, profile_id, appid, rt, t, Flag::AlreadySet)?;
    }
    Ok(())
}

/// The id of an authorizer row and, when its details were fetched before, what a new answer
/// is compared with for the change log. The one lookup a details save made anyway (the row
/// almost always exists), widened: no extra statement per account.
fn details_before(
    tx: &rusqlite::Connection,
    profile_id: i64,
    appid: &str,
) -> Result<Option<(i64, Option<DetailsBefore>)>, StoreError> {
    tx.prepare_cached(
        "SELECT a.id, a.info_fetched_at, a.nick_name, a.verify_type, a.service_type, a.principal_name,
                CASE WHEN a.info_fetched_at IS NOT NULL
                     THEN (SELECT permissions FROM authorizer_details WHERE authorizer_id = a.id) END
           FROM authorizers a WHERE a.profile_id = ?1 AND a.appid = ?2",
    )
    .and_then(|mut s| {
        s.query_row(params![profile_id, appid], |r| {
            let fetched: Option<i64> = r.get(1)?;
            let before = match fetched {
                Some(_) => Some(DetailsBefore {
                    nick_name: r.get(2)?,
                    verify_type: r.get(3)?,
                    service_type: r.get(4)?,
                    principal_name: r.get(5)?,
                    permissions: r.get(6)?,
                }),
                None => None,
            };
            Ok((r.get(0)?, before))
        })
        .optional()
    })
    .ctx("find authorizer")
}

/// The id of an authorizer row.
fn authorizer_id(
    tx: &rusqlite::Connection,
    profile_id: i64,
    appid: &str,
) -> Result<Option<i64>, StoreError> {
    tx.prepare_cached("SELECT id FROM authorizers WHERE profile_id = ?1 AND appid = ?2")
        .and_then(|mut s| {
            s.query_row(params![profile_id, appid], |r| r.get(0))
                .optional()
        })
        .ctx("find authorizer")
}

/// The info columns of authorizer row `id`.
fn update_info(
    tx: &rusqlite::Connection,
    id: i64,
    sync_id: Option<i64>,
    info: &AuthorizerInfoRecord,
    text: &str,
) -> Result<(), StoreError> {
    // Without an auth_time (an info answer has none) the column stays out of the SET list:
    // SQLite rewrites the entry of every index on a column the SET list names, changed or not,
    // and by_auth_time is one more index write per account of a details sync. (?11 unused is
    // fine: numbered parameters count up to the highest.) has_refresh_token is set here for the
    // token save_info stores (?15).
    macro_rules! update_info_sql {
        ($auth_time:literal) => {
            concat!(
                "UPDATE authorizers SET nick_name = ?2, head_img = ?3, kind = ?4, service_type = ?5,
                 verify_type = ?6, user_name = ?7, principal_name = ?8, alias = ?9,
                 qrcode_url = ?10, ",
                $auth_time,
                "info_fetched_at = ?12, details_stale = 0,
                 details_sync_id = coalesce(?13, details_sync_id), details_error = NULL,
                 search_text = ?14, has_refresh_token = max(has_refresh_token, ?15)
             WHERE id = ?1"
            )
        };
    }
    let sql = if info.auth_time.is_some() {
        update_info_sql!("auth_time = coalesce(?11, auth_time), ")
    } else {
        update_info_sql!("")
    };
    let has_refresh = info.refresh_token.as_deref().is_some_and(|r| !r.is_empty());
    tx.prepare_cached(sql)
        .and_then(|mut s| {
            s.execute(params![
                id,
                info.nick_name,
                info.head_img,
                info.kind,
                info.service_type,
                info.verify_type,
                info.user_name,
                info.principal_name,
                info.alias,
                info.qrcode_url,
                info.auth_time,
                info.fetched_at,
                sync_id,
                text,
                has_refresh
            ])
        })
        .ctx("save authorizer info")?;
    Ok(())
}

fn read_permissions(
    c: &rusqlite::Connection,
    profile_id: i64,
    appid: &str,
) -> Result<Vec<Permission>, StoreError> {
    // A scalar subquery, not a join: SQLite 3.54 re-prepares this lookup at every execution
    // when written as a join (as it did the old per-row table's with an ORDER BY), which cost
    // as much as the lookup itself (`Store::statement_reprepares`; a test counts them).
    let text: Option<String> = c
        .prepare_cached(
            "SELECT permissions FROM authorizer_details WHERE authorizer_id =
                 (SELECT id FROM authorizers WHERE profile_id = ?1 AND appid = ?2)",
        )
        .and_then(|mut s| {
            s.query_row(params![profile_id, appid], |r| r.get(0))
                .optional()
        })
        .ctx("read permissions")?;
    text.map_or_else(|| Ok(Vec::new()), |t| permissions::decode(&t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_pattern_escapes() {
        assert_eq!(like_pattern("  "), None);
        assert_eq!(like_pattern("AbC").as_deref(), Some("%abc%"));
        assert_eq!(like_pattern("50%_\\").as_deref(), Some("%50\\%\\_\\\\%"));
        assert_eq!(like_pattern("科技").as_deref(), Some("%科技%"));
    }

    #[test]
    fn search_text_lowercases_every_field() {
        assert_eq!(
            search_text("Nick", "WXAB", "gh_X", "Al", "公司"),
            "nick\u{1f}wxab\u{1f}gh_x\u{1f}al\u{1f}公司"
        );
    }
}
