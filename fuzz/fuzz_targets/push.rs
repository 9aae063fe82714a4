//! A push body, end to end: envelope → signature → decrypt → inner event, three ways.
//! 1. as received, with a query that does not sign it (what a stranger can send);
//! 2. correctly signed for its own `<Encrypt>` (what someone who knows the Token can send),
//!    so mutations reach the AES and padding checks;
//! 3. as the decrypted inner XML, both parsed directly and sealed with the fixed key and
//!    opened again: the two must agree, and the ciphertext must decrypt back to the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wxopen_wechat::crypto::MsgCrypto;
use wxopen_wechat::push::{
    open_push, parse_envelope, parse_event, PushError, PushEvent, PushQuery, MAX_BODY,
};

// The key of the first case of src-tauri/wechat/tests/fixtures/crypto-vectors.json, so that the
// fixture bodies seeded by scripts/fuzz.sh decrypt and parse all the way.
const TOKEN: &str = "UZoL8g5ubbb";
const AES_KEY: &str = "BMNu2A5x4P13sHZw65QL1TNflz2q2GGbkf/JEfV8ztQ";
const APPID: &str = "wx4283fefc63f0cd0e";
const TIMESTAMP: &str = "1708598322";
const NONCE: &str = "2883607598";

fn query(msg_signature: String, signature: Option<String>) -> PushQuery {
    PushQuery {
        timestamp: TIMESTAMP.into(),
        nonce: NONCE.into(),
        msg_signature,
        signature,
    }
}

/// What the CLI and the app show of an outcome: every text must be producible.
fn show(result: &Result<PushEvent, PushError>) {
    match result {
        Ok(event) => drop(serde_json::to_string(event).expect("an event serializes")),
        Err(e) => {
            let _ = (e.to_string(), e.hint(), e.kind());
            serde_json::to_string(e).expect("an error serializes");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let crypto = MsgCrypto::new(TOKEN, AES_KEY, APPID).expect("the fixture key is valid");

    let unsigned = query("0".repeat(40), Some(crypto.url_signature(TIMESTAMP, NONCE)));
    show(&open_push(&crypto, &text, &unsigned));

    if let Ok(envelope) = parse_envelope(&text) {
        let signed = query(crypto.signature(TIMESTAMP, NONCE, &envelope.encrypt), None);
        show(&open_push(&crypto, &text, &signed));
    }

    let direct = parse_event(&text);
    show(&direct);
    let sealed = crypto.seal_push_with_random(&[7; 16], &text, TIMESTAMP, NONCE);
    assert_eq!(
        crypto.decrypt(&sealed.encrypt).as_deref(),
        Ok(&*text),
        "a sealed message decrypts to itself"
    );
    if sealed.body.len() <= MAX_BODY {
        let opened = open_push(&crypto, &sealed.body, &query(sealed.msg_signature, None));
        assert_eq!(
            opened, direct,
            "sealed and opened parses like the plain text"
        );
    }
});
