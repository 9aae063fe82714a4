//! `sync_runs`: progress of authorizer syncs, so that a cancelled or crashed run resumes
//! without redoing committed pages (see [`Store::record_list_page`]).

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::db::Store;
use super::error::{Ctx, StoreError};
use super::text_enum::text_enum;
use crate::clock::now;

text_enum! {
    pub enum SyncState { Running => "running", Cancelled => "cancelled", Failed => "failed", Done => "done" }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SyncRunRow {
    pub id: i64,
    pub profile_id: i64,
    pub state: SyncState,
    pub with_details: bool,
    /// Every list page is committed.
    pub list_done: bool,
    /// `total_count` from the list API (known after the first page).
    pub total_count: Option<i64>,
    /// Offset of the next list page to fetch (pages before it are committed).
    pub next_offset: i64,
    pub details_total: Option<i64>,
    pub details_done: i64,
    pub errors: i64,
    pub last_error: Option<String>,
    /// Rows marked revoked at the end of the list phase.
    pub revoked: i64,
    pub started_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

const COLS: &str = "id, profile_id, state, with_details, list_done, total_count, next_offset, details_total, details_done, errors, last_error, revoked, started_at, updated_at, finished_at";

fn row(r: &Row<'_>) -> rusqlite::Result<SyncRunRow> {
    Ok(SyncRunRow {
        id: r.get(0)?,
        profile_id: r.get(1)?,
        state: r.get(2)?,
        with_details: r.get(3)?,
        list_done: r.get(4)?,
        total_count: r.get(5)?,
        next_offset: r.get(6)?,
        details_total: r.get(7)?,
        details_done: r.get(8)?,
        errors: r.get(9)?,
        last_error: r.get(10)?,
        revoked: r.get(11)?,
        started_at: r.get(12)?,
        updated_at: r.get(13)?,
        finished_at: r.get(14)?,
    })
}

fn get(c: &rusqlite::Connection, id: i64) -> Result<SyncRunRow, StoreError> {
    c.query_row(
        &format!("SELECT {COLS} FROM sync_runs WHERE id = ?1"),
        [id],
        row,
    )
    .optional()
    .ctx("read sync run")?
    .ok_or_else(|| StoreError::NotFound(format!("sync run {id}")))
}

impl Store {
    /// Starts a new run (state `running`).
    pub fn sync_run_start(
        &self,
        profile_id: i64,
        with_details: bool,
    ) -> Result<SyncRunRow, StoreError> {
        let t = now();
        self.with_write(|c| {
            c.execute(
                "INSERT INTO sync_runs (profile_id, state, with_details, started_at, updated_at)
                 VALUES (?1, 'running', ?2, ?3, ?3)",
                params![profile_id, with_details, t],
            )
            .ctx("start sync run")?;
            get(c, c.last_insert_rowid())
        })
    }

    pub fn sync_run_get(&self, id: i64) -> Result<Option<SyncRunRow>, StoreError> {
        self.with_read(|c| {
            c.query_row(
                &format!("SELECT {COLS} FROM sync_runs WHERE id = ?1"),
                [id],
                row,
            )
            .optional()
            .ctx("read sync run")
        })
    }

    /// The newest run of a profile.
    pub fn sync_run_latest(&self, profile_id: i64) -> Result<Option<SyncRunRow>, StoreError> {
        self.with_read(|c| {
            c.query_row(
                &format!(
                    "SELECT {COLS} FROM sync_runs WHERE profile_id = ?1 ORDER BY id DESC LIMIT 1"
                ),
                [profile_id],
                row,
            )
            .optional()
            .ctx("read sync run")
        })
    }

    /// The newest run, if it did not finish (`running` after a crash, `cancelled` or `failed`):
    /// the one to resume.
    pub fn sync_run_resumable(&self, profile_id: i64) -> Result<Option<SyncRunRow>, StoreError> {
        Ok(self
            .sync_run_latest(profile_id)?
            .filter(|r| r.state != SyncState::Done))
    }

    /// Marks a run `running` again (resume), clearing `finished_at`.
    pub fn sync_run_resume(&self, id: i64) -> Result<SyncRunRow, StoreError> {
        let t = now();
        self.with_write(|c| {
            c.execute(
                "UPDATE sync_runs SET state = 'running', finished_at = NULL, updated_at = ?2 WHERE id = ?1",
                params![id, t],
            )
            .ctx("resume sync run")?;
            get(c, id)
        })
    }

    /// Records that every list page is committed (required before
    /// [`Store::mark_unseen_revoked`]).
    pub fn sync_run_list_done(&self, id: i64) -> Result<(), StoreError> {
        let t = now();
        self.with_write(|c| {
            c.execute(
                "UPDATE sync_runs SET list_done = 1, updated_at = ?2 WHERE id = ?1",
                params![id, t],
            )
            .ctx("finish list phase")?;
            Ok(())
        })
    }

    pub fn sync_run_set_details_total(&self, id: i64, total: i64) -> Result<(), StoreError> {
        let t = now();
        self.with_write(|c| {
            c.execute(
                "UPDATE sync_runs SET details_total = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, total, t],
            )
            .ctx("record details total")?;
            Ok(())
        })
    }

    /// Adds to the details counters (batch them: one call per few dozen accounts is plenty).
    pub fn sync_run_add_details(
        &self,
        id: i64,
        done: i64,
        errors: i64,
        last_error: Option<&str>,
    ) -> Result<(), StoreError> {
        let t = now();
        self.with_write(|c| {
            c.prepare_cached(
                "UPDATE sync_runs SET details_done = details_done + ?2, errors = errors + ?3,
                     last_error = coalesce(?4, last_error), updated_at = ?5 WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(params![id, done, errors, last_error, t]))
            .ctx("record details progress")?;
            Ok(())
        })
    }

    /// Ends a run (`done`, `cancelled` or `failed`).
    pub fn sync_run_finish(
        &self,
        id: i64,
        state: SyncState,
        last_error: Option<&str>,
    ) -> Result<SyncRunRow, StoreError> {
        let t = now();
        self.with_write(|c| {
            c.execute(
                "UPDATE sync_runs SET state = ?2, last_error = coalesce(?3, last_error), updated_at = ?4,
                     finished_at = CASE WHEN ?2 = 'running' THEN NULL ELSE ?4 END
                 WHERE id = ?1",
                params![id, state, last_error, t],
            )
            .ctx("finish sync run")?;
            get(c, id)
        })
    }

    /// Recent runs of a profile, newest first.
    pub fn sync_runs_list(
        &self,
        profile_id: i64,
        limit: u32,
    ) -> Result<Vec<SyncRunRow>, StoreError> {
        self.with_read(|c| {
            let mut s = c
                .prepare_cached(&format!(
                    "SELECT {COLS} FROM sync_runs WHERE profile_id = ?1 ORDER BY id DESC LIMIT ?2"
                ))
                .ctx("list sync runs")?;
            let rows = s
                .query_map(params![profile_id, limit], row)
                .ctx("list sync runs")?;
            rows.collect::<Result<Vec<_>, _>>().ctx("list sync runs")
        })
    }
}

/// Who asks for a run's lease, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct LeaseRequest<'a> {
    /// The asking process (see `service::lease::Owner`): compared as text.
    pub owner: &'a str,
    pub now: i64,
    /// Seconds the lease lasts without a heartbeat.
    pub ttl_secs: i64,
}

/// A run's lease as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncLease {
    pub owner: Option<String>,
    pub heartbeat_at: Option<i64>,
    /// NULL once the run ended.
    pub lease_expires_at: Option<i64>,
}

