//! Versioned schema migrations, tracked in `PRAGMA user_version`.
//!
//! `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`. Each step runs in its own
//! transaction together with the `user_version` bump, so a crash leaves the file at a whole
//! version. Never edit a published step: append a new one (and a test case in
//! `tests/store_migrations.rs` that migrates data from every earlier version).

use rusqlite::{Connection, TransactionBehavior};

use super::error::{Ctx, StoreError};

/// The schema steps; the latest version is `MIGRATIONS.len()`.
pub const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8, V9];

/// The schema version this build writes.
pub const LATEST_VERSION: u32 = MIGRATIONS.len() as u32;

/// The file's schema version (`PRAGMA user_version`).
pub fn current_version(conn: &Connection) -> Result<u32, StoreError> {
    conn.query_row("PRAGMA user_version", [], |r| r.get::<_, u32>(0))
        .ctx("read schema version")
}

/// Migrates to the latest version. Refuses a file written by a newer build.
pub fn migrate(conn: &mut Connection) -> Result<u32, StoreError> {
    migrate_to(conn, LATEST_VERSION)
}

/// Migrates up to `target` (tests use it to build every earlier version).
pub fn migrate_to(conn: &mut Connection, target: u32) -> Result<u32, StoreError> {
    let mut version = current_version(conn)?;
    if version > LATEST_VERSION {
        return Err(StoreError::TooNew {
            found: version,
            supported: LATEST_VERSION,
        });
    }
    let target = target.min(LATEST_VERSION);
    while version < target {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .ctx("begin migration")?;
        // Another process may have migrated while we waited for the write lock.
        let now = current_version(&tx)?;
        if now != version {
            version = now;
            continue;
        }
        tx.execute_batch(MIGRATIONS[version as usize])
            .ctx(format!("migration to version {}", version + 1))?;
        tx.pragma_update(None, "user_version", version + 1)
            .ctx("bump schema version")?;
        tx.commit().ctx("commit migration")?;
        version += 1;
    }
    Ok(version)
}

const V1: &str = r#"
CREATE TABLE profiles (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    component_appid TEXT NOT NULL UNIQUE,
    api_base        TEXT NOT NULL,
    proxy           TEXT,
    is_sandbox      INTEGER NOT NULL DEFAULT 0,
    token_source    TEXT NOT NULL DEFAULT 'local' CHECK (token_source IN ('local', 'shared')),
    option_api      TEXT NOT NULL DEFAULT 'legacy' CHECK (option_api IN ('legacy', 'v2')),
    redirect_uri    TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE tickets (
    id          INTEGER PRIMARY KEY,
    profile_id  INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    ticket      TEXT NOT NULL CHECK (ticket <> ''),
    received_at INTEGER NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('pasted', 'push', 'sandbox'))
);
CREATE INDEX tickets_by_profile ON tickets(profile_id, received_at, id);

CREATE TABLE component_tokens (
    profile_id INTEGER PRIMARY KEY REFERENCES profiles(id) ON DELETE CASCADE,
    token      TEXT NOT NULL CHECK (token <> ''),
    expires_at INTEGER NOT NULL,
    fetched_at INTEGER NOT NULL
);

CREATE TABLE authorizers (
    id                INTEGER PRIMARY KEY,
    profile_id        INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    appid             TEXT NOT NULL,
    nick_name         TEXT NOT NULL DEFAULT '',
    head_img          TEXT NOT NULL DEFAULT '',
    kind              TEXT CHECK (kind IN ('official_account', 'mini_program')),
    service_type      INTEGER,
    verify_type       INTEGER,
    user_name         TEXT NOT NULL DEFAULT '',
    principal_name    TEXT NOT NULL DEFAULT '',
    alias             TEXT NOT NULL DEFAULT '',
    qrcode_url        TEXT NOT NULL DEFAULT '',
    auth_time         INTEGER,
    status            TEXT NOT NULL DEFAULT 'authorized'
                      CHECK (status IN ('authorized', 'revoked', 'needs_reauth')),
    status_changed_at INTEGER NOT NULL,
    has_open          INTEGER,
    -- maintained by the authorizer_tokens triggers below
    has_refresh_token INTEGER NOT NULL DEFAULT 0,
    info_fetched_at   INTEGER,
    details_sync_id   INTEGER,
    details_error     TEXT,
    listed_at         INTEGER,
    last_seen_sync_id INTEGER,
    created_at        INTEGER NOT NULL,
    -- lowercased nick_name, appid, user_name (gh_…), alias, principal_name: substring search
    search_text       TEXT NOT NULL DEFAULT '',
    UNIQUE (profile_id, appid)
);
CREATE INDEX authorizers_by_nick ON authorizers(profile_id, nick_name, appid);
CREATE INDEX authorizers_by_auth_time ON authorizers(profile_id, auth_time, appid);
CREATE INDEX authorizers_by_status ON authorizers(profile_id, status);
CREATE INDEX authorizers_search ON authorizers(profile_id, search_text);

