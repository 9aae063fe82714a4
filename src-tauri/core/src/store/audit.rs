//! `audit_log` (every API call, redacted by the caller) and `quota_resets` (clear_quota calls,
//! counted per month: WeChat allows a few per month).

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Row};
use serde::{Deserialize, Serialize};

use super::db::Store;
use super::error::{Ctx, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAudit {
    pub at: i64,
    pub profile_id: Option<i64>,
    pub endpoint: String,
    pub appid: Option<String>,
    pub errcode: Option<i64>,
    pub duration_ms: i64,
    /// Request/response summary with secrets and tokens already redacted.
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub profile_id: Option<i64>,
    pub endpoint: String,
    pub appid: Option<String>,
    pub errcode: Option<i64>,
    pub duration_ms: i64,
    pub detail: Option<String>,
    /// The rid WeChat gave a failed call (from `detail`): Activity looks it up.
    pub rid: Option<String>,
    /// The query parameter the call's token travelled in (`component_access_token`,
    /// `access_token`), `None` for calls without a token.
    pub token_param: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(default)]
pub struct AuditQuery {
    pub profile_id: Option<i64>,
    pub endpoint: Option<String>,
    pub appid: Option<String>,
    /// Only calls that failed (errcode present and not 0).
    pub errors_only: bool,
    /// `at >= since`.
    pub since: Option<i64>,
    pub limit: u32,
    pub offset: u32,
}

impl Default for AuditQuery {
    fn default() -> Self {
        AuditQuery {
            profile_id: None,
            endpoint: None,
            appid: None,
            errors_only: false,
            since: None,
            limit: 100,
            offset: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct AuditPage {
    pub total: u64,
    /// Newest first.
    pub rows: Vec<AuditEntry>,
}

fn row(r: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    let detail: Option<String> = r.get(7)?;
    let (rid, token_param) = detail_keys(detail.as_deref());
    Ok(AuditEntry {
        id: r.get(0)?,
        at: r.get(1)?,
        profile_id: r.get(2)?,
        endpoint: r.get(3)?,
        appid: r.get(4)?,
        errcode: r.get(5)?,
        duration_ms: r.get(6)?,
        detail,
        rid,
        token_param,
    })
}

/// `rid` and `token` of a row's detail JSON (rows written before they were kept have neither).
fn detail_keys(detail: Option<&str>) -> (Option<String>, Option<String>) {
    #[derive(Deserialize)]
    struct Keys {
        rid: Option<String>,
        token: Option<String>,
    }
    detail
        .and_then(|d| serde_json::from_str::<Keys>(d).ok())
        .map_or((None, None), |k| (k.rid, k.token))
}

/// Rows deleted per transaction when pruning history: a few milliseconds of the writer's time.
pub const PRUNE_BATCH: usize = 500;

/// Offset of China Standard Time: WeChat counts monthly quotas in Beijing time.
const CST_OFFSET_SECS: i64 = 8 * 3600;

/// How often one errcode came back in a time window (the Health page's top errcodes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ErrcodeCount {
    pub errcode: i64,
    pub count: u64,
    /// The latest call that got it.
    pub last_at: i64,
    /// The endpoint of that call.
    pub last_endpoint: String,
}

impl Store {
    /// The `limit` errcodes (not 0) a profile's calls got most often at or after `since`, most
    /// frequent first.
    pub fn audit_top_errcodes(
        &self,
        profile_id: i64,
        since: i64,
        limit: u32,
    ) -> Result<Vec<ErrcodeCount>, StoreError> {
        self.with_read(|c| {
            // By time first (audit_log_by_at): the window is a day, the log up to 90.
            let mut s = c
                .prepare_cached(
                    "SELECT errcode, count(*), max(at),
                            (SELECT endpoint FROM audit_log l WHERE l.profile_id = ?1 AND l.errcode = a.errcode
                                AND l.at >= ?2 ORDER BY l.at DESC, l.id DESC LIMIT 1)
                       FROM audit_log a
                      WHERE at >= ?2 AND profile_id = ?1 AND errcode IS NOT NULL AND errcode <> 0
                      GROUP BY errcode ORDER BY count(*) DESC, errcode LIMIT ?3",
                )
                .ctx("count errcodes")?;
            let rows = s
                .query_map(params![profile_id, since, limit], |r| {
                    Ok(ErrcodeCount {
                        errcode: r.get(0)?,
                        count: r.get::<_, i64>(1)? as u64,
                        last_at: r.get(2)?,
                        last_endpoint: r.get(3)?,
                    })
                })
                .ctx("count errcodes")?;
            rows.collect::<Result<Vec<_>, _>>().ctx("count errcodes")
        })
    }
}

impl Store {
    pub fn audit_insert(&self, a: &NewAudit) -> Result<i64, StoreError> {
        self.with_write(|c| {
            c.prepare_cached(
                "INSERT INTO audit_log (at, profile_id, endpoint, appid, errcode, duration_ms, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(params![a.at, a.profile_id, a.endpoint, a.appid, a.errcode, a.duration_ms, a.detail])
            })
            .ctx("write audit log")?;
            Ok(c.last_insert_rowid())
        })
    }

    /// Inserts many entries in one transaction, reusing one prepared statement; returns how many.
    /// All or none: on error the transaction rolls back.
    pub fn audit_insert_many(&self, entries: &[NewAudit]) -> Result<usize, StoreError> {
        if entries.is_empty() {
            return Ok(0);
        }
        self.in_tx(|tx| {
            let mut s = tx
                .prepare_cached(
                    "INSERT INTO audit_log (at, profile_id, endpoint, appid, errcode, duration_ms, detail)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .ctx("write audit log")?;
            for a in entries {
                s.execute(params![a.at, a.profile_id, a.endpoint, a.appid, a.errcode, a.duration_ms, a.detail])
                    .ctx("write audit log")?;
            }
            Ok(entries.len())
        })
    }

    pub fn audit_list(&self, q: &AuditQuery) -> Result<AuditPage, StoreError> {
        let mut filter = String::from("1 = 1");
        let mut args = Vec::new();
        if let Some(p) = q.profile_id {
            filter.push_str(" AND profile_id = ?");
            args.push(Value::Integer(p));
        }
        if let Some(e) = &q.endpoint {
            filter.push_str(" AND endpoint = ?");
            args.push(Value::Text(e.clone()));
        }
        if let Some(a) = &q.appid {
            filter.push_str(" AND appid = ?");
            args.push(Value::Text(a.clone()));
        }
        if q.errors_only {
            filter.push_str(" AND errcode IS NOT NULL AND errcode <> 0");
        }
        if let Some(s) = q.since {
            filter.push_str(" AND at >= ?");
            args.push(Value::Integer(s));
        }
        self.with_read(|c| {
            let total: i64 = c
                .prepare_cached(&format!("SELECT count(*) FROM audit_log WHERE {filter}"))
                .and_then(|mut s| s.query_row(params_from_iter(args.iter()), |r| r.get(0)))
                .ctx("count audit log")?;
            let mut page_args = args.clone();
            page_args.push(Value::Integer(q.limit.min(1000) as i64));
            page_args.push(Value::Integer(q.offset as i64));
            let mut s = c
                .prepare_cached(&format!(
                    "SELECT id, at, profile_id, endpoint, appid, errcode, duration_ms, detail
                     FROM audit_log WHERE {filter} ORDER BY id DESC LIMIT ? OFFSET ?"
                ))
                .ctx("list audit log")?;
            let rows = s
                .query_map(params_from_iter(page_args.iter()), row)
                .ctx("list audit log")?
                .collect::<Result<Vec<_>, _>>()
                .ctx("list audit log")?;
            Ok(AuditPage {
                total: total as u64,
                rows,
            })
        })
    }

    /// The newest call of the profile that WeChat answered with `rid` (a text search over the
    /// detail JSON: run once per lookup, not per row shown).
    pub fn audit_find_rid(
        &self,
        profile_id: i64,
        rid: &str,
    ) -> Result<Option<AuditEntry>, StoreError> {
        let needle = format!("\"rid\":{}", serde_json::Value::String(rid.to_owned()));
        self.with_read(|c| {
            let mut s = c
                .prepare_cached(
                    "SELECT id, at, profile_id, endpoint, appid, errcode, duration_ms, detail
                     FROM audit_log WHERE profile_id = ?1 AND errcode IS NOT NULL AND errcode <> 0
                       AND instr(detail, ?2) > 0 ORDER BY id DESC LIMIT 1",
                )
                .ctx("find rid in audit log")?;
            let mut rows = s
                .query_map(params![profile_id, needle], row)
                .ctx("find rid in audit log")?;
            rows.next().transpose().ctx("find rid in audit log")
        })
    }

    /// Deletes audit entries older than `before` (Unix seconds); returns how many.
    pub fn audit_prune(&self, before: i64) -> Result<usize, StoreError> {
        let mut total = 0;
        loop {
            let n = self.audit_prune_batch(before, PRUNE_BATCH)?;
            total += n;
            if n < PRUNE_BATCH {
                return Ok(total);
            }
        }
    }

    /// Deletes at most `limit` audit entries older than `before`, oldest first, in one short
    /// transaction; returns how many. Call it until it returns less than `limit`: between two
    /// batches other writers (a sync, the audit writer) get the write lock.
    pub fn audit_prune_batch(&self, before: i64, limit: usize) -> Result<usize, StoreError> {
        self.with_write(|c| {
            c.prepare_cached(
                "DELETE FROM audit_log WHERE id IN
                     (SELECT id FROM audit_log WHERE at < ?1 ORDER BY at LIMIT ?2)",
            )
            .and_then(|mut s| s.execute(params![before, limit as i64]))
            .ctx("prune audit log")
        })
    }

    /// Records a clear_quota call.
    pub fn quota_reset_insert(
        &self,
        profile_id: i64,
        at: i64,
        appid: Option<&str>,
    ) -> Result<(), StoreError> {
        self.with_write(|c| {
            c.execute(
                "INSERT INTO quota_resets (profile_id, at, appid) VALUES (?1, ?2, ?3)",
                params![profile_id, at, appid],
            )
            .ctx("record quota reset")?;
            Ok(())
        })
    }

    /// The platform's own clear_quota calls in the calendar month (Beijing time) containing
    /// `now`; an authorizer's resets are its own budget, not the platform's.
    pub fn quota_resets_count_this_month(
        &self,
        profile_id: i64,
        now: i64,
    ) -> Result<u32, StoreError> {
        self.quota_resets_count(profile_id, None, now)
    }

    /// clear_quota calls for one authorizer (`Some(appid)`) or for the platform (`None`) in the
    /// calendar month (Beijing time) containing `now`.
    pub fn quota_resets_count(
        &self,
        profile_id: i64,
        appid: Option<&str>,
        now: i64,
    ) -> Result<u32, StoreError> {
        self.with_read(|c| {
            let (start, end) = month_bounds(c, now)?;
            c.query_row(
                "SELECT count(*) FROM quota_resets WHERE profile_id = ?1 AND at >= ?2 AND at < ?3
                   AND appid IS ?4",
                params![profile_id, start, end, appid],
                |r| r.get(0),
            )
            .ctx("count quota resets")
        })
    }
}

/// Unix seconds of the start of the month (Beijing time) containing `now`, and of the next one.
fn month_bounds(c: &rusqlite::Connection, now: i64) -> Result<(i64, i64), StoreError> {
    c.query_row(
        "SELECT CAST(strftime('%s', ?1 + ?2, 'unixepoch', 'start of month') AS INTEGER) - ?2,
                CAST(strftime('%s', ?1 + ?2, 'unixepoch', 'start of month', '+1 month') AS INTEGER) - ?2",
        params![now, CST_OFFSET_SECS],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .ctx("compute month start")
}
