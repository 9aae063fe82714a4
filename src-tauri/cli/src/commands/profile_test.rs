//! `wxopen profile test`: what the GUI's *Test* shows. A shared profile reads every key it uses
//! (presence, TTL, tail, never a value); a local one owns its tokens and shows their state.

use serde_json::{json, Value};

use crate::context::Globals;
use crate::output::{out, Out};
use crate::time::{fmt_time, human_duration};
use wxopen_core::error::{CoreError, CoreResult, ErrorBody};
use wxopen_core::service::shared_tokens::{KeyProbe, SharedTest};
use wxopen_core::service::Console;
use wxopen_core::shared_store::{Item, SharedSource};

pub async fn run(console: &Console, g: &Globals, authorizer: Option<&str>) -> CoreResult<Out> {
    let rt = g.active_profile(console).await?;
    let Some(source) = rt.profile.shared_source.clone() else {
        let s = console.component_token_status(&rt)?;
        let state = match (s.cached, s.expires_in) {
            (true, Some(left)) if left > 0 => format!(
                "component_access_token {} cached, expires {} (in {})",
                s.tail.clone().unwrap_or_default(),
                fmt_time(s.expires_at),
                human_duration(left)
            ),
            (true, _) => {
                "component_access_token cached but expired: the next call fetches a new one".into()
            }
            (false, _) => "no component_access_token cached: the next call fetches one".into(),
        };
        let text = format!(
            "profile {} owns its tokens (this console fetches and refreshes them)\n{state}",
            rt.profile.name
        );
        return out(
            &json!({"profile": rt.profile.name, "token_source": "local", "component_token": s}),
            text,
        );
    };
    let report = console.shared_test(&rt, authorizer).await?;
    let problems = problems(&report, &source);
    let mut doc = serde_json::to_value(&report)
        .map_err(|e| CoreError::Internal(format!("cannot encode the answer: {e}")))?;
    if let Value::Object(m) = &mut doc {
        m.insert("profile".into(), rt.profile.name.clone().into());
        m.insert("ok".into(), problems.is_empty().into());
    }
    let mut o = out(&doc, render(&report))?;
    if !problems.is_empty() {
        eprintln!(
            "wxopen: error: {} of profile {} cannot be borrowed: {}",
            if report.reachable {
                "keys"
            } else {
                "the shared store"
            },
            rt.profile.name,
            problems.join("; ")
        );
        o.failed = true;
    }
    Ok(o)
}

/// Whether the backend keeps `item` at all (an item it keeps nowhere is no problem).
fn kept(source: &SharedSource, item: Item) -> bool {
    match source {
        SharedSource::Redis(r) => r.layout.resolve().is_ok_and(|l| l.template(item).is_some()),
        SharedSource::Http(h) => match item {
            Item::ComponentToken => true,
            Item::AuthorizerToken => h.authorizer_token_url.is_some(),
            Item::Ticket | Item::AuthorizerRefreshToken => false,
        },
    }
}

/// What makes the profile unusable: the store unreachable, or a key it keeps in a bad state.
fn problems(report: &SharedTest, source: &SharedSource) -> Vec<String> {
    if !report.reachable {
        return vec![report
            .error
            .as_ref()
            .map_or_else(|| "unreachable".into(), |e| e.message.clone())];
    }
    report
        .keys
        .iter()
        .filter(|k| kept(source, k.item) && k.error.is_some())
        .map(|k| k.key.clone().unwrap_or_else(|| item_name(k.item).into()))
        .collect()
}

fn item_name(item: Item) -> &'static str {
    match item {
        Item::Ticket => "ticket",
        Item::ComponentToken => "component_token",
        Item::AuthorizerToken => "authorizer_token",
        Item::AuthorizerRefreshToken => "authorizer_refresh_token",
    }
}

/// The message and code, and the hint unless the key above had the same one (every missing key
/// has the same advice: once is enough).
fn error_lines(e: &ErrorBody, hint_shown: &mut Option<String>) -> String {
    let code = serde_json::to_value(e.code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut s = format!("{} [{code}]", e.message);
    if let Some(h) = e.hint.as_ref().filter(|h| hint_shown.as_ref() != Some(*h)) {
        s.push_str(&format!("\n      hint: {h}"));
        *hint_shown = Some(h.clone());
    }
    s
}

fn key_line(k: &KeyProbe, hint_shown: &mut Option<String>) -> String {
    let item = match &k.authorizer_appid {
        Some(a) => format!("{} ({a})", item_name(k.item)),
        None => item_name(k.item).to_owned(),
    };
    let key = k.key.as_deref().unwrap_or("-");
    match (&k.error, k.present) {
        (None, _) => format!(
            "  {item:<44} {key}\n      present, TTL {}, value {}",
            k.ttl_secs
                .map_or_else(|| "none".into(), |t| format!("{t} s")),
            k.tail.as_deref().unwrap_or("-")
        ),
        (Some(e), present) => format!(
            "  {item:<44} {key}\n      {}: {}",
            if present { "UNUSABLE" } else { "MISSING" },
            error_lines(e, hint_shown)
        ),
    }
}

fn render(r: &SharedTest) -> String {
    let mut s = format!(
        "source  {} {} (layout {}, {})\n",
        r.kind,
        r.location,
        r.layout,
        if r.writes {
            "writes allowed"
        } else {
            "read-only"
        }
    );
    if let (false, Some(e)) = (r.reachable, &r.error) {
        s.push_str(&format!("UNREACHABLE: {}\n", error_lines(e, &mut None)));
        return s;
    }
    let mut hint_shown = None;
    for k in &r.keys {
        s.push_str(&key_line(k, &mut hint_shown));
        s.push('\n');
    }
    s
}
