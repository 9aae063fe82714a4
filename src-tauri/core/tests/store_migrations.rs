//! Migrations: from an empty file, and from every earlier schema version with data kept.
//!
//! When migration N+1 is added: add a `seed_vN` case below that writes rows in the version-N
//! schema, and extend `check` with what version N+1 must have kept or derived from them.

mod store_support;

use rusqlite::Connection;
use wxopen_core::shared_store::SharedSource;
use wxopen_core::store::migrations::{self, LATEST_VERSION, MIGRATIONS};
use wxopen_core::store::TokenSourceKind;
use wxopen_core::store::{
    AuthorizerQuery, ChangeKind, ChangeQuery, ListedAuthorizer, Store, StoreError, DB_FILE,
};

fn raw(dir: &std::path::Path) -> Connection {
    let conn = Connection::open(dir.join(DB_FILE)).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    conn
}

/// Rows written with the schema at `version` (version 0: an empty file, nothing to write).
fn seed(conn: &Connection, version: u32) {
    match version {
        0 => {}
        // versions 2 and 3 only added an index, a table and triggers: the same rows
        1..=3 => conn
            .execute_batch(
                "INSERT INTO profiles (id, name, component_appid, api_base, created_at, updated_at)
                     VALUES (1, 'old', 'wx0000000000000001', 'https://api.weixin.qq.com', 1, 1);
                 INSERT INTO settings (key, value) VALUES ('selected_profile', '1');
                 INSERT INTO tickets (profile_id, ticket, received_at, source) VALUES (1, 'ticket@@@old', 10, 'pasted');
                 INSERT INTO authorizers (profile_id, appid, nick_name, status, status_changed_at, created_at, search_text)
                     VALUES (1, 'wxauthorizer00001', '旧的公众号', 'authorized', 1, 1, '旧的公众号' || char(31) || 'wxauthorizer00001');
                 INSERT INTO authorizer_tokens (profile_id, appid, refresh_token, updated_at)
                     VALUES (1, 'wxauthorizer00001', 'refresh@@@old', 1);
                 INSERT INTO authorizer_raw (profile_id, appid, raw_info)
                     VALUES (1, 'wxauthorizer00001', '{\"nick_name\":\"旧的公众号\"}');
                 INSERT INTO permissions (profile_id, appid, funcscope_id, need_confirm, already_confirm, can_confirm)
                     VALUES (1, 'wxauthorizer00001', 15, NULL, NULL, NULL),
                            (1, 'wxauthorizer00001', 1, 1, 0, 1);",
            )
            .unwrap(),
        // version 4: raw answer and permissions in authorizer_details; the store sets
        // has_refresh_token itself
        4 => conn
            .execute_batch(
                "INSERT INTO profiles (id, name, component_appid, api_base, created_at, updated_at)
                     VALUES (1, 'old', 'wx0000000000000001', 'https://api.weixin.qq.com', 1, 1);
                 INSERT INTO settings (key, value) VALUES ('selected_profile', '1');
                 INSERT INTO tickets (profile_id, ticket, received_at, source) VALUES (1, 'ticket@@@old', 10, 'pasted');
                 INSERT INTO authorizers (profile_id, appid, nick_name, status, status_changed_at, created_at, search_text, has_refresh_token)
                     VALUES (1, 'wxauthorizer00001', '旧的公众号', 'authorized', 1, 1, '旧的公众号' || char(31) || 'wxauthorizer00001', 1);
                 INSERT INTO authorizer_tokens (profile_id, appid, refresh_token, updated_at)
                     VALUES (1, 'wxauthorizer00001', 'refresh@@@old', 1);
                 INSERT INTO authorizer_details (authorizer_id, raw_info, permissions)
                     SELECT id, '{\"nick_name\":\"旧的公众号\"}', '[[1,1,0,1],15]' FROM authorizers;",
            )
            .unwrap(),
        // version 5: sync runs carry a lease
        5 => {
            seed(conn, 4);
            conn.execute_batch(
                "UPDATE sync_runs SET owner = 'wxopen:1@host#00000001', heartbeat_at = 20,
                     lease_expires_at = 80 WHERE id = 7;",
            )
            .unwrap();
            return;
        }
        // version 6: a profile may borrow its tokens from its backend (team mode)
        6 => {
            seed(conn, 5);
            conn.execute_batch(
                r#"INSERT INTO profiles (id, name, component_appid, api_base, token_source, created_at, updated_at, shared_source)
                     VALUES (2, 'team', 'wx0000000000000002', 'https://api.weixin.qq.com', 'shared', 1, 1,
                     '{"kind":"redis","url":"redis://10.0.0.5:6379/0","layout":{"kind":"preset","preset":"wxjava","prefix":"wx"},"writes":false}');"#,
            )
            .unwrap();
            return;
        }
        // version 7: details fetched long ago but marked stale by a push
        7 => {
            seed(conn, 6);
            conn.execute_batch(
                "UPDATE authorizers SET info_fetched_at = 5, details_stale = 1 WHERE appid = 'wxauthorizer00001';",
            )
            .unwrap();
            return;
        }
        // version 8: the change log (here one rename seen by the finished run 6)
        8 => {
            seed(conn, 7);
            conn.execute_batch(
                "INSERT INTO authorizer_change_log (profile_id, sync_run_id, appid, kind, field, old, new, at)
                     VALUES (1, 6, 'wxauthorizer00001', 'renamed', 'nick_name', '更旧的公众号', '旧的公众号', 9);",
            )
            .unwrap();
            return;
        }
        // version 9: a bulk job killed mid-way: one account done, one skipped, one to do
        9 => {
            seed(conn, 8);
            conn.execute_batch(
                r#"INSERT INTO bulk_jobs (id, profile_id, action, params, state, total, owner, heartbeat_at, created_at, updated_at)
                     VALUES (3, 1, 'option_set', '{"option_name":"location_report","option_value":"1"}', 'running', 3,
                             'wxopen:1@host#00000001', 30, 25, 30);
                 INSERT INTO bulk_items (job_id, seq, appid, state, message, at) VALUES
                     (3, 0, 'wxauthorizer00001', 'ok', NULL, 28),
                     (3, 1, 'wxauthorizer00002', 'skipped', 'skipped: revoked', 25),
                     (3, 2, 'wxauthorizer00003', 'pending', NULL, NULL);"#,
            )
            .unwrap();
            return;
        }
        v => panic!("no seed for schema version {v}: add one with the new migration"),
    }
    if version >= 1 {
        // a run that crashed while running (sync_runs is in v1): v5 adds its lease columns
        // and a finished one before it: v8's change log compares the next sync with its data
        conn.execute_batch(
            "INSERT INTO sync_runs (id, profile_id, state, list_done, next_offset, started_at, updated_at, finished_at)
                 VALUES (6, 1, 'done', 1, 1, 5, 9, 9);
             INSERT INTO sync_runs (id, profile_id, state, next_offset, started_at, updated_at)
                 VALUES (7, 1, 'running', 500, 10, 20);",
        )
        .unwrap();
    }
}

