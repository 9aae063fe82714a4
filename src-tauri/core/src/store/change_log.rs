//! `authorizer_change_log` (schema v8): what each sync saw change per account.
//!
//! Written inside the transactions that write the authorizer rows (`store::authorizers`: a
//! list page, the end of a list pass, a batch of details), from the values the row held just
//! before, so a crash never leaves a change without its row or a row without its change.
//!
//! - `authorized`: an appid new to the list. `revoked`: gone from a complete list pass.
//!   `reauthorized`: back after a revocation, a new `auth_time`, or a new refresh token for a
//!   `needs_reauth` account.
//! - From a details answer, only when the account's details were known before (a first fetch
//!   is not a change): `renamed` (nick_name), `verify_type`, `service_type`, `principal`
//!   (principal_name), `permissions` (`old` = the removed funcscope ids, `new` = the added ones,
//!   as JSON arrays; names come from the UI's table).
//! - Outside a list pass (a push, a completed authorization, a token for an unknown account,
//!   one account's details refreshed) a change is written with no sync run; the next list pass
//!   takes it into its sync ("what changed since the sync before"). A status set to
//!   `needs_reauth` (61023) is not a change of the account: the Health page lists those.
//! - The first sync of a profile (no earlier run finished its list pass) is the baseline: it
//!   records one `baseline` line (`new` = the accounts listed), not a row per account: a first
//!   sync of a million accounts would otherwise log a million `authorized`.

use std::collections::BTreeSet;

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, Row};
use serde::{Deserialize, Serialize};

use super::db::Store;
use super::error::{Ctx, StoreError};
use super::tx::NewChange;
pub use super::types::ChangeKind;
use super::types::{Kind, Permission};

/// Whether run `sync_id` is the profile's baseline: no other run of it finished a list pass.
pub(crate) fn is_baseline(
    tx: &Connection,
    profile_id: i64,
    sync_id: i64,
) -> Result<bool, StoreError> {
    tx.prepare_cached(
        "SELECT NOT EXISTS (SELECT 1 FROM sync_runs
                             WHERE profile_id = ?1 AND id <> ?2 AND list_done = 1)",
    )
    .and_then(|mut s| s.query_row(params![profile_id, sync_id], |r| r.get(0)))
    .ctx("is this the first sync")
}

/// An account's details as stored before a details answer replaces them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DetailsBefore {
    pub nick_name: String,
    pub verify_type: Option<i64>,
    pub service_type: Option<i64>,
    pub principal_name: String,
    /// The stored permissions text (`store::permissions`), if any.
    pub permissions: Option<String>,
}

/// What the new details change, compared with `before` (the permissions as encoded text, so
/// an unchanged set, most of a re-sync, costs a string comparison).
pub(crate) fn details_changes(
    before: &DetailsBefore,
    nick_name: &str,
    verify_type: Option<i64>,
    service_type: Option<i64>,
    principal_name: &str,
    permissions: (&str, &[Permission]),
) -> Result<Vec<NewChange>, StoreError> {
    let mut out = Vec::new();
    let text = |v: &str| Some(v.to_owned());
    let num = |v: Option<i64>| v.map(|n| n.to_string());
    if before.nick_name != nick_name {
        out.push(NewChange {
            kind: ChangeKind::Renamed,
            field: "nick_name",
            old: text(&before.nick_name),
            new: text(nick_name),
        });
    }
    if before.verify_type != verify_type {
        out.push(NewChange {
            kind: ChangeKind::VerifyType,
            field: "verify_type",
            old: num(before.verify_type),
            new: num(verify_type),
        });
    }
    if before.service_type != service_type {
        out.push(NewChange {
            kind: ChangeKind::ServiceType,
            field: "service_type",
            old: num(before.service_type),
            new: num(service_type),
        });
    }
    if before.principal_name != principal_name {
        out.push(NewChange {
            kind: ChangeKind::Principal,
            field: "principal_name",
            old: text(&before.principal_name),
            new: text(principal_name),
        });
    }
    let (new_text, new_perms) = permissions;
    if before.permissions.as_deref() != Some(new_text) {
        let old_ids: BTreeSet<i64> = match &before.permissions {
            Some(t) => super::permissions::decode(t)?
                .iter()
                .map(|p| p.funcscope_id)
                .collect(),
            None => BTreeSet::new(),
        };
        let new_ids: BTreeSet<i64> = new_perms.iter().map(|p| p.funcscope_id).collect();
        // A change of confirm state alone is not a change of what the platform may do.
        if old_ids != new_ids {
            let ids =
                |s: BTreeSet<i64>| serde_json::to_string(&s.into_iter().collect::<Vec<_>>()).ok();
            out.push(NewChange {
                kind: ChangeKind::Permissions,
                field: "func_info",
                old: ids(old_ids.difference(&new_ids).copied().collect()),
                new: ids(new_ids.difference(&old_ids).copied().collect()),
            });
        }
    }
    Ok(out)
}

