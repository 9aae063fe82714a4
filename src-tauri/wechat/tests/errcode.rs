//! The errcode table and `explain`.

use std::collections::HashSet;

use wxopen_wechat::errcode::{all, client_ip, explain, lookup, rid, ErrKind};

#[test]
fn no_duplicate_codes_and_no_empty_texts() {
    let mut seen = HashSet::new();
    for e in all() {
        assert!(seen.insert(e.errcode), "duplicate errcode {}", e.errcode);
        for (what, text) in [
            ("zh", e.zh),
            ("en", e.en),
            ("hint_zh", e.hint_zh),
            ("hint_en", e.hint_en),
        ] {
            assert!(!text.trim().is_empty(), "{} has an empty {what}", e.errcode);
        }
        assert_ne!(
            e.kind,
            ErrKind::Unknown,
            "{} is in the table as Unknown",
            e.errcode
        );
        assert_eq!(lookup(e.errcode), Some(e));
    }
}

#[test]
fn every_code_the_docs_list_is_in_the_table() {
    let required = [
        -1, 40001, 40013, 40014, 40125, 40164, 40170, 41001, 41002, 41004, 41018, 42001, 42007,
        44002, 45009, 47001, 48001, 48006, 61003, 61004, 61005, 61006, 61007, 61009, 61010, 61011,
        61014, 61016, 61023, 61024, 61025, 61026, 61028, 61029, 76001, 76002, 76003, 76021, 76022,
        89000, 89001, 89002, 89003, 89004, 89036,
    ];
    for code in required.into_iter().chain(-40011..=-40001) {
        assert!(
            lookup(code).is_some(),
            "errcode {code} missing from the table"
        );
    }
    assert!(all().iter().filter(|e| e.kind == ErrKind::Crypto).count() == 11);
}

#[test]
fn ip_whitelist_hint_names_the_ip_in_both_languages() {
    let e = explain(
        61004,
        "access clientip is not registered requestIP: 175.11.201.147 rid: 5f92a0c3-4b491949-0aa4f69d",
    );
    assert!(e.known);
    assert_eq!(e.kind, ErrKind::IpWhitelist);
    assert_eq!(e.client_ip.as_deref(), Some("175.11.201.147"));
    assert_eq!(e.rid.as_deref(), Some("5f92a0c3-4b491949-0aa4f69d"));
    assert!(
        e.hint_zh.contains("175.11.201.147") && e.hint_zh.contains("白名单"),
        "{}",
        e.hint_zh
    );
    assert!(
        e.hint_en.contains("175.11.201.147") && e.hint_en.contains("whitelist"),
        "{}",
        e.hint_en
    );
    assert!(e.hint_en.contains("proxy"), "{}", e.hint_en);
    assert!(e.hint_zh.contains("开发资料"), "{}", e.hint_zh);

    let e = explain(
        61004,
        "access clientip is not registered clientip:1.2.3.4 hint: [0AOzcA0341vr32!]",
    );
    assert_eq!(e.client_ip.as_deref(), Some("1.2.3.4"));
    assert_eq!(e.rid, None);

    let e = explain(
        40164,
        "invalid ip 111.199.187.71 ipv6 ::ffff:111.199.187.71, not in whitelist hint: [H.BDtZFFE-Q7bNKA] rid: 5f283869-46321ea1-07d7260c",
    );
    assert_eq!(e.client_ip.as_deref(), Some("111.199.187.71"));
    assert_eq!(e.rid.as_deref(), Some("5f283869-46321ea1-07d7260c"));
    assert!(e.hint_zh.contains("111.199.187.71"));

    // Without an IP in errmsg the hint is still the whitelist advice.
    let e = explain(61004, "access clientip is not registered");
    assert_eq!(e.client_ip, None);
    assert!(e.hint_en.contains("whitelist"));
}

#[test]
fn ip_and_rid_parsing_edge_cases() {
    assert_eq!(
        client_ip("invalid ip 61.170.240.23, not in whitelist hint: [pRf6xa07743064]").as_deref(),
        Some("61.170.240.23")
    );
    assert_eq!(
        client_ip("requestIP: ::ffff:10.0.0.1 rid: x").as_deref(),
        Some("10.0.0.1")
    );
    assert_eq!(
        client_ip("requestIP: 240e:3b7:1234::1 rid: x").as_deref(),
        Some("240e:3b7:1234::1")
    );
    assert_eq!(client_ip("system error hint: [0AOzcA0341vr32!]"), None);
    assert_eq!(
        client_ip("reach max api daily quota limit rid: 6526b6c5-6c2d4d55-1f1e1c2a"),
        None
    );
    assert_eq!(
        rid("x rid: 6526b6c5-6c2d4d55-1f1e1c2a").as_deref(),
        Some("6526b6c5-6c2d4d55-1f1e1c2a")
    );
    assert_eq!(rid("no request id here"), None);
    assert_eq!(rid("rid:"), None);
}

#[test]
fn unknown_errcode_quotes_errmsg() {
    let e = explain(99999, "something odd rid: abc-1");
    assert!(!e.known);
    assert_eq!(e.kind, ErrKind::Unknown);
    assert!(!e.retryable);
    assert!(
        e.zh.contains("something odd") && e.en.contains("something odd"),
        "{e:?}"
    );
    assert!(e.zh.contains("99999") && e.en.contains("99999"));
    assert_eq!(e.rid.as_deref(), Some("abc-1"));
    assert!(e.hint_en.contains("abc-1"));
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["kind"], "unknown");
    assert_eq!(json["known"], false);
}

#[test]
fn retryable_semantics() {
    assert!(lookup(-1).unwrap().retryable, "system busy: retry");
    assert!(
        !lookup(45009).unwrap().retryable,
        "daily quota: retrying only burns calls"
    );
    assert!(!lookup(48006).unwrap().retryable);
    assert!(
        !lookup(61004).unwrap().retryable,
        "whitelist needs the operator"
    );
    assert!(lookup(42001).unwrap().retryable, "refresh and retry once");
    assert_eq!(lookup(45009).unwrap().kind, ErrKind::Quota);
    assert_eq!(lookup(-1).unwrap().kind, ErrKind::Transient);
    assert_eq!(lookup(61023).unwrap().kind, ErrKind::Token);
    assert_eq!(lookup(89004).unwrap().kind, ErrKind::Binding);
}
