//! `bulk_jobs` and `bulk_items` (schema v9): a bulk action over a selection of authorizers,
//! resolved to appids when the job is created, with one result row per account. Every result
//! is committed as it arrives, so a job killed mid-way keeps what it did and resumes the rest.

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::db::Store;
use super::error::{Ctx, StoreError};
use super::text_enum::text_enum;

text_enum! {
    /// What a bulk job does to each account.
    pub enum BulkAction {
        OptionSet => "option_set",
        RefreshTokens => "refresh_tokens",
        Details => "details",
        RecoverRefreshTokens => "recover_refresh_tokens",
        OpenBind => "open_bind",
        OpenUnbind => "open_unbind",
    }
}

text_enum! {
    pub enum BulkJobState {
        Pending => "pending",
        Running => "running",
        Paused => "paused",
        Cancelled => "cancelled",
        Done => "done",
    }
}

text_enum! {
    pub enum BulkItemState { Pending => "pending", Ok => "ok", Skipped => "skipped", Failed => "failed" }
}

/// Accounts of a job by result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, specta::Type)]
pub struct BulkCounts {
    pub pending: u64,
    pub ok: u64,
    pub skipped: u64,
    pub failed: u64,
}

impl BulkCounts {
    pub fn finished(&self) -> u64 {
        self.ok + self.skipped + self.failed
    }
}

/// A job as stored, with its counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct BulkJobRow {
    pub id: i64,
    pub profile_id: i64,
    pub action: BulkAction,
    /// The action's parameters (JSON text: option name and value, open appid).
    pub params: String,
    /// What was selected (JSON text of the filter), for the record.
    pub selection: String,
    pub state: BulkJobState,
    pub total: u64,
    pub counts: BulkCounts,
    /// Why it paused or stopped (the quota reserve, 45009, a cancel).
    pub message: Option<String>,
    pub owner: Option<String>,
    pub heartbeat_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

/// One account's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct BulkItemRow {
    pub seq: i64,
    pub appid: String,
    pub state: BulkItemState,
    pub errcode: Option<i64>,
    pub message: Option<String>,
    pub at: Option<i64>,
}

/// An account of a new job: its appid, and why it is skipped (decided at creation), if so.
#[derive(Debug, Clone)]
pub struct NewBulkItem {
    pub appid: String,
    pub skip: Option<String>,
}

/// A new job.
#[derive(Debug, Clone)]
pub struct NewBulkJob<'a> {
    pub profile_id: i64,
    pub action: BulkAction,
    pub params: &'a str,
    pub selection: &'a str,
    pub items: &'a [NewBulkItem],
    pub now: i64,
}

/// Why a job cannot be claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimRefusal {
    /// Done or cancelled: nothing left to run.
    Finished(BulkJobState),
    /// Another live process runs it.
    Running { owner: String },
}

const COLS: &str = "id, profile_id, action, params, selection, state, total, message, owner, heartbeat_at, created_at, updated_at, finished_at";

fn job(r: &Row<'_>) -> rusqlite::Result<BulkJobRow> {
    Ok(BulkJobRow {
        id: r.get(0)?,
        profile_id: r.get(1)?,
        action: r.get(2)?,
        params: r.get(3)?,
        selection: r.get(4)?,
        state: r.get(5)?,
        total: r.get::<_, i64>(6)? as u64,
        counts: BulkCounts::default(),
        message: r.get(7)?,
        owner: r.get(8)?,
        heartbeat_at: r.get(9)?,
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
        finished_at: r.get(12)?,
    })
}

fn item(r: &Row<'_>) -> rusqlite::Result<BulkItemRow> {
    Ok(BulkItemRow {
        seq: r.get(0)?,
        appid: r.get(1)?,
        state: r.get(2)?,
        errcode: r.get(3)?,
        message: r.get(4)?,
        at: r.get(5)?,
    })
}

