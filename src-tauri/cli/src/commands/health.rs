//! `wxopen health`: what needs attention on the profile, each line with the command that shows
//! or fixes it.

use crate::context::Globals;
use crate::output::{out, Out};
use crate::time::{fmt_time, human_duration};
use wxopen_core::error::CoreResult;
use wxopen_core::service::health::{AccountGroup, HealthReport};
use wxopen_core::service::Console;

pub async fn run(console: &Console, g: &Globals) -> CoreResult<Out> {
    let rt = g.active_profile(console).await?;
    let report = console.health(&rt).await?;
    let text = render(&report);
    out(&report, text)
}

fn row(out: &mut String, label: &str, value: &str, next: Option<&str>) {
    out.push_str(&format!("{label:<18} {value}\n"));
    if let Some(cmd) = next {
        out.push_str(&format!("{:<18}   → {cmd}\n", ""));
    }
}

fn sample(g: &AccountGroup) -> String {
    let more = g.count.saturating_sub(g.sample.len() as u64);
    let mut s = g.sample.join(", ");
    if more > 0 {
        s.push_str(&format!(" and {more} more"));
    }
    s
}

fn render(r: &HealthReport) -> String {
    let mut o = format!("health of profile {}\n", r.profile);
    let ticket = match (&r.ticket, &r.ticket_error) {
        (Some(t), _) if t.present => format!(
            "received {} ({}; {})",
            fmt_time(t.received_at),
            t.source.map_or("?", |s| s.as_str()),
            if t.valid {
                format!(
                    "valid {} more",
                    human_duration(t.valid_for_secs.unwrap_or(0))
                )
            } else {
                "EXPIRED".into()
            }
        ),
        (Some(_), _) => "none yet".into(),
        (None, e) => format!("unreadable: {}", e.as_deref().unwrap_or("?")),
    };
    let stale = r.ticket.as_ref().is_none_or(|t| !t.valid);
    row(
        &mut o,
        "ticket",
        &ticket,
        stale.then_some("wxopen ticket request-push (or ticket set)"),
    );
    let ct = &r.component_token;
    let token = match ct.expires_in {
        Some(s) if s > 0 => format!(
            "{}; expires in {}",
            ct.token_source.as_str(),
            human_duration(s)
        ),
        Some(_) => format!("{}; expired", ct.token_source.as_str()),
        None => format!("{}; none cached", ct.token_source.as_str()),
    };
    row(&mut o, "component token", &token, None);
    row(
        &mut o,
        "accounts",
        &format!(
            "{} ({} authorized, {} revoked, {} without details)",
            r.counts.total, r.counts.authorized, r.counts.revoked, r.counts.without_details
        ),
        None,
    );
    let reauth = &r.needs_reauth;
    row(
        &mut o,
        "needs re-auth",
        &if reauth.count == 0 { "none".into() } else { format!("{} (61023): {}", reauth.count, sample(reauth)) },
        (reauth.count > 0).then_some("wxopen authorizers list --status needs_reauth; send them an auth link: wxopen link create"),
    );
    let missing = &r.missing_refresh_token;
    row(
        &mut o,
        "no refresh token",
        &if missing.count == 0 {
            "none".into()
        } else {
            format!("{}: {}", missing.count, sample(missing))
        },
        (missing.count > 0).then_some(
            "wxopen authorizers sync --restart (re-reads every refresh token the list has)",
        ),
    );
    render_last_sync(&mut o, r);
    row(
        &mut o,
        "quota resets",
        &format!("{} of 10 left this month", r.quota.resets_left),
        None,
    );
    if r.top_errcodes.is_empty() {
        row(&mut o, "errcodes (24 h)", "none", None);
    }
    for (i, e) in r.top_errcodes.iter().enumerate() {
        let label = if i == 0 { "errcodes (24 h)" } else { "" };
        row(
            &mut o,
            label,
            &format!(
                "{} ×{}  {} / {}  (last {} on {})",
                e.count.errcode,
                e.count.count,
                e.explanation.zh,
                e.explanation.en,
                fmt_time(Some(e.count.last_at)),
                e.count.last_endpoint
            ),
            None,
        );
    }
    o
}

fn render_last_sync(o: &mut String, r: &HealthReport) {
    let Some(s) = &r.last_sync else {
        row(
            o,
            "last sync",
            "none finished yet",
            Some("wxopen authorizers sync --details"),
        );
        return;
    };
    let id = s.sync.sync_run_id;
    let c = &s.sync.counts;
    let baseline = s
        .sync
        .baseline_accounts
        .map(|n| format!(", the first sync: {n} accounts as the baseline"))
        .unwrap_or_default();
    row(
        o,
        "last sync",
        &format!("#{id}, {}{baseline}", fmt_time(s.sync.finished_at)),
        None,
    );
    let changes = |kind: &str| format!("wxopen authorizers changes --sync {id} --kind {kind}");
    row(
        o,
        "revoked",
        &format!("{} since the sync before", c.revoked),
        (c.revoked > 0).then(|| changes("revoked")).as_deref(),
    );
    row(
        o,
        "newly authorized",
        &c.authorized.to_string(),
        (c.authorized > 0).then(|| changes("authorized")).as_deref(),
    );
    row(
        o,
        "permissions",
        &format!("{} accounts changed their permission sets", c.permissions),
        (c.permissions > 0)
            .then(|| changes("permissions"))
            .as_deref(),
    );
}
