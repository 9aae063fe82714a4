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
