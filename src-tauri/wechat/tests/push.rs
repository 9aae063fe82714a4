//! Push parsing: envelopes, events, and the errors an operator is likely to meet.

use serde_json::Value;
use wxopen_wechat::crypto::{CryptoError, CryptoErrorKind, MsgCrypto};
use wxopen_wechat::push::{
    open_push, parse_envelope, parse_event, AuthorizationEvent, Envelope, PushError, PushErrorKind,
    PushEvent, PushQuery, Recipient, XmlLimit, MAX_BODY, MAX_DEPTH, MAX_FIELDS,
};

const CASES: &str = include_str!("fixtures/crypto-vectors.json");
const OFFICIAL: &str = include_str!("fixtures/official-crypto-vectors.json");

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("fixture field {key} missing"))
}

fn query_of(case: &Value) -> PushQuery {
    PushQuery {
        timestamp: s(case, "timestamp").into(),
        nonce: s(case, "nonce").into(),
        msg_signature: s(case, "msg_signature").into(),
        signature: None,
    }
}

#[test]
fn every_fixture_body_opens_to_the_right_event() {
    let doc: Value = serde_json::from_str(CASES).unwrap();
    for (i, case) in doc["cases"].as_array().unwrap().iter().enumerate() {
        let crypto = MsgCrypto::new(
            s(case, "token"),
            s(case, "encoding_aes_key"),
            s(case, "appid"),
        )
        .unwrap();
        let envelope = parse_envelope(s(case, "body")).unwrap();
        assert_eq!(
            envelope.to,
            Some(Recipient::ToUserName(s(case, "appid").into())),
            "case {i}"
        );
        assert_eq!(envelope.encrypt, s(case, "encrypt"), "case {i}");

        let result = open_push(&crypto, s(case, "body"), &query_of(case));
        let kind = s(case, "kind");
        match s(case, "expect") {
            "ok" => {
                let event = result.unwrap_or_else(|e| panic!("case {i} ({kind}): {e}"));
                assert_eq!(
                    event,
                    parse_event(s(case, "plaintext")).unwrap(),
                    "case {i}"
                );
                let matches_kind = match kind {
                    "component_verify_ticket" => matches!(event, PushEvent::VerifyTicket { .. }),
                    "authorized" => matches!(event, PushEvent::Authorized(_)),
                    "updateauthorized" => matches!(event, PushEvent::UpdateAuthorized(_)),
                    "unauthorized" => matches!(event, PushEvent::Unauthorized { .. }),
                    "unknown_info_type" => matches!(event, PushEvent::Other { .. }),
                    other => panic!("unexpected fixture kind {other}"),
                };
                assert!(matches_kind, "case {i} ({kind}) gave {event:?}");
            }
            "invalid_signature" => match result {
                Err(PushError::Crypto(e)) => {
                    assert_eq!(e.kind(), CryptoErrorKind::SignatureMismatch, "case {i}")
                }
                other => panic!("case {i}: {other:?}"),
            },
            "appid_mismatch" => match result {
                Err(PushError::Crypto(e)) => {
                    assert_eq!(e.kind(), CryptoErrorKind::AppidMismatch, "case {i}")
                }
                other => panic!("case {i}: {other:?}"),
            },
            other => panic!("unexpected expectation {other}"),
        }
    }
}

#[test]
fn authorized_fields_are_read() {
    let doc: Value = serde_json::from_str(CASES).unwrap();
    let case = &doc["cases"][3];
    assert_eq!(s(case, "kind"), "authorized");
    let event = parse_event(s(case, "plaintext")).unwrap();
    assert_eq!(
        event,
        PushEvent::Authorized(AuthorizationEvent {
            app_id: "wx4283fefc63f0cd0e".into(),
            create_time: 1702902582,
            authorizer_appid: "wx220e087835b92558".into(),
            authorization_code: "queryauthcode@@@H8kQrPTsDSuFEhbtyvAYmqgq5UGn9MB0bobzjcU9".into(),
            authorization_code_expired_time: Some(1702903182),
            pre_auth_code: Some("preauthcode@@@kCTGRBI1oOZSHCoHPbzRKZuQOBdVti9n4dte2et6".into()),
        })
    );
    let json = serde_json::to_value(&event).unwrap();
    assert_eq!(json["kind"], "authorized");
    assert_eq!(json["authorizer_appid"], "wx220e087835b92558");
}