/// Which changes to list (every filter is optional; newest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(default)]
pub struct ChangeQuery {
    /// Changes of this sync run only.
    pub sync_run_id: Option<i64>,
    /// Changes of this sync run and later ones (and changes seen outside a sync since it
    /// started).
    pub since_sync: Option<i64>,
    /// Changes at or after this time (Unix seconds).
    pub since: Option<i64>,
    pub kind: Option<ChangeKind>,
    /// Exactly this account.
    pub appid: Option<String>,
    /// A substring of the appid, the account's current nick_name or a changed value.
    pub query: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

impl Default for ChangeQuery {
    fn default() -> Self {
        ChangeQuery {
            sync_run_id: None,
            since_sync: None,
            since: None,
            kind: None,
            appid: None,
            query: None,
            limit: 100,
            offset: 0,
        }
    }
}

/// Most changes one query returns.
pub const MAX_CHANGES_PAGE: u32 = 10_000;

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ChangeRow {
    pub id: i64,
    /// `None`: seen outside a sync, not yet taken in by the next list pass.
    pub sync_run_id: Option<i64>,
    /// Empty for a `baseline` line.
    pub appid: String,
    /// The account's nick_name now (empty before its details are known).
    pub nick_name: String,
    /// The account's kind now (service types mean different things for each).
    pub account_kind: Option<Kind>,
    pub kind: ChangeKind,
    /// The column that changed: `status`, `auth_time`, `nick_name`, `verify_type`,
    /// `service_type`, `principal_name`, `func_info`, `accounts` (baseline).
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
    /// `permissions`: the funcscope ids granted since the previous details.
    pub added: Vec<i64>,
    /// `permissions`: the funcscope ids no longer granted.
    pub removed: Vec<i64>,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ChangePage {
    /// Changes matching the query (all pages).
    pub total: u64,
    pub rows: Vec<ChangeRow>,
}

/// Changes per kind (of one sync).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, specta::Type)]
pub struct ChangeCounts {
    pub authorized: u64,
    pub revoked: u64,
    pub reauthorized: u64,
    pub renamed: u64,
    pub permissions: u64,
    pub verify_type: u64,
    pub principal: u64,
    pub service_type: u64,
}

impl ChangeCounts {
    fn add(&mut self, kind: ChangeKind, n: u64) {
        let slot = match kind {
            ChangeKind::Baseline => return,
            ChangeKind::Authorized => &mut self.authorized,
            ChangeKind::Revoked => &mut self.revoked,
            ChangeKind::Reauthorized => &mut self.reauthorized,
            ChangeKind::Renamed => &mut self.renamed,
            ChangeKind::Permissions => &mut self.permissions,
            ChangeKind::VerifyType => &mut self.verify_type,
            ChangeKind::Principal => &mut self.principal,
            ChangeKind::ServiceType => &mut self.service_type,
        };
        *slot += n;
    }

    pub fn total(&self) -> u64 {
        self.authorized
            + self.revoked
            + self.reauthorized
            + self.renamed
            + self.permissions
            + self.verify_type
            + self.principal
            + self.service_type
    }
}

/// A sync run and what it saw change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SyncChanges {
    pub sync_run_id: i64,
    pub state: super::sync_runs::SyncState,
    pub with_details: bool,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    /// The first sync of the profile: the accounts it listed (no change rows recorded).
    pub baseline_accounts: Option<u64>,
    pub counts: ChangeCounts,
    pub total: u64,
}

const COLS: &str =
    "c.id, c.sync_run_id, c.appid, coalesce(a.nick_name, ''), c.kind, c.field, c.old, c.new, c.at, a.kind";

fn ids_of(text: Option<&str>) -> Vec<i64> {
    text.and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default()
}

fn change_row(r: &Row<'_>) -> rusqlite::Result<ChangeRow> {
    let kind: ChangeKind = r.get(4)?;
    let old: Option<String> = r.get(6)?;
    let new: Option<String> = r.get(7)?;
    let (added, removed) = if kind == ChangeKind::Permissions {
        (ids_of(new.as_deref()), ids_of(old.as_deref()))
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(ChangeRow {
        id: r.get(0)?,
        sync_run_id: r.get(1)?,
        appid: r.get(2)?,
        nick_name: r.get(3)?,
        account_kind: r.get(9)?,
        kind,
        field: r.get(5)?,
        old,
        new,
        added,
        removed,
        at: r.get(8)?,
    })
}

/// The WHERE clause of a change query and its parameters.
fn filter(profile_id: i64, q: &ChangeQuery) -> (String, Vec<Value>) {
    let mut w = String::from("c.profile_id = ?");
    let mut args = vec![Value::Integer(profile_id)];
    if let Some(id) = q.sync_run_id {
        w.push_str(" AND c.sync_run_id = ?");
        args.push(Value::Integer(id));
    }
    if let Some(id) = q.since_sync {
        w.push_str(
            " AND (c.sync_run_id >= ? OR (c.sync_run_id IS NULL AND c.at >=
                 coalesce((SELECT started_at FROM sync_runs WHERE id = ?), 0)))",
        );
        args.push(Value::Integer(id));
        args.push(Value::Integer(id));
    }
    if let Some(t) = q.since {
        w.push_str(" AND c.at >= ?");
        args.push(Value::Integer(t));
    }
    if let Some(k) = q.kind {
        w.push_str(" AND c.kind = ?");
        args.push(Value::Text(k.as_str().into()));
    }
    if let Some(a) = q.appid.as_deref().filter(|a| !a.is_empty()) {
        w.push_str(" AND c.appid = ?");
        args.push(Value::Text(a.into()));
    }
    if let Some(needle) = q.query.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        w.push_str(
            " AND (instr(lower(c.appid), ?) > 0 OR instr(lower(coalesce(a.nick_name, '')), ?) > 0
                 OR instr(lower(coalesce(c.old, '') || char(31) || coalesce(c.new, '')), ?) > 0)",
        );
        let n = needle.to_lowercase();
        args.extend([
            Value::Text(n.clone()),
            Value::Text(n.clone()),
            Value::Text(n),
        ]);
    }
    (w, args)
}

