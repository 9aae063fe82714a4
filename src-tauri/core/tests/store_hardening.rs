//! Storage hardening: what a removed profile leaves in the file, how durably refresh tokens are
//! committed, the data directory's mode, history pruning and sync-run leases. Real SQLite files
//! in a tempdir throughout.

mod store_support;

use std::os::unix::fs::PermissionsExt;

use store_support::{profile, temp_store};
use wxopen_core::store::{MessageStatus, NewAudit, NewMessage, Store, TicketSource, DB_FILE};

/// Every byte of the database file and of its WAL (when there is one).
fn file_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut bytes = std::fs::read(dir.join(DB_FILE)).unwrap();
    if let Ok(wal) = std::fs::read(dir.join(format!("{DB_FILE}-wal"))) {
        bytes.extend_from_slice(&wal);
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn a_removed_profile_leaves_no_token_in_the_file_or_the_wal() {
    let (dir, store) = temp_store();
    let keep = profile(&store, "keep");
    let gone = profile(&store, "gone");
    let secrets = [
        "TICKET-4f1c9a77d2e04b8e-gone",
        "COMPONENTTOKEN-9d0e8a61c3b2-gone",
        "REFRESHTOKEN-a1b2c3d4e5f6-gone",
        "ACCESSTOKEN-0f9e8d7c6b5a-gone",
    ];
    for p in [keep.id, gone.id] {
        let tag = |s: &str| {
            if p == gone.id {
                s.to_string()
            } else {
                s.replace("gone", "keep")
            }
        };
        store
            .ticket_insert(p, &tag(secrets[0]), 1, TicketSource::Pasted)
            .unwrap();
        store
            .component_token_put(p, &tag(secrets[1]), 9_999_999_999, 1)
            .unwrap();
        store
            .authorizer_token_put_access(
                p,
                "wx1000000000000001",
                &tag(secrets[3]),
                9_999_999_999,
                Some(&tag(secrets[2])),
            )
            .unwrap();
    }
    // Everything in the main file first, as after days of use.
    store.checkpoint().unwrap();
    let before = file_bytes(dir.path());
    for s in secrets {
        assert!(contains(&before, s), "{s} was written in the first place");
    }
    assert!(store.profile_delete(gone.id).unwrap());
    let after = file_bytes(dir.path());
    for s in secrets {
        assert!(
            !contains(&after, s),
            "{s} of the removed profile is still readable in the database file or its WAL"
        );
        assert!(
            contains(&after, &s.replace("gone", "keep")),
            "the other profile's rows stay"
        );
    }
    assert_eq!(store.pragma("secure_delete").unwrap(), "1");
}

#[test]
fn refresh_token_writes_commit_with_synchronous_full() {
    let (_dir, store) = temp_store();
    let p = profile(&store, "durable");
    let app = "wx1000000000000002";
    assert_eq!(store.durable_commits(), 0);
    // api_query_auth without an access token: the refresh token alone
    store
        .authorizer_token_put_refresh(p.id, app, "refresh@@@once")
        .unwrap();
    assert_eq!(
        store.durable_commits(),
        1,
        "put_refresh committed with FULL"
    );
    // api_query_auth / api_authorizer_token: access and refresh token together
    store
        .authorizer_token_put_access(p.id, app, "access@@@1", 9_999_999_999, Some("refresh@@@2"))
        .unwrap();
    assert_eq!(
        store.durable_commits(),
        2,
        "put_access with a refresh token: FULL"
    );
    // An access token alone is refetched at will: no fsync of the WAL for it.
    store
        .authorizer_token_put_access(p.id, app, "access@@@2", 9_999_999_999, None)
        .unwrap();
    assert_eq!(store.durable_commits(), 2);
    // Everything else goes back to NORMAL.
    assert_eq!(store.pragma("synchronous").unwrap(), "1");
    assert_eq!(
        store
            .authorizer_token_get(p.id, app)
            .unwrap()
            .unwrap()
            .refresh_token
            .expose(),
        "refresh@@@2"
    );
}

#[test]
fn the_data_dir_is_made_private_even_when_it_existed_wider() {
    let root = tempfile::tempdir().unwrap();
    let existing = root.path().join("existing");
    std::fs::create_dir(&existing).unwrap();
    std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o755)).unwrap();
    let _store = Store::open(&existing).unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode(&existing),
        0o700,
        "an existing 0755 data dir becomes 0700"
    );
    let fresh = root.path().join("a/b/fresh");
    let _store = Store::open(&fresh).unwrap();
    assert_eq!(mode(&fresh), 0o700);
    assert_eq!(mode(&fresh.join(DB_FILE)), 0o600);
}