/// What [`Store::sync_run_claim`] did.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub run: SyncRunRow,
    /// An unfinished run was taken up again (false: a new run).
    pub resumed: bool,
    /// The owner whose lease was taken over (it stopped beating; or `owner_gone` said so).
    pub took_over: Option<String>,
}

/// Refuses ([`StoreError::Leased`]) while another owner's lease on the profile's running run
/// is live; answers the owner whose lease is over (to be taken over), if any.
fn check_lease(
    c: &rusqlite::Connection,
    profile_id: i64,
    lease: LeaseRequest<'_>,
    owner_gone: &dyn Fn(&str) -> bool,
) -> Result<Option<String>, StoreError> {
    let Some((run_id, owner, expires_at)) = live_lease(c, profile_id)? else {
        return Ok(None);
    };
    if owner == lease.owner {
        return Ok(None);
    }
    if expires_at > lease.now && !owner_gone(&owner) {
        return Err(StoreError::Leased {
            run_id,
            owner,
            expires_at,
        });
    }
    Ok(Some(owner))
}

/// The lease of the newest run of a profile, if that run is `running` and leased.
fn live_lease(
    c: &rusqlite::Connection,
    profile_id: i64,
) -> Result<Option<(i64, String, i64)>, StoreError> {
    c.query_row(
        "SELECT id, owner, lease_expires_at FROM sync_runs
          WHERE profile_id = ?1 AND state = 'running' AND id =
                (SELECT max(id) FROM sync_runs WHERE profile_id = ?1)",
        [profile_id],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<i64>>(2)?,
            ))
        },
    )
    .optional()
    .ctx("read sync lease")
    .map(|row| match row {
        Some((id, Some(owner), Some(expires))) => Some((id, owner, expires)),
        _ => None,
    })
}

