//! Authorization links and redirect parsing.

use wxopen_wechat::links::{
    mobile_link, parse_redirect, pc_link, validate, AuthLinkParams, AuthRedirect, LinkError,
    LinkErrorKind,
};

fn params() -> AuthLinkParams {
    AuthLinkParams::new(
        "wx1234567890abcdef",
        "preauthcode@@@Cx_Dk6qiBE0Dmx4EmlT3oRfArPvwSQ-oa3NL_fwHM7VI08r52wazoZX2Rhpz1dEw",
        "https://a.example/cb?x=1&y=2",
    )
}

#[test]
fn pc_link_exact() {
    assert_eq!(
        pc_link(&params()),
        "https://mp.weixin.qq.com/cgi-bin/componentloginpage?component_appid=wx1234567890abcdef\
         &pre_auth_code=preauthcode%40%40%40Cx_Dk6qiBE0Dmx4EmlT3oRfArPvwSQ-oa3NL_fwHM7VI08r52wazoZX2Rhpz1dEw\
         &redirect_uri=https%3A%2F%2Fa.example%2Fcb%3Fx%3D1%26y%3D2&auth_type=3"
    );
}

#[test]
fn mobile_link_exact_with_biz_appid_and_categories() {
    let p = AuthLinkParams {
        auth_type: Some(2),
        biz_appid: Some("wxbiz".into()),
        category_id_list: vec![17, 18, 25],
        ..params()
    };
    assert_eq!(
        mobile_link(&p),
        "https://open.weixin.qq.com/wxaopen/safe/bindcomponent?action=bindcomponent&no_scan=1\
         &component_appid=wx1234567890abcdef\
         &pre_auth_code=preauthcode%40%40%40Cx_Dk6qiBE0Dmx4EmlT3oRfArPvwSQ-oa3NL_fwHM7VI08r52wazoZX2Rhpz1dEw\
         &redirect_uri=https%3A%2F%2Fa.example%2Fcb%3Fx%3D1%26y%3D2&auth_type=2&biz_appid=wxbiz\
         &category_id_list=17%7C18%7C25#wechat_redirect"
    );
}

#[test]
fn single_category_and_unreserved_characters() {
    let p = AuthLinkParams {
        pre_auth_code: "a-b.c_d~e f+g/h:i|j".into(),
        category_id_list: vec![99],
        auth_type: Some(6),
        ..params()
    };
    let link = pc_link(&p);
    assert!(
        link.contains("&pre_auth_code=a-b.c_d~e%20f%2Bg%2Fh%3Ai%7Cj&"),
        "{link}"
    );
    assert!(link.ends_with("&auth_type=6&category_id_list=99"), "{link}");
}

#[test]
fn redirect_uri_round_trips_through_the_link() {
    for link in [pc_link(&params()), mobile_link(&params())] {
        let url = url::Url::parse(&link).unwrap();
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(
            get("redirect_uri").as_deref(),
            Some("https://a.example/cb?x=1&y=2"),
            "{link}"
        );
        assert_eq!(
            get("pre_auth_code").as_deref(),
            Some(params().pre_auth_code.as_str())
        );
        assert_eq!(
            get("x"),
            None,
            "redirect_uri's own query must not leak into the link: {link}"
        );
        assert_eq!(get("auth_type").as_deref(), Some("3"));
    }
    assert_eq!(
        url::Url::parse(&mobile_link(&params())).unwrap().fragment(),
        Some("wechat_redirect")
    );
}

#[test]
fn validation() {
    assert_eq!(validate(&params()), Ok(()));
    let zero = AuthLinkParams {
        auth_type: Some(0),
        ..params()
    };
    assert_eq!(validate(&zero), Err(LinkError::AuthTypeZero));
    for bad in [
        "/cb",
        "cb.example.com/x",
        "ftp://a.example/cb",
        "javascript:alert(1)",
        "",
    ] {
        let p = AuthLinkParams {
            redirect_uri: bad.into(),
            ..params()
        };
        let err = validate(&p).unwrap_err();
        assert!(
            matches!(
                err.kind(),
                LinkErrorKind::InvalidRedirectUri | LinkErrorKind::Empty
            ),
            "{bad}: {err:?}"
        );
    }
    let p = AuthLinkParams {
        pre_auth_code: " ".into(),
        ..params()
    };
    assert_eq!(
        validate(&p),
        Err(LinkError::Empty {
            field: "pre_auth_code".into()
        })
    );
    assert_eq!(
        validate(&AuthLinkParams {
            redirect_uri: "http://a.example".into(),
            ..params()
        }),
        Ok(())
    );
}

#[test]
fn parse_redirect_accepts_url_query_or_bare_code() {
    let expected = AuthRedirect {
        auth_code: "queryauthcode@@@abc-DEF_123".into(),
        expires_in: Some(600),
    };
    assert_eq!(
        parse_redirect(
            "https://a.example/cb?x=1&y=2&auth_code=queryauthcode@@@abc-DEF_123&expires_in=600"
        )
        .unwrap(),
        expected
    );
    assert_eq!(
        parse_redirect("auth_code=queryauthcode%40%40%40abc-DEF_123&expires_in=600").unwrap(),
        expected
    );
    assert_eq!(
        parse_redirect("?auth_code=queryauthcode@@@abc-DEF_123&expires_in=600#frag").unwrap(),
        expected
    );
    assert_eq!(
        parse_redirect("  queryauthcode@@@abc-DEF_123\n").unwrap(),
        AuthRedirect {
            auth_code: "queryauthcode@@@abc-DEF_123".into(),
            expires_in: None
        }
    );
    assert_eq!(
        parse_redirect("https://a.example/cb?auth_code=c&expires_in=soon").unwrap(),
        AuthRedirect {
            auth_code: "c".into(),
            expires_in: None
        }
    );
}

#[test]
fn parse_redirect_without_a_code() {
    for input in [
        "",
        "https://a.example/cb?x=1",
        "https://a.example/cb",
        "auth_code=&expires_in=600",
        "two words",
    ] {
        let err = parse_redirect(input).unwrap_err();
        assert_eq!(err.kind(), LinkErrorKind::MissingAuthCode, "{input:?}");
    }
    let v = serde_json::to_value(parse_redirect("x=1").unwrap_err()).unwrap();
    assert_eq!(v["kind"], "missing_auth_code");
}

/// Found by `make fuzz` (push_query): a paste that is only a fragment, or a bare code that
/// decodes to blanks, was accepted as an empty auth code and sent to WeChat.
#[test]
fn parse_redirect_never_accepts_a_blank_code() {
    let fuzz_crash = "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n#\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\nZ7Nj3rMxA5nUV,_in=9999";
    for input in [fuzz_crash, "#auth_code=c", "#", "%20", "%09%0A"] {
        let err = parse_redirect(input).unwrap_err();
        assert_eq!(err.kind(), LinkErrorKind::MissingAuthCode, "{input:?}");
    }
    assert_eq!(
        parse_redirect("queryauthcode%40%40%40abc%20")
            .unwrap()
            .auth_code,
        "queryauthcode@@@abc"
    );
}
