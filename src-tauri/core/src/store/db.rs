//! The SQLite file and its two connections: opening (mode 0600, WAL, migrations), the read and
//! write paths, transactions, and the diagnostics tests and benchmarks read.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use super::error::{Ctx, StoreError};
use super::migrations;
use super::search_index;
use crate::paths::DB_FILE;

/// How long a statement waits for another writer (another `wxopen` process) before failing.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

struct Inner {
    write: Mutex<Connection>,
    /// A second connection for reads (file databases only): searches do not wait for writes.
    read: Option<Mutex<Connection>>,
    path: Option<PathBuf>,
    /// In-memory authorizer search indexes ([`search_index`]).
    search: search_index::SearchCache,
    /// Transactions committed with `synchronous=FULL` in force ([`Store::durable_commits`]).
    durable_commits: AtomicU64,
}

/// The SQLite store. Cheap to clone; share one per process.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.inner.path)
            .finish()
    }
}

/// Gives the page cache of one connection back to the allocator (`PRAGMA shrink_memory`).
pub(crate) fn shrink_page_cache(c: &Connection) -> Result<(), StoreError> {
    c.execute_batch("PRAGMA shrink_memory")
        .ctx("release the page cache")
}

/// The writer's page cache size (KiB): a list page of 500 new accounts dirties a few thousand
/// pages.
const WRITE_CACHE_KIB: i64 = 32_768;

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn configure(conn: &Connection, file: bool) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT).ctx("set busy_timeout")?;
    conn.pragma_update(None, "foreign_keys", true)
        .ctx("enable foreign keys")?;
    if file {
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .ctx("enable WAL")?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Invalid(format!(
                "journal_mode is {mode}, expected wal"
            )));
        }
    }
    conn.pragma_update(None, "synchronous", "NORMAL")
        .ctx("set synchronous")?;
    // Deleted rows are overwritten with zeros, in the file and in the WAL: a removed profile's
    // tickets and refresh tokens must not stay readable in free pages (tokens are stored in
    // clear, see README "Security model").
    conn.pragma_update(None, "secure_delete", "ON")
        .ctx("set secure_delete")?;
    // A 32 MiB page cache (a list page of 500 new accounts dirties a few thousand pages). No
    // memory-mapped reads: searches run on the in-memory index (search_index.rs), and a mapping
    // would keep every page the index build read resident in the app (≈250 MB of a 100k-account
    // file counted in its memory) where plain reads leave them to the OS page cache.
    conn.pragma_update(None, "cache_size", -WRITE_CACHE_KIB)
        .ctx("set cache_size")?;
    if file {
        // Checkpoint every 16,384 WAL pages (64 MiB) rather than SQLite's 1,000: a list page
        // of 500 new accounts dirties a couple of thousand index pages, so at 1,000 every commit
        // was followed by a checkpoint (copy back and two fsyncs), a quarter of a list sync's CPU
        // and more of its wall time. The WAL file is cut back to 64 MiB after a checkpoint.
        conn.pragma_update(None, "wal_autocheckpoint", 16_384)
            .ctx("set wal_autocheckpoint")?;
        conn.query_row("PRAGMA journal_size_limit = 67108864", [], |_| Ok(()))
            .ctx("set journal_size_limit")?;
    }
    // Statement journals (an UPDATE that fires a trigger needs one) stay in memory: on the
    // default temp file they were a write syscall per page touched, a sixth of a sync's writes.
    conn.pragma_update(None, "temp_store", "MEMORY")
        .ctx("set temp_store")?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

#[cfg(unix)]
fn restrict_mode(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    if path.exists() {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(
            |source| StoreError::Io {
                context: format!("set mode 0600 on {}", path.display()),
                source,
            },
        )?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict_mode(_path: &Path) -> Result<(), StoreError> {
    Ok(())
}

fn create_file_0600(path: &Path) -> Result<(), StoreError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path).map_err(|source| StoreError::Io {
        context: format!("create {}", path.display()),
        source,
    })?;
    restrict_mode(path)
}

/// One IMMEDIATE transaction running `f`; also answers whether `synchronous` was FULL in it.
fn durable_tx<T>(
    conn: &mut Connection,
    f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError>,
) -> Result<(T, bool), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .ctx("begin transaction")?;
    let level: i64 = tx
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .ctx("read synchronous")?;
    let out = f(&tx)?;
    tx.commit().ctx("commit")?;
    // 2 is FULL (3 EXTRA is more durable still).
    Ok((out, level >= 2))
}