impl Store {
    /// Takes the sync of a profile for `lease.owner`, in one transaction: resumes the newest
    /// unfinished run (or, with `restart`, cancels it and starts a new one), or starts a new
    /// run; the run then carries the owner's lease. Refused with [`StoreError::Leased`] while
    /// another owner's lease is live: not expired, and not an owner `owner_gone` knows to be
    /// dead (a crashed process on this machine). An expired lease is taken over.
    pub fn sync_run_claim(
        &self,
        profile_id: i64,
        with_details: bool,
        restart: bool,
        lease: LeaseRequest<'_>,
        owner_gone: &dyn Fn(&str) -> bool,
    ) -> Result<Claimed, StoreError> {
        self.in_tx(|tx| {
            let took_over = check_lease(tx, profile_id, lease, owner_gone)?;
            let latest = tx
                .query_row(
                    &format!(
                        "SELECT {COLS} FROM sync_runs WHERE profile_id = ?1 ORDER BY id DESC LIMIT 1"
                    ),
                    [profile_id],
                    row,
                )
                .optional()
                .ctx("read sync run")?
                .filter(|r| r.state != SyncState::Done);
            let (id, resumed) = match latest {
                Some(r) if !restart => (r.id, true),
                Some(r) => {
                    tx.execute(
                        "UPDATE sync_runs SET state = 'cancelled', last_error = 'superseded by a new run',
                             updated_at = ?2, finished_at = ?2, lease_expires_at = NULL
                         WHERE id = ?1",
                        params![r.id, lease.now],
                    )
                    .ctx("supersede sync run")?;
                    (insert_run(tx, profile_id, with_details, lease.now)?, false)
                }
                None => (insert_run(tx, profile_id, with_details, lease.now)?, false),
            };
            tx.execute(
                "UPDATE sync_runs SET state = 'running', finished_at = NULL, updated_at = ?2,
                     owner = ?3, heartbeat_at = ?2, lease_expires_at = ?4
                 WHERE id = ?1",
                params![id, lease.now, lease.owner, lease.now + lease.ttl_secs],
            )
            .ctx("take the sync lease")?;
            Ok(Claimed {
                run: get(tx, id)?,
                resumed,
                took_over,
            })
        })
    }

    /// [`Store::sync_run_claim`]'s refusal, read without the write lock: a process refused
    /// answers at once, even while the owner is in the middle of a commit.
    pub fn sync_run_check_lease(
        &self,
        profile_id: i64,
        lease: LeaseRequest<'_>,
        owner_gone: &dyn Fn(&str) -> bool,
    ) -> Result<(), StoreError> {
        self.with_read(|c| check_lease(c, profile_id, lease, owner_gone).map(|_| ()))
    }

    /// Renews `lease.owner`'s lease on run `id`; [`StoreError::LeaseLost`] when another owner
    /// holds it now (this one was taken over while silent).
    pub fn sync_run_heartbeat(&self, id: i64, lease: LeaseRequest<'_>) -> Result<(), StoreError> {
        self.with_write(|c| {
            let n = c
                .execute(
                    "UPDATE sync_runs SET heartbeat_at = ?3, lease_expires_at = ?4
                     WHERE id = ?1 AND owner = ?2 AND state = 'running'",
                    params![id, lease.owner, lease.now, lease.now + lease.ttl_secs],
                )
                .ctx("renew the sync lease")?;
            if n == 1 {
                return Ok(());
            }
            lost(c, id)
        })
    }

    /// [`Store::sync_run_finish`] by the lease's owner only: a run taken over by another
    /// process is left to it ([`StoreError::LeaseLost`]). Ends the lease.
    pub fn sync_run_finish_owned(
        &self,
        id: i64,
        owner: &str,
        state: SyncState,
        last_error: Option<&str>,
    ) -> Result<SyncRunRow, StoreError> {
        let t = now();
        self.with_write(|c| {
            let n = c
                .execute(
                    "UPDATE sync_runs SET state = ?3, last_error = coalesce(?4, last_error), updated_at = ?5,
                         finished_at = CASE WHEN ?3 = 'running' THEN NULL ELSE ?5 END,
                         lease_expires_at = NULL
                     WHERE id = ?1 AND owner = ?2",
                    params![id, owner, state, last_error, t],
                )
                .ctx("finish sync run")?;
            if n == 0 {
                return lost(c, id);
            }
            get(c, id)
        })
    }

    /// The lease columns of run `id`.
    pub fn sync_run_lease(&self, id: i64) -> Result<Option<SyncLease>, StoreError> {
        self.with_read(|c| {
            c.query_row(
                "SELECT owner, heartbeat_at, lease_expires_at FROM sync_runs WHERE id = ?1",
                [id],
                |r| {
                    Ok(SyncLease {
                        owner: r.get(0)?,
                        heartbeat_at: r.get(1)?,
                        lease_expires_at: r.get(2)?,
                    })
                },
            )
            .optional()
            .ctx("read sync lease")
        })
    }
}

fn insert_run(
    c: &rusqlite::Connection,
    profile_id: i64,
    with_details: bool,
    t: i64,
) -> Result<i64, StoreError> {
    c.execute(
        "INSERT INTO sync_runs (profile_id, state, with_details, started_at, updated_at)
         VALUES (?1, 'running', ?2, ?3, ?3)",
        params![profile_id, with_details, t],
    )
    .ctx("start sync run")?;
    Ok(c.last_insert_rowid())
}

/// The error for an owner that no longer holds run `id`.
fn lost<T>(c: &rusqlite::Connection, id: i64) -> Result<T, StoreError> {
    let owner: Option<String> = c
        .query_row("SELECT owner FROM sync_runs WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()
        .ctx("read sync lease")?
        .flatten();
    Err(StoreError::LeaseLost {
        run_id: id,
        owner: owner.unwrap_or_else(|| "nobody (the run is gone)".into()),
    })
}