#[test]
fn verify_ticket_and_other_info_types() {
    let ticket = parse_event(
        "<xml><AppId>some_appid</AppId><CreateTime>1413192605</CreateTime>\n<InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>some_verify_ticket</ComponentVerifyTicket></xml>",
    )
    .unwrap();
    assert_eq!(
        ticket,
        PushEvent::VerifyTicket {
            app_id: "some_appid".into(),
            create_time: 1413192605,
            ticket: "some_verify_ticket".into()
        }
    );

    let other = parse_event(
        "<xml><AppId><![CDATA[wxc]]></AppId><CreateTime>1535442403</CreateTime><InfoType><![CDATA[notify_third_fasteregister]]></InfoType>\
         <appid>wxnew</appid><status>0</status><auth_code>queryauthcode@@@x</auth_code><msg>OK</msg>\
         <info><name>企业</name><code>123</code><code_type>1</code_type></info></xml>",
    )
    .unwrap();
    let PushEvent::Other { info_type, fields } = other else {
        panic!("expected Other")
    };
    assert_eq!(info_type, "notify_third_fasteregister");
    assert_eq!(fields["appid"], "wxnew");
    assert_eq!(fields["AppId"], "wxc");
    assert_eq!(fields["info.name"], "企业");
    assert!(!fields.contains_key("InfoType"));
}

#[test]
fn authorization_code_expiry_accepts_seconds_and_timestamps() {
    let xml = |expiry: &str| {
        format!(
            "<xml><AppId>c</AppId><CreateTime>1413192760</CreateTime><InfoType>updateauthorized</InfoType>\
             <AuthorizerAppid>a</AuthorizerAppid><AuthorizationCode>code</AuthorizationCode>\
             <AuthorizationCodeExpiredTime>{expiry}</AuthorizationCodeExpiredTime><PreAuthCode>p</PreAuthCode></xml>"
        )
    };
    let expiry = |event: PushEvent| match event {
        PushEvent::UpdateAuthorized(a) => a.authorization_code_expired_time,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        expiry(parse_event(&xml("600")).unwrap()),
        Some(1413192760 + 600)
    );
    assert_eq!(
        expiry(parse_event(&xml("1608190715")).unwrap()),
        Some(1608190715)
    );
    assert_eq!(
        parse_event(&xml("soon")).unwrap_err().kind(),
        PushErrorKind::BadField
    );
}

#[test]
fn missing_fields_are_named() {
    let err = parse_event(
        "<xml><InfoType>unauthorized</InfoType><AppId>c</AppId><CreateTime>1</CreateTime></xml>",
    )
    .unwrap_err();
    assert_eq!(
        err,
        PushError::MissingField {
            field: "AuthorizerAppid".into(),
            info_type: Some("unauthorized".into())
        }
    );
    assert!(err.to_string().contains("AuthorizerAppid"), "{err}");
    assert_eq!(
        parse_envelope("<xml><AppId>x</AppId></xml>")
            .unwrap_err()
            .kind(),
        PushErrorKind::MissingField
    );
}

#[test]
fn envelope_keeps_which_element_addressed_it() {
    assert_eq!(
        parse_envelope(
            "<xml><AppId><![CDATA[wxc]]></AppId><Encrypt><![CDATA[abc+/=]]></Encrypt></xml>"
        )
        .unwrap(),
        Envelope {
            to: Some(Recipient::AppId("wxc".into())),
            encrypt: "abc+/=".into()
        }
    );
    assert_eq!(
        parse_envelope("<xml>\n  <ToUserName>gh_1</ToUserName>\n  <Encrypt>abc</Encrypt>\n</xml>")
            .unwrap(),
        Envelope {
            to: Some(Recipient::ToUserName("gh_1".into())),
            encrypt: "abc".into()
        }
    );
}

fn debug_demo() -> (MsgCrypto, Value) {
    let doc: Value = serde_json::from_str(OFFICIAL).unwrap();
    let v = doc["E_official_component_message_push_debug_demo"].clone();
    let crypto = MsgCrypto::new(
        s(&v, "token"),
        s(&v, "encoding_aes_key"),
        s(&v, "component_appid"),
    )
    .unwrap();
    (crypto, v)
}

fn debug_demo_url(v: &Value, msg_signature: &str) -> String {
    let q = &v["url_query"];
    format!(
        "https://example.com/wechat/auth?signature={}&timestamp={}&nonce={}&openid={}&encrypt_type=aes&msg_signature={}",
        s(q, "signature"),
        s(q, "timestamp"),
        s(q, "nonce"),
        s(q, "openid"),
        msg_signature
    )
}

