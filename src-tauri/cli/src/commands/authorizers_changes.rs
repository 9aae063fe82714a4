//! `wxopen authorizers changes`: what each sync saw change per account, newest first; with
//! `--json`, one JSON line a change.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::args::ChangesArgs;
use crate::output::{out_lines, Out};
use crate::time::{local_datetime, parse_duration_secs};
use wxopen_core::clock::now;
use wxopen_core::error::{CoreError, CoreResult};
use wxopen_core::service::{Console, ProfileRt};
use wxopen_core::store::{ChangeKind, ChangeQuery, ChangeRow};

pub fn run(console: &Console, rt: &ProfileRt, args: ChangesArgs) -> CoreResult<Out> {
    let mut q = ChangeQuery {
        sync_run_id: args.sync,
        kind: args.kind.as_deref().map(parse_kind).transpose()?,
        appid: args.appid,
        query: args.query,
        limit: args.limit,
        offset: args.offset,
        ..Default::default()
    };
    match args.since.as_deref().map(parse_since).transpose()? {
        Some(Since::Sync(id)) => q.since_sync = Some(id),
        Some(Since::Time(t)) => q.since = Some(t),
        None => {}
    }
    let answer = console.authorizer_changes(rt, &q)?;
    let mut text = String::new();
    for c in &answer.page.rows {
        text.push_str(&line(c));
        text.push('\n');
    }
    text.push_str(&format!(
        "{} of {} changes (offset {})",
        answer.page.rows.len(),
        answer.page.total,
        q.offset
    ));
    out_lines(&answer.page.rows, text)
}

fn parse_kind(text: &str) -> CoreResult<ChangeKind> {
    ChangeKind::parse(text).ok_or_else(|| {
        let all: Vec<&str> = ChangeKind::ALL.iter().map(|k| k.as_str()).collect();
        CoreError::InvalidInput(format!("unknown change kind {text:?}: {}", all.join(", ")))
    })
}

#[derive(Debug, PartialEq, Eq)]
enum Since {
    Sync(i64),
    /// Unix seconds.
    Time(i64),
}

/// A bare number is a sync run's id; else an age (`24h`), an RFC 3339 time, or a local date or
/// date and time.
fn parse_since(text: &str) -> CoreResult<Since> {
    let t = text.trim();
    if let Ok(id) = t.parse::<i64>() {
        return Ok(Since::Sync(id));
    }
    if let Ok(age) = parse_duration_secs(t) {
        return Ok(Since::Time(now() - age as i64));
    }
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(Since::Time(ts.as_second()));
    }
    let local = t.parse::<DateTime>().or_else(|_| {
        t.parse::<Date>()
            .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
    });
    match local.and_then(|dt| dt.to_zoned(TimeZone::system())) {
        Ok(z) => Ok(Since::Time(z.timestamp().as_second())),
        Err(_) => Err(CoreError::InvalidInput(format!(
            "--since {text:?}: give a sync run id (42), a date (2026-12-01), a local time \
             (\"2026-12-01 08:00\"), an RFC 3339 time or an age (24h, 7d)"
        ))),
    }
}

/// `#12  2026-12-01 08:00:05  renamed       wx…  新名字  old → new`
fn line(c: &ChangeRow) -> String {
    let sync = c
        .sync_run_id
        .map_or_else(|| "-".into(), |s| format!("#{s}"));
    let what = match c.kind {
        ChangeKind::Permissions => format!("+{:?} -{:?}", c.added, c.removed),
        ChangeKind::Baseline => format!("first sync: {} accounts", c.new.as_deref().unwrap_or("?")),
        _ => format!(
            "{}: {} → {}",
            c.field,
            c.old.as_deref().unwrap_or("-"),
            c.new.as_deref().unwrap_or("-")
        ),
    };
    format!(
        "{:<5} {}  {:<13} {:<18}  {}  {}",
        sync,
        local_datetime(c.at),
        c.kind.as_str(),
        if c.appid.is_empty() { "-" } else { &c.appid },
        c.nick_name,
        what
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_a_sync_id_an_age_or_a_time() {
        assert_eq!(parse_since("42").unwrap(), Since::Sync(42));
        let Since::Time(t) = parse_since("24h").unwrap() else {
            panic!()
        };
        assert!((now() - 86_400 - t).abs() <= 1);
        assert_eq!(
            parse_since("2026-12-01T00:00:00Z").unwrap(),
            Since::Time(1_796_083_200)
        );
        assert!(matches!(parse_since("2026-12-01"), Ok(Since::Time(_))));
        assert!(matches!(
            parse_since("2026-12-01 08:00"),
            Ok(Since::Time(_))
        ));
        assert!(parse_since("yesterday").is_err());
    }
}
