//! Team mode's key layouts: each preset renders the exact keys its SDK writes (the strings below
//! are copied from `docs/research/team-mode-redis-layouts.md`, which cites the SDK source), custom
//! templates are checked, and values read back as the backend wrote them.

use proptest::prelude::*;
use wxopen_core::shared_store::{Item, KeyLayout, LayoutError, Preset, ValueError, ValueFormat};

const C: &str = "wx1111111111111111";
const A: &str = "wx2222222222222222";

fn keys(l: &KeyLayout) -> Vec<Option<String>> {
    Item::ALL.iter().map(|i| l.key(*i, C, Some(A))).collect()
}

#[test]
fn wxjava_keys_prefix_and_locks() {
    let plain = KeyLayout::preset(Preset::Wxjava, None);
    assert_eq!(
        keys(&plain),
        [
            Some(format!("wechat_component_verify_ticket:{C}")),
            Some(format!("wechat_component_access_token:{C}")),
            Some(format!("wechat_authorizer_access_token:{C}:{A}")),
            Some(format!("wechat_authorizer_refresh_token:{C}:{A}")),
        ]
    );
    // The Spring Boot starter's default prefix `wx:open`; a `:` is added only when missing.
    for prefix in ["wx:open", "wx:open:"] {
        let l = KeyLayout::preset(Preset::Wxjava, Some(prefix));
        assert_eq!(
            l.key(Item::ComponentToken, C, None).unwrap(),
            format!("wx:open:wechat_component_access_token:{C}")
        );
    }
    assert_eq!(plain.value, ValueFormat::Raw);
    assert_eq!(plain.component_ttl_margin_secs, 200);
    // WxJava's locks are literal and unprefixed (WxOpenInMemoryConfigStorage).
    let prefixed = KeyLayout::preset(Preset::Wxjava, Some("wx:open"));
    assert_eq!(
        prefixed.lock_key(Item::ComponentToken, C, None).as_deref(),
        Some("componentAccessTokenLock")
    );
    assert_eq!(
        prefixed.lock_key(Item::AuthorizerToken, C, Some(A)),
        Some(format!("{A}:accessTokenLock"))
    );
    assert_eq!(prefixed.lock_key(Item::AuthorizerToken, C, None), None);
}

