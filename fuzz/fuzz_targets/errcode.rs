//! The errcode/errmsg explainer (zh-CN and en): any errcode, any errmsg. The first byte picks
//! a known errcode from the table (even) or reads the next 8 bytes as one (odd); the rest is the
//! errmsg.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wxopen_wechat::errcode::{all, client_ip, explain, lookup, rid};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let (errcode, errmsg) = if pick % 2 == 0 {
        (all()[usize::from(pick / 2) % all().len()].errcode, rest)
    } else if rest.len() >= 8 {
        let (code, msg) = rest.split_at(8);
        (i64::from_le_bytes(code.try_into().expect("8 bytes")), msg)
    } else {
        return;
    };
    let errmsg = String::from_utf8_lossy(errmsg);

    let x = explain(errcode, &errmsg);
    assert_eq!(x.errcode, errcode);
    assert_eq!(x.known, lookup(errcode).is_some());
    for text in [&x.zh, &x.en, &x.hint_zh, &x.hint_en] {
        assert!(
            !text.trim().is_empty(),
            "{errcode}: every text is filled in, both languages"
        );
    }
    assert_eq!(x.client_ip, client_ip(errmsg.trim()));
    assert_eq!(x.rid, rid(errmsg.trim()));
    serde_json::to_string(&x).expect("an explanation serializes");
});
