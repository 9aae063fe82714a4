//! `wxopen push decrypt|apply`

use std::path::Path;

use serde_json::Value;

use crate::args::PushCommand;
use crate::context::Globals;
use crate::output::{out, Out};
use crate::prompt::read_stdin;
use wxopen_core::error::{CoreError, CoreResult};
use wxopen_core::service::Console;
use wxopen_wechat::push::PushQuery;

pub async fn run(console: &Console, g: &Globals, cmd: PushCommand) -> CoreResult<Out> {
    let rt = g.active_profile(console).await?;
    let (args, apply) = match cmd {
        PushCommand::Decrypt(a) => (a, false),
        PushCommand::Apply(a) => (a, true),
    };
    let body = read_body(args.file.as_deref())?;
    let q = PushQuery::from_parts(
        args.url.as_deref(),
        args.timestamp.as_deref(),
        args.nonce.as_deref(),
        args.msg_signature.as_deref(),
    )?;
    if apply {
        let a = console.push_apply(&rt, &body, &q).await?;
        let text = format!(
            "{} {}: {:?}{}{}",
            a.info_type,
            a.authorizer_appid.clone().unwrap_or_default(),
            a.status,
            a.error
                .as_ref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default(),
            a.age_secs
                .map(|s| format!(", sent {} ago", wxopen_core::clock::human_age(s)))
                .unwrap_or_default()
        );
        out(&a, text)
    } else {
        let ev = console.push_decrypt(&rt, &body, &q)?;
        // Tickets and codes stay redacted in what is printed.
        let shown: Value = serde_json::from_str(&wxopen_core::service::push::redacted_json(&ev))
            .unwrap_or(Value::Null);
        let text = serde_json::to_string_pretty(&shown).unwrap_or_default();
        Ok(Out {
            json: shown,
            text,
            failed: false,
            json_lines: false,
            json_line: false,
        })
    }
}

/// The raw POST body from `file`, or stdin for `-` or none.
fn read_body(file: Option<&Path>) -> CoreResult<String> {
    match file {
        Some(p) if p.as_os_str() != "-" => std::fs::read_to_string(p)
            .map_err(|e| CoreError::io(format!("read {}", p.display()), e)),
        _ => read_stdin("push body").map(|s| s.as_str().to_owned()),
    }
}
