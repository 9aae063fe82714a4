//! The SQLite store on a real file: file mode, pragmas, profiles, tickets, tokens, links,
//! options, open bindings, messages, audit log and quota resets.

mod store_support;

use store_support::*;
use wxopen_core::store::*;

#[cfg(unix)]
#[test]
fn file_is_0600_with_wal_and_foreign_keys() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, store) = temp_store();
    let p = profile(&store, "a");
    store
        .ticket_insert(p.id, "ticket", 1, TicketSource::Pasted)
        .unwrap();
    let db = dir.path().join(DB_FILE);
    assert_eq!(store.path(), Some(db.as_path()));
    for name in [
        DB_FILE.to_string(),
        format!("{DB_FILE}-wal"),
        format!("{DB_FILE}-shm"),
    ] {
        let path = dir.path().join(&name);
        assert!(path.exists(), "{name} should exist");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name} has mode {mode:o}");
    }
    assert_eq!(store.pragma("journal_mode").unwrap(), "wal");
    assert_eq!(store.pragma("foreign_keys").unwrap(), "1");
    assert_eq!(store.pragma("busy_timeout").unwrap(), "5000");
    assert_eq!(store.pragma("synchronous").unwrap(), "1"); // NORMAL
    assert_eq!(store.integrity_check().unwrap(), "ok");
    assert_eq!(store.schema_version().unwrap(), migrations::LATEST_VERSION);
}

#[cfg(unix)]
#[test]
fn existing_file_with_loose_mode_is_tightened() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(DB_FILE);
    std::fs::write(&db, b"").unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let _store = Store::open(dir.path()).unwrap();
    assert_eq!(
        std::fs::metadata(&db).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn data_dir_is_created_and_reopen_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested/data");
    {
        let store = Store::open(&data).unwrap();
        profile(&store, "keep");
    }
    let store = Store::open(&data).unwrap();
    assert_eq!(store.profiles_list().unwrap().len(), 1);
}