fn debug_demo_body(v: &Value) -> String {
    format!(
        "<xml><ToUserName><![CDATA[{}]]></ToUserName><Encrypt><![CDATA[{}]]></Encrypt></xml>",
        s(v, "post_body_envelope_ToUserName"),
        s(v, "encrypt")
    )
}

#[test]
fn query_from_url_or_query_string() {
    let (_, v) = debug_demo();
    let url = debug_demo_url(&v, s(&v["url_query"], "msg_signature"));
    let from_url = PushQuery::from_url(&url).unwrap();
    assert_eq!(from_url.timestamp, "1715943329");
    assert_eq!(from_url.nonce, "1590219412");
    assert_eq!(
        from_url.msg_signature,
        "6c12a4205838198b8fa631b3220723bb07f1015c"
    );
    assert_eq!(
        from_url.signature.as_deref(),
        Some("cc0c594499c1634947d5b502f158ee518947db27")
    );
    let query = url.split_once('?').unwrap().1;
    assert_eq!(PushQuery::from_url(query).unwrap(), from_url);
    assert_eq!(PushQuery::from_url(&format!("?{query}")).unwrap(), from_url);
    assert_eq!(
        PushQuery::from_url("nonce=1&msg_signature=x").unwrap_err(),
        PushError::MissingQuery {
            param: "timestamp".into()
        }
    );
}

#[test]
fn authorizer_message_sent_to_component_parser_is_explained() {
    let (crypto, v) = debug_demo();
    let q = PushQuery::from_url(&debug_demo_url(&v, s(&v["url_query"], "msg_signature"))).unwrap();
    let err = open_push(&crypto, &debug_demo_body(&v), &q).unwrap_err();
    assert_eq!(
        err,
        PushError::NoInfoType {
            msg_type: Some("event".into())
        }
    );
    let text = err.to_string();
    assert!(
        text.contains("MsgType") && text.contains("authorizer"),
        "{text}"
    );
}

#[test]
fn passing_signature_instead_of_msg_signature_is_explained() {
    let (crypto, v) = debug_demo();
    let url_signature = s(&v["url_query"], "signature");
    let q = PushQuery::from_url(&debug_demo_url(&v, url_signature)).unwrap();
    let err = open_push(&crypto, &debug_demo_body(&v), &q).unwrap_err();
    assert_eq!(err, PushError::PassedUrlSignature);
    assert!(err.to_string().contains("use `msg_signature`"), "{err}");

    // Even without the `signature` parameter in the query, the value is recognised.
    let q = PushQuery {
        signature: None,
        ..q
    };
    assert_eq!(
        open_push(&crypto, &debug_demo_body(&v), &q).unwrap_err(),
        PushError::PassedUrlSignature
    );

    // Only the signature given: a missing msg_signature is named.
    let q = PushQuery {
        msg_signature: String::new(),
        ..q
    };
    assert_eq!(
        open_push(&crypto, &debug_demo_body(&v), &q)
            .unwrap_err()
            .kind(),
        PushErrorKind::MissingQuery
    );
}

#[test]
fn plain_text_bodies_are_accepted() {
    let crypto = MsgCrypto::new(
        "token",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        "wxc",
    )
    .unwrap();
    let body = "<xml><AppId>wxc</AppId><CreateTime>1413192605</CreateTime><InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>t</ComponentVerifyTicket></xml>";
    let event = open_push(&crypto, body, &PushQuery::default()).unwrap();
    assert!(matches!(event, PushEvent::VerifyTicket { .. }));

    let mut q = PushQuery {
        timestamp: "1".into(),
        nonce: "2".into(),
        msg_signature: String::new(),
        signature: Some(crypto.url_signature("1", "2")),
    };
    assert!(open_push(&crypto, body, &q).is_ok());
    q.signature = Some("0".repeat(40));
    assert_eq!(
        open_push(&crypto, body, &q).unwrap_err(),
        PushError::UrlSignatureMismatch
    );
}

#[test]
fn sealed_pushes_round_trip() {
    let crypto = MsgCrypto::new(
        "token",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        "wxc",
    )
    .unwrap();
    let msg = "<xml><AppId><![CDATA[wxc]]></AppId><CreateTime>1700000000</CreateTime><InfoType><![CDATA[unauthorized]]></InfoType><AuthorizerAppid><![CDATA[wxa]]></AuthorizerAppid></xml>";
    let sealed = crypto.seal_push(msg, "1700000000", "99");
    let q = PushQuery {
        timestamp: sealed.timestamp.clone(),
        nonce: sealed.nonce.clone(),
        msg_signature: sealed.msg_signature.clone(),
        signature: None,
    };
    assert_eq!(
        open_push(&crypto, &sealed.body, &q).unwrap(),
        PushEvent::Unauthorized {
            app_id: "wxc".into(),
            create_time: 1700000000,
            authorizer_appid: "wxa".into()
        }
    );
    assert_eq!(
        parse_envelope(&sealed.body).unwrap().to,
        Some(Recipient::AppId("wxc".into()))
    );

    let other = MsgCrypto::new(
        "token",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        "wxz",
    )
    .unwrap();
    assert!(matches!(
        open_push(&other, &sealed.body, &q),
        Err(PushError::Crypto(CryptoError::AppidMismatch { .. }))
    ));
}