impl Store {
    /// Recorded changes of a profile matching `q`, newest first.
    pub fn changes_list(&self, profile_id: i64, q: &ChangeQuery) -> Result<ChangePage, StoreError> {
        let (w, args) = filter(profile_id, q);
        let from = "authorizer_change_log c
                    LEFT JOIN authorizers a ON a.profile_id = c.profile_id AND a.appid = c.appid";
        self.with_read(|c| {
            let total: i64 = c
                .prepare_cached(&format!("SELECT count(*) FROM {from} WHERE {w}"))
                .and_then(|mut s| s.query_row(params_from_iter(args.iter()), |r| r.get(0)))
                .ctx("count changes")?;
            let mut page = args.clone();
            page.push(Value::Integer(i64::from(q.limit.min(MAX_CHANGES_PAGE))));
            page.push(Value::Integer(i64::from(q.offset)));
            let mut s = c
                .prepare_cached(&format!(
                    "SELECT {COLS} FROM {from} WHERE {w} ORDER BY c.id DESC LIMIT ? OFFSET ?"
                ))
                .ctx("list changes")?;
            let rows = s
                .query_map(params_from_iter(page.iter()), change_row)
                .ctx("list changes")?
                .collect::<Result<Vec<_>, _>>()
                .ctx("list changes")?;
            Ok(ChangePage {
                total: total as u64,
                rows,
            })
        })
    }

    /// The profile's `limit` newest sync runs, each with its counts of changes per kind.
    pub fn changes_by_sync(
        &self,
        profile_id: i64,
        limit: u32,
    ) -> Result<Vec<SyncChanges>, StoreError> {
        let runs = self.sync_runs_list(profile_id, limit)?;
        self.with_read(|c| {
            // Counts from the covering index alone: a sync that saw a million revocations reads
            // no table row. The baseline line's number is read apart (one row).
            let mut count = c
                .prepare_cached(
                    "SELECT kind, count(*) FROM authorizer_change_log
                      WHERE profile_id = ?1 AND sync_run_id = ?2 GROUP BY kind",
                )
                .ctx("count changes")?;
            let mut baseline = c
                .prepare_cached(
                    "SELECT new FROM authorizer_change_log
                      WHERE profile_id = ?1 AND sync_run_id = ?2 AND kind = 'baseline' LIMIT 1",
                )
                .ctx("read the baseline")?;
            runs.into_iter()
                .map(|run| {
                    let mut out = SyncChanges {
                        sync_run_id: run.id,
                        state: run.state,
                        with_details: run.with_details,
                        started_at: run.started_at,
                        finished_at: run.finished_at,
                        baseline_accounts: None,
                        counts: ChangeCounts::default(),
                        total: 0,
                    };
                    let rows = count
                        .query_map(params![profile_id, run.id], |r| {
                            Ok((r.get::<_, ChangeKind>(0)?, r.get::<_, i64>(1)?))
                        })
                        .ctx("count changes")?;
                    let mut has_baseline = false;
                    for row in rows {
                        let (kind, n) = row.ctx("count changes")?;
                        has_baseline |= kind == ChangeKind::Baseline;
                        out.counts.add(kind, n as u64);
                    }
                    if has_baseline {
                        let n: Option<String> = baseline
                            .query_row(params![profile_id, run.id], |r| r.get(0))
                            .ctx("read the baseline")?;
                        out.baseline_accounts = n.and_then(|b| b.parse().ok());
                    }
                    out.total = out.counts.total();
                    Ok(out)
                })
                .collect()
        })
    }
}