#[test]
fn profiles_crud_and_selection() {
    let (_d, store) = temp_store();
    let a = store
        .profile_insert(&new_profile("prod", "wx0123456789abcdef"))
        .unwrap();
    assert_eq!(a.name, "prod");
    assert_eq!(a.token_source, TokenSourceKind::Local);
    assert_eq!(a.option_api, OptionApi::Legacy);
    assert!(!a.is_sandbox);
    let dup = store.profile_insert(&new_profile("prod", "wx0123456789abcdee"));
    assert!(
        matches!(dup, Err(StoreError::Conflict(ref m)) if m.contains("prod")),
        "{dup:?}"
    );
    let dup = store.profile_insert(&new_profile("other", "wx0123456789abcdef"));
    assert!(
        matches!(dup, Err(StoreError::Conflict(ref m)) if m.contains("wx0123456789abcdef")),
        "{dup:?}"
    );
    let b = store
        .profile_insert(&new_profile("dev", "wx0123456789abcdee"))
        .unwrap();
    let names: Vec<_> = store
        .profiles_list()
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["dev", "prod"]);
    assert_eq!(store.profile_by_name("dev").unwrap().unwrap().id, b.id);
    assert_eq!(
        store
            .profile_by_appid("wx0123456789abcdef")
            .unwrap()
            .unwrap()
            .id,
        a.id
    );
    assert_eq!(store.profile_get(a.id).unwrap().unwrap(), a);
    assert!(store.profile_by_name("nope").unwrap().is_none());

    let upd = store
        .profile_update(
            a.id,
            &ProfileUpdate {
                name: Some("production".into()),
                proxy: Some(Some("socks5://127.0.0.1:1080".into())),
                option_api: Some(OptionApi::V2),
                redirect_uri: Some(Some("https://example.com/cb".into())),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(upd.name, "production");
    assert_eq!(upd.proxy.as_deref(), Some("socks5://127.0.0.1:1080"));
    assert_eq!(upd.option_api, OptionApi::V2);
    assert_eq!(upd.api_base, a.api_base);
    let cleared = store
        .profile_update(
            a.id,
            &ProfileUpdate {
                proxy: Some(None),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(cleared.proxy, None);
    assert_eq!(
        cleared.redirect_uri.as_deref(),
        Some("https://example.com/cb")
    );
    assert!(matches!(
        store.profile_update(
            a.id,
            &ProfileUpdate {
                name: Some("dev".into()),
                ..Default::default()
            }
        ),
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.profile_update(999, &ProfileUpdate::default()),
        Err(StoreError::NotFound(_))
    ));

    assert!(store.selected_profile().unwrap().is_none());
    store.select_profile(Some(a.id)).unwrap();
    assert_eq!(store.selected_profile().unwrap().unwrap().id, a.id);
    assert!(matches!(
        store.select_profile(Some(999)),
        Err(StoreError::NotFound(_))
    ));
    store.select_profile(Some(b.id)).unwrap();
    assert_eq!(store.selected_profile().unwrap().unwrap().id, b.id);
    assert!(store.profile_delete(b.id).unwrap());
    assert!(!store.profile_delete(b.id).unwrap());
    assert!(
        store.selected_profile().unwrap().is_none(),
        "deleting the selected profile clears the selection"
    );
    store.select_profile(Some(a.id)).unwrap();
    store.select_profile(None).unwrap();
    assert!(store.selected_profile().unwrap().is_none());

    store.setting_set("theme", "dark").unwrap();
    store.setting_set("theme", "light").unwrap();
    assert_eq!(
        store.setting_get("theme").unwrap().as_deref(),
        Some("light")
    );
    store.setting_delete("theme").unwrap();
    assert_eq!(store.setting_get("theme").unwrap(), None);
}

#[test]
fn profile_delete_cascades_to_everything() {
    let (_d, store) = temp_store();
    let p = profile(&store, "gone");
    let keep = profile(&store, "kept");
    for pid in [p.id, keep.id] {
        store
            .ticket_insert(pid, "t", 1, TicketSource::Push)
            .unwrap();
        store.component_token_put(pid, "ctoken", 100, 1).unwrap();
        store
            .upsert_listed_authorizers(pid, None, &listed(0..3, false))
            .unwrap();
        store
            .save_authorizer_info(pid, &appid(0), None, &info(0))
            .unwrap();
        store
            .authorizer_token_put_access(pid, &appid(0), "atoken", 100, None)
            .unwrap();
        store
            .option_put(pid, &appid(0), "voice_recognize", "1", 1)
            .unwrap();
        store
            .open_binding_put(pid, &appid(0), Some("wxopen"), 1)
            .unwrap();
        store
            .pre_auth_code_insert(&NewPreAuthCode {
                profile_id: pid,
                code: "preauthcode@@@x".into(),
                expires_at: 100,
                auth_type: Some(3),
                biz_appid: None,
                redirect_uri: "https://e.com".into(),
                pc_link: "https://pc".into(),
                mobile_link: "https://m".into(),
            })
            .unwrap();
        let run = store.sync_run_start(pid, true).unwrap();
        store
            .sync_run_finish(run.id, SyncState::Done, None)
            .unwrap();
        store
            .message_insert(&NewMessage {
                profile_id: pid,
                received_at: 1,
                info_type: "component_verify_ticket".into(),
                authorizer_appid: None,
                status: MessageStatus::Applied,
                decoded: "{}".into(),
                error: None,
            })
            .unwrap();
        store
            .audit_insert(&audit(pid, 1, "api_component_token", Some(0)))
            .unwrap();
        store.quota_reset_insert(pid, 1, None).unwrap();
    }
    assert!(store.profile_delete(p.id).unwrap());
    assert_eq!(store.latest_ticket(p.id).unwrap(), None);
    assert_eq!(store.component_token_get(p.id).unwrap(), None);
    assert_eq!(store.authorizer_counts(p.id).unwrap().total, 0);
    assert_eq!(store.authorizer_token_get(p.id, &appid(0)).unwrap(), None);
    assert_eq!(store.authorizer_get(p.id, &appid(0)).unwrap(), None);
    assert_eq!(
        store
            .option_get(p.id, &appid(0), "voice_recognize")
            .unwrap(),
        None
    );
    assert_eq!(store.open_binding_get(p.id, &appid(0)).unwrap(), None);
    assert!(store.pre_auth_codes_list(p.id, 10).unwrap().is_empty());
    assert!(store.sync_run_latest(p.id).unwrap().is_none());
    assert_eq!(
        store
            .messages_list(p.id, &MessageQuery::default())
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        store
            .audit_list(&AuditQuery {
                profile_id: Some(p.id),
                ..Default::default()
            })
            .unwrap()
            .total,
        0
    );
    assert_eq!(store.quota_resets_count_this_month(p.id, 1).unwrap(), 0);
    // the other profile is untouched
    assert!(store.latest_ticket(keep.id).unwrap().is_some());
    assert_eq!(store.authorizer_counts(keep.id).unwrap().total, 3);
    assert!(store
        .authorizer_token_get(keep.id, &appid(0))
        .unwrap()
        .is_some());
    assert_eq!(store.audit_list(&AuditQuery::default()).unwrap().total, 1);
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn tickets_keep_the_last_five() {
    let (_d, store) = temp_store();
    let p = profile(&store, "t");
    let other = profile(&store, "o");
    store
        .ticket_insert(other.id, "other-ticket", 5, TicketSource::Pasted)
        .unwrap();
    for i in 1..=8 {
        store
            .ticket_insert(p.id, &format!("ticket@@@{i}"), 1000 + i, TicketSource::Push)
            .unwrap();
    }
    let list = store.tickets_list(p.id).unwrap();
    assert_eq!(list.len(), 5);
    let got: Vec<_> = list.iter().map(|t| t.ticket.expose().clone()).collect();
    assert_eq!(
        got,
        [
            "ticket@@@8",
            "ticket@@@7",
            "ticket@@@6",
            "ticket@@@5",
            "ticket@@@4"
        ]
    );
    let latest = store.latest_ticket(p.id).unwrap().unwrap();
    assert_eq!(latest.ticket.expose(), "ticket@@@8");
    assert_eq!(latest.received_at, 1008);
    assert_eq!(latest.source, TicketSource::Push);
    assert!(
        !format!("{latest:?}").contains("ticket@@@8"),
        "Debug must redact the ticket"
    );
    assert_eq!(store.tickets_list(other.id).unwrap().len(), 1);
    assert!(store
        .ticket_insert(p.id, "t", 1, TicketSource::Sandbox)
        .is_ok());
    assert!(
        store
            .ticket_insert(999, "t", 1, TicketSource::Sandbox)
            .is_err(),
        "foreign key"
    );
}

#[test]
fn component_and_authorizer_tokens() {
    let (_d, store) = temp_store();
    let p = profile(&store, "tok");
    assert_eq!(store.component_token_get(p.id).unwrap(), None);
    store.component_token_put(p.id, "ctok-1", 7200, 0).unwrap();
    store
        .component_token_put(p.id, "ctok-2", 9000, 1800)
        .unwrap();
    let c = store.component_token_get(p.id).unwrap().unwrap();
    assert_eq!(
        (c.token.expose().as_str(), c.expires_at, c.fetched_at),
        ("ctok-2", 9000, 1800)
    );
    assert!(!format!("{c:?}").contains("ctok-2"));
    store.component_token_clear(p.id).unwrap();
    assert_eq!(store.component_token_get(p.id).unwrap(), None);

    let a = appid(1);
    // no refresh token known: nothing to attach an access token to
    assert!(matches!(
        store.authorizer_token_put_access(p.id, &a, "atok", 100, None),
        Err(StoreError::NotFound(_))
    ));
    store
        .authorizer_token_put_access(p.id, &a, "atok-1", 100, Some("rtok-1"))
        .unwrap();
    let t = store.authorizer_token_get(p.id, &a).unwrap().unwrap();
    assert_eq!(t.access_token.as_ref().unwrap().expose(), "atok-1");
    assert_eq!(t.expires_at, Some(100));
    assert_eq!(t.refresh_token.expose(), "rtok-1");
    // the row was created as authorized
    let row = store.authorizer_get(p.id, &a).unwrap().unwrap().authorizer;
    assert_eq!(row.status, Status::Authorized);
    assert!(row.has_refresh_token);
    // empty refresh token never replaces the stored one
    store
        .authorizer_token_put_access(p.id, &a, "atok-2", 200, Some(""))
        .unwrap();
    store
        .authorizer_token_put_access(p.id, &a, "atok-3", 300, None)
        .unwrap();
    assert!(!store.authorizer_token_put_refresh(p.id, &a, "").unwrap());
    let t = store.authorizer_token_get(p.id, &a).unwrap().unwrap();
    assert_eq!(t.access_token.as_ref().unwrap().expose(), "atok-3");
    assert_eq!(t.refresh_token.expose(), "rtok-1");
    assert!(store
        .authorizer_token_put_refresh(p.id, &a, "rtok-2")
        .unwrap());
    assert!(!store
        .authorizer_token_put_refresh(p.id, &a, "rtok-2")
        .unwrap());
    store.authorizer_token_clear_access(p.id, &a).unwrap();
    let t = store.authorizer_token_get(p.id, &a).unwrap().unwrap();
    assert_eq!((t.access_token, t.expires_at), (None, None));
    assert_eq!(t.refresh_token.expose(), "rtok-2");
    store
        .authorizer_token_put_access(p.id, &a, "atok-4", 400, None)
        .unwrap();
    assert_eq!(store.authorizer_tokens_clear_access_all(p.id).unwrap(), 1);
    assert!(store
        .authorizer_token_get(p.id, &a)
        .unwrap()
        .unwrap()
        .access_token
        .is_none());
}

#[test]
fn pre_auth_codes_options_and_open_bindings() {
    let (_d, store) = temp_store();
    let p = profile(&store, "links");
    let row = store
        .pre_auth_code_insert(&NewPreAuthCode {
            profile_id: p.id,
            code: "preauthcode@@@abc".into(),
            expires_at: 1800,
            auth_type: Some(3),
            biz_appid: Some("wxbiz".into()),
            redirect_uri: "https://example.com/cb".into(),
            pc_link: "https://mp.weixin.qq.com/cgi-bin/componentloginpage?x".into(),
            mobile_link: "https://open.weixin.qq.com/wxaopen/safe/bindcomponent?x".into(),
        })
        .unwrap();
    assert!(!row.used);
    assert_eq!(row.auth_type, Some(3));
    store
        .pre_auth_code_insert(&NewPreAuthCode {
            code: "preauthcode@@@def".into(),
            ..new_code(p.id)
        })
        .unwrap();
    let list = store.pre_auth_codes_list(p.id, 10).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].code, "preauthcode@@@def", "newest first");
    assert!(store
        .pre_auth_code_mark_used(p.id, "preauthcode@@@abc")
        .unwrap());
    assert!(
        !store
            .pre_auth_code_mark_used(p.id, "preauthcode@@@abc")
            .unwrap(),
        "single use"
    );
    assert!(!store.pre_auth_code_mark_used(p.id, "unknown").unwrap());
    let used = store.pre_auth_codes_list(p.id, 10).unwrap();
    assert!(
        used.iter()
            .find(|r| r.code == "preauthcode@@@abc")
            .unwrap()
            .used
    );

    let a = appid(7);
    store
        .upsert_listed_authorizers(p.id, None, &listed(7..8, false))
        .unwrap();
    assert_eq!(
        store.option_get(p.id, &a, "customer_service").unwrap(),
        None
    );
    store
        .option_put(p.id, &a, "customer_service", "0", 10)
        .unwrap();
    store
        .option_put(p.id, &a, "customer_service", "1", 20)
        .unwrap();
    store
        .option_put(p.id, &a, "voice_recognize", "0", 20)
        .unwrap();
    let o = store
        .option_get(p.id, &a, "customer_service")
        .unwrap()
        .unwrap();
    assert_eq!((o.value.as_str(), o.fetched_at), ("1", 20));
    let names: Vec<_> = store
        .options_list(p.id, &a)
        .unwrap()
        .into_iter()
        .map(|o| o.name)
        .collect();
    assert_eq!(names, ["customer_service", "voice_recognize"]);

    assert_eq!(store.open_binding_get(p.id, &a).unwrap(), None);
    assert_eq!(
        store
            .authorizer_get(p.id, &a)
            .unwrap()
            .unwrap()
            .authorizer
            .has_open,
        None
    );
    store
        .open_binding_put(p.id, &a, Some("wxopen0000000001"), 30)
        .unwrap();
    let b = store.open_binding_get(p.id, &a).unwrap().unwrap();
    assert_eq!(b.open_appid.as_deref(), Some("wxopen0000000001"));
    assert_eq!(
        store
            .authorizer_get(p.id, &a)
            .unwrap()
            .unwrap()
            .authorizer
            .has_open,
        Some(true)
    );
    store.open_binding_put(p.id, &a, None, 40).unwrap();
    assert_eq!(
        store
            .authorizer_get(p.id, &a)
            .unwrap()
            .unwrap()
            .authorizer
            .has_open,
        Some(false)
    );
    store.open_binding_clear(p.id, &a).unwrap();
    assert_eq!(store.open_binding_get(p.id, &a).unwrap(), None);
    assert_eq!(
        store
            .authorizer_get(p.id, &a)
            .unwrap()
            .unwrap()
            .authorizer
            .has_open,
        None
    );
}

fn new_code(profile_id: i64) -> NewPreAuthCode {
    NewPreAuthCode {
        profile_id,
        code: String::new(),
        expires_at: 1800,
        auth_type: None,
        biz_appid: None,
        redirect_uri: "https://example.com/cb".into(),
        pc_link: "pc".into(),
        mobile_link: "m".into(),
    }
}

fn audit(profile_id: i64, at: i64, endpoint: &str, errcode: Option<i64>) -> NewAudit {
    NewAudit {
        at,
        profile_id: Some(profile_id),
        endpoint: endpoint.into(),
        appid: None,
        errcode,
        duration_ms: 12,
        detail: Some("{\"component_appsecret\":\"<redacted>\"}".into()),
    }
}

#[test]
fn messages_insert_and_list() {
    let (_d, store) = temp_store();
    let p = profile(&store, "msg");
    for (i, (t, s)) in [
        ("component_verify_ticket", MessageStatus::Applied),
        ("authorized", MessageStatus::Applied),
        ("unauthorized", MessageStatus::Failed),
        ("notify_third_fasteregister", MessageStatus::Ignored),
    ]
    .iter()
    .enumerate()
    {
        store
            .message_insert(&NewMessage {
                profile_id: p.id,
                received_at: 100 + i as i64,
                info_type: t.to_string(),
                authorizer_appid: Some(appid(i as u32)),
                status: *s,
                decoded: format!("{{\"InfoType\":\"{t}\"}}"),
                error: (*s == MessageStatus::Failed).then(|| "boom".to_string()),
            })
            .unwrap();
    }
    let all = store.messages_list(p.id, &MessageQuery::default()).unwrap();
    assert_eq!(all.total, 4);
    assert_eq!(
        all.rows[0].info_type, "notify_third_fasteregister",
        "newest first"
    );
    let failed = store
        .messages_list(
            p.id,
            &MessageQuery {
                status: Some(MessageStatus::Failed),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(failed.total, 1);
    assert_eq!(failed.rows[0].error.as_deref(), Some("boom"));
    let by_type = store
        .messages_list(
            p.id,
            &MessageQuery {
                info_type: Some("authorized".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        by_type.rows[0].authorizer_appid.as_deref(),
        Some(appid(1).as_str())
    );
    let paged = store
        .messages_list(
            p.id,
            &MessageQuery {
                limit: 2,
                offset: 2,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!((paged.total, paged.rows.len()), (4, 2));
    assert_eq!(paged.rows[0].info_type, "authorized");
}

#[test]
fn audit_insert_and_list() {
    let (_d, store) = temp_store();
    let p = profile(&store, "audit");
    let q = profile(&store, "audit2");
    store
        .audit_insert(&audit(p.id, 100, "api_component_token", Some(0)))
        .unwrap();
    store
        .audit_insert(&audit(p.id, 200, "api_authorizer_token", Some(61023)))
        .unwrap();
    store
        .audit_insert(&NewAudit {
            appid: Some(appid(1)),
            ..audit(p.id, 300, "api_get_authorizer_info", None)
        })
        .unwrap();
    store
        .audit_insert(&audit(q.id, 400, "api_component_token", Some(40001)))
        .unwrap();
    store
        .audit_insert(&NewAudit {
            profile_id: None,
            ..audit(p.id, 500, "errcode", None)
        })
        .unwrap();

    let all = store.audit_list(&AuditQuery::default()).unwrap();
    assert_eq!(all.total, 5);
    assert_eq!(all.rows[0].at, 500, "newest first");
    let mine = store
        .audit_list(&AuditQuery {
            profile_id: Some(p.id),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(mine.total, 3);
    let errors = store
        .audit_list(&AuditQuery {
            errors_only: true,
            ..Default::default()
        })
        .unwrap();
    let codes: Vec<_> = errors.rows.iter().map(|r| r.errcode).collect();
    assert_eq!(codes, [Some(40001), Some(61023)]);
    let ep = store
        .audit_list(&AuditQuery {
            endpoint: Some("api_component_token".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(ep.total, 2);
    let by_appid = store
        .audit_list(&AuditQuery {
            appid: Some(appid(1)),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_appid.rows[0].endpoint, "api_get_authorizer_info");
    assert_eq!(by_appid.rows[0].duration_ms, 12);
    let since = store
        .audit_list(&AuditQuery {
            since: Some(300),
            limit: 1,
            ..Default::default()
        })
        .unwrap();
    assert_eq!((since.total, since.rows.len()), (3, 1));
    assert_eq!(store.audit_prune(250).unwrap(), 2);
    assert_eq!(store.audit_list(&AuditQuery::default()).unwrap().total, 3);
}

#[test]
fn quota_resets_count_per_beijing_month() {
    let (_d, store) = temp_store();
    let p = profile(&store, "quota");
    // 2026-03-01 00:00 Beijing = 2026-02-28 16:00 UTC = 1772294400
    let march_start = 1_772_294_400;
    store
        .quota_reset_insert(p.id, march_start - 1, None)
        .unwrap(); // February (Beijing)
    store.quota_reset_insert(p.id, march_start, None).unwrap();
    store
        .quota_reset_insert(p.id, march_start + 86_400 * 10, Some("wxabc"))
        .unwrap();
    // An authorizer's reset is its own monthly budget, not the platform's.
    assert_eq!(
        store
            .quota_resets_count_this_month(p.id, march_start + 86_400 * 20)
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .quota_resets_count(p.id, Some("wxabc"), march_start + 86_400 * 20)
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .quota_resets_count(p.id, Some("wxother"), march_start + 86_400 * 20)
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .quota_resets_count_this_month(p.id, march_start - 10)
            .unwrap(),
        1
    );
}

#[test]
fn store_is_clone_send_sync_and_usable_from_threads() {
    fn assert_traits<T: Clone + Send + Sync + 'static>() {}
    assert_traits::<Store>();
    let (_d, store) = temp_store();
    let p = profile(&store, "threads");
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let s = store.clone();
            std::thread::spawn(move || {
                for i in 0..50 {
                    s.audit_insert(&audit(p.id, i, &format!("t{t}"), None))
                        .unwrap();
                    s.audit_list(&AuditQuery {
                        limit: 5,
                        ..Default::default()
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    handles.into_iter().for_each(|h| h.join().unwrap());
    assert_eq!(store.audit_list(&AuditQuery::default()).unwrap().total, 200);
}

#[test]
fn two_stores_on_one_file_see_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let a = Store::open(dir.path()).unwrap();
    let b = Store::open(dir.path()).unwrap();
    let p = profile(&a, "shared");
    assert_eq!(b.profile_by_name("shared").unwrap().unwrap().id, p.id);
    b.ticket_insert(p.id, "from-b", 1, TicketSource::Pasted)
        .unwrap();
    assert_eq!(
        a.latest_ticket(p.id).unwrap().unwrap().ticket.expose(),
        "from-b"
    );
}

#[test]
fn in_memory_store_works() {
    let store = Store::open_in_memory().unwrap();
    let p = profile(&store, "mem");
    assert_eq!(store.path(), None);
    assert_eq!(store.pragma("foreign_keys").unwrap(), "1");
    store
        .upsert_listed_authorizers(p.id, None, &listed(0..10, true))
        .unwrap();
    assert_eq!(store.authorizer_counts(p.id).unwrap().total, 10);
}

#[test]
fn release_memory_gives_back_the_page_cache_of_both_connections() {
    let (_d, store) = temp_store();
    let p = profile(&store, "cache");
    seed(&store, p.id, 3000);
    // A read of every page fills the read connection's cache too.
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let (write, read) = store.cache_bytes();
    assert!(write > 512 * 1024, "write cache {write}");
    assert!(read > 256 * 1024, "read cache {read}");
    store.release_memory().unwrap();
    let (write, read) = store.cache_bytes();
    assert!(write < 64 * 1024, "write cache {write} after release");
    assert!(read < 64 * 1024, "read cache {read} after release");
    // Still usable.
    assert_eq!(store.authorizer_counts(p.id).unwrap().total, 3000);
}

#[test]
fn audit_rows_keep_the_rid_and_token_kind_of_a_failed_call() {
    let (_d, store) = temp_store();
    let p = profile(&store, "rid");
    let other = profile(&store, "other");
    let rid = "6750a1b2-1a2b3c4d-5e6f7a8b";
    let detail = format!(
        "{{\"error\":\"api\",\"http_status\":200,\"method\":\"POST\",\"rid\":\"{rid}\",\"token\":\"access_token\"}}"
    );
    let failed = NewAudit {
        appid: Some("wx00000000000000a1".into()),
        detail: Some(detail),
        ..audit(p.id, 10, "/cgi-bin/open/get", Some(89002))
    };
    store.audit_insert(&failed).unwrap();
    store
        .audit_insert(&audit(p.id, 11, "/cgi-bin/open/get", Some(0)))
        .unwrap();
    let page = store
        .audit_list(&AuditQuery {
            profile_id: Some(p.id),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.rows[1].rid.as_deref(), Some(rid));
    assert_eq!(page.rows[1].token_param.as_deref(), Some("access_token"));
    assert_eq!(page.rows[0].rid, None, "a row without one");
    let found = store.audit_find_rid(p.id, rid).unwrap().unwrap();
    assert_eq!(found.appid.as_deref(), Some("wx00000000000000a1"));
    assert!(store.audit_find_rid(other.id, rid).unwrap().is_none());
    assert!(store
        .audit_find_rid(p.id, "6750a1b2-1a2b3c4d-00000000")
        .unwrap()
        .is_none());
}
