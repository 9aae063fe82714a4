//! Message crypto against independent vectors: wechatpy-made cases and the official samples.

use proptest::prelude::*;
use serde_json::Value;
use wxopen_wechat::crypto::{url_signature, CryptoError, CryptoErrorKind, MsgCrypto};

const CASES: &str = include_str!("fixtures/crypto-vectors.json");
const OFFICIAL: &str = include_str!("fixtures/official-crypto-vectors.json");

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("fixture field {key} missing in {v}"))
}

/// The fixtures print the 16 random bytes as text: they are ASCII characters in every sample
/// (official samples use letters and digits, WeChat hex-looking strings).
fn random16(text: &str) -> [u8; 16] {
    text.as_bytes().try_into().expect("16-byte random")
}

/// The fixture's error names, mapped to ours.
fn expected_kind(name: &str) -> CryptoErrorKind {
    match name {
        "invalid_signature" => CryptoErrorKind::SignatureMismatch,
        "appid_mismatch" => CryptoErrorKind::AppidMismatch,
        other => panic!("unmapped fixture error name {other:?}"),
    }
}

#[test]
fn every_wechatpy_case_decrypts_or_fails_as_expected() {
    let doc: Value = serde_json::from_str(CASES).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 60);
    let (mut ok, mut failed) = (0, 0);
    for (i, case) in cases.iter().enumerate() {
        let crypto = MsgCrypto::new(
            s(case, "token"),
            s(case, "encoding_aes_key"),
            s(case, "appid"),
        )
        .unwrap();
        let result = crypto.verify_and_decrypt(
            s(case, "msg_signature"),
            s(case, "timestamp"),
            s(case, "nonce"),
            s(case, "encrypt"),
        );
        match s(case, "expect") {
            "ok" => {
                assert_eq!(
                    result.as_deref(),
                    Ok(s(case, "plaintext")),
                    "case {i} ({})",
                    s(case, "kind")
                );
                ok += 1;
            }
            name => {
                let err = result.expect_err(&format!("case {i} must fail"));
                assert_eq!(
                    err.kind(),
                    expected_kind(name),
                    "case {i} ({}): {err}",
                    s(case, "kind")
                );
                failed += 1;
            }
        }
    }
    assert_eq!((ok, failed), (20, 40));
}

