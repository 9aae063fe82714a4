//! Answers read back what they kept: regression tests for what `make fuzz` (target `answers`)
//! found in `parse_answer`.

use wxopen_wechat::client::parse_answer;
use wxopen_wechat::models::Ack;

/// An unknown member holding a float is kept in `extra`; written out and read again it was one
/// ulp off (6.8888888888888885e+99 came back as 6.888888888888889e+99), so a kept raw answer
/// did not read back as the answer WeChat sent.
#[test]
fn a_float_in_an_answer_reads_back_as_the_same_number() {
    let fuzz_crash = br#"{"`zrc":6888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888881.23,"errmsrequestg":"ioke"}"#;
    let (ack, _) = parse_answer::<Ack>("/x", fuzz_crash).unwrap();
    let written = serde_json::to_vec(&ack).unwrap();
    let (again, _) = parse_answer::<Ack>("/x", &written).unwrap();
    assert_eq!(again, ack, "{}", String::from_utf8_lossy(&written));
    for body in [
        r#"{"x":0.1}"#,
        r#"{"x":1e-300}"#,
        r#"{"x":-2.2250738585072014e-308}"#,
    ] {
        let (ack, _) = parse_answer::<Ack>("/x", body.as_bytes()).unwrap();
        let (again, _) = parse_answer::<Ack>("/x", &serde_json::to_vec(&ack).unwrap()).unwrap();
        assert_eq!(again, ack, "{body}");
    }
}

/// A success answer without an errcode is parsed in one pass (no envelope read first): the
/// shortcut must still see every error. An errcode key spelled with a `\u` escape, or the word
/// in a value next to a real errcode, is an error; the word only in a value is not.
#[test]
fn an_errcode_is_seen_however_the_answer_spells_it() {
    let err = |body: &str| match parse_answer::<Ack>("/x", body.as_bytes()) {
        Err(wxopen_wechat::error::WeChatError::Api { errcode, .. }) => errcode,
        other => panic!("{body}: {other:?}"),
    };
    assert_eq!(
        err(r#"{"\u0065rrcode":40001,"errmsg":"invalid credential"}"#),
        40001
    );
    assert_eq!(
        err(r#"{"note":"errcode","errcode":61023,"errmsg":"x"}"#),
        61023
    );
    let (_, code) = parse_answer::<Ack>("/x", br#"{"nick_name":"errcode fan"}"#).unwrap();
    assert_eq!(code, 0);
    let (_, code) = parse_answer::<Ack>("/x", br#"{"a":1}"#).unwrap();
    assert_eq!(code, 0);
}