#[test]
fn wechatpy_keys_are_prefixed_json_and_unscoped_per_authorizer() {
    let l = KeyLayout::preset(Preset::Wechatpy, None);
    assert_eq!(
        keys(&l),
        [
            Some(format!("wechatpy:{C}_component_verify_ticket")),
            Some(format!("wechatpy:{C}_component_access_token")),
            Some(format!("wechatpy:{A}_access_token")),
            Some(format!("wechatpy:{A}_refresh_token")),
        ]
    );
    assert_eq!(
        KeyLayout::preset(Preset::Wechatpy, Some("shop"))
            .key(Item::Ticket, C, None)
            .unwrap(),
        format!("shop:{C}_component_verify_ticket")
    );
    assert_eq!(l.value, ValueFormat::JsonString);
    assert_eq!(l.lock_key(Item::ComponentToken, C, None), None);
    // What wechatpy's RedisStorage.set writes: json.dumps of the token.
    let stored = l.value.decode(br#""ticket@@@abc""#).unwrap();
    assert_eq!(stored.token, "ticket@@@abc");
    assert_eq!(l.value.encode("TOKEN", 0), r#""TOKEN""#);
}

#[test]
fn silenceper_keeps_only_access_tokens() {
    let l = KeyLayout::preset(Preset::Silenceper, None);
    assert_eq!(
        keys(&l),
        [
            None,
            Some(format!("component_access_token_{C}")),
            Some(format!("authorizer_access_token_{A}")),
            None,
        ]
    );
    assert_eq!(
        (l.component_ttl_margin_secs, l.authorizer_ttl_margin_secs),
        (1500, 30)
    );
}

#[test]
fn authorizer_items_need_an_authorizer() {
    let l = KeyLayout::preset(Preset::Wechatpy, None);
    assert_eq!(l.key(Item::AuthorizerToken, C, None), None);
    assert!(l.key(Item::ComponentToken, C, Some(A)).is_some());
}

#[test]
fn custom_templates_are_checked() {
    let t = |s: &str| Some(s.to_owned());
    let ok = KeyLayout::custom(
        [
            t(" acme:{component_appid}:ticket "),
            t("acme:{component_appid}:token"),
            t("acme:{component_appid}:{authorizer_appid}:token"),
            None,
        ],
        ValueFormat::JsonObject {
            token_field: "access_token".into(),
            expires_at_field: Some("expires_at".into()),
        },
        300,
    )
    .unwrap();
    assert_eq!(
        ok.key(Item::Ticket, C, None).unwrap(),
        format!("acme:{C}:ticket")
    );
    assert_eq!(ok.key(Item::AuthorizerRefreshToken, C, Some(A)), None);
    // A backend serving several platforms scopes its locks by component.
    let scoped = KeyLayout {
        component_lock: t("acme:lock:{component_appid}"),
        authorizer_lock: t("acme:lock:{component_appid}:{authorizer_appid}"),
        ..ok.clone()
    };
    assert_eq!(
        scoped.lock_key(Item::ComponentToken, C, None),
        Some(format!("acme:lock:{C}"))
    );
    assert_eq!(
        scoped.lock_key(Item::AuthorizerToken, C, Some(A)),
        Some(format!("acme:lock:{C}:{A}"))
    );
    let err = |templates: [Option<String>; 4]| {
        KeyLayout::custom(templates, ValueFormat::Raw, 0).unwrap_err()
    };
    assert!(matches!(
        err([t("t:{appid}"), None, None, None]),
        LayoutError::UnknownPlaceholder { placeholder, .. } if placeholder == "{appid}"
    ));
    assert!(matches!(
        err([None, None, t("tok:{component_appid}"), None]),
        LayoutError::MissingAuthorizer { .. }
    ));
    assert!(matches!(
        err([None, t("tok:{authorizer_appid}"), None, None]),
        LayoutError::UnexpectedAuthorizer { .. }
    ));
    assert!(matches!(
        err([t("t:{component_appid"), None, None, None]),
        LayoutError::Unclosed { .. }
    ));
    assert!(matches!(
        err([t("  "), None, None, None]),
        LayoutError::Empty { .. }
    ));
    assert!(matches!(
        err([t("t:{component_appid}\nticket"), None, None, None]),
        LayoutError::Whitespace { .. }
    ));
}

#[test]
fn malformed_values_are_named() {
    let json = ValueFormat::JsonString;
    assert!(matches!(
        json.decode(b"bare-token"),
        Err(ValueError::Malformed { .. })
    ));
    // A JSON value read as raw is not taken for a token.
    assert!(matches!(
        ValueFormat::Raw.decode(br#"{"a": 1}"#),
        Err(ValueError::Malformed { .. })
    ));
    // Nor a JSON string (wechatpy's json.dumps under a raw layout).
    assert!(matches!(
        ValueFormat::Raw.decode(br#""TOKEN_1234""#),
        Err(ValueError::Malformed { .. })
    ));
    // Redisson's Kryo5 bytes are not text.
    assert!(matches!(
        ValueFormat::Raw.decode(&[0x03, 0xde, 0x02, 0xff]),
        Err(ValueError::NotText { .. })
    ));
    assert_eq!(json.decode(br#""""#), Err(ValueError::Empty));
    let obj = ValueFormat::JsonObject {
        token_field: "t".into(),
        expires_at_field: Some("exp".into()),
    };
    assert!(matches!(
        obj.decode(br#"{"token": "x", "exp": 1}"#),
        Err(ValueError::MissingField { .. })
    ));
    assert!(matches!(
        obj.decode(br#"{"t": "x", "exp": "soon"}"#),
        Err(ValueError::BadExpiry { .. })
    ));
    // Milliseconds and numeric strings are read as Unix seconds.
    assert_eq!(
        obj.decode(br#"{"t": "x", "exp": 1733234567000}"#)
            .unwrap()
            .expires_at,
        Some(1_733_234_567)
    );
    assert_eq!(
        obj.decode(br#"{"t": "x", "exp": "1733234567"}"#)
            .unwrap()
            .expires_at,
        Some(1_733_234_567)
    );
}

proptest! {
    /// Whatever token WeChat hands out (printable, no spaces, no quotes), each format reads back what it
    /// wrote, with the expiry when the format keeps one.
    #[test]
    fn values_read_back_as_written(token in "[!#-~]{1,200}", exp in 1_000_000_000i64..4_000_000_000) {
        let formats = [
            ValueFormat::Raw,
            ValueFormat::JsonString,
            ValueFormat::JsonObject { token_field: "token".into(), expires_at_field: Some("expires_at".into()) },
            ValueFormat::JsonObject { token_field: "token".into(), expires_at_field: None },
        ];
        for f in formats {
            let stored = f.decode(f.encode(&token, exp).as_bytes()).unwrap();
            prop_assert_eq!(&stored.token, &token);
            let keeps_expiry = matches!(&f, ValueFormat::JsonObject { expires_at_field: Some(_), .. });
            prop_assert_eq!(stored.expires_at, keeps_expiry.then_some(exp));
        }
    }
}