#[test]
fn wechatpy_appid_mismatch_names_the_found_appid() {
    let doc: Value = serde_json::from_str(CASES).unwrap();
    let case = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["expect"] == "appid_mismatch")
        .unwrap();
    let crypto = MsgCrypto::new(
        s(case, "token"),
        s(case, "encoding_aes_key"),
        s(case, "appid"),
    )
    .unwrap();
    match crypto.decrypt(s(case, "encrypt")) {
        Err(CryptoError::AppidMismatch { expected, found }) => {
            assert_eq!(expected, s(case, "appid"));
            assert!(found.starts_with("wx") && found.len() == 18, "{found}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn official_component_debug_demo() {
    let doc: Value = serde_json::from_str(OFFICIAL).unwrap();
    let v = &doc["E_official_component_message_push_debug_demo"];
    let q = &v["url_query"];
    let crypto = MsgCrypto::new(
        s(v, "token"),
        s(v, "encoding_aes_key"),
        s(v, "component_appid"),
    )
    .unwrap();

    assert_eq!(
        url_signature(s(v, "token"), s(q, "timestamp"), s(q, "nonce")),
        s(q, "signature")
    );
    assert_eq!(
        crypto.url_signature(s(q, "timestamp"), s(q, "nonce")),
        s(q, "signature")
    );
    assert_eq!(
        crypto.signature(s(q, "timestamp"), s(q, "nonce"), s(v, "encrypt")),
        s(q, "msg_signature")
    );
    let msg = crypto
        .verify_and_decrypt(
            s(q, "msg_signature"),
            s(q, "timestamp"),
            s(q, "nonce"),
            s(v, "encrypt"),
        )
        .unwrap();
    assert_eq!(msg, s(&v["decrypted"], "msg"));

    let r = &v["reply"];
    let encrypt = crypto.encrypt_with_random(&random16(s(r, "random16")), s(r, "msg"));
    assert_eq!(encrypt, s(r, "encrypt"));
    assert_eq!(
        crypto.signature(s(r, "timestamp"), s(r, "nonce"), &encrypt),
        s(r, "msg_signature")
    );
    assert_eq!(crypto.decrypt(&encrypt).unwrap(), s(r, "msg"));
}

#[test]
fn official_java_sample_with_fixed_random() {
    let doc: Value = serde_json::from_str(OFFICIAL).unwrap();
    let v = &doc["A_official_sample_java_fixed_random"];
    let crypto = MsgCrypto::new(s(v, "token"), s(v, "encoding_aes_key"), s(v, "appid")).unwrap();
    let random = random16(s(v, "random16"));
    // The fixture annotates the message as "我是中文abcd123 (UTF-8)"; the annotation is not part
    // of what the sample encrypts.
    let msg = s(v, "msg").trim_end_matches(" (UTF-8)");
    assert_eq!(msg, "我是中文abcd123");
    assert_eq!(crypto.encrypt_with_random(&random, msg), s(v, "encrypt"));
    assert_eq!(
        crypto.encrypt_with_random(&random, s(v, "msg2")),
        s(v, "encrypt2")
    );
    assert_eq!(crypto.decrypt(s(v, "encrypt")).unwrap(), msg);
    assert_eq!(crypto.decrypt(s(v, "encrypt2")).unwrap(), s(v, "msg2"));
}

#[test]
fn official_python_and_cpp_samples() {
    let doc: Value = serde_json::from_str(OFFICIAL).unwrap();
    for name in ["C_official_sample_python", "D_official_sample_cpp"] {
        let v = &doc[name];
        let crypto =
            MsgCrypto::new(s(v, "token"), s(v, "encoding_aes_key"), s(v, "appid")).unwrap();
        assert_eq!(
            crypto.signature(s(v, "timestamp"), s(v, "nonce"), s(v, "encrypt")),
            s(v, "msg_signature"),
            "{name}"
        );
        let msg = crypto
            .verify_and_decrypt(
                s(v, "msg_signature"),
                s(v, "timestamp"),
                s(v, "nonce"),
                s(v, "encrypt"),
            )
            .unwrap();
        assert_eq!(msg, s(v, "expected_msg"), "{name}");
        // Re-encrypting with the random the sample used reproduces the exact ciphertext.
        let random = random16(s(v, "random16"));
        assert_eq!(
            crypto.encrypt_with_random(&random, &msg),
            s(v, "encrypt"),
            "{name}"
        );
    }
}

#[test]
fn official_wecom_verify_url() {
    let doc: Value = serde_json::from_str(OFFICIAL).unwrap();
    let v = &doc["B_official_wecom_verifyurl"];
    let crypto =
        MsgCrypto::new(s(v, "token"), s(v, "encoding_aes_key"), s(v, "receive_id")).unwrap();
    let plain = crypto
        .verify_and_decrypt(
            s(v, "msg_signature"),
            s(v, "timestamp"),
            s(v, "nonce"),
            s(v, "echostr"),
        )
        .unwrap();
    assert_eq!(plain, s(v, "expected_plain"));
}

#[test]
fn wechatpy_own_tests() {
    let doc: Value = serde_json::from_str(OFFICIAL).unwrap();
    let v = &doc["W_wechatpy_tests_test_crypto"];
    let crypto =
        MsgCrypto::new(s(v, "token"), s(v, "encoding_aes_key"), s(v, "receive_id")).unwrap();

    let c = &v["check_signature"];
    let plain = crypto
        .verify_and_decrypt(
            s(c, "msg_signature"),
            s(c, "timestamp"),
            s(c, "nonce"),
            s(c, "echostr"),
        )
        .unwrap();
    assert_eq!(plain, s(c, "plain"));

    let d = &v["decrypt"];
    let plain = crypto
        .verify_and_decrypt(
            s(d, "msg_signature"),
            s(d, "timestamp"),
            s(d, "nonce"),
            s(d, "encrypt"),
        )
        .unwrap();
    assert_eq!(plain, s(d, "plain"));

    let e = &v["encrypt_fixed_random"];
    let encrypt = crypto.encrypt_with_random(&random16(s(e, "random16")), s(e, "msg"));
    assert_eq!(encrypt, s(e, "encrypt"));
    assert_eq!(
        crypto.signature(s(e, "timestamp"), s(e, "nonce"), &encrypt),
        s(e, "msg_signature")
    );
}

const KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const OTHER_KEY: &str = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR";

#[test]
fn wrong_key_wrong_appid_and_tampered_signature_are_told_apart() {
    let sender = MsgCrypto::new("token", KEY, "wx1111111111111111").unwrap();
    let sealed = sender.seal_push_with_random(
        &[b'a'; 16],
        "<xml><InfoType>x</InfoType></xml>",
        "1700000000",
        "42",
    );

    let wrong_key = MsgCrypto::new("token", OTHER_KEY, "wx1111111111111111").unwrap();
    let err = wrong_key.decrypt(&sealed.encrypt).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            CryptoErrorKind::Padding | CryptoErrorKind::Length
        ),
        "wrong key must fail on padding or length, got {err:?}"
    );

    let wrong_appid = MsgCrypto::new("token", KEY, "wx2222222222222222").unwrap();
    assert_eq!(
        wrong_appid.decrypt(&sealed.encrypt),
        Err(CryptoError::AppidMismatch {
            expected: "wx2222222222222222".into(),
            found: "wx1111111111111111".into()
        })
    );

    let mut tampered = sealed.msg_signature.clone();
    tampered.replace_range(0..1, if tampered.starts_with('0') { "1" } else { "0" });
    assert_eq!(
        sender.verify_and_decrypt(&tampered, &sealed.timestamp, &sealed.nonce, &sealed.encrypt),
        Err(CryptoError::SignatureMismatch {
            restored_spaces: false
        })
    );

    let wrong_token = MsgCrypto::new("other", KEY, "wx1111111111111111").unwrap();
    assert_eq!(
        wrong_token
            .verify_and_decrypt(
                &sealed.msg_signature,
                &sealed.timestamp,
                &sealed.nonce,
                &sealed.encrypt
            )
            .unwrap_err()
            .kind(),
        CryptoErrorKind::SignatureMismatch
    );
}