#[test]
fn hostile_and_broken_xml_is_refused() {
    let doctype = "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY a \"aaaa\">]><xml><InfoType>&a;</InfoType></xml>";
    assert_eq!(parse_event(doctype).unwrap_err(), PushError::DtdForbidden);
    assert_eq!(
        parse_envelope("<xml><!ENTITY x SYSTEM \"file:///etc/passwd\"></xml>").unwrap_err(),
        PushError::DtdForbidden
    );
    assert_eq!(
        parse_event("<!doctype html><xml/>").unwrap_err(),
        PushError::DtdForbidden
    );

    let huge = format!(
        "<xml><InfoType>x</InfoType><Pad>{}</Pad></xml>",
        "a".repeat(MAX_BODY)
    );
    assert_eq!(
        parse_event(&huge).unwrap_err().kind(),
        PushErrorKind::TooLarge
    );

    match parse_event("<xml><InfoType>x</Info></xml>").unwrap_err() {
        PushError::Malformed { position, detail } => {
            // The '<' of the mismatched `</Info>`.
            assert_eq!(position, 16, "{detail}");
            assert!(!detail.is_empty());
        }
        other => panic!("{other:?}"),
    }
    let err = parse_event("<xml><InfoType>x</InfoType>").unwrap_err();
    assert_eq!(err.kind(), PushErrorKind::Malformed);
    assert!(err.to_string().contains("at byte"), "{err}");
    assert_eq!(
        parse_event("").unwrap_err().kind(),
        PushErrorKind::Malformed
    );
    assert_eq!(
        parse_event("not xml").unwrap_err().kind(),
        PushErrorKind::Malformed
    );
}

#[test]
fn decrypted_message_without_info_type() {
    assert_eq!(
        parse_event("<xml><ToUserName>gh</ToUserName><MsgType>text</MsgType></xml>").unwrap_err(),
        PushError::NoInfoType {
            msg_type: Some("text".into())
        }
    );
    assert_eq!(
        parse_event("<xml><Foo>1</Foo></xml>").unwrap_err(),
        PushError::NoInfoType { msg_type: None }
    );
}

#[test]
fn errors_serialize_with_a_stable_kind() {
    let v = serde_json::to_value(PushError::PassedUrlSignature).unwrap();
    assert_eq!(v["kind"], "passed_url_signature");
    let v = serde_json::to_value(PushError::from(CryptoError::Padding { pad: 99 })).unwrap();
    assert_eq!(v["kind"], "crypto");
    assert!(v["message"].as_str().unwrap().contains("EncodingAESKey"));
}

#[test]
fn a_pasted_query_comes_from_the_url_or_from_all_three_parameters() {
    use wxopen_wechat::push::{PushError, PushQuery};
    let from_url = PushQuery::from_parts(
        Some("https://x.example/cb?timestamp=1&nonce=2&msg_signature=3"),
        Some("ignored"),
        None,
        None,
    )
    .unwrap();
    assert_eq!(
        (
            from_url.timestamp.as_str(),
            from_url.nonce.as_str(),
            from_url.msg_signature.as_str()
        ),
        ("1", "2", "3")
    );
    let from_parts = PushQuery::from_parts(Some("  "), Some(" 10 "), Some("n"), Some("s")).unwrap();
    assert_eq!(
        (
            from_parts.timestamp.as_str(),
            from_parts.nonce.as_str(),
            from_parts.msg_signature.as_str()
        ),
        ("10", "n", "s")
    );
    assert!(matches!(
        PushQuery::from_parts(None, Some("10"), Some(""), Some("s")),
        Err(PushError::NoQuery)
    ));
    assert!(matches!(
        PushQuery::from_parts(Some("timestamp=1"), None, None, None),
        Err(PushError::MissingQuery { .. })
    ));
}