-- raw api_get_authorizer_info answers, apart so that scans of authorizers stay small
CREATE TABLE authorizer_raw (
    profile_id INTEGER NOT NULL,
    appid      TEXT NOT NULL,
    raw_info   TEXT NOT NULL,
    PRIMARY KEY (profile_id, appid),
    FOREIGN KEY (profile_id, appid) REFERENCES authorizers(profile_id, appid) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE authorizer_tokens (
    profile_id    INTEGER NOT NULL,
    appid         TEXT NOT NULL,
    access_token  TEXT,
    expires_at    INTEGER,
    refresh_token TEXT NOT NULL CHECK (refresh_token <> ''),
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (profile_id, appid),
    FOREIGN KEY (profile_id, appid) REFERENCES authorizers(profile_id, appid) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE TRIGGER authorizer_tokens_ai AFTER INSERT ON authorizer_tokens BEGIN
    UPDATE authorizers SET has_refresh_token = 1
     WHERE profile_id = NEW.profile_id AND appid = NEW.appid;
END;
CREATE TRIGGER authorizer_tokens_ad AFTER DELETE ON authorizer_tokens BEGIN
    UPDATE authorizers SET has_refresh_token = 0
     WHERE profile_id = OLD.profile_id AND appid = OLD.appid;
END;

CREATE TABLE permissions (
    profile_id      INTEGER NOT NULL,
    appid           TEXT NOT NULL,
    funcscope_id    INTEGER NOT NULL,
    need_confirm    INTEGER,
    already_confirm INTEGER,
    can_confirm     INTEGER,
    PRIMARY KEY (profile_id, appid, funcscope_id),
    FOREIGN KEY (profile_id, appid) REFERENCES authorizers(profile_id, appid) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE options_cache (
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    appid      TEXT NOT NULL,
    name       TEXT NOT NULL,
    value      TEXT NOT NULL,
    fetched_at INTEGER NOT NULL,
    PRIMARY KEY (profile_id, appid, name)
) WITHOUT ROWID;

CREATE TABLE open_bindings (
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    appid      TEXT NOT NULL,
    open_appid TEXT,
    checked_at INTEGER NOT NULL,
    PRIMARY KEY (profile_id, appid)
) WITHOUT ROWID;

CREATE TABLE pre_auth_codes (
    id           INTEGER PRIMARY KEY,
    profile_id   INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    code         TEXT NOT NULL,
    expires_at   INTEGER NOT NULL,
    used         INTEGER NOT NULL DEFAULT 0,
    used_at      INTEGER,
    auth_type    INTEGER,
    biz_appid    TEXT,
    redirect_uri TEXT NOT NULL,
    pc_link      TEXT NOT NULL,
    mobile_link  TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX pre_auth_codes_by_profile ON pre_auth_codes(profile_id, created_at);
CREATE INDEX pre_auth_codes_by_code ON pre_auth_codes(profile_id, code);

CREATE TABLE sync_runs (
    id            INTEGER PRIMARY KEY,
    profile_id    INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    state         TEXT NOT NULL DEFAULT 'running'
                  CHECK (state IN ('running', 'cancelled', 'failed', 'done')),
    with_details  INTEGER NOT NULL DEFAULT 0,
    list_done     INTEGER NOT NULL DEFAULT 0,
    total_count   INTEGER,
    next_offset   INTEGER NOT NULL DEFAULT 0,
    details_total INTEGER,
    details_done  INTEGER NOT NULL DEFAULT 0,
    errors        INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    revoked       INTEGER NOT NULL DEFAULT 0,
    started_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    finished_at   INTEGER
);
CREATE INDEX sync_runs_by_profile ON sync_runs(profile_id, id);

CREATE TABLE messages (
    id               INTEGER PRIMARY KEY,
    profile_id       INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    received_at      INTEGER NOT NULL,
    info_type        TEXT NOT NULL,
    authorizer_appid TEXT,
    status           TEXT NOT NULL CHECK (status IN ('applied', 'failed', 'ignored')),
    decoded          TEXT NOT NULL,
    error            TEXT
);
CREATE INDEX messages_by_profile ON messages(profile_id, id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    profile_id  INTEGER REFERENCES profiles(id) ON DELETE CASCADE,
    endpoint    TEXT NOT NULL,
    appid       TEXT,
    errcode     INTEGER,
    duration_ms INTEGER NOT NULL,
    detail      TEXT
);
CREATE INDEX audit_log_by_profile ON audit_log(profile_id, id);

CREATE TABLE quota_resets (
    id         INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    appid      TEXT
);
CREATE INDEX quota_resets_by_profile ON quota_resets(profile_id, at);
"#;

/// Version 2: one covering index for the search filters, so that counts and filtered scans never
/// touch the table rows (see `Store::search_authorizers`).
const V2: &str = r#"
DROP INDEX authorizers_search;
CREATE INDEX authorizers_filter
    ON authorizers(profile_id, search_text, kind, status, verify_type, has_open);
"#;

/// Version 3: `authorizer_changes.gen`, a per-profile counter bumped (by triggers, so whichever
/// process writes) in the same transaction as any change of an authorizer row that the in-memory
/// search index holds (`store::search_index`): a search reads it to know whether its index is
/// still current. A row is never deleted (not even with its profile), so a counter never goes
/// back to an earlier value.
const V3: &str = r#"
CREATE TABLE authorizer_changes (
    profile_id INTEGER PRIMARY KEY,
    gen        INTEGER NOT NULL
);
CREATE TRIGGER authorizers_changes_ai AFTER INSERT ON authorizers BEGIN
    INSERT INTO authorizer_changes (profile_id, gen) VALUES (NEW.profile_id, 1)
        ON CONFLICT (profile_id) DO UPDATE SET gen = gen + 1;
END;
CREATE TRIGGER authorizers_changes_ad AFTER DELETE ON authorizers BEGIN
    INSERT INTO authorizer_changes (profile_id, gen) VALUES (OLD.profile_id, 1)
        ON CONFLICT (profile_id) DO UPDATE SET gen = gen + 1;
END;
CREATE TRIGGER authorizers_changes_au AFTER UPDATE ON authorizers
WHEN OLD.id IS NOT NEW.id OR OLD.profile_id IS NOT NEW.profile_id OR OLD.appid IS NOT NEW.appid
  OR OLD.nick_name IS NOT NEW.nick_name OR OLD.auth_time IS NOT NEW.auth_time
  OR OLD.search_text IS NOT NEW.search_text OR OLD.kind IS NOT NEW.kind
  OR OLD.status IS NOT NEW.status OR OLD.verify_type IS NOT NEW.verify_type
  OR OLD.has_open IS NOT NEW.has_open
BEGIN
    INSERT INTO authorizer_changes (profile_id, gen) VALUES (OLD.profile_id, 1)
        ON CONFLICT (profile_id) DO UPDATE SET gen = gen + 1;
    INSERT INTO authorizer_changes (profile_id, gen) VALUES (NEW.profile_id, 1)
        ON CONFLICT (profile_id) DO UPDATE SET gen = gen + 1;
END;
"#;

/// One rowid row per account for what a details fetch stores beside the authorizers row: the
/// raw answer and the permissions (as text, see `store::permissions`), keyed by the
/// authorizer's id. Replaces `authorizer_raw` (WITHOUT ROWID, keyed by profile and appid: a
/// 700-byte answer per index entry, pages half empty after splits) and `permissions` (a row per
/// permission: the dearest part of a details sync's store work).
///
/// Also drops the triggers that kept `authorizers.has_refresh_token` (the store sets the flag in
/// the statements that store a refresh token; refresh tokens are only ever deleted with their
/// account) and the insert and update triggers of `authorizer_changes` (the store bumps the
/// counter once per transaction, `search_index::bump_generation`; the delete trigger stays). A
/// trigger made every row written by a sync a two-statement program with a statement journal.
const V4: &str = r#"
CREATE TABLE authorizer_details (
    authorizer_id INTEGER PRIMARY KEY REFERENCES authorizers(id) ON DELETE CASCADE,
    raw_info      TEXT NOT NULL,
    permissions   TEXT NOT NULL DEFAULT '[]'
);
INSERT INTO authorizer_details (authorizer_id, raw_info, permissions)
SELECT a.id, r.raw_info,
       (SELECT json_group_array(
                   CASE WHEN p.need_confirm IS NULL AND p.already_confirm IS NULL
                             AND p.can_confirm IS NULL
                        THEN p.funcscope_id
                        ELSE json_array(p.funcscope_id, p.need_confirm, p.already_confirm,
                                        p.can_confirm)
                   END)
          FROM (SELECT * FROM permissions
                 WHERE profile_id = a.profile_id AND appid = a.appid
                 ORDER BY funcscope_id) AS p)
  FROM authorizers a
  JOIN authorizer_raw r ON r.profile_id = a.profile_id AND r.appid = a.appid;
DROP TABLE permissions;
DROP TABLE authorizer_raw;
DROP TRIGGER authorizer_tokens_ai;
DROP TRIGGER authorizer_tokens_ad;
DROP TRIGGER authorizers_changes_ai;
DROP TRIGGER authorizers_changes_au;
"#;

/// Version 5: a lease on each sync run, so that two processes (the app and `wxopen`) never run
/// the same profile's sync at once: `owner` (which process: label, pid, host and a random
/// part), `heartbeat_at` (the owner's last sign of life) and `lease_expires_at` (after which a
/// silent owner counts as gone and another process may take the run over; NULL once the run
/// ended). And an index on the time of audit and message rows, which the history pruning at
/// start deletes by (`store::audit::prune_history`).
const V5: &str = r#"
ALTER TABLE sync_runs ADD COLUMN owner TEXT;
ALTER TABLE sync_runs ADD COLUMN heartbeat_at INTEGER;
ALTER TABLE sync_runs ADD COLUMN lease_expires_at INTEGER;
CREATE INDEX audit_log_by_at ON audit_log(at);
CREATE INDEX messages_by_received_at ON messages(received_at);
"#;

/// Team mode: where a shared profile borrows its tokens (JSON of
/// `shared_store::SharedSource`; NULL for a profile that owns its tokens).
const V6: &str = r#"
ALTER TABLE profiles ADD COLUMN shared_source TEXT;
"#;

/// Version 7: `authorizers.details_stale`, set when a push or the list says an account changed
/// (re-authorized, back after a revocation, a new auth_time) and cleared when its details are
/// saved: a quota-aware details pass refetches only missing, stale (older than a setting) and
/// marked details, so a day's API budget is not spent on answers already held.
const V7: &str = r#"
ALTER TABLE authorizers ADD COLUMN details_stale INTEGER NOT NULL DEFAULT 0;
"#;

/// Version 8: `authorizer_change_log`, what each sync saw change per account (authorized,
/// revoked, reauthorized, renamed, permissions, verify_type, principal, service_type), written
/// in the transaction that writes the row (`store::change_log`). (`authorizer_changes`, the v3
/// counter, is another thing.) `sync_run_id` is NULL for a change seen outside a sync (a push,
/// an authorization) until the next list pass takes it in; no foreign key to `sync_runs`, so a change row costs no extra
/// lookup when written. The first sync of a profile records one `baseline` line, not a row per
/// account. Indexes: a sync's changes and counts per kind (covering), and an account's history.
const V8: &str = r#"
CREATE TABLE authorizer_change_log (
    id          INTEGER PRIMARY KEY,
    profile_id  INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    sync_run_id INTEGER,
    appid       TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('baseline', 'authorized', 'revoked', 'reauthorized',
                    'renamed', 'permissions', 'verify_type', 'principal', 'service_type')),
    field       TEXT NOT NULL,
    old         TEXT,
    new         TEXT,
    at          INTEGER NOT NULL
);
CREATE INDEX authorizer_change_log_by_sync ON authorizer_change_log(profile_id, sync_run_id, kind);
CREATE INDEX authorizer_change_log_by_appid ON authorizer_change_log(profile_id, appid);
"#;

/// Version 9: bulk jobs. A job is its action and parameters with the selection resolved to
/// appids when it was created (one `bulk_items` row each, in order), so that a job survives a
/// restart or a kill: items done stay done, the pending ones resume. `owner` and `heartbeat_at`
/// keep two processes from running one job at once (as `sync_runs`' lease does).
const V9: &str = r#"
CREATE TABLE bulk_jobs (
    id           INTEGER PRIMARY KEY,
    profile_id   INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    action       TEXT NOT NULL,
    params       TEXT NOT NULL DEFAULT '{}',
    selection    TEXT NOT NULL DEFAULT '{}',
    state        TEXT NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'running', 'paused', 'cancelled', 'done')),
    total        INTEGER NOT NULL,
    message      TEXT,
    owner        TEXT,
    heartbeat_at INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    finished_at  INTEGER
);
CREATE INDEX bulk_jobs_by_profile ON bulk_jobs(profile_id, id);

CREATE TABLE bulk_items (
    job_id  INTEGER NOT NULL REFERENCES bulk_jobs(id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    appid   TEXT NOT NULL,
    state   TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'ok', 'skipped', 'failed')),
    errcode INTEGER,
    message TEXT,
    at      INTEGER,
    PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;
CREATE INDEX bulk_items_by_state ON bulk_items(job_id, state, seq);
"#;