/// What must hold after migrating a file seeded at `from` to the latest version.
fn check(store: &Store, from: u32) {
    assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);
    assert_eq!(store.integrity_check().unwrap(), "ok");
    if from == 0 {
        assert!(store.profiles_list().unwrap().is_empty());
        return;
    }
    let p = store.profile_by_name("old").unwrap().expect("profile kept");
    // v6: every earlier profile owns its tokens; a shared one keeps where it borrows them
    assert_eq!(p.shared_source, None);
    if from >= 6 {
        let team = store
            .profile_by_name("team")
            .unwrap()
            .expect("shared profile kept");
        assert_eq!(team.token_source, TokenSourceKind::Shared);
        let Some(SharedSource::Redis(r)) = team.shared_source else {
            panic!("{:?}", team.shared_source)
        };
        assert_eq!(r.url, "redis://10.0.0.5:6379/0");
        assert!(!r.writes && r.ca_file.is_none());
    }
    // v7: details are refetched when missing (before v7 none were fetched) or marked stale,
    // even when no age makes them stale
    assert_eq!(store.count_needing_details(p.id, 999, 0).unwrap(), 1);
    // v9: a bulk job keeps its accounts' results; the one killed mid-way is resumable
    let jobs = store.bulk_jobs_list(p.id, 10).unwrap();
    if from < 9 {
        assert!(jobs.is_empty());
    } else {
        use wxopen_core::store::bulk_jobs::{BulkAction, BulkCounts, BulkJobState};
        assert_eq!(jobs.len(), 1);
        let j = &jobs[0];
        assert_eq!(
            (j.id, j.action, j.state),
            (3, BulkAction::OptionSet, BulkJobState::Running)
        );
        assert_eq!(
            j.counts,
            BulkCounts {
                pending: 1,
                ok: 1,
                skipped: 1,
                failed: 0
            }
        );
        assert_eq!(
            store.bulk_items_pending(3, -1, 10).unwrap(),
            vec![(2, "wxauthorizer00003".to_string())]
        );
        // its owner is silent past the lease: another process takes it over
        let claimed = store
            .bulk_job_claim(3, "test:2@host#00000002", 1_000, 60, &|_| false)
            .unwrap()
            .unwrap();
        assert_eq!(claimed.owner.as_deref(), Some("test:2@host#00000002"));
    }
    // v5: the crashed run is kept, resumable, and its lease (none before v5) is readable
    let run = store.sync_run_resumable(p.id).unwrap().expect("run kept");
    assert_eq!((run.id, run.next_offset), (7, 500));
    let lease = store.sync_run_lease(7).unwrap().unwrap();
    if from < 5 {
        assert_eq!(lease.owner, None);
        assert_eq!(lease.lease_expires_at, None);
    } else {
        assert_eq!(lease.owner.as_deref(), Some("wxopen:1@host#00000001"));
        assert_eq!(lease.lease_expires_at, Some(80));
    }
    // a lease long expired (or none at all) does not stop the next sync from taking the run
    let claimed = store
        .sync_run_claim(
            p.id,
            false,
            false,
            wxopen_core::store::sync_runs::LeaseRequest {
                owner: "test:2@host#00000002",
                now: 1_000,
                ttl_secs: 60,
            },
            &|_| false,
        )
        .unwrap();
    assert!(claimed.resumed);
    assert_eq!(claimed.run.id, 7);
    assert_eq!(store.selected_profile().unwrap().unwrap().id, p.id);
    assert_eq!(
        store.latest_ticket(p.id).unwrap().unwrap().ticket.expose(),
        "ticket@@@old"
    );
    let t = store
        .authorizer_token_get(p.id, "wxauthorizer00001")
        .unwrap()
        .unwrap();
    assert_eq!(t.refresh_token.expose(), "refresh@@@old");
    let found = store
        .search_authorizers(
            p.id,
            &AuthorizerQuery {
                query: Some("旧的".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(found.total, 1);
    assert!(found.rows[0].has_refresh_token);
    // v4 moved the raw answer and the permissions into authorizer_details
    let detail = store
        .authorizer_get(p.id, "wxauthorizer00001")
        .unwrap()
        .unwrap();
    assert_eq!(
        detail.raw_info.as_deref(),
        Some("{\"nick_name\":\"旧的公众号\"}")
    );
    let perms: Vec<_> = detail
        .permissions
        .iter()
        .map(|p| {
            (
                p.funcscope_id,
                p.need_confirm,
                p.already_confirm,
                p.can_confirm,
            )
        })
        .collect();
    assert_eq!(
        perms,
        vec![(1, Some(1), Some(0), Some(1)), (15, None, None, None)]
    );
    check_change_log(store, from);
}

/// v8: the change log starts empty (or keeps its rows), and the first sync after the
/// migration is compared with the kept rows, not taken for a profile's first sync.
fn check_change_log(store: &Store, from: u32) {
    let seeded = u64::from(from >= 8);
    let by_sync = |id| {
        store
            .changes_list(
                1,
                &ChangeQuery {
                    sync_run_id: Some(id),
                    ..Default::default()
                },
            )
            .unwrap()
    };
    assert_eq!(by_sync(6).total, seeded, "from {from}");
    // run 7 (resumed above) lists the kept account and a new one
    let listed = [
        ListedAuthorizer {
            appid: "wxauthorizer00001".into(),
            refresh_token: None,
            auth_time: Some(50),
        },
        ListedAuthorizer {
            appid: "wxauthorizer00002".into(),
            refresh_token: Some("refresh@@@new".into()),
            auth_time: Some(60),
        },
    ];
    store.record_list_page(1, 7, &listed, 2, 2).unwrap();
    let page = by_sync(7);
    let seen: Vec<_> = page
        .rows
        .iter()
        .map(|c| (c.appid.as_str(), c.kind))
        .collect();
    assert_eq!(seen, vec![("wxauthorizer00002", ChangeKind::Authorized)]);
    let syncs = store.changes_by_sync(1, 10).unwrap();
    let counts = |id| syncs.iter().find(|s| s.sync_run_id == id).unwrap().counts;
    assert_eq!(counts(7).authorized, 1);
    assert_eq!(counts(6).renamed, seeded);
}

#[test]
fn migrates_an_empty_file_to_the_latest_version() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    check(&store, 0);
    assert_eq!(MIGRATIONS.len() as u32, LATEST_VERSION);
    // reopening is a no-op
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    check(&store, 0);
}

#[test]
fn migrates_from_every_earlier_version_keeping_data() {
    for from in 0..=LATEST_VERSION {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut conn = raw(dir.path());
            assert_eq!(migrations::migrate_to(&mut conn, from).unwrap(), from);
            assert_eq!(migrations::current_version(&conn).unwrap(), from);
            seed(&conn, from);
        }
        let store = Store::open(dir.path()).unwrap();
        check(&store, from);
        let conn = raw(dir.path());
        let index = |name: &str| -> i64 {
            conn.query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?1",
                [name],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(
            index("authorizers_filter"),
            1,
            "v2 index present (from {from})"
        );
        assert_eq!(
            index("authorizers_search"),
            0,
            "v1 index dropped (from {from})"
        );
        // v3: the change counter of the search index, bumped by triggers in the writer's
        // transaction
        let objects = |kind: &str| -> i64 {
            conn.query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = ?1 AND (name = 'authorizer_changes' OR name LIKE 'authorizers_changes_%')",
                [kind],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(objects("table"), 1, "v3 table (from {from})");
        // (v4 dropped the insert and update triggers: the store bumps the counter itself)
        assert_eq!(objects("trigger"), 1, "v3 delete trigger (from {from})");
        // v4: authorizer_details replaces authorizer_raw and permissions; the token triggers
        // are gone
        let named = |kind: &str, name: &str| -> i64 {
            conn.query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = ?1 AND name = ?2",
                [kind, name],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(named("table", "authorizer_details"), 1, "from {from}");
        assert_eq!(named("table", "authorizer_raw"), 0, "from {from}");
        assert_eq!(named("table", "permissions"), 0, "from {from}");
        assert_eq!(named("trigger", "authorizer_tokens_ai"), 0, "from {from}");
        assert_eq!(named("trigger", "authorizer_tokens_ad"), 0, "from {from}");
        // v5: the history pruning's indexes
        assert_eq!(named("index", "audit_log_by_at"), 1, "from {from}");
        assert_eq!(named("index", "messages_by_received_at"), 1, "from {from}");
        // v9: bulk jobs and their accounts
        assert_eq!(named("table", "bulk_jobs"), 1, "from {from}");
        assert_eq!(named("table", "bulk_items"), 1, "from {from}");
        if from > 0 {
            let gen = || -> i64 {
                conn.query_row(
                    "SELECT coalesce((SELECT gen FROM authorizer_changes WHERE profile_id = 1), 0)",
                    [],
                    |r| r.get(0),
                )
                .unwrap()
            };
            let g0 = gen();
            // a column the index does not hold: no bump
            conn.execute(
                "UPDATE authorizers SET head_img = 'x' WHERE profile_id = 1",
                [],
            )
            .unwrap();
            assert_eq!(gen(), g0);
            // a status change through the store bumps
            store
                .set_authorizer_status(1, "wxauthorizer00001", wxopen_core::store::Status::Revoked)
                .unwrap();
            let g1 = gen();
            assert!(g1 > g0);
            conn.execute("DELETE FROM profiles WHERE id = 1", [])
                .unwrap();
            assert!(
                gen() > g1,
                "deleting (by cascade) bumps, and keeps the counter"
            );
            let details: i64 = conn
                .query_row("SELECT count(*) FROM authorizer_details", [], |r| r.get(0))
                .unwrap();
            assert_eq!(details, 0, "details go with their account (from {from})");
        }
    }
}

#[test]
fn every_migration_step_is_atomic_and_idempotent_to_rerun() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = raw(dir.path());
    for v in 1..=LATEST_VERSION {
        assert_eq!(migrations::migrate_to(&mut conn, v).unwrap(), v);
        // asking again does nothing
        assert_eq!(migrations::migrate_to(&mut conn, v).unwrap(), v);
    }
    assert_eq!(migrations::migrate(&mut conn).unwrap(), LATEST_VERSION);
}

#[test]
fn a_file_from_a_newer_build_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut conn = raw(dir.path());
        migrations::migrate(&mut conn).unwrap();
        conn.pragma_update(None, "user_version", LATEST_VERSION + 1)
            .unwrap();
    }
    let err = Store::open(dir.path()).unwrap_err();
    assert!(
        matches!(err, StoreError::TooNew { found, supported } if found == LATEST_VERSION + 1 && supported == LATEST_VERSION)
    );
    assert!(err.hint().unwrap().contains("Update"));
}

#[test]
fn store_errors_map_to_the_storage_code() {
    let err: wxopen_core::CoreError = StoreError::NotFound("profile 9".into()).into();
    assert_eq!(err.body().code, wxopen_core::error::ErrorCode::Storage);
    assert_eq!(err.body().message, "profile 9 not found");
}