/// The body of issue 12 ("one pasted push body exhausts memory"): elements nested `depth` deep,
/// then uniquely named empty elements inside the innermost one until the body is just under
/// [`MAX_BODY`]. Unbounded, every leaf rebuilt the whole dotted path: gigabytes and minutes.
fn deep_then_wide(depth: usize) -> String {
    let close = "</a>".repeat(depth) + "</xml>";
    let mut body = String::with_capacity(MAX_BODY);
    body.push_str("<xml>");
    body.push_str(&"<a>".repeat(depth));
    let mut i = 0u64;
    loop {
        let leaf = format!("<e{i}/>");
        if body.len() + leaf.len() + close.len() > MAX_BODY {
            break;
        }
        body.push_str(&leaf);
        i += 1;
    }
    body.push_str(&close);
    body
}

fn too_complex(err: PushError) -> XmlLimit {
    assert_eq!(err.kind(), PushErrorKind::TooComplex, "{err}");
    assert!(err.to_string().contains("at byte"), "{err}");
    assert!(err.hint().contains("raw request body"), "{}", err.hint());
    match err {
        PushError::TooComplex { limit, .. } => limit,
        other => panic!("{other:?}"),
    }
}

#[test]
fn deeply_nested_then_wide_body_is_refused_before_any_signature_check() {
    let body = deep_then_wide(20_000);
    assert!(body.len() <= MAX_BODY);
    assert_eq!(
        too_complex(parse_envelope(&body).unwrap_err()),
        XmlLimit::Depth
    );
    assert_eq!(
        too_complex(parse_event(&body).unwrap_err()),
        XmlLimit::Depth
    );
    let crypto =
        MsgCrypto::new("tok", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx1").unwrap();
    let q = PushQuery {
        timestamp: "1".into(),
        nonce: "n".into(),
        msg_signature: "0".repeat(40),
        signature: None,
    };
    assert_eq!(
        too_complex(open_push(&crypto, &body, &q).unwrap_err()),
        XmlLimit::Depth
    );
}

#[test]
fn the_decrypted_inner_xml_is_bounded_too() {
    let crypto =
        MsgCrypto::new("tok", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx1").unwrap();
    // Small enough that its Encrypt fits the body cap; still past every limit.
    let inner: String = deep_then_wide(5_000)
        .chars()
        .take(600_000)
        .collect::<String>();
    let inner = inner[..inner.rfind('>').unwrap() + 1].to_owned();
    let sealed = crypto.seal_push(&inner, "1700000000", "n0nce");
    assert!(sealed.body.len() <= MAX_BODY, "{}", sealed.body.len());
    let q = PushQuery {
        timestamp: sealed.timestamp.clone(),
        nonce: sealed.nonce.clone(),
        msg_signature: sealed.msg_signature.clone(),
        signature: None,
    };
    assert_eq!(
        too_complex(open_push(&crypto, &sealed.body, &q).unwrap_err()),
        XmlLimit::Depth
    );
}

#[test]
fn each_limit_has_its_own_refusal() {
    // Many fields, flat.
    let mut flat = String::from("<xml><InfoType>x</InfoType>");
    for i in 0..=MAX_FIELDS {
        flat.push_str(&format!("<F{i}>v</F{i}>"));
    }
    flat.push_str("</xml>");
    assert_eq!(
        too_complex(parse_event(&flat).unwrap_err()),
        XmlLimit::Fields
    );
    // Long names at an allowed depth: every leaf's path repeats them.
    let name = "n".repeat(60_000);
    let mut long = String::from("<xml>");
    for _ in 2..MAX_DEPTH {
        long.push_str(&format!("<{name}>"));
    }
    for i in 0..10 {
        long.push_str(&format!("<e{i}/>"));
    }
    for _ in 2..MAX_DEPTH {
        long.push_str(&format!("</{name}>"));
    }
    long.push_str("</xml>");
    assert!(long.len() <= MAX_BODY);
    assert_eq!(
        too_complex(parse_event(&long).unwrap_err()),
        XmlLimit::Bytes
    );
    // At the limits, a push still parses.
    let mut ok = String::from("<xml><InfoType>x</InfoType>");
    for _ in 2..MAX_DEPTH {
        ok.push_str("<a>");
    }
    ok.push_str("<b/>");
    for _ in 2..MAX_DEPTH {
        ok.push_str("</a>");
    }
    for i in 2..MAX_FIELDS {
        ok.push_str(&format!("<F{i}/>"));
    }
    ok.push_str("</xml>");
    match parse_event(&ok).unwrap() {
        PushEvent::Other { fields, .. } => assert_eq!(fields.len(), MAX_FIELDS - 1),
        other => panic!("{other:?}"),
    }
}