fn counts(c: &rusqlite::Connection, job_id: i64) -> Result<BulkCounts, StoreError> {
    let mut s = c
        .prepare_cached("SELECT state, count(*) FROM bulk_items WHERE job_id = ?1 GROUP BY state")
        .ctx("count bulk items")?;
    let mut out = BulkCounts::default();
    let rows = s
        .query_map([job_id], |r| {
            Ok((r.get::<_, BulkItemState>(0)?, r.get::<_, i64>(1)? as u64))
        })
        .ctx("count bulk items")?;
    for r in rows {
        let (state, n) = r.ctx("count bulk items")?;
        match state {
            BulkItemState::Pending => out.pending = n,
            BulkItemState::Ok => out.ok = n,
            BulkItemState::Skipped => out.skipped = n,
            BulkItemState::Failed => out.failed = n,
        }
    }
    Ok(out)
}

fn get(c: &rusqlite::Connection, id: i64) -> Result<Option<BulkJobRow>, StoreError> {
    let row = c
        .query_row(
            &format!("SELECT {COLS} FROM bulk_jobs WHERE id = ?1"),
            [id],
            job,
        )
        .optional()
        .ctx("read bulk job")?;
    match row {
        Some(mut j) => {
            j.counts = counts(c, id)?;
            Ok(Some(j))
        }
        None => Ok(None),
    }
}

