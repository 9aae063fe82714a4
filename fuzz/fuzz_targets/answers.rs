//! The client's answer parsing (`parse_answer`), for every answer model: the same bytes are
//! fed to each. An answer that parses and serializes back must parse again to the same value
//! (the app keeps raw answers and reads them later); an error must be showable.
#![no_main]

use std::fmt::Debug;

use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use wxopen_wechat::client::parse_answer;
use wxopen_wechat::error::WeChatError;
use wxopen_wechat::models::{
    Ack, ApiQuota, AuthorizerInfoAnswer, AuthorizerList, AuthorizerOption, AuthorizerToken,
    ComponentToken, OpenAccount, OpenHave, PreAuthCode, QueryAuth, RidInfo,
};

fn show(e: &WeChatError) {
    let _ = (
        e.to_string(),
        e.hint(),
        e.kind(),
        e.is_retryable(),
        e.is_token_invalid(),
    );
}

/// Parses only (for answers without a `Serialize`).
fn parse<T: DeserializeOwned + Debug>(body: &[u8]) -> Option<T> {
    match parse_answer::<T>("/fuzz", body) {
        Ok((value, errcode)) => {
            assert_eq!(errcode, 0, "a parsed answer has no error");
            let _ = format!("{value:?}");
            Some(value)
        }
        Err(e) => {
            show(&e);
            None
        }
    }
}

fn round_trip<T: DeserializeOwned + Serialize + PartialEq + Debug>(body: &[u8]) {
    let Some(value) = parse::<T>(body) else {
        return;
    };
    let again = serde_json::to_vec(&value).expect("a parsed answer serializes");
    match parse_answer::<T>("/fuzz", &again) {
        Ok((back, _)) => assert!(
            back == value,
            "{value:?} → {} → {back:?}",
            String::from_utf8_lossy(&again)
        ),
        Err(e) => panic!(
            "{value:?} → {} does not parse again: {e}",
            String::from_utf8_lossy(&again)
        ),
    }
}

fuzz_target!(|data: &[u8]| {
    round_trip::<Ack>(data);
    round_trip::<ComponentToken>(data);
    round_trip::<PreAuthCode>(data);
    round_trip::<QueryAuth>(data);
    round_trip::<AuthorizerToken>(data);
    parse::<AuthorizerInfoAnswer>(data);
    round_trip::<AuthorizerList>(data);
    round_trip::<AuthorizerOption>(data);
    round_trip::<ApiQuota>(data);
    round_trip::<RidInfo>(data);
    round_trip::<OpenAccount>(data);
    round_trip::<OpenHave>(data);
    parse::<Value>(data);
});