#[test]
fn wrong_key_on_many_messages_never_panics_and_never_succeeds() {
    let sender = MsgCrypto::new("t", KEY, "wx1111111111111111").unwrap();
    let receiver = MsgCrypto::new("t", OTHER_KEY, "wx1111111111111111").unwrap();
    for n in 0..300 {
        let encrypt = sender.encrypt(&"x".repeat(n));
        assert!(receiver.decrypt(&encrypt).is_err());
    }
}

#[test]
fn key_problems_have_their_own_variants() {
    assert_eq!(
        MsgCrypto::new("t", "short", "wx").unwrap_err(),
        CryptoError::KeyLength { len: 5 }
    );
    assert_eq!(
        MsgCrypto::new("t", &format!("{}=", &KEY[..42]), "wx").unwrap_err(),
        CryptoError::KeyAlphabet {
            position: 42,
            found: '='
        }
    );
    assert_eq!(
        MsgCrypto::new("t", &format!("{}-", &KEY[..42]), "wx")
            .unwrap_err()
            .kind(),
        CryptoErrorKind::KeyAlphabet
    );
    // Pasted with a trailing newline: still fine.
    assert!(MsgCrypto::new("t\n", &format!("{KEY}\n"), "wx").is_ok());
}

#[test]
fn url_decoded_plus_signs_are_restored() {
    let crypto = MsgCrypto::new("token", KEY, "wx1111111111111111").unwrap();
    // Find a message whose ciphertext has a '+', then damage it as URL decoding would.
    let (msg, sealed) = (0..200)
        .map(|i| {
            let msg = format!("message {i}");
            let sealed = crypto.seal_push(&msg, "1700000000", "7");
            (msg, sealed)
        })
        .find(|(_, sealed)| sealed.encrypt.contains('+'))
        .expect("some ciphertext contains '+'");
    let damaged = sealed.encrypt.replace('+', " ");
    assert_eq!(crypto.decrypt(&damaged).unwrap(), msg);
    assert_eq!(
        crypto
            .verify_and_decrypt(
                &sealed.msg_signature,
                &sealed.timestamp,
                &sealed.nonce,
                &damaged
            )
            .unwrap(),
        msg
    );
    // When it still fails, the message says the spaces were restored.
    let err = crypto.decrypt(&format!("{damaged}!!")).unwrap_err();
    assert_eq!(err.kind(), CryptoErrorKind::Base64);
    assert!(err.to_string().contains("spaces"), "{err}");
}

