//! What an operator pastes as the push's query or the authorization redirect: a whole URL, a
//! query string, or (for the redirect) a bare auth code. The input is also split on newlines
//! into the four fields of `push decrypt` (`--url`, `--timestamp`, `--nonce`,
//! `--msg-signature`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wxopen_wechat::links::parse_redirect;
use wxopen_wechat::push::PushQuery;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    let from_url = PushQuery::from_url(&text);
    if let Err(e) = &from_url {
        let _ = (e.to_string(), e.hint());
    }
    if !text.trim().is_empty() {
        assert_eq!(
            PushQuery::from_parts(Some(&text), None, None, None),
            from_url,
            "a URL given alone is read as from_url reads it"
        );
    }
    let mut parts = text.splitn(4, '\n');
    let (url, ts, nonce, sig) = (parts.next(), parts.next(), parts.next(), parts.next());
    if let Ok(q) = PushQuery::from_parts(url, ts, nonce, sig) {
        serde_json::to_string(&q).expect("a query serializes");
    }
    let blank = |v: Option<&str>| v.is_none_or(|s| s.trim().is_empty());
    if blank(url) && !blank(ts) && !blank(nonce) && !blank(sig) {
        let q = PushQuery::from_parts(None, ts, nonce, sig).expect("all three parameters given");
        assert_eq!(q.timestamp, ts.unwrap().trim());
    }

    match parse_redirect(&text) {
        Ok(r) => {
            assert!(
                !r.auth_code.trim().is_empty(),
                "an empty code is never accepted"
            );
            serde_json::to_string(&r).expect("a redirect serializes");
        }
        Err(e) => drop(serde_json::to_string(&e).expect("an error serializes")),
    }
});