impl Store {
    /// Creates a job and its items (skipped ones already finished) in one transaction.
    pub fn bulk_job_create(&self, new: &NewBulkJob<'_>) -> Result<BulkJobRow, StoreError> {
        self.in_tx(|tx| {
            tx.execute(
                "INSERT INTO bulk_jobs (profile_id, action, params, selection, state, total, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?6)",
                params![
                    new.profile_id,
                    new.action,
                    new.params,
                    new.selection,
                    new.items.len() as i64,
                    new.now
                ],
            )
            .ctx("create bulk job")?;
            let id = tx.last_insert_rowid();
            let mut s = tx
                .prepare_cached(
                    "INSERT INTO bulk_items (job_id, seq, appid, state, message, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .ctx("create bulk items")?;
            for (seq, it) in new.items.iter().enumerate() {
                let (state, at) = match it.skip {
                    Some(_) => (BulkItemState::Skipped, Some(new.now)),
                    None => (BulkItemState::Pending, None),
                };
                s.execute(params![id, seq as i64, it.appid, state, it.skip, at])
                    .ctx("create bulk items")?;
            }
            drop(s);
            get(tx, id)?.ok_or_else(|| StoreError::NotFound(format!("bulk job {id}")))
        })
    }

    pub fn bulk_job_get(&self, id: i64) -> Result<Option<BulkJobRow>, StoreError> {
        self.with_read(|c| get(c, id))
    }

    /// A profile's jobs, newest first.
    pub fn bulk_jobs_list(
        &self,
        profile_id: i64,
        limit: u32,
    ) -> Result<Vec<BulkJobRow>, StoreError> {
        self.with_read(|c| {
            let mut s = c
                .prepare_cached(&format!(
                    "SELECT {COLS} FROM bulk_jobs WHERE profile_id = ?1 ORDER BY id DESC LIMIT ?2"
                ))
                .ctx("list bulk jobs")?;
            let jobs = s
                .query_map(params![profile_id, limit], job)
                .ctx("list bulk jobs")?
                .collect::<Result<Vec<_>, _>>()
                .ctx("list bulk jobs")?;
            drop(s);
            jobs.into_iter()
                .map(|mut j| {
                    j.counts = counts(c, j.id)?;
                    Ok(j)
                })
                .collect()
        })
    }

    /// Takes job `id` for `owner` (state `running`), in one transaction. Refused when it is
    /// finished, or running in another owner that is neither known dead (`owner_gone`) nor
    /// silent for `stale_secs`.
    pub fn bulk_job_claim(
        &self,
        id: i64,
        owner: &str,
        now: i64,
        stale_secs: i64,
        owner_gone: &dyn Fn(&str) -> bool,
    ) -> Result<Result<BulkJobRow, ClaimRefusal>, StoreError> {
        self.in_tx(|tx| {
            let j = get(tx, id)?.ok_or_else(|| StoreError::NotFound(format!("bulk job {id}")))?;
            match j.state {
                BulkJobState::Done | BulkJobState::Cancelled => {
                    return Ok(Err(ClaimRefusal::Finished(j.state)))
                }
                BulkJobState::Running => {
                    let other = j.owner.clone().unwrap_or_default();
                    let silent = j.heartbeat_at.is_none_or(|h| now - h > stale_secs);
                    if other != owner && !silent && !owner_gone(&other) {
                        return Ok(Err(ClaimRefusal::Running { owner: other }));
                    }
                }
                BulkJobState::Pending | BulkJobState::Paused => {}
            }
            tx.execute(
                "UPDATE bulk_jobs SET state = 'running', owner = ?2, heartbeat_at = ?3,
                     updated_at = ?3, message = NULL, finished_at = NULL WHERE id = ?1",
                params![id, owner, now],
            )
            .ctx("claim bulk job")?;
            Ok(Ok(get(tx, id)?.expect("claimed job exists")))
        })
    }

    /// The job's state and owner only (read between accounts: has someone paused or
    /// cancelled it?).
    pub fn bulk_job_state(
        &self,
        id: i64,
    ) -> Result<Option<(BulkJobState, Option<String>)>, StoreError> {
        self.with_read(|c| {
            c.query_row(
                "SELECT state, owner FROM bulk_jobs WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .ctx("read bulk job state")
        })
    }

    /// Up to `limit` pending items after `after_seq`, in order.
    pub fn bulk_items_pending(
        &self,
        job_id: i64,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        self.with_read(|c| {
            let mut s = c
                .prepare_cached(
                    "SELECT seq, appid FROM bulk_items WHERE job_id = ?1 AND state = 'pending' AND seq > ?2
                     ORDER BY seq LIMIT ?3",
                )
                .ctx("read pending bulk items")?;
            let rows = s
                .query_map(params![job_id, after_seq, limit], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .ctx("read pending bulk items")?;
            rows.collect::<Result<Vec<_>, _>>()
                .ctx("read pending bulk items")
        })
    }

    /// Records one account's result and renews the owner's heartbeat, in one transaction.
    /// An item already finished is left as it is (`false`).
    pub fn bulk_item_finish(
        &self,
        job_id: i64,
        seq: i64,
        result: &BulkItemRow,
        owner: &str,
    ) -> Result<bool, StoreError> {
        self.in_tx(|tx| {
            let n = tx
                .execute(
                    "UPDATE bulk_items SET state = ?3, errcode = ?4, message = ?5, at = ?6
                     WHERE job_id = ?1 AND seq = ?2 AND state = 'pending'",
                    params![
                        job_id,
                        seq,
                        result.state,
                        result.errcode,
                        result.message,
                        result.at
                    ],
                )
                .ctx("record bulk item")?;
            tx.execute(
                "UPDATE bulk_jobs SET heartbeat_at = ?3, updated_at = ?3 WHERE id = ?1 AND owner = ?2",
                params![job_id, owner, result.at],
            )
            .ctx("renew bulk job heartbeat")?;
            Ok(n == 1)
        })
    }

    /// Sets a job's state (and message). With `owner`, only while that owner holds it: a
    /// runner does not overwrite the pause or cancel someone else asked for.
    pub fn bulk_job_set_state(
        &self,
        id: i64,
        state: BulkJobState,
        message: Option<&str>,
        owner: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let finished = matches!(state, BulkJobState::Done | BulkJobState::Cancelled);
        self.with_write(|c| {
            let n = c
                .execute(
                    "UPDATE bulk_jobs SET state = ?2, message = ?3, updated_at = ?4,
                         finished_at = CASE WHEN ?5 THEN ?4 ELSE NULL END
                     WHERE id = ?1 AND (?6 IS NULL OR (owner = ?6 AND state = 'running'))",
                    params![id, state, message, now, finished, owner],
                )
                .ctx("set bulk job state")?;
            Ok(n == 1)
        })
    }

    /// Items of a job from `after_seq`, in order (results table, CSV export, a chunk at a time).
    pub fn bulk_items_page(
        &self,
        job_id: i64,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<BulkItemRow>, StoreError> {
        self.with_read(|c| {
            let mut s = c
                .prepare_cached(
                    "SELECT seq, appid, state, errcode, message, at FROM bulk_items
                     WHERE job_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
                )
                .ctx("read bulk items")?;
            let rows = s
                .query_map(params![job_id, after_seq, limit], item)
                .ctx("read bulk items")?;
            rows.collect::<Result<Vec<_>, _>>().ctx("read bulk items")
        })
    }
}