#[test]
fn malformed_ciphertexts() {
    let crypto = MsgCrypto::new("token", KEY, "wx1").unwrap();
    assert_eq!(
        crypto.decrypt("not base64 at all!").unwrap_err().kind(),
        CryptoErrorKind::Base64
    );
    assert_eq!(
        crypto.decrypt("").unwrap_err().kind(),
        CryptoErrorKind::CiphertextLength
    );
    assert_eq!(
        crypto.decrypt("AAAA").unwrap_err().kind(),
        CryptoErrorKind::CiphertextLength
    );
}

#[test]
fn sealed_push_body_and_signature() {
    let crypto = MsgCrypto::new("token", KEY, "wx1111111111111111").unwrap();
    let sealed = crypto.seal_push("<xml/>", "1700000000", "42");
    assert_eq!(
        sealed.body,
        format!(
            "<xml><AppId><![CDATA[wx1111111111111111]]></AppId><Encrypt><![CDATA[{}]]></Encrypt></xml>",
            sealed.encrypt
        )
    );
    assert_eq!(
        sealed.msg_signature,
        crypto.signature("1700000000", "42", &sealed.encrypt)
    );
    assert_eq!(
        crypto
            .verify_and_decrypt(&sealed.msg_signature, "1700000000", "42", &sealed.encrypt)
            .unwrap(),
        "<xml/>"
    );
    // Two seals of the same message differ (fresh random bytes).
    assert_ne!(crypto.encrypt("<xml/>"), crypto.encrypt("<xml/>"));
}

#[test]
fn errors_serialize_with_a_stable_kind() {
    let v = serde_json::to_value(CryptoError::SignatureMismatch {
        restored_spaces: false,
    })
    .unwrap();
    assert_eq!(v["kind"], "signature_mismatch");
    assert!(v["message"].as_str().unwrap().contains("msg_signature"));
    let v = serde_json::to_value(CryptoError::AppidMismatch {
        expected: "a".into(),
        found: "b".into(),
    })
    .unwrap();
    assert_eq!(v["kind"], "appid_mismatch");
}

fn key_strategy() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        proptest::sample::select(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                .chars()
                .collect::<Vec<_>>(),
        ),
        43,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #[test]
    fn round_trip(
        msg in "\\PC{0,300}",
        appid in "wx[0-9a-f]{16}",
        key in key_strategy(),
        token in "[A-Za-z0-9]{3,32}",
        timestamp in "[0-9]{10}",
        nonce in "[0-9]{1,10}",
    ) {
        let crypto = MsgCrypto::new(&token, &key, &appid).unwrap();
        let sealed = crypto.seal_push(&msg, &timestamp, &nonce);
        let opened = crypto.verify_and_decrypt(&sealed.msg_signature, &timestamp, &nonce, &sealed.encrypt);
        prop_assert_eq!(opened, Ok(msg));
    }
}
