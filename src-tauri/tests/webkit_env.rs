//! The WebKit environment defaults the app sets before its window starts.

use wxopen_console_lib::webkit_env_defaults;

#[test]
fn turns_off_the_jit_when_the_environment_says_nothing() {
    let set = webkit_env_defaults(|_| None);
    assert!(set.contains(&("JSC_useJIT", "0")), "{set:?}");
}

#[test]
fn an_operators_own_value_wins() {
    let set = webkit_env_defaults(|name| (name == "JSC_useJIT").then(|| "1".to_string()));
    assert!(set.iter().all(|(name, _)| *name != "JSC_useJIT"), "{set:?}");
}