fn audit_at(at: i64) -> NewAudit {
    NewAudit {
        at,
        profile_id: None,
        endpoint: "api_component_token".into(),
        appid: None,
        errcode: Some(0),
        duration_ms: 1,
        detail: None,
    }
}

fn message_at(profile_id: i64, at: i64) -> NewMessage {
    NewMessage {
        profile_id,
        received_at: at,
        info_type: "component_verify_ticket".into(),
        authorizer_appid: None,
        status: MessageStatus::Applied,
        decoded: "{}".into(),
        error: None,
    }
}

#[tokio::test]
async fn prune_deletes_history_older_than_the_window_in_both_tables() {
    use std::sync::Arc;
    use wxopen_core::secrets::MemoryStore;
    use wxopen_core::service::history::DEFAULT_HISTORY_RETENTION_DAYS;
    use wxopen_core::service::{now, Console};
    use wxopen_core::store::{AuditQuery, MessageQuery};

    let (_dir, store) = temp_store();
    let p = profile(&store, "history");
    let day = 86_400;
    let t = now();
    // More old rows than one batch deletes, so the prune takes several transactions.
    let old: Vec<NewAudit> = (0..1_234).map(|i| audit_at(t - 91 * day - i)).collect();
    store.audit_insert_many(&old).unwrap();
    store.audit_insert(&audit_at(t - 89 * day)).unwrap();
    store.audit_insert(&audit_at(t)).unwrap();
    for at in [t - 200 * day, t - 91 * day, t - 89 * day, t] {
        store.message_insert(&message_at(p.id, at)).unwrap();
    }
    let console = Console::new(store.clone(), Arc::new(MemoryStore::new()));
    assert_eq!(
        console.history_retention_days().unwrap(),
        DEFAULT_HISTORY_RETENTION_DAYS
    );
    let report = console.prune_history().await.unwrap();
    assert_eq!((report.audit_deleted, report.messages_deleted), (1_234, 2));
    assert_eq!(
        report.cutoff.map(|c| (c - (t - 90 * day)).abs() <= 5),
        Some(true)
    );
    let audit = store
        .audit_list(&AuditQuery {
            limit: 1000,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(audit.total, 2, "the 89-day-old and the new entry stay");
    assert!(audit.rows.iter().all(|r| r.at >= t - 90 * day));
    let messages = store.messages_list(p.id, &MessageQuery::default()).unwrap();
    assert_eq!(messages.total, 2);
    assert!(messages.rows.iter().all(|m| m.received_at >= t - 90 * day));

    // A shorter window, then 0 (keep everything), then junk refused.
    assert_eq!(console.set_history_retention_days(30).unwrap(), 30);
    let report = console.prune_history().await.unwrap();
    assert_eq!((report.audit_deleted, report.messages_deleted), (1, 1));
    console.set_history_retention_days(0).unwrap();
    store.audit_insert(&audit_at(t - 5_000 * day)).unwrap();
    let report = console.prune_history().await.unwrap();
    assert_eq!((report.audit_deleted, report.cutoff), (0, None));
    let err = console.set_history_retention_days(40_000).unwrap_err();
    assert_eq!(err.body().code, wxopen_core::error::ErrorCode::InvalidInput);
    assert_eq!(console.history_retention_days().unwrap(), 0);
}
