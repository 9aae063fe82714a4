//! `wxopen health`: the Health page as text, or its document with `--json`.

use std::fmt::Write;

use crate::context::Globals;
use crate::output::{out, Out};
use crate::time::{fmt_time, human_duration};
use wxopen_core::error::CoreResult;
use wxopen_core::service::health::Health;
use wxopen_core::service::Console;
use wxopen_core::store::health::AccountGroup;

pub async fn run(console: &Console, g: &Globals) -> CoreResult<Out> {
    let rt = g.active_profile(console).await?;
    let h = console.health(&rt).await?;
    let text = text(&h);
    out(&h, text)
}

fn group(t: &mut String, title: &str, g: &AccountGroup, action: &str) {
    let _ = writeln!(t, "{title}: {}", g.count);
    for a in &g.first {
        let _ = writeln!(t, "  {}  {}", a.appid, a.nick_name);
    }
    if g.count > g.first.len() as u64 {
        let _ = writeln!(t, "  … and {} more", g.count - g.first.len() as u64);
    }
    if g.count > 0 && !action.is_empty() {
        let _ = writeln!(t, "  → {action}");
    }
}

fn text(h: &Health) -> String {
    let mut t = String::new();
    match (&h.ticket, &h.ticket_error) {
        (Some(k), _) if k.present => {
            let age = k.age_secs.map(human_duration).unwrap_or_else(|| "?".into());
            let state = if k.valid { "valid" } else { "EXPIRED" };
            let _ = writeln!(t, "ticket: {state}, received {age} ago");
        }
        (Some(_), _) => {
            let _ = writeln!(t, "ticket: none (paste one: wxopen ticket set)");
        }
        (None, Some(e)) => {
            let _ = writeln!(t, "ticket: cannot be read: {e}");
        }
        (None, None) => {}
    }
    let c = &h.component_token;
    let source = if c.shared.is_some() {
        "borrowed from the backend"
    } else {
        "local"
    };
    let _ = match c.expires_in {
        Some(s) if s > 0 => writeln!(
            t,
            "component token: {source}, valid for {}",
            human_duration(s)
        ),
        Some(_) => writeln!(t, "component token: {source}, expired"),
        None => writeln!(t, "component token: {source}, none yet"),
    };
    let a = &h.accounts;
    let _ = writeln!(
        t,
        "accounts: {} ({} authorized, {} must authorize again, {} revoked)",
        a.total, a.authorized, a.needs_reauth, a.revoked
    );
    let _ = match &h.last_sync {
        Some(s) => writeln!(
            t,
            "last complete sync: #{} at {}",
            s.id,
            fmt_time(s.finished_at)
        ),
        None => writeln!(t, "last complete sync: none (wxopen authorizers sync)"),
    };
    group(
        &mut t,
        "must authorize again (61023)",
        &h.needs_reauth,
        "send them a new authorization link (wxopen link create)",
    );
    match (&h.revoked_since_previous_sync, &h.new_since_previous_sync) {
        (Some(r), Some(n)) => {
            group(&mut t, "revoked since the previous sync", r, "");
            group(&mut t, "newly authorized since the previous sync", n, "");
        }
        _ => {
            let _ = writeln!(
                t,
                "changes since the previous sync: after two complete syncs"
            );
        }
    }
    let _ = writeln!(t, "without a refresh token: {}", a.missing_refresh_token);
    if a.missing_refresh_token > 0 {
        let _ = writeln!(
            t,
            "  → recover them from the list: wxopen authorizers sync --restart"
        );
    }
    let _ = writeln!(
        t,
        "quota resets left this month: {} of 10",
        h.quota.resets_left
    );
    if h.top_errcodes.is_empty() {
        let _ = writeln!(t, "errcodes in the last 24 h: none");
    } else {
        let _ = writeln!(t, "errcodes in the last 24 h:");
        for e in &h.top_errcodes {
            let _ = writeln!(
                t,
                "  {} × {}  {}  (last on {})",
                e.count.count, e.count.errcode, e.explanation.en, e.count.endpoint
            );
        }
    }
    t
}