impl Store {
    /// Opens (creating if needed) `<data_dir>/wxopen.sqlite3` and migrates it to the latest schema.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        crate::paths::secure_dir(data_dir).map_err(|source| StoreError::Io {
            context: format!(
                "make the data directory {} private (0700)",
                data_dir.display()
            ),
            source,
        })?;
        Store::open_file(&data_dir.join(DB_FILE))
    }

    /// Opens (creating if needed) a database file at `path` and migrates it.
    pub fn open_file(path: &Path) -> Result<Store, StoreError> {
        create_file_0600(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let mut write =
            Connection::open_with_flags(path, flags).ctx(format!("open {}", path.display()))?;
        configure(&write, true)?;
        migrations::migrate(&mut write)?;
        let read = Connection::open_with_flags(path, flags)
            .ctx(format!("open {} for reading", path.display()))?;
        configure(&read, true)?;
        // Reads are single pages by id, index walks and counts: a small cache is enough, and
        // it is memory the app holds for as long as it runs.
        read.pragma_update(None, "cache_size", -1_024)
            .ctx("set the read cache size")?;
        for suffix in ["-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            restrict_mode(Path::new(&p))?;
        }
        Ok(Store {
            inner: Arc::new(Inner {
                write: Mutex::new(write),
                read: Some(Mutex::new(read)),
                path: Some(path.to_path_buf()),
                search: Default::default(),
                durable_commits: AtomicU64::new(0),
            }),
        })
    }

    /// A private in-memory database (tests of other layers).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let mut conn = Connection::open_in_memory().ctx("open in-memory database")?;
        configure(&conn, false)?;
        migrations::migrate(&mut conn)?;
        Ok(Store {
            inner: Arc::new(Inner {
                write: Mutex::new(conn),
                read: None,
                path: None,
                search: Default::default(),
                durable_commits: AtomicU64::new(0),
            }),
        })
    }

    /// The in-memory search indexes.
    pub(crate) fn search_cache(&self) -> &search_index::SearchCache {
        &self.inner.search
    }

    /// The database file, if not in memory.
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// Runs `f` on the write connection (short calls only).
    pub(crate) fn with_write<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = lock(&self.inner.write);
        f(&mut conn)
    }

    /// Runs `f` on the read connection (the write one for in-memory stores).
    pub(crate) fn with_read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match &self.inner.read {
            Some(read) => f(&lock(read)),
            None => f(&lock(&self.inner.write)),
        }
    }

    /// Runs `f` in one IMMEDIATE transaction (committed when `f` returns Ok).
    pub(crate) fn in_tx<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.with_write(|conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .ctx("begin transaction")?;
            let out = f(&tx)?;
            tx.commit().ctx("commit")?;
            Ok(out)
        })
    }

    /// [`Store::in_tx`] with `synchronous=FULL`: the commit is on disk when this returns, not
    /// only in the WAL (`NORMAL` can lose the last commits to a power cut). For what WeChat
    /// hands out once, such as the refresh token of `api_query_auth`. `synchronous` cannot
    /// change inside a transaction, so it is set before BEGIN and put back after the end.
    pub(crate) fn in_durable_tx<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.with_write(|conn| {
            conn.pragma_update(None, "synchronous", "FULL")
                .ctx("set synchronous=FULL")?;
            let out = durable_tx(conn, f);
            let restored = conn
                .pragma_update(None, "synchronous", "NORMAL")
                .ctx("restore synchronous=NORMAL");
            let (out, full) = out?;
            restored?;
            if full {
                self.inner.durable_commits.fetch_add(1, Ordering::Relaxed);
            }
            Ok(out)
        })
    }

    /// How many transactions committed with `synchronous=FULL` in force, as read inside each
    /// of them (tests: proves that refresh tokens are written durably).
    pub fn durable_commits(&self) -> u64 {
        self.inner.durable_commits.load(Ordering::Relaxed)
    }

    /// The schema version of the file (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        self.with_read(migrations::current_version)
    }

    /// `PRAGMA integrity_check`: `"ok"` when the file is sound.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        self.with_read(|c| {
            let rows: Vec<String> = c
                .prepare("PRAGMA integrity_check")
                .and_then(|mut s| {
                    s.query_map([], |r| r.get::<_, String>(0))?
                        .collect::<Result<Vec<_>, _>>()
                })
                .ctx("integrity_check")?;
            Ok(rows.join("\n"))
        })
    }

    /// A pragma's value on the write connection, as text (tests and diagnostics).
    pub fn pragma(&self, name: &str) -> Result<String, StoreError> {
        self.with_write(|c| {
            c.query_row(&format!("PRAGMA {name}"), [], |r| {
                Ok(match r.get_ref(0)? {
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    rusqlite::types::ValueRef::Integer(i) => i.to_string(),
                    other => format!("{other:?}"),
                })
            })
            .ctx(format!("PRAGMA {name}"))
        })
    }

    /// Gives the page cache of both connections back to the allocator. A connection keeps every
    /// page a statement read (up to its cache size) for as long as it lives: after a sync, or
    /// the sandbox's reset of 100,000 access tokens, that was 8–30 MB the idle app held for
    /// nothing. Call after bulk work; the next statements read what they need again.
    pub fn release_memory(&self) -> Result<(), StoreError> {
        self.with_write(|c| shrink_page_cache(c))?;
        if let Some(read) = &self.inner.read {
            shrink_page_cache(&lock(read))?;
        }
        Ok(())
    }

    /// Bytes of page cache the connections hold (write, read): diagnostics and tests.
    pub fn cache_bytes(&self) -> (usize, usize) {
        fn used(c: &Connection) -> usize {
            let (mut cur, mut high) = (0, 0);
            // SAFETY: the handle is valid while `c` is borrowed; sqlite3_db_status only reads
            // counters of that connection.
            let rc = unsafe {
                rusqlite::ffi::sqlite3_db_status(
                    c.handle(),
                    rusqlite::ffi::SQLITE_DBSTATUS_CACHE_USED,
                    &mut cur,
                    &mut high,
                    0,
                )
            };
            if rc == rusqlite::ffi::SQLITE_OK {
                cur.max(0) as usize
            } else {
                0
            }
        }
        let write = used(&lock(&self.inner.write));
        let read = self.inner.read.as_ref().map_or(0, |r| used(&lock(r)));
        (write, read)
    }

    /// How many times SQLite has re-prepared the statements the connections hold (diagnostics
    /// and tests). A cached statement is prepared once; SQLite re-prepares one whose plan it
    /// thinks depends on the values bound to it (in 3.54: some joins and ORDER BYs over
    /// parameters, a LIKE with a bound pattern) at every execution, which costs as much as the
    /// statement itself. Hot statements must not be among them: tests check this stays flat
    /// over a sync. Each re-prepared statement is logged at debug level with its text.
    pub fn statement_reprepares(&self) -> u64 {
        fn count(c: &Connection) -> u64 {
            let mut total = 0u64;
            // SAFETY: the handle is valid while `c` is borrowed (the lock is held, so no other
            // thread prepares or finalizes a statement meanwhile); sqlite3_next_stmt walks the
            // connection's live statements and sqlite3_stmt_status only reads a counter.
            unsafe {
                let db = c.handle();
                let mut stmt = rusqlite::ffi::sqlite3_next_stmt(db, std::ptr::null_mut());
                while !stmt.is_null() {
                    let n = rusqlite::ffi::sqlite3_stmt_status(
                        stmt,
                        rusqlite::ffi::SQLITE_STMTSTATUS_REPREPARE,
                        0,
                    );
                    total += n.max(0) as u64;
                    if n > 0 {
                        let sql = std::ffi::CStr::from_ptr(rusqlite::ffi::sqlite3_sql(stmt));
                        tracing::debug!(reprepares = n, sql = ?sql, "statement re-prepared");
                    }
                    stmt = rusqlite::ffi::sqlite3_next_stmt(db, stmt);
                }
            }
            total
        }
        let write = count(&lock(&self.inner.write));
        write + self.inner.read.as_ref().map_or(0, |r| count(&lock(r)))
    }

    /// Checkpoints the WAL into the main file (before a backup; tests).
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.with_write(|c| {
            c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .ctx("wal_checkpoint")
        })
    }
}
